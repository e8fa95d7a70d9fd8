//! Figures of the incentive function (the OPPI paper, Eq. 7), from an `incentive` plan's rows.

use crate::figure::chart::{Chart, LineChart};
use crate::figure::table::Table;
use crate::figure::{Figure, figure};

/// `incentive` plans: a Sybil's gain against the number of Sybil identities, a line per C,
/// per (case, path length); a relayer's gain stays below 1/C (`gain_limit`).
pub(super) fn incentive(exp: &str, t: &Table, out: &mut Vec<Figure>) {
    let all: Vec<usize> = t.rows().collect();
    if !t.varies(&all, "sybils") {
        return;
    }
    for (case, rows) in t.split(&all, "case", |k| k.to_string()) {
        for (len, rows) in t.split(&rows, "path_len", |k| k.to_string()) {
            let who = if case.is_empty() {
                String::new()
            } else {
                format!("{case}, ")
            };
            let sub = if case.is_empty() {
                format!("len{len}")
            } else {
                format!("{case}_len{len}")
            };
            out.push(figure(
                format!("{exp}_sybil_gain_{sub}"),
                Chart::Lines(LineChart {
                    title: format!("{exp}: Sybil gain (Eq. 7), {who}path length {len}"),
                    x_label: "Sybil identities".into(),
                    y_label: format!(
                        "{}: shares with Sybils over the share without",
                        t.axis_label("sybil_gain")
                    ),
                    log_x: false,
                    log_y: false,
                    series: t.series(
                        &rows,
                        "c",
                        |k| format!("C = {k}"),
                        "sybils",
                        |r| t.num(r, "sybil_gain"),
                    ),
                }),
            ));
        }
    }
}

//! Figures of the twin paper's Algorithm 2: ordering by block height against arrival order.

use crate::figure::chart::{Chart, LineChart};
use crate::figure::table::Table;
use crate::figure::{Figure, figure};

/// `twin_sync` plans: per (emit, peer_entries), the regression rate and staleness of
/// arrival-order updates against Algorithm 2's block-height order, against the mean delay.
pub(super) fn twin_sync(exp: &str, t: &Table, out: &mut Vec<Figure>) {
    let all: Vec<usize> = t.rows().collect();
    if !t.varies(&all, "delay_mean_ms") {
        return;
    }
    for (emit, rows) in t.split(&all, "emit", |k| k.to_string()) {
        for (peers, rows) in t.split(&rows, "peer_entries", |k| k.to_string()) {
            let sub = format!("{emit}_{}", if peers == "true" { "peers" } else { "own" });
            for (stem, title, what, y_label) in [
                (
                    "regressions",
                    "state regressions",
                    "regression_rate",
                    "regressions / updates applied",
                ),
                (
                    "staleness",
                    "staleness of the twin's state",
                    "staleness_s",
                    "staleness, s",
                ),
            ] {
                let series = [("arrival order", "naive"), ("Algorithm 2", "alg2")]
                    .into_iter()
                    .filter_map(|(label, p)| {
                        let col = format!("{p}_{what}");
                        t.line(&rows, label, "delay_mean_ms", |r| t.num(r, &col))
                    })
                    .collect();
                out.push(figure(
                    format!("{exp}_{stem}_{sub}"),
                    Chart::Lines(LineChart {
                        title: format!("{exp}: {title}, emit = {emit}, peer entries = {peers}"),
                        x_label: "mean delay of a state message, ms".into(),
                        y_label: y_label.into(),
                        log_x: false,
                        log_y: false,
                        series,
                    }),
                ));
            }
        }
    }
}

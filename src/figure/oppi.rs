//! Figures of the OPPI paper:
//! propagation (Figs. 7-16, the fork probability of Eqs. 1-2, and the latency figure the
//! paper lacks), MST maintenance under churn (Section 3.3) and the incentive (Eq. 7).

use super::chart::{BoxChart, Chart, LineChart, Stats};
use super::table::{Key, Table};
use super::{Figure, figure};

/// `propagation` plans.
///
/// - `nodes` varies: per topology, messages (Figs. 7-9), total link delay (Figs. 12-14) and
///   the makespan and mean arrival of every protocol, against n (log10 axes).
/// - else `k` varies: the same against k (Figs. 10, 15).
/// - else `topology` varies: box plots per topology and protocol of messages, total delay and
///   makespan over the replicates (Figs. 11, 16).
/// - `block_rate` varies: per topology and n, the fork probability against the block rate.
pub fn propagation(exp: &str, t: &Table, out: &mut Vec<Figure>) {
    let all: Vec<usize> = t.rows().collect();
    let x = if t.varies(&all, "nodes") {
        Some(("nodes", "nodes n (log10)", true))
    } else if t.varies(&all, "k") {
        Some(("k", "links per node k", false))
    } else {
        None
    };
    let proto = |k: &Key| k.to_string();
    let topologies = t.split(&all, "topology", |k| k.to_string());
    if let Some((x, x_label, log_x)) = x {
        for (topo, rows) in &topologies {
            let mut line = |stem: &str, title: &str, y_label: &str, series| {
                out.push(figure(
                    format!("{exp}_{stem}_{topo}"),
                    Chart::Lines(LineChart {
                        title: format!("{exp}: {title}, {topo}"),
                        x_label: x_label.into(),
                        y_label: y_label.into(),
                        log_x,
                        log_y: true,
                        series,
                    }),
                ));
            };
            line(
                "msgs",
                "messages per broadcast",
                "messages (log10)",
                t.series(rows, "protocol", proto, x, |r| t.num(r, "msgs")),
            );
            line(
                "delay_total",
                "total link delay per broadcast",
                "delay_total_ms, ms (log10)",
                t.series(rows, "protocol", proto, x, |r| t.num(r, "delay_total_ms")),
            );
            let mut latency = t.series(
                rows,
                "protocol",
                |k| format!("{k} makespan"),
                x,
                |r| t.num(r, "makespan_ms"),
            );
            latency.extend(t.series(
                rows,
                "protocol",
                |k| format!("{k} mean arrival"),
                x,
                |r| t.num(r, "mean_arrival_ms"),
            ));
            line(
                "latency",
                "makespan and mean arrival",
                "ms (log10)",
                latency,
            );
        }
    } else if topologies.len() > 1 {
        let n = t.distinct(&all, "nodes");
        let at = n.iter().map(Key::to_string).collect::<Vec<_>>().join(", ");
        for (stem, title, col, y_label) in [
            ("msgs", "messages per broadcast", "msgs", "messages (log10)"),
            (
                "delay_total",
                "total link delay per broadcast",
                "delay_total_ms",
                "delay_total_ms, ms (log10)",
            ),
            (
                "makespan",
                "makespan",
                "makespan_ms",
                "makespan_ms, ms (log10)",
            ),
        ] {
            out.push(figure(
                format!("{exp}_{stem}"),
                Chart::Boxes(t.box_chart_by(
                    format!("{exp}: {title} per topology, n = {at}"),
                    "topology",
                    y_label,
                    true,
                    &topologies,
                    "protocol",
                    |r| t.num(r, col),
                )),
            ));
        }
    }
    if t.varies(&all, "block_rate_per_s") {
        for (topo, rows) in &topologies {
            for (n, rows) in t.split(rows, "nodes", |k| k.to_string()) {
                out.push(figure(
                    format!("{exp}_fork_{topo}_n{n}"),
                    Chart::Lines(LineChart {
                        title: format!("{exp}: fork probability (Eq. 2), {topo}, n = {n}"),
                        x_label: "blocks per second (log10)".into(),
                        y_label: "fork probability (log10)".into(),
                        log_x: true,
                        log_y: true,
                        series: t.series(&rows, "protocol", proto, "block_rate_per_s", |r| {
                            t.num(r, "fork_probability")
                        }),
                    }),
                ));
            }
        }
    }
}

/// `churn` plans, per topology: break-even broadcasts and the makespan penalty of the tree
/// against the churn rate (a line per n), and box plots of the maintenance messages per
/// operation beside the paper's repair by reconstruction.
pub fn churn(exp: &str, t: &Table, out: &mut Vec<Figure>) {
    let all: Vec<usize> = t.rows().collect();
    let n_label = |k: &Key| format!("n = {k}");
    for (topo, rows) in t.split(&all, "topology", |k| k.to_string()) {
        if t.varies(&rows, "churn_rate") {
            for (stem, title, col, y_label, log_y) in [
                (
                    "break_even",
                    "broadcasts until OPPI beats flooding",
                    "break_even_broadcasts",
                    "broadcasts (log10)",
                    true,
                ),
                (
                    "makespan_ratio",
                    "makespan of OPPI over flooding",
                    "makespan_ratio",
                    "makespan_oppi_ms / makespan_flood_ms",
                    false,
                ),
            ] {
                out.push(figure(
                    format!("{exp}_{stem}_{topo}"),
                    Chart::Lines(LineChart {
                        title: format!("{exp}: {title}, {topo}"),
                        x_label: "churn operations per broadcast".into(),
                        y_label: y_label.into(),
                        log_x: false,
                        log_y,
                        series: t.series(&rows, "nodes", n_label, "churn_rate", |r| t.num(r, col)),
                    }),
                ));
            }
        }
        // Categories are operations, each read from its own column; groups are network sizes.
        let ops = [
            ("link leave", "msgs_per_link_leave"),
            ("link join", "msgs_per_link_join"),
            ("node leave", "msgs_per_node_leave"),
            ("node join", "msgs_per_node_join"),
            ("link leave, rebuild", "rebuild_msgs_per_link_leave"),
            ("node leave, rebuild", "rebuild_msgs_per_node_leave"),
        ];
        let sizes = t.split(&rows, "nodes", n_label);
        let mut boxes = Vec::new();
        for (c, (_, col)) in ops.iter().enumerate() {
            for (g, (_, rs)) in sizes.iter().enumerate() {
                let v: Vec<f64> = rs.iter().map(|&r| t.num(r, col)).collect();
                if let Some(s) = Stats::of(&v) {
                    boxes.push((c, g, s));
                }
            }
        }
        let chart = BoxChart {
            title: format!("{exp}: maintenance messages per operation, {topo}"),
            x_label: "operation (rebuild: the paper's repair, re-running the construction)".into(),
            y_label: "messages per operation (log10)".into(),
            log_y: true,
            categories: ops.iter().map(|o| o.0.to_string()).collect(),
            groups: sizes.into_iter().map(|s| s.0).collect(),
            boxes,
        };
        out.push(figure(format!("{exp}_ops_{topo}"), Chart::Boxes(chart)));
    }
}

/// `incentive` plans: a Sybil's gain against the number of Sybil identities, a line per C,
/// per (case, path length); a relayer's gain stays below 1/C (`gain_limit`).
pub fn incentive(exp: &str, t: &Table, out: &mut Vec<Figure>) {
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
                    y_label: "sybil_total / node_share".into(),
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

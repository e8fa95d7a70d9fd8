//! Figures of MST maintenance under churn (the OPPI paper, Section 3.3), from a `churn` plan's rows.

use crate::model::propagation::figures::topology_label;
use crate::figure::chart::{BoxChart, Chart, LineChart, Stats};
use crate::figure::table::{Key, Table};
use crate::figure::{Figure, figure};

/// `churn` plans, per topology: break-even broadcasts and the makespan penalty of the tree
/// against the churn rate (a line per n), and box plots of the maintenance messages per
/// operation beside the paper's repair by reconstruction.
pub(super) fn churn(exp: &str, t: &Table, out: &mut Vec<Figure>) {
    let all: Vec<usize> = t.rows().collect();
    let n_label = |k: &Key| format!("n = {k}");
    for (topo, rows) in t.split(&all, "topology", |k| k.to_string()) {
        if t.varies(&rows, "churn_rate") {
            for (stem, title, col, log_y) in [
                (
                    "break_even",
                    "broadcasts until OPPI beats flooding",
                    "break_even_broadcasts",
                    true,
                ),
                (
                    "makespan_ratio",
                    "makespan of OPPI over flooding",
                    "makespan_ratio",
                    false,
                ),
            ] {
                let y_label = t.axis_label(col);
                let y_label = if log_y {
                    format!("{y_label} (log10)")
                } else {
                    y_label
                };
                out.push(figure(
                    format!("{exp}_{stem}_{topo}"),
                    Chart::Lines(LineChart {
                        title: format!("{exp}: {title}, {}", topology_label(&topo)),
                        x_label: "churn operations per broadcast".into(),
                        y_label,
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
            ("link leave (R)", "rebuild_msgs_per_link_leave"),
            ("node leave (R)", "rebuild_msgs_per_node_leave"),
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
            title: format!(
                "{exp}: maintenance messages per operation, {}",
                topology_label(&topo)
            ),
            x_label: "operation (R: the paper's repair, re-running the construction)".into(),
            y_label: "messages per operation (log10)".into(),
            log_y: true,
            categories: ops.iter().map(|o| o.0.to_string()).collect(),
            positions: None,
            groups: sizes.into_iter().map(|s| s.0).collect(),
            boxes,
        };
        out.push(figure(format!("{exp}_ops_{topo}"), Chart::Boxes(chart)));
    }
}

//! Figures of the OPPI paper (Figs. 7-16, the fork probability of Eqs. 1-2, and the latency figure
//! the paper lacks), from a `propagation` plan's rows.

use crate::figure::chart::{Chart, LineChart};
use crate::figure::table::{Key, Table};
use crate::figure::{Figure, figure};
use crate::model::propagation::{ProtocolKind, TopologyKind};
use crate::schema::param::Choice;

/// `propagation` plans.
///
/// - `nodes` varies: per topology, messages (Figs. 7-9), total link delay (Figs. 12-14) and
///   the makespan and mean arrival of every protocol, against n (log10 axes).
/// - else `k` varies: the same against k (Figs. 10, 15).
/// - else `topology` varies: box plots per topology and protocol of messages, total delay and
///   makespan over the replicates (Figs. 11, 16).
/// - `block_rate` varies: per topology and n, the fork probability against the block rate.
pub(super) fn propagation(exp: &str, t: &Table, out: &mut Vec<Figure>) {
    let all: Vec<usize> = t.rows().collect();
    let x = if t.varies(&all, "nodes") {
        Some(("nodes", "nodes n (log10)", true))
    } else if t.varies(&all, "k") {
        Some(("k", "links per node k", false))
    } else {
        None
    };
    let proto = |k: &Key| protocol_label(k);
    let topologies = t.split(&all, "topology", |k| k.to_string());
    if let Some((x, x_label, log_x)) = x {
        for (topo, rows) in &topologies {
            let mut line = |stem: &str, title: &str, y_label: &str, series| {
                out.push(figure(
                    format!("{exp}_{stem}_{topo}"),
                    Chart::Lines(LineChart {
                        title: format!("{exp}: {title}, {}", topology_label(topo)),
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
                &log(t, "msgs"),
                t.series(rows, "protocol", proto, x, |r| t.num(r, "msgs")),
            );
            line(
                "delay_total",
                "total link delay per broadcast",
                &log(t, "delay_total_ms"),
                t.series(rows, "protocol", proto, x, |r| t.num(r, "delay_total_ms")),
            );
            let mut latency = t.series(
                rows,
                "protocol",
                |k| format!("{} makespan", protocol_label(k)),
                x,
                |r| t.num(r, "makespan_ms"),
            );
            latency.extend(t.series(
                rows,
                "protocol",
                |k| format!("{} mean arrival", protocol_label(k)),
                x,
                |r| t.num(r, "mean_arrival_ms"),
            ));
            line(
                "latency",
                "makespan and mean arrival",
                "time to reach nodes, ms (log10)",
                latency,
            );
        }
    } else if topologies.len() > 1 {
        let n = t.distinct(&all, "nodes");
        let at = n.iter().map(Key::to_string).collect::<Vec<_>>().join(", ");
        for (stem, title, col) in [
            ("msgs", "messages per broadcast", "msgs"),
            (
                "delay_total",
                "total link delay per broadcast",
                "delay_total_ms",
            ),
            ("makespan", "makespan", "makespan_ms"),
        ] {
            out.push(figure(
                format!("{exp}_{stem}"),
                Chart::Boxes(t.box_chart_by(
                    format!("{exp}: {title} per topology, n = {at}"),
                    "topology",
                    &log(t, col),
                    true,
                    &topologies
                        .iter()
                        .map(|(name, rows)| (topology_label(name), rows.clone()))
                        .collect::<Vec<_>>(),
                    "protocol",
                    protocol_label,
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
                        title: format!(
                            "{exp}: fork probability (Eq. 2), {}, n = {n}",
                            topology_label(topo)
                        ),
                        x_label: "blocks per second (log10)".into(),
                        y_label: log(t, "fork_probability"),
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

/// A topology's name in figures (the `topology` column holds its spec name).
pub(crate) fn topology_label(name: &str) -> String {
    TopologyKind::from_name(name).map_or(name.to_string(), |t| t.label().to_string())
}

/// Column `col`'s axis title on a log10 axis.
fn log(t: &Table, col: &str) -> String {
    format!("{} (log10)", t.axis_label(col))
}

/// A protocol's name in figures (the `protocol` column holds its spec name).
fn protocol_label(k: &Key) -> String {
    let name = k.to_string();
    ProtocolKind::from_name(&name).map_or(name, |p| p.label().to_string())
}

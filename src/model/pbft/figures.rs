//! Figures of the `pbft` family, and the chain metrics the PBFT-based families draw.

use crate::figure::chart::{Chart, LineChart};
use crate::figure::table::{Key, Table};
use crate::figure::{Figure, figure};

/// The chain metrics both PBFT-based catalogues draw: (file stem, title, column); the y axis
/// is the column's label and unit from the registry.
pub(crate) const CHAIN_METRICS: [(&str, &str, &str); 3] = [
    ("latency", "transaction latency", "latency_sbs_s"),
    ("throughput", "throughput", "throughput_sbs_tps"),
    ("block_time", "mean time between blocks", "block_time_mean_s"),
];

/// `pbft` plans: box plots over the replicates of latency, throughput and block time per
/// setting (case or swept value); when `byzantine_nodes` varies, lines against it instead
/// ([`byzantine`]); when cases are compared over `nodes`, lines against it too
/// ([`against_nodes`]).
pub(super) fn pbft(exp: &str, t: &Table, out: &mut Vec<Figure>) {
    let all: Vec<usize> = t.rows().collect();
    if t.varies(&all, "byzantine_nodes") {
        byzantine(exp, t, &all, out);
        return;
    }
    if t.varies(&all, "case") && t.varies(&all, "nodes") {
        against_nodes(exp, t, &all, out);
    }
    if all.iter().any(|&r| !t.list_num(r, "ts_end_s").is_empty()) {
        over_time(exp, t, &all, out);
    }
    for facet in t.facets() {
        for &(stem, title, col) in &CHAIN_METRICS {
            let y = |r: usize| vec![t.num(r, col)];
            out.push(figure(
                format!("{exp}_{stem}{}", facet.suffix()),
                Chart::Boxes(t.box_chart(
                    format!("{exp}: {title} over replicates{}", facet.title()),
                    &facet,
                    &t.axis_label(col),
                    false,
                    &[("", &y)],
                )
                .log_when_spread()),
            ));
        }
    }
}

/// Byzantine sweeps, per case: the share of runs in which two honest validators committed
/// different blocks, blocks committed, round changes, the longest time without a block and
/// the mean transaction latency, against the number of Byzantine validators, a line per
/// behaviour (means over the replicates, with their spread).
fn byzantine(exp: &str, t: &Table, all: &[usize], out: &mut Vec<Figure>) {
    // (file stem, column); `safety_violations` is drawn as the share of unsafe runs.
    const METRICS: [(&str, &str); 5] = [
        ("unsafe", "safety_violations"),
        ("blocks", "blocks"),
        ("round_changes", "round_changes"),
        ("commit_gap", "commit_gap_max_s"),
        ("latency", "latency_tx_mean_s"),
    ];
    for (case, rows) in t.split(all, "case", |k| k.to_string()) {
        let suffix = if t.varies(all, "case") {
            format!("_{case}")
        } else {
            String::new()
        };
        for (stem, col) in METRICS {
            let unsafe_share = col == "safety_violations";
            let y_label = if unsafe_share {
                "share of runs with a safety violation".to_string()
            } else {
                t.axis_label(col)
            };
            let y = |r: usize| {
                let v = t.num(r, col);
                if unsafe_share {
                    f64::from(u8::from(v > 0.0))
                } else {
                    v
                }
            };
            out.push(figure(
                format!("{exp}_byzantine_{stem}{suffix}"),
                Chart::Lines(LineChart {
                    title: format!("{exp}: {y_label}, case {case}"),
                    x_label: "Byzantine validators".into(),
                    y_label: y_label.clone(),
                    log_x: false,
                    log_y: false,
                    series: t.series(&rows, "byzantine_behaviour", |k: &Key| k.to_string(), "byzantine_nodes", y),
                }),
            ));
        }
    }
}

/// Cases compared over the number of validators (`consensus_compare`: a case per protocol):
/// throughput, mean transaction latency and bytes sent against `nodes` (log10), a line per
/// case (means over the replicates, with their spread); one chart per value of each other
/// parameter swept within the cases (`_<column>_<value>` in the file name).
fn against_nodes(exp: &str, t: &Table, all: &[usize], out: &mut Vec<Figure>) {
    // (file stem, column, log10 y)
    const METRICS: [(&str, &str, bool); 3] = [
        ("throughput_vs_nodes", "throughput_span_tps", false),
        ("latency_vs_nodes", "latency_tx_mean_s", true),
        ("bytes_vs_nodes", "bytes_sent_mb", true),
    ];
    // (file-stem suffix, title suffix, rows) per combination of the other swept values.
    let mut groups = vec![(String::new(), String::new(), all.to_vec())];
    let cases = t.split(all, "case", |k| k.to_string());
    for col in t.swept() {
        // Only what varies within a case (the cases' own settings are the lines).
        if col == "nodes" || !cases.iter().any(|(_, rows)| t.varies(rows, col)) {
            continue;
        }
        groups = groups
            .into_iter()
            .flat_map(|(stem, title, rows)| {
                t.split(&rows, col, |k| k.to_string())
                    .into_iter()
                    .map(|(v, rows)| {
                        let setting = t.setting(col, &t.key(rows[0], col));
                        (format!("{stem}_{col}_{v}"), format!("{title}, {setting}"), rows)
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
    }
    for (suffix, setting, rows) in &groups {
        for (stem, col, log_y) in METRICS {
            let y_label = t.axis_label(col);
            out.push(figure(
                format!("{exp}_{stem}{suffix}"),
                Chart::Lines(LineChart {
                    title: format!("{exp}: {y_label}, a line per case{setting}"),
                    x_label: t.axis_label("nodes"),
                    y_label,
                    log_x: true,
                    log_y,
                    series: t.series(rows, "case", |k: &Key| k.to_string(), "nodes", |r| {
                        t.num(r, col)
                    }),
                }),
            ));
        }
    }
}

/// Runs with a time series (`series_window` set): throughput, mean latency, block time and
/// waiting transactions against time, a line per case and value of each swept parameter
/// (each point the replicates' summary in that window; lines through the means).
fn over_time(exp: &str, t: &Table, all: &[usize], out: &mut Vec<Figure>) {
    // (file stem, column, log10 y)
    const METRICS: [(&str, &str, bool); 4] = [
        ("throughput_over_time", "ts_throughput_tps", false),
        ("latency_over_time", "ts_latency_mean_s", true),
        ("block_time_over_time", "ts_block_time_mean_s", true),
        ("pool_over_time", "ts_pool_txs", false),
    ];
    // A line per setting: the case, then each swept value, in plan order.
    let mut lines = vec![(String::new(), all.to_vec())];
    let cases = t.split(all, "case", |k| k.to_string());
    for col in std::iter::once("case").chain(t.swept().into_iter().filter(|c| *c != "case")) {
        // A case's own settings are its line; a swept value splits it.
        let within_cases = cases.iter().any(|(_, rows)| t.varies(rows, col));
        if !t.varies(all, col) || (col != "case" && !within_cases) {
            continue;
        }
        lines = lines
            .into_iter()
            .flat_map(|(label, rows)| {
                t.split(&rows, col, |k| k.to_string())
                    .into_iter()
                    .map(|(v, rows)| {
                        let part = if col == "case" {
                            v
                        } else {
                            t.setting(col, &t.key(rows[0], col))
                        };
                        let label = if label.is_empty() {
                            part
                        } else {
                            format!("{label}, {part}")
                        };
                        (label, rows)
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
    }
    for (stem, col, log_y) in METRICS {
        let y_label = t.axis_label(col);
        out.push(figure(
            format!("{exp}_{stem}"),
            Chart::Lines(LineChart {
                title: format!("{exp}: each window over the replicates"),
                x_label: "time (end of window), s".into(),
                y_label,
                log_x: false,
                log_y,
                series: lines
                    .iter()
                    .filter_map(|(label, rows)| t.list_line(rows, label, "ts_end_s", col))
                    .collect(),
            }),
        ));
    }
}

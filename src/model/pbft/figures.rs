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
/// ([`byzantine`]).
pub(super) fn pbft(exp: &str, t: &Table, out: &mut Vec<Figure>) {
    let all: Vec<usize> = t.rows().collect();
    if t.varies(&all, "byzantine_nodes") {
        byzantine(exp, t, &all, out);
        return;
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

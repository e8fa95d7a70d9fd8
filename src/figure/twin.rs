//! Figures of the PBFT model and of the twin state-extraction paper:
//! Fig. 5b / Fig. 6 (the original
//! system against the reconstructed model, per number of missing state messages M), the
//! bandwidth estimate of the missing nodes, and Algorithm 2's ordering against arrival order.

use super::chart::{Chart, LineChart};
use super::table::{Group, Table};
use super::{Figure, figure};

/// The chain metrics both PBFT-based catalogues draw: (file stem, title, column, y axis).
const CHAIN_METRICS: [(&str, &str, &str, &str); 3] = [
    (
        "latency",
        "transaction latency",
        "latency_sbs_s",
        "latency_sbs_s, s",
    ),
    (
        "throughput",
        "throughput",
        "throughput_sbs_tps",
        "throughput_sbs_tps, tx/s",
    ),
    (
        "block_time",
        "mean time between blocks",
        "block_time_mean_s",
        "block_time_mean_s, s",
    ),
];

/// `pbft` plans: box plots over the replicates of latency, throughput and block time per
/// setting (case or swept value).
pub fn pbft(exp: &str, t: &Table, out: &mut Vec<Figure>) {
    for facet in t.facets() {
        for &(stem, title, col, y_label) in &CHAIN_METRICS {
            let y = |r: usize| vec![t.num(r, col)];
            out.push(figure(
                format!("{exp}_{stem}{}", facet.suffix()),
                Chart::Boxes(t.box_chart(
                    format!("{exp}: {title} over replicates{}", facet.title()),
                    &facet.x_label,
                    y_label,
                    false,
                    &facet.categories,
                    &[(col, &y)],
                )),
            ));
        }
    }
}

/// `twin` plans: per setting (M when it varies), the original system's metric beside the
/// re-simulated model's (Fig. 5b's table, Fig. 6's boxes), and the relative error of the
/// missing nodes' estimated bandwidth (negative: under-estimated, the cap the paper names).
pub fn twin(exp: &str, t: &Table, out: &mut Vec<Figure>) {
    for facet in t.facets() {
        let x_label = if facet.x_label == "missing" {
            "missing state messages M".to_string()
        } else {
            facet.x_label.clone()
        };
        let gini = ("gini", "decentralisation (Gini)", "gini_sbs", "gini_sbs");
        for &(stem, title, metric, y_label) in CHAIN_METRICS.iter().chain([&gini]) {
            let (orig, model) = (format!("orig_{metric}"), format!("model_{metric}"));
            let o = |r: usize| vec![t.num(r, &orig)];
            let m = |r: usize| vec![t.num(r, &model)];
            let groups: [Group; 2] = [("original system", &o), ("reconstructed model", &m)];
            out.push(figure(
                format!("{exp}_{stem}{}", facet.suffix()),
                Chart::Boxes(t.box_chart(
                    format!(
                        "{exp}: {title}, original against reconstruction{}",
                        facet.title()
                    ),
                    &x_label,
                    y_label,
                    false,
                    &facet.categories,
                    &groups,
                )),
            ));
        }
        let e = |r: usize| vec![t.num(r, "missing_bw_err_rel")];
        out.push(figure(
            format!("{exp}_bw_error{}", facet.suffix()),
            Chart::Boxes(t.box_chart(
                format!(
                    "{exp}: bandwidth estimate of the missing nodes{}",
                    facet.title()
                ),
                &x_label,
                "missing_bw_err_rel (estimate - true) / true",
                false,
                &facet.categories,
                &[("mean relative error per run", &e)],
            )),
        ));
    }
}

/// `twin_sync` plans: per (emit, peer_entries), the regression rate and staleness of
/// arrival-order updates against Algorithm 2's block-height order, against the mean delay.
pub fn twin_sync(exp: &str, t: &Table, out: &mut Vec<Figure>) {
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

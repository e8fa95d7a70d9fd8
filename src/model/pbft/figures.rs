//! Figures of the `pbft` family, and the chain metrics the PBFT-based families draw.

use crate::figure::chart::Chart;
use crate::figure::table::Table;
use crate::figure::{Figure, figure};

/// The chain metrics both PBFT-based catalogues draw: (file stem, title, column); the y axis
/// is the column's label and unit from the registry.
pub(crate) const CHAIN_METRICS: [(&str, &str, &str); 3] = [
    ("latency", "transaction latency", "latency_sbs_s"),
    ("throughput", "throughput", "throughput_sbs_tps"),
    ("block_time", "mean time between blocks", "block_time_mean_s"),
];

/// `pbft` plans: box plots over the replicates of latency, throughput and block time per
/// setting (case or swept value).
pub(super) fn pbft(exp: &str, t: &Table, out: &mut Vec<Figure>) {
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

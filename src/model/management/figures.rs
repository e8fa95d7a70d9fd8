//! Figures of the decentralised-management paper: Fig. 4 (agreement, propagation and update
//! delay per configuration block, as seen by the fastest 2f+1 primary nodes) and Fig. 5
//! (inter-block time of switch blocks against normal blocks), per setting of the plan.

use crate::figure::chart::Chart;
use crate::figure::table::{Group, Table};
use crate::figure::{Figure, figure};

/// `management` plans. Fig. 4's boxes pool every configuration block of every replicate (the
/// `cb_*` list columns). Fig. 5's boxes are over replicates of each run's median and 95th
/// percentile inter-block time, switch blocks beside normal blocks: the engine keeps those
/// summaries per run, not every inter-block time.
pub(super) fn management(exp: &str, t: &Table, out: &mut Vec<Figure>) {
    for facet in t.facets() {
        let list = |col: &'static str| move |r: usize| t.list(r, col).to_vec();
        let (a, p, u) = (
            list("cb_agreement_s"),
            list("cb_propagation_s"),
            list("cb_update_s"),
        );
        let delays: [Group; 3] = [("agreement", &a), ("propagation", &p), ("update", &u)];
        out.push(figure(
            format!("{exp}_delays{}", facet.suffix()),
            Chart::Boxes(t.box_chart(
                format!(
                    "{exp}: management delays per configuration block (Fig. 4){}",
                    facet.title()
                ),
                &facet,
                "seconds (log10)",
                true,
                &delays,
            )),
        ));
        let one = |col: &'static str| move |r: usize| vec![t.num(r, col)];
        let (sm, nm, sp, np) = (
            one("block_time_switch_median_s"),
            one("block_time_normal_median_s"),
            one("block_time_switch_p95_s"),
            one("block_time_normal_p95_s"),
        );
        let blocks: [Group; 4] = [
            ("switch blocks, median", &sm),
            ("normal blocks, median", &nm),
            ("switch blocks, 95th percentile", &sp),
            ("normal blocks, 95th percentile", &np),
        ];
        out.push(figure(
            format!("{exp}_switch{}", facet.suffix()),
            Chart::Boxes(t.box_chart(
                format!(
                    "{exp}: inter-block time, switch vs normal blocks (Fig. 5){}",
                    facet.title()
                ),
                &facet,
                "seconds per run (log10)",
                true,
                &blocks,
            )),
        ));
    }
}

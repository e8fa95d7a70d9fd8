//! Figures of the twin state-extraction paper: Fig. 5b / Fig. 6 (the original system against
//! the reconstructed model, per number of missing state messages M) and the bandwidth estimate
//! of the missing nodes.

use crate::figure::chart::Chart;
use crate::figure::table::{Group, Table};
use crate::figure::{Figure, figure};
use crate::model::pbft::figures::CHAIN_METRICS;

/// `twin` plans: per setting (M when it varies), the original system's metric beside the
/// re-simulated model's (Fig. 5b's table, Fig. 6's boxes), and the relative error of the
/// missing nodes' estimated bandwidth (negative: under-estimated, the cap the paper names).
pub(super) fn twin(exp: &str, t: &Table, out: &mut Vec<Figure>) {
    for mut facet in t.facets() {
        if facet.x_label == "missing" {
            facet.x_label = "missing state messages M".into();
        }
        let gini = ("gini", "decentralisation (Gini)", "gini_sbs");
        for &(stem, title, metric) in CHAIN_METRICS.iter().chain([&gini]) {
            let (orig, model) = (format!("orig_{metric}"), format!("model_{metric}"));
            // The registry's label of the original's column, less its "original: " prefix.
            let y_label = t.axis_label(&orig).replacen("original: ", "", 1);
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
                    &facet,
                    &y_label,
                    false,
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
                &facet,
                &format!(
                    "{}: (estimate - true) / true",
                    t.axis_label("missing_bw_err_rel")
                ),
                false,
                &[("mean relative error per run", &e)],
            )),
        ));
    }
}

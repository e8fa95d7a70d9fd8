//! `chainlab gallery`: regenerates the README's gallery. The gallery is the list of figures
//! the README shows (`![](results/figures/<stem>.png)`); each is drawn from the latest
//! full-profile plan of its experiment (the longest experiment name the stem starts with) into
//! `results/figures/`, and every other figure file there is removed, so nothing is left over.

use super::Failure;
use crate::figure::chart::{self, Format};
use crate::figure::table::Table;
use crate::output;
use crate::runner::status::find_plans;
use clap::Args;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub(super) struct GalleryArgs {
    /// The README whose `![](results/figures/<stem>.png)` images are the gallery.
    #[arg(long, default_value = "README.md")]
    readme: PathBuf,
    /// The results root the experiments ran into.
    #[arg(long, default_value = "results")]
    results: PathBuf,
    /// Where the gallery lives.
    #[arg(long, default_value = "results/figures")]
    out: PathBuf,
    /// Draw from the quick profiles' plans instead of the full ones (for a look, or a test).
    #[arg(long)]
    quick: bool,
    /// Figure size: column, page or screen (see `chainlab plot --help`).
    #[arg(long, value_enum, default_value = "column")]
    size: crate::figure::Size,
}

impl GalleryArgs {
    /// The defaults, drawing from `results` (its quick plans if `quick`).
    pub(super) fn for_results(results: &Path, quick: bool) -> GalleryArgs {
        GalleryArgs {
            readme: PathBuf::from("README.md"),
            results: results.to_path_buf(),
            out: results.join("figures"),
            quick,
            size: crate::figure::Size::Column,
        }
    }
}

/// The gallery's figure stems, in the order the README shows them.
fn stems(readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    let tag = "](results/figures/";
    let mut rest = readme;
    while let Some(i) = rest.find(tag) {
        rest = &rest[i + tag.len()..];
        if let Some(end) = rest.find(".png)") {
            let stem = &rest[..end];
            if !stem.is_empty()
                && stem
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                && !out.iter().any(|s| s == stem)
            {
                out.push(stem.to_string());
            }
        }
    }
    out
}

/// The latest plan (by its manifest's start) of `experiment` under `results` whose profile is
/// quick or full as asked.
pub(super) fn latest_plan(
    results: &Path,
    experiment: &str,
    quick: bool,
) -> Result<Option<PathBuf>, Failure> {
    let dir = results.join(experiment);
    if !dir.is_dir() {
        return Ok(None);
    }
    let mut best: Option<(u64, PathBuf)> = None;
    for plan in find_plans(&dir)? {
        // A plan whose manifest cannot be read is not a candidate.
        let Ok(m) = super::plot::read_manifest(&plan) else {
            continue;
        };
        if m.quick != Some(quick) {
            continue;
        }
        if best.as_ref().is_none_or(|(b, _)| m.started_unix_ms > *b) {
            best = Some((m.started_unix_ms, plan));
        }
    }
    Ok(best.map(|(_, p)| p))
}

pub(super) fn gallery(a: &GalleryArgs) -> Result<(), Failure> {
    let readme = std::fs::read_to_string(&a.readme)
        .map_err(|e| Failure::Usage(format!("{}: {e}", a.readme.display())))?;
    let size = a.size;
    let stems = stems(&readme);
    if stems.is_empty() {
        return Err(Failure::Usage(format!(
            "{}: no gallery images (![](results/figures/<stem>.png))",
            a.readme.display()
        )));
    }
    // Each stem's experiment: the longest experiment under --results whose name prefixes it.
    let experiments: Vec<String> = std::fs::read_dir(&a.results)
        .map_err(|e| Failure::Usage(format!("{}: {e}", a.results.display())))?
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let mut by_experiment: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for stem in &stems {
        let e = experiments
            .iter()
            .filter(|e| stem.starts_with(&format!("{e}_")))
            .max_by_key(|e| e.len())
            .ok_or_else(|| {
                Failure::Usage(format!(
                    "{stem}: no experiment under {} draws it; run the experiment whose name it starts with",
                    a.results.display()
                ))
            })?;
        by_experiment
            .entry(e.clone())
            .or_default()
            .push(stem.clone());
    }
    std::fs::create_dir_all(&a.out).map_err(output::io(&a.out))?;
    let profile = if a.quick { "quick" } else { "full" };
    for (experiment, wanted) in &by_experiment {
        let plan = latest_plan(&a.results, experiment, a.quick)?.ok_or_else(|| {
            Failure::Usage(format!(
                "{experiment}: no {profile}-profile plan under {}; run `chainlab run experiments/{experiment}.toml{}` first",
                a.results.display(),
                if a.quick { " --quick" } else { "" }
            ))
        })?;
        let read = super::plot::read_plan(&plan).map_err(|e| Failure::Usage(e.to_string()))?;
        if let Some(why) = read.damaged {
            return Err(Failure::Usage(format!("{}: {why}", plan.display())));
        }
        let table = Table::read(&plan, &read.model.columns(), read.model.params())
            .map_err(|e| Failure::Usage(e.to_string()))?;
        let figures = read.model.figures_of(&read.experiment, &table);
        for stem in wanted {
            let f = figures.iter().find(|f| &f.stem == stem).ok_or_else(|| {
                Failure::Usage(format!(
                    "{stem}: {} draws no figure of that name (it draws {})",
                    plan.display(),
                    figures
                        .iter()
                        .map(|f| f.stem.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            let bytes = chart::render(&f.chart, Format::Png, size)
                .map_err(|m| Failure::Usage(format!("{stem}: {m}")))?;
            let path = a.out.join(format!("{stem}.png"));
            output::write_atomic(&path, bytes)?;
            outln!("figure: {} (from {})", path.display(), plan.display());
        }
    }
    // Nothing left over: figure files the gallery does not list are removed.
    let mut removed = Vec::new();
    for entry in std::fs::read_dir(&a.out)
        .map_err(output::io(&a.out))?
        .flatten()
    {
        let p = entry.path();
        let is_figure = p
            .extension()
            .is_some_and(|e| e == "png" || e == "svg" || e == "csv");
        let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned());
        let listed = p.extension().is_some_and(|e| e == "png")
            && stem.as_ref().is_some_and(|s| stems.contains(s));
        if is_figure && !listed {
            std::fs::remove_file(&p).map_err(output::io(&p))?;
            removed.push(p);
        }
    }
    removed.sort();
    for p in &removed {
        outln!("removed: {} (not in the gallery)", p.display());
    }
    outln!(
        "gallery: {} figures from {} experiments into {}",
        stems.len(),
        by_experiment.len(),
        a.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::stems;

    #[test]
    fn the_gallery_is_the_readmes_images() {
        let readme = "| ![](results/figures/a_b.png) `a_b` | x |\n![](results/figures/c.png)\n![](results/figures/a_b.png) ![](other/d.png) ![](results/figures/../e.png)";
        assert_eq!(stems(readme), ["a_b", "c"]);
    }
}

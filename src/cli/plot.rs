//! `chainlab plot` (and `run --plot`): finds the plans of a results directory, skips those
//! with a damaged part, asks each plan's model family for its figures and writes them.

use super::Failure;
use crate::figure::table::Table;
use crate::figure::{self, Drawn, Figure, FigureError, Format, Size};
use crate::model::Model;
use crate::runner::status::find_plans;
use std::path::{Path, PathBuf};

/// Draws the figures of every plan under `root`, in each of `formats` at `size`: each plan's into its
/// own `<plan dir>/figures/` when `out` is `None`, else all into `out` (created if needed) as
/// long as no two plans would write the same file (two plans of one experiment, such as its
/// quick and full profiles, draw figures of the same names: that is an error, never an
/// overwrite). A plan with a part that fails verification is skipped with the reason.
pub fn draw(
    root: &Path,
    out: Option<&Path>,
    formats: &[Format],
    size: Size,
) -> Result<Drawn, FigureError> {
    if !root.is_dir() {
        return Err(FigureError::NoResults(root.to_path_buf()));
    }
    let plans = find_plans(root)?;
    if plans.is_empty() {
        return Err(FigureError::NoResults(root.to_path_buf()));
    }
    let mut drawn = Drawn::default();
    // Each figure with the directory it goes to and the plan it comes from.
    let mut figures: Vec<(Figure, PathBuf, PathBuf)> = Vec::new();
    for plan in plans {
        let ReadPlan {
            model,
            experiment,
            damaged,
        } = read_plan(&plan)?;
        if let Some(why) = damaged {
            drawn.skipped.push((plan.clone(), why));
            continue;
        }
        let table = Table::read(&plan, &model.columns(), model.params())?;
        if table.is_empty() {
            drawn
                .skipped
                .push((plan.clone(), "no successful runs yet".into()));
            continue;
        }
        let these = model.figures_of(&experiment, &table);
        let dir = out.map_or_else(|| plan.join("figures"), Path::to_path_buf);
        for f in &these {
            if let Some((_, _, other)) = figures
                .iter()
                .find(|(g, d, _)| g.stem == f.stem && *d == dir)
            {
                return Err(FigureError::Clash {
                    stem: f.stem.clone(),
                    first: other.clone(),
                    second: plan.clone(),
                });
            }
        }
        let none = these.is_empty();
        figures.extend(these.into_iter().map(|f| (f, dir.clone(), plan.clone())));
        if none {
            drawn.skipped.push((
                plan.clone(),
                format!(
                    "{experiment}: no figure fits this sweep ({})",
                    table.swept().join(", ")
                ),
            ));
        }
    }
    for (f, dir, _) in figures {
        figure::write(&f, &dir, formats, size, &mut drawn)?;
    }
    Ok(drawn)
}

pub(super) fn plot(
    results: &Path,
    out: Option<&Path>,
    format: &str,
    size: Size,
) -> Result<(), Failure> {
    let formats = Format::parse_list(format).map_err(Failure::Usage)?;
    plot_figures(results, out, &formats, size)
}

pub(super) fn plot_figures(
    results: &Path,
    out: Option<&Path>,
    formats: &[Format],
    size: Size,
) -> Result<(), Failure> {
    let drawn = draw(results, out, formats, size).map_err(|e| match e {
        FigureError::Output(o) => Failure::Output(o),
        FigureError::NoResults(_) => Failure::Usage(e.to_string()),
        other => Failure::Usage(other.to_string()),
    })?;
    for f in &drawn.files {
        let what = if f.extension().is_some_and(|e| e == "csv") {
            "table"
        } else {
            "figure"
        };
        outln!("{what}: {}", f.display());
    }
    for (dir, why) in &drawn.skipped {
        eprintln!("skipped {}: {why}", dir.display());
    }
    Ok(())
}

/// What a plan directory's manifest says of it.
pub(super) struct Manifest {
    /// Its model family.
    pub(super) model: Model,
    /// Its experiment's name.
    pub(super) experiment: String,
    /// Whether it is a quick-profile plan (`None` when the manifest does not say).
    pub(super) quick: Option<bool>,
    /// When its run started (ms since the Unix epoch; 0 when unrecorded).
    pub(super) started_unix_ms: u64,
}

/// What a plan directory says of itself, and whether it can be read.
pub(super) struct ReadPlan {
    /// Its model family.
    pub(super) model: Model,
    /// Its experiment's name.
    pub(super) experiment: String,
    /// Why it cannot be read, if a part fails verification.
    pub(super) damaged: Option<String>,
}

/// The manifest of plan directory `plan` (nothing is verified).
pub(super) fn read_manifest(plan: &Path) -> Result<Manifest, FigureError> {
    let manifest = plan.join("manifest.json");
    let text = std::fs::read_to_string(&manifest).map_err(crate::output::io(&manifest))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| FigureError::Manifest {
            path: manifest.clone(),
            message: e.to_string(),
        })?;
    let field = |k: &str| json[k].as_str().unwrap_or_default().to_string();
    let model_name = field("model");
    let Some(model) = Model::from_name(&model_name) else {
        return Err(FigureError::Manifest {
            path: manifest,
            message: format!("unknown model `{model_name}`"),
        });
    };
    let experiment = match field("experiment") {
        e if e.is_empty() => plan
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        e => e,
    };
    Ok(Manifest {
        model,
        experiment,
        quick: json["quick"].as_bool(),
        started_unix_ms: json["started_unix_ms"].as_u64().unwrap_or(0),
    })
}

/// The model and experiment of plan directory `plan` (from its manifest), and whether a part
/// fails verification.
pub(super) fn read_plan(plan: &Path) -> Result<ReadPlan, FigureError> {
    let st = crate::runner::status::plan_status(plan, None)?;
    let damaged = st.parts.iter().find_map(|p| match &p.state {
        crate::runner::status::PartState::Damaged(why) => Some(format!(
            "part {} fails verification ({why}); run the experiment again to repair it",
            p.index
        )),
        _ => None,
    });
    let Manifest {
        model, experiment, ..
    } = read_manifest(plan)?;
    Ok(ReadPlan {
        model,
        experiment,
        damaged,
    })
}

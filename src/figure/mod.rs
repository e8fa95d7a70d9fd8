//! Figures from a results directory (`chainlab plot`, `chainlab run --plot`): the papers'
//! figures, redrawn from the Parquet rows with plotters, as PNG and/or SVG. This layer reads
//! and writes files; the simulation core knows nothing of it.
//!
//! - [`chart`]: what a figure is (line chart with min-max whiskers over replicates, grouped
//!   box plots) and its rendering, with an embedded font.
//! - [`table`]: a plan's successful rows, by column name.
//! - [`oppi`], [`twin`], [`management`]: the figure catalogue of each paper's models, from a
//!   table to named charts. Every model has figures; a plan whose sweep a catalogue does not
//!   recognise is listed as skipped, with the reason.
//!
//! A figure file is `<experiment>_<figure>[_<subset>].<png|svg>`; identical results give
//! identical files, and every file is written to a temporary name, then renamed.

pub mod chart;
pub mod management;
pub mod oppi;
pub mod table;
pub mod twin;

use crate::model::Model;
use crate::output::OutputError;
use crate::runner::status::find_plans;
pub use chart::{Chart, Format};
use std::path::{Path, PathBuf};
use table::Table;

/// Why figures could not be drawn.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FigureError {
    /// Reading results failed.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The directory holds no chainlab results.
    #[error("{0}: no chainlab results here (no manifest.json below it)")]
    NoResults(PathBuf),
    /// A manifest could not be understood.
    #[error("{path}: {message}")]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Two plans would write a figure of the same name into one directory.
    #[error(
        "{first} and {second} would both draw `{stem}` into the --out directory; plot one plan directory (RESULTS/<experiment>/plan=<hash>), or leave out --out to draw each plan into its own <plan dir>/figures"
    )]
    Clash {
        /// The figure.
        stem: String,
        /// The first plan.
        first: PathBuf,
        /// The second plan.
        second: PathBuf,
    },
    /// Drawing failed.
    #[error("{path}: {message}")]
    Draw {
        /// The figure.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// One figure of a catalogue: its file stem (without extension) and what it shows.
#[derive(Clone, Debug)]
pub struct Figure {
    /// `<experiment>_<figure>[_<subset>]`.
    pub stem: String,
    /// The chart.
    pub chart: Chart,
}

/// A figure named `stem`.
pub fn figure(stem: String, chart: Chart) -> Figure {
    Figure { stem, chart }
}

/// What `draw` did.
#[derive(Debug, Default)]
pub struct Drawn {
    /// The figures written, in order.
    pub files: Vec<PathBuf>,
    /// Plan directories (or figures) not drawn, with the reason.
    pub skipped: Vec<(PathBuf, String)>,
}

/// Draws the figures of every plan under `root`, in each of `formats`: each plan's into its
/// own `<plan dir>/figures/` when `out` is `None`, else all into `out` (created if needed) as
/// long as no two plans would write the same file (two plans of one experiment, such as its
/// quick and full profiles, draw figures of the same names: that is an error, never an
/// overwrite). A plan with a part that fails verification is skipped with the reason.
pub fn draw(root: &Path, out: Option<&Path>, formats: &[Format]) -> Result<Drawn, FigureError> {
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
        let st = crate::runner::status::plan_status(&plan, None)?;
        if let Some(p) = st
            .parts
            .iter()
            .find(|p| matches!(p.state, crate::runner::status::PartState::Damaged(_)))
        {
            let crate::runner::status::PartState::Damaged(why) = &p.state else {
                unreachable!("matched above")
            };
            drawn.skipped.push((
                plan.clone(),
                format!(
                    "part {} fails verification ({why}); run the experiment again to repair it",
                    p.index
                ),
            ));
            continue;
        }
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
        let table = Table::read(&plan, model)?;
        if table.is_empty() {
            drawn
                .skipped
                .push((plan.clone(), "no successful runs yet".into()));
            continue;
        }
        let experiment = match field("experiment") {
            e if e.is_empty() => plan
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            e => e,
        };
        let mut these = Vec::new();
        match model {
            Model::Propagation => oppi::propagation(&experiment, &table, &mut these),
            Model::Churn => oppi::churn(&experiment, &table, &mut these),
            Model::Incentive => oppi::incentive(&experiment, &table, &mut these),
            Model::Pbft => twin::pbft(&experiment, &table, &mut these),
            Model::Twin => twin::twin(&experiment, &table, &mut these),
            Model::TwinSync => twin::twin_sync(&experiment, &table, &mut these),
            Model::Management => management::management(&experiment, &table, &mut these),
        }
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
        std::fs::create_dir_all(&dir).map_err(crate::output::io(&dir))?;
        for &format in formats {
            let path = dir.join(format!("{}.{}", f.stem, format.ext()));
            match chart::render(&f.chart, format) {
                Ok(bytes) => {
                    crate::output::write_atomic(&path, bytes)?;
                    drawn.files.push(path);
                }
                // A chart with nothing to show (all values missing) is skipped, not fatal.
                Err(message) if message.starts_with("nothing to draw") => {
                    drawn.skipped.push((path, message));
                }
                Err(message) => return Err(FigureError::Draw { path, message }),
            }
        }
    }
    Ok(drawn)
}

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

/// Draws the figures of every plan under `root` into `out` (created if needed), in each of
/// `formats`.
pub fn draw(root: &Path, out: &Path, formats: &[Format]) -> Result<Drawn, FigureError> {
    if !root.is_dir() {
        return Err(FigureError::NoResults(root.to_path_buf()));
    }
    let plans = find_plans(root)?;
    if plans.is_empty() {
        return Err(FigureError::NoResults(root.to_path_buf()));
    }
    let mut drawn = Drawn::default();
    let mut figures = Vec::new();
    for plan in plans {
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
        let before = figures.len();
        match model {
            Model::Propagation => oppi::propagation(&experiment, &table, &mut figures),
            Model::Churn => oppi::churn(&experiment, &table, &mut figures),
            Model::Incentive => oppi::incentive(&experiment, &table, &mut figures),
            Model::Pbft => twin::pbft(&experiment, &table, &mut figures),
            Model::Twin => twin::twin(&experiment, &table, &mut figures),
            Model::TwinSync => twin::twin_sync(&experiment, &table, &mut figures),
            Model::Management => management::management(&experiment, &table, &mut figures),
        }
        if figures.len() == before {
            drawn.skipped.push((
                plan.clone(),
                format!(
                    "{experiment}: no figure fits this sweep ({})",
                    table.swept().join(", ")
                ),
            ));
        }
    }
    std::fs::create_dir_all(out).map_err(crate::output::io(out))?;
    for f in figures {
        for &format in formats {
            let path = out.join(format!("{}.{}", f.stem, format.ext()));
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

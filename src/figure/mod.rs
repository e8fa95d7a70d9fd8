//! Figures from a results directory (`chainlab plot`, `chainlab run --plot`): the papers'
//! figures, redrawn from the Parquet rows with plotters, as PNG and/or SVG. This layer reads
//! and writes files; the simulation core knows nothing of it.
//!
//! - [`chart`]: what a figure is (line chart with min-max whiskers over replicates, grouped
//!   box plots) and its rendering, with an embedded font.
//! - [`table`]: a plan's successful rows, by column name.
//! - [`write()`]: one figure rendered into a directory, in each format, with the CSV of the
//!   numbers it draws beside it.
//!
//! Each model family's catalogue (from a table to named charts) lives in its own folder
//! (`src/model/<family>/figures.rs`); `chainlab plot` (in `cli`) finds the plans, asks each
//! plan's family for its figures and writes them here. Architecture invariant: `figure` knows
//! no model family and no runner; it reads part files and writes figure files.
//!
//! A figure file is `<experiment>_<figure>[_<subset>].<png|svg>`; identical results give
//! identical files, and every file is written to a temporary name, then renamed.

pub mod chart;
pub mod table;

use crate::output::OutputError;
pub use chart::{Chart, Format, Size};
use std::path::{Path, PathBuf};

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

/// The figures of a sweep no figure of its family fits: against each swept numeric
/// parameter, a line chart of every scalar numeric metric that varies over the runs, a line
/// per case (or per value of the other swept parameter, or one line), each point the
/// replicates' spread; a log10 x axis when the values span a factor of 30 or more. Stems
/// `<experiment>_<metric>_vs_<parameter>`.
pub fn against_swept(
    experiment: &str,
    t: &table::Table,
    metrics: &[crate::schema::MetricDef],
) -> Vec<Figure> {
    use crate::schema::ColumnType;
    use table::Key;
    let all: Vec<usize> = t.rows().collect();
    let swept = t.swept();
    let mut out = Vec::new();
    for &x in swept.iter().filter(|&&c| c != "case") {
        let xs: Vec<f64> = t
            .distinct(&all, x)
            .iter()
            .filter_map(|k| match k {
                Key::N(v) => Some(*v),
                Key::S(_) => None,
            })
            .collect();
        if xs.len() < 2 {
            continue;
        }
        let (lo, hi) = xs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        let log_x = lo > 0.0 && hi / lo >= 30.0;
        let by = swept.iter().copied().find(|&c| c != x);
        for m in metrics {
            let scalar = matches!(
                m.ty,
                ColumnType::F64 | ColumnType::U32 | ColumnType::U64 | ColumnType::I64
            );
            if !scalar || !t.varies(&all, m.name) {
                continue;
            }
            let y = |r: usize| t.num(r, m.name);
            let series = match by {
                Some(by) => t.series(&all, by, |k: &Key| t.setting(by, k), x, y),
                None => t.line(&all, m.label, x, y).into_iter().collect(),
            };
            if series.is_empty() {
                continue;
            }
            let y_label = t.axis_label(m.name);
            out.push(figure(
                format!("{experiment}_{}_vs_{x}", m.name),
                Chart::Lines(chart::LineChart {
                    title: format!("{experiment}: {y_label}"),
                    x_label: t.axis_label(x),
                    y_label,
                    log_x,
                    log_y: false,
                    series,
                }),
            ));
        }
    }
    out
}

/// What `draw` did.
#[derive(Debug, Default)]
pub struct Drawn {
    /// The figures written, in order.
    pub files: Vec<PathBuf>,
    /// Plan directories (or figures) not drawn, with the reason.
    pub skipped: Vec<(PathBuf, String)>,
}

/// Renders `f` into `dir` (created if needed) in each of `formats` at `size`, each file
/// written to a temporary name, then renamed; records what was written or skipped in `drawn`.
pub fn write(
    f: &Figure,
    dir: &Path,
    formats: &[Format],
    size: Size,
    drawn: &mut Drawn,
) -> Result<(), FigureError> {
    std::fs::create_dir_all(dir).map_err(crate::output::io(dir))?;
    let mut any = false;
    for &format in formats {
        let path = dir.join(format!("{}.{}", f.stem, format.ext()));
        match chart::render(&f.chart, format, size) {
            Ok(bytes) => {
                crate::output::write_atomic(&path, bytes)?;
                drawn.files.push(path);
                any = true;
            }
            // A chart with nothing to show (all values missing) is skipped, not fatal.
            Err(message) if message.starts_with("nothing to draw") => {
                drawn.skipped.push((path, message));
            }
            Err(message) => return Err(FigureError::Draw { path, message }),
        }
    }
    if any {
        // The numbers the figure draws, beside it.
        let table = dir.join(format!("{}.csv", f.stem));
        crate::output::write_atomic(&table, f.chart.table_csv())?;
        drawn.files.push(table);
    }
    Ok(())
}

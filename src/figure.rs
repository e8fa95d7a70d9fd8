//! Figures from a results directory (`chainlab plot`): SVG line charts of the OPPI paper's
//! figures, drawn with plotters from the Parquet rows. This layer reads and writes files; the
//! simulation core knows nothing of it.
//!
//! For every plan directory of the `propagation` model, per topology, means over replicates:
//! messages per broadcast (Figs. 7-9 against n, Fig. 10 against k) and `delay_total_ms`
//! (Figs. 12-14, 15), both on log10 axes as in the paper, and a figure the paper lacks: the
//! makespan and the mean arrival of every protocol, which shows the latency cost of the
//! minimum spanning tree. The x axis is `nodes` (log10) when the plan varies it, else `k`.
//! Plans of other models are listed as skipped. Identical results give identical files.

use crate::model::Model;
use crate::output::schema::Cell;
use crate::output::{OutputError, read_part};
use crate::runner::{columns, status::find_plans};
use plotters::prelude::*;
use std::collections::BTreeMap;
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
    /// Drawing failed.
    #[error("{path}: {message}")]
    Draw {
        /// The figure.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// What `draw` did.
#[derive(Debug, Default)]
pub struct Drawn {
    /// The figures written, in order.
    pub files: Vec<PathBuf>,
    /// Plan directories without figures, with the reason.
    pub skipped: Vec<(PathBuf, String)>,
}

/// One run's values that the figures use.
struct Row {
    topology: String,
    nodes: i64,
    k: i64,
    protocol: String,
    msgs: f64,
    delay_total: f64,
    makespan: f64,
    mean_arrival: f64,
}

/// Draws the figures of every plan under `root` into `out` (created if needed).
pub fn draw(root: &Path, out: &Path) -> Result<Drawn, FigureError> {
    if !root.is_dir() {
        return Err(FigureError::NoResults(root.to_path_buf()));
    }
    let plans = find_plans(root)?;
    if plans.is_empty() {
        return Err(FigureError::NoResults(root.to_path_buf()));
    }
    std::fs::create_dir_all(out).map_err(crate::output::io(out))?;
    let mut drawn = Drawn::default();
    for plan in plans {
        let manifest = plan.join("manifest.json");
        let text = std::fs::read_to_string(&manifest).map_err(crate::output::io(&manifest))?;
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| FigureError::Manifest {
                path: manifest.clone(),
                message: e.to_string(),
            })?;
        let field = |k: &str| json[k].as_str().unwrap_or_default().to_string();
        let (model, experiment) = (field("model"), field("experiment"));
        if model != Model::Propagation.name() {
            drawn
                .skipped
                .push((plan.clone(), format!("no figures for model `{model}` yet")));
            continue;
        }
        let rows = read_rows(&plan)?;
        if rows.is_empty() {
            drawn
                .skipped
                .push((plan.clone(), "no successful runs yet".into()));
            continue;
        }
        let name = if experiment.is_empty() {
            plan.file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        } else {
            experiment
        };
        propagation_figures(&name, &rows, out, &mut drawn)?;
    }
    Ok(drawn)
}

fn read_rows(plan: &Path) -> Result<Vec<Row>, FigureError> {
    let cols = columns(Model::Propagation);
    let at = |name: &str| cols.iter().position(|c| c.name == name).expect("column");
    let (st, topo, nodes, k, proto) = (
        at("status"),
        at("topology"),
        at("nodes"),
        at("k"),
        at("protocol"),
    );
    let (msgs, dt, mk, ma) = (
        at("msgs"),
        at("delay_total_ms"),
        at("makespan_ms"),
        at("mean_arrival_ms"),
    );
    let mut parts: Vec<PathBuf> = std::fs::read_dir(plan)
        .map_err(crate::output::io(plan))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("part-"))
        })
        .collect();
    parts.sort();
    let mut rows = Vec::new();
    let s = |c: &Cell| match c {
        Cell::S(x) => x.clone(),
        _ => String::new(),
    };
    let f = |c: &Cell| match *c {
        Cell::U(x) => x as f64,
        Cell::I(x) => x as f64,
        Cell::F(x) => x,
        _ => f64::NAN,
    };
    for part in parts {
        for r in read_part(&part, &cols)? {
            if s(&r[st]) != "ok" {
                continue;
            }
            rows.push(Row {
                topology: s(&r[topo]),
                nodes: f(&r[nodes]) as i64,
                k: f(&r[k]) as i64,
                protocol: s(&r[proto]),
                msgs: f(&r[msgs]),
                delay_total: f(&r[dt]),
                makespan: f(&r[mk]),
                mean_arrival: f(&r[ma]),
            });
        }
    }
    Ok(rows)
}

/// A line: its label and (x, mean y) points in ascending x.
type Series = (String, Vec<(f64, f64)>);

fn propagation_figures(
    experiment: &str,
    rows: &[Row],
    out: &Path,
    drawn: &mut Drawn,
) -> Result<(), FigureError> {
    let distinct = |key: fn(&Row) -> i64| {
        let mut v: Vec<i64> = rows.iter().map(key).collect();
        v.sort_unstable();
        v.dedup();
        v.len()
    };
    let (x_key, x_name, log_x): (fn(&Row) -> i64, &str, bool) = if distinct(|r| r.nodes) > 1 {
        (|r| r.nodes, "nodes n", true)
    } else if distinct(|r| r.k) > 1 {
        (|r| r.k, "links per node k", false)
    } else {
        drawn.skipped.push((
            out.to_path_buf(),
            format!(
                "{experiment}: neither nodes nor k varies (a per-topology chart is not drawn yet)"
            ),
        ));
        return Ok(());
    };
    let mut topologies: Vec<&str> = rows.iter().map(|r| r.topology.as_str()).collect();
    topologies.sort_unstable();
    topologies.dedup();
    // Means per (protocol, x) of a metric, for one topology.
    let means = |topo: &str, metric: fn(&Row) -> f64, suffix: &str| -> Vec<Series> {
        let mut acc: BTreeMap<(&str, i64), (f64, u32)> = BTreeMap::new();
        for r in rows.iter().filter(|r| r.topology == topo) {
            let e = acc
                .entry((r.protocol.as_str(), x_key(r)))
                .or_insert((0.0, 0));
            e.0 += metric(r);
            e.1 += 1;
        }
        let mut series: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
        for ((p, x), (sum, n)) in acc {
            series
                .entry(p)
                .or_default()
                .push((x as f64, sum / f64::from(n)));
        }
        series
            .into_iter()
            .map(|(p, pts)| (format!("{p}{suffix}"), pts))
            .collect()
    };
    for topo in topologies {
        let figures: [(&str, String, &str, Vec<Series>); 3] = [
            (
                "msgs",
                format!("{experiment}: messages per broadcast, {topo}"),
                "messages (log10)",
                means(topo, |r| r.msgs, ""),
            ),
            (
                "delay_total",
                format!("{experiment}: total link delay per broadcast, {topo}"),
                "delay_total_ms, ms (log10)",
                means(topo, |r| r.delay_total, ""),
            ),
            (
                "latency",
                format!("{experiment}: makespan and mean arrival, {topo}"),
                "ms (log10)",
                means(topo, |r| r.makespan, " makespan")
                    .into_iter()
                    .chain(means(topo, |r| r.mean_arrival, " mean arrival"))
                    .collect(),
            ),
        ];
        for (stem, title, y_name, series) in figures {
            let path = out.join(format!("{experiment}_{stem}_{topo}.svg"));
            line_chart(&path, &title, x_name, log_x, y_name, &series).map_err(|e| {
                FigureError::Draw {
                    path: path.clone(),
                    message: e,
                }
            })?;
            drawn.files.push(path);
        }
    }
    Ok(())
}

/// A line chart with a log10 y axis (and optionally x axis), one coloured series per entry.
fn line_chart(
    path: &Path,
    title: &str,
    x_name: &str,
    log_x: bool,
    y_name: &str,
    series: &[Series],
) -> Result<(), String> {
    let pts = series.iter().flat_map(|(_, p)| p.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in pts.clone() {
        x0 = x0.min(x);
        x1 = x1.max(x);
        if y > 0.0 {
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
    }
    if x0 > x1 || y0 > y1 {
        return Err("nothing to draw (no positive values)".into());
    }
    if x0 == x1 {
        x1 = x0 + 1.0;
    }
    let (y0, y1) = (y0 / 1.5, y1 * 1.5);
    let root = SVGBackend::new(path, (900, 560)).into_drawing_area();
    let e = |e: &dyn std::fmt::Display| e.to_string();
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let mut builder = ChartBuilder::on(&root);
    builder
        .caption(title, ("sans-serif", 22))
        .margin(15)
        .margin_right(40)
        .x_label_area_size(45)
        .y_label_area_size(80);
    let colour = |i: usize| Palette99::pick(i).to_rgba();
    macro_rules! finish {
        ($chart:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .x_desc(x_name)
                .y_desc(y_name)
                .x_label_formatter(&|x| format!("{x:.0}"))
                .y_label_formatter(&|y| format!("{y:.0}"))
                .draw()
                .map_err(|x| e(&x))?;
            for (i, (label, p)) in series.iter().enumerate() {
                let c = colour(i);
                let style = ShapeStyle::from(c).stroke_width(2);
                chart
                    .draw_series(LineSeries::new(
                        p.iter().copied().filter(|&(_, y)| y > 0.0),
                        style,
                    ))
                    .map_err(|x| e(&x))?
                    .label(label.as_str())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
                chart
                    .draw_series(
                        p.iter()
                            .copied()
                            .filter(|&(_, y)| y > 0.0)
                            .map(|xy| Circle::new(xy, 3, c.filled())),
                    )
                    .map_err(|x| e(&x))?;
            }
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .position(SeriesLabelPosition::LowerRight)
                .draw()
                .map_err(|x| e(&x))?;
        }};
    }
    if log_x {
        finish!(
            builder
                .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
                .map_err(|x| e(&x))?
        );
    } else {
        finish!(
            builder
                .build_cartesian_2d(x0..x1, (y0..y1).log_scale())
                .map_err(|x| e(&x))?
        );
    }
    root.present().map_err(|x| e(&x))?;
    Ok(())
}

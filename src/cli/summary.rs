//! `chainlab summary`: per group of a plan's successful runs, for each metric, n, mean, sd,
//! standard error, the 95 % Student-t interval of the mean, the median with its 95 %
//! percentile-bootstrap interval, min and max; with `--precision`, the replicates that would
//! bring the mean's interval to that fraction of the mean. As Markdown, CSV or Parquet.

use super::Failure;
use crate::figure::table::Table;
use crate::output;
use crate::runner::status::find_plans;
use crate::schema::{Cell, Column, ColumnType};
use crate::summary::{self, Shape};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub(super) struct SummaryArgs {
    /// One plan directory (`RESULTS/<experiment>/plan=<hash>`), or a directory that holds
    /// exactly one plan.
    results: PathBuf,
    /// Group by these columns, comma-separated (default: `case` and every swept parameter).
    #[arg(long, value_delimiter = ',')]
    by: Option<Vec<String>>,
    /// Summarise these metric columns, comma-separated (default: every numeric metric).
    #[arg(long, value_delimiter = ',')]
    metrics: Option<Vec<String>>,
    /// Keep only the runs where a column has one of these values: `protocol=flood,oppi`
    /// (repeatable; every condition must hold).
    #[arg(long = "where", value_name = "COLUMN=VALUES")]
    filters: Vec<String>,
    /// md, csv or parquet.
    #[arg(long, value_enum, default_value = "md")]
    format: TableFormat,
    /// long: a row per group and metric with every statistic; wide: a row per group and,
    /// per metric, the mean with its 95 % interval (Markdown: one cell "mean [low, high]",
    /// rounded to the interval's precision, headed by the column's label and unit; the value
    /// alone where every run gave it).
    #[arg(long, value_enum, default_value = "long")]
    layout: Layout,
    /// Target precision of the mean ("1%" or 0.01): adds the replicates its 95 % interval
    /// would need to be within that fraction of the mean.
    #[arg(long)]
    precision: Option<String>,
    /// Write to this file instead of stdout (needed for parquet).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Summarise the model's side table of this name instead of the run rows (`series`:
    /// one row per time window, so `--by case,window` summarises each window over the
    /// replicates); its columns are the run keys, the item's position and the item's values.
    #[arg(long)]
    table: Option<String>,
}

/// The directory and columns to summarise, and the default metrics: the plan's run rows, or
/// under `--table NAME` the model's side table of that name (`<experiment>.<NAME>/plan=...`
/// beside the plan).
fn source(
    a: &SummaryArgs,
    plan: &std::path::Path,
    model: crate::model::Model,
) -> Result<Source, Failure> {
    let main = model.columns();
    let Some(name) = &a.table else {
        let metrics = model
            .metrics()
            .iter()
            .filter(|m| numeric(m.ty))
            .map(|m| m.name.to_string())
            .collect();
        return Ok(Source {
            dir: plan.to_path_buf(),
            cols: main,
            metrics,
            by: None,
        });
    };
    let Some(d) = model.details().iter().find(|d| d.name == name) else {
        let names: Vec<String> = model
            .details()
            .iter()
            .map(|d| format!("`{}`", d.name))
            .collect();
        return Err(Failure::Usage(format!(
            "--table {name}: model `{}` has {}",
            model.name(),
            if names.is_empty() {
                "no side table".to_string()
            } else {
                format!("the side tables {}", names.join(", "))
            }
        )));
    };
    let experiment = plan
        .parent()
        .and_then(|p| p.file_name())
        .unwrap_or_default();
    let dir = plan
        .parent()
        .and_then(|p| p.parent())
        .unwrap_or(std::path::Path::new(""))
        .join(format!("{}.{name}", experiment.to_string_lossy()))
        .join(plan.file_name().unwrap_or_default());
    let cols = d.columns(&main);
    let metrics = cols
        .iter()
        .filter(|c| c.name.starts_with(d.prefix) && numeric(c.ty))
        .map(|c| c.name.clone())
        .collect();
    Ok(Source {
        dir,
        cols,
        metrics,
        by: Some(vec!["case".into(), d.index.into()]),
    })
}

/// What `chainlab summary` reads: a directory of parts, its columns, the metrics summarised
/// by default and the default groups (`None`: the case and every swept parameter).
struct Source {
    dir: PathBuf,
    cols: Vec<Column>,
    metrics: Vec<String>,
    by: Option<Vec<String>>,
}

/// `--format`: how the summary is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum TableFormat {
    /// A Markdown table.
    Md,
    /// Comma-separated values.
    Csv,
    /// A Parquet file (needs `--out`).
    Parquet,
}

/// `--layout`: the shape of the summary's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum Layout {
    /// A row per group and metric, with every statistic.
    Long,
    /// A row per group; per metric, the mean and its 95 % interval.
    Wide,
}

/// Whether a column can be summarised (scalar and numeric).
fn numeric(ty: ColumnType) -> bool {
    matches!(
        ty,
        ColumnType::U32 | ColumnType::U64 | ColumnType::I64 | ColumnType::F64
    )
}

/// A number as tables show it: 6 significant digits, NaN as "NaN".
fn shown(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x == 0.0 {
        return "0".into();
    }
    let digits = 6 - 1 - x.abs().log10().floor() as i32;
    if (-4..=9).contains(&(5 - digits)) {
        let d = digits.max(0) as usize;
        let s = format!("{x:.d$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    } else {
        format!("{x:.5e}")
    }
}

/// A mean and its 95 % interval as one cell, rounded to two significant digits of the
/// interval's half-width ("8.523 [8.472, 8.575]"); in scientific notation, with one exponent
/// per number and the same rounding, when the interval lies within (-0.001, 0.001) or
/// reaches 10^9 ("1.23e-7 [9.8e-8, 1.48e-7]"); the mean alone when there is no interval
/// (one run) or every run gave the same value.
fn mean_ci(mean: f64, low: f64, high: f64) -> String {
    let half = (high - low) / 2.0;
    if !mean.is_finite() || !half.is_finite() {
        return shown(mean);
    }
    if half <= 1e-9 * mean.abs() {
        // Every run gave the same value (up to rounding): the value alone.
        return shown(mean);
    }
    let largest = mean.abs().max(low.abs()).max(high.abs());
    let half_exp = half.log10().floor() as i32;
    if !(1e-3..1e9).contains(&largest) {
        // Each number keeps the digits down to the half-width's second significant one.
        let sci = |x: f64| {
            if x == 0.0 {
                return "0".to_string();
            }
            let d = (x.abs().log10().floor() as i32 - half_exp + 1).clamp(0, 12) as usize;
            format!("{x:.d$e}")
        };
        return format!("{} [{}, {}]", sci(mean), sci(low), sci(high));
    }
    let decimals = (1 - half_exp).clamp(0, 12) as usize;
    format!("{mean:.decimals$} [{low:.decimals$}, {high:.decimals$}]")
}

/// The default grouping: `case` and every swept parameter, less the parameters a case fixes
/// (constant within every case: grouping by them adds nothing to the case).
fn default_groups(table: &Table) -> Vec<String> {
    let swept = table.swept();
    if !swept.contains(&"case") {
        return swept.iter().map(|s| s.to_string()).collect();
    }
    let all: Vec<usize> = table.rows().collect();
    let cases = table.split(&all, "case", |k| k.to_string());
    swept
        .iter()
        .filter(|&&c| c == "case" || cases.iter().any(|(_, rows)| table.varies(rows, c)))
        .map(|s| s.to_string())
        .collect()
}

pub(super) fn summary(a: &SummaryArgs) -> Result<(), Failure> {
    let built = build(a)?;
    match (&a.out, built.format) {
        (Some(path), TableFormat::Parquet) => {
            let columns: Vec<Column> = built
                .columns
                .iter()
                .map(|(name, ty)| Column {
                    name: name.clone(),
                    ty: *ty,
                    nullable: true,
                    unit: "",
                    doc: String::new(),
                    label: name.clone(),
                })
                .collect();
            output::write_parquet_at(
                path,
                &columns,
                &built.rows,
                &[(
                    "chainlab.summary_of".into(),
                    built.plan.display().to_string(),
                )],
            )?;
        }
        (Some(path), _) => output::write_atomic(path, built.body)?,
        (None, _) => outln!("{}", built.body.trim_end()),
    }
    Ok(())
}

/// A summary, computed.
pub(super) struct Built {
    /// md, csv or parquet.
    format: TableFormat,
    /// The text (Markdown or CSV; empty for parquet).
    pub(super) body: String,
    columns: Vec<(String, ColumnType)>,
    rows: Vec<Vec<Cell>>,
    plan: PathBuf,
}

/// The summary `a` asks for (nothing written).
pub(super) fn build(a: &SummaryArgs) -> Result<Built, Failure> {
    let plans = find_plans(&a.results)?;
    let plan = match plans.as_slice() {
        [] => {
            return Err(Failure::Usage(
                crate::figure::FigureError::NoResults(a.results.clone()).to_string(),
            ));
        }
        [one] => one.clone(),
        many => {
            return Err(Failure::Usage(format!(
                "{} holds {} plans; summarise one plan directory: {}",
                a.results.display(),
                many.len(),
                many.iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    };
    let precision = a
        .precision
        .as_deref()
        .map(|p| {
            let t = p.trim();
            let (num, scale) = match t.strip_suffix('%') {
                Some(n) => (n.trim(), 0.01),
                None => (t, 1.0),
            };
            num.parse::<f64>()
                .ok()
                .map(|x| x * scale)
                .filter(|x| *x > 0.0 && x.is_finite())
                .ok_or_else(|| {
                    Failure::Usage(format!(
                        "--precision {p}: allowed: a positive fraction such as 0.01 or 1%"
                    ))
                })
        })
        .transpose()?;
    let format = a.format;
    if format == TableFormat::Parquet && a.out.is_none() {
        return Err(Failure::Usage(
            "--format parquet needs --out FILE.parquet".into(),
        ));
    }
    let read = super::plot::read_plan(&plan).map_err(|e| Failure::Usage(e.to_string()))?;
    if let Some(why) = read.damaged {
        return Err(Failure::Usage(format!("{}: {why}", plan.display())));
    }
    let model = read.model;
    let Source {
        dir,
        cols,
        metrics: default_metrics,
        by: default_by,
    } = source(a, &plan, model)?;
    let table =
        Table::read(&dir, &cols, model.params()).map_err(|e| Failure::Usage(e.to_string()))?;
    let column = |name: &str, what: &str| -> Result<&Column, Failure> {
        cols.iter().find(|c| c.name == name).ok_or_else(|| {
            Failure::Usage(format!(
                "--{what} {name}: no such column in model `{}`; `chainlab schema --model {}` lists them",
                model.name(),
                model.name()
            ))
        })
    };
    let by: Vec<String> = match &a.by {
        Some(v) => v
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        None => default_by.unwrap_or_else(|| default_groups(&table)),
    };
    for b in &by {
        column(b, "by")?;
    }
    let metrics: Vec<String> = match &a.metrics {
        Some(v) => v
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        None => default_metrics,
    };
    for m in &metrics {
        let c = column(m, "metrics")?;
        if !numeric(c.ty) {
            return Err(Failure::Usage(format!(
                "--metrics {m}: a {} column; allowed: numeric columns (integers and floats)",
                c.ty.arrow_name()
            )));
        }
    }
    // The filters: (column, the values it may take, as the table shows them).
    let mut keep: Vec<(String, Vec<String>)> = Vec::new();
    for f in &a.filters {
        let Some((col, values)) = f.split_once('=') else {
            return Err(Failure::Usage(format!(
                "--where {f}: allowed: COLUMN=VALUE[,VALUE...], e.g. protocol=flood,oppi"
            )));
        };
        column(col.trim(), "where")?;
        keep.push((
            col.trim().to_string(),
            values.split(',').map(|v| v.trim().to_string()).collect(),
        ));
    }
    let wide = a.layout == Layout::Wide;
    if wide && precision.is_some() {
        return Err(Failure::Usage(
            "--precision goes with --layout long (a row per group and metric)".into(),
        ));
    }
    let groups = summary::groups(&table, &by, &keep);
    let shape = if wide { Shape::Wide } else { Shape::Long };
    let (out_cols, rows) = summary::table(&table, &groups, &by, &metrics, shape, precision);
    let body = render(format, wide, &cols, &by, &metrics, &out_cols, &rows);
    Ok(Built {
        format,
        body,
        columns: out_cols,
        rows,
        plan,
    })
}

/// The summary's text: Markdown (wide: one "mean [low, high]" cell per metric, headed by the
/// column's label and unit) or CSV; empty for Parquet.
fn render(
    format: TableFormat,
    wide: bool,
    cols: &[Column],
    by: &[String],
    metrics: &[String],
    out_cols: &[(String, ColumnType)],
    rows: &[Vec<Cell>],
) -> String {
    let text = |cell: &Cell, full: bool| match cell {
        Cell::S(s) => s.clone(),
        Cell::U(x) => x.to_string(),
        Cell::F(x) if full => format!("{x}"),
        Cell::F(x) => shown(*x),
        _ => String::new(),
    };
    match format {
        TableFormat::Md if wide => {
            // Headers: each column's label and unit; cells: mean [95 % interval].
            let head = |name: &str| {
                cols.iter()
                    .find(|c| c.name == name)
                    .map_or(name.to_string(), |c| c.display())
            };
            let mut heads: Vec<String> = by.iter().map(|b| head(b)).collect();
            heads.push("runs".into());
            heads.extend(metrics.iter().map(|m| format!("{} (95 % CI)", head(m))));
            let mut s = format!(
                "| {} |\n|{}|\n",
                heads.join(" | "),
                heads.iter().map(|_| "---").collect::<Vec<_>>().join("|")
            );
            for r in rows {
                let mut cells: Vec<String> =
                    r[..by.len() + 1].iter().map(|c| text(c, false)).collect();
                for t in r[by.len() + 1..].chunks(3) {
                    let f = |c: &Cell| match c {
                        Cell::F(x) => *x,
                        _ => f64::NAN,
                    };
                    cells.push(mean_ci(f(&t[0]), f(&t[1]), f(&t[2])));
                }
                s.push_str(&format!("| {} |\n", cells.join(" | ")));
            }
            s
        }
        TableFormat::Md => {
            let mut s = format!(
                "| {} |\n|{}|\n",
                out_cols
                    .iter()
                    .map(|c| c.0.as_str())
                    .collect::<Vec<_>>()
                    .join(" | "),
                out_cols.iter().map(|_| "---").collect::<Vec<_>>().join("|")
            );
            for r in rows {
                s.push_str(&format!(
                    "| {} |\n",
                    r.iter()
                        .map(|c| text(c, false))
                        .collect::<Vec<_>>()
                        .join(" | ")
                ));
            }
            s
        }
        TableFormat::Csv => {
            let quote = |s: String| {
                if s.contains([',', '"', '\n']) {
                    format!("\"{}\"", s.replace('"', "\"\""))
                } else {
                    s
                }
            };
            let mut s = out_cols
                .iter()
                .map(|c| quote(c.0.clone()))
                .collect::<Vec<_>>()
                .join(",")
                + "\n";
            for r in rows {
                s.push_str(
                    &(r.iter()
                        .map(|c| quote(text(c, true)))
                        .collect::<Vec<_>>()
                        .join(",")
                        + "\n"),
                );
            }
            s
        }
        TableFormat::Parquet => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::mean_ci;

    /// Ordinary magnitudes keep fixed notation to the half-width's second digit; tiny
    /// probabilities and huge counts read in scientific notation with the same precision,
    /// never as a run of zeros.
    #[test]
    fn a_cell_rounds_to_its_interval_and_tiny_values_read_in_scientific_notation() {
        assert_eq!(mean_ci(8.523, 8.472, 8.575), "8.523 [8.472, 8.575]");
        assert_eq!(mean_ci(0.42, 0.39, 0.45), "0.420 [0.390, 0.450]");
        assert_eq!(
            mean_ci(1.23e-7, 9.8e-8, 1.48e-7),
            "1.23e-7 [9.8e-8, 1.48e-7]"
        );
        assert_eq!(mean_ci(2.5e-12, 0.0, 5.0e-12), "2.5e-12 [0, 5.0e-12]");
        assert_eq!(
            mean_ci(3.2e10, 3.0e10, 3.4e10),
            "3.20e10 [3.00e10, 3.40e10]"
        );
        assert_eq!(mean_ci(5.0, 5.0, 5.0), "5");
    }
}

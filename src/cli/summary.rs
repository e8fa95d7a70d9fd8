//! `chainlab summary`: per group of a plan's successful runs, for each metric, n, mean, sd,
//! standard error, the 95 % Student-t interval of the mean, the median with its 95 %
//! percentile-bootstrap interval, min and max; with `--precision`, the replicates that would
//! bring the mean's interval to that fraction of the mean. As Markdown, CSV or Parquet.

use super::Failure;
use crate::figure::table::{Key, Table};
use crate::output;
use crate::rng::hash_bytes;
use crate::runner::status::find_plans;
use crate::schema::{Cell, Column, ColumnType};
use crate::stats::{Summary, replicates_for, summarise};
use clap::Args;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
    /// md, csv or parquet.
    #[arg(long, default_value = "md")]
    format: String,
    /// Target precision of the mean ("1%" or 0.01): adds the replicates its 95 % interval
    /// would need to be within that fraction of the mean.
    #[arg(long)]
    precision: Option<String>,
    /// Write to this file instead of stdout (needed for parquet).
    #[arg(long)]
    out: Option<PathBuf>,
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
    let format = match a.format.as_str() {
        f @ ("md" | "csv" | "parquet") => f,
        other => {
            return Err(Failure::Usage(format!(
                "--format {other}: allowed: md, csv, parquet"
            )));
        }
    };
    if format == "parquet" && a.out.is_none() {
        return Err(Failure::Usage(
            "--format parquet needs --out FILE.parquet".into(),
        ));
    }
    let read = super::plot::read_plan(&plan).map_err(|e| Failure::Usage(e.to_string()))?;
    if let Some(why) = read.damaged {
        return Err(Failure::Usage(format!("{}: {why}", plan.display())));
    }
    let model = read.model;
    let cols = model.columns();
    let table =
        Table::read(&plan, &cols, model.params()).map_err(|e| Failure::Usage(e.to_string()))?;
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
        None => default_groups(&table),
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
        None => model
            .metrics()
            .iter()
            .filter(|m| numeric(m.ty))
            .map(|m| m.name.to_string())
            .collect(),
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
    // Groups in key order (numbers numerically).
    let mut groups: BTreeMap<Vec<Key>, Vec<usize>> = BTreeMap::new();
    for r in table.rows() {
        groups
            .entry(by.iter().map(|b| table.key(r, b)).collect())
            .or_default()
            .push(r);
    }
    let mut out_cols: Vec<(String, ColumnType)> =
        by.iter().map(|b| (b.clone(), ColumnType::Str)).collect();
    out_cols.push(("metric".into(), ColumnType::Str));
    out_cols.extend(
        ["n", "undefined"]
            .iter()
            .map(|n| (n.to_string(), ColumnType::U64)),
    );
    out_cols.extend(
        [
            "mean",
            "sd",
            "se",
            "ci95_low",
            "ci95_high",
            "median",
            "median_ci95_low",
            "median_ci95_high",
            "min",
            "max",
        ]
        .iter()
        .map(|n| (n.to_string(), ColumnType::F64)),
    );
    if precision.is_some() {
        out_cols.push(("replicates_for_precision".into(), ColumnType::U64));
    }
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for (keys, members) in &groups {
        for m in &metrics {
            let values: Vec<f64> = members.iter().map(|&r| table.num(r, m)).collect();
            let label: String = keys.iter().map(|k| format!("{k}|")).collect::<String>() + m;
            let s: Summary = summarise(&values, hash_bytes(label.as_bytes()));
            let mut row: Vec<Cell> = keys.iter().map(|k| Cell::S(k.to_string())).collect();
            row.push(Cell::S(m.clone()));
            row.push(Cell::U(s.n as u64));
            row.push(Cell::U(s.undefined as u64));
            row.extend(
                [
                    s.mean,
                    s.sd,
                    s.se,
                    s.ci_low,
                    s.ci_high,
                    s.median,
                    s.median_ci_low,
                    s.median_ci_high,
                    s.min,
                    s.max,
                ]
                .map(Cell::F),
            );
            if let Some(p) = precision {
                row.push(replicates_for(&s, p).map_or(Cell::Null, Cell::U));
            }
            rows.push(row);
        }
    }
    let text = |cell: &Cell, full: bool| match cell {
        Cell::S(s) => s.clone(),
        Cell::U(x) => x.to_string(),
        Cell::F(x) if full => format!("{x}"),
        Cell::F(x) => shown(*x),
        _ => String::new(),
    };
    let body = match format {
        "md" => {
            let mut s = format!(
                "| {} |\n|{}|\n",
                out_cols
                    .iter()
                    .map(|c| c.0.as_str())
                    .collect::<Vec<_>>()
                    .join(" | "),
                out_cols.iter().map(|_| "---").collect::<Vec<_>>().join("|")
            );
            for r in &rows {
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
        "csv" => {
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
            for r in &rows {
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
        _ => String::new(),
    };
    match (&a.out, format) {
        (Some(path), "parquet") => {
            let columns: Vec<Column> = out_cols
                .iter()
                .map(|(name, ty)| Column {
                    name: name.clone(),
                    ty: *ty,
                    nullable: true,
                    unit: "",
                    doc: String::new(),
                })
                .collect();
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            output::write_part(
                dir,
                &name,
                &columns,
                &rows,
                &[("chainlab.summary_of".into(), plan.display().to_string())],
            )?;
        }
        (Some(path), _) => output::write_atomic(path, body)?,
        (None, _) => outln!("{}", body.trim_end()),
    }
    Ok(())
}

//! Summaries of a plan's rows, as `chainlab summary` prints them: the runs grouped by
//! parameter columns (cases in the experiment file's order, everything else by value), then,
//! per group and metric, the statistics of [`crate::stats`]. Pure: a table of rows in, a table
//! of cells out; the CLI renders it.
//!
//! Architecture invariant: `summary` knows no model family and does no I/O; it reads rows by
//! column name ([`crate::figure::table::Table`]).

use crate::figure::table::{Key, Table};
use crate::rng::hash_bytes;
use crate::schema::{Cell, ColumnType};
use crate::stats::{Summary, replicates_for, summarise};
use std::collections::BTreeMap;

/// The shape of a summary's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A row per group and metric, with every statistic.
    Long,
    /// A row per group; per metric, the mean and its 95 % interval.
    Wide,
}

/// A filter: a column, and the values it may take (as tables show them: a number matches its
/// value or its displayed text).
pub type Filter = (String, Vec<String>);

/// A group: its key (one per `by` column) and its rows.
pub type Group = (Vec<Key>, Vec<usize>);

/// The rows of `table` that pass every filter of `keep`, grouped by the columns `by`: cases in
/// the plan's order (the experiment file's), everything else by value (numbers numerically).
pub fn groups(table: &Table, by: &[String], keep: &[Filter]) -> Vec<Group> {
    let mut groups: BTreeMap<Vec<Key>, Vec<usize>> = BTreeMap::new();
    let kept = |r: usize| {
        keep.iter().all(|(c, vs)| {
            let k = table.key(r, c);
            // A number matches its value or its value as tables show it ("0.00166667").
            vs.iter().any(|v| match &k {
                Key::S(s) => s == v,
                Key::N(x) => v.parse::<f64>().is_ok_and(|y| y == *x) || k.to_string() == *v,
            })
        })
    };
    for r in table.rows().filter(|&r| kept(r)) {
        groups
            .entry(by.iter().map(|b| table.key(r, b)).collect())
            .or_default()
            .push(r);
    }
    // Cases in the plan's order (the experiment file's), everything else by value.
    let mut case_order: Vec<Key> = Vec::new();
    for r in table.rows() {
        if by.iter().any(|b| b == "case") {
            let k = table.key(r, "case");
            if !case_order.contains(&k) {
                case_order.push(k);
            }
        }
    }
    let mut groups: Vec<(Vec<Key>, Vec<usize>)> = groups.into_iter().collect();
    groups.sort_by_cached_key(|(keys, _)| {
        keys.iter()
            .zip(by)
            .map(|(k, b)| match case_order.iter().position(|c| c == k) {
                Some(i) if b == "case" => Key::N(i as f64),
                _ => k.clone(),
            })
            .collect::<Vec<Key>>()
    });
    groups
}

/// The summary of `groups` over `metrics`: its columns (name and type) and rows. `precision`
/// (a fraction of the mean; long shape only) adds the replicates the mean's 95 % interval
/// would need to be that narrow. Each group's bootstrap draws are keyed by its key and metric,
/// so a summary is reproducible.
pub fn table(
    table: &Table,
    groups: &[Group],
    by: &[String],
    metrics: &[String],
    shape: Shape,
    precision: Option<f64>,
) -> (Vec<(String, ColumnType)>, Vec<Vec<Cell>>) {
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
    let wide = shape == Shape::Wide;
    if wide {
        out_cols.truncate(by.len());
        out_cols.push(("n".into(), ColumnType::U64));
        for m in metrics {
            for stat in ["mean", "ci95_low", "ci95_high"] {
                out_cols.push((format!("{m}_{stat}"), ColumnType::F64));
            }
        }
    }
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for (keys, members) in groups.iter().filter(|_| wide) {
        let mut row: Vec<Cell> = keys.iter().map(|k| Cell::S(k.to_string())).collect();
        row.push(Cell::U(members.len() as u64));
        for m in metrics {
            let values: Vec<f64> = members.iter().map(|&r| table.num(r, m)).collect();
            let label: String = keys.iter().map(|k| format!("{k}|")).collect::<String>() + m;
            let s: Summary = summarise(&values, hash_bytes(label.as_bytes()));
            row.extend([s.mean, s.ci_low, s.ci_high].map(Cell::F));
        }
        rows.push(row);
    }
    for (keys, members) in groups.iter().filter(|_| !wide) {
        for m in metrics {
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
    (out_cols, rows)
}

//! The successful rows of one plan directory, read back from its part files, with access by
//! column name, and the grouping helpers the figure catalogues share.

use super::FigureError;
use super::chart::{BoxChart, Series, Stats};
use crate::output::read_part;
use crate::schema::param::ParamDef;
use crate::schema::{Cell, Column};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One group of a box chart: its legend name and the values one row contributes (one for a
/// scalar column, several for a list column).
pub type Group<'a> = (&'a str, &'a dyn Fn(usize) -> Vec<f64>);

/// Rows with `status = "ok"`, in part then run order.
pub struct Table {
    names: Vec<String>,
    rows: Vec<Vec<Cell>>,
    params: Vec<&'static str>,
    /// (column, key) of each parameter, for axis labels.
    keys: Vec<(&'static str, &'static str)>,
}

/// A value that orders numbers numerically and texts alphabetically (numbers first).
#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    /// A number.
    N(f64),
    /// A text.
    S(String),
}

impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        match (self, other) {
            (Key::N(a), Key::N(b)) => a.total_cmp(b),
            (Key::N(_), Key::S(_)) => std::cmp::Ordering::Less,
            (Key::S(_), Key::N(_)) => std::cmp::Ordering::Greater,
            (Key::S(a), Key::S(b)) => a.cmp(b),
        }
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::N(x) => f.write_str(&super::chart::tick(*x)),
            Key::S(s) => f.write_str(s),
        }
    }
}

impl Table {
    /// Reads every part file of `plan`, whose columns are `cols` (`params` are the parameter
    /// definitions among them).
    pub fn read(plan: &Path, cols: &[Column], params: &[ParamDef]) -> Result<Table, FigureError> {
        let cols = cols.to_vec();
        let mut parts: Vec<PathBuf> = std::fs::read_dir(plan)
            .map_err(crate::output::io(plan))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name().is_some_and(|n| {
                    let n = n.to_string_lossy();
                    n.starts_with("part-") && n.ends_with(".parquet")
                })
            })
            .collect();
        parts.sort();
        let status = cols.iter().position(|c| c.name == "status");
        let mut rows = Vec::new();
        for part in parts {
            for r in read_part(&part, &cols)? {
                if status.is_some_and(|i| matches!(&r[i], Cell::S(s) if s == "ok")) {
                    rows.push(r);
                }
            }
        }
        Ok(Table {
            names: cols.into_iter().map(|c| c.name).collect(),
            rows,
            params: params.iter().map(|p| p.column).collect(),
            keys: params.iter().map(|p| (p.column, p.key)).collect(),
        })
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Row indices.
    pub fn rows(&self) -> std::ops::Range<usize> {
        0..self.rows.len()
    }

    fn cell(&self, row: usize, name: &str) -> &Cell {
        let i = self
            .names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("figure catalogue names unknown column `{name}`"));
        &self.rows[row][i]
    }

    /// A numeric cell as f64 (NaN when null or not a number).
    pub fn num(&self, row: usize, name: &str) -> f64 {
        match *self.cell(row, name) {
            Cell::U(x) => x as f64,
            Cell::I(x) => x as f64,
            Cell::F(x) => x,
            Cell::B(b) => f64::from(u8::from(b)),
            _ => f64::NAN,
        }
    }

    /// A cell as a grouping key.
    pub fn key(&self, row: usize, name: &str) -> Key {
        match self.cell(row, name) {
            Cell::S(s) => Key::S(s.clone()),
            Cell::B(b) => Key::S(b.to_string()),
            Cell::Null => Key::S(String::new()),
            _ => Key::N(self.num(row, name)),
        }
    }

    /// A float list cell (empty when null or of another type).
    pub fn list(&self, row: usize, name: &str) -> &[f64] {
        match self.cell(row, name) {
            Cell::LF(v) => v,
            _ => &[],
        }
    }

    /// The distinct values of a column over `rows`, in order.
    pub fn distinct(&self, rows: &[usize], name: &str) -> Vec<Key> {
        let mut v: Vec<Key> = rows.iter().map(|&r| self.key(r, name)).collect();
        v.sort();
        v.dedup();
        v
    }

    /// Whether a column takes more than one value over `rows`.
    pub fn varies(&self, rows: &[usize], name: &str) -> bool {
        self.distinct(rows, name).len() > 1
    }

    /// The parameter columns (and `case`) that vary over all rows, in schema order.
    pub fn swept(&self) -> Vec<&'static str> {
        let all: Vec<usize> = self.rows().collect();
        std::iter::once("case")
            .chain(self.params.iter().copied())
            .filter(|c| self.varies(&all, c))
            .collect()
    }

    /// The rows where `name` equals `value`.
    pub fn filter(&self, rows: &[usize], name: &str, value: &Key) -> Vec<usize> {
        rows.iter()
            .copied()
            .filter(|&r| &self.key(r, name) == value)
            .collect()
    }

    /// Lines: one series per value of `by` (labelled by `label`), x = `x`, y = `y(row)`,
    /// summarised over the rows sharing (series, x).
    pub fn series(
        &self,
        rows: &[usize],
        by: &str,
        label: impl Fn(&Key) -> String,
        x: &str,
        y: impl Fn(usize) -> f64,
    ) -> Vec<Series> {
        self.split(rows, by, label)
            .into_iter()
            .filter_map(|(name, rows)| self.line(&rows, &name, x, &y))
            .collect()
    }

    /// Box plots: per category (a name and its rows) and group, the summary of the values
    /// the rows contribute. Empty boxes are left out.
    pub fn box_chart(
        &self,
        title: String,
        x_label: &str,
        y_label: &str,
        log_y: bool,
        categories: &[(String, Vec<usize>)],
        groups: &[Group],
    ) -> BoxChart {
        let mut boxes = Vec::new();
        for (c, (_, rows)) in categories.iter().enumerate() {
            for (g, (_, values)) in groups.iter().enumerate() {
                let v: Vec<f64> = rows.iter().flat_map(|&r| values(r)).collect();
                if let Some(s) = Stats::of(&v) {
                    boxes.push((c, g, s));
                }
            }
        }
        BoxChart {
            title,
            x_label: x_label.into(),
            y_label: y_label.into(),
            log_y,
            categories: categories.iter().map(|c| c.0.clone()).collect(),
            groups: groups.iter().map(|g| g.0.to_string()).collect(),
            boxes,
        }
    }

    /// The rows per distinct value of `name`, labelled by `label`.
    pub fn split(
        &self,
        rows: &[usize],
        name: &str,
        label: impl Fn(&Key) -> String,
    ) -> Vec<(String, Vec<usize>)> {
        self.distinct(rows, name)
            .into_iter()
            .map(|k| (label(&k), self.filter(rows, name, &k)))
            .collect()
    }

    /// Box plots with one group per value of `group_by` (labelled `name(value)`), each
    /// row contributing `y(row)` to its group.
    #[allow(clippy::too_many_arguments)]
    pub fn box_chart_by(
        &self,
        title: String,
        x_label: &str,
        y_label: &str,
        log_y: bool,
        categories: &[(String, Vec<usize>)],
        group_by: &str,
        name: impl Fn(&Key) -> String,
        y: impl Fn(usize) -> f64,
    ) -> BoxChart {
        let all: Vec<usize> = categories
            .iter()
            .flat_map(|c| c.1.iter().copied())
            .collect();
        let keys = self.distinct(&all, group_by);
        let names: Vec<String> = keys.iter().map(name).collect();
        let fns: Vec<Box<dyn Fn(usize) -> Vec<f64> + '_>> = keys
            .into_iter()
            .map(|k| {
                let y = &y;
                Box::new(move |r| {
                    if self.key(r, group_by) == k {
                        vec![y(r)]
                    } else {
                        Vec::new()
                    }
                }) as Box<dyn Fn(usize) -> Vec<f64> + '_>
            })
            .collect();
        let groups: Vec<Group> = names
            .iter()
            .zip(&fns)
            .map(|(n, f)| (n.as_str(), f.as_ref()))
            .collect();
        self.box_chart(title, x_label, y_label, log_y, categories, &groups)
    }

    /// One line: `y(row)` summarised per value of `x` over `rows` (None when nothing is finite).
    pub fn line(
        &self,
        rows: &[usize],
        label: &str,
        x: &str,
        y: impl Fn(usize) -> f64,
    ) -> Option<Series> {
        let mut acc: BTreeMap<Key, Vec<f64>> = BTreeMap::new();
        for &r in rows {
            acc.entry(self.key(r, x)).or_default().push(y(r));
        }
        let points: Vec<(f64, Stats)> = acc
            .into_iter()
            .filter_map(|(x, v)| match x {
                Key::N(x) => Stats::of(&v).map(|s| (x, s)),
                Key::S(_) => None,
            })
            .collect();
        (!points.is_empty()).then(|| Series {
            label: label.into(),
            points,
        })
    }

    /// An axis title for column `col`: a parameter's key in words with the unit its column
    /// name carries ("bandwidth sd, MB/s" for `bandwidth_sd_mbps`), else the column name.
    pub fn axis_label(&self, col: &str) -> String {
        let Some(&(_, key)) = self.keys.iter().find(|(c, _)| *c == col) else {
            return col.to_string();
        };
        let unit = [
            ("_per_s", "per s"),
            ("_mbps", "MB/s"),
            ("_mb", "MB"),
            ("_ms", "ms"),
            ("_s", "s"),
        ]
        .iter()
        .find(|(suffix, _)| col.ends_with(suffix) && !key.ends_with(suffix))
        .map(|(_, u)| *u);
        let words = key.replace('_', " ");
        match unit {
            Some(u) => format!("{words}, {u}"),
            None => words,
        }
    }

    /// How the runs divide for box plots. Where the plan has cases and also sweeps parameters
    /// within them (a grid), one facet per case whose categories are the swept values; else one
    /// facet whose categories are the settings (case names, or `column = value`).
    /// Categories keep the plan's order.
    pub fn facets(&self) -> Vec<Facet> {
        let all: Vec<usize> = self.rows().collect();
        let swept = self.swept();
        let cases = self.split_in_order(&all, &["case"]);
        let within: Vec<&str> = swept
            .iter()
            .copied()
            .filter(|&c| c != "case" && cases.iter().any(|(_, rows)| self.varies(rows, c)))
            .collect();
        let axis = |cols: &[&str]| match cols {
            [] => "all runs".to_string(),
            [one] => self.axis_label(one),
            _ => "setting".to_string(),
        };
        if swept.contains(&"case") && !within.is_empty() {
            cases
                .into_iter()
                .map(|(name, rows)| Facet {
                    name,
                    x_label: axis(&within),
                    categories: self.split_in_order(&rows, &within),
                })
                .collect()
        } else {
            // Parameters that only change with the case are named by the case.
            let by: Vec<&str> = if swept.contains(&"case") {
                vec!["case"]
            } else {
                swept
            };
            vec![Facet {
                name: String::new(),
                x_label: axis(&by),
                categories: self.split_in_order(&all, &by),
            }]
        }
    }

    /// The rows per combination of `cols`, in order of first appearance, labelled by the
    /// value alone (one column) or `column = value` pairs.
    fn split_in_order(&self, rows: &[usize], cols: &[&str]) -> Vec<(String, Vec<usize>)> {
        let mut out: Vec<(Vec<Key>, Vec<usize>)> = Vec::new();
        for &r in rows {
            let k: Vec<Key> = cols.iter().map(|c| self.key(r, c)).collect();
            match out.iter_mut().find(|(kk, _)| *kk == k) {
                Some(e) => e.1.push(r),
                None => out.push((k, vec![r])),
            }
        }
        out.into_iter()
            .map(|(k, rows)| {
                let label = match (cols, k.as_slice()) {
                    ([], _) => "all runs".to_string(),
                    ([_], [v]) => v.to_string(),
                    _ => cols
                        .iter()
                        .zip(&k)
                        .map(|(c, v)| {
                            if *c == "case" {
                                v.to_string()
                            } else {
                                format!("{c} = {v}")
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                };
                (label, rows)
            })
            .collect()
    }
}

/// A subset of a plan's runs drawn as one box chart: its name (a case, or empty for all
/// runs), the x axis description and the categories.
pub struct Facet {
    /// The case, or empty.
    pub name: String,
    /// What the categories are.
    pub x_label: String,
    /// (label, rows) per category.
    pub categories: Vec<(String, Vec<usize>)>,
}

impl Facet {
    /// `_<name>` for a named facet, else empty: the file-stem suffix.
    pub fn suffix(&self) -> String {
        if self.name.is_empty() {
            String::new()
        } else {
            format!("_{}", self.name)
        }
    }

    /// `, <name>` for a named facet, else empty: the title suffix.
    pub fn title(&self) -> String {
        if self.name.is_empty() {
            String::new()
        } else {
            format!(", {}", self.name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Table;

    #[test]
    fn axis_titles_are_words_with_units() {
        let t = Table {
            names: Vec::new(),
            rows: Vec::new(),
            params: Vec::new(),
            keys: vec![
                ("bandwidth_sd_mbps", "bandwidth_sd"),
                ("cb_size_mb", "cb_size"),
                ("delay_mean_ms", "delay_mean"),
                ("mgmt_nodes", "mgmt_nodes"),
                ("block_rate_per_s", "block_rate"),
                ("tx_rate_per_s", "tx_rate"),
            ],
        };
        assert_eq!(t.axis_label("bandwidth_sd_mbps"), "bandwidth sd, MB/s");
        assert_eq!(t.axis_label("cb_size_mb"), "cb size, MB");
        assert_eq!(t.axis_label("delay_mean_ms"), "delay mean, ms");
        assert_eq!(t.axis_label("mgmt_nodes"), "mgmt nodes");
        assert_eq!(t.axis_label("block_rate_per_s"), "block rate, per s");
        assert_eq!(t.axis_label("case"), "case");
    }
}

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
    /// Each column's label (from the registry) and its unit, for axis titles and values in
    /// titles.
    words: Vec<(String, &'static str)>,
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
                // A side table has no status: its rows are successful runs' items.
                if status.is_none_or(|i| matches!(&r[i], Cell::S(s) if s == "ok")) {
                    rows.push(r);
                }
            }
        }
        Ok(Table {
            words: cols.iter().map(|c| (c.label.clone(), c.unit)).collect(),
            names: cols.into_iter().map(|c| c.name).collect(),
            rows,
            params: params.iter().map(|p| p.column).collect(),
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

    /// A numeric list cell as floats (integer lists converted; empty when null or not
    /// numeric).
    pub fn list_num(&self, row: usize, name: &str) -> Vec<f64> {
        match self.cell(row, name) {
            Cell::LF(v) => v.clone(),
            Cell::LU(v) => v.iter().map(|&x| f64::from(x)).collect(),
            _ => Vec::new(),
        }
    }

    /// One line over time from per-run list columns: at each position k of the `x` list, the
    /// summary over `rows` of the `y` lists' k-th values (NaN ignored), placed at the first
    /// row's `x[k]` (None when nothing is finite).
    pub fn list_line(&self, rows: &[usize], label: &str, x: &str, y: &str) -> Option<Series> {
        let xs = rows
            .first()
            .map(|&r| self.list_num(r, x))
            .unwrap_or_default();
        let ys: Vec<Vec<f64>> = rows.iter().map(|&r| self.list_num(r, y)).collect();
        let points: Vec<(f64, Stats)> = xs
            .iter()
            .enumerate()
            .filter_map(|(k, &at)| {
                let v: Vec<f64> = ys.iter().filter_map(|l| l.get(k).copied()).collect();
                Stats::of(&v).map(|s| (at, s))
            })
            .collect();
        (!points.is_empty()).then(|| Series {
            label: label.into(),
            points,
        })
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
        facet: &Facet,
        y_label: &str,
        log_y: bool,
        groups: &[Group],
    ) -> BoxChart {
        let mut boxes = Vec::new();
        for (c, (_, rows)) in facet.categories.iter().enumerate() {
            for (g, (_, values)) in groups.iter().enumerate() {
                let v: Vec<f64> = rows.iter().flat_map(|&r| values(r)).collect();
                if let Some(s) = Stats::of(&v) {
                    boxes.push((c, g, s));
                }
            }
        }
        BoxChart {
            title,
            x_label: facet.x_label.clone(),
            y_label: y_label.into(),
            log_y,
            categories: facet.categories.iter().map(|c| c.0.clone()).collect(),
            positions: facet.positions.clone(),
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
        let facet = Facet {
            name: String::new(),
            title: String::new(),
            x_label: x_label.into(),
            categories: categories.to_vec(),
            positions: None,
        };
        self.box_chart(title, &facet, y_label, log_y, &groups)
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

    /// An axis title for column `col`: its label with its unit, as the registry gives them
    /// ("bandwidth sd, MB/s" for `bandwidth_sd_mbps`, "makespan, ms"), else the column name.
    pub fn axis_label(&self, col: &str) -> String {
        match self.names.iter().position(|n| n == col) {
            Some(i) => crate::schema::display(&self.words[i].0, self.words[i].1),
            None => col.to_string(),
        }
    }

    /// How the runs divide for box plots.
    ///
    /// - The plan has cases and also sweeps parameters within them (a grid): one facet per
    ///   case, titled by the parameters that make the case, whose categories are the swept
    ///   values.
    /// - Cases alone: where the cases differ in one parameter (plus at most one that moves
    ///   with it, such as `mgmt_peers` with `mgmt_nodes`), one facet against that
    ///   parameter's values; where they form several such one-parameter series around a
    ///   shared base case (`mgmt_config`: block size at 16 nodes, nodes at 0.25 MB, the base
    ///   in both), one facet per series, named by its parameter; else one facet by case name.
    /// - No cases: one facet whose categories are the swept settings.
    ///
    /// The categories of one numeric parameter sit at their values on a numeric axis (log10
    /// when they span a factor of 30 or more).
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
        if !swept.contains(&"case") {
            return vec![self.facet_by(String::new(), String::new(), &all, &swept)];
        }
        // The parameters that change with the case (each constant within a case).
        let differing: Vec<&str> = swept
            .iter()
            .copied()
            .filter(|&c| c != "case" && !within.contains(&c))
            .collect();
        if !within.is_empty() {
            return cases
                .into_iter()
                .map(|(name, rows)| {
                    let title = differing
                        .iter()
                        .map(|c| self.setting(c, &self.key(rows[0], c)))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let title = if title.is_empty() {
                        name.clone()
                    } else {
                        title
                    };
                    self.facet_by(name, title, &rows, &within)
                })
                .collect();
        }
        if let Some(series) = self.case_series(&cases, &differing) {
            let one = series.len() == 1;
            return series
                .into_iter()
                .map(|(col, rows)| {
                    let (name, title) = if one {
                        (String::new(), String::new())
                    } else {
                        let words = self.words_of(col).0;
                        (words.replace(' ', "_"), format!("against {words}"))
                    };
                    self.facet_by(name, title, &rows, &[col])
                })
                .collect();
        }
        vec![Facet {
            name: String::new(),
            title: String::new(),
            x_label: axis(&["case"]),
            categories: self.split_in_order(&all, &["case"]),
            positions: None,
        }]
    }

    /// One facet of `rows` whose categories are the combinations of `cols` (sorted by value,
    /// on a numeric axis, when `cols` is one numeric column).
    fn facet_by(&self, name: String, title: String, rows: &[usize], cols: &[&str]) -> Facet {
        let mut categories = self.split_in_order(rows, cols);
        let mut positions = None;
        if let [col] = cols {
            let keys: Vec<Key> = categories
                .iter()
                .map(|(_, r)| self.key(r[0], col))
                .collect();
            if keys.len() > 1 && keys.iter().all(|k| matches!(k, Key::N(x) if x.is_finite())) {
                let mut both: Vec<(Key, (String, Vec<usize>))> =
                    keys.into_iter().zip(categories).collect();
                both.sort_by(|a, b| a.0.cmp(&b.0));
                let values: Vec<f64> = both
                    .iter()
                    .map(|(k, _)| match k {
                        Key::N(x) => *x,
                        Key::S(_) => unreachable!("all numeric"),
                    })
                    .collect();
                let (lo, hi) = (values[0], values[values.len() - 1]);
                let log = lo > 0.0 && hi / lo >= 30.0;
                categories = both.into_iter().map(|(_, c)| c).collect();
                positions = Some((values, log));
            }
        }
        let x_label = match cols {
            [] => "all runs".to_string(),
            [one] => self.axis_label(one),
            _ => "setting".to_string(),
        };
        Facet {
            name,
            title,
            x_label,
            categories,
            positions,
        }
    }

    /// A column's label without its unit, and its unit.
    fn words_of(&self, col: &str) -> (String, &'static str) {
        match self.names.iter().position(|n| n == col) {
            Some(i) => self.words[i].clone(),
            None => (col.to_string(), ""),
        }
    }

    /// "bandwidth mean = 2 MB/s": a parameter's value in words.
    pub fn setting(&self, col: &str, v: &Key) -> String {
        let (words, unit) = self.words_of(col);
        let unit = match unit {
            "" => String::new(),
            "1/s" => " per s".to_string(),
            u => format!(" {u}"),
        };
        format!("{words} = {v}{unit}")
    }

    /// The cases as one-parameter series (see [`Table::facets`]): per series, its parameter
    /// and rows; None when the cases do not have that shape.
    fn case_series<'a>(
        &self,
        cases: &[(String, Vec<usize>)],
        differing: &[&'a str],
    ) -> Option<Vec<(&'a str, Vec<usize>)>> {
        if differing.is_empty() || cases.len() < 2 {
            return None;
        }
        // Each case's value per differing column, and the most common value (ties: the
        // first case's).
        let value = |case: &(String, Vec<usize>), c: &str| self.key(case.1[0], c);
        let mode = |c: &str| {
            let vals: Vec<Key> = cases.iter().map(|k| value(k, c)).collect();
            let mut best = vals[0].clone();
            let mut count = 0;
            for v in &vals {
                let n = vals.iter().filter(|w| *w == v).count();
                if n > count {
                    (best, count) = (v.clone(), n);
                }
            }
            best
        };
        let modes: Vec<Key> = differing.iter().map(|c| mode(c)).collect();
        let dev: Vec<Vec<usize>> = cases
            .iter()
            .map(|k| {
                (0..differing.len())
                    .filter(|&i| value(k, differing[i]) != modes[i])
                    .collect()
            })
            .collect();
        // Column j moves with column i when every case that changes j changes i too; of
        // columns that always move together the first leads.
        let moves_with = |j: usize, i: usize| dev.iter().all(|d| !d.contains(&j) || d.contains(&i));
        let leads = |i: usize| {
            !(0..differing.len())
                .any(|j| j != i && moves_with(i, j) && (!moves_with(j, i) || j < i))
        };
        let primary: Vec<usize> = (0..differing.len()).filter(|&i| leads(i)).collect();
        let mut out = Vec::new();
        let mut covered = vec![false; cases.len()];
        for &i in &primary {
            let followers: Vec<usize> = (0..differing.len())
                .filter(|&j| j != i && !primary.contains(&j) && moves_with(j, i))
                .collect();
            if followers.len() > 1 {
                return None;
            }
            let members: Vec<usize> = (0..cases.len())
                .filter(|&k| dev[k].iter().all(|j| *j == i || followers.contains(j)))
                .collect();
            if members.len() < 2 {
                return None;
            }
            for &k in &members {
                covered[k] = true;
            }
            let rows = members
                .iter()
                .flat_map(|&k| cases[k].1.iter().copied())
                .collect();
            out.push((differing[i], rows));
        }
        covered.iter().all(|&c| c).then_some(out)
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

/// A subset of a plan's runs drawn as one box chart: its name (a case or a parameter, or
/// empty for all runs), its title, the x axis description and the categories.
#[derive(Clone, Debug)]
pub struct Facet {
    /// The case or the parameter the facet is about (its file-stem suffix), or empty.
    pub name: String,
    /// What the facet holds, in words ("bandwidth mean = 2 MB/s"), or empty.
    pub title: String,
    /// What the categories are.
    pub x_label: String,
    /// (label, rows) per category.
    pub categories: Vec<(String, Vec<usize>)>,
    /// The categories' values on a numeric axis and whether it is log10, when they are the
    /// values of one numeric parameter.
    pub positions: Option<(Vec<f64>, bool)>,
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

    /// `, <title>` for a titled facet, else empty: the chart title's suffix.
    pub fn title(&self) -> String {
        if self.title.is_empty() {
            String::new()
        } else {
            format!(", {}", self.title)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Table;
    use crate::schema::Cell;
    use crate::schema::param::{Kind, ParamDef};
    use crate::schema::{ColumnType, MetricDef, metric_column, param_column};

    #[test]
    fn axis_titles_are_the_registry_labels_with_units() {
        let param = |key: &'static str, column: &'static str| ParamDef {
            key,
            column,
            kind: Kind::Float { min: 0.0, max: 1.0 },
            default: "0",
            environment: false,
            doc: "",
            added_in: None,
        };
        let mut cols = vec![
            param_column(&param("bandwidth_sd", "bandwidth_sd_mbps")),
            param_column(&param("cb_size", "cb_size_mb")),
            param_column(&param("mgmt_nodes", "mgmt_nodes")),
        ];
        cols.push(metric_column(&MetricDef {
            name: "makespan_ms",
            label: "makespan",
            ty: ColumnType::F64,
            unit: "ms",
            doc: "",
        }));
        let t = Table {
            words: cols.iter().map(|c| (c.label.clone(), c.unit)).collect(),
            names: cols.into_iter().map(|c| c.name).collect(),
            rows: Vec::new(),
            params: Vec::new(),
        };
        assert_eq!(t.axis_label("bandwidth_sd_mbps"), "bandwidth sd, MB/s");
        assert_eq!(t.axis_label("cb_size_mb"), "cb size, MB");
        assert_eq!(t.axis_label("mgmt_nodes"), "mgmt nodes");
        assert_eq!(t.axis_label("makespan_ms"), "makespan, ms");
        assert_eq!(t.axis_label("case"), "case");
    }

    /// A table of `cases` (name, values of `params`), two replicates each.
    fn cases(
        params: &[(&'static str, &'static str, &'static str)],
        cases: &[(&str, &[f64])],
    ) -> Table {
        let mut names = vec!["case".to_string()];
        let mut words = vec![("case".to_string(), "")];
        for &(col, label, unit) in params {
            names.push(col.into());
            words.push((label.into(), unit));
        }
        let mut rows = Vec::new();
        for (name, values) in cases {
            for _ in 0..2 {
                let mut r = vec![Cell::S(name.to_string())];
                r.extend(values.iter().map(|&v| Cell::F(v)));
                rows.push(r);
            }
        }
        Table {
            words,
            names,
            rows,
            params: params.iter().map(|p| p.0).collect(),
        }
    }

    #[test]
    fn cases_of_one_parameter_each_become_numeric_series() {
        // mgmt_config's shape: block sizes at 16 nodes, node counts at 0.25 MB (peers move
        // with the nodes), the base case in both series.
        let t = cases(
            &[
                ("cb_size_mb", "cb size", "MB"),
                ("mgmt_nodes", "mgmt nodes", ""),
                ("mgmt_peers", "mgmt peers", ""),
            ],
            &[
                ("cb_0_05", &[0.05, 16.0, 8.0]),
                ("cb_0_25", &[0.25, 16.0, 8.0]),
                ("cb_4", &[4.0, 16.0, 8.0]),
                ("mn_4", &[0.25, 4.0, 3.0]),
                ("mn_32", &[0.25, 32.0, 8.0]),
            ],
        );
        let f = t.facets();
        let shape: Vec<(&str, &str, Vec<f64>, bool)> = f
            .iter()
            .map(|f| {
                let (v, log) = f.positions.clone().unwrap();
                (f.name.as_str(), f.x_label.as_str(), v, log)
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                ("cb_size", "cb size, MB", vec![0.05, 0.25, 4.0], true),
                ("mgmt_nodes", "mgmt nodes", vec![4.0, 16.0, 32.0], false),
            ]
        );
        assert_eq!(f[0].title, "against cb size");
        assert_eq!(f[1].categories[1].1, vec![2, 3], "the base case's rows");
        // Set-ups that differ in many parameters keep their names on a categorical axis.
        let t = cases(
            &[
                ("nodes", "nodes", ""),
                ("peers", "peers", ""),
                ("tx_rate_per_s", "tx rate", "1/s"),
            ],
            &[
                ("paper_a_10", &[10.0, 5.0, 100.0]),
                ("paper_a_50", &[50.0, 10.0, 100.0]),
                ("paper_b", &[32.0, 16.0, 50.0]),
            ],
        );
        let f = t.facets();
        assert_eq!(f.len(), 1);
        assert!(f[0].positions.is_none());
        let names: Vec<&str> = f[0].categories.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(names, ["paper_a_10", "paper_a_50", "paper_b"]);
    }

    #[test]
    fn a_grid_facet_is_titled_by_its_case_parameters() {
        // mgmt_bandwidth's shape: cases of bandwidth mean, a sweep of the sd within each.
        let mut rows = Vec::new();
        for &(name, mean) in &[("mean_2", 2.0), ("mean_10", 10.0)] {
            for sd in [0.1, 0.5, 2.0] {
                rows.push((name, [mean, sd]));
            }
        }
        let mut t = cases(
            &[
                ("bandwidth_mean_mbps", "bandwidth mean", "MB/s"),
                ("bandwidth_sd_mbps", "bandwidth sd", "MB/s"),
            ],
            &[],
        );
        for (name, v) in rows {
            t.rows
                .push(vec![Cell::S(name.into()), Cell::F(v[0]), Cell::F(v[1])]);
        }
        let f = t.facets();
        let titles: Vec<(&str, &str)> = f
            .iter()
            .map(|f| (f.name.as_str(), f.title.as_str()))
            .collect();
        assert_eq!(
            titles,
            [
                ("mean_2", "bandwidth mean = 2 MB/s"),
                ("mean_10", "bandwidth mean = 10 MB/s")
            ]
        );
        assert_eq!(f[0].positions, Some((vec![0.1, 0.5, 2.0], false)));
        assert_eq!(f[0].x_label, "bandwidth sd, MB/s");
    }
}

//! The result table's columns: the engine's own, then the model's parameters, then its metrics.
//!
//! Architecture invariant: `schema` imports nothing of the crate; every layer may import it.

pub mod param;
pub mod scenario;
pub mod trace;
pub mod units;

use param::{Kind, ParamDef};

/// The Arrow/Parquet type of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// Unsigned 32-bit integer.
    U32,
    /// Unsigned 64-bit integer.
    U64,
    /// Signed 64-bit integer.
    I64,
    /// 64-bit float.
    F64,
    /// Boolean.
    Bool,
    /// UTF-8 text.
    Str,
    /// A list of unsigned 32-bit integers.
    ListU32,
    /// A list of 64-bit floats.
    ListF64,
    /// A list of texts.
    ListStr,
}

impl ColumnType {
    /// The name readers show (pyarrow's spelling).
    pub fn arrow_name(&self) -> &'static str {
        match self {
            ColumnType::U32 => "uint32",
            ColumnType::U64 => "uint64",
            ColumnType::I64 => "int64",
            ColumnType::F64 => "double",
            ColumnType::Bool => "bool",
            ColumnType::Str => "string",
            ColumnType::ListU32 => "list<uint32>",
            ColumnType::ListF64 => "list<double>",
            ColumnType::ListStr => "list<string>",
        }
    }
}

/// One column of the result table.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// The column name (its unit is a suffix where it has one).
    pub name: String,
    /// Its type.
    pub ty: ColumnType,
    /// Whether it may be null (metrics are null in the row of a failed run).
    pub nullable: bool,
    /// The unit, or "" for counts, names and ratios.
    pub unit: &'static str,
    /// What it measures.
    pub doc: String,
    /// What a figure or table calls it, without the unit ("mean transaction latency (SBS)").
    pub label: String,
}

impl Column {
    /// The label with its unit, as an axis title or table header: "makespan, ms".
    pub fn display(&self) -> String {
        display(&self.label, self.unit)
    }
}

/// A label with its unit: "makespan, ms"; a rate's "1/s" reads "per s".
pub fn display(label: &str, unit: &str) -> String {
    match unit {
        "" => label.to_string(),
        "1/s" => format!("{label}, per s"),
        u => format!("{label}, {u}"),
    }
}

/// A metric column of a model, as a static definition.
#[derive(Clone, Copy, Debug)]
pub struct MetricDef {
    /// Column name.
    pub name: &'static str,
    /// What a figure or table calls it, without the unit.
    pub label: &'static str,
    /// Type.
    pub ty: ColumnType,
    /// Unit, or "".
    pub unit: &'static str,
    /// What it measures.
    pub doc: &'static str,
}

/// A metric column together with how its value is read from a run's outcome `O`: one list
/// per model family, so a column and its value cannot drift apart.
pub struct Metric<O> {
    /// Column name.
    pub name: &'static str,
    /// What a figure or table calls it, without the unit (its unit is `unit`).
    pub label: &'static str,
    /// Type.
    pub ty: ColumnType,
    /// Unit, or "".
    pub unit: &'static str,
    /// What it measures.
    pub doc: &'static str,
    /// Its value in the row of outcome `O`.
    pub read: fn(&O) -> Cell,
}

impl<O> Metric<O> {
    /// The column definition.
    pub fn def(&self) -> MetricDef {
        MetricDef {
            name: self.name,
            label: self.label,
            ty: self.ty,
            unit: self.unit,
            doc: self.doc,
        }
    }
}

/// The column definitions of `lists`, in order.
pub fn metric_defs<O>(lists: &[&[Metric<O>]]) -> Vec<MetricDef> {
    lists
        .iter()
        .flat_map(|l| l.iter().map(Metric::def))
        .collect()
}

/// The cells of outcome `o`, one per metric of `lists`, in order.
pub fn metric_row<O>(lists: &[&[Metric<O>]], o: &O) -> Vec<Cell> {
    lists
        .iter()
        .flat_map(|l| l.iter().map(|m| (m.read)(o)))
        .collect()
}

/// One value of a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Null.
    Null,
    /// An unsigned integer (U32 or U64 columns).
    U(u64),
    /// A signed integer.
    I(i64),
    /// A float.
    F(f64),
    /// A boolean.
    B(bool),
    /// Text.
    S(String),
    /// A list of unsigned integers.
    LU(Vec<u32>),
    /// A list of floats.
    LF(Vec<f64>),
    /// A list of texts.
    LS(Vec<String>),
}

/// What the engine knows of one run, for its own columns.
pub struct EngineRow<'a> {
    /// Position in the plan.
    pub run_index: u64,
    /// The run's key.
    pub run_key: u64,
    /// Replicate index.
    pub replicate: u32,
    /// The case.
    pub case: &'a str,
    /// The master seed.
    pub seed: u64,
    /// The plan's hash.
    pub plan_hash: u64,
    /// Why the run failed, or `None`.
    pub error: Option<String>,
    /// Wall-clock time of the run, ms.
    pub wall_ms: f64,
    /// Events processed, when known (not after a panic).
    pub events: Option<u64>,
}

/// One of the engine's columns, with how its value is read from the run.
pub struct EngineColumn {
    /// Column name.
    pub name: &'static str,
    /// Type.
    pub ty: ColumnType,
    /// Whether it may be null.
    pub nullable: bool,
    /// Unit, or "".
    pub unit: &'static str,
    /// What it holds.
    pub doc: &'static str,
    /// Its value for a run.
    pub read: fn(&EngineRow<'_>) -> Cell,
}

/// The engine's own columns, first in every table, each with how it is read: one list, so a
/// column and its value cannot drift apart.
pub static ENGINE: &[EngineColumn] = &[
    EngineColumn {
        name: "run_index",
        ty: ColumnType::U64,
        nullable: false,
        unit: "",
        doc: "Position of the run in the expanded plan (0-based).",
        read: |r: &EngineRow<'_>| Cell::U(r.run_index),
    },
    EngineColumn {
        name: "run_key",
        ty: ColumnType::Str,
        nullable: false,
        unit: "",
        doc: "16 hex digits: hash of the resolved parameters and the replicate; the run's identity.",
        read: |r: &EngineRow<'_>| Cell::S(format!("{:016x}", r.run_key)),
    },
    EngineColumn {
        name: "replicate",
        ty: ColumnType::U32,
        nullable: false,
        unit: "",
        doc: "Replicate index, 0-based.",
        read: |r: &EngineRow<'_>| Cell::U(r.replicate.into()),
    },
    EngineColumn {
        name: "case",
        ty: ColumnType::Str,
        nullable: false,
        unit: "",
        doc: "Name of the experiment file's [cases.NAME] table the run comes from (\"\" when the file has none).",
        read: |r: &EngineRow<'_>| Cell::S(r.case.to_string()),
    },
    EngineColumn {
        name: "seed",
        ty: ColumnType::U64,
        nullable: false,
        unit: "",
        doc: "The experiment's master seed; every stream is derived from (seed, key, purpose).",
        read: |r: &EngineRow<'_>| Cell::U(r.seed),
    },
    EngineColumn {
        name: "plan_hash",
        ty: ColumnType::Str,
        nullable: false,
        unit: "",
        doc: "16 hex digits: the plan's identity (its results directory is `plan=<hash>`); every row of one plan has the same value, so rows of two plans are never mixed unseen.",
        read: |r: &EngineRow<'_>| Cell::S(format!("{:016x}", r.plan_hash)),
    },
    EngineColumn {
        name: "status",
        ty: ColumnType::Str,
        nullable: false,
        unit: "",
        doc: "\"ok\" or \"failed\".",
        read: |r: &EngineRow<'_>| Cell::S(if r.error.is_none() { "ok" } else { "failed" }.into()),
    },
    EngineColumn {
        name: "error",
        ty: ColumnType::Str,
        nullable: true,
        unit: "",
        doc: "Why the run failed; null when it succeeded.",
        read: |r: &EngineRow<'_>| r.error.clone().map_or(Cell::Null, Cell::S),
    },
    EngineColumn {
        name: "wall_time_ms",
        ty: ColumnType::F64,
        nullable: false,
        unit: "ms",
        doc: "Wall-clock time of the run. The only column that differs between repeats of the same spec.",
        read: |r: &EngineRow<'_>| Cell::F(r.wall_ms),
    },
    EngineColumn {
        name: "events",
        ty: ColumnType::U64,
        nullable: true,
        unit: "",
        doc: "Events the discrete-event core processed.",
        read: |r: &EngineRow<'_>| r.events.map_or(Cell::Null, Cell::U),
    },
];

/// The engine's own columns, first in every table.
pub fn engine_columns() -> Vec<Column> {
    ENGINE
        .iter()
        .map(|c| Column {
            name: c.name.into(),
            ty: c.ty,
            nullable: c.nullable,
            unit: c.unit,
            doc: c.doc.into(),
            label: c.name.replace('_', " "),
        })
        .collect()
}

/// The engine's cells of run `r`, in [`ENGINE`] order.
pub fn engine_row(r: &EngineRow<'_>) -> Vec<Cell> {
    ENGINE.iter().map(|c| (c.read)(r)).collect()
}

/// The column of a parameter.
pub fn param_column(p: &ParamDef) -> Column {
    let (ty, unit) = match p.kind {
        Kind::Int { .. } => (ColumnType::I64, ""),
        Kind::Float { .. } => (ColumnType::F64, ""),
        Kind::Choice(_) => (ColumnType::Str, ""),
        Kind::DurationMs { .. } => (ColumnType::I64, "ms"),
        Kind::RatePerS { .. } => (ColumnType::F64, "1/s"),
        Kind::Bool => (ColumnType::Bool, ""),
        Kind::NodeList | Kind::Scenario(_) | Kind::Trace | Kind::Text { .. } => {
            (ColumnType::Str, "")
        }
    };
    // A float parameter's unit is the one its column name carries (`bandwidth_sd_mbps`).
    let unit = if unit.is_empty() {
        [
            ("_per_s", "1/s"),
            ("_mbps", "MB/s"),
            ("_mb", "MB"),
            ("_ms", "ms"),
            ("_us", "us"),
            ("_s", "s"),
        ]
        .iter()
        .find(|(suffix, _)| p.column.ends_with(suffix) && !p.key.ends_with(suffix))
        .map_or("", |(_, u)| *u)
    } else {
        unit
    };
    Column {
        name: p.column.into(),
        ty,
        nullable: false,
        unit,
        doc: format!("Parameter `{}`: {}", p.key, p.doc),
        label: p.key.replace('_', " "),
    }
}

/// The column of a metric.
pub fn metric_column(m: &MetricDef) -> Column {
    Column {
        name: m.name.into(),
        ty: m.ty,
        nullable: true,
        unit: m.unit,
        doc: m.doc.into(),
        label: m.label.into(),
    }
}

/// A table of items that a model reports per run as aligned list columns (every list column
/// whose name starts with `prefix`): one row per item, keyed by the run, so that readers need
/// no unnest. It is derived from the run rows alone and written beside them, under
/// `<root>/<experiment>.<name>/plan=<hash>/part-NNNNN.parquet`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detail {
    /// The table's name (the directory suffix).
    pub name: &'static str,
    /// The prefix of its list columns.
    pub prefix: &'static str,
    /// The name of the item's position column.
    pub index: &'static str,
    /// What one row is, for the position column's doc.
    pub item: &'static str,
}

/// The run columns every detail row repeats.
const DETAIL_KEYS: [&str; 6] = [
    "run_index",
    "run_key",
    "replicate",
    "case",
    "seed",
    "plan_hash",
];

impl Detail {
    fn lists<'a>(&self, main: &'a [Column]) -> impl Iterator<Item = (usize, &'a Column)> + 'a {
        let prefix = self.prefix;
        main.iter().enumerate().filter(move |(_, c)| {
            c.name.starts_with(prefix)
                && matches!(
                    c.ty,
                    ColumnType::ListU32 | ColumnType::ListF64 | ColumnType::ListStr
                )
        })
    }

    /// The table's columns: the run keys, the item's position, one column per list column
    /// (same name, element type).
    pub fn columns(&self, main: &[Column]) -> Vec<Column> {
        let mut cols: Vec<Column> = DETAIL_KEYS
            .iter()
            .filter_map(|k| main.iter().find(|c| c.name == *k).cloned())
            .collect();
        cols.push(Column {
            name: self.index.into(),
            ty: ColumnType::U32,
            nullable: false,
            unit: "",
            doc: format!(
                "Position of the {} in its run's lists (0-based).",
                self.item
            ),
            label: format!("position of the {}", self.item),
        });
        cols.extend(self.lists(main).map(|(_, c)| Column {
            name: c.name.clone(),
            ty: match c.ty {
                ColumnType::ListU32 => ColumnType::U32,
                ColumnType::ListF64 => ColumnType::F64,
                _ => ColumnType::Str,
            },
            nullable: true,
            unit: c.unit,
            doc: c.doc.clone(),
            label: c.label.clone(),
        }));
        cols
    }

    /// One row per item of every run row (runs without items, failed ones included, give
    /// none), in run order then item order.
    pub fn rows(&self, main: &[Column], rows: &[Vec<Cell>]) -> Vec<Vec<Cell>> {
        let keys: Vec<usize> = DETAIL_KEYS
            .iter()
            .filter_map(|k| main.iter().position(|c| c.name == *k))
            .collect();
        let lists: Vec<usize> = self.lists(main).map(|(i, _)| i).collect();
        let len = |c: &Cell| match c {
            Cell::LU(v) => v.len(),
            Cell::LF(v) => v.len(),
            Cell::LS(v) => v.len(),
            _ => 0,
        };
        let mut out = Vec::new();
        for r in rows {
            let items = lists.iter().map(|&j| len(&r[j])).max().unwrap_or(0);
            for i in 0..items {
                let mut row: Vec<Cell> = keys.iter().map(|&k| r[k].clone()).collect();
                row.push(Cell::U(i as u64));
                row.extend(lists.iter().map(|&j| match &r[j] {
                    Cell::LU(v) => v.get(i).map_or(Cell::Null, |&x| Cell::U(u64::from(x))),
                    Cell::LF(v) => v.get(i).map_or(Cell::Null, |&x| Cell::F(x)),
                    Cell::LS(v) => v.get(i).map_or(Cell::Null, |x| Cell::S(x.clone())),
                    _ => Cell::Null,
                }));
                out.push(row);
            }
        }
        out
    }
}

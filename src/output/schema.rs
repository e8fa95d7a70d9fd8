//! The result table's columns: the engine's own, then the model's parameters, then its metrics.

use crate::spec::param::{Kind, ParamDef};

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
}

/// A metric column of a model, as a static definition.
#[derive(Clone, Copy, Debug)]
pub struct MetricDef {
    /// Column name.
    pub name: &'static str,
    /// Type.
    pub ty: ColumnType,
    /// Unit, or "".
    pub unit: &'static str,
    /// What it measures.
    pub doc: &'static str,
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

/// The engine's own columns, first in every table.
pub fn engine_columns() -> Vec<Column> {
    let c = |name: &str, ty, nullable, unit, doc: &str| Column {
        name: name.into(),
        ty,
        nullable,
        unit,
        doc: doc.into(),
    };
    vec![
        c(
            "run_index",
            ColumnType::U64,
            false,
            "",
            "Position of the run in the expanded plan (0-based).",
        ),
        c(
            "run_key",
            ColumnType::Str,
            false,
            "",
            "16 hex digits: hash of the resolved parameters and the replicate; the run's identity.",
        ),
        c(
            "replicate",
            ColumnType::U32,
            false,
            "",
            "Replicate index, 0-based.",
        ),
        c(
            "case",
            ColumnType::Str,
            false,
            "",
            "Name of the experiment file's [cases.NAME] table the run comes from (\"\" when the file has none).",
        ),
        c(
            "seed",
            ColumnType::U64,
            false,
            "",
            "The experiment's master seed; every stream is derived from (seed, key, purpose).",
        ),
        c(
            "status",
            ColumnType::Str,
            false,
            "",
            "\"ok\" or \"failed\".",
        ),
        c(
            "error",
            ColumnType::Str,
            true,
            "",
            "Why the run failed; null when it succeeded.",
        ),
        c(
            "wall_time_ms",
            ColumnType::F64,
            false,
            "ms",
            "Wall-clock time of the run. The only column that differs between repeats of the same spec.",
        ),
        c(
            "events",
            ColumnType::U64,
            true,
            "",
            "Events the discrete-event core processed.",
        ),
    ]
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
        Kind::NodeList => (ColumnType::Str, ""),
    };
    Column {
        name: p.column.into(),
        ty,
        nullable: false,
        unit,
        doc: format!("Parameter `{}`: {}", p.key, p.doc),
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
    }
}

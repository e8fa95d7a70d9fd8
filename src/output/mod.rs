//! Results on disk: Parquet part files (zstd) committed atomically and verifiably, and the
//! manifest.
//!
//! Layout: `<root>/<experiment>/plan=<hash>/part-NNNNN.parquet` with its commit record
//! `part-NNNNN.commit.json` ([`integrity`]) and `manifest.json`; a model's side table goes to
//! `<root>/<experiment>.<table>/plan=<hash>/`. The `plan=<hash>` level is a hive partition, so
//! polars, duckdb and pyarrow can select one plan by its `plan` key. A file is written to a
//! dot-prefixed temporary name (every reader's glob skips it), synced, then renamed, and the
//! directory is synced after the rename.
//!
//! Architecture invariant: `output` knows no model family and no spec semantics: it writes and
//! verifies the columns it is given; every file it commits is written to a temporary name,
//! synced and renamed.

pub mod integrity;

use crate::schema::{Cell, Column, ColumnType};
use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int64Builder, ListBuilder, StringBuilder, UInt32Builder,
    UInt64Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An I/O failure while writing results.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// A file system operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Arrow or Parquet refused the data.
    #[error("{path}: {message}")]
    Encode {
        /// The file being written.
        path: PathBuf,
        /// The cause.
        message: String,
    },
}

/// Maps an I/O error on `path` to [`OutputError::Io`].
pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The file name of part `i`.
pub fn part_name(i: usize) -> String {
    format!("part-{i:05}.parquet")
}

/// The Arrow schema of a column list.
pub fn arrow_schema(columns: &[Column]) -> Schema {
    Schema::new(
        columns
            .iter()
            .map(|c| {
                let dt = match c.ty {
                    ColumnType::U32 => DataType::UInt32,
                    ColumnType::U64 => DataType::UInt64,
                    ColumnType::I64 => DataType::Int64,
                    ColumnType::F64 => DataType::Float64,
                    ColumnType::Bool => DataType::Boolean,
                    ColumnType::Str => DataType::Utf8,
                    ColumnType::ListU32 => list_of(DataType::UInt32),
                    ColumnType::ListF64 => list_of(DataType::Float64),
                    ColumnType::ListStr => list_of(DataType::Utf8),
                };
                Field::new(c.name.clone(), dt, c.nullable)
            })
            .collect::<Vec<_>>(),
    )
}

/// A list type as Arrow's list builders make it (items named "item", nullable).
fn list_of(item: DataType) -> DataType {
    DataType::List(Arc::new(Field::new("item", item, true)))
}

fn column_array(col: &Column, rows: &[Vec<Cell>], j: usize) -> Result<ArrayRef, String> {
    let bad = |cell: &Cell| format!("column `{}` ({:?}) cannot hold {cell:?}", col.name, col.ty);
    macro_rules! build {
        ($builder:ty, $pat:pat => $val:expr) => {{
            let mut b = <$builder>::with_capacity(rows.len());
            for row in rows {
                match &row[j] {
                    Cell::Null => b.append_null(),
                    $pat => b.append_value($val),
                    other => return Err(bad(other)),
                }
            }
            Arc::new(b.finish()) as ArrayRef
        }};
    }
    macro_rules! build_list {
        ($inner:expr, $pat:pat => $xs:expr, $push:expr) => {{
            let mut b = ListBuilder::new($inner);
            for row in rows {
                match &row[j] {
                    Cell::Null => b.append_null(),
                    $pat => {
                        for x in $xs.iter() {
                            $push(b.values(), x);
                        }
                        b.append(true);
                    }
                    other => return Err(bad(other)),
                }
            }
            Arc::new(b.finish()) as ArrayRef
        }};
    }
    Ok(match col.ty {
        ColumnType::U32 => {
            build!(UInt32Builder, Cell::U(x) => u32::try_from(*x).map_err(|_| bad(&Cell::U(*x)))?)
        }
        ColumnType::U64 => build!(UInt64Builder, Cell::U(x) => *x),
        ColumnType::I64 => build!(Int64Builder, Cell::I(x) => *x),
        ColumnType::F64 => build!(Float64Builder, Cell::F(x) => *x),
        ColumnType::Bool => build!(BooleanBuilder, Cell::B(x) => *x),
        ColumnType::Str => {
            let mut b = StringBuilder::with_capacity(rows.len(), rows.len() * 16);
            for row in rows {
                match &row[j] {
                    Cell::Null => b.append_null(),
                    Cell::S(s) => b.append_value(s),
                    other => return Err(bad(other)),
                }
            }
            Arc::new(b.finish()) as ArrayRef
        }
        ColumnType::ListU32 => {
            build_list!(UInt32Builder::new(), Cell::LU(xs) => xs, |b: &mut UInt32Builder, x: &u32| b.append_value(*x))
        }
        ColumnType::ListF64 => {
            build_list!(Float64Builder::new(), Cell::LF(xs) => xs, |b: &mut Float64Builder, x: &f64| b.append_value(*x))
        }
        ColumnType::ListStr => {
            build_list!(StringBuilder::new(), Cell::LS(xs) => xs, |b: &mut StringBuilder, x: &String| b.append_value(x))
        }
    })
}

/// [`write_part`] to a file path (its directory, `.` when it has none, and its name).
pub fn write_parquet_at(
    path: &Path,
    columns: &[Column],
    rows: &[Vec<Cell>],
    metadata: &[(String, String)],
) -> Result<PathBuf, OutputError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    write_part(dir, &name, columns, rows, metadata)
}

/// Writes `rows` as one Parquet file at `dir/name`, atomically: a dot-prefixed temporary file
/// is written, synced and renamed. `metadata` goes into the footer's key/value pairs.
pub fn write_part(
    dir: &Path,
    name: &str,
    columns: &[Column],
    rows: &[Vec<Cell>],
    metadata: &[(String, String)],
) -> Result<PathBuf, OutputError> {
    let final_path = dir.join(name);
    let bytes = encode_part(columns, rows, metadata).map_err(|message| OutputError::Encode {
        path: final_path.clone(),
        message,
    })?;
    write_atomic(&final_path, bytes)?;
    Ok(final_path)
}

/// The temporary name of a file being written: dot-prefixed (every reader's `*.parquet` glob
/// skips it) and unique to the process, so two invocations that race on the same file (a
/// requeued Slurm task beside its predecessor) never write into each other's bytes.
fn temp_path(final_path: &Path) -> PathBuf {
    let name = final_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    final_path.with_file_name(format!(".{name}.{}.inprogress", std::process::id()))
}

/// The final name a temporary file stands for (`.part-00003.parquet.1234.inprogress` gives
/// `part-00003.parquet`), or `None` when `name` is not one of chainlab's temporary names.
pub fn temp_target(name: &str) -> Option<&str> {
    let rest = name.strip_prefix('.')?.strip_suffix(".inprogress")?;
    let (target, pid) = rest.rsplit_once('.')?;
    pid.bytes().all(|b| b.is_ascii_digit()).then_some(target)
}

/// Makes a rename durable: syncs the directory that holds the renamed file (best effort; not
/// every file system lets a directory be opened for sync).
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent()
        && let Ok(d) = File::open(dir)
    {
        let _ = d.sync_all();
    }
}

/// Encodes `rows` as the bytes of one Parquet file (zstd level 3, `metadata` in the footer).
pub fn encode_part(
    columns: &[Column],
    rows: &[Vec<Cell>],
    metadata: &[(String, String)],
) -> Result<Vec<u8>, String> {
    let schema = Arc::new(arrow_schema(columns));
    let arrays = (0..columns.len())
        .map(|j| column_array(&columns[j], rows, j))
        .collect::<Result<Vec<_>, _>>()?;
    let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(|e| e.to_string())?;
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).expect("zstd level 3 is valid"),
        ))
        .set_created_by(format!("chainlab {}", env!("CARGO_PKG_VERSION")))
        .set_key_value_metadata(Some(
            metadata
                .iter()
                .map(|(k, v)| KeyValue::new(k.clone(), v.clone()))
                .collect(),
        ))
        .build();
    let mut w = ArrowWriter::try_new(Vec::new(), schema, Some(props)).map_err(|e| e.to_string())?;
    w.write(&batch).map_err(|e| e.to_string())?;
    w.into_inner().map_err(|e| e.to_string())
}

/// Writes `data` (text or bytes) to `path` atomically (temporary file, sync, rename).
pub fn write_atomic(path: &Path, data: impl AsRef<[u8]>) -> Result<(), OutputError> {
    let tmp = temp_path(path);
    let result = File::create(&tmp)
        .and_then(|mut f| {
            f.write_all(data.as_ref())?;
            f.sync_all()
        })
        .map_err(io(&tmp))
        .and_then(|()| fs::rename(&tmp, path).map_err(io(path)));
    if result.is_err() {
        // A full disk or a refused write leaves no temporary file behind.
        let _ = fs::remove_file(&tmp);
    } else {
        sync_dir(path);
    }
    result
}

/// Reads a part file back into rows of cells, in the column order of `columns` (which must be
/// the columns it was written with): what `--retry-failed` keeps of a part while it re-runs
/// the part's failed runs.
pub fn read_part(path: &Path, columns: &[Column]) -> Result<Vec<Vec<Cell>>, OutputError> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type, UInt32Type, UInt64Type};
    use arrow_array::{Array, ListArray};
    let bad = |message: String| OutputError::Encode {
        path: path.to_path_buf(),
        message,
    };
    let mut rows = Vec::new();
    for batch in read_batches(path, None)? {
        if batch.num_columns() != columns.len() {
            return Err(bad(format!(
                "{} columns, expected {}",
                batch.num_columns(),
                columns.len()
            )));
        }
        let first = rows.len();
        rows.extend((0..batch.num_rows()).map(|_| Vec::with_capacity(columns.len())));
        for (j, col) in columns.iter().enumerate() {
            let a = batch.column(j);
            if batch.schema().field(j).name() != &col.name {
                return Err(bad(format!(
                    "column {j} is `{}`, expected `{}`",
                    batch.schema().field(j).name(),
                    col.name
                )));
            }
            let list = |i: usize| -> Option<ArrayRef> {
                let l: &ListArray = a.as_list::<i32>();
                (!l.is_null(i)).then(|| l.value(i))
            };
            for i in 0..batch.num_rows() {
                let cell = if a.is_null(i) {
                    Cell::Null
                } else {
                    match col.ty {
                        ColumnType::U32 => Cell::U(a.as_primitive::<UInt32Type>().value(i).into()),
                        ColumnType::U64 => Cell::U(a.as_primitive::<UInt64Type>().value(i)),
                        ColumnType::I64 => Cell::I(a.as_primitive::<Int64Type>().value(i)),
                        ColumnType::F64 => Cell::F(a.as_primitive::<Float64Type>().value(i)),
                        ColumnType::Bool => Cell::B(a.as_boolean().value(i)),
                        ColumnType::Str => Cell::S(a.as_string::<i32>().value(i).to_string()),
                        ColumnType::ListU32 => Cell::LU(
                            list(i)
                                .map(|v| v.as_primitive::<UInt32Type>().values().to_vec())
                                .unwrap_or_default(),
                        ),
                        ColumnType::ListF64 => Cell::LF(
                            list(i)
                                .map(|v| v.as_primitive::<Float64Type>().values().to_vec())
                                .unwrap_or_default(),
                        ),
                        ColumnType::ListStr => Cell::LS(
                            list(i)
                                .map(|v| {
                                    let s = v.as_string::<i32>();
                                    (0..s.len()).map(|k| s.value(k).to_string()).collect()
                                })
                                .unwrap_or_default(),
                        ),
                    }
                };
                rows[first + i].push(cell);
            }
        }
    }
    Ok(rows)
}

/// Every record batch of a Parquet file, or only column `only` of it.
fn read_batches(path: &Path, only: Option<&str>) -> Result<Vec<RecordBatch>, OutputError> {
    use parquet::arrow::ProjectionMask;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let bad = |e: &dyn std::fmt::Display| OutputError::Encode {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let file = File::open(path).map_err(io(path))?;
    let mut builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| bad(&e))?;
    if let Some(name) = only {
        let mask = ProjectionMask::columns(builder.parquet_schema(), [name]);
        builder = builder.with_projection(mask);
    }
    builder
        .build()
        .map_err(|e| bad(&e))?
        .map(|b| b.map_err(|e| bad(&e)))
        .collect()
}

/// What identifies a part file: its footer's key/value pairs and, for a run part (`runs`),
/// its `run_key` and `status` columns.
#[allow(clippy::type_complexity)]
pub(crate) fn read_identity(
    path: &Path,
    runs: bool,
) -> Result<(Vec<(String, String)>, Vec<String>, Vec<String>), OutputError> {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use parquet::arrow::ProjectionMask;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let bad = |e: &dyn std::fmt::Display| OutputError::Encode {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let file = File::open(path).map_err(io(path))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| bad(&e))?;
    let footer: Vec<(String, String)> = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .map(|kv| {
            kv.iter()
                .map(|k| (k.key.clone(), k.value.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    let (mut keys, mut statuses) = (Vec::new(), Vec::new());
    if runs {
        let mask = ProjectionMask::columns(builder.parquet_schema(), ["run_key", "status"]);
        for batch in builder.with_projection(mask).build().map_err(|e| bad(&e))? {
            let batch = batch.map_err(|e| bad(&e))?;
            for (name, out) in [("run_key", &mut keys), ("status", &mut statuses)] {
                let col = batch
                    .column_by_name(name)
                    .ok_or_else(|| bad(&format!("no `{name}` column")))?;
                let s = col
                    .as_string_opt::<i32>()
                    .ok_or_else(|| bad(&format!("`{name}` is not a string column")))?;
                out.extend((0..s.len()).map(|i| s.value(i).to_string()));
            }
        }
    }
    Ok((footer, keys, statuses))
}

/// The `status` column of a part file ("ok" or "failed" per run), read alone.
pub fn read_statuses(path: &Path) -> Result<Vec<String>, OutputError> {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    let mut out = Vec::new();
    for batch in read_batches(path, Some("status"))? {
        let col = batch
            .column_by_name("status")
            .ok_or_else(|| OutputError::Encode {
                path: path.to_path_buf(),
                message: "no `status` column".into(),
            })?;
        let s = col.as_string::<i32>();
        out.extend((0..s.len()).map(|i| s.value(i).to_string()));
    }
    Ok(out)
}

/// Creates a directory and its parents.
pub fn create_dir(path: &Path) -> Result<(), OutputError> {
    fs::create_dir_all(path).map_err(io(path))
}

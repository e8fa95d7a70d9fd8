//! Verifiable commits. Every part is committed with a record, `part-NNNNN.commit.json`, that
//! names its plan, its position, its row count, the run key of every row and, for each of its
//! files (the run part and any side table of the model, such as management's configuration
//! blocks), the byte count and SHA-256 of the bytes written. The record is written (atomically)
//! before the run part is renamed into place, so a run part that exists always has one.
//!
//! [`verify_part`] is what `chainlab run` (before it skips a part), `status` and `plot` apply:
//! the record must be readable and belong to the expected plan and part, every file must be
//! present with the recorded size and checksum, and the run part's Parquet footer and
//! `run_key` column must say the same. A part that fails is [`quarantine`]d (moved aside under
//! `damaged/`, with a note of why; never deleted) and run again.
//!
//! This module knows files and hashes, not models or plans.

use super::{OutputError, io, part_name};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

/// The table name of the run rows in a record (side tables use the model's table name).
pub const RUNS: &str = "runs";

/// The commit record's file name of part `i`.
pub fn record_name(i: usize) -> String {
    format!("part-{i:05}.commit.json")
}

/// One file of a committed part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// [`RUNS`], or the side table's name (its directory is `<experiment>.<table>`).
    pub table: String,
    /// Bytes written.
    pub bytes: u64,
    /// SHA-256 of those bytes, lower-case hex.
    pub sha256: String,
}

/// What a part's commit record holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartRecord {
    /// The plan hash (16 hex digits).
    pub plan_hash: String,
    /// The part's index.
    pub part: usize,
    /// The plan's part count.
    pub parts: usize,
    /// Rows in the run part.
    pub rows: usize,
    /// The run key of every row, in row order (16 hex digits each).
    pub run_keys: Vec<String>,
    /// The run part first, then the side tables.
    pub files: Vec<FileRecord>,
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The directory of side table `table` beside plan directory `plan_dir`
/// (`<root>/<experiment>/plan=<hash>` gives `<root>/<experiment>.<table>/plan=<hash>`), so that
/// a glob over the experiment's directory reads run rows only.
pub fn side_table_dir(plan_dir: &Path, table: &str) -> PathBuf {
    let plan = plan_dir.file_name().unwrap_or_default();
    let experiment_dir = plan_dir.parent().unwrap_or(Path::new(""));
    let experiment = experiment_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    experiment_dir
        .parent()
        .unwrap_or(Path::new(""))
        .join(format!("{experiment}.{table}"))
        .join(plan)
}

/// Where the file of `table` of part `part` lives.
pub fn table_path(plan_dir: &Path, table: &str, part: usize) -> PathBuf {
    if table == RUNS {
        plan_dir.join(part_name(part))
    } else {
        side_table_dir(plan_dir, table).join(part_name(part))
    }
}

/// What the verifier expects of a part.
#[derive(Clone, Copy, Debug)]
pub struct Expected<'a> {
    /// The plan hash.
    pub plan_hash: &'a str,
    /// The part's index.
    pub part: usize,
    /// The plan's part count.
    pub parts: usize,
    /// Rows (runs) in the part.
    pub rows: usize,
    /// Every run key of the part, in order, when the caller knows the plan; otherwise the
    /// first one (the manifest's part key).
    pub run_keys: Keys<'a>,
    /// Side tables the model writes with each part.
    pub tables: &'a [&'a str],
}

/// The run keys a verifier can check.
#[derive(Clone, Copy, Debug)]
pub enum Keys<'a> {
    /// Every key, in row order.
    All(&'a [String]),
    /// The first key only.
    First(&'a str),
}

/// Why a committed part is not trusted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Damage {
    /// The run part exists but its commit record does not.
    #[error(
        "no commit record {0} (a part copied in from elsewhere, or written by a chainlab before 0.2)"
    )]
    NoRecord(String),
    /// The commit record cannot be read.
    #[error("commit record unreadable: {0}")]
    BadRecord(String),
    /// The part (record or footer) belongs to another plan or position.
    #[error("belongs to {found}, not to plan {expected} part {part}")]
    Foreign {
        /// What the part says it is.
        found: String,
        /// The expected plan hash.
        expected: String,
        /// The expected part.
        part: usize,
    },
    /// The row count differs from the plan's.
    #[error("{found} rows, the plan's part has {expected}")]
    Rows {
        /// Rows found.
        found: usize,
        /// Rows expected.
        expected: usize,
    },
    /// The run keys differ from the plan's.
    #[error("its run keys are not the plan's (row {row}: {found}, expected {expected})")]
    Keys {
        /// First differing row.
        row: usize,
        /// The key found.
        found: String,
        /// The key expected.
        expected: String,
    },
    /// A file of the part is missing.
    #[error("{table} file {path} is missing")]
    Missing {
        /// Its table.
        table: String,
        /// Its path.
        path: PathBuf,
    },
    /// A file's bytes differ from those committed.
    #[error(
        "{table} file {path} is damaged: {found} bytes with SHA-256 {found_sha:.12}..., committed {bytes} bytes with {sha:.12}..."
    )]
    Checksum {
        /// Its table.
        table: String,
        /// Its path.
        path: PathBuf,
        /// Bytes found.
        found: u64,
        /// Checksum found.
        found_sha: String,
        /// Bytes committed.
        bytes: u64,
        /// Checksum committed.
        sha: String,
    },
    /// The file is not a Parquet file chainlab can read (checked after the checksum).
    #[error("{path} is unreadable: {message}")]
    Unreadable {
        /// Its path.
        path: PathBuf,
        /// The reader's complaint.
        message: String,
    },
}

/// A verified part: its rows' `status` values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// "ok" or "failed", per row.
    pub statuses: Vec<String>,
}

/// The bytes of `path`, or the damage of a missing file.
fn read_file(path: &Path, table: &str) -> Result<Vec<u8>, Damage> {
    fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Damage::Missing {
            table: table.into(),
            path: path.to_path_buf(),
        },
        _ => Damage::Unreadable {
            path: path.to_path_buf(),
            message: e.to_string(),
        },
    })
}

/// Checks committed part `e.part` of the plan directory `plan_dir` (whose run part exists).
pub fn verify_part(plan_dir: &Path, e: &Expected<'_>) -> Result<Verified, Damage> {
    let record_path = plan_dir.join(record_name(e.part));
    let text = match fs::read_to_string(&record_path) {
        Ok(t) => t,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(Damage::NoRecord(record_name(e.part)));
        }
        Err(err) => return Err(Damage::BadRecord(err.to_string())),
    };
    let rec: PartRecord =
        serde_json::from_str(&text).map_err(|err| Damage::BadRecord(err.to_string()))?;
    let foreign = |found: String| Damage::Foreign {
        found,
        expected: e.plan_hash.into(),
        part: e.part,
    };
    if rec.plan_hash != e.plan_hash || rec.part != e.part || rec.parts != e.parts {
        return Err(foreign(format!(
            "plan {} part {} of {}",
            rec.plan_hash, rec.part, rec.parts
        )));
    }
    if rec.rows != e.rows || rec.run_keys.len() != e.rows {
        return Err(Damage::Rows {
            found: rec.rows,
            expected: e.rows,
        });
    }
    check_keys(&rec.run_keys, e.run_keys)?;
    let tables: Vec<&str> = rec.files.iter().map(|f| f.table.as_str()).collect();
    let mut wanted = vec![RUNS];
    wanted.extend_from_slice(e.tables);
    if tables != wanted {
        return Err(Damage::BadRecord(format!(
            "it lists the tables {tables:?}, the model writes {wanted:?}"
        )));
    }
    let mut statuses = Vec::new();
    for f in &rec.files {
        let path = table_path(plan_dir, &f.table, e.part);
        let bytes = read_file(&path, &f.table)?;
        let sha = sha256_hex(&bytes);
        if bytes.len() as u64 != f.bytes || sha != f.sha256 {
            return Err(Damage::Checksum {
                table: f.table.clone(),
                path,
                found: bytes.len() as u64,
                found_sha: sha,
                bytes: f.bytes,
                sha: f.sha256.clone(),
            });
        }
        // The checksum proves the bytes are those written; the footer proves what was written
        // is this plan's part (a record and part copied together from another plan fail above).
        let (footer, keys, st) =
            super::read_identity(&path, f.table == RUNS).map_err(|err| Damage::Unreadable {
                path: path.clone(),
                message: err.to_string(),
            })?;
        let plan = footer
            .iter()
            .find(|(k, _)| k == "chainlab.plan_hash")
            .map(|(_, v)| v.as_str());
        let part = footer
            .iter()
            .find(|(k, _)| k == "chainlab.part")
            .map(|(_, v)| v.as_str());
        let want_part = format!("{} of {}", e.part, e.parts);
        if plan != Some(e.plan_hash) || part != Some(want_part.as_str()) {
            return Err(foreign(format!(
                "plan {} part {} (its Parquet footer)",
                plan.unwrap_or("?"),
                part.unwrap_or("?")
            )));
        }
        if f.table == RUNS {
            if keys.len() != rec.rows {
                return Err(Damage::Rows {
                    found: keys.len(),
                    expected: rec.rows,
                });
            }
            check_keys(&keys, Keys::All(&rec.run_keys))?;
            statuses = st;
        }
    }
    Ok(Verified { statuses })
}

fn check_keys(found: &[String], want: Keys<'_>) -> Result<(), Damage> {
    let mismatch = |row: usize, f: &str, x: &str| Damage::Keys {
        row,
        found: f.into(),
        expected: x.into(),
    };
    match want {
        Keys::All(all) => {
            if let Some(row) = (0..found.len().max(all.len()))
                .find(|&i| found.get(i).map(String::as_str) != all.get(i).map(String::as_str))
            {
                return Err(mismatch(
                    row,
                    found.get(row).map_or("none", |s| s.as_str()),
                    all.get(row).map_or("none", |s| s.as_str()),
                ));
            }
        }
        Keys::First(first) => {
            if found.first().map(String::as_str) != Some(first) {
                return Err(mismatch(
                    0,
                    found.first().map_or("none", |s| s.as_str()),
                    first,
                ));
            }
        }
    }
    Ok(())
}

/// Moves every file of part `part` that exists (run part, commit record, side-table parts)
/// into a `damaged/` directory beside it, as `<name>.<k>.damaged` with the first free `k`, and
/// writes `<name>.<k>.why.txt` with `why`. Returns the new paths. The names do not end in
/// `.parquet`, so no reader's glob picks them up.
pub fn quarantine(
    plan_dir: &Path,
    part: usize,
    tables: &[&str],
    why: &str,
) -> Result<Vec<PathBuf>, OutputError> {
    let mut files = vec![
        plan_dir.join(part_name(part)),
        plan_dir.join(record_name(part)),
    ];
    files.extend(tables.iter().map(|t| table_path(plan_dir, t, part)));
    let mut moved = Vec::new();
    for f in files.into_iter().filter(|f| f.exists()) {
        let dir = f.parent().unwrap_or(Path::new(".")).join("damaged");
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let k = (1..)
            .find(|k| !dir.join(format!("{name}.{k}.damaged")).exists())
            .expect("a free number");
        let to = dir.join(format!("{name}.{k}.damaged"));
        fs::rename(&f, &to).map_err(io(&f))?;
        super::write_atomic(&dir.join(format!("{name}.{k}.why.txt")), format!("{why}\n"))?;
        moved.push(to);
    }
    Ok(moved)
}

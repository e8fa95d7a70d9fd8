//! What a results directory holds: per plan, which parts are committed and verified, which
//! runs failed, what is missing or damaged, per shard and overall. Read from the part files
//! and their commit records (the ground truth, checked as `run` checks them before it skips a
//! part) and the plan's manifest (plan hash, part sizes and keys, side tables).

use super::shard;
use crate::output::{self, OutputError, integrity, part_name};
use std::path::{Path, PathBuf};

/// The state of one part.
#[derive(Clone, Debug, PartialEq)]
pub enum PartState {
    /// No committed file.
    Missing,
    /// Committed, with this many failed runs.
    Done {
        /// Runs whose status is not "ok".
        failed: usize,
    },
    /// A committed part that fails verification (unreadable, foreign, short, or its checksum
    /// differs); `run` moves it aside and runs it again.
    Damaged(String),
}

/// One part of a plan.
#[derive(Clone, Debug, PartialEq)]
pub struct PartStatus {
    /// Part index.
    pub index: usize,
    /// Runs in the part.
    pub runs: usize,
    /// The part's shard under the shard count in use.
    pub shard: u32,
    /// Its state.
    pub state: PartState,
}

/// One plan directory.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanStatus {
    /// The directory.
    pub dir: PathBuf,
    /// Experiment name.
    pub experiment: String,
    /// Runs in the plan.
    pub total_runs: usize,
    /// Shard count used for the per-shard view (1 when unsharded).
    pub shards: u32,
    /// Other shard counts seen in shard manifests (a sweep resubmitted with another split).
    pub other_shard_counts: Vec<u32>,
    /// Every part.
    pub parts: Vec<PartStatus>,
    /// Temporary files left by killed writers (never read as results).
    pub stray_temp_files: usize,
    /// The manifests that could not be used (garbled, foreign), each with why; the status was
    /// read from the next one (a shard's).
    pub unusable_manifests: Vec<String>,
    /// The manifest's status ("queued" when `chainlab slurm` wrote the script and no task has
    /// started, "running", "complete", ...).
    pub manifest_status: String,
}

/// Totals over a set of parts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Parts.
    pub parts: usize,
    /// Runs.
    pub runs: usize,
    /// Runs with a row (ok or failed).
    pub done: usize,
    /// Runs with a failed row.
    pub failed: usize,
    /// Runs without a row.
    pub missing: usize,
    /// Parts that fail verification (their runs count as missing too).
    pub damaged: usize,
}

impl PlanStatus {
    /// Totals of the parts of shard `shard`, or of all parts.
    pub fn counts(&self, shard: Option<u32>) -> Counts {
        let mut c = Counts::default();
        for p in self
            .parts
            .iter()
            .filter(|p| shard.is_none_or(|s| p.shard == s))
        {
            c.parts += 1;
            c.runs += p.runs;
            match &p.state {
                PartState::Missing => c.missing += p.runs,
                PartState::Done { failed } => {
                    c.done += p.runs;
                    c.failed += failed;
                }
                PartState::Damaged(_) => {
                    c.damaged += 1;
                    c.missing += p.runs;
                }
            }
        }
        c
    }
}

fn bad(path: &Path, message: impl Into<String>) -> OutputError {
    OutputError::Encode {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Every plan directory at or below `root` (a directory holding a `manifest.json` or a shard
/// manifest), sorted by path.
pub fn find_plans(root: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(output::io(&d))?;
        let mut is_plan = false;
        for e in entries.flatten() {
            let path = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                stack.push(path);
            } else if name == "manifest.json"
                || (name.starts_with("manifest.shard-") && name.ends_with(".json"))
            {
                is_plan = true;
            }
        }
        if is_plan {
            found.push(d);
        }
    }
    found.sort();
    Ok(found)
}

fn shard_count_of(name: &str) -> Option<u32> {
    name.strip_prefix("manifest.shard-")?
        .strip_suffix(".json")?
        .split_once("-of-")?
        .1
        .parse()
        .ok()
}

/// The status of one plan directory. `shards` fixes the shard count of the per-shard view;
/// without it, the count of the shard manifests found is used (the largest, if the sweep
/// was run with several), else 1.
pub fn plan_status(dir: &Path, shards: Option<u32>) -> Result<PlanStatus, OutputError> {
    let mut manifests = Vec::new();
    let mut counts_seen = Vec::new();
    let mut stray = 0;
    for e in std::fs::read_dir(dir).map_err(output::io(dir))?.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name == "manifest.json" {
            manifests.insert(0, e.path());
        } else if let Some(n) = shard_count_of(&name) {
            manifests.push(e.path());
            counts_seen.push(n);
        } else if name.starts_with('.') && name.ends_with(".inprogress") {
            stray += 1;
        }
    }
    if manifests.is_empty() {
        return Err(bad(dir, "no manifest.json: not a chainlab plan directory"));
    }
    // The first manifest that reads whole and belongs to this directory's plan; a garbled or
    // foreign one is reported and the next (a shard's) tried.
    let own_hash = dir
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix("plan="))
        .map(str::to_string);
    let mut unusable = Vec::new();
    let mut found = None;
    for path in &manifests {
        match read_manifest(path, own_hash.as_deref()) {
            Ok(m) => {
                found = Some(m);
                break;
            }
            Err(why) => unusable.push(format!("{}: {why}", path.display())),
        }
    }
    let Some(Manifest {
        m,
        total_runs,
        per_part,
        keys,
        plan_hash,
    }) = found
    else {
        return Err(bad(
            dir,
            format!(
                "no usable manifest ({}); the runs cannot be counted without one: the same `chainlab run` command that made the plan rebuilds it from the verified parts",
                unusable.join("; ")
            ),
        ));
    };
    let experiment = m["experiment"].as_str().unwrap_or("?").to_string();
    counts_seen.sort_unstable();
    counts_seen.dedup();
    let n = shards.or(counts_seen.last().copied()).unwrap_or(1).max(1);
    let other_shard_counts = counts_seen.into_iter().filter(|&c| c != n).collect();
    let assignment = shard::assign(&keys, n);
    let tables: Vec<String> = m["side_tables"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let tables: Vec<&str> = tables.iter().map(String::as_str).collect();
    let key_hex: Vec<String> = keys.iter().map(|k| format!("{k:016x}")).collect();
    let parts = (0..keys.len())
        .map(|i| {
            let runs = per_part.min(total_runs - i * per_part);
            let path = dir.join(part_name(i));
            let state = if !path.is_file() {
                PartState::Missing
            } else {
                let expected = integrity::Expected {
                    plan_hash: &plan_hash,
                    part: i,
                    parts: keys.len(),
                    rows: runs,
                    run_keys: integrity::Keys::First(&key_hex[i]),
                    tables: &tables,
                };
                match integrity::verify_part(dir, &expected) {
                    Ok(v) => PartState::Done {
                        failed: v.statuses.iter().filter(|x| *x != "ok").count(),
                    },
                    Err(e) => PartState::Damaged(e.to_string()),
                }
            };
            PartStatus {
                index: i,
                runs,
                shard: assignment[i],
                state,
            }
        })
        .collect();
    Ok(PlanStatus {
        dir: dir.to_path_buf(),
        experiment,
        total_runs,
        shards: n,
        other_shard_counts,
        parts,
        stray_temp_files: stray,
        manifest_status: m["status"].as_str().unwrap_or("?").to_string(),
        unusable_manifests: unusable,
    })
}

/// What a plan's status needs of a manifest.
struct Manifest {
    m: serde_json::Value,
    total_runs: usize,
    per_part: usize,
    keys: Vec<u64>,
    plan_hash: String,
}

/// Reads the manifest at `path`, which must belong to plan `own_hash` (the directory's, when
/// it is named `plan=<hash>`); why not, if it cannot be used.
fn read_manifest(path: &Path, own_hash: Option<&str>) -> Result<Manifest, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("unreadable: {e}"))?;
    let m: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("garbled, not a manifest: {e}"))?;
    let total_runs = m["total_runs"]
        .as_u64()
        .ok_or("no total_runs (written by an older chainlab?)")? as usize;
    let per_part = m["runs_per_part"]
        .as_u64()
        .filter(|&r| r >= 1)
        .ok_or("no runs_per_part")? as usize;
    let keys: Vec<u64> = m["part_keys"]
        .as_array()
        .ok_or("no part_keys")?
        .iter()
        .map(|k| k.as_str().and_then(|s| u64::from_str_radix(s, 16).ok()))
        .collect::<Option<_>>()
        .ok_or("part_keys holds a value that is not a hex key")?;
    if keys.len() != total_runs.div_ceil(per_part) {
        return Err("part_keys does not match total_runs / runs_per_part".into());
    }
    let plan_hash = m["plan_hash"].as_str().ok_or("no plan_hash")?.to_string();
    if let Some(own) = own_hash.filter(|own| *own != plan_hash) {
        return Err(format!(
            "foreign: it belongs to plan {plan_hash}, not to this directory's plan {own}"
        ));
    }
    Ok(Manifest {
        m,
        total_runs,
        per_part,
        keys,
        plan_hash,
    })
}

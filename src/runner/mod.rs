//! Executing a [`Plan`]: rayon across runs (one run, one thread), parts committed as soon as
//! their last run finishes, resume by skipping committed parts, progress reported to the
//! caller ([`Progress`]; the runner prints nothing), a manifest.
//!
//! Rows never depend on `--jobs` or on completion order: a part's rows are sorted by plan
//! position before it is written, and each run draws only from streams derived from
//! (master seed, run key, purpose). The single exception is `wall_time_ms`.
//!
//! `execute_with` orchestrates; `schedule` decides what is left to do (verifying, quarantining,
//! `--retry-failed`) and how many threads to use, `sweep` runs it (claims, rows, the commit of
//! each completed part), `shard` deals parts to shards and `status`
//! reads a results directory. Architecture invariant: the runner knows no model family; it
//! calls [`crate::model::Model`] and writes what the family's columns say.

mod schedule;
pub mod shard;
pub mod status;
mod sweep;

use crate::model::{Model, RunOutput, Workspace};
use crate::output::{self, OutputError, integrity, part_name};
use crate::rng::RunSeeds;
use crate::schema::param::Value;
use crate::schema::{Cell, Column, EngineRow, engine_row};
use crate::spec::{Plan, RunSpec};
use rayon::prelude::*;
pub use shard::Shard;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// How to execute a plan.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Worker threads; `None` means all cores.
    pub jobs: Option<usize>,
    /// The results root (`results/` by default).
    pub out_root: PathBuf,
    /// Where the runner reports progress (the CLI draws a bar); `None` reports nothing.
    pub progress: Option<Arc<dyn Progress>>,
    /// Run only this shard's parts (all parts when `None`).
    pub shard: Option<Shard>,
    /// Re-run the failed runs of committed parts (their parts are rewritten atomically with
    /// the new rows; the rows of runs that succeeded are kept as they are).
    pub retry_failed: bool,
    /// Counters the caller may read while the plan runs (for a message on interruption).
    pub tally: Option<std::sync::Arc<Tally>>,
    /// Where messages for the user go (a damaged part moved aside, stale files removed, a
    /// capped `--jobs`); the CLI prints them on stderr. `None` drops them.
    pub notify: Option<fn(&str)>,
}

impl Default for RunOptions {
    /// All cores, `results/`, no progress bar, every part, no retries.
    fn default() -> Self {
        RunOptions {
            jobs: None,
            out_root: PathBuf::from("results"),
            progress: None,
            shard: None,
            retry_failed: false,
            tally: None,
            notify: None,
        }
    }
}

/// What the runner reports while a plan runs, for a caller that shows progress (the CLI's
/// bar). The runner itself prints nothing. Calls come from the worker threads.
pub trait Progress: Send + Sync + std::fmt::Debug {
    /// The sweep starts: `to_run` runs to execute here, `skipped` done before.
    fn start(&self, to_run: usize, skipped: usize);
    /// One more run is done (here, or left to another process); `failed` runs of this sweep
    /// have failed so far.
    fn advance(&self, failed: usize);
    /// The sweep is over (called once, after the last run).
    fn finish(&self);
}

/// Facts about the build and the machine, recorded in the manifest.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// `git rev-parse HEAD` of the working directory, or "unknown".
    pub git_commit: String,
    /// The host name.
    pub host: String,
    /// `rustc --version` of the compiler that built this binary (recorded at build time), or
    /// "unknown".
    pub rustc: String,
}

/// What an execution did.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// The plan's results directory.
    pub dir: PathBuf,
    /// Runs in the plan (in this shard's parts, when sharded).
    pub total: usize,
    /// Runs in the whole plan.
    pub plan_total: usize,
    /// Failed runs of committed parts that were run again (`--retry-failed`).
    pub retried: usize,
    /// Runs executed now.
    pub executed: usize,
    /// Runs skipped because their part was already committed (and verified).
    pub skipped: usize,
    /// Parts found damaged, moved aside and run again.
    pub repaired: Vec<usize>,
    /// Runs left to another process that held their part.
    pub elsewhere: usize,
    /// Runs executed now that failed (recorded with their error).
    pub failed: usize,
    /// Events processed by the runs executed now.
    pub events: u64,
    /// Wall time of the execution, seconds.
    pub wall_s: f64,
}

/// `<root>/<experiment>/plan=<hash>`: a hive partition, so that readers select a plan by its
/// `plan` key.
pub fn plan_dir(root: &Path, plan: &Plan) -> PathBuf {
    root.join(&plan.name)
        .join(format!("plan={}", plan.hash_hex()))
}

/// The manifest this invocation writes: `manifest.json`, or one per shard
/// (`manifest.shard-I-of-N.json`), so concurrent shards never overwrite each other's record.
pub fn manifest_name(shard: Option<Shard>) -> String {
    match shard {
        None => "manifest.json".into(),
        Some(s) => format!("manifest.shard-{}-of-{}.json", s.index, s.count),
    }
}

/// The side tables a model writes with each part (management's configuration blocks).
fn side_tables(plan: &Plan) -> Vec<&'static str> {
    plan.model.details().iter().map(|d| d.name).collect()
}

/// What a part's files say, checked against the plan.
#[derive(Clone, Debug, PartialEq)]
pub enum PartCheck {
    /// No run part: the part is to run.
    Missing,
    /// Committed and verified; the rows' statuses.
    Verified(integrity::Verified),
    /// A run part exists but cannot be trusted: it is moved aside and run again.
    Damaged(integrity::Damage),
}

/// Checks every part of `plan` under its directory `dir` (nothing is changed on disk).
pub fn check_parts(plan: &Plan, dir: &Path) -> Vec<PartCheck> {
    (0..plan.part_count())
        .map(|p| check_parts_one(plan, dir, p))
        .collect()
}

/// Checks part `p` of `plan` under `dir`.
fn check_parts_one(plan: &Plan, dir: &Path, p: usize) -> PartCheck {
    if !dir.join(part_name(p)).is_file() {
        return PartCheck::Missing;
    }
    let tables = side_tables(plan);
    let hash = plan.hash_hex();
    let keys: Vec<String> = plan
        .part(p)
        .map(|i| format!("{:016x}", plan.runs.run_key(i)))
        .collect();
    let expected = integrity::Expected {
        plan_hash: &hash,
        part: p,
        parts: plan.part_count(),
        rows: keys.len(),
        run_keys: integrity::Keys::All(&keys),
        tables: &tables,
    };
    match integrity::verify_part(dir, &expected) {
        Ok(v) => PartCheck::Verified(v),
        Err(d) => PartCheck::Damaged(d),
    }
}

/// `--jobs` is capped at this many threads per core (more only adds switching and memory).
pub const MAX_JOBS_PER_CORE: usize = 8;

/// The footer key/value metadata of every part (deterministic: no times, no hosts).
pub fn footer(plan: &Plan, part: usize) -> Vec<(String, String)> {
    vec![
        ("chainlab.experiment".into(), plan.name.clone()),
        ("chainlab.plan_hash".into(), plan.hash_hex()),
        ("chainlab.master_seed".into(), plan.master_seed.to_string()),
        ("chainlab.model".into(), plan.model.version().into()),
        ("chainlab.version".into(), env!("CARGO_PKG_VERSION").into()),
        (
            "chainlab.rng".into(),
            "xoshiro256++/splitmix-counter-v1".into(),
        ),
        (
            "chainlab.part".into(),
            format!("{part} of {}", plan.part_count()),
        ),
        ("chainlab.zstd_level".into(), "3".into()),
    ]
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "the run panicked".into()
    }
}

/// The function that simulates one run: [`Model::run`] in production; tests may inject
/// another (for example one that fails) through [`execute_with`].
pub type RunFn<'a> = dyn Fn(&RunSpec, RunSeeds, &mut Workspace) -> RunOutput + Sync + 'a;

/// Executes one run and returns its row. A panic inside the model becomes a failed row.
pub fn run_row(
    plan: &Plan,
    run: &RunSpec,
    ws: &mut Workspace,
    run_fn: &RunFn<'_>,
) -> (Vec<Cell>, Option<u64>) {
    let seeds = RunSeeds {
        master: plan.master_seed,
        env_key: run.env_key,
        run_key: run.run_key,
    };
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| run_fn(run, seeds, ws)));
    let wall_ms = start.elapsed().as_secs_f64() * 1000.0;
    let n_metrics = plan.model.metrics().len();
    // (error, events, metrics) of the three outcomes: a row, a failure, a panic.
    let (error, events, metrics) = match result {
        Ok(RunOutput {
            metrics,
            events,
            failure: None,
        }) => (None, Some(events), metrics),
        Ok(RunOutput {
            events,
            failure: Some(why),
            ..
        }) => (Some(why), Some(events), vec![Cell::Null; n_metrics]),
        Err(p) => {
            *ws = Workspace::default();
            (
                Some(panic_message(p.as_ref())),
                None,
                vec![Cell::Null; n_metrics],
            )
        }
    };
    let ok_events = if error.is_none() { events } else { None };
    let mut row = engine_row(&EngineRow {
        run_index: run.index,
        run_key: run.run_key,
        replicate: run.replicate,
        case: &run.case,
        seed: plan.master_seed,
        plan_hash: plan.hash,
        error,
        wall_ms,
        events,
    });
    let mut shown = run.values.clone();
    run.params.shown(&mut shown);
    row.extend(shown.iter().map(|v| match v {
        Value::Int(i) => Cell::I(*i),
        Value::Float(f) => Cell::F(*f),
        Value::Str(s) => Cell::S(s.to_string()),
        Value::Bool(b) => Cell::B(*b),
    }));
    row.extend(metrics);
    (row, ok_events)
}

/// What a run reports as it goes: the CLI's signal handler reads it to say what was committed
/// before an interruption.
#[derive(Debug, Default)]
pub struct Tally {
    /// Held while a part is committed and counted: a reader that holds it sees every part
    /// that is in place counted (and, if it never lets go, no further part committed).
    pub commit_gate: std::sync::Mutex<()>,
    /// Parts committed by this invocation.
    pub parts_committed: AtomicUsize,
    /// Runs in them.
    pub runs_committed: AtomicUsize,
    /// Runs of the plan (this shard's) that were already done when this invocation started.
    pub runs_done_before: AtomicUsize,
    /// Runs of the plan (this shard's).
    pub runs_total: AtomicUsize,
}

/// The lock file of part `part` (never deleted: deleting a lock file another process has
/// opened would let a third lock a new file of the same name).
fn part_lock(dir: &Path, part: usize) -> Result<std::fs::File, OutputError> {
    let locks = dir.join(".locks");
    output::create_dir(&locks)?;
    let path = locks.join(format!("part-{part:05}"));
    open_lock(&path)
}

/// Opens (creating it) the lock file `path`; something else at that path (a directory) is an
/// error that says how to mend it.
fn open_lock(path: &Path) -> Result<std::fs::File, OutputError> {
    if path.exists() && !path.is_file() {
        return Err(OutputError::Encode {
            path: path.to_path_buf(),
            message: format!(
                "not a lock file (a directory or other non-file); chainlab keeps an empty file here to coordinate processes: remove it (`rm -r '{}'`) and run the same command again",
                path.display()
            ),
        });
    }
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(output::io(path))
}

/// Holds a shared lock on the plan directory for the life of the invocation. If no other
/// process holds one, every chainlab temporary file in the plan's directories was left by a
/// writer that is gone: those are removed, and the count reported.
fn enter_plan(plan: &Plan, dir: &Path, opts: &RunOptions) -> Result<std::fs::File, OutputError> {
    let path = dir.join(".lock");
    let lock = open_lock(&path)?;
    if lock.try_lock().is_ok() {
        let mut dirs = vec![dir.to_path_buf()];
        dirs.extend(
            side_tables(plan)
                .iter()
                .map(|t| integrity::side_table_dir(dir, t)),
        );
        let mut removed = Vec::new();
        for d in dirs {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if output::temp_target(&name).is_some() && std::fs::remove_file(e.path()).is_ok() {
                    removed.push(name);
                }
            }
        }
        if !removed.is_empty() {
            removed.sort();
            notify(
                opts,
                &format!(
                    "removed {} temporary file(s) left by interrupted writers: {}",
                    removed.len(),
                    removed.join(", ")
                ),
            );
        }
        let _ = lock.unlock();
    }
    if let Err(std::fs::TryLockError::WouldBlock) = lock.try_lock_shared() {
        // chainlab holds this lock exclusively only for a moment: another program holds it.
        notify(
            opts,
            &format!(
                "waiting: {} is locked exclusively by {}; the run starts when it is released",
                path.display(),
                lock_holders(&path)
            ),
        );
        lock.lock_shared().map_err(output::io(&path))?;
    }
    Ok(lock)
}

/// Who holds a lock on `path`, from Linux's `/proc/locks` (the processes whose lock is on the
/// file's inode, with their command names), or how to find out elsewhere.
fn lock_holders(path: &Path) -> String {
    use std::os::unix::fs::MetadataExt;
    let unknown = || format!("another process (`fuser -v '{}'` names it)", path.display());
    let (Ok(meta), Ok(locks)) = (
        std::fs::metadata(path),
        std::fs::read_to_string("/proc/locks"),
    ) else {
        return unknown();
    };
    // "1: FLOCK  ADVISORY  WRITE 4242 08:01:1234567 0 EOF": pid, then major:minor:inode.
    let mut pids: Vec<String> = locks
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let i = f.iter().position(|x| x.matches(':').count() == 2)?;
            let inode = f[i].rsplit(':').next()?.parse::<u64>().ok()?;
            (inode == meta.ino()).then(|| f.get(i.checked_sub(1)?).map(|p| p.to_string()))?
        })
        .collect();
    pids.sort();
    pids.dedup();
    if pids.is_empty() {
        return unknown();
    }
    pids.iter()
        .map(|pid| {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            format!("process {pid} ({})", comm.trim())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Executes every run of `plan` whose part is not yet committed.
pub fn execute(plan: &Plan, opts: &RunOptions, prov: &Provenance) -> Result<Summary, OutputError> {
    execute_with(plan, opts, prov, &|run, seeds, ws| {
        Model::run(&run.params, seeds, ws)
    })
}

/// [`execute`] with another simulation function.
pub fn execute_with(
    plan: &Plan,
    opts: &RunOptions,
    prov: &Provenance,
    run_fn: &RunFn<'_>,
) -> Result<Summary, OutputError> {
    let started = Instant::now();
    let started_unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let dir = plan_dir(&opts.out_root, plan);
    output::create_dir(&dir)?;
    let plan_lock = enter_plan(plan, &dir, opts)?;
    let keys = shard::part_keys(plan);
    let mine: Vec<bool> = match opts.shard {
        None => vec![true; plan.part_count()],
        Some(sh) => shard::assign(&keys, sh.count)
            .into_iter()
            .map(|s| s == sh.index)
            .collect(),
    };
    let cols = plan.model.columns();
    let pending = schedule::pending_parts(plan, &dir, &mine, opts, &cols)?;
    let (skipped, retried) = (pending.skipped, pending.retried);
    let repaired = pending.repaired.clone();
    let total: usize = (0..plan.part_count())
        .filter(|&p| mine[p])
        .map(|p| plan.part(p).len())
        .sum();
    if opts.shard.is_some() {
        // The plan's own description, for readers who look for manifest.json; each shard's
        // counts live in its own manifest.
        describe_plan(
            plan,
            &opts.out_root,
            prov,
            "sharded (see manifest.shard-*.json)",
        )?;
    }
    let write_manifest = |status: &str, executed: usize, failed: usize, ended: Option<u64>| {
        output::write_atomic(
            &dir.join(manifest_name(opts.shard)),
            manifest(
                plan,
                prov,
                &cols,
                &keys,
                opts.shard.map(|sh| (sh, &mine[..])),
                status,
                started_unix_ms,
                ended,
                [total, executed, skipped, failed],
            ),
        )
    };
    write_manifest("running", 0, 0, None)?;
    if let Some(t) = &opts.tally {
        t.runs_total.store(total, Ordering::Relaxed);
        t.runs_done_before.store(skipped, Ordering::Relaxed);
    }

    if let Some(p) = &opts.progress {
        p.start(total - skipped, skipped);
    }
    let work = pending.work();
    let jobs = schedule::worker_count(opts, work.len());
    let sweep = sweep::Sweep::new(plan, &dir, &cols, opts, pending, jobs);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .expect("a rayon pool");
    pool.install(|| {
        work.par_iter()
            .for_each(|&(s, r)| sweep.run_one(s, r, run_fn));
    });
    if let Some(p) = &opts.progress {
        p.finish();
    }
    let sweep::Counts {
        executed,
        elsewhere,
        failed,
        events,
        mut errors,
    } = sweep.finish();
    if elsewhere > 0 {
        notify(
            opts,
            &format!(
                "{elsewhere} runs were left to another process working on this plan directory; `chainlab status` shows when they are done"
            ),
        );
    }
    drop(plan_lock);
    let ended = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let manifest = write_manifest(
        if errors.is_empty() {
            "complete"
        } else {
            "incomplete"
        },
        executed,
        failed,
        Some(ended),
    );
    // The first failure is the one to show (on a full disk, the first part that could not be
    // written, not the manifest written after it).
    if let Some(e) = errors.drain(..).next() {
        return Err(e);
    }
    manifest?;
    Ok(Summary {
        dir,
        total,
        plan_total: plan.runs.len(),
        retried,
        executed,
        skipped,
        repaired,
        elsewhere,
        failed,
        events,
        wall_s: started.elapsed().as_secs_f64(),
    })
}

/// Writes the plan's `manifest.json` (its description: parameters, columns, part keys) with
/// `status`, unless one exists; returns the plan directory. `chainlab slurm` writes it with
/// status "queued", so that `status` understands a plan whose tasks have not started.
pub fn describe_plan(
    plan: &Plan,
    root: &Path,
    prov: &Provenance,
    status: &str,
) -> Result<PathBuf, OutputError> {
    let dir = plan_dir(root, plan);
    output::create_dir(&dir)?;
    let path = dir.join("manifest.json");
    if !path.exists() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        output::write_atomic(
            &path,
            manifest(
                plan,
                prov,
                &plan.model.columns(),
                &shard::part_keys(plan),
                None,
                status,
                now,
                None,
                [plan.runs.len(), 0, 0, 0],
            ),
        )?;
    }
    Ok(dir)
}

/// Commits part `part`: its side tables first, then its commit record, then the run part,
/// each written atomically. The run part is what marks the part done, so a kill at any point
/// leaves either a verifiable part or a missing one (rewritten whole by the next run).
fn commit_part(
    plan: &Plan,
    dir: &Path,
    cols: &[Column],
    part: usize,
    rows: &[Vec<Cell>],
) -> Result<(), OutputError> {
    let meta = footer(plan, part);
    let encode = |path: PathBuf, cols: &[Column], rows: &[Vec<Cell>]| {
        output::encode_part(cols, rows, &meta)
            .map(|b| (path.clone(), b))
            .map_err(|message| OutputError::Encode { path, message })
    };
    let mut files = vec![(
        integrity::RUNS,
        encode(dir.join(part_name(part)), cols, rows)?,
    )];
    for d in plan.model.details() {
        let path = integrity::table_path(dir, d.name, part);
        files.push((d.name, encode(path, &d.columns(cols), &d.rows(cols, rows))?));
    }
    let record = integrity::PartRecord {
        plan_hash: plan.hash_hex(),
        part,
        parts: plan.part_count(),
        rows: rows.len(),
        run_keys: plan
            .part(part)
            .map(|i| format!("{:016x}", plan.runs.run_key(i)))
            .collect(),
        files: files
            .iter()
            .map(|(table, (_, bytes))| integrity::FileRecord {
                table: table.to_string(),
                bytes: bytes.len() as u64,
                sha256: integrity::sha256_hex(bytes),
            })
            .collect(),
    };
    for (_, (path, bytes)) in files.iter().skip(1) {
        if let Some(parent) = path.parent() {
            output::create_dir(parent)?;
        }
        output::write_atomic(path, bytes)?;
    }
    output::write_atomic(
        &dir.join(integrity::record_name(part)),
        serde_json::to_string_pretty(&record).expect("a record serialises"),
    )?;
    let (path, bytes) = &files[0].1;
    output::write_atomic(path, bytes).inspect_err(|_| {
        // No run part, no record: the part stays missing, with nothing to explain.
        let _ = std::fs::remove_file(dir.join(integrity::record_name(part)));
    })
}

/// Passes a message for the user to the caller's sink, if any.
fn notify(opts: &RunOptions, message: &str) {
    if let Some(f) = opts.notify {
        f(message);
    }
}

#[allow(clippy::too_many_arguments)]
fn manifest(
    plan: &Plan,
    prov: &Provenance,
    cols: &[Column],
    part_keys: &[u64],
    shard: Option<(Shard, &[bool])>,
    status: &str,
    started: u64,
    ended: Option<u64>,
    [total, executed, skipped, failed]: [usize; 4],
) -> String {
    let params = plan.model.params();
    let value_json = |v: &Value| match v {
        Value::Int(i) => serde_json::json!(i),
        Value::Float(f) => serde_json::json!(f),
        Value::Str(s) => serde_json::json!(&**s),
        Value::Bool(b) => serde_json::json!(b),
    };
    let base: serde_json::Map<String, serde_json::Value> = params
        .iter()
        .zip(&plan.base)
        .map(|(d, v)| (d.column.to_string(), value_json(v)))
        .collect();
    let sweep: Vec<serde_json::Value> = plan
        .axes()
        .iter()
        .map(|a| {
            let col = params.iter().find(|d| d.key == a.key).map(|d| d.column).unwrap_or(a.key);
            serde_json::json!({ "key": a.key, "column": col, "values": a.values.iter().map(value_json).collect::<Vec<_>>() })
        })
        .collect();
    let m = serde_json::json!({
        "experiment": plan.name,
        "description": plan.description,
        "spec_file": plan.source.display().to_string(),
        "model": plan.model.name(),
        "model_version": plan.model.version(),
        "plan_hash": plan.hash_hex(),
        "master_seed": plan.master_seed,
        "replicates": plan.replicates,
        "quick": plan.quick,
        "runs_per_part": plan.runs_per_part,
        "parts": plan.part_count(),
        "budget": { "events": plan.budget.events, "messages": plan.budget.messages, "memory_bytes": plan.budget.memory },
        "resolved": { "params": base, "sweep": sweep },
        "columns": cols.iter().map(|c| serde_json::json!({"name": c.name, "type": c.ty.arrow_name(), "unit": c.unit})).collect::<Vec<_>>(),
        "chainlab_version": env!("CARGO_PKG_VERSION"),
        "git_commit": prov.git_commit,
        "rustc": prov.rustc,
        "host": prov.host,
        "started_unix_s": started / 1000,
        "started_unix_ms": started,
        "ended_unix_s": ended,
        "status": status,
        "counts": { "total": total, "executed": executed, "skipped": skipped, "failed": failed },
        "total_runs": plan.runs.len(),
        "side_tables": side_tables(plan),
        "part_keys": part_keys.iter().map(|k| format!("{k:016x}")).collect::<Vec<_>>(),
    });
    let mut m = m;
    if let Some((sh, mine)) = shard {
        m["shard"] = serde_json::json!({
            "index": sh.index,
            "count": sh.count,
            "parts": (0..mine.len()).filter(|&p| mine[p]).collect::<Vec<_>>(),
        });
    }
    serde_json::to_string_pretty(&m).expect("manifest serialises")
}

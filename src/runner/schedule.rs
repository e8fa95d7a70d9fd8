//! What a sweep has to do: which parts of this process's share to (re)write, with the rows
//! each keeps (damaged parts are moved aside first), and how many worker threads to use.

use super::{MAX_JOBS_PER_CORE, PartCheck, RunOptions, check_parts, notify, side_tables};
use crate::output::{self, OutputError, integrity, part_name};
use crate::schema::{Cell, Column};
use crate::spec::Plan;
use std::path::Path;

/// The parts to (re)write, each with the rows it keeps: none for a missing or damaged part;
/// for a verified part with failed runs under `--retry-failed`, the rows of its successful
/// runs.
pub(super) struct Pending {
    /// (part, kept rows), in part order.
    pub(super) parts: Vec<(usize, Vec<Option<Vec<Cell>>>)>,
    /// Runs already done and verified.
    pub(super) skipped: usize,
    /// Failed runs to run again.
    pub(super) retried: usize,
    /// Damaged parts moved aside.
    pub(super) repaired: Vec<usize>,
}

impl Pending {
    /// Every run to execute: (index into `parts`, run within the part).
    pub(super) fn work(&self) -> Vec<(usize, usize)> {
        self.parts
            .iter()
            .enumerate()
            .flat_map(|(s, (_, kept))| {
                kept.iter()
                    .enumerate()
                    .filter(|(_, row)| row.is_none())
                    .map(move |(r, _)| (s, r))
            })
            .collect()
    }
}

/// Verifies every part of this process's share (`mine`) and says what is left to do.
pub(super) fn pending_parts(
    plan: &Plan,
    dir: &Path,
    mine: &[bool],
    opts: &RunOptions,
    cols: &[Column],
) -> Result<Pending, OutputError> {
    let checks = check_parts(plan, dir);
    let tables = side_tables(plan);
    let mut pending = Pending {
        parts: Vec::new(),
        skipped: 0,
        retried: 0,
        repaired: Vec::new(),
    };
    for p in (0..plan.part_count()).filter(|&p| mine[p]) {
        let n = plan.part(p).len();
        match &checks[p] {
            PartCheck::Missing => pending.parts.push((p, vec![None; n])),
            PartCheck::Damaged(why) => {
                let moved = integrity::quarantine(dir, p, &tables, &why.to_string())?;
                notify(
                    opts,
                    &format!(
                        "part {p} is damaged ({why}); moved aside to {} and run again",
                        moved
                            .iter()
                            .map(|m| m.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                pending.repaired.push(p);
                pending.parts.push((p, vec![None; n]));
            }
            PartCheck::Verified(v) if opts.retry_failed && v.statuses.iter().any(|s| s != "ok") => {
                let path = dir.join(part_name(p));
                let status_col = cols
                    .iter()
                    .position(|c| c.name == "status")
                    .expect("an engine column");
                let kept: Vec<Option<Vec<Cell>>> = output::read_part(&path, cols)?
                    .into_iter()
                    .map(|row| matches!(&row[status_col], Cell::S(s) if s == "ok").then_some(row))
                    .collect();
                let again = kept.iter().filter(|r| r.is_none()).count();
                pending.retried += again;
                pending.skipped += n - again;
                pending.parts.push((p, kept));
            }
            PartCheck::Verified(_) => pending.skipped += n,
        }
    }
    Ok(pending)
}

/// Worker threads for `runs` runs: `--jobs` (default: the cores), capped at
/// [`MAX_JOBS_PER_CORE`] x the cores (with a message) and at the runs to execute.
pub(super) fn worker_count(opts: &RunOptions, runs: usize) -> usize {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mut jobs = opts.jobs.unwrap_or(cores).max(1);
    if jobs > MAX_JOBS_PER_CORE * cores {
        notify(
            opts,
            &format!(
                "--jobs {jobs} is more than {MAX_JOBS_PER_CORE} x the {cores} cores available; using {}",
                MAX_JOBS_PER_CORE * cores
            ),
        );
        jobs = MAX_JOBS_PER_CORE * cores;
    }
    // More threads than runs would only sit idle.
    jobs.min(runs.max(1))
}

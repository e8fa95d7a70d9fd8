//! The runs of a sweep on the worker threads: a part is claimed before its first run (so two
//! processes never run it twice), each run's row is kept in its part, and a part is committed
//! by the thread that completes it.

use super::schedule::Pending;
use super::{PartCheck, RunFn, RunOptions, check_parts_one, commit_part, part_lock, run_row};
use crate::model::Workspace;
use crate::output::{OutputError, part_name};
use crate::schema::{Cell, Column};
use crate::spec::Plan;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// A pending part: its rows so far, the runs still to do, and who works on it.
struct PartState {
    rows: Vec<Option<Vec<Cell>>>,
    remaining: usize,
    claim: Claim,
}

/// Who works on a pending part. A process claims a part (an exclusive advisory lock on
/// `.locks/part-NNNNN`, held until the part is committed) before its first run, so that two
/// processes on one plan directory never run the same part: the second leaves it to the first.
enum Claim {
    /// No run of the part has started.
    Unclaimed,
    /// This process holds the part's lock.
    Mine(#[allow(dead_code)] std::fs::File),
    /// Another process holds it, or committed the part meanwhile: its runs are skipped here.
    Theirs,
    /// Its lock file could not be opened (the error is recorded): its runs are not run.
    Broken,
}

/// What a sweep did.
pub(super) struct Counts {
    pub(super) executed: usize,
    pub(super) elsewhere: usize,
    pub(super) failed: usize,
    pub(super) events: u64,
    pub(super) errors: Vec<OutputError>,
}

/// The shared state of one sweep.
pub(super) struct Sweep<'a> {
    plan: &'a Plan,
    dir: &'a Path,
    cols: &'a [Column],
    opts: &'a RunOptions,
    parts: Vec<usize>,
    states: Vec<Mutex<PartState>>,
    jobs: usize,
    /// One workspace per worker thread for the whole sweep (not per rayon split), so that
    /// state a model may reuse between runs (the twin's physical system) survives work
    /// stealing. Each lock is only ever taken by its own thread.
    workspaces: Vec<Mutex<Workspace>>,
    errors: Mutex<Vec<OutputError>>,
    failed: AtomicUsize,
    events: AtomicU64,
    elsewhere: AtomicUsize,
    executed: AtomicUsize,
    /// Whether two runs of the plan share an environment key.
    shared_environments: bool,
}

impl<'a> Sweep<'a> {
    pub(super) fn new(
        plan: &'a Plan,
        dir: &'a Path,
        cols: &'a [Column],
        opts: &'a RunOptions,
        pending: Pending,
        jobs: usize,
    ) -> Sweep<'a> {
        let states = pending
            .parts
            .iter()
            .map(|(_, kept)| {
                Mutex::new(PartState {
                    remaining: kept.iter().filter(|r| r.is_none()).count(),
                    rows: kept.clone(),
                    claim: Claim::Unclaimed,
                })
            })
            .collect();
        Sweep {
            plan,
            dir,
            cols,
            opts,
            parts: pending.parts.into_iter().map(|(p, _)| p).collect(),
            states,
            jobs,
            workspaces: (0..jobs).map(|_| Mutex::default()).collect(),
            errors: Mutex::new(Vec::new()),
            failed: AtomicUsize::new(0),
            events: AtomicU64::new(0),
            elsewhere: AtomicUsize::new(0),
            executed: AtomicUsize::new(0),
            shared_environments: {
                let mut keys: Vec<u64> =
                    (0..plan.runs.len()).map(|i| plan.runs.env_key(i)).collect();
                keys.sort_unstable();
                keys.windows(2).any(|w| w[0] == w[1])
            },
        }
    }

    /// Whether this process works on pending part `s`: claims it before its first run, and
    /// leaves a part another process holds (or committed since this one looked) to it; `None`
    /// when its lock file cannot be opened.
    fn claimed(&self, s: usize) -> Option<bool> {
        let part = self.parts[s];
        let mut st = self.states[s].lock().expect("part state lock");
        if matches!(st.claim, Claim::Unclaimed) {
            st.claim = match part_lock(self.dir, part) {
                Ok(f) if f.try_lock().is_ok() => {
                    if self.dir.join(part_name(part)).is_file()
                        && matches!(
                            check_parts_one(self.plan, self.dir, part),
                            PartCheck::Verified(_)
                        )
                        && !self.opts.retry_failed
                    {
                        Claim::Theirs
                    } else {
                        Claim::Mine(f)
                    }
                }
                Ok(_) => Claim::Theirs,
                Err(e) => {
                    self.errors.lock().expect("error list lock").push(e);
                    Claim::Broken
                }
            };
        }
        match st.claim {
            Claim::Theirs => Some(false),
            Claim::Broken => None,
            _ => Some(true),
        }
    }

    /// Executes run `r` of pending part `s`, and commits the part if that was its last run.
    pub(super) fn run_one(&self, s: usize, r: usize, run_fn: &RunFn<'_>) {
        match self.claimed(s) {
            Some(true) => {}
            Some(false) => {
                self.elsewhere.fetch_add(1, Ordering::Relaxed);
                self.advance();
                return;
            }
            // Not run, and not another process's either: the recorded error says why.
            None => {
                self.advance();
                return;
            }
        }
        let part = self.parts[s];
        let run = &self.plan.runs.get(self.plan.part(part).start + r);
        self.executed.fetch_add(1, Ordering::Relaxed);
        let me = rayon::current_thread_index().unwrap_or(0) % self.jobs;
        let mut ws = self.workspaces[me]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        ws.budget = self.plan.budget;
        ws.shared_environments = self.shared_environments;
        let (row, ev) = run_row(self.plan, run, &mut ws, run_fn);
        drop(ws);
        match ev {
            Some(e) => {
                self.events.fetch_add(e, Ordering::Relaxed);
            }
            None => {
                self.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
        let complete = {
            let mut st = self.states[s].lock().expect("part state lock");
            st.rows[r] = Some(row);
            st.remaining -= 1;
            if st.remaining == 0 {
                Some(std::mem::take(&mut st.rows))
            } else {
                None
            }
        };
        if let Some(rows) = complete {
            self.commit(s, rows);
        }
        self.advance();
    }

    /// Tells the caller's progress display that one more run is done.
    fn advance(&self) {
        if let Some(p) = &self.opts.progress {
            p.advance(self.failed.load(Ordering::Relaxed));
        }
    }

    /// Commits pending part `s` with its complete `rows`, then releases its claim.
    fn commit(&self, s: usize, rows: Vec<Option<Vec<Cell>>>) {
        let part = self.parts[s];
        let rows: Vec<Vec<Cell>> = rows
            .into_iter()
            .map(|r| r.expect("every run of a complete part has a row"))
            .collect();
        // A part in place is counted before an interruption's message can be written.
        let _gate = self.opts.tally.as_ref().map(|t| {
            t.commit_gate
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        });
        match commit_part(self.plan, self.dir, self.cols, part, &rows) {
            Ok(()) => {
                if let Some(t) = &self.opts.tally {
                    t.parts_committed.fetch_add(1, Ordering::Relaxed);
                    t.runs_committed.fetch_add(rows.len(), Ordering::Relaxed);
                }
            }
            Err(e) => self.errors.lock().expect("error list lock").push(e),
        }
        // Release the part's lock.
        self.states[s].lock().expect("part state lock").claim = Claim::Theirs;
    }

    /// What the sweep did, once every run has returned.
    pub(super) fn finish(self) -> Counts {
        Counts {
            executed: self.executed.into_inner(),
            elsewhere: self.elsewhere.into_inner(),
            failed: self.failed.into_inner(),
            events: self.events.into_inner(),
            errors: self.errors.into_inner().expect("error list lock"),
        }
    }
}

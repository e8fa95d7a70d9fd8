//! `chainlab status`: done, failed, missing and damaged runs per plan, per shard and overall.

use super::*;
use crate::runner::status::{Counts, PartState, PlanStatus, find_plans, plan_status};

pub(super) fn status(results: &Path, shards: Option<u32>) -> Result<(), Failure> {
    if !results.is_dir() {
        return Err(Failure::Usage(format!(
            "{}: no such results directory",
            results.display()
        )));
    }
    if shards == Some(0) {
        return Err(Failure::Usage("--shards must be at least 1".into()));
    }
    let plans = find_plans(results)?;
    if plans.is_empty() {
        return Err(Failure::Usage(format!(
            "{}: no chainlab results here (no manifest.json at or below it)",
            results.display()
        )));
    }
    // 0: every run has an ok row; 1: runs missing or failed; 2: a part fails verification.
    let mut worst = 0;
    for dir in plans {
        let st = match plan_status(&dir, shards) {
            Ok(st) => st,
            Err(e) => {
                // One unreadable plan is reported as damaged; the other plans are still counted.
                let why = match &e {
                    crate::output::OutputError::Encode { message, .. } => message.clone(),
                    other => other.to_string(),
                };
                outln!("{}\n  damaged: {why}", dir.display());
                worst = 2;
                continue;
            }
        };
        let all = st.counts(None);
        print_counts(&dir, &st);
        for p in &st.parts {
            if let PartState::Damaged(why) = &p.state {
                outln!("  part {} is damaged: {why}", p.index);
            }
        }
        if !st.other_shard_counts.is_empty() {
            outln!(
                "  note: shards were also run with N = {:?}; the table uses N = {} (--shards to choose)",
                st.other_shard_counts,
                st.shards
            );
        }
        for why in &st.unusable_manifests {
            worst = 2;
            outln!(
                "  damaged manifest: {why}; counted from the next manifest instead; the same `chainlab run` command rewrites it"
            );
        }
        if st.stray_temp_files > 0 {
            outln!(
                "  note: {} temporary file(s) left by interrupted writers (never read as results; the next run removes them)",
                st.stray_temp_files
            );
        }
        let (level, verdict) = verdict(&st, all);
        worst = worst.max(level);
        outln!("  {verdict}");
    }
    match worst {
        0 => Ok(()),
        1 => Err(Failure::Incomplete),
        _ => Err(Failure::Damaged),
    }
}

/// The plan's heading and its table of counts, per shard and overall.
fn print_counts(dir: &Path, st: &PlanStatus) {
    outln!(
        "{} ({}: {} runs in {} parts{})",
        dir.display(),
        st.experiment,
        st.total_runs,
        st.parts.len(),
        if st.shards > 1 {
            format!(", {} shards", st.shards)
        } else {
            String::new()
        }
    );
    outln!(
        "  {:<11} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "shard",
        "parts",
        "runs",
        "done",
        "failed",
        "missing",
        "damaged"
    );
    let line = |label: String, c: Counts| {
        outln!(
            "  {:<11} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8}",
            label,
            c.parts,
            c.runs,
            c.done,
            c.failed,
            c.missing,
            c.damaged
        )
    };
    if st.shards > 1 {
        for i in 0..st.shards {
            line(format!("{i}/{}", st.shards), st.counts(Some(i)));
        }
    }
    line("all".into(), st.counts(None));
}

/// The plan's verdict and its level (0 complete, 1 runs missing or failed, 2 damaged).
fn verdict(st: &PlanStatus, all: Counts) -> (u8, String) {
    let missing: Vec<String> = st
        .parts
        .iter()
        .filter(|p| p.state == PartState::Missing)
        .map(|p| {
            if st.shards > 1 {
                format!("{} (shard {})", p.index, p.shard)
            } else {
                p.index.to_string()
            }
        })
        .collect();
    if all.damaged > 0 {
        let why = format!(
            "damaged: {} part(s) fail verification; the same `chainlab run` command moves them aside (under damaged/) and runs them again",
            all.damaged
        );
        (2, why)
    } else if all.missing == 0 && all.failed == 0 {
        (0, "complete".to_string())
    } else if all.missing == 0 {
        let why = format!(
            "complete with {} failed runs (re-run with --retry-failed after a fix)",
            all.failed
        );
        (1, why)
    } else {
        let shown: Vec<String> = missing.iter().take(12).cloned().collect();
        let why = format!(
            "incomplete{}: {} runs missing in parts {}{}; re-run the same command (or resubmit those array tasks) to finish",
            if st.manifest_status == "queued" && all.done == 0 {
                " (queued: the Slurm script is written, no task has committed a part yet)"
            } else {
                ""
            },
            all.missing,
            shown.join(", "),
            if missing.len() > shown.len() {
                ", ..."
            } else {
                ""
            }
        );
        (1, why)
    }
}

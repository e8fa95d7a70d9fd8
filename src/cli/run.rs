//! `chainlab run`: executes a plan (or one shard of it) with a progress bar, prints the
//! summary, prints what was committed and how to resume on SIGINT, SIGTERM or SIGHUP, and draws the
//! figures with `--plot`.

use super::*;

#[derive(Args, Debug)]
pub(super) struct RunArgs {
    #[command(flatten)]
    pub(super) spec: SpecArgs,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, short = 'j')]
    pub(super) jobs: Option<usize>,
    /// Draw no progress bar and print only the summary.
    #[arg(long, short = 'q')]
    pub(super) quiet: bool,
    /// Run only shard I of N (zero-based), a disjoint slice of the plan's parts. Without
    /// it, the shard comes from SLURM_ARRAY_TASK_ID (with SLURM_ARRAY_TASK_COUNT or
    /// MIN/MAX, or --shard-count) or JOB_COMPLETION_INDEX (with --shard-count).
    #[arg(long, value_name = "I/N")]
    pub(super) shard: Option<String>,
    /// The shard count when the index comes from the environment (SLURM_ARRAY_TASK_ID or
    /// Kubernetes' JOB_COMPLETION_INDEX).
    #[arg(long, value_name = "N")]
    pub(super) shard_count: Option<u64>,
    /// Also re-run the failed runs of committed parts (only those runs).
    #[arg(long)]
    pub(super) retry_failed: bool,
    /// Draw the figures of the plan when the sweep finishes (into <plan dir>/figures).
    #[arg(long)]
    pub(super) plot: bool,
    /// Figure formats for --plot: png, svg or png,svg.
    #[arg(long, value_name = "LIST", default_value = "png,svg")]
    pub(super) format: String,
    /// Figure size for --plot: column, page or screen (see `chainlab plot --help`).
    #[arg(long, value_enum, default_value = "column")]
    pub(super) size: crate::figure::Size,
}

pub(super) fn run(a: RunArgs) -> Result<(), Failure> {
    let RunArgs {
        spec,
        jobs,
        quiet,
        shard,
        shard_count,
        retry_failed,
        plot,
        format,
        size,
    } = a;
    if jobs == Some(0) {
        return Err(Failure::Usage("--jobs must be at least 1".into()));
    }
    let formats = crate::figure::Format::parse_list(&format).map_err(Failure::Usage)?;
    let shard = match shard {
        Some(text) => Some(runner::Shard::parse(&text).map_err(Failure::Usage)?),
        None => runner::Shard::from_env(|k| std::env::var(k).ok(), shard_count)
            .map_err(Failure::Usage)?,
    };
    let plan = load(&spec)?;
    let prov = provenance();
    let opts = RunOptions {
        jobs,
        out_root: spec.out.clone(),
        progress: (!quiet && super::progress::on_terminal()).then(|| {
            std::sync::Arc::new(super::progress::Bar::default())
                as std::sync::Arc<dyn runner::Progress>
        }),
        shard,
        retry_failed,
        tally: Some(std::sync::Arc::new(runner::Tally::default())),
        notify: Some(|m| eprintln!("note: {m}")),
    };
    on_interrupt(
        opts.tally.clone().expect("set above"),
        runner::plan_dir(&spec.out, &plan),
    );
    if !quiet {
        eprintln!(
            "{}: {} in {}{} -> {}",
            plan.name,
            count(plan.runs.len(), "run", "runs"),
            count(plan.part_count(), "part", "parts"),
            shard.map(|s| format!(", shard {s}")).unwrap_or_default(),
            runner::plan_dir(&spec.out, &plan).display()
        );
    }
    let s = runner::execute(&plan, &opts, &prov)?;
    let rate = if s.wall_s > 0.0 {
        s.executed as f64 / s.wall_s
    } else {
        0.0
    };
    outln!(
        "{}{}: {} ({} executed, {} skipped as done, {} failed{}) in {:.2} s, {:.1} runs/s, {:.3e} events/s",
        plan.name,
        shard
            .map(|sh| format!(
                " shard {sh} ({} of the plan's {} runs)",
                s.total, s.plan_total
            ))
            .unwrap_or_default(),
        count(s.total, "run", "runs"),
        s.executed,
        s.skipped,
        s.failed,
        if s.retried > 0 {
            format!(", {} retried", s.retried)
        } else {
            String::new()
        } + &if s.elsewhere > 0 {
            format!(", {} left to another process", s.elsewhere)
        } else {
            String::new()
        },
        s.wall_s,
        rate,
        if s.wall_s > 0.0 {
            s.events as f64 / s.wall_s
        } else {
            0.0
        }
    );
    outln!("results: {}", s.dir.display());
    if plot {
        plot::plot_figures(&s.dir, None, &formats, size)?;
    }
    if let Some(sh) = shard.filter(|_| s.total == 0) {
        eprintln!(
            "warning: shard {sh} holds none of this plan's {}: there are more shards than parts; lower runs_per_part in the spec for more, smaller parts",
            count(plan.part_count(), "part", "parts")
        );
    }
    if s.failed > 0 {
        eprintln!(
            "warning: {} failed; their rows have status = 'failed' and the reason in `error`",
            count(s.failed, "run", "runs")
        );
    }
    Ok(())
}

/// On SIGINT, SIGTERM or SIGHUP (a closed terminal or ssh session): says what is committed
/// and how to resume, then exits with 130, 143 or 129 (128 + the signal). Committed parts are whole (each is renamed into place); a part in
/// the middle of its runs is simply run again by the next invocation, and the temporary files
/// of writers cut short are removed then.
fn on_interrupt(tally: std::sync::Arc<runner::Tally>, dir: PathBuf) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use std::sync::atomic::Ordering::Relaxed;
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            let name = match sig {
                SIGINT => "SIGINT",
                SIGHUP => "SIGHUP",
                _ => "SIGTERM",
            };
            // Held until the exit: a commit in flight finishes and is counted first, and no
            // part is committed after the counts are read.
            let _gate = tally
                .commit_gate
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let (parts, runs) = (
                tally.parts_committed.load(Relaxed),
                tally.runs_committed.load(Relaxed),
            );
            let done = tally.runs_done_before.load(Relaxed) + runs;
            let resume: Vec<String> = std::env::args().map(|a| slurm::shell_quote(&a)).collect();
            eprintln!(
                "\ninterrupted by {name}: {runs} runs in {parts} parts were committed by this invocation and are safe; {done} of the {} runs are done in {}.\nresume with the same command (committed parts are skipped): {}",
                tally.runs_total.load(Relaxed),
                dir.display(),
                resume.join(" ")
            );
            std::process::exit(128 + sig);
        }
    });
}

/// The first line a command prints, or "unknown" (for the manifest's provenance).
fn command_line(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// Where a run happens: git commit, host and compiler, for the manifest.
pub(super) fn provenance() -> Provenance {
    Provenance {
        git_commit: command_line("git", &["rev-parse", "HEAD"]),
        host: host_name(),
        rustc: env!("CHAINLAB_RUSTC_VERSION").to_string(),
    }
}

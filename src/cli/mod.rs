//! The command line: clap definitions and one function per command. This is the only layer
//! that prints, and the one that maps errors to exit codes: 0 success, 1 a failure while
//! running (I/O), 2 a bad spec or bad arguments, 130/143 interrupted by SIGINT/SIGTERM.
//! `status` exits 0 when complete, 1 when runs are missing or failed, 2 when a part is
//! damaged.

/// `println!` that stops quietly when stdout is gone (`chainlab status | head`): a closed pipe
/// is not an error of the command, and must not panic.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod docs;
mod graph;
mod plot;

use crate::model::Model;
use crate::model::docs as reference;
use crate::output::{self, OutputError};
use crate::runner::{self, Provenance, RunOptions};
use crate::spec::{self, Overrides, Plan, SpecError};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};

/// Seeded, parallel Monte Carlo simulation of blockchain networks, with Parquet output.
#[derive(Parser, Debug)]
#[command(name = "chainlab", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run every pending run of an experiment file and write Parquet results.
    Run {
        #[command(flatten)]
        spec: SpecArgs,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long, short = 'j')]
        jobs: Option<usize>,
        /// Draw no progress bar and print only the summary.
        #[arg(long, short = 'q')]
        quiet: bool,
        /// Run only shard I of N (zero-based), a disjoint slice of the plan's parts. Without
        /// it, the shard comes from SLURM_ARRAY_TASK_ID (with SLURM_ARRAY_TASK_COUNT or
        /// MIN/MAX, or --shard-count) or JOB_COMPLETION_INDEX (with --shard-count).
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// The shard count when the index comes from the environment (SLURM_ARRAY_TASK_ID or
        /// Kubernetes' JOB_COMPLETION_INDEX).
        #[arg(long, value_name = "N")]
        shard_count: Option<u64>,
        /// Also re-run the failed runs of committed parts (only those runs).
        #[arg(long)]
        retry_failed: bool,
        /// Draw the figures of the plan when the sweep finishes (into <plan dir>/figures).
        #[arg(long)]
        plot: bool,
        /// Figure formats for --plot: png, svg or png,svg.
        #[arg(long, value_name = "LIST", default_value = "png,svg")]
        format: String,
    },
    /// Draw the figures (PNG and SVG) of every plan under a results directory.
    Plot {
        /// A results root, an experiment's directory or one plan directory.
        results: PathBuf,
        /// Write every figure into this directory (default: each plan's own
        /// <plan dir>/figures). Refused when two plans would write figures of the same name.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Figure formats: png, svg or png,svg.
        #[arg(long, value_name = "LIST", default_value = "png,svg")]
        format: String,
    },
    /// Report done, failed and missing runs per shard and overall, for every plan under a
    /// results directory.
    Status {
        /// A results root, an experiment's directory or one plan directory.
        results: PathBuf,
        /// Shard count for the per-shard view (default: the one the shards recorded).
        #[arg(long)]
        shards: Option<u32>,
    },
    /// Write a Slurm job-array script that runs an experiment as N shards, and print the
    /// sbatch command that submits it.
    Slurm(SlurmArgs),
    /// Show how many runs a spec expands to, how many are done, and what would run.
    Plan {
        #[command(flatten)]
        spec: SpecArgs,
    },
    /// Check an experiment file without running it.
    Validate {
        #[command(flatten)]
        spec: SpecArgs,
    },
    /// List the experiment files with their descriptions.
    List {
        /// Directory to look in.
        #[arg(long, default_value = "experiments")]
        dir: PathBuf,
    },
    /// Generate one graph and write its edge list (`u,v,weight`) as CSV or Parquet.
    Graph(graph::GraphArgs),
    /// Regenerate the parameter and column tables of the documentation from the model
    /// registry (or, with --check, exit 1 if one is stale).
    Docs {
        /// Only compare; exit 1 and name the stale files.
        #[arg(long)]
        check: bool,
        /// The repository root.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Print the result columns of a model with their types and units.
    Schema {
        /// The model.
        #[arg(long, default_value = "propagation")]
        model: String,
    },
}

#[derive(Args, Debug)]
struct SpecArgs {
    /// The experiment file (TOML).
    spec: PathBuf,
    /// Results root.
    #[arg(long, default_value = "results")]
    out: PathBuf,
    /// Apply the spec's [quick] profile.
    #[arg(long)]
    quick: bool,
    /// Replace the spec's master seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Replace the spec's replicate count.
    #[arg(long)]
    replicates: Option<u32>,
}

#[derive(Args, Debug)]
struct SlurmArgs {
    #[command(flatten)]
    spec: SpecArgs,
    /// Array tasks (shards).
    #[arg(long)]
    shards: u32,
    /// CPUs per task (the run's --jobs).
    #[arg(long, default_value_t = 2)]
    cpus_per_task: u32,
    /// Wall-time limit per task (Slurm syntax, e.g. 02:00:00).
    #[arg(long, default_value = "01:00:00")]
    time: String,
    /// Memory per task (Slurm syntax, e.g. 4G).
    #[arg(long, default_value = "4G")]
    mem: String,
    /// Partition.
    #[arg(long)]
    partition: Option<String>,
    /// Account to charge.
    #[arg(long)]
    account: Option<String>,
    /// At most this many tasks at once (`--array=0-N%K`).
    #[arg(long)]
    max_parallel: Option<u32>,
    /// Where to write the script (default: `<out>/<experiment>/plan=<hash>/slurm.sbatch`).
    #[arg(long)]
    script: Option<PathBuf>,
}

/// Parses the arguments, runs the command and returns the exit code.
pub fn main_with_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    match dispatch(cli.command) {
        Ok(()) => 0,
        Err(Failure::Spec(e)) => {
            eprintln!("error: {e}");
            2
        }
        Err(Failure::Usage(m)) => {
            eprintln!("error: {m}");
            2
        }
        Err(Failure::Output(e)) => {
            eprintln!("error: {e}");
            1
        }
        Err(Failure::Incomplete) => 1,
        Err(Failure::Damaged) => 2,
    }
}

enum Failure {
    Spec(SpecError),
    Usage(String),
    Output(OutputError),
    /// `status`: runs are missing or failed (already reported); exit 1.
    Incomplete,
    /// `status`: a part fails verification (already reported); exit 2.
    Damaged,
}

impl From<SpecError> for Failure {
    fn from(e: SpecError) -> Self {
        Failure::Spec(e)
    }
}
impl From<OutputError> for Failure {
    fn from(e: OutputError) -> Self {
        Failure::Output(e)
    }
}

fn load(a: &SpecArgs) -> Result<Plan, SpecError> {
    spec::load(
        &a.spec,
        Overrides {
            quick: a.quick,
            seed: a.seed,
            replicates: a.replicates,
        },
    )
}

fn dispatch(cmd: Command) -> Result<(), Failure> {
    match cmd {
        Command::Run {
            spec,
            jobs,
            quiet,
            shard,
            shard_count,
            retry_failed,
            plot,
            format,
        } => {
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
            let prov = Provenance {
                git_commit: command_line("git", &["rev-parse", "HEAD"]),
                host: host_name(),
                rustc: command_line("rustc", &["--version"]),
            };
            let opts = RunOptions {
                jobs,
                out_root: spec.out.clone(),
                progress: !quiet,
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
                    "{}: {} runs in {} parts{} -> {}",
                    plan.name,
                    plan.runs.len(),
                    plan.part_count(),
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
                "{}{}: {} runs ({} executed, {} skipped as done, {} failed{}) in {:.2} s, {:.1} runs/s, {:.3e} events/s",
                plan.name,
                shard
                    .map(|sh| format!(
                        " shard {sh} ({} of the plan's {} runs)",
                        s.total, s.plan_total
                    ))
                    .unwrap_or_default(),
                s.total,
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
                plot_figures(&s.dir, None, &formats)?;
            }
            if s.failed > 0 {
                eprintln!(
                    "warning: {} runs failed; their rows have status = 'failed' and the reason in `error`",
                    s.failed
                );
            }
            Ok(())
        }
        Command::Plan { spec } => {
            let plan = load(&spec)?;
            print_plan(&plan, &spec.out);
            Ok(())
        }
        Command::Validate { spec } => {
            let plan = load(&spec)?;
            outln!(
                "{}: ok ({} model, {} runs, plan {})",
                spec.spec.display(),
                plan.model.name(),
                plan.runs.len(),
                plan.hash_hex()
            );
            Ok(())
        }
        Command::List { dir } => list(&dir),
        Command::Status { results, shards } => status(&results, shards),
        Command::Plot {
            results,
            out,
            format,
        } => {
            let formats = crate::figure::Format::parse_list(&format).map_err(Failure::Usage)?;
            plot_figures(&results, out.as_deref(), &formats)
        }
        Command::Slurm(a) => slurm(&a),
        Command::Graph(g) => graph::run(&g),
        Command::Docs { check, root } => docs::run(&root, check),
        Command::Schema { model } => {
            let m = Model::from_name(&model)
                .ok_or_else(|| Failure::Usage(format!("unknown model `{model}`")))?;
            let also = m
                .parent()
                .map(|p| format!(" (in addition to those of model `{}`)", p.name()))
                .unwrap_or_default();
            outln!(
                "Parameters of model `{}`{also}:\n\n{}",
                m.name(),
                reference::params_markdown(m)
            );
            let besides = m
                .parent()
                .map(|p| {
                    format!(
                        " (after the engine's columns and model `{}`'s parameter columns)",
                        p.name()
                    )
                })
                .unwrap_or_default();
            outln!(
                "Result columns{besides}:\n\n{}",
                reference::columns_markdown(&reference::own_columns(m))
            );
            if let Some(d) = m.detail() {
                outln!(
                    "Table of {}s (results/<experiment>.{}/plan=<hash>/part-NNNNN.parquet, one row per {}):\n\n{}",
                    d.item,
                    d.name,
                    d.item,
                    reference::columns_markdown(&d.columns(&m.columns()))
                );
            }
            Ok(())
        }
    }
}

fn print_plan(plan: &Plan, out: &Path) {
    let dir = runner::plan_dir(out, plan);
    let checks = runner::check_parts(plan, &dir);
    let done: Vec<bool> = checks
        .iter()
        .map(|c| matches!(c, runner::PartCheck::Verified(_)))
        .collect();
    let done_runs: usize = (0..plan.part_count())
        .filter(|&i| done[i])
        .map(|i| plan.part(i).len())
        .sum();
    outln!("experiment  {} ({})", plan.name, plan.description);
    outln!("model       {}", plan.model.name());
    outln!("seed        {}", plan.master_seed);
    outln!("plan hash   {}", plan.hash_hex());
    outln!("results     {}", dir.display());
    outln!(
        "runs        {} = {} points x {} replicates, in {} parts",
        plan.runs.len(),
        plan.runs.len() / plan.replicates as usize,
        plan.replicates,
        plan.part_count()
    );
    outln!("done        {done_runs}");
    outln!("to run      {}", plan.runs.len() - done_runs);
    for a in &plan.axes {
        let vals: Vec<String> = a.values.iter().map(|v| v.to_string()).collect();
        outln!(
            "  sweep {} ({}): {}",
            a.key,
            a.values.len(),
            vals.join(", ")
        );
    }
    let defs = plan.model.params();
    let fixed: Vec<String> = defs
        .iter()
        .zip(&plan.base)
        .filter(|(d, _)| !plan.axes.iter().any(|a| a.key == d.key))
        .map(|(d, v)| format!("{}={}", d.key, v))
        .collect();
    outln!("  fixed: {}", fixed.join(" "));
    for (i, c) in checks.iter().enumerate() {
        if let runner::PartCheck::Damaged(why) = c {
            outln!("damaged     part {i}: {why} (run moves it aside and runs it again)");
        }
    }
    let pending: Vec<usize> = (0..plan.part_count()).filter(|&i| !done[i]).collect();
    if !pending.is_empty() {
        outln!("would run parts: {}", compress_ranges(&pending));
    }
}

fn compress_ranges(v: &[usize]) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && v[j + 1] == v[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            v[i].to_string()
        } else {
            format!("{}-{}", v[i], v[j])
        });
        i = j + 1;
    }
    out.join(",")
}

fn plot_figures(
    results: &Path,
    out: Option<&Path>,
    formats: &[crate::figure::Format],
) -> Result<(), Failure> {
    use crate::figure::FigureError;
    let drawn = plot::draw(results, out, formats).map_err(|e| match e {
        FigureError::Output(o) => Failure::Output(o),
        FigureError::NoResults(_) => Failure::Usage(e.to_string()),
        other => Failure::Usage(other.to_string()),
    })?;
    for f in &drawn.files {
        outln!("figure: {}", f.display());
    }
    for (dir, why) in &drawn.skipped {
        eprintln!("skipped {}: {why}", dir.display());
    }
    Ok(())
}

fn status(results: &Path, shards: Option<u32>) -> Result<(), Failure> {
    use crate::runner::status::{PartState, find_plans, plan_status};
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
        let st = plan_status(&dir, shards)?;
        let all = st.counts(None);
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
        let line = |label: String, c: crate::runner::status::Counts| {
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
        line("all".into(), all);
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
        if st.stray_temp_files > 0 {
            outln!(
                "  note: {} temporary file(s) left by interrupted writers (never read as results; the next run removes them)",
                st.stray_temp_files
            );
        }
        let verdict = if all.damaged > 0 {
            worst = worst.max(2);
            format!(
                "damaged: {} part(s) fail verification; the same `chainlab run` command moves them aside (under damaged/) and runs them again",
                all.damaged
            )
        } else if all.missing == 0 && all.failed == 0 {
            "complete".to_string()
        } else if all.missing == 0 {
            worst = worst.max(1);
            format!(
                "complete with {} failed runs (re-run with --retry-failed after a fix)",
                all.failed
            )
        } else {
            worst = worst.max(1);
            let shown: Vec<String> = missing.iter().take(12).cloned().collect();
            format!(
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
            )
        };
        outln!("  {verdict}");
    }
    match worst {
        0 => Ok(()),
        1 => Err(Failure::Incomplete),
        _ => Err(Failure::Damaged),
    }
}

/// On SIGINT or SIGTERM: says what is committed and how to resume, then exits with 130 or
/// 143 (128 + the signal). Committed parts are whole (each is renamed into place); a part in
/// the middle of its runs is simply run again by the next invocation, and the temporary files
/// of writers cut short are removed then.
fn on_interrupt(tally: std::sync::Arc<runner::Tally>, dir: PathBuf) {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use std::sync::atomic::Ordering::Relaxed;
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            let name = if sig == SIGINT { "SIGINT" } else { "SIGTERM" };
            let (parts, runs) = (
                tally.parts_committed.load(Relaxed),
                tally.runs_committed.load(Relaxed),
            );
            let done = tally.runs_done_before.load(Relaxed) + runs;
            let resume: Vec<String> = std::env::args().map(|a| shell_quote(&a)).collect();
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

/// Quotes a word for a POSIX shell.
fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn slurm(a: &SlurmArgs) -> Result<(), Failure> {
    if a.shards == 0 {
        return Err(Failure::Usage("--shards must be at least 1".into()));
    }
    if a.cpus_per_task == 0 {
        return Err(Failure::Usage("--cpus-per-task must be at least 1".into()));
    }
    let plan = load(&a.spec)?;
    let abs = |p: &Path| -> Result<PathBuf, Failure> {
        Ok(std::path::absolute(p).map_err(output::io(p))?)
    };
    let out = abs(&a.spec.out)?;
    let spec_path = abs(&a.spec.spec)?;
    let prov = Provenance {
        git_commit: command_line("git", &["rev-parse", "HEAD"]),
        host: host_name(),
        rustc: command_line("rustc", &["--version"]),
    };
    let dir = runner::describe_plan(&plan, &out, &prov, "queued")?;
    let logs = dir.join("slurm-logs");
    output::create_dir(&logs)?;
    let script = match &a.script {
        Some(p) => abs(p)?,
        None => dir.join("slurm.sbatch"),
    };
    let exe = std::env::current_exe().map_err(output::io(Path::new("chainlab")))?;
    let cwd = abs(Path::new("."))?;
    let q = |p: &Path| shell_quote(&p.display().to_string());
    let mut run_args = vec![
        "run".to_string(),
        q(&spec_path),
        "--out".into(),
        q(&out),
        "--quiet".into(),
        "--shard-count".into(),
        a.shards.to_string(),
    ];
    if a.spec.quick {
        run_args.push("--quick".into());
    }
    if let Some(s) = a.spec.seed {
        run_args.push(format!("--seed {s}"));
    }
    if let Some(r) = a.spec.replicates {
        run_args.push(format!("--replicates {r}"));
    }
    let mut text = format!(
        "#!/bin/bash\n\
         # Written by `chainlab slurm`: experiment {name}, plan {hash}, {runs} runs in {parts} parts,\n\
         # {shards} shards (array tasks). Submit with: sbatch {script}\n\
         # Each task runs the parts of shard SLURM_ARRAY_TASK_ID of {shards}; the count is pinned\n\
         # with --shard-count, so resubmitting a subset (sbatch --array=0,2 {script}) is safe.\n\
         # Tasks skip parts already committed; `chainlab status {dir}` shows what is left.\n\
         #SBATCH --job-name=chainlab-{name}\n\
         #SBATCH --array=0-{last}{limit}\n\
         #SBATCH --ntasks=1\n\
         #SBATCH --cpus-per-task={cpus}\n\
         #SBATCH --time={time}\n\
         #SBATCH --mem={mem}\n\
         #SBATCH --output={logs}/%A_%a.out\n\
         #SBATCH --chdir={cwd}\n",
        name = plan.name,
        hash = plan.hash_hex(),
        runs = plan.runs.len(),
        parts = plan.part_count(),
        shards = a.shards,
        script = q(&script),
        dir = q(&dir),
        last = a.shards - 1,
        limit = a.max_parallel.map(|k| format!("%{k}")).unwrap_or_default(),
        cpus = a.cpus_per_task,
        time = a.time,
        mem = a.mem,
        logs = logs.display(),
        cwd = cwd.display(),
    );
    if let Some(p) = &a.partition {
        text.push_str(&format!("#SBATCH --partition={p}\n"));
    }
    if let Some(acc) = &a.account {
        text.push_str(&format!("#SBATCH --account={acc}\n"));
    }
    text.push_str(&format!(
        "set -euo pipefail\nexec {} {} --jobs \"${{SLURM_CPUS_PER_TASK:-{}}}\"\n",
        q(&exe),
        run_args.join(" "),
        a.cpus_per_task
    ));
    if let Some(parent) = script.parent() {
        output::create_dir(parent)?;
    }
    output::write_atomic(&script, &text)?;
    if (plan.part_count() as u64) < u64::from(a.shards) {
        eprintln!(
            "warning: the plan has {} parts, so {} of the {} tasks will find nothing to do; \
             use fewer shards or a smaller runs_per_part in the spec",
            plan.part_count(),
            u64::from(a.shards) - plan.part_count() as u64,
            a.shards
        );
    }
    outln!("wrote {}", script.display());
    outln!("sbatch {}", q(&script));
    Ok(())
}

fn list(dir: &Path) -> Result<(), Failure> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Failure::Usage(format!("{}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for f in files {
        match spec::load(&f, Overrides::default()) {
            Ok(p) => outln!(
                "{:<40} {:>7} runs  {}",
                f.display(),
                p.runs.len(),
                p.description
            ),
            Err(e) => outln!("{:<40} invalid: {e}", f.display()),
        }
    }
    Ok(())
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

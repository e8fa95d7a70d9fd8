//! `chainlab slurm`: a Slurm job-array script that runs a plan as N shards.

use super::*;

#[derive(Args, Debug)]
pub(super) struct SlurmArgs {
    #[command(flatten)]
    pub(super) spec: SpecArgs,
    /// Array tasks (shards).
    #[arg(long)]
    pub(super) shards: u32,
    /// CPUs per task (the run's --jobs).
    #[arg(long, default_value_t = 2)]
    pub(super) cpus_per_task: u32,
    /// Wall-time limit per task (Slurm syntax, e.g. 02:00:00).
    #[arg(long, default_value = "01:00:00")]
    pub(super) time: String,
    /// Memory per task (Slurm syntax, e.g. 4G).
    #[arg(long, default_value = "4G")]
    pub(super) mem: String,
    /// Partition.
    #[arg(long)]
    pub(super) partition: Option<String>,
    /// Account to charge.
    #[arg(long)]
    pub(super) account: Option<String>,
    /// At most this many tasks at once (`--array=0-N%K`).
    #[arg(long)]
    pub(super) max_parallel: Option<u32>,
    /// Where to write the script (default: `<out>/<experiment>/plan=<hash>/slurm.sbatch`).
    #[arg(long)]
    pub(super) script: Option<PathBuf>,
}

/// Quotes a word for a POSIX shell.
pub(super) fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

pub(super) fn slurm(a: &SlurmArgs) -> Result<(), Failure> {
    if !slurm_time_ok(&a.time) {
        return Err(Failure::Usage(format!(
            "--time {}: allowed: Slurm's syntax, minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes or days-hours:minutes:seconds (e.g. 02:00:00, 90, 1-12)",
            a.time
        )));
    }
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
    let prov = run::provenance();
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

/// Whether `t` is a time limit in one of Slurm's formats (`sbatch --time`): "minutes",
/// "minutes:seconds", "hours:minutes:seconds", "days-hours", "days-hours:minutes" and
/// "days-hours:minutes:seconds", every field a whole number, minutes and seconds below 60
/// after the first field.
fn slurm_time_ok(t: &str) -> bool {
    let num = |f: &str| !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit());
    let below_60 = |f: &str| num(f) && f.parse::<u32>().is_ok_and(|x| x < 60);
    let (days, rest) = match t.split_once('-') {
        Some((d, r)) => (Some(d), r),
        None => (None, t),
    };
    let fields: Vec<&str> = rest.split(':').collect();
    match (days, fields.as_slice()) {
        (None, [m]) => num(m),
        (None, [m, s]) => num(m) && below_60(s),
        (None, [h, m, s]) => num(h) && below_60(m) && below_60(s),
        (Some(d), [h]) => num(d) && num(h),
        (Some(d), [h, m]) => num(d) && num(h) && below_60(m),
        (Some(d), [h, m, s]) => num(d) && num(h) && below_60(m) && below_60(s),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::slurm_time_ok;

    #[test]
    fn slurm_time_limits_follow_sbatch_syntax() {
        for ok in [
            "90",
            "30:00",
            "02:00:00",
            "1-12",
            "1-12:30",
            "2-00:00:00",
            "0",
        ] {
            assert!(slurm_time_ok(ok), "{ok}");
        }
        for bad in [
            "2h", "", "1:2:3:4", "01:60:00", "1-", "-5", "1.5", "a-1", "10:75",
        ] {
            assert!(!slurm_time_ok(bad), "{bad}");
        }
    }
}

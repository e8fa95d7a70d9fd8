//! Parallel efficiency of one sweep, and what its serial part predicts on more cores.
//!
//! Runs `experiments/twin_fig6.toml` with 20 replicates per M (140 re-simulations, a few
//! seconds a pass) into a temporary directory with `--jobs 1`, then with every count up to the
//! machine's cores, and prints per count the wall time, the speed-up and the efficiency
//! (speed-up / jobs). Beside it, the serial part of a sweep: the wall time of `--jobs 1` less
//! the time spent inside the runs (plan expansion, part verification and writing, the
//! manifest), its fraction `s`, and the efficiency Amdahl's law predicts from it at 16 and 64
//! cores, `1 / (p s + 1 - s)`, and for a 100-task Slurm array (each task pays the serial part
//! of its own share: the plan expansion and the manifest once, the part writes of its parts).
//!
//! `cargo bench --bench parallel` (`-- --replicates R` for another size).

use chainlab::runner::{Provenance, RunOptions, execute_with};
use chainlab::spec::{Overrides, parse};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

fn main() {
    let mut replicates = 20u32;
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--replicates") {
        replicates = args[i + 1].parse().expect("--replicates N");
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/twin_fig6.toml");
    let text = std::fs::read_to_string(&path).expect("experiment file");
    let expand = Instant::now();
    let plan = parse(
        &path,
        &text,
        Overrides {
            replicates: Some(replicates),
            ..Default::default()
        },
    )
    .expect("valid spec");
    let expand_s = expand.elapsed().as_secs_f64();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "twin_fig6.toml, {} runs in {} parts; plan expansion {:.4} s; {cores} cores",
        plan.runs.len(),
        plan.part_count(),
        expand_s
    );
    let mut t1 = 0.0;
    for jobs in 1..=cores.max(2) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let in_runs = AtomicU64::new(0);
        let opts = RunOptions {
            jobs: Some(jobs),
            out_root: dir.path().to_path_buf(),
            ..Default::default()
        };
        let start = Instant::now();
        let s = execute_with(&plan, &opts, &Provenance::default(), &|run, seeds, ws| {
            let t = Instant::now();
            let out = chainlab::model::Model::run(&run.params, seeds, ws);
            in_runs.fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
            out
        })
        .expect("the sweep runs");
        let wall = start.elapsed().as_secs_f64() + expand_s;
        assert_eq!(s.executed, plan.runs.len());
        let runs_s = in_runs.load(Ordering::Relaxed) as f64 / 1e9;
        if jobs == 1 {
            t1 = wall;
            let serial = wall - runs_s;
            let f = serial / wall;
            println!(
                "--jobs 1: {wall:.3} s wall, {runs_s:.3} s inside runs, serial part {serial:.3} s (s = {:.4} of the sweep)",
                f
            );
            for p in [16.0, 64.0] {
                let speedup = 1.0 / (f + (1.0 - f) / p);
                println!(
                    "  Amdahl at {p:.0} cores: speed-up {speedup:.1}, efficiency {:.2}",
                    speedup / p
                );
            }
            // A 100-task array: each task expands the plan and writes its manifest once, and
            // writes its own hundredth of the parts; the runs split 100 ways.
            let per_task_serial = expand_s + (serial - expand_s) / 100.0;
            let per_task = per_task_serial + runs_s / 100.0;
            println!(
                "  100-task Slurm array: each task {per_task:.4} s, of which serial {per_task_serial:.4} s; efficiency {:.2} (the limit: plan expansion, {:.4} s a task)",
                (runs_s / 100.0) / per_task,
                expand_s
            );
        } else {
            let speedup = t1 / wall;
            println!(
                "--jobs {jobs}: {wall:.3} s wall, speed-up {speedup:.2}, efficiency {:.2}",
                speedup / jobs as f64
            );
        }
    }
}

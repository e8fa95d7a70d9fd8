//! PBFT benchmarks on the set-ups of `experiments/pbft_baseline.toml`: one paper-A run to 1000
//! committed transactions (10 and 50 nodes) and two simulated minutes of paper B's 32-node
//! chain (the file's quick profile). Events per second are reported by criterion's throughput.

use chainlab::model::{Model, ModelParams, Workspace};
use chainlab::propagation::RunSeeds;
use chainlab::spec::{Overrides, parse};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;

fn runs(c: &mut Criterion) {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/experiments/pbft_baseline.toml"
    ));
    let text = std::fs::read_to_string(path).expect("experiment file");
    let plan = parse(
        path,
        &text,
        Overrides {
            quick: true,
            ..Default::default()
        },
    )
    .expect("valid spec");
    let mut group = c.benchmark_group("pbft");
    group.sample_size(10);
    for case in ["paper_a_10", "paper_a_50", "paper_b_primary"] {
        let run = plan
            .runs
            .iter()
            .find(|r| r.case == case)
            .expect("case in plan");
        assert!(matches!(run.params, ModelParams::Pbft(_)));
        let seeds = RunSeeds {
            master: plan.master_seed,
            env_key: run.env_key,
            run_key: run.run_key,
        };
        let mut ws = Workspace::default();
        let events = Model::run(&run.params, seeds, &mut ws).events;
        group.throughput(Throughput::Elements(events));
        group.bench_function(case, |b| {
            b.iter(|| black_box(Model::run(&run.params, seeds, &mut ws)))
        });
    }
    group.finish();
}

criterion_group!(benches, runs);
criterion_main!(benches);

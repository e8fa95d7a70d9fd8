//! PBFT benchmarks on the set-ups of `experiments/pbft_baseline.toml`: one paper-A run to 1000
//! committed transactions (10 and 50 nodes), two simulated minutes of paper B's 32-node chain
//! (the file's quick profile) and one simulated hour of it (the target: under 2 s);
//! the twin model; one hour of the management model.
//! Events per second are reported by criterion's throughput.

use chainlab::model::{Model, Workspace};
use chainlab::rng::RunSeeds;
use chainlab::spec::{Overrides, Plan, RunSpec, parse};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;

/// The plan of `experiments/<file>` (its quick profile if `quick`).
fn plan_of(file: &str, quick: bool) -> Plan {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("experiments")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("experiment file");
    let overrides = Overrides {
        quick,
        ..Default::default()
    };
    parse(&path, &text, overrides).expect("valid spec")
}

/// The seeds of one run of `plan`.
fn seeds_of(plan: &Plan, run: &RunSpec) -> RunSeeds {
    RunSeeds {
        master: plan.master_seed,
        env_key: run.env_key,
        run_key: run.run_key,
    }
}

/// Benchmarks the first run of `case` in `plan` as `name`, its events as the throughput.
fn bench_case(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, plan: &Plan, case: &str) {
    let run = plan
        .runs
        .iter()
        .find(|r| &*r.case == case)
        .expect("case in plan");
    let seeds = seeds_of(plan, &run);
    let mut ws = Workspace::default();
    let events = Model::run(&run.params, seeds, &mut ws).events;
    group.throughput(Throughput::Elements(events));
    group.bench_function(name, |b| {
        b.iter(|| black_box(Model::run(&run.params, seeds, &mut ws)))
    });
}

fn runs(c: &mut Criterion) {
    let plan = plan_of("pbft_baseline.toml", true);
    assert!(
        plan.runs
            .iter()
            .all(|r| r.params.as_any().is::<chainlab::pbft::PbftParams>())
    );
    let mut group = c.benchmark_group("pbft");
    group.sample_size(10);
    for case in ["paper_a_10", "paper_a_50", "paper_b_primary"] {
        bench_case(&mut group, case, &plan, case);
    }
    // The full profile's paper-B case: one simulated hour.
    let full = plan_of("pbft_baseline.toml", false);
    bench_case(&mut group, "paper_b_primary_hour", &full, "paper_b_primary");
    group.finish();
}

/// The twin model on `twin_fig6.toml`'s system: the physical run with peer-state estimation
/// and path history (once per system), and one reconstruction with its re-simulation at M = 20.
fn twin(c: &mut Criterion) {
    use chainlab::twin::{mirror, run_original, system_seeds};
    let plan = plan_of("twin_fig6.toml", false);
    let run = plan.runs.get(plan.runs.len() - 1);
    let tp = run
        .params
        .as_any()
        .downcast_ref::<chainlab::twin::TwinParams>()
        .expect("twin_fig6 is a twin experiment");
    let system = system_seeds(plan.master_seed, run.env_key);
    let mut sim = chainlab::pbft::Simulator::default();
    let mut group = c.benchmark_group("twin");
    group.sample_size(10);
    group.bench_function("physical_system_50_nodes", |b| {
        b.iter(|| black_box(run_original(&tp.pbft, tp.ebw_delay, system, &mut sim)))
    });
    let orig = run_original(&tp.pbft, tp.ebw_delay, system, &mut sim);
    group.bench_function("reconstruct_and_resimulate_m20", |b| {
        b.iter(|| black_box(mirror(tp, &orig, system, run.run_key, &mut sim)))
    });
    group.finish();
}

/// The management model's target: one hour of paper B's 32-node primary chain managed by 16
/// twins (`experiments/mgmt_config.toml`, case `cb_0_25`, the paper's set-up, replicate 0).
fn management(c: &mut Criterion) {
    let plan = plan_of("mgmt_config.toml", false);
    let mut group = c.benchmark_group("management");
    group.sample_size(10);
    bench_case(
        &mut group,
        "paper_b_hour_32_nodes_16_twins",
        &plan,
        "cb_0_25",
    );
    group.finish();
}

/// One simulated hour of paper B's 32-node chain (`pbft_baseline`'s `paper_b_primary`) under
/// each consensus protocol, Tendermint with digest votes (the target: Tendermint and BigFoot
/// within 10 % of PBFT's CPU).
fn protocols(c: &mut Criterion) {
    use chainlab::network::VotePayload;
    use chainlab::pbft::{Consensus, PbftParams, Simulator, simulate};
    let full = plan_of("pbft_baseline.toml", false);
    let run = full
        .runs
        .iter()
        .find(|r| &*r.case == "paper_b_primary")
        .expect("paper B's case");
    let base = run
        .params
        .as_any()
        .downcast_ref::<PbftParams>()
        .expect("a pbft run")
        .clone();
    let seeds = seeds_of(&full, &run);
    let mut group = c.benchmark_group("pbft_protocols");
    group.sample_size(10);
    for (name, consensus, v2) in [
        ("pbft", Consensus::Pbft, false),
        ("tendermint", Consensus::Tendermint, false),
        ("tendermint_v2", Consensus::Tendermint, true),
        ("bigfoot", Consensus::BigFoot, false),
    ] {
        let mut p = base.clone();
        (p.consensus, p.v2.tendermint) = (consensus, v2);
        if consensus == Consensus::Tendermint {
            p.votes = VotePayload::Digest;
        }
        let mut sim = Simulator::default();
        group.throughput(Throughput::Elements(simulate(&p, seeds, &mut sim).events));
        group.bench_function(name, |b| {
            b.iter(|| black_box(simulate(&p, seeds, &mut sim)))
        });
    }
    group.finish();
}

criterion_group!(benches, runs, twin, management, protocols);
criterion_main!(benches);

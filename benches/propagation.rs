//! Propagation benchmarks at the sizes of the paper: one event-driven flood, one OPPI broadcast,
//! one gossip broadcast and one whole run (graph, weights, MST, Borůvka accounting, Dijkstra,
//! broadcast) at n = 10 000, k = 8, with fixed seeds. Events per second are reported by
//! criterion's throughput.

use chainlab::graph::{Topology, generate, mst};
use chainlab::propagation::{
    self, Delays, GossipConfig, GraphRng, PropagationParams, Protocol, RunSeeds, Simulator,
    WeightMode,
};
use chainlab::rng::stream;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn broadcasts(c: &mut Criterion) {
    let n = 10_000;
    let g = generate(Topology::KOut { k: 8 }, n, &mut stream(1, 1, "topology"));
    let w = propagation::draw_weights(g.edge_count(), 1, 100, &mut stream(1, 1, "weights"));
    let mut sim = Simulator::new();
    let mut rng = stream(1, 1, "protocol");
    let flood_events = sim.forward(&g, Delays::Fixed(&w), 0, &mut rng).events;

    let mut group = c.benchmark_group("n10000_k8_kout");
    group.sample_size(30);
    group.throughput(Throughput::Elements(flood_events));
    group.bench_function("flood", |b| {
        b.iter(|| black_box(sim.forward(&g, Delays::Fixed(&w), black_box(0), &mut rng)))
    });

    let t = mst::kruskal(&g, &w);
    let (tree, tw) = propagation::subgraph(&g, &w, &t.edges);
    group.throughput(Throughput::Elements(u64::from(n)));
    group.bench_function("oppi", |b| {
        b.iter(|| black_box(sim.forward(&tree, Delays::Fixed(&tw), black_box(0), &mut rng)))
    });
    group.bench_function("kruskal", |b| b.iter(|| black_box(mst::kruskal(&g, &w))));
    group.bench_function("boruvka_accounting", |b| {
        b.iter(|| black_box(mst::boruvka(&g, &w)))
    });

    let preset = GossipConfig {
        period_ms: 100,
        fanout: 1,
        pushes: 100,
    };
    let gossip_events = sim
        .gossip(&g, Delays::Fixed(&w), 0, preset, &mut rng)
        .events;
    group.throughput(Throughput::Elements(gossip_events));
    group.sample_size(10);
    group.bench_function("gossip_p100_f1_r100", |b| {
        b.iter(|| {
            black_box(sim.gossip(
                &g,
                Delays::Fixed(&w),
                0,
                GossipConfig {
                    period_ms: 100,
                    fanout: 1,
                    pushes: 100,
                },
                &mut rng,
            ))
        })
    });
    group.finish();

    let mut whole = c.benchmark_group("whole_run_n10000");
    whole.sample_size(10);
    for protocol in [Protocol::Flood, Protocol::Oppi] {
        let p = PropagationParams {
            topology: Topology::KOut { k: 8 },
            nodes: n,
            graph_rng: GraphRng::Engine,
            delay_min_ms: 1,
            delay_max_ms: 100,
            weights: WeightMode::PerEdge,
            protocol,
            block_rate_per_s: 1.0 / 600.0,
        };
        whole.bench_function(protocol.name(), |b| {
            b.iter(|| {
                black_box(propagation::simulate(
                    &p,
                    RunSeeds {
                        master: 1,
                        env_key: 2,
                        run_key: 3,
                    },
                    &mut sim,
                ))
            })
        });
    }
    whole.finish();
}

criterion_group!(benches, broadcasts);
criterion_main!(benches);

//! Propagation benchmarks at the sizes of the paper: one event-driven flood, one OPPI broadcast,
//! one gossip broadcast and one whole run (graph, weights, MST, Borůvka accounting, Dijkstra,
//! broadcast) at n = 10 000, k = 8, with fixed seeds. Events per second are reported by
//! criterion's throughput.

use chainlab::graph::{Topology, generate, mst};
use chainlab::propagation::{
    self, Delays, GossipConfig, GraphRng, PropagationParams, Protocol, Simulator, WeightMode,
    draw_weights,
};
use chainlab::rng::{RunSeeds, stream};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn broadcasts(c: &mut Criterion) {
    let n = 10_000;
    let g = generate(
        Topology::KOut { k: 8 },
        n,
        &mut stream(1, 1, chainlab::rng::purpose::TOPOLOGY),
    );
    let w = propagation::draw_weights(
        g.edge_count(),
        1,
        100,
        &mut stream(1, 1, chainlab::rng::purpose::WEIGHTS),
    );
    let mut sim = Simulator::new();
    let mut rng = stream(1, 1, chainlab::rng::purpose::PROTOCOL);
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
    for (protocol, references) in [
        (Protocol::Flood, true),
        (Protocol::Oppi, true),
        (Protocol::Flood, false),
        (Protocol::Oppi, false),
    ] {
        let p = PropagationParams {
            topology: Topology::KOut { k: 8 },
            nodes: n,
            graph_rng: GraphRng::Engine,
            delay_min_ms: 1,
            delay_max_ms: 100,
            weights: WeightMode::PerEdge,
            protocol,
            block_rate_per_s: 1.0 / 600.0,
            fee_c: 0.5,
            signing: None,
            references,
        };
        let name = if references {
            protocol.name().to_string()
        } else {
            format!("{}_no_references", protocol.name())
        };
        whole.bench_function(name, |b| {
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

/// Signed propagation paths (OPPI Section 4): one signature, one hop verification, and one
/// whole broadcast along the MST of a 10 000-node random graph (k = 8) in which every hop is
/// signed and every receiver verifies its whole path. The verification count of that
/// broadcast (the sum of the tree depths) is printed once.
fn signed_paths(c: &mut Criterion) {
    use chainlab::propagation::signed_path::{SignedPath, node_key, verify, verify_last_hop};
    let keys: Vec<_> = (0..10_000u32).map(|i| node_key(1, i)).collect();
    let mut group = c.benchmark_group("signed_path");
    group.throughput(Throughput::Elements(1));
    let mut m = SignedPath::new(b"tx".to_vec());
    group.bench_function("sign_one_hop", |b| {
        b.iter(|| {
            m.hops.clear();
            m.forward(&keys[0], &keys[1].verifying_key(), 1000);
        })
    });
    let mut one = SignedPath::new(b"tx".to_vec());
    one.forward(&keys[0], &keys[1].verifying_key(), 1000);
    group.bench_function("verify_one_hop", |b| {
        b.iter(|| black_box(verify(&one, &keys[0].verifying_key()).unwrap()))
    });

    let g = generate(
        Topology::KOut { k: 8 },
        10_000,
        &mut stream(3, 1, chainlab::rng::purpose::TOPOLOGY),
    );
    let w = draw_weights(
        g.edge_count(),
        1,
        100,
        &mut stream(3, 1, chainlab::rng::purpose::WEIGHTS),
    );
    let tree = mst::kruskal(&g, &w);
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); 10_000];
    for &e in &tree.edges {
        let (u, v) = g.edges()[e as usize];
        adj[u as usize].push(v);
        adj[v as usize].push(u);
    }
    // Parent before child: breadth-first order from node 0.
    let mut order = vec![(0u32, u32::MAX)];
    let mut seen = vec![false; 10_000];
    seen[0] = true;
    let mut i = 0;
    while i < order.len() {
        let (x, _) = order[i];
        for &y in &adj[x as usize] {
            if !seen[y as usize] {
                seen[y as usize] = true;
                order.push((y, x));
            }
        }
        i += 1;
    }
    // Every hop signed; every receiver checks the new hop (incremental verification).
    let broadcast = || {
        let mut paths: Vec<Option<SignedPath>> = vec![None; 10_000];
        paths[0] = Some(SignedPath::new(b"tx".to_vec()));
        for &(y, x) in &order[1..] {
            let mut p = paths[x as usize].clone().expect("parent first");
            p.forward(&keys[x as usize], &keys[y as usize].verifying_key(), 1000);
            verify_last_hop(&p, &keys[0].verifying_key()).unwrap();
            paths[y as usize] = Some(p);
        }
        paths
    };
    // Verifying every receiver's whole path instead: one verification per hop of every path.
    let full: usize = broadcast()
        .iter()
        .map(|p| p.as_ref().map_or(0, |p| p.hops.len()))
        .sum();
    let last = broadcast()[order.last().unwrap().0 as usize]
        .clone()
        .unwrap();
    assert_eq!(
        verify(&last, &keys[0].verifying_key()).unwrap().len(),
        last.hops.len() + 1
    );
    eprintln!(
        "signed broadcast on the MST, n = 10000: {} signatures and incremental verifications; \
         {full} verifications if every receiver checks its whole path",
        order.len() - 1
    );
    group.sample_size(10);
    group.throughput(Throughput::Elements(order.len() as u64 - 1));
    group.bench_function("mst_broadcast_10000_sign_and_verify", |b| {
        b.iter(|| black_box(broadcast()))
    });
    group.finish();
}

criterion_group!(benches, broadcasts, signed_paths);
criterion_main!(benches);

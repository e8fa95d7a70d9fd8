//! One propagation run from its parameters: the graph from its stream, the weights, the
//! broadcast and its signed repeat, within the run's budget.

use super::*;

/// Draws one uniform integer delay in `min..=max` per edge.
pub fn draw_weights(m: usize, min: u32, max: u32, rng: &mut Stream) -> Vec<u32> {
    (0..m).map(|_| rng.random_range(min..=max)).collect()
}

/// Builds the overlay graph made of the given edges of `g`, with their weights.
pub fn subgraph(g: &Graph, w: &[u32], edges: &[u32]) -> (Graph, Vec<u32>) {
    let list = edges.iter().map(|&e| g.edges()[e as usize]).collect();
    let weights = edges.iter().map(|&e| w[e as usize]).collect();
    (Graph::from_simple_edges(g.node_count(), list), weights)
}

/// Generates the run's graph from its "topology" stream.
pub fn build_graph(p: &PropagationParams, seeds: RunSeeds) -> Graph {
    let mut topo = stream(seeds.master, seeds.env_key, purpose::TOPOLOGY);
    match p.graph_rng {
        GraphRng::Engine => generate(p.topology, p.nodes, &mut topo),
        GraphRng::PeerSim => {
            let mut java = JavaRandom::new(topo.next_u64() as i64);
            generate(p.topology, p.nodes, &mut java)
        }
    }
}

/// Runs one propagation experiment: graph, weights, source, references, then the broadcast
/// (and its signed repeat), all within `sim.budget`: a run that spends it is the error, the
/// reason its row records.
pub fn simulate(
    p: &PropagationParams,
    seeds: RunSeeds,
    sim: &mut Simulator,
) -> Result<PropagationMetrics, Spent> {
    let env = sim.environment(p, seeds);
    let Environment { g, w, source, .. } = &*env;
    let (g, w, source) = (g, &w[..], *source);
    let n = g.node_count();
    if p.references {
        // Borůvka first, so that OPPI's tree comes from it and Kruskal is never run too.
        env.mst_build();
    }
    let mut proto_rng = stream(seeds.master, seeds.run_key, purpose::PROTOCOL);
    let fresh = Delays::Fresh {
        min: p.delay_min_ms,
        max: p.delay_max_ms,
    };

    let mut signed: Option<Broadcast> = None;
    let b = match p.protocol {
        Protocol::Gossip {
            period_ms,
            fanout,
            pushes,
        } => {
            let d = match p.weights {
                WeightMode::PerEdge => Delays::Fixed(w),
                WeightMode::PerMessage => fresh,
            };
            sim.gossip(
                g,
                d,
                source,
                GossipConfig {
                    period_ms,
                    fanout,
                    pushes,
                },
                &mut proto_rng,
            )
        }
        Protocol::Flood => {
            let d = match p.weights {
                WeightMode::PerEdge => Delays::Fixed(w),
                WeightMode::PerMessage => fresh,
            };
            let b = sim.forward(g, d, source, &mut proto_rng);
            signed = signed_repeat(sim, p, seeds, &b, g, d, source)?;
            b
        }
        Protocol::Oppi | Protocol::Spt => {
            let (tree, tw) = if p.protocol == Protocol::Oppi {
                subgraph(g, w, env.mst_edges())
            } else {
                let spt_edges: Vec<u32> = env
                    .sp()
                    .parent_edge
                    .iter()
                    .copied()
                    .filter(|&e| e != u32::MAX)
                    .collect();
                subgraph(g, w, &spt_edges)
            };
            let d = match p.weights {
                WeightMode::PerEdge => Delays::Fixed(&tw),
                WeightMode::PerMessage => fresh,
            };
            let b = sim.forward(&tree, d, source, &mut proto_rng);
            signed = signed_repeat(sim, p, seeds, &b, &tree, d, source)?;
            b
        }
    };
    if b.spent {
        return Err(overrun(sim.budget, &b, n, "broadcast", 1.0));
    }
    let signed_events = signed.map_or(0, |s| s.events);
    let signed = signed.map(|s| SignedBroadcast {
        makespan_ms: s.makespan as f64 / 1000.0,
        mean_arrival_ms: s.arrival_sum as f64 / f64::from(n) / 1000.0,
        signatures: s.msgs,
        verifications: s.verifications,
        path_bytes: s.path_bytes,
    });

    let mean_arrival_ms = b.arrival_sum as f64 / f64::from(n);
    let pb_per_ms = p.block_rate_per_s / 1000.0;
    // 1 - (1 - Pb)^I, computed without cancellation for small Pb.
    let fork_probability = -f64::exp_m1(mean_arrival_ms * f64::ln_1p(-pb_per_ms));
    let fork_probability_linear = pb_per_ms * mean_arrival_ms;
    let mst_rewards = p.references.then(|| {
        let mut rewards = incentive::tree_rewards(env.mst_graph(), source, 1.0, p.fee_c);
        let reward_source = rewards[source as usize];
        rewards.sort_unstable_by(f64::total_cmp);
        let total: f64 = rewards.iter().sum();
        let top = rewards.len().div_ceil(100);
        let weighted: f64 = rewards
            .iter()
            .enumerate()
            .map(|(i, x)| (i + 1) as f64 * x)
            .sum();
        let nf = rewards.len() as f64;
        [
            reward_source,
            *rewards.last().expect("n >= 2"),
            2.0 * weighted / (nf * total) - (nf + 1.0) / nf,
            rewards[rewards.len() - top..].iter().sum::<f64>() / total,
        ]
    });
    let fork_probability_poisson = -f64::exp_m1(-pb_per_ms * mean_arrival_ms);
    Ok(PropagationMetrics {
        graph: g.stats(),
        source,
        msgs: b.msgs,
        duplicates: b.msgs - u64::from(b.informed.saturating_sub(1)),
        informed: b.informed,
        coverage: f64::from(b.informed) / f64::from(n),
        delay_total_ms: b.delay_total,
        makespan_ms: b.makespan,
        mean_arrival_ms,
        tree_weight_ms: b.tree_weight,
        tree_depth_hops: b.depth,
        mst_weight_ms: p.references.then(|| env.mst_build().forest.weight),
        spt_weight_ms: p.references.then(|| env.sp().tree_weight(w)),
        mst_build: p.references.then(|| env.mst_build().clone()),
        fork_probability,
        mst_rewards,
        fork_probability_linear,
        fork_probability_poisson,
        events: b.events + signed_events,
        signed,
    })
}

/// The stop of a broadcast `b` on `n` nodes that spent `budget`.
/// `ms_per_tick` converts its times to ms (1 for a plain broadcast, whose clock counts
/// milliseconds; 0.001 for a signed one, whose clock counts microseconds).
fn overrun(budget: Budget, b: &Broadcast, n: u32, what: &str, ms_per_tick: f64) -> Spent {
    Spent {
        events: b.events,
        reason: budget.overrun(
            b.events,
            b.msgs,
            &format!(
                "during the {what}, with {} of {n} nodes informed by {} ms",
                b.informed,
                b.makespan as f64 * ms_per_tick
            ),
            "",
        ),
    }
}

/// The broadcast `b` repeated with signed paths when `p.signing` is set, within what `b` left
/// of the budget (`None` when `b` spent it, or without signing).
#[allow(clippy::too_many_arguments)]
fn signed_repeat(
    sim: &mut Simulator,
    p: &PropagationParams,
    seeds: RunSeeds,
    b: &Broadcast,
    overlay: &Graph,
    d: Delays<'_>,
    source: u32,
) -> Result<Option<Broadcast>, Spent> {
    let Some(c) = p.signing.filter(|_| !b.spent) else {
        return Ok(None);
    };
    let budget = sim.budget;
    sim.budget = Budget {
        events: budget.events - b.events,
        messages: budget.messages - b.msgs,
        ..budget
    };
    let mut rng = stream(seeds.master, seeds.run_key, purpose::PROTOCOL_SIGNED);
    let s = sim.forward_with(overlay, d, source, &mut rng, Some(c));
    sim.budget = budget;
    if s.spent {
        let both = Broadcast {
            events: b.events + s.events,
            msgs: b.msgs + s.msgs,
            ..s
        };
        return Err(overrun(
            budget,
            &both,
            overlay.node_count(),
            "signed repeat",
            0.001,
        ));
    }
    Ok(Some(s))
}

//! Broadcast of one item over a weighted graph: periodic push gossip, flooding, OPPI (the
//! minimum spanning tree) and the shortest-path tree, as event-driven simulations on the
//! [`des`](crate::des) core.
//!
//! Definitions follow `../shared/research/oppi_peersim.md`, section 2. Time is integer
//! milliseconds; a "message" is one transmission of the item over one edge. This module does no
//! I/O and reads no clock: a run is a pure function of its parameters and its streams.

use crate::des::{EventQueue, Time};
use crate::graph::mst::{self, BoruvkaReport};
use crate::graph::paths::{self, UNREACHED};
use crate::graph::{Graph, GraphStats, Topology, generate};
use crate::rng::{JavaRandom, Stream, stream};
use rand::{Rng, RngExt};

/// Which random source drives the topology generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphRng {
    /// The engine's own stream ("topology" purpose).
    Engine,
    /// A `java.util.Random` port seeded from the "topology" stream, bit-exact with PeerSim for
    /// the same Java seed.
    PeerSim,
}

/// How link delays are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightMode {
    /// One uniform integer delay per undirected edge per run (the MST needs stable weights).
    PerEdge,
    /// A fresh uniform delay per transmission, like PeerSim's `UniformRandomTransport`; the
    /// trees are still built on the per-edge weights.
    PerMessage,
}

/// A broadcast protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// Periodic push: a node informed at `t` pushes at `t, t+P, ..., t+(R-1)P`, each time to
    /// `fanout` neighbours drawn uniformly with replacement.
    Gossip { period_ms: u64, fanout: u32, pushes: u32 },
    /// Forward on first receipt to every neighbour but the sender; later copies are dropped.
    Flood,
    /// OPPI: forward along the minimum spanning tree (order: weight, min id, max id).
    Oppi,
    /// Forward along the source's shortest-path tree: the latency-optimal reference.
    Spt,
}

impl Protocol {
    /// The name used in experiment files and result rows.
    pub fn name(&self) -> &'static str {
        match self {
            Protocol::Gossip { .. } => "gossip",
            Protocol::Flood => "flood",
            Protocol::Oppi => "oppi",
            Protocol::Spt => "spt",
        }
    }
}

/// Everything one propagation run needs.
#[derive(Clone, Debug, PartialEq)]
pub struct PropagationParams {
    /// Topology generator and its parameters.
    pub topology: Topology,
    /// Number of nodes.
    pub nodes: u32,
    /// Random source of the generator.
    pub graph_rng: GraphRng,
    /// Smallest link delay, ms.
    pub delay_min_ms: u32,
    /// Largest link delay, ms (inclusive).
    pub delay_max_ms: u32,
    /// Per-edge or per-message delays.
    pub weights: WeightMode,
    /// The broadcast protocol.
    pub protocol: Protocol,
    /// Network-wide block rate for the fork probability, blocks per second.
    pub block_rate_per_s: f64,
}

/// The seeds of one run: streams for the environment (topology, weights, source) are keyed by
/// `env_key`, so every protocol of a sweep sees the same graph for the same replicate; the
/// protocol's own draws are keyed by `run_key`.
#[derive(Clone, Copy, Debug)]
pub struct RunSeeds {
    /// The experiment's master seed.
    pub master: u64,
    /// Hash of the environment parameters and the replicate index.
    pub env_key: u64,
    /// Hash of all parameters and the replicate index.
    pub run_key: u64,
}

/// The metrics of one run. Times are ms; see the README's schema for each column.
#[derive(Clone, Debug, PartialEq)]
pub struct PropagationMetrics {
    /// Realised graph statistics.
    pub graph: GraphStats,
    /// The node that starts with the item.
    pub source: u32,
    /// Transmissions.
    pub msgs: u64,
    /// Transmissions that reached an already-informed node.
    pub duplicates: u64,
    /// Nodes holding the item at the end, the source included.
    pub informed: u32,
    /// `informed / n`.
    pub coverage: f64,
    /// Sum of the delays of all transmissions (the paper's "propagation delay").
    pub delay_total_ms: u64,
    /// Latest first arrival over informed nodes.
    pub makespan_ms: u64,
    /// `(1/n) sum_v min(arrival_v, H)`, the source counted as 0 and `H` the time of the last
    /// event; equals the integral of `1 - f(t)`.
    pub mean_arrival_ms: f64,
    /// Sum of the delays of the first-arrival transmissions (the dissemination tree's weight).
    pub tree_weight_ms: u64,
    /// Largest hop count from the source over informed nodes.
    pub tree_depth_hops: u32,
    /// Weight of the minimum spanning forest.
    pub mst_weight_ms: u64,
    /// Weight of the source's shortest-path tree.
    pub spt_weight_ms: u64,
    /// Distributed Borůvka construction cost.
    pub mst_build: BoruvkaReport,
    /// `1 - (1 - P_b)^I`, with `P_b` the block probability per ms and `I` the mean arrival.
    pub fork_probability: f64,
    /// Events the discrete-event core processed.
    pub events: u64,
}

#[derive(Clone, Copy, Debug)]
enum Event {
    /// The item, sent by `from` at `sent_at`, arrives at `to` (`from` is `u32::MAX` for the
    /// source's own start).
    Deliver { to: u32, from: u32, sent_at: Time },
    /// `node`'s next periodic gossip push.
    Push { node: u32 },
}

const NO_NODE: u32 = u32::MAX;

/// Per-run outcome of the event simulation.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Broadcast {
    /// Transmissions.
    pub msgs: u64,
    /// Nodes reached, the source included.
    pub informed: u32,
    /// Sum of all transmission delays.
    pub delay_total: u64,
    /// Sum of the first-arrival transmission delays.
    pub tree_weight: u64,
    /// Latest first arrival.
    pub makespan: Time,
    /// Sum over all nodes of `min(arrival, horizon)`.
    pub arrival_sum: u64,
    /// Largest hop count of a first arrival.
    pub depth: u32,
    /// Events processed.
    pub events: u64,
}

/// The reusable state of the event simulation: buffers are kept between runs so that a
/// benchmark or a long sweep allocates nothing per event.
#[derive(Default)]
pub struct Simulator {
    queue: EventQueue<Event>,
    arrival: Vec<Time>,
    hops: Vec<u32>,
    pushes_done: Vec<u32>,
}

/// How delays are drawn during a broadcast.
#[derive(Clone, Copy)]
pub enum Delays<'a> {
    /// Fixed per-edge weights, indexed by the overlay's edge ids.
    Fixed(&'a [u32]),
    /// Uniform in `min..=max` per transmission.
    Fresh { min: u32, max: u32 },
}

impl Simulator {
    /// A simulator with empty buffers.
    pub fn new() -> Simulator {
        Simulator::default()
    }

    /// Arrival time of each node in the last broadcast ([`UNREACHED`] if not informed).
    pub fn arrivals(&self) -> &[Time] {
        &self.arrival
    }

    fn reset(&mut self, n: u32) {
        self.queue.clear();
        self.arrival.clear();
        self.arrival.resize(n as usize, UNREACHED);
        self.hops.clear();
        self.hops.resize(n as usize, 0);
        self.pushes_done.clear();
        self.pushes_done.resize(n as usize, 0);
    }

    /// Records the first arrival of the item at `to` from `from` at time `t`.
    #[inline]
    fn inform(&mut self, out: &mut Broadcast, to: u32, from: u32, t: Time) {
        self.arrival[to as usize] = t;
        out.informed += 1;
        out.makespan = t;
        if from != NO_NODE {
            let h = self.hops[from as usize] + 1;
            self.hops[to as usize] = h;
            out.depth = out.depth.max(h);
        }
    }

    #[inline]
    fn delay(delays: Delays<'_>, edge: u32, rng: &mut Stream) -> u32 {
        match delays {
            Delays::Fixed(w) => w[edge as usize],
            Delays::Fresh { min, max } => rng.random_range(min..=max),
        }
    }

    /// Floods from `source` over `overlay`: on first receipt a node forwards to every overlay
    /// neighbour except the sender. With the full graph this is flooding; with a tree it is
    /// OPPI (the MST) or the SPT protocol.
    pub fn forward(&mut self, overlay: &Graph, delays: Delays<'_>, source: u32, rng: &mut Stream) -> Broadcast {
        self.reset(overlay.node_count());
        let mut out = Broadcast::default();
        self.queue.schedule(0, Event::Deliver { to: source, from: NO_NODE, sent_at: 0 });
        while let Some((t, ev)) = self.queue.pop() {
            out.events += 1;
            let Event::Deliver { to, from, sent_at } = ev else { unreachable!("flooding schedules no pushes") };
            if self.arrival[to as usize] != UNREACHED {
                continue;
            }
            self.inform(&mut out, to, from, t);
            out.tree_weight += t - sent_at;
            for (&u, &e) in overlay.neighbours(to).iter().zip(overlay.incident_edges(to)) {
                if u == from {
                    continue;
                }
                let d = Self::delay(delays, e, rng);
                out.msgs += 1;
                out.delay_total += u64::from(d);
                self.queue.schedule(t + u64::from(d), Event::Deliver { to: u, from: to, sent_at: t });
            }
        }
        out.arrival_sum = self.arrival_sum(out.makespan);
        out
    }

    /// Periodic push gossip from `source` over `g`.
    pub fn gossip(
        &mut self,
        g: &Graph,
        delays: Delays<'_>,
        source: u32,
        period: Time,
        fanout: u32,
        pushes: u32,
        rng: &mut Stream,
    ) -> Broadcast {
        self.reset(g.node_count());
        let mut out = Broadcast::default();
        self.queue.schedule(0, Event::Deliver { to: source, from: NO_NODE, sent_at: 0 });
        while let Some((t, ev)) = self.queue.pop() {
            out.events += 1;
            match ev {
                Event::Deliver { to, from, sent_at } => {
                    if self.arrival[to as usize] != UNREACHED {
                        continue;
                    }
                    self.inform(&mut out, to, from, t);
                    out.tree_weight += t - sent_at;
                    self.queue.schedule(t, Event::Push { node: to });
                }
                Event::Push { node } => {
                    let nb = g.neighbours(node);
                    let eids = g.incident_edges(node);
                    if !nb.is_empty() {
                        for _ in 0..fanout {
                            let i = rng.random_range(0..nb.len());
                            let d = Self::delay(delays, eids[i], rng);
                            out.msgs += 1;
                            out.delay_total += u64::from(d);
                            self.queue.schedule(t + u64::from(d), Event::Deliver { to: nb[i], from: node, sent_at: t });
                        }
                    }
                    self.pushes_done[node as usize] += 1;
                    if self.pushes_done[node as usize] < pushes {
                        self.queue.schedule(t + period, Event::Push { node });
                    }
                }
            }
        }
        out.arrival_sum = self.arrival_sum(self.queue.now());
        out
    }

    fn arrival_sum(&self, horizon: Time) -> u64 {
        self.arrival.iter().map(|&a| a.min(horizon)).sum()
    }
}

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
    let mut topo = stream(seeds.master, seeds.env_key, "topology");
    match p.graph_rng {
        GraphRng::Engine => generate(p.topology, p.nodes, &mut topo),
        GraphRng::PeerSim => {
            let mut java = JavaRandom::new(topo.next_u64() as i64);
            generate(p.topology, p.nodes, &mut java)
        }
    }
}

/// Runs one propagation experiment: graph, weights, source, references, then the broadcast.
pub fn simulate(p: &PropagationParams, seeds: RunSeeds, sim: &mut Simulator) -> PropagationMetrics {
    let g = build_graph(p, seeds);
    let n = g.node_count();
    let w = draw_weights(g.edge_count(), p.delay_min_ms, p.delay_max_ms, &mut stream(seeds.master, seeds.env_key, "weights"));
    let source = stream(seeds.master, seeds.env_key, "source").random_range(0..n);
    let mut proto_rng = stream(seeds.master, seeds.run_key, "protocol");

    let mst_build = mst::boruvka(&g, &w);
    let sp = paths::dijkstra(&g, &w, source);
    let spt_edges: Vec<u32> = sp.parent_edge.iter().copied().filter(|&e| e != u32::MAX).collect();
    let fresh = Delays::Fresh { min: p.delay_min_ms, max: p.delay_max_ms };

    let b = match p.protocol {
        Protocol::Gossip { period_ms, fanout, pushes } => {
            let d = match p.weights {
                WeightMode::PerEdge => Delays::Fixed(&w),
                WeightMode::PerMessage => fresh,
            };
            sim.gossip(&g, d, source, period_ms, fanout, pushes, &mut proto_rng)
        }
        Protocol::Flood => {
            let d = match p.weights {
                WeightMode::PerEdge => Delays::Fixed(&w),
                WeightMode::PerMessage => fresh,
            };
            sim.forward(&g, d, source, &mut proto_rng)
        }
        Protocol::Oppi | Protocol::Spt => {
            let tree_edges = if p.protocol == Protocol::Oppi { &mst_build.forest.edges } else { &spt_edges };
            let (tree, tw) = subgraph(&g, &w, tree_edges);
            let d = match p.weights {
                WeightMode::PerEdge => Delays::Fixed(&tw),
                WeightMode::PerMessage => fresh,
            };
            sim.forward(&tree, d, source, &mut proto_rng)
        }
    };

    let mean_arrival_ms = b.arrival_sum as f64 / f64::from(n);
    let pb_per_ms = p.block_rate_per_s / 1000.0;
    // 1 - (1 - Pb)^I, computed without cancellation for small Pb.
    let fork_probability = -f64::exp_m1(mean_arrival_ms * f64::ln_1p(-pb_per_ms));
    PropagationMetrics {
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
        mst_weight_ms: mst_build.forest.weight,
        spt_weight_ms: sp.tree_weight(&w),
        mst_build,
        fork_probability,
        events: b.events,
    }
}

//! Broadcast of one item over a weighted graph: periodic push gossip, flooding, OPPI (the
//! minimum spanning tree) and the shortest-path tree, as event-driven simulations on the
//! [`des`](crate::des) core.
//!
//! Definitions follow the propagation family's notes (`src/model/propagation/README.md`). Time is integer
//! milliseconds; a "message" is one transmission of the item over one edge. This module does no
//! I/O and reads no clock: a run is a pure function of its parameters and its streams.
//!
//! Architecture invariant: `propagation` knows no spec, no Parquet and no blockchain model; the
//! core does no I/O and reads no clock, and every draw comes from a stream of [`crate::rng`].

pub mod churn;
pub mod incentive;
mod run;
pub mod signed_path;

pub use run::{build_graph, draw_weights, simulate, subgraph};

use crate::des::{Budget, EventQueue, Spent, Time};
use crate::graph::mst::{self, BoruvkaReport};
use crate::graph::paths::{self, UNREACHED};
use crate::graph::{Graph, GraphStats, Topology, generate};
use crate::rng::purpose;
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
    Gossip {
        /// P, the time between a node's pushes (ms).
        period_ms: u64,
        /// Neighbours per push.
        fanout: u32,
        /// R, the pushes a node makes.
        pushes: u32,
    },
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
    /// The constant C of the incentive function (Eq. 7), for the rewards of the MST broadcast.
    pub fee_c: f64,
    /// Whether to repeat the broadcast with signed paths and what each hop costs (flood,
    /// OPPI and SPT; `None`: not measured).
    pub signing: Option<HopCost>,
    /// Whether to compute the reference metrics (the MST's weight and distributed-build
    /// accounting, the shortest-path tree's weight, the MST broadcast's rewards) besides the
    /// broadcast. Without them a run computes only what its protocol needs (OPPI the MST,
    /// SPT the shortest paths) and those columns are null.
    pub references: bool,
}

/// What a signed path ([`signed_path`], OPPI Section 4) costs each hop of a broadcast: the
/// sender signs the hop before the copy leaves, the receiver verifies the last hop or the
/// whole path before it forwards. Charged in microseconds on top of the link delay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HopCost {
    /// One signature, us.
    pub sign_us: u64,
    /// One hop's verification, us.
    pub verify_us: u64,
    /// Whether a receiver verifies every hop of the path (else only the last one, the
    /// incremental check of [`signed_path::verify_last_hop`]).
    pub whole_path: bool,
}

/// Bytes one signed hop adds to a message: index 4, previous hash 32, sender and receiver
/// keys 32 each, fee 8, signature 64 ([`signed_path::Hop`]).
pub const SIGNED_HOP_BYTES: u64 = 4 + 32 + 32 + 32 + 8 + 64;

/// The same broadcast with signed paths: what signing and verifying cost it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SignedBroadcast {
    /// Latest first arrival, ms.
    pub makespan_ms: f64,
    /// Mean arrival, ms (as `mean_arrival_ms`).
    pub mean_arrival_ms: f64,
    /// Signatures made: one per transmission.
    pub signatures: u64,
    /// Hop verifications: one (last hop) or the path's length (whole path) per first receipt;
    /// duplicates are dropped by id unverified.
    pub verifications: u64,
    /// Bytes of signed hops carried by all transmissions (a copy sent over hop j carries j).
    pub path_bytes: u64,
}

use crate::rng::RunSeeds;

/// The metrics of one run. Times are ms; see the propagation notes for each column.
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
    /// Weight of the minimum spanning forest (`None` without reference metrics).
    pub mst_weight_ms: Option<u64>,
    /// Weight of the source's shortest-path tree (`None` without reference metrics).
    pub spt_weight_ms: Option<u64>,
    /// Distributed Borůvka construction cost (`None` without reference metrics).
    pub mst_build: Option<BoruvkaReport>,
    /// `1 - (1 - P_b)^I`, with `P_b` the block probability per ms and `I` the mean arrival.
    pub fork_probability: f64,
    /// Rewards of a broadcast along the MST from the source under Eq. 7 (fee 1, the owner
    /// uniform over the reached nodes): the source's, the largest, their Gini over all nodes,
    /// and the share of the best-paid 1 % of nodes (`None` without reference metrics).
    pub mst_rewards: Option<[f64; 4]>,
    /// Its linearisation `P_b I` (an upper bound when `I >= 1`).
    pub fork_probability_linear: f64,
    /// The Poisson form `1 - exp(-lambda I)` with `lambda` the block rate per ms.
    pub fork_probability_poisson: f64,
    /// Events the discrete-event core processed.
    pub events: u64,
    /// The broadcast repeated with signed paths, when `signing` is set (not for gossip).
    pub signed: Option<SignedBroadcast>,
}

/// One pending gossip event in 12 bytes: the item, sent by `from`, arrives at `to` after
/// `took` ms (`from` = [`NO_NODE`] for the source's own start), or, with `from` = [`PUSH`],
/// `to`'s next periodic push. (A flood's copies are [`Copy8`]: it reads the send time off the
/// sender's arrival, since a node forwards when it is informed.)
#[derive(Clone, Copy, Debug)]
struct Event {
    to: u32,
    from: u32,
    took: u32,
}

/// A flood's pending copy: `to` receives it from `from`.
#[derive(Clone, Copy, Debug)]
struct Copy8 {
    to: u32,
    from: u32,
}

const NO_NODE: u32 = u32::MAX;
/// `Event::from` of a gossip push.
const PUSH: u32 = u32::MAX - 1;

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
    /// Under a [`HopCost`]: hop verifications and bytes of signed hops carried.
    pub verifications: u64,
    /// See `verifications`.
    pub path_bytes: u64,
    /// Whether the broadcast stopped on the simulator's budget before it ended.
    pub spent: bool,
}

/// The reusable state of the event simulation: buffers are kept between runs so that a
/// benchmark or a long sweep allocates nothing per event.
#[derive(Default)]
pub struct Simulator {
    queue: EventQueue<Event>,
    /// A flood's queue: its copies need no `took` (8 bytes each, not 12).
    flood: EventQueue<Copy8>,
    arrival: Vec<Time>,
    hops: Vec<u32>,
    /// Gossip: each node's pushes so far. Empty during a flood.
    pushes_done: Vec<u32>,
    /// Flood: the earliest time a queued copy reaches each node (`Time::MAX`: none queued).
    /// Empty during gossip.
    pending: Vec<Time>,
    /// The environments of the latest runs, most recent last (see [`Environment`]).
    envs: Vec<std::sync::Arc<Environment>>,
    /// Whether to keep environments for later runs (the runner says whether runs share them).
    pub keep_environments: bool,
    /// The most work a broadcast may do: one that spends it stops, marked
    /// [`Broadcast::spent`].
    pub budget: Budget,
}

/// What a run's environment determines: the graph, its weights, the source and the
/// reference trees (the MST with its distributed-build accounting, the source's
/// shortest-path tree). It depends only on the master seed, the environment key and the
/// environment parameters, so runs that share them (the protocols of one replicate) get the
/// same one; [`simulate`] keeps the latest ones per worker and reuses a match instead of
/// rebuilding it. Reuse changes no result: the environment is the same value either way.
#[derive(Debug)]
pub struct Environment {
    key: EnvKey,
    /// The graph.
    pub g: Graph,
    /// Its per-edge delays, ms.
    pub w: Vec<u32>,
    /// The node that starts with the item.
    pub source: u32,
    /// The MST and what building it distributively costs (computed when first asked for).
    mst_build: std::sync::OnceLock<mst::BoruvkaReport>,
    /// The MST as a graph (computed when first asked for).
    mst_graph: std::sync::OnceLock<Graph>,
    /// The MST by Kruskal, when it is needed without Borůvka's accounting.
    mst_kruskal: std::sync::OnceLock<mst::SpanningForest>,
    /// The source's shortest paths (computed when first asked for).
    sp: std::sync::OnceLock<paths::ShortestPaths>,
}

/// Everything an [`Environment`] is computed from.
#[derive(Clone, Debug, PartialEq)]
struct EnvKey {
    master: u64,
    env_key: u64,
    topology: Topology,
    nodes: u32,
    graph_rng: GraphRng,
    delay_min_ms: u32,
    delay_max_ms: u32,
}

/// The most memory a worker keeps in reusable environments: the environments of one
/// replicate's protocols (10 replicates at n = 10 000 are about 40 MB); an environment larger
/// than this is built afresh every run.
const ENV_CACHE_BYTES: usize = 64 << 20;

impl Environment {
    /// Builds the environment of `p` under `seeds`.
    fn build(p: &PropagationParams, seeds: RunSeeds, key: EnvKey) -> Environment {
        let g = build_graph(p, seeds);
        let n = g.node_count();
        let w = draw_weights(
            g.edge_count(),
            p.delay_min_ms,
            p.delay_max_ms,
            &mut stream(seeds.master, seeds.env_key, purpose::WEIGHTS),
        );
        let source = stream(seeds.master, seeds.env_key, purpose::SOURCE).random_range(0..n);
        Environment {
            key,
            g,
            w,
            source,
            mst_build: std::sync::OnceLock::new(),
            mst_graph: std::sync::OnceLock::new(),
            mst_kruskal: std::sync::OnceLock::new(),
            sp: std::sync::OnceLock::new(),
        }
    }

    /// The MST's edges in key order: Borůvka's if it was built, else Kruskal's (the same
    /// forest, keys being distinct, at a fraction of the cost).
    pub fn mst_edges(&self) -> &[u32] {
        match self.mst_build.get() {
            Some(b) => &b.forest.edges,
            None => {
                &self
                    .mst_kruskal
                    .get_or_init(|| mst::kruskal(&self.g, &self.w))
                    .edges
            }
        }
    }

    /// The MST and what building it distributively costs (Borůvka, computed once).
    pub fn mst_build(&self) -> &mst::BoruvkaReport {
        self.mst_build
            .get_or_init(|| mst::boruvka(&self.g, &self.w))
    }

    /// The MST as a graph.
    pub fn mst_graph(&self) -> &Graph {
        self.mst_graph
            .get_or_init(|| subgraph(&self.g, &self.w, &self.mst_build().forest.edges).0)
    }

    /// The source's shortest paths (Dijkstra, computed once).
    pub fn sp(&self) -> &paths::ShortestPaths {
        self.sp
            .get_or_init(|| paths::dijkstra(&self.g, &self.w, self.source))
    }

    /// Roughly the bytes it holds.
    fn bytes(&self) -> usize {
        let (n, m) = (self.g.node_count() as usize, self.g.edge_count());
        // Graph: edges 8 m, adjacency 16 m, offsets 4 n; weights 4 m; trees and paths ~40 n.
        28 * m + 4 * m + 48 * n
    }
}

impl Simulator {
    /// The environment of `p` under `seeds`: a kept one that matches, else a new one (kept if
    /// it fits the cache, evicting the oldest).
    fn environment(
        &mut self,
        p: &PropagationParams,
        seeds: RunSeeds,
    ) -> std::sync::Arc<Environment> {
        let key = EnvKey {
            master: seeds.master,
            env_key: seeds.env_key,
            topology: p.topology,
            nodes: p.nodes,
            graph_rng: p.graph_rng,
            delay_min_ms: p.delay_min_ms,
            delay_max_ms: p.delay_max_ms,
        };
        if let Some(i) = self.envs.iter().position(|e| e.key == key) {
            let env = self.envs.remove(i);
            self.envs.push(env.clone());
            return env;
        }
        let env = std::sync::Arc::new(Environment::build(p, seeds, key));
        let size = env.bytes();
        if !self.keep_environments {
            self.envs.clear();
        } else if size <= ENV_CACHE_BYTES {
            let mut total: usize = self.envs.iter().map(|e| e.bytes()).sum::<usize>() + size;
            while total > ENV_CACHE_BYTES && !self.envs.is_empty() {
                total -= self.envs.remove(0).bytes();
            }
            self.envs.push(env.clone());
        }
        env
    }
}

/// Periodic push settings: period P, fanout f, pushes per node R.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GossipConfig {
    /// Time between a node's pushes.
    pub period_ms: Time,
    /// Neighbours per push, drawn with replacement.
    pub fanout: u32,
    /// Pushes per informed node.
    pub pushes: u32,
}

/// How delays are drawn during a broadcast.
#[derive(Clone, Copy)]
pub enum Delays<'a> {
    /// Fixed per-edge weights, indexed by the overlay's edge ids.
    Fixed(&'a [u32]),
    /// Uniform in `min..=max` per transmission.
    Fresh {
        /// Smallest delay.
        min: u32,
        /// Largest delay.
        max: u32,
    },
}

impl Delays<'_> {
    /// The largest delay a transmission can take: the event queue's look-ahead.
    fn max(&self) -> Time {
        match *self {
            Delays::Fixed(w) => w.iter().copied().max().unwrap_or(0).into(),
            Delays::Fresh { max, .. } => max.into(),
        }
    }
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

    /// Clears the buffers for `n` nodes and schedules the source's start at time 0 (in the
    /// flood queue under `flood`, else in the gossip queue).
    fn reset(&mut self, n: u32, horizon: Time, source: u32, flood: bool) {
        if flood {
            self.flood.reset_with_horizon(horizon);
            self.flood.schedule(
                0,
                Copy8 {
                    to: source,
                    from: NO_NODE,
                },
            );
        } else {
            self.queue.reset_with_horizon(horizon);
            self.queue.schedule(
                0,
                Event {
                    to: source,
                    from: NO_NODE,
                    took: 0,
                },
            );
        }
        self.arrival.clear();
        self.arrival.resize(n as usize, UNREACHED);
        self.hops.clear();
        self.hops.resize(n as usize, 0);
        self.pushes_done.clear();
        self.pending.clear();
        if flood {
            self.pending.resize(n as usize, Time::MAX);
            self.pending[source as usize] = 0;
        } else {
            self.pushes_done.resize(n as usize, 0);
        }
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
    pub fn forward(
        &mut self,
        overlay: &Graph,
        delays: Delays<'_>,
        source: u32,
        rng: &mut Stream,
    ) -> Broadcast {
        self.forward_with(overlay, delays, source, rng, None)
    }

    /// [`Simulator::forward`], and under `cost` with signed paths: time runs in microseconds
    /// (times and delays of the result are us), every transmission from a node `h` hops from
    /// the source takes `1000 d + sign + verify` (last hop) or `1000 d + sign + (h + 1)
    /// verify` (whole path), and verifications and path bytes are counted.
    pub fn forward_with(
        &mut self,
        overlay: &Graph,
        delays: Delays<'_>,
        source: u32,
        rng: &mut Stream,
        cost: Option<HopCost>,
    ) -> Broadcast {
        let (scale, sign, verify, whole) = match cost {
            None => (1, 0, 0, false),
            Some(c) => (1000, c.sign_us, c.verify_us, c.whole_path),
        };
        self.reset(
            overlay.node_count(),
            delays.max() * scale + sign + verify,
            source,
            true,
        );
        let mut out = Broadcast::default();
        while let Some((t, ev)) = self.flood.pop() {
            out.events += 1;
            if self.budget.spent(out.events, out.msgs) {
                out.spent = true;
                break;
            }
            let Copy8 { to, from } = ev;
            if self.arrival[to as usize] != UNREACHED {
                continue;
            }
            self.inform(&mut out, to, from, t);
            if from != NO_NODE {
                // The sender forwarded when it was informed.
                out.tree_weight += t - self.arrival[from as usize];
            }
            let hops = u64::from(self.hops[to as usize]);
            if cost.is_some() && from != NO_NODE {
                out.verifications += if whole { hops } else { 1 };
            }
            let extra = sign + if whole { (hops + 1) * verify } else { verify };
            for (&u, &e) in overlay
                .neighbours(to)
                .iter()
                .zip(overlay.incident_edges(to))
            {
                if u == from {
                    continue;
                }
                let d = Self::delay(delays, e, rng);
                out.msgs += 1;
                out.delay_total += u64::from(d);
                if cost.is_some() {
                    out.path_bytes += (hops + 1) * SIGNED_HOP_BYTES;
                }
                let at = t + u64::from(d) * scale + extra;
                // A node informed by now was reached by a copy queued earlier (`pending` only
                // falls, and that copy's time is at most now), so this one test covers it too.
                if at >= self.pending[u as usize] {
                    // u was informed by now, or a copy queued before this one reaches it no
                    // later (at the same time it pops first: buckets are FIFO): this copy is a
                    // duplicate whose event would be popped and dropped. It is counted as that
                    // event and never queued (most of a flood's copies: the queue's memory at
                    // 10^6 nodes). Only first arrivals and the count of events enter results.
                    out.events += 1;
                    continue;
                }
                self.pending[u as usize] = at;
                self.flood.schedule(at, Copy8 { to: u, from: to });
            }
        }
        // Work done by the last event counts too.
        out.spent |= self.budget.spent(out.events, out.msgs);
        out.arrival_sum = self.arrival_sum(out.makespan);
        out
    }

    /// Periodic push gossip from `source` over `g`.
    pub fn gossip(
        &mut self,
        g: &Graph,
        delays: Delays<'_>,
        source: u32,
        cfg: GossipConfig,
        rng: &mut Stream,
    ) -> Broadcast {
        self.reset(
            g.node_count(),
            delays.max().max(cfg.period_ms),
            source,
            false,
        );
        let mut out = Broadcast::default();
        while let Some((t, ev)) = self.queue.pop() {
            out.events += 1;
            if self.budget.spent(out.events, out.msgs) {
                out.spent = true;
                break;
            }
            if ev.from != PUSH {
                let Event { to, from, took } = ev;
                if self.arrival[to as usize] != UNREACHED {
                    continue;
                }
                self.inform(&mut out, to, from, t);
                out.tree_weight += u64::from(took);
                self.queue.schedule(
                    t,
                    Event {
                        to,
                        from: PUSH,
                        took: 0,
                    },
                );
            } else {
                let node = ev.to;
                let nb = g.neighbours(node);
                let eids = g.incident_edges(node);
                if !nb.is_empty() {
                    for _ in 0..cfg.fanout {
                        let i = rng.random_range(0..nb.len());
                        let d = Self::delay(delays, eids[i], rng);
                        out.msgs += 1;
                        out.delay_total += u64::from(d);
                        self.queue.schedule(
                            t + u64::from(d),
                            Event {
                                to: nb[i],
                                from: node,
                                took: d,
                            },
                        );
                    }
                }
                self.pushes_done[node as usize] += 1;
                if self.pushes_done[node as usize] < cfg.pushes {
                    self.queue.schedule(
                        t + cfg.period_ms,
                        Event {
                            to: node,
                            from: PUSH,
                            took: 0,
                        },
                    );
                }
            }
        }
        out.spent |= self.budget.spent(out.events, out.msgs);
        out.arrival_sum = self.arrival_sum(self.queue.now());
        out
    }

    fn arrival_sum(&self, horizon: Time) -> u64 {
        self.arrival.iter().map(|&a| a.min(horizon)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::mst::kruskal;
    use crate::graph::paths::dijkstra;
    use proptest::prelude::*;

    fn setup(topology: Topology, n: u32, seed: u64) -> (Graph, Vec<u32>, u32) {
        let g = generate(topology, n, &mut stream(seed, 1, purpose::TOPOLOGY));
        let w = draw_weights(
            g.edge_count(),
            1,
            100,
            &mut stream(seed, 1, purpose::WEIGHTS),
        );
        let s = stream(seed, 1, purpose::SOURCE).random_range(0..n);
        (g, w, s)
    }

    /// Distances along a tree from `s`, by walking it (an oracle independent of the DES).
    fn tree_distances(n: u32, tree: &[(u32, u32, u32)], s: u32) -> Vec<u64> {
        let mut adj = vec![Vec::new(); n as usize];
        for &(u, v, w) in tree {
            adj[u as usize].push((v, w));
            adj[v as usize].push((u, w));
        }
        let mut d = vec![UNREACHED; n as usize];
        d[s as usize] = 0;
        let mut stack = vec![s];
        while let Some(x) = stack.pop() {
            for &(y, w) in &adj[x as usize] {
                if d[y as usize] == UNREACHED {
                    d[y as usize] = d[x as usize] + u64::from(w);
                    stack.push(y);
                }
            }
        }
        d
    }

    #[test]
    fn signed_paths_add_their_costs_hop_by_hop() {
        let (g, w, s) = setup(Topology::KOut { k: 4 }, 400, 9);
        let n = 400usize;
        let mut sim = Simulator::new();
        let cost = |whole_path| HopCost {
            sign_us: 21,
            verify_us: 43,
            whole_path,
        };
        // Flooding, last hop verified: the first arrivals are the shortest paths under
        // 1000 w + sign + verify per edge (Dijkstra as the oracle).
        let b = sim.forward_with(
            &g,
            Delays::Fixed(&w),
            s,
            &mut stream(0, 0, crate::rng::Purpose::new("p")),
            Some(cost(false)),
        );
        let wus: Vec<u32> = w.iter().map(|&x| x * 1000 + 21 + 43).collect();
        assert_eq!(sim.arrivals(), &dijkstra(&g, &wus, s).dist[..]);
        assert_eq!(b.msgs, 2 * g.edge_count() as u64 - 400 + 1);
        assert_eq!(b.verifications, 399);
        // OPPI's tree: a node d hops down arrives 1000 x its tree distance + d (sign + verify)
        // (last hop) or + d sign + verify d (d + 1) / 2 (whole path) us later.
        let mst = kruskal(&g, &w);
        let (tree, tw) = subgraph(&g, &w, &mst.edges);
        let list: Vec<(u32, u32, u32)> = tree
            .edges()
            .iter()
            .zip(&tw)
            .map(|(&(a, b), &x)| (a, b, x))
            .collect();
        let dist = tree_distances(400, &list, s);
        let ones: Vec<(u32, u32, u32)> = list.iter().map(|&(a, b, _)| (a, b, 1)).collect();
        let depth = tree_distances(400, &ones, s);
        for whole in [false, true] {
            let b = sim.forward_with(
                &tree,
                Delays::Fixed(&tw),
                s,
                &mut stream(0, 0, crate::rng::Purpose::new("p")),
                Some(cost(whole)),
            );
            for v in 0..n {
                let d = depth[v];
                let extra = if whole {
                    21 * d + 43 * d * (d + 1) / 2
                } else {
                    64 * d
                };
                assert_eq!(sim.arrivals()[v], 1000 * dist[v] + extra, "node {v}");
            }
            let sum_depth: u64 = depth.iter().sum();
            assert_eq!(b.msgs, 399);
            assert_eq!(b.verifications, if whole { sum_depth } else { 399 });
            assert_eq!(b.path_bytes, SIGNED_HOP_BYTES * sum_depth);
        }
        // Without a cost, forward_with is forward.
        let plain = sim.forward(
            &tree,
            Delays::Fixed(&tw),
            s,
            &mut stream(0, 0, crate::rng::Purpose::new("p")),
        );
        assert_eq!((plain.verifications, plain.path_bytes), (0, 0));
        assert_eq!(sim.arrivals(), &dist[..]);
    }

    #[test]
    fn flood_costs_2m_minus_n_plus_1_and_arrives_at_dijkstra_distances() {
        for (topo, seed) in [
            (Topology::KOut { k: 4 }, 1),
            (Topology::Ws { k: 6, beta: 0.3 }, 2),
            (Topology::Ba { k: 3 }, 3),
        ] {
            let (g, w, s) = setup(topo, 500, seed);
            assert!(g.stats().connected);
            let mut sim = Simulator::new();
            let b = sim.forward(
                &g,
                Delays::Fixed(&w),
                s,
                &mut stream(0, 0, purpose::PROTOCOL),
            );
            assert_eq!(b.msgs, 2 * g.edge_count() as u64 - 500 + 1);
            assert_eq!(b.informed, 500);
            let sp = dijkstra(&g, &w, s);
            assert_eq!(sim.arrivals(), &sp.dist[..]);
            // The first-arrival tree is a shortest-path tree: same weight as Dijkstra's.
            assert_eq!(b.tree_weight, sp.tree_weight(&w));
        }
    }

    #[test]
    fn oppi_sends_n_minus_1_along_the_mst() {
        let (g, w, s) = setup(Topology::KOut { k: 8 }, 1000, 7);
        let t = kruskal(&g, &w);
        let (tree, tw) = subgraph(&g, &w, &t.edges);
        let mut sim = Simulator::new();
        let b = sim.forward(
            &tree,
            Delays::Fixed(&tw),
            s,
            &mut stream(0, 0, purpose::PROTOCOL),
        );
        assert_eq!(b.msgs, 999);
        assert_eq!(b.delay_total, t.weight);
        assert_eq!(b.tree_weight, t.weight);
        let list: Vec<(u32, u32, u32)> = t
            .edges
            .iter()
            .map(|&e| {
                (
                    g.edges()[e as usize].0,
                    g.edges()[e as usize].1,
                    w[e as usize],
                )
            })
            .collect();
        assert_eq!(sim.arrivals(), &tree_distances(1000, &list, s)[..]);
    }

    #[test]
    fn gossip_sends_r_times_f_per_informed_node() {
        let (g, w, s) = setup(Topology::KOut { k: 8 }, 300, 11);
        let mut sim = Simulator::new();
        let cfg = GossipConfig {
            period_ms: 100,
            fanout: 2,
            pushes: 30,
        };
        let b = sim.gossip(
            &g,
            Delays::Fixed(&w),
            s,
            cfg,
            &mut stream(0, 0, purpose::PROTOCOL),
        );
        assert_eq!(b.informed, 300);
        assert_eq!(b.msgs, 30 * 2 * 300);
        // R pushes per node and one delivery per message, plus the source's start.
        assert_eq!(b.events, 30 * 300 + b.msgs + 1);
        // Nobody can beat the shortest path.
        let sp = dijkstra(&g, &w, s);
        assert!(sim.arrivals().iter().zip(&sp.dist).all(|(a, d)| a >= d));
    }

    /// Gossip's targets are uniform over the pushing node's neighbours (with replacement):
    /// from the centre of a star whose leaf edges have delays 1, 2, 4, 8 and 16 ms, the
    /// centre's 4000 pushes cost 4000 x 6.2 ms on average (each leaf answers with its own
    /// 4000 pushes over its own edge, whose cost is known exactly). A bias towards the first
    /// neighbours, or a draw that never reaches the last, moves the mean far outside the
    /// tolerance (never the last: 3.75 ms; always the first: 1 ms).
    #[test]
    fn gossip_targets_are_uniform_over_the_neighbours() {
        let g = Graph::from_edges(6, (1..6).map(|leaf| (0, leaf)));
        let mut w = vec![0u32; g.edge_count()];
        for (e, &(a, b)) in g.edges().iter().enumerate() {
            w[e] = 1 << (a.max(b) - 1);
        }
        let cfg = GossipConfig {
            period_ms: 10,
            fanout: 1,
            pushes: 4000,
        };
        let mut sim = Simulator::new();
        let b = sim.gossip(
            &g,
            Delays::Fixed(&w),
            0,
            cfg,
            &mut stream(3, 4, purpose::PROTOCOL),
        );
        assert_eq!(b.informed, 6);
        let leaves: u64 = w.iter().map(|&d| u64::from(d) * 4000).sum();
        let centre = (b.delay_total - leaves) as f64 / 4000.0;
        // Mean 6.2 ms, sd 5.6 ms: the mean of 4000 draws is within 0.3 ms (3.4 se).
        assert!((centre - 6.2).abs() < 0.3, "{centre}");
    }

    /// Without reference metrics every protocol's broadcast is the same, in every field, and
    /// only the reference fields are empty, on fresh simulators and on one that reuses the
    /// environment a full run built (and the other way round).
    #[test]
    fn references_off_changes_only_the_reference_metrics() {
        for protocol in [Protocol::Flood, Protocol::Oppi, Protocol::Spt] {
            let full = PropagationParams {
                topology: Topology::KOut { k: 4 },
                nodes: 500,
                graph_rng: GraphRng::PeerSim,
                delay_min_ms: 1,
                delay_max_ms: 100,
                weights: WeightMode::PerEdge,
                protocol,
                block_rate_per_s: 1.0 / 600.0,
                fee_c: 0.5,
                signing: None,
                references: true,
            };
            let bare = PropagationParams {
                references: false,
                ..full.clone()
            };
            let seeds = RunSeeds {
                master: 9,
                env_key: 3,
                run_key: 4,
            };
            let a = simulate(&full, seeds, &mut Simulator::new()).unwrap();
            let b = simulate(&bare, seeds, &mut Simulator::new()).unwrap();
            assert!(a.mst_weight_ms.is_some() && a.spt_weight_ms.is_some());
            assert!(a.mst_build.is_some() && a.mst_rewards.is_some());
            assert_eq!(
                (b.mst_weight_ms, b.spt_weight_ms, b.mst_rewards),
                (None, None, None)
            );
            assert!(b.mst_build.is_none());
            let strip = |m: &PropagationMetrics| PropagationMetrics {
                mst_weight_ms: None,
                spt_weight_ms: None,
                mst_build: None,
                mst_rewards: None,
                ..m.clone()
            };
            assert_eq!(strip(&a), b, "{protocol:?}");
            // One simulator, keeping environments: a bare run after a full one and after.
            let mut sim = Simulator::new();
            sim.keep_environments = true;
            assert_eq!(simulate(&bare, seeds, &mut sim).unwrap(), b);
            assert_eq!(simulate(&full, seeds, &mut sim).unwrap(), a);
            assert_eq!(simulate(&bare, seeds, &mut sim).unwrap(), b);
        }
    }

    #[test]
    fn simulate_reports_paper_and_honest_metrics_consistently() {
        let base = PropagationParams {
            topology: Topology::Ws { k: 8, beta: 0.8 },
            nodes: 1000,
            graph_rng: GraphRng::PeerSim,
            delay_min_ms: 1,
            delay_max_ms: 100,
            weights: WeightMode::PerEdge,
            protocol: Protocol::Oppi,
            block_rate_per_s: 1.0 / 600.0,
            fee_c: 0.5,
            signing: None,
            references: true,
        };
        let seeds = RunSeeds {
            master: 5,
            env_key: 6,
            run_key: 7,
        };
        let mut sim = Simulator::new();
        let oppi = simulate(&base, seeds, &mut sim).unwrap();
        let flood = simulate(
            &PropagationParams {
                protocol: Protocol::Flood,
                ..base.clone()
            },
            RunSeeds {
                run_key: 8,
                ..seeds
            },
            &mut sim,
        )
        .unwrap();
        // Same environment: same graph, weights and source.
        assert_eq!(
            (oppi.graph, oppi.source, oppi.mst_weight_ms),
            (flood.graph, flood.source, flood.mst_weight_ms)
        );
        assert_eq!(Some(oppi.delay_total_ms), oppi.mst_weight_ms);
        assert_eq!(
            oppi.mst_build.as_ref().map(|b| b.forest.weight),
            oppi.mst_weight_ms
        );
        assert_eq!(Some(flood.tree_weight_ms), flood.spt_weight_ms);
        // The MST is lighter, but flooding arrives sooner.
        assert!(oppi.tree_weight_ms < flood.tree_weight_ms);
        assert!(
            flood.makespan_ms <= oppi.makespan_ms && flood.mean_arrival_ms <= oppi.mean_arrival_ms
        );
        assert!(flood.fork_probability <= oppi.fork_probability);
        let i = oppi.mean_arrival_ms;
        let expected = 1.0 - (1.0 - 1.0 / 600_000.0f64).powf(i);
        assert!((oppi.fork_probability - expected).abs() < 1e-15);
        // The linearisation bounds both forms from above (I >= 1 ms), and they agree to
        // second order in P_b I.
        for m in [&oppi, &flood] {
            let x = m.mean_arrival_ms / 600_000.0;
            assert!((m.fork_probability_linear - x).abs() < 1e-15 * x);
            assert!((m.fork_probability_poisson - (1.0 - (-x).exp())).abs() < 1e-15);
            assert!(m.fork_probability <= m.fork_probability_linear);
            assert!(m.fork_probability_poisson <= m.fork_probability_linear);
            assert!(m.fork_probability_linear - m.fork_probability < x * x);
        }
    }

    #[test]
    fn per_message_delays_stay_in_range_and_keep_coverage() {
        let (g, _, s) = setup(Topology::Ba { k: 2 }, 200, 3);
        let mut sim = Simulator::new();
        let b = sim.forward(
            &g,
            Delays::Fresh { min: 5, max: 9 },
            s,
            &mut stream(0, 0, purpose::PROTOCOL),
        );
        assert_eq!(b.informed, 200);
        assert!(b.delay_total >= 5 * b.msgs && b.delay_total <= 9 * b.msgs);
    }

    /// Prim's algorithm in O(n^2) with the same total order: an oracle for Kruskal.
    fn prim_weight(g: &Graph, w: &[u32]) -> u64 {
        let n = g.node_count() as usize;
        let mut best = vec![u64::MAX; n];
        let mut best_w = vec![0u32; n];
        let mut used = vec![false; n];
        let mut total = 0;
        for root in 0..n {
            if used[root] {
                continue;
            }
            best[root] = 0;
            best_w[root] = 0;
            loop {
                let next = (0..n)
                    .filter(|&v| !used[v] && best[v] != u64::MAX)
                    .min_by_key(|&v| best[v]);
                let Some(v) = next else { break };
                used[v] = true;
                total += u64::from(best_w[v]);
                for (&u, &e) in g
                    .neighbours(v as u32)
                    .iter()
                    .zip(g.incident_edges(v as u32))
                {
                    let (a, b) = g.edges()[e as usize];
                    let key = crate::graph::mst::edge_key(w[e as usize], a, b);
                    if !used[u as usize] && key < best[u as usize] {
                        best[u as usize] = key;
                        best_w[u as usize] = w[e as usize];
                    }
                }
            }
        }
        total
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn mst_builders_agree_with_each_other_and_with_prim(seed in any::<u64>(), n in 2u32..120, k in 1u32..6, wmax in 1u32..20) {
            let k = k.min(n - 1);
            let g = generate(Topology::RandomPeers { k }, n, &mut stream(seed, 0, purpose::TOPOLOGY));
            let w = draw_weights(g.edge_count(), 1, wmax, &mut stream(seed, 0, purpose::WEIGHTS));
            let kr = kruskal(&g, &w);
            let bo = mst::boruvka(&g, &w);
            prop_assert_eq!(&bo.forest, &kr);
            prop_assert_eq!(kr.weight, prim_weight(&g, &w));
            prop_assert_eq!(kr.edges.len() as u32, n - g.component_count());
        }

        #[test]
        fn oppi_tree_weight_equals_kruskal(seed in any::<u64>(), n in 2u32..200, topo in 0usize..4) {
            let topology = [Topology::KOut { k: 3 }, Topology::Ba { k: 2 }, Topology::Er { k: 2 }, Topology::Ws { k: 4, beta: 0.5 }][topo];
            prop_assume!(topology.check(n).is_ok());
            let p = PropagationParams {
                topology, nodes: n, graph_rng: GraphRng::Engine, delay_min_ms: 1, delay_max_ms: 100,
                weights: WeightMode::PerEdge, protocol: Protocol::Oppi, block_rate_per_s: 0.01, fee_c: 0.5, signing: None,
                references: true,
            };
            let seeds = RunSeeds { master: seed, env_key: 1, run_key: 2 };
            let m = simulate(&p, seeds, &mut Simulator::new()).unwrap();
            let g = build_graph(&p, seeds);
            let w = draw_weights(g.edge_count(), 1, 100, &mut stream(seed, 1, purpose::WEIGHTS));
            let kr = kruskal(&g, &w);
            if g.stats().connected {
                prop_assert_eq!(m.tree_weight_ms, kr.weight);
                prop_assert_eq!(m.informed, n);
            }
            prop_assert_eq!(m.mst_weight_ms, Some(kr.weight));
            prop_assert_eq!(m.msgs, u64::from(m.informed) - 1);
        }
    }
}

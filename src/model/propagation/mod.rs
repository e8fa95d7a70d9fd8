//! The `propagation` family: one broadcast over a random graph by gossip, flooding, OPPI or
//! SPT (the OPPI paper, Section 6). Its core is [`crate::propagation`].
#![doc = include_str!("README.md")]

pub(crate) mod figures;

use super::{Configured, Declaration, RunOutput, Workspace, u};
use crate::des::{Budget, Memory};
use crate::graph::Topology;
use crate::graph::mst::{MAX_NODES, MAX_WEIGHT};
use crate::propagation::{
    self, GraphRng, PropagationMetrics, PropagationParams, Protocol, Simulator, WeightMode,
};
use crate::rng::RunSeeds;
use crate::schema::param::{Choice, Kind, Millis, ParamError, Value};
use crate::schema::{Cell, ColumnType, Metric, metric_defs, metric_row};
use crate::{choice, choice_names, param_table};

choice! {
    /// The `topology` key: which generator builds the graph.
    pub enum TopologyKind {
        /// PeerSim's WireKOut: each node links to k others.
        KOut = "kout",
        /// Watts-Strogatz.
        Ws = "ws",
        /// Barabási-Albert.
        Ba = "ba",
        /// G(n, m) with m = n k.
        Er = "er",
        /// Each node picks k random peers (SymBChainSim's).
        RandomPeers = "random_peers",
    }
}

impl TopologyKind {
    /// The topology's name in figures (ASCII: the figures' embedded font is a subset).
    pub fn label(self) -> &'static str {
        match self {
            TopologyKind::KOut => "k-out",
            TopologyKind::Ws => "Watts-Strogatz",
            TopologyKind::Ba => "Barabasi-Albert",
            TopologyKind::Er => "Erdos-Renyi",
            TopologyKind::RandomPeers => "random peers",
        }
    }

    /// The generator with `k` links per node and rewiring probability `beta` (ws only).
    pub fn topology(self, k: u32, beta: f64) -> Topology {
        match self {
            TopologyKind::KOut => Topology::KOut { k },
            TopologyKind::Ws => Topology::Ws { k, beta },
            TopologyKind::Ba => Topology::Ba { k },
            TopologyKind::Er => Topology::Er { k },
            TopologyKind::RandomPeers => Topology::RandomPeers { k },
        }
    }
}

choice! {
    /// The `protocol` key.
    pub enum ProtocolKind {
        /// Periodic push.
        Gossip = "gossip",
        /// Forward once to every neighbour but the sender.
        Flood = "flood",
        /// Along the minimum spanning tree.
        Oppi = "oppi",
        /// Along the source's shortest-path tree.
        Spt = "spt",
    }
}

impl ProtocolKind {
    /// The protocol's name in figures.
    pub fn label(self) -> &'static str {
        match self {
            ProtocolKind::Gossip => "gossip",
            ProtocolKind::Flood => "flooding",
            ProtocolKind::Oppi => "OPPI (MST)",
            ProtocolKind::Spt => "SPT",
        }
    }
}

choice_names!(GraphRng {
    Engine = "engine",
    PeerSim = "peersim",
});
choice_names!(WeightMode {
    PerEdge = "per_edge",
    PerMessage = "per_message",
});
choice! {
    /// The `path_signing` key: whether the broadcast is repeated with signed paths.
    pub enum PathSigning {
        /// Not measured.
        None = "none",
        /// Each hop signed; a receiver verifies the last hop (incremental).
        LastHop = "last_hop",
        /// Each hop signed; a receiver verifies the whole path.
        WholePath = "whole_path",
    }
}

/// Version of the family's semantics.
const VERSION: &str = "propagation-v3";

param_table! {
    /// The propagation parameters, typed.
    pub struct Values in PARAMS {
        topology: TopologyKind {
            column: "topology",
            kind: Kind::Choice(<TopologyKind as Choice>::NAMES),
            default: "kout",
            environment: true,
            doc: "graph generator: kout (PeerSim WireKOut, the paper's random graph), ws (Watts-Strogatz), ba (Barabási-Albert), er (G(n, m) with m = n*k), random_peers",
        },
        nodes: u32 {
            column: "nodes",
            kind: Kind::Int {
            min: 2,
            max: MAX_NODES as i64,
        },
            default: "1000",
            environment: true,
            doc: "number of nodes n",
        },
        k: u32 {
            column: "k",
            kind: Kind::Int {
            min: 1,
            max: MAX_NODES as i64 - 1,
        },
            default: "8",
            environment: true,
            doc: "links each node starts (PeerSim's k; the mean degree is about 2k for kout, from k at beta = 0 to 2k at beta = 1 for ws)",
        },
        beta: f64 {
            column: "beta",
            kind: Kind::Float { min: 0.0, max: 1.0 },
            default: "0.8",
            environment: true,
            doc: "Watts-Strogatz rewiring probability (used by ws only)",
        },
        rng: GraphRng {
            column: "graph_rng",
            kind: Kind::Choice(<GraphRng as Choice>::NAMES),
            default: "engine",
            environment: true,
            doc: "random source of the generator: the engine's stream, or a java.util.Random port seeded from it (PeerSim-exact)",
        },
        delay_min: Millis {
            column: "delay_min_ms",
            kind: Kind::DurationMs {
            min: 0,
            max: MAX_WEIGHT as i64,
        },
            default: "1 ms",
            environment: true,
            doc: "smallest link delay",
        },
        delay_max: Millis {
            column: "delay_max_ms",
            kind: Kind::DurationMs {
            min: 0,
            max: MAX_WEIGHT as i64,
        },
            default: "100 ms",
            environment: true,
            doc: "largest link delay (inclusive); delays are uniform integers in [delay_min, delay_max]",
        },
        weights: WeightMode {
            column: "weights",
            kind: Kind::Choice(<WeightMode as Choice>::NAMES),
            default: "per_edge",
            environment: false,
            doc: "per_edge: one delay per edge per run; per_message: a fresh delay per transmission (trees still use per-edge weights)",
        },
        protocol: ProtocolKind {
            column: "protocol",
            kind: Kind::Choice(<ProtocolKind as Choice>::NAMES),
            default: "oppi",
            environment: false,
            doc: "gossip (periodic push), flood (forward once to all but the sender), oppi (along the MST), spt (along the source's shortest-path tree)",
        },
        gossip_period: Millis {
            column: "gossip_period_ms",
            kind: Kind::DurationMs {
            min: 1,
            max: 1 << 40,
        },
            default: "100 ms",
            environment: false,
            doc: "gossip: time between a node's pushes (P)",
        },
        gossip_fanout: u32 {
            column: "gossip_fanout",
            kind: Kind::Int {
            min: 1,
            max: 1 << 20,
        },
            default: "1",
            environment: false,
            doc: "gossip: neighbours per push, drawn with replacement (f)",
        },
        gossip_pushes: u32 {
            column: "gossip_pushes",
            kind: Kind::Int {
            min: 1,
            max: 1 << 20,
        },
            default: "100",
            environment: false,
            doc: "gossip: pushes per informed node (R)",
        },
        block_rate: f64 {
            column: "block_rate_per_s",
            kind: Kind::RatePerS {
            min: 0.0,
            max: 1000.0,
        },
            default: "1 per 600 s",
            environment: false,
            doc: "network-wide block rate for the fork probability",
        },
        fee_c: f64 {
            column: "fee_c",
            kind: Kind::Float {
            min: 1e-6,
            max: 0.999999,
        },
            default: "0.5",
            environment: false,
            doc: "the constant C of OPPI's incentive function (Eq. 7) for the mst_reward_* columns",
        },
        path_signing: PathSigning {
            column: "path_signing",
            kind: Kind::Choice(<PathSigning as Choice>::NAMES),
            default: "none",
            environment: false,
            doc: "flood, oppi and spt: repeat the broadcast with signed paths (OPPI Section 4) and report what they cost in the signed_* columns; last_hop: a receiver verifies the newest hop, whole_path: every hop of the path (none: not measured, the columns are null)",
            added_in: Some("propagation-v3"),
        },
        path_sign: f64 {
            column: "path_sign_us",
            kind: Kind::Float {
            min: 0.0,
            max: 1e6,
        },
            default: "21",
            environment: false,
            doc: "time to sign one hop, us, charged before each copy leaves (default: the signed_path/sign_one_hop benchmark on a 2-core VM)",
            added_in: Some("propagation-v3"),
        },
        path_verify: f64 {
            column: "path_verify_us",
            kind: Kind::Float {
            min: 0.0,
            max: 1e6,
        },
            default: "43",
            environment: false,
            doc: "time to verify one hop, us, charged before a receiver forwards (default: the signed_path/verify_one_hop benchmark on a 2-core VM)",
            added_in: Some("propagation-v3"),
        },
        references: bool {
            column: "references",
            kind: Kind::Bool,
            default: "true",
            environment: false,
            doc: "compute the reference metrics beside the broadcast: mst_weight_ms, spt_weight_ms, mst_construct_* (the distributed Boruvka accounting) and mst_reward_*; false: a run computes only what its protocol needs (OPPI the MST, SPT the shortest paths) and those columns are null: a whole flood run at n = 10 000 takes 3.0 ms instead of 10.1 (OPPI 4.8 instead of 9.0, its MST by Kruskal)",
            added_in: Some("propagation-v3"),
        },
    }
}

/// Resolves the propagation parameters (also the churn family's graph).
pub(crate) fn resolve(v: &[Value]) -> Result<PropagationParams, ParamError> {
    let p = Values::read(v);
    let topology = p.topology.topology(p.k, p.beta);
    let nodes = p.nodes;
    topology
        .check(nodes)
        .map_err(|allowed| ParamError { key: key::k, allowed })?;
    let delay_min_ms = p.delay_min.ms() as u32;
    let delay_max_ms = p.delay_max.ms() as u32;
    if delay_min_ms > delay_max_ms {
        return Err(ParamError {
            key: key::delay_min,
            allowed: format!("at most delay_max ({delay_max_ms} ms)"),
        });
    }
    let protocol = match p.protocol {
        ProtocolKind::Gossip => Protocol::Gossip {
            period_ms: p.gossip_period.ms(),
            fanout: p.gossip_fanout,
            pushes: p.gossip_pushes,
        },
        ProtocolKind::Flood => Protocol::Flood,
        ProtocolKind::Oppi => Protocol::Oppi,
        ProtocolKind::Spt => Protocol::Spt,
    };
    Ok(PropagationParams {
        topology,
        nodes,
        graph_rng: p.rng,
        delay_min_ms,
        delay_max_ms,
        weights: p.weights,
        protocol,
        block_rate_per_s: p.block_rate,
        fee_c: p.fee_c,
        signing: match p.path_signing {
            PathSigning::None => None,
            PathSigning::LastHop | PathSigning::WholePath => Some(propagation::HopCost {
                sign_us: p.path_sign.round() as u64,
                verify_us: p.path_verify.round() as u64,
                whole_path: p.path_signing == PathSigning::WholePath,
            }),
        },
        references: p.references,
    })
}

/// Largest event queue a gossip broadcast may need (32 bytes a delivery in flight).
const MAX_QUEUE_BYTES: u64 = 4 << 30;

impl Configured for PropagationParams {
    fn memory(&self, explain: bool) -> Memory {
        let graph = self.topology.memory_bytes(self.nodes);
        let queue = match self.protocol {
            // Every informed node may have `fanout` deliveries in flight at once.
            Protocol::Gossip { fanout, .. } => 32 * u64::from(self.nodes) * u64::from(fanout),
            _ => 0,
        };
        Memory::of(
            graph + queue,
            key::nodes,
            if explain {
                format!(
                    "a {} graph of {} nodes and about {} links{}",
                    self.topology.name(),
                    self.nodes,
                    self.topology.links(self.nodes),
                    if queue > 0 {
                        " and a gossip queue of nodes x gossip_fanout deliveries"
                    } else {
                        ""
                    }
                )
            } else {
                String::new()
            },
        )
    }

    fn check_cost(&self, budget: &Budget) -> Result<(), ParamError> {
        let Protocol::Gossip { fanout, pushes, .. } = self.protocol else {
            return Ok(());
        };
        let n = u64::from(self.nodes);
        let sends = n
            .saturating_mul(u64::from(fanout))
            .saturating_mul(u64::from(pushes));
        if sends > budget.messages {
            return Err(ParamError {
                key: key::gossip_pushes,
                allowed: format!(
                    "at most budget.messages = {} messages a run: nodes x gossip_fanout x gossip_pushes = {n} x {fanout} x {pushes} = {sends}",
                    budget.messages
                ),
            });
        }
        // Every informed node may have `fanout` deliveries in flight at once.
        let queue_bytes = n.saturating_mul(u64::from(fanout)).saturating_mul(32);
        if queue_bytes > MAX_QUEUE_BYTES {
            return Err(ParamError {
                key: key::gossip_fanout,
                allowed: format!(
                    "an event queue under {} GB: nodes x gossip_fanout = {} deliveries could be in flight at once, about {:.1} GB",
                    MAX_QUEUE_BYTES >> 30,
                    n.saturating_mul(u64::from(fanout)),
                    queue_bytes as f64 / (1u64 << 30) as f64
                ),
            });
        }
        Ok(())
    }

    fn run(&self, seeds: RunSeeds, ws: &mut Workspace) -> RunOutput {
        let (keep, budget) = (ws.shared_environments, ws.budget);
        let sim = ws.slot::<Simulator>();
        sim.keep_environments = keep;
        sim.budget = budget;
        match propagation::simulate(self, seeds, sim) {
            Ok(m) => RunOutput::ok(m.events, metric_row(&[METRICS], &m)),
            Err(spent) => RunOutput::failed(spent.events, spent.reason),
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The metric columns, each with how it is read from the run's outcome.
static METRICS: &[Metric<PropagationMetrics>] = &[
    Metric {
        name: "edges",
        label: "edges",
        ty: ColumnType::U64,
        unit: "",
        doc: "Undirected edges of the realised graph (duplicates merged).",
        read: |o: &PropagationMetrics| u(o.graph.edges),
    },
    Metric {
        name: "mean_degree",
        label: "mean degree",
        ty: ColumnType::F64,
        unit: "",
        doc: "Mean degree 2m/n of the realised graph.",
        read: |o: &PropagationMetrics| Cell::F(o.graph.mean_degree),
    },
    Metric {
        name: "min_degree",
        label: "smallest degree",
        ty: ColumnType::U32,
        unit: "",
        doc: "Smallest degree.",
        read: |o: &PropagationMetrics| u(o.graph.min_degree.into()),
    },
    Metric {
        name: "max_degree",
        label: "largest degree",
        ty: ColumnType::U32,
        unit: "",
        doc: "Largest degree.",
        read: |o: &PropagationMetrics| u(o.graph.max_degree.into()),
    },
    Metric {
        name: "connected",
        label: "connected",
        ty: ColumnType::Bool,
        unit: "",
        doc: "Whether the graph is connected.",
        read: |o: &PropagationMetrics| Cell::B(o.graph.connected),
    },
    Metric {
        name: "source",
        label: "source node",
        ty: ColumnType::U32,
        unit: "",
        doc: "The node that starts with the item (uniform).",
        read: |o: &PropagationMetrics| u(o.source.into()),
    },
    Metric {
        name: "msgs",
        label: "messages",
        ty: ColumnType::U64,
        unit: "",
        doc: "Transmissions of the item over an edge (the paper's message count, Figs 7-11).",
        read: |o: &PropagationMetrics| u(o.msgs),
    },
    Metric {
        name: "duplicates",
        label: "duplicate messages",
        ty: ColumnType::U64,
        unit: "",
        doc: "Transmissions beyond the first copy each node needs: msgs - (informed - 1).",
        read: |o: &PropagationMetrics| u(o.duplicates),
    },
    Metric {
        name: "informed",
        label: "nodes informed",
        ty: ColumnType::U32,
        unit: "",
        doc: "Nodes holding the item at the end, the source included.",
        read: |o: &PropagationMetrics| u(o.informed.into()),
    },
    Metric {
        name: "coverage",
        label: "coverage",
        ty: ColumnType::F64,
        unit: "",
        doc: "informed / n.",
        read: |o: &PropagationMetrics| Cell::F(o.coverage),
    },
    Metric {
        name: "delay_total_ms",
        label: "total link delay",
        ty: ColumnType::U64,
        unit: "ms",
        doc: "Sum of the delays of all transmissions (the paper's propagation delay, Figs 12-16); W(MST) for OPPI.",
        read: |o: &PropagationMetrics| u(o.delay_total_ms),
    },
    Metric {
        name: "makespan_ms",
        label: "makespan",
        ty: ColumnType::U64,
        unit: "ms",
        doc: "Latest first arrival among informed nodes: the real broadcast latency.",
        read: |o: &PropagationMetrics| u(o.makespan_ms),
    },
    Metric {
        name: "mean_arrival_ms",
        label: "mean arrival time",
        ty: ColumnType::F64,
        unit: "ms",
        doc: "(1/n) sum over nodes of min(arrival, H), source 0, H the last event's time: the integral of 1 - f(t).",
        read: |o: &PropagationMetrics| Cell::F(o.mean_arrival_ms),
    },
    Metric {
        name: "tree_weight_ms",
        label: "tree weight",
        ty: ColumnType::U64,
        unit: "ms",
        doc: "Sum of the first-arrival transmissions' delays (W(MST) for oppi, W(SPT) for flood).",
        read: |o: &PropagationMetrics| u(o.tree_weight_ms),
    },
    Metric {
        name: "tree_depth_hops",
        label: "tree depth",
        ty: ColumnType::U32,
        unit: "hops",
        doc: "Largest hop count of a first arrival.",
        read: |o: &PropagationMetrics| u(o.tree_depth_hops.into()),
    },
    Metric {
        name: "mst_weight_ms",
        label: "MST weight",
        ty: ColumnType::U64,
        unit: "ms",
        doc: "Weight of the minimum spanning forest of the graph (reference).",
        read: |o: &PropagationMetrics| o.mst_weight_ms.map_or(Cell::Null, u),
    },
    Metric {
        name: "spt_weight_ms",
        label: "SPT weight",
        ty: ColumnType::U64,
        unit: "ms",
        doc: "Weight of the source's shortest-path tree (reference).",
        read: |o: &PropagationMetrics| o.spt_weight_ms.map_or(Cell::Null, u),
    },
    Metric {
        name: "mst_construct_phases",
        label: "MST construction phases",
        ty: ColumnType::U32,
        unit: "",
        doc: "Phases of a synchronous distributed Borůvka build of the MST that merge fragments (the final phase, which finds none to merge, not counted).",
        read: |o: &PropagationMetrics| o.mst_build.as_ref().map_or(Cell::Null, |b| u(b.phases.into())),
    },
    Metric {
        name: "mst_construct_msgs_naive",
        label: "MST construction messages (naive)",
        ty: ColumnType::U64,
        unit: "",
        doc: "Messages of that build, naive accounting: every node sends its fragment id over every edge in every phase (2m), the final phase included.",
        read: |o: &PropagationMetrics| o.mst_build.as_ref().map_or(Cell::Null, |b| u(b.naive_msgs)),
    },
    Metric {
        name: "mst_construct_msgs_ghs",
        label: "MST construction messages (GHS-style)",
        ty: ColumnType::U64,
        unit: "",
        doc: "Messages of that build, GHS-style accounting: a test + reject once per non-tree edge (2 (m - n + 1) on a connected graph), a test + accept per node with an outgoing edge per phase, reports, decisions, connects and new ids, and the final phase that finds no outgoing edge (its tests, reports and \"done\" broadcast); equal to a message-level build in the tests.",
        read: |o: &PropagationMetrics| o.mst_build.as_ref().map_or(Cell::Null, |b| u(b.ghs_msgs)),
    },
    Metric {
        name: "fork_probability",
        label: "fork probability",
        ty: ColumnType::F64,
        unit: "",
        doc: "1 - (1 - P_b)^I with P_b = block_rate per ms and I = mean_arrival_ms (Decker-Wattenhofer).",
        read: |o: &PropagationMetrics| Cell::F(o.fork_probability),
    },
    Metric {
        name: "fork_probability_linear",
        label: "fork probability (linear)",
        ty: ColumnType::F64,
        unit: "",
        doc: "The paper's linearisation P_b * I (an upper bound on the above once I >= 1 ms).",
        read: |o: &PropagationMetrics| Cell::F(o.fork_probability_linear),
    },
    Metric {
        name: "fork_probability_poisson",
        label: "fork probability (Poisson)",
        ty: ColumnType::F64,
        unit: "",
        doc: "1 - exp(-lambda * I) with lambda = block_rate per ms: the exact form for Poisson block arrivals.",
        read: |o: &PropagationMetrics| Cell::F(o.fork_probability_poisson),
    },
    Metric {
        name: "mst_reward_source",
        label: "source's reward",
        ty: ColumnType::F64,
        unit: "fee",
        doc: "Expected reward of the source for one broadcast along the MST, under Eq. 7 with C = fee_c, fee 1, the block owner uniform over the reached nodes and the path to it its tree path.",
        read: |o: &PropagationMetrics| o.mst_rewards.map_or(Cell::Null, |r| Cell::F(r[0])),
    },
    Metric {
        name: "mst_reward_max",
        label: "largest reward",
        ty: ColumnType::F64,
        unit: "fee",
        doc: "The largest expected reward of a node in that broadcast (all rewards sum to 1).",
        read: |o: &PropagationMetrics| o.mst_rewards.map_or(Cell::Null, |r| Cell::F(r[1])),
    },
    Metric {
        name: "mst_reward_gini",
        label: "Gini of rewards",
        ty: ColumnType::F64,
        unit: "",
        doc: "Gini coefficient of the nodes' expected rewards (0: equal).",
        read: |o: &PropagationMetrics| o.mst_rewards.map_or(Cell::Null, |r| Cell::F(r[2])),
    },
    Metric {
        name: "mst_reward_top1pct",
        label: "rewards of the top 1 %",
        ty: ColumnType::F64,
        unit: "",
        doc: "Share of the fee expected by the best-paid 1 % of nodes.",
        read: |o: &PropagationMetrics| o.mst_rewards.map_or(Cell::Null, |r| Cell::F(r[3])),
    },
    Metric {
        name: "signed_makespan_ms",
        label: "makespan with signed paths",
        ty: ColumnType::F64,
        unit: "ms",
        doc: "path_signing set (flood, oppi, spt): the makespan of the same broadcast when every hop is signed (path_sign) and verified (path_verify x 1 or x the path's length) on top of its link delay; null otherwise.",
        read: |o: &PropagationMetrics| o.signed.map_or(Cell::Null, |s| Cell::F(s.makespan_ms)),
    },
    Metric {
        name: "signed_mean_arrival_ms",
        label: "mean arrival time with signed paths",
        ty: ColumnType::F64,
        unit: "ms",
        doc: "The same broadcast's mean arrival time (as mean_arrival_ms); null unless path_signing is set.",
        read: |o: &PropagationMetrics| {
            o.signed
                .map_or(Cell::Null, |s| Cell::F(s.mean_arrival_ms))
        },
    },
    Metric {
        name: "signed_signatures",
        label: "signatures",
        ty: ColumnType::U64,
        unit: "",
        doc: "Signatures that broadcast made: one per transmission (a hop names its receiver); null unless path_signing is set.",
        read: |o: &PropagationMetrics| o.signed.map_or(Cell::Null, |s| u(s.signatures)),
    },
    Metric {
        name: "signed_verifications",
        label: "hop verifications",
        ty: ColumnType::U64,
        unit: "",
        doc: "Hop verifications: one per first receipt (last_hop) or the path's length (whole_path); duplicates are dropped by id unverified. Null unless path_signing is set.",
        read: |o: &PropagationMetrics| o.signed.map_or(Cell::Null, |s| u(s.verifications)),
    },
    Metric {
        name: "signed_path_bytes",
        label: "signed-path bytes",
        ty: ColumnType::U64,
        unit: "bytes",
        doc: "Bytes of signed hops all transmissions carried (172 a hop; a copy over hop j carries j hops). Null unless path_signing is set.",
        read: |o: &PropagationMetrics| o.signed.map_or(Cell::Null, |s| u(s.path_bytes)),
    },
];


/// The family, as the registry lists it.
pub static FAMILY: Declaration<PropagationParams> = Declaration {
    name: "propagation",
    summary: "Broadcast of one item over a random graph: gossip, flood, OPPI, SPT (the OPPI paper, Section 6).",
    notes: include_str!("README.md"),
    version: VERSION,
    params: || PARAMS,
    parent: None,
    metrics: || metric_defs(&[METRICS]),
    details: &[],
    replicates_share_environment: false,
    resolve,
    figures: Some(figures::propagation),
};

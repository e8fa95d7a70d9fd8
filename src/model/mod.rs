//! The model registry: each model family's parameters, how they resolve into the core's typed
//! configuration, its metric columns, and how one run turns into a row.
//!
//! This is the one place that knows both the spec vocabulary (keys, units, defaults) and the
//! simulation cores. Adding a model means adding a variant here; the spec parser, runner and
//! writer are generic over it.

use crate::graph::Topology;
use crate::graph::mst::{MAX_NODES, MAX_WEIGHT};
use crate::network::VotePayload;
use crate::network::{Bandwidth, Dissemination, Latency, Links, NetworkParams};
use crate::pbft::workload::{Arrivals, TxPropagation, TxSize, WorkloadParams};
use crate::pbft::{self, PbftParams};
use crate::propagation::{self, GraphRng, PropagationParams, Protocol, Simulator, WeightMode};
use crate::rng::RunSeeds;
use crate::schema::param::{Kind, ParamDef, ParamError, Value};
use crate::schema::{Cell, ColumnType as T, MetricDef};
use crate::twin::{self, TwinParams};

/// A metric column definition, for the model files' metric tables.
macro_rules! metric {
    ($name:expr, $ty:expr, $unit:expr, $doc:expr) => {
        MetricDef {
            name: $name,
            ty: $ty,
            unit: $unit,
            doc: $doc,
        }
    };
}

/// The resolved value of parameter `key` among `defs` (`values` in the same order).
fn param<'a>(defs: &[ParamDef], values: &'a [Value], key: &str) -> &'a Value {
    &values[defs
        .iter()
        .position(|p| p.key == key)
        .unwrap_or_else(|| panic!("{key} is a parameter"))]
}

mod churn_model;
mod incentive_model;
mod management_model;
mod twin_model;

/// A model family, selected by the `model` key of an experiment file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Model {
    /// Broadcast of one item over a random graph: gossip, flood, OPPI, SPT
    /// (the OPPI paper, Section 6).
    Propagation,
    /// A PBFT blockchain over a gossip network, after SymBChainSim
    /// (SymBChainSim Version-2.0, corrected; see the README's "PBFT model").
    Pbft,
    /// Digital-twin state extraction: reconstruction of a PBFT system from its nodes' state
    /// messages, and re-simulation (the twin state-extraction paper).
    Twin,
    /// Block-order synchronisation of the twin's state updates (the same paper, Algorithm 2).
    TwinSync,
    /// A management blockchain of twins that reconfigures a PBFT chain
    /// (the decentralised-management paper).
    Management,
    /// OPPI's minimum spanning tree maintained under churn, against flooding
    /// (the OPPI paper, Section 3.3).
    Churn,
    /// OPPI's fee split (Eq. 7) on one path and the gain of a Sybil node
    /// (the OPPI paper, Section 5).
    Incentive,
}

/// A run's typed configuration.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ModelParams {
    /// For [`Model::Propagation`].
    Propagation(PropagationParams),
    /// For [`Model::Pbft`].
    Pbft(Box<PbftParams>),
    /// For [`Model::Twin`].
    Twin(Box<TwinParams>),
    /// For [`Model::TwinSync`].
    TwinSync(Box<(PbftParams, twin::sync::SyncParams)>),
    /// For [`Model::Management`]: the primary chain, with its management chain set.
    Management(Box<PbftParams>),
    /// For [`Model::Churn`].
    Churn(Box<propagation::churn::ChurnParams>),
    /// For [`Model::Incentive`].
    Incentive(incentive_model::IncentiveParams),
}

/// The outcome of one run: its metric cells and the events processed, or why it failed.
#[derive(Clone, Debug, PartialEq)]
pub struct RunOutput {
    /// One cell per metric column, in [`Model::metrics`] order (empty when `failure` is set).
    pub metrics: Vec<Cell>,
    /// Events the discrete-event core processed.
    pub events: u64,
    /// Why the run failed (its run budget was spent), or `None`.
    pub failure: Option<String>,
}

impl RunOutput {
    fn ok(events: u64, metrics: Vec<Cell>) -> RunOutput {
        RunOutput {
            metrics,
            events,
            failure: None,
        }
    }
}

/// Reusable per-thread simulation state, and the run budget the runner sets before each run.
#[derive(Default)]
pub struct Workspace {
    /// The most work the next run may do.
    pub budget: crate::des::Budget,
    propagation: Simulator,
    pbft: pbft::Simulator,
    /// The last physical system a twin run used, with what identifies it. A physical system
    /// is a pure function of these, so reusing it changes no result.
    twin_system: Option<(
        PbftParams,
        twin::estimate::EbwDelay,
        RunSeeds,
        twin::Original,
    )>,
}

/// Version of each model's semantics; part of the plan hash, so that results of an older
/// engine are never mixed with newer ones in one directory.
const PROPAGATION_VERSION: &str = "propagation-v2";

const TOPOLOGIES: &[&str] = &["kout", "ws", "ba", "er", "random_peers"];

static PROPAGATION_PARAMS: &[ParamDef] = &[
    ParamDef {
        key: "topology",
        column: "topology",
        kind: Kind::Choice(TOPOLOGIES),
        default: "kout",
        environment: true,
        doc: "graph generator: kout (PeerSim WireKOut, the paper's random graph), ws (Watts-Strogatz), ba (Barabási-Albert), er (G(n, m) with m = n*k), random_peers",
    },
    ParamDef {
        key: "nodes",
        column: "nodes",
        kind: Kind::Int {
            min: 2,
            max: MAX_NODES as i64,
        },
        default: "1000",
        environment: true,
        doc: "number of nodes n",
    },
    ParamDef {
        key: "k",
        column: "k",
        kind: Kind::Int {
            min: 1,
            max: MAX_NODES as i64 - 1,
        },
        default: "8",
        environment: true,
        doc: "links each node starts (PeerSim's k; the mean degree is about 2k)",
    },
    ParamDef {
        key: "beta",
        column: "beta",
        kind: Kind::Float { min: 0.0, max: 1.0 },
        default: "0.8",
        environment: true,
        doc: "Watts-Strogatz rewiring probability (used by ws only)",
    },
    ParamDef {
        key: "rng",
        column: "graph_rng",
        kind: Kind::Choice(&["engine", "peersim"]),
        default: "engine",
        environment: true,
        doc: "random source of the generator: the engine's stream, or a java.util.Random port seeded from it (PeerSim-exact)",
    },
    ParamDef {
        key: "delay_min",
        column: "delay_min_ms",
        kind: Kind::DurationMs {
            min: 0,
            max: MAX_WEIGHT as i64,
        },
        default: "1 ms",
        environment: true,
        doc: "smallest link delay",
    },
    ParamDef {
        key: "delay_max",
        column: "delay_max_ms",
        kind: Kind::DurationMs {
            min: 0,
            max: MAX_WEIGHT as i64,
        },
        default: "100 ms",
        environment: true,
        doc: "largest link delay (inclusive); delays are uniform integers in [delay_min, delay_max]",
    },
    ParamDef {
        key: "weights",
        column: "weights",
        kind: Kind::Choice(&["per_edge", "per_message"]),
        default: "per_edge",
        environment: false,
        doc: "per_edge: one delay per edge per run; per_message: a fresh delay per transmission (trees still use per-edge weights)",
    },
    ParamDef {
        key: "protocol",
        column: "protocol",
        kind: Kind::Choice(&["gossip", "flood", "oppi", "spt"]),
        default: "oppi",
        environment: false,
        doc: "gossip (periodic push), flood (forward once to all but the sender), oppi (along the MST), spt (along the source's shortest-path tree)",
    },
    ParamDef {
        key: "gossip_period",
        column: "gossip_period_ms",
        kind: Kind::DurationMs {
            min: 1,
            max: 1 << 40,
        },
        default: "100 ms",
        environment: false,
        doc: "gossip: time between a node's pushes (P)",
    },
    ParamDef {
        key: "gossip_fanout",
        column: "gossip_fanout",
        kind: Kind::Int {
            min: 1,
            max: 1 << 20,
        },
        default: "1",
        environment: false,
        doc: "gossip: neighbours per push, drawn with replacement (f)",
    },
    ParamDef {
        key: "gossip_pushes",
        column: "gossip_pushes",
        kind: Kind::Int {
            min: 1,
            max: 1 << 20,
        },
        default: "100",
        environment: false,
        doc: "gossip: pushes per informed node (R)",
    },
    ParamDef {
        key: "block_rate",
        column: "block_rate_per_s",
        kind: Kind::RatePerS {
            min: 0.0,
            max: 1000.0,
        },
        default: "1 per 600 s",
        environment: false,
        doc: "network-wide block rate for the fork probability",
    },
    ParamDef {
        key: "fee_c",
        column: "fee_c",
        kind: Kind::Float {
            min: 1e-6,
            max: 0.999999,
        },
        default: "0.5",
        environment: false,
        doc: "the constant C of OPPI's incentive function (Eq. 7) for the mst_reward_* columns",
    },
];

static PROPAGATION_METRICS: &[MetricDef] = &[
    MetricDef {
        name: "edges",
        ty: T::U64,
        unit: "",
        doc: "Undirected edges of the realised graph (duplicates merged).",
    },
    MetricDef {
        name: "mean_degree",
        ty: T::F64,
        unit: "",
        doc: "Mean degree 2m/n of the realised graph.",
    },
    MetricDef {
        name: "min_degree",
        ty: T::U32,
        unit: "",
        doc: "Smallest degree.",
    },
    MetricDef {
        name: "max_degree",
        ty: T::U32,
        unit: "",
        doc: "Largest degree.",
    },
    MetricDef {
        name: "connected",
        ty: T::Bool,
        unit: "",
        doc: "Whether the graph is connected.",
    },
    MetricDef {
        name: "source",
        ty: T::U32,
        unit: "",
        doc: "The node that starts with the item (uniform).",
    },
    MetricDef {
        name: "msgs",
        ty: T::U64,
        unit: "",
        doc: "Transmissions of the item over an edge (the paper's message count, Figs 7-11).",
    },
    MetricDef {
        name: "duplicates",
        ty: T::U64,
        unit: "",
        doc: "Transmissions beyond the first copy each node needs: msgs - (informed - 1).",
    },
    MetricDef {
        name: "informed",
        ty: T::U32,
        unit: "",
        doc: "Nodes holding the item at the end, the source included.",
    },
    MetricDef {
        name: "coverage",
        ty: T::F64,
        unit: "",
        doc: "informed / n.",
    },
    MetricDef {
        name: "delay_total_ms",
        ty: T::U64,
        unit: "ms",
        doc: "Sum of the delays of all transmissions (the paper's propagation delay, Figs 12-16); W(MST) for OPPI.",
    },
    MetricDef {
        name: "makespan_ms",
        ty: T::U64,
        unit: "ms",
        doc: "Latest first arrival among informed nodes: the real broadcast latency.",
    },
    MetricDef {
        name: "mean_arrival_ms",
        ty: T::F64,
        unit: "ms",
        doc: "(1/n) sum over nodes of min(arrival, H), source 0, H the last event's time: the integral of 1 - f(t).",
    },
    MetricDef {
        name: "tree_weight_ms",
        ty: T::U64,
        unit: "ms",
        doc: "Sum of the first-arrival transmissions' delays (W(MST) for oppi, W(SPT) for flood).",
    },
    MetricDef {
        name: "tree_depth_hops",
        ty: T::U32,
        unit: "hops",
        doc: "Largest hop count of a first arrival.",
    },
    MetricDef {
        name: "mst_weight_ms",
        ty: T::U64,
        unit: "ms",
        doc: "Weight of the minimum spanning forest of the graph (reference).",
    },
    MetricDef {
        name: "spt_weight_ms",
        ty: T::U64,
        unit: "ms",
        doc: "Weight of the source's shortest-path tree (reference).",
    },
    MetricDef {
        name: "mst_construct_phases",
        ty: T::U32,
        unit: "",
        doc: "Phases of a synchronous distributed Borůvka build of the MST.",
    },
    MetricDef {
        name: "mst_construct_msgs_naive",
        ty: T::U64,
        unit: "",
        doc: "Messages of that build, naive accounting (2m per phase for fragment ids).",
    },
    MetricDef {
        name: "mst_construct_msgs_ghs",
        ty: T::U64,
        unit: "",
        doc: "Messages of that build, GHS-style accounting (one test+reject per internal edge).",
    },
    MetricDef {
        name: "fork_probability",
        ty: T::F64,
        unit: "",
        doc: "1 - (1 - P_b)^I with P_b = block_rate per ms and I = mean_arrival_ms (Decker-Wattenhofer).",
    },
    MetricDef {
        name: "fork_probability_linear",
        ty: T::F64,
        unit: "",
        doc: "The paper's linearisation P_b * I (an upper bound on the above once I >= 1 ms).",
    },
    MetricDef {
        name: "fork_probability_poisson",
        ty: T::F64,
        unit: "",
        doc: "1 - exp(-lambda * I) with lambda = block_rate per ms: the exact form for Poisson block arrivals.",
    },
    MetricDef {
        name: "mst_reward_source",
        ty: T::F64,
        unit: "fee",
        doc: "Expected reward of the source for one broadcast along the MST, under Eq. 7 with C = fee_c, fee 1, the block owner uniform over the reached nodes and the path to it its tree path.",
    },
    MetricDef {
        name: "mst_reward_max",
        ty: T::F64,
        unit: "fee",
        doc: "The largest expected reward of a node in that broadcast (all rewards sum to 1).",
    },
    MetricDef {
        name: "mst_reward_gini",
        ty: T::F64,
        unit: "",
        doc: "Gini coefficient of the nodes' expected rewards (0: equal).",
    },
    MetricDef {
        name: "mst_reward_top1pct",
        ty: T::F64,
        unit: "",
        doc: "Share of the fee expected by the best-paid 1 % of nodes.",
    },
];

const PBFT_VERSION: &str = "pbft-v1";

const MS_1H: i64 = 3_600_000;

static PBFT_PARAMS: &[ParamDef] = &[
    ParamDef {
        key: "nodes",
        column: "nodes",
        kind: Kind::Int { min: 4, max: 1024 },
        default: "10",
        environment: true,
        doc: "number of nodes n (all are block producers)",
    },
    ParamDef {
        key: "peers",
        column: "peers",
        kind: Kind::Int { min: 1, max: 1023 },
        default: "5",
        environment: true,
        doc: "distinct peers each node picks (at most nodes - 1)",
    },
    ParamDef {
        key: "links",
        column: "links",
        kind: Kind::Choice(&["bidirectional", "directed"]),
        default: "bidirectional",
        environment: true,
        doc: "bidirectional: every pick is a two-way link (paper A); directed: a node sends only to its picks (SBS)",
    },
    ParamDef {
        key: "bandwidth",
        column: "bandwidth_model",
        kind: Kind::Choice(&["per_node", "per_node_jitter", "per_message"]),
        default: "per_node",
        environment: true,
        doc: "per_node: one Normal(mean, sd) draw per node, link = slower end; per_node_jitter: node i has Normal(mu_i, jitter * mu_i), drawn afresh at both ends of every message; per_message: Normal(mean, sd) per message per link (paper B). Every draw is clamped at bandwidth_min; per-message draws also at mean + 8 sd",
    },
    ParamDef {
        key: "bandwidth_mean",
        column: "bandwidth_mean_mbps",
        kind: Kind::Float {
            min: 1e-6,
            max: 1e9,
        },
        default: "20",
        environment: true,
        doc: "mean bandwidth, MB/s",
    },
    ParamDef {
        key: "bandwidth_sd",
        column: "bandwidth_sd_mbps",
        kind: Kind::Float { min: 0.0, max: 1e9 },
        default: "5",
        environment: true,
        doc: "standard deviation of bandwidth, MB/s",
    },
    ParamDef {
        key: "bandwidth_min",
        column: "bandwidth_min_mbps",
        kind: Kind::Float {
            min: 1e-6,
            max: 1e9,
        },
        default: "1",
        environment: true,
        doc: "smallest bandwidth a draw may take, MB/s (SBS V2's clamp)",
    },
    ParamDef {
        key: "bandwidth_jitter",
        column: "bandwidth_jitter_cv",
        kind: Kind::Float {
            min: 0.0,
            max: 10.0,
        },
        default: "0.1",
        environment: true,
        doc: "per_node_jitter: a node's standard deviation as a fraction of its mean",
    },
    ParamDef {
        key: "latency",
        column: "latency_model",
        kind: Kind::Choice(&["none", "constant", "distance", "measured"]),
        default: "distance",
        environment: true,
        doc: "none; constant (latency_constant); distance: random SBS cities, one-way ms = (0.022 * miles + 4.862) / 2 (paper B); measured: SBS's 62-city mean one-way latencies",
    },
    ParamDef {
        key: "latency_constant",
        column: "latency_constant_ms",
        kind: Kind::DurationMs {
            min: 0,
            max: 60_000,
        },
        default: "5 ms",
        environment: true,
        doc: "latency of the constant model, and same-city latency of the measured model",
    },
    ParamDef {
        key: "processing_delay",
        column: "processing_delay_ms",
        kind: Kind::DurationMs {
            min: 0,
            max: 60_000,
        },
        default: "0 ms",
        environment: true,
        doc: "added to every message's delay",
    },
    ParamDef {
        key: "dissemination",
        column: "dissemination",
        kind: Kind::Choice(&["gossip", "broadcast"]),
        default: "gossip",
        environment: false,
        doc: "gossip: relay on first receipt to all peers but the sender; broadcast: send directly to every node",
    },
    ParamDef {
        key: "block_size",
        column: "block_size_mb",
        kind: Kind::Float {
            min: 1e-9,
            max: 1e6,
        },
        default: "1",
        environment: false,
        doc: "largest block, MB",
    },
    ParamDef {
        key: "block_interval",
        column: "block_interval_ms",
        kind: Kind::DurationMs { min: 0, max: MS_1H },
        default: "100 ms",
        environment: false,
        doc: "delay from entering a round to the leader's proposal",
    },
    ParamDef {
        key: "creation_time",
        column: "creation_time_ms",
        kind: Kind::DurationMs { min: 0, max: MS_1H },
        default: "20 ms",
        environment: false,
        doc: "time the leader takes to build a block (ignored under sbs_compat, as in SBS V2)",
    },
    ParamDef {
        key: "msg_validation",
        column: "msg_validation_ms",
        kind: Kind::DurationMs { min: 0, max: MS_1H },
        default: "1 ms",
        environment: false,
        doc: "validation of any message before the node reacts",
    },
    ParamDef {
        key: "block_validation",
        column: "block_validation_ms",
        kind: Kind::DurationMs { min: 0, max: MS_1H },
        default: "10 ms",
        environment: false,
        doc: "extra validation of a message carrying a new block",
    },
    ParamDef {
        key: "sync_request",
        column: "sync_request_ms",
        kind: Kind::DurationMs { min: 0, max: MS_1H },
        default: "100 ms",
        environment: false,
        doc: "per-request overhead of a sync (once, and once per block)",
    },
    ParamDef {
        key: "timeout",
        column: "timeout_ms",
        kind: Kind::DurationMs { min: 1, max: MS_1H },
        default: "10 s",
        environment: false,
        doc: "round timeout, armed at round start + block_interval",
    },
    ParamDef {
        key: "base_msg_size",
        column: "base_msg_size_mb",
        kind: Kind::Float { min: 0.0, max: 1e6 },
        default: "0.1",
        environment: false,
        doc: "size of a message without its block, MB",
    },
    ParamDef {
        key: "votes",
        column: "votes",
        kind: Kind::Choice(&["block", "digest"]),
        default: "block",
        environment: false,
        doc: "block: prepare and commit carry the whole block (SBS); digest: they weigh base_msg_size",
    },
    ParamDef {
        key: "tx_rate",
        column: "tx_rate_per_s",
        kind: Kind::RatePerS { min: 0.0, max: 1e7 },
        default: "100 per s",
        environment: false,
        doc: "transactions arriving per second (SBS's Tn)",
    },
    ParamDef {
        key: "arrivals",
        column: "arrivals",
        kind: Kind::Choice(&["batch", "poisson"]),
        default: "batch",
        environment: false,
        doc: "batch: the second's transactions all stamped at each integer second (SBS); poisson",
    },
    ParamDef {
        key: "tx_size",
        column: "tx_size_mb",
        kind: Kind::Float {
            min: 1e-12,
            max: 1e6,
        },
        default: "0.05",
        environment: false,
        doc: "(mean) transaction size, MB",
    },
    ParamDef {
        key: "tx_size_dist",
        column: "tx_size_dist",
        kind: Kind::Choice(&["fixed", "exponential"]),
        default: "fixed",
        environment: false,
        doc: "fixed (SBS main/SE, paper A) or exponential (SBS V2)",
    },
    ParamDef {
        key: "tx_propagation",
        column: "tx_propagation",
        kind: Kind::Choice(&["direct", "instant"]),
        default: "direct",
        environment: false,
        doc: "direct: a random creator holds it at once, every other pool one direct message later; instant: every pool at once (SBS main)",
    },
    ParamDef {
        key: "stop_after_txs",
        column: "stop_after_txs",
        kind: Kind::Int {
            min: 0,
            max: 1_000_000_000,
        },
        default: "1000",
        environment: false,
        doc: "stop once every live node has committed this many transactions (0: run for the duration)",
    },
    ParamDef {
        key: "duration",
        column: "duration_ms",
        kind: Kind::DurationMs {
            min: 1,
            max: 1000 * MS_1H,
        },
        default: "1 h",
        environment: false,
        doc: "simulated time limit",
    },
    ParamDef {
        key: "crash_nodes",
        column: "crash_nodes",
        kind: Kind::Int { min: 0, max: 341 },
        default: "0",
        environment: false,
        doc: "nodes that crash and recover (at most f)",
    },
    ParamDef {
        key: "mean_uptime",
        column: "mean_uptime_ms",
        kind: Kind::DurationMs {
            min: 1,
            max: 1000 * MS_1H,
        },
        default: "60 s",
        environment: false,
        doc: "mean exponential time a faulty node stays up",
    },
    ParamDef {
        key: "mean_downtime",
        column: "mean_downtime_ms",
        kind: Kind::DurationMs {
            min: 1,
            max: 1000 * MS_1H,
        },
        default: "20 s",
        environment: false,
        doc: "mean exponential time a faulty node stays down",
    },
    ParamDef {
        key: "sbs_compat",
        column: "sbs_compat",
        kind: Kind::Bool,
        default: "false",
        environment: false,
        doc: "restore SBS V2 behaviours the research note lists as bugs: f = floor(n/3), creation_time ignored, 1 s propose polling, latency from the proposer's pool copy",
    },
];

static PBFT_METRICS: &[MetricDef] = &[
    MetricDef {
        name: "f",
        ty: T::U32,
        unit: "",
        doc: "Fault tolerance f = floor((n-1)/3) (floor(n/3) under sbs_compat).",
    },
    MetricDef {
        name: "strongly_connected",
        ty: T::Bool,
        unit: "",
        doc: "Whether every node reaches every other over peer links.",
    },
    MetricDef {
        name: "nodes_without_in_links",
        ty: T::U32,
        unit: "",
        doc: "Nodes no peer link reaches (gossip never reaches them; they catch up by sync).",
    },
    MetricDef {
        name: "blocks",
        ty: T::U32,
        unit: "",
        doc: "Blocks in the longest chain (genesis excluded).",
    },
    MetricDef {
        name: "blocks_min",
        ty: T::U32,
        unit: "",
        doc: "Blocks in the shortest chain of a node alive at the end.",
    },
    MetricDef {
        name: "txs_committed_min",
        ty: T::U64,
        unit: "",
        doc: "Fewest transactions in the chain of a node alive at the end.",
    },
    MetricDef {
        name: "txs_generated",
        ty: T::U64,
        unit: "",
        doc: "Transactions generated (lazily, up to the last moment a leader looked).",
    },
    MetricDef {
        name: "latency_sbs_s",
        ty: T::F64,
        unit: "s",
        doc: "SBS latency: per node, the mean over its blocks of the block's mean (time added - transaction timestamp); then the mean over live nodes.",
    },
    MetricDef {
        name: "latency_tx_mean_s",
        ty: T::F64,
        unit: "s",
        doc: "Mean latency over every (live node, committed transaction) pair.",
    },
    MetricDef {
        name: "latency_p50_s",
        ty: T::F64,
        unit: "s",
        doc: "Median of those latencies (nearest rank).",
    },
    MetricDef {
        name: "latency_p95_s",
        ty: T::F64,
        unit: "s",
        doc: "95th percentile of those latencies (nearest rank).",
    },
    MetricDef {
        name: "throughput_sbs_tps",
        ty: T::F64,
        unit: "1/s",
        doc: "SBS V2 throughput: per node, transactions / (last block's time added - first block's creation); mean over live nodes.",
    },
    MetricDef {
        name: "throughput_span_tps",
        ty: T::F64,
        unit: "1/s",
        doc: "Transactions committed per live node / simulated span (end_s).",
    },
    MetricDef {
        name: "block_time_mean_s",
        ty: T::F64,
        unit: "s",
        doc: "Per node, mean time between consecutive blocks added; mean over live nodes.",
    },
    MetricDef {
        name: "block_time_median_s",
        ty: T::F64,
        unit: "s",
        doc: "Median of all live nodes' times between consecutive blocks.",
    },
    MetricDef {
        name: "gini_sbs",
        ty: T::F64,
        unit: "",
        doc: "SBS's trapezoid Gini of block proposers (1 - trapz(L) / trapz(equality), no Lorenz origin); mean over live nodes.",
    },
    MetricDef {
        name: "gini",
        ty: T::F64,
        unit: "",
        doc: "Textbook discrete Gini of block proposers, 1 - (2 sum L_i - 1) / N; mean over live nodes.",
    },
    MetricDef {
        name: "round_changes",
        ty: T::U64,
        unit: "",
        doc: "Rounds entered through a round change (2f+1 votes).",
    },
    MetricDef {
        name: "timeouts",
        ty: T::U64,
        unit: "",
        doc: "Timeouts that fired for a node still in the round (or round change) they were armed for.",
    },
    MetricDef {
        name: "syncs",
        ty: T::U64,
        unit: "",
        doc: "Syncs of missing blocks started.",
    },
    MetricDef {
        name: "crashes",
        ty: T::U64,
        unit: "",
        doc: "Node crashes.",
    },
    MetricDef {
        name: "msgs",
        ty: T::U64,
        unit: "",
        doc: "Messages sent over links, gossip relays and duplicates included (sync transfers excluded).",
    },
    MetricDef {
        name: "bytes_sent_mb",
        ty: T::F64,
        unit: "MB",
        doc: "Volume of those messages.",
    },
    MetricDef {
        name: "end_s",
        ty: T::F64,
        unit: "s",
        doc: "Simulated time at the end of the run.",
    },
    MetricDef {
        name: "stop_reason",
        ty: T::Str,
        unit: "",
        doc: "txs (every live node committed stop_after_txs), duration, or idle (nothing left to happen).",
    },
    MetricDef {
        name: "safety_violations",
        ty: T::U64,
        unit: "",
        doc: "Commits of a block different from the one another node committed at that height (0 in a correct run).",
    },
];

fn resolve_pbft(v: &[Value]) -> Result<PbftParams, ParamError> {
    let get = |key: &str| param(PBFT_PARAMS, v, key);
    let ns = |key: &str| get(key).as_int() as u64 * 1_000_000;
    let nodes = get("nodes").as_int() as u32;
    let peers = get("peers").as_int() as u32;
    if peers >= nodes {
        return Err(ParamError {
            key: "peers",
            allowed: format!("at most nodes - 1 = {}", nodes - 1),
        });
    }
    let sbs_compat = get("sbs_compat").as_bool();
    let f = pbft::fault_tolerance(nodes, sbs_compat);
    let crash_nodes = get("crash_nodes").as_int() as u32;
    if crash_nodes > f {
        return Err(ParamError {
            key: "crash_nodes",
            allowed: format!("at most f = {f} for {nodes} nodes"),
        });
    }
    let (mean, min) = (
        get("bandwidth_mean").as_float(),
        get("bandwidth_min").as_float(),
    );
    if min > mean {
        return Err(ParamError {
            key: "bandwidth_min",
            allowed: format!("at most bandwidth_mean ({mean} MB/s)"),
        });
    }
    let rate = get("tx_rate").as_float();
    let duration_s = get("duration").as_int() as f64 / 1000.0;
    if rate * duration_s > MAX_TXS_PER_RUN as f64 {
        return Err(ParamError {
            key: "tx_rate",
            allowed: format!(
                "at most {MAX_TXS_PER_RUN} transactions a run (each is held in memory): \
                 tx_rate x duration = {rate} per s x {duration_s} s = {:.0}",
                rate * duration_s
            ),
        });
    }
    let tx_size = get("tx_size").as_float();
    let block_size = get("block_size").as_float();
    let exponential = get("tx_size_dist").as_str() == "exponential";
    if let Some(allowed) = tx_fits(
        tx_size,
        exponential,
        rate * duration_s,
        block_size,
        "block_size",
    ) {
        return Err(ParamError {
            key: "tx_size",
            allowed,
        });
    }
    // A round commits only after three message delays (pre-prepare, prepare, commit); a
    // timeout that expires before the fastest possible commit restarts every round forever.
    let min_delay_ms = get("processing_delay").as_int()
        + if get("latency").as_str() == "constant" {
            get("latency_constant").as_int()
        } else {
            0
        };
    let timeout_ms = get("timeout").as_int();
    if timeout_ms <= 3 * min_delay_ms {
        return Err(ParamError {
            key: "timeout",
            allowed: format!(
                "more than 3 message delays = 3 x {min_delay_ms} ms (latency_constant + processing_delay): a round needs a pre-prepare, a prepare and a commit to arrive before its timeout, or no block is ever committed"
            ),
        });
    }
    Ok(PbftParams {
        net: NetworkParams {
            nodes,
            peers,
            links: match get("links").as_str() {
                "directed" => Links::Directed,
                _ => Links::Bidirectional,
            },
            bandwidth: match get("bandwidth").as_str() {
                "per_node" => Bandwidth::PerNode,
                "per_node_jitter" => Bandwidth::PerNodeJitter {
                    cv: get("bandwidth_jitter").as_float(),
                },
                "per_message" => Bandwidth::PerMessage,
                other => unreachable!("bandwidth {other} passed the choice check"),
            },
            bandwidth_mean: mean,
            bandwidth_sd: get("bandwidth_sd").as_float(),
            bandwidth_min: min,
            latency: match get("latency").as_str() {
                "none" => Latency::None,
                "constant" => Latency::Constant,
                "distance" => Latency::Distance,
                "measured" => Latency::Measured,
                other => unreachable!("latency {other} passed the choice check"),
            },
            latency_constant_ns: ns("latency_constant"),
            processing_ns: ns("processing_delay"),
            dissemination: match get("dissemination").as_str() {
                "broadcast" => Dissemination::Broadcast,
                _ => Dissemination::Gossip,
            },
        },
        workload: WorkloadParams {
            rate_per_s: get("tx_rate").as_float(),
            arrivals: match get("arrivals").as_str() {
                "poisson" => Arrivals::Poisson,
                _ => Arrivals::Batch,
            },
            size_mb: tx_size,
            size_dist: match get("tx_size_dist").as_str() {
                "exponential" => TxSize::Exponential,
                _ => TxSize::Fixed,
            },
            propagation: match get("tx_propagation").as_str() {
                "instant" => TxPropagation::Instant,
                _ => TxPropagation::Direct,
            },
        },
        block_size_mb: block_size,
        block_interval_ns: ns("block_interval"),
        creation_ns: ns("creation_time"),
        msg_val_ns: ns("msg_validation"),
        block_val_ns: ns("block_validation"),
        sync_request_ns: ns("sync_request"),
        timeout_ns: ns("timeout"),
        base_msg_mb: get("base_msg_size").as_float(),
        votes: match get("votes").as_str() {
            "digest" => VotePayload::Digest,
            _ => VotePayload::Block,
        },
        stop_after_txs: get("stop_after_txs").as_int() as u64,
        duration_ns: ns("duration"),
        crash_nodes,
        mean_uptime_ns: ns("mean_uptime"),
        mean_downtime_ns: ns("mean_downtime"),
        sbs_compat,
        management: None,
    })
}

fn pbft_row(o: &pbft::PbftOutcome) -> Vec<Cell> {
    let u = |x: u64| Cell::U(x);
    vec![
        u(o.f.into()),
        Cell::B(o.strongly_connected),
        u(o.nodes_without_in_links.into()),
        u(o.blocks.into()),
        u(o.blocks_min.into()),
        u(o.txs_committed_min),
        u(o.txs_generated),
        Cell::F(o.latency_sbs_s),
        Cell::F(o.latency_tx_mean_s),
        Cell::F(o.latency_p50_s),
        Cell::F(o.latency_p95_s),
        Cell::F(o.throughput_sbs_tps),
        Cell::F(o.throughput_span_tps),
        Cell::F(o.block_time_mean_s),
        Cell::F(o.block_time_median_s),
        Cell::F(o.gini_sbs),
        Cell::F(o.gini),
        u(o.round_changes),
        u(o.timeouts),
        u(o.syncs),
        u(o.crashes),
        u(o.msgs),
        Cell::F(o.bytes_mb),
        Cell::F(o.end_s),
        Cell::S(o.stop.name().into()),
        u(o.safety_violations),
    ]
}

impl Model {
    /// Every model, in listing order.
    pub const ALL: &'static [Model] = &[
        Model::Propagation,
        Model::Pbft,
        Model::Twin,
        Model::TwinSync,
        Model::Management,
        Model::Churn,
        Model::Incentive,
    ];

    /// The name used in experiment files.
    pub fn name(&self) -> &'static str {
        match self {
            Model::Propagation => "propagation",
            Model::Pbft => "pbft",
            Model::Twin => "twin",
            Model::TwinSync => "twin_sync",
            Model::Management => "management",
            Model::Churn => "churn",
            Model::Incentive => "incentive",
        }
    }

    /// The model named `name`.
    pub fn from_name(name: &str) -> Option<Model> {
        Model::ALL.iter().copied().find(|m| m.name() == name)
    }

    /// The semantics version, part of every plan hash.
    pub fn version(&self) -> &'static str {
        match self {
            Model::Propagation => PROPAGATION_VERSION,
            Model::Pbft => PBFT_VERSION,
            Model::Twin => twin_model::TWIN_VERSION,
            Model::TwinSync => twin_model::TWIN_SYNC_VERSION,
            Model::Management => management_model::MANAGEMENT_VERSION,
            Model::Churn => churn_model::CHURN_VERSION,
            Model::Incentive => incentive_model::INCENTIVE_VERSION,
        }
    }

    /// The parameters, in column order.
    pub fn params(&self) -> &'static [ParamDef] {
        match self {
            Model::Propagation => PROPAGATION_PARAMS,
            Model::Pbft => PBFT_PARAMS,
            Model::Twin => twin_model::twin_params(),
            Model::TwinSync => twin_model::sync_params(),
            Model::Management => management_model::params(),
            Model::Churn => churn_model::params(),
            Model::Incentive => incentive_model::PARAMS,
        }
    }

    /// The model whose parameters this one extends (the twin extends pbft).
    pub fn parent(&self) -> Option<Model> {
        match self {
            Model::Twin | Model::TwinSync | Model::Management => Some(Model::Pbft),
            _ => None,
        }
    }

    /// The parameters this model adds to its parent's (all of them without a parent).
    pub fn own_params(&self) -> &'static [ParamDef] {
        let all = self.params();
        &all[self.parent().map_or(0, |p| p.params().len())..]
    }

    /// The per-item table this model writes beside its run rows, if any: management writes
    /// one row per configuration block (its `cb_*` list columns).
    pub fn detail(&self) -> Option<crate::schema::Detail> {
        match self {
            Model::Management => Some(crate::schema::Detail {
                name: "blocks",
                prefix: "cb_",
                index: "cb_index",
                item: "configuration block",
            }),
            _ => None,
        }
    }

    /// The metric columns, in order.
    pub fn metrics(&self) -> &'static [MetricDef] {
        match self {
            Model::Propagation => PROPAGATION_METRICS,
            Model::Pbft => PBFT_METRICS,
            Model::Twin => twin_model::TWIN_METRICS,
            Model::TwinSync => twin_model::TWIN_SYNC_METRICS,
            Model::Management => management_model::metrics(),
            Model::Churn => churn_model::METRICS,
            Model::Incentive => incentive_model::METRICS,
        }
    }

    /// Turns resolved values (one per [`Model::params`] entry, same order) into the core's
    /// configuration, checking combinations that single-key ranges cannot.
    pub fn resolve(&self, values: &[Value]) -> Result<ModelParams, ParamError> {
        match self {
            Model::Propagation => resolve_propagation(values).map(ModelParams::Propagation),
            Model::Pbft => resolve_pbft(values).map(|p| ModelParams::Pbft(Box::new(p))),
            Model::Twin => twin_model::resolve_twin(values).map(|p| ModelParams::Twin(Box::new(p))),
            Model::TwinSync => {
                twin_model::resolve_sync(values).map(|p| ModelParams::TwinSync(Box::new(p)))
            }
            Model::Management => {
                management_model::resolve(values).map(|p| ModelParams::Management(Box::new(p)))
            }
            Model::Churn => churn_model::resolve(values).map(|p| ModelParams::Churn(Box::new(p))),
            Model::Incentive => incentive_model::resolve(values).map(ModelParams::Incentive),
        }
    }

    /// Whether a run's replicates share one environment. For the twin model a replicate is
    /// another reconstruction of the same physical system, so its environment key leaves the
    /// replicate out; for the others each replicate is a new environment.
    pub fn replicates_share_environment(&self) -> bool {
        matches!(self, Model::Twin)
    }

    /// Runs one simulation within `ws.budget`; a run that spends it is a failure.
    pub fn run(params: &ModelParams, seeds: RunSeeds, ws: &mut Workspace) -> RunOutput {
        ws.pbft.budget = ws.budget;
        ws.pbft.budget_spent = None;
        let out = Model::run_unchecked(params, seeds, ws);
        match ws.pbft.budget_spent.take() {
            None => out,
            Some(why) => RunOutput {
                metrics: Vec::new(),
                events: out.events,
                failure: Some(why),
            },
        }
    }

    fn run_unchecked(params: &ModelParams, seeds: RunSeeds, ws: &mut Workspace) -> RunOutput {
        match params {
            ModelParams::Propagation(p) => {
                let m = propagation::simulate(p, seeds, &mut ws.propagation);
                let u = |x: u64| Cell::U(x);
                RunOutput::ok(
                    m.events,
                    vec![
                        u(m.graph.edges),
                        Cell::F(m.graph.mean_degree),
                        u(m.graph.min_degree.into()),
                        u(m.graph.max_degree.into()),
                        Cell::B(m.graph.connected),
                        u(m.source.into()),
                        u(m.msgs),
                        u(m.duplicates),
                        u(m.informed.into()),
                        Cell::F(m.coverage),
                        u(m.delay_total_ms),
                        u(m.makespan_ms),
                        Cell::F(m.mean_arrival_ms),
                        u(m.tree_weight_ms),
                        u(m.tree_depth_hops.into()),
                        u(m.mst_weight_ms),
                        u(m.spt_weight_ms),
                        u(m.mst_build.phases.into()),
                        u(m.mst_build.naive_msgs),
                        u(m.mst_build.ghs_msgs),
                        Cell::F(m.fork_probability),
                        Cell::F(m.fork_probability_linear),
                        Cell::F(m.fork_probability_poisson),
                        Cell::F(m.mst_rewards[0]),
                        Cell::F(m.mst_rewards[1]),
                        Cell::F(m.mst_rewards[2]),
                        Cell::F(m.mst_rewards[3]),
                    ],
                )
            }
            ModelParams::Pbft(p) => {
                let o = pbft::simulate(p, seeds, &mut ws.pbft);
                RunOutput::ok(o.events, pbft_row(&o))
            }
            ModelParams::Twin(tp) => {
                let system = twin::system_seeds(seeds.master, seeds.env_key);
                let hit = ws.twin_system.as_ref().is_some_and(|(p, e, s, _)| {
                    *p == tp.pbft && *e == tp.ebw_delay && *s == system
                });
                if !hit {
                    let o = twin::run_original(&tp.pbft, tp.ebw_delay, system, &mut ws.pbft);
                    if ws.pbft.budget_spent.is_some() {
                        // A system cut short by its budget is never reused as a whole one.
                        ws.twin_system = None;
                        return RunOutput::ok(0, Vec::new());
                    }
                    ws.twin_system = Some((tp.pbft.clone(), tp.ebw_delay, system, o));
                }
                let (_, _, _, orig) = ws.twin_system.as_ref().expect("set above");
                let o = twin::mirror(tp, orig, system, seeds.run_key, &mut ws.pbft);
                // Only the re-simulation's events: whether this worker ran the physical system
                // depends on scheduling, and rows must not.
                RunOutput::ok(o.model_events, twin_model::twin_row(&o))
            }
            ModelParams::TwinSync(b) => {
                let (p, sp) = &**b;
                let o = twin::run_sync(p, sp, seeds, &mut ws.pbft);
                RunOutput::ok(o.events, twin_model::sync_row(sp, &o))
            }
            ModelParams::Incentive(p) => RunOutput::ok(0, incentive_model::row(p)),
            ModelParams::Churn(p) => {
                let o = propagation::churn::simulate(p, seeds);
                let ops: u64 = o.ops.iter().sum();
                // Operations and broadcasts: the run's discrete steps.
                RunOutput::ok(ops + u64::from(p.broadcasts), churn_model::row(&o))
            }
            ModelParams::Management(p) => {
                let o = pbft::simulate(p, seeds, &mut ws.pbft);
                RunOutput::ok(o.events, management_model::row(&o))
            }
        }
    }
}

/// Why transactions of (mean) size `tx_mb` cannot all fit a block of `block_mb` (blamed on the
/// block size key `block_key`), or `None` when they can. A transaction larger than the block
/// stops its proposer at the head of its pool for good. Fixed sizes must fit; exponential sizes
/// must fit with probability at least 1 - 10^-6 over the run's `txs` expected transactions
/// (union bound: txs x exp(-block / mean) <= 10^-6).
pub(crate) fn tx_fits(
    tx_mb: f64,
    exponential: bool,
    txs: f64,
    block_mb: f64,
    block_key: &str,
) -> Option<String> {
    if !exponential {
        return (tx_mb > block_mb)
            .then(|| format!("at most {block_key} ({block_mb} MB), or no block could hold one"));
    }
    let txs = txs.max(1.0);
    let p = txs * (-block_mb / tx_mb).exp();
    (p > 1e-6).then(|| {
        format!(
            "a mean of at most {block_key} / ln(transactions x 10^6) = {:.6} MB: exponential sizes of mean {tx_mb} MB exceed {block_key} ({block_mb} MB) with probability {:.2e} over the run's {txs:.0} transactions, and a transaction larger than every block stalls its proposer",
            block_mb / (txs * 1e6).ln(),
            p.min(1.0)
        )
    })
}

/// Fewest blocks the run budget must hold for a PBFT run to be worth starting.
const MIN_BLOCKS_IN_BUDGET: u64 = 10;

/// Checks, before anything runs, that a run's cost fits its budget: lower bounds on the
/// messages of one PBFT block, of the management chain's agreements and of a gossip broadcast,
/// and the event queue of a gossip broadcast. A run that passes can still spend its budget
/// (it then fails as a row); one that fails here could never finish.
pub fn check_cost(params: &ModelParams, budget: &crate::des::Budget) -> Result<(), ParamError> {
    let pbft_block = |p: &PbftParams| {
        let n = u64::from(p.net.nodes);
        let per_broadcast = match p.net.dissemination {
            Dissemination::Gossip => n * u64::from(p.net.peers.saturating_sub(1)) + 1,
            Dissemination::Broadcast => n - 1,
        };
        (2 * n + 1).saturating_mul(per_broadcast)
    };
    let check_pbft = |p: &PbftParams| -> Result<(), ParamError> {
        let per_block = pbft_block(p);
        if per_block.saturating_mul(MIN_BLOCKS_IN_BUDGET) > budget.messages {
            return Err(ParamError {
                key: "peers",
                allowed: format!(
                    "a network where {MIN_BLOCKS_IN_BUDGET} blocks fit the run budget: one block needs at least {per_block} messages ((2 nodes + 1) broadcasts, each relayed over nodes x (peers - 1) links), and budget.messages is {}; use fewer nodes or peers, or raise [budget] messages",
                    budget.messages
                ),
            });
        }
        if let Some(m) = &p.management {
            let members = u64::from(m.members);
            let agreements = p.duration_ns / m.cbi_mean_ns.max(1);
            let per = (2 * members + 1) * (members * u64::from(m.peers.saturating_sub(1)) + 1);
            let total = agreements.saturating_mul(per);
            if total > budget.messages {
                return Err(ParamError {
                    key: "cbi_mean",
                    allowed: format!(
                        "a management chain whose agreements fit the run budget: duration / cbi_mean = {agreements} agreements of at least {per} messages each is {total}, and budget.messages is {}; use a longer cbi_mean or a shorter duration, or raise [budget] messages",
                        budget.messages
                    ),
                });
            }
        }
        Ok(())
    };
    match params {
        ModelParams::Propagation(p) => {
            if let Protocol::Gossip { fanout, pushes, .. } = p.protocol {
                let n = u64::from(p.nodes);
                let sends = n
                    .saturating_mul(u64::from(fanout))
                    .saturating_mul(u64::from(pushes));
                if sends > budget.messages {
                    return Err(ParamError {
                        key: "gossip_pushes",
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
                        key: "gossip_fanout",
                        allowed: format!(
                            "an event queue under {} GB: nodes x gossip_fanout = {} deliveries could be in flight at once, about {:.1} GB",
                            MAX_QUEUE_BYTES >> 30,
                            n.saturating_mul(u64::from(fanout)),
                            queue_bytes as f64 / (1u64 << 30) as f64
                        ),
                    });
                }
            }
            Ok(())
        }
        ModelParams::Pbft(p) | ModelParams::Management(p) => check_pbft(p),
        ModelParams::Twin(t) => check_pbft(&t.pbft),
        ModelParams::TwinSync(b) => check_pbft(&b.0),
        _ => Ok(()),
    }
}

/// Largest event queue a gossip broadcast may need (32 bytes a delivery in flight).
const MAX_QUEUE_BYTES: u64 = 4 << 30;

/// Most transactions a PBFT run may create (tx_rate x duration): each costs about 24 bytes of
/// workload plus its place in the pools.
pub const MAX_TXS_PER_RUN: u64 = 20_000_000;

fn resolve_propagation(v: &[Value]) -> Result<PropagationParams, ParamError> {
    let get = |key: &str| param(PROPAGATION_PARAMS, v, key);
    let nodes = get("nodes").as_int() as u32;
    let k = get("k").as_int() as u32;
    let beta = get("beta").as_float();
    let topology = match get("topology").as_str() {
        "kout" => Topology::KOut { k },
        "ws" => Topology::Ws { k, beta },
        "ba" => Topology::Ba { k },
        "er" => Topology::Er { k },
        "random_peers" => Topology::RandomPeers { k },
        other => unreachable!("topology {other} passed the choice check"),
    };
    topology
        .check(nodes)
        .map_err(|allowed| ParamError { key: "k", allowed })?;
    let delay_min_ms = get("delay_min").as_int() as u32;
    let delay_max_ms = get("delay_max").as_int() as u32;
    if delay_min_ms > delay_max_ms {
        return Err(ParamError {
            key: "delay_min",
            allowed: format!("at most delay_max ({delay_max_ms} ms)"),
        });
    }
    let protocol = match get("protocol").as_str() {
        "gossip" => Protocol::Gossip {
            period_ms: get("gossip_period").as_int() as u64,
            fanout: get("gossip_fanout").as_int() as u32,
            pushes: get("gossip_pushes").as_int() as u32,
        },
        "flood" => Protocol::Flood,
        "oppi" => Protocol::Oppi,
        "spt" => Protocol::Spt,
        other => unreachable!("protocol {other} passed the choice check"),
    };
    Ok(PropagationParams {
        topology,
        nodes,
        graph_rng: if get("rng").as_str() == "peersim" {
            GraphRng::PeerSim
        } else {
            GraphRng::Engine
        },
        delay_min_ms,
        delay_max_ms,
        weights: if get("weights").as_str() == "per_message" {
            WeightMode::PerMessage
        } else {
            WeightMode::PerEdge
        },
        protocol,
        block_rate_per_s: get("block_rate").as_float(),
        fee_c: get("fee_c").as_float(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_resolve() {
        for m in Model::ALL {
            let values: Vec<Value> = m.params().iter().map(|p| p.default_value()).collect();
            assert!(m.resolve(&values).is_ok());
        }
    }
}

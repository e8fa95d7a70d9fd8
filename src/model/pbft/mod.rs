//! The `pbft` family: a PBFT blockchain over a gossip network, after SymBChainSim Version-2.0,
//! corrected. Its core is [`crate::pbft`]; the `twin`, `twin_sync` and `management` families
//! extend its parameters and metrics.
#![doc = include_str!("README.md")]

pub(crate) mod figures;

use super::{Configured, Declaration, RunOutput, Workspace, u};
use crate::des::Budget;
use crate::network::{
    Bandwidth, BandwidthDraw, Dissemination, Latency, Links, NetworkParams, VotePayload,
};
use crate::pbft::workload::{Arrivals, TxPropagation, TxSize, WorkloadParams};
use crate::pbft::{self, PbftOutcome, PbftParams, Simulator};
use crate::rng::RunSeeds;
use crate::schema::param::{Choice, Kind, Millis, ParamError, Value};
use crate::schema::{Cell, ColumnType, Metric, metric_defs, metric_row};
use crate::{choice, choice_names, param_table};

/// Version of the family's semantics.
const VERSION: &str = "pbft-v1";

const MS_1H: i64 = 3_600_000;

choice_names!(Links {
    Bidirectional = "bidirectional",
    Directed = "directed",
    Exact = "exact",
});
choice! {
    /// The `sbs` key: a SymBChainSim preset.
    pub enum Sbs {
        /// As the other keys say.
        None = "none",
        /// SymBChainSim Version-2.0's behaviours, all of them.
        V2 = "v2",
    }
}
choice_names!(BandwidthDraw {
    Clamped = "clamped",
    MeanPreserving = "mean_preserving",
});
choice! {
    /// The `bandwidth` key: how a transfer's bandwidth is drawn.
    pub enum BandwidthKind {
        /// One draw per node.
        PerNode = "per_node",
        /// One draw per node, jittered per message.
        PerNodeJitter = "per_node_jitter",
        /// A fresh draw per message.
        PerMessage = "per_message",
    }
}
choice_names!(Latency {
    None = "none",
    Constant = "constant",
    Distance = "distance",
    Measured = "measured",
});
choice_names!(Dissemination {
    Gossip = "gossip",
    Broadcast = "broadcast",
});
choice_names!(VotePayload {
    Block = "block",
    Digest = "digest",
});
choice_names!(Arrivals {
    Batch = "batch",
    Poisson = "poisson",
});
choice_names!(TxSize {
    Fixed = "fixed",
    Exponential = "exponential",
});
choice_names!(TxPropagation {
    Direct = "direct",
    Instant = "instant",
});

param_table! {
    /// The PBFT parameters, typed.
    pub struct Values in PARAMS {
        nodes: u32 {
            column: "nodes",
            kind: Kind::Int { min: 4, max: 1024 },
            default: "10",
            environment: true,
            doc: "number of nodes n (all are block producers)",
        },
        peers: u32 {
            column: "peers",
            kind: Kind::Int { min: 1, max: 1023 },
            default: "5",
            environment: true,
            doc: "distinct peers each node picks (at most nodes - 1)",
        },
        links: Links {
            column: "links",
            kind: Kind::Choice(<Links as Choice>::NAMES),
            default: "bidirectional",
            environment: true,
            doc: "bidirectional: every pick is a two-way link (paper A; degrees are peers or more, 2 peers - peers^2 / (nodes - 1) on average: 7.2 at 10 nodes and 5 peers, 18 at 50 and 10); directed: a node sends only to its picks (SBS); exact: every node has exactly peers two-way links (a random peers-regular graph; nodes x peers must be even)",
        },
        bandwidth: BandwidthKind {
            column: "bandwidth_model",
            kind: Kind::Choice(<BandwidthKind as Choice>::NAMES),
            default: "per_node",
            environment: true,
            doc: "per_node: one Normal(mean, sd) draw per node, link = slower end; per_node_jitter: node i has Normal(mu_i, jitter * mu_i), drawn afresh at both ends of every message; per_message: Normal(mean, sd) per message per link (paper B). Every draw is clamped at bandwidth_min; per-message draws also at mean + 8 sd",
        },
        bandwidth_mean: f64 {
            column: "bandwidth_mean_mbps",
            kind: Kind::Float {
            min: 1e-6,
            max: 1e9,
        },
            default: "20",
            environment: true,
            doc: "mean bandwidth, MB/s",
        },
        bandwidth_sd: f64 {
            column: "bandwidth_sd_mbps",
            kind: Kind::Float { min: 0.0, max: 1e9 },
            default: "5",
            environment: true,
            doc: "standard deviation of bandwidth, MB/s",
        },
        bandwidth_min: f64 {
            column: "bandwidth_min_mbps",
            kind: Kind::Float {
            min: 1e-6,
            max: 1e9,
        },
            default: "1",
            environment: true,
            doc: "smallest bandwidth a draw may take, MB/s (SBS V2's clamp)",
        },
        bandwidth_draw: BandwidthDraw {
            column: "bandwidth_draw",
            kind: Kind::Choice(<BandwidthDraw as Choice>::NAMES),
            default: "clamped",
            environment: true,
            doc: "clamped: a draw below bandwidth_min becomes bandwidth_min (SBS V2), which raises the mean of the draws above bandwidth_mean as the sd grows; mean_preserving: the clamped draw times bandwidth_mean / E[clamped draw], so the draws' mean is bandwidth_mean whatever the sd (per_node and per_message only)",
            added_in: Some("pbft-v1"),
        },
        bandwidth_jitter: f64 {
            column: "bandwidth_jitter_cv",
            kind: Kind::Float {
            min: 0.0,
            max: 10.0,
        },
            default: "0.1",
            environment: true,
            doc: "per_node_jitter: a node's standard deviation as a fraction of its mean",
        },
        latency: Latency {
            column: "latency_model",
            kind: Kind::Choice(<Latency as Choice>::NAMES),
            default: "distance",
            environment: true,
            doc: "none; constant (latency_constant); distance: random SBS cities, one-way ms = (0.022 * miles + 4.862) / 2 (paper B); measured: SBS's 62-city mean one-way latencies",
        },
        latency_constant: Millis {
            column: "latency_constant_ms",
            kind: Kind::DurationMs {
            min: 0,
            max: 60_000,
        },
            default: "5 ms",
            environment: true,
            doc: "latency of the constant model, and same-city latency of the measured model",
        },
        processing_delay: Millis {
            column: "processing_delay_ms",
            kind: Kind::DurationMs {
            min: 0,
            max: 60_000,
        },
            default: "0 ms",
            environment: true,
            doc: "added to every message's delay",
        },
        dissemination: Dissemination {
            column: "dissemination",
            kind: Kind::Choice(<Dissemination as Choice>::NAMES),
            default: "gossip",
            environment: false,
            doc: "gossip: relay on first receipt to all peers but the sender; broadcast: send directly to every node",
        },
        block_size: f64 {
            column: "block_size_mb",
            kind: Kind::Float {
            min: 1e-9,
            max: 1e6,
        },
            default: "1",
            environment: false,
            doc: "largest block, MB",
        },
        block_interval: Millis {
            column: "block_interval_ms",
            kind: Kind::DurationMs { min: 0, max: MS_1H },
            default: "100 ms",
            environment: false,
            doc: "delay from entering a round to the leader's proposal",
        },
        creation_time: Millis {
            column: "creation_time_ms",
            kind: Kind::DurationMs { min: 0, max: MS_1H },
            default: "20 ms",
            environment: false,
            doc: "time the leader takes to build a block (ignored under sbs_compat, as in SBS V2)",
        },
        msg_validation: Millis {
            column: "msg_validation_ms",
            kind: Kind::DurationMs { min: 0, max: MS_1H },
            default: "1 ms",
            environment: false,
            doc: "validation of any message before the node reacts",
        },
        block_validation: Millis {
            column: "block_validation_ms",
            kind: Kind::DurationMs { min: 0, max: MS_1H },
            default: "10 ms",
            environment: false,
            doc: "extra validation of a message carrying a new block",
        },
        sync_request: Millis {
            column: "sync_request_ms",
            kind: Kind::DurationMs { min: 0, max: MS_1H },
            default: "100 ms",
            environment: false,
            doc: "per-request overhead of a sync (once, and once per block)",
        },
        timeout: Millis {
            column: "timeout_ms",
            kind: Kind::DurationMs { min: 1, max: MS_1H },
            default: "10 s",
            environment: false,
            doc: "round timeout, armed at round start + block_interval",
        },
        base_msg_size: f64 {
            column: "base_msg_size_mb",
            kind: Kind::Float { min: 0.0, max: 1e6 },
            default: "0.1",
            environment: false,
            doc: "size of a message without its block, MB",
        },
        votes: VotePayload {
            column: "votes",
            kind: Kind::Choice(<VotePayload as Choice>::NAMES),
            default: "block",
            environment: false,
            doc: "block: prepare and commit carry the whole block (SBS); digest: they weigh base_msg_size",
        },
        tx_rate: f64 {
            column: "tx_rate_per_s",
            kind: Kind::RatePerS { min: 0.0, max: 1e7 },
            default: "100 per s",
            environment: false,
            doc: "transactions arriving per second (SBS's Tn)",
        },
        arrivals: Arrivals {
            column: "arrivals",
            kind: Kind::Choice(<Arrivals as Choice>::NAMES),
            default: "batch",
            environment: false,
            doc: "batch: the second's transactions all stamped at each integer second (SBS); poisson",
        },
        tx_size: f64 {
            column: "tx_size_mb",
            kind: Kind::Float {
            min: 1e-12,
            max: 1e6,
        },
            default: "0.05",
            environment: false,
            doc: "(mean) transaction size, MB",
        },
        tx_size_dist: TxSize {
            column: "tx_size_dist",
            kind: Kind::Choice(<TxSize as Choice>::NAMES),
            default: "fixed",
            environment: false,
            doc: "fixed (SBS main/SE, paper A) or exponential (SBS V2)",
        },
        tx_propagation: TxPropagation {
            column: "tx_propagation",
            kind: Kind::Choice(<TxPropagation as Choice>::NAMES),
            default: "direct",
            environment: false,
            doc: "direct: a random creator holds it at once, every other pool one direct message later; instant: every pool at once (SBS main)",
        },
        stop_after_txs: u64 {
            column: "stop_after_txs",
            kind: Kind::Int {
            min: 0,
            max: 1_000_000_000,
        },
            default: "1000",
            environment: false,
            doc: "stop once every live node has committed this many transactions (0: run for the duration)",
        },
        duration: Millis {
            column: "duration_ms",
            kind: Kind::DurationMs {
            min: 1,
            max: 1000 * MS_1H,
        },
            default: "1 h",
            environment: false,
            doc: "simulated time limit",
        },
        crash_nodes: u32 {
            column: "crash_nodes",
            kind: Kind::Int { min: 0, max: 341 },
            default: "0",
            environment: false,
            doc: "nodes that crash and recover (at most f)",
        },
        mean_uptime: Millis {
            column: "mean_uptime_ms",
            kind: Kind::DurationMs {
            min: 1,
            max: 1000 * MS_1H,
        },
            default: "60 s",
            environment: false,
            doc: "mean exponential time a faulty node stays up",
        },
        mean_downtime: Millis {
            column: "mean_downtime_ms",
            kind: Kind::DurationMs {
            min: 1,
            max: 1000 * MS_1H,
        },
            default: "20 s",
            environment: false,
            doc: "mean exponential time a faulty node stays down",
        },
        sbs_compat: bool {
            column: "sbs_compat",
            kind: Kind::Bool,
            default: "false",
            environment: false,
            doc: "restore SBS V2 behaviours that chainlab corrects as bugs (listed in the pbft notes): f = floor(n/3), creation_time ignored, 1 s propose polling, latency from the proposer's pool copy",
        },
        sbs: Sbs {
            column: "sbs",
            kind: Kind::Choice(<Sbs as Choice>::NAMES),
            default: "none",
            environment: false,
            doc: "v2: SymBChainSim Version-2.0 as it runs: sbs_compat and every sbs_v2_* switch on (set base_block_size = 0.002 for V2's default); none: as the other keys say",
            added_in: Some("pbft-v1"),
        },
        sbs_v2_retry: bool {
            column: "sbs_v2_retry",
            kind: Kind::Bool,
            default: "false",
            environment: false,
            doc: "SBS V2's propose retry: a leader with nothing to propose retries at now + pool[0].timestamp (an absolute time added to the clock; +0.1 s with an empty pool) if that plus creation_time is before the timeout, else gives the round up (replaces sbs_compat's 1 s polling)",
            added_in: Some("pbft-v1"),
        },
        sbs_v2_generation: bool {
            column: "sbs_v2_generation",
            kind: Kind::Bool,
            default: "false",
            environment: false,
            doc: "SBS V2 generates no transaction once stop_after_txs have been (chainlab keeps the workload going, so blocks stay full until the stop)",
            added_in: Some("pbft-v1"),
        },
        sbs_v2_pool: bool {
            column: "sbs_v2_pool",
            kind: Kind::Bool,
            default: "false",
            environment: false,
            doc: "SBS V2's pool: a node never holds the transactions it created, and a block takes transactions from the head of the pool (generation order) up to the first that has not arrived or does not fit",
            added_in: Some("pbft-v1"),
        },
        sbs_v2_replay: bool {
            column: "sbs_v2_replay",
            kind: Kind::Bool,
            default: "false",
            environment: false,
            doc: "SBS V2 replays a non-leader's backlog at round start + block_interval rather than at once",
            added_in: Some("pbft-v1"),
        },
        sbs_v2_accumulate: bool {
            column: "sbs_v2_accumulate",
            kind: Kind::Bool,
            default: "false",
            environment: false,
            doc: "SBS V2's transaction propagation loop: node k (in id order, the creator skipped) receives a transaction at its timestamp plus the sum of the creator's direct delays to every other node up to k, not one delay (needs tx_propagation = \"direct\")",
            added_in: Some("pbft-v1"),
        },
        sbs_v2_pop: bool {
            column: "sbs_v2_pop",
            kind: Kind::Bool,
            default: "false",
            environment: false,
            doc: "SBS V2's proposer removes a block's transactions from its own pool when it builds the block, so they are lost from that pool if the block fails (needs sbs_v2_pool)",
            added_in: Some("pbft-v1"),
        },
        base_block_size: f64 {
            column: "base_block_size_mb",
            kind: Kind::Float {
            min: 0.0,
            max: 1024.0,
        },
            default: "0",
            environment: false,
            doc: "SBS V2's base_block_size, MB (its default 0.002): added to a block's size and once more to every message carrying a block, as SBS V2 does",
            added_in: Some("pbft-v1"),
        },
    }
}

/// The PBFT parameters, then `own`: the parameter table of a family that extends pbft (its
/// first values resolve with [`resolve`]).
pub(crate) fn extended_by(own: &[crate::schema::param::ParamDef]) -> Vec<crate::schema::param::ParamDef> {
    PARAMS.iter().chain(own).copied().collect()
}

/// Most transactions a PBFT run may create (tx_rate x duration): each costs about 24 bytes of
/// workload plus its place in the pools.
pub const MAX_TXS_PER_RUN: u64 = 20_000_000;

/// Resolves the PBFT parameters (the first values of every PBFT-based family).
pub(crate) fn resolve(v: &[Value]) -> Result<PbftParams, ParamError> {
    let p = Values::read(v);
    let v2_all = p.sbs == Sbs::V2;
    let nodes = p.nodes;
    let peers = p.peers;
    if peers >= nodes {
        return Err(ParamError {
            key: key::peers,
            allowed: format!("at most nodes - 1 = {}", nodes - 1),
        });
    }
    let f = pbft::fault_tolerance(nodes, p.sbs_compat || v2_all);
    let crash_nodes = p.crash_nodes;
    if crash_nodes > f {
        return Err(ParamError {
            key: key::crash_nodes,
            allowed: format!("at most f = {f} for {nodes} nodes"),
        });
    }
    if p.links == Links::Exact && (nodes * peers) % 2 == 1 {
        return Err(ParamError {
            key: key::peers,
            allowed: format!(
                "an even nodes x peers under links = \"exact\" (every link has two ends): {nodes} x {peers} is odd"
            ),
        });
    }
    if p.bandwidth_draw == BandwidthDraw::MeanPreserving
        && p.bandwidth == BandwidthKind::PerNodeJitter
    {
        return Err(ParamError {
            key: key::bandwidth_draw,
            allowed: "\"clamped\" under bandwidth = \"per_node_jitter\" (mean_preserving is for per_node and per_message)".into(),
        });
    }
    if p.sbs_v2_pop && !(p.sbs_v2_pool || v2_all) {
        return Err(ParamError {
            key: key::sbs_v2_pop,
            allowed: "false unless sbs_v2_pool = true (a popped pool is a head-of-line pool)".into(),
        });
    }
    let accumulate = p.sbs_v2_accumulate || v2_all;
    if accumulate && p.tx_propagation != TxPropagation::Direct {
        return Err(ParamError {
            key: if p.sbs_v2_accumulate { "sbs_v2_accumulate" } else { "sbs" },
            allowed: if p.sbs_v2_accumulate {
                "false under tx_propagation = \"instant\" (there is no delay to accumulate; use \"direct\")".into()
            } else {
                "\"none\" under tx_propagation = \"instant\" (v2 accumulates transaction delays, which needs tx_propagation = \"direct\")".into()
            },
        });
    }
    let (mean, min) = (p.bandwidth_mean, p.bandwidth_min);
    if min > mean {
        return Err(ParamError {
            key: key::bandwidth_min,
            allowed: format!("at most bandwidth_mean ({mean} MB/s)"),
        });
    }
    let rate = p.tx_rate;
    let duration_s = p.duration.0 as f64 / 1000.0;
    if rate * duration_s > MAX_TXS_PER_RUN as f64 {
        return Err(ParamError {
            key: key::tx_rate,
            allowed: format!(
                "at most {MAX_TXS_PER_RUN} transactions a run (each is held in memory): \
                 tx_rate x duration = {rate} per s x {duration_s} s = {:.0}",
                rate * duration_s
            ),
        });
    }
    let exponential = p.tx_size_dist == TxSize::Exponential;
    // Under SBS V2's generation no more than stop_after_txs transactions are made.
    let capped = (p.sbs_v2_generation || v2_all) && p.stop_after_txs > 0;
    let txs = if capped {
        (rate * duration_s).min(p.stop_after_txs as f64)
    } else {
        rate * duration_s
    };
    if let Some(allowed) = tx_fits(p.tx_size, exponential, txs, p.block_size, "block_size") {
        return Err(ParamError {
            key: key::tx_size,
            allowed,
        });
    }
    // A round commits only after three message delays (pre-prepare, prepare, commit); a
    // timeout that expires before the fastest possible commit restarts every round forever.
    let min_delay_ms = p.processing_delay.0
        + if p.latency == Latency::Constant {
            p.latency_constant.0
        } else {
            0
        };
    if p.timeout.0 <= 3 * min_delay_ms {
        return Err(ParamError {
            key: key::timeout,
            allowed: format!(
                "more than 3 message delays = 3 x {min_delay_ms} ms (latency_constant + processing_delay): a round needs a pre-prepare, a prepare and a commit to arrive before its timeout, or no block is ever committed"
            ),
        });
    }
    Ok(PbftParams {
        net: NetworkParams {
            nodes,
            peers,
            links: p.links,
            bandwidth: match p.bandwidth {
                BandwidthKind::PerNode => Bandwidth::PerNode,
                BandwidthKind::PerNodeJitter => Bandwidth::PerNodeJitter {
                    cv: p.bandwidth_jitter,
                },
                BandwidthKind::PerMessage => Bandwidth::PerMessage,
            },
            bandwidth_mean: mean,
            bandwidth_sd: p.bandwidth_sd,
            bandwidth_min: min,
            bandwidth_draw: p.bandwidth_draw,
            latency: p.latency,
            latency_constant_ns: p.latency_constant.ns(),
            processing_ns: p.processing_delay.ns(),
            dissemination: p.dissemination,
        },
        workload: WorkloadParams {
            rate_per_s: p.tx_rate,
            arrivals: p.arrivals,
            size_mb: p.tx_size,
            size_dist: p.tx_size_dist,
            propagation: p.tx_propagation,
            max_txs: if p.sbs_v2_generation || v2_all {
                p.stop_after_txs
            } else {
                0
            },
            accumulate,
        },
        block_size_mb: p.block_size,
        block_interval_ns: p.block_interval.ns(),
        creation_ns: p.creation_time.ns(),
        msg_val_ns: p.msg_validation.ns(),
        block_val_ns: p.block_validation.ns(),
        sync_request_ns: p.sync_request.ns(),
        timeout_ns: p.timeout.ns(),
        base_msg_mb: p.base_msg_size,
        votes: p.votes,
        stop_after_txs: p.stop_after_txs,
        duration_ns: p.duration.ns(),
        crash_nodes,
        mean_uptime_ns: p.mean_uptime.ns(),
        mean_downtime_ns: p.mean_downtime.ns(),
        sbs_compat: p.sbs_compat || v2_all,
        v2: pbft::V2Behaviours {
            retry: p.sbs_v2_retry || v2_all,
            generation: p.sbs_v2_generation || v2_all,
            pool: p.sbs_v2_pool || v2_all,
            replay: p.sbs_v2_replay || v2_all,
            pop: p.sbs_v2_pop || v2_all,
        },
        base_block_mb: p.base_block_size,
    })
}

/// Why transactions of (mean) size `tx_mb` cannot all fit a block of `block_mb` (blamed on the
/// block size key `block_key`), or `None` when they can. A transaction larger than the block
/// stops its proposer at the head of its pool for good. Fixed sizes must fit; exponential sizes
/// must fit with probability at least 1 - 10^-5 over the run's `txs` expected transactions
/// (union bound: txs x exp(-block / mean) <= 10^-5).
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
    (p > 1e-5).then(|| {
        format!(
            "a mean of at most {block_key} / ln(transactions x 10^5) = {:.6} MB: exponential sizes of mean {tx_mb} MB exceed {block_key} ({block_mb} MB) with probability {:.2e} over the run's {txs:.0} transactions, and a transaction larger than every block stalls its proposer",
            block_mb / (txs * 1e5).ln(),
            p.min(1.0)
        )
    })
}

/// Fewest blocks the run budget must hold for a PBFT run to be worth starting.
const MIN_BLOCKS_IN_BUDGET: u64 = 10;

/// Checks that 10 blocks of the network's lower-bound message count fit `budget`.
pub(crate) fn check_cost(p: &PbftParams, budget: &Budget) -> Result<(), ParamError> {
    let n = u64::from(p.net.nodes);
    let per_broadcast = match p.net.dissemination {
        Dissemination::Gossip => n * u64::from(p.net.peers.saturating_sub(1)) + 1,
        Dissemination::Broadcast => n - 1,
    };
    let per_block = (2 * n + 1).saturating_mul(per_broadcast);
    if per_block.saturating_mul(MIN_BLOCKS_IN_BUDGET) > budget.messages {
        return Err(ParamError {
            key: key::peers,
            allowed: format!(
                "a network where {MIN_BLOCKS_IN_BUDGET} blocks fit the run budget: one block needs at least {per_block} messages ((2 nodes + 1) broadcasts, each relayed over nodes x (peers - 1) links), and budget.messages is {}; use fewer nodes or peers, or raise [budget] messages",
                budget.messages
            ),
        });
    }
    Ok(())
}

/// Runs `run` on the workspace's PBFT simulator within `ws.budget`: a run that spends it is a
/// failure whose reason names the limit.
pub(crate) fn bounded(
    ws: &mut Workspace,
    run: impl FnOnce(&mut Simulator) -> RunOutput,
) -> RunOutput {
    let budget = ws.budget;
    let sim = ws.slot::<Simulator>();
    sim.budget = budget;
    sim.budget_spent = None;
    let out = run(sim);
    match sim.budget_spent.take() {
        None => out,
        Some(why) => RunOutput::failed(out.events, why),
    }
}

impl Configured for PbftParams {
    fn check_cost(&self, budget: &Budget) -> Result<(), ParamError> {
        check_cost(self, budget)
    }

    fn run(&self, seeds: RunSeeds, ws: &mut Workspace) -> RunOutput {
        bounded(ws, |sim| {
            let o = pbft::simulate(self, seeds, sim);
            RunOutput::ok(o.events, metric_row(&[METRICS], &o))
        })
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The PBFT metric columns, each with how it is read from the run's outcome (also the first
/// metrics of the management family).
pub(crate) static METRICS: &[Metric<PbftOutcome>] = &[
    Metric {
        name: "f",
        label: "fault tolerance f",
        ty: ColumnType::U32,
        unit: "",
        doc: "Fault tolerance f = floor((n-1)/3) (floor(n/3) under sbs_compat).",
        read: |o: &PbftOutcome| u(o.f.into()),
    },
    Metric {
        name: "strongly_connected",
        label: "strongly connected",
        ty: ColumnType::Bool,
        unit: "",
        doc: "Whether every node reaches every other over peer links.",
        read: |o: &PbftOutcome| Cell::B(o.strongly_connected),
    },
    Metric {
        name: "nodes_without_in_links",
        label: "nodes without in-links",
        ty: ColumnType::U32,
        unit: "",
        doc: "Nodes no peer link reaches (gossip never reaches them; they catch up by sync).",
        read: |o: &PbftOutcome| u(o.nodes_without_in_links.into()),
    },
    Metric {
        name: "degree_min",
        label: "fewest peers of a node",
        ty: ColumnType::U32,
        unit: "",
        doc: "Fewest peers a node sends to: its degree under two-way links (links = \"bidirectional\" or \"exact\"), its picks under \"directed\".",
        read: |o: &PbftOutcome| u(o.degree_min.into()),
    },
    Metric {
        name: "degree_mean",
        label: "mean peers of a node",
        ty: ColumnType::F64,
        unit: "",
        doc: "Mean of the same over the nodes: about 2 peers - peers^2 / (nodes - 1) under two-way picks, exactly peers under \"exact\" and \"directed\".",
        read: |o: &PbftOutcome| Cell::F(o.degree_mean),
    },
    Metric {
        name: "degree_max",
        label: "most peers of a node",
        ty: ColumnType::U32,
        unit: "",
        doc: "Most peers a node sends to.",
        read: |o: &PbftOutcome| u(o.degree_max.into()),
    },
    Metric {
        name: "link_bandwidth_mean_mbps",
        label: "mean link bandwidth",
        ty: ColumnType::F64,
        unit: "MB/s",
        doc: "What a transfer's bandwidth is on average, after the clamp at bandwidth_min (and the rescale of bandwidth_draw = \"mean_preserving\"): per_message, the exact mean of the distribution every message draws from; per_node and per_node_jitter, the mean over the links u -> v of the slower end's bandwidth (under jitter, of the nodes' means). Above bandwidth_mean when the clamp binds, and below it per node (the slower end).",
        read: |o: &PbftOutcome| Cell::F(o.link_bandwidth_mean_mbps),
    },
    Metric {
        name: "link_transfer_s_per_mb",
        label: "mean transfer time of 1 MB",
        ty: ColumnType::F64,
        unit: "s/MB",
        doc: "The mean of 1 / bandwidth over the same distribution (or links): the mean time one link takes to transfer 1 MB, which sets the mean transmission time of a message.",
        read: |o: &PbftOutcome| Cell::F(o.link_transfer_s_per_mb),
    },
    Metric {
        name: "blocks",
        label: "blocks",
        ty: ColumnType::U32,
        unit: "",
        doc: "Blocks in the longest chain (genesis excluded).",
        read: |o: &PbftOutcome| u(o.blocks.into()),
    },
    Metric {
        name: "blocks_min",
        label: "blocks (shortest live chain)",
        ty: ColumnType::U32,
        unit: "",
        doc: "Blocks in the shortest chain of a node alive at the end.",
        read: |o: &PbftOutcome| u(o.blocks_min.into()),
    },
    Metric {
        name: "txs_committed_min",
        label: "transactions committed (fewest)",
        ty: ColumnType::U64,
        unit: "",
        doc: "Fewest transactions in the chain of a node alive at the end.",
        read: |o: &PbftOutcome| u(o.txs_committed_min),
    },
    Metric {
        name: "txs_generated",
        label: "transactions generated",
        ty: ColumnType::U64,
        unit: "",
        doc: "Transactions generated (lazily, up to the last moment a leader looked).",
        read: |o: &PbftOutcome| u(o.txs_generated),
    },
    Metric {
        name: "latency_sbs_s",
        label: "mean transaction latency (SBS)",
        ty: ColumnType::F64,
        unit: "s",
        doc: "SBS latency: per node, the mean over its blocks of the block's mean (time added - transaction timestamp); then the mean over live nodes. The timestamp is the creation time, or under sbs_compat the proposer's pool copy's (when the transaction reached the proposer), as SBS V2 measures it.",
        read: |o: &PbftOutcome| Cell::F(o.latency_sbs_s),
    },
    Metric {
        name: "latency_sbs_created_s",
        label: "mean transaction latency from creation (SBS aggregation)",
        ty: ColumnType::F64,
        unit: "s",
        doc: "As latency_sbs_s, with every transaction's latency counted from its creation whatever sbs_compat says, so runs with and without SBS behaviours compare on one definition.",
        read: |o: &PbftOutcome| Cell::F(o.latency_sbs_created_s),
    },
    Metric {
        name: "latency_tx_mean_s",
        label: "mean transaction latency",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Mean latency over every (live node, committed transaction) pair.",
        read: |o: &PbftOutcome| Cell::F(o.latency_tx_mean_s),
    },
    Metric {
        name: "latency_p50_s",
        label: "median transaction latency",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Median of those latencies (nearest rank).",
        read: |o: &PbftOutcome| Cell::F(o.latency_p50_s),
    },
    Metric {
        name: "latency_p95_s",
        label: "95th percentile transaction latency",
        ty: ColumnType::F64,
        unit: "s",
        doc: "95th percentile of those latencies (nearest rank).",
        read: |o: &PbftOutcome| Cell::F(o.latency_p95_s),
    },
    Metric {
        name: "throughput_sbs_tps",
        label: "throughput (SBS)",
        ty: ColumnType::F64,
        unit: "1/s",
        doc: "SBS V2 throughput: per node, transactions / (last block's time added - first block's creation); mean over live nodes.",
        read: |o: &PbftOutcome| Cell::F(o.throughput_sbs_tps),
    },
    Metric {
        name: "throughput_span_tps",
        label: "throughput over the run",
        ty: ColumnType::F64,
        unit: "1/s",
        doc: "Transactions committed per live node / simulated span (end_s).",
        read: |o: &PbftOutcome| Cell::F(o.throughput_span_tps),
    },
    Metric {
        name: "block_time_mean_s",
        label: "mean time between blocks",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Per node, mean time between consecutive blocks added; mean over live nodes.",
        read: |o: &PbftOutcome| Cell::F(o.block_time_mean_s),
    },
    Metric {
        name: "block_time_median_s",
        label: "median time between blocks",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Median of all live nodes' times between consecutive blocks.",
        read: |o: &PbftOutcome| Cell::F(o.block_time_median_s),
    },
    Metric {
        name: "gini_sbs",
        label: "Gini of proposers (SBS)",
        ty: ColumnType::F64,
        unit: "",
        doc: "SBS's trapezoid Gini of block proposers (1 - trapz(L) / trapz(equality), no Lorenz origin); mean over live nodes.",
        read: |o: &PbftOutcome| Cell::F(o.gini_sbs),
    },
    Metric {
        name: "gini",
        label: "Gini of proposers",
        ty: ColumnType::F64,
        unit: "",
        doc: "Textbook discrete Gini of block proposers, 1 - (2 sum L_i - 1) / N; mean over live nodes.",
        read: |o: &PbftOutcome| Cell::F(o.gini),
    },
    Metric {
        name: "round_changes",
        label: "round changes",
        ty: ColumnType::U64,
        unit: "",
        doc: "Rounds entered through a round change (2f+1 votes).",
        read: |o: &PbftOutcome| u(o.round_changes),
    },
    Metric {
        name: "timeouts",
        label: "timeouts",
        ty: ColumnType::U64,
        unit: "",
        doc: "Timeouts that fired for a node still in the round (or round change) they were armed for.",
        read: |o: &PbftOutcome| u(o.timeouts),
    },
    Metric {
        name: "syncs",
        label: "syncs",
        ty: ColumnType::U64,
        unit: "",
        doc: "Syncs of missing blocks started.",
        read: |o: &PbftOutcome| u(o.syncs),
    },
    Metric {
        name: "crashes",
        label: "crashes",
        ty: ColumnType::U64,
        unit: "",
        doc: "Node crashes.",
        read: |o: &PbftOutcome| u(o.crashes),
    },
    Metric {
        name: "msgs",
        label: "messages",
        ty: ColumnType::U64,
        unit: "",
        doc: "Messages sent over links, gossip relays and duplicates included (sync transfers excluded).",
        read: |o: &PbftOutcome| u(o.msgs),
    },
    Metric {
        name: "bytes_sent_mb",
        label: "volume sent",
        ty: ColumnType::F64,
        unit: "MB",
        doc: "Volume of those messages.",
        read: |o: &PbftOutcome| Cell::F(o.bytes_mb),
    },
    Metric {
        name: "end_s",
        label: "simulated time at the end",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Simulated time at the end of the run.",
        read: |o: &PbftOutcome| Cell::F(o.end_s),
    },
    Metric {
        name: "stop_reason",
        label: "stop reason",
        ty: ColumnType::Str,
        unit: "",
        doc: "txs (every live node committed stop_after_txs), duration, or idle (nothing left to happen).",
        read: |o: &PbftOutcome| Cell::S(o.stop.name().into()),
    },
    Metric {
        name: "safety_violations",
        label: "safety violations",
        ty: ColumnType::U64,
        unit: "",
        doc: "Commits of a block different from the one another node committed at that height (0 in a correct run).",
        read: |o: &PbftOutcome| u(o.safety_violations),
    },
];


/// The family, as the registry lists it.
pub static FAMILY: Declaration<PbftParams> = Declaration {
    name: "pbft",
    summary: "A PBFT blockchain over a gossip network, after SymBChainSim Version-2.0, corrected.",
    notes: include_str!("README.md"),
    version: VERSION,
    params: || PARAMS,
    parent: None,
    metrics: || metric_defs(&[METRICS]),
    detail: None,
    replicates_share_environment: false,
    resolve,
    figures: Some(figures::pbft),
};

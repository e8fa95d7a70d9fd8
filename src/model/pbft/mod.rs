//! The `pbft` family: a PBFT blockchain over a gossip network, after SymBChainSim Version-2.0,
//! corrected. Its core is [`crate::pbft`]; the `twin`, `twin_sync` and `management` families
//! extend its parameters and metrics.
#![doc = include_str!("README.md")]

pub(crate) mod figures;
mod conditions;
mod params;

pub use params::*;

use super::{Configured, Declaration, RunOutput, Workspace, u};
use crate::des::{Budget, Memory};
use crate::network::{
    Bandwidth, BandwidthDraw, Dissemination, Latency, Links, NetworkParams,
};
use crate::pbft::workload::{TxPropagation, TxSize, WorkloadParams};
use crate::pbft::{self, PbftOutcome, PbftParams, Simulator};
use crate::rng::RunSeeds;
use crate::schema::param::{Choice, ParamError, Value};
use crate::schema::{Cell, ColumnType, Metric, metric_defs, metric_row};

/// Version of the family's semantics.
const VERSION: &str = "pbft-v1";

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
    check_network(&p)?;
    check_v2(&p)?;
    check_workload(&p)?;
    check_timeout(&p)?;
    check_consensus(&p)?;
    let intervals = conditions::scenario(&p)?;
    let trace = conditions::trace(&p)?;
    let mut params = configure(&p);
    if let Some(ivs) = intervals {
        conditions::apply_scenario(&mut params, ivs);
    }
    params.workload.trace = trace;
    Ok(params)
}

/// [`resolve`] for a family that extends pbft and writes no time series: `series_window`
/// must stay 0.
pub(crate) fn resolve_extended(v: &[Value]) -> Result<PbftParams, ParamError> {
    let p = resolve(v)?;
    if p.series_window_ns > 0 {
        return Err(ParamError {
            key: key::series_window,
            allowed: "0 s (the time series is the pbft family's; this family writes none)".into(),
        });
    }
    Ok(p)
}

/// Peers, crash faults and links the network can have.
fn check_network(p: &Values) -> Result<(), ParamError> {
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
    if p.byzantine_nodes >= nodes {
        return Err(ParamError {
            key: key::byzantine_nodes,
            allowed: format!("at most nodes - 1 = {}", nodes - 1),
        });
    }
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
    Ok(())
}

/// SymBChainSim V2 behaviours that need others.
fn check_v2(p: &Values) -> Result<(), ParamError> {
    let v2_all = p.sbs == Sbs::V2;
    if p.sbs_v2_pop && !(p.sbs_v2_pool || v2_all) {
        return Err(ParamError {
            key: key::sbs_v2_pop,
            allowed: "false unless sbs_v2_pool = true (a popped pool is a head-of-line pool)".into(),
        });
    }
    let accumulate = p.sbs_v2_accumulate || v2_all;
    if accumulate && p.tx_propagation != TxPropagation::Direct {
        return Err(ParamError {
            key: if p.sbs_v2_accumulate {
                key::sbs_v2_accumulate
            } else {
                key::sbs
            },
            allowed: if p.sbs_v2_accumulate {
                "false under tx_propagation = \"instant\" (there is no delay to accumulate; use \"direct\")".into()
            } else {
                "\"none\" under tx_propagation = \"instant\" (v2 accumulates transaction delays, which needs tx_propagation = \"direct\")".into()
            },
        });
    }
    Ok(())
}

/// Bandwidth floor and the transactions a run makes: few enough to hold, small enough to fit
/// a block.
fn check_workload(p: &Values) -> Result<(), ParamError> {
    let v2_all = p.sbs == Sbs::V2;
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
    Ok(())
}

/// A timeout longer than the fastest possible commit.
fn check_timeout(p: &Values) -> Result<(), ParamError> {
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
    Ok(())
}

/// What a protocol's votes can carry.
fn check_consensus(p: &Values) -> Result<(), ParamError> {
    if p.consensus == pbft::Consensus::Tendermint && p.votes == crate::network::VotePayload::Block {
        return Err(ParamError {
            key: key::votes,
            allowed: "\"digest\" under consensus = \"tendermint\" (a Tendermint vote carries the block's hash, never the block)".into(),
        });
    }
    Ok(())
}

/// The core's configuration of checked values.
fn configure(p: &Values) -> PbftParams {
    let v2_all = p.sbs == Sbs::V2;
    let accumulate = p.sbs_v2_accumulate || v2_all;
    PbftParams {
        net: NetworkParams {
            nodes: p.nodes,
            peers: p.peers,
            links: p.links,
            bandwidth: match p.bandwidth {
                BandwidthKind::PerNode => Bandwidth::PerNode,
                BandwidthKind::PerNodeJitter => Bandwidth::PerNodeJitter {
                    cv: p.bandwidth_jitter,
                },
                BandwidthKind::PerMessage => Bandwidth::PerMessage,
            },
            bandwidth_mean: p.bandwidth_mean,
            bandwidth_sd: p.bandwidth_sd,
            bandwidth_min: p.bandwidth_min,
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
            segments: Vec::new(),
            trace: None,
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
        crash_nodes: p.crash_nodes,
        mean_uptime_ns: p.mean_uptime.ns(),
        mean_downtime_ns: p.mean_downtime.ns(),
        sbs_compat: p.sbs_compat || v2_all,
        v2: pbft::V2Behaviours {
            retry: p.sbs_v2_retry || v2_all,
            generation: p.sbs_v2_generation || v2_all,
            pool: p.sbs_v2_pool || v2_all,
            replay: p.sbs_v2_replay || v2_all,
            pop: p.sbs_v2_pop || v2_all,
            tendermint: p.sbs_v2_tendermint || v2_all,
        },
        base_block_mb: p.base_block_size,
        consensus: p.consensus,
        fast_path_timeout_ns: p.fast_path_timeout.ns(),
        proposer: p.proposer,
        tendermint: pbft::TendermintTimeouts {
            propose_ns: p.timeout_propose.ns(),
            prevote_ns: p.timeout_prevote.ns(),
            precommit_ns: p.timeout_precommit.ns(),
            delta_ns: p.timeout_delta.ns(),
        },
        per_tx_ns: p.time_per_tx.ns(),
        quorum: p.quorum,
        byzantine_nodes: p.byzantine_nodes,
        byzantine: p.byzantine_behaviour,
        byzantine_delay_ns: p.byzantine_delay.ns(),
        intervals: Vec::new(),
        series_window_ns: p.series_window.ns(),
    }
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

/// Bytes a crash interval takes: its (down, up) pair, the two events in the sorted list and
/// in the queue, with room for the vectors' growth.
const BYTES_PER_CRASH_INTERVAL: u64 = 160;

/// What a PBFT run's parameters make it allocate: its crash schedule, drawn up front (about
/// `crash_nodes x (duration / (mean_uptime + mean_downtime) + 1)` intervals).
pub(crate) fn memory(p: &PbftParams, explain: bool) -> Memory {
    if p.crash_nodes == 0 {
        return Memory::default();
    }
    let cycle = p.mean_uptime_ns.saturating_add(p.mean_downtime_ns).max(1);
    let intervals = u64::from(p.crash_nodes) * (p.duration_ns / cycle + 1);
    Memory::of(
        intervals.saturating_mul(BYTES_PER_CRASH_INTERVAL),
        key::mean_uptime,
        if explain {
            format!(
                "a crash schedule of about {intervals} down/up intervals: crash_nodes x duration / (mean_uptime + mean_downtime)"
            )
        } else {
            String::new()
        },
    )
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

    fn shown(&self, values: &mut [Value]) {
        show_switches(self, values);
    }

    fn memory(&self, explain: bool) -> Memory {
        memory(self, explain)
    }

    fn run(&self, seeds: RunSeeds, ws: &mut Workspace) -> RunOutput {
        bounded(ws, |sim| {
            let o = pbft::simulate(self, seeds, sim);
            RunOutput::ok(o.events, metric_row(&[METRICS, SERIES], &o))
        })
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Writes the effective SBS switches into `values` (the pbft table's values, which open every
/// table built on it): under `sbs = "v2"` `sbs_compat` and every `sbs_v2_*` switch read true.
pub(crate) fn show_switches(p: &PbftParams, values: &mut [Value]) {
    let on = [
        (key::sbs_compat, p.sbs_compat),
        (key::sbs_v2_retry, p.v2.retry),
        (key::sbs_v2_generation, p.v2.generation),
        (key::sbs_v2_pool, p.v2.pool),
        (key::sbs_v2_replay, p.v2.replay),
        (key::sbs_v2_accumulate, p.workload.accumulate),
        (key::sbs_v2_pop, p.v2.pop),
        (key::sbs_v2_tendermint, p.v2.tendermint),
    ];
    for (k, effective) in on {
        if let Some(i) = PARAMS.iter().position(|d| d.key == k) {
            values[i] = Value::Bool(effective);
        }
    }
}

/// The time series table: one row per window of a run (the `ts_` list columns).
pub(crate) const SERIES_TABLE: crate::schema::Detail = crate::schema::Detail {
    name: "series",
    prefix: "ts_",
    index: "window",
    item: "time window",
};

/// The time series' list columns (the pbft family's `series` table: one row per window).
pub(crate) static SERIES: &[Metric<PbftOutcome>] = &[
    Metric {
        name: "ts_end_s",
        label: "window end",
        ty: ColumnType::ListF64,
        unit: "s",
        doc: "Per window of series_window: its end (the last window ends with the run, so it may be shorter). Empty lists when series_window is 0.",
        read: |o: &PbftOutcome| Cell::LF(o.windows.end_s.clone()),
    },
    Metric {
        name: "ts_blocks",
        label: "blocks committed in the window",
        ty: ColumnType::ListU32,
        unit: "",
        doc: "Per window: heights whose first commit by an honest validator falls in it.",
        read: |o: &PbftOutcome| Cell::LU(o.windows.blocks.clone()),
    },
    Metric {
        name: "ts_txs",
        label: "transactions committed in the window",
        ty: ColumnType::ListU32,
        unit: "",
        doc: "Per window: the transactions of those heights.",
        read: |o: &PbftOutcome| Cell::LU(o.windows.txs.clone()),
    },
    Metric {
        name: "ts_throughput_tps",
        label: "throughput",
        ty: ColumnType::ListF64,
        unit: "1/s",
        doc: "Per window: its committed transactions over its length.",
        read: |o: &PbftOutcome| Cell::LF(o.windows.throughput_tps.clone()),
    },
    Metric {
        name: "ts_latency_mean_s",
        label: "mean transaction latency",
        ty: ColumnType::ListF64,
        unit: "s",
        doc: "Per window: mean of (the height's first honest commit - creation) over its committed transactions; NaN without any.",
        read: |o: &PbftOutcome| Cell::LF(o.windows.latency_mean_s.clone()),
    },
    Metric {
        name: "ts_block_time_mean_s",
        label: "mean time between blocks",
        ty: ColumnType::ListF64,
        unit: "s",
        doc: "Per window: mean time from the previous height's first honest commit to each of its heights'; NaN without any.",
        read: |o: &PbftOutcome| Cell::LF(o.windows.block_time_mean_s.clone()),
    },
    Metric {
        name: "ts_pool_txs",
        label: "transactions waiting",
        ty: ColumnType::ListU32,
        unit: "",
        doc: "Per window: transactions created by its end and not committed by then (the global pool).",
        read: |o: &PbftOutcome| Cell::LU(o.windows.pool_txs.clone()),
    },
    Metric {
        name: "ts_consensus",
        label: "protocol in force",
        ty: ColumnType::ListStr,
        unit: "",
        doc: "Per window: the protocol of the last height committed in it (\"\" without any).",
        read: |o: &PbftOutcome| {
            Cell::LS(
                o.windows
                    .consensus
                    .iter()
                    .map(|c| c.map_or("", |c| c.name()).to_string())
                    .collect(),
            )
        },
    },
];

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
        doc: "Commits by an honest validator of a block other than the one the first honest validator committed at that height (0 in a correct run; Byzantine validators' commits never count).",
        read: |o: &PbftOutcome| u(o.safety_violations),
    },
    Metric {
        name: "commit_gap_max_s",
        label: "longest time without a new block",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Longest time in which no honest validator committed a new height: from the start to the first block, between consecutive heights (each at its first honest commit) and from the last to the end of the run (the whole run when nothing is committed).",
        read: |o: &PbftOutcome| Cell::F(o.commit_gap_max_s),
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
    metrics: || metric_defs(&[METRICS, SERIES]),
    details: &[SERIES_TABLE],
    replicates_share_environment: false,
    resolve,
    figures: Some(figures::pbft),
};

//! The pbft family's parameter table (keys, kinds, defaults, docs, the typed struct they are
//! read into) and its choices. The defaults follow SymBChainSim Version-2.0 where the papers
//! are silent; the family's notes list each choice.

use crate::network::{BandwidthDraw, Dissemination, Latency, Links, VotePayload};
use crate::pbft::{Byzantine, Consensus, Proposer, Quorum};
use crate::pbft::workload::{Arrivals, TxPropagation, TxSize};
use crate::schema::param::{Choice, Kind, Millis};
use crate::{choice, choice_names, param_table};

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
choice_names!(Consensus {
    Pbft = "pbft",
    Tendermint = "tendermint",
    BigFoot = "bigfoot",
});
choice_names!(Proposer {
    RoundRobin = "round_robin",
    Hash = "hash",
});
choice_names!(Quorum {
    TwoFPlusOne = "2f+1",
    Intersecting = "intersecting",
});
choice_names!(Byzantine {
    Silent = "silent",
    Delay = "delay",
    Withhold = "withhold",
    Equivocate = "equivocate",
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
            doc: "round timeout, armed at round start + block_interval (under the real Tendermint, the last resort in place of vote re-gossip: a validator still in round r when timeout_propose(r) + timeout_prevote(r) + timeout_precommit(r) + this have passed since round start + block_interval enters round r + 1)",
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
        consensus: Consensus {
            column: "consensus",
            kind: Kind::Choice(<Consensus as Choice>::NAMES),
            default: "pbft",
            environment: false,
            doc: "the consensus protocol: pbft; tendermint (the real protocol: propose, prevote, precommit with locks, valid rounds, round skips and step timeouts timeout_propose, timeout_prevote, timeout_precommit growing by timeout_delta per round; under sbs_v2_tendermint or sbs = \"v2\", SymBChainSim V2's: PBFT's phases with votes that carry the block's hash only; either needs votes = \"digest\"); bigfoot (PBFT with a fast path: commit on prepares from every validator before fast_path_timeout, else PBFT's slow path)",
            added_in: Some("pbft-v1"),
        },
        fast_path_timeout: Millis {
            column: "fast_path_timeout_ms",
            kind: Kind::DurationMs {
                min: 1,
                max: MS_1H,
            },
            default: "5 s",
            environment: false,
            doc: "BigFoot's fast path lasts this long after round start + block_interval (SymBChainSim V2's default 5 s); other protocols ignore it",
            added_in: Some("pbft-v1"),
        },
        sbs_v2_tendermint: bool {
            column: "sbs_v2_tendermint",
            kind: Kind::Bool,
            default: "false",
            environment: false,
            doc: "consensus = \"tendermint\" is SymBChainSim V2's Tendermint (PBFT's pre-prepare, prepare and commit with votes that carry the block's hash only, and V2's proposal timing) instead of the real protocol",
            added_in: Some("pbft-v1"),
        },
        timeout_propose: Millis {
            column: "timeout_propose_ms",
            kind: Kind::DurationMs { min: 1, max: MS_1H },
            default: "3 s",
            environment: false,
            doc: "real Tendermint: how long after round start + block_interval a validator waits for the proposal before it prevotes nil (in the r-th round of a height, this + r x timeout_delta; CometBFT's default 3 s)",
            added_in: Some("pbft-v1"),
        },
        timeout_prevote: Millis {
            column: "timeout_prevote_ms",
            kind: Kind::DurationMs { min: 1, max: MS_1H },
            default: "1 s",
            environment: false,
            doc: "real Tendermint: how long after 2f+1 prevotes of any kind a validator waits for a polka before it precommits nil (+ r x timeout_delta; CometBFT's default 1 s)",
            added_in: Some("pbft-v1"),
        },
        timeout_precommit: Millis {
            column: "timeout_precommit_ms",
            kind: Kind::DurationMs { min: 1, max: MS_1H },
            default: "1 s",
            environment: false,
            doc: "real Tendermint: how long after 2f+1 precommits of any kind a validator waits for a decision before it enters the next round (+ r x timeout_delta; CometBFT's default 1 s)",
            added_in: Some("pbft-v1"),
        },
        timeout_delta: Millis {
            column: "timeout_delta_ms",
            kind: Kind::DurationMs { min: 0, max: MS_1H },
            default: "500 ms",
            environment: false,
            doc: "real Tendermint: what each step timeout grows by per round of a height (CometBFT's default 500 ms for each step)",
            added_in: Some("pbft-v1"),
        },
        proposer: Proposer {
            column: "proposer",
            kind: Kind::Choice(<Proposer as Choice>::NAMES),
            default: "round_robin",
            environment: false,
            doc: "who proposes in round r: round_robin (r mod nodes, SymBChainSim's default); hash ((hash of the last block + r) mod nodes, SymBChainSim V2's `hash` selection; the management paper picks leaders by the latest block's hash)",
            added_in: Some("pbft-v1"),
        },
        time_per_tx: Millis {
            column: "time_per_tx_ms",
            kind: Kind::DurationMs {
                min: 0,
                max: 60_000,
            },
            default: "0 ms",
            environment: false,
            doc: "time to put one transaction in a block (SymBChainSim V2's time_per_tx, its default 1 ms): a fresh proposal leaves this much later per transaction; under sbs_compat, as V2's code does: PBFT and BigFoot ignore it and creation_time, Tendermint waits creation_time + transactions x time_per_tx",
            added_in: Some("pbft-v1"),
        },
        quorum: Quorum {
            column: "quorum",
            kind: Kind::Choice(<Quorum as Choice>::NAMES),
            default: "2f+1",
            environment: false,
            doc: "votes that commit a block or start a round (a node is prepared at one fewer prepares): 2f+1 (SymBChainSim's; two quorums share f+1 nodes only when nodes = 3f+1, so at 3f+2 or 3f+3 nodes f Byzantine validators can split the chain) or intersecting (ceil((nodes + f + 1) / 2), safe at every size)",
            added_in: Some("pbft-v1"),
        },
        byzantine_nodes: u32 {
            column: "byzantine_nodes",
            kind: Kind::Int { min: 0, max: 1000 },
            default: "0",
            environment: false,
            doc: "Byzantine validators, drawn per run from the \"byzantine\" stream (at most nodes - 1; more than f break liveness)",
            added_in: Some("pbft-v1"),
        },
        byzantine_behaviour: Byzantine {
            column: "byzantine_behaviour",
            kind: Kind::Choice(<Byzantine as Choice>::NAMES),
            default: "silent",
            environment: false,
            doc: "what a Byzantine validator does: silent (sends no proposal, vote, block or round-change vote of its own; still relays), delay (sends each of them byzantine_delay late), withhold (sends its votes to half of the honest validators) or equivocate (as leader, two blocks, one to each half; votes for every proposal it sees)",
            added_in: Some("pbft-v1"),
        },
        byzantine_delay: Millis {
            column: "byzantine_delay_ms",
            kind: Kind::DurationMs { min: 0, max: MS_1H },
            default: "1 s",
            environment: false,
            doc: "how late a delaying Byzantine validator sends its own consensus messages",
            added_in: Some("pbft-v1"),
        },
        scenario: String {
            column: "scenario",
            kind: Kind::Scenario(SCENARIO_KEYS),
            default: "",
            environment: false,
            doc: "conditions that change within the run: a scenario file (TOML, its path relative to the experiment file; \"\" for none) of intervals, each from its start on setting the workload (tx_rate, tx_size, tx_size_dist), the bandwidth (bandwidth_mean, bandwidth_sd) and the nodes down throughout it (crashed); the column holds the scenario's canonical text (name | start_ms key=value ...), so a run is identified by the scenario's content",
            added_in: Some("pbft-v1"),
        },
        series_window: Millis {
            column: "series_window_ms",
            kind: Kind::DurationMs { min: 0, max: MS_1H },
            default: "0 s",
            environment: false,
            doc: "width of the time windows of the run's time series (the ts_ columns and the `series` table: throughput, latency, block time, pool size, protocol per window); 0: no series",
            added_in: Some("pbft-v1"),
        },
        tx_trace: String {
            column: "tx_trace",
            kind: Kind::Trace,
            default: "",
            environment: false,
            doc: "a transaction trace in place of the generated workload: a CSV file (its path relative to the experiment file; \"\" for none) with a header time_s,size_mb[,creator] and one transaction per line (seconds from the run's start, non-decreasing; MB; the creating node, drawn from the workload stream where absent); tx_rate, arrivals, tx_size and tx_size_dist are then unused. The column holds the file's stem, then sha256= with 16 hex digits of the parsed values, then txs= with their count (\"sbs_docker_first sha256=cec11a04ee38da60 txs=3000\"), so a run is identified by the trace's content",
            added_in: Some("pbft-v1"),
        },
    }
}

/// The keys a scenario's interval may set (see the `scenario` parameter).
pub const SCENARIO_KEYS: &[&str] = &[
    "tx_rate",
    "tx_size",
    "tx_size_dist",
    "bandwidth_mean",
    "bandwidth_sd",
    crate::schema::scenario::CRASHED,
];


//! A permissioned PBFT blockchain over a gossip network, after SymBChainSim (SBS) Version-2.0
//! with its bugs corrected (SBS V2's behaviour read from its source; every choice is listed in
//! the pbft family's notes, `src/model/pbft/README.md`).
//!
//! - Round-robin leader (`round mod n`). The leader proposes `block_interval + creation_time`
//!   after entering the round, filling the block first-in-first-out from its pool with a
//!   head-of-line stop; with nothing eligible it wakes when the next transaction reaches it
//!   (before the timeout).
//! - Pre-prepare, prepare, commit with SBS's thresholds: the leader sends no prepare; a node is
//!   prepared at 2f prepares (its own included for replicas) and commits at 2f+1 commits (its
//!   own included), f = floor((n-1)/3). Votes are sets of senders for the current round.
//! - Validation: a node reacts `msg_val_delay` after an arrival (plus `block_val_delay` for a
//!   block); reactions never precede the moment the node finished its previous step.
//! - Messages for a past round are dropped; for a future round they wait in a backlog that is
//!   replayed, at the current clock, whenever the node's state changes.
//! - The leader's `new_block` is the catch-up path; a node that learns it is more than one
//!   block behind (or times out behind a peer) syncs all missing blocks from its most advanced
//!   alive peer as one modelled delay.
//! - Timeouts (armed at round start + block interval + timeout, cancelled lazily) start a round
//!   change: votes for round R are counted per sender; f+1 votes make a node join (and vote for)
//!   R; 2f+1 start R.
//! - Safety beyond SBS: a prepared node locks its block for that height and refuses a different
//!   block at that height unless the proposal carries a lock from a later round; round-change
//!   votes carry the sender's lock and a new leader re-proposes the most recent lock it knows.
//!   This is what PBFT's view change guarantees, and what the safety tests check.
//! - Crash faults: `crash_nodes` (at most f) nodes alternate exponential up and down times drawn
//!   up front from the "faults" stream. A dead node drops what reaches it and relays nothing;
//!   on recovery it syncs (if behind) or restarts its round.
//!
//! Time is integer nanoseconds. The core does no I/O and reads no clock.
//!
//! Extensions plug in through two hooks ([`hooks`]): [`Transmissions`] watches every message
//! (the twin's estimation), [`Reconfiguration`] stamps blocks with a configuration and switches
//! a node's configuration between rounds (the management chain's primary side).
//!
//! The files: this one holds the parameters, the outcome's types, the node and event types and
//! the run loop; `votes` the phases of a round, `round_change` timers and round changes,
//! `blocks` proposals and commits, `sync` catching up, `faults` crash schedules, `waves` one
//! broadcast as a single queue entry, `workload` transactions, `outcome` and `metrics` what a
//! run reports, `hooks` the extension points.
//!
//! Architecture invariant: `pbft` knows nothing about twins or management (they plug in
//! through [`hooks`] from their own modules) and no spec, file or clock.

mod blocks;
mod byzantine;
mod faults;
pub mod hooks;
pub mod metrics;
mod outcome;
mod protocol;
mod round_change;
mod scenario;
mod sync;
mod tendermint;
mod votes;
mod waves;
pub mod workload;

use crate::des::{Budget, HeapQueue, Time};
use crate::network::{Dissemination, GossipScratch, Network, NetworkParams, Spread, VotePayload};
use crate::rng::RunSeeds;
use crate::rng::stream;
use byzantine::Audience;
pub use byzantine::Byzantine;
pub use hooks::{NO_NODE, Reconfiguration, RoundConfig, Transmissions};
use metrics::{gini, gini_sbs, mean_finite, quantile};
pub use protocol::{Consensus, Proposer, TendermintTimeouts, tendermint_unlocks};
use rand::RngExt;
use rand_distr::{Distribution, Exp};
pub use scenario::{Interval, Windows};
use std::collections::HashMap;
use workload::{Workload, WorkloadParams};

const NONE: u32 = u32::MAX;
/// The `proto` of a message not yet sent: [`Simulator::send_to`] stamps the sender's
/// protocol when it leaves (a hook's message is read by no protocol).
const UNSTAMPED: Consensus = Consensus::Pbft;
use crate::time::NS_PER_S_F64 as S;

/// A PBFT run's configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct PbftParams {
    /// The network.
    pub net: NetworkParams,
    /// The transactions.
    pub workload: WorkloadParams,
    /// Largest block, MB.
    pub block_size_mb: f64,
    /// Delay from entering a round to the leader's proposal, ns.
    pub block_interval_ns: Time,
    /// Time to build a block, ns.
    pub creation_ns: Time,
    /// Validation of any message, ns.
    pub msg_val_ns: Time,
    /// Extra validation of a block, ns.
    pub block_val_ns: Time,
    /// Per-request overhead of a sync, ns.
    pub sync_request_ns: Time,
    /// Round timeout, ns.
    pub timeout_ns: Time,
    /// Size of a message without its block, MB.
    pub base_msg_mb: f64,
    /// What prepare and commit carry.
    pub votes: VotePayload,
    /// Stop once every live node has committed this many transactions (0: never).
    pub stop_after_txs: u64,
    /// Simulated time limit, ns.
    pub duration_ns: Time,
    /// Nodes that crash and recover.
    pub crash_nodes: u32,
    /// Mean time a faulty node stays up, ns.
    pub mean_uptime_ns: Time,
    /// Mean time a faulty node stays down, ns.
    pub mean_downtime_ns: Time,
    /// Restore the SBS behaviours that chainlab corrects as bugs (the pbft family's notes list them).
    pub sbs_compat: bool,
    /// SymBChainSim Version-2.0 behaviours restored one by one (all off: chainlab's model).
    pub v2: V2Behaviours,
    /// SBS V2's `base_block_size`, MB: added to a block's size, and once more to every
    /// message that carries a block (as SBS V2 does).
    pub base_block_mb: f64,
    /// The consensus protocol (its rules: [`Consensus`]).
    pub consensus: Consensus,
    /// BigFoot's fast path: how long after round start + block interval a node may commit
    /// on prepares from every validator, ns.
    pub fast_path_timeout_ns: Time,
    /// Who proposes in a round.
    pub proposer: Proposer,
    /// Tendermint's step timeouts (the real protocol's; see [`Consensus::Tendermint`]).
    pub tendermint: TendermintTimeouts,
    /// Time to put one transaction in a block, ns (SymBChainSim V2's `time_per_tx`): a
    /// proposal leaves this much later per transaction it holds.
    pub per_tx_ns: Time,
    /// How large a quorum is ([`Quorum`]).
    pub quorum: Quorum,
    /// Byzantine validators ([`Byzantine`]), drawn per run.
    pub byzantine_nodes: u32,
    /// What they do.
    pub byzantine: Byzantine,
    /// How late a delaying one sends, ns.
    pub byzantine_delay_ns: Time,
    /// Conditions that change within the run, a scenario's intervals in order (empty: none);
    /// the workload's part is `workload.segments`.
    pub intervals: Vec<Interval>,
    /// Width of the time series' windows, ns (0: no series).
    pub series_window_ns: Time,
}

/// SymBChainSim Version-2.0 behaviours that chainlab corrects, each restorable by itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct V2Behaviours {
    /// A leader with nothing to propose retries at `now + pool[0].timestamp` (an absolute
    /// time added to the clock; +0.1 s when its pool is empty), if that plus `creation_time`
    /// is before the timeout: late in a run it gives up and the round times out.
    pub retry: bool,
    /// No transaction is generated once `stop_after_txs` have been.
    pub generation: bool,
    /// A node's pool never holds the transactions it created, and a block takes
    /// transactions from the head of the pool (generation order) up to the first that has
    /// not reached the node or does not fit.
    pub pool: bool,
    /// A node that is not the leader replays its backlog at round start + `block_interval`
    /// instead of at once.
    pub replay: bool,
    /// A leader removes the transactions of its proposal from its own pool when it builds
    /// the block, so they are gone from that pool if the block fails (needs `pool`: under
    /// the head-of-line rule a pool is the tail of generation order past a per-node head).
    pub pop: bool,
    /// `consensus = "tendermint"` is SymBChainSim V2's Tendermint (PBFT's phases with votes
    /// that carry the block's hash) instead of the real protocol.
    pub tendermint: bool,
}

/// f for n nodes: floor((n-1)/3), or SBS V2's floor(n/3) under compatibility.
pub fn fault_tolerance(n: u32, sbs_compat: bool) -> u32 {
    if sbs_compat { n / 3 } else { (n - 1) / 3 }
}

/// How large a quorum of votes is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Quorum {
    /// 2f + 1 (SymBChainSim's, and PBFT's for n = 3f + 1): two quorums share f + 1 nodes
    /// only when n = 3f + 1, so with n = 3f + 2 or 3f + 3 f Byzantine validators can make two
    /// halves of the honest ones commit different blocks.
    #[default]
    TwoFPlusOne,
    /// ceil((n + f + 1) / 2), the smallest size at which any two quorums share f + 1 nodes
    /// for every n (2f + 1 when n = 3f + 1).
    Intersecting,
}

impl Quorum {
    /// The commit quorum (and the votes that start a round change) among `n` validators
    /// tolerating `f`; a node is prepared at one less prepare (the leader's pre-prepare is
    /// its vote).
    pub fn size(self, n: u32, f: u32) -> u32 {
        match self {
            Quorum::TwoFPlusOne => 2 * f + 1,
            Quorum::Intersecting => (n + f + 1).div_ceil(2),
        }
    }
}

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// Every live node committed `stop_after_txs` transactions.
    Txs,
    /// The simulated duration elapsed.
    Duration,
    /// Nothing was left to happen.
    Idle,
    /// The run budget was spent (the run's row is a failed one).
    Budget,
}

impl StopReason {
    /// The name stored in results.
    pub fn name(&self) -> &'static str {
        match self {
            StopReason::Txs => "txs",
            StopReason::Duration => "duration",
            StopReason::Idle => "idle",
            StopReason::Budget => "budget",
        }
    }
}

/// One node's figures at the end of a run (SBS computes its metrics per node).
#[derive(Clone, Debug, PartialEq)]
pub struct NodeSummary {
    /// Alive at the end.
    pub alive: bool,
    /// Blocks in its chain (genesis excluded).
    pub blocks: u32,
    /// Transactions in its chain.
    pub txs: u64,
    /// Mean over its blocks of the block's mean transaction latency, s (from the
    /// proposer's pool copy under SBS compatibility, else from creation).
    pub latency_sbs_s: f64,
    /// As `latency_sbs_s`, always from the transactions' creation.
    pub latency_sbs_created_s: f64,
    /// Transactions over (its last block's time added - first block's creation), per s.
    pub throughput_sbs_tps: f64,
    /// Mean time between consecutive blocks added to its chain, s.
    pub block_time_mean_s: f64,
    /// SBS's Gini of proposers over its chain.
    pub gini_sbs: f64,
    /// Textbook Gini of proposers over its chain.
    pub gini: f64,
}

/// The results of one run. Per-node means are over nodes alive at the end.
#[derive(Clone, Debug, PartialEq)]
pub struct PbftOutcome {
    /// Fault tolerance f.
    pub f: u32,
    /// Whether every node reaches every other over peer links.
    pub strongly_connected: bool,
    /// Nodes no peer link reaches.
    pub nodes_without_in_links: u32,
    /// Fewest peers a node sends to (its degree under two-way links).
    pub degree_min: u32,
    /// Mean of the same.
    pub degree_mean: f64,
    /// Most.
    pub degree_max: u32,
    /// Mean bandwidth of a transfer over the links, MB/s ([`Network::link_bandwidth_moments`]).
    pub link_bandwidth_mean_mbps: f64,
    /// Mean transfer time of 1 MB over the links, s.
    pub link_transfer_s_per_mb: f64,
    /// Blocks in the longest chain.
    pub blocks: u32,
    /// Blocks in the shortest chain of a live node.
    pub blocks_min: u32,
    /// Fewest transactions committed by a live node.
    pub txs_committed_min: u64,
    /// Transactions generated.
    pub txs_generated: u64,
    /// SBS latency: mean over live nodes of the mean of per-block mean latencies, s.
    pub latency_sbs_s: f64,
    /// As `latency_sbs_s`, always from the transactions' creation, s.
    pub latency_sbs_created_s: f64,
    /// Mean latency over every (live node, committed transaction), s.
    pub latency_tx_mean_s: f64,
    /// Median of the same, s.
    pub latency_p50_s: f64,
    /// 95th percentile of the same, s.
    pub latency_p95_s: f64,
    /// SBS throughput, mean over live nodes, transactions per s.
    pub throughput_sbs_tps: f64,
    /// Mean transactions committed per live node over the simulated span, per s.
    pub throughput_span_tps: f64,
    /// Mean over live nodes of their mean block time, s.
    pub block_time_mean_s: f64,
    /// Median of all live nodes' block times, s.
    pub block_time_median_s: f64,
    /// SBS Gini, mean over live nodes.
    pub gini_sbs: f64,
    /// Textbook Gini, mean over live nodes.
    pub gini: f64,
    /// Rounds entered through a round change.
    pub round_changes: u64,
    /// Timeouts that fired in the round they were armed for.
    pub timeouts: u64,
    /// Syncs started.
    pub syncs: u64,
    /// Crashes.
    pub crashes: u64,
    /// Transmissions over links, duplicates included.
    pub msgs: u64,
    /// Their volume, MB.
    pub bytes_mb: f64,
    /// Events processed.
    pub events: u64,
    /// Simulated time at the end, s.
    pub end_s: f64,
    /// Why the run ended.
    pub stop: StopReason,
    /// Commits by honest validators of a block other than the first honest commit at that
    /// height (0 in a correct model).
    pub safety_violations: u64,
    /// Longest time without a new height committed by an honest validator, start and end of
    /// the run included, s.
    pub commit_gap_max_s: f64,
    /// Per-node figures.
    pub per_node: Vec<NodeSummary>,
    /// The time series (empty unless [`PbftParams::series_window_ns`] is set).
    pub windows: Windows,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    PrePrepare,
    Prepare,
    Commit,
    NewBlock,
    RoundChange,
    /// A reconfiguration hook's message (`block` is its payload).
    Hook,
}

/// A consensus message. `block` is a proposal id; `a` is the justification round of a
/// pre-prepare, or the lock round carried by a round change (`block` its locked proposal),
/// or the height of a real Tendermint vote.
#[derive(Clone, Copy, Debug)]
struct Msg {
    kind: Kind,
    /// The protocol it belongs to: the sender's, stamped by [`Simulator::send_to`] when it
    /// leaves (a receiver running another protocol drops it).
    proto: Consensus,
    from: u32,
    round: u32,
    block: u32,
    a: u32,
}

#[derive(Clone, Copy, Debug)]
enum Ev {
    /// The next delivery of a broadcast wave.
    Wave(u32),
    Propose {
        node: u32,
        round: u32,
    },
    /// A node's timer may be due (timers are re-armed in place; see `arm_timer`).
    Timeout {
        node: u32,
    },
    /// The end of a node's fast path in `round` (BigFoot).
    FastPath {
        node: u32,
        round: u32,
    },
    SyncDone {
        node: u32,
        epoch: u32,
        upto: u32,
    },
    Crash(u32),
    Recover(u32),
    /// A scenario's interval `.0` begins with a new bandwidth (handled by the run loop).
    Interval(u32),
    /// An event of the reconfiguration hook (`node` is `NONE` when it concerns no node).
    Hook {
        node: u32,
        arg: u32,
    },
}

/// One broadcast's pending deliveries: `wave_items[slot * n + pos .. slot * n + len]`.
#[derive(Clone, Copy, Debug)]
struct Wave {
    msg: Msg,
    seq: u64,
    len: u32,
    pos: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    NewRound,
    PrePrepared,
    Prepared,
    RoundChange,
    Syncing,
}

#[derive(Clone, Debug)]
struct Node {
    alive: bool,
    round: u32,
    phase: Phase,
    block: u32,
    height: u32,
    ready_at: Time,
    /// Under [`V2Behaviours::replay`]: when the next backlog replay happens (0: at once).
    replay_at: Time,
    /// Under [`V2Behaviours::pop`]: the first transaction (in generation order) still in the
    /// node's pool; the ones before it were put in its own blocks or committed.
    pool_head: u32,
    epoch: u32,
    /// When the armed timer fires (`Time::MAX`: disarmed).
    timeout_at: Time,
    /// Time of the earliest timer event of this node in the queue (`Time::MAX`: none).
    timer_next: Time,
    prepares: u32,
    commits: u32,
    lock_block: u32,
    lock_round: u32,
    seen_block: u32,
    seen_round: u32,
    txs: u64,
    done: bool,
    dirty: bool,
    /// On BigFoot's fast path (see [`Consensus::BigFoot`]).
    fast: bool,
    /// The protocol it runs in its current round (the base one unless a reconfiguration
    /// hook switched it).
    consensus: Consensus,
}

impl Node {
    fn new() -> Node {
        Node {
            alive: true,
            round: 0,
            phase: Phase::NewRound,
            block: NONE,
            height: 0,
            ready_at: 0,
            replay_at: 0,
            pool_head: 0,
            epoch: 0,
            timeout_at: Time::MAX,
            timer_next: Time::MAX,
            prepares: 0,
            commits: 0,
            lock_block: NONE,
            lock_round: 0,
            seen_block: NONE,
            seen_round: 0,
            txs: 0,
            done: false,
            dirty: false,
            fast: false,
            consensus: Consensus::Pbft,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Proposal {
    height: u32,
    round: u32,
    proposer: u32,
    tx_off: u32,
    tx_len: u32,
    size_mb: f64,
    created: Time,
    /// Stamp of the configuration the block was made under (0 without a reconfiguration
    /// hook).
    stamp: u32,
    /// The protocol its proposer ran.
    consensus: Consensus,
}

/// Reusable state of the PBFT simulator (one per worker thread).
#[derive(Default)]
pub struct Simulator {
    n: u32,
    f: u32,
    queue: HeapQueue<Ev>,
    nodes: Vec<Node>,
    votes: Votes,
    chain: Chain,
    backlog: Vec<Vec<Msg>>,
    spare: Vec<Msg>,
    workload: Workload,
    faults: Vec<Vec<(Time, Time)>>,
    /// Per node, whether it is Byzantine.
    byzantine: Vec<bool>,
    /// Per honest node, whether it is in the first half (see [`byzantine::Audience`]).
    first_half: Vec<bool>,
    scratch: GossipScratch,
    /// The real Tendermint's step state (empty under the other protocols).
    tm: tendermint::Tm,
    waves: Waves,
    next_key: u64,
    stopped: Option<Time>,
    counters: Counters,
    series: Series,
    ext: Extensions,
    /// Under a scenario that changes the bandwidth: the network as the run began, over which
    /// transactions reach the pools (a transaction's arrival at a node is computed more than
    /// once and must not change with the time it is asked at).
    tx_net: Option<Network>,
    /// The most work a run may do ([`Simulator::run`] stops when it is spent).
    pub budget: Budget,
    /// Set when a run stopped on its budget: which limit, at what simulated time. Never cleared
    /// by a run, so a caller that runs several simulations for one result (the twin's physical
    /// system and its re-simulation) sees any of them; the caller clears it.
    pub budget_spent: Option<String>,
}

/// Who voted for what: a bit per (node, voter) for the current round's prepares and commits,
/// and the round-change targets.
#[derive(Default)]
struct Votes {
    /// 64-bit words per node in the bit sets.
    words: usize,
    /// Votes that commit a block or start a round ([`Quorum::size`]).
    quorum: u32,
    prepare_bits: Vec<u64>,
    commit_bits: Vec<u64>,
    /// Round-change target of each voter as seen by each node, `n * n`.
    rc: Vec<u32>,
    rc_started: Vec<bool>,
}

/// The block store: every proposal, their transactions, the canonical chain and when each node
/// added each height.
#[derive(Default)]
struct Chain {
    proposals: Vec<Proposal>,
    tx_list: Vec<u32>,
    canonical: Vec<u32>,
    /// First transaction not committed at heights <= h, indexed by h.
    cursor: Vec<u32>,
    /// Time each node added each height, `(h - 1) * n + node`.
    added: Vec<Time>,
}

/// Broadcasts in flight, each one queue entry (see `waves`), and the arrivals of gossip
/// computed once and reused.
#[derive(Default)]
struct Waves {
    all: Vec<Wave>,
    items: Vec<(Time, u32)>,
    free: Vec<u32>,
    cache: HashMap<(u32, u64), (usize, usize, u64)>,
    cache_arrivals: Vec<(Time, u32)>,
}

/// The series a run's metrics are read from.
#[derive(Default)]
struct Series {
    samples: Vec<f64>,
    block_times: Vec<f64>,
}

/// What extensions plugged into the run.
#[derive(Default)]
struct Extensions {
    /// Who watches the run's transmissions, when an extension asks (see [`Simulator::observe`]).
    observer: Option<Box<dyn Transmissions>>,
    /// What reconfigures the chain between rounds, when an extension asks (see
    /// [`Simulator::reconfigure`]).
    reconfig: Option<Box<dyn Reconfiguration>>,
}

#[derive(Default, Clone, Copy)]
struct Counters {
    round_changes: u64,
    timeouts: u64,
    syncs: u64,
    crashes: u64,
    msgs: u64,
    bytes_mb: f64,
    violations: u64,
}

const SYNC_TAG: u64 = 0x5359_0000_0000_0000;

/// Runs one simulation. `net` may be given (a reconstructed twin); otherwise it is built from
/// `p.net` and the seeds.
pub fn simulate(p: &PbftParams, seeds: RunSeeds, sim: &mut Simulator) -> PbftOutcome {
    let net = Network::build(&p.net, seeds.master, seeds.env_key, seeds.run_key);
    sim.run(p, &net, seeds)
}

impl Simulator {
    /// Runs one simulation on a given network.
    pub fn run(&mut self, p: &PbftParams, net: &Network, seeds: RunSeeds) -> PbftOutcome {
        self.reset(p, net, seeds);
        let mut events = 0u64;
        let mut stop = StopReason::Idle;
        if self.budget_spent.is_some() {
            // Spent before the first event (the crash schedule): nothing runs.
            self.queue.clear();
            stop = StopReason::Budget;
        }
        let mut end = 0;
        let mut own = self.scenario_network(p, net);
        while let Some((t, &top)) = self.queue.peek() {
            if t > p.duration_ns {
                stop = StopReason::Duration;
                end = p.duration_ns;
                break;
            }
            // A wave with deliveries left re-enters the queue for its next one in the same
            // step as it leaves it (the same order as a pop and a push).
            let (now, ev) = match top {
                Ev::Wave(slot) if self.wave_has_next(slot) => {
                    let w = &self.waves.all[slot as usize];
                    let next =
                        self.waves.items[slot as usize * self.n as usize + w.pos as usize + 1].0;
                    self.queue.pop_and_reschedule(next, w.seq, Ev::Wave(slot))
                }
                _ => self.queue.pop().expect("peeked"),
            };
            events += 1;
            match (ev, own.as_mut()) {
                (Ev::Interval(i), Some(o)) => {
                    let (mean, sd) = p.intervals[i as usize]
                        .bandwidth
                        .expect("scheduled only when set");
                    o.set_bandwidth(mean, sd);
                    // Cached spreads hold the old bandwidth's delays.
                    self.waves.cache.clear();
                    self.waves.cache_arrivals.clear();
                }
                _ => self.handle(p, own.as_ref().unwrap_or(net), now, ev),
            }
            end = now;
            let hook = self
                .ext
                .reconfig
                .as_ref()
                .map_or((0, 0), |h| (h.events(), h.msgs()));
            let msgs = self.counters.msgs + hook.1;
            // The management chain's own events count as they happen, not after the run.
            if self.budget.spent(events + hook.0, msgs) {
                self.budget_spent = Some(self.budget.overrun(
                    events + hook.0,
                    msgs,
                    &format!(
                        "at {:.3} s of simulated time (of {:.3} s)",
                        crate::time::secs_of_ns(now),
                        crate::time::secs_of_ns(p.duration_ns)
                    ),
                    "look for what keeps it from progressing (a timeout shorter than a message's delay, a transaction larger than a block)",
                ));
                stop = StopReason::Budget;
                break;
            }
            if let Some(s) = self.stopped {
                stop = StopReason::Txs;
                end = s;
                break;
            }
        }
        let events = events + self.ext.reconfig.as_ref().map_or(0, |h| h.events());
        self.outcome(p, own.as_ref().unwrap_or(net), events, end, stop)
    }

    fn reset(&mut self, p: &PbftParams, net: &Network, seeds: RunSeeds) {
        let n = net.node_count();
        self.n = n;
        self.f = fault_tolerance(n, p.sbs_compat);
        self.queue.clear();
        // Round timers (a timeout ahead) wait apart from the broadcasts, which rarely last half
        // as long (the order is the same either way; see `HeapQueue`).
        self.queue.set_far_after(p.timeout_ns / 2);
        self.nodes.clear();
        self.nodes.resize(
            n as usize,
            Node {
                consensus: p.consensus,
                ..Node::new()
            },
        );
        self.votes.words = (n as usize).div_ceil(64);
        self.votes.quorum = p.quorum.size(n, self.f);
        self.votes.prepare_bits.clear();
        self.votes
            .prepare_bits
            .resize(self.votes.words * n as usize, 0);
        self.votes.commit_bits.clear();
        self.votes
            .commit_bits
            .resize(self.votes.words * n as usize, 0);
        self.votes.rc.clear();
        self.votes.rc.resize((n * n) as usize, 0);
        self.backlog.resize_with(n as usize, Vec::new);
        for b in &mut self.backlog {
            b.clear();
        }
        self.chain.proposals.clear();
        self.chain.tx_list.clear();
        self.chain.canonical.clear();
        self.chain.cursor.clear();
        self.chain.cursor.push(0);
        self.chain.added.clear();
        self.workload
            .reset(&p.workload, n, seeds.master, seeds.run_key);
        self.waves.cache.clear();
        self.waves.cache_arrivals.clear();
        self.waves.all.clear();
        self.waves.items.clear();
        self.waves.free.clear();
        self.votes.rc_started.clear();
        self.next_key = 0;
        self.stopped = None;
        self.counters = Counters::default();

        self.tm_reset();
        self.schedule_faults(p, seeds);
        self.draw_byzantine(p, seeds);
        self.with_hook(|h, sim| h.reset(sim, p, net, seeds));
        for v in 0..n {
            self.start(p, v, 0, 0);
        }
    }

    fn handle(&mut self, p: &PbftParams, net: &Network, now: Time, ev: Ev) {
        let node = match ev {
            Ev::Wave(slot) => {
                let (to, msg) = self.next_of_wave(slot);
                self.deliver(p, net, to, msg, now);
                to
            }
            Ev::Propose { node, round } => {
                self.propose(p, net, node, round, now);
                node
            }
            Ev::Timeout { node } => {
                self.timeout(p, net, node, now);
                node
            }
            Ev::FastPath { node, round } => {
                self.close_fast_path(p, net, node, round, now);
                node
            }
            Ev::SyncDone { node, epoch, upto } => {
                self.sync_done(p, net, node, epoch, upto, now);
                node
            }
            Ev::Crash(v) => {
                self.crash(p, v, now);
                v
            }
            Ev::Recover(v) => {
                self.recover(p, net, v, now);
                v
            }
            // Handled by the run loop (see `run`).
            Ev::Interval(_) => return,
            Ev::Hook { node, arg } => {
                self.with_hook(|h, sim| h.event(sim, p, net, node, arg, now));
                if node == NONE {
                    return;
                }
                node
            }
        };
        self.drain(p, net, node, now);
    }

    fn start(&mut self, p: &PbftParams, v: u32, round: u32, t: Time) {
        let config = match &mut self.ext.reconfig {
            Some(h) => h.enter_round(v, t),
            None => RoundConfig::base(p),
        };
        let interval = config.block_interval_ns;
        let w = self.votes.words;
        let nd = &mut self.nodes[v as usize];
        nd.consensus = config.consensus;
        nd.round = round;
        nd.phase = Phase::NewRound;
        nd.block = NONE;
        nd.prepares = 0;
        nd.commits = 0;
        nd.ready_at = t;
        nd.epoch += 1;
        nd.dirty = true;
        nd.fast = false;
        let range = v as usize * w..(v as usize + 1) * w;
        self.votes.prepare_bits[range.clone()].fill(0);
        self.votes.commit_bits[range].fill(0);
        if self.real_tendermint(p, v) {
            self.tm_start(p, v, round, t, interval);
        } else {
            self.arm_timer(v, t + interval + p.timeout_ns);
        }
        self.open_fast_path(p, v, round, t, interval);
        if self.leader(p, v, round) == v {
            let creation = if p.sbs_compat { 0 } else { p.creation_ns };
            self.queue
                .schedule(t + interval + creation, Ev::Propose { node: v, round });
        } else if p.v2.replay {
            self.nodes[v as usize].replay_at = t + interval;
        }
    }

    fn deliver(&mut self, p: &PbftParams, net: &Network, v: u32, msg: Msg, now: Time) {
        if !self.nodes[v as usize].alive || !self.parses(p, v, &msg) {
            return;
        }
        match msg.kind {
            Kind::Hook => self.with_hook(|h, sim| h.deliver(sim, p, net, v, msg.block, now)),
            Kind::NewBlock => self.on_new_block(p, net, v, msg, now),
            Kind::RoundChange => self.on_round_change(p, net, v, msg, now),
            _ => {
                if msg.kind == Kind::PrePrepare && self.equivocates(p, v) {
                    self.vote_for_anything(p, net, v, msg.round, msg.block, now);
                }
                let nd = &self.nodes[v as usize];
                if nd.phase == Phase::Syncing || msg.round < nd.round {
                    return;
                }
                if msg.round > nd.round && self.real_tendermint(p, v) {
                    self.tm_future(p, v, &msg, now);
                }
                let nd = &self.nodes[v as usize];
                if msg.round > nd.round || !self.on_current(p, net, v, msg, now) {
                    self.backlog[v as usize].push(msg);
                }
            }
        }
    }

    /// Replays the backlog while the node's state keeps changing.
    fn drain(&mut self, p: &PbftParams, net: &Network, v: u32, now: Time) {
        while self.nodes[v as usize].dirty {
            self.nodes[v as usize].dirty = false;
            let mut pending = std::mem::take(&mut self.spare);
            pending.clear();
            std::mem::swap(&mut pending, &mut self.backlog[v as usize]);
            for msg in pending.drain(..) {
                let nd = &self.nodes[v as usize];
                if !nd.alive || msg.round < nd.round || !self.parses(p, v, &msg) {
                    continue;
                }
                // SBS V2 replays the backlog of a round it starts at round start +
                // block_interval (`replay_at`, set by `start`).
                let at = now.max(nd.replay_at);
                if nd.phase == Phase::Syncing
                    || msg.round > nd.round
                    || !self.on_current(p, net, v, msg, at)
                {
                    self.backlog[v as usize].push(msg);
                }
            }
            self.spare = pending;
        }
        self.nodes[v as usize].replay_at = 0;
    }

    /// Makes the next runs report every transmission to `observer` (built for the run's
    /// network); `None` stops it. Observation changes no result: it disables only the cache of
    /// identical broadcasts, whose reuse gives the same deliveries.
    pub fn observe(&mut self, observer: Option<Box<dyn Transmissions>>) {
        self.ext.observer = observer;
    }

    /// The observer of the last run, taken out of the simulator.
    pub fn take_observer(&mut self) -> Option<Box<dyn Transmissions>> {
        self.ext.observer.take()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::network::{Bandwidth, Latency, Links};
    use workload::{Arrivals, TxPropagation, TxSize};

    /// Paper A's 10-node set-up.
    pub(crate) fn paper_a(nodes: u32, peers: u32, tps: f64) -> PbftParams {
        PbftParams {
            net: NetworkParams {
                nodes,
                peers,
                links: Links::Bidirectional,
                bandwidth: Bandwidth::PerNode,
                bandwidth_mean: 20.0,
                bandwidth_sd: 5.0,
                bandwidth_min: 1.0,
                bandwidth_draw: crate::network::BandwidthDraw::Clamped,
                latency: Latency::Distance,
                latency_constant_ns: 5_000_000,
                processing_ns: 0,
                dissemination: Dissemination::Gossip,
            },
            workload: WorkloadParams {
                rate_per_s: tps,
                arrivals: Arrivals::Batch,
                size_mb: 0.05,
                size_dist: TxSize::Fixed,
                propagation: TxPropagation::Direct,
                max_txs: 0,
                accumulate: false,
                segments: Vec::new(),
                trace: None,
            },
            block_size_mb: 1.0,
            block_interval_ns: 100_000_000,
            creation_ns: 20_000_000,
            msg_val_ns: 1_000_000,
            block_val_ns: 10_000_000,
            sync_request_ns: 100_000_000,
            timeout_ns: 10_000_000_000,
            base_msg_mb: 0.1,
            votes: VotePayload::Block,
            stop_after_txs: 1000,
            duration_ns: 3600 * 1_000_000_000,
            crash_nodes: 0,
            mean_uptime_ns: 60_000_000_000,
            mean_downtime_ns: 20_000_000_000,
            sbs_compat: false,
            v2: V2Behaviours::default(),
            base_block_mb: 0.0,
            consensus: Consensus::Pbft,
            fast_path_timeout_ns: 5_000_000_000,
            proposer: Proposer::RoundRobin,
            tendermint: TendermintTimeouts {
                propose_ns: 3_000_000_000,
                prevote_ns: 1_000_000_000,
                precommit_ns: 1_000_000_000,
                delta_ns: 500_000_000,
            },
            per_tx_ns: 0,
            quorum: Quorum::TwoFPlusOne,
            byzantine_nodes: 0,
            byzantine: Byzantine::Silent,
            byzantine_delay_ns: 1_000_000_000,
            intervals: Vec::new(),
            series_window_ns: 0,
        }
    }

    pub(crate) fn seeds(i: u64) -> RunSeeds {
        RunSeeds {
            master: 42,
            env_key: i,
            run_key: i ^ 0xFFFF,
        }
    }

    /// Every transaction at most once in the chain; returns how many.
    fn assert_unique(sim: &Simulator, generated: u64) -> u64 {
        let mut seen = vec![false; generated as usize];
        let mut count = 0;
        for b in sim.chain_transactions() {
            for t in b {
                assert!(!seen[t as usize], "transaction {t} committed twice");
                seen[t as usize] = true;
                count += 1;
            }
        }
        count
    }

    #[test]
    fn paper_a_run_commits_every_transaction_once() {
        let p = paper_a(10, 5, 100.0);
        let mut sim = Simulator::default();
        let o = simulate(&p, seeds(1), &mut sim);
        assert_eq!(o.stop, StopReason::Txs);
        assert_eq!(o.safety_violations, 0);
        // 19 transactions of 0.05 MB fit in 1 MB (0.95 + 0.05 > 1.0 in floating point), so
        // 1000 transactions need 53 blocks, and every block is full.
        let chain = sim.chain_transactions();
        assert_eq!(o.blocks, 53);
        assert!(chain.iter().all(|b| b.len() == 19));
        let committed = assert_unique(&sim, o.txs_generated);
        // Stopped by count: every node holds the whole chain, at least 1000 transactions.
        assert!(
            o.per_node
                .iter()
                .all(|x| x.txs == committed && x.blocks == 53)
        );
        assert!(committed >= 1000 && o.txs_committed_min == committed);
        // Round robin over 53 blocks: SBS's Gini of 6,6,6,5,...,5 (SymBChainSim V2's formula).
        assert!((o.gini_sbs - 0.039_45).abs() < 5e-6, "{}", o.gini_sbs);
        assert_eq!((o.round_changes, o.timeouts, o.syncs), (0, 0, 0));
        // A latency is never negative, and the transaction-weighted mean equals SBS's
        // mean of block means when every block holds the same number of transactions.
        assert!(o.latency_p50_s > 0.0);
        assert!((o.latency_tx_mean_s - o.latency_sbs_s).abs() < 1e-9);
    }

    /// `sbs_compat` restores each SymBChainSim V2 behaviour it names, and only under it.
    #[test]
    fn sbs_compat_restores_its_v2_behaviours() {
        // f = floor(n/3) (V2) instead of floor((n-1)/3): they differ at n = 12.
        let mut p = paper_a(12, 5, 100.0);
        assert_eq!(simulate(&p, seeds(1), &mut Simulator::default()).f, 3);
        p.sbs_compat = true;
        assert_eq!(simulate(&p, seeds(1), &mut Simulator::default()).f, 4);
        // creation_time is ignored under compat (V2 builds blocks in no time) ...
        let mut slow = p.clone();
        slow.creation_ns = 400_000_000;
        let (a, b) = (
            simulate(&p, seeds(2), &mut Simulator::default()),
            simulate(&slow, seeds(2), &mut Simulator::default()),
        );
        assert_eq!(a, b);
        // ... and charged without it: 53 blocks, each 380 ms later, at least 15 s in all.
        let (mut p2, mut slow2) = (p.clone(), slow.clone());
        p2.sbs_compat = false;
        slow2.sbs_compat = false;
        let (c, d) = (
            simulate(&p2, seeds(2), &mut Simulator::default()),
            simulate(&slow2, seeds(2), &mut Simulator::default()),
        );
        assert!(d.end_s > c.end_s + 15.0, "{} vs {}", d.end_s, c.end_s);
        // A leader with nothing to propose polls every second under compat (V2), so at a
        // low rate transactions wait for the next poll; without it the leader proposes
        // when the first transaction reaches it.
        let (mut lazy, mut eager) = (paper_a(10, 5, 0.7), paper_a(10, 5, 0.7));
        lazy.sbs_compat = true;
        lazy.workload.arrivals = Arrivals::Poisson;
        eager.workload.arrivals = Arrivals::Poisson;
        for x in [&mut lazy, &mut eager] {
            x.stop_after_txs = 200;
        }
        let mean = |p: &PbftParams| {
            (0..8)
                .map(|i| simulate(p, seeds(10 + i), &mut Simulator::default()).latency_tx_mean_s)
                .sum::<f64>()
                / 8.0
        };
        let (l, e) = (mean(&lazy), mean(&eager));
        assert!(l > e + 0.2, "polling adds about half a second: {l} vs {e}");
    }

    /// Paper B's primary chain as SBS V2 sets it up (per-node bandwidth Normal(10, 0.5),
    /// directed links, exponential sizes), `secs` long.
    fn v2_paper_b(secs: u64) -> PbftParams {
        let mut p = paper_a(32, 16, 50.0);
        p.net.links = Links::Directed;
        p.net.bandwidth_mean = 10.0;
        p.net.bandwidth_sd = 0.5;
        p.workload.size_mb = 0.004;
        p.workload.size_dist = TxSize::Exponential;
        p.stop_after_txs = 0;
        p.duration_ns = secs * 1_000_000_000;
        p
    }

    /// Each SBS V2 behaviour does what its switch says, and only under it.
    #[test]
    fn every_v2_behaviour_fires_under_its_switch() {
        // generation: exactly stop_after_txs transactions are made (else the workload goes
        // on until every node has committed 1000).
        let mut p = paper_a(10, 5, 100.0);
        let open = simulate(&p, seeds(1), &mut Simulator::default());
        p.workload.max_txs = 1000;
        p.v2.generation = true;
        let capped = simulate(&p, seeds(1), &mut Simulator::default());
        assert_eq!(capped.txs_generated, 1000);
        assert!(open.txs_generated > 1000, "{}", open.txs_generated);

        // pool: no proposer ever includes a transaction it created (it never holds one);
        // without the switch some blocks do.
        let own = |v2: bool| {
            let mut p = paper_a(10, 5, 100.0);
            p.v2.pool = v2;
            let mut sim = Simulator::default();
            simulate(&p, seeds(2), &mut sim);
            sim.chain
                .canonical
                .iter()
                .map(|&b| {
                    let pr = sim.chain.proposals[b as usize];
                    sim.chain.tx_list[pr.tx_off as usize..(pr.tx_off + pr.tx_len) as usize]
                        .iter()
                        .filter(|&&i| sim.workload.creator[i as usize] == pr.proposer)
                        .count()
                })
                .sum::<usize>()
        };
        assert_eq!(own(true), 0);
        assert!(own(false) > 0);

        // retry: on paper B's chain the leader gives its round up whenever its pool's head
        // has not arrived, so rounds time out and change and far fewer blocks are made.
        let mut p = v2_paper_b(120);
        let fixed = simulate(&p, seeds(3), &mut Simulator::default());
        p.v2.retry = true;
        let v2 = simulate(&p, seeds(3), &mut Simulator::default());
        assert_eq!(fixed.round_changes, 0);
        assert!(v2.round_changes > 0 && v2.timeouts > 0);
        assert!(
            v2.blocks * 2 < fixed.blocks,
            "{} vs {}",
            v2.blocks,
            fixed.blocks
        );
        assert_eq!(v2.safety_violations, 0);

        // base_block_size: every block message weighs 2 x base more (once in the block's
        // size, once in the message's, as SBS V2 counts it).
        let mut p = paper_a(10, 5, 100.0);
        let a = simulate(&p, seeds(5), &mut Simulator::default());
        p.base_block_mb = 0.25;
        let b = simulate(&p, seeds(5), &mut Simulator::default());
        let per_msg = |o: &PbftOutcome| o.bytes_mb / o.msgs as f64;
        assert!(
            (per_msg(&b) - per_msg(&a) - 0.5).abs() < 0.02,
            "{} {}",
            per_msg(&a),
            per_msg(&b)
        );
    }

    /// SBS V2's propagation loop: node k holds a transaction at its timestamp plus the sum of
    /// the creator's direct delays to every non-creator node up to k (checked against
    /// `delay_ns` summed here), so arrivals grow with the node id; without the switch each
    /// node is one direct delay away.
    #[test]
    fn accumulated_transaction_delays_add_up_in_node_order() {
        let mut p = paper_a(10, 5, 100.0);
        let net = Network::build(&p.net, 42, 1, 2);
        let mut direct = Workload::default();
        direct.reset(&p.workload, 10, 42, 2);
        direct.generate(&p.workload, &net, 2_000_000_000, u64::MAX);
        let direct_p = p.workload.clone();
        p.workload.accumulate = true;
        let mut acc = Workload::default();
        acc.reset(&p.workload, 10, 42, 2);
        acc.generate(&p.workload, &net, 1_000_000_000, u64::MAX);
        acc.generate(&p.workload, &net, 2_000_000_000, u64::MAX);
        assert_eq!((acc.len(), direct.len()), (300, 300));
        let (mut later, mut total) = (0, 0);
        for i in 0..acc.len() {
            let c = acc.creator[i];
            let mut sum = acc.ts[i];
            for k in 0..10u32 {
                let one = direct.arrival(&direct_p, &net, i, k);
                let got = acc.arrival(&p.workload, &net, i, k);
                if k == c {
                    assert_eq!(got, acc.ts[i]);
                    continue;
                }
                sum += one - acc.ts[i];
                assert_eq!(got, sum, "transaction {i}, node {k}");
                total += 1;
                if got > one {
                    later += 1;
                }
            }
        }
        // Every node but the first non-creator one receives later than directly.
        assert_eq!(later, total - 300);
    }

    /// SBS V2's proposer pops what it takes: a second build after a failed block starts past
    /// the first block's transactions; without the switch it takes the same ones again.
    #[test]
    fn popped_transactions_leave_the_proposers_pool() {
        let second_build = |pop: bool| {
            let mut p = paper_a(10, 5, 100.0);
            p.v2.pool = true;
            p.v2.pop = pop;
            let net = Network::build(&p.net, 42, 3, 4);
            let mut sim = Simulator::default();
            sim.reset(&p, &net, seeds(3));
            let at = 5_000_000_000;
            let a = sim
                .build_block(&p, &net, 0, at)
                .expect("a backlog to build from");
            // The block fails (no commit): node 0 builds again later, at the same height.
            let b = sim
                .build_block(&p, &net, 0, at + 1_000_000_000)
                .expect("a second block");
            let txs = |k: u32| {
                let pr = sim.chain.proposals[k as usize];
                sim.chain.tx_list[pr.tx_off as usize..(pr.tx_off + pr.tx_len) as usize].to_vec()
            };
            (txs(a), txs(b))
        };
        let (first, again) = second_build(false);
        assert_eq!(
            first, again,
            "without pop the failed block's transactions are still there"
        );
        let (first, next) = second_build(true);
        assert!(!first.is_empty() && !next.is_empty());
        assert!(
            next.iter().all(|t| t > first.last().unwrap()),
            "popped transactions reappeared: {first:?} then {next:?}"
        );
    }

    /// SBS V2 replays a non-leader's backlog at round start + block_interval: a pre-prepare of
    /// round 1 held in the backlog is validated from then, not from the round's start.
    #[test]
    fn v2_replay_waits_a_block_interval() {
        let ready_after_replay = |replay: bool| {
            let mut p = paper_a(10, 5, 100.0);
            p.v2.replay = replay;
            let net = Network::build(&p.net, 42, 5, 6);
            let mut sim = Simulator::default();
            sim.reset(&p, &net, seeds(5));
            let v = 2; // not the leader of round 1 (node 1)
            let t0 = 1_000_000_000;
            let block = sim
                .build_block(&p, &net, 1, t0)
                .expect("transactions at 1 s");
            let msg = Msg {
                kind: Kind::PrePrepare,
                from: 1,
                round: 1,
                block,
                a: NONE,
                proto: Consensus::Pbft,
            };
            // Node v is still in round 0: the message waits in its backlog.
            sim.deliver(&p, &net, v, msg, t0);
            assert_eq!(sim.backlog[v as usize].len(), 1);
            assert_eq!(sim.nodes[v as usize].phase, Phase::NewRound);
            let start = t0 + 50_000_000;
            sim.start(&p, v, 1, start);
            sim.drain(&p, &net, v, start);
            let nd = &sim.nodes[v as usize];
            assert_eq!(nd.phase, Phase::PrePrepared);
            nd.ready_at - start
        };
        let val = 1_000_000 + 10_000_000; // msg_val + block_val
        assert_eq!(ready_after_replay(false), val);
        assert_eq!(ready_after_replay(true), 100_000_000 + val);
    }

    /// Digest votes weigh only the base message size: the same rounds, fewer bytes, faster.
    #[test]
    fn digest_votes_carry_no_block() {
        let block = paper_a(10, 5, 100.0);
        let mut digest = block.clone();
        digest.votes = VotePayload::Digest;
        let (b, d) = (
            simulate(&block, seeds(4), &mut Simulator::default()),
            simulate(&digest, seeds(4), &mut Simulator::default()),
        );
        assert_eq!((b.blocks, d.blocks), (53, 53));
        assert_eq!(d.safety_violations, 0);
        // Under block votes every transmission carries base + block (all blocks full: 0.95
        // MB of transactions); under digest votes only pre-prepares (about 1 in 2n of the
        // broadcasts) do.
        let per_msg = |o: &PbftOutcome| o.bytes_mb / o.msgs as f64;
        assert!(
            per_msg(&b) > 1.0 && per_msg(&b) <= 1.05 + 1e-9,
            "{}",
            per_msg(&b)
        );
        assert!(per_msg(&d) < 0.1 + 0.2, "{}", per_msg(&d));
        assert!(d.latency_tx_mean_s < b.latency_tx_mean_s);
        assert!(d.end_s < b.end_s);
    }

    #[test]
    fn identical_seeds_give_identical_outcomes() {
        let mut p = paper_a(16, 4, 80.0);
        p.crash_nodes = 5;
        p.mean_uptime_ns = 5_000_000_000;
        p.mean_downtime_ns = 3_000_000_000;
        p.net.bandwidth = crate::network::Bandwidth::PerMessage;
        let a = simulate(&p, seeds(3), &mut Simulator::default());
        let mut reused = Simulator::default();
        simulate(&paper_a(10, 5, 100.0), seeds(9), &mut reused);
        let b = simulate(&p, seeds(3), &mut reused);
        assert_eq!(a, b, "a reused simulator must not leak state between runs");
        let c = simulate(&p, seeds(4), &mut reused);
        assert_ne!(a.latency_tx_mean_s, c.latency_tx_mean_s);
    }

    #[test]
    fn safety_and_liveness_under_random_crashes_within_f() {
        // Many topologies and crash schedules with up to f nodes crashing and recovering,
        // some of them the leader mid-round; gossip through dead relays is cut.
        let mut sim = Simulator::default();
        let mut round_changes = 0;
        let mut syncs = 0;
        let mut live = 0;
        let mut crashes = 0;
        for i in 0..60u64 {
            let nodes = [4, 7, 10, 13][i as usize % 4];
            let mut p = paper_a(nodes, 2 + (i % 2) as u32, 40.0);
            p.crash_nodes = fault_tolerance(nodes, false);
            p.mean_uptime_ns = 2_000_000_000 + i * 100_000_000;
            p.mean_downtime_ns = 4_000_000_000;
            p.timeout_ns = 2_000_000_000;
            p.stop_after_txs = 300;
            p.duration_ns = 600_000_000_000;
            if i % 3 == 0 {
                p.net.links = crate::network::Links::Directed;
            }
            if i % 5 == 0 {
                p.net.dissemination = Dissemination::Broadcast;
            }
            let o = simulate(&p, seeds(100 + i), &mut sim);
            assert_eq!(o.safety_violations, 0, "run {i}: {o:?}");
            crashes += o.crashes;
            // Liveness: on a strongly connected network the run ends because every live node
            // has 300 transactions. (Without strong connectivity fewer than 2f+1 nodes may
            // hear each other, and then no protocol can progress.)
            if o.strongly_connected {
                assert_eq!(o.stop, StopReason::Txs, "run {i}: {o:?}");
                live += 1;
            }
            assert_unique(&sim, o.txs_generated);
            round_changes += o.round_changes;
            syncs += o.syncs;
        }
        assert!(round_changes > 0 && syncs > 0, "{round_changes} {syncs}");
        assert!(live > 40 && crashes > 100, "{live} {crashes}");
    }

    /// The safety detector fires: a node that commits another block at a height the chain
    /// already has is counted (the property tests above rely on it staying 0).
    /// A 10-node chain (f = 3) reset to its first round, with a proposal of height 1 by
    /// round 0's leader (node 0), for driving one node by hand.
    fn by_hand() -> (PbftParams, Network, Simulator, u32) {
        by_hand_with(paper_a(10, 5, 100.0))
    }

    /// [`by_hand`] on a chain configured by `p` (10 nodes).
    pub(crate) fn by_hand_with(p: PbftParams) -> (PbftParams, Network, Simulator, u32) {
        let net = Network::build(&p.net, 42, 1, 2);
        let mut sim = Simulator::default();
        sim.reset(&p, &net, seeds(1));
        assert_eq!(sim.f, 3);
        sim.chain.proposals.push(Proposal {
            height: 1,
            round: 0,
            proposer: 0,
            tx_off: 0,
            tx_len: 0,
            size_mb: 0.5,
            created: 0,
            stamp: 0,
            consensus: Consensus::Pbft,
        });
        let b = sim.chain.proposals.len() as u32 - 1;
        (p, net, sim, b)
    }

    pub(super) fn vote(kind: Kind, from: u32, round: u32, block: u32) -> Msg {
        Msg {
            kind,
            from,
            round,
            block,
            a: NONE,
            proto: Consensus::Pbft,
        }
    }

    /// PBFT's quorums, message by message at node 1 (n = 10, f = 3): prepared at exactly 2f
    /// prepares (its own and 2f - 1 others), committed at exactly 2f + 1 commits (its own and
    /// 2f others); a sender counts once; a vote for another block counts for nothing. A
    /// prepare quorum of 2f - 1 or a commit quorum of 2f fails here.
    #[test]
    fn pbft_quorums_are_2f_prepares_and_2f_plus_1_commits() {
        let (p, net, mut sim, b) = by_hand();
        let v = 1;
        let t = 1_000_000_000;
        sim.deliver(
            &p,
            &net,
            v,
            Msg {
                a: NONE,
                ..vote(Kind::PrePrepare, 0, 0, b)
            },
            t,
        );
        assert_eq!(sim.nodes[1].phase, Phase::PrePrepared);
        assert_eq!(sim.nodes[1].prepares, 1, "its own prepare");
        // Four others and a repeat: 5 prepares, one short of 2f.
        for from in [2, 3, 4, 5, 5] {
            sim.deliver(&p, &net, v, vote(Kind::Prepare, from, 0, b), t);
        }
        sim.deliver(&p, &net, v, vote(Kind::Prepare, 6, 0, b + 1), t);
        assert_eq!(sim.nodes[1].phase, Phase::PrePrepared);
        sim.deliver(&p, &net, v, vote(Kind::Prepare, 7, 0, b), t);
        assert_eq!(sim.nodes[1].phase, Phase::Prepared, "2f = 6 prepares");
        assert_eq!((sim.nodes[1].commits, sim.nodes[1].lock_block), (1, b));
        // Five others and a repeat: 6 commits, one short of 2f + 1.
        for from in [2, 3, 4, 5, 6, 6] {
            sim.deliver(&p, &net, v, vote(Kind::Commit, from, 0, b), t);
        }
        assert_eq!(sim.nodes[1].height, 0);
        sim.deliver(&p, &net, v, vote(Kind::Commit, 8, 0, b), t);
        assert_eq!(sim.nodes[1].height, 1, "2f + 1 = 7 commits");
        assert_eq!(sim.nodes[1].round, 1);
    }

    /// Round change at node 1 (f = 3): f votes for a later round move it nowhere, f + 1 make
    /// it vote for that round too, 2f + 1 (its own among them) start it. A join at f, or a
    /// start at 2f, fails here.
    #[test]
    fn round_changes_join_at_f_plus_1_and_start_at_2f_plus_1() {
        let (p, net, mut sim, _) = by_hand();
        let v = 1;
        let t = 1_000_000_000;
        let rc = |from| Msg {
            block: NONE,
            a: 0,
            ..vote(Kind::RoundChange, from, 5, NONE)
        };
        for from in [2, 3, 4] {
            sim.deliver(&p, &net, v, rc(from), t);
        }
        assert_eq!(sim.nodes[1].phase, Phase::NewRound);
        assert_eq!(sim.votes.rc[10 + 1], 0, "no vote of its own yet");
        sim.deliver(&p, &net, v, rc(5), t);
        assert_eq!(
            sim.nodes[1].phase,
            Phase::RoundChange,
            "f + 1 = 4 votes: it joins"
        );
        assert_eq!(sim.votes.rc[10 + 1], 5);
        // With its own: 5 votes; one more makes 2f = 6, still short.
        sim.deliver(&p, &net, v, rc(6), t);
        assert_eq!(
            (sim.nodes[1].round, sim.nodes[1].phase),
            (0, Phase::RoundChange)
        );
        sim.deliver(&p, &net, v, rc(7), t);
        assert_eq!(
            (sim.nodes[1].round, sim.nodes[1].phase),
            (5, Phase::NewRound),
            "2f + 1"
        );
    }

    /// A prepared node locks its block: in a later round it refuses another block at that
    /// height unless the proposal carries a lock from a round after its own. Switching the
    /// lock off fails here.
    #[test]
    fn a_prepared_block_is_locked_until_a_later_lock_is_shown() {
        let (p, net, mut sim, b) = by_hand();
        let v = 1;
        let t = 1_000_000_000;
        sim.deliver(&p, &net, v, vote(Kind::PrePrepare, 0, 0, b), t);
        for from in 2..7 {
            sim.deliver(&p, &net, v, vote(Kind::Prepare, from, 0, b), t);
        }
        assert_eq!(
            (sim.nodes[1].phase, sim.nodes[1].lock_block),
            (Phase::Prepared, b)
        );
        // Round 2's leader (node 2) proposes another block of height 1.
        let mut other = sim.chain.proposals[b as usize];
        (other.round, other.proposer) = (2, 2);
        sim.chain.proposals.push(other);
        let b2 = b + 1;
        sim.start(&p, v, 2, t);
        sim.deliver(&p, &net, v, vote(Kind::PrePrepare, 2, 2, b2), t);
        assert_eq!(
            sim.nodes[1].phase,
            Phase::NewRound,
            "refused: locked on another block"
        );
        // A lock from round 0 is not after its own; one from round 1 is.
        let justified = |a| Msg {
            a,
            ..vote(Kind::PrePrepare, 2, 2, b2)
        };
        sim.deliver(&p, &net, v, justified(0), t);
        assert_eq!(sim.nodes[1].phase, Phase::NewRound);
        sim.deliver(&p, &net, v, justified(1), t);
        assert_eq!(
            (sim.nodes[1].phase, sim.nodes[1].block),
            (Phase::PrePrepared, b2)
        );
    }

    /// Silent validators: with f of them (n = 10, f = 3) the chain commits every transaction,
    /// safely, changing round past each silent leader; with f + 1 the honest six are short of
    /// 2f + 1 = 7 and nothing is committed. A commit or prepare quorum weakened to 2f fails
    /// here (six honest validators would then commit).
    #[test]
    fn silent_validators_beyond_f_stop_the_chain() {
        let silent = |k| {
            let mut p = paper_a(10, 5, 100.0);
            p.byzantine_nodes = k;
            p.timeout_ns = 2_000_000_000;
            p.duration_ns = 300_000_000_000;
            let mut sim = Simulator::default();
            let o = simulate(&p, seeds(31), &mut sim);
            assert_eq!(sim.byzantine.iter().filter(|&&b| b).count(), k as usize);
            o
        };
        let f = silent(3);
        assert_eq!((f.stop, f.safety_violations), (StopReason::Txs, 0), "{f:?}");
        assert!(f.round_changes > 0, "{f:?}");
        let more = silent(4);
        assert_eq!(
            (more.blocks, more.stop),
            (0, StopReason::Duration),
            "{more:?}"
        );
    }

    /// Delaying validators: with f of them the quorums form without their late votes and
    /// blocks keep their pace; with f + 1 every quorum waits for one late vote, so each block
    /// takes at least the delay.
    #[test]
    fn delaying_validators_beyond_f_slow_every_block() {
        let delayed = |k| {
            let mut p = paper_a(10, 5, 100.0);
            p.byzantine_nodes = k;
            p.byzantine = Byzantine::Delay;
            p.byzantine_delay_ns = 2_000_000_000;
            simulate(&p, seeds(32), &mut Simulator::default())
        };
        let none = delayed(0);
        let f = delayed(3);
        let more = delayed(4);
        for o in [&f, &more] {
            assert_eq!((o.stop, o.safety_violations), (StopReason::Txs, 0), "{o:?}");
        }
        assert!(
            f.block_time_median_s < none.block_time_median_s + 0.5,
            "{f:?}"
        );
        assert!(more.block_time_median_s >= 2.0, "{more:?}");
    }

    #[test]
    fn a_conflicting_commit_is_counted_as_a_safety_violation() {
        let p = paper_a(10, 5, 100.0);
        let mut sim = Simulator::default();
        let o = simulate(&p, seeds(1), &mut sim);
        assert_eq!(o.safety_violations, 0);
        // Rewind node 0 by one block and let it commit a forged block at that height.
        let v = 0u32;
        let h = sim.nodes[v as usize].height;
        assert!(h > 1);
        sim.nodes[v as usize].height = h - 1;
        let mut forged = sim.chain.proposals[sim.chain.canonical[h as usize - 1] as usize];
        forged.proposer = (forged.proposer + 1) % 10;
        sim.chain.proposals.push(forged);
        let b = sim.chain.proposals.len() as u32 - 1;
        sim.commit_block(&p, v, b, 0);
        assert_eq!(sim.counters.violations, 1);
        // The block that is already there is not a violation.
        sim.nodes[v as usize].height = h - 1;
        let honest = sim.chain.canonical[h as usize - 1];
        sim.commit_block(&p, v, honest, 0);
        assert_eq!(sim.counters.violations, 1);
    }

    #[test]
    fn a_node_no_one_can_reach_catches_up_by_sync() {
        // Directed links with two peers each: some node often has no incoming link.
        let mut sim = Simulator::default();
        let mut seen = 0;
        for i in 0..40 {
            let mut p = paper_a(10, 2, 50.0);
            p.net.links = crate::network::Links::Directed;
            p.timeout_ns = 1_000_000_000;
            p.stop_after_txs = 200;
            p.duration_ns = 300_000_000_000;
            let o = simulate(&p, seeds(500 + i), &mut sim);
            assert_eq!(o.safety_violations, 0);
            assert!(o.stop != StopReason::Idle, "the run must not hang: {o:?}");
            if o.nodes_without_in_links > 0 && o.blocks > 0 {
                seen += 1;
                // It hears nothing, yet its chain grows: only syncs can do that.
                assert!(o.syncs > 0);
                assert!(o.per_node.iter().all(|x| x.blocks > 0), "{o:?}");
            }
        }
        assert!(seen > 0);
    }

    /// BigFoot's fast path commits on prepares from every validator and on nothing less: with
    /// all ten nodes up, every round commits before the fast-path timer (no commit vote is
    /// ever sent: half of PBFT's broadcasts); with one node down for the whole run, no round
    /// can, so every round waits for the timer and then commits on PBFT's slow path. A fast
    /// quorum of n - 2, of 2f, or one that needs the leader's prepare fails one of the two.
    #[test]
    fn bigfoot_fast_path_needs_every_validator() {
        let fast_s = 1.0;
        let bigfoot = |crashed: bool| {
            let mut p = paper_a(10, 5, 100.0);
            p.consensus = Consensus::BigFoot;
            p.fast_path_timeout_ns = 1_000_000_000;
            p.stop_after_txs = 300;
            if crashed {
                // One node crashes at once and stays down past the end.
                p.crash_nodes = 1;
                p.mean_uptime_ns = 1;
                p.mean_downtime_ns = 1_000_000 * 1_000_000_000;
            }
            simulate(&p, seeds(11), &mut Simulator::default())
        };
        let pbft = simulate(
            &PbftParams {
                stop_after_txs: 300,
                ..paper_a(10, 5, 100.0)
            },
            seeds(11),
            &mut Simulator::default(),
        );
        let all = bigfoot(false);
        assert_eq!(
            (all.blocks, all.safety_violations, all.round_changes),
            (16, 0, 0)
        );
        assert!(all.block_time_mean_s < fast_s, "{all:?}");
        // A PBFT round broadcasts a pre-prepare, n - 1 prepares, n commits and the block:
        // 21 for n = 10; BigFoot's fast path leaves the commits out: 11.
        let ratio = all.msgs as f64 / pbft.msgs as f64;
        assert!((ratio - 11.0 / 21.0).abs() < 0.02, "{ratio}");

        let one_down = bigfoot(true);
        assert_eq!(one_down.crashes, 1);
        assert_eq!(
            (one_down.safety_violations, one_down.stop),
            (0, StopReason::Txs)
        );
        assert!(one_down.blocks >= 16, "{one_down:?}");
        // Every block waited for the timer: block_interval (0.1 s) + the fast path.
        assert!(one_down.block_time_median_s >= 0.1 + fast_s, "{one_down:?}");
    }

    /// A V2 Tendermint vote carries the block's hash, never the block, whatever `votes` says;
    /// without V2's retry the run is PBFT's under digest votes, event for event.
    #[test]
    fn tendermint_votes_carry_the_hash_only() {
        let mut digest = paper_a(10, 5, 100.0);
        digest.votes = VotePayload::Digest;
        let mut tm = paper_a(10, 5, 100.0);
        tm.consensus = Consensus::Tendermint;
        tm.v2.tendermint = true;
        assert_eq!(tm.votes, VotePayload::Block);
        let (d, t) = (
            simulate(&digest, seeds(4), &mut Simulator::default()),
            simulate(&tm, seeds(4), &mut Simulator::default()),
        );
        assert_eq!(d, t);
        let block = simulate(&paper_a(10, 5, 100.0), seeds(4), &mut Simulator::default());
        assert!(
            t.bytes_mb * 3.0 < block.bytes_mb,
            "{} {}",
            t.bytes_mb,
            block.bytes_mb
        );
    }

    /// V2's Tendermint leader proposes only if its retry plus creation_time comes more than
    /// 5 s before the timeout; PBFT's and BigFoot's up to the timeout itself.
    #[test]
    fn tendermint_v2_gives_up_a_proposal_5_s_before_the_timeout() {
        let mut p = paper_a(10, 5, 100.0);
        let (c, s) = (p.creation_ns, 1_000_000_000);
        let timeout_at = 100 * s;
        for consensus in [Consensus::Pbft, Consensus::BigFoot] {
            p.consensus = consensus;
            assert!(p.retry_in_time(p.consensus, timeout_at - c, timeout_at));
            assert!(!p.retry_in_time(p.consensus, timeout_at - c + 1, timeout_at));
        }
        p.consensus = Consensus::Tendermint;
        assert!(
            p.retry_in_time(p.consensus, timeout_at - c, timeout_at),
            "the real Tendermint's"
        );
        p.v2.tendermint = true;
        assert!(p.retry_in_time(p.consensus, timeout_at - c - 5 * s - 1, timeout_at));
        assert!(!p.retry_in_time(p.consensus, timeout_at - c - 5 * s, timeout_at));
        // On paper B's chain under V2's retry (the first 30 s), the earlier give-up costs
        // rounds: twice PBFT's timeouts.
        let mut pb = v2_paper_b(30);
        pb.v2.retry = true;
        pb.votes = VotePayload::Digest;
        let pbft = simulate(&pb, seeds(3), &mut Simulator::default());
        pb.consensus = Consensus::Tendermint;
        pb.v2.tendermint = true;
        let tm = simulate(&pb, seeds(3), &mut Simulator::default());
        assert_eq!((pbft.timeouts, tm.timeouts), (32, 64));
        assert_eq!(tm.safety_violations, 0);
    }

    /// Under `proposer = hash` the block of height h + 1 comes from (hash of block h + its
    /// round) mod n, so the proposers are not a rotation; the chain commits the same
    /// transactions, stays safe, and gets past crashed leaders by changing round.
    #[test]
    fn hash_proposers_follow_the_last_block() {
        for crash in [0, 3] {
            let mut p = paper_a(10, 5, 100.0);
            p.proposer = Proposer::Hash;
            p.crash_nodes = crash;
            let mut sim = Simulator::default();
            let o = simulate(&p, seeds(21), &mut sim);
            assert_eq!((o.safety_violations, o.stop), (0, StopReason::Txs), "{o:?}");
            let chain = &sim.chain.canonical;
            let mut rotations = 0;
            for (h, &b) in chain.iter().enumerate() {
                let pr = sim.chain.proposals[b as usize];
                let last = if h == 0 {
                    0
                } else {
                    sim.block_hash(chain[h - 1])
                };
                let expected = (last.wrapping_add(u64::from(pr.round)) % 10) as u32;
                assert_eq!(pr.proposer, expected, "height {}", h + 1);
                rotations += u32::from(pr.proposer == pr.round % 10);
            }
            assert!(
                rotations * 3 < chain.len() as u32,
                "{rotations} of {}",
                chain.len()
            );
            if crash > 0 {
                assert!(o.crashes > 0 && o.round_changes > 0, "{o:?}");
            }
        }
    }

    /// A fresh proposal leaves `txs x time_per_tx` after the propose event (chainlab's
    /// model; `creation_time` came before the event). Under `sbs_compat`, V2's code: its PBFT
    /// and BigFoot send at the propose event, its Tendermint `creation_time + txs x
    /// time_per_tx` after it. On paper A's chain (19 transactions a block) a millisecond per
    /// transaction lengthens every block by about 19 ms.
    #[test]
    fn a_proposal_leaves_once_its_block_is_made() {
        let mut p = paper_a(10, 5, 100.0);
        p.per_tx_ns = 1_000_000;
        let c = p.creation_ns;
        assert_eq!(p.making_ns(p.consensus, 19), 19_000_000);
        p.sbs_compat = true;
        for (consensus, making) in [
            (Consensus::Pbft, 0),
            (Consensus::BigFoot, 0),
            (Consensus::Tendermint, c + 19_000_000),
        ] {
            p.consensus = consensus;
            p.v2.tendermint = true;
            assert_eq!(p.making_ns(p.consensus, 19), making, "{consensus:?}");
        }
        let mut p = paper_a(10, 5, 100.0);
        let free = simulate(&p, seeds(6), &mut Simulator::default());
        p.per_tx_ns = 1_000_000;
        let made = simulate(&p, seeds(6), &mut Simulator::default());
        let longer = made.block_time_mean_s - free.block_time_mean_s;
        assert!((0.015..0.025).contains(&longer), "{longer}");
    }

    /// SBS V2's BigFoot block leaves `base_block_size` out of its own size (the message still
    /// adds it once); every other block, and BigFoot's corrected form, carries it twice.
    #[test]
    fn bigfoot_v2_blocks_leave_the_base_size_out() {
        let mut p = paper_a(10, 5, 100.0);
        p.base_block_mb = 0.25;
        assert_eq!(p.block_mb(p.consensus, 0.5), 1.0);
        p.consensus = Consensus::BigFoot;
        assert_eq!(p.block_mb(p.consensus, 0.5), 1.0);
        p.sbs_compat = true;
        assert_eq!(p.block_mb(p.consensus, 0.5), 0.75);
        p.consensus = Consensus::Tendermint;
        assert_eq!(p.block_mb(p.consensus, 0.5), 1.0);
    }

    #[test]
    fn paper_b_chain_runs_for_its_duration() {
        let mut p = paper_a(32, 16, 50.0);
        p.net.bandwidth = crate::network::Bandwidth::PerMessage;
        p.net.bandwidth_mean = 10.0;
        p.net.bandwidth_sd = 0.5;
        p.workload.size_mb = 0.004;
        p.workload.size_dist = workload::TxSize::Exponential;
        p.stop_after_txs = 0;
        p.duration_ns = 30_000_000_000;
        let mut sim = Simulator::default();
        let o = simulate(&p, seeds(7), &mut sim);
        assert_eq!(o.stop, StopReason::Duration);
        assert_eq!(o.end_s, 30.0);
        assert_eq!(o.safety_violations, 0);
        assert!(o.blocks > 10, "{o:?}");
        let committed = assert_unique(&sim, o.txs_generated);
        assert!(committed <= o.txs_generated);
    }
}

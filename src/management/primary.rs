//! The primary chain's side of decentralised management (Algorithm 2 of the management paper;
//! the management chain itself is [`crate::management`]). [`Primary`] is the chain's
//! [`Reconfiguration`] hook: the chain asks it, between rounds and at each proposal, what
//! configuration a node runs under, and it keeps every management state of the primary nodes.
//!
//! - When the configuration block interval fires, the management chain's agreement is
//!   simulated ([`agreement::agree`]); every management node that commits the block holds it
//!   at its commit time (it is a primary node too) and gossips it over the primary network, so
//!   the block spreads as one gossip with several origins.
//! - A primary node holds a block once it arrives and its checks pass ([`super::check`]: chain,
//!   hash link, hash, proposer of the cycle, proof), `msg_validation + block_validation` after
//!   the arrival. A block from the future makes it request the missing blocks from its most
//!   advanced live peer (one transfer per block, each with a sync request's overhead).
//! - A node switches to the newest configuration it holds only when it starts a consensus
//!   round (after a commit, a round change or a sync): its active configuration height is
//!   `H_cc`. The leader stamps its block with its `H_cc` and fills it to that configuration's
//!   block size; a round's proposal comes that configuration's block interval after the round
//!   starts.
//! - A validator refuses a fresh proposal whose configuration is not its `H_cc` (this is where
//!   switch overhead comes from). A re-proposal of a prepared block (carrying its lock round)
//!   is accepted under any configuration the validator holds, as PBFT's view change requires
//!   (otherwise a lock taken before a switch could never be committed). A decided block
//!   (`new_block`, sync) is applied only when the node holds its configuration; a sync brings
//!   the missing configuration blocks with the transaction blocks.
//! - Delays of each configuration block as seen by the fastest 2f+1 primary nodes: agreement
//!   (interval fired to the first management commit), propagation (to the moment the
//!   (2f+1)-th primary node holds it), update (from then to the moment the (2f+1)-th primary
//!   node runs under it); they sum to the management delay.
//!
//! Architecture invariant: the chain's state is reached only through pbft's hook API (the
//! [`Simulator`] methods it documents); no I/O, no clock.

use super::agreement::{self, Committee, RoundCosts};
use super::{
    Config, ConfigBlock, Configs, ManagementParams, Reject, Verdict, check_given, verify_proof,
};
use crate::des::Time;
use crate::network::Network;
use crate::pbft::metrics::{mean_finite, quantile};
use crate::pbft::{
    NO_NODE, PbftOutcome, PbftParams, Reconfiguration, RoundConfig, Simulator, fault_tolerance,
};
use crate::rng::RunSeeds;
use crate::rng::purpose;
use crate::rng::{Stream, stream, stream_seed};
use rand_distr::{Distribution, Normal};

use crate::time::NS_PER_S_F64 as S;

/// Key space of the requests for missing configuration blocks.
const FETCH_TAG: u64 = 0x4346_0000_0000_0000;

/// Per-configuration-block record.
#[derive(Clone, Copy, Debug)]
struct Record {
    cbi_at: Time,
    agreed_at: Time,
    failed_cycles: u32,
    proposer: u32,
}

/// The primary side of a managed run: the chain's [`Reconfiguration`] hook. Build one per
/// run with [`Primary::new`], hand it to [`Simulator::reconfigure`], take it back after the run
/// and read [`Primary::outcome`].
pub struct Primary {
    mp: ManagementParams,
    committee: Option<Committee>,
    costs: Option<RoundCosts>,
    /// The management chain, genesis first.
    chain: Vec<ConfigBlock>,
    /// The verdict of each block's proof under the members' keys (verified once: every node
    /// checks the same bytes against the same keys).
    proofs: Vec<Result<(), Reject>>,
    /// Each node's management chain height.
    held: Vec<u32>,
    /// Each node's active configuration height `H_cc`.
    active: Vec<u32>,
    /// Height a pending request for missing blocks brings (0: none).
    fetching: Vec<u32>,
    /// Height of the management chain a running sync brings.
    sync_configs: Vec<u32>,
    records: Vec<Record>,
    /// When each node held each block, `(h - 1) * n + node`.
    hold: Vec<Time>,
    /// When each node first ran under each block (or a later one), `(h - 1) * n + node`.
    update: Vec<Time>,
    failed_agreements: u32,
    failed_cycles: u64,
    next_key: u64,
    scratch: agreement::Scratch,
    cbi: Option<(Stream, Normal<f64>)>,
    /// Draws of [`Configs::Random`].
    configs_rng: Option<Stream>,
    rejections: u64,
    violations: u64,
    forged: u64,
    /// Rejections by reason ([`RejectReason`]).
    rejected: [u64; 4],
    /// Forbidden proposals honest management nodes refused.
    refused: u64,
    msgs: u64,
    bytes_mb: f64,
    events: u64,
}

/// Why a primary node rejected a configuration block, grouped as a researcher asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RejectReason {
    /// Its link to the previous block is not the head's hash (a stale block).
    Link = 0,
    /// Its proof is not a quorum of valid member signatures (an unsigned block).
    Proof = 1,
    /// Its configuration is not one a twin accepts.
    Config = 2,
    /// Another chain, a wrong hash or the wrong proposer.
    Other = 3,
}

impl RejectReason {
    /// The group of rejection `r`.
    pub fn of(r: &Reject) -> RejectReason {
        match r {
            Reject::BrokenLink { .. } => RejectReason::Link,
            Reject::TooFewVoters { .. }
            | Reject::UnknownVoter { .. }
            | Reject::RemovedVoter { .. }
            | Reject::MissingSignatures { .. }
            | Reject::BadSignature { .. } => RejectReason::Proof,
            Reject::InvalidConfig => RejectReason::Config,
            Reject::WrongChain { .. } | Reject::BadHash | Reject::WrongProposer { .. } => {
                RejectReason::Other
            }
        }
    }
}

/// The management figures of one run; see the `management` family's columns in its notes.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagementOutcome {
    /// Primary nodes that are management nodes.
    pub members: Vec<u32>,
    /// Configuration blocks committed.
    pub blocks: u32,
    /// Intervals whose |MN| cycles all failed.
    pub failed_agreements: u32,
    /// Failed cycles over the run.
    pub failed_cycles: u64,
    /// Height of each configuration block.
    pub cb_height: Vec<u32>,
    /// When its interval fired, s.
    pub cb_cbi_at_s: Vec<f64>,
    /// Its failed cycles.
    pub cb_failed_cycles: Vec<u32>,
    /// Its proposer (primary node id).
    pub cb_proposer: Vec<u32>,
    /// Agreement delay, s.
    pub cb_agreement_s: Vec<f64>,
    /// Propagation delay to the fastest 2f+1 primary nodes, s (NaN if fewer held it).
    pub cb_propagation_s: Vec<f64>,
    /// Update delay of the fastest 2f+1, s.
    pub cb_update_s: Vec<f64>,
    /// Their sum: interval fired to the (2f+1)-th node running under it, s.
    pub cb_total_s: Vec<f64>,
    /// Interval fired to the last node alive at the end running under it, s.
    pub cb_update_all_s: Vec<f64>,
    /// The consensus protocol it carries.
    pub cb_consensus: Vec<crate::pbft::Consensus>,
    /// The block size it sets, MB.
    pub cb_block_size_mb: Vec<f64>,
    /// The block interval it sets, ms.
    pub cb_block_interval_ms: Vec<f64>,
    /// Median over live nodes of the inter-block time of the first transaction block made
    /// under it (its switch block), s (NaN when no block was made under it).
    pub cb_switch_block_time_s: Vec<f64>,
    /// Means of the five delays over the blocks where they are defined, s.
    pub agreement_mean_s: f64,
    /// See `agreement_mean_s`.
    pub propagation_mean_s: f64,
    /// See `agreement_mean_s`.
    pub update_mean_s: f64,
    /// See `agreement_mean_s`.
    pub total_mean_s: f64,
    /// See `agreement_mean_s`.
    pub update_all_mean_s: f64,
    /// Transaction blocks made under another configuration than their predecessor.
    pub switch_blocks: u32,
    /// Inter-block times (every live node's) of switch blocks: mean, median, p95, s.
    pub switch_block_time_s: [f64; 3],
    /// The same for normal blocks.
    pub normal_block_time_s: [f64; 3],
    /// Inter-block times of the switch blocks into a configuration other than the base one
    /// (under `Configs::Alternate`, odd configuration heights): mean, median, p95, s (NaN
    /// under `Configs::Same`).
    pub switch_to_alt_block_time_s: [f64; 3],
    /// The same for the switch blocks into the base configuration (every switch block under
    /// `Configs::Same`).
    pub switch_to_base_block_time_s: [f64; 3],
    /// Fresh proposals a validator refused for their configuration.
    pub config_rejections: u64,
    /// Transaction blocks a node accepted without holding their configuration (0 in a
    /// correct model).
    pub config_violations: u64,
    /// Configuration blocks a primary node rejected (0 without forgers).
    pub forged_rejected: u64,
    /// Those rejections by reason, indexed by [`RejectReason`].
    pub rejected_by_reason: [u64; 4],
    /// Forbidden proposals honest management nodes' twins refused (one per node and
    /// proposal).
    pub proposals_refused: u64,
    /// Management messages: agreement traffic and the gossip of blocks to the primary.
    pub msgs: u64,
    /// Their volume, MB.
    pub bytes_mb: f64,
}

/// A managed run's results: the chain's and the management chain's.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagedOutcome {
    /// The primary chain's figures.
    pub chain: PbftOutcome,
    /// The management chain's figures.
    pub management: ManagementOutcome,
}

/// Runs one managed simulation: chain `p` reconfigured by the management chain `mp`.
pub fn simulate(
    p: &PbftParams,
    mp: &ManagementParams,
    seeds: RunSeeds,
    sim: &mut Simulator,
) -> ManagedOutcome {
    let (chain, primary) = simulate_with(p, mp, seeds, sim);
    ManagedOutcome {
        chain,
        management: primary.outcome(sim),
    }
}

/// [`simulate`], handing back the primary side itself (its per-node times) beside the chain's
/// outcome; `sim` keeps the chain's final state.
pub fn simulate_with(
    p: &PbftParams,
    mp: &ManagementParams,
    seeds: RunSeeds,
    sim: &mut Simulator,
) -> (PbftOutcome, Primary) {
    sim.reconfigure(Some(Box::new(Primary::new(mp.clone()))));
    let chain = crate::pbft::simulate(p, seeds, sim);
    let primary = sim
        .take_reconfiguration()
        .expect("the hook given above")
        .into_any()
        .downcast::<Primary>()
        .expect("a Primary was given");
    (chain, *primary)
}

impl Primary {
    /// The primary side of a management chain set up as `mp` says (its state is built when the
    /// run starts, in [`Reconfiguration::reset`]).
    pub fn new(mp: ManagementParams) -> Primary {
        Primary {
            mp,
            committee: None,
            costs: None,
            chain: Vec::new(),
            proofs: Vec::new(),
            held: Vec::new(),
            active: Vec::new(),
            fetching: Vec::new(),
            sync_configs: Vec::new(),
            records: Vec::new(),
            hold: Vec::new(),
            update: Vec::new(),
            failed_agreements: 0,
            failed_cycles: 0,
            next_key: 0,
            scratch: agreement::Scratch::default(),
            cbi: None,
            configs_rng: None,
            rejections: 0,
            violations: 0,
            forged: 0,
            rejected: [0; 4],
            refused: 0,
            msgs: 0,
            bytes_mb: 0.0,
            events: 0,
        }
    }

    /// The configuration of height `h`.
    fn config(&self, h: u32) -> Config {
        self.chain[h as usize].config
    }

    /// Schedules the next interval `CBI ~ Normal(mean, sd)` (at least 1 ms) after `t`.
    fn schedule_cbi(&mut self, chain: &mut Simulator, p: &PbftParams, t: Time) {
        let (rng, normal) = self.cbi.as_mut().expect("reset");
        let at = t + normal.sample(rng).round().max(1e6) as Time;
        if at <= p.duration_ns {
            chain.schedule_hook(at, NO_NODE, 0);
        }
    }

    /// The interval fired: run the agreement, send the block into the primary network.
    fn on_cbi(&mut self, chain: &mut Simulator, p: &PbftParams, net: &Network, now: Time) {
        let head = self.chain.last().expect("genesis");
        let config = match &self.mp.configs {
            &Configs::Alternate(alt) if (head.height + 1) % 2 == 1 => alt,
            Configs::Cycle(list) => list[head.height as usize % list.len()],
            Configs::Random => {
                use crate::pbft::Consensus;
                use rand::RngExt;
                let rng = self.configs_rng.as_mut().expect("reset");
                let others: Vec<Consensus> =
                    [Consensus::Pbft, Consensus::Tendermint, Consensus::BigFoot]
                        .into_iter()
                        .filter(|&c| c != head.config.consensus)
                        .collect();
                Config {
                    consensus: others[rng.random_range(0..others.len())],
                    ..base_config(p)
                }
            }
            _ => base_config(p),
        };
        let c = self.committee.as_ref().expect("reset");
        let a = agreement::agree(
            c,
            self.costs.as_ref().expect("reset"),
            head,
            config,
            now,
            &mut self.next_key,
            &mut self.scratch,
        );
        self.msgs += a.msgs;
        self.bytes_mb += a.bytes_mb;
        self.events += a.events;
        self.failed_cycles += u64::from(a.failed_cycles);
        self.refused += u64::from(a.refused);
        let Some(block) = a.block else {
            self.failed_agreements += 1;
            self.schedule_cbi(chain, p, a.agreed_at);
            return;
        };
        let h = block.height;
        let origins: Vec<(u32, Time)> = c
            .members
            .iter()
            .zip(&a.commit_at)
            .filter(|&(_, &t)| t != Time::MAX)
            .map(|(&u, &t)| (u, t))
            .collect();
        self.records.push(Record {
            cbi_at: now,
            agreed_at: a.agreed_at,
            failed_cycles: a.failed_cycles,
            proposer: c.members[block.proposer as usize],
        });
        self.proofs.push(verify_proof(&block, &c.keyring, c.f));
        let voters = block.voters.len() as u64;
        self.chain.push(block);
        let n = chain.node_count() as usize;
        self.hold.resize(self.hold.len() + n, Time::MAX);
        self.update.resize(self.update.len() + n, Time::MAX);

        // One gossip from every committed management node, over the primary network.
        let size = p.base_msg_mb + self.mp.cb_size_mb;
        let check_ns = p.msg_val_ns + p.block_val_ns + voters * self.mp.verify_ns;
        let transmissions = chain.gossip_hook(net, &origins, size, check_ns, h);
        self.msgs += transmissions;
        self.bytes_mb += transmissions as f64 * size;
        self.schedule_cbi(chain, p, a.agreed_at);
    }

    /// Configuration block `h` reaches `v` (checked at `now`).
    fn on_config(
        &mut self,
        chain: &mut Simulator,
        p: &PbftParams,
        net: &Network,
        v: u32,
        h: u32,
        now: Time,
    ) {
        let c = self.committee.as_ref().expect("reset");
        let head = &self.chain[self.held[v as usize] as usize];
        let proof = || self.proofs[h as usize].clone();
        match check_given(&self.chain[h as usize], head, c.size(), proof) {
            Ok(Verdict::Append) => {
                self.held[v as usize] = h;
                let i = (h as usize - 1) * chain.node_count() as usize + v as usize;
                self.hold[i] = self.hold[i].min(now);
            }
            Ok(Verdict::Future) => self.fetch_configs(chain, p, net, v, now),
            Ok(Verdict::Stale) => {}
            Err(why) => {
                self.forged += 1;
                self.rejected[RejectReason::of(&why) as usize] += 1;
            }
        }
    }

    /// Requests the configuration blocks `v` misses from its most advanced live peer.
    fn fetch_configs(
        &mut self,
        chain: &mut Simulator,
        p: &PbftParams,
        net: &Network,
        v: u32,
        now: Time,
    ) {
        let mine = self.held[v as usize].max(self.fetching[v as usize]);
        let mut best: Option<u32> = None;
        for &u in net.peers(v) {
            let hu = self.held[u as usize];
            if chain.is_alive(u) && hu > mine && best.is_none_or(|b| hu > self.held[b as usize]) {
                best = Some(u);
            }
        }
        let Some(peer) = best else {
            return;
        };
        let upto = self.held[peer as usize];
        let d = self.config_transfer_ns(p, net, peer, v, self.held[v as usize], upto);
        self.fetching[v as usize] = upto;
        chain.schedule_hook(now + d, v, upto);
    }

    /// Time to transfer configuration blocks `from + 1 ..= upto` from `peer` to `v`.
    fn config_transfer_ns(
        &self,
        p: &PbftParams,
        net: &Network,
        peer: u32,
        v: u32,
        from: u32,
        upto: u32,
    ) -> Time {
        let size = p.base_msg_mb + self.mp.cb_size_mb;
        (from + 1..=upto)
            .map(|h| {
                let key = FETCH_TAG | (u64::from(v) << 32) | u64::from(h);
                let verify = self.chain[h as usize].voters.len() as Time * self.mp.verify_ns;
                p.sync_request_ns + net.delay_ns(peer, v, size, key) + verify
            })
            .sum()
    }

    /// Requested configuration blocks arrive at `v`.
    fn config_fetched(&mut self, chain: &Simulator, v: u32, upto: u32, now: Time) {
        if self.fetching[v as usize] == upto {
            self.fetching[v as usize] = 0;
        }
        if !chain.is_alive(v) {
            return;
        }
        self.apply_configs(v, upto, now);
    }

    /// `v` appends blocks up to `upto` it received from a peer (checked one by one).
    fn apply_configs(&mut self, v: u32, upto: u32, now: Time) {
        let n = self.held.len();
        let c = self.committee.as_ref().expect("reset");
        while self.held[v as usize] < upto {
            let h = self.held[v as usize] + 1;
            let proof = || self.proofs[h as usize].clone();
            match check_given(
                &self.chain[h as usize],
                &self.chain[h as usize - 1],
                c.size(),
                proof,
            ) {
                Ok(Verdict::Append) => {
                    self.held[v as usize] = h;
                    let i = (h as usize - 1) * n + v as usize;
                    self.hold[i] = self.hold[i].min(now);
                }
                other => {
                    self.forged += 1;
                    if let Err(why) = other {
                        self.rejected[RejectReason::of(&why) as usize] += 1;
                    }
                    break;
                }
            }
        }
    }

    /// When each node held each block, `(h - 1) * n + node` (`Time::MAX`: never).
    pub fn hold_times(&self) -> &[Time] {
        &self.hold
    }

    /// When each node first ran under each block (or a later one), `(h - 1) * n + node`.
    pub fn update_times(&self) -> &[Time] {
        &self.update
    }

    /// The management figures of the run that just ended on `chain`.
    pub fn outcome(&self, chain: &Simulator) -> ManagementOutcome {
        let c = self.committee.as_ref().expect("reset");
        let n = chain.node_count() as usize;
        let k = (2 * chain.f() + 1) as usize;
        let s = |t: Time| t as f64 / S;
        let mut o = ManagementOutcome {
            members: c.members.clone(),
            blocks: self.records.len() as u32,
            failed_agreements: self.failed_agreements,
            failed_cycles: self.failed_cycles,
            cb_height: Vec::new(),
            cb_cbi_at_s: Vec::new(),
            cb_failed_cycles: Vec::new(),
            cb_proposer: Vec::new(),
            cb_agreement_s: Vec::new(),
            cb_propagation_s: Vec::new(),
            cb_update_s: Vec::new(),
            cb_total_s: Vec::new(),
            cb_update_all_s: Vec::new(),
            cb_consensus: Vec::new(),
            cb_block_size_mb: Vec::new(),
            cb_block_interval_ms: Vec::new(),
            cb_switch_block_time_s: Vec::new(),
            agreement_mean_s: f64::NAN,
            propagation_mean_s: f64::NAN,
            update_mean_s: f64::NAN,
            total_mean_s: f64::NAN,
            update_all_mean_s: f64::NAN,
            switch_blocks: 0,
            switch_block_time_s: [f64::NAN; 3],
            normal_block_time_s: [f64::NAN; 3],
            switch_to_alt_block_time_s: [f64::NAN; 3],
            switch_to_base_block_time_s: [f64::NAN; 3],
            config_rejections: self.rejections,
            config_violations: self.violations,
            forged_rejected: self.forged,
            rejected_by_reason: self.rejected,
            proposals_refused: self.refused,
            msgs: self.msgs,
            bytes_mb: self.bytes_mb,
        };
        let mut times: Vec<Time> = Vec::with_capacity(n);
        // The k-th smallest of a block's per-node times (None if fewer than k nodes).
        let kth = |times: &mut Vec<Time>, row: &[Time]| {
            times.clear();
            times.extend(row.iter().copied().filter(|&t| t != Time::MAX));
            times.sort_unstable();
            times.get(k - 1).copied()
        };
        for (i, r) in self.records.iter().enumerate() {
            let row = i * n..(i + 1) * n;
            let held = kth(&mut times, &self.hold[row.clone()]);
            let updated = kth(&mut times, &self.update[row.clone()]);
            let last = (0..n as u32)
                .filter(|&v| chain.is_alive(v))
                .map(|v| self.update[row.start + v as usize])
                .max();
            let (hs, us) = (held.map_or(f64::NAN, s), updated.map_or(f64::NAN, s));
            o.cb_height.push(i as u32 + 1);
            o.cb_cbi_at_s.push(s(r.cbi_at));
            o.cb_failed_cycles.push(r.failed_cycles);
            o.cb_proposer.push(r.proposer);
            o.cb_agreement_s.push(s(r.agreed_at) - s(r.cbi_at));
            o.cb_propagation_s.push(hs - s(r.agreed_at));
            o.cb_update_s.push(us - hs);
            o.cb_total_s.push(us - s(r.cbi_at));
            o.cb_update_all_s.push(match last {
                Some(t) if t != Time::MAX => s(t) - s(r.cbi_at),
                _ => f64::NAN,
            });
            let config = self.config(i as u32 + 1);
            o.cb_consensus.push(config.consensus);
            o.cb_block_size_mb.push(config.block_size_mb);
            o.cb_block_interval_ms
                .push(config.block_interval_ns as f64 / crate::time::NS_PER_MS as f64);
        }
        o.agreement_mean_s = mean_finite(o.cb_agreement_s.iter().copied());
        o.propagation_mean_s = mean_finite(o.cb_propagation_s.iter().copied());
        o.update_mean_s = mean_finite(o.cb_update_s.iter().copied());
        o.total_mean_s = mean_finite(o.cb_total_s.iter().copied());
        o.update_all_mean_s = mean_finite(o.cb_update_all_s.iter().copied());

        // Inter-block times of switch and normal blocks, every live node's.
        let stamps = chain.chain_stamps();
        let (mut switch, mut normal) = (Vec::new(), Vec::new());
        let (mut to_alt, mut to_base) = (Vec::new(), Vec::new());
        // Per configuration height, the gaps before its switch block.
        let mut per_cb: Vec<Vec<f64>> = vec![Vec::new(); o.cb_height.len() + 1];
        let base = self.config(0);
        for h in 2..=stamps.len() as u32 {
            let is_switch = stamps[h as usize - 1] != stamps[h as usize - 2];
            let into_alt = self.config(stamps[h as usize - 1]) != base;
            o.switch_blocks += u32::from(is_switch);
            for v in 0..n as u32 {
                if !chain.is_alive(v) || chain.height(v) < h {
                    continue;
                }
                let gap = s(chain.added_at(h, v)) - s(chain.added_at(h - 1, v));
                if is_switch {
                    switch.push(gap);
                    if into_alt {
                        to_alt.push(gap);
                    } else {
                        to_base.push(gap);
                    }
                    if let Some(g) = per_cb.get_mut(stamps[h as usize - 1] as usize) {
                        g.push(gap);
                    }
                } else {
                    normal.push(gap);
                }
            }
        }
        let stats = |xs: &mut Vec<f64>| {
            [
                mean_finite(xs.iter().copied()),
                quantile(xs, 0.5),
                quantile(xs, 0.95),
            ]
        };
        o.switch_block_time_s = stats(&mut switch);
        o.normal_block_time_s = stats(&mut normal);
        o.switch_to_alt_block_time_s = stats(&mut to_alt);
        o.switch_to_base_block_time_s = stats(&mut to_base);
        o.cb_switch_block_time_s = per_cb[1..].iter_mut().map(|g| quantile(g, 0.5)).collect();
        o
    }
}

impl Reconfiguration for Primary {
    /// Sets up the management chain for a run (before any round starts).
    fn reset(&mut self, chain: &mut Simulator, p: &PbftParams, net: &Network, seeds: RunSeeds) {
        let n = chain.node_count() as usize;
        let mp = &self.mp;
        let f = fault_tolerance(mp.members, p.sbs_compat);
        let committee = Committee::build(net, mp, f, seeds.master, seeds.env_key);
        self.costs = Some(RoundCosts {
            cb_size_mb: mp.cb_size_mb,
            base_msg_mb: p.base_msg_mb,
            votes: p.votes,
            msg_val_ns: p.msg_val_ns,
            block_val_ns: p.block_val_ns,
            creation_ns: p.creation_ns,
            cycle_timeout_ns: mp.cycle_timeout_ns,
            sign_ns: mp.sign_ns,
            verify_ns: mp.verify_ns,
            consensus: mp.consensus,
            real_tendermint: !p.v2.tendermint,
            fast_path_timeout_ns: p.fast_path_timeout_ns,
            timeouts: p.tendermint,
        });
        let chain_id = stream_seed(seeds.master, seeds.env_key, purpose::MANAGEMENT_CHAIN);
        self.chain.clear();
        self.chain
            .push(ConfigBlock::genesis(chain_id, mp.members, base_config(p)));
        self.proofs.clear();
        self.proofs.push(Ok(()));
        self.committee = Some(committee);
        for x in [
            &mut self.held,
            &mut self.active,
            &mut self.fetching,
            &mut self.sync_configs,
        ] {
            x.clear();
            x.resize(n, 0);
        }
        self.records.clear();
        self.hold.clear();
        self.update.clear();
        self.failed_agreements = 0;
        self.failed_cycles = 0;
        self.next_key = 0;
        self.rejections = 0;
        self.violations = 0;
        self.forged = 0;
        self.rejected = [0; 4];
        self.refused = 0;
        self.msgs = 0;
        self.bytes_mb = 0.0;
        self.events = 0;
        let normal =
            Normal::new(self.mp.cbi_mean_ns as f64, self.mp.cbi_sd_ns as f64).expect("sd >= 0");
        self.cbi = Some((stream(seeds.master, seeds.run_key, purpose::CBI), normal));
        self.configs_rng = Some(stream(seeds.master, seeds.run_key, purpose::CONFIGS));
        self.schedule_cbi(chain, p, 0);
    }

    /// Between rounds: `v` switches to the newest configuration it holds.
    #[inline]
    fn enter_round(&mut self, v: u32, t: Time) -> RoundConfig {
        let (held, active) = (self.held[v as usize], self.active[v as usize]);
        if held > active {
            let n = self.held.len();
            for h in active + 1..=held {
                let i = (h as usize - 1) * n + v as usize;
                self.update[i] = self.update[i].min(t);
            }
            self.active[v as usize] = held;
        }
        round_config(self.config(self.active[v as usize]))
    }

    /// The leader stamps its block with its `H_cc` and fills it to that configuration.
    #[inline]
    fn current(&self, v: u32) -> (u32, RoundConfig) {
        let h = self.active[v as usize];
        (h, round_config(self.config(h)))
    }

    #[inline]
    fn newest(&self, v: u32) -> RoundConfig {
        round_config(self.config(self.held[v as usize]))
    }

    /// A fresh proposal must be made under the validator's `H_cc`; a re-proposal under any
    /// configuration it holds.
    #[inline]
    fn accepts(&mut self, v: u32, stamp: u32, reproposal: bool) -> bool {
        let ok = stamp == self.active[v as usize] || (reproposal && stamp <= self.held[v as usize]);
        if !ok {
            self.rejections += 1;
        }
        ok
    }

    #[inline]
    fn holds(&self, v: u32, stamp: u32) -> bool {
        stamp <= self.held[v as usize]
    }

    fn missing(&mut self, chain: &mut Simulator, p: &PbftParams, net: &Network, v: u32, now: Time) {
        self.fetch_configs(chain, p, net, v, now);
    }

    /// Counts a block accepted without its configuration (the invariant the tests check).
    #[inline]
    fn committed(&mut self, v: u32, stamp: u32) {
        if !self.holds(v, stamp) {
            self.violations += 1;
        }
    }

    /// The configuration blocks `v` misses come with the transaction blocks.
    fn sync_begins(&mut self, p: &PbftParams, net: &Network, peer: u32, v: u32) -> Time {
        let (mine, theirs) = (self.held[v as usize], self.held[peer as usize]);
        self.sync_configs[v as usize] = theirs;
        self.config_transfer_ns(p, net, peer, v, mine, theirs)
    }

    fn sync_ends(&mut self, v: u32, now: Time) {
        let configs = self.sync_configs[v as usize];
        self.apply_configs(v, configs, now);
    }

    /// The interval fired (no node) or requested blocks up to `arg` reached `node`.
    fn event(
        &mut self,
        chain: &mut Simulator,
        p: &PbftParams,
        net: &Network,
        node: u32,
        arg: u32,
        now: Time,
    ) {
        if node == NO_NODE {
            self.on_cbi(chain, p, net, now);
        } else {
            self.config_fetched(chain, node, arg, now);
        }
    }

    /// Configuration block `payload` (its height) reached `v`.
    fn deliver(
        &mut self,
        chain: &mut Simulator,
        p: &PbftParams,
        net: &Network,
        v: u32,
        payload: u32,
        now: Time,
    ) {
        self.on_config(chain, p, net, v, payload, now);
    }

    fn msgs(&self) -> u64 {
        self.msgs
    }

    fn events(&self) -> u64 {
        self.events
    }

    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any> {
        self
    }
}

/// What a round runs under, from a configuration.
fn round_config(c: Config) -> RoundConfig {
    RoundConfig {
        block_size_mb: c.block_size_mb,
        block_interval_ns: c.block_interval_ns,
        consensus: c.consensus,
    }
}

/// The primary's configuration at the start: its block size, block interval and protocol.
fn base_config(p: &PbftParams) -> Config {
    Config {
        block_size_mb: p.block_size_mb,
        block_interval_ns: p.block_interval_ns,
        consensus: p.consensus,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Bandwidth;
    use crate::pbft::tests::paper_a;
    use crate::pbft::workload::TxSize;

    /// Paper B's primary chain for `secs` seconds, managed by 16 of its 32 nodes.
    fn paper_b(secs: u64, configs: Configs) -> (PbftParams, ManagementParams) {
        let mut p = paper_a(32, 16, 50.0);
        p.net.bandwidth = Bandwidth::PerMessage;
        p.net.bandwidth_mean = 10.0;
        p.net.bandwidth_sd = 0.5;
        p.workload.size_mb = 0.004;
        p.workload.size_dist = TxSize::Exponential;
        p.stop_after_txs = 0;
        p.duration_ns = secs * crate::time::NS_PER_S;
        let mp = ManagementParams {
            members: 16,
            peers: 8,
            cbi_mean_ns: 10_000_000_000,
            cbi_sd_ns: 2_000_000_000,
            cb_size_mb: 0.25,
            cycle_timeout_ns: 5_000_000_000,
            configs,
            consensus: crate::pbft::Consensus::Pbft,
            offline: 0,
            invalid: 0,
            byzantine: 0,
            forge: crate::management::Forge::Stale,
            sign_ns: 21_000,
            verify_ns: 43_000,
        };
        (p, mp)
    }

    fn seeds(i: u64) -> RunSeeds {
        RunSeeds {
            master: 77,
            env_key: i,
            run_key: i ^ 0xABCD,
        }
    }

    fn run(
        (p, mp): &(PbftParams, ManagementParams),
        i: u64,
    ) -> (PbftOutcome, ManagementOutcome, Simulator, Primary) {
        let mut sim = Simulator::default();
        let (o, primary) = simulate_with(p, mp, seeds(i), &mut sim);
        let m = primary.outcome(&sim);
        (o, m, sim, primary)
    }

    const ALT: Configs = Configs::Alternate(Config {
        block_size_mb: 0.5,
        block_interval_ns: 300_000_000,
        consensus: crate::pbft::Consensus::Pbft,
    });

    /// Algorithm 2, line 9: a validator accepts a fresh proposal only under its active
    /// configuration (`H_cc`), a re-proposal under any configuration it holds, and nothing
    /// under one it does not hold; each refusal is counted. Accepting a fresh proposal under
    /// any held configuration fails here.
    #[test]
    fn a_fresh_proposal_needs_the_active_configuration() {
        let (_, _, _, mut primary) = run(&paper_b(20, ALT), 1);
        let v = 3;
        (primary.active[v], primary.held[v]) = (2, 4);
        let before = primary.rejections;
        assert!(primary.accepts(v as u32, 2, false));
        assert!(!primary.accepts(v as u32, 3, false), "held, not active");
        assert!(!primary.accepts(v as u32, 1, false), "an older one");
        assert!(primary.accepts(v as u32, 3, true));
        assert!(primary.accepts(v as u32, 1, true));
        assert!(!primary.accepts(v as u32, 5, true), "not held");
        assert_eq!(primary.rejections, before + 3);
    }

    #[test]
    fn no_block_is_accepted_without_its_configuration_even_with_crashes() {
        let mut p = paper_b(240, ALT);
        p.0.crash_nodes = 10;
        p.0.mean_uptime_ns = 30_000_000_000;
        p.0.mean_downtime_ns = 8_000_000_000;
        for i in 0..6 {
            let (o, m, sim, _) = run(&p, i);
            assert!(o.crashes > 0 && o.syncs > 0, "seed {i}: faults exercised");
            assert!(
                m.blocks >= 15,
                "seed {i}: {} configuration blocks",
                m.blocks
            );
            assert_eq!(m.config_violations, 0, "seed {i}");
            assert_eq!(m.forged_rejected, 0, "seed {i}");
            assert_eq!(o.safety_violations, 0, "seed {i}");
            // Configuration heights never go back along the chain, and every block's
            // configuration block exists.
            let cfgs = sim.chain_stamps();
            assert!(cfgs.windows(2).all(|w| w[0] <= w[1]), "seed {i}: {cfgs:?}");
            assert!(*cfgs.last().unwrap() <= m.blocks);
            assert!(m.switch_blocks > 5);
            assert_eq!(
                m.switch_blocks as usize,
                cfgs.windows(2).filter(|w| w[0] != w[1]).count()
            );
            // A block's transactions all at most once.
            let mut seen = vec![false; o.txs_generated as usize];
            for b in sim.chain_transactions() {
                for t in b {
                    assert!(!std::mem::replace(&mut seen[t as usize], true));
                }
            }
        }
    }

    #[test]
    fn delays_decompose_and_nodes_switch_only_after_holding_the_block() {
        let p = paper_b(300, Configs::Same);
        let (_, m, _, primary) = run(&p, 3);
        assert!(m.blocks >= 20, "{}", m.blocks);
        assert_eq!(m.failed_cycles, 0);
        for i in 0..m.blocks as usize {
            let (a, pr, u, t) = (
                m.cb_agreement_s[i],
                m.cb_propagation_s[i],
                m.cb_update_s[i],
                m.cb_total_s[i],
            );
            if t.is_nan() {
                // Only the last block may still be on its way at the end.
                assert_eq!(i + 1, m.blocks as usize);
                continue;
            }
            assert!(a > 0.0 && pr >= 0.0 && u >= 0.0, "block {i}: {a} {pr} {u}");
            // The total, recomputed from the raw per-node update times: the 21st (2f + 1 with
            // f = 10 of 32) node to run under the block, less the moment its interval fired.
            let n = 32;
            let mut ups: Vec<Time> = primary.update_times()[i * n..(i + 1) * n]
                .iter()
                .copied()
                .filter(|&x| x != Time::MAX)
                .collect();
            ups.sort_unstable();
            let kth = ups[20] as f64 / 1e9;
            assert!((kth - m.cb_cbi_at_s[i] - t).abs() < 1e-9, "block {i}");
            // The slowest node that is up at the end comes no sooner.
            assert!(m.cb_update_all_s[i] >= t);
        }
        // Every node ran under a block only after it held it.
        let n = 32;
        for (i, row) in primary.update_times().chunks(n).enumerate() {
            for (v, &u) in row.iter().enumerate() {
                if u != Time::MAX {
                    assert!(primary.hold_times()[i * n + v] <= u, "block {i} node {v}");
                }
            }
        }
        assert!(m.members.len() == 16 && m.members.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn alternating_configurations_take_effect() {
        let same = run(&paper_b(240, Configs::Same), 5).0;
        let slow = Configs::Alternate(Config {
            block_size_mb: 1.0,
            block_interval_ns: 2_000_000_000,
            consensus: crate::pbft::Consensus::Pbft,
        });
        let alt = run(&paper_b(240, slow), 5).0;
        // Half of the time under a 2 s block interval: far fewer blocks.
        assert!(
            (alt.blocks as f64) < 0.6 * same.blocks as f64,
            "{} vs {}",
            alt.blocks,
            same.blocks
        );
        assert_eq!(alt.safety_violations, 0);
    }

    /// Configuration blocks that switch protocol (every block under `Alternate`, one every
    /// 30 s as in the paper): PBFT with Tendermint, BigFoot and itself (a size-free switch),
    /// on four seeds of 5 minutes each. The chain stays safe, never waits 30 s for a block
    /// (nodes split between PBFT and BigFoot by a switch read each other's round changes;
    /// nodes split between PBFT and Tendermint, which share no message, switch when a timer
    /// fires; without the first a PBFT/BigFoot chain waits minutes, without the second a
    /// PBFT/Tendermint one 40-50 s), every switch block counts by direction, and the
    /// alternate protocol really runs: Tendermint's hash-only votes cut the bytes sent,
    /// BigFoot's fast path the messages.
    #[test]
    fn configuration_blocks_switch_the_protocol() {
        use crate::pbft::Consensus;
        let setup = |consensus| {
            let mut p = paper_b(
                300,
                Configs::Alternate(Config {
                    block_size_mb: 1.0,
                    block_interval_ns: 100_000_000,
                    consensus,
                }),
            );
            (p.1.cbi_mean_ns, p.1.cbi_sd_ns) = (30_000_000_000, 5_000_000_000);
            p
        };
        for i in 0..4 {
            let same = run(&setup(Consensus::Pbft), i).0;
            for c in [Consensus::Tendermint, Consensus::BigFoot] {
                let (o, m, ..) = run(&setup(c), i);
                assert_eq!(o.safety_violations, 0, "{c:?} seed {i}");
                assert!(
                    o.commit_gap_max_s < 30.0,
                    "{c:?} seed {i}: {}",
                    o.commit_gap_max_s
                );
                assert!(m.switch_blocks >= 8, "{c:?} seed {i}: {}", m.switch_blocks);
                assert!(m.switch_to_alt_block_time_s[1].is_finite());
                assert!(m.switch_to_base_block_time_s[1].is_finite());
                if c == Consensus::Tendermint {
                    assert!(
                        o.bytes_mb < 0.8 * same.bytes_mb,
                        "{} {}",
                        o.bytes_mb,
                        same.bytes_mb
                    );
                } else {
                    assert!(o.msgs < same.msgs, "{} {}", o.msgs, same.msgs);
                }
            }
        }
        let m = run(&paper_b(240, Configs::Same), 0).1;
        assert!(m.switch_to_alt_block_time_s[1].is_nan() && m.switch_blocks > 10);
    }

    /// `Configs::Random` (SymBChainSim V2's interval switch): every configuration block
    /// switches to one of the two protocols the chain does not run, both are drawn, the base
    /// block size and interval stay, and the chain stays safe and live through the switches.
    #[test]
    fn random_configurations_always_switch_protocol() {
        let mut p = paper_b(300, Configs::Random);
        (p.1.cbi_mean_ns, p.1.cbi_sd_ns) = (30_000_000_000, 5_000_000_000);
        let mut drawn = [0; 3];
        for i in 0..4 {
            let (o, m, _, primary) = run(&p, i);
            assert_eq!(o.safety_violations, 0);
            assert!(
                o.commit_gap_max_s < 30.0,
                "seed {i}: {}",
                o.commit_gap_max_s
            );
            assert!(m.switch_to_alt_block_time_s[1].is_finite());
            for w in primary.chain.windows(2) {
                assert_ne!(w[0].config.consensus, w[1].config.consensus);
                let c = w[1].config;
                assert_eq!(
                    (c.block_size_mb, c.block_interval_ns),
                    (1.0, p.0.block_interval_ns)
                );
                drawn[c.consensus as usize] += 1;
            }
        }
        assert!(drawn.iter().all(|&k| k > 0), "{drawn:?}");
    }

    /// `Configs::Cycle`: the block at configuration height h carries the ((h - 1) mod 3)-th
    /// configuration, every primary node runs under it (the blocks table reports what each
    /// sets), and the chain stays safe and live through protocol and size switches; the same
    /// holds whichever protocol the management chain itself runs.
    #[test]
    fn cycled_configurations_come_in_turn_under_every_management_protocol() {
        use crate::pbft::Consensus;
        let list = vec![
            Config {
                block_size_mb: 0.5,
                block_interval_ns: 200_000_000,
                consensus: Consensus::Tendermint,
            },
            Config {
                block_size_mb: 2.0,
                block_interval_ns: 100_000_000,
                consensus: Consensus::BigFoot,
            },
            Config {
                block_size_mb: 1.0,
                block_interval_ns: 100_000_000,
                consensus: Consensus::Pbft,
            },
        ];
        for (i, mgmt) in [Consensus::Pbft, Consensus::Tendermint, Consensus::BigFoot]
            .into_iter()
            .enumerate()
        {
            let mut p = paper_b(300, Configs::Cycle(list.clone()));
            (p.1.cbi_mean_ns, p.1.cbi_sd_ns) = (30_000_000_000, 5_000_000_000);
            p.1.consensus = mgmt;
            let (o, m, _, primary) = run(&p, i as u64);
            assert_eq!(o.safety_violations, 0, "{mgmt:?}");
            assert_eq!(m.config_violations, 0, "{mgmt:?}");
            assert!(m.blocks >= 6, "{mgmt:?}: {}", m.blocks);
            for (h, b) in primary.chain.iter().enumerate().skip(1) {
                assert_eq!(b.config, list[(h - 1) % 3], "{mgmt:?} height {h}");
                assert_eq!(m.cb_consensus[h - 1], list[(h - 1) % 3].consensus);
                assert_eq!(m.cb_block_size_mb[h - 1], list[(h - 1) % 3].block_size_mb);
                assert_eq!(
                    m.cb_block_interval_ms[h - 1],
                    [200.0, 100.0, 100.0][(h - 1) % 3]
                );
            }
            assert!(
                o.commit_gap_max_s < 40.0,
                "{mgmt:?}: {}",
                o.commit_gap_max_s
            );
        }
    }

    #[test]
    fn faulty_management_nodes_cost_cycles_and_without_a_quorum_nothing_is_agreed() {
        let mut p = paper_b(240, Configs::Same);
        p.1.offline = 3;
        p.1.invalid = 2;
        let o = run(&p, 1).1;
        assert!(o.blocks > 5 && o.failed_cycles > 0, "{o:?}");
        assert_eq!(o.failed_agreements, 0);
        // Each failed cycle costs a cycle timeout of agreement.
        for (fc, a) in o.cb_failed_cycles.iter().zip(&o.cb_agreement_s) {
            assert!(*a > f64::from(*fc) * 5.0);
        }
        p.1.offline = 6;
        p.1.invalid = 0;
        let o = run(&p, 1).1;
        assert_eq!(o.blocks, 0);
        assert!(o.failed_agreements > 0);
        assert_eq!(o.failed_cycles, 16 * u64::from(o.failed_agreements));
    }

    /// The configuration detector fires: a block accepted under a configuration its node does
    /// not hold is counted (the crash test above relies on it staying 0).
    #[test]
    fn a_block_accepted_without_its_configuration_is_counted() {
        let p = paper_b(120, ALT);
        let (_, m, sim, mut primary) = run(&p, 2);
        assert_eq!(m.config_violations, 0);
        assert!(m.blocks > 3);
        let held = primary.held[0];
        primary.committed(0, held);
        assert_eq!(primary.outcome(&sim).config_violations, 0);
        primary.committed(0, held + 1);
        assert_eq!(primary.outcome(&sim).config_violations, 1);
    }

    #[test]
    fn a_managed_run_is_reproducible() {
        let p = paper_b(120, ALT);
        let (a, b) = (run(&p, 9), run(&p, 9));
        // Compared as printed: a configuration block without a switch block has a NaN time.
        assert_eq!(format!("{:?}", (&a.0, &a.1)), format!("{:?}", (&b.0, &b.1)));
    }
}

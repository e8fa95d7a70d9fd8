//! The primary chain's side of decentralised management (Algorithm 2 of the management paper;
//! the management chain itself is [`crate::management`]).
//!
//! - When the configuration block interval fires, the management chain's agreement is
//!   simulated ([`agreement::agree`]); every management node that commits the block holds it
//!   at its commit time (it is a primary node too) and gossips it over the primary network, so
//!   the block spreads as one gossip with several origins.
//! - A primary node holds a block once it arrives and its checks pass ([`check`]: chain,
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

use super::{Ev, Kind, Msg, NONE, PbftParams, S, Simulator};
use crate::des::Time;
use crate::management::agreement::{self, Committee, RoundCosts};
use crate::management::{Config, ConfigBlock, Configs, Verdict, check};
use crate::network::Network;
use crate::pbft::metrics::{mean_finite, quantile};
use crate::rng::RunSeeds;
use crate::rng::{Stream, stream, stream_seed};
use rand_distr::{Distribution, Normal};

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

/// The management state of a run (empty when the run is not managed).
#[derive(Default)]
pub(super) struct Managed {
    pub(super) on: bool,
    committee: Option<Committee>,
    costs: Option<RoundCosts>,
    /// The management chain, genesis first.
    chain: Vec<ConfigBlock>,
    /// Each node's management chain height.
    pub(super) held: Vec<u32>,
    /// Each node's active configuration height `H_cc`.
    pub(super) active: Vec<u32>,
    /// Height a pending request for missing blocks brings (0: none).
    fetching: Vec<u32>,
    /// Height of the management chain a running sync brings.
    pub(super) sync_configs: Vec<u32>,
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
    rejections: u64,
    violations: u64,
    forged: u64,
    pub(super) msgs: u64,
    bytes_mb: f64,
    pub(super) events: u64,
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
    /// Fresh proposals a validator refused for their configuration.
    pub config_rejections: u64,
    /// Transaction blocks a node accepted without holding their configuration (0 in a
    /// correct model).
    pub config_violations: u64,
    /// Configuration blocks a primary node rejected (0 without forgers).
    pub forged_rejected: u64,
    /// Management messages: agreement traffic and the gossip of blocks to the primary.
    pub msgs: u64,
    /// Their volume, MB.
    pub bytes_mb: f64,
}

impl Managed {
    /// The configuration of height `h`.
    fn config(&self, h: u32) -> Config {
        self.chain[h as usize].config
    }
}

impl Simulator {
    /// The configuration node `v` runs under.
    #[inline]
    pub(super) fn node_config(&self, p: &PbftParams, v: u32) -> Config {
        if self.mgmt.on {
            self.mgmt.config(self.mgmt.active[v as usize])
        } else {
            base_config(p)
        }
    }

    /// Sets up the management chain for a run (before any round starts).
    pub(super) fn reset_management(&mut self, p: &PbftParams, net: &Network, seeds: RunSeeds) {
        let m = &mut self.mgmt;
        m.on = false;
        let Some(mp) = &p.management else {
            return;
        };
        let n = self.n as usize;
        m.on = true;
        let f = super::fault_tolerance(mp.members, p.sbs_compat);
        let committee = Committee::build(net, mp, f, seeds.master, seeds.env_key);
        m.costs = Some(RoundCosts {
            cb_size_mb: mp.cb_size_mb,
            base_msg_mb: p.base_msg_mb,
            votes: p.votes,
            msg_val_ns: p.msg_val_ns,
            block_val_ns: p.block_val_ns,
            creation_ns: p.creation_ns,
            cycle_timeout_ns: mp.cycle_timeout_ns,
        });
        let chain_id = stream_seed(seeds.master, seeds.env_key, "management-chain");
        m.chain.clear();
        m.chain
            .push(ConfigBlock::genesis(chain_id, mp.members, base_config(p)));
        m.committee = Some(committee);
        for x in [
            &mut m.held,
            &mut m.active,
            &mut m.fetching,
            &mut m.sync_configs,
        ] {
            x.clear();
            x.resize(n, 0);
        }
        m.records.clear();
        m.hold.clear();
        m.update.clear();
        m.failed_agreements = 0;
        m.failed_cycles = 0;
        m.next_key = 0;
        m.rejections = 0;
        m.violations = 0;
        m.forged = 0;
        m.msgs = 0;
        m.bytes_mb = 0.0;
        m.events = 0;
        let normal = Normal::new(mp.cbi_mean_ns as f64, mp.cbi_sd_ns as f64).expect("sd >= 0");
        m.cbi = Some((stream(seeds.master, seeds.run_key, "cbi"), normal));
        self.schedule_cbi(p, 0);
    }

    /// Schedules the next interval `CBI ~ Normal(mean, sd)` (at least 1 ms) after `t`.
    fn schedule_cbi(&mut self, p: &PbftParams, t: Time) {
        let (rng, normal) = self.mgmt.cbi.as_mut().expect("managed run");
        let at = t + normal.sample(rng).round().max(1e6) as Time;
        if at <= p.duration_ns {
            self.queue.schedule(at, Ev::Cbi);
        }
    }

    /// The interval fired: run the agreement, send the block into the primary network.
    pub(super) fn on_cbi(&mut self, p: &PbftParams, net: &Network, now: Time) {
        let mp = p.management.as_ref().expect("managed run");
        let m = &mut self.mgmt;
        let head = m.chain.last().expect("genesis");
        let config = match mp.configs {
            Configs::Alternate(alt) if (head.height + 1) % 2 == 1 => alt,
            _ => base_config(p),
        };
        let c = m.committee.as_ref().expect("managed run");
        let a = agreement::agree(
            c,
            m.costs.as_ref().expect("managed run"),
            head,
            config,
            now,
            &mut m.next_key,
            &mut m.scratch,
        );
        m.msgs += a.msgs;
        m.bytes_mb += a.bytes_mb;
        m.events += a.events;
        m.failed_cycles += u64::from(a.failed_cycles);
        let Some(block) = a.block else {
            m.failed_agreements += 1;
            self.schedule_cbi(p, a.agreed_at);
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
        m.records.push(Record {
            cbi_at: now,
            agreed_at: a.agreed_at,
            failed_cycles: a.failed_cycles,
            proposer: c.members[block.proposer as usize],
        });
        m.chain.push(block);
        let n = self.n as usize;
        m.hold.resize(m.hold.len() + n, Time::MAX);
        m.update.resize(m.update.len() + n, Time::MAX);

        // One gossip from every committed management node, over the primary network.
        let size = p.base_msg_mb + mp.cb_size_mb;
        let key = self.next_key;
        self.next_key += 1;
        let faults = &self.faults;
        let alive = |v: u32, at: Time| faults[v as usize].iter().all(|&(a, b)| at < a || at >= b);
        let spread = net.gossip_from(&origins, size, key, alive, &mut self.scratch);
        self.mgmt.msgs += spread.transmissions;
        self.mgmt.bytes_mb += spread.transmissions as f64 * size;
        let slot = self.wave_slot();
        let base = slot as usize * n;
        let check_ns = p.msg_val_ns + p.block_val_ns;
        let s = &self.scratch;
        let mut len = 0;
        for &v in &s.order {
            let origin = s.parent[v as usize] == v;
            let at = s.arrival[v as usize] + if origin { 0 } else { check_ns };
            self.wave_items[base + len] = (at, v);
            len += 1;
        }
        self.wave_items[base..base + len].sort_unstable();
        let msg = Msg {
            kind: Kind::Config,
            from: NONE,
            round: 0,
            block: h,
            a: NONE,
        };
        self.launch_wave(slot, msg, len);
        self.schedule_cbi(p, self.mgmt.records.last().expect("pushed").agreed_at);
    }

    /// Configuration block `h` reaches `v` (checked at `now`).
    pub(super) fn on_config(&mut self, p: &PbftParams, net: &Network, v: u32, h: u32, now: Time) {
        let m = &mut self.mgmt;
        let c = m.committee.as_ref().expect("managed run");
        let head = &m.chain[m.held[v as usize] as usize];
        match check(&m.chain[h as usize], head, c.size(), c.f) {
            Ok(Verdict::Append) => {
                m.held[v as usize] = h;
                let i = (h as usize - 1) * self.n as usize + v as usize;
                m.hold[i] = m.hold[i].min(now);
            }
            Ok(Verdict::Future) => self.fetch_configs(p, net, v, now),
            Ok(Verdict::Stale) => {}
            Err(_) => m.forged += 1,
        }
    }

    /// Requests the configuration blocks `v` misses from its most advanced live peer.
    pub(super) fn fetch_configs(&mut self, p: &PbftParams, net: &Network, v: u32, now: Time) {
        if !self.mgmt.on {
            return;
        }
        let m = &self.mgmt;
        let mine = m.held[v as usize].max(m.fetching[v as usize]);
        let mut best: Option<u32> = None;
        for &u in net.peers(v) {
            let hu = m.held[u as usize];
            if self.nodes[u as usize].alive
                && hu > mine
                && best.is_none_or(|b| hu > m.held[b as usize])
            {
                best = Some(u);
            }
        }
        let Some(peer) = best else {
            return;
        };
        let upto = m.held[peer as usize];
        let d = self.config_transfer_ns(p, net, peer, v, m.held[v as usize], upto);
        self.mgmt.fetching[v as usize] = upto;
        self.queue
            .schedule(now + d, Ev::ConfigFetched { node: v, upto });
    }

    /// Time to transfer configuration blocks `from + 1 ..= upto` from `peer` to `v`.
    pub(super) fn config_transfer_ns(
        &self,
        p: &PbftParams,
        net: &Network,
        peer: u32,
        v: u32,
        from: u32,
        upto: u32,
    ) -> Time {
        let size = p.base_msg_mb + p.management.as_ref().map_or(0.0, |mp| mp.cb_size_mb);
        (from + 1..=upto)
            .map(|h| {
                let key = FETCH_TAG | (u64::from(v) << 32) | u64::from(h);
                p.sync_request_ns + net.delay_ns(peer, v, size, key)
            })
            .sum()
    }

    /// Requested configuration blocks arrive at `v`.
    pub(super) fn config_fetched(&mut self, v: u32, upto: u32, now: Time) {
        let alive = self.nodes[v as usize].alive;
        let m = &mut self.mgmt;
        if m.fetching[v as usize] == upto {
            m.fetching[v as usize] = 0;
        }
        if !alive {
            return;
        }
        self.apply_configs(v, upto, now);
    }

    /// `v` appends blocks up to `upto` it received from a peer (checked one by one).
    pub(super) fn apply_configs(&mut self, v: u32, upto: u32, now: Time) {
        let n = self.n as usize;
        let m = &mut self.mgmt;
        let c = m.committee.as_ref().expect("managed run");
        while m.held[v as usize] < upto {
            let h = m.held[v as usize] + 1;
            match check(
                &m.chain[h as usize],
                &m.chain[h as usize - 1],
                c.size(),
                c.f,
            ) {
                Ok(Verdict::Append) => {
                    m.held[v as usize] = h;
                    let i = (h as usize - 1) * n + v as usize;
                    m.hold[i] = m.hold[i].min(now);
                }
                _ => {
                    m.forged += 1;
                    break;
                }
            }
        }
    }

    /// Between rounds: `v` switches to the newest configuration it holds.
    #[inline]
    pub(super) fn switch_config(&mut self, v: u32, t: Time) {
        let m = &mut self.mgmt;
        let (held, active) = (m.held[v as usize], m.active[v as usize]);
        if held > active {
            let n = self.n as usize;
            for h in active + 1..=held {
                let i = (h as usize - 1) * n + v as usize;
                m.update[i] = m.update[i].min(t);
            }
            m.active[v as usize] = held;
        }
    }

    /// Whether validator `v` may accept proposal `b` (`reproposal`: it carries a lock round).
    #[inline]
    pub(super) fn config_acceptable(&mut self, v: u32, b: u32, reproposal: bool) -> bool {
        let m = &mut self.mgmt;
        if !m.on {
            return true;
        }
        let cfg = self.proposals[b as usize].cfg;
        let ok = cfg == m.active[v as usize] || (reproposal && cfg <= m.held[v as usize]);
        if !ok {
            m.rejections += 1;
        }
        ok
    }

    /// Whether `v` holds the configuration of block `b`.
    #[inline]
    pub(super) fn holds_config(&self, v: u32, b: u32) -> bool {
        !self.mgmt.on || self.proposals[b as usize].cfg <= self.mgmt.held[v as usize]
    }

    /// Counts a block accepted without its configuration (the invariant the tests check).
    #[inline]
    pub(super) fn audit_commit(&mut self, v: u32, b: u32) {
        if !self.holds_config(v, b) {
            self.mgmt.violations += 1;
        }
    }

    /// The management figures of the run that just ended.
    pub(super) fn management_outcome(&self) -> Option<ManagementOutcome> {
        let m = &self.mgmt;
        if !m.on {
            return None;
        }
        let c = m.committee.as_ref().expect("managed run");
        let n = self.n as usize;
        let k = (2 * self.f + 1) as usize;
        let s = |t: Time| t as f64 / S;
        let mut o = ManagementOutcome {
            members: c.members.clone(),
            blocks: m.records.len() as u32,
            failed_agreements: m.failed_agreements,
            failed_cycles: m.failed_cycles,
            cb_height: Vec::new(),
            cb_cbi_at_s: Vec::new(),
            cb_failed_cycles: Vec::new(),
            cb_proposer: Vec::new(),
            cb_agreement_s: Vec::new(),
            cb_propagation_s: Vec::new(),
            cb_update_s: Vec::new(),
            cb_total_s: Vec::new(),
            cb_update_all_s: Vec::new(),
            agreement_mean_s: f64::NAN,
            propagation_mean_s: f64::NAN,
            update_mean_s: f64::NAN,
            total_mean_s: f64::NAN,
            update_all_mean_s: f64::NAN,
            switch_blocks: 0,
            switch_block_time_s: [f64::NAN; 3],
            normal_block_time_s: [f64::NAN; 3],
            config_rejections: m.rejections,
            config_violations: m.violations,
            forged_rejected: m.forged,
            msgs: m.msgs,
            bytes_mb: m.bytes_mb,
        };
        let mut times: Vec<Time> = Vec::with_capacity(n);
        // The k-th smallest of a block's per-node times (None if fewer than k nodes).
        let kth = |times: &mut Vec<Time>, row: &[Time]| {
            times.clear();
            times.extend(row.iter().copied().filter(|&t| t != Time::MAX));
            times.sort_unstable();
            times.get(k - 1).copied()
        };
        for (i, r) in m.records.iter().enumerate() {
            let row = i * n..(i + 1) * n;
            let held = kth(&mut times, &m.hold[row.clone()]);
            let updated = kth(&mut times, &m.update[row.clone()]);
            let last = (0..n)
                .filter(|&v| self.nodes[v].alive)
                .map(|v| m.update[row.start + v])
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
        }
        o.agreement_mean_s = mean_finite(o.cb_agreement_s.iter().copied());
        o.propagation_mean_s = mean_finite(o.cb_propagation_s.iter().copied());
        o.update_mean_s = mean_finite(o.cb_update_s.iter().copied());
        o.total_mean_s = mean_finite(o.cb_total_s.iter().copied());
        o.update_all_mean_s = mean_finite(o.cb_update_all_s.iter().copied());

        // Inter-block times of switch and normal blocks, every live node's.
        let (mut switch, mut normal) = (Vec::new(), Vec::new());
        for h in 2..=self.canonical.len() {
            let cfg = |h: usize| self.proposals[self.canonical[h - 1] as usize].cfg;
            let is_switch = cfg(h) != cfg(h - 1);
            o.switch_blocks += u32::from(is_switch);
            for v in 0..n {
                if !self.nodes[v].alive || (self.nodes[v].height as usize) < h {
                    continue;
                }
                let gap = s(self.added[(h - 1) * n + v]) - s(self.added[(h - 2) * n + v]);
                if is_switch {
                    switch.push(gap);
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
        Some(o)
    }
}

/// The primary's configuration at the start: its block size and block interval.
pub(super) fn base_config(p: &PbftParams) -> Config {
    Config {
        block_size_mb: p.block_size_mb,
        block_interval_ns: p.block_interval_ns,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::paper_a;
    use super::super::{PbftOutcome, Simulator};
    use super::*;
    use crate::management::ManagementParams;
    use crate::network::Bandwidth;
    use crate::pbft::workload::TxSize;

    /// Paper B's primary chain for `secs` seconds, managed by 16 of its 32 nodes.
    fn paper_b(secs: u64, configs: Configs) -> PbftParams {
        let mut p = paper_a(32, 16, 50.0);
        p.net.bandwidth = Bandwidth::PerMessage;
        p.net.bandwidth_mean = 10.0;
        p.net.bandwidth_sd = 0.5;
        p.workload.size_mb = 0.004;
        p.workload.size_dist = TxSize::Exponential;
        p.stop_after_txs = 0;
        p.duration_ns = secs * 1_000_000_000;
        p.management = Some(ManagementParams {
            members: 16,
            peers: 8,
            cbi_mean_ns: 10_000_000_000,
            cbi_sd_ns: 2_000_000_000,
            cb_size_mb: 0.25,
            cycle_timeout_ns: 5_000_000_000,
            configs,
            offline: 0,
            invalid: 0,
        });
        p
    }

    fn seeds(i: u64) -> RunSeeds {
        RunSeeds {
            master: 77,
            env_key: i,
            run_key: i ^ 0xABCD,
        }
    }

    fn run(p: &PbftParams, i: u64) -> (PbftOutcome, Simulator) {
        let mut sim = Simulator::default();
        let o = super::super::simulate(p, seeds(i), &mut sim);
        (o, sim)
    }

    const ALT: Configs = Configs::Alternate(Config {
        block_size_mb: 0.5,
        block_interval_ns: 300_000_000,
    });

    #[test]
    fn no_block_is_accepted_without_its_configuration_even_with_crashes() {
        let mut p = paper_b(240, ALT);
        p.crash_nodes = 10;
        p.mean_uptime_ns = 30_000_000_000;
        p.mean_downtime_ns = 8_000_000_000;
        for i in 0..6 {
            let (o, sim) = run(&p, i);
            let m = o.management.as_ref().unwrap();
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
            let cfgs = sim.chain_configs();
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
        let (o, sim) = run(&p, 3);
        let m = o.management.unwrap();
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
            assert!((a + pr + u - t).abs() < 1e-9);
            assert!(m.cb_update_all_s[i] >= t);
        }
        // Every node ran under a block only after it held it.
        let n = 32;
        for (i, row) in sim.mgmt.update.chunks(n).enumerate() {
            for (v, &u) in row.iter().enumerate() {
                if u != Time::MAX {
                    assert!(sim.mgmt.hold[i * n + v] <= u, "block {i} node {v}");
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

    #[test]
    fn faulty_management_nodes_cost_cycles_and_without_a_quorum_nothing_is_agreed() {
        let mut p = paper_b(240, Configs::Same);
        let mp = p.management.as_mut().unwrap();
        mp.offline = 3;
        mp.invalid = 2;
        let o = run(&p, 1).0.management.unwrap();
        assert!(o.blocks > 5 && o.failed_cycles > 0, "{o:?}");
        assert_eq!(o.failed_agreements, 0);
        // Each failed cycle costs a cycle timeout of agreement.
        for (fc, a) in o.cb_failed_cycles.iter().zip(&o.cb_agreement_s) {
            assert!(*a > f64::from(*fc) * 5.0);
        }
        let mp = p.management.as_mut().unwrap();
        mp.offline = 6;
        mp.invalid = 0;
        let o = run(&p, 1).0.management.unwrap();
        assert_eq!(o.blocks, 0);
        assert!(o.failed_agreements > 0);
        assert_eq!(o.failed_cycles, 16 * u64::from(o.failed_agreements));
    }

    #[test]
    fn a_managed_run_is_reproducible() {
        let p = paper_b(120, ALT);
        assert_eq!(run(&p, 9).0, run(&p, 9).0);
    }
}

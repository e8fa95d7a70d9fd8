//! The chain's extension points: what an extension (the twin's peer-state estimation, the
//! management chain's primary side) may watch or decide, and the small API it may call back
//! into the simulator with. The chain calls a hook at fixed points of its run; a hook's answer
//! is a plain value, so the chain keeps no knowledge of what an extension does.
//!
//! - [`Transmissions`] watches every message a run sends (the twin's estimation).
//! - [`Reconfiguration`] stamps blocks with a configuration and switches a node's
//!   configuration between its rounds (the management chain); it may schedule its own events
//!   and gossip its own messages over the chain's network through [`Simulator`]'s extension
//!   API ([`Simulator::schedule_hook`], [`Simulator::gossip_hook`], and the read-only views).
//!
//! Architecture invariant: this file imports no extension (they import it); it is the only way
//! into the chain.

use super::*;

/// A hook that watches a run's transmissions (the twin's peer-state estimation implements it
/// from its own module; the chain knows nothing of what it does with them).
pub trait Transmissions: std::any::Any + Send {
    /// One message of `size_mb` from `u` to `v` (a sync transfer), keyed by `key`.
    fn message(&mut self, net: &Network, u: u32, v: u32, size_mb: f64, key: u64);
    /// One broadcast of message `key` from `origin`, whose deliveries are in `s` (from
    /// [`Network::gossip`] or [`Network::broadcast`], as `how` says).
    fn spread(
        &mut self,
        net: &Network,
        s: &GossipScratch,
        origin: u32,
        size_mb: f64,
        key: u64,
        how: Dissemination,
    );
    /// The hook as `Any`, so that its owner can take its concrete type back after a run.
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any>;
}

/// The `node` of a hook event that concerns no node ([`Simulator::schedule_hook`]).
pub const NO_NODE: u32 = u32::MAX;

/// What a round runs under: the chain parameters a configuration may change.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoundConfig {
    /// Largest block, MB.
    pub block_size_mb: f64,
    /// Delay from entering a round to the leader's proposal, ns.
    pub block_interval_ns: Time,
    /// The consensus protocol (a node parses only the messages of the protocol it runs).
    pub consensus: Consensus,
}

impl RoundConfig {
    /// The configuration `p` starts with.
    pub fn base(p: &PbftParams) -> RoundConfig {
        RoundConfig {
            block_size_mb: p.block_size_mb,
            block_interval_ns: p.block_interval_ns,
            consensus: p.consensus,
        }
    }
}

/// A hook that reconfigures the chain between rounds (the management chain's primary side
/// implements it from its own module). A block carries the *stamp* of the configuration its
/// leader made it under (a `u32`, 0 for the base configuration); the hook alone knows what a
/// stamp means.
///
/// The chain calls it: once before any round ([`reset`](Self::reset)); whenever a node enters
/// a round ([`enter_round`](Self::enter_round)); when a leader builds a block
/// ([`current`](Self::current)); when a validator weighs a fresh proposal
/// ([`accepts`](Self::accepts)) or a decided block ([`holds`](Self::holds),
/// [`missing`](Self::missing)); at every commit ([`committed`](Self::committed)); when a sync
/// starts and ends; when a node recovers; and for the events and messages the hook scheduled
/// itself ([`event`](Self::event), [`deliver`](Self::deliver)).
pub trait Reconfiguration: std::any::Any + Send {
    /// Sets the hook up for a run, before any round starts (it may schedule events).
    fn reset(&mut self, chain: &mut Simulator, p: &PbftParams, net: &Network, seeds: RunSeeds);
    /// `v` enters a round at `t`: it may switch configuration; returns what the round runs
    /// under.
    fn enter_round(&mut self, v: u32, t: Time) -> RoundConfig;
    /// The stamp and configuration `v` runs under now (a leader building its block).
    fn current(&self, v: u32) -> (u32, RoundConfig);
    /// The newest configuration `v` holds (it runs under it from its next round).
    fn newest(&self, v: u32) -> RoundConfig;
    /// Whether validator `v` may accept a fresh proposal stamped `stamp` (`reproposal`: it
    /// carries a lock round).
    fn accepts(&mut self, v: u32, stamp: u32, reproposal: bool) -> bool;
    /// Whether `v` can validate a decided block stamped `stamp`.
    fn holds(&self, v: u32, stamp: u32) -> bool;
    /// `v` lacks what it needs (a decided block it cannot validate, or it recovered at `now`).
    fn missing(&mut self, chain: &mut Simulator, p: &PbftParams, net: &Network, v: u32, now: Time);
    /// `v` committed a block stamped `stamp`.
    fn committed(&mut self, v: u32, stamp: u32);
    /// `v` starts a sync from `peer`: the extra transfer time the hook's own data adds.
    fn sync_begins(&mut self, p: &PbftParams, net: &Network, peer: u32, v: u32) -> Time;
    /// `v`'s sync ended at `now` (what came with it is applied).
    fn sync_ends(&mut self, v: u32, now: Time);
    /// An event the hook scheduled with [`Simulator::schedule_hook`] is due.
    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        chain: &mut Simulator,
        p: &PbftParams,
        net: &Network,
        node: u32,
        arg: u32,
        now: Time,
    );
    /// A message the hook sent with [`Simulator::gossip_hook`] reaches `v` at `now`.
    fn deliver(
        &mut self,
        chain: &mut Simulator,
        p: &PbftParams,
        net: &Network,
        v: u32,
        payload: u32,
        now: Time,
    );
    /// Transmissions the hook made so far (they count against the run budget).
    fn msgs(&self) -> u64;
    /// Events the hook processed outside the chain's queue (added to the run's events).
    fn events(&self) -> u64;
    /// The hook as `Any`, so that its owner can take its concrete type back after a run.
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any>;
}

impl Simulator {
    /// Makes the next runs reconfigure the chain through `hook`; `None` runs the base chain.
    pub fn reconfigure(&mut self, hook: Option<Box<dyn Reconfiguration>>) {
        self.ext.reconfig = hook;
    }

    /// The reconfiguration hook of the last run, taken out of the simulator.
    pub fn take_reconfiguration(&mut self) -> Option<Box<dyn Reconfiguration>> {
        self.ext.reconfig.take()
    }

    /// Runs `f` on the hook with the simulator lent to it (the hook is out of the simulator
    /// meanwhile). Does nothing without a hook.
    #[inline]
    pub(super) fn with_hook(&mut self, f: impl FnOnce(&mut dyn Reconfiguration, &mut Simulator)) {
        if let Some(mut h) = self.ext.reconfig.take() {
            f(h.as_mut(), self);
            self.ext.reconfig = Some(h);
        }
    }

    /// The configuration `v` runs under and its stamp.
    #[inline]
    pub(super) fn round_config(&self, p: &PbftParams, v: u32) -> (u32, RoundConfig) {
        match &self.ext.reconfig {
            Some(h) => h.current(v),
            None => (0, RoundConfig::base(p)),
        }
    }

    // The extension API: what a hook may read and do.

    /// Nodes of the run.
    pub fn node_count(&self) -> u32 {
        self.n
    }

    /// The run's fault tolerance f.
    pub fn f(&self) -> u32 {
        self.f
    }

    /// Whether `v` is up now.
    pub fn is_alive(&self, v: u32) -> bool {
        self.nodes[v as usize].alive
    }

    /// Blocks in `v`'s chain.
    pub fn height(&self, v: u32) -> u32 {
        self.nodes[v as usize].height
    }

    /// When `v` added height `h` (1-based) to its chain (`Time::MAX`: it has not).
    pub fn added_at(&self, h: u32, v: u32) -> Time {
        self.chain.added[(h as usize - 1) * self.n as usize + v as usize]
    }

    /// Schedules the hook's [`Reconfiguration::event`] at `at` with `node` (or `u32::MAX` for
    /// none: no node's backlog is replayed after it) and `arg`.
    pub fn schedule_hook(&mut self, at: Time, node: u32, arg: u32) {
        self.queue.schedule(at, Ev::Hook { node, arg });
    }

    /// One gossip of a hook message of `size_mb` from several `origins` (each with the time it
    /// starts there) over the chain's network, as far as live nodes relay it. Each reached node
    /// gets [`Reconfiguration::deliver`] with `payload`, `check_ns` after its arrival (an
    /// origin at once). Returns the transmissions.
    pub fn gossip_hook(
        &mut self,
        net: &Network,
        origins: &[(u32, Time)],
        size_mb: f64,
        check_ns: Time,
        payload: u32,
    ) -> u64 {
        let key = self.next_key;
        self.next_key += 1;
        let faults = &self.faults;
        let alive = |v: u32, at: Time| super::faults::up_at(&faults[v as usize], at);
        let spread = net.gossip_from(origins, size_mb, key, alive, &mut self.scratch);
        let slot = self.wave_slot();
        let base = slot as usize * self.n as usize;
        let s = &self.scratch;
        let mut len = 0;
        for &v in &s.order {
            let origin = s.parent[v as usize] == v;
            let at = s.arrival[v as usize] + if origin { 0 } else { check_ns };
            self.waves.items[base + len] = (at, v);
            len += 1;
        }
        self.waves.items[base..base + len].sort_unstable();
        let msg = Msg {
            kind: Kind::Hook,
            from: NONE,
            round: 0,
            block: payload,
            a: NONE,
            proto: UNSTAMPED,
        };
        self.launch_wave(slot, msg, len);
        spread.transmissions
    }
}

//! Round timers and round changes: a node whose round times out votes to move on, a quorum
//! of round-change votes starts the next round, and a new block (with its proof) brings a
//! node that fell behind into the round the others are in.

use super::*;

impl Simulator {
    /// Arms `v`'s timer for `at`, replacing the previous one. Timers are cancelled lazily: a
    /// node keeps at most one timer event that can still matter in the queue (the earliest);
    /// when an event finds the timer moved later, it re-enters the queue at the new time. This
    /// keeps the queue at O(nodes + in-flight broadcasts) entries.
    pub(super) fn arm_timer(&mut self, v: u32, at: Time) {
        let nd = &mut self.nodes[v as usize];
        nd.timeout_at = at;
        if at < nd.timer_next {
            nd.timer_next = at;
            self.queue.schedule(at, Ev::Timeout { node: v });
        }
    }

    pub(super) fn timeout(&mut self, p: &PbftParams, net: &Network, v: u32, now: Time) {
        let nd = &mut self.nodes[v as usize];
        if now == nd.timer_next {
            nd.timer_next = Time::MAX;
        }
        if nd.timeout_at != now {
            let at = nd.timeout_at;
            if at != Time::MAX && at > now && at < nd.timer_next {
                nd.timer_next = at;
                self.queue.schedule(at, Ev::Timeout { node: v });
            }
            return;
        }
        nd.timeout_at = Time::MAX;
        if !nd.alive {
            return;
        }
        let (round, current) = (nd.round, nd.consensus);
        if let Some(h) = &self.ext.reconfig
            && let newest = h.newest(v).consensus
            && newest != current
            && (p.real_tendermint(newest) || p.real_tendermint(current))
        {
            // A node whose timer fires while the newest configuration it holds moves it
            // between the real Tendermint and a protocol with PBFT's round gives its round
            // up and starts the next one under that protocol: the two share no message, so
            // nodes that a switch split between them, each side short of a quorum, would
            // otherwise wait on each other. (Protocols with PBFT's round read each other's
            // round changes and switch at round start.)
            self.counters.timeouts += 1;
            if !self.begin_sync(p, net, v, now) {
                self.enter_by_round_change(p, v, round + 1, now);
            }
            return;
        }
        if self.real_tendermint(p, v) {
            return self.tm_timeout(p, net, v, now);
        }
        self.counters.timeouts += 1;
        if self.begin_sync(p, net, v, now) {
            return;
        }
        let n = self.n as usize;
        let row = &self.votes.rc[v as usize * n..(v as usize + 1) * n];
        let mut target = self.nodes[v as usize].round.max(row[v as usize]) + 1;
        for &r in row {
            if r > target && row.iter().filter(|&&x| x == r).count() as u32 > self.f {
                target = r;
            }
        }
        self.vote_round_change(p, net, v, target, now);
    }

    pub(super) fn vote_round_change(
        &mut self,
        p: &PbftParams,
        net: &Network,
        v: u32,
        target: u32,
        t: Time,
    ) {
        let n = self.n as usize;
        self.votes.rc[v as usize * n + v as usize] = target;
        let nd = &mut self.nodes[v as usize];
        nd.phase = Phase::RoundChange;
        nd.epoch += 1;
        nd.dirty = true;
        let msg = Msg {
            kind: Kind::RoundChange,
            from: v,
            round: target,
            block: nd.lock_block,
            a: nd.lock_round,
            proto: UNSTAMPED,
        };
        self.arm_timer(v, t + p.timeout_ns);
        self.send_all(p, net, msg, t);
        if self.rc_votes(v, target) >= self.votes.quorum {
            self.enter_by_round_change(p, v, target, t);
        }
    }

    pub(super) fn rc_votes(&self, v: u32, round: u32) -> u32 {
        let n = self.n as usize;
        self.votes.rc[v as usize * n..(v as usize + 1) * n]
            .iter()
            .filter(|&&x| x == round)
            .count() as u32
    }

    pub(super) fn enter_by_round_change(&mut self, p: &PbftParams, v: u32, round: u32, t: Time) {
        if self.votes.rc_started.len() <= round as usize {
            self.votes.rc_started.resize(round as usize + 1, false);
        }
        if !self.votes.rc_started[round as usize] {
            self.votes.rc_started[round as usize] = true;
            self.counters.round_changes += 1;
        }
        self.start(p, v, round, t);
    }

    pub(super) fn on_round_change(
        &mut self,
        p: &PbftParams,
        net: &Network,
        v: u32,
        msg: Msg,
        now: Time,
    ) {
        let n = self.n as usize;
        let nd = &mut self.nodes[v as usize];
        if msg.block != NONE
            && self.chain.proposals[msg.block as usize].height == nd.height + 1
            && (nd.seen_block == NONE || msg.a > nd.seen_round)
        {
            nd.seen_block = msg.block;
            nd.seen_round = msg.a;
        }
        if msg.round <= nd.round {
            return;
        }
        let slot = &mut self.votes.rc[v as usize * n + msg.from as usize];
        if *slot >= msg.round {
            return;
        }
        *slot = msg.round;
        let t = now.max(nd.ready_at) + p.msg_val_ns;
        let syncing = nd.phase == Phase::Syncing;
        let votes = self.rc_votes(v, msg.round);
        if votes > self.f && self.votes.rc[v as usize * n + v as usize] < msg.round && !syncing {
            self.vote_round_change(p, net, v, msg.round, t);
        } else if votes >= self.votes.quorum && !syncing {
            self.enter_by_round_change(p, v, msg.round, t);
        }
    }

    pub(super) fn on_new_block(
        &mut self,
        p: &PbftParams,
        net: &Network,
        v: u32,
        msg: Msg,
        now: Time,
    ) {
        let nd = &self.nodes[v as usize];
        if nd.phase == Phase::Syncing {
            return;
        }
        let prop = self.chain.proposals[msg.block as usize];
        if prop.height <= nd.height {
            return;
        }
        if prop.height > nd.height + 1 {
            self.begin_sync(p, net, v, now);
            return;
        }
        if let Some(h) = &self.ext.reconfig
            && !h.holds(v, prop.stamp)
        {
            // It cannot validate the block before it has what the hook says it needs.
            self.with_hook(|h, sim| h.missing(sim, p, net, v, now));
            return;
        }
        let t = now.max(nd.ready_at) + p.msg_val_ns + p.block_val_ns;
        let round = (prop.round + 1).max(nd.round);
        let block = if self.byzantine[v as usize] {
            match self.honest_block(v) {
                Some(b) => b,
                None => return,
            }
        } else {
            msg.block
        };
        self.commit_block(p, v, block, t);
        self.start(p, v, round, t);
    }
}

//! The PBFT phases of a round: a node's handling of the current round's messages (pre-prepare,
//! prepare and commit votes, one bit per voter), and the quorum checks that move it from
//! prepared to committed.

use super::*;

impl Simulator {
    pub(super) fn bit(bits: &mut [u64], w: usize, v: u32, who: u32) -> bool {
        let i = v as usize * w + who as usize / 64;
        let m = 1u64 << (who % 64);
        let fresh = bits[i] & m == 0;
        bits[i] |= m;
        fresh
    }

    /// Handles a pre-prepare, prepare or commit of the node's current round. Returns false
    /// when the message must wait in the backlog.
    pub(super) fn on_current(
        &mut self,
        p: &PbftParams,
        net: &Network,
        v: u32,
        msg: Msg,
        now: Time,
    ) -> bool {
        if self.real_tendermint(p, v) {
            return self.tm_on_current(p, net, v, msg, now);
        }
        let w = self.votes.words;
        let nd = &self.nodes[v as usize];
        let base = now.max(nd.ready_at);
        match msg.kind {
            Kind::PrePrepare => {
                if nd.phase != Phase::NewRound {
                    return true;
                }
                if !self.proposal_in_order(p, net, v, &msg, now)
                    || !self.respects_lock(p, v, &msg)
                    || !self.hook_accepts(v, &msg)
                {
                    return true;
                }
                let t = base + p.msg_val_ns + p.block_val_ns;
                let nd = &mut self.nodes[v as usize];
                nd.block = msg.block;
                nd.phase = Phase::PrePrepared;
                nd.ready_at = t;
                nd.prepares = 1;
                nd.dirty = true;
                if nd.fast {
                    // BigFoot: a prepare sent on the fast path may complete a fast commit
                    // elsewhere (every validator's prepare), so it locks the block as a
                    // prepared certificate does.
                    nd.lock_block = msg.block;
                    nd.lock_round = nd.round;
                }
                let round = nd.round;
                Self::bit(&mut self.votes.prepare_bits, w, v, v);
                self.send_all(
                    p,
                    net,
                    Msg {
                        kind: Kind::Prepare,
                        from: v,
                        round,
                        block: msg.block,
                        a: NONE,
                        proto: UNSTAMPED,
                    },
                    t,
                );
                self.check_prepared(p, net, v, t);
                true
            }
            Kind::Prepare => match nd.phase {
                Phase::NewRound => false,
                // The leader's pre-prepare is its vote: a prepare from it does not count. Only
                // a Byzantine leader sends one, so only a Byzantine sender is looked up (the
                // leader under `proposer = "hash"` costs a block hash).
                Phase::PrePrepared
                    if msg.block == nd.block
                        && !(self.byzantine[msg.from as usize]
                            && msg.from == self.leader(p, v, nd.round)) =>
                {
                    if Self::bit(&mut self.votes.prepare_bits, w, v, msg.from) {
                        self.nodes[v as usize].prepares += 1;
                        self.check_prepared(p, net, v, base + p.msg_val_ns);
                    }
                    true
                }
                _ => true,
            },
            Kind::Commit => match nd.phase {
                Phase::NewRound | Phase::PrePrepared => false,
                Phase::Prepared if msg.block == nd.block => {
                    if Self::bit(&mut self.votes.commit_bits, w, v, msg.from) {
                        self.nodes[v as usize].commits += 1;
                        self.check_committed(p, net, v, base + p.msg_val_ns);
                    }
                    true
                }
                _ => true,
            },
            Kind::NewBlock | Kind::RoundChange | Kind::Hook => {
                unreachable!("handled by deliver")
            }
        }
    }

    /// Whether `msg`'s proposal is for `v`'s next height and from its round's leader; a
    /// proposal further ahead from the leader starts a sync.
    pub(super) fn proposal_in_order(
        &mut self,
        p: &PbftParams,
        net: &Network,
        v: u32,
        msg: &Msg,
        now: Time,
    ) -> bool {
        let nd = &self.nodes[v as usize];
        // The height first: who leads a round may depend on the chain's last block.
        let h = self.chain.proposals[msg.block as usize].height;
        if h != nd.height + 1 {
            if h > nd.height + 1 && msg.from == self.leader(p, v, nd.round) {
                self.begin_sync(p, net, v, now);
            }
            return false;
        }
        msg.from == self.leader(p, v, nd.round)
    }

    /// Whether `v`'s lock lets it take `msg`'s proposal (see [`PbftParams::unlocks`]).
    pub(super) fn respects_lock(&self, p: &PbftParams, v: u32, msg: &Msg) -> bool {
        let nd = &self.nodes[v as usize];
        nd.lock_block == NONE
            || nd.lock_block == msg.block
            || p.unlocks(nd.consensus, msg.a, nd.lock_round)
    }

    /// Whether the reconfiguration hook, if any, lets `v` take `msg`'s proposal.
    pub(super) fn hook_accepts(&mut self, v: u32, msg: &Msg) -> bool {
        match &mut self.ext.reconfig {
            Some(h) => {
                let stamp = self.chain.proposals[msg.block as usize].stamp;
                h.accepts(v, stamp, msg.a != NONE)
            }
            None => true,
        }
    }

    pub(super) fn check_prepared(&mut self, p: &PbftParams, net: &Network, v: u32, t: Time) {
        let w = self.votes.words;
        let nd = &self.nodes[v as usize];
        if nd.phase != Phase::PrePrepared {
            return;
        }
        if nd.fast {
            // BigFoot's fast path: every validator's prepare, or wait for the timer.
            if self.fast_quorum(v) {
                let nd = &mut self.nodes[v as usize];
                nd.ready_at = nd.ready_at.max(t);
                self.decide(p, net, v, t);
            }
            return;
        }
        let nd = &mut self.nodes[v as usize];
        if nd.prepares + 1 < self.votes.quorum {
            return;
        }
        nd.phase = Phase::Prepared;
        nd.lock_block = nd.block;
        nd.lock_round = nd.round;
        nd.ready_at = nd.ready_at.max(t);
        nd.commits = 1;
        nd.dirty = true;
        let msg = Msg {
            kind: Kind::Commit,
            from: v,
            round: nd.round,
            block: nd.block,
            a: NONE,
            proto: UNSTAMPED,
        };
        Self::bit(&mut self.votes.commit_bits, w, v, v);
        self.send_all(p, net, msg, t);
        self.check_committed(p, net, v, t);
    }

    pub(super) fn check_committed(&mut self, p: &PbftParams, net: &Network, v: u32, t: Time) {
        let nd = &self.nodes[v as usize];
        if nd.phase != Phase::Prepared || nd.commits < self.votes.quorum {
            return;
        }
        self.decide(p, net, v, t);
    }

    /// `v` commits the round's block at `t` (the leader broadcasts it) and starts the next
    /// round.
    pub(super) fn decide(&mut self, p: &PbftParams, net: &Network, v: u32, t: Time) {
        let nd = &self.nodes[v as usize];
        let (mut block, round) = (nd.block, nd.round);
        if self.byzantine[v as usize] {
            // It takes the honest validators' block, or waits for one (its timer syncs it).
            match self.honest_block(v) {
                Some(b) => block = b,
                None => return,
            }
        }
        let leads = self.leader(p, v, round) == v;
        self.commit_block(p, v, block, t);
        if leads {
            self.send_all(
                p,
                net,
                Msg {
                    kind: Kind::NewBlock,
                    from: v,
                    round,
                    block,
                    a: NONE,
                    proto: UNSTAMPED,
                },
                t,
            );
        }
        self.start(p, v, round + 1, t);
    }
}

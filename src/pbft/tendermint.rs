//! The real Tendermint (`consensus = "tendermint"` without SymBChainSim V2's form), after
//! Buchman, Kwon and Milosevic's "The latest gossip on BFT consensus" (2018), the algorithm
//! of Buchman's thesis that the management paper cites. A round of a height has three steps;
//! the chain's `Phase` names them: `NewRound` is *propose*, `PrePrepared` *prevote*,
//! `Prepared` *precommit*. Prepare and commit messages are prevotes and precommits; every
//! vote carries the block's hash only (or nil) and the height it is for. With q the quorum
//! (2f+1, or [`Quorum::Intersecting`]):
//!
//! - **propose**: the round's proposer (round-robin or by hash, as in PBFT) proposes
//!   `block_interval + creation_time` after round start its *valid value* with its valid
//!   round (the last block it saw a polka for at this height), else a fresh block; it
//!   prevotes its proposal. Another validator that receives the proposal prevotes it when it
//!   holds no lock, holds it locked, or the proposal's valid round is no older than its lock
//!   (`lockedRound <= vr`), else prevotes nil. With no proposal by `timeout_propose(r)` after
//!   round start + `block_interval` it prevotes nil.
//! - **prevote**: q prevotes for the proposal (a *polka*) lock it (`lockedValue`,
//!   `lockedRound`), make it the valid value and are answered by a precommit for it; q nil
//!   prevotes by a nil precommit; q prevotes of any kind start `timeout_prevote(r)`, at whose
//!   end the node precommits nil. A polka seen later in the round still updates the valid
//!   value.
//! - **precommit**: q precommits for the proposal decide it (in any step); q precommits of
//!   any kind start `timeout_precommit(r)`, at whose end the node enters round r + 1.
//! - **round skip**: f + 1 validators heard from at a later round of the same height (or
//!   beyond it) make a node enter that round.
//! - Timeouts grow by `timeout_delta` per round of the height ([`TendermintTimeouts`]).
//! - A decided node starts the next height at once; its leader waits `block_interval` (the
//!   place of Tendermint's `timeout_commit`) and broadcasts the committed block as PBFT's
//!   leader does, which stands for the commit gossip that brings a lagging node the decision.
//!
//! Two rules stand in for what chainlab does not model. Tendermint's nodes gossip votes again
//! to peers that lack them, so a node that missed votes (a crash, a sync) still reaches a
//! quorum; chainlab sends each vote once, so a node still in round r when
//! `timeout_propose(r) + timeout_prevote(r) + timeout_precommit(r) + timeout` have passed
//! since round start + `block_interval` enters round r + 1 (or syncs if a peer is ahead).
//! And a proposal's valid round is taken on trust (no validator here lies about it: an
//! equivocating leader's blocks are fresh), where Tendermint also asks for the polka at that
//! round.

use super::*;

/// The real Tendermint's per-node state beside the chain's `Node`.
#[derive(Default)]
pub(super) struct Tm {
    nodes: Vec<TmNode>,
    /// Senders of a prevote (of any kind) this round, a bit per (node, voter).
    any_prevote: Vec<u64>,
    /// The same for precommits.
    any_precommit: Vec<u64>,
    /// Scratch for the round skip.
    rounds: Vec<u32>,
}

#[derive(Clone, Copy)]
struct TmNode {
    /// The height whose first round is `round0` (step timeouts grow from it).
    height: u32,
    round0: u32,
    prevotes_any: u32,
    prevotes_nil: u32,
    precommits_any: u32,
    /// When each step times out (`Time::MAX`: not armed).
    propose_at: Time,
    prevote_at: Time,
    precommit_at: Time,
    /// The stand-in for vote re-gossip (see the module's notes).
    last_at: Time,
}

impl TmNode {
    const NEW: TmNode = TmNode {
        height: NONE,
        round0: 0,
        prevotes_any: 0,
        prevotes_nil: 0,
        precommits_any: 0,
        propose_at: Time::MAX,
        prevote_at: Time::MAX,
        precommit_at: Time::MAX,
        last_at: Time::MAX,
    };
}

impl Simulator {
    /// Sizes the Tendermint state for a run.
    pub(super) fn tm_reset(&mut self) {
        // Sized for every run: a reconfiguration may switch a node to Tendermint.
        let (n, w) = (self.n as usize, self.votes.words);
        self.tm.nodes.clear();
        self.tm.nodes.resize(n, TmNode::NEW);
        for bits in [&mut self.tm.any_prevote, &mut self.tm.any_precommit] {
            bits.clear();
            bits.resize(w * n, 0);
        }
    }

    /// `v` enters `round` at `t`: the propose step, with its timers.
    pub(super) fn tm_start(&mut self, p: &PbftParams, v: u32, round: u32, t: Time, interval: Time) {
        let (w, n) = (self.votes.words, self.n as usize);
        let height = self.nodes[v as usize].height;
        let s = &mut self.tm.nodes[v as usize];
        let round0 = if s.height == height {
            s.round0
        } else {
            // Later rounds heard of belong to the height just left.
            self.votes.rc[v as usize * n..(v as usize + 1) * n].fill(0);
            round
        };
        let (to, r) = (&p.tendermint, round - round0);
        let propose_at = t
            .saturating_add(interval)
            .saturating_add(to.at(to.propose_ns, r));
        *s = TmNode {
            height,
            round0,
            propose_at,
            last_at: propose_at
                .saturating_add(to.at(to.prevote_ns, r))
                .saturating_add(to.at(to.precommit_ns, r))
                .saturating_add(p.timeout_ns),
            ..TmNode::NEW
        };
        let range = v as usize * w..(v as usize + 1) * w;
        self.tm.any_prevote[range.clone()].fill(0);
        self.tm.any_precommit[range].fill(0);
        self.tm_rearm(v);
    }

    /// Arms `v`'s timer at the earliest step timeout that can still act.
    fn tm_rearm(&mut self, v: u32) {
        let s = &self.tm.nodes[v as usize];
        let step = match self.nodes[v as usize].phase {
            Phase::NewRound => s.propose_at,
            Phase::PrePrepared => s.prevote_at,
            _ => Time::MAX,
        };
        let at = step.min(s.precommit_at).min(s.last_at);
        self.arm_timer(v, at);
    }

    /// The height a vote is for: an honest one carries it in `a`, an equivocator's is for a
    /// block.
    fn vote_height(&self, msg: &Msg) -> u32 {
        if msg.a == byzantine::BYZANTINE_VOTE || msg.a == NONE {
            self.chain.proposals[msg.block as usize].height
        } else {
            msg.a
        }
    }

    /// `msg` reached `v` from a later round: `v` enters the latest round that f + 1
    /// validators have been heard from at (or after), at `v`'s height.
    pub(super) fn tm_future(&mut self, p: &PbftParams, v: u32, msg: &Msg, now: Time) {
        let nd = &self.nodes[v as usize];
        let height = match msg.kind {
            Kind::PrePrepare => self.chain.proposals[msg.block as usize].height,
            Kind::Prepare | Kind::Commit => self.vote_height(msg),
            _ => return,
        };
        if height != nd.height + 1 {
            return;
        }
        let n = self.n as usize;
        let row = &mut self.votes.rc[v as usize * n..(v as usize + 1) * n];
        if row[msg.from as usize] >= msg.round {
            return;
        }
        row[msg.from as usize] = msg.round;
        // The latest round f + 1 validators have reached: the (f + 1)-th largest.
        let rounds = &mut self.tm.rounds;
        rounds.clear();
        rounds.extend_from_slice(row);
        let f = self.f as usize;
        let (_, &mut round, _) = rounds.select_nth_unstable_by(f, |a, b| b.cmp(a));
        if round > nd.round {
            let t = now.max(nd.ready_at) + p.msg_val_ns;
            self.enter_by_round_change(p, v, round, t);
        }
    }

    /// Handles a proposal, prevote or precommit of `v`'s current round. Returns false when
    /// the message must wait in the backlog (a vote for a block `v` has no proposal of).
    pub(super) fn tm_on_current(
        &mut self,
        p: &PbftParams,
        net: &Network,
        v: u32,
        msg: Msg,
        now: Time,
    ) -> bool {
        let nd = &self.nodes[v as usize];
        let base = now.max(nd.ready_at);
        if msg.kind == Kind::PrePrepare {
            if nd.block != NONE
                || !self.proposal_in_order(p, net, v, &msg, now)
                || !self.hook_accepts(v, &msg)
            {
                return true;
            }
            let t = base + p.msg_val_ns + p.block_val_ns;
            let takes = self.respects_lock(p, v, &msg);
            let nd = &mut self.nodes[v as usize];
            nd.block = msg.block;
            nd.ready_at = t;
            nd.dirty = true;
            if nd.phase == Phase::NewRound {
                self.tm_vote(
                    p,
                    net,
                    v,
                    Kind::Prepare,
                    if takes { msg.block } else { NONE },
                    t,
                );
            } else {
                self.tm_check(p, net, v, t);
            }
            return true;
        }
        if self.vote_height(&msg) != nd.height + 1 {
            return true;
        }
        let t = base + p.msg_val_ns;
        let proposal = nd.block;
        let counted = self.tm_count(v, &msg);
        if msg.block != NONE && msg.block != proposal {
            // Counted among any votes; it counts for its block once the proposal is here.
            if counted {
                self.tm_check(p, net, v, t);
            }
            return false;
        }
        if counted {
            self.tm_check(p, net, v, t);
        }
        true
    }

    /// Counts `msg` (a prevote or precommit of `v`'s round, `v`'s own included) once per
    /// sender among the votes of any kind, nil ones and those for `v`'s proposal; true if
    /// it changed a count.
    fn tm_count(&mut self, v: u32, msg: &Msg) -> bool {
        let w = self.votes.words;
        let prevote = msg.kind == Kind::Prepare;
        let any = match prevote {
            true => &mut self.tm.any_prevote,
            false => &mut self.tm.any_precommit,
        };
        let mut changed = false;
        if Self::bit(any, w, v, msg.from) {
            changed = true;
            let s = &mut self.tm.nodes[v as usize];
            match prevote {
                true => {
                    s.prevotes_any += 1;
                    s.prevotes_nil += u32::from(msg.block == NONE);
                }
                false => s.precommits_any += 1,
            }
        }
        let nd = &self.nodes[v as usize];
        if msg.block != NONE && msg.block == nd.block {
            let bits = match prevote {
                true => &mut self.votes.prepare_bits,
                false => &mut self.votes.commit_bits,
            };
            if Self::bit(bits, w, v, msg.from) {
                changed = true;
                let nd = &mut self.nodes[v as usize];
                match prevote {
                    true => nd.prepares += 1,
                    false => nd.commits += 1,
                }
            }
        }
        changed
    }

    /// `v` prevotes (`Kind::Prepare`) or precommits (`Kind::Commit`) `block` (`NONE`: nil)
    /// at `t`, entering the prevote or precommit step.
    pub(super) fn tm_vote(
        &mut self,
        p: &PbftParams,
        net: &Network,
        v: u32,
        kind: Kind,
        block: u32,
        t: Time,
    ) {
        let nd = &mut self.nodes[v as usize];
        nd.phase = match kind {
            Kind::Prepare => Phase::PrePrepared,
            _ => Phase::Prepared,
        };
        nd.ready_at = nd.ready_at.max(t);
        nd.dirty = true;
        let msg = Msg {
            kind,
            from: v,
            round: nd.round,
            block,
            a: nd.height + 1,
            proto: UNSTAMPED,
        };
        self.tm_count(v, &msg);
        self.send_all(p, net, msg, t);
        self.tm_rearm(v);
        self.tm_check(p, net, v, t);
    }

    /// Applies the rules the counts of `v`'s round now meet, at `t`.
    fn tm_check(&mut self, p: &PbftParams, net: &Network, v: u32, t: Time) {
        let q = self.votes.quorum;
        let nd = &self.nodes[v as usize];
        let s = self.tm.nodes[v as usize];
        let r = nd.round - s.round0;
        if nd.block != NONE && nd.commits >= q {
            let nd = &mut self.nodes[v as usize];
            nd.ready_at = nd.ready_at.max(t);
            self.decide(p, net, v, t);
            return;
        }
        let polka = nd.block != NONE && nd.prepares >= q;
        if polka && (nd.seen_block != nd.block || nd.seen_round != nd.round) {
            // The valid value, re-proposed by this node when it leads a later round.
            let nd = &mut self.nodes[v as usize];
            (nd.seen_block, nd.seen_round) = (nd.block, nd.round);
        }
        let nd = &self.nodes[v as usize];
        if nd.phase == Phase::PrePrepared {
            if polka {
                let nd = &mut self.nodes[v as usize];
                (nd.lock_block, nd.lock_round) = (nd.block, nd.round);
                let block = nd.block;
                return self.tm_vote(p, net, v, Kind::Commit, block, t);
            }
            if s.prevotes_nil >= q {
                return self.tm_vote(p, net, v, Kind::Commit, NONE, t);
            }
            if s.prevotes_any >= q && s.prevote_at == Time::MAX {
                let at = t.saturating_add(p.tendermint.at(p.tendermint.prevote_ns, r));
                self.tm.nodes[v as usize].prevote_at = at;
                self.tm_rearm(v);
            }
        }
        let s = &mut self.tm.nodes[v as usize];
        if s.precommits_any >= q && s.precommit_at == Time::MAX {
            s.precommit_at = t.saturating_add(p.tendermint.at(p.tendermint.precommit_ns, r));
            self.tm_rearm(v);
        }
    }

    /// `v`'s timer fired at `now` (armed by `tm_rearm`): the step it ends acts.
    pub(super) fn tm_timeout(&mut self, p: &PbftParams, net: &Network, v: u32, now: Time) {
        let s = self.tm.nodes[v as usize];
        let nd = &self.nodes[v as usize];
        let (t, round, phase) = (now.max(nd.ready_at), nd.round, nd.phase);
        if s.precommit_at <= now || s.last_at <= now {
            self.counters.timeouts += 1;
            if self.begin_sync(p, net, v, now) {
                return;
            }
            let round = round + 1;
            self.enter_by_round_change(p, v, round, t);
        } else if phase == Phase::PrePrepared && s.prevote_at <= now {
            self.counters.timeouts += 1;
            self.tm.nodes[v as usize].prevote_at = Time::MAX;
            self.tm_vote(p, net, v, Kind::Commit, NONE, t);
        } else if phase == Phase::NewRound && s.propose_at <= now {
            self.counters.timeouts += 1;
            self.tm.nodes[v as usize].propose_at = Time::MAX;
            self.tm_vote(p, net, v, Kind::Prepare, NONE, t);
        } else {
            self.tm_rearm(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{by_hand_with, paper_a, seeds};
    use super::*;
    use crate::network::{Links, VotePayload};

    const S: Time = 1_000_000_000;

    fn tendermint() -> PbftParams {
        let mut p = paper_a(10, 5, 100.0);
        p.consensus = Consensus::Tendermint;
        p.votes = VotePayload::Digest;
        p
    }

    /// A Tendermint vote for height 1 (`block` `NONE`: nil).
    fn vote(kind: Kind, from: u32, round: u32, block: u32) -> Msg {
        Msg {
            a: 1,
            proto: Consensus::Tendermint,
            ..super::super::tests::vote(kind, from, round, block)
        }
    }

    fn proposal(from: u32, round: u32, block: u32, valid_round: u32) -> Msg {
        Msg {
            a: valid_round,
            ..vote(Kind::PrePrepare, from, round, block)
        }
    }

    /// Node 1 of 10 (f = 3, q = 2f + 1 = 7), message by message: the proposal makes it
    /// prevote; the proposer's prevote counts (unlike PBFT's pre-prepare); a polka needs
    /// exactly 7 prevotes for the block (its own among them; a repeat and a vote for another
    /// block count for nothing); it locks the block and precommits; 7 precommits decide.
    /// A polka or decision at 2f fails here (the proposer's own prevote left out stalls the
    /// 4-validator chain with a silent validator of `byzantine`'s property test).
    #[test]
    fn a_polka_and_a_decision_need_2f_plus_1_votes_for_the_block() {
        let (p, net, mut sim, b) = by_hand_with(tendermint());
        let (v, t) = (1, S);
        sim.deliver(&p, &net, v, proposal(0, 0, b, NONE), t);
        assert_eq!(
            (sim.nodes[1].phase, sim.nodes[1].prepares),
            (Phase::PrePrepared, 1)
        );
        for from in [0, 2, 3, 4, 5, 5] {
            sim.deliver(&p, &net, v, vote(Kind::Prepare, from, 0, b), t);
        }
        sim.deliver(&p, &net, v, vote(Kind::Prepare, 6, 0, b + 1), t);
        assert_eq!(sim.nodes[1].phase, Phase::PrePrepared, "6 prevotes for it");
        sim.deliver(&p, &net, v, vote(Kind::Prepare, 7, 0, b), t);
        let nd = &sim.nodes[1];
        assert_eq!(
            (nd.phase, nd.lock_block, nd.lock_round),
            (Phase::Prepared, b, 0)
        );
        assert_eq!(
            (nd.seen_block, nd.commits),
            (b, 1),
            "valid value; its precommit"
        );
        for from in [0, 2, 3, 4, 5, 5] {
            sim.deliver(&p, &net, v, vote(Kind::Commit, from, 0, b), t);
        }
        assert_eq!(sim.nodes[1].height, 0, "6 precommits");
        sim.deliver(&p, &net, v, vote(Kind::Commit, 6, 0, b), t);
        assert_eq!((sim.nodes[1].height, sim.nodes[1].round), (1, 1));
        assert_eq!(sim.nodes[1].lock_block, NONE, "a new height frees the lock");
    }

    /// Without a proposal: the propose timeout (round start + block_interval + 3 s) makes
    /// node 1 prevote nil; 7 nil prevotes make it precommit nil; 7 precommits of any kind
    /// start the precommit timeout (1 s), whose end starts round 1, where the propose timeout
    /// is 0.5 s longer. Votes that arrive before the proposal count once it comes. Timeouts
    /// that do not grow, or a nil quorum of 2f, fail here.
    #[test]
    fn nil_votes_and_step_timeouts_move_a_round_on() {
        let (p, net, mut sim, b) = by_hand_with(tendermint());
        let v = 1;
        let propose_at = p.block_interval_ns + 3 * S;
        assert_eq!(sim.nodes[1].timeout_at, propose_at);
        sim.timeout(&p, &net, v, propose_at);
        assert_eq!(
            (sim.nodes[1].phase, sim.tm.nodes[1].prevotes_nil),
            (Phase::PrePrepared, 1)
        );
        let t = propose_at + S / 10;
        for from in 2..7 {
            sim.deliver(&p, &net, v, vote(Kind::Prepare, from, 0, NONE), t);
        }
        assert_eq!(sim.nodes[1].phase, Phase::PrePrepared, "6 nil prevotes");
        sim.deliver(&p, &net, v, vote(Kind::Prepare, 7, 0, NONE), t);
        assert_eq!(sim.nodes[1].phase, Phase::Prepared, "7: it precommits nil");
        assert_eq!(sim.nodes[1].lock_block, NONE);
        // Precommits for a block it never saw proposed wait; 5 more make 7 of any kind.
        for from in 2..6 {
            sim.deliver(&p, &net, v, vote(Kind::Commit, from, 0, b), t);
        }
        assert_eq!(sim.tm.nodes[1].precommit_at, Time::MAX, "5 precommits");
        sim.deliver(&p, &net, v, vote(Kind::Commit, 6, 0, NONE), t);
        sim.deliver(&p, &net, v, vote(Kind::Commit, 7, 0, NONE), t);
        let wake = sim.tm.nodes[1].precommit_at;
        assert_eq!(sim.nodes[1].timeout_at, wake);
        assert!((t + S..t + S + S / 100).contains(&wake), "{wake}");
        // The proposal comes late: 4 precommits for its block wait, short of a decision.
        sim.deliver(&p, &net, v, proposal(0, 0, b, NONE), t);
        sim.drain(&p, &net, v, t);
        assert_eq!((sim.nodes[1].height, sim.nodes[1].commits), (0, 4));
        sim.timeout(&p, &net, v, wake);
        assert_eq!((sim.nodes[1].round, sim.counters.round_changes), (1, 1));
        let start = wake.max(sim.nodes[1].ready_at);
        assert_eq!(
            sim.nodes[1].timeout_at,
            start + p.block_interval_ns + 3 * S + S / 2,
            "the second round of the height waits 0.5 s longer"
        );
    }

    /// The lock: node 1, locked on block b in round 0, prevotes nil for another block of its
    /// height proposed fresh, or with a valid round older than its lock, and prevotes it
    /// when the valid round is no older (`lockedRound <= vr`; PBFT asks for a later one).
    /// Prevoting anything else, or Tendermint's rule read as PBFT's, fails here.
    #[test]
    fn a_lock_yields_only_to_a_polka_no_older() {
        let (p, net, mut sim, b) = by_hand_with(tendermint());
        let (v, t) = (1, S);
        sim.deliver(&p, &net, v, proposal(0, 0, b, NONE), t);
        for from in [0, 2, 3, 4, 5, 6] {
            sim.deliver(&p, &net, v, vote(Kind::Prepare, from, 0, b), t);
        }
        assert_eq!(sim.nodes[1].lock_block, b);
        let mut other = sim.chain.proposals[b as usize];
        (other.round, other.proposer) = (2, 2);
        sim.chain.proposals.push(other);
        let b2 = b + 1;
        for (valid_round, takes) in [(NONE, false), (0, true)] {
            sim.start(&p, v, 2, t);
            sim.deliver(&p, &net, v, proposal(2, 2, b2, valid_round), t);
            let (nd, s) = (&sim.nodes[1], &sim.tm.nodes[1]);
            assert_eq!((nd.phase, nd.block), (Phase::PrePrepared, b2));
            assert_eq!(
                (nd.prepares, s.prevotes_nil),
                (u32::from(takes), u32::from(!takes))
            );
        }
        let c = Consensus::Tendermint;
        assert!(p.unlocks(c, 1, 0) && p.unlocks(c, 0, 0) && !p.unlocks(c, 0, 1));
        assert!(!p.unlocks(c, NONE, 0) && !p.unlocks(Consensus::Pbft, 0, 0));
    }

    /// Round skip: f = 3 validators heard from at round 5 of node 1's height move it nowhere,
    /// f + 1 make it enter round 5; votes for another height count for nothing. A skip at f
    /// fails here.
    #[test]
    fn f_plus_1_validators_at_a_later_round_pull_a_node_there() {
        let (p, net, mut sim, _) = by_hand_with(tendermint());
        let (v, t) = (1, S);
        for from in [2, 3, 4] {
            sim.deliver(&p, &net, v, vote(Kind::Prepare, from, 5, NONE), t);
        }
        let next_height = Msg {
            a: 2,
            ..vote(Kind::Prepare, 5, 5, NONE)
        };
        sim.deliver(&p, &net, v, next_height, t);
        assert_eq!(sim.nodes[1].round, 0);
        sim.deliver(&p, &net, v, vote(Kind::Commit, 6, 6, NONE), t);
        assert_eq!(sim.nodes[1].round, 5, "f + 1 at round 5 or later");
        sim.drain(&p, &net, v, t);
        assert_eq!(
            sim.tm.nodes[1].prevotes_nil, 3,
            "round 5's prevotes replayed"
        );
    }

    /// A node parses the messages of the protocol it runs: under Tendermint, node 1 drops a
    /// PBFT prepare and a PBFT round change; run under BigFoot, it drops the prepare and
    /// reads the round change (every protocol with PBFT's round reads them alike); a decided
    /// block is read whatever protocol decided it. Reading every message, or none across
    /// protocols, fails here.
    #[test]
    fn a_node_reads_only_the_messages_of_its_protocol() {
        let (p, net, mut sim, b) = by_hand_with(tendermint());
        let (v, t) = (1, S);
        let pbft = |kind, from, block, a| Msg {
            proto: Consensus::Pbft,
            a,
            ..vote(kind, from, 0, block)
        };
        sim.deliver(&p, &net, v, proposal(0, 0, b, NONE), t);
        sim.deliver(&p, &net, v, pbft(Kind::Prepare, 2, b, 1), t);
        assert_eq!(sim.nodes[1].prepares, 1, "its own prevote only");
        let rc = |from| Msg {
            round: 5,
            ..pbft(Kind::RoundChange, from, NONE, 0)
        };
        for from in [2, 3, 4, 5] {
            sim.deliver(&p, &net, v, rc(from), t);
        }
        assert_eq!((sim.nodes[1].round, sim.votes.rc[10 + 2]), (0, 0));
        sim.nodes[1].consensus = Consensus::BigFoot;
        sim.deliver(&p, &net, v, pbft(Kind::Prepare, 3, b, NONE), t);
        assert_eq!(sim.nodes[1].prepares, 1);
        for from in [2, 3, 4, 5] {
            sim.deliver(&p, &net, v, rc(from), t);
        }
        assert_eq!(
            sim.nodes[1].phase,
            Phase::RoundChange,
            "f + 1 round changes: it joins"
        );
        let block = Msg {
            kind: Kind::NewBlock,
            ..pbft(Kind::NewBlock, 0, b, NONE)
        };
        sim.deliver(&p, &net, 7, block, t);
        assert_eq!(
            sim.nodes[7].height, 1,
            "a Tendermint node takes a PBFT-decided block"
        );
    }

    /// Crashes within f (as PBFT's property test): on 60 topologies and crash schedules the
    /// real Tendermint never commits two blocks at one height, commits every transaction on
    /// a strongly connected network, and its votes carry no block. Without the re-gossip
    /// stand-in (a node still in its round long after it began moves on) runs stall here.
    #[test]
    fn safe_and_live_under_random_crashes_within_f() {
        let mut sim = Simulator::default();
        let (mut live, mut round_changes, mut crashes) = (0, 0, 0);
        for i in 0..60u64 {
            let nodes = [4, 7, 10, 13][i as usize % 4];
            let mut p = paper_a(nodes, 2 + (i % 2) as u32, 40.0);
            p.consensus = Consensus::Tendermint;
            p.crash_nodes = fault_tolerance(nodes, false);
            p.mean_uptime_ns = 2 * S + i * S / 10;
            p.mean_downtime_ns = 4 * S;
            p.timeout_ns = 2 * S;
            p.tendermint.propose_ns = S;
            p.stop_after_txs = 300;
            p.duration_ns = 600 * S;
            if i % 3 == 0 {
                p.net.links = Links::Directed;
            }
            let o = simulate(&p, seeds(100 + i), &mut sim);
            assert_eq!(o.safety_violations, 0, "run {i}: {o:?}");
            if o.strongly_connected {
                assert_eq!(o.stop, StopReason::Txs, "run {i}: {o:?}");
                live += 1;
            }
            round_changes += o.round_changes;
            crashes += o.crashes;
        }
        assert!(
            live > 40 && crashes > 100 && round_changes > 0,
            "{live} {crashes} {round_changes}"
        );
        // Votes are hashes: the same chain under PBFT with its votes carrying the block
        // moves more than three times the bytes.
        let mut tm = paper_a(10, 5, 100.0);
        tm.consensus = Consensus::Tendermint;
        let t = simulate(&tm, seeds(4), &mut sim);
        let b = simulate(&paper_a(10, 5, 100.0), seeds(4), &mut sim);
        assert!(
            t.bytes_mb * 3.0 < b.bytes_mb,
            "{} {}",
            t.bytes_mb,
            b.bytes_mb
        );
        assert_eq!((t.safety_violations, t.stop), (0, StopReason::Txs));
    }
}

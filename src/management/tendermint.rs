//! The management chain's agreement under the real Tendermint (`mgmt_consensus =
//! "tendermint"`): each proposal cycle is a Tendermint round among the management nodes.
//!
//! The rules are the Tendermint consensus paper's algorithm (Buchman, Kwon and Milosevic,
//! 2018), as the primary chain's `tendermint` runs them:
//! - the cycle's proposer proposes its valid value (the block of the latest round in which
//!   it saw a polka, with that round) or, without one, a fresh block; a member prevotes for
//!   it when its twin accepts it and it is not locked on another block, unless the
//!   proposal's polka round is at least its lock's round (`lockedRound <= vr`); otherwise it
//!   prevotes nil (Byzantine members prevote for every proposal);
//! - a member that has not received the proposal `timeout_propose(r)` after the cycle starts
//!   prevotes nil; 2f+1 prevotes for the block (a polka) lock it and make the member
//!   precommit it; 2f+1 nil prevotes make it precommit nil; `timeout_prevote(r)` after 2f+1
//!   prevotes of any kind it precommits nil;
//! - 2f+1 precommits for the block decide it; `timeout_precommit(r)` after 2f+1 precommits of
//!   any kind a member that has not decided moves to the next round.
//!
//! The timeouts are the primary chain's `timeout_propose`, `timeout_prevote` and
//! `timeout_precommit`, each growing by `timeout_delta` per round of the agreement. Votes
//! carry the block's hash only; a proposal carries the block. Every member starts a round
//! when the cycle starts; the round ends, and the next proposer's begins, when f+1 members
//! have moved on (from then on the round-skip rule takes every other member along), or at
//! the cycle timeout (`cycle_timeout`, Algorithm 1's bound on a cycle) when that comes
//! first, e.g. when fewer than 2f+1 members are live. Stated choices: messages of an ended
//! round are dropped; a proposal's polka round is taken on trust (as the primary's
//! Tendermint does); a faulty proposer (offline, invalid or Byzantine) proposes its own
//! block, never a valid value it holds; the proposer prevotes for its own proposal.

use super::agreement::{Agreement, Committee, CycleEnd, Kind, Proposed, RoundCosts, Scratch, send};
use crate::des::Time;
use std::cmp::Reverse;

/// No round (Tendermint's -1) or no block.
const NONE: u32 = u32::MAX;

/// A member's step in the round.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    #[default]
    Propose,
    Prevote,
    Precommit,
}

/// A vote as a receiver records it.
const NO_VOTE: u8 = 0;
const FOR_BLOCK: u8 = 1;
const NIL: u8 = 2;

/// The members' Tendermint state: locks and valid values across the rounds of one agreement,
/// votes and steps within a round.
#[derive(Default)]
pub struct State {
    locked: Vec<u32>,
    locked_round: Vec<u32>,
    valid: Vec<u32>,
    valid_round: Vec<u32>,
    step: Vec<Step>,
    prevotes: Vec<u32>,
    prevotes_nil: Vec<u32>,
    precommits: Vec<u32>,
    precommits_nil: Vec<u32>,
    /// `[receiver * m + sender]`: the sender's prevote as the receiver holds it.
    prevote_from: Vec<u8>,
    precommit_from: Vec<u8>,
    prevote_timer: Vec<bool>,
    precommit_timer: Vec<bool>,
    polka: Vec<bool>,
    left: Vec<bool>,
}

impl State {
    /// No member locked, none with a valid value: a new agreement of `m` members.
    pub fn start_agreement(&mut self, m: u32) {
        for v in [
            &mut self.locked,
            &mut self.locked_round,
            &mut self.valid,
            &mut self.valid_round,
        ] {
            v.clear();
            v.resize(m as usize, NONE);
        }
    }

    /// Records `sender`'s prevote (or precommit) as `receiver` holds it; false when it held
    /// one already.
    fn tally(
        &mut self,
        precommit: bool,
        receiver: usize,
        sender: usize,
        m: usize,
        for_block: bool,
    ) -> bool {
        let (from, yes, nil) = match precommit {
            false => (
                &mut self.prevote_from,
                &mut self.prevotes,
                &mut self.prevotes_nil,
            ),
            true => (
                &mut self.precommit_from,
                &mut self.precommits,
                &mut self.precommits_nil,
            ),
        };
        let slot = &mut from[receiver * m + sender];
        if *slot != NO_VOTE {
            return false;
        }
        record(slot, for_block);
        match for_block {
            true => yes[receiver] += 1,
            false => nil[receiver] += 1,
        }
        true
    }

    fn start_round(&mut self, m: usize) {
        self.step.clear();
        self.step.resize(m, Step::Propose);
        for v in [
            &mut self.prevotes,
            &mut self.prevotes_nil,
            &mut self.precommits,
            &mut self.precommits_nil,
        ] {
            v.clear();
            v.resize(m, 0);
        }
        for v in [&mut self.prevote_from, &mut self.precommit_from] {
            v.clear();
            v.resize(m * m, NO_VOTE);
        }
        for v in [
            &mut self.prevote_timer,
            &mut self.precommit_timer,
            &mut self.polka,
            &mut self.left,
        ] {
            v.clear();
            v.resize(m, false);
        }
    }
}

/// The round of one cycle.
struct Round<'a> {
    c: &'a Committee,
    costs: &'a RoundCosts,
    /// The cycle (Tendermint's round of the height).
    r: u32,
    m: usize,
    quorum: u32,
    /// The proposal: the cycle whose block it is, and its polka round (`NONE`: fresh).
    origin: u32,
    vr: u32,
    forbidden: bool,
    first: Option<(Time, Vec<u32>, u32)>,
}

/// Runs cycle `r` (proposed by `proposed[r].leader`) from `start` as a Tendermint round.
#[allow(clippy::too_many_arguments)]
pub(super) fn round(
    c: &Committee,
    costs: &RoundCosts,
    proposed: &[Proposed],
    r: u32,
    start: Time,
    deadline: Time,
    next_key: &mut u64,
    s: &mut Scratch,
    out: &mut Agreement,
) -> CycleEnd {
    let m = c.size() as usize;
    s.heap.clear();
    s.tm.start_round(m);
    s.has_proposal.clear();
    s.has_proposal.resize(m, false);
    s.ready_at.clear();
    s.ready_at.resize(m, 0);
    let leader = proposed[r as usize].leader;
    let li = leader as usize;
    let honest = !(c.invalid[li] || c.byzantine[li]);
    let (origin, vr) = match s.tm.valid_round[li] {
        vr if honest && vr != NONE => (s.tm.valid[li], vr),
        _ => (r, NONE),
    };
    let mut rd = Round {
        c,
        costs,
        r,
        m,
        quorum: 2 * c.f + 1,
        origin,
        vr,
        forbidden: proposed[origin as usize].forbidden,
        first: None,
    };
    let propose_at = start + costs.timeouts.at(costs.timeouts.propose_ns, r);
    for v in 0..m as u32 {
        if !c.offline[v as usize] {
            s.heap
                .push(Reverse((propose_at, v, Kind::TimeoutPropose, v)));
        }
    }
    if !c.offline[li] {
        let t = start + costs.creation_ns;
        s.has_proposal[li] = true;
        s.ready_at[li] = t;
        send(c, costs, s, out, next_key, leader, Kind::PrePrepare, t);
        rd.vote(s, out, next_key, leader, false, true, t);
        rd.advance(s, out, next_key, leader, t);
    }
    let mut moved_on = 0;
    while let Some(Reverse((at, v, kind, from))) = s.heap.pop() {
        if rd.first.is_none() && at > deadline {
            break;
        }
        let vi = v as usize;
        if s.tm.left[vi] {
            continue;
        }
        let mut t = at.max(s.ready_at[vi]);
        if !kind.is_timer() {
            out.events += 1;
            t += costs.msg_val_ns + costs.verify_ns;
            s.ready_at[vi] = t;
        }
        match kind {
            Kind::PrePrepare => {
                if s.has_proposal[vi] {
                    continue;
                }
                t += costs.block_val_ns;
                s.ready_at[vi] = t;
                s.has_proposal[vi] = true;
                if s.tm.step[vi] == Step::Propose {
                    let accept = rd.accepts(s, out, v);
                    rd.vote(s, out, next_key, v, false, accept, t);
                }
            }
            Kind::Prepare | Kind::PrevoteNil | Kind::Commit | Kind::PrecommitNil => {
                let precommit = matches!(kind, Kind::Commit | Kind::PrecommitNil);
                let for_block = matches!(kind, Kind::Prepare | Kind::Commit);
                if !s.tm.tally(precommit, vi, from as usize, m, for_block) {
                    continue;
                }
            }
            Kind::TimeoutPropose => {
                if s.tm.step[vi] == Step::Propose {
                    rd.vote(s, out, next_key, v, false, false, t);
                }
            }
            Kind::TimeoutPrevote => {
                if s.tm.step[vi] == Step::Prevote {
                    rd.vote(s, out, next_key, v, true, false, t);
                }
            }
            Kind::TimeoutPrecommit => {
                if out.commit_at[vi] == Time::MAX {
                    s.tm.left[vi] = true;
                    moved_on += 1;
                    if rd.first.is_none() && moved_on > c.f {
                        return CycleEnd {
                            decided: None,
                            end: t.min(deadline),
                        };
                    }
                }
                continue;
            }
            Kind::FastPath => unreachable!("BigFoot's timer is not queued in a Tendermint round"),
        }
        rd.advance(s, out, next_key, v, t);
    }
    CycleEnd {
        decided: rd.first,
        end: deadline,
    }
}

/// Whether a member locked on block `locked` in round `locked_round` (`NONE`: not locked) may
/// prevote for block `origin` proposed with polka round `vr` (`NONE`: a fresh proposal):
/// lines 22-23 and 28-29 of the algorithm, `lockedRound = -1 or lockedValue = v`, and with a
/// polka round, `lockedRound <= vr or lockedValue = v`.
fn unlocked_for(locked_round: u32, locked: u32, origin: u32, vr: u32) -> bool {
    locked_round == NONE || locked == origin || crate::pbft::tendermint_unlocks(vr, locked_round)
}

fn record(slot: &mut u8, for_block: bool) {
    *slot = if for_block { FOR_BLOCK } else { NIL };
}

impl Round<'_> {
    /// Whether `v`'s twin accepts the proposal (a Byzantine member accepts any).
    fn valid_for(&self, v: u32) -> bool {
        !self.forbidden || self.c.byzantine[v as usize]
    }

    /// Whether `v` prevotes for the proposal it has just received (lines 22-33 of the
    /// algorithm); counts a refusal by an honest twin.
    fn accepts(&self, s: &Scratch, out: &mut Agreement, v: u32) -> bool {
        let vi = v as usize;
        if self.c.byzantine[vi] {
            return true;
        }
        if self.forbidden {
            out.refused += 1;
            return false;
        }
        unlocked_for(s.tm.locked_round[vi], s.tm.locked[vi], self.origin, self.vr)
    }

    /// `v` prevotes (or, with `precommit`, precommits) for the proposal or nil at `t`, and
    /// counts its own vote.
    #[allow(clippy::too_many_arguments)]
    fn vote(
        &self,
        s: &mut Scratch,
        out: &mut Agreement,
        key: &mut u64,
        v: u32,
        precommit: bool,
        for_block: bool,
        t: Time,
    ) {
        let vi = v as usize;
        s.tm.step[vi] = if precommit {
            Step::Precommit
        } else {
            Step::Prevote
        };
        s.tm.tally(precommit, vi, vi, self.m, for_block);
        let kind = match (precommit, for_block) {
            (false, true) => Kind::Prepare,
            (false, false) => Kind::PrevoteNil,
            (true, true) => Kind::Commit,
            (true, false) => Kind::PrecommitNil,
        };
        send(self.c, self.costs, s, out, key, v, kind, t);
    }

    /// The rules `v`'s votes so far trigger at `t` (lines 34-54 of the algorithm).
    fn advance(&mut self, s: &mut Scratch, out: &mut Agreement, key: &mut u64, v: u32, t: Time) {
        let vi = v as usize;
        let (q, tm) = (self.quorum, self.costs.timeouts);
        if s.tm.step[vi] == Step::Prevote
            && !s.tm.prevote_timer[vi]
            && s.tm.prevotes[vi] + s.tm.prevotes_nil[vi] >= q
        {
            s.tm.prevote_timer[vi] = true;
            let at = t + tm.at(tm.prevote_ns, self.r);
            s.heap.push(Reverse((at, v, Kind::TimeoutPrevote, v)));
        }
        if s.has_proposal[vi]
            && self.valid_for(v)
            && !s.tm.polka[vi]
            && s.tm.step[vi] >= Step::Prevote
            && s.tm.prevotes[vi] >= q
        {
            s.tm.polka[vi] = true;
            if s.tm.step[vi] == Step::Prevote {
                s.tm.locked[vi] = self.origin;
                s.tm.locked_round[vi] = self.r;
                self.vote(s, out, key, v, true, true, t);
            }
            s.tm.valid[vi] = self.origin;
            s.tm.valid_round[vi] = self.r;
        }
        if s.tm.step[vi] == Step::Prevote && s.tm.prevotes_nil[vi] >= q {
            self.vote(s, out, key, v, true, false, t);
        }
        if !s.tm.precommit_timer[vi] && s.tm.precommits[vi] + s.tm.precommits_nil[vi] >= q {
            s.tm.precommit_timer[vi] = true;
            let at = t + tm.at(tm.precommit_ns, self.r);
            s.heap.push(Reverse((at, v, Kind::TimeoutPrecommit, v)));
        }
        if s.has_proposal[vi]
            && self.valid_for(v)
            && out.commit_at[vi] == Time::MAX
            && s.tm.precommits[vi] >= q
        {
            out.commit_at[vi] = t;
            if self.first.is_none() {
                let row = &s.tm.precommit_from[vi * self.m..(vi + 1) * self.m];
                let voters = (0..self.m as u32)
                    .filter(|&u| row[u as usize] == FOR_BLOCK)
                    .collect();
                self.first = Some((t, voters, self.origin));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lock rule: a locked member prevotes only for its locked block, or for another
    /// whose polka is no older than its lock (a proposal with vr = the lock's round frees it;
    /// PBFT's view change would need a later one).
    #[test]
    fn a_lock_is_released_only_by_a_polka_no_older_than_it() {
        assert!(unlocked_for(NONE, NONE, 3, NONE));
        assert!(unlocked_for(1, 0, 0, NONE), "its own locked block");
        assert!(!unlocked_for(1, 0, 2, NONE), "a fresh block while locked");
        assert!(!unlocked_for(1, 0, 2, 0), "a polka older than the lock");
        assert!(unlocked_for(1, 0, 2, 1), "a polka of the lock's round");
        assert!(unlocked_for(1, 0, 2, 2), "a newer polka");
    }
}

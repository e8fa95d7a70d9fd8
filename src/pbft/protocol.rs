//! The consensus protocols a chain runs, as the few rules that set SymBChainSim's other two
//! apart from PBFT; the round, its phases and its round changes are PBFT's for all three.
//!
//! - **PBFT**: pre-prepare, prepare (prepared at 2f), commit (committed at 2f+1); votes carry
//!   what [`PbftParams::votes`] says.
//! - **Tendermint** (the real protocol, `tendermint`): propose, prevote, precommit with
//!   Tendermint's locking, valid-round and round-skip rules and step timeouts that grow with
//!   the round; its rules are in `tendermint`.
//! - **Tendermint, in SymBChainSim Version-2.0's form** (under [`V2Behaviours::tendermint`]):
//!   PBFT's three phases with votes that carry the block's hash only (never the block), and,
//!   under V2's propose retry, a leader with nothing to propose gives up unless its retry plus
//!   `creation_time` comes more than 5 s before the round's timeout (V2's
//!   `TM_transition.propose`; PBFT's allows up to the timeout).
//! - **BigFoot** (SymBChainSim V2's `BigFoot_*`, after Saltini's BigFooT): PBFT with a fast
//!   path. From round start until `block_interval + fast_path_timeout` later, a node with the
//!   round's block commits at once when it holds prepares from every validator but the
//!   leader (the leader's pre-prepare is its vote; a replica counts its own prepare), n - 1
//!   in all, and sends no commit vote; the leader still broadcasts the block. A node that
//!   holds 2f prepares in the fast path waits. When the fast-path timer fires, the node falls
//!   back to PBFT's slow path: prepared at 2f prepares, committed at 2f+1 commits. Under
//!   `sbs_compat` a BigFoot block's size leaves out `base_block_size` (V2's
//!   `create_BigFoot_block` sets `size` to its transactions alone; the message still adds it
//!   once).

use super::*;

/// The consensus protocol of a chain: PBFT's round with the rules this module's notes list
/// (and the pbft family's notes, "Consensus protocols").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Consensus {
    /// PBFT.
    #[default]
    Pbft,
    /// Tendermint: the real protocol, or SymBChainSim V2's (PBFT's phases with votes that
    /// carry the hash only) under [`V2Behaviours::tendermint`].
    Tendermint,
    /// BigFoot: PBFT with a fast path on prepares from every validator.
    BigFoot,
}

/// Who proposes in a round.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Proposer {
    /// The validator `round mod n`.
    #[default]
    RoundRobin,
    /// The validator `(hash of the last block + round) mod n` (SymBChainSim V2's `hash`
    /// selection, with the block's id for its hash; the management paper picks a leader by
    /// the latest block's hash): the round is added so that a crashed leader does not stall
    /// its height.
    Hash,
}

/// The real Tendermint's step timeouts: step `s` of the `r`-th round of a height (r from 0)
/// times out `base_s + r x delta` after it starts (the Tendermint consensus paper's
/// `timeoutPropose(r)` and the others; CometBFT's defaults are 3 s, 1 s, 1 s and 0.5 s).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TendermintTimeouts {
    /// Waiting for the proposal, counted from round start + block interval, ns.
    pub propose_ns: Time,
    /// Waiting, after 2f+1 prevotes of any kind, for a polka, ns.
    pub prevote_ns: Time,
    /// Waiting, after 2f+1 precommits of any kind, for a decision, ns.
    pub precommit_ns: Time,
    /// What each of them grows by per round of the height, ns.
    pub delta_ns: Time,
}

impl TendermintTimeouts {
    /// A step timeout `base` in the `r`-th round of a height.
    pub fn at(&self, base: Time, r: u32) -> Time {
        base.saturating_add(self.delta_ns.saturating_mul(u64::from(r)))
    }
}

/// The real Tendermint's lock rule, which every chain running it (the primary's rounds and
/// the management chain's cycles) calls: a proposal whose polka round is `vr` (`u32::MAX`: a
/// fresh proposal, none) frees a node locked in round `lock_round` when `lockedRound <= vr`
/// (line 29 of the Tendermint consensus paper's algorithm). PBFT's view change instead needs a
/// later lock.
pub fn tendermint_unlocks(vr: u32, lock_round: u32) -> bool {
    vr != NONE && vr >= lock_round
}

/// How much earlier than the timeout V2's Tendermint leader must be able to propose.
const TENDERMINT_V2_PROPOSE_MARGIN_NS: Time = 5 * crate::time::NS_PER_S;

impl PbftParams {
    /// Whether any node is ever down (crash faults or a scenario's crashed nodes).
    #[inline]
    pub(super) fn crashes(&self) -> bool {
        self.crash_nodes > 0 || self.intervals.iter().any(|i| !i.crashed.is_empty())
    }

    /// What prepare and commit of protocol `c` carry: Tendermint's votes carry the block's
    /// hash only.
    pub(super) fn vote_payload(&self, c: Consensus) -> VotePayload {
        match c {
            Consensus::Tendermint => VotePayload::Digest,
            Consensus::Pbft | Consensus::BigFoot => self.votes,
        }
    }

    /// Whether protocol `c` is the real Tendermint (its steps in `tendermint`), not PBFT's
    /// round.
    pub(super) fn real_tendermint(&self, c: Consensus) -> bool {
        c == Consensus::Tendermint && !self.v2.tendermint
    }

    /// Whether a proposal justified by round `just` (`NONE`: a fresh block) frees a node
    /// locked in `lock_round` to take it: PBFT's view change needs a later lock
    /// (`just > lock_round`), Tendermint a polka no older than the lock (`lockedRound <= vr`,
    /// line 29 of the Tendermint consensus paper's algorithm).
    pub(super) fn unlocks(&self, c: Consensus, just: u32, lock_round: u32) -> bool {
        match self.real_tendermint(c) {
            true => tendermint_unlocks(just, lock_round),
            false => just != NONE && just > lock_round,
        }
    }

    /// Whether rounds of protocol `c` open with a fast path (BigFoot).
    pub(super) fn fast_path(&self, c: Consensus) -> bool {
        c == Consensus::BigFoot
    }

    /// Whether a leader whose propose retry comes at `at` still proposes in a round that
    /// times out at `timeout_at` (under V2's retry; the 5 s margin is V2's Tendermint's).
    pub(super) fn retry_in_time(&self, c: Consensus, at: Time, timeout_at: Time) -> bool {
        let ready = at.saturating_add(self.creation_ns);
        if c == Consensus::Tendermint && self.v2.tendermint {
            ready.saturating_add(TENDERMINT_V2_PROPOSE_MARGIN_NS) < timeout_at
        } else {
            ready <= timeout_at
        }
    }

    /// How long after its propose event a leader sends a block of `txs` transactions it has
    /// just made: `txs x time_per_tx` (its `creation_time` came before the event). Under
    /// `sbs_compat`, SymBChainSim V2's code: its PBFT and BigFoot send at the propose event
    /// (they compute `creation_time + txs x time_per_tx` and send at the wrong variable), its
    /// Tendermint (V2's form) sends `creation_time + txs x time_per_tx` after it.
    pub(super) fn making_ns(&self, c: Consensus, txs: u32) -> Time {
        let per_tx = u64::from(txs).saturating_mul(self.per_tx_ns);
        match (self.sbs_compat, c) {
            (false, _) => per_tx,
            (true, Consensus::Tendermint) if self.v2.tendermint => {
                self.creation_ns.saturating_add(per_tx)
            }
            (true, _) => 0,
        }
    }

    /// The size of a block whose transactions weigh `txs_mb`, MB: SBS V2's base block size
    /// once in the block and once more in each message that carries it (BigFoot's V2 block
    /// leaves the first out).
    pub(super) fn block_mb(&self, c: Consensus, txs_mb: f64) -> f64 {
        if c == Consensus::BigFoot && self.sbs_compat {
            txs_mb + self.base_block_mb
        } else {
            txs_mb + 2.0 * self.base_block_mb
        }
    }
}

impl Simulator {
    /// Whether node `v` runs the real Tendermint in its current round.
    pub(super) fn real_tendermint(&self, p: &PbftParams, v: u32) -> bool {
        p.real_tendermint(self.nodes[v as usize].consensus)
    }

    /// Whether node `v` reads `msg` under the protocol it runs: a message of its own
    /// protocol; a decided block, whatever protocol decided it; a round-change vote, which
    /// every protocol with PBFT's round reads alike (not the real Tendermint, which has
    /// none). The others, sent under a protocol the node has switched from (or not yet to),
    /// are dropped.
    pub(super) fn parses(&self, p: &PbftParams, v: u32, msg: &Msg) -> bool {
        msg.proto == self.nodes[v as usize].consensus
            || match msg.kind {
                Kind::Hook | Kind::NewBlock => true,
                Kind::RoundChange => !self.real_tendermint(p, v),
                Kind::PrePrepare | Kind::Prepare | Kind::Commit => false,
            }
    }

    /// The leader of `round` as node `v` sees it (under [`Proposer::Hash`] it depends on the
    /// last block `v` committed; nodes at one height agree).
    pub(super) fn leader(&self, p: &PbftParams, v: u32, round: u32) -> u32 {
        match p.proposer {
            Proposer::RoundRobin => round % self.n,
            Proposer::Hash => {
                let h = self.nodes[v as usize].height;
                let last = match h {
                    0 => 0,
                    _ => self.block_hash(self.chain.canonical[h as usize - 1]),
                };
                (last.wrapping_add(u64::from(round)) % u64::from(self.n)) as u32
            }
        }
    }

    /// A hash of proposal `b`'s content: height, round, proposer, creation time and its
    /// transactions (the first and how many).
    pub(super) fn block_hash(&self, b: u32) -> u64 {
        let pr = &self.chain.proposals[b as usize];
        let first = self.chain.tx_list[pr.tx_off as usize];
        crate::rng::Hasher::new()
            .decimal(u64::from(pr.height))
            .text(",")
            .decimal(u64::from(pr.round))
            .text(",")
            .decimal(u64::from(pr.proposer))
            .text(",")
            .decimal(pr.created)
            .text(",")
            .decimal(u64::from(first))
            .text(",")
            .decimal(u64::from(pr.tx_len))
            .finish()
    }

    /// Opens the fast path of the round `v` enters at `t` (BigFoot only): the node commits on
    /// n - 1 prepares until its fast-path timer fires at round start + `interval` +
    /// `fast_path_timeout`.
    pub(super) fn open_fast_path(
        &mut self,
        p: &PbftParams,
        v: u32,
        round: u32,
        t: Time,
        interval: Time,
    ) {
        if !p.fast_path(self.nodes[v as usize].consensus) {
            return;
        }
        self.nodes[v as usize].fast = true;
        self.queue.schedule(
            t + interval + p.fast_path_timeout_ns,
            Ev::FastPath { node: v, round },
        );
    }

    /// `v`'s fast-path timer for `round`: the node falls back to the slow path, and a node
    /// with the round's block and 2f prepares is prepared at once.
    pub(super) fn close_fast_path(
        &mut self,
        p: &PbftParams,
        net: &Network,
        v: u32,
        round: u32,
        now: Time,
    ) {
        let nd = &mut self.nodes[v as usize];
        if !nd.alive || nd.round != round || !nd.fast {
            return;
        }
        nd.fast = false;
        let t = now.max(nd.ready_at);
        self.check_prepared(p, net, v, t);
    }

    /// Whether `v`, on the fast path, holds prepares from every validator but the leader.
    pub(super) fn fast_quorum(&self, v: u32) -> bool {
        self.nodes[v as usize].prepares + 1 >= self.n
    }
}

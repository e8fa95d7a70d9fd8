//! The management chain's agreement (Algorithm 1 of the management paper).
//!
//! When the configuration block interval fires, the management nodes run proposal cycles.
//! Cycle `FC` (the failed cycles so far) is proposed by member `(h_l + FC) mod |MN|`. The
//! proposer builds a configuration block (`creation_time`) and sends it as a pre-prepare over
//! the management overlay; the cycle is a PBFT round with the primary chain's thresholds (a
//! replica is prepared at 2f prepares, its own included, the proposer sends no prepare; a node
//! commits at 2f+1 commits, its own included) and its message costs (validation delays, votes
//! carrying the block or a digest). A member validates the proposed configuration with its
//! twin and votes only for a valid one. Every management message is signed by its sender
//! (`sign_ns` before it leaves) and its signature verified by each receiver (`verify_ns` on top
//! of the validation delay); the committed block carries the commit signatures of the voters
//! its first committer counted, made with the members' keys ([`super::member_keys`]). A cycle in which no member commits before the cycle
//! timeout fails (an offline proposer, a proposer with an invalid configuration, or no live
//! quorum) and the next cycle starts at that timeout; after |MN| failed cycles the agreement
//! fails and the management chain waits for the next interval.
//!
//! The management chain does not depend on the primary chain's state, so one agreement is
//! simulated as a unit when its interval fires, with its own small event queue; its messages
//! travel over links of the same network model (per-message bandwidth draws with keys of
//! their own, latency between the members' locations).

use super::tendermint;
use super::{Config, ConfigBlock, Forge, Keyring, ManagementParams, member_keys, proposer_for};
use crate::des::Time;
use crate::network::VotePayload;
use crate::network::{GossipScratch, Network};
use crate::pbft::{Consensus, TendermintTimeouts};
use crate::rng::purpose;
use crate::rng::{GenRng, stream};
use ed25519_dalek::SigningKey;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Key space of management messages (distinct from the primary chain's message keys).
const MGMT_TAG: u64 = 0x4d47_0000_0000_0000;

/// The management nodes of one run and their overlay.
#[derive(Clone, Debug)]
pub struct Committee {
    /// The overlay among the members (member `i` is node `i`), with the primary network's
    /// latencies and bandwidth model.
    pub net: Network,
    /// The primary node each member runs on, ascending.
    pub members: Vec<u32>,
    /// Members offline for the whole run.
    pub offline: Vec<bool>,
    /// Members that propose an invalid configuration.
    pub invalid: Vec<bool>,
    /// Byzantine members: they propose what `forge` says and vote for every proposal.
    pub byzantine: Vec<bool>,
    /// What a Byzantine member proposes.
    pub forge: Forge,
    /// Fault tolerance of the management chain.
    pub f: u32,
    /// Each member's key pair (member `i` signs with `keys[i]`).
    pub keys: Vec<SigningKey>,
    /// Their public keys, as the primary nodes hold them.
    pub keyring: Keyring,
}

impl Committee {
    /// Draws the members from the primary nodes, their overlay, and the offline and invalid
    /// members, from the environment's "management" stream.
    pub fn build(
        primary: &Network,
        p: &ManagementParams,
        f: u32,
        master: u64,
        env_key: u64,
    ) -> Committee {
        let n = primary.node_count();
        let m = p.members;
        let mut rng = stream(master, env_key, purpose::MANAGEMENT);
        let mut pick = |pool: &mut Vec<u32>, k: u32| {
            for i in 0..k as usize {
                let j = i + rng.next_int((pool.len() - i) as u32) as usize;
                pool.swap(i, j);
            }
        };
        let mut pool: Vec<u32> = (0..n).collect();
        pick(&mut pool, m);
        let mut members = pool[..m as usize].to_vec();
        members.sort_unstable();
        let mut edges = Vec::with_capacity((m * p.peers) as usize);
        let mut others: Vec<u32> = Vec::with_capacity(m as usize);
        for u in 0..m {
            others.clear();
            others.extend((0..m).filter(|&v| v != u));
            pick(&mut others, p.peers);
            edges.extend(others[..p.peers as usize].iter().map(|&v| (u, v)));
        }
        // The faulty members: the offline, then the invalid, then the Byzantine ones (a
        // partial shuffle, so adding Byzantine members leaves the others as they were).
        let mut ids: Vec<u32> = (0..m).collect();
        pick(&mut ids, p.offline + p.invalid + p.byzantine);
        let mut offline = vec![false; m as usize];
        let mut invalid = vec![false; m as usize];
        let mut byzantine = vec![false; m as usize];
        for (i, &x) in ids[..(p.offline + p.invalid + p.byzantine) as usize]
            .iter()
            .enumerate()
        {
            if (i as u32) < p.offline {
                offline[x as usize] = true;
            } else if (i as u32) < p.offline + p.invalid {
                invalid[x as usize] = true;
            } else {
                byzantine[x as usize] = true;
            }
        }
        let bw = members
            .iter()
            .map(|&u| primary.node_bandwidths()[u as usize])
            .collect();
        let bw_sd = members
            .iter()
            .map(|&u| primary.node_bandwidth_sds()[u as usize])
            .collect();
        let keys = member_keys(master, env_key, m);
        Committee {
            net: Network::from_parts(primary, &members, &edges, bw, bw_sd),
            members,
            offline,
            invalid,
            byzantine,
            forge: p.forge,
            f,
            keyring: Keyring::of(&keys),
            keys,
        }
    }

    /// |MN|.
    pub fn size(&self) -> u32 {
        self.members.len() as u32
    }
}

/// The message costs of a management round.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoundCosts {
    /// Configuration block size, MB.
    pub cb_size_mb: f64,
    /// Size of a message without its block, MB.
    pub base_msg_mb: f64,
    /// What votes carry.
    pub votes: VotePayload,
    /// Validation of any message, ns.
    pub msg_val_ns: Time,
    /// Extra validation of a block (the twin checking the configuration), ns.
    pub block_val_ns: Time,
    /// Time to build a block, ns.
    pub creation_ns: Time,
    /// Time a member takes to sign a message it sends, ns.
    pub sign_ns: Time,
    /// Time a member takes to verify the signature of a message it receives, ns.
    pub verify_ns: Time,
    /// A cycle without a commit ends after this long, ns.
    pub cycle_timeout_ns: Time,
    /// The management chain's protocol ([`ManagementParams::consensus`]).
    pub consensus: Consensus,
    /// Whether its Tendermint is the real protocol (else SymBChainSim V2's form: PBFT's
    /// round with votes that carry the block's hash only).
    pub real_tendermint: bool,
    /// BigFoot's fast path lasts this long from the cycle's start, ns.
    pub fast_path_timeout_ns: Time,
    /// The real Tendermint's step timeouts.
    pub timeouts: TendermintTimeouts,
}

impl RoundCosts {
    /// What prepare and commit carry: the block under `votes = "block"`, except in either
    /// Tendermint, whose votes carry the block's hash only.
    pub fn vote_payload(&self) -> VotePayload {
        match self.consensus {
            Consensus::Tendermint => VotePayload::Digest,
            Consensus::Pbft | Consensus::BigFoot => self.votes,
        }
    }
}

/// The outcome of one agreement.
#[derive(Clone, Debug, PartialEq)]
pub struct Agreement {
    /// The committed block, unless every cycle failed.
    pub block: Option<ConfigBlock>,
    /// Cycles that failed (FC of the block, or |MN| when none was committed).
    pub failed_cycles: u32,
    /// The proposer (member index) of each cycle, in order.
    pub proposers: Vec<u32>,
    /// When the first member committed (the agreement moment), or when the last cycle ended.
    pub agreed_at: Time,
    /// When each member committed the block (`Time::MAX`: never).
    pub commit_at: Vec<Time>,
    /// Transmissions of management messages, duplicates included.
    pub msgs: u64,
    /// Their volume, MB.
    pub bytes_mb: f64,
    /// Message deliveries processed.
    pub events: u64,
    /// Forbidden proposals an honest member's twin refused (one per member and proposal).
    pub refused: u32,
}

/// What a delivery or a timer is. PBFT and BigFoot use the first three as their names say
/// (and `FastPath`); the real Tendermint reads them as proposal, prevote for the round's
/// block and precommit for it, with nil votes and its three step timers beside them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    PrePrepare,
    Prepare,
    Commit,
    PrevoteNil,
    PrecommitNil,
    FastPath,
    TimeoutPropose,
    TimeoutPrevote,
    TimeoutPrecommit,
}

impl Kind {
    /// Whether this is a member's own timer (no message, nothing to validate).
    pub(super) fn is_timer(self) -> bool {
        matches!(
            self,
            Kind::FastPath | Kind::TimeoutPropose | Kind::TimeoutPrevote | Kind::TimeoutPrecommit
        )
    }
}

/// Reusable state of the agreement simulation.
#[derive(Default)]
pub struct Scratch {
    /// Deliveries and timers: (time, to, kind, from).
    pub(super) heap: BinaryHeap<Reverse<(Time, u32, Kind, u32)>>,
    pub(super) gossip: GossipScratch,
    pub(super) has_proposal: Vec<bool>,
    prepared: Vec<bool>,
    pub(super) ready_at: Vec<Time>,
    prepares: Vec<u32>,
    commits: Vec<u32>,
    prepare_bits: Vec<bool>,
    commit_bits: Vec<bool>,
    /// BigFoot: whether each member is still on the cycle's fast path.
    fast: Vec<bool>,
    /// The real Tendermint's state.
    pub(super) tm: tendermint::State,
}

/// What the proposer of a cycle proposes.
#[derive(Clone, Copy, Debug)]
pub(super) struct Proposed {
    /// The member whose cycle it is.
    pub leader: u32,
    /// The configuration its block carries.
    pub config: Config,
    /// What it forges, when Byzantine.
    pub forges: Option<Forge>,
    /// Whether honest twins refuse it.
    pub forbidden: bool,
}

/// How one cycle ended.
pub(super) struct CycleEnd {
    /// The first commit: its time, its proof (the voters the first committer counted) and the
    /// cycle whose block it is (a Tendermint proposer may propose an earlier cycle's block).
    pub decided: Option<(Time, Vec<u32>, u32)>,
    /// When the next cycle starts if this one decided nothing.
    pub end: Time,
}

/// Runs the agreement that starts at `t0` after `head`, proposing `config`. `next_key` numbers
/// the run's management messages (for the per-message draws) and is advanced.
pub fn agree(
    c: &Committee,
    costs: &RoundCosts,
    head: &ConfigBlock,
    config: Config,
    t0: Time,
    next_key: &mut u64,
    s: &mut Scratch,
) -> Agreement {
    let m = c.size();
    let mut out = Agreement {
        block: None,
        failed_cycles: 0,
        proposers: Vec::new(),
        agreed_at: t0,
        commit_at: vec![Time::MAX; m as usize],
        msgs: 0,
        bytes_mb: 0.0,
        events: 0,
        refused: 0,
    };
    s.tm.start_agreement(m);
    let mut proposed: Vec<Proposed> = Vec::with_capacity(m as usize);
    let mut start = t0;
    for fc in 0..m {
        let leader = proposer_for(&head.hash, fc, m);
        out.proposers.push(leader);
        let deadline = start + costs.cycle_timeout_ns;
        out.failed_cycles = fc;
        let forges = c.byzantine[leader as usize].then_some(c.forge);
        let proposal = if c.invalid[leader as usize] || forges == Some(Forge::Invalid) {
            Config::invalid()
        } else {
            config
        };
        // A forbidden proposal: one no honest twin votes for.
        let forbidden = !proposal.is_valid() || forges.is_some();
        proposed.push(Proposed {
            leader,
            config: proposal,
            forges,
            forbidden,
        });
        let ended = if costs.consensus == Consensus::Tendermint && costs.real_tendermint {
            tendermint::round(
                c, costs, &proposed, fc, start, deadline, next_key, s, &mut out,
            )
        } else {
            let decided = match c.offline[leader as usize] {
                true => None,
                false => cycle(c, costs, leader, forbidden, start, next_key, s, &mut out),
            };
            CycleEnd {
                decided: decided.map(|(t, voters)| (t, voters, fc)),
                end: deadline,
            }
        };
        if let Some((first, voters, origin)) = ended.decided
            && first <= deadline
        {
            out.agreed_at = first;
            let p = proposed[origin as usize];
            let b = ConfigBlock::next(head, p.leader, origin, p.config, voters, &c.keys);
            out.block = Some(match p.forges {
                Some(Forge::Stale) => ConfigBlock {
                    prev: head.prev,
                    ..b
                }
                .resigned(&c.keys),
                Some(Forge::Unsigned) => ConfigBlock {
                    signatures: Vec::new(),
                    ..b
                },
                Some(Forge::Invalid) | None => b,
            });
            return out;
        }
        out.commit_at.fill(Time::MAX);
        start = ended.end;
    }
    out.failed_cycles = m;
    out.agreed_at = start;
    out
}

/// Gossips a management message of `kind` from member `from`, signed at `at`, over the live
/// members, and queues its deliveries.
#[allow(clippy::too_many_arguments)]
pub(super) fn send(
    c: &Committee,
    costs: &RoundCosts,
    s: &mut Scratch,
    out: &mut Agreement,
    key: &mut u64,
    from: u32,
    kind: Kind,
    at: Time,
) {
    let size = costs.base_msg_mb
        + match (kind, costs.vote_payload()) {
            (Kind::PrePrepare, _) | (Kind::Prepare | Kind::Commit, VotePayload::Block) => {
                costs.cb_size_mb
            }
            _ => 0.0,
        };
    let k = MGMT_TAG | *key;
    *key += 1;
    let offline = &c.offline;
    let spread = c.net.gossip(
        from,
        at + costs.sign_ns,
        size,
        k,
        |v, _| !offline[v as usize],
        &mut s.gossip,
    );
    out.msgs += spread.transmissions;
    out.bytes_mb += spread.transmissions as f64 * size;
    for &v in &s.gossip.order[1..] {
        s.heap
            .push(Reverse((s.gossip.arrival[v as usize], v, kind, from)));
    }
}

/// One PBFT round among the live members (BigFoot's: with its fast path first): `leader`
/// proposes a block, made `creation_time` after the cycle's `start`, that honest members
/// refuse when `forbidden` (Byzantine members vote for it anyway). Returns the first
/// commit's time and its proof (the commit senders the first committer counted; on
/// BigFoot's fast path, the leader and the prepare senders), and fills `out.commit_at`.
#[allow(clippy::too_many_arguments)]
fn cycle(
    c: &Committee,
    costs: &RoundCosts,
    leader: u32,
    forbidden: bool,
    start: Time,
    next_key: &mut u64,
    s: &mut Scratch,
    out: &mut Agreement,
) -> Option<(Time, Vec<u32>)> {
    let m = c.size() as usize;
    let f = c.f;
    s.heap.clear();
    for v in [
        &mut s.has_proposal,
        &mut s.prepared,
        &mut s.prepare_bits,
        &mut s.commit_bits,
        &mut s.fast,
    ] {
        v.clear();
    }
    s.has_proposal.resize(m, false);
    s.prepared.resize(m, false);
    s.prepare_bits.resize(m * m, false);
    s.commit_bits.resize(m * m, false);
    s.ready_at.clear();
    s.ready_at.resize(m, 0);
    s.prepares.clear();
    s.prepares.resize(m, 0);
    s.commits.clear();
    s.commits.resize(m, 0);
    s.fast.resize(m, false);
    if costs.consensus == Consensus::BigFoot {
        // Every live member opens the fast path at the cycle's start; its timer closes it.
        for v in 0..m as u32 {
            if !c.offline[v as usize] {
                s.fast[v as usize] = true;
                let at = start + costs.fast_path_timeout_ns;
                s.heap.push(Reverse((at, v, Kind::FastPath, v)));
            }
        }
    }
    let mut first: Option<(Time, Vec<u32>)> = None;

    // Moves `v` forward at `t`: on BigFoot's fast path, committed on prepares from every
    // member but the leader; otherwise prepared at 2f prepares, committed at 2f+1 commits.
    let advance = |s: &mut Scratch,
                   out: &mut Agreement,
                   key: &mut u64,
                   first: &mut Option<(Time, Vec<u32>)>,
                   v: u32,
                   t: Time| {
        let vi = v as usize;
        if s.fast[vi] {
            if s.has_proposal[vi]
                && out.commit_at[vi] == Time::MAX
                && s.prepares[vi] + 1 >= m as u32
            {
                out.commit_at[vi] = t;
                if first.is_none() {
                    let voters = (0..m as u32)
                        .filter(|&u| u == leader || s.prepare_bits[vi * m + u as usize])
                        .collect();
                    *first = Some((t, voters));
                }
            }
            return;
        }
        if s.has_proposal[vi]
            && !s.prepared[vi]
            && out.commit_at[vi] == Time::MAX
            && s.prepares[vi] >= 2 * f
        {
            s.prepared[vi] = true;
            s.commit_bits[vi * m + vi] = true;
            s.commits[vi] += 1;
            send(c, costs, s, out, key, v, Kind::Commit, t);
        }
        if s.prepared[vi] && out.commit_at[vi] == Time::MAX && s.commits[vi] > 2 * f {
            out.commit_at[vi] = t;
            if first.is_none() {
                let voters = (0..m as u32)
                    .filter(|&u| s.commit_bits[vi * m + u as usize])
                    .collect();
                *first = Some((t, voters));
            }
        }
    };

    let t = start + costs.creation_ns;
    s.has_proposal[leader as usize] = true;
    s.ready_at[leader as usize] = t;
    send(c, costs, s, out, next_key, leader, Kind::PrePrepare, t);
    advance(s, out, next_key, &mut first, leader, t);
    while let Some(Reverse((at, v, kind, from))) = s.heap.pop() {
        let vi = v as usize;
        if kind == Kind::FastPath {
            // The fast-path timer: fall back to the slow path (a member holding 2f prepares
            // is prepared at once).
            s.fast[vi] = false;
            advance(s, out, next_key, &mut first, v, at.max(s.ready_at[vi]));
            continue;
        }
        out.events += 1;
        let mut t = at.max(s.ready_at[vi]) + costs.msg_val_ns + costs.verify_ns;
        match kind {
            Kind::PrePrepare => {
                if s.has_proposal[vi] {
                    continue;
                }
                t += costs.block_val_ns;
                s.ready_at[vi] = t;
                if forbidden && !c.byzantine[vi] {
                    // The member's twin rejects the block: no vote.
                    out.refused += 1;
                    continue;
                }
                s.has_proposal[vi] = true;
                s.prepare_bits[vi * m + vi] = true;
                s.prepares[vi] += 1;
                send(c, costs, s, out, next_key, v, Kind::Prepare, t);
            }
            Kind::Prepare => {
                s.ready_at[vi] = t;
                if s.prepare_bits[vi * m + from as usize] {
                    continue;
                }
                s.prepare_bits[vi * m + from as usize] = true;
                s.prepares[vi] += 1;
            }
            Kind::Commit => {
                s.ready_at[vi] = t;
                if s.commit_bits[vi * m + from as usize] {
                    continue;
                }
                s.commit_bits[vi * m + from as usize] = true;
                s.commits[vi] += 1;
            }
            _ => unreachable!("PBFT's cycle queues only its three messages and BigFoot's timer"),
        }
        advance(s, out, next_key, &mut first, v, t);
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::management::{Configs, Reject, Verdict, check};
    use crate::network::{Bandwidth, Dissemination, Latency, Links, NetworkParams};

    fn primary() -> Network {
        let p = NetworkParams {
            nodes: 32,
            peers: 16,
            links: Links::Bidirectional,
            bandwidth: Bandwidth::PerMessage,
            bandwidth_mean: 10.0,
            bandwidth_sd: 0.5,
            bandwidth_min: 1.0,
            bandwidth_draw: crate::network::BandwidthDraw::Clamped,
            latency: Latency::Distance,
            latency_constant_ns: 0,
            processing_ns: 0,
            dissemination: Dissemination::Gossip,
        };
        Network::build(&p, 5, 6, 7)
    }

    fn params(members: u32, offline: u32, invalid: u32) -> ManagementParams {
        ManagementParams {
            members,
            peers: 4.min(members - 1),
            cbi_mean_ns: 30_000_000_000,
            cbi_sd_ns: 5_000_000_000,
            cb_size_mb: 0.25,
            cycle_timeout_ns: 5_000_000_000,
            configs: Configs::Same,
            consensus: crate::pbft::Consensus::Pbft,
            offline,
            invalid,
            byzantine: 0,
            forge: Forge::Stale,
            sign_ns: 21_000,
            verify_ns: 43_000,
        }
    }

    const COSTS: RoundCosts = RoundCosts {
        cb_size_mb: 0.25,
        base_msg_mb: 0.1,
        votes: VotePayload::Block,
        msg_val_ns: 1_000_000,
        block_val_ns: 10_000_000,
        creation_ns: 20_000_000,
        cycle_timeout_ns: 5_000_000_000,
        sign_ns: 21_000,
        verify_ns: 43_000,
        consensus: Consensus::Pbft,
        real_tendermint: true,
        // Shorter than the cycle timeout, so a cycle without a fast quorum can still commit.
        fast_path_timeout_ns: 1_000_000_000,
        timeouts: TendermintTimeouts {
            propose_ns: 3_000_000_000,
            prevote_ns: 1_000_000_000,
            precommit_ns: 1_000_000_000,
            delta_ns: 500_000_000,
        },
    };

    const BASE: Config = Config {
        block_size_mb: 1.0,
        block_interval_ns: 100_000_000,
        consensus: crate::pbft::Consensus::Pbft,
    };

    const PROTOCOLS: [Consensus; 3] = [Consensus::Pbft, Consensus::Tendermint, Consensus::BigFoot];

    fn run(c: &Committee, head: &ConfigBlock) -> Agreement {
        let mut key = 0;
        agree(
            c,
            &COSTS,
            head,
            BASE,
            1_000,
            &mut key,
            &mut Scratch::default(),
        )
    }

    /// The agreement moment is the earliest commit of any member, and the block's proof
    /// checks (over 60 committees of 16).
    #[test]
    fn agreement_is_the_earliest_commit() {
        let net = primary();
        let mut committed = 0;
        let members = 16;
        for seed in 0..60 {
            let c = Committee::build(&net, &params(members, 0, 0), 5, seed, seed + 1);
            let head = ConfigBlock::genesis(3, members, BASE);
            let a = run(&c, &head);
            let Some(b) = a.block else { continue };
            committed += 1;
            let earliest = a.commit_at.iter().copied().min().unwrap();
            assert_eq!(a.agreed_at, earliest, "seed {seed}");
            assert_eq!(check(&b, &head, &c.keyring, 5), Ok(Verdict::Append));
        }
        assert!(committed >= 50, "{committed}");
    }

    #[test]
    fn a_healthy_committee_agrees_in_the_first_cycle_with_a_valid_proof() {
        let net = primary();
        let c = Committee::build(&net, &params(16, 0, 0), 5, 1, 2);
        assert_eq!(c.members.len(), 16);
        assert!(c.members.windows(2).all(|w| w[0] < w[1]));
        let head = ConfigBlock::genesis(3, 16, BASE);
        let a = run(&c, &head);
        let b = a.block.expect("committed");
        assert_eq!(a.failed_cycles, 0);
        assert_eq!(b.voters.len(), 11);
        assert_eq!(check(&b, &head, &c.keyring, 5), Ok(Verdict::Append));
        assert!(a.agreed_at > 1_000 + COSTS.creation_ns);
        assert!(
            a.commit_at
                .iter()
                .all(|&t| t != Time::MAX && t >= a.agreed_at)
        );
        assert!(a.msgs > 0 && a.events > 0);
    }

    #[test]
    fn offline_and_invalid_proposers_cost_cycles_until_a_live_quorum_member_proposes() {
        let net = primary();
        for seed in 0..40 {
            // f = 5: up to 5 faulty members leave a live quorum.
            for (off, inv) in [(5, 0), (0, 5), (3, 2)] {
                let c = Committee::build(&net, &params(16, off, inv), 5, seed, 9);
                let head = ConfigBlock::genesis(seed, 16, BASE);
                let a = run(&c, &head);
                let b = a.block.as_ref().expect("a live quorum agrees");
                let faulty = |i: u32| c.offline[i as usize] || c.invalid[i as usize];
                // Every failed cycle had a faulty proposer; the committing one is healthy.
                assert!(
                    a.proposers[..a.failed_cycles as usize]
                        .iter()
                        .all(|&p| faulty(p))
                );
                assert!(!faulty(b.proposer));
                assert!(a.failed_cycles <= off + inv);
                assert_eq!(check(b, &head, &c.keyring, 5), Ok(Verdict::Append));
                assert!(b.voters.iter().all(|&v| !c.offline[v as usize]));
                let expect = 1_000 + u64::from(a.failed_cycles) * COSTS.cycle_timeout_ns;
                assert!(a.agreed_at > expect);
            }
        }
    }

    /// Byzantine twins (the management paper's claim, measured): with up to 2f of 16 (f = 5)
    /// proposing forbidden blocks (each kind) and voting for every proposal, every agreed
    /// block passes a primary node's checks, and each Byzantine proposer's cycle failed; with
    /// 2f+1 a Byzantine proposer's forbidden block is agreed, and the checks reject it for its
    /// own reason. A commit quorum of 2f (or honest twins voting for a forbidden block) fails
    /// the first half.
    #[test]
    fn byzantine_twins_agree_on_a_forbidden_block_only_with_2f_plus_1_of_them() {
        let net = primary();
        let mut forged_agreed = 0;
        for (forge, consensus) in [Forge::Stale, Forge::Unsigned, Forge::Invalid]
            .into_iter()
            .flat_map(|f| PROTOCOLS.map(|c| (f, c)))
        {
            let costs = RoundCosts { consensus, ..COSTS };
            for seed in 0..30 {
                for k in [1, 5, 10, 11] {
                    let mut mp = params(16, 0, 0);
                    mp.byzantine = k;
                    mp.forge = forge;
                    let c = Committee::build(&net, &mp, 5, seed, 9);
                    assert_eq!(c.byzantine.iter().filter(|&&b| b).count(), k as usize);
                    let genesis = ConfigBlock::genesis(seed, 16, BASE);
                    let keys = member_keys(seed, 9, 16);
                    let head = ConfigBlock::next(&genesis, 0, 0, BASE, (0..11).collect(), &keys);
                    let a = agree(
                        &c,
                        &costs,
                        &head,
                        BASE,
                        1_000,
                        &mut 0,
                        &mut Scratch::default(),
                    );
                    let Some(b) = a.block.as_ref() else {
                        continue;
                    };
                    let verdict = check(b, &head, &c.keyring, 5);
                    if k <= 10 {
                        let at = format!("{consensus:?} {forge:?} {k} seed {seed}");
                        assert_eq!(verdict, Ok(Verdict::Append), "{at}");
                        assert!(!c.byzantine[b.proposer as usize], "{at}");
                        assert!(
                            a.proposers[..a.failed_cycles as usize]
                                .iter()
                                .all(|&p| c.byzantine[p as usize]),
                            "{at}"
                        );
                        let refused = a.failed_cycles * (16 - k);
                        assert!(
                            a.refused <= refused && (a.failed_cycles == 0 || a.refused > 0),
                            "{at}"
                        );
                    } else if c.byzantine[b.proposer as usize] {
                        forged_agreed += 1;
                        let reason = match verdict {
                            Err(Reject::BrokenLink { .. }) => Forge::Stale,
                            Err(Reject::MissingSignatures { .. }) => Forge::Unsigned,
                            Err(Reject::InvalidConfig) => Forge::Invalid,
                            other => panic!("{consensus:?} {forge:?} seed {seed}: {other:?}"),
                        };
                        assert_eq!(reason, forge);
                    }
                }
            }
        }
        // 11 of 16 propose first in most agreements (30 seeds, three forgeries, three
        // protocols).
        assert!(forged_agreed >= 3 * 45, "{forged_agreed}");
    }

    #[test]
    fn without_a_live_quorum_every_member_proposes_once_and_no_block_is_made() {
        let net = primary();
        let c = Committee::build(&net, &params(16, 6, 0), 5, 4, 4);
        let a = run(&c, &ConfigBlock::genesis(1, 16, BASE));
        assert!(a.block.is_none());
        assert_eq!(a.failed_cycles, 16);
        let mut p = a.proposers.clone();
        p.sort_unstable();
        assert_eq!(p, (0..16).collect::<Vec<_>>());
        assert_eq!(a.agreed_at, 1_000 + 16 * COSTS.cycle_timeout_ns);
    }

    #[test]
    fn signing_and_verification_lengthen_every_step_of_the_round() {
        let net = primary();
        let c = Committee::build(&net, &params(16, 0, 0), 5, 1, 2);
        let head = ConfigBlock::genesis(3, 16, BASE);
        let mut s = Scratch::default();
        let free = RoundCosts {
            sign_ns: 0,
            verify_ns: 0,
            ..COSTS
        };
        let a0 = agree(&c, &free, &head, BASE, 0, &mut 0, &mut s);
        let a1 = agree(&c, &COSTS, &head, BASE, 0, &mut 0, &mut s);
        // The first commit follows a pre-prepare, a prepare and a commit, each signed by its
        // sender and verified by its receiver, so it comes at least three signatures and three
        // verifications later; the messages themselves are the same.
        let step = COSTS.sign_ns + COSTS.verify_ns;
        assert!(
            a1.agreed_at >= a0.agreed_at + 3 * step,
            "{} vs {}",
            a1.agreed_at,
            a0.agreed_at
        );
        assert!(a1.agreed_at < a0.agreed_at + 50 * step);
        // The block is the same and its proof verifies under the committee's keys.
        let (b0, b1) = (a0.block.unwrap(), a1.block.unwrap());
        assert_eq!(b0.hash, b1.hash);
        assert_eq!(super::super::verify_proof(&b1, &c.keyring, 5), Ok(()));
    }

    #[test]
    fn larger_blocks_take_longer_to_agree() {
        let net = primary();
        let c = Committee::build(&net, &params(16, 0, 0), 5, 1, 2);
        let head = ConfigBlock::genesis(3, 16, BASE);
        let mut key = 0;
        let mut s = Scratch::default();
        let small = agree(&c, &COSTS, &head, BASE, 0, &mut key, &mut s);
        let mut key = 0;
        let big = RoundCosts {
            cb_size_mb: 4.0,
            ..COSTS
        };
        let large = agree(&c, &big, &head, BASE, 0, &mut key, &mut s);
        assert!(large.agreed_at > small.agreed_at);
    }

    fn under(consensus: Consensus) -> RoundCosts {
        RoundCosts { consensus, ..COSTS }
    }

    /// BigFoot's fast path: a healthy committee commits on prepares from every member but the
    /// proposer, sends no commit vote, and its proof names every member; with one member
    /// offline no fast quorum exists, so the members fall back to PBFT's slow path when the
    /// fast-path timer fires and the proof is the 2f+1 commits.
    #[test]
    fn bigfoot_commits_on_every_prepare_or_falls_back_at_its_timer() {
        let net = primary();
        let head = ConfigBlock::genesis(3, 16, BASE);
        let (pbft, bigfoot) = (COSTS, under(Consensus::BigFoot));
        let mut fast = 0;
        for seed in 0..20 {
            let c = Committee::build(&net, &params(16, 0, 0), 5, seed, 2);
            let s = &mut Scratch::default();
            let a = agree(&c, &pbft, &head, BASE, 0, &mut 0, s);
            let b = agree(&c, &bigfoot, &head, BASE, 0, &mut 0, s);
            let block = b.block.as_ref().expect("agreed");
            assert_eq!(block.voters, (0..16).collect::<Vec<_>>(), "seed {seed}");
            assert_eq!(check(block, &head, &c.keyring, 5), Ok(Verdict::Append));
            // No commit phase: fewer messages, and (most often) sooner than PBFT's.
            assert!(b.msgs < a.msgs, "seed {seed}: {} vs {}", b.msgs, a.msgs);
            assert!(b.agreed_at < bigfoot.fast_path_timeout_ns);
            fast += usize::from(b.agreed_at < a.agreed_at);
        }
        assert!(fast >= 15, "{fast}");
        for seed in 0..20 {
            let c = Committee::build(&net, &params(16, 1, 0), 5, seed, 2);
            let a = agree(
                &c,
                &bigfoot,
                &head,
                BASE,
                0,
                &mut 0,
                &mut Scratch::default(),
            );
            let block = a.block.as_ref().expect("agreed");
            let start = u64::from(a.failed_cycles) * COSTS.cycle_timeout_ns;
            assert!(
                a.agreed_at > start + bigfoot.fast_path_timeout_ns,
                "seed {seed}"
            );
            assert_eq!(block.voters.len(), 11, "seed {seed}");
            assert_eq!(check(block, &head, &c.keyring, 5), Ok(Verdict::Append));
        }
    }

    /// The real Tendermint: the proposer's own prevote counts, so 3 live members of 4 decide
    /// in the first cycle (2f+1 = 3 prevotes); votes carry the hash only, so its messages
    /// weigh less than PBFT's block-carrying votes; a cycle with an offline proposer ends
    /// when f+1 members have timed out of it (propose, then precommit timeout), before the
    /// cycle timeout that ends PBFT's.
    #[test]
    fn tendermint_counts_the_proposers_prevote_and_ends_a_dead_cycle_by_its_timeouts() {
        let net = primary();
        let tm = under(Consensus::Tendermint);
        let mut first_cycle = 0;
        for seed in 0..30 {
            let c = Committee::build(&net, &params(4, 1, 0), 1, seed, 3);
            let head = ConfigBlock::genesis(seed, 4, BASE);
            let a = agree(&c, &tm, &head, BASE, 0, &mut 0, &mut Scratch::default());
            let b = a.block.as_ref().expect("3 live of 4 agree");
            assert_eq!(check(b, &head, &c.keyring, 1), Ok(Verdict::Append));
            assert!(b.voters.len() >= 3);
            if !c.offline[a.proposers[0] as usize] {
                assert_eq!(a.failed_cycles, 0, "seed {seed}");
                assert!(b.voters.contains(&a.proposers[0]), "seed {seed}");
                first_cycle += 1;
            } else {
                // The dead cycle: a nil prevote at timeout_propose, then timeout_precommit
                // after 2f+1 nil precommits; the next proposer's block follows.
                assert_eq!(a.failed_cycles, 1, "seed {seed}");
                let dead = tm.timeouts.propose_ns + tm.timeouts.precommit_ns;
                assert!(a.agreed_at > dead + tm.creation_ns, "seed {seed}");
                assert!(a.agreed_at < COSTS.cycle_timeout_ns, "seed {seed}");
                let p = agree(&c, &COSTS, &head, BASE, 0, &mut 0, &mut Scratch::default());
                assert!(p.agreed_at > COSTS.cycle_timeout_ns, "seed {seed}");
            }
        }
        assert!(first_cycle >= 15, "{first_cycle}");
        let c = Committee::build(&net, &params(16, 0, 0), 5, 1, 2);
        let head = ConfigBlock::genesis(3, 16, BASE);
        let a = agree(&c, &COSTS, &head, BASE, 0, &mut 0, &mut Scratch::default());
        let t = agree(&c, &tm, &head, BASE, 0, &mut 0, &mut Scratch::default());
        assert_eq!(t.failed_cycles, 0);
        assert!(t.bytes_mb / (t.msgs as f64) < a.bytes_mb / (a.msgs as f64));
    }

    /// Without a live quorum no protocol agrees, and every cycle ends by the cycle timeout.
    #[test]
    fn without_a_live_quorum_no_protocol_agrees() {
        let net = primary();
        for consensus in PROTOCOLS {
            let c = Committee::build(&net, &params(16, 6, 0), 5, 4, 4);
            let costs = under(consensus);
            let head = ConfigBlock::genesis(1, 16, BASE);
            let a = agree(
                &c,
                &costs,
                &head,
                BASE,
                1_000,
                &mut 0,
                &mut Scratch::default(),
            );
            assert!(a.block.is_none(), "{consensus:?}");
            assert_eq!(a.failed_cycles, 16, "{consensus:?}");
            assert!(
                a.agreed_at <= 1_000 + 16 * COSTS.cycle_timeout_ns,
                "{consensus:?}"
            );
        }
    }
}

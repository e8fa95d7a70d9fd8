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

use super::{Config, ConfigBlock, Forge, Keyring, ManagementParams, member_keys, proposer_for};
use crate::des::Time;
use crate::network::VotePayload;
use crate::network::{GossipScratch, Network};
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    PrePrepare,
    Prepare,
    Commit,
}

/// Reusable state of the agreement simulation.
#[derive(Default)]
pub struct Scratch {
    /// Deliveries: (time, to, kind, from).
    heap: BinaryHeap<Reverse<(Time, u32, Kind, u32)>>,
    gossip: GossipScratch,
    has_proposal: Vec<bool>,
    prepared: Vec<bool>,
    ready_at: Vec<Time>,
    prepares: Vec<u32>,
    commits: Vec<u32>,
    prepare_bits: Vec<bool>,
    commit_bits: Vec<bool>,
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
    for fc in 0..m {
        let leader = proposer_for(&head.hash, fc, m);
        out.proposers.push(leader);
        let start = t0 + u64::from(fc) * costs.cycle_timeout_ns;
        let deadline = start + costs.cycle_timeout_ns;
        out.failed_cycles = fc;
        if !c.offline[leader as usize] {
            let forges = c.byzantine[leader as usize].then_some(c.forge);
            let proposal = if c.invalid[leader as usize] || forges == Some(Forge::Invalid) {
                Config::invalid()
            } else {
                config
            };
            // A forbidden proposal: one no honest twin votes for.
            let forbidden = !proposal.is_valid() || forges.is_some();
            if let Some((first, voters)) = cycle(
                c,
                costs,
                leader,
                forbidden,
                start + costs.creation_ns,
                next_key,
                s,
                &mut out,
            ) && first <= deadline
            {
                out.agreed_at = first;
                let b = ConfigBlock::next(head, leader, fc, proposal, voters, &c.keys);
                out.block = Some(match forges {
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
        }
        out.commit_at.fill(Time::MAX);
    }
    out.failed_cycles = m;
    out.agreed_at = t0 + u64::from(m) * costs.cycle_timeout_ns;
    out
}

/// One PBFT round among the live members: `leader` proposes at `t` a block honest members
/// refuse when `forbidden` (Byzantine members vote for it anyway). Returns the first commit's
/// time and its proof (the commit senders the first committer counted), and fills
/// `out.commit_at`.
#[allow(clippy::too_many_arguments)]
fn cycle(
    c: &Committee,
    costs: &RoundCosts,
    leader: u32,
    forbidden: bool,
    t: Time,
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
    let mut first: Option<(Time, Vec<u32>)> = None;

    let send = |s: &mut Scratch, out: &mut Agreement, key: &mut u64, from: u32, kind, at| {
        let size = costs.base_msg_mb
            + match (kind, costs.votes) {
                (Kind::PrePrepare, _) | (_, VotePayload::Block) => costs.cb_size_mb,
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
    };
    // Moves `v` forward at `t`: prepared at 2f prepares, committed at 2f+1 commits.
    let advance = |s: &mut Scratch,
                   out: &mut Agreement,
                   key: &mut u64,
                   first: &mut Option<(Time, Vec<u32>)>,
                   v: u32,
                   t: Time| {
        let vi = v as usize;
        if s.has_proposal[vi] && !s.prepared[vi] && s.prepares[vi] >= 2 * f {
            s.prepared[vi] = true;
            s.commit_bits[vi * m + vi] = true;
            s.commits[vi] += 1;
            send(s, out, key, v, Kind::Commit, t);
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

    s.has_proposal[leader as usize] = true;
    s.ready_at[leader as usize] = t;
    send(s, out, next_key, leader, Kind::PrePrepare, t);
    advance(s, out, next_key, &mut first, leader, t);
    while let Some(Reverse((at, v, kind, from))) = s.heap.pop() {
        out.events += 1;
        let vi = v as usize;
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
                send(s, out, next_key, v, Kind::Prepare, t);
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
    };

    const BASE: Config = Config {
        block_size_mb: 1.0,
        block_interval_ns: 100_000_000,
        consensus: crate::pbft::Consensus::Pbft,
    };

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
        for forge in [Forge::Stale, Forge::Unsigned, Forge::Invalid] {
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
                    let a = run(&c, &head);
                    let Some(b) = a.block.as_ref() else {
                        continue;
                    };
                    let verdict = check(b, &head, &c.keyring, 5);
                    if k <= 10 {
                        assert_eq!(verdict, Ok(Verdict::Append), "{forge:?} {k} seed {seed}");
                        assert!(!c.byzantine[b.proposer as usize]);
                        assert!(
                            a.proposers[..a.failed_cycles as usize]
                                .iter()
                                .all(|&p| c.byzantine[p as usize])
                        );
                        let refused = a.failed_cycles * (16 - k);
                        assert!(a.refused <= refused && (a.failed_cycles == 0 || a.refused > 0));
                    } else if c.byzantine[b.proposer as usize] {
                        forged_agreed += 1;
                        let reason = match verdict {
                            Err(Reject::BrokenLink { .. }) => Forge::Stale,
                            Err(Reject::MissingSignatures { .. }) => Forge::Unsigned,
                            Err(Reject::InvalidConfig) => Forge::Invalid,
                            other => panic!("{forge:?} seed {seed}: {other:?}"),
                        };
                        assert_eq!(reason, forge);
                    }
                }
            }
        }
        // 11 of 16 propose first in most agreements.
        assert!(forged_agreed >= 45, "{forged_agreed}");
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
}

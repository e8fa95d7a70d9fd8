//! Decentralised management of a PBFT chain by a management blockchain of digital twins
//! (the decentralised-management paper, Section 2, Algorithms 1 and 2).
//!
//! A run holds two chains in one simulation. The primary chain is [`crate::pbft`]; this module
//! adds what the management chain needs:
//!
//! - [`ConfigBlock`]: a configuration block `{H_i, H_{i-1}, P, C, proof, height}`, plus the
//!   chain id and the failed cycles of its agreement (which the proposer check needs). `H_i`
//!   is SHA-256 of every other field; the proof is the set of 2f+1 management nodes whose
//!   commits the block gathered.
//! - [`check`]: what a primary node does with a configuration block that reaches it (Algorithm
//!   2, lines 3-8): the chain id, the height against its copy of the management chain (append,
//!   future: request the missing blocks, stale: ignore), the hash link, the hash itself, the
//!   proposer of the cycle (`(h_l + FC) mod |MN|`, `h_l` the previous block's hash read as a
//!   big-endian integer), the proof (at least 2f+1 distinct members), and the configuration.
//!   The simulation calls it on every delivery; the forged-block tests call the same function.
//! - [`agreement`]: the management chain's consensus (Algorithm 1): proposal cycles, each a
//!   PBFT round among the management nodes over their own overlay.
//!
//! - [`primary`]: the primary side (gossip of committed blocks from the management nodes,
//!   switching between consensus rounds, blocks stamped with their configuration height),
//!   which plugs into the chain as its [`crate::pbft::Reconfiguration`] hook.
//!
//! Architecture invariant: `management` reaches the chain only through pbft's public hook API
//! ([`crate::pbft::hooks`]); [`crate::pbft`] imports nothing of `management`. No I/O, no clock.

pub mod agreement;
pub mod primary;

use crate::des::Time;
use sha2::{Digest, Sha256};

/// A configuration of the primary chain: what a configuration block decides.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Config {
    /// Largest transaction block, MB.
    pub block_size_mb: f64,
    /// Delay from entering a round to the leader's proposal, ns.
    pub block_interval_ns: Time,
}

/// Largest block size a valid configuration may set, MB.
pub const MAX_CONFIG_BLOCK_SIZE_MB: f64 = 1024.0;
/// Longest block interval a valid configuration may set, ns (one hour).
pub const MAX_CONFIG_INTERVAL_NS: Time = 3_600_000_000_000;

impl Config {
    /// Whether a digital twin accepts this configuration: a positive, finite block size of at
    /// most [`MAX_CONFIG_BLOCK_SIZE_MB`] and a block interval of at most
    /// [`MAX_CONFIG_INTERVAL_NS`].
    pub fn is_valid(&self) -> bool {
        self.block_size_mb.is_finite()
            && self.block_size_mb > 0.0
            && self.block_size_mb <= MAX_CONFIG_BLOCK_SIZE_MB
            && self.block_interval_ns <= MAX_CONFIG_INTERVAL_NS
    }

    /// What a faulty proposer puts in its block: a zero block size, which no twin accepts.
    pub fn invalid() -> Config {
        Config {
            block_size_mb: 0.0,
            block_interval_ns: 0,
        }
    }
}

/// Which configuration each block carries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Configs {
    /// Every block carries the primary's base configuration (the paper's set-up).
    Same,
    /// Odd heights carry this configuration, even heights the base one: every block is a
    /// genuine switch.
    Alternate(Config),
}

/// The management chain's configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagementParams {
    /// Management nodes |MN|, drawn from the primary nodes.
    pub members: u32,
    /// Peers each management node picks in the management overlay (two-way links).
    pub peers: u32,
    /// Mean configuration block interval, ns.
    pub cbi_mean_ns: Time,
    /// Its standard deviation, ns.
    pub cbi_sd_ns: Time,
    /// Size of a configuration block, MB.
    pub cb_size_mb: f64,
    /// A proposal cycle without a quorum ends after this long, ns.
    pub cycle_timeout_ns: Time,
    /// What the blocks decide.
    pub configs: Configs,
    /// Management nodes offline for the whole run.
    pub offline: u32,
    /// Management nodes that propose an invalid configuration when it is their turn.
    pub invalid: u32,
}

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// A configuration block. Member indices (`proposer`, `voters`) index the management node
/// list, not the primary nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigBlock {
    /// The management chain this block belongs to.
    pub chain_id: u64,
    /// Height (the genesis block is 0).
    pub height: u32,
    /// `H_i`: SHA-256 of every other field.
    pub hash: Hash,
    /// `H_{i-1}`.
    pub prev: Hash,
    /// The proposing management node.
    pub proposer: u32,
    /// Cycles that failed before this block's (FC).
    pub failed_cycles: u32,
    /// The configuration it decides.
    pub config: Config,
    /// Proof of consensus: the management nodes whose commits it gathered, ascending.
    pub voters: Vec<u32>,
}

impl ConfigBlock {
    /// The genesis block of chain `chain_id` with `members` management nodes: the primary's
    /// configuration at the start, no proposer and no voters.
    pub fn genesis(chain_id: u64, members: u32, config: Config) -> ConfigBlock {
        ConfigBlock {
            chain_id,
            height: 0,
            hash: [0; 32],
            prev: [0; 32],
            proposer: members,
            failed_cycles: 0,
            config,
            voters: Vec::new(),
        }
        .sealed()
    }

    /// The next block after `head`, hashed.
    pub fn next(
        head: &ConfigBlock,
        proposer: u32,
        failed_cycles: u32,
        config: Config,
        voters: Vec<u32>,
    ) -> ConfigBlock {
        ConfigBlock {
            chain_id: head.chain_id,
            height: head.height + 1,
            hash: [0; 32],
            prev: head.hash,
            proposer,
            failed_cycles,
            config,
            voters,
        }
        .sealed()
    }

    /// SHA-256 of every field but the hash.
    pub fn digest(&self) -> Hash {
        let mut h = Sha256::new();
        h.update(b"chainlab-config-block-v1");
        h.update(self.chain_id.to_le_bytes());
        h.update(self.height.to_le_bytes());
        h.update(self.prev);
        h.update(self.proposer.to_le_bytes());
        h.update(self.failed_cycles.to_le_bytes());
        h.update(self.config.block_size_mb.to_bits().to_le_bytes());
        h.update(self.config.block_interval_ns.to_le_bytes());
        h.update((self.voters.len() as u32).to_le_bytes());
        for v in &self.voters {
            h.update(v.to_le_bytes());
        }
        h.finalize().into()
    }

    /// The block with its hash set.
    pub fn sealed(mut self) -> ConfigBlock {
        self.hash = self.digest();
        self
    }
}

/// `h mod m`, reading the hash as a big-endian integer.
pub fn hash_mod(h: &Hash, m: u32) -> u32 {
    let m = u64::from(m);
    h.iter()
        .fold(0u64, |acc, &b| (acc * 256 + u64::from(b)) % m) as u32
}

/// The proposer of cycle `failed_cycles` after the block whose hash is `head`:
/// `(h_l + FC) mod |MN|`.
pub fn proposer_for(head: &Hash, failed_cycles: u32, members: u32) -> u32 {
    ((u64::from(hash_mod(head, members)) + u64::from(failed_cycles)) % u64::from(members)) as u32
}

/// What a primary node does with a valid-looking configuration block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The next block of its copy: append it.
    Append,
    /// From the future (it misses blocks in between): request the missing blocks.
    Future,
    /// At or below its height: already held.
    Stale,
}

/// Why a primary node rejects a configuration block.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Reject {
    /// The block belongs to another management chain.
    #[error("block of chain {got:#018x}, not this chain ({expected:#018x})")]
    WrongChain {
        /// This chain's id.
        expected: u64,
        /// The block's.
        got: u64,
    },
    /// `H_{i-1}` is not the hash of the node's latest block.
    #[error("previous hash does not match block {height} held")]
    BrokenLink {
        /// Height of the node's latest block.
        height: u32,
    },
    /// `H_i` is not the block's hash.
    #[error("hash does not match the block's contents")]
    BadHash,
    /// Another member was due to propose in this cycle.
    #[error("proposer {got} is not the proposer of cycle {cycle} (member {expected})")]
    WrongProposer {
        /// The cycle (failed cycles before it).
        cycle: u32,
        /// The member due.
        expected: u32,
        /// The block's proposer.
        got: u32,
    },
    /// The proof holds fewer than 2f+1 distinct management nodes.
    #[error("proof has {got} distinct voters, {need} needed")]
    TooFewVoters {
        /// Distinct members in the proof.
        got: u32,
        /// 2f+1.
        need: u32,
    },
    /// The proof names someone who is not a management node.
    #[error("voter {voter} is not one of the {members} management nodes")]
    UnknownVoter {
        /// The voter.
        voter: u32,
        /// |MN|.
        members: u32,
    },
    /// The configuration is not one a twin accepts.
    #[error("invalid configuration")]
    InvalidConfig,
}

/// Checks configuration block `b` against `head`, the latest block of a primary node's copy of
/// the management chain (Algorithm 2): see the module documentation for the order of checks.
/// A future block is checked for chain, hash, proposer and proof, which do not need the
/// blocks in between; only its hash link waits for them.
pub fn check(b: &ConfigBlock, head: &ConfigBlock, members: u32, f: u32) -> Result<Verdict, Reject> {
    if b.chain_id != head.chain_id {
        return Err(Reject::WrongChain {
            expected: head.chain_id,
            got: b.chain_id,
        });
    }
    if b.height <= head.height {
        return Ok(Verdict::Stale);
    }
    if b.digest() != b.hash {
        return Err(Reject::BadHash);
    }
    if let Some(&voter) = b.voters.iter().find(|&&v| v >= members) {
        return Err(Reject::UnknownVoter { voter, members });
    }
    let distinct = b
        .voters
        .iter()
        .enumerate()
        .filter(|&(i, v)| !b.voters[..i].contains(v))
        .count() as u32;
    if distinct < 2 * f + 1 {
        return Err(Reject::TooFewVoters {
            got: distinct,
            need: 2 * f + 1,
        });
    }
    if !b.config.is_valid() {
        return Err(Reject::InvalidConfig);
    }
    if b.height > head.height + 1 {
        return Ok(Verdict::Future);
    }
    if b.prev != head.hash {
        return Err(Reject::BrokenLink {
            height: head.height,
        });
    }
    let expected = proposer_for(&b.prev, b.failed_cycles, members);
    if b.failed_cycles >= members || b.proposer != expected {
        return Err(Reject::WrongProposer {
            cycle: b.failed_cycles,
            expected,
            got: b.proposer,
        });
    }
    Ok(Verdict::Append)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: Config = Config {
        block_size_mb: 1.0,
        block_interval_ns: 100_000_000,
    };

    /// A valid chain of `len` blocks after genesis, 16 members (f = 5), all voting.
    fn chain(chain_id: u64, len: u32) -> Vec<ConfigBlock> {
        let mut c = vec![ConfigBlock::genesis(chain_id, 16, BASE)];
        for _ in 0..len {
            let head = c.last().unwrap();
            let p = proposer_for(&head.hash, 0, 16);
            c.push(ConfigBlock::next(head, p, 0, BASE, (0..11).collect()));
        }
        c
    }

    #[test]
    fn a_valid_chain_appends_block_by_block() {
        let c = chain(7, 5);
        for h in 1..c.len() {
            assert_eq!(check(&c[h], &c[h - 1], 16, 5), Ok(Verdict::Append));
            assert_eq!(check(&c[h - 1], &c[h], 16, 5), Ok(Verdict::Stale));
        }
        assert_eq!(check(&c[4], &c[1], 16, 5), Ok(Verdict::Future));
    }

    #[test]
    fn forged_blocks_are_rejected_with_their_reason() {
        let c = chain(7, 2);
        let (head, good) = (&c[1], &c[2]);
        // A broken hash link, resealed so that the hash itself is right.
        let mut b = good.clone();
        b.prev[0] ^= 1;
        let b = b.sealed();
        assert_eq!(
            check(&b, head, 16, 5),
            Err(Reject::BrokenLink { height: 1 })
        );
        // Contents changed after sealing.
        let mut b = good.clone();
        b.config.block_size_mb = 2.0;
        assert_eq!(check(&b, head, 16, 5), Err(Reject::BadHash));
        // Too few voters (2f = 10 distinct, one repeated to reach 11 entries).
        let mut b = good.clone();
        b.voters = (0..10).chain([3]).collect();
        let b = b.sealed();
        assert_eq!(
            check(&b, head, 16, 5),
            Err(Reject::TooFewVoters { got: 10, need: 11 })
        );
        // A voter who is not a member.
        let mut b = good.clone();
        b.voters[0] = 16;
        let b = b.sealed();
        assert_eq!(
            check(&b, head, 16, 5),
            Err(Reject::UnknownVoter {
                voter: 16,
                members: 16
            })
        );
        // The wrong proposer for the cycle it claims.
        let due = proposer_for(&head.hash, 0, 16);
        let mut b = good.clone();
        b.proposer = (due + 1) % 16;
        let b = b.sealed();
        assert_eq!(
            check(&b, head, 16, 5),
            Err(Reject::WrongProposer {
                cycle: 0,
                expected: due,
                got: (due + 1) % 16
            })
        );
        // ... and the right one for a later cycle is accepted.
        let b = ConfigBlock::next(
            head,
            proposer_for(&head.hash, 3, 16),
            3,
            BASE,
            (0..11).collect(),
        );
        assert_eq!(check(&b, head, 16, 5), Ok(Verdict::Append));
        // A cycle beyond |MN| is not a cycle.
        let b = ConfigBlock::next(
            head,
            proposer_for(&head.hash, 16, 16),
            16,
            BASE,
            (0..11).collect(),
        );
        assert!(matches!(
            check(&b, head, 16, 5),
            Err(Reject::WrongProposer { cycle: 16, .. })
        ));
        // An invalid configuration, properly signed.
        let b = ConfigBlock::next(head, due, 0, Config::invalid(), (0..11).collect());
        assert_eq!(check(&b, head, 16, 5), Err(Reject::InvalidConfig));
    }

    #[test]
    fn a_block_of_another_chain_is_rejected() {
        let ours = chain(7, 2);
        let theirs = chain(8, 2);
        assert_eq!(
            check(&theirs[2], &ours[1], 16, 5),
            Err(Reject::WrongChain {
                expected: 7,
                got: 8
            })
        );
        // Even relabelled with our chain id, it does not link to our chain.
        let mut b = theirs[2].clone();
        b.chain_id = 7;
        let b = b.sealed();
        assert_eq!(
            check(&b, &ours[1], 16, 5),
            Err(Reject::BrokenLink { height: 1 })
        );
        assert_ne!(ours[1].hash, theirs[1].hash);
    }

    #[test]
    fn hash_mod_reads_big_endian() {
        let mut h = [0u8; 32];
        h[31] = 0x11;
        h[30] = 0x01; // 0x0111 = 273
        assert_eq!(hash_mod(&h, 16), 273 % 16);
        assert_eq!(hash_mod(&h, 1000), 273);
        let full = [0xffu8; 32];
        // 2^256 - 1 = (2^4)^64 - 1 is divisible by 15, 3, 5 and 17.
        assert_eq!(hash_mod(&full, 15), 0);
        assert_eq!(hash_mod(&full, 17), 0);
        assert_eq!(hash_mod(&full, 16), 15);
    }

    #[test]
    fn proposer_rotation_visits_every_member_within_mn_cycles() {
        for c in chain(99, 20) {
            for m in [1, 4, 7, 16, 31] {
                let mut seen: Vec<u32> = (0..m).map(|fc| proposer_for(&c.hash, fc, m)).collect();
                seen.sort_unstable();
                assert_eq!(seen, (0..m).collect::<Vec<_>>());
            }
        }
    }
}

//! Decentralised management of a PBFT chain by a management blockchain of digital twins
//! (the decentralised-management paper, Section 2, Algorithms 1 and 2).
//!
//! A run holds two chains in one simulation. The primary chain is [`crate::pbft`]; this module
//! adds what the management chain needs:
//!
//! - [`ConfigBlock`]: a configuration block `{H_i, H_{i-1}, P, C, proof, height}`, plus the
//!   chain id and the failed cycles of its agreement (which the proposer check needs). `H_i`
//!   is SHA-256 of every other field but the signatures; the proof is the list of the 2f+1 or
//!   more management nodes whose commits the block gathered and, for each, its ed25519
//!   signature over the block's commit bytes ([`ConfigBlock::commit_bytes`]: chain id, height,
//!   `H_{i-1}`, proposer, cycle and configuration, everything a member commits to before the
//!   proof exists). Each member's key pair is drawn from the run's "management-keys" stream
//!   ([`member_keys`]); primary nodes hold the members' public keys ([`Keyring`]).
//! - [`check`]: what a primary node does with a configuration block that reaches it (Algorithm
//!   2, lines 3-8): the chain id, the height against its copy of the management chain (append,
//!   future: request the missing blocks, stale: ignore), the hash link, the hash itself, the
//!   proposer of the cycle (`(h_l + FC) mod |MN|`, `h_l` the previous block's hash read as a
//!   big-endian integer), the proof ([`verify_proof`]: every voter a current member, at least
//!   2f+1 distinct ones, one signature per voter, each verifying under that member's key), and
//!   the configuration. The simulation calls it on every delivery (verifying a block's
//!   signatures once, since every node checks the same bytes, and charging each node the
//!   verification time); the forged-block tests call the same function.
//! - [`agreement`]: the management chain's consensus (Algorithm 1): proposal cycles, each a
//!   round of the management chain's protocol (PBFT, the paper's; BigFoot; or Tendermint,
//!   whose rounds are in `tendermint`) among the management nodes over their own overlay.
//!
//! - [`primary`]: the primary side (gossip of committed blocks from the management nodes,
//!   switching between consensus rounds, blocks stamped with their configuration height),
//!   which plugs into the chain as its [`crate::pbft::Reconfiguration`] hook.
//!
//! Architecture invariant: `management` reaches the chain only through pbft's public hook API
//! ([`crate::pbft::hooks`]); [`crate::pbft`] imports nothing of `management`. No I/O, no clock.

pub mod agreement;
pub mod primary;
mod tendermint;

use crate::des::Time;
use crate::pbft::Consensus;
use crate::rng::purpose;
use crate::rng::stream;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rand::Rng;
use sha2::{Digest, Sha256};

/// A configuration of the primary chain: what a configuration block decides.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Config {
    /// Largest transaction block, MB.
    pub block_size_mb: f64,
    /// Delay from entering a round to the leader's proposal, ns.
    pub block_interval_ns: Time,
    /// The primary chain's consensus protocol.
    pub consensus: Consensus,
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

    /// The protocol's byte in a configuration block's bytes: none for PBFT, so a block of a
    /// PBFT configuration has the bytes (and hash) it had before configurations carried a
    /// protocol.
    pub fn protocol_byte(&self) -> Option<u8> {
        match self.consensus {
            Consensus::Pbft => None,
            Consensus::Tendermint => Some(1),
            Consensus::BigFoot => Some(2),
        }
    }

    /// What a faulty proposer puts in its block: a zero block size, which no twin accepts.
    pub fn invalid() -> Config {
        Config {
            block_size_mb: 0.0,
            block_interval_ns: 0,
            consensus: Consensus::Pbft,
        }
    }
}

/// What a Byzantine management node proposes in its cycles: a block Algorithm 2 forbids.
/// Byzantine members vote for every proposal, forbidden or not; honest members' twins refuse
/// a forbidden one, so it is committed only when 2f+1 members are Byzantine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Forge {
    /// A block at the next height linked to the head's predecessor instead of the head (it
    /// ignores the latest configuration block): a primary node's link check fails.
    #[default]
    Stale,
    /// A block whose proof carries no signature: the proof check fails.
    Unsigned,
    /// A block with a configuration no twin accepts (block size 0): the configuration check
    /// fails.
    Invalid,
}

/// Which configuration each block carries.
#[derive(Clone, Debug, PartialEq)]
pub enum Configs {
    /// Every block carries the primary's base configuration (the paper's set-up).
    Same,
    /// Odd heights carry this configuration, even heights the base one: every block is a
    /// genuine switch.
    Alternate(Config),
    /// Every block carries the base block size and interval and a protocol drawn uniformly
    /// from the two the chain's latest configuration does not run (SymBChainSim V2's
    /// `interval_switch`, its centralised random protocol switch, here agreed by the
    /// management chain).
    Random,
    /// The block at configuration height `h` carries the `(h - 1) mod len`-th of these.
    Cycle(Vec<Config>),
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
    /// The management chain's own consensus protocol: PBFT (the paper's), BigFoot, or
    /// Tendermint (the real protocol, or SymBChainSim V2's form under the primary's V2
    /// Tendermint); its timeouts are the primary chain's.
    pub consensus: Consensus,
    /// Management nodes offline for the whole run.
    pub offline: u32,
    /// Management nodes that propose an invalid configuration when it is their turn.
    pub invalid: u32,
    /// Byzantine management nodes ([`Forge`]).
    pub byzantine: u32,
    /// What they propose.
    pub forge: Forge,
    /// Time a management node takes to sign a message (or a commit), ns.
    pub sign_ns: Time,
    /// Time any node takes to verify one signature, ns: management nodes on every message,
    /// primary nodes on each signature of a configuration block's proof.
    pub verify_ns: Time,
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
    /// Proof of consensus: each voter's ed25519 signature over [`ConfigBlock::commit_bytes`],
    /// in the order of `voters`. Not covered by `H_i` (the voter list is).
    pub signatures: Vec<[u8; 64]>,
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
            signatures: Vec::new(),
        }
        .sealed()
    }

    /// The next block after `head`, hashed and signed by each of `voters` with its key in
    /// `keys` (indexed by member).
    pub fn next(
        head: &ConfigBlock,
        proposer: u32,
        failed_cycles: u32,
        config: Config,
        voters: Vec<u32>,
        keys: &[SigningKey],
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
            signatures: Vec::new(),
        }
        .resigned(keys)
    }

    /// The block sealed (its hash computed) and signed by its voters: a new block, or one whose
    /// field was changed by members holding the keys.
    pub fn resigned(self, keys: &[SigningKey]) -> ConfigBlock {
        let mut b = self.sealed();
        let bytes = b.commit_bytes();
        b.signatures = b
            .voters
            .iter()
            .map(|&v| keys[v as usize].sign(&bytes).to_bytes())
            .collect();
        b
    }

    /// What a member signs when it commits the block: a tag, the chain id, the height,
    /// `H_{i-1}`, the proposer, the cycle and the configuration (not the proof, which does
    /// not exist yet when members commit).
    pub fn commit_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(COMMIT_TAG.len() + 8 + 4 + 32 + 4 + 4 + 8 + 8);
        b.extend_from_slice(COMMIT_TAG);
        b.extend_from_slice(&self.chain_id.to_le_bytes());
        b.extend_from_slice(&self.height.to_le_bytes());
        b.extend_from_slice(&self.prev);
        b.extend_from_slice(&self.proposer.to_le_bytes());
        b.extend_from_slice(&self.failed_cycles.to_le_bytes());
        b.extend_from_slice(&self.config.block_size_mb.to_bits().to_le_bytes());
        b.extend_from_slice(&self.config.block_interval_ns.to_le_bytes());
        if let Some(c) = self.config.protocol_byte() {
            b.push(c);
        }
        b
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
        if let Some(c) = self.config.protocol_byte() {
            h.update([c]);
        }
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

const COMMIT_TAG: &[u8] = b"chainlab-config-commit-v1";

/// The key pairs of the `members` management nodes of a run, drawn from the run's
/// "management-keys" stream (32 random bytes each, the ed25519 secret key).
pub fn member_keys(master: u64, env_key: u64, members: u32) -> Vec<SigningKey> {
    let mut rng = stream(master, env_key, purpose::MANAGEMENT_KEYS);
    (0..members)
        .map(|_| {
            let mut secret = [0u8; 32];
            rng.fill_bytes(&mut secret);
            SigningKey::from_bytes(&secret)
        })
        .collect()
}

/// The management nodes' public keys, as every primary node holds them: slot `i` is member
/// `i`'s key, or `None` once the member has been removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keyring {
    keys: Vec<Option<VerifyingKey>>,
}

impl Keyring {
    /// The public keys of these members.
    pub fn of(keys: &[SigningKey]) -> Keyring {
        Keyring {
            keys: keys.iter().map(|k| Some(k.verifying_key())).collect(),
        }
    }

    /// |MN|: member slots, removed ones included.
    pub fn members(&self) -> u32 {
        self.keys.len() as u32
    }

    /// Member `i` leaves the management chain: its key is no longer trusted.
    pub fn remove(&mut self, member: u32) {
        self.keys[member as usize] = None;
    }
}

/// Checks the proof of `b` under `keys` with fault tolerance `f`: every voter a member that
/// has not been removed, at least 2f+1 distinct voters, one signature per voter, and each
/// signature the voter's over [`ConfigBlock::commit_bytes`].
pub fn verify_proof(b: &ConfigBlock, keys: &Keyring, f: u32) -> Result<(), Reject> {
    let members = keys.members();
    if let Some(&voter) = b.voters.iter().find(|&&v| v >= members) {
        return Err(Reject::UnknownVoter { voter, members });
    }
    if let Some(&voter) = b.voters.iter().find(|&&v| keys.keys[v as usize].is_none()) {
        return Err(Reject::RemovedVoter { voter });
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
    if b.signatures.len() != b.voters.len() {
        return Err(Reject::MissingSignatures {
            voters: b.voters.len() as u32,
            signatures: b.signatures.len() as u32,
        });
    }
    let bytes = b.commit_bytes();
    for (&voter, sig) in b.voters.iter().zip(&b.signatures) {
        let key = keys.keys[voter as usize].as_ref().expect("checked above");
        if key.verify(&bytes, &Signature::from_bytes(sig)).is_err() {
            return Err(Reject::BadSignature { voter });
        }
    }
    Ok(())
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
    /// The proof names a member whose key has been removed.
    #[error("voter {voter} has been removed from the management nodes")]
    RemovedVoter {
        /// The voter.
        voter: u32,
    },
    /// The proof lists more voters than it carries signatures.
    #[error("proof lists {voters} voters but carries {signatures} signatures")]
    MissingSignatures {
        /// Voters listed.
        voters: u32,
        /// Signatures carried.
        signatures: u32,
    },
    /// A voter's signature does not verify under its key over this block.
    #[error("voter {voter}'s signature is not its signature of this block")]
    BadSignature {
        /// The voter.
        voter: u32,
    },
    /// The configuration is not one a twin accepts.
    #[error("invalid configuration")]
    InvalidConfig,
}

/// Checks configuration block `b` against `head`, the latest block of a primary node's copy of
/// the management chain (Algorithm 2), with the members' keys `keys` and fault tolerance `f`:
/// see the module documentation for the order of checks. A future block is checked for chain,
/// hash, proof and configuration, which do not need the blocks in between; only its hash link
/// and proposer wait for them.
pub fn check(
    b: &ConfigBlock,
    head: &ConfigBlock,
    keys: &Keyring,
    f: u32,
) -> Result<Verdict, Reject> {
    check_given(b, head, keys.members(), || verify_proof(b, keys, f))
}

/// [`check`] with the proof's verdict supplied by `proof` (called where [`check`] would verify
/// the proof): the simulation verifies each block's signatures once and reuses the verdict at
/// every node, since they all check the same bytes against the same keys.
pub fn check_given(
    b: &ConfigBlock,
    head: &ConfigBlock,
    members: u32,
    proof: impl FnOnce() -> Result<(), Reject>,
) -> Result<Verdict, Reject> {
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
    proof()?;
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
        consensus: crate::pbft::Consensus::Pbft,
    };

    /// The 16 members' key pairs of the test chains.
    fn keys() -> Vec<SigningKey> {
        member_keys(1, 2, 16)
    }

    /// A valid chain of `len` blocks after genesis, 16 members (f = 5), 11 voting.
    fn chain(chain_id: u64, len: u32) -> Vec<ConfigBlock> {
        let keys = keys();
        let mut c = vec![ConfigBlock::genesis(chain_id, 16, BASE)];
        for _ in 0..len {
            let head = c.last().unwrap();
            let p = proposer_for(&head.hash, 0, 16);
            c.push(ConfigBlock::next(
                head,
                p,
                0,
                BASE,
                (0..11).collect(),
                &keys,
            ));
        }
        c
    }

    #[test]
    fn a_valid_chain_appends_block_by_block() {
        let ring = Keyring::of(&keys());
        let c = chain(7, 5);
        for h in 1..c.len() {
            assert_eq!(check(&c[h], &c[h - 1], &ring, 5), Ok(Verdict::Append));
            assert_eq!(check(&c[h - 1], &c[h], &ring, 5), Ok(Verdict::Stale));
        }
        assert_eq!(check(&c[4], &c[1], &ring, 5), Ok(Verdict::Future));
    }

    #[test]
    fn forged_blocks_are_rejected_with_their_reason() {
        let (keys, ring) = (keys(), Keyring::of(&keys()));
        let c = chain(7, 2);
        let (head, good) = (&c[1], &c[2]);
        // A broken hash link, resealed and re-signed by a quorum (members gone rogue) so that the
        // hash and the proof are right.
        let mut b = good.clone();
        b.prev[0] ^= 1;
        let b = resigned(b, &keys);
        assert_eq!(
            check(&b, head, &ring, 5),
            Err(Reject::BrokenLink { height: 1 })
        );
        // Contents changed after sealing.
        let mut b = good.clone();
        b.config.block_size_mb = 2.0;
        assert_eq!(check(&b, head, &ring, 5), Err(Reject::BadHash));
        // Too few voters (2f = 10 distinct, one repeated to reach 11 entries), each signing.
        let mut b = good.clone();
        b.voters = (0..10).chain([3]).collect();
        let b = resigned(b, &keys);
        assert_eq!(
            check(&b, head, &ring, 5),
            Err(Reject::TooFewVoters { got: 10, need: 11 })
        );
        // A voter who is not a member.
        let mut b = good.clone();
        b.voters[0] = 16;
        let b = b.sealed();
        assert_eq!(
            check(&b, head, &ring, 5),
            Err(Reject::UnknownVoter {
                voter: 16,
                members: 16
            })
        );
        // The wrong proposer for the cycle it claims (signed by a quorum).
        let due = proposer_for(&head.hash, 0, 16);
        let mut b = good.clone();
        b.proposer = (due + 1) % 16;
        let b = resigned(b, &keys);
        assert_eq!(
            check(&b, head, &ring, 5),
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
            &keys,
        );
        assert_eq!(check(&b, head, &ring, 5), Ok(Verdict::Append));
        // A cycle beyond |MN| is not a cycle.
        let b = ConfigBlock::next(
            head,
            proposer_for(&head.hash, 16, 16),
            16,
            BASE,
            (0..11).collect(),
            &keys,
        );
        assert!(matches!(
            check(&b, head, &ring, 5),
            Err(Reject::WrongProposer { cycle: 16, .. })
        ));
        // An invalid configuration, properly signed by a quorum.
        let b = ConfigBlock::next(head, due, 0, Config::invalid(), (0..11).collect(), &keys);
        assert_eq!(check(&b, head, &ring, 5), Err(Reject::InvalidConfig));
    }

    /// `b` resealed and signed afresh by its voters (a forgery by members holding the keys).
    fn resigned(b: ConfigBlock, keys: &[SigningKey]) -> ConfigBlock {
        b.resigned(keys)
    }

    #[test]
    fn proofs_that_are_not_a_quorum_of_member_signatures_are_rejected() {
        let (keys, ring) = (keys(), Keyring::of(&keys()));
        let c = chain(7, 2);
        let (head, good) = (&c[1], &c[2]);
        assert_eq!(verify_proof(good, &ring, 5), Ok(()));
        assert_eq!(good.signatures.len(), 11);
        // Minted by an outsider who knows |MN| and the chain: a well-formed block naming
        // members 0..11, signed with keys that are not theirs.
        let outsider = member_keys(99, 98, 16);
        let due = proposer_for(&head.hash, 0, 16);
        let minted = ConfigBlock::next(head, due, 0, BASE, (0..11).collect(), &outsider);
        assert_eq!(minted.digest(), minted.hash);
        assert_eq!(
            check(&minted, head, &ring, 5),
            Err(Reject::BadSignature { voter: 0 })
        );
        // A replayed signature set: block 1's proof on a block 2 of the forger's choosing.
        let mut replayed = ConfigBlock {
            config: Config {
                block_size_mb: 8.0,
                ..BASE
            },
            ..good.clone()
        }
        .sealed();
        replayed.voters = c[1].voters.clone();
        replayed.signatures = c[1].signatures.clone();
        let replayed = replayed.sealed();
        assert_eq!(
            check(&replayed, head, &ring, 5),
            Err(Reject::BadSignature { voter: 0 })
        );
        // The honest block's own proof replayed on a changed configuration.
        let mut changed = good.clone();
        changed.config.block_interval_ns += 1;
        let changed = changed.sealed();
        assert_eq!(
            check(&changed, head, &ring, 5),
            Err(Reject::BadSignature { voter: 0 })
        );
        // A truncated signature set: 11 voters listed, 8 signatures carried.
        let mut truncated = good.clone();
        truncated.signatures.truncate(8);
        assert_eq!(
            check(&truncated, head, &ring, 5),
            Err(Reject::MissingSignatures {
                voters: 11,
                signatures: 8
            })
        );
        // One signature swapped for another voter's: the set is complete but one is wrong.
        let mut swapped = good.clone();
        swapped.signatures.swap(3, 4);
        assert_eq!(
            check(&swapped, head, &ring, 5),
            Err(Reject::BadSignature { voter: 3 })
        );
        // Signed by too few members: ten genuine signatures where eleven are needed.
        let few = ConfigBlock::next(head, due, 0, BASE, (0..10).collect(), &keys);
        assert_eq!(
            check(&few, head, &ring, 5),
            Err(Reject::TooFewVoters { got: 10, need: 11 })
        );
        // Signed by a member who has since been removed from the management nodes.
        let mut after = ring.clone();
        after.remove(4);
        assert_eq!(
            check(good, head, &after, 5),
            Err(Reject::RemovedVoter { voter: 4 })
        );
        // ... while a block whose quorum avoids the removed member is accepted.
        let avoiding = ConfigBlock::next(head, due, 0, BASE, (5..16).collect(), &keys);
        assert_eq!(check(&avoiding, head, &after, 5), Ok(Verdict::Append));
    }

    #[test]
    fn member_keys_are_reproducible_and_distinct() {
        let a = member_keys(1, 2, 16);
        let b = member_keys(1, 2, 16);
        assert_eq!(
            a.iter().map(|k| k.to_bytes()).collect::<Vec<_>>(),
            b.iter().map(|k| k.to_bytes()).collect::<Vec<_>>()
        );
        let mut pks: Vec<_> = a.iter().map(|k| k.verifying_key().to_bytes()).collect();
        pks.sort_unstable();
        pks.dedup();
        assert_eq!(pks.len(), 16);
        assert_ne!(member_keys(1, 3, 1)[0].to_bytes(), a[0].to_bytes());
    }

    #[test]
    fn a_block_of_another_chain_is_rejected() {
        let ring = Keyring::of(&keys());
        let ours = chain(7, 2);
        let theirs = chain(8, 2);
        assert_eq!(
            check(&theirs[2], &ours[1], &ring, 5),
            Err(Reject::WrongChain {
                expected: 7,
                got: 8
            })
        );
        // Relabelled with our chain id, its signatures no longer hold (the chain id is signed)...
        let mut b = theirs[2].clone();
        b.chain_id = 7;
        let b = b.sealed();
        assert_eq!(
            check(&b, &ours[1], &ring, 5),
            Err(Reject::BadSignature { voter: 0 })
        );
        // ... and even re-signed by a quorum of our members, it does not link to our chain.
        let b = resigned(b, &keys());
        assert_eq!(
            check(&b, &ours[1], &ring, 5),
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

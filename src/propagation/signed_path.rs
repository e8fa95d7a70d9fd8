//! Signed propagation paths (OPPI, Section 4): each hop wraps the message with the receiver's
//! public key and the fee, signed by the sender, so that the block owner can prove who relayed
//! the transaction to it and pay the shares of Eq. 7 ([`super::incentive`]).
//!
//! Hop `j` signs, with the sender's ed25519 key (ed25519-dalek), the bytes
//! `tag || prev || j || sender pk || receiver pk || fee`, where `prev` is SHA-256 of the
//! payload for hop 0 and SHA-256 of hop `j-1`'s signed bytes and signature afterwards: the hops
//! form a hash chain. [`verify`] checks, hop by hop and in this order: the hop's position (a
//! dropped or reordered hop shows here), that it continues from the previous hop's receiver (or
//! the originator), the hash link, that the fee is the originator's, and the signature. Each
//! failure has its own [`PathError`].

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

const TAG: &[u8] = b"chainlab-oppi-hop-v1";

/// One hop of a signed path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hop {
    /// Position on the path (0: the originator's hop).
    pub index: u32,
    /// Hash link to what came before.
    pub prev: [u8; 32],
    /// The sender's public key.
    pub sender: [u8; 32],
    /// The receiver's public key.
    pub receiver: [u8; 32],
    /// The transaction fee, in the smallest unit.
    pub fee: u64,
    /// The sender's signature over the fields above.
    pub signature: [u8; 64],
}

impl Hop {
    fn signed_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(TAG.len() + 32 + 4 + 32 + 32 + 8);
        b.extend_from_slice(TAG);
        b.extend_from_slice(&self.prev);
        b.extend_from_slice(&self.index.to_le_bytes());
        b.extend_from_slice(&self.sender);
        b.extend_from_slice(&self.receiver);
        b.extend_from_slice(&self.fee.to_le_bytes());
        b
    }

    /// The hash the next hop links to.
    pub fn digest(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.signed_bytes());
        h.update(self.signature);
        h.finalize().into()
    }
}

/// The hash hop 0 links to.
pub fn payload_digest(payload: &[u8]) -> [u8; 32] {
    Sha256::digest(payload).into()
}

/// A message with its signed path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedPath {
    /// The transaction (or block) being propagated.
    pub payload: Vec<u8>,
    /// The hops, in order.
    pub hops: Vec<Hop>,
}

impl SignedPath {
    /// A fresh message from its originator, before any hop.
    pub fn new(payload: Vec<u8>) -> SignedPath {
        SignedPath {
            payload,
            hops: Vec::new(),
        }
    }

    /// `sender` forwards the message to `receiver`, with `fee`: appends its signed hop.
    pub fn forward(&mut self, sender: &SigningKey, receiver: &VerifyingKey, fee: u64) {
        let prev = match self.hops.last() {
            Some(h) => h.digest(),
            None => payload_digest(&self.payload),
        };
        let mut hop = Hop {
            index: self.hops.len() as u32,
            prev,
            sender: sender.verifying_key().to_bytes(),
            receiver: receiver.to_bytes(),
            fee,
            signature: [0; 64],
        };
        hop.signature = sender.sign(&hop.signed_bytes()).to_bytes();
        self.hops.push(hop);
    }
}

/// Why a signed path is rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// A hop is missing (or the hops are out of order).
    #[error("hop {expected} is missing: found hop {found} in its place")]
    DroppedHop {
        /// The position checked.
        expected: u32,
        /// The index the hop there claims.
        found: u32,
    },
    /// The hop was sent by someone other than the previous hop's receiver (or, for hop 0,
    /// the originator): the message was re-addressed.
    #[error("hop {index} is sent by a node the message was not addressed to")]
    Readdressed {
        /// The hop.
        index: u32,
    },
    /// The hop does not link to the hop (or payload) before it.
    #[error("hop {index} does not link to what precedes it")]
    BrokenLink {
        /// The hop.
        index: u32,
    },
    /// The hop's fee is not the originator's.
    #[error("hop {index} carries fee {found}, not the originator's {expected}")]
    FeeMismatch {
        /// The hop.
        index: u32,
        /// The originator's fee.
        expected: u64,
        /// The hop's.
        found: u64,
    },
    /// The signature is not the sender's over the hop.
    #[error("hop {index} is not signed by its sender")]
    ForgedHop {
        /// The hop.
        index: u32,
    },
}

/// Verifies the whole path of `m`, which `originator` started. Returns the public keys of the
/// nodes on the path, originator first, receiver of the last hop last.
pub fn verify(m: &SignedPath, originator: &VerifyingKey) -> Result<Vec<[u8; 32]>, PathError> {
    let mut nodes = vec![originator.to_bytes()];
    let mut prev = payload_digest(&m.payload);
    let fee = m.hops.first().map_or(0, |h| h.fee);
    for (j, hop) in m.hops.iter().enumerate() {
        check_hop(hop, j as u32, nodes.last().expect("originator"), &prev, fee)?;
        prev = hop.digest();
        nodes.push(hop.receiver);
    }
    Ok(nodes)
}

/// The checks of hop `j`, in order: position, sender, hash link, fee, signature.
fn check_hop(
    hop: &Hop,
    j: u32,
    sender: &[u8; 32],
    prev: &[u8; 32],
    fee: u64,
) -> Result<(), PathError> {
    if hop.index != j {
        return Err(PathError::DroppedHop {
            expected: j,
            found: hop.index,
        });
    }
    if hop.sender != *sender {
        return Err(PathError::Readdressed { index: j });
    }
    if hop.prev != *prev {
        return Err(PathError::BrokenLink { index: j });
    }
    if hop.fee != fee {
        return Err(PathError::FeeMismatch {
            index: j,
            expected: fee,
            found: hop.fee,
        });
    }
    let key =
        VerifyingKey::from_bytes(&hop.sender).map_err(|_| PathError::ForgedHop { index: j })?;
    key.verify(&hop.signed_bytes(), &Signature::from_bytes(&hop.signature))
        .map_err(|_| PathError::ForgedHop { index: j })
}

/// Checks only the last hop of `m`, as a receiver does whose sender already verified the path
/// up to itself (the sender's hop then carries that verified path's digest): position, sender
/// = the previous hop's receiver, hash link, fee and signature. The cost of a broadcast with
/// incremental checks is one verification per hop instead of one per hop of every path.
pub fn verify_last_hop(m: &SignedPath, originator: &VerifyingKey) -> Result<(), PathError> {
    let Some(last) = m.hops.len().checked_sub(1) else {
        return Ok(());
    };
    let (sender, prev, fee) = match last {
        0 => (
            originator.to_bytes(),
            payload_digest(&m.payload),
            m.hops[0].fee,
        ),
        j => {
            let before = &m.hops[j - 1];
            (before.receiver, before.digest(), m.hops[0].fee)
        }
    };
    check_hop(&m.hops[last], last as u32, &sender, &prev, fee)
}

/// The signing key of node `id` of a run: derived from the run's seed, so that paths are
/// reproducible.
pub fn node_key(seed: u64, id: u32) -> SigningKey {
    let mut h = Sha256::new();
    h.update(b"chainlab-node-key");
    h.update(seed.to_le_bytes());
    h.update(id.to_le_bytes());
    SigningKey::from_bytes(&h.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path originator 0 -> 1 -> ... -> len, fee 1000, and the keys of nodes 0..10.
    fn path(len: u32) -> (SignedPath, Vec<SigningKey>) {
        let keys: Vec<SigningKey> = (0..10).map(|i| node_key(7, i)).collect();
        let mut m = SignedPath::new(b"tx 42".to_vec());
        for i in 0..len as usize {
            m.forward(&keys[i], &keys[i + 1].verifying_key(), 1000);
        }
        (m, keys)
    }

    #[test]
    fn an_honest_path_verifies_and_names_its_nodes() {
        let (m, keys) = path(6);
        let nodes = verify(&m, &keys[0].verifying_key()).unwrap();
        let expect: Vec<[u8; 32]> = keys[..7]
            .iter()
            .map(|k| k.verifying_key().to_bytes())
            .collect();
        assert_eq!(nodes, expect);
        // Deterministic keys and signatures.
        assert_eq!(path(6).0, m);
    }

    #[test]
    fn a_forged_hop_is_rejected() {
        let (mut m, keys) = path(6);
        // Node 9 signs hop 2 in node 2's name.
        let h = &mut m.hops[2];
        h.signature = keys[9].sign(&h.signed_bytes()).to_bytes();
        assert_eq!(
            verify(&m, &keys[0].verifying_key()),
            Err(PathError::ForgedHop { index: 2 })
        );
        // A receiver changed after signing is a forgery of that hop too.
        let (mut m, keys) = path(6);
        m.hops[5].receiver = keys[9].verifying_key().to_bytes();
        assert_eq!(
            verify(&m, &keys[0].verifying_key()),
            Err(PathError::ForgedHop { index: 5 })
        );
    }

    #[test]
    fn a_dropped_hop_is_rejected() {
        let (mut m, keys) = path(6);
        m.hops.remove(3);
        assert_eq!(
            verify(&m, &keys[0].verifying_key()),
            Err(PathError::DroppedHop {
                expected: 3,
                found: 4
            })
        );
        // Dropping the first hop: the path no longer starts at the originator.
        let (mut m, keys) = path(6);
        m.hops.remove(0);
        assert_eq!(
            verify(&m, &keys[0].verifying_key()),
            Err(PathError::DroppedHop {
                expected: 0,
                found: 1
            })
        );
    }

    #[test]
    fn a_re_addressed_message_is_rejected() {
        // Hop 3 went to node 4; node 8, who overheard it, forwards it as its own.
        let (mut m, keys) = path(3);
        m.forward(&keys[8], &keys[5].verifying_key(), 1000);
        assert_eq!(
            verify(&m, &keys[0].verifying_key()),
            Err(PathError::Readdressed { index: 3 })
        );
        // A path presented as another originator's.
        let (m, keys) = path(3);
        assert_eq!(
            verify(&m, &keys[1].verifying_key()),
            Err(PathError::Readdressed { index: 0 })
        );
    }

    #[test]
    fn a_tampered_fee_is_rejected() {
        let (mut m, keys) = path(6);
        m.hops[4].fee = 5000;
        assert_eq!(
            verify(&m, &keys[0].verifying_key()),
            Err(PathError::FeeMismatch {
                index: 4,
                expected: 1000,
                found: 5000
            })
        );
        // Re-signed by its rightful sender with another fee: still not the originator's.
        let (mut m, keys) = path(4);
        m.forward(&keys[4], &keys[5].verifying_key(), 999);
        assert!(matches!(
            verify(&m, &keys[0].verifying_key()),
            Err(PathError::FeeMismatch { index: 4, .. })
        ));
    }

    #[test]
    fn the_last_hop_alone_is_checked_like_the_whole_path() {
        let (m, keys) = path(6);
        let origin = keys[0].verifying_key();
        for len in 0..=6 {
            let mut p = m.clone();
            p.hops.truncate(len);
            assert_eq!(verify_last_hop(&p, &origin), Ok(()));
        }
        let mut p = m.clone();
        p.hops[5].fee = 1;
        assert!(matches!(
            verify_last_hop(&p, &origin),
            Err(PathError::FeeMismatch { index: 5, .. })
        ));
        let mut p = m.clone();
        p.hops[5].signature[0] ^= 1;
        assert_eq!(
            verify_last_hop(&p, &origin),
            Err(PathError::ForgedHop { index: 5 })
        );
        let (mut p, keys) = path(3);
        p.forward(&keys[8], &keys[5].verifying_key(), 1000);
        assert_eq!(
            verify_last_hop(&p, &origin),
            Err(PathError::Readdressed { index: 3 })
        );
    }

    #[test]
    fn a_hop_spliced_from_another_message_breaks_the_link() {
        let (mut m, keys) = path(4);
        let mut other = SignedPath::new(b"tx 43".to_vec());
        for i in 0..4 {
            other.forward(&keys[i], &keys[i + 1].verifying_key(), 1000);
        }
        m.hops[2] = other.hops[2].clone();
        assert_eq!(
            verify(&m, &keys[0].verifying_key()),
            Err(PathError::BrokenLink { index: 2 })
        );
    }
}

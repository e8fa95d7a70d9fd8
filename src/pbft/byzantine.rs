//! Byzantine nodes (issue "Byzantine nodes", first part): `byzantine_nodes` validators, drawn
//! per run from the "byzantine" stream, that break the protocol in one way:
//!
//! - **silent**: sends no consensus message of its own (no proposal, prepare, commit, block
//!   or round-change vote); it still relays what others gossip and keeps its own state, so it
//!   is a validator that never speaks, not a crashed node;
//! - **delay**: sends every consensus message of its own `byzantine_delay` late.
//!
//! With at most f of them the chain stays safe and live; with more, liveness is lost (silent:
//! fewer than 2f+1 validators vote). A weakened quorum shows here as a chain that still
//! commits with f+1 silent validators.

use super::*;

/// What a Byzantine validator does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Byzantine {
    /// Never proposes or votes.
    #[default]
    Silent,
    /// Sends its own consensus messages late by `byzantine_delay_ns`.
    Delay,
}

impl Simulator {
    /// Draws the run's Byzantine validators (a partial Fisher-Yates shuffle of the node ids
    /// from the "byzantine" stream, keyed by the run).
    pub(super) fn draw_byzantine(&mut self, p: &PbftParams, seeds: RunSeeds) {
        let n = self.n as usize;
        self.byzantine.clear();
        self.byzantine.resize(n, false);
        if p.byzantine_nodes == 0 {
            return;
        }
        let mut rng = stream(seeds.master, seeds.run_key, crate::rng::purpose::BYZANTINE);
        let mut ids: Vec<u32> = (0..self.n).collect();
        for i in 0..p.byzantine_nodes as usize {
            let j = rng.random_range(i..n);
            ids.swap(i, j);
            self.byzantine[ids[i] as usize] = true;
        }
    }

    /// When a consensus message `msg` sent at `t` leaves, or `None` when it is not sent (a
    /// silent validator's).
    pub(super) fn departure(&self, p: &PbftParams, msg: &Msg, t: Time) -> Option<Time> {
        if msg.kind == Kind::Hook || !self.byzantine[msg.from as usize] {
            return Some(t);
        }
        match p.byzantine {
            Byzantine::Silent => None,
            Byzantine::Delay => Some(t.saturating_add(p.byzantine_delay_ns)),
        }
    }
}

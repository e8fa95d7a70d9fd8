//! Sync: a node that learns it is behind fetches every missing block from its most advanced
//! live peer as one modelled delay.

use super::*;

impl Simulator {
    /// Starts a sync from the most advanced alive peer if one is ahead; true if it did (or one
    /// is already running).
    pub(super) fn begin_sync(&mut self, p: &PbftParams, net: &Network, v: u32, now: Time) -> bool {
        let nd = &self.nodes[v as usize];
        if nd.phase == Phase::Syncing {
            return true;
        }
        let mut best: Option<u32> = None;
        for &u in net.peers(v) {
            let pu = &self.nodes[u as usize];
            if pu.alive
                && pu.height > nd.height
                && best.is_none_or(|b| pu.height > self.nodes[b as usize].height)
            {
                best = Some(u);
            }
        }
        let Some(peer) = best else {
            return false;
        };
        let upto = self.nodes[peer as usize].height;
        let mut d = p.sync_request_ns;
        for h in nd.height + 1..=upto {
            let b = self.chain.proposals[self.chain.canonical[h as usize - 1] as usize];
            let key = SYNC_TAG | (u64::from(v) << 32) | u64::from(h);
            if let Some(o) = &mut self.ext.observer {
                o.message(net, peer, v, p.base_msg_mb + b.size_mb, key);
            }
            d += net.delay_ns(peer, v, p.base_msg_mb + b.size_mb, key)
                + p.block_val_ns
                + p.sync_request_ns;
        }
        if let Some(h) = &mut self.ext.reconfig {
            // What the hook's nodes miss comes with the transaction blocks.
            d += h.sync_begins(p, net, peer, v);
        }
        let nd = &mut self.nodes[v as usize];
        nd.phase = Phase::Syncing;
        nd.epoch += 1;
        nd.timeout_at = Time::MAX;
        let epoch = nd.epoch;
        self.counters.syncs += 1;
        self.queue.schedule(
            now + d,
            Ev::SyncDone {
                node: v,
                epoch,
                upto,
            },
        );
        true
    }

    pub(super) fn sync_done(
        &mut self,
        p: &PbftParams,
        net: &Network,
        v: u32,
        epoch: u32,
        upto: u32,
        now: Time,
    ) {
        let nd = &self.nodes[v as usize];
        if !nd.alive || nd.epoch != epoch {
            return;
        }
        if let Some(h) = &mut self.ext.reconfig {
            h.sync_ends(v, now);
        }
        for h in self.nodes[v as usize].height + 1..=upto {
            let b = self.chain.canonical[h as usize - 1];
            self.commit_block(p, v, b, now);
        }
        self.nodes[v as usize].phase = Phase::NewRound;
        if !self.begin_sync(p, net, v, now) {
            let last = self.chain.proposals[self.chain.canonical[upto as usize - 1] as usize].round;
            let round = (last + 1).max(self.nodes[v as usize].round);
            self.start(p, v, round, now);
        }
    }
}

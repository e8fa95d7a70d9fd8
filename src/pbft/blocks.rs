//! Blocks: the leader's proposal (a block built from its transaction pool), a node's commit of
//! a block, and the stop conditions a commit can meet.

use super::*;

impl Simulator {
    pub(super) fn commit_block(&mut self, p: &PbftParams, v: u32, b: u32, t: Time) {
        let prop = self.chain.proposals[b as usize];
        if let Some(hook) = &mut self.ext.reconfig {
            hook.committed(v, prop.stamp);
        }
        let n = self.n as usize;
        let h = self.nodes[v as usize].height + 1;
        debug_assert_eq!(prop.height, h, "blocks are committed in height order");
        debug_assert!(
            !self.byzantine[v as usize] || self.chain.canonical.len() >= h as usize,
            "a Byzantine validator only takes blocks honest ones committed"
        );
        if self.chain.canonical.len() < h as usize {
            self.chain.canonical.push(b);
            for &i in
                &self.chain.tx_list[prop.tx_off as usize..(prop.tx_off + prop.tx_len) as usize]
            {
                debug_assert_eq!(self.workload.committed_at[i as usize], u32::MAX);
                self.workload.committed_at[i as usize] = h;
            }
            let mut c = *self.chain.cursor.last().expect("cursor[0] exists") as usize;
            while c < self.workload.len() && self.workload.committed_at[c] <= h {
                c += 1;
            }
            self.chain.cursor.push(c as u32);
            self.chain
                .added
                .resize(self.chain.added.len() + n, Time::MAX);
        } else if self.chain.canonical[h as usize - 1] != b && !self.byzantine[v as usize] {
            self.counters.violations += 1;
        }
        self.chain.added[(h as usize - 1) * n + v as usize] = t;
        let nd = &mut self.nodes[v as usize];
        nd.height = h;
        nd.txs += u64::from(prop.tx_len);
        nd.lock_block = NONE;
        nd.seen_block = NONE;
        if p.stop_after_txs > 0 && !nd.done && nd.txs >= p.stop_after_txs {
            nd.done = true;
            self.check_stop(p, t);
        }
    }

    pub(super) fn check_stop(&mut self, p: &PbftParams, t: Time) {
        if p.stop_after_txs > 0
            && self.stopped.is_none()
            && self.nodes.iter().all(|x| !x.alive || x.done)
        {
            self.stopped = Some(t.max(self.queue.now()));
        }
    }

    pub(super) fn propose(&mut self, p: &PbftParams, net: &Network, v: u32, round: u32, now: Time) {
        let nd = &self.nodes[v as usize];
        if !nd.alive || nd.round != round || nd.phase != Phase::NewRound {
            return;
        }
        if self.equivocates(p, v) {
            self.equivocate(p, net, v, round, now);
            return;
        }
        // Re-propose the most recent lock known for this height, if any.
        let (mut block, mut just) = (NONE, NONE);
        if nd.lock_block != NONE {
            (block, just) = (nd.lock_block, nd.lock_round);
        }
        if nd.seen_block != NONE && (block == NONE || nd.seen_round > just) {
            (block, just) = (nd.seen_block, nd.seen_round);
        }
        if block == NONE {
            match self.build_block(p, net, v, now) {
                Some(b) => block = b,
                None => return,
            }
        }
        // The proposal leaves once the block is made (see `PbftParams::making_ns`).
        let fresh = just == NONE;
        let sent = now
            + if fresh {
                p.making_ns(
                    self.nodes[v as usize].consensus,
                    self.chain.proposals[block as usize].tx_len,
                )
            } else {
                0
            };
        let nd = &mut self.nodes[v as usize];
        nd.phase = Phase::PrePrepared;
        nd.block = block;
        nd.ready_at = sent;
        nd.dirty = true;
        self.send_all(
            p,
            net,
            Msg {
                kind: Kind::PrePrepare,
                from: v,
                round,
                block,
                a: just,
                proto: UNSTAMPED,
            },
            sent,
        );
        if self.real_tendermint(p, v) {
            // Tendermint's proposer prevotes its own proposal.
            self.tm_vote(p, net, v, Kind::Prepare, block, sent);
        }
    }

    /// Fills a block from `v`'s pool at `now`; with nothing eligible, schedules a new attempt
    /// (when the next transaction reaches `v`, or in 1 s under SBS compatibility) if that is
    /// before the round's timeout.
    pub(super) fn build_block(
        &mut self,
        p: &PbftParams,
        net: &Network,
        v: u32,
        now: Time,
    ) -> Option<u32> {
        // Transactions reach the pools over the network as the run began (see `tx_net`).
        let net = self.tx_net.as_ref().unwrap_or(net);
        let nd = &self.nodes[v as usize];
        let (h, round, timeout_at) = (nd.height, nd.round, nd.timeout_at);
        let (stamp, config) = self.round_config(p, v);
        let wl = &mut self.workload;
        wl.generate(&p.workload, net, now, p.duration_ns);
        let mut first = self.chain.cursor[h as usize] as usize;
        if p.v2.pop {
            first = first.max(nd.pool_head as usize);
        }
        let off = self.chain.tx_list.len();
        let mut size = 0.0;
        let mut i = first;
        while i < wl.len() && wl.ts[i] <= now {
            if wl.committed_at[i] > h && !(p.v2.pool && wl.creator[i] == v) {
                if wl.arrival(&p.workload, net, i, v) <= now {
                    if size + wl.size[i] <= config.block_size_mb {
                        self.chain.tx_list.push(i as u32);
                        size += wl.size[i];
                    } else {
                        break;
                    }
                } else if p.v2.pool {
                    // SBS V2 takes from the head of its pool: a transaction that has not
                    // arrived stops the block.
                    break;
                }
            }
            i += 1;
        }
        let len = self.chain.tx_list.len() - off;
        if len > 0 {
            if p.v2.pop {
                // SBS V2 pops what it takes: everything before `i` is now out of v's pool.
                self.nodes[v as usize].pool_head = i as u32;
            }
            self.chain.proposals.push(Proposal {
                height: h + 1,
                round,
                proposer: v,
                tx_off: off as u32,
                tx_len: len as u32,
                size_mb: p.block_mb(self.nodes[v as usize].consensus, size),
                created: now,
                stamp,
                consensus: self.nodes[v as usize].consensus,
            });
            return Some(self.chain.proposals.len() as u32 - 1);
        }
        let retry = if p.v2.retry {
            // SBS V2: `t + pool[0].timestamp`, the first unprocessed transaction of v's pool
            // in generation order (it may not have arrived), or +0.1 s with an empty pool.
            let head =
                wl.pool_head_arrival(&p.workload, net, first, h, v, p.v2.pool, p.duration_ns);
            let at = now.saturating_add(head.unwrap_or(100_000_000));
            if !p.retry_in_time(self.nodes[v as usize].consensus, at, timeout_at) {
                return None;
            }
            at
        } else if p.sbs_compat {
            now + 1_000_000_000
        } else if p.v2.pool {
            // Head-of-line: when the head of v's pool (its first uncommitted transaction in
            // generation order that it did not create) reaches it; the build stopped there.
            wl.pool_head_arrival(&p.workload, net, first, h, v, true, p.duration_ns)
                .unwrap_or(Time::MAX)
        } else {
            // The earliest moment an uncommitted transaction reaches v.
            let mut best = Time::MAX;
            let mut i = first;
            loop {
                if i >= wl.len() {
                    let next = wl.next_time();
                    if best != Time::MAX || next > p.duration_ns {
                        break;
                    }
                    wl.generate(&p.workload, net, next, p.duration_ns);
                    if i >= wl.len() {
                        break;
                    }
                    continue;
                }
                if wl.ts[i] > best {
                    break;
                }
                if wl.committed_at[i] > h {
                    best = best.min(wl.arrival(&p.workload, net, i, v));
                }
                i += 1;
            }
            best
        };
        if retry < timeout_at && retry <= p.duration_ns {
            self.queue
                .schedule(retry.max(now + 1), Ev::Propose { node: v, round });
        }
        None
    }
}

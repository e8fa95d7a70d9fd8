//! Broadcasts: a message's size, its spread over the network (one gossip or direct broadcast
//! as a shortest-path computation, cached when delays are static) and its deliveries, which
//! wait in the event queue as one "wave" entry per broadcast.

use super::*;

impl Simulator {
    pub(super) fn msg_size(&self, p: &PbftParams, msg: &Msg) -> f64 {
        let block = |b: u32| {
            if b == NONE {
                0.0
            } else {
                self.chain.proposals[b as usize].size_mb
            }
        };
        match msg.kind {
            Kind::PrePrepare | Kind::NewBlock => p.base_msg_mb + block(msg.block),
            Kind::Prepare | Kind::Commit => match p.vote_payload(msg.proto) {
                VotePayload::Block => p.base_msg_mb + block(msg.block),
                VotePayload::Digest => p.base_msg_mb,
            },
            Kind::RoundChange | Kind::Hook => p.base_msg_mb,
        }
    }

    /// Sends `msg` from `from` to every node at `t` (as a Byzantine sender sends it, see
    /// [`Simulator::departure`]).
    pub(super) fn send_all(&mut self, p: &PbftParams, net: &Network, msg: Msg, t: Time) {
        self.send_to(p, net, msg, t, Audience::All);
    }

    /// Sends `msg` from `from` at `t` to `to` (or to whom its Byzantine sender sends it) and
    /// schedules the deliveries as one wave: the reached nodes sorted by (arrival, node),
    /// waiting in the queue as a single entry (see [`HeapQueue::schedule_with_seq`]), which
    /// keeps the heap small. A broadcast to part of the nodes costs the whole broadcast's
    /// transmissions (the network carries it; the others drop it).
    pub(super) fn send_to(
        &mut self,
        p: &PbftParams,
        net: &Network,
        msg: Msg,
        t: Time,
        to: Audience,
    ) {
        let Some((t, by_sender)) = self.departure(p, &msg, t) else {
            return;
        };
        let msg = Msg {
            proto: self.nodes[msg.from as usize].consensus,
            ..msg
        };
        let to = if to == Audience::All { by_sender } else { to };
        let from = msg.from;
        let size = self.msg_size(p, &msg);
        let key = self.next_key;
        self.next_key += 1;
        let n = self.n as usize;
        let slot = self.wave_slot();
        let base = slot as usize * n;
        let static_delays = net.is_static() && !p.crashes() && self.ext.observer.is_none();
        let (len, transmissions) = if static_delays {
            let ck = (from, size.to_bits());
            let (start, len, tx) = match self.waves.cache.get(&ck) {
                Some(&hit) => hit,
                None => {
                    let spread = self.spread(p, net, from, 0, size, key);
                    let start = self.waves.cache_arrivals.len();
                    if p.net.dissemination == Dissemination::Gossip {
                        // Gossip settles nodes in ascending (arrival, node) order already.
                        let s = &self.scratch;
                        self.waves
                            .cache_arrivals
                            .extend(s.order[1..].iter().map(|&v| (s.arrival[v as usize], v)));
                    } else {
                        self.waves.cache_arrivals.extend(
                            (0..n as u32)
                                .filter(|&v| {
                                    v != from && self.scratch.arrival[v as usize] != Time::MAX
                                })
                                .map(|v| (self.scratch.arrival[v as usize], v)),
                        );
                        self.waves.cache_arrivals[start..].sort_unstable();
                    }
                    let len = self.waves.cache_arrivals.len() - start;
                    self.waves
                        .cache
                        .insert(ck, (start, len, spread.transmissions));
                    (start, len, spread.transmissions)
                }
            };
            for (i, &(off, v)) in self.waves.cache_arrivals[start..start + len]
                .iter()
                .enumerate()
            {
                self.waves.items[base + i] = (t + off, v);
            }
            (len, tx)
        } else {
            let spread = self.spread(p, net, from, t, size, key);
            if let Some(o) = &mut self.ext.observer {
                o.spread(net, &self.scratch, from, size, key, p.net.dissemination);
            }
            let mut len = 0;
            if p.net.dissemination == Dissemination::Gossip {
                // Gossip settles nodes in ascending (arrival, node) order already.
                for &v in &self.scratch.order[1..] {
                    self.waves.items[base + len] = (self.scratch.arrival[v as usize], v);
                    len += 1;
                }
            } else {
                for v in 0..n as u32 {
                    let a = self.scratch.arrival[v as usize];
                    if v != from && a != Time::MAX {
                        self.waves.items[base + len] = (a, v);
                        len += 1;
                    }
                }
                self.waves.items[base..base + len].sort_unstable();
            }
            (len, spread.transmissions)
        };
        self.counters.msgs += transmissions;
        self.counters.bytes_mb += transmissions as f64 * size;
        let mut len = len;
        if to != Audience::All {
            let mut kept = 0;
            for i in 0..len {
                let item = self.waves.items[base + i];
                if self.reaches(to, item.1) {
                    self.waves.items[base + kept] = item;
                    kept += 1;
                }
            }
            len = kept;
        }
        self.launch_wave(slot, msg, len);
    }

    /// A free wave slot (its items at `wave_items[slot * n..]`).
    pub(super) fn wave_slot(&mut self) -> u32 {
        match self.waves.free.pop() {
            Some(s) => s,
            None => {
                self.waves.all.push(Wave {
                    msg: Msg {
                        kind: Kind::RoundChange,
                        from: NONE,
                        round: 0,
                        block: NONE,
                        a: NONE,
                        proto: UNSTAMPED,
                    },
                    seq: 0,
                    len: 0,
                    pos: 0,
                });
                self.waves
                    .items
                    .resize(self.waves.all.len() * self.n as usize, (Time::MAX, 0));
                self.waves.all.len() as u32 - 1
            }
        }
    }

    /// Schedules the `len` deliveries of `msg` filled in at `slot`, sorted by (time, node).
    pub(super) fn launch_wave(&mut self, slot: u32, msg: Msg, len: usize) {
        if len == 0 {
            self.waves.free.push(slot);
            return;
        }
        let base = slot as usize * self.n as usize;
        let seq = self
            .queue
            .schedule(self.waves.items[base].0, Ev::Wave(slot));
        self.waves.all[slot as usize] = Wave {
            msg,
            seq,
            len: len as u32,
            pos: 0,
        };
    }

    /// Whether the wave has a delivery after its current one.
    pub(super) fn wave_has_next(&self, slot: u32) -> bool {
        let w = &self.waves.all[slot as usize];
        w.pos + 1 < w.len
    }

    /// Takes the wave's current delivery; the run loop has already put the wave back in the
    /// queue for the next one, or the slot is freed after its last.
    pub(super) fn next_of_wave(&mut self, slot: u32) -> (u32, Msg) {
        let n = self.n as usize;
        let w = &mut self.waves.all[slot as usize];
        let (_, to) = self.waves.items[slot as usize * n + w.pos as usize];
        w.pos += 1;
        if w.pos == w.len {
            self.waves.free.push(slot);
        }
        (to, w.msg)
    }

    pub(super) fn spread(
        &mut self,
        p: &PbftParams,
        net: &Network,
        from: u32,
        t: Time,
        size: f64,
        key: u64,
    ) -> Spread {
        let faults = &self.faults;
        let alive = |v: u32, at: Time| super::faults::up_at(&faults[v as usize], at);
        match p.net.dissemination {
            // Without crashes every node is always alive: a gossip that need not ask.
            Dissemination::Gossip if !p.crashes() => {
                net.gossip(from, t, size, key, |_, _| true, &mut self.scratch)
            }
            Dissemination::Gossip => net.gossip(from, t, size, key, alive, &mut self.scratch),
            Dissemination::Broadcast => net.broadcast(from, t, size, key, alive, &mut self.scratch),
        }
    }
}

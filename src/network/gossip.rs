//! One broadcast over the network, as a shortest-path computation (the module's notes say
//! why that equals relaying on first receipt): [`Network::gossip`] and
//! [`Network::gossip_from`] with their three searches (bit masks up to 64 nodes, a scanned
//! array up to 128, a heap beyond), the direct [`Network::broadcast`], and
//! [`reference_gossip`], the per-edge event simulation they must agree with.

use super::{Bandwidth, Network, round_ns};
use crate::des::Time;
use crate::time::NS_PER_S_F64;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The scratch of one gossip computation, reused between calls.
#[derive(Debug)]
pub struct GossipScratch {
    /// First-arrival time of each node (`Time::MAX`: never reached); the origin has `t0`.
    pub arrival: Vec<Time>,
    /// Sender of the first arrival (the origin is its own parent; `u32::MAX`: never reached).
    pub parent: Vec<u32>,
    /// Gossip: the reached nodes in the order they settled, the origin first, which is
    /// ascending (arrival, node) order. Empty after a direct broadcast.
    pub order: Vec<u32>,
    done: Vec<bool>,
    /// Arrival of each reached node not yet settled (`Time::MAX` otherwise): the frontier
    /// the small-network search scans instead of keeping a heap.
    open: Vec<Time>,
    /// Up to [`MASK_MAX_NODES`] nodes: an upper bound of each node's arrival, ns after the
    /// earliest origin, saturated at `u32::MAX` (see [`Network::gossip_from`]).
    near: [u32; MASK_MAX_NODES as usize],
    heap: BinaryHeap<Reverse<(Time, u32)>>,
}

impl Default for GossipScratch {
    fn default() -> Self {
        GossipScratch {
            arrival: Vec::new(),
            parent: Vec::new(),
            order: Vec::new(),
            done: Vec::new(),
            open: Vec::new(),
            near: [u32::MAX; MASK_MAX_NODES as usize],
            heap: BinaryHeap::new(),
        }
    }
}

/// Up to this many nodes, gossip finds the next node to settle by scanning a dense array
/// rather than popping a binary heap: fewer instructions and no branch mispredictions on the
/// papers' 10- to 50-node networks. Both settle in exactly ascending (arrival, node) order.
const SCAN_MAX_NODES: u32 = 128;

impl GossipScratch {
    /// Clears the scratch for a broadcast of `n` nodes from `origins` (node, time).
    fn reset(&mut self, n: usize, origins: &[(u32, Time)]) {
        self.arrival.clear();
        self.arrival.resize(n, Time::MAX);
        self.parent.clear();
        self.parent.resize(n, u32::MAX);
        self.done.clear();
        self.done.resize(n, false);
        self.order.clear();
        self.heap.clear();
        for &(o, t0) in origins {
            self.arrival[o as usize] = t0;
            self.parent[o as usize] = o;
        }
    }
}

/// Up to this many nodes (one machine word), gossip keeps the frontier and the unsettled
/// nodes as bit sets: the settle scan visits only open nodes and relaxation only unsettled
/// peers (a settled peer can never be improved), in ascending node order as the array scan.
pub(super) const MASK_MAX_NODES: u32 = 64;

/// The cap of [`Network::lat_bound`] and of the transmission floor in gossip's `u32` pruning
/// test: with the time since the first origin capped at 2^31 - 1, the sum of the three never
/// overflows, and capping keeps each a lower bound.
pub(super) const LAT_BOUND_CAP: u64 = 1 << 30;

/// `lat` (`n * n`) as [`Network::lat_bound`], for networks of at most [`MASK_MAX_NODES`]
/// nodes.
pub(super) fn latency_bounds(n: u32, lat: &[u64]) -> Vec<u32> {
    if n > MASK_MAX_NODES {
        return Vec::new();
    }
    let (n, w) = (n as usize, MASK_MAX_NODES as usize);
    let mut out = vec![LAT_BOUND_CAP as u32; n * w];
    for u in 0..n {
        for v in 0..n {
            out[u * w + v] = lat[u * n + v].min(LAT_BOUND_CAP) as u32;
        }
    }
    out
}

/// Each node's peers as a bit set, for networks of at most [`MASK_MAX_NODES`] nodes.
pub(super) fn peer_masks(n: u32, off: &[u32], adj: &[u32]) -> Vec<u64> {
    if n > MASK_MAX_NODES {
        return Vec::new();
    }
    (0..n as usize)
        .map(|u| {
            adj[off[u] as usize..off[u + 1] as usize]
                .iter()
                .fold(0u64, |m, &v| m | 1 << v)
        })
        .collect()
}

/// The outcome of one broadcast, beyond the arrival times in the scratch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Spread {
    /// Transmissions: every send over a link, duplicates included.
    pub transmissions: u64,
    /// Nodes reached, the origin excluded.
    pub reached: u32,
}

impl Network {
    /// Gossip of message `key` (`size_mb`) from `origin` at `t0`: fills `s.arrival` and
    /// `s.parent`. A node relays on its first receipt to every peer but the sender, at the
    /// arrival time; a node dead when a copy arrives (per `alive(node, time)`) neither takes
    /// nor relays that copy. Ties in arrival time go to the lower-numbered sender.
    pub fn gossip(
        &self,
        origin: u32,
        t0: Time,
        size_mb: f64,
        key: u64,
        alive: impl Fn(u32, Time) -> bool,
        s: &mut GossipScratch,
    ) -> Spread {
        self.gossip_from(&[(origin, t0)], size_mb, key, alive, s)
    }

    /// Gossip of one message that several nodes inject, each at its own time (`origins`: node
    /// and time, nodes distinct): every node relays its first copy as in [`Network::gossip`].
    /// An origin is its own parent and holds the message at its time. This is how a
    /// configuration block the management nodes commit enters the primary network.
    #[inline]
    pub fn gossip_from(
        &self,
        origins: &[(u32, Time)],
        size_mb: f64,
        key: u64,
        alive: impl Fn(u32, Time) -> bool,
        s: &mut GossipScratch,
    ) -> Spread {
        s.reset(self.n as usize, origins);
        let mseed = self.message_seed(key);
        if self.n <= MASK_MAX_NODES {
            self.search_masked(origins, size_mb, mseed, &alive, s);
        } else if self.n <= SCAN_MAX_NODES {
            self.search_scanned(origins, size_mb, mseed, &alive, s);
        } else {
            self.search_heap(origins, size_mb, mseed, &alive, s);
        }
        self.spread(s)
    }

    /// The search for networks of at most [`MASK_MAX_NODES`] nodes: the open and unsettled
    /// nodes are bit masks, and the peers worth a draw are found 16 at a time.
    #[inline(always)]
    fn search_masked<A: Fn(u32, Time) -> bool>(
        &self,
        origins: &[(u32, Time)],
        size_mb: f64,
        mseed: u64,
        alive: &A,
        s: &mut GossipScratch,
    ) {
        let n32 = self.n;
        // Per-message draws share one ceiling: one division per message, not per node.
        let uniform_floor = (self.model == Bandwidth::PerMessage && n32 > 0)
            .then(|| round_ns((size_mb / self.bw_ceiling[0]) * NS_PER_S_F64));
        s.open.clear();
        s.open.resize(n32 as usize, Time::MAX);
        let mut open: u64 = 0;
        let mut unsettled: u64 = if n32 == 64 { !0 } else { (1u64 << n32) - 1 };
        // The pruning test in u32 arithmetic, 16 nodes at a time, on times since the
        // first origin: `near` holds each node's best arrival (an upper bound once
        // saturated), `lat_bound` each latency capped (a lower bound), so a copy that
        // could arrive first always passes; the exact test follows the draw.
        let start = origins.iter().map(|o| o.1).min().unwrap_or(0);
        let since = |x: Time| (x - start).min(u64::from(u32::MAX)) as u32;
        s.near = [u32::MAX; MASK_MAX_NODES as usize];
        for &(o, t0) in origins {
            s.open[o as usize] = t0;
            s.near[o as usize] = since(t0);
            open |= 1 << o;
        }
        let chunks = n32.div_ceil(16) as usize;
        while open != 0 {
            // The lowest (arrival, node) among the open nodes, in ascending node order:
            // strict < keeps the lowest node among equal times.
            let (mut t, mut u) = (Time::MAX, 0u32);
            let mut m = open;
            while m != 0 {
                let v = m.trailing_zeros();
                m &= m - 1;
                let a = s.open[v as usize];
                if a < t {
                    t = a;
                    u = v;
                }
            }
            open &= !(1 << u);
            unsettled &= !(1 << u);
            s.open[u as usize] = Time::MAX;
            s.done[u as usize] = true;
            s.order.push(u);
            let lat = &self.lat[(u * n32) as usize..((u + 1) * n32) as usize];
            let floor_tx = uniform_floor.unwrap_or_else(|| {
                round_ns((size_mb / self.bw_ceiling[u as usize]) * NS_PER_S_F64)
            });
            // The unsettled peers a copy from u could reach first (the test of `relax`
            // below, loosened as above), gathered branch-free, 16 lanes at a time.
            let reach = (t - start).min((1 << 31) - 1) as u32 + floor_tx.min(LAT_BOUND_CAP) as u32;
            let w = MASK_MAX_NODES as usize;
            let row = &self.lat_bound[u as usize * w..(u as usize + 1) * w];
            let mut hopeful: u64 = 0;
            for c in 0..chunks {
                let lanes: &[u32; 16] = row[c * 16..c * 16 + 16].try_into().expect("16");
                let near: &[u32; 16] = s.near[c * 16..c * 16 + 16].try_into().expect("16");
                let mut bits = 0u32;
                for j in 0..16 {
                    bits |= u32::from(reach + lanes[j] <= near[j]) << j;
                }
                hopeful |= u64::from(bits) << (16 * c);
            }
            hopeful &= self.peer_mask[u as usize] & unsettled;
            while hopeful != 0 {
                let v = hopeful.trailing_zeros();
                hopeful &= hopeful - 1;
                let best = s.arrival[v as usize];
                let a =
                    t + (self.transmission_seeded(u, v, size_mb, mseed) + lat[v as usize]).max(1);
                if a > best || (a == best && u > s.parent[v as usize]) || !alive(v, a) {
                    continue;
                }
                s.arrival[v as usize] = a;
                s.parent[v as usize] = u;
                if a < best {
                    s.open[v as usize] = a;
                    s.near[v as usize] = since(a);
                    open |= 1 << v;
                }
            }
        }
    }

    /// The search for networks of at most [`SCAN_MAX_NODES`] nodes: the frontier is an array
    /// of arrival times, scanned for its minimum.
    #[inline(always)]
    fn search_scanned<A: Fn(u32, Time) -> bool>(
        &self,
        origins: &[(u32, Time)],
        size_mb: f64,
        mseed: u64,
        alive: &A,
        s: &mut GossipScratch,
    ) {
        let n32 = self.n;
        s.open.clear();
        s.open.resize(n32 as usize, Time::MAX);
        for &(o, t0) in origins {
            s.open[o as usize] = t0;
        }
        loop {
            // The lowest (arrival, node): strict < keeps the lowest node among equal times.
            let (mut t, mut u) = (Time::MAX, u32::MAX);
            for (v, &a) in s.open.iter().enumerate() {
                if a < t {
                    t = a;
                    u = v as u32;
                }
            }
            if u == u32::MAX {
                break;
            }
            s.open[u as usize] = Time::MAX;
            s.done[u as usize] = true;
            s.order.push(u);
            self.relax(s, u, t, size_mb, mseed, true, alive);
        }
    }

    /// The search for larger networks: Dijkstra with a binary heap of (arrival, node).
    #[inline(always)]
    fn search_heap<A: Fn(u32, Time) -> bool>(
        &self,
        origins: &[(u32, Time)],
        size_mb: f64,
        mseed: u64,
        alive: &A,
        s: &mut GossipScratch,
    ) {
        for &(o, t0) in origins {
            s.heap.push(Reverse((t0, o)));
        }
        while let Some(Reverse((t, u))) = s.heap.pop() {
            if s.done[u as usize] || t != s.arrival[u as usize] {
                continue;
            }
            s.done[u as usize] = true;
            s.order.push(u);
            self.relax(s, u, t, size_mb, mseed, false, alive);
        }
    }

    /// Relaxes every link out of `u`, settled at `t`; a node whose arrival improves joins
    /// the frontier (the scanned array when `scan`, else the heap).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn relax<A: Fn(u32, Time) -> bool>(
        &self,
        s: &mut GossipScratch,
        u: u32,
        t: Time,
        size_mb: f64,
        mseed: u64,
        scan: bool,
        alive: &A,
    ) {
        let n32 = self.n;
        let lat = &self.lat[(u * n32) as usize..((u + 1) * n32) as usize];
        // No link of u is faster than its ceiling, and IEEE division, the product and
        // the rounding are monotone: every transmission from u takes at least this.
        let floor_tx = round_ns((size_mb / self.bw_ceiling[u as usize]) * NS_PER_S_F64);
        for &v in self.peers(u) {
            let best = s.arrival[v as usize];
            // A message takes at least the latency plus that floor (and 1 ns), so this
            // skips settled nodes and copies that cannot arrive first without drawing a
            // bandwidth. Draws are counter-based, so skipping one changes nothing else.
            if t + (lat[v as usize] + floor_tx).max(1) > best {
                continue;
            }
            let a = t + (self.transmission_seeded(u, v, size_mb, mseed) + lat[v as usize]).max(1);
            if a > best || (a == best && u > s.parent[v as usize]) || !alive(v, a) {
                continue;
            }
            s.arrival[v as usize] = a;
            s.parent[v as usize] = u;
            if a < best {
                if scan {
                    s.open[v as usize] = a;
                } else {
                    s.heap.push(Reverse((a, v)));
                }
            }
        }
    }

    /// What the search's settled nodes sent: every reached node sent to each of its peers but
    /// the one it heard from.
    #[inline(always)]
    fn spread(&self, s: &GossipScratch) -> Spread {
        let mut spread = Spread::default();
        for &u in &s.order {
            let peers = self.peers(u);
            let parent = s.parent[u as usize];
            let relayed = parent != u;
            let back = relayed
                && match self.peer_mask.get(u as usize) {
                    Some(mask) => mask >> parent & 1 == 1,
                    None => peers.binary_search(&parent).is_ok(),
                };
            spread.transmissions += peers.len() as u64 - u64::from(back);
            spread.reached += u32::from(relayed);
        }
        spread
    }

    /// Direct send of message `key` from `origin` at `t0` to every other node alive at arrival.
    pub fn broadcast(
        &self,
        origin: u32,
        t0: Time,
        size_mb: f64,
        key: u64,
        alive: impl Fn(u32, Time) -> bool,
        s: &mut GossipScratch,
    ) -> Spread {
        s.reset(self.n as usize, &[(origin, t0)]);
        let mut spread = Spread::default();
        for v in 0..self.n {
            if v == origin {
                continue;
            }
            spread.transmissions += 1;
            let a = t0 + self.delay_ns(origin, v, size_mb, key);
            if alive(v, a) {
                s.arrival[v as usize] = a;
                s.parent[v as usize] = origin;
                spread.reached += 1;
            }
        }
        spread
    }
}

/// Gossip as a per-edge event simulation: every transmission is an event, the first copy a
/// node processes wins and is relayed. The reference [`Network::gossip`] must match; also
/// useful to see the event count the shortest-path form saves. Returns arrivals and the
/// number of events processed.
pub fn reference_gossip(
    net: &Network,
    origin: u32,
    t0: Time,
    size_mb: f64,
    key: u64,
    alive: impl Fn(u32, Time) -> bool,
) -> (Vec<Time>, u64) {
    let mut q = crate::des::HeapQueue::default();
    let mut arrival = vec![Time::MAX; net.node_count() as usize];
    arrival[origin as usize] = t0;
    for &v in net.peers(origin) {
        q.schedule(t0 + net.delay_ns(origin, v, size_mb, key), (origin, v));
    }
    let mut events = 0;
    while let Some((t, (from, v))) = q.pop() {
        events += 1;
        if arrival[v as usize] != Time::MAX || !alive(v, t) {
            continue;
        }
        arrival[v as usize] = t;
        for &w in net.peers(v) {
            if w != from {
                q.schedule(t + net.delay_ns(v, w, size_mb, key), (v, w));
            }
        }
    }
    (arrival, events)
}

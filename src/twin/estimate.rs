//! Peer-state estimation during a run (twin paper, Section IV, Eq. 1) and the path history of
//! gossip messages (Section V-A's proposed extension).
//!
//! Every node keeps, for each peer, the count, mean and standard deviation of `S(m) / D(m)`
//! over the messages exchanged with that peer, in either direction: both ends of a link see
//! every message on it. `D(m)` is the transmission delay `size / link bandwidth` by default (the
//! paper's definition); [`EbwDelay::Total`] uses the whole observed delay (transmission plus
//! latency and processing), which biases the estimate low by the latency share.
//!
//! Under the default model a link's bandwidth is the slower end's, so `EBW(i, j) = min(bw_i,
//! bw_j)` up to nanosecond rounding (SymBChainSim V2 takes a link's bandwidth as the slower end's); under per-message jitter it is the
//! mean of the per-message minimum of both ends' draws.

use crate::des::Time;
use crate::network::{Dissemination, GossipScratch, Network};
use crate::time::NS_PER_S_F64;

/// Which delay `D(m)` of Eq. 1 a node measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EbwDelay {
    /// Size over link bandwidth (the paper's "transmission delay").
    Transmission,
    /// Everything between send and receipt: transmission, latency and processing.
    Total,
}

/// Running count, mean and sample standard deviation (Welford).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LinkStats {
    /// Observations.
    pub count: u64,
    /// Their mean.
    pub mean: f64,
    m2: f64,
}

impl LinkStats {
    /// Adds one observation.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.count += 1;
        let d = x - self.mean;
        self.mean += d / self.count as f64;
        self.m2 += d * (x - self.mean);
    }

    /// The same observations, each multiplied by `factor` (what a node that lies by that
    /// factor reports).
    pub fn scaled(&self, factor: f64) -> LinkStats {
        LinkStats {
            count: self.count,
            mean: self.mean * factor,
            m2: self.m2 * factor * factor,
        }
    }

    /// Sample standard deviation (0 for fewer than two observations).
    pub fn sd(&self) -> f64 {
        if self.count < 2 {
            0.0
        } else {
            (self.m2 / (self.count - 1) as f64).max(0.0).sqrt()
        }
    }

    /// Statistics of a given sample (for tests and hand-built message sets).
    pub fn of(xs: &[f64]) -> LinkStats {
        let mut s = LinkStats::default();
        for &x in xs {
            s.push(x);
        }
        s
    }
}

/// What the nodes of one run observe: per-arc EBW statistics and the links seen in paths.
#[derive(Clone, Debug)]
pub struct PeerObserver {
    mode: EbwDelay,
    /// Per arc of the network's CSR: the arc owner's statistics of the arc's target.
    stats: Vec<LinkStats>,
    /// Undirected link id of each arc (index into `edges`).
    arc_edge: Vec<u32>,
    /// The reverse arc of each arc (`v -> u` for `u -> v`; links are two-way).
    reverse: Vec<u32>,
    edges: Vec<(u32, u32)>,
    words: usize,
    /// Links each node has seen in the paths of the gossip copies it received, `words` bits
    /// per node.
    seen: Vec<u64>,
    chain: Vec<u64>,
    order: Vec<(Time, u32)>,
}

impl crate::pbft::Transmissions for PeerObserver {
    fn message(&mut self, net: &Network, u: u32, v: u32, size_mb: f64, key: u64) {
        self.observe_message(net, u, v, size_mb, key);
    }
    fn spread(
        &mut self,
        net: &Network,
        s: &GossipScratch,
        origin: u32,
        size_mb: f64,
        key: u64,
        how: Dissemination,
    ) {
        self.observe_spread(net, s, origin, size_mb, key, how);
    }
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any> {
        self
    }
}

impl PeerObserver {
    /// An observer for `net` that has seen nothing yet.
    pub fn new(net: &Network, mode: EbwDelay) -> PeerObserver {
        let n = net.node_count();
        let edges = net.edges();
        let mut arc_edge = vec![0u32; net.link_count()];
        let mut reverse = vec![u32::MAX; net.link_count()];
        for u in 0..n {
            for (i, &v) in net.peers(u).iter().enumerate() {
                let e = edges
                    .binary_search(&(u.min(v), u.max(v)))
                    .expect("every arc is a link");
                arc_edge[net.arc_base(u) + i] = e as u32;
                if let Some(back) = net.arc(v, u) {
                    reverse[net.arc_base(u) + i] = back as u32;
                }
            }
        }
        let words = edges.len().div_ceil(64).max(1);
        PeerObserver {
            mode,
            stats: vec![LinkStats::default(); net.link_count()],
            arc_edge,
            reverse,
            edges,
            words,
            seen: vec![0; words * n as usize],
            chain: vec![0; words * n as usize],
            order: Vec::with_capacity(n as usize),
        }
    }

    /// The delay mode.
    pub fn mode(&self) -> EbwDelay {
        self.mode
    }

    /// `S(m) / D(m)` of message `key` (`size_mb`) on `u -> v`, MB/s; `None` when the delay is 0.
    #[inline]
    fn sample(&self, net: &Network, u: u32, v: u32, size_mb: f64, key: u64) -> Option<f64> {
        let mut d = net.transmission_ns(u, v, size_mb, key);
        if self.mode == EbwDelay::Total {
            d += net.latency_ns(u, v);
        }
        (d > 0).then(|| size_mb / (d as f64 / NS_PER_S_F64))
    }

    /// Records one message on the link `u -> v` at both ends.
    pub fn observe_message(&mut self, net: &Network, u: u32, v: u32, size_mb: f64, key: u64) {
        let (Some(uv), Some(vu)) = (net.arc(u, v), net.arc(v, u)) else {
            return;
        };
        if let Some(x) = self.sample(net, u, v, size_mb, key) {
            self.stats[uv].push(x);
            self.stats[vu].push(x);
        }
    }

    /// Records every transmission of the broadcast whose outcome is in `s` (from
    /// [`Network::gossip`] or [`Network::broadcast`] of message `key` from `origin`), and under
    /// gossip the paths each receiver saw.
    pub fn observe_spread(
        &mut self,
        net: &Network,
        s: &GossipScratch,
        origin: u32,
        size_mb: f64,
        key: u64,
        how: Dissemination,
    ) {
        match how {
            Dissemination::Broadcast => {
                for &v in net.peers(origin) {
                    if s.arrival[v as usize] != Time::MAX {
                        self.observe_message(net, origin, v, size_mb, key);
                    }
                }
            }
            Dissemination::Gossip => {
                let n = net.node_count();
                for u in 0..n {
                    if s.arrival[u as usize] == Time::MAX {
                        continue;
                    }
                    let parent = s.parent[u as usize];
                    let base = net.arc_base(u);
                    for (i, &v) in net.peers(u).iter().enumerate() {
                        if v == parent {
                            continue;
                        }
                        if let Some(x) = self.sample(net, u, v, size_mb, key) {
                            self.stats[base + i].push(x);
                            let back = self.reverse[base + i];
                            assert!(back != u32::MAX, "links are two-way");
                            self.stats[back as usize].push(x);
                        }
                    }
                }
                self.record_paths(net, s, origin);
            }
        }
    }

    /// Path history: a copy sent by `u` carries the links of `u`'s first-arrival path; its
    /// receiver learns them and the link it came over.
    fn record_paths(&mut self, net: &Network, s: &GossipScratch, origin: u32) {
        let w = self.words;
        self.order.clear();
        self.order.extend(
            (0..net.node_count())
                .filter(|&u| s.arrival[u as usize] != Time::MAX)
                .map(|u| (s.arrival[u as usize], u)),
        );
        // Every delay is at least 1 ns, so parents come before children.
        self.order.sort_unstable();
        for k in 0..self.order.len() {
            let u = self.order[k].1 as usize;
            if u as u32 == origin {
                self.chain[u * w..(u + 1) * w].fill(0);
                continue;
            }
            let p = s.parent[u] as usize;
            self.chain.copy_within(p * w..(p + 1) * w, u * w);
            let arc = net.arc(p as u32, u as u32).expect("a parent is a peer");
            let e = self.arc_edge[arc] as usize;
            self.chain[u * w + e / 64] |= 1 << (e % 64);
        }
        for k in 0..self.order.len() {
            let u = self.order[k].1;
            let parent = s.parent[u as usize];
            let base = net.arc_base(u);
            for (i, &v) in net.peers(u).iter().enumerate() {
                if v == parent {
                    continue;
                }
                let e = self.arc_edge[base + i] as usize;
                let (cu, sv) = (u as usize * w, v as usize * w);
                for j in 0..w {
                    self.seen[sv + j] |= self.chain[cu + j];
                }
                self.seen[sv + e / 64] |= 1 << (e % 64);
            }
        }
    }

    /// Node `u`'s estimates of its peers, in the order of `net.peers(u)`.
    pub fn estimates<'a>(&'a self, net: &Network, u: u32) -> &'a [LinkStats] {
        let b = net.arc_base(u);
        &self.stats[b..b + net.peers(u).len()]
    }

    /// The links node `u` has seen in message paths, as `(a, b)` with `a < b`, ascending.
    pub fn seen_links(&self, u: u32) -> Vec<(u32, u32)> {
        let w = self.words;
        let bits = &self.seen[u as usize * w..(u as usize + 1) * w];
        self.edges
            .iter()
            .enumerate()
            .filter(|(e, _)| bits[e / 64] >> (e % 64) & 1 == 1)
            .map(|(_, &l)| l)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welford_matches_the_two_pass_formula() {
        let xs = [20.0, 18.5, 22.25, 19.0, 21.0];
        let s = LinkStats::of(&xs);
        let mean = xs.iter().sum::<f64>() / 5.0;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / 4.0;
        assert_eq!(s.count, 5);
        assert!((s.mean - mean).abs() < 1e-12);
        assert!((s.sd() - var.sqrt()).abs() < 1e-12);
        assert_eq!(LinkStats::of(&[3.0]).sd(), 0.0);
        assert_eq!(LinkStats::default().count, 0);
    }
}

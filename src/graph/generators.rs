//! Topology generators.
//!
//! `kout`, `ws` and `ba` are ports of PeerSim 1.0.5's `GraphFactory.wireKOut`, `wireWS` and
//! `wireScaleFreeBA`, wired undirected (PeerSim's `undir` key). Driven by [`JavaRandom`]
//! seeded as PeerSim seeds `CommonState.r`, they give PeerSim's edge sets exactly (golden
//! checks in the tests below). In each of them `k` is the number of links a node starts
//! itself, so the mean degree is about 2k, not k. `er` (Erdős–Rényi G(n, m)) and
//! `random_peers` (the blockchain models' overlay) have no PeerSim counterpart.
//!
//! [`JavaRandom`]: crate::rng::JavaRandom

use super::Graph;
use crate::rng::GenRng;
use std::collections::HashSet;

/// A topology generator, selected by name in experiment files.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Topology {
    /// PeerSim `WireKOut`: every node links to `k` distinct others (the paper's "random graph").
    KOut {
        /// Links each node starts.
        k: u32,
    },
    /// PeerSim `WireWS`: a ring lattice of `k/2` neighbours a side, each directed link rewired
    /// with probability `beta` (the paper's "small-world graph"). Odd `k` acts as `k - 1`.
    Ws {
        /// Lattice degree (neighbours on both sides).
        k: u32,
        /// Rewiring probability.
        beta: f64,
    },
    /// PeerSim `WireScaleFreeBA`: preferential attachment, `k` links per new node (the paper's
    /// "scale-free graph").
    Ba {
        /// Links per new node.
        k: u32,
    },
    /// Erdős–Rényi G(n, m) with `m = n * k` edges, so the mean degree is 2k as for the others.
    Er {
        /// Edges per node (m = n * k).
        k: u32,
    },
    /// Every node picks `k` distinct peers uniformly; links are undirected.
    RandomPeers {
        /// Peers each node picks.
        k: u32,
    },
}

/// Most links a generated graph may have (nodes x k): 5 * 10^7 links take about 1.2 GB as
/// a CSR graph with weights, beyond which a run would exhaust a laptop's memory.
pub const MAX_LINKS: u64 = 50_000_000;

impl Topology {
    /// The name used in experiment files and result rows.
    pub fn name(&self) -> &'static str {
        match self {
            Topology::KOut { .. } => "kout",
            Topology::Ws { .. } => "ws",
            Topology::Ba { .. } => "ba",
            Topology::Er { .. } => "er",
            Topology::RandomPeers { .. } => "random_peers",
        }
    }

    /// Why this topology cannot be built on `n` nodes, if it cannot. The message names the
    /// allowed range; callers add the file, key and value.
    pub fn check(&self, n: u32) -> Result<(), String> {
        let k = match *self {
            Topology::KOut { k }
            | Topology::RandomPeers { k }
            | Topology::Ws { k, .. }
            | Topology::Ba { k }
            | Topology::Er { k } => k,
        };
        if u64::from(n) * u64::from(k) > MAX_LINKS {
            return Err(format!(
                "nodes x k at most {MAX_LINKS} (the graph must fit in memory); {n} x {k} = {}",
                u64::from(n) * u64::from(k)
            ));
        }
        match *self {
            Topology::KOut { k } | Topology::RandomPeers { k } => {
                if k == 0 || k >= n {
                    return Err(format!(
                        "k must be in 1..={} (fewer peers than the {n} nodes)",
                        n.saturating_sub(1)
                    ));
                }
            }
            Topology::Ws { k, beta } => {
                if k < 2 || k >= n {
                    return Err(format!(
                        "k must be in 2..={} for ws on {n} nodes",
                        n.saturating_sub(1)
                    ));
                }
                if !(0.0..=1.0).contains(&beta) {
                    return Err("beta must be in [0, 1]".into());
                }
            }
            Topology::Ba { k } => {
                if k == 0 || k >= n {
                    return Err(format!(
                        "k must be in 1..={} for ba on {n} nodes",
                        n.saturating_sub(1)
                    ));
                }
            }
            Topology::Er { k } => {
                let pairs = u64::from(n) * u64::from(n.saturating_sub(1)) / 2;
                if k == 0 || u64::from(n) * u64::from(k) > pairs {
                    return Err(format!(
                        "er needs 1 <= n*k <= n(n-1)/2 = {pairs} edges; k = {k} asks for {}",
                        u64::from(n) * u64::from(k)
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Bytes a run holds per link of its graph (edge list, adjacency both ways, delays, search
/// state): measured peak resident memory over links of `ba` and `er` floods of 25 and 50
/// million links was 36 bytes a link.
const BYTES_PER_LINK: u64 = 40;

impl Topology {
    /// The links a graph of this topology on `n` nodes has (at most; `kout` and
    /// `random_peers` merge picks made from both sides).
    pub fn links(&self, n: u32) -> u64 {
        let n = u64::from(n);
        match *self {
            Topology::Ba { k } => u64::from(k) * n.saturating_sub(u64::from(k)),
            Topology::KOut { k }
            | Topology::RandomPeers { k }
            | Topology::Ws { k, .. }
            | Topology::Er { k } => n * u64::from(k),
        }
    }

    /// Bytes generating and holding this graph on `n` nodes takes, estimated.
    pub fn memory_bytes(&self, n: u32) -> u64 {
        let m = self.links(n);
        let nn = u64::from(n);
        let scratch = match *self {
            // G(n, m) keeps a hash set of its pairs, or a pair matrix when dense.
            Topology::Er { .. } if 4 * m > 3 * (nn * nn.saturating_sub(1) / 2) => nn * nn,
            Topology::Er { .. } => 24 * m,
            _ => 0,
        };
        (BYTES_PER_LINK * m + scratch).saturating_add(64 * nn)
    }
}

/// Generates a topology on `n` nodes from `rng`.
pub fn generate<R: GenRng>(topology: Topology, n: u32, rng: &mut R) -> Graph {
    match topology {
        Topology::KOut { k } => Graph::from_edges(n, wire_kout(n, k, rng)),
        Topology::Ws { k, beta } => Graph::from_edges(n, wire_ws(n, k, beta, rng)),
        Topology::Ba { k } => Graph::from_edges(n, wire_ba(n, k, rng)),
        Topology::Er { k } => Graph::from_simple_edges(n, gnm(n, u64::from(n) * u64::from(k), rng)),
        Topology::RandomPeers { k } => Graph::from_edges(n, random_peers(n, k, rng)),
    }
}

/// `GraphFactory.wireKOut`: one permutation persists across sources; each source runs a partial
/// Fisher–Yates and redraws at the same position when it meets itself.
fn wire_kout<R: GenRng>(n: u32, k: u32, rng: &mut R) -> Vec<(u32, u32)> {
    if n < 2 {
        return Vec::new();
    }
    let k = k.min(n - 1);
    let mut nodes: Vec<u32> = (0..n).collect();
    let mut out = Vec::with_capacity((n as usize) * (k as usize));
    for i in 0..n {
        let mut j = 0u32;
        while j < k {
            let t = j + rng.next_int(n - j);
            nodes.swap(j as usize, t as usize);
            if nodes[j as usize] != i {
                out.push((i, nodes[j as usize]));
                j += 1;
            }
        }
    }
    out
}

/// `GraphFactory.wireWS`: ring offsets `-k/2..=k/2` (skipping 0); each directed link is
/// replaced with probability `beta` by a uniform other node.
fn wire_ws<R: GenRng>(n: u32, k: u32, beta: f64, rng: &mut R) -> Vec<(u32, u32)> {
    let half = (k / 2) as i64;
    let nn = i64::from(n);
    let mut out = Vec::with_capacity((n as usize) * (2 * half as usize));
    for i in 0..n {
        for j in -half..=half {
            if j == 0 {
                continue;
            }
            let mut target = ((i64::from(i) + j + nn) % nn) as u32;
            if rng.next_double() < beta {
                target = rng.next_int(n - 1);
                if target >= i {
                    target += 1;
                }
            }
            out.push((i, target));
        }
    }
    out
}

/// `GraphFactory.wireScaleFreeBA`: node `k` links to nodes `0..k`; every later node draws `k`
/// targets from the endpoint list of the edges made so far, redrawing a repeat within its step.
fn wire_ba<R: GenRng>(n: u32, k: u32, rng: &mut R) -> Vec<(u32, u32)> {
    if n <= k {
        return Vec::new();
    }
    let ku = k as usize;
    let mut ends = vec![0u32; 2 * ku * (n - k) as usize];
    let mut out = Vec::with_capacity(ku * (n - k) as usize);
    for i in 0..k {
        out.push((k, i));
        ends[2 * i as usize] = k;
        ends[2 * i as usize + 1] = i;
    }
    let mut len = 2 * ku;
    // `chosen[t] == i` once node `i` has drawn target `t`: an O(1) repeat check (a scan of the
    // step's earlier targets made a step O(k^2)); the same draws are accepted.
    let mut chosen = vec![u32::MAX; n as usize];
    for i in (k + 1)..n {
        for j in 0..ku {
            let target = loop {
                let t = ends[rng.next_int(len as u32) as usize];
                if chosen[t as usize] != i {
                    chosen[t as usize] = i;
                    break t;
                }
            };
            out.push((i, target));
            ends[len + 2 * j] = i;
            ends[len + 2 * j + 1] = target;
        }
        len += 2 * ku;
    }
    out
}

/// G(n, m): `m` distinct pairs drawn uniformly by rejection. The set is used for membership
/// only; edges keep their draw order, so no hash order reaches the result. Above three
/// quarters of the `n (n - 1) / 2` pairs, rejection slows (near all pairs it needs about
/// pairs x ln(pairs) draws), so the graph is the complement of a G(n, pairs - m) drawn alike,
/// its edges in ascending order (complementing keeps the distribution uniform).
fn gnm<R: GenRng>(n: u32, m: u64, rng: &mut R) -> Vec<(u32, u32)> {
    let pairs = u64::from(n) * u64::from(n.saturating_sub(1)) / 2;
    if 4 * m <= 3 * pairs {
        return gnm_drawn(n, m, rng);
    }
    // Pair (u, v), u < v, has index u n + v; at most 4/3 x MAX_LINKS pairs come here.
    let nn = u64::from(n);
    let mut missing = vec![false; (nn * nn) as usize];
    for (u, v) in gnm_drawn(n, pairs - m, rng) {
        missing[(u64::from(u) * nn + u64::from(v)) as usize] = true;
    }
    let mut out = Vec::with_capacity(m as usize);
    for u in 0..n {
        for v in u + 1..n {
            if !missing[(u64::from(u) * nn + u64::from(v)) as usize] {
                out.push((u, v));
            }
        }
    }
    out
}

/// `m` distinct pairs of distinct nodes, drawn uniformly by rejection, in draw order.
fn gnm_drawn<R: GenRng>(n: u32, m: u64, rng: &mut R) -> Vec<(u32, u32)> {
    let mut seen: HashSet<u64> = HashSet::with_capacity(m as usize);
    let mut out = Vec::with_capacity(m as usize);
    while (out.len() as u64) < m {
        let a = rng.next_int(n);
        let b = rng.next_int(n);
        if a == b {
            continue;
        }
        let (u, v) = (a.min(b), a.max(b));
        if seen.insert((u64::from(u) << 32) | u64::from(v)) {
            out.push((u, v));
        }
    }
    out
}

/// Every node picks `k` distinct peers other than itself (Floyd's sampling over the `n - 1`
/// others); a pick made from both sides is one undirected link.
fn random_peers<R: GenRng>(n: u32, k: u32, rng: &mut R) -> Vec<(u32, u32)> {
    let mut out = Vec::with_capacity((n as usize) * (k as usize));
    let mut picked: Vec<u32> = Vec::with_capacity(k as usize);
    let others = n - 1;
    for i in 0..n {
        picked.clear();
        for j in (others - k)..others {
            let t = rng.next_int(j + 1);
            let t = if picked.contains(&t) { j } else { t };
            picked.push(t);
        }
        for &p in &picked {
            // Map 0..n-1 onto the nodes other than i.
            out.push((i, if p >= i { p + 1 } else { p }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{JavaRandom, stream};

    /// (edges, sum x mod p, sum x^2 mod p, max degree) with x = u*n + v over edges u < v.
    fn checksum(g: &Graph) -> (usize, u64, u64, u32) {
        const P: u64 = 1_000_000_007;
        let n = u64::from(g.node_count());
        let (mut s1, mut s2) = (0u64, 0u64);
        for &(u, v) in g.edges() {
            let x = (u64::from(u) * n + u64::from(v)) % P;
            s1 = (s1 + x) % P;
            s2 = (s2 + x * x % P) % P;
        }
        (g.edge_count(), s1, s2, g.stats().max_degree)
    }

    #[test]
    fn kout_matches_peersim() {
        let g = generate(Topology::KOut { k: 8 }, 1000, &mut JavaRandom::new(1));
        assert_eq!(checksum(&g), (7970, 665221011, 894775947, 26));
    }

    #[test]
    fn ws_matches_peersim() {
        let g = generate(
            Topology::Ws { k: 8, beta: 0.8 },
            1000,
            &mut JavaRandom::new(1),
        );
        assert_eq!(checksum(&g), (7778, 809349454, 692190270, 26));
    }

    #[test]
    fn ba_matches_peersim() {
        let g = generate(Topology::Ba { k: 8 }, 1000, &mut JavaRandom::new(1));
        assert_eq!(checksum(&g), (7936, 368861769, 34084225, 157));
    }

    #[test]
    fn ba_has_k_times_n_minus_k_edges_and_is_connected() {
        let g = generate(
            Topology::Ba { k: 3 },
            500,
            &mut stream(9, 9, crate::rng::purpose::TOPOLOGY),
        );
        assert_eq!(g.edge_count(), 3 * 497);
        assert!(g.stats().connected);
    }

    #[test]
    fn er_has_exactly_m_edges() {
        let g = generate(
            Topology::Er { k: 4 },
            200,
            &mut stream(1, 1, crate::rng::purpose::TOPOLOGY),
        );
        assert_eq!(g.edge_count(), 800);
    }

    #[test]
    fn a_dense_er_graph_is_a_uniform_complement() {
        let rng = |e| stream(1, e, crate::rng::purpose::TOPOLOGY);
        // 738 of 820 pairs (drawn as the 82 missing), and every pair (k = (n - 1) / 2).
        for (n, k) in [(41, 18), (21, 10)] {
            let g = generate(Topology::Er { k }, n, &mut rng(1));
            assert_eq!(g.edge_count() as u32, n * k);
            for v in 0..n {
                assert!(!g.neighbours(v).contains(&v));
            }
        }
        // Each of the 45 pairs is in 40 of them with probability 8/9.
        let mut hits = [0u32; 100];
        for e in 0..900 {
            for &(u, v) in generate(Topology::Er { k: 4 }, 10, &mut rng(e)).edges() {
                hits[(u.min(v) * 10 + u.max(v)) as usize] += 1;
            }
        }
        for u in 0..10 {
            for v in u + 1..10 {
                let f = f64::from(hits[(u * 10 + v) as usize]) / 900.0;
                assert!((f - 8.0 / 9.0).abs() < 0.05, "pair {u}-{v}: {f}");
            }
        }
    }

    #[test]
    fn a_dense_ba_graph_has_k_distinct_targets_per_node() {
        let mut rng = stream(2, 2, crate::rng::purpose::TOPOLOGY);
        // A repeated target would merge two edges.
        let g = generate(Topology::Ba { k: 300 }, 600, &mut rng);
        assert_eq!(g.edge_count(), 300 * 300);
        assert!(g.stats().connected);
    }

    #[test]
    fn random_peers_gives_every_node_at_least_k_distinct_peers() {
        let g = generate(
            Topology::RandomPeers { k: 5 },
            50,
            &mut stream(3, 4, crate::rng::purpose::TOPOLOGY),
        );
        for v in 0..50 {
            assert!(g.degree(v) >= 5, "node {v} has degree {}", g.degree(v));
            assert!(!g.neighbours(v).contains(&v));
        }
        // Complete when k = n - 1.
        let g = generate(
            Topology::RandomPeers { k: 9 },
            10,
            &mut stream(3, 4, crate::rng::purpose::TOPOLOGY),
        );
        assert_eq!(g.edge_count(), 45);
    }

    #[test]
    fn impossible_sizes_are_rejected() {
        assert!(Topology::KOut { k: 10 }.check(10).is_err());
        assert!(Topology::RandomPeers { k: 0 }.check(10).is_err());
        assert!(Topology::Ws { k: 4, beta: 1.5 }.check(10).is_err());
        assert!(Topology::Er { k: 5 }.check(10).is_err());
        assert!(Topology::Er { k: 4 }.check(10).is_ok());
    }
}

//! Minimum spanning trees under the total edge order (weight, min id, max id).
//!
//! [`kruskal`] is the reference. [`boruvka`] simulates a synchronous distributed Borůvka build
//! and counts the messages it would cost under two accountings, naive and GHS-style
//! (the propagation notes, `src/model/propagation/README.md`). Both yield the same unique tree, because
//! every comparison goes through [`edge_key`].

use super::Graph;

/// Largest node count whose ids fit the packed edge key.
pub const MAX_NODES: u32 = 1 << 20;
/// Largest edge weight that fits the packed edge key.
pub const MAX_WEIGHT: u32 = (1 << 24) - 1;

/// The total order on edges, packed into one integer: weight, then the smaller endpoint, then
/// the larger one. Distinct edges always have distinct keys, so the MST is unique.
#[inline]
pub fn edge_key(w: u32, u: u32, v: u32) -> u64 {
    debug_assert!(u < v && v < MAX_NODES && w <= MAX_WEIGHT);
    (u64::from(w) << 40) | (u64::from(u) << 20) | u64::from(v)
}

/// A disjoint-set forest with path halving and union by size.
#[derive(Clone, Debug)]
pub struct Dsu {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl Dsu {
    /// `n` singletons.
    pub fn new(n: u32) -> Dsu {
        Dsu {
            parent: (0..n).collect(),
            size: vec![1; n as usize],
        }
    }

    /// The representative of `x`'s set.
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    /// Merges the sets of `a` and `b`; false if they were already one.
    pub fn union(&mut self, a: u32, b: u32) -> bool {
        let (mut ra, mut rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        if self.size[ra as usize] < self.size[rb as usize] {
            std::mem::swap(&mut ra, &mut rb);
        }
        self.parent[rb as usize] = ra;
        self.size[ra as usize] += self.size[rb as usize];
        true
    }
}

/// A spanning forest: edge indices into the graph, in increasing key order, and its weight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpanningForest {
    /// Indices into [`Graph::edges`], sorted by [`edge_key`].
    pub edges: Vec<u32>,
    /// Sum of the weights of `edges`.
    pub weight: u64,
}

fn keys(g: &Graph, w: &[u32]) -> Vec<u64> {
    g.edges()
        .iter()
        .zip(w)
        .map(|(&(u, v), &wt)| edge_key(wt, u, v))
        .collect()
}

/// The indices of `keys` in increasing key order, by a least-significant-digit radix sort on
/// bytes (a pass whose byte is the same in every key is skipped): linear in the number of keys.
/// Keys are distinct here, so the order is the one a comparison sort gives.
pub fn order_by_key(keys: &[u64]) -> Vec<u32> {
    // Sort (key, index) pairs, so that every pass reads and writes memory in order.
    let mut items: Vec<(u64, u32)> = keys
        .iter()
        .enumerate()
        .map(|(i, &k)| (k, i as u32))
        .collect();
    let mut spare = vec![(0u64, 0u32); keys.len()];
    for shift in (0..64).step_by(8) {
        let digit = |k: u64| ((k >> shift) & 0xFF) as usize;
        let mut count = [0u32; 257];
        for &(k, _) in &items {
            count[digit(k) + 1] += 1;
        }
        if count.iter().any(|&c| c as usize == keys.len()) {
            continue;
        }
        for i in 0..256 {
            count[i + 1] += count[i];
        }
        for &item in &items {
            let d = digit(item.0);
            spare[count[d] as usize] = item;
            count[d] += 1;
        }
        std::mem::swap(&mut items, &mut spare);
    }
    items.into_iter().map(|(_, i)| i).collect()
}

/// Kruskal's algorithm: the minimum spanning forest under [`edge_key`].
pub fn kruskal(g: &Graph, w: &[u32]) -> SpanningForest {
    assert_eq!(w.len(), g.edge_count(), "one weight per edge");
    let k = keys(g, w);
    let order = order_by_key(&k);
    let mut dsu = Dsu::new(g.node_count());
    let mut edges = Vec::with_capacity(g.node_count().saturating_sub(1) as usize);
    let mut weight = 0u64;
    for e in order {
        let (u, v) = g.edges()[e as usize];
        if dsu.union(u, v) {
            edges.push(e);
            weight += u64::from(w[e as usize]);
            if edges.len() + 1 == g.node_count() as usize {
                break;
            }
        }
    }
    SpanningForest { edges, weight }
}

/// What a synchronous distributed Borůvka build of the MST costs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoruvkaReport {
    /// The forest it builds (equal to [`kruskal`]'s).
    pub forest: SpanningForest,
    /// Phases in which at least one merge happened.
    pub phases: u32,
    /// Messages under the naive accounting: every node sends its fragment id to every
    /// neighbour each phase (2m), plus convergecast, decision, connect and new-id broadcast.
    pub naive_msgs: u64,
    /// Messages under the GHS-style accounting: each internal edge is rejected once over the
    /// whole run (test + reject), each node spends one test + accept per phase, plus the same
    /// convergecast, decision, connect and new-id broadcast.
    pub ghs_msgs: u64,
}

/// Simulates a synchronous Borůvka construction and counts its messages. Per phase, with `f`
/// fragments before and `f'` after: convergecast of candidates `n - f`, leader decision
/// `n - f`, connect over each chosen edge (one per fragment that has one), new-id broadcast
/// `n - f'`. Step 1 (learning the neighbours' fragment ids) is `2m` per phase in the naive
/// accounting; in the GHS-style one it is a test + reject once per internal edge, plus a
/// test + accept per node that still has an outgoing edge.
pub fn boruvka(g: &Graph, w: &[u32]) -> BoruvkaReport {
    assert_eq!(w.len(), g.edge_count(), "one weight per edge");
    let n = g.node_count();
    let m = g.edge_count() as u64;
    let k = keys(g, w);
    // Each node's incident edges in increasing key order (the order a GHS node tests them in):
    // every edge in global key order, appended to the lists of both its ends.
    let mut start: Vec<u32> = Vec::with_capacity(n as usize + 1);
    start.push(0);
    for v in 0..n {
        start.push(start[v as usize] + g.degree(v));
    }
    let mut sorted = vec![0u32; start[n as usize] as usize];
    let mut fill: Vec<u32> = start[..n as usize].to_vec();
    for e in order_by_key(&k) {
        let (a, b) = g.edges()[e as usize];
        for x in [a, b] {
            sorted[fill[x as usize] as usize] = e;
            fill[x as usize] += 1;
        }
    }
    let mut ptr: Vec<u32> = start[..n as usize].to_vec();
    let mut rejected = vec![false; g.edge_count()];

    let mut dsu = Dsu::new(n);
    let mut comp = vec![0u32; n as usize];
    let mut best: Vec<u64> = vec![u64::MAX; n as usize];
    let mut best_edge: Vec<u32> = vec![u32::MAX; n as usize];
    let mut chosen: Vec<u32> = Vec::new();
    let mut fragments = n;
    let (mut naive, mut ghs, mut phases) = (0u64, 0u64, 0u32);
    let mut forest = Vec::with_capacity(n.saturating_sub(1) as usize);
    let mut weight = 0u64;

    loop {
        for v in 0..n {
            comp[v as usize] = dsu.find(v);
        }
        best.fill(u64::MAX);
        let mut step1_ghs = 0u64;
        for v in 0..n {
            let cv = comp[v as usize];
            let end = start[v as usize + 1];
            let mut p = ptr[v as usize];
            while p < end {
                let e = sorted[p as usize];
                let (a, b) = g.edges()[e as usize];
                let other = if a == v { b } else { a };
                if comp[other as usize] != cv {
                    break;
                }
                if !rejected[e as usize] {
                    rejected[e as usize] = true;
                    step1_ghs += 2;
                }
                p += 1;
            }
            ptr[v as usize] = p;
            if p < end {
                step1_ghs += 2;
                let e = sorted[p as usize];
                if k[e as usize] < best[cv as usize] {
                    best[cv as usize] = k[e as usize];
                    best_edge[cv as usize] = e;
                }
            }
        }
        chosen.clear();
        for v in 0..n {
            if comp[v as usize] == v && best[v as usize] != u64::MAX {
                chosen.push(best_edge[v as usize]);
            }
        }
        if chosen.is_empty() {
            break;
        }
        let connect = chosen.len() as u64;
        chosen.sort_unstable();
        chosen.dedup();
        let before = fragments;
        for &e in &chosen {
            let (u, v) = g.edges()[e as usize];
            // Distinct keys guarantee that the chosen edges form no cycle.
            let merged = dsu.union(u, v);
            debug_assert!(merged, "Borůvka chose a cycle-closing edge");
            forest.push(e);
            weight += u64::from(w[e as usize]);
            fragments -= 1;
        }
        phases += 1;
        let common = 2 * u64::from(n - before) + connect + u64::from(n - fragments);
        naive += 2 * m + common;
        ghs += step1_ghs + common;
    }
    forest.sort_unstable_by_key(|&e| k[e as usize]);
    BoruvkaReport {
        forest: SpanningForest {
            edges: forest,
            weight,
        },
        phases,
        naive_msgs: naive,
        ghs_msgs: ghs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_radix_order_is_the_sorted_order() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        for len in [0usize, 1, 2, 7, 300, 5000] {
            let mut keys: Vec<u64> = (0..len)
                .map(|_| rng.random::<u64>() >> rng.random_range(0..64))
                .collect();
            keys.sort_unstable();
            keys.dedup();
            // Shuffle, so the input order says nothing.
            for i in (1..keys.len()).rev() {
                keys.swap(i, rng.random_range(0..=i));
            }
            let mut reference: Vec<u32> = (0..keys.len() as u32).collect();
            reference.sort_unstable_by_key(|&e| keys[e as usize]);
            assert_eq!(order_by_key(&keys), reference, "{len} keys");
        }
    }

    #[test]
    fn ties_are_broken_by_endpoint_ids() {
        // A 4-cycle with equal weights: the tree drops the edge with the largest ids, (2, 3).
        let g = Graph::from_edges(4, [(0, 1), (1, 2), (2, 3), (0, 3)]);
        let w = [5, 5, 5, 5];
        let t = kruskal(&g, &w);
        assert_eq!(t.edges, vec![0, 3, 1]);
        assert_eq!(t.weight, 15);
        assert_eq!(boruvka(&g, &w).forest, t);
    }

    #[test]
    fn boruvka_on_a_path_counts_by_hand() {
        // Path 0-1-2 with weights 1, 2. Phase 1: both fragments {0},{1},{2} choose; node 0 and
        // 1 pick (0,1), node 2 picks (1,2): all merge in one phase.
        let g = Graph::from_edges(3, [(0, 1), (1, 2)]);
        let r = boruvka(&g, &[1, 2]);
        assert_eq!(r.phases, 1);
        // naive: 2m = 4; convergecast 0, decision 0 (f = n); connect 3; new id n - f' = 2.
        assert_eq!(r.naive_msgs, 4 + 3 + 2);
        // GHS: each of the 3 nodes test+accept (6); no rejects; the rest as above.
        assert_eq!(r.ghs_msgs, 6 + 3 + 2);
        assert_eq!(r.forest.weight, 3);
    }
}

//! Weighted shortest paths from one source (Dijkstra over the CSR with a radix heap, or a
//! binary heap when a weight is zero).

use super::Graph;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Distance of a node no path reaches.
pub const UNREACHED: u64 = u64::MAX;

/// Shortest-path distances and the shortest-path tree from one source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShortestPaths {
    /// `dist[v]`: weighted distance from the source, [`UNREACHED`] if none.
    pub dist: Vec<u64>,
    /// `parent_edge[v]`: the edge by which `v` is reached in the tree; `u32::MAX` for the
    /// source and unreached nodes. Among equal-length paths the first one relaxed wins, and the
    /// heap pops by (distance, node id), so the tree is deterministic.
    pub parent_edge: Vec<u32>,
}

impl ShortestPaths {
    /// Weight of the shortest-path tree: the sum of its edges' weights.
    pub fn tree_weight(&self, w: &[u32]) -> u64 {
        self.parent_edge
            .iter()
            .filter(|&&e| e != u32::MAX)
            .map(|&e| u64::from(w[e as usize]))
            .sum()
    }
}

/// Dijkstra from `source` with edge weights `w` (one per edge of `g`). Nodes settle in
/// increasing (distance, node id) order. With positive weights the queue is a radix heap on
/// the packed key `distance << 20 | node` (keys popped never decrease, so it pops exactly the
/// order a binary heap would, in amortised constant time); with a zero weight, whose relaxations
/// can push a key below the last one popped, a binary heap.
pub fn dijkstra(g: &Graph, w: &[u32], source: u32) -> ShortestPaths {
    let positive = w.iter().all(|&x| x > 0) && g.node_count() <= super::mst::MAX_NODES;
    if positive {
        run(g, w, source, &mut RadixHeap::default())
    } else {
        run(
            g,
            w,
            source,
            &mut BinaryHeap::with_capacity(g.node_count() as usize),
        )
    }
}

/// An exact priority queue of (distance, node), smallest first.
trait Queue {
    fn push(&mut self, d: u64, v: u32);
    fn pop(&mut self) -> Option<(u64, u32)>;
}

impl Queue for BinaryHeap<Reverse<(u64, u32)>> {
    fn push(&mut self, d: u64, v: u32) {
        BinaryHeap::push(self, Reverse((d, v)));
    }
    fn pop(&mut self) -> Option<(u64, u32)> {
        BinaryHeap::pop(self).map(|Reverse(x)| x)
    }
}

impl Queue for RadixHeap {
    fn push(&mut self, d: u64, v: u32) {
        self.push_key(d << NODE_BITS | u64::from(v));
    }
    fn pop(&mut self) -> Option<(u64, u32)> {
        self.pop_key()
            .map(|k| (k >> NODE_BITS, (k & NODE_MASK) as u32))
    }
}

const NODE_BITS: u32 = 20;
const NODE_MASK: u64 = (1 << NODE_BITS) - 1;

/// Dijkstra's loop over an exact priority queue of (distance, node).
fn run(g: &Graph, w: &[u32], source: u32, q: &mut impl Queue) -> ShortestPaths {
    let n = g.node_count() as usize;
    let mut dist = vec![UNREACHED; n];
    let mut parent_edge = vec![u32::MAX; n];
    dist[source as usize] = 0;
    q.push(0, source);
    while let Some((d, v)) = q.pop() {
        if d > dist[v as usize] {
            continue;
        }
        for (&u, &e) in g.neighbours(v).iter().zip(g.incident_edges(v)) {
            let nd = d + u64::from(w[e as usize]);
            if nd < dist[u as usize] {
                dist[u as usize] = nd;
                parent_edge[u as usize] = e;
                q.push(nd, u);
            }
        }
    }
    ShortestPaths { dist, parent_edge }
}

/// A monotone priority queue of `u64` keys: every key pushed is at least the last one popped.
/// Bucket `i > 0` holds keys whose highest bit differing from the last popped key is bit
/// `i - 1`; bucket 0 keys equal to it.
struct RadixHeap {
    last: u64,
    len: usize,
    buckets: Vec<Vec<u64>>,
}

impl Default for RadixHeap {
    fn default() -> Self {
        RadixHeap {
            last: 0,
            len: 0,
            buckets: vec![Vec::new(); 65],
        }
    }
}

impl RadixHeap {
    fn bucket(x: u64) -> usize {
        64 - x.leading_zeros() as usize
    }

    fn push_key(&mut self, k: u64) {
        debug_assert!(k >= self.last, "a radix heap is monotone");
        self.buckets[Self::bucket(k ^ self.last)].push(k);
        self.len += 1;
    }

    fn pop_key(&mut self) -> Option<u64> {
        if self.len == 0 {
            return None;
        }
        if self.buckets[0].is_empty() {
            let i = (1..65)
                .find(|&i| !self.buckets[i].is_empty())
                .expect("len > 0");
            let mut items = std::mem::take(&mut self.buckets[i]);
            self.last = *items.iter().min().expect("non-empty");
            for k in items.drain(..) {
                self.buckets[Self::bucket(k ^ self.last)].push(k);
            }
            self.buckets[i] = items;
        }
        self.len -= 1;
        self.buckets[0].pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The radix heap settles nodes in exactly the binary heap's order: same distances, same
    /// tree, on random graphs with small and large weights (and zero weights, which take the
    /// binary heap).
    #[test]
    fn the_radix_heap_gives_the_binary_heaps_tree() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        for trial in 0..300 {
            let n: u32 = rng.random_range(2..300);
            let m = rng.random_range(0..4 * n as usize);
            let g = Graph::from_edges(
                n,
                (0..m).map(|_| (rng.random_range(0..n), rng.random_range(0..n))),
            );
            let hi = [3u32, 100, 1 << 24][trial % 3];
            let lo = if trial % 7 == 0 { 0 } else { 1 };
            let w: Vec<u32> = (0..g.edge_count())
                .map(|_| rng.random_range(lo..hi))
                .collect();
            let s = rng.random_range(0..n);
            let reference = run(&g, &w, s, &mut BinaryHeap::new());
            assert_eq!(dijkstra(&g, &w, s), reference, "trial {trial}");
        }
    }

    #[test]
    fn spokes_beat_the_chain() {
        // A toy: chain 1..=4 of weight 1, spokes from 0 of weight 2.
        let g = Graph::from_edges(5, [(1, 2), (2, 3), (3, 4), (0, 1), (0, 2), (0, 3), (0, 4)]);
        let w = [1, 1, 1, 2, 2, 2, 2];
        let sp = dijkstra(&g, &w, 0);
        assert_eq!(sp.dist, vec![0, 2, 2, 2, 2]);
        assert_eq!(sp.tree_weight(&w), 8);
    }
}

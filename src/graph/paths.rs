//! Weighted shortest paths from one source (Dijkstra over the CSR with a binary heap).

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

/// Dijkstra from `source` with edge weights `w` (one per edge of `g`).
pub fn dijkstra(g: &Graph, w: &[u32], source: u32) -> ShortestPaths {
    let n = g.node_count() as usize;
    let mut dist = vec![UNREACHED; n];
    let mut parent_edge = vec![u32::MAX; n];
    let mut heap = BinaryHeap::with_capacity(n);
    dist[source as usize] = 0;
    heap.push(Reverse((0u64, source)));
    while let Some(Reverse((d, v))) = heap.pop() {
        if d > dist[v as usize] {
            continue;
        }
        for (&u, &e) in g.neighbours(v).iter().zip(g.incident_edges(v)) {
            let nd = d + u64::from(w[e as usize]);
            if nd < dist[u as usize] {
                dist[u as usize] = nd;
                parent_edge[u as usize] = e;
                heap.push(Reverse((nd, u)));
            }
        }
    }
    ShortestPaths { dist, parent_edge }
}

#[cfg(test)]
mod tests {
    use super::*;

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

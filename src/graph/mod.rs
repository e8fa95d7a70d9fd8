//! Undirected graphs in compressed sparse row (CSR) form, their generators, and the tree and
//! path algorithms the propagation models need.
//!
//! A graph is a list of undirected edges `(u, v)` with `u < v`, in creation order, plus a CSR
//! adjacency whose entries point back at edge indices (so per-edge weights live in one flat
//! array). Node neighbour order is the order in which each incident edge was first created,
//! which is PeerSim's insertion order. This module does no I/O and draws randomness only from
//! the generator it is handed.
//!
//! Architecture invariant: `graph` knows no protocol and no blockchain: graphs, weights and
//! trees only; no I/O, no clock, randomness only from the generator it is handed.

pub mod generators;
pub mod maintenance;
pub mod mst;
pub mod paths;

pub use generators::{Topology, generate};

/// An undirected simple graph in CSR form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Graph {
    n: u32,
    /// Undirected edges, `u < v`, in creation order.
    edges: Vec<(u32, u32)>,
    /// `offsets[v]..offsets[v + 1]` indexes `nbrs` and `edge_of` for node `v`.
    offsets: Vec<u32>,
    nbrs: Vec<u32>,
    /// The edge index of each adjacency entry.
    edge_of: Vec<u32>,
}

impl Graph {
    /// Builds a graph from undirected edges given in creation order. Self-loops are dropped and
    /// repeated pairs (in either orientation) collapse onto their first occurrence, as PeerSim's
    /// `IdleProtocol.addNeighbor` does.
    pub fn from_edges(n: u32, raw: impl IntoIterator<Item = (u32, u32)>) -> Graph {
        let raw: Vec<(u32, u32)> = raw
            .into_iter()
            .filter(|&(a, b)| a != b)
            .map(|(a, b)| {
                assert!(
                    a < n && b < n,
                    "edge ({a}, {b}) names a node outside 0..{n}"
                );
                (a.min(b), a.max(b))
            })
            .collect();
        // Keep the first occurrence of each pair without a comparison sort: bucket the edges
        // by their smaller end (a stable counting pass, so each bucket is in creation order),
        // then within a bucket keep an edge unless its other end was seen there already.
        let nn = n as usize;
        let mut start = vec![0u32; nn + 1];
        for &(u, _) in &raw {
            start[u as usize + 1] += 1;
        }
        for i in 0..nn {
            start[i + 1] += start[i];
        }
        let mut order = vec![0u32; raw.len()];
        let mut fill = start.clone();
        for (i, &(u, _)) in raw.iter().enumerate() {
            order[fill[u as usize] as usize] = i as u32;
            fill[u as usize] += 1;
        }
        let mut seen = vec![u32::MAX; nn];
        let mut keep = vec![false; raw.len()];
        for u in 0..nn {
            for &i in &order[start[u] as usize..start[u + 1] as usize] {
                let v = raw[i as usize].1 as usize;
                if seen[v] != u as u32 {
                    seen[v] = u as u32;
                    keep[i as usize] = true;
                }
            }
        }
        // Exactly as long as it must be, and the buffers freed before the CSR is built (a
        // 10^6-node graph's peak memory).
        let mut edges: Vec<(u32, u32)> = Vec::with_capacity(keep.iter().filter(|&&k| k).count());
        edges.extend(raw.iter().zip(&keep).filter(|(_, k)| **k).map(|(&e, _)| e));
        drop((raw, order, keep, seen, start, fill));
        Graph::from_simple_edges(n, edges)
    }

    /// Builds the CSR for edges that are already simple (no loops, no repeats, `u < v`).
    pub fn from_simple_edges(n: u32, edges: Vec<(u32, u32)>) -> Graph {
        let mut offsets = vec![0u32; n as usize + 1];
        for &(u, v) in &edges {
            offsets[u as usize + 1] += 1;
            offsets[v as usize + 1] += 1;
        }
        for i in 0..n as usize {
            offsets[i + 1] += offsets[i];
        }
        let total = offsets[n as usize] as usize;
        let mut fill = offsets.clone();
        let mut nbrs = vec![0u32; total];
        let mut edge_of = vec![0u32; total];
        for (e, &(u, v)) in edges.iter().enumerate() {
            let iu = fill[u as usize] as usize;
            nbrs[iu] = v;
            edge_of[iu] = e as u32;
            fill[u as usize] += 1;
            let iv = fill[v as usize] as usize;
            nbrs[iv] = u;
            edge_of[iv] = e as u32;
            fill[v as usize] += 1;
        }
        Graph {
            n,
            edges,
            offsets,
            nbrs,
            edge_of,
        }
    }

    /// Number of nodes.
    pub fn node_count(&self) -> u32 {
        self.n
    }

    /// Number of undirected edges.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Undirected edges `(u, v)`, `u < v`, in creation order.
    pub fn edges(&self) -> &[(u32, u32)] {
        &self.edges
    }

    /// The degree of `v`.
    #[inline]
    pub fn degree(&self, v: u32) -> u32 {
        self.offsets[v as usize + 1] - self.offsets[v as usize]
    }

    /// The neighbours of `v`, in insertion order.
    #[inline]
    pub fn neighbours(&self, v: u32) -> &[u32] {
        let (a, b) = (
            self.offsets[v as usize] as usize,
            self.offsets[v as usize + 1] as usize,
        );
        &self.nbrs[a..b]
    }

    /// The edge indices of `v`'s adjacency entries, parallel to [`Graph::neighbours`].
    #[inline]
    pub fn incident_edges(&self, v: u32) -> &[u32] {
        let (a, b) = (
            self.offsets[v as usize] as usize,
            self.offsets[v as usize + 1] as usize,
        );
        &self.edge_of[a..b]
    }

    /// Degree statistics and connectivity, as reported in every run's row.
    pub fn stats(&self) -> GraphStats {
        let n = self.n;
        let (mut min, mut max) = (u32::MAX, 0u32);
        for v in 0..n {
            let d = self.degree(v);
            min = min.min(d);
            max = max.max(d);
        }
        if n == 0 {
            min = 0;
        }
        GraphStats {
            edges: self.edges.len() as u64,
            mean_degree: if n == 0 {
                0.0
            } else {
                2.0 * self.edges.len() as f64 / f64::from(n)
            },
            min_degree: min,
            max_degree: max,
            connected: self.component_count() <= 1,
        }
    }

    /// The number of connected components (an isolated node is one component).
    pub fn component_count(&self) -> u32 {
        let mut dsu = mst::Dsu::new(self.n);
        let mut comps = self.n;
        for &(u, v) in &self.edges {
            if dsu.union(u, v) {
                comps -= 1;
            }
        }
        comps
    }
}

/// Degree statistics of a realised graph.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GraphStats {
    /// Undirected edges after duplicates were merged.
    pub edges: u64,
    /// Mean degree, 2m/n.
    pub mean_degree: f64,
    /// Smallest degree.
    pub min_degree: u32,
    /// Largest degree.
    pub max_degree: u32,
    /// Whether every node can reach every other.
    pub connected: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_loops_collapse_onto_first_creation() {
        let g = Graph::from_edges(4, [(0, 1), (1, 0), (2, 2), (3, 1), (1, 3), (0, 2)]);
        assert_eq!(g.edges(), &[(0, 1), (1, 3), (0, 2)]);
        assert_eq!(g.neighbours(1), &[0, 3]);
        assert_eq!(g.neighbours(0), &[1, 2]);
        assert_eq!(g.incident_edges(0), &[0, 2]);
        let s = g.stats();
        assert_eq!(
            (s.edges, s.min_degree, s.max_degree, s.connected),
            (3, 1, 2, true)
        );
    }

    /// The linear-time merge keeps exactly what sorting by pair then by creation keeps.
    #[test]
    fn merging_duplicates_matches_a_sort_based_reference() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        for trial in 0..200 {
            let n: u32 = rng.random_range(1..40);
            let m = rng.random_range(0..200);
            let raw: Vec<(u32, u32)> = (0..m)
                .map(|_| (rng.random_range(0..n), rng.random_range(0..n)))
                .collect();
            let mut keyed: Vec<((u32, u32), usize)> = raw
                .iter()
                .enumerate()
                .filter(|(_, (a, b))| a != b)
                .map(|(i, &(a, b))| ((a.min(b), a.max(b)), i))
                .collect();
            keyed.sort_unstable();
            keyed.dedup_by_key(|e| e.0);
            keyed.sort_unstable_by_key(|e| e.1);
            let reference: Vec<(u32, u32)> = keyed.into_iter().map(|e| e.0).collect();
            assert_eq!(
                Graph::from_edges(n, raw).edges(),
                &reference[..],
                "trial {trial}"
            );
        }
    }

    #[test]
    fn components_are_counted() {
        let g = Graph::from_edges(5, [(0, 1), (2, 3)]);
        assert_eq!(g.component_count(), 3);
        assert!(!g.stats().connected);
    }
}

//! Incremental maintenance of the minimum spanning forest under churn (OPPI, Section 3.3;
//! the churn family's notes, `src/model/churn/README.md`).
//!
//! [`MaintainedMst`] keeps a dynamic graph (nodes join and leave, edges appear and disappear)
//! and its unique minimum spanning forest under the total order [`edge_key`] (weight, min id,
//! max id), so it can be compared edge for edge with [`super::mst::kruskal`] from scratch:
//!
//! - **insert edge** (cycle property): endpoints in different trees, add it; otherwise walk
//!   the tree path between them (through their lowest common ancestor) and swap out the path's
//!   maximum edge if the new edge is lighter;
//! - **delete a non-tree edge**: nothing changes;
//! - **delete a tree edge** (cut property): label the two halves, the smaller half's nodes ask
//!   their neighbours' labels, convergecast the lightest crossing edge, reconnect with it (none: the
//!   forest gains a tree). The halves are already minimum: nothing is rebuilt. The labelling
//!   echo counts each half, so only the smaller half asks for labels;
//! - **delete a node**: a leaf of the forest needs nothing; a node of tree degree d leaves d
//!   components, which are labelled and reconnected by Kruskal on the contracted graph of their
//!   lightest connecting edges (at most d - 1 edges);
//! - **insert a node** with its edges: one edge insertion per edge, in ascending key order.
//!
//! Every operation reports [`OpCost`]: the messages and synchronous rounds a distributed
//! implementation spends (path walk, labelling broadcast, label exchange, convergecast,
//! connect), beside `rebuild_msgs`, what the paper's "re-run generation on the components"
//! would spend after a deletion (a GHS-style Borůvka build of each component, per
//! [`super::mst::boruvka`]). Batches of deletions ([`MaintainedMst::delete_edges`]) are
//! applied one repair at a time: the paper's "one thread per deleted edge" can pick two
//! replacement edges that close a cycle, or a replacement that is itself being deleted.
//!
//! Plain vectors and linear scans: node degrees are small, and a repair is linear in the size
//! of the component it touches, which is what the message counts measure anyway.

use super::Graph;
use super::mst::{Dsu, boruvka, edge_key};
use std::collections::VecDeque;

const NONE: u32 = u32::MAX;

/// What one maintenance operation costs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpCost {
    /// Messages a distributed implementation sends.
    pub msgs: u64,
    /// Synchronous rounds it takes.
    pub rounds: u64,
    /// Messages of re-running the MST construction (GHS-style Borůvka) on every component the
    /// operation leaves, as the paper does after a deletion (0 for insertions and for
    /// deletions that need no repair).
    pub rebuild_msgs: u64,
    /// Tree edges that changed (added plus removed).
    pub tree_changes: u32,
}

impl std::ops::AddAssign for OpCost {
    fn add_assign(&mut self, o: OpCost) {
        self.msgs += o.msgs;
        self.rounds += o.rounds;
        self.rebuild_msgs += o.rebuild_msgs;
        self.tree_changes += o.tree_changes;
    }
}

/// A dynamic weighted graph with its minimum spanning forest.
#[derive(Clone, Debug, Default)]
pub struct MaintainedMst {
    alive: Vec<bool>,
    /// Neighbours with the link weight.
    adj: Vec<Vec<(u32, u32)>>,
    /// Forest neighbours.
    tree: Vec<Vec<u32>>,
    edges: usize,
    tree_edges: usize,
    // Scratch for searches.
    label: Vec<u32>,
    parent: Vec<u32>,
    depth: Vec<u32>,
    queue: VecDeque<u32>,
}

impl MaintainedMst {
    /// The graph `g` with weights `w` (one per edge) and its forest, built by Kruskal.
    pub fn new(g: &Graph, w: &[u32]) -> MaintainedMst {
        let n = g.node_count() as usize;
        let mut m = MaintainedMst {
            alive: vec![true; n],
            adj: vec![Vec::new(); n],
            tree: vec![Vec::new(); n],
            label: vec![NONE; n],
            parent: vec![NONE; n],
            depth: vec![0; n],
            ..Default::default()
        };
        for (&(u, v), &wt) in g.edges().iter().zip(w) {
            m.adj[u as usize].push((v, wt));
            m.adj[v as usize].push((u, wt));
        }
        m.edges = g.edge_count();
        let forest = super::mst::kruskal(g, w);
        for &e in &forest.edges {
            let (u, v) = g.edges()[e as usize];
            m.link(u, v);
        }
        m
    }

    /// Node slots (alive or not).
    pub fn capacity(&self) -> u32 {
        self.alive.len() as u32
    }

    /// Whether node `v` is in the graph.
    pub fn is_alive(&self, v: u32) -> bool {
        self.alive[v as usize]
    }

    /// Nodes in the graph.
    pub fn node_count(&self) -> u32 {
        self.alive.iter().filter(|&&a| a).count() as u32
    }

    /// Edges in the graph.
    pub fn edge_count(&self) -> usize {
        self.edges
    }

    /// Edges in the forest.
    pub fn tree_edge_count(&self) -> usize {
        self.tree_edges
    }

    /// The weight of edge `u`-`v`, if it exists.
    pub fn weight(&self, u: u32, v: u32) -> Option<u32> {
        self.adj[u as usize]
            .iter()
            .find(|&&(x, _)| x == v)
            .map(|&(_, w)| w)
    }

    /// Neighbours of `v` with link weights.
    pub fn neighbours(&self, v: u32) -> &[(u32, u32)] {
        &self.adj[v as usize]
    }

    /// Forest neighbours of `v`.
    pub fn tree_neighbours(&self, v: u32) -> &[u32] {
        &self.tree[v as usize]
    }

    /// The forest's edges as keys, ascending.
    pub fn tree_keys(&self) -> Vec<u64> {
        let mut keys = Vec::with_capacity(self.tree_edges);
        for u in 0..self.capacity() {
            for &v in &self.tree[u as usize] {
                if u < v {
                    keys.push(self.key(u, v));
                }
            }
        }
        keys.sort_unstable();
        keys
    }

    /// The current graph as a [`Graph`] over all slots (dead nodes isolated) with its weights.
    pub fn graph(&self) -> (Graph, Vec<u32>) {
        let mut edges = Vec::with_capacity(self.edges);
        for u in 0..self.capacity() {
            for &(v, w) in &self.adj[u as usize] {
                if u < v {
                    edges.push((u, v, w));
                }
            }
        }
        edges.sort_unstable();
        let w = edges.iter().map(|e| e.2).collect();
        (
            Graph::from_simple_edges(self.capacity(), edges.iter().map(|e| (e.0, e.1)).collect()),
            w,
        )
    }

    fn key(&self, u: u32, v: u32) -> u64 {
        let w = self.weight(u, v).expect("edge exists");
        edge_key(w, u.min(v), u.max(v))
    }

    fn link(&mut self, u: u32, v: u32) {
        self.tree[u as usize].push(v);
        self.tree[v as usize].push(u);
        self.tree_edges += 1;
    }

    fn cut(&mut self, u: u32, v: u32) {
        let a = &mut self.tree[u as usize];
        a.swap_remove(a.iter().position(|&x| x == v).expect("tree edge"));
        let b = &mut self.tree[v as usize];
        b.swap_remove(b.iter().position(|&x| x == u).expect("tree edge"));
        self.tree_edges -= 1;
    }

    fn is_tree_edge(&self, u: u32, v: u32) -> bool {
        self.tree[u as usize].contains(&v)
    }

    /// Breadth-first search over forest edges from `root` (not crossing `skip`), marking
    /// `label = tag` and recording parents and depths; returns (nodes, largest depth). It
    /// stops as soon as it labels `stop` (`NONE`: never), when only the tree path from `stop`
    /// back to `root` is wanted: the nodes and depth are then those labelled so far.
    fn label_tree(&mut self, root: u32, tag: u32, skip: u32, stop: u32) -> (Vec<u32>, u32) {
        let mut nodes = vec![root];
        self.label[root as usize] = tag;
        self.parent[root as usize] = NONE;
        self.depth[root as usize] = 0;
        self.queue.clear();
        self.queue.push_back(root);
        let mut deepest = 0;
        while let Some(x) = self.queue.pop_front() {
            for i in 0..self.tree[x as usize].len() {
                let y = self.tree[x as usize][i];
                if y == skip || self.label[y as usize] == tag {
                    continue;
                }
                self.label[y as usize] = tag;
                self.parent[y as usize] = x;
                self.depth[y as usize] = self.depth[x as usize] + 1;
                deepest = deepest.max(self.depth[y as usize]);
                nodes.push(y);
                if y == stop {
                    return (nodes, deepest);
                }
                self.queue.push_back(y);
            }
        }
        (nodes, deepest)
    }

    fn clear_labels(&mut self, nodes: &[u32]) {
        for &x in nodes {
            self.label[x as usize] = NONE;
        }
    }

    /// GHS-style Borůvka messages of building the MST of the subgraph induced by `nodes`.
    fn rebuild_cost(&self, nodes: &[u32]) -> u64 {
        if nodes.len() < 2 {
            return 0;
        }
        // Each node's position in `nodes` (NONE: not in it), a flat array over node ids.
        let mut index = vec![NONE; self.adj.len()];
        for (i, &x) in nodes.iter().enumerate() {
            index[x as usize] = i as u32;
        }
        let mut edges = Vec::new();
        for &x in nodes {
            let i = index[x as usize];
            for &(y, w) in &self.adj[x as usize] {
                let j = index[y as usize];
                if x < y && j != NONE {
                    edges.push((i.min(j), i.max(j), w));
                }
            }
        }
        // No sort: the count depends on the edges' keys (weight, then the ends), never on the
        // order the edges are numbered in.
        let w: Vec<u32> = edges.iter().map(|e| e.2).collect();
        let g = Graph::from_simple_edges(
            nodes.len() as u32,
            edges.iter().map(|e| (e.0, e.1)).collect(),
        );
        boruvka(&g, &w).ghs_msgs
    }

    /// Adds edge `u`-`v` of weight `w` (both nodes alive, the edge absent).
    pub fn insert_edge(&mut self, u: u32, v: u32, w: u32) -> OpCost {
        assert!(u != v && self.alive[u as usize] && self.alive[v as usize]);
        assert!(self.weight(u, v).is_none(), "edge {u}-{v} exists");
        self.adj[u as usize].push((v, w));
        self.adj[v as usize].push((u, w));
        self.edges += 1;
        // The tree path from v back to u, if any (the search stops when it reaches v).
        let (nodes, _) = self.label_tree(u, 0, NONE, v);
        let connected = self.label[v as usize] == 0;
        let mut cost = OpCost::default();
        if !connected {
            self.clear_labels(&nodes);
            self.link(u, v);
            cost.msgs = 1;
            cost.rounds = 1;
            cost.tree_changes = 1;
            return cost;
        }
        let mut heaviest = (0u64, NONE, NONE);
        let mut x = v;
        let mut hops = 0u64;
        while x != u {
            let p = self.parent[x as usize];
            let k = self.key(x, p);
            if k > heaviest.0 {
                heaviest = (k, x, p);
            }
            x = p;
            hops += 1;
        }
        self.clear_labels(&nodes);
        // The probe walks the path carrying the heaviest edge; the answer walks back.
        cost.msgs = 2 * hops;
        cost.rounds = 2 * hops;
        if edge_key(w, u.min(v), u.max(v)) < heaviest.0 {
            self.cut(heaviest.1, heaviest.2);
            self.link(u, v);
            cost.msgs += 1;
            cost.tree_changes = 2;
        }
        cost
    }

    /// Removes edge `u`-`v` (it must exist) and repairs the forest.
    pub fn delete_edge(&mut self, u: u32, v: u32) -> OpCost {
        let a = &mut self.adj[u as usize];
        a.swap_remove(a.iter().position(|&(x, _)| x == v).expect("edge exists"));
        let b = &mut self.adj[v as usize];
        b.swap_remove(b.iter().position(|&(x, _)| x == u).expect("edge exists"));
        self.edges -= 1;
        if !self.is_tree_edge(u, v) {
            // Both ends drop the link; the forest is still minimal in G - e.
            return OpCost::default();
        }
        self.cut(u, v);
        let (side_u, du) = self.label_tree(u, 1, NONE, NONE);
        let (side_v, dv) = self.label_tree(v, 2, NONE, NONE);
        let (small, tag_small) = if side_u.len() <= side_v.len() {
            (&side_u, 1)
        } else {
            (&side_v, 2)
        };
        // The lightest edge from the smaller half into the other.
        let other = 3 - tag_small;
        let mut best: Option<(u64, u32, u32)> = None;
        for &x in small {
            for &(y, w) in &self.adj[x as usize] {
                if self.label[y as usize] == other {
                    let k = edge_key(w, x.min(y), x.max(y));
                    if best.is_none_or(|b| k < b.0) {
                        best = Some((k, x, y));
                    }
                }
            }
        }
        let exchange: u64 = small
            .iter()
            .map(|&x| self.adj[x as usize].len() as u64)
            .sum();
        let mut cost = OpCost {
            // Labelling both halves with an echo that counts them (so each knows which is
            // smaller), the smaller half's nodes asking their neighbours' labels (every
            // crossing edge has an end there), the convergecast of the lightest crossing edge
            // over the smaller half, the connect.
            msgs: 2 * (side_u.len() as u64 - 1)
                + 2 * (side_v.len() as u64 - 1)
                + exchange
                + (small.len() as u64 - 1),
            rounds: 2 * u64::from(du.max(dv)) + 1 + u64::from(if tag_small == 1 { du } else { dv }),
            rebuild_msgs: self.rebuild_cost(&side_u) + self.rebuild_cost(&side_v),
            tree_changes: 1,
        };
        self.clear_labels(&side_u);
        self.clear_labels(&side_v);
        if let Some((_, x, y)) = best {
            self.link(x, y);
            cost.msgs += 1;
            cost.rounds += 1;
            cost.tree_changes += 1;
        }
        cost
    }

    /// Removes the edges of `batch` one repair at a time (see the module documentation).
    pub fn delete_edges(&mut self, batch: &[(u32, u32)]) -> OpCost {
        let mut cost = OpCost::default();
        for &(u, v) in batch {
            cost += self.delete_edge(u, v);
        }
        cost
    }

    /// Removes node `v` with its edges and repairs the forest.
    pub fn delete_node(&mut self, v: u32) -> OpCost {
        assert!(self.alive[v as usize], "node {v} is not in the graph");
        let nbrs: Vec<(u32, u32)> = self.adj[v as usize].clone();
        let tree_nbrs: Vec<u32> = self.tree[v as usize].clone();
        // Every neighbour learns that v left.
        let mut cost = OpCost {
            msgs: nbrs.len() as u64,
            rounds: 1,
            ..Default::default()
        };
        for &(x, _) in &nbrs {
            let a = &mut self.adj[x as usize];
            a.swap_remove(a.iter().position(|&(y, _)| y == v).expect("symmetric"));
        }
        self.edges -= nbrs.len();
        self.adj[v as usize].clear();
        for &x in &tree_nbrs {
            self.cut(v, x);
        }
        self.alive[v as usize] = false;
        cost.tree_changes = tree_nbrs.len() as u32;
        if tree_nbrs.len() <= 1 {
            // A leaf: no tree path between two other nodes went through it.
            return cost;
        }
        // Label the components of T - v, one per former tree neighbour.
        let mut comps: Vec<Vec<u32>> = Vec::with_capacity(tree_nbrs.len());
        let mut deepest = 0;
        for (i, &x) in tree_nbrs.iter().enumerate() {
            let (nodes, d) = self.label_tree(x, i as u32, v, NONE);
            deepest = deepest.max(d);
            comps.push(nodes);
        }
        // The lightest edge between each pair of components, then Kruskal on them.
        let mut cands: Vec<(u64, u32, u32)> = Vec::new();
        // Every component but the largest asks its nodes' neighbours for their labels: each
        // edge between two components has an end outside the largest.
        let largest = (0..comps.len())
            .max_by_key(|&i| (comps[i].len(), std::cmp::Reverse(i)))
            .expect("two or more components");
        let mut exchange = 0u64;
        for (i, comp) in comps.iter().enumerate() {
            for &x in comp {
                if i != largest {
                    exchange += self.adj[x as usize].len() as u64;
                }
                for &(y, w) in &self.adj[x as usize] {
                    let (lx, ly) = (self.label[x as usize], self.label[y as usize]);
                    if ly != NONE && lx < ly {
                        cands.push((edge_key(w, x.min(y), x.max(y)), x, y));
                    }
                }
            }
        }
        cands.sort_unstable();
        let d = tree_nbrs.len() as u32;
        let mut dsu = Dsu::new(d);
        let mut added = 0u32;
        let mut links = Vec::new();
        for (_, x, y) in cands {
            let (lx, ly) = (self.label[x as usize], self.label[y as usize]);
            if dsu.union(lx, ly) {
                links.push((x, y));
                added += 1;
                if added + 1 == d {
                    break;
                }
            }
        }
        let sizes: u64 = comps.iter().map(|c| c.len() as u64).sum();
        cost.msgs += 2 * (sizes - u64::from(d)) // labelling with a counting echo
            + exchange                           // label requests
            + (sizes - u64::from(d))             // convergecast to each component's root
            + u64::from(d) * u64::from(d - 1)    // the roots share their candidates
            + u64::from(added); // connects
        cost.rounds += 2 * u64::from(deepest) + 3;
        cost.rebuild_msgs = comps.iter().map(|c| self.rebuild_cost(c)).sum();
        for comp in &comps {
            self.clear_labels(comp);
        }
        for (x, y) in links {
            self.link(x, y);
        }
        cost.tree_changes += added;
        cost
    }

    /// Adds node `v` (a free slot, or a new one when `v == capacity()`) with `edges`
    /// (neighbour, weight), inserted in ascending key order.
    pub fn insert_node(&mut self, v: u32, edges: &[(u32, u32)]) -> OpCost {
        if v == self.capacity() {
            self.alive.push(false);
            self.adj.push(Vec::new());
            self.tree.push(Vec::new());
            self.label.push(NONE);
            self.parent.push(NONE);
            self.depth.push(0);
        }
        assert!(!self.alive[v as usize], "node {v} is in the graph");
        self.alive[v as usize] = true;
        let mut sorted: Vec<(u64, u32, u32)> = edges
            .iter()
            .map(|&(x, w)| (edge_key(w, v.min(x), v.max(x)), x, w))
            .collect();
        sorted.sort_unstable();
        let mut cost = OpCost::default();
        for (_, x, w) in sorted {
            cost += self.insert_edge(v, x, w);
        }
        cost
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::generators::{Topology, generate};
    use crate::graph::mst::kruskal;
    use crate::rng::stream;
    use proptest::prelude::*;

    fn kruskal_keys(m: &MaintainedMst) -> Vec<u64> {
        let (g, w) = m.graph();
        let f = kruskal(&g, &w);
        let mut keys: Vec<u64> = f
            .edges
            .iter()
            .map(|&e| {
                let (u, v) = g.edges()[e as usize];
                edge_key(w[e as usize], u, v)
            })
            .collect();
        keys.sort_unstable();
        keys
    }

    #[derive(Clone, Debug)]
    enum Op {
        InsertEdge(u32, u32, u32),
        DeleteEdge(u32),
        DeleteNode(u32),
        InsertNode(u32, Vec<(u32, u32)>),
        DeleteBatch(Vec<u32>),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0u32..40, 0u32..40, 1u32..8).prop_map(|(a, b, w)| Op::InsertEdge(a, b, w)),
            3 => (0u32..1000).prop_map(Op::DeleteEdge),
            1 => (0u32..40).prop_map(Op::DeleteNode),
            1 => (0u32..40, prop::collection::vec((0u32..40, 1u32..8), 0..6))
                .prop_map(|(v, e)| Op::InsertNode(v, e)),
            1 => prop::collection::vec(0u32..1000, 1..5).prop_map(Op::DeleteBatch),
        ]
    }

    /// The `i`-th existing edge (mod their number), if any.
    fn nth_edge(m: &MaintainedMst, i: u32) -> Option<(u32, u32)> {
        let (g, _) = m.graph();
        let e = g.edges();
        (!e.is_empty()).then(|| e[i as usize % e.len()])
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 300,
            failure_persistence: None,
            rng_seed: proptest::test_runner::RngSeed::Fixed(20261122),
            ..ProptestConfig::default()
        })]

        /// After every single operation of a long random sequence the forest equals Kruskal's
        /// from scratch. Weights 1..8 make ties the norm, so the total order matters.
        #[test]
        fn the_forest_equals_kruskal_after_every_operation(
            seed in any::<u64>(),
            ops in prop::collection::vec(op(), 1..80),
        ) {
            let mut rng = stream(seed, 1, crate::rng::purpose::TOPOLOGY);
            let g = generate(Topology::KOut { k: 3 }, 30, &mut rng);
            let w: Vec<u32> = (0..g.edge_count() as u64)
                .map(|i| (crate::rng::mix64(seed ^ i) % 7 + 1) as u32)
                .collect();
            let mut m = MaintainedMst::new(&g, &w);
            prop_assert_eq!(m.tree_keys(), kruskal_keys(&m));
            for op in ops {
                let cap = m.capacity();
                match op {
                    Op::InsertEdge(a, b, w) => {
                        let (a, b) = (a % cap, b % cap);
                        if a != b && m.is_alive(a) && m.is_alive(b) && m.weight(a, b).is_none() {
                            m.insert_edge(a, b, w);
                        }
                    }
                    Op::DeleteEdge(i) => {
                        if let Some((u, v)) = nth_edge(&m, i) {
                            m.delete_edge(u, v);
                        }
                    }
                    Op::DeleteNode(v) => {
                        if m.is_alive(v % cap) {
                            m.delete_node(v % cap);
                        }
                    }
                    Op::InsertNode(v, edges) => {
                        let v = if v % 2 == 0 { cap } else { v % cap };
                        if v == cap || !m.is_alive(v) {
                            let mut e: Vec<(u32, u32)> = edges
                                .into_iter()
                                .map(|(x, w)| (x % cap, w))
                                .filter(|&(x, _)| x != v && m.is_alive(x))
                                .collect();
                            e.sort_unstable_by_key(|&(x, _)| x);
                            e.dedup_by_key(|&mut (x, _)| x);
                            m.insert_node(v, &e);
                        }
                    }
                    Op::DeleteBatch(idx) => {
                        let mut batch: Vec<(u32, u32)> =
                            idx.iter().filter_map(|&i| nth_edge(&m, i)).collect();
                        batch.sort_unstable();
                        batch.dedup();
                        m.delete_edges(&batch);
                    }
                }
                prop_assert_eq!(m.tree_keys(), kruskal_keys(&m));
                prop_assert_eq!(m.tree_keys().len(), m.tree_edge_count());
            }
        }
    }

    #[test]
    fn a_tree_edge_deletion_costs_a_repair_not_a_rebuild() {
        let mut rng = stream(5, 1, crate::rng::purpose::TOPOLOGY);
        let g = generate(Topology::KOut { k: 4 }, 400, &mut rng);
        let w: Vec<u32> = (0..g.edge_count() as u64)
            .map(|i| (crate::rng::mix64(i) % 100 + 1) as u32)
            .collect();
        let mut m = MaintainedMst::new(&g, &w);
        let (mut repairs, mut rebuilds, mut n) = (0u64, 0u64, 0);
        for _ in 0..20 {
            // The lightest tree edge out of the lowest node with a tree neighbour.
            let u = (0..m.capacity())
                .find(|&u| !m.tree_neighbours(u).is_empty())
                .unwrap();
            let v = m.tree_neighbours(u)[0];
            let c = m.delete_edge(u, v);
            assert!(c.msgs > 0 && c.rebuild_msgs > 0);
            repairs += c.msgs;
            rebuilds += c.rebuild_msgs;
            n += 1;
            assert_eq!(m.tree_keys(), kruskal_keys(&m));
        }
        assert_eq!(n, 20);
        assert!(repairs < rebuilds, "{repairs} vs {rebuilds}");
    }

    #[test]
    fn deleting_a_leaf_costs_only_its_goodbyes() {
        let g = Graph::from_simple_edges(4, vec![(0, 1), (1, 2), (2, 3), (0, 3)]);
        let mut m = MaintainedMst::new(&g, &[1, 1, 1, 5]);
        // Tree: 0-1, 1-2, 2-3; node 3 is a leaf with a non-tree edge to 0.
        let c = m.delete_node(3);
        assert_eq!((c.msgs, c.rebuild_msgs, c.tree_changes), (2, 0, 1));
        assert_eq!(m.tree_keys(), kruskal_keys(&m));
        // Deleting 1 splits {0} from {2}; no edge joins them: a forest of two trees.
        let c = m.delete_node(1);
        assert_eq!(c.tree_changes, 2);
        assert_eq!(m.tree_edge_count(), 0);
        // A heavier edge inserted across is taken; a lighter one on its cycle then replaces it.
        m.insert_edge(0, 2, 9);
        assert_eq!(m.tree_edge_count(), 1);
        let c = m.insert_node(3, &[(0, 1), (2, 1)]);
        assert_eq!(m.tree_keys(), kruskal_keys(&m));
        assert_eq!(c.tree_changes, 1 + 2);
        assert!(!m.is_tree_edge(0, 2));
    }
}

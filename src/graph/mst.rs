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

/// The indices of `keys` in increasing key order, by an in-place most-significant-digit radix
/// sort on bytes (American flag sort: each byte's buckets are counted, then filled by cycling
/// elements into place; bytes the same in every key are skipped, small buckets finish by
/// insertion): linear in the number of keys, with no second buffer. Keys are distinct here,
/// so the order is the one a comparison sort gives, stable or not. Keys and indices move
/// together in two arrays, the keys' own buffer one of them: 12 bytes an edge, where an
/// out-of-place pass over (key, index) pairs took 32 and a borrowed copy of the keys 8 more
/// (the peak memory of a 10^6-node run).
pub fn order_by_key(keys: Vec<u64>) -> Vec<u32> {
    let mut keys = keys;
    let mut idx: Vec<u32> = (0..keys.len() as u32).collect();
    if keys.len() > 1 {
        let (or, and) = keys
            .iter()
            .fold((0u64, u64::MAX), |(o, a), &k| (o | k, a & k));
        let varying = or ^ and;
        if varying != 0 {
            let top = (63 - varying.leading_zeros()) / 8 * 8;
            flag_sort(&mut keys, &mut idx, top, varying);
        }
    }
    idx
}

/// Sorts `keys` (with `idx` alongside) on the bytes at `shift` and below that vary somewhere
/// (`varying`: the bits that differ between any two keys of the whole input).
fn flag_sort(keys: &mut [u64], idx: &mut [u32], shift: u32, varying: u64) {
    let len = keys.len();
    if len <= 32 {
        for i in 1..len {
            let (k, x) = (keys[i], idx[i]);
            let mut j = i;
            while j > 0 && keys[j - 1] > k {
                keys[j] = keys[j - 1];
                idx[j] = idx[j - 1];
                j -= 1;
            }
            keys[j] = k;
            idx[j] = x;
        }
        return;
    }
    if (varying >> shift) & 0xFF == 0 {
        if shift > 0 {
            flag_sort(keys, idx, shift - 8, varying);
        }
        return;
    }
    let digit = |k: u64| ((k >> shift) & 0xFF) as usize;
    let mut count = [0usize; 256];
    for &k in keys.iter() {
        count[digit(k)] += 1;
    }
    let mut head = [0usize; 256];
    let mut tail = [0usize; 256];
    let mut at = 0;
    for d in 0..256 {
        head[d] = at;
        at += count[d];
        tail[d] = at;
    }
    for d in 0..256 {
        while head[d] < tail[d] {
            let (mut k, mut x) = (keys[head[d]], idx[head[d]]);
            let mut b = digit(k);
            // Carry the element to its bucket, taking the one there, until one belongs in d.
            while b != d {
                let to = head[b];
                head[b] += 1;
                std::mem::swap(&mut k, &mut keys[to]);
                std::mem::swap(&mut x, &mut idx[to]);
                b = digit(k);
            }
            keys[head[d]] = k;
            idx[head[d]] = x;
            head[d] += 1;
        }
    }
    if shift > 0 {
        let mut from = 0;
        for &c in &count {
            if c > 1 {
                flag_sort(
                    &mut keys[from..from + c],
                    &mut idx[from..from + c],
                    shift - 8,
                    varying,
                );
            }
            from += c;
        }
    }
}

/// Kruskal's algorithm: the minimum spanning forest under [`edge_key`].
pub fn kruskal(g: &Graph, w: &[u32]) -> SpanningForest {
    assert_eq!(w.len(), g.edge_count(), "one weight per edge");
    let k = keys(g, w);
    let order = order_by_key(k);
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
    /// The part of `ghs_msgs` spent by the final phase, which finds no outgoing edge: the
    /// tests and rejects of every edge not tested before (each is internal by then), the
    /// reports to each fragment's root and its "done" broadcast, `2 (n - f)`.
    pub ghs_final_phase_msgs: u64,
}

/// Simulates a synchronous Borůvka construction and counts its messages. Per phase, with `f`
/// fragments before and `f'` after: convergecast of candidates `n - f`, leader decision
/// `n - f`, connect over each chosen edge (one per fragment that has one), new-id broadcast
/// `n - f'`. Step 1 (learning the neighbours' fragment ids) is `2m` per phase in the naive
/// accounting; in the GHS-style one it is a test + reject once per internal edge that is not a
/// tree edge (tree edges, GHS's branches, are never tested), plus a test + accept per node
/// that still has an outgoing edge: on a connected graph every non-tree edge is rejected
/// exactly once, `2 (m - n + 1)` messages in all. The final phase, which finds no
/// outgoing edge, is counted too (its step 1, a report from every member to its fragment's
/// root and the root's "done" broadcast): without it the build would not know it had ended,
/// and the edges never tested before would never be rejected. A message-level build in the
/// tests sends every one of these messages over the graph and gets the same counts.
pub fn boruvka(g: &Graph, w: &[u32]) -> BoruvkaReport {
    assert_eq!(w.len(), g.edge_count(), "one weight per edge");
    let n = g.node_count();
    let m = g.edge_count() as u64;
    // Each node's incident edges in increasing key order (the order a GHS node tests them in),
    // as positions in its own adjacency (`nbrs` and `edge_of` of the CSR), sorted node by node:
    // the phases then read a node's neighbours from its own few cache lines, not from the
    // edge list at random. Keys are distinct, so each list's order is the only one.
    let start = &g.offsets;
    let mut sorted: Vec<u32> = (0..start[n as usize]).collect();
    let mut local: Vec<(u64, u32)> = Vec::new();
    for v in 0..n {
        let range = start[v as usize] as usize..start[v as usize + 1] as usize;
        local.clear();
        local.extend(range.clone().map(|pos| {
            let (x, e) = (g.nbrs[pos], g.edge_of[pos]);
            (edge_key(w[e as usize], v.min(x), v.max(x)), pos as u32)
        }));
        local.sort_unstable();
        for (slot, &(_, pos)) in sorted[range].iter_mut().zip(&local) {
            *slot = pos;
        }
    }
    // An edge's key (to order the forest at the end), recomputed rather than kept: 8 bytes an
    // edge were the peak memory of a 10^6-node run. The phases compute it from the adjacency.
    let key = |e: u32| {
        let (a, b) = g.edges()[e as usize];
        edge_key(w[e as usize], a, b)
    };
    let mut ptr: Vec<u32> = start[..n as usize].to_vec();
    // Per edge: tested and rejected, or a tree edge (one byte, one lookup).
    const REJECTED: u8 = 1;
    const BRANCH: u8 = 2;
    let mut state = vec![0u8; g.edge_count()];

    let mut dsu = Dsu::new(n);
    let mut comp = vec![0u32; n as usize];
    let mut best: Vec<u64> = vec![u64::MAX; n as usize];
    let mut best_edge: Vec<u32> = vec![u32::MAX; n as usize];
    let mut chosen: Vec<u32> = Vec::new();
    let mut fragments = n;
    let (mut naive, mut ghs, mut phases) = (0u64, 0u64, 0u32);
    let final_phase;
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
                let pos = sorted[p as usize] as usize;
                if comp[g.nbrs[pos] as usize] != cv {
                    break;
                }
                let e = g.edge_of[pos];
                // A tree edge (GHS's "branch") is never tested; any other internal edge is
                // tested and rejected once.
                if state[e as usize] == 0 {
                    state[e as usize] = REJECTED;
                    step1_ghs += 2;
                }
                p += 1;
            }
            ptr[v as usize] = p;
            if p < end {
                step1_ghs += 2;
                let pos = sorted[p as usize] as usize;
                let (x, e) = (g.nbrs[pos], g.edge_of[pos]);
                let ke = edge_key(w[e as usize], v.min(x), v.max(x));
                if ke < best[cv as usize] {
                    best[cv as usize] = ke;
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
            // The build ends when every fragment's root learns that no member has an outgoing
            // edge: that takes this phase's tests and rejects and a report from every member,
            // and the members learn it from the root's broadcast.
            let done = 2 * u64::from(n - fragments);
            final_phase = step1_ghs + done;
            ghs += final_phase;
            naive += 2 * m + done;
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
            state[e as usize] = BRANCH;
            weight += u64::from(w[e as usize]);
            fragments -= 1;
        }
        phases += 1;
        let common = 2 * u64::from(n - before) + connect + u64::from(n - fragments);
        naive += 2 * m + common;
        ghs += step1_ghs + common;
    }
    // Keys are distinct, so this is the order any sort by key gives (the radix sort of the
    // forest's keys, gathered once, rather than two lookups per comparison).
    let by_key = order_by_key(forest.iter().map(|&e| key(e)).collect());
    let forest: Vec<u32> = by_key.iter().map(|&i| forest[i as usize]).collect();
    BoruvkaReport {
        forest: SpanningForest {
            edges: forest,
            weight,
        },
        phases,
        naive_msgs: naive,
        ghs_msgs: ghs,
        ghs_final_phase_msgs: final_phase,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_radix_order_is_the_sorted_order() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        for len in [0usize, 1, 2, 7, 33, 300, 5000, 200_000] {
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
            assert_eq!(order_by_key(keys.clone()), reference, "{len} keys");
        }
    }

    #[test]
    fn boruvka_counts_do_not_depend_on_how_the_edges_are_numbered() {
        // What the churn model's rebuild cost relies on to skip sorting a subgraph's edges.
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        for n in [2u32, 9, 60, 400] {
            let mut edges: Vec<(u32, u32, u32)> = Vec::new();
            for u in 0..n {
                for v in u + 1..n {
                    if rng.random_range(0..n) < 6 {
                        // Few distinct weights, so that ties fall to the endpoint ids.
                        edges.push((u, v, rng.random_range(1..5)));
                    }
                }
            }
            let report = |edges: &[(u32, u32, u32)]| {
                let g = Graph::from_simple_edges(n, edges.iter().map(|e| (e.0, e.1)).collect());
                let w: Vec<u32> = edges.iter().map(|e| e.2).collect();
                let r = boruvka(&g, &w);
                let tree: Vec<(u32, u32)> = r
                    .forest
                    .edges
                    .iter()
                    .map(|&e| g.edges()[e as usize])
                    .collect();
                (
                    r.phases,
                    r.naive_msgs,
                    r.ghs_msgs,
                    r.ghs_final_phase_msgs,
                    r.forest.weight,
                    tree,
                )
            };
            let before = report(&edges);
            for _ in 0..5 {
                for i in (1..edges.len()).rev() {
                    edges.swap(i, rng.random_range(0..=i));
                }
                assert_eq!(report(&edges), before, "n = {n}");
            }
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
        // naive: 2m = 4; convergecast 0, decision 0 (f = n); connect 3; new id n - f' = 2;
        // then the final phase: 2m = 4, reports 2 and "done" 2.
        assert_eq!(r.naive_msgs, 4 + 3 + 2 + 4 + 2 + 2);
        // GHS: each of the 3 nodes test+accept (6); no rejects; the rest as above; then the
        // final phase: both edges are tree edges, never tested; reports 2 and "done" 2.
        assert_eq!(r.ghs_final_phase_msgs, 2 + 2);
        assert_eq!(r.ghs_msgs, 6 + 3 + 2 + 4);
        assert_eq!(r.forest.weight, 3);
    }

    /// Messages of a synchronous GHS-style Borůvka build, counted by sending them: per phase,
    /// every node tests its edges over the graph in increasing key order, tree edges excepted
    /// (each test answered by an accept or a reject), reports along its fragment's tree to the fragment's root
    /// (the lowest id), the root's decision travels back down, the fragment connects over its
    /// minimum outgoing edge, and the merged fragment's new root floods its id over the new
    /// tree. Fragments are found by walking tree edges, not by a union-find. `final_*` is the
    /// phase that finds no outgoing edge: its tests, rejects and reports, and the root's
    /// "done" broadcast.
    #[derive(Debug, Default, PartialEq)]
    struct Sent {
        phases: u32,
        accept_tests: u64,
        reject_tests: u64,
        reports: u64,
        decisions: u64,
        connects: u64,
        new_ids: u64,
        final_phase: u64,
        final_rejects: u64,
        tree: Vec<u32>,
    }

    fn message_level(g: &Graph, w: &[u32]) -> Sent {
        let n = g.node_count() as usize;
        let key = |e: u32| {
            let (a, b) = g.edges()[e as usize];
            edge_key(w[e as usize], a, b)
        };
        // Each node's edges by key, tested from the front.
        let mut queue: Vec<Vec<u32>> = (0..n as u32)
            .map(|v| {
                let mut es = g.incident_edges(v).to_vec();
                es.sort_by_key(|&e| key(e));
                es.reverse();
                es
            })
            .collect();
        let mut rejected = vec![false; g.edge_count()];
        let mut tree_adj: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut sent = Sent::default();
        // Fragment of every node (its root) and, per fragment, its members with each one's
        // parent on the tree: by breadth-first walks over tree edges from the lowest id.
        let fragments = |tree_adj: &[Vec<u32>]| {
            let mut root = vec![u32::MAX; n];
            let mut parent = vec![u32::MAX; n];
            for r in 0..n as u32 {
                if root[r as usize] != u32::MAX {
                    continue;
                }
                root[r as usize] = r;
                let mut todo = vec![r];
                while let Some(x) = todo.pop() {
                    for &y in &tree_adj[x as usize] {
                        if root[y as usize] == u32::MAX {
                            root[y as usize] = r;
                            parent[y as usize] = x;
                            todo.push(y);
                        }
                    }
                }
            }
            (root, parent)
        };
        loop {
            let (root, parent) = fragments(&tree_adj);
            let mut phase = 0u64;
            // Tests: each one a message over the edge, and its answer one back.
            let mut candidate: Vec<Option<u32>> = vec![None; n];
            for v in 0..n {
                while let Some(&e) = queue[v].last() {
                    if rejected[e as usize] || sent.tree.contains(&e) {
                        queue[v].pop();
                        continue;
                    }
                    let (a, b) = g.edges()[e as usize];
                    let u = if a as usize == v { b } else { a };
                    if root[u as usize] == root[v] {
                        rejected[e as usize] = true;
                        sent.reject_tests += 2;
                        phase += 2;
                        queue[v].pop();
                    } else {
                        sent.accept_tests += 2;
                        candidate[v] = Some(e);
                        break;
                    }
                }
            }
            // Reports: each non-root member sends one to its parent.
            let reports = (0..n).filter(|&v| parent[v] != u32::MAX).count() as u64;
            let mut best: Vec<Option<u32>> = vec![None; n];
            for v in 0..n {
                if let Some(e) = candidate[v] {
                    let r = root[v] as usize;
                    if best[r].is_none_or(|b| key(e) < key(b)) {
                        best[r] = Some(e);
                    }
                }
            }
            if best.iter().all(Option::is_none) {
                // The final phase: its rejects, the reports and the "done" broadcast.
                sent.final_phase = phase + 2 * reports;
                sent.final_rejects = phase;
                sent.reject_tests -= phase;
                break;
            }
            sent.phases += 1;
            sent.reports += reports;
            sent.decisions += reports;
            let mut chosen = Vec::new();
            for &e in best.iter().flatten() {
                sent.connects += 1;
                chosen.push(e);
            }
            chosen.sort_unstable();
            chosen.dedup();
            for &e in &chosen {
                let (a, b) = g.edges()[e as usize];
                tree_adj[a as usize].push(b);
                tree_adj[b as usize].push(a);
                sent.tree.push(e);
            }
            // The new roots flood their ids over the merged trees: one per non-root member.
            let (_, parent) = fragments(&tree_adj);
            sent.new_ids += parent.iter().filter(|&&p| p != u32::MAX).count() as u64;
        }
        sent.tree.sort_unstable_by_key(|&e| key(e));
        sent
    }

    #[test]
    fn the_ghs_accounting_equals_a_message_level_build_on_every_topology() {
        use crate::graph::{Topology, generate};
        use crate::propagation::draw_weights;
        use crate::rng::stream;
        let mut worst_share = 0.0f64;
        for (t, topology) in [
            Topology::KOut { k: 8 },
            Topology::KOut { k: 2 },
            Topology::Ba { k: 3 },
            Topology::Ws { k: 8, beta: 0.8 },
            Topology::Er { k: 3 },
            Topology::RandomPeers { k: 4 },
        ]
        .into_iter()
        .enumerate()
        {
            for n in [10u32, 37, 100, 400, 1000] {
                if topology.check(n).is_err() {
                    continue;
                }
                let seed = 31 * t as u64 + u64::from(n);
                let g = generate(
                    topology,
                    n,
                    &mut stream(seed, 1, crate::rng::purpose::TOPOLOGY),
                );
                let w = draw_weights(
                    g.edge_count(),
                    1,
                    100,
                    &mut stream(seed, 1, crate::rng::purpose::WEIGHTS),
                );
                let r = boruvka(&g, &w);
                let m = message_level(&g, &w);
                assert_eq!(m.tree, r.forest.edges, "{topology:?} n {n}: the same tree");
                assert_eq!(m.phases, r.phases, "{topology:?} n {n}");
                let counted = m.accept_tests
                    + m.reject_tests
                    + m.reports
                    + m.decisions
                    + m.connects
                    + m.new_ids;
                assert_eq!(
                    counted + m.final_phase,
                    r.ghs_msgs,
                    "{topology:?} n {n}: {m:?}"
                );
                assert_eq!(r.ghs_final_phase_msgs, m.final_phase, "{topology:?} n {n}");
                if n == 1000 {
                    worst_share = worst_share.max(m.final_phase as f64 / counted as f64);
                }
                // On a connected graph every non-tree edge is rejected once, over the phases.
                if g.stats().connected {
                    let non_tree = g.edge_count() as u64 - u64::from(n - 1);
                    assert_eq!(
                        m.reject_tests + m.final_rejects,
                        2 * non_tree,
                        "{topology:?} n {n}"
                    );
                }
            }
        }
        // The final phase, which finds every edge left untested internal, is a real part of
        // the build: at n = 1000 it adds a sizeable share.
        assert!(worst_share > 0.05, "{worst_share}");
    }
}

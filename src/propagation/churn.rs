//! OPPI under churn: what keeping the minimum spanning tree up to date costs, against flooding
//! (OPPI paper, Section 3.3; the churn family's notes, `src/model/churn/README.md`).
//!
//! A run builds the graph and its MST (the construction is costed by the GHS-style Borůvka
//! accounting of [`crate::graph::mst::boruvka`]), then alternates churn and broadcasts: before
//! each of `broadcasts` broadcasts, `churn_rate` operations (on average; the fraction is a
//! Bernoulli draw) each pick one of four kinds uniformly:
//!
//! - a link leaves: a uniformly drawn live node with links drops a uniformly drawn link;
//! - a link joins: two live, unlinked nodes drawn uniformly get a link of uniform delay;
//! - a node leaves (while more than two remain): a uniformly drawn live node;
//! - a node joins: it takes a free slot (the lowest) or a new one and links to `k` distinct live
//!   nodes drawn uniformly, each link with a uniform delay.
//!
//! [`MaintainedMst`] repairs the tree after each operation and reports its messages beside
//! the paper's re-run of the construction on the components. A broadcast starts at a uniformly
//! drawn live node: OPPI sends `c - 1` messages along the tree of the source's component of `c`
//! nodes, flooding `sum of degrees - (c - 1)`. Their makespans and mean arrivals are the tree
//! distances and the shortest-path distances from the source (link delays in ms).
//!
//! Break-even: OPPI pays the construction once, then per broadcast its tree messages plus the
//! maintenance messages of the churn since the last one; flooding pays its messages per
//! broadcast. OPPI has sent fewer messages in total after `construct / (flood - oppi)`
//! broadcasts (per-broadcast means over the run); when OPPI's per-broadcast cost is not below
//! flooding's it never breaks even (NaN).

use super::{PropagationParams, build_graph, draw_weights};
use crate::des::{Budget, Spent};
use crate::graph::maintenance::{MaintainedMst, OpCost};
use crate::graph::mst::boruvka;
use crate::graph::paths::{UNREACHED, dijkstra};
use crate::rng::RunSeeds;
use crate::rng::purpose;
use crate::rng::stream;
use rand::RngExt;
use std::collections::VecDeque;

/// A churn run's configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct ChurnParams {
    /// The graph and its delays (the protocol is not used).
    pub graph: PropagationParams,
    /// Links of a joining node (the topology's k).
    pub join_links: u32,
    /// Operations between broadcasts, on average.
    pub churn_rate: f64,
    /// Broadcasts in a run.
    pub broadcasts: u32,
}

/// The kinds of churn operation, in draw order.
pub const OP_KINDS: [&str; 4] = ["link_leave", "link_join", "node_leave", "node_join"];

/// The results of one churn run.
#[derive(Clone, Debug, PartialEq)]
pub struct ChurnOutcome {
    /// Links at the start.
    pub edges_start: u64,
    /// GHS-style messages of building the initial MST.
    pub construct_msgs: u64,
    /// The same under the naive accounting.
    pub construct_naive_msgs: u64,
    /// Operations of each kind ([`OP_KINDS`] order).
    pub ops: [u64; 4],
    /// Maintenance cost of each kind, summed.
    pub cost: [OpCost; 4],
    /// Live nodes and links at the end.
    pub nodes_end: u32,
    /// See `nodes_end`.
    pub edges_end: u64,
    /// Mean OPPI messages per broadcast: tree messages plus the maintenance since the last one.
    pub oppi_msgs_per_broadcast: f64,
    /// Mean flooding messages per broadcast.
    pub flood_msgs_per_broadcast: f64,
    /// Broadcasts after which OPPI has sent fewer messages in total (NaN: never).
    pub break_even_broadcasts: f64,
    /// The same with the naive construction accounting.
    pub break_even_naive_broadcasts: f64,
    /// Mean over broadcasts of the MST makespan and of the flooding makespan, ms.
    pub makespan_oppi_ms: f64,
    /// See `makespan_oppi_ms`.
    pub makespan_flood_ms: f64,
    /// Mean over broadcasts of the mean arrival along the MST and by flooding, ms.
    pub mean_arrival_oppi_ms: f64,
    /// See `mean_arrival_oppi_ms`.
    pub mean_arrival_flood_ms: f64,
    /// Nodes reached per broadcast (the source's component), mean.
    pub reached_mean: f64,
}

/// Runs one churn experiment within `budget`, whose events are the run's steps (churn
/// operations and broadcasts, the row's `events`) and whose messages are those of the
/// broadcasts (tree and flood) and of the tree's maintenance, the measure of its work. A run
/// that spends it stops after the operation or broadcast that did.
pub fn simulate(p: &ChurnParams, seeds: RunSeeds, budget: Budget) -> Result<ChurnOutcome, Spent> {
    let gp = &p.graph;
    let g = build_graph(gp, seeds);
    let w = draw_weights(
        g.edge_count(),
        gp.delay_min_ms,
        gp.delay_max_ms,
        &mut stream(seeds.master, seeds.env_key, purpose::WEIGHTS),
    );
    let built = boruvka(&g, &w);
    let mut mst = MaintainedMst::new(&g, &w);
    let mut rng = stream(seeds.master, seeds.run_key, purpose::CHURN);
    let mut sources = stream(seeds.master, seeds.run_key, purpose::SOURCE);
    let mut out = ChurnOutcome {
        edges_start: g.edge_count() as u64,
        construct_msgs: built.ghs_msgs,
        construct_naive_msgs: built.naive_msgs,
        ops: [0; 4],
        cost: [OpCost::default(); 4],
        nodes_end: 0,
        edges_end: 0,
        oppi_msgs_per_broadcast: 0.0,
        flood_msgs_per_broadcast: 0.0,
        break_even_broadcasts: f64::NAN,
        break_even_naive_broadcasts: f64::NAN,
        makespan_oppi_ms: 0.0,
        makespan_flood_ms: 0.0,
        mean_arrival_oppi_ms: 0.0,
        mean_arrival_flood_ms: 0.0,
        reached_mean: 0.0,
    };
    let mut live: Vec<u32> = (0..g.node_count()).collect();
    let (mut oppi_total, mut flood_total) = (0u64, 0u64);
    let mut tree_dist: Vec<u64> = Vec::new();
    let mut queue: VecDeque<u32> = VecDeque::new();
    let whole = p.churn_rate.floor();
    let frac = p.churn_rate - whole;
    let mut work = 0u64;
    let spent = |work: u64, msgs: u64, done: u32| Spent {
        events: work,
        reason: budget.overrun(
            work,
            msgs,
            &format!("after {done} of {} broadcasts", p.broadcasts),
            "",
        ),
    };
    for done in 0..p.broadcasts {
        let count = whole as u64 + u64::from(frac > 0.0 && rng.random::<f64>() < frac);
        let mut maintenance = 0u64;
        for _ in 0..count {
            let kind = rng.random_range(0..4usize);
            if let Some(c) = churn_op(&mut mst, &mut live, kind, p, &mut rng) {
                out.ops[kind] += 1;
                out.cost[kind] += c;
                maintenance += c.msgs;
            }
            work += 1;
            if budget.spent(work, oppi_total + flood_total + maintenance) {
                return Err(spent(work, oppi_total + flood_total + maintenance, done));
            }
        }
        // One broadcast from a live node.
        let source = live[rng_index(&mut sources, live.len())];
        tree_dist.clear();
        tree_dist.resize(mst.capacity() as usize, UNREACHED);
        tree_dist[source as usize] = 0;
        queue.clear();
        queue.push_back(source);
        let (mut reached, mut degrees, mut tree_sum, mut tree_max) = (0u64, 0u64, 0u64, 0u64);
        while let Some(x) = queue.pop_front() {
            reached += 1;
            degrees += mst.neighbours(x).len() as u64;
            let dx = tree_dist[x as usize];
            tree_sum += dx;
            tree_max = tree_max.max(dx);
            for &y in mst.tree_neighbours(x) {
                if tree_dist[y as usize] == UNREACHED {
                    tree_dist[y as usize] = dx + u64::from(mst.weight(x, y).expect("tree edge"));
                    queue.push_back(y);
                }
            }
        }
        let (graph, weights) = mst.graph();
        let sp = dijkstra(&graph, &weights, source);
        let reachable = sp.dist.iter().filter(|&&d| d != UNREACHED);
        let (flood_sum, flood_max) = reachable.fold((0u64, 0u64), |(s, m), &d| (s + d, m.max(d)));
        oppi_total += reached - 1 + maintenance;
        flood_total += degrees - (reached - 1);
        out.makespan_oppi_ms += tree_max as f64;
        out.makespan_flood_ms += flood_max as f64;
        out.mean_arrival_oppi_ms += tree_sum as f64 / reached as f64;
        out.mean_arrival_flood_ms += flood_sum as f64 / reached as f64;
        out.reached_mean += reached as f64;
        work += 1;
        if budget.spent(work, oppi_total + flood_total) {
            return Err(spent(work, oppi_total + flood_total, done + 1));
        }
    }
    let b = f64::from(p.broadcasts.max(1));
    out.oppi_msgs_per_broadcast = oppi_total as f64 / b;
    out.flood_msgs_per_broadcast = flood_total as f64 / b;
    let saving = out.flood_msgs_per_broadcast - out.oppi_msgs_per_broadcast;
    if saving > 0.0 {
        out.break_even_broadcasts = out.construct_msgs as f64 / saving;
        out.break_even_naive_broadcasts = out.construct_naive_msgs as f64 / saving;
    }
    for x in [
        &mut out.makespan_oppi_ms,
        &mut out.makespan_flood_ms,
        &mut out.mean_arrival_oppi_ms,
        &mut out.mean_arrival_flood_ms,
        &mut out.reached_mean,
    ] {
        *x /= b;
    }
    out.nodes_end = live.len() as u32;
    out.edges_end = mst.edge_count() as u64;
    Ok(out)
}

fn rng_index(rng: &mut crate::rng::Stream, len: usize) -> usize {
    rng.random_range(0..len)
}

/// Applies one operation of `kind`; `None` when none of that kind is possible now.
fn churn_op(
    mst: &mut MaintainedMst,
    live: &mut Vec<u32>,
    kind: usize,
    p: &ChurnParams,
    rng: &mut crate::rng::Stream,
) -> Option<OpCost> {
    let gp = &p.graph;
    let weight = |rng: &mut crate::rng::Stream| rng.random_range(gp.delay_min_ms..=gp.delay_max_ms);
    const TRIES: usize = 64;
    match kind {
        0 => {
            for _ in 0..TRIES {
                let u = live[rng_index(rng, live.len())];
                let nb = mst.neighbours(u);
                if !nb.is_empty() {
                    let (v, _) = nb[rng_index(rng, nb.len())];
                    return Some(mst.delete_edge(u, v));
                }
            }
            None
        }
        1 => {
            for _ in 0..TRIES {
                let u = live[rng_index(rng, live.len())];
                let v = live[rng_index(rng, live.len())];
                if u != v && mst.weight(u, v).is_none() {
                    let w = weight(rng);
                    return Some(mst.insert_edge(u, v, w));
                }
            }
            None
        }
        2 => {
            if live.len() <= 2 {
                return None;
            }
            let i = rng_index(rng, live.len());
            let v = live.swap_remove(i);
            Some(mst.delete_node(v))
        }
        _ => {
            let v = (0..mst.capacity())
                .find(|&x| !mst.is_alive(x))
                .unwrap_or(mst.capacity());
            let links = (p.join_links as usize).min(live.len());
            // Partial Fisher-Yates over the live list: `links` distinct nodes.
            let mut edges = Vec::with_capacity(links);
            for i in 0..links {
                let j = i + rng_index(rng, live.len() - i);
                live.swap(i, j);
                edges.push((live[i], weight(rng)));
            }
            live.push(v);
            Some(mst.insert_node(v, &edges))
        }
    }
}

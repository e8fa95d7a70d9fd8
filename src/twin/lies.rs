//! State messages that lie (the twin paper's future work on Byzantine state messages): of the
//! messages that reach the twin, `lies.nodes` come from liars, drawn per reconstruction from
//! the "liars" stream keyed by the reconstruction's run key, and each says one false thing:
//!
//! - [`Lie::Bandwidth`]: its own bandwidth distribution and every peer estimate (Eq. 1),
//!   multiplied by `factor` (above 1 a liar claims a faster network, below 1 a slower one);
//! - [`Lie::Peers`]: as many peers as it has, none of them a true peer (uniform over the other
//!   nodes), each with one of its true estimates.
//!
//! What it costs the twin, and the bound that holds: Algorithm 1 trusts each message, so a
//! liar's own entry is exactly its lie, and a missing node takes the largest estimate its
//! reporting peers give, so one liar inflating by `factor` > 1 among them sets that node's
//! bandwidth. A node is *misled* when its model value comes from a liar (it is one, or a
//! liar's estimate won); misled nodes are at most the liars plus the missing nodes a liar
//! names as peers, and every node outside those keeps the value it has without liars (a
//! deflating liar misleads no missing node, but can still lower one it names by hiding the
//! largest estimate).
//! A liar about peers adds at most its peer count in false links, and a true link is lost
//! only when no truthful end reports it.

use super::reconstruct::{Reconstruction, StateMessage};
use crate::network::Network;
use crate::rng::{purpose, stream};
use rand::RngExt;

/// What a lying state message says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lie {
    /// Its bandwidth and its estimates, scaled.
    #[default]
    Bandwidth,
    /// False peers.
    Peers,
}

/// How many arriving state messages lie, and how.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lies {
    /// Liars among the senders of arriving messages.
    pub nodes: u32,
    /// What they say.
    pub lie: Lie,
    /// The factor of [`Lie::Bandwidth`].
    pub factor: f64,
}

impl Default for Lies {
    fn default() -> Self {
        Lies {
            nodes: 0,
            lie: Lie::Bandwidth,
            factor: 10.0,
        }
    }
}

/// The messages as the twin gets them (the liars' altered, in the order received) and the
/// liars, ascending. Draws nothing when nobody lies.
pub fn tell(
    lies: &Lies,
    received: &[&StateMessage],
    n: u32,
    master: u64,
    run_key: u64,
) -> (Vec<StateMessage>, Vec<u32>) {
    let mut told: Vec<StateMessage> = received.iter().map(|&m| m.clone()).collect();
    if lies.nodes == 0 {
        return (told, Vec::new());
    }
    let mut rng = stream(master, run_key, purpose::LIARS);
    let mut order: Vec<usize> = (0..told.len()).collect();
    let k = (lies.nodes as usize).min(order.len());
    for i in 0..k {
        let j = rng.random_range(i..order.len());
        order.swap(i, j);
    }
    let mut liars: Vec<u32> = order[..k].iter().map(|&i| told[i].node).collect();
    liars.sort_unstable();
    for &i in &order[..k] {
        let m = &mut told[i];
        match lies.lie {
            Lie::Bandwidth => {
                m.bw_mean_mbps *= lies.factor;
                m.bw_sd_mbps *= lies.factor;
                for e in &mut m.estimates {
                    *e = e.scaled(lies.factor);
                }
            }
            Lie::Peers => {
                // As many non-peers as it has peers (fewer when the graph leaves fewer),
                // drawn without repeats, each with one of its estimates.
                let mut others: Vec<u32> = (0..n)
                    .filter(|&u| u != m.node && m.peers.binary_search(&u).is_err())
                    .collect();
                let take = m.peers.len().min(others.len());
                for j in 0..take {
                    let r = rng.random_range(j..others.len());
                    others.swap(j, r);
                }
                let mut fake: Vec<(u32, super::estimate::LinkStats)> = others[..take]
                    .iter()
                    .zip(&m.estimates)
                    .map(|(&u, &e)| (u, e))
                    .collect();
                fake.sort_unstable_by_key(|x| x.0);
                m.peers = fake.iter().map(|x| x.0).collect();
                m.estimates = fake.iter().map(|x| x.1).collect();
            }
        }
    }
    (told, liars)
}

/// What the liars did to the reconstruction `rec` of `net`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Effect {
    /// Discovered nodes whose model bandwidth comes from a liar.
    pub nodes_misled: u32,
    /// Model links that are not links of the system.
    pub edges_false: u64,
    /// Mean over discovered nodes of |model - true| bandwidth mean, MB/s.
    pub bw_err_abs_mbps: f64,
}

/// Measures `rec` against the truth of `net`, with `liars` ascending.
pub fn effect(rec: &Reconstruction, net: &Network, liars: &[u32]) -> Effect {
    let lied = |u: u32| liars.binary_search(&u).is_ok();
    let bw = net.node_bandwidths();
    let mut misled = 0;
    let mut err = 0.0;
    for (i, &x) in rec.nodes.iter().enumerate() {
        misled += u32::from(lied(x) || rec.estimated_by[i].is_some_and(lied));
        err += (rec.bw_mean[i] - bw[x as usize]).abs();
    }
    let truth = net.edges();
    let edges_false = rec
        .edges
        .iter()
        .filter(|e| truth.binary_search(e).is_err())
        .count() as u64;
    Effect {
        nodes_misled: misled,
        edges_false,
        bw_err_abs_mbps: if rec.nodes.is_empty() {
            f64::NAN
        } else {
            err / rec.nodes.len() as f64
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::reconstruct::{NodeSource, reconstruct};
    use super::super::{EbwDelay, run_original, system_seeds};
    use super::*;
    use crate::pbft::Simulator;
    use crate::pbft::tests::paper_a;

    /// The bound, on a real 20-node system with 4 messages lost: for every number of liars
    /// and both lies, over 20 reconstructions each, the misled nodes are at most the liars
    /// plus the missing nodes a liar names; every other node keeps the value it has without
    /// liars; false links are at most the peers the liars claim; deflating
    /// liars mislead only themselves; and the liars are drawn among the arriving messages.
    #[test]
    fn liars_mislead_at_most_themselves_and_the_missing_nodes_they_name() {
        let mut sim = Simulator::default();
        let p = paper_a(20, 5, 100.0);
        let orig = run_original(&p, EbwDelay::Transmission, system_seeds(3, 9), &mut sim);
        let n = orig.net.node_count();
        let mut inflated = 0;
        for key in 0..20u64 {
            let missing: Vec<u32> = (0..4).map(|i| ((key * 7 + i * 5) % 20) as u32).collect();
            let arrived: Vec<&StateMessage> = orig
                .messages
                .iter()
                .filter(|m| !missing.contains(&m.node))
                .collect();
            let honest = reconstruct(&arrived, false);
            for (lie, factor) in [
                (Lie::Bandwidth, 10.0),
                (Lie::Bandwidth, 0.1),
                (Lie::Peers, 10.0),
            ] {
                for k in [0u32, 1, 3, 8] {
                    let lies = Lies {
                        nodes: k,
                        lie,
                        factor,
                    };
                    let (told, liars) = tell(&lies, &arrived, n, 3, key);
                    assert_eq!(liars.len(), k as usize);
                    assert!(liars.iter().all(|l| !missing.contains(l)));
                    let rec = reconstruct(&told.iter().collect::<Vec<_>>(), false);
                    let e = effect(&rec, &orig.net, &liars);
                    let named: Vec<u32> = told
                        .iter()
                        .filter(|m| liars.contains(&m.node))
                        .flat_map(|m| m.peers.iter().copied())
                        .filter(|x| missing.contains(x))
                        .collect::<std::collections::BTreeSet<u32>>()
                        .into_iter()
                        .collect();
                    assert!(
                        e.nodes_misled as usize <= liars.len() + named.len(),
                        "{lie:?} x{factor}, {k} liars: {e:?}"
                    );
                    let claimed: usize = told
                        .iter()
                        .filter(|m| liars.contains(&m.node))
                        .map(|m| m.peers.len())
                        .sum();
                    assert!(e.edges_false as usize <= claimed);
                    if lie == Lie::Bandwidth {
                        assert_eq!(e.edges_false, 0);
                        assert_eq!(rec.edges, honest.edges);
                    }
                    if lie == Lie::Bandwidth && factor < 1.0 {
                        assert_eq!(e.nodes_misled as usize, liars.len());
                    }
                    for (i, &x) in rec.nodes.iter().enumerate() {
                        let misled = liars.contains(&x)
                            || rec.estimated_by[i].is_some_and(|b| liars.contains(&b));
                        if misled
                            && rec.source[i] == NodeSource::Estimated
                            && factor > 1.0
                            && lie == Lie::Bandwidth
                        {
                            inflated += 1;
                        }
                        if misled || lie == Lie::Peers || named.contains(&x) {
                            continue;
                        }
                        let j = honest.nodes.binary_search(&x).unwrap();
                        assert_eq!(rec.bw_mean[i], honest.bw_mean[j], "node {x}");
                    }
                    if k == 0 {
                        assert_eq!(rec, honest);
                        assert_eq!(e.nodes_misled, 0);
                    }
                }
            }
        }
        // One inflating liar among a missing node's reporters sets its estimate, often.
        assert!(inflated > 20, "{inflated}");
    }

    /// A liar about bandwidth scales exactly its figures; a liar about peers names only
    /// nodes that are not its peers, as many as it has, with its estimates.
    #[test]
    fn each_lie_changes_what_it_says_and_nothing_else() {
        let mut sim = Simulator::default();
        let p = paper_a(10, 3, 100.0);
        let orig = run_original(&p, EbwDelay::Transmission, system_seeds(4, 2), &mut sim);
        let arrived: Vec<&StateMessage> = orig.messages.iter().collect();
        let told_by =
            |nodes, lie, factor, key| tell(&Lies { nodes, lie, factor }, &arrived, 10, 4, key);
        let (told, liars) = told_by(2, Lie::Bandwidth, 4.0, 1);
        for (m, t) in arrived.iter().zip(&told) {
            if liars.contains(&m.node) {
                assert_eq!(t.bw_mean_mbps, 4.0 * m.bw_mean_mbps);
                assert_eq!(t.peers, m.peers);
                for (a, b) in m.estimates.iter().zip(&t.estimates) {
                    assert_eq!(b.mean, 4.0 * a.mean);
                    assert!((b.sd() - 4.0 * a.sd()).abs() < 1e-9 * (1.0 + a.sd()));
                }
            } else {
                assert_eq!(*t, **m);
            }
        }
        let (told, liars) = told_by(3, Lie::Peers, 1.0, 1);
        for (m, t) in arrived.iter().zip(&told) {
            if liars.contains(&m.node) {
                assert_eq!(t.peers.len(), m.peers.len().min(9 - m.peers.len()));
                assert!(t.peers.iter().all(|x| *x != m.node && !m.peers.contains(x)));
                assert!(t.peers.windows(2).all(|w| w[0] < w[1]));
            } else {
                assert_eq!(*t, **m);
            }
        }
        // The same reconstruction draws the same liars; another draws others.
        let again = told_by(3, Lie::Peers, 1.0, 1);
        assert_eq!(again, (told, liars.clone()));
        let other = (2..30)
            .map(|k| told_by(3, Lie::Peers, 1.0, k).1)
            .any(|l| l != liars);
        assert!(other);
    }
}

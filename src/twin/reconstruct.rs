//! State messages and the twin's reconstruction of the global state from those that arrived
//! (twin paper, Algorithm 1).

use super::estimate::LinkStats;
use std::collections::BTreeMap;

/// What a node sends the twin: its local state, its estimated peer states, its latest block and
/// (with path history) the links it has seen in message paths.
#[derive(Clone, Debug, PartialEq)]
pub struct StateMessage {
    /// The sender.
    pub node: u32,
    /// Mean of the sender's own bandwidth distribution, MB/s.
    pub bw_mean_mbps: f64,
    /// Its standard deviation, MB/s.
    pub bw_sd_mbps: f64,
    /// The sender's peers, ascending.
    pub peers: Vec<u32>,
    /// EBW statistics of each peer (Eq. 1), aligned with `peers`.
    pub estimates: Vec<LinkStats>,
    /// Height of the sender's latest block.
    pub height: u32,
    /// That block's hash (64 bits here; a real header hash is 32 bytes, as counted in
    /// [`StateMessage::size_bytes`]).
    pub block_hash: u64,
    /// Links seen in the paths of received gossip copies, `(a, b)` with `a < b`.
    pub seen_links: Vec<(u32, u32)>,
}

/// Bytes of the fixed part: id (4), own distribution (16), height (8), block hash (32), peer
/// count (4).
const FIXED_BYTES: u64 = 4 + 16 + 8 + 32 + 4;
/// Bytes per peer: id (4), count (8), mean (8), sd (8).
const PER_PEER_BYTES: u64 = 4 + 8 + 8 + 8;
/// Bytes per seen link (two ids), plus a 4-byte count when path history is on.
const PER_LINK_BYTES: u64 = 8;

impl StateMessage {
    /// Encoded size: the fields above at their natural widths, plus the seen links when path
    /// history is on.
    pub fn size_bytes(&self, path_history: bool) -> u64 {
        let mut b = FIXED_BYTES + PER_PEER_BYTES * self.peers.len() as u64;
        if path_history {
            b += 4 + PER_LINK_BYTES * self.seen_links.len() as u64;
        }
        b
    }
}

/// How the twin knows a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeSource {
    /// Its own state message arrived.
    Reported,
    /// Missing; named in a received peer list, its bandwidth is the largest peer estimate.
    Estimated,
    /// Missing and in no received peer list, but named in a received path-history link: its
    /// links are known, its bandwidth is not (the mean of the known nodes' is used).
    PathOnly,
}

impl NodeSource {
    /// The name used in result columns.
    pub fn name(&self) -> &'static str {
        match self {
            NodeSource::Reported => "reported",
            NodeSource::Estimated => "estimated",
            NodeSource::PathOnly => "path_only",
        }
    }
}

/// The twin's model of the system.
#[derive(Clone, Debug, PartialEq)]
pub struct Reconstruction {
    /// Discovered nodes (original ids, ascending); node `i` of the model is `nodes[i]`.
    pub nodes: Vec<u32>,
    /// How each was found.
    pub source: Vec<NodeSource>,
    /// Bandwidth mean of each, MB/s.
    pub bw_mean: Vec<f64>,
    /// Bandwidth standard deviation of each, MB/s.
    pub bw_sd: Vec<f64>,
    /// For an estimated node, the reporter whose estimate was used.
    pub estimated_by: Vec<Option<u32>>,
    /// Links (original ids, `a < b`, ascending).
    pub edges: Vec<(u32, u32)>,
    /// Whether each link is known only from path history.
    pub edge_from_path: Vec<bool>,
}

impl Reconstruction {
    /// The links in model ids (positions in `nodes`).
    pub fn model_edges(&self) -> Vec<(u32, u32)> {
        let id = |x: u32| self.nodes.binary_search(&x).expect("edge ends are nodes") as u32;
        self.edges.iter().map(|&(a, b)| (id(a), id(b))).collect()
    }
}

/// Algorithm 1. Nodes are the senders plus everyone in a received peer list (plus, with
/// `path_history`, the ends of reported seen links). A reporter keeps its own state; a missing
/// node's bandwidth distribution is the peer estimate with the largest mean (ties: the lowest
/// reporter id; estimates from no observed message are skipped). Links come from the reported
/// peer lists, so a link between two missing nodes is lost unless path history recovers it.
/// `msgs` may be in any order.
pub fn reconstruct(msgs: &[&StateMessage], path_history: bool) -> Reconstruction {
    // node -> (source, mean, sd, estimated_by); BTreeMap for a deterministic order.
    let mut known: BTreeMap<u32, (NodeSource, f64, f64, Option<u32>)> = BTreeMap::new();
    let mut sorted: Vec<&StateMessage> = msgs.to_vec();
    sorted.sort_by_key(|m| m.node);
    for m in &sorted {
        known.insert(
            m.node,
            (NodeSource::Reported, m.bw_mean_mbps, m.bw_sd_mbps, None),
        );
    }
    let mut edges: BTreeMap<(u32, u32), bool> = BTreeMap::new();
    for m in &sorted {
        for (&p, est) in m.peers.iter().zip(&m.estimates) {
            edges.insert((m.node.min(p), m.node.max(p)), false);
            let entry = known
                .entry(p)
                .or_insert((NodeSource::Estimated, f64::NAN, f64::NAN, None));
            if entry.0 == NodeSource::Estimated
                && est.count > 0
                && (entry.1.is_nan() || est.mean > entry.1)
            {
                *entry = (NodeSource::Estimated, est.mean, est.sd(), Some(m.node));
            }
        }
    }
    if path_history {
        for m in &sorted {
            for &(a, b) in &m.seen_links {
                edges.entry((a, b)).or_insert(true);
                for x in [a, b] {
                    known
                        .entry(x)
                        .or_insert((NodeSource::PathOnly, f64::NAN, f64::NAN, None));
                }
            }
        }
    }
    // Nodes with no usable estimate take the mean of the known bandwidths.
    let known_bw: Vec<(f64, f64)> = known
        .values()
        .filter(|k| !k.1.is_nan())
        .map(|k| (k.1, k.2))
        .collect();
    let fallback = if known_bw.is_empty() {
        (f64::NAN, f64::NAN)
    } else {
        let c = known_bw.len() as f64;
        (
            known_bw.iter().map(|k| k.0).sum::<f64>() / c,
            known_bw.iter().map(|k| k.1).sum::<f64>() / c,
        )
    };
    let mut r = Reconstruction {
        nodes: Vec::with_capacity(known.len()),
        source: Vec::with_capacity(known.len()),
        bw_mean: Vec::with_capacity(known.len()),
        bw_sd: Vec::with_capacity(known.len()),
        estimated_by: Vec::with_capacity(known.len()),
        edges: Vec::with_capacity(edges.len()),
        edge_from_path: Vec::with_capacity(edges.len()),
    };
    for (&x, &(src, mean, sd, by)) in &known {
        r.nodes.push(x);
        r.source.push(src);
        let (mean, sd) = if mean.is_nan() { fallback } else { (mean, sd) };
        r.bw_mean.push(mean);
        r.bw_sd.push(sd);
        r.estimated_by.push(by);
    }
    for (&e, &from_path) in &edges {
        r.edges.push(e);
        r.edge_from_path.push(from_path);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A node's message on a hand-drawn graph with exact estimates `min(bw)`.
    fn msg(node: u32, bw: &[f64], peers: &[u32]) -> StateMessage {
        StateMessage {
            node,
            bw_mean_mbps: bw[node as usize],
            bw_sd_mbps: 0.0,
            peers: peers.to_vec(),
            estimates: peers
                .iter()
                .map(|&p| LinkStats::of(&[bw[node as usize].min(bw[p as usize]); 3]))
                .collect(),
            height: 7,
            block_hash: 0,
            seen_links: Vec::new(),
        }
    }

    // The hand-drawn graph: 0-1, 0-2, 1-2, 2-3, 3-4, 4-5; bandwidths below.
    const BW: [f64; 6] = [10.0, 30.0, 20.0, 25.0, 15.0, 12.0];
    const ADJ: [&[u32]; 6] = [&[1, 2], &[0, 2], &[0, 1, 3], &[2, 4], &[3, 5], &[4]];

    fn all() -> Vec<StateMessage> {
        (0..6).map(|i| msg(i, &BW, ADJ[i as usize])).collect()
    }

    #[test]
    fn with_every_message_the_reconstruction_is_the_truth() {
        let m = all();
        let r = reconstruct(&m.iter().collect::<Vec<_>>(), false);
        assert_eq!(r.nodes, vec![0, 1, 2, 3, 4, 5]);
        assert!(r.source.iter().all(|s| *s == NodeSource::Reported));
        assert_eq!(r.bw_mean, BW.to_vec());
        assert_eq!(
            r.edges,
            vec![(0, 1), (0, 2), (1, 2), (2, 3), (3, 4), (4, 5)]
        );
    }

    #[test]
    fn a_missing_node_gets_the_largest_estimate_and_keeps_its_reported_links() {
        let m = all();
        // Node 1 (30 MB/s) is missing: its peers 0 (10) and 2 (20) estimate it at 10 and 20;
        // the maximum, 20, is capped by its fastest peer. Node 3 (25) is missing too: peers 2
        // (20) and 4 (15) give 20 and 15.
        let got: Vec<&StateMessage> = m.iter().filter(|x| x.node != 1 && x.node != 3).collect();
        let r = reconstruct(&got, false);
        assert_eq!(r.nodes, vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(r.source[1], NodeSource::Estimated);
        assert_eq!(r.bw_mean[1], 20.0);
        assert_eq!(r.estimated_by[1], Some(2));
        assert_eq!(r.bw_mean[3], 20.0);
        assert_eq!(r.estimated_by[3], Some(2));
        // Every link has a reporting end, so none is lost.
        assert_eq!(r.edges.len(), 6);
    }

    #[test]
    fn a_link_between_two_missing_nodes_is_lost_and_path_history_recovers_it() {
        let mut m = all();
        // 3 and 4 missing: the link 3-4 has no reporting end.
        m[5].seen_links = vec![(3, 4), (4, 5)];
        let got: Vec<&StateMessage> = m.iter().filter(|x| x.node != 3 && x.node != 4).collect();
        let r = reconstruct(&got, false);
        assert_eq!(r.nodes, vec![0, 1, 2, 3, 4, 5]);
        assert!(!r.edges.contains(&(3, 4)));
        assert_eq!(r.edges.len(), 5);
        let r = reconstruct(&got, true);
        assert!(r.edges.contains(&(3, 4)));
        assert!(r.edge_from_path[r.edges.iter().position(|&e| e == (3, 4)).unwrap()]);
        assert_eq!(r.edges.len(), 6);
    }

    #[test]
    fn a_missing_node_whose_peers_are_all_missing_is_not_discovered() {
        let m = all();
        // 4 and 5 missing: 5's only peer is 4, so nobody names 5.
        let got: Vec<&StateMessage> = m.iter().filter(|x| x.node < 4).collect();
        let r = reconstruct(&got, false);
        assert_eq!(r.nodes, vec![0, 1, 2, 3, 4]);
        assert_eq!(r.bw_mean[4], 15.0);
        // With path history a node that saw the link 4-5 names 5; its bandwidth is unknown.
        let mut m = all();
        m[3].seen_links = vec![(3, 4), (4, 5)];
        let got: Vec<&StateMessage> = m.iter().filter(|x| x.node < 4).collect();
        let r = reconstruct(&got, true);
        assert_eq!(r.nodes, vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(r.source[5], NodeSource::PathOnly);
        let mean = (10.0 + 30.0 + 20.0 + 25.0 + 15.0) / 5.0;
        assert!((r.bw_mean[5] - mean).abs() < 1e-12);
    }

    #[test]
    fn message_order_does_not_matter() {
        let m = all();
        let mut got: Vec<&StateMessage> = m.iter().filter(|x| x.node % 2 == 0).collect();
        let a = reconstruct(&got, false);
        got.reverse();
        assert_eq!(a, reconstruct(&got, false));
    }

    #[test]
    fn size_counts_peers_and_links() {
        let mut m = msg(2, &BW, ADJ[2]);
        assert_eq!(m.size_bytes(false), FIXED_BYTES + 3 * PER_PEER_BYTES);
        m.seen_links = vec![(0, 1), (2, 3)];
        assert_eq!(
            m.size_bytes(true),
            FIXED_BYTES + 3 * PER_PEER_BYTES + 4 + 16
        );
    }
}

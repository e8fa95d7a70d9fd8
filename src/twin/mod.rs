//! Digital-twin state extraction and mirroring
//! (the twin state-extraction paper).
//!
//! One twin run is one reconstruction of one physical system:
//!
//! 1. The **physical system** is a PBFT run ([`crate::pbft`]) in which every node estimates
//!    its peers' bandwidth from the messages it exchanges with them (Eq. 1,
//!    [`estimate::PeerObserver`]) and, at the end of the workload, emits a
//!    [`reconstruct::StateMessage`]. It depends only on the PBFT parameters, the estimator's
//!    delay mode and the system's seeds, so every reconstruction of the same system shares it
//!    (the model layer caches it per worker; caching changes no result).
//! 2. `M` state messages are **lost** (a random `M` of `N` from the run's "missing" stream,
//!    or named nodes), and the twin **reconstructs** the system from the rest (Algorithm 1,
//!    [`reconstruct::reconstruct`]), optionally with gossip path history.
//! 3. The reconstructed network is **re-simulated** with the same PBFT parameters. With common
//!    random numbers (the default) the re-simulation uses the physical system's seeds, so the
//!    workload and every per-message draw are the same and the difference between the two runs
//!    is the model error; `independent` draws them from the reconstruction's own run key.
//!
//! The twin is not told latency: the reconstructed network keeps the physical system's latency
//! matrix restricted to the discovered nodes (paper A's state is bandwidth and peers only; with
//! `ebw_delay = "total"` the estimate absorbs latency, and the re-simulation adds it again,
//! which is the bias that option exists to show).
//!
//! Streams: the physical system uses the PBFT streams keyed by the system key (see
//! [`system_seeds`]); a reconstruction draws "missing" from its run key, and under
//! `independent` re-simulates with the PBFT streams keyed by its run key.
//!
//! Architecture invariant: `twin` knows no spec and no Parquet; it drives the PBFT core through
//! its public API and its [`crate::pbft::Transmissions`] hook; no I/O, no clock.

pub mod estimate;
pub mod lies;
pub mod reconstruct;
pub mod sync;

use crate::network::Network;
use crate::pbft::{PbftOutcome, PbftParams, Simulator, StopReason};
use crate::rng::RunSeeds;
use crate::rng::purpose;
use crate::rng::{hash_bytes, mix64, stream};
use estimate::{EbwDelay, PeerObserver};
use lies::Lies;
use rand::RngExt;
use reconstruct::{NodeSource, Reconstruction, StateMessage, reconstruct};

/// Which state messages are lost.
#[derive(Clone, Debug, PartialEq)]
pub enum Missing {
    /// A uniformly random set of this many nodes, drawn per reconstruction.
    Random(u32),
    /// These nodes (ascending, distinct).
    Nodes(Vec<u32>),
}

/// Where the re-simulation's random draws come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resim {
    /// The physical system's streams (common random numbers).
    Common,
    /// The reconstruction's own streams.
    Independent,
}

/// A twin run's configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct TwinParams {
    /// The physical system (and the re-simulation, with the reconstructed network).
    pub pbft: PbftParams,
    /// Lost state messages.
    pub missing: Missing,
    /// The delay nodes divide by in Eq. 1.
    pub ebw_delay: EbwDelay,
    /// Whether the reconstruction that is re-simulated uses path-history links.
    pub path_history: bool,
    /// Streams of the re-simulation.
    pub resim: Resim,
    /// Arriving state messages that lie.
    pub lies: Lies,
}

/// The seeds of the physical system shared by every reconstruction of it: the environment key
/// keys the network streams, and a run key derived from it keys the workload and per-message
/// draws, so that the physical run does not depend on the reconstruction's replicate.
pub fn system_seeds(master: u64, env_key: u64) -> RunSeeds {
    RunSeeds {
        master,
        env_key,
        run_key: mix64(env_key ^ hash_bytes(b"twin-physical-system")),
    }
}

/// A physical system after its run: the network, the outcome and every node's state message.
#[derive(Clone, Debug)]
pub struct Original {
    /// The network.
    pub net: Network,
    /// The run's outcome.
    pub outcome: PbftOutcome,
    /// One state message per node, in node order.
    pub messages: Vec<StateMessage>,
}

/// Runs the physical system with peer-state estimation and collects the state messages, sent
/// at the end of the workload.
pub fn run_original(
    p: &PbftParams,
    ebw: EbwDelay,
    seeds: RunSeeds,
    sim: &mut Simulator,
) -> Original {
    let net = Network::build(&p.net, seeds.master, seeds.env_key, seeds.run_key);
    sim.observe(Some(Box::new(PeerObserver::new(&net, ebw))));
    let outcome = sim.run(p, &net, seeds);
    let obs = *sim
        .take_observer()
        .expect("the observer set before the run is still there")
        .into_any()
        .downcast::<PeerObserver>()
        .expect("the observer is the PeerObserver set above");
    let heads = sim.heads();
    let messages = (0..net.node_count())
        .map(|u| StateMessage {
            node: u,
            bw_mean_mbps: net.node_bandwidths()[u as usize],
            bw_sd_mbps: net.node_bandwidth_sds()[u as usize],
            peers: net.peers(u).to_vec(),
            estimates: obs.estimates(&net, u).to_vec(),
            height: heads[u as usize].0,
            block_hash: mix64(u64::from(heads[u as usize].1) ^ 0xB10C),
            seen_links: obs.seen_links(u),
        })
        .collect();
    Original {
        net,
        outcome,
        messages,
    }
}

/// The five figures the twin paper compares.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kpis {
    /// SBS transaction latency, s.
    pub latency_sbs_s: f64,
    /// SBS throughput, transactions per s.
    pub throughput_sbs_tps: f64,
    /// Mean block time, s.
    pub block_time_mean_s: f64,
    /// SBS Gini.
    pub gini_sbs: f64,
    /// Textbook Gini.
    pub gini: f64,
}

impl Kpis {
    fn of(o: &PbftOutcome) -> Kpis {
        Kpis {
            latency_sbs_s: o.latency_sbs_s,
            throughput_sbs_tps: o.throughput_sbs_tps,
            block_time_mean_s: o.block_time_mean_s,
            gini_sbs: o.gini_sbs,
            gini: o.gini,
        }
    }
}

/// How the twin ended up knowing a true link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeStatus {
    /// Both ends reported it.
    Reported,
    /// One end was missing; the other end's peer list gave it (Fig. 5a's blue links).
    Reconstructed,
    /// Both ends were missing; path history recovered it (and the re-simulation used it).
    PathHistory,
    /// Not in the re-simulated model.
    Lost,
}

impl EdgeStatus {
    /// The name used in result columns.
    pub fn name(&self) -> &'static str {
        match self {
            EdgeStatus::Reported => "reported",
            EdgeStatus::Reconstructed => "reconstructed",
            EdgeStatus::PathHistory => "path_history",
            EdgeStatus::Lost => "lost",
        }
    }
}

/// The outcome of one reconstruction.
#[derive(Clone, Debug, PartialEq)]
pub struct TwinOutcome {
    /// Nodes whose state message was lost, ascending.
    pub missing: Vec<u32>,
    /// Nodes in the twin's model.
    pub nodes_discovered: u32,
    /// Nodes of the physical system the twin does not know exist.
    pub nodes_undiscovered: u32,
    /// Links of the physical system.
    pub edges_true: u64,
    /// Fewest links of a node of the physical system.
    pub degree_min: u32,
    /// Mean links of a node (2 links / nodes).
    pub degree_mean: f64,
    /// Most links of a node.
    pub degree_max: u32,
    /// Links in the re-simulated model.
    pub edges_model: u64,
    /// True links not in the re-simulated model.
    pub edges_lost: u64,
    /// True links whose two ends were both missing.
    pub edges_between_missing: u64,
    /// Links between missing nodes that path history recovers (whether or not it is used).
    pub edges_path_history: u64,
    /// Mean signed bandwidth error over discovered missing nodes, model - truth, MB/s.
    pub missing_bw_err_mean_mbps: f64,
    /// Mean absolute error, MB/s.
    pub missing_bw_err_abs_mbps: f64,
    /// Mean signed relative error.
    pub missing_bw_err_rel: f64,
    /// Mean absolute relative error.
    pub missing_bw_err_abs_rel: f64,
    /// Discovered missing nodes faster than every reporting peer (their estimate is capped).
    pub missing_bw_capped: u32,
    /// Mean over every node's estimate of every peer of (EBW - min of the two ends'
    /// bandwidth means), MB/s.
    pub ebw_bias_mbps: f64,
    /// Mean state-message size without path history, bytes.
    pub state_msg_bytes_mean: f64,
    /// Mean state-message size with path history, bytes.
    pub state_msg_path_bytes_mean: f64,
    /// The physical system's figures.
    pub original: Kpis,
    /// The re-simulated model's figures.
    pub model: Kpis,
    /// Blocks in the physical system's longest chain.
    pub original_blocks: u32,
    /// Blocks in the model's longest chain.
    pub model_blocks: u32,
    /// Why the model's run ended.
    pub model_stop: StopReason,
    /// Safety violations in the model's run.
    pub model_safety_violations: u64,
    /// Events of the model's run.
    pub model_events: u64,
    /// Nodes whose arriving state message lied, ascending.
    pub liars: Vec<u32>,
    /// What their lies did to the reconstruction.
    pub lied: lies::Effect,
    /// Per physical node: how the twin knows it (`None`: undiscovered).
    pub node_source: Vec<Option<NodeSource>>,
    /// Per physical node: true bandwidth mean and sd, MB/s.
    pub node_bw_true: Vec<(f64, f64)>,
    /// Per physical node: model bandwidth mean and sd (NaN when undiscovered), MB/s.
    pub node_bw_model: Vec<(f64, f64)>,
    /// Per physical node: SBS latency in the physical system and in the model (NaN), s.
    pub node_latency_s: Vec<(f64, f64)>,
    /// Every true link `(a, b)`, its bandwidth (min of the ends' means, MB/s) and status.
    pub edges: Vec<(u32, u32, f64, EdgeStatus)>,
}

fn draw_missing(m: &Missing, n: u32, master: u64, run_key: u64) -> Vec<u32> {
    match m {
        Missing::Nodes(v) => v.clone(),
        Missing::Random(k) => {
            let mut rng = stream(master, run_key, purpose::MISSING);
            let mut ids: Vec<u32> = (0..n).collect();
            for i in 0..*k as usize {
                let j = rng.random_range(i..n as usize);
                ids.swap(i, j);
            }
            let mut out = ids[..*k as usize].to_vec();
            out.sort_unstable();
            out
        }
    }
}

fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        f64::NAN
    } else {
        xs.iter().sum::<f64>() / xs.len() as f64
    }
}

/// The network the twin rebuilds from a reconstruction.
pub fn model_network(orig: &Network, r: &Reconstruction) -> Network {
    Network::from_parts(
        orig,
        &r.nodes,
        &r.model_edges(),
        r.bw_mean.clone(),
        r.bw_sd.clone(),
    )
}

/// Loses state messages, reconstructs, re-simulates and measures. `system` are the physical
/// system's seeds ([`system_seeds`]), `run_key` the reconstruction's own key.
pub fn mirror(
    tp: &TwinParams,
    orig: &Original,
    system: RunSeeds,
    run_key: u64,
    sim: &mut Simulator,
) -> TwinOutcome {
    let net = &orig.net;
    let n = net.node_count();
    let missing = draw_missing(&tp.missing, n, system.master, run_key);
    let is_missing = |u: u32| missing.binary_search(&u).is_ok();
    let arrived: Vec<&StateMessage> = orig
        .messages
        .iter()
        .filter(|m| !is_missing(m.node))
        .collect();
    let (told, liars) = lies::tell(&tp.lies, &arrived, n, system.master, run_key);
    let received: Vec<&StateMessage> = told.iter().collect();
    let rec = reconstruct(&received, tp.path_history);
    let with_path = if tp.path_history {
        rec.clone()
    } else {
        reconstruct(&received, true)
    };

    // The re-simulation.
    let mut model_net = model_network(net, &rec);
    let mut mp = tp.pbft.clone();
    mp.net.nodes = model_net.node_count();
    let seeds = match tp.resim {
        Resim::Common => system,
        Resim::Independent => RunSeeds { run_key, ..system },
    };
    if tp.resim == Resim::Independent {
        model_net.rekey_draws(system.master, run_key);
    }
    sim.observe(None);
    let model = sim.run(&mp, &model_net, seeds);

    // Nodes.
    let bw = net.node_bandwidths();
    let sds = net.node_bandwidth_sds();
    let mut node_source = vec![None; n as usize];
    let mut node_bw_model = vec![(f64::NAN, f64::NAN); n as usize];
    let mut node_latency_s: Vec<(f64, f64)> = orig
        .outcome
        .per_node
        .iter()
        .map(|x| (x.latency_sbs_s, f64::NAN))
        .collect();
    for (i, &x) in rec.nodes.iter().enumerate() {
        node_source[x as usize] = Some(rec.source[i]);
        node_bw_model[x as usize] = (rec.bw_mean[i], rec.bw_sd[i]);
        node_latency_s[x as usize].1 = model.per_node[i].latency_sbs_s;
    }
    let (mut err, mut abs, mut rel, mut abs_rel) = (vec![], vec![], vec![], vec![]);
    let mut capped = 0;
    for &x in &missing {
        if node_source[x as usize].is_none() {
            continue;
        }
        let (truth, est) = (bw[x as usize], node_bw_model[x as usize].0);
        err.push(est - truth);
        abs.push((est - truth).abs());
        rel.push((est - truth) / truth);
        abs_rel.push(((est - truth) / truth).abs());
        let fastest_reporter = net
            .peers(x)
            .iter()
            .filter(|&&p| !is_missing(p))
            .map(|&p| bw[p as usize])
            .fold(f64::NEG_INFINITY, f64::max);
        capped += u32::from(truth > fastest_reporter);
    }

    // Links.
    let true_edges = net.edges();
    let mut edges = Vec::with_capacity(true_edges.len());
    let (mut lost, mut between, mut by_path) = (0, 0, 0);
    for &(a, b) in &true_edges {
        let both = is_missing(a) && is_missing(b);
        between += u64::from(both);
        by_path += u64::from(both && with_path.edges.binary_search(&(a, b)).is_ok());
        let status = match rec.edges.binary_search(&(a, b)) {
            Ok(i) if rec.edge_from_path[i] => EdgeStatus::PathHistory,
            Ok(_) if is_missing(a) || is_missing(b) => EdgeStatus::Reconstructed,
            Ok(_) => EdgeStatus::Reported,
            Err(_) => EdgeStatus::Lost,
        };
        lost += u64::from(status == EdgeStatus::Lost);
        edges.push((a, b, bw[a as usize].min(bw[b as usize]), status));
    }

    let (bias, sizes) = estimator_figures(orig, bw);
    let (degree_min, degree_mean, degree_max) = net.degree_stats();
    TwinOutcome {
        degree_min,
        degree_mean,
        degree_max,
        nodes_discovered: rec.nodes.len() as u32,
        nodes_undiscovered: n - rec.nodes.len() as u32,
        edges_true: true_edges.len() as u64,
        edges_model: rec.edges.len() as u64,
        edges_lost: lost,
        edges_between_missing: between,
        edges_path_history: by_path,
        missing_bw_err_mean_mbps: mean(&err),
        missing_bw_err_abs_mbps: mean(&abs),
        missing_bw_err_rel: mean(&rel),
        missing_bw_err_abs_rel: mean(&abs_rel),
        missing_bw_capped: capped,
        ebw_bias_mbps: bias,
        state_msg_bytes_mean: sizes.0,
        state_msg_path_bytes_mean: sizes.1,
        lied: lies::effect(&rec, net, &liars),
        liars,
        original: Kpis::of(&orig.outcome),
        model: Kpis::of(&model),
        original_blocks: orig.outcome.blocks,
        model_blocks: model.blocks,
        model_stop: model.stop,
        model_safety_violations: model.safety_violations,
        model_events: model.events,
        node_source,
        node_bw_true: bw.iter().zip(sds).map(|(&a, &b)| (a, b)).collect(),
        node_bw_model,
        node_latency_s,
        edges,
        missing,
    }
}

/// The estimator's mean bias over every estimate in the system (EBW - min of the two ends'
/// bandwidth means, MB/s) and the mean state-message size without and with path history,
/// bytes (the true messages, before any lie).
fn estimator_figures(orig: &Original, bw: &[f64]) -> (f64, (f64, f64)) {
    let mut bias = Vec::new();
    for m in &orig.messages {
        for (&p, e) in m.peers.iter().zip(&m.estimates) {
            if e.count > 0 {
                bias.push(e.mean - bw[m.node as usize].min(bw[p as usize]));
            }
        }
    }
    let sizes = |path: bool| {
        mean(
            &orig
                .messages
                .iter()
                .map(|m| m.size_bytes(path) as f64)
                .collect::<Vec<_>>(),
        )
    };
    (mean(&bias), (sizes(false), sizes(true)))
}

/// The outcome of one block-order synchronisation run ([`sync`]).
#[derive(Clone, Debug, PartialEq)]
pub struct SyncOutcome {
    /// The PBFT run's mean block time, s.
    pub ibt_mean_s: f64,
    /// Simulated time at the end, s.
    pub end_s: f64,
    /// Blocks in the longest chain.
    pub blocks: u32,
    /// State messages sent.
    pub sent: u64,
    /// State messages that arrived.
    pub arrived: u64,
    /// Arrival order (the naive twin).
    pub naive: sync::PolicyOutcome,
    /// Algorithm 2.
    pub alg2: sync::PolicyOutcome,
    /// Events of the PBFT run.
    pub events: u64,
}

/// Runs the PBFT system, then the state messages of [`sync`] under both policies. Streams:
/// the PBFT ones, "drift" (bandwidth path) and "sync" (delays and losses), by the run key.
pub fn run_sync(
    p: &PbftParams,
    sp: &sync::SyncParams,
    seeds: RunSeeds,
    sim: &mut Simulator,
) -> SyncOutcome {
    let net = Network::build(&p.net, seeds.master, seeds.env_key, seeds.run_key);
    sim.observe(None);
    let out = sim.run(p, &net, seeds);
    let n = net.node_count();
    let commits: Vec<Vec<crate::des::Time>> = (0..n).map(|v| sim.commit_times(v)).collect();
    // The longest chain's timeline: when height h first existed anywhere.
    let top = commits.iter().map(Vec::len).max().unwrap_or(0);
    let chain: Vec<crate::des::Time> = (0..top)
        .map(|h| {
            commits
                .iter()
                .filter_map(|c| c.get(h).copied())
                .min()
                .expect("some node has height h")
        })
        .collect();
    let end = (out.end_s * crate::time::NS_PER_S_F64).round() as crate::des::Time;
    let bw = sync::BandwidthPath::new(
        net.node_bandwidths(),
        sp.drift,
        end,
        &mut stream(seeds.master, seeds.run_key, purpose::DRIFT),
    );
    let peers: Vec<Vec<u32>> = (0..n).map(|u| net.peers(u).to_vec()).collect();
    let (updates, sent) = sync::messages(
        sp,
        &commits,
        &peers,
        &bw,
        end,
        &mut stream(seeds.master, seeds.run_key, purpose::SYNC),
    );
    let replay = |policy| sync::replay(policy, &updates, n, &chain, &bw, sp.sample_every, end);
    SyncOutcome {
        ibt_mean_s: out.block_time_mean_s,
        end_s: out.end_s,
        blocks: out.blocks,
        sent,
        arrived: updates.len() as u64,
        naive: replay(sync::Policy::Arrival),
        alg2: replay(sync::Policy::BlockHeight),
        events: out.events,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{Bandwidth, Dissemination, Latency, Links, NetworkParams};
    use crate::pbft::tests::paper_a;

    fn seeds(i: u64) -> RunSeeds {
        system_seeds(42, 1000 + i)
    }

    fn twin(p: PbftParams, missing: Missing) -> TwinParams {
        TwinParams {
            lies: Lies::default(),
            pbft: p,
            missing,
            ebw_delay: EbwDelay::Transmission,
            path_history: false,
            resim: Resim::Common,
        }
    }

    #[test]
    fn sync_on_a_real_run_algorithm_2_never_goes_back_in_height() {
        let p = paper_a(10, 5, 100.0);
        let mut sim = Simulator::default();
        let sp = sync::SyncParams {
            emit: sync::Emit::EveryBlock,
            delay_mean: 2_000_000_000,
            delay_dist: sync::DelayDist::Exponential,
            loss: 0.1,
            drift: sync::Drift::Step {
                at: 10_000_000_000,
                factor: 0.5,
            },
            peer_entries: true,
            sample_every: 100_000_000,
        };
        let o = run_sync(&p, &sp, seeds(6), &mut sim);
        assert!(o.arrived < o.sent && o.arrived > o.sent / 2);
        assert_eq!(o.alg2.decisions.height_regressions, 0);
        // Delays of about four block times reorder messages: the naive twin regresses.
        assert!(o.naive.decisions.regressions > 0);
        assert!(o.naive.decisions.height_regressions > 0);
        assert!(o.alg2.decisions.ignored > 0);
        assert_eq!(
            o.naive.decisions.applied,
            o.alg2.decisions.applied + o.alg2.decisions.ignored
        );
        assert_eq!(run_sync(&p, &sp, seeds(6), &mut sim), o);
    }

    #[test]
    fn eq1_on_hand_built_messages() {
        // Three nodes in a line, 0 - 1 - 2, bandwidths 10, 20, 5 MB/s, 50 ms latency.
        let np = NetworkParams {
            nodes: 3,
            peers: 1,
            links: Links::Bidirectional,
            bandwidth: Bandwidth::PerNode,
            bandwidth_mean: 10.0,
            bandwidth_sd: 0.0,
            bandwidth_min: 1.0,
            bandwidth_draw: crate::network::BandwidthDraw::Clamped,
            latency: Latency::Constant,
            latency_constant_ns: 50_000_000,
            processing_ns: 0,
            dissemination: Dissemination::Gossip,
        };
        let template = Network::build(&np, 1, 2, 3);
        let net = Network::from_parts(
            &template,
            &[0, 1, 2],
            &[(0, 1), (1, 2)],
            vec![10.0, 20.0, 5.0],
            vec![0.0; 3],
        );
        let mut tx = PeerObserver::new(&net, EbwDelay::Transmission);
        let mut total = PeerObserver::new(&net, EbwDelay::Total);
        for (k, size) in [1.0, 0.5, 0.1].into_iter().enumerate() {
            for o in [&mut tx, &mut total] {
                o.observe_message(&net, 0, 1, size, k as u64);
                o.observe_message(&net, 2, 1, size, k as u64);
                // Not a link: ignored.
                o.observe_message(&net, 0, 2, size, k as u64);
            }
        }
        // S/D with D = size / min(bw): exactly the slower end, seen from both ends.
        for (u, i, want) in [(0, 0, 10.0), (1, 0, 10.0), (1, 1, 5.0), (2, 0, 5.0)] {
            let e = tx.estimates(&net, u)[i];
            assert_eq!(e.count, 3);
            assert!((e.mean - want).abs() < 1e-6, "{u}: {e:?}");
            assert!(e.sd() < 1e-6);
        }
        // With latency in D, small messages look slower: 1 MB at 10 MB/s + 50 ms gives
        // 1 / 0.15 = 6.67 MB/s, 0.1 MB gives 0.1 / 0.06 = 1.67 MB/s.
        let e = total.estimates(&net, 0)[0];
        let want = (1.0 / 0.15 + 0.5 / 0.1 + 0.1 / 0.06) / 3.0;
        assert!((e.mean - want).abs() < 1e-6, "{e:?}");
        assert!(e.sd() > 1.0);
    }

    #[test]
    fn gossip_estimates_equal_the_slower_end_and_paths_are_true_links() {
        let p = paper_a(10, 5, 100.0);
        let mut sim = Simulator::default();
        let o = run_original(&p, EbwDelay::Transmission, seeds(1), &mut sim);
        let bw = o.net.node_bandwidths();
        let truth = o.net.edges();
        for m in &o.messages {
            assert_eq!(m.peers, o.net.peers(m.node));
            for (&q, e) in m.peers.iter().zip(&m.estimates) {
                assert!(e.count > 0);
                let want = bw[m.node as usize].min(bw[q as usize]);
                assert!((e.mean - want).abs() < 1e-4 * want, "{} {q}: {e:?}", m.node);
            }
            assert!(!m.seen_links.is_empty());
            assert!(m.seen_links.iter().all(|l| truth.binary_search(l).is_ok()));
            assert_eq!(m.height, o.outcome.per_node[m.node as usize].blocks);
        }
    }

    #[test]
    fn nothing_lost_rebuilds_the_network_and_re_simulates_identically() {
        for (i, bandwidth) in [Bandwidth::PerNode, Bandwidth::PerNodeJitter { cv: 0.1 }]
            .into_iter()
            .enumerate()
        {
            let mut p = paper_a(10, 5, 100.0);
            p.net.bandwidth = bandwidth;
            let mut sim = Simulator::default();
            let sys = seeds(10 + i as u64);
            let o = run_original(&p, EbwDelay::Transmission, sys, &mut sim);
            // Observation does not change the run.
            let plain = sim.run(&p, &o.net, sys);
            assert_eq!(plain, o.outcome);
            let all: Vec<&StateMessage> = o.messages.iter().collect();
            let r = reconstruct(&all, false);
            assert_eq!(model_network(&o.net, &r), o.net);
            let t = mirror(&twin(p, Missing::Random(0)), &o, sys, 7, &mut sim);
            assert_eq!(t.model, t.original);
            assert_eq!(t.edges_lost, 0);
            assert_eq!(t.nodes_undiscovered, 0);
        }
    }

    #[test]
    fn reconstructions_lose_what_algorithm_1_says_and_stay_safe() {
        let p = paper_a(50, 10, 50.0);
        let mut sim = Simulator::default();
        let sys = seeds(3);
        let o = run_original(&p, EbwDelay::Transmission, sys, &mut sim);
        let bw = o.net.node_bandwidths().to_vec();
        for (k, m) in [3u32, 12, 20].into_iter().enumerate() {
            let t = mirror(
                &twin(p.clone(), Missing::Random(m)),
                &o,
                sys,
                k as u64,
                &mut sim,
            );
            assert_eq!(t.missing.len(), m as usize);
            // Only links between two missing nodes are lost, and path history can only help.
            assert_eq!(t.edges_lost, t.edges_between_missing);
            assert!(t.edges_path_history <= t.edges_between_missing);
            // Estimates never exceed the truth under per-node bandwidth, and are exact unless
            // capped by a slower reporting peer.
            for &x in &t.missing {
                let (est, _) = t.node_bw_model[x as usize];
                if est.is_nan() {
                    continue;
                }
                assert!(est <= bw[x as usize] * (1.0 + 1e-6), "{x}");
            }
            assert!(t.missing_bw_err_mean_mbps <= 1e-6);
            if t.missing_bw_capped == 0 {
                assert!(t.missing_bw_err_abs_mbps < 1e-3);
            }
            assert_eq!(t.model_safety_violations, 0);
            assert_eq!(t.model_stop, StopReason::Txs);
            assert_eq!(t.original, Kpis::of(&o.outcome));
        }
    }

    #[test]
    fn named_missing_nodes_and_path_history() {
        let p = paper_a(10, 5, 100.0);
        let mut sim = Simulator::default();
        let sys = seeds(4);
        let o = run_original(&p, EbwDelay::Transmission, sys, &mut sim);
        // Lose both ends of one link.
        let (a, b) = o.net.edges()[0];
        let mut tp = twin(p, Missing::Nodes(vec![a, b]));
        let t = mirror(&tp, &o, sys, 0, &mut sim);
        assert_eq!(t.missing, vec![a, b]);
        assert_eq!(t.edges_between_missing, 1);
        assert_eq!(t.edges_lost, 1);
        // Without path history the model lacks that one link; with it, some gossip message
        // crossed the link and a reporting node saw its path, so the link comes back and the
        // model has every true link.
        assert_eq!(t.edges_model, t.edges_true - 1);
        tp.path_history = true;
        let t2 = mirror(&tp, &o, sys, 0, &mut sim);
        assert_eq!((t2.edges_path_history, t2.edges_lost), (1, 0));
        assert_eq!(t2.edges_model, t2.edges_true);
        // What path history would recover is reported whether or not it is on.
        assert_eq!(t.edges_path_history, 1);
    }

    #[test]
    fn the_same_reconstruction_is_reproducible_and_independent_streams_differ() {
        // Per-message jitter, so that the re-simulation has draws to share or not.
        let mut p = paper_a(10, 5, 100.0);
        p.net.bandwidth = Bandwidth::PerNodeJitter { cv: 0.1 };
        let mut sim = Simulator::default();
        let sys = seeds(5);
        let o = run_original(&p, EbwDelay::Transmission, sys, &mut sim);
        let mut tp = twin(p, Missing::Random(3));
        let a = mirror(&tp, &o, sys, 9, &mut sim);
        let b = mirror(&tp, &o, sys, 9, &mut sim);
        assert_eq!(a, b);
        tp.resim = Resim::Independent;
        let c = mirror(&tp, &o, sys, 9, &mut sim);
        assert_eq!(c.missing, a.missing);
        assert_ne!(c.model, a.model);
    }
}

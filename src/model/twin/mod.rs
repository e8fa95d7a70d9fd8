//! The `twin` family: digital-twin state extraction. A PBFT system runs once per physical
//! system; each replicate loses some nodes' state messages, reconstructs the system
//! (Algorithm 1) and re-simulates it. One row per reconstruction, with per-node and per-link
//! values as list columns. Its core is [`crate::twin`].
#![doc = include_str!("README.md")]

mod figures;

use super::{Configured, Declaration, RunOutput, Workspace, f, u};
use crate::des::{Budget, Memory};
use crate::model::pbft;
use crate::pbft::PbftParams;
use crate::rng::RunSeeds;
use crate::schema::param::{Choice, Kind, ParamDef, ParamError, Value};
use crate::schema::{Cell, ColumnType, Metric, metric_defs, metric_row};
use crate::twin::estimate::EbwDelay;
use crate::twin::lies::{Lie, Lies};
use crate::twin::{self, Missing, Resim, TwinOutcome, TwinParams};
use crate::{choice_names, param_table};
use std::sync::LazyLock;

/// Version of the family's semantics.
const VERSION: &str = "twin-v1";

choice_names!(EbwDelay {
    Transmission = "transmission",
    Total = "total",
});
choice_names!(Resim {
    Common = "common",
    Independent = "independent",
});
choice_names!(Lie {
    Bandwidth = "bandwidth",
    Peers = "peers",
});

param_table! {
    /// The twin's own parameters (after the PBFT ones), typed.
    pub struct Values in OWN_PARAMS {
        system: i64 {
            column: "system",
            kind: Kind::Int {
            min: 0,
            max: 1_000_000,
        },
            default: "0",
            environment: true,
            doc: "index of the physical system; every replicate (reconstruction) of a parameter point shares it, so sweep `system` for several physical systems",
        },
        missing: u32 {
            column: "missing",
            kind: Kind::Int {
            min: 0,
            max: 100_000,
        },
            default: "3",
            environment: false,
            doc: "state messages lost: a random `missing` of the n nodes per reconstruction (at most n; equal to the count of missing_nodes when that is given)",
        },
        missing_nodes: Vec<u32> {
            column: "missing_nodes",
            kind: Kind::NodeList,
            default: "",
            environment: false,
            doc: "lose these nodes' messages instead of a random set, e.g. \"5, 7, 9\" (0-based ids)",
        },
        ebw_delay: EbwDelay {
            column: "ebw_delay",
            kind: Kind::Choice(<EbwDelay as Choice>::NAMES),
            default: "transmission",
            environment: false,
            doc: "D(m) of Eq. 1: transmission delay size/bandwidth (the paper), or the total delay including latency (shows its bias)",
        },
        path_history: bool {
            column: "path_history",
            kind: Kind::Bool,
            default: "false",
            environment: false,
            doc: "gossip messages carry their path; the twin adds the links nodes saw to the re-simulated model (Section V-A's extension)",
        },
        resim: Resim {
            column: "resim",
            kind: Kind::Choice(<Resim as Choice>::NAMES),
            default: "common",
            environment: false,
            doc: "re-simulate with the physical system's streams (common random numbers: the difference is model error) or with the reconstruction's own",
        },
        liars: u32 {
            column: "liars",
            kind: Kind::Int {
            min: 0,
            max: 100_000,
        },
            default: "0",
            environment: false,
            doc: "state messages that arrive and lie, drawn per reconstruction from the \"liars\" stream (at most nodes - missing)",
            added_in: Some("twin-v1"),
        },
        lie: Lie {
            column: "lie",
            kind: Kind::Choice(<Lie as Choice>::NAMES),
            default: "bandwidth",
            environment: false,
            doc: "what a lying state message says: bandwidth (its own distribution and every peer estimate times lie_factor) or peers (as many false peers as it has true ones, with its estimates)",
            added_in: Some("twin-v1"),
        },
        lie_factor: f64 {
            column: "lie_factor",
            kind: Kind::Float { min: 1e-6, max: 1e6 },
            default: "10",
            environment: false,
            doc: "what a liar about bandwidth multiplies its figures by (above 1: a faster network claimed)",
            added_in: Some("twin-v1"),
        },
    }
}

static PARAMS: LazyLock<Vec<ParamDef>> =
    LazyLock::new(|| pbft::extended_by(OWN_PARAMS));

fn resolve(v: &[Value]) -> Result<TwinParams, ParamError> {
    let (base, own) = v.split_at(pbft::PARAMS.len());
    let pbft = pbft::resolve_extended(base)?;
    let p = Values::read(own);
    let n = pbft.net.nodes;
    if pbft.net.links == crate::network::Links::Directed {
        return Err(ParamError {
            key: pbft::key::links,
            allowed: "\"bidirectional\" or \"exact\" for the twin model (Algorithm 1 rebuilds two-way links from peer lists)".into(),
        });
    }
    if pbft.crash_nodes != 0 {
        return Err(ParamError {
            key: pbft::key::crash_nodes,
            allowed: "0 for the twin model (its faults are the lost state messages)".into(),
        });
    }
    let count = p.missing;
    if count > n {
        return Err(ParamError {
            key: key::missing,
            allowed: format!("at most nodes = {n}"),
        });
    }
    let named = p.missing_nodes;
    let missing = if named.is_empty() {
        Missing::Random(count)
    } else {
        if let Some(&bad) = named.iter().find(|&&x| x >= n) {
            return Err(ParamError {
                key: key::missing_nodes,
                allowed: format!("node ids below nodes = {n} (got {bad})"),
            });
        }
        if named.len() as u32 != count {
            return Err(ParamError {
                key: key::missing,
                allowed: format!(
                    "{} (the number of ids in missing_nodes) when missing_nodes is given",
                    named.len()
                ),
            });
        }
        Missing::Nodes(named)
    };
    if p.liars > n - count {
        return Err(ParamError {
            key: key::liars,
            allowed: format!("at most nodes - missing = {} (only arriving messages lie)", n - count),
        });
    }
    Ok(TwinParams {
        lies: Lies {
            nodes: p.liars,
            lie: p.lie,
            factor: p.lie_factor,
        },
        pbft,
        missing,
        ebw_delay: p.ebw_delay,
        path_history: p.path_history,
        resim: p.resim,
    })
}

/// The last physical system a thread's twin runs used, with what identifies it. A physical
/// system is a pure function of these, so reusing it changes no result.
#[derive(Default)]
struct SystemCache(Option<(PbftParams, EbwDelay, RunSeeds, twin::Original)>);

impl Configured for TwinParams {
    fn check_cost(&self, budget: &Budget) -> Result<(), ParamError> {
        pbft::check_cost(&self.pbft, budget)
    }

    fn memory(&self, explain: bool) -> Memory {
        pbft::memory(&self.pbft, explain)
    }

    fn shown(&self, values: &mut [Value]) {
        pbft::show_switches(&self.pbft, &mut values[..pbft::PARAMS.len()]);
    }

    fn run(&self, seeds: RunSeeds, ws: &mut Workspace) -> RunOutput {
        let system = twin::system_seeds(seeds.master, seeds.env_key);
        let mut cache = std::mem::take(ws.slot::<SystemCache>());
        let out = pbft::bounded(ws, |sim| {
            let hit = cache.0.as_ref().is_some_and(|(p, e, s, _)| {
                *p == self.pbft && *e == self.ebw_delay && *s == system
            });
            if !hit {
                let o = twin::run_original(&self.pbft, self.ebw_delay, system, sim);
                if sim.budget_spent.is_some() {
                    // A system cut short by its budget is never reused as a whole one.
                    cache.0 = None;
                    return RunOutput::ok(0, Vec::new());
                }
                cache.0 = Some((self.pbft.clone(), self.ebw_delay, system, o));
            }
            let (_, _, _, orig) = cache.0.as_ref().expect("set above");
            let o = twin::mirror(self, orig, system, seeds.run_key, sim);
            // Only the re-simulation's events: whether this worker ran the physical system
            // depends on scheduling, and rows must not.
            RunOutput::ok(o.model_events, metric_row(&[METRICS], &o))
        });
        *ws.slot::<SystemCache>() = cache;
        out
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The twin's metric columns, each with how it is read from the reconstruction's outcome.
static METRICS: &[Metric<TwinOutcome>] = &[
    Metric {
        name: "missing_ids",
        label: "missing nodes",
        ty: ColumnType::Str,
        unit: "",
        doc: "Nodes whose state message was lost, ascending, comma-separated.",
        read: |o: &TwinOutcome| {
            Cell::S(
                o.missing
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            )
        },
    },
    Metric {
        name: "nodes_discovered",
        label: "nodes discovered",
        ty: ColumnType::U32,
        unit: "",
        doc: "Nodes in the twin's model (senders, nodes named in a received peer list, and with path history the ends of seen links).",
        read: |o: &TwinOutcome| u(o.nodes_discovered.into()),
    },
    Metric {
        name: "nodes_undiscovered",
        label: "nodes undiscovered",
        ty: ColumnType::U32,
        unit: "",
        doc: "Nodes the twin does not know exist (missing, and every peer missing).",
        read: |o: &TwinOutcome| u(o.nodes_undiscovered.into()),
    },
    Metric {
        name: "edges_true",
        label: "links (original)",
        ty: ColumnType::U64,
        unit: "",
        doc: "Links of the physical system.",
        read: |o: &TwinOutcome| u(o.edges_true),
    },
    Metric {
        name: "degree_min",
        label: "fewest links of a node",
        ty: ColumnType::U32,
        unit: "",
        doc: "Fewest two-way links of a node of the physical system (at least peers).",
        read: |o: &TwinOutcome| u(o.degree_min.into()),
    },
    Metric {
        name: "degree_mean",
        label: "mean links of a node",
        ty: ColumnType::F64,
        unit: "",
        doc: "Mean two-way links of a node (2 edges_true / nodes): about 2 peers - peers^2 / (nodes - 1) under links = \"bidirectional\" (paper A's picks), exactly peers under \"exact\".",
        read: |o: &TwinOutcome| Cell::F(o.degree_mean),
    },
    Metric {
        name: "degree_max",
        label: "most links of a node",
        ty: ColumnType::U32,
        unit: "",
        doc: "Most two-way links of a node.",
        read: |o: &TwinOutcome| u(o.degree_max.into()),
    },
    Metric {
        name: "edges_model",
        label: "links (model)",
        ty: ColumnType::U64,
        unit: "",
        doc: "Links in the re-simulated model.",
        read: |o: &TwinOutcome| u(o.edges_model),
    },
    Metric {
        name: "edges_lost",
        label: "links lost",
        ty: ColumnType::U64,
        unit: "",
        doc: "True links not in the re-simulated model.",
        read: |o: &TwinOutcome| u(o.edges_lost),
    },
    Metric {
        name: "edges_between_missing",
        label: "links between missing nodes",
        ty: ColumnType::U64,
        unit: "",
        doc: "True links whose two ends were both missing (Algorithm 1 alone loses exactly these).",
        read: |o: &TwinOutcome| u(o.edges_between_missing),
    },
    Metric {
        name: "edges_path_history",
        label: "links restored by path history",
        ty: ColumnType::U64,
        unit: "",
        doc: "Of those, links path history recovers (reported whether or not path_history is on).",
        read: |o: &TwinOutcome| u(o.edges_path_history),
    },
    Metric {
        name: "missing_bw_err_mean_mbps",
        label: "bandwidth error of missing nodes",
        ty: ColumnType::F64,
        unit: "MB/s",
        doc: "Mean over discovered missing nodes of (model - true) bandwidth mean.",
        read: |o: &TwinOutcome| f(o.missing_bw_err_mean_mbps),
    },
    Metric {
        name: "missing_bw_err_abs_mbps",
        label: "absolute bandwidth error of missing nodes",
        ty: ColumnType::F64,
        unit: "MB/s",
        doc: "Mean absolute bandwidth error over discovered missing nodes.",
        read: |o: &TwinOutcome| f(o.missing_bw_err_abs_mbps),
    },
    Metric {
        name: "missing_bw_err_rel",
        label: "relative bandwidth error of missing nodes",
        ty: ColumnType::F64,
        unit: "",
        doc: "Mean relative error (model - true) / true over discovered missing nodes.",
        read: |o: &TwinOutcome| f(o.missing_bw_err_rel),
    },
    Metric {
        name: "missing_bw_err_abs_rel",
        label: "absolute relative bandwidth error of missing nodes",
        ty: ColumnType::F64,
        unit: "",
        doc: "Mean absolute relative error over discovered missing nodes.",
        read: |o: &TwinOutcome| f(o.missing_bw_err_abs_rel),
    },
    Metric {
        name: "liar_ids",
        label: "lying nodes",
        ty: ColumnType::Str,
        unit: "",
        doc: "Nodes whose arriving state message lied, ascending, comma-separated.",
        read: |o: &TwinOutcome| {
            Cell::S(
                o.liars
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            )
        },
    },
    Metric {
        name: "nodes_misled",
        label: "nodes misled by a liar",
        ty: ColumnType::U32,
        unit: "",
        doc: "Discovered nodes whose model bandwidth comes from a lying message: the liars themselves and missing nodes whose largest estimate was a liar's (at most the liars plus the missing nodes they name).",
        read: |o: &TwinOutcome| u(o.lied.nodes_misled.into()),
    },
    Metric {
        name: "edges_false",
        label: "false links in the model",
        ty: ColumnType::U64,
        unit: "",
        doc: "Model links that are not links of the system (only a liar about peers makes them).",
        read: |o: &TwinOutcome| u(o.lied.edges_false),
    },
    Metric {
        name: "bw_err_abs_mbps",
        label: "bandwidth error over discovered nodes",
        ty: ColumnType::F64,
        unit: "MB/s",
        doc: "Mean over every discovered node (reported or not) of |model - true| bandwidth mean.",
        read: |o: &TwinOutcome| f(o.lied.bw_err_abs_mbps),
    },
    Metric {
        name: "missing_bw_capped",
        label: "missing nodes with a capped estimate",
        ty: ColumnType::U32,
        unit: "",
        doc: "Discovered missing nodes faster than every peer that reported (their estimate is capped by a slower link).",
        read: |o: &TwinOutcome| u(o.missing_bw_capped.into()),
    },
    Metric {
        name: "ebw_bias_mbps",
        label: "estimated bandwidth bias",
        ty: ColumnType::F64,
        unit: "MB/s",
        doc: "Mean over every node's estimate of every peer of EBW - min(the two ends' bandwidth means): 0 under per_node bandwidth with ebw_delay = transmission.",
        read: |o: &TwinOutcome| f(o.ebw_bias_mbps),
    },
    Metric {
        name: "state_msg_bytes_mean",
        label: "state message size",
        ty: ColumnType::F64,
        unit: "B",
        doc: "Mean size of a state message: id, own distribution, height, 32-byte block hash, and id + count + mean + sd per peer.",
        read: |o: &TwinOutcome| f(o.state_msg_bytes_mean),
    },
    Metric {
        name: "state_msg_path_bytes_mean",
        label: "state message size with path history",
        ty: ColumnType::F64,
        unit: "B",
        doc: "The same with the path-history links (8 bytes each).",
        read: |o: &TwinOutcome| f(o.state_msg_path_bytes_mean),
    },
    Metric {
        name: "orig_latency_sbs_s",
        label: "original: mean transaction latency (SBS)",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Physical system: SBS transaction latency (see the pbft model).",
        read: |o: &TwinOutcome| f(o.original.latency_sbs_s),
    },
    Metric {
        name: "orig_throughput_sbs_tps",
        label: "original: throughput (SBS)",
        ty: ColumnType::F64,
        unit: "1/s",
        doc: "Physical system: SBS throughput.",
        read: |o: &TwinOutcome| f(o.original.throughput_sbs_tps),
    },
    Metric {
        name: "orig_block_time_mean_s",
        label: "original: mean time between blocks",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Physical system: mean block time.",
        read: |o: &TwinOutcome| f(o.original.block_time_mean_s),
    },
    Metric {
        name: "orig_gini_sbs",
        label: "original: Gini of proposers (SBS)",
        ty: ColumnType::F64,
        unit: "",
        doc: "Physical system: SBS Gini of block proposers.",
        read: |o: &TwinOutcome| f(o.original.gini_sbs),
    },
    Metric {
        name: "orig_gini",
        label: "original: Gini of proposers",
        ty: ColumnType::F64,
        unit: "",
        doc: "Physical system: textbook Gini of block proposers.",
        read: |o: &TwinOutcome| f(o.original.gini),
    },
    Metric {
        name: "model_latency_sbs_s",
        label: "model: mean transaction latency (SBS)",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Re-simulated model: SBS transaction latency.",
        read: |o: &TwinOutcome| f(o.model.latency_sbs_s),
    },
    Metric {
        name: "model_throughput_sbs_tps",
        label: "model: throughput (SBS)",
        ty: ColumnType::F64,
        unit: "1/s",
        doc: "Re-simulated model: SBS throughput.",
        read: |o: &TwinOutcome| f(o.model.throughput_sbs_tps),
    },
    Metric {
        name: "model_block_time_mean_s",
        label: "model: mean time between blocks",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Re-simulated model: mean block time.",
        read: |o: &TwinOutcome| f(o.model.block_time_mean_s),
    },
    Metric {
        name: "model_gini_sbs",
        label: "model: Gini of proposers (SBS)",
        ty: ColumnType::F64,
        unit: "",
        doc: "Re-simulated model: SBS Gini.",
        read: |o: &TwinOutcome| f(o.model.gini_sbs),
    },
    Metric {
        name: "model_gini",
        label: "model: Gini of proposers",
        ty: ColumnType::F64,
        unit: "",
        doc: "Re-simulated model: textbook Gini.",
        read: |o: &TwinOutcome| f(o.model.gini),
    },
    Metric {
        name: "diff_latency_sbs_s",
        label: "latency, model - original",
        ty: ColumnType::F64,
        unit: "s",
        doc: "model_latency_sbs_s - orig_latency_sbs_s.",
        read: |o: &TwinOutcome| f(o.model.latency_sbs_s - o.original.latency_sbs_s),
    },
    Metric {
        name: "diff_throughput_sbs_tps",
        label: "throughput, model - original",
        ty: ColumnType::F64,
        unit: "1/s",
        doc: "model_throughput_sbs_tps - orig_throughput_sbs_tps.",
        read: |o: &TwinOutcome| f(o.model.throughput_sbs_tps - o.original.throughput_sbs_tps),
    },
    Metric {
        name: "diff_block_time_mean_s",
        label: "time between blocks, model - original",
        ty: ColumnType::F64,
        unit: "s",
        doc: "model_block_time_mean_s - orig_block_time_mean_s.",
        read: |o: &TwinOutcome| f(o.model.block_time_mean_s - o.original.block_time_mean_s),
    },
    Metric {
        name: "diff_gini_sbs",
        label: "Gini (SBS), model - original",
        ty: ColumnType::F64,
        unit: "",
        doc: "model_gini_sbs - orig_gini_sbs.",
        read: |o: &TwinOutcome| f(o.model.gini_sbs - o.original.gini_sbs),
    },
    Metric {
        name: "diff_gini",
        label: "Gini, model - original",
        ty: ColumnType::F64,
        unit: "",
        doc: "model_gini - orig_gini.",
        read: |o: &TwinOutcome| f(o.model.gini - o.original.gini),
    },
    Metric {
        name: "orig_blocks",
        label: "original: blocks",
        ty: ColumnType::U32,
        unit: "",
        doc: "Blocks in the physical system's longest chain.",
        read: |o: &TwinOutcome| u(o.original_blocks.into()),
    },
    Metric {
        name: "model_blocks",
        label: "model: blocks",
        ty: ColumnType::U32,
        unit: "",
        doc: "Blocks in the model's longest chain.",
        read: |o: &TwinOutcome| u(o.model_blocks.into()),
    },
    Metric {
        name: "model_stop_reason",
        label: "model: stop reason",
        ty: ColumnType::Str,
        unit: "",
        doc: "Why the model's run ended: txs, duration or idle.",
        read: |o: &TwinOutcome| Cell::S(o.model_stop.name().into()),
    },
    Metric {
        name: "model_safety_violations",
        label: "model: safety violations",
        ty: ColumnType::U64,
        unit: "",
        doc: "Heights at which two model nodes committed different blocks (0).",
        read: |o: &TwinOutcome| u(o.model_safety_violations),
    },
    Metric {
        name: "node_state",
        label: "node state",
        ty: ColumnType::ListStr,
        unit: "",
        doc: "Per physical node (list index = node id): reported, estimated, path_only or undiscovered.",
        read: |o: &TwinOutcome| {
            Cell::LS(
                o.node_source
                    .iter()
                    .map(|s| s.map_or("undiscovered", |s| s.name()).to_string())
                    .collect(),
            )
        },
    },
    Metric {
        name: "node_bw_true_mbps",
        label: "node bandwidth (true)",
        ty: ColumnType::ListF64,
        unit: "MB/s",
        doc: "Per node: true bandwidth mean.",
        read: |o: &TwinOutcome| Cell::LF(o.node_bw_true.iter().map(|x| x.0).collect()),
    },
    Metric {
        name: "node_bw_true_sd_mbps",
        label: "node bandwidth sd (true)",
        ty: ColumnType::ListF64,
        unit: "MB/s",
        doc: "Per node: true bandwidth standard deviation (0 unless per_node_jitter).",
        read: |o: &TwinOutcome| Cell::LF(o.node_bw_true.iter().map(|x| x.1).collect()),
    },
    Metric {
        name: "node_bw_model_mbps",
        label: "node bandwidth (model)",
        ty: ColumnType::ListF64,
        unit: "MB/s",
        doc: "Per node: the model's bandwidth mean (NaN when undiscovered).",
        read: |o: &TwinOutcome| Cell::LF(o.node_bw_model.iter().map(|x| x.0).collect()),
    },
    Metric {
        name: "node_bw_model_sd_mbps",
        label: "node bandwidth sd (model)",
        ty: ColumnType::ListF64,
        unit: "MB/s",
        doc: "Per node: the model's bandwidth sd (an estimate's sd for estimated nodes; NaN when undiscovered).",
        read: |o: &TwinOutcome| Cell::LF(o.node_bw_model.iter().map(|x| x.1).collect()),
    },
    Metric {
        name: "node_latency_orig_s",
        label: "node latency (original)",
        ty: ColumnType::ListF64,
        unit: "s",
        doc: "Per node: SBS latency in the physical system.",
        read: |o: &TwinOutcome| Cell::LF(o.node_latency_s.iter().map(|x| x.0).collect()),
    },
    Metric {
        name: "node_latency_model_s",
        label: "node latency (model)",
        ty: ColumnType::ListF64,
        unit: "s",
        doc: "Per node: SBS latency in the model (NaN when undiscovered).",
        read: |o: &TwinOutcome| Cell::LF(o.node_latency_s.iter().map(|x| x.1).collect()),
    },
    Metric {
        name: "edge_a",
        label: "link end a",
        ty: ColumnType::ListU32,
        unit: "",
        doc: "Per true link: the lower end.",
        read: |o: &TwinOutcome| Cell::LU(o.edges.iter().map(|e| e.0).collect()),
    },
    Metric {
        name: "edge_b",
        label: "link end b",
        ty: ColumnType::ListU32,
        unit: "",
        doc: "Per true link: the higher end.",
        read: |o: &TwinOutcome| Cell::LU(o.edges.iter().map(|e| e.1).collect()),
    },
    Metric {
        name: "edge_bw_mbps",
        label: "link bandwidth",
        ty: ColumnType::ListF64,
        unit: "MB/s",
        doc: "Per true link: its bandwidth, the slower end's mean (Fig. 5a's edge label).",
        read: |o: &TwinOutcome| Cell::LF(o.edges.iter().map(|e| e.2).collect()),
    },
    Metric {
        name: "edge_status",
        label: "link status",
        ty: ColumnType::ListStr,
        unit: "",
        doc: "Per true link: reported (both ends reported it), reconstructed (one end missing, the other's peer list gave it), path_history (both missing, recovered from path history), or lost.",
        read: |o: &TwinOutcome| Cell::LS(o.edges.iter().map(|e| e.3.name().to_string()).collect()),
    },
];


/// The family, as the registry lists it.
pub static FAMILY: Declaration<TwinParams> = Declaration {
    name: "twin",
    summary: "Digital-twin state extraction: reconstruction of a PBFT system from its nodes\' state messages (Algorithm 1), and re-simulation.",
    notes: include_str!("README.md"),
    version: VERSION,
    params: || &PARAMS,
    parent: Some("pbft"),
    metrics: || metric_defs(&[METRICS]),
    details: &[],
    replicates_share_environment: true,
    resolve,
    figures: Some(figures::twin),
};

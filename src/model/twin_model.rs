//! The twin models. `twin`: the PBFT model's parameters, then the twin's own; one row per
//! reconstruction, with per-node and per-link values as list columns. `twin_sync`: the PBFT
//! model's parameters, then the synchronisation experiment's; one row per run, both policies.

use super::{PBFT_PARAMS, resolve_pbft};
use crate::pbft::PbftParams;
use crate::schema::param::{Kind, ParamDef, ParamError, Value};
use crate::schema::{Cell, ColumnType as T, MetricDef};
use crate::twin::estimate::EbwDelay;
use crate::twin::sync::{DelayDist, Drift, Emit, SyncParams};
use crate::twin::{Missing, Resim, SyncOutcome, TwinOutcome, TwinParams};
use std::sync::OnceLock;

pub(super) const TWIN_VERSION: &str = "twin-v1";

static TWIN_OWN_PARAMS: &[ParamDef] = &[
    ParamDef {
        key: "system",
        column: "system",
        kind: Kind::Int {
            min: 0,
            max: 1_000_000,
        },
        default: "0",
        environment: true,
        doc: "index of the physical system; every replicate (reconstruction) of a parameter point shares it, so sweep `system` for several physical systems",
    },
    ParamDef {
        key: "missing",
        column: "missing",
        kind: Kind::Int {
            min: 0,
            max: 100_000,
        },
        default: "3",
        environment: false,
        doc: "state messages lost: a random `missing` of the n nodes per reconstruction (at most n; equal to the count of missing_nodes when that is given)",
    },
    ParamDef {
        key: "missing_nodes",
        column: "missing_nodes",
        kind: Kind::NodeList,
        default: "",
        environment: false,
        doc: "lose these nodes' messages instead of a random set, e.g. \"5, 7, 9\" (0-based ids)",
    },
    ParamDef {
        key: "ebw_delay",
        column: "ebw_delay",
        kind: Kind::Choice(&["transmission", "total"]),
        default: "transmission",
        environment: false,
        doc: "D(m) of Eq. 1: transmission delay size/bandwidth (the paper), or the total delay including latency (shows its bias)",
    },
    ParamDef {
        key: "path_history",
        column: "path_history",
        kind: Kind::Bool,
        default: "false",
        environment: false,
        doc: "gossip messages carry their path; the twin adds the links nodes saw to the re-simulated model (Section V-A's extension)",
    },
    ParamDef {
        key: "resim",
        column: "resim",
        kind: Kind::Choice(&["common", "independent"]),
        default: "common",
        environment: false,
        doc: "re-simulate with the physical system's streams (common random numbers: the difference is model error) or with the reconstruction's own",
    },
];

/// The PBFT parameters, then the twin's own.
pub(super) fn twin_params() -> &'static [ParamDef] {
    static ALL: OnceLock<Vec<ParamDef>> = OnceLock::new();
    ALL.get_or_init(|| PBFT_PARAMS.iter().chain(TWIN_OWN_PARAMS).copied().collect())
}

pub(super) fn resolve_twin(v: &[Value]) -> Result<TwinParams, ParamError> {
    let pbft = resolve_pbft(&v[..PBFT_PARAMS.len()])?;
    let own = &v[PBFT_PARAMS.len()..];
    let get = |key: &str| super::param(TWIN_OWN_PARAMS, own, key);
    let n = pbft.net.nodes;
    if pbft.net.links != crate::network::Links::Bidirectional {
        return Err(ParamError {
            key: "links",
            allowed: "\"bidirectional\" for the twin model (Algorithm 1 rebuilds two-way links from peer lists)".into(),
        });
    }
    if pbft.crash_nodes != 0 {
        return Err(ParamError {
            key: "crash_nodes",
            allowed: "0 for the twin model (its faults are the lost state messages)".into(),
        });
    }
    let count = get("missing").as_int() as u32;
    if count > n {
        return Err(ParamError {
            key: "missing",
            allowed: format!("at most nodes = {n}"),
        });
    }
    let named = Kind::node_ids(get("missing_nodes").as_str()).expect("validated list");
    let missing = if named.is_empty() {
        Missing::Random(count)
    } else {
        if let Some(&bad) = named.iter().find(|&&x| x >= n) {
            return Err(ParamError {
                key: "missing_nodes",
                allowed: format!("node ids below nodes = {n} (got {bad})"),
            });
        }
        if named.len() as u32 != count {
            return Err(ParamError {
                key: "missing",
                allowed: format!(
                    "{} (the number of ids in missing_nodes) when missing_nodes is given",
                    named.len()
                ),
            });
        }
        Missing::Nodes(named)
    };
    Ok(TwinParams {
        pbft,
        missing,
        ebw_delay: match get("ebw_delay").as_str() {
            "total" => EbwDelay::Total,
            _ => EbwDelay::Transmission,
        },
        path_history: get("path_history").as_bool(),
        resim: match get("resim").as_str() {
            "independent" => Resim::Independent,
            _ => Resim::Common,
        },
    })
}

pub(super) static TWIN_METRICS: &[MetricDef] = &[
    metric!(
        "missing_ids",
        T::Str,
        "",
        "Nodes whose state message was lost, ascending, comma-separated."
    ),
    metric!(
        "nodes_discovered",
        T::U32,
        "",
        "Nodes in the twin's model (senders, nodes named in a received peer list, and with path history the ends of seen links)."
    ),
    metric!(
        "nodes_undiscovered",
        T::U32,
        "",
        "Nodes the twin does not know exist (missing, and every peer missing)."
    ),
    metric!("edges_true", T::U64, "", "Links of the physical system."),
    metric!(
        "edges_model",
        T::U64,
        "",
        "Links in the re-simulated model."
    ),
    metric!(
        "edges_lost",
        T::U64,
        "",
        "True links not in the re-simulated model."
    ),
    metric!(
        "edges_between_missing",
        T::U64,
        "",
        "True links whose two ends were both missing (Algorithm 1 alone loses exactly these)."
    ),
    metric!(
        "edges_path_history",
        T::U64,
        "",
        "Of those, links path history recovers (reported whether or not path_history is on)."
    ),
    metric!(
        "missing_bw_err_mean_mbps",
        T::F64,
        "MB/s",
        "Mean over discovered missing nodes of (model - true) bandwidth mean."
    ),
    metric!(
        "missing_bw_err_abs_mbps",
        T::F64,
        "MB/s",
        "Mean absolute bandwidth error over discovered missing nodes."
    ),
    metric!(
        "missing_bw_err_rel",
        T::F64,
        "",
        "Mean relative error (model - true) / true over discovered missing nodes."
    ),
    metric!(
        "missing_bw_err_abs_rel",
        T::F64,
        "",
        "Mean absolute relative error over discovered missing nodes."
    ),
    metric!(
        "missing_bw_capped",
        T::U32,
        "",
        "Discovered missing nodes faster than every peer that reported (their estimate is capped by a slower link)."
    ),
    metric!(
        "ebw_bias_mbps",
        T::F64,
        "MB/s",
        "Mean over every node's estimate of every peer of EBW - min(the two ends' bandwidth means): 0 under per_node bandwidth with ebw_delay = transmission."
    ),
    metric!(
        "state_msg_bytes_mean",
        T::F64,
        "B",
        "Mean size of a state message: id, own distribution, height, 32-byte block hash, and id + count + mean + sd per peer."
    ),
    metric!(
        "state_msg_path_bytes_mean",
        T::F64,
        "B",
        "The same with the path-history links (8 bytes each)."
    ),
    metric!(
        "orig_latency_sbs_s",
        T::F64,
        "s",
        "Physical system: SBS transaction latency (see the pbft model)."
    ),
    metric!(
        "orig_throughput_sbs_tps",
        T::F64,
        "1/s",
        "Physical system: SBS throughput."
    ),
    metric!(
        "orig_block_time_mean_s",
        T::F64,
        "s",
        "Physical system: mean block time."
    ),
    metric!(
        "orig_gini_sbs",
        T::F64,
        "",
        "Physical system: SBS Gini of block proposers."
    ),
    metric!(
        "orig_gini",
        T::F64,
        "",
        "Physical system: textbook Gini of block proposers."
    ),
    metric!(
        "model_latency_sbs_s",
        T::F64,
        "s",
        "Re-simulated model: SBS transaction latency."
    ),
    metric!(
        "model_throughput_sbs_tps",
        T::F64,
        "1/s",
        "Re-simulated model: SBS throughput."
    ),
    metric!(
        "model_block_time_mean_s",
        T::F64,
        "s",
        "Re-simulated model: mean block time."
    ),
    metric!(
        "model_gini_sbs",
        T::F64,
        "",
        "Re-simulated model: SBS Gini."
    ),
    metric!(
        "model_gini",
        T::F64,
        "",
        "Re-simulated model: textbook Gini."
    ),
    metric!(
        "diff_latency_sbs_s",
        T::F64,
        "s",
        "model_latency_sbs_s - orig_latency_sbs_s."
    ),
    metric!(
        "diff_throughput_sbs_tps",
        T::F64,
        "1/s",
        "model_throughput_sbs_tps - orig_throughput_sbs_tps."
    ),
    metric!(
        "diff_block_time_mean_s",
        T::F64,
        "s",
        "model_block_time_mean_s - orig_block_time_mean_s."
    ),
    metric!(
        "diff_gini_sbs",
        T::F64,
        "",
        "model_gini_sbs - orig_gini_sbs."
    ),
    metric!("diff_gini", T::F64, "", "model_gini - orig_gini."),
    metric!(
        "orig_blocks",
        T::U32,
        "",
        "Blocks in the physical system's longest chain."
    ),
    metric!(
        "model_blocks",
        T::U32,
        "",
        "Blocks in the model's longest chain."
    ),
    metric!(
        "model_stop_reason",
        T::Str,
        "",
        "Why the model's run ended: txs, duration or idle."
    ),
    metric!(
        "model_safety_violations",
        T::U64,
        "",
        "Heights at which two model nodes committed different blocks (0)."
    ),
    metric!(
        "node_state",
        T::ListStr,
        "",
        "Per physical node (list index = node id): reported, estimated, path_only or undiscovered."
    ),
    metric!(
        "node_bw_true_mbps",
        T::ListF64,
        "MB/s",
        "Per node: true bandwidth mean."
    ),
    metric!(
        "node_bw_true_sd_mbps",
        T::ListF64,
        "MB/s",
        "Per node: true bandwidth standard deviation (0 unless per_node_jitter)."
    ),
    metric!(
        "node_bw_model_mbps",
        T::ListF64,
        "MB/s",
        "Per node: the model's bandwidth mean (NaN when undiscovered)."
    ),
    metric!(
        "node_bw_model_sd_mbps",
        T::ListF64,
        "MB/s",
        "Per node: the model's bandwidth sd (an estimate's sd for estimated nodes; NaN when undiscovered)."
    ),
    metric!(
        "node_latency_orig_s",
        T::ListF64,
        "s",
        "Per node: SBS latency in the physical system."
    ),
    metric!(
        "node_latency_model_s",
        T::ListF64,
        "s",
        "Per node: SBS latency in the model (NaN when undiscovered)."
    ),
    metric!("edge_a", T::ListU32, "", "Per true link: the lower end."),
    metric!("edge_b", T::ListU32, "", "Per true link: the higher end."),
    metric!(
        "edge_bw_mbps",
        T::ListF64,
        "MB/s",
        "Per true link: its bandwidth, the slower end's mean (Fig. 5a's edge label)."
    ),
    metric!(
        "edge_status",
        T::ListStr,
        "",
        "Per true link: reported (both ends reported it), reconstructed (one end missing, the other's peer list gave it), path_history (both missing, recovered from path history), or lost."
    ),
];

pub(super) fn twin_row(o: &TwinOutcome) -> Vec<Cell> {
    let u = |x: u64| Cell::U(x);
    let f = Cell::F;
    let ids = o
        .missing
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let (a, m) = (&o.original, &o.model);
    vec![
        Cell::S(ids),
        u(o.nodes_discovered.into()),
        u(o.nodes_undiscovered.into()),
        u(o.edges_true),
        u(o.edges_model),
        u(o.edges_lost),
        u(o.edges_between_missing),
        u(o.edges_path_history),
        f(o.missing_bw_err_mean_mbps),
        f(o.missing_bw_err_abs_mbps),
        f(o.missing_bw_err_rel),
        f(o.missing_bw_err_abs_rel),
        u(o.missing_bw_capped.into()),
        f(o.ebw_bias_mbps),
        f(o.state_msg_bytes_mean),
        f(o.state_msg_path_bytes_mean),
        f(a.latency_sbs_s),
        f(a.throughput_sbs_tps),
        f(a.block_time_mean_s),
        f(a.gini_sbs),
        f(a.gini),
        f(m.latency_sbs_s),
        f(m.throughput_sbs_tps),
        f(m.block_time_mean_s),
        f(m.gini_sbs),
        f(m.gini),
        f(m.latency_sbs_s - a.latency_sbs_s),
        f(m.throughput_sbs_tps - a.throughput_sbs_tps),
        f(m.block_time_mean_s - a.block_time_mean_s),
        f(m.gini_sbs - a.gini_sbs),
        f(m.gini - a.gini),
        u(o.original_blocks.into()),
        u(o.model_blocks.into()),
        Cell::S(o.model_stop.name().into()),
        u(o.model_safety_violations),
        Cell::LS(
            o.node_source
                .iter()
                .map(|s| s.map_or("undiscovered", |s| s.name()).to_string())
                .collect(),
        ),
        Cell::LF(o.node_bw_true.iter().map(|x| x.0).collect()),
        Cell::LF(o.node_bw_true.iter().map(|x| x.1).collect()),
        Cell::LF(o.node_bw_model.iter().map(|x| x.0).collect()),
        Cell::LF(o.node_bw_model.iter().map(|x| x.1).collect()),
        Cell::LF(o.node_latency_s.iter().map(|x| x.0).collect()),
        Cell::LF(o.node_latency_s.iter().map(|x| x.1).collect()),
        Cell::LU(o.edges.iter().map(|e| e.0).collect()),
        Cell::LU(o.edges.iter().map(|e| e.1).collect()),
        Cell::LF(o.edges.iter().map(|e| e.2).collect()),
        Cell::LS(o.edges.iter().map(|e| e.3.name().to_string()).collect()),
    ]
}

pub(super) const TWIN_SYNC_VERSION: &str = "twin-sync-v1";

static SYNC_OWN_PARAMS: &[ParamDef] = &[
    ParamDef {
        key: "emit",
        column: "emit",
        kind: Kind::Choice(&["block", "interval"]),
        default: "block",
        environment: false,
        doc: "when nodes send state messages: each time they add a block, or every emit_interval",
    },
    ParamDef {
        key: "emit_interval",
        column: "emit_interval_ms",
        kind: Kind::DurationMs {
            min: 1,
            max: 3_600_000,
        },
        default: "1 s",
        environment: false,
        doc: "period of state messages under emit = \"interval\"",
    },
    ParamDef {
        key: "delay_mean",
        column: "delay_mean_ms",
        kind: Kind::DurationMs {
            min: 0,
            max: 3_600_000,
        },
        default: "500 ms",
        environment: false,
        doc: "mean delay of a state message to the twin",
    },
    ParamDef {
        key: "delay_dist",
        column: "delay_dist",
        kind: Kind::Choice(&["exponential", "uniform", "constant"]),
        default: "exponential",
        environment: false,
        doc: "delay distribution: exponential with the mean, uniform on [0, 2 * mean], or constant",
    },
    ParamDef {
        key: "loss",
        column: "loss",
        kind: Kind::Float { min: 0.0, max: 1.0 },
        default: "0.0",
        environment: false,
        doc: "probability a state message never reaches the twin",
    },
    ParamDef {
        key: "drift",
        column: "drift",
        kind: Kind::Choice(&["none", "step", "walk"]),
        default: "step",
        environment: false,
        doc: "bandwidth drift during the run: none, a step (every node times drift_factor at drift_at), or a random walk (Normal(0, drift_sd) every drift_interval, floored at bandwidth_min)",
    },
    ParamDef {
        key: "drift_at",
        column: "drift_at_ms",
        kind: Kind::DurationMs {
            min: 0,
            max: 1000 * 3_600_000,
        },
        default: "10 s",
        environment: false,
        doc: "when the step happens",
    },
    ParamDef {
        key: "drift_factor",
        column: "drift_factor",
        kind: Kind::Float {
            min: 0.01,
            max: 100.0,
        },
        default: "0.5",
        environment: false,
        doc: "the step's factor on every node's bandwidth",
    },
    ParamDef {
        key: "drift_interval",
        column: "drift_interval_ms",
        kind: Kind::DurationMs {
            min: 1,
            max: 3_600_000,
        },
        default: "1 s",
        environment: false,
        doc: "random-walk step length",
    },
    ParamDef {
        key: "drift_sd",
        column: "drift_sd_mbps",
        kind: Kind::Float {
            min: 0.0,
            max: 1000.0,
        },
        default: "1.0",
        environment: false,
        doc: "random-walk step standard deviation, MB/s",
    },
    ParamDef {
        key: "peer_entries",
        column: "peer_entries",
        kind: Kind::Bool,
        default: "true",
        environment: false,
        doc: "state messages also carry the sender's estimate of each peer (min of the two bandwidths at sending), as Algorithm 2's \"for n in S\"",
    },
    ParamDef {
        key: "sample_interval",
        column: "sample_interval_ms",
        kind: Kind::DurationMs {
            min: 1,
            max: 3_600_000,
        },
        default: "100 ms",
        environment: false,
        doc: "spacing of the instants at which staleness and error are measured",
    },
];

/// The PBFT parameters, then the synchronisation experiment's own.
pub(super) fn sync_params() -> &'static [ParamDef] {
    static ALL: OnceLock<Vec<ParamDef>> = OnceLock::new();
    ALL.get_or_init(|| PBFT_PARAMS.iter().chain(SYNC_OWN_PARAMS).copied().collect())
}

pub(super) fn resolve_sync(v: &[Value]) -> Result<(PbftParams, SyncParams), ParamError> {
    let pbft = resolve_pbft(&v[..PBFT_PARAMS.len()])?;
    let own = &v[PBFT_PARAMS.len()..];
    let get = |key: &str| super::param(SYNC_OWN_PARAMS, own, key);
    let ns = |key: &str| get(key).as_int() as u64 * 1_000_000;
    let min = pbft.net.bandwidth_min;
    Ok((
        pbft,
        SyncParams {
            emit: match get("emit").as_str() {
                "interval" => Emit::Every(ns("emit_interval")),
                _ => Emit::EveryBlock,
            },
            delay_mean: ns("delay_mean"),
            delay_dist: match get("delay_dist").as_str() {
                "uniform" => DelayDist::Uniform,
                "constant" => DelayDist::Constant,
                _ => DelayDist::Exponential,
            },
            loss: get("loss").as_float(),
            drift: match get("drift").as_str() {
                "step" => Drift::Step {
                    at: ns("drift_at"),
                    factor: get("drift_factor").as_float(),
                },
                "walk" => Drift::Walk {
                    every: ns("drift_interval"),
                    sd: get("drift_sd").as_float(),
                    min,
                },
                _ => Drift::None,
            },
            peer_entries: get("peer_entries").as_bool(),
            sample_every: ns("sample_interval"),
        },
    ))
}

pub(super) static TWIN_SYNC_METRICS: &[MetricDef] = &[
    metric!(
        "ibt_mean_s",
        T::F64,
        "s",
        "Mean inter-block time of the PBFT run (its block_time_mean_s)."
    ),
    metric!(
        "delay_over_ibt",
        T::F64,
        "",
        "delay_mean / ibt_mean_s: the x axis of the synchronisation study."
    ),
    metric!(
        "end_s",
        T::F64,
        "s",
        "Simulated time at the end of the run."
    ),
    metric!("blocks", T::U32, "", "Blocks in the longest chain."),
    metric!("msgs_sent", T::U64, "", "State messages sent."),
    metric!(
        "msgs_arrived",
        T::U64,
        "",
        "State messages that reached the twin."
    ),
    metric!(
        "naive_applied",
        T::U64,
        "",
        "Arrival order: entries applied (all of them)."
    ),
    metric!(
        "naive_regressions",
        T::U64,
        "",
        "Arrival order: applied entries older, by emission time, than the entry they replaced."
    ),
    metric!(
        "naive_height_regressions",
        T::U64,
        "",
        "Arrival order: applied entries with a lower block reference than the one they replaced."
    ),
    metric!(
        "naive_regression_rate",
        T::F64,
        "",
        "naive_regressions / naive_applied."
    ),
    metric!(
        "naive_staleness_s",
        T::F64,
        "s",
        "Arrival order: mean over sample instants and held entries of (now - emission of the held update)."
    ),
    metric!(
        "naive_staleness_blocks",
        T::F64,
        "",
        "Arrival order: mean of (longest chain height now - held block reference)."
    ),
    metric!(
        "naive_bw_err_mbps",
        T::F64,
        "MB/s",
        "Arrival order: mean absolute error of held bandwidths against the truth now."
    ),
    metric!(
        "naive_coverage",
        T::F64,
        "",
        "Arrival order: mean fraction of nodes with an entry."
    ),
    metric!("alg2_applied", T::U64, "", "Algorithm 2: entries applied."),
    metric!(
        "alg2_ignored",
        T::U64,
        "",
        "Algorithm 2: entries ignored (block reference not above the held one)."
    ),
    metric!(
        "alg2_regressions",
        T::U64,
        "",
        "Algorithm 2: applied entries older, by emission time, than the entry they replaced (possible when a lagging node's view arrives first)."
    ),
    metric!(
        "alg2_height_regressions",
        T::U64,
        "",
        "Algorithm 2: applied entries with a lower block reference (0 by construction)."
    ),
    metric!(
        "alg2_regression_rate",
        T::F64,
        "",
        "alg2_regressions / alg2_applied."
    ),
    metric!(
        "alg2_staleness_s",
        T::F64,
        "s",
        "Algorithm 2: mean staleness in seconds."
    ),
    metric!(
        "alg2_staleness_blocks",
        T::F64,
        "",
        "Algorithm 2: mean staleness in blocks."
    ),
    metric!(
        "alg2_bw_err_mbps",
        T::F64,
        "MB/s",
        "Algorithm 2: mean absolute bandwidth error against the truth."
    ),
    metric!(
        "alg2_coverage",
        T::F64,
        "",
        "Algorithm 2: mean fraction of nodes with an entry."
    ),
];

pub(super) fn sync_row(sp: &SyncParams, o: &SyncOutcome) -> Vec<Cell> {
    let u = Cell::U;
    let f = Cell::F;
    let rate = |a: u64, b: u64| {
        if b == 0 {
            f64::NAN
        } else {
            a as f64 / b as f64
        }
    };
    let (a, b) = (&o.naive, &o.alg2);
    vec![
        f(o.ibt_mean_s),
        f(sp.delay_mean as f64 / 1e9 / o.ibt_mean_s),
        f(o.end_s),
        u(o.blocks.into()),
        u(o.sent),
        u(o.arrived),
        u(a.decisions.applied),
        u(a.decisions.regressions),
        u(a.decisions.height_regressions),
        f(rate(a.decisions.regressions, a.decisions.applied)),
        f(a.staleness_s),
        f(a.staleness_blocks),
        f(a.bw_err_mbps),
        f(a.coverage),
        u(b.decisions.applied),
        u(b.decisions.ignored),
        u(b.decisions.regressions),
        u(b.decisions.height_regressions),
        f(rate(b.decisions.regressions, b.decisions.applied)),
        f(b.staleness_s),
        f(b.staleness_blocks),
        f(b.bw_err_mbps),
        f(b.coverage),
    ]
}

//! The `management` model: the PBFT model's parameters (the primary chain), then the
//! management chain's own; one row per run with the PBFT columns, the run's management
//! summary, and one list entry per configuration block (explode the `cb_*` lists for one row
//! per block).

use super::{PBFT_METRICS, PBFT_PARAMS, pbft_row, resolve_pbft};
use crate::management::{Config, Configs, ManagementParams};
use crate::pbft::{ManagementOutcome, PbftOutcome, PbftParams};
use crate::schema::param::{Kind, ParamDef, ParamError, Value};
use crate::schema::{Cell, ColumnType as T, MetricDef};
use std::sync::OnceLock;

pub(super) const MANAGEMENT_VERSION: &str = "management-v1";

const MS_1H: i64 = 3_600_000;

static OWN_PARAMS: &[ParamDef] = &[
    ParamDef {
        key: "mgmt_nodes",
        column: "mgmt_nodes",
        kind: Kind::Int { min: 1, max: 1024 },
        default: "5",
        environment: true,
        doc: "number of management nodes (the paper's MN), drawn at random from the primary nodes at the start (at most nodes; the default is half the default 10 nodes, as the paper's 16 of 32)",
    },
    ParamDef {
        key: "mgmt_peers",
        column: "mgmt_peers",
        kind: Kind::Int { min: 0, max: 1023 },
        default: "4",
        environment: true,
        doc: "peers each management node picks in the management overlay, two-way links (at most mgmt_nodes - 1; at least 1 when mgmt_nodes > 1)",
    },
    ParamDef {
        key: "cbi_mean",
        column: "cbi_mean_ms",
        kind: Kind::DurationMs { min: 1, max: MS_1H },
        default: "30 s",
        environment: false,
        doc: "mean configuration block interval: the next block is due this long (Normal(cbi_mean, cbi_sd), at least 1 ms) after the previous one was agreed",
    },
    ParamDef {
        key: "cbi_sd",
        column: "cbi_sd_ms",
        kind: Kind::DurationMs { min: 0, max: MS_1H },
        default: "5 s",
        environment: false,
        doc: "standard deviation of the configuration block interval",
    },
    ParamDef {
        key: "cb_size",
        column: "cb_size_mb",
        kind: Kind::Float {
            min: 0.0,
            max: 1024.0,
        },
        default: "0.25",
        environment: false,
        doc: "configuration block size, MB (a pre-prepare carries it; so do votes under votes = \"block\", and its gossip to the primary)",
    },
    ParamDef {
        key: "cycle_timeout",
        column: "cycle_timeout_ms",
        kind: Kind::DurationMs { min: 1, max: MS_1H },
        default: "10 s",
        environment: false,
        doc: "a proposal cycle with no management commit by then fails and the next proposer's cycle starts",
    },
    ParamDef {
        key: "configs",
        column: "configs",
        kind: Kind::Choice(&["same", "alternate"]),
        default: "same",
        environment: false,
        doc: "same: every block carries the primary's block_size and block_interval (the paper); alternate: odd heights carry alt_block_size and alt_block_interval, so every block is a real switch",
    },
    ParamDef {
        key: "alt_block_size",
        column: "alt_block_size_mb",
        kind: Kind::Float {
            min: 1e-6,
            max: 1024.0,
        },
        default: "0.5",
        environment: false,
        doc: "configs = \"alternate\": block size of the second configuration, MB",
    },
    ParamDef {
        key: "alt_block_interval",
        column: "alt_block_interval_ms",
        kind: Kind::DurationMs { min: 0, max: MS_1H },
        default: "200 ms",
        environment: false,
        doc: "configs = \"alternate\": block interval of the second configuration",
    },
    ParamDef {
        key: "mgmt_offline",
        column: "mgmt_offline",
        kind: Kind::Int { min: 0, max: 1024 },
        default: "0",
        environment: true,
        doc: "management nodes offline for the whole run (their cycles fail); more than f_MN leaves no quorum",
    },
    ParamDef {
        key: "mgmt_invalid",
        column: "mgmt_invalid",
        kind: Kind::Int { min: 0, max: 1024 },
        default: "0",
        environment: true,
        doc: "management nodes that propose an invalid configuration (block size 0) in their cycles; the others' twins reject it",
    },
];

/// The PBFT parameters, then the management chain's.
pub(super) fn params() -> &'static [ParamDef] {
    static ALL: OnceLock<Vec<ParamDef>> = OnceLock::new();
    ALL.get_or_init(|| PBFT_PARAMS.iter().chain(OWN_PARAMS).copied().collect())
}

pub(super) fn resolve(v: &[Value]) -> Result<PbftParams, ParamError> {
    let mut pbft = resolve_pbft(&v[..PBFT_PARAMS.len()])?;
    let own = &v[PBFT_PARAMS.len()..];
    let get = |key: &str| super::param(OWN_PARAMS, own, key);
    let int = |key: &str| get(key).as_int() as u32;
    let ns = |key: &str| get(key).as_int() as u64 * 1_000_000;
    let (n, m) = (pbft.net.nodes, int("mgmt_nodes"));
    if m > n {
        return Err(ParamError {
            key: "mgmt_nodes",
            allowed: format!("at most nodes = {n} (management nodes are primary nodes)"),
        });
    }
    let peers = int("mgmt_peers");
    if peers > m - 1 {
        return Err(ParamError {
            key: "mgmt_peers",
            allowed: format!("at most mgmt_nodes - 1 = {}", m - 1),
        });
    }
    if peers == 0 && m > 1 {
        return Err(ParamError {
            key: "mgmt_peers",
            allowed: format!("at least 1 for {m} management nodes"),
        });
    }
    let (offline, invalid) = (int("mgmt_offline"), int("mgmt_invalid"));
    if offline + invalid > m {
        return Err(ParamError {
            key: if offline > m {
                "mgmt_offline"
            } else {
                "mgmt_invalid"
            },
            allowed: format!("mgmt_offline + mgmt_invalid at most mgmt_nodes = {m}"),
        });
    }
    if offline == m {
        // Nothing would ever be agreed; allowed below a quorum, which shows failed cycles.
        return Err(ParamError {
            key: "mgmt_offline",
            allowed: format!("fewer than mgmt_nodes = {m}"),
        });
    }
    if get("configs").as_str() == "alternate"
        && let Some(allowed) = super::tx_fits(
            pbft.workload.size_mb,
            pbft.workload.size_dist == crate::pbft::workload::TxSize::Exponential,
            pbft.workload.rate_per_s * pbft.duration_ns as f64 / 1e9,
            get("alt_block_size").as_float(),
            "alt_block_size",
        )
    {
        return Err(ParamError {
            key: "alt_block_size",
            allowed: format!(
                "a second configuration that holds every transaction: tx_size {allowed}"
            ),
        });
    }
    pbft.management = Some(ManagementParams {
        members: m,
        peers,
        cbi_mean_ns: ns("cbi_mean"),
        cbi_sd_ns: ns("cbi_sd"),
        cb_size_mb: get("cb_size").as_float(),
        cycle_timeout_ns: ns("cycle_timeout"),
        configs: match get("configs").as_str() {
            "alternate" => Configs::Alternate(Config {
                block_size_mb: get("alt_block_size").as_float(),
                block_interval_ns: ns("alt_block_interval"),
            }),
            _ => Configs::Same,
        },
        offline,
        invalid,
    });
    Ok(pbft)
}

static OWN_METRICS: &[MetricDef] = &[
    metric!(
        "mgmt_members",
        T::ListU32,
        "",
        "Primary nodes that are management nodes, ascending."
    ),
    metric!(
        "cb_blocks",
        T::U32,
        "",
        "Configuration blocks committed by the management chain."
    ),
    metric!(
        "cb_failed_agreements",
        T::U32,
        "",
        "Configuration block intervals whose proposal cycles (one per management node) all failed (no block)."
    ),
    metric!(
        "cb_failed_cycles_total",
        T::U64,
        "",
        "Failed proposal cycles over the run (offline or invalid proposers, no live quorum)."
    ),
    metric!(
        "agreement_delay_mean_s",
        T::F64,
        "s",
        "Mean over blocks of the agreement delay: interval fired to the first management node's commit."
    ),
    metric!(
        "propagation_delay_mean_s",
        T::F64,
        "s",
        "Mean over blocks of the propagation delay: first commit to the moment the (2f+1)-th primary node holds the block (fastest 2f+1, f of the primary)."
    ),
    metric!(
        "update_delay_mean_s",
        T::F64,
        "s",
        "Mean over blocks of the update delay: from the (2f+1)-th primary node holding the block to the (2f+1)-th running under it (nodes switch only between consensus rounds)."
    ),
    metric!(
        "management_delay_mean_s",
        T::F64,
        "s",
        "Mean over blocks of agreement + propagation + update: interval fired to 2f+1 primary nodes running under the block."
    ),
    metric!(
        "update_all_delay_mean_s",
        T::F64,
        "s",
        "Mean over blocks of the time from the interval to the last live primary node running under the block (exposes a split network the fastest-2f+1 view hides)."
    ),
    metric!(
        "switch_blocks",
        T::U32,
        "",
        "Transaction blocks made under a different configuration height than the block before them."
    ),
    metric!(
        "block_time_switch_mean_s",
        T::F64,
        "s",
        "Mean inter-block time of switch blocks, over every live node's chain."
    ),
    metric!(
        "block_time_switch_median_s",
        T::F64,
        "s",
        "Median inter-block time of switch blocks."
    ),
    metric!(
        "block_time_switch_p95_s",
        T::F64,
        "s",
        "95th percentile inter-block time of switch blocks."
    ),
    metric!(
        "block_time_normal_mean_s",
        T::F64,
        "s",
        "Mean inter-block time of normal blocks (same configuration as the block before)."
    ),
    metric!(
        "block_time_normal_median_s",
        T::F64,
        "s",
        "Median inter-block time of normal blocks."
    ),
    metric!(
        "block_time_normal_p95_s",
        T::F64,
        "s",
        "95th percentile inter-block time of normal blocks."
    ),
    metric!(
        "config_rejections",
        T::U64,
        "",
        "Fresh proposals a validator refused because they were made under another configuration than its active one."
    ),
    metric!(
        "config_violations",
        T::U64,
        "",
        "Transaction blocks a node accepted without holding their configuration block (0 in a correct model)."
    ),
    metric!(
        "cb_rejected",
        T::U64,
        "",
        "Configuration blocks a primary node's checks rejected (0: the simulated management nodes are not forgers)."
    ),
    metric!(
        "mgmt_msgs",
        T::U64,
        "",
        "Management transmissions: agreement messages among management nodes and the gossip of configuration blocks over the primary network, duplicates included."
    ),
    metric!("mgmt_mb", T::F64, "MB", "Volume of those transmissions."),
    metric!(
        "cb_height",
        T::ListU32,
        "",
        "Per configuration block: its height (1, 2, ...)."
    ),
    metric!(
        "cb_cbi_at_s",
        T::ListF64,
        "s",
        "Per configuration block: simulated time its interval fired."
    ),
    metric!(
        "cb_failed_cycles",
        T::ListU32,
        "",
        "Per configuration block: failed cycles before its agreement (FC)."
    ),
    metric!(
        "cb_proposer",
        T::ListU32,
        "",
        "Per configuration block: its proposer (primary node id)."
    ),
    metric!(
        "cb_agreement_s",
        T::ListF64,
        "s",
        "Per configuration block: agreement delay."
    ),
    metric!(
        "cb_propagation_s",
        T::ListF64,
        "s",
        "Per configuration block: propagation delay to the fastest 2f+1 primary nodes (NaN if fewer held it by the end)."
    ),
    metric!(
        "cb_update_s",
        T::ListF64,
        "s",
        "Per configuration block: update delay of the fastest 2f+1 (NaN if fewer switched by the end)."
    ),
    metric!(
        "cb_management_s",
        T::ListF64,
        "s",
        "Per configuration block: agreement + propagation + update."
    ),
    metric!(
        "cb_update_all_s",
        T::ListF64,
        "s",
        "Per configuration block: interval fired to the last live primary node running under it (NaN if one never did)."
    ),
];

/// The PBFT metrics, then the management chain's.
pub(super) fn metrics() -> &'static [MetricDef] {
    static ALL: OnceLock<Vec<MetricDef>> = OnceLock::new();
    ALL.get_or_init(|| PBFT_METRICS.iter().chain(OWN_METRICS).copied().collect())
}

pub(super) fn row(o: &PbftOutcome) -> Vec<Cell> {
    let m: &ManagementOutcome = o.management.as_ref().expect("a managed run");
    let mut row = pbft_row(o);
    let u = |x: u64| Cell::U(x);
    let f = Cell::F;
    row.extend([
        Cell::LU(m.members.clone()),
        u(m.blocks.into()),
        u(m.failed_agreements.into()),
        u(m.failed_cycles),
        f(m.agreement_mean_s),
        f(m.propagation_mean_s),
        f(m.update_mean_s),
        f(m.total_mean_s),
        f(m.update_all_mean_s),
        u(m.switch_blocks.into()),
        f(m.switch_block_time_s[0]),
        f(m.switch_block_time_s[1]),
        f(m.switch_block_time_s[2]),
        f(m.normal_block_time_s[0]),
        f(m.normal_block_time_s[1]),
        f(m.normal_block_time_s[2]),
        u(m.config_rejections),
        u(m.config_violations),
        u(m.forged_rejected),
        u(m.msgs),
        f(m.bytes_mb),
        Cell::LU(m.cb_height.clone()),
        Cell::LF(m.cb_cbi_at_s.clone()),
        Cell::LU(m.cb_failed_cycles.clone()),
        Cell::LU(m.cb_proposer.clone()),
        Cell::LF(m.cb_agreement_s.clone()),
        Cell::LF(m.cb_propagation_s.clone()),
        Cell::LF(m.cb_update_s.clone()),
        Cell::LF(m.cb_total_s.clone()),
        Cell::LF(m.cb_update_all_s.clone()),
    ]);
    row
}

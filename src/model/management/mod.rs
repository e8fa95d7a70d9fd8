//! The `management` family: a management chain of twins agrees on configuration blocks every
//! configuration block interval and reconfigures a PBFT primary chain (the
//! decentralised-management paper). The PBFT family's parameters (the primary chain), then the
//! management chain's own; one row per run with the PBFT columns, the run's management summary,
//! and one list entry per configuration block (also written as the `blocks` table). Its cores
//! are [`crate::pbft`] and [`crate::management`], whose primary side plugs into the chain as
//! its reconfiguration hook.
#![doc = include_str!("README.md")]

mod figures;

use super::{Configured, Declaration, RunOutput, Workspace, f, u};
use crate::des::{Budget, Memory};
use crate::management::primary::{self, ManagementOutcome};
use crate::management::primary::RejectReason;
use crate::management::{Config, Configs, Forge, ManagementParams};
use crate::model::pbft;
use crate::pbft::PbftParams;
use crate::rng::RunSeeds;
use crate::schema::param::{Choice, Kind, Millis, ParamDef, ParamError, Value};
use crate::schema::{Cell, ColumnType, Detail, Metric, metric_defs, metric_row};
use crate::{choice, choice_names, param_table};
use std::sync::LazyLock;

/// Version of the family's semantics.
const VERSION: &str = "management-v2";

const MS_1H: i64 = 3_600_000;

choice! {
    /// The `configs` key: what the configuration blocks carry.
    pub enum ConfigsKind {
        /// The primary's own block size and interval (the paper).
        Same = "same",
        /// Odd heights carry the alternate configuration.
        Alternate = "alternate",
        /// A protocol drawn at random for every block (SymBChainSim V2's interval switch).
        Random = "random",
        /// The configurations of `config_cycle` in turn.
        Cycle = "cycle",
    }
}

choice! {
    /// The `alt_consensus` key: the second configuration's protocol.
    pub enum AltConsensus {
        /// The primary's own `consensus`.
        Same = "same",
        /// PBFT.
        Pbft = "pbft",
        /// Tendermint (the real protocol, or V2's form under `sbs_v2_tendermint`).
        Tendermint = "tendermint",
        /// BigFoot.
        BigFoot = "bigfoot",
    }
}

choice! {
    /// The `mgmt_consensus` key: the management chain's own protocol.
    pub enum MgmtConsensus {
        /// PBFT (the paper's management chain).
        Pbft = "pbft",
        /// Tendermint (the real protocol, or V2's form under `sbs_v2_tendermint`).
        Tendermint = "tendermint",
        /// BigFoot.
        BigFoot = "bigfoot",
    }
}

choice_names!(Forge {
    Stale = "stale",
    Unsigned = "unsigned",
    Invalid = "invalid",
});

param_table! {
    /// The management chain's own parameters (after the PBFT ones), typed.
    pub struct Values in OWN_PARAMS {
        mgmt_nodes: u32 {
            column: "mgmt_nodes",
            kind: Kind::Int { min: 1, max: 1024 },
            default: "5",
            environment: true,
            doc: "number of management nodes (the paper's MN), drawn at random from the primary nodes at the start (at most nodes; the default is half the default 10 nodes, as the paper's 16 of 32)",
        },
        mgmt_peers: u32 {
            column: "mgmt_peers",
            kind: Kind::Int { min: 0, max: 1023 },
            default: "4",
            environment: true,
            doc: "peers each management node picks in the management overlay, two-way links (at most mgmt_nodes - 1; at least 1 when mgmt_nodes > 1)",
        },
        cbi_mean: Millis {
            column: "cbi_mean_ms",
            kind: Kind::DurationMs { min: 1, max: MS_1H },
            default: "30 s",
            environment: false,
            doc: "mean configuration block interval: the next block is due this long (Normal(cbi_mean, cbi_sd), at least 1 ms) after the previous one was agreed",
        },
        cbi_sd: Millis {
            column: "cbi_sd_ms",
            kind: Kind::DurationMs { min: 0, max: MS_1H },
            default: "5 s",
            environment: false,
            doc: "standard deviation of the configuration block interval",
        },
        cb_size: f64 {
            column: "cb_size_mb",
            kind: Kind::Float {
            min: 0.0,
            max: 1024.0,
        },
            default: "0.25",
            environment: false,
            doc: "configuration block size, MB (a pre-prepare carries it; so do votes under votes = \"block\", and its gossip to the primary)",
        },
        cycle_timeout: Millis {
            column: "cycle_timeout_ms",
            kind: Kind::DurationMs { min: 1, max: MS_1H },
            default: "10 s",
            environment: false,
            doc: "a proposal cycle with no management commit by then fails and the next proposer's cycle starts",
        },
        configs: ConfigsKind {
            column: "configs",
            kind: Kind::Choice(<ConfigsKind as Choice>::NAMES),
            default: "same",
            environment: false,
            doc: "same: every block carries the primary's block_size, block_interval and consensus (the paper); alternate: odd heights carry alt_block_size, alt_block_interval and alt_consensus, so every block is a real switch; random: every block carries the primary's block size and interval and a protocol drawn uniformly from the two the latest configuration does not run (SymBChainSim V2's interval_switch), from the \"configs\" stream",
        },
        alt_block_size: f64 {
            column: "alt_block_size_mb",
            kind: Kind::Float {
            min: 1e-6,
            max: 1024.0,
        },
            default: "0.5",
            environment: false,
            doc: "configs = \"alternate\": block size of the second configuration, MB",
        },
        alt_block_interval: Millis {
            column: "alt_block_interval_ms",
            kind: Kind::DurationMs { min: 0, max: MS_1H },
            default: "200 ms",
            environment: false,
            doc: "configs = \"alternate\": block interval of the second configuration",
        },
        alt_consensus: AltConsensus {
            column: "alt_consensus",
            kind: Kind::Choice(<AltConsensus as Choice>::NAMES),
            default: "same",
            environment: false,
            doc: "configs = \"alternate\": consensus protocol of the second configuration (same: the primary's consensus), so that every configuration block switches protocol; nodes switch at their next round, and a message of the protocol a node no longer runs is dropped",
            added_in: Some("management-v2"),
        },
        config_cycle: String {
            column: "config_cycle",
            kind: Kind::Text {
                parse: cycle_text,
                form: "configurations separated by \";\", each a protocol (pbft, tendermint or bigfoot), a block size in MB and a block interval, such as \"tendermint 0.5 MB 200 ms; bigfoot 1 MB 100 ms\" (\"\" for none); at most 64",
            },
            default: "",
            environment: false,
            doc: "configs = \"cycle\": the configurations the blocks carry in turn, the block at configuration height h the ((h - 1) mod length)-th, as \"pbft 1 MB 100 ms; tendermint 0.5 MB 200 ms; bigfoot 2 MB 1 s\" (protocol, block size, block interval); only under configs = \"cycle\"",
            added_in: Some("management-v2"),
        },
        mgmt_consensus: MgmtConsensus {
            column: "mgmt_consensus",
            kind: Kind::Choice(<MgmtConsensus as Choice>::NAMES),
            default: "pbft",
            environment: false,
            doc: "the management chain's own consensus protocol, each cycle one round of it: pbft (the paper's), bigfoot (a fast path on prepares from every management node until fast_path_timeout after the cycle starts, then PBFT's slow path) or tendermint (the real protocol with the primary's timeout_propose, timeout_prevote, timeout_precommit and timeout_delta, locks kept across the cycles of an agreement; V2's form, PBFT's round with digest votes, under sbs_v2_tendermint); cycle_timeout bounds a cycle under every protocol",
            added_in: Some("management-v2"),
        },
        mgmt_offline: u32 {
            column: "mgmt_offline",
            kind: Kind::Int { min: 0, max: 1024 },
            default: "0",
            environment: true,
            doc: "management nodes offline for the whole run (their cycles fail); more than f_MN leaves no quorum",
        },
        mgmt_invalid: u32 {
            column: "mgmt_invalid",
            kind: Kind::Int { min: 0, max: 1024 },
            default: "0",
            environment: true,
            doc: "management nodes that propose an invalid configuration (block size 0) in their cycles; the others' twins reject it",
        },
        mgmt_byzantine: u32 {
            column: "mgmt_byzantine",
            kind: Kind::Int { min: 0, max: 1024 },
            default: "0",
            environment: true,
            doc: "Byzantine management nodes: they propose what mgmt_forge says in their cycles and vote for every proposal; honest twins refuse a forbidden block, so one is agreed only with 2f+1 of them",
            added_in: Some("management-v2"),
        },
        mgmt_forge: Forge {
            column: "mgmt_forge",
            kind: Kind::Choice(<Forge as Choice>::NAMES),
            default: "stale",
            environment: false,
            doc: "what a Byzantine management node proposes: stale (linked to the block before the head), unsigned (a proof without signatures) or invalid (a configuration no twin accepts)",
            added_in: Some("management-v2"),
        },
        mgmt_sign: f64 {
            column: "mgmt_sign_us",
            kind: Kind::Float {
            min: 0.0,
            max: 1e6,
        },
            default: "21",
            environment: false,
            doc: "time a management node takes to make one ed25519 signature, us: every management message is signed before it is sent (the default is the `signed_path/sign_one_hop` benchmark on a 2-core VM)",
            added_in: Some("management-v2"),
        },
        mgmt_verify: f64 {
            column: "mgmt_verify_us",
            kind: Kind::Float {
            min: 0.0,
            max: 1e6,
        },
            default: "43",
            environment: false,
            doc: "time a node takes to verify one ed25519 signature, us: a management node on every message it receives, a primary node on every signature of a configuration block's proof (2f+1 or more) before it accepts the block (the default is the `signed_path/verify_one_hop` benchmark on a 2-core VM)",
            added_in: Some("management-v2"),
        },
    }
}

/// Most configurations a `config_cycle` may list.
const MAX_CYCLE: usize = 64;

/// Reads a `config_cycle` value: its configurations, in order (none for "").
pub fn parse_cycle(text: &str) -> Result<Vec<Config>, String> {
    use crate::pbft::Consensus;
    let mut list = Vec::new();
    for entry in text.split(';') {
        let e = entry.trim();
        if e.is_empty() {
            if text.trim().is_empty() {
                break;
            }
            return Err(format!("empty configuration in \"{text}\""));
        }
        let words: Vec<&str> = e.split_whitespace().collect();
        let bad = |why: String| format!("configuration \"{e}\": {why}");
        if words.len() < 4 || words[2] != "MB" {
            return Err(bad(
                "expected a protocol, a size in MB and an interval, as \"pbft 1 MB 100 ms\"".into(),
            ));
        }
        let consensus = Consensus::from_name(words[0]).ok_or_else(|| {
            bad(format!(
                "unknown protocol \"{}\" (one of {})",
                words[0],
                Consensus::NAMES.join(", ")
            ))
        })?;
        let size: f64 = words[1]
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite() && *x > 0.0 && *x <= 1024.0)
            .ok_or_else(|| bad(format!("block size \"{}\" is not in (0, 1024] MB", words[1])))?;
        let ms = crate::schema::units::parse_duration_ms(&words[3..].join(" "))
            .map_err(|why| bad(format!("block interval: {why}")))?;
        if !(0..=MS_1H).contains(&ms) {
            return Err(bad("block interval not in 0 ms..=1 h".into()));
        }
        list.push(Config {
            block_size_mb: size + 0.0,
            block_interval_ns: u64::try_from(ms).expect("checked") * crate::time::NS_PER_MS,
            consensus,
        });
    }
    if list.len() > MAX_CYCLE {
        return Err(format!("{} configurations, at most {MAX_CYCLE}", list.len()));
    }
    Ok(list)
}

/// A `config_cycle` value's canonical text.
fn cycle_text(text: &str) -> Result<String, String> {
    let list = parse_cycle(text)?;
    Ok(list
        .iter()
        .map(|c| {
            let ms = (c.block_interval_ns / crate::time::NS_PER_MS) as i64;
            format!(
                "{} {} MB {}",
                c.consensus.name(),
                c.block_size_mb,
                crate::schema::units::duration_text(ms)
            )
        })
        .collect::<Vec<_>>()
        .join("; "))
}

static PARAMS: LazyLock<Vec<ParamDef>> =
    LazyLock::new(|| pbft::extended_by(OWN_PARAMS));

/// A managed run's configuration: the primary chain and its management chain.
#[derive(Clone, Debug, PartialEq)]
pub struct Managed {
    /// The primary chain.
    pub chain: PbftParams,
    /// The management chain.
    pub management: ManagementParams,
}

fn resolve(v: &[Value]) -> Result<Managed, ParamError> {
    let (base, own) = v.split_at(pbft::PARAMS.len());
    let pbft = pbft::resolve(base)?;
    let p = Values::read(own);
    let (n, m) = (pbft.net.nodes, p.mgmt_nodes);
    if m > n {
        return Err(ParamError {
            key: key::mgmt_nodes,
            allowed: format!("at most nodes = {n} (management nodes are primary nodes)"),
        });
    }
    let peers = p.mgmt_peers;
    if peers > m - 1 {
        return Err(ParamError {
            key: key::mgmt_peers,
            allowed: format!("at most mgmt_nodes - 1 = {}", m - 1),
        });
    }
    if peers == 0 && m > 1 {
        return Err(ParamError {
            key: key::mgmt_peers,
            allowed: format!("at least 1 for {m} management nodes"),
        });
    }
    let (offline, invalid) = (p.mgmt_offline, p.mgmt_invalid);
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
    if offline + invalid + p.mgmt_byzantine > m {
        return Err(ParamError {
            key: key::mgmt_byzantine,
            allowed: format!(
                "mgmt_offline + mgmt_invalid + mgmt_byzantine at most mgmt_nodes = {m}"
            ),
        });
    }
    if offline == m {
        // Nothing would ever be agreed; allowed below a quorum, which shows failed cycles.
        return Err(ParamError {
            key: key::mgmt_offline,
            allowed: format!("fewer than mgmt_nodes = {m}"),
        });
    }
    // What a configuration's block size must hold: every transaction the workload makes.
    let fits = |size_mb: f64, name: &str| {
        pbft::tx_fits(
            pbft.workload.size_mb,
            pbft.workload.size_dist == crate::pbft::workload::TxSize::Exponential,
            pbft.workload.rate_per_s * crate::time::secs_of_ns(pbft.duration_ns),
            size_mb,
            name,
        )
    };
    if p.configs == ConfigsKind::Alternate
        && let Some(allowed) = fits(p.alt_block_size, "alt_block_size")
    {
        return Err(ParamError {
            key: key::alt_block_size,
            allowed: format!(
                "a second configuration that holds every transaction: tx_size {allowed}"
            ),
        });
    }
    let cycle = parse_cycle(&p.config_cycle).expect("checked when read");
    match (p.configs == ConfigsKind::Cycle, cycle.is_empty()) {
        (true, true) => {
            return Err(ParamError {
                key: key::config_cycle,
                allowed: "at least one configuration under configs = \"cycle\"".into(),
            });
        }
        (false, false) => {
            return Err(ParamError {
                key: key::config_cycle,
                allowed: format!(
                    "\"\" unless configs = \"cycle\" (configs is \"{}\")",
                    p.configs.name()
                ),
            });
        }
        _ => {}
    }
    for c in &cycle {
        if let Some(allowed) = fits(c.block_size_mb, "every config_cycle block size") {
            return Err(ParamError {
                key: key::config_cycle,
                allowed: format!("configurations whose blocks hold every transaction: tx_size {allowed}"),
            });
        }
    }
    let management = ManagementParams {
        members: m,
        peers,
        cbi_mean_ns: p.cbi_mean.ns(),
        cbi_sd_ns: p.cbi_sd.ns(),
        cb_size_mb: p.cb_size,
        cycle_timeout_ns: p.cycle_timeout.ns(),
        configs: match p.configs {
            ConfigsKind::Alternate => Configs::Alternate(Config {
                block_size_mb: p.alt_block_size,
                block_interval_ns: p.alt_block_interval.ns(),
                consensus: match p.alt_consensus {
                    AltConsensus::Same => pbft.consensus,
                    AltConsensus::Pbft => crate::pbft::Consensus::Pbft,
                    AltConsensus::Tendermint => crate::pbft::Consensus::Tendermint,
                    AltConsensus::BigFoot => crate::pbft::Consensus::BigFoot,
                },
            }),
            ConfigsKind::Same => Configs::Same,
            ConfigsKind::Random => Configs::Random,
            ConfigsKind::Cycle => Configs::Cycle(cycle),
        },
        consensus: match p.mgmt_consensus {
            MgmtConsensus::Pbft => crate::pbft::Consensus::Pbft,
            MgmtConsensus::Tendermint => crate::pbft::Consensus::Tendermint,
            MgmtConsensus::BigFoot => crate::pbft::Consensus::BigFoot,
        },
        offline,
        invalid,
        byzantine: p.mgmt_byzantine,
        forge: p.mgmt_forge,
        sign_ns: (p.mgmt_sign * 1e3).round() as u64,
        verify_ns: (p.mgmt_verify * 1e3).round() as u64,
    };
    Ok(Managed {
        chain: pbft,
        management,
    })
}

impl Configured for Managed {
    fn memory(&self, explain: bool) -> Memory {
        pbft::memory(&self.chain, explain)
    }

    fn check_cost(&self, budget: &Budget) -> Result<(), ParamError> {
        let (p, m) = (&self.chain, &self.management);
        pbft::check_cost(p, budget)?;
        let members = u64::from(m.members);
        let agreements = p.duration_ns / m.cbi_mean_ns.max(1);
        let per = (2 * members + 1) * (members * u64::from(m.peers.saturating_sub(1)) + 1);
        let total = agreements.saturating_mul(per);
        if total > budget.messages {
            return Err(ParamError {
                key: key::cbi_mean,
                allowed: format!(
                    "a management chain whose agreements fit the run budget: duration / cbi_mean = {agreements} agreements of at least {per} messages each is {total}, and budget.messages is {}; use a longer cbi_mean or a shorter duration, or raise [budget] messages",
                    budget.messages
                ),
            });
        }
        Ok(())
    }

    fn shown(&self, values: &mut [Value]) {
        pbft::show_switches(&self.chain, &mut values[..pbft::PARAMS.len()]);
    }

    fn run(&self, seeds: RunSeeds, ws: &mut Workspace) -> RunOutput {
        pbft::bounded(ws, |sim| {
            let o = primary::simulate(&self.chain, &self.management, seeds, sim);
            let mut row = metric_row(&[pbft::METRICS, pbft::SERIES], &o.chain);
            row.extend(metric_row(&[METRICS], &o.management));
            RunOutput::ok(o.chain.events, row)
        })
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The management chain's metric columns (after the PBFT ones), each with how it is read from
/// the run's outcome.
static METRICS: &[Metric<ManagementOutcome>] = &[
    Metric {
        name: "mgmt_members",
        label: "management nodes",
        ty: ColumnType::ListU32,
        unit: "",
        doc: "Primary nodes that are management nodes, ascending.",
        read: |o: &ManagementOutcome| Cell::LU(o.members.clone()),
    },
    Metric {
        name: "cb_blocks",
        label: "configuration blocks",
        ty: ColumnType::U32,
        unit: "",
        doc: "Configuration blocks committed by the management chain.",
        read: |o: &ManagementOutcome| u(o.blocks.into()),
    },
    Metric {
        name: "cb_failed_agreements",
        label: "failed agreements",
        ty: ColumnType::U32,
        unit: "",
        doc: "Configuration block intervals whose proposal cycles (one per management node) all failed (no block).",
        read: |o: &ManagementOutcome| u(o.failed_agreements.into()),
    },
    Metric {
        name: "cb_failed_cycles_total",
        label: "failed cycles",
        ty: ColumnType::U64,
        unit: "",
        doc: "Failed proposal cycles over the run (offline or invalid proposers, no live quorum).",
        read: |o: &ManagementOutcome| u(o.failed_cycles),
    },
    Metric {
        name: "agreement_delay_mean_s",
        label: "mean agreement delay",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Mean over blocks of the agreement delay: interval fired to the first management node's commit.",
        read: |o: &ManagementOutcome| f(o.agreement_mean_s),
    },
    Metric {
        name: "propagation_delay_mean_s",
        label: "mean propagation delay",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Mean over blocks of the propagation delay: first commit to the moment the (2f+1)-th primary node holds the block (fastest 2f+1, f of the primary).",
        read: |o: &ManagementOutcome| f(o.propagation_mean_s),
    },
    Metric {
        name: "update_delay_mean_s",
        label: "mean update delay",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Mean over blocks of the update delay: from the (2f+1)-th primary node holding the block to the (2f+1)-th running under it (nodes switch only between consensus rounds).",
        read: |o: &ManagementOutcome| f(o.update_mean_s),
    },
    Metric {
        name: "management_delay_mean_s",
        label: "mean management delay",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Mean over blocks of agreement + propagation + update: interval fired to 2f+1 primary nodes running under the block.",
        read: |o: &ManagementOutcome| f(o.total_mean_s),
    },
    Metric {
        name: "update_all_delay_mean_s",
        label: "mean update delay (all nodes)",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Mean over blocks of the time from the interval to the last live primary node running under the block (exposes a split network the fastest-2f+1 view hides).",
        read: |o: &ManagementOutcome| f(o.update_all_mean_s),
    },
    Metric {
        name: "switch_blocks",
        label: "switch blocks",
        ty: ColumnType::U32,
        unit: "",
        doc: "Transaction blocks made under a different configuration height than the block before them.",
        read: |o: &ManagementOutcome| u(o.switch_blocks.into()),
    },
    Metric {
        name: "block_time_switch_mean_s",
        label: "mean inter-block time, switch blocks",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Mean inter-block time of switch blocks, over every live node's chain.",
        read: |o: &ManagementOutcome| f(o.switch_block_time_s[0]),
    },
    Metric {
        name: "block_time_switch_median_s",
        label: "median inter-block time, switch blocks",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Median inter-block time of switch blocks.",
        read: |o: &ManagementOutcome| f(o.switch_block_time_s[1]),
    },
    Metric {
        name: "block_time_switch_p95_s",
        label: "95th percentile inter-block time, switch blocks",
        ty: ColumnType::F64,
        unit: "s",
        doc: "95th percentile inter-block time of switch blocks.",
        read: |o: &ManagementOutcome| f(o.switch_block_time_s[2]),
    },
    Metric {
        name: "block_time_normal_mean_s",
        label: "mean inter-block time, normal blocks",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Mean inter-block time of normal blocks (same configuration as the block before).",
        read: |o: &ManagementOutcome| f(o.normal_block_time_s[0]),
    },
    Metric {
        name: "block_time_normal_median_s",
        label: "median inter-block time, normal blocks",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Median inter-block time of normal blocks.",
        read: |o: &ManagementOutcome| f(o.normal_block_time_s[1]),
    },
    Metric {
        name: "block_time_normal_p95_s",
        label: "95th percentile inter-block time, normal blocks",
        ty: ColumnType::F64,
        unit: "s",
        doc: "95th percentile inter-block time of normal blocks.",
        read: |o: &ManagementOutcome| f(o.normal_block_time_s[2]),
    },
    Metric {
        name: "block_time_switch_to_alt_median_s",
        label: "median inter-block time, switches to the alternate configuration",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Median inter-block time of the switch blocks into a configuration other than the primary's own (under configs = \"alternate\", odd configuration heights; with alt_consensus, the switch from the primary's protocol to the alternate one; under configs = \"random\", switches away from the primary's protocol). NaN under configs = \"same\".",
        read: |o: &ManagementOutcome| f(o.switch_to_alt_block_time_s[1]),
    },
    Metric {
        name: "block_time_switch_to_alt_p95_s",
        label: "95th percentile inter-block time, switches to the alternate configuration",
        ty: ColumnType::F64,
        unit: "s",
        doc: "The 95th percentile of the same.",
        read: |o: &ManagementOutcome| f(o.switch_to_alt_block_time_s[2]),
    },
    Metric {
        name: "block_time_switch_to_base_median_s",
        label: "median inter-block time, switches back to the base configuration",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Median inter-block time of the switch blocks into the primary's own configuration (every switch block under configs = \"same\").",
        read: |o: &ManagementOutcome| f(o.switch_to_base_block_time_s[1]),
    },
    Metric {
        name: "block_time_switch_to_base_p95_s",
        label: "95th percentile inter-block time, switches back to the base configuration",
        ty: ColumnType::F64,
        unit: "s",
        doc: "The 95th percentile of the same.",
        read: |o: &ManagementOutcome| f(o.switch_to_base_block_time_s[2]),
    },
    Metric {
        name: "config_rejections",
        label: "proposals refused for their configuration",
        ty: ColumnType::U64,
        unit: "",
        doc: "Fresh proposals a validator refused because they were made under another configuration than its active one.",
        read: |o: &ManagementOutcome| u(o.config_rejections),
    },
    Metric {
        name: "config_violations",
        label: "blocks accepted without their configuration",
        ty: ColumnType::U64,
        unit: "",
        doc: "Transaction blocks a node accepted without holding their configuration block (0 in a correct model).",
        read: |o: &ManagementOutcome| u(o.config_violations),
    },
    Metric {
        name: "cb_rejected",
        label: "configuration blocks rejected",
        ty: ColumnType::U64,
        unit: "",
        doc: "Configuration block checks that failed at primary nodes, one per failed check (a node checks a block again each time it fetches the chain; 0 unless 2f+1 Byzantine management nodes agree on a forbidden block).",
        read: |o: &ManagementOutcome| u(o.forged_rejected),
    },
    Metric {
        name: "cb_rejected_stale",
        label: "configuration blocks rejected as stale",
        ty: ColumnType::U64,
        unit: "",
        doc: "Of cb_rejected: blocks whose link is not the head's hash (one per primary node and block).",
        read: |o: &ManagementOutcome| u(o.rejected_by_reason[RejectReason::Link as usize]),
    },
    Metric {
        name: "cb_rejected_unsigned",
        label: "configuration blocks rejected as unsigned",
        ty: ColumnType::U64,
        unit: "",
        doc: "Of cb_rejected: blocks whose proof is not a quorum of valid member signatures.",
        read: |o: &ManagementOutcome| u(o.rejected_by_reason[RejectReason::Proof as usize]),
    },
    Metric {
        name: "cb_rejected_invalid",
        label: "configuration blocks rejected as invalid",
        ty: ColumnType::U64,
        unit: "",
        doc: "Of cb_rejected: blocks whose configuration no twin accepts.",
        read: |o: &ManagementOutcome| u(o.rejected_by_reason[RejectReason::Config as usize]),
    },
    Metric {
        name: "cb_proposals_refused",
        label: "forbidden proposals refused by management nodes",
        ty: ColumnType::U64,
        unit: "",
        doc: "Forbidden proposals (invalid or Byzantine) that honest management nodes' twins refused to vote for, one per node and proposal.",
        read: |o: &ManagementOutcome| u(o.proposals_refused),
    },
    Metric {
        name: "mgmt_msgs",
        label: "management messages",
        ty: ColumnType::U64,
        unit: "",
        doc: "Management transmissions: agreement messages among management nodes and the gossip of configuration blocks over the primary network, duplicates included.",
        read: |o: &ManagementOutcome| u(o.msgs),
    },
    Metric {
        name: "mgmt_mb",
        label: "management volume",
        ty: ColumnType::F64,
        unit: "MB",
        doc: "Volume of those transmissions.",
        read: |o: &ManagementOutcome| f(o.bytes_mb),
    },
    Metric {
        name: "cb_height",
        label: "configuration block height",
        ty: ColumnType::ListU32,
        unit: "",
        doc: "Per configuration block: its height (1, 2, ...).",
        read: |o: &ManagementOutcome| Cell::LU(o.cb_height.clone()),
    },
    Metric {
        name: "cb_cbi_at_s",
        label: "interval fired at",
        ty: ColumnType::ListF64,
        unit: "s",
        doc: "Per configuration block: simulated time its interval fired.",
        read: |o: &ManagementOutcome| Cell::LF(o.cb_cbi_at_s.clone()),
    },
    Metric {
        name: "cb_failed_cycles",
        label: "failed cycles",
        ty: ColumnType::ListU32,
        unit: "",
        doc: "Per configuration block: failed cycles before its agreement (FC).",
        read: |o: &ManagementOutcome| Cell::LU(o.cb_failed_cycles.clone()),
    },
    Metric {
        name: "cb_proposer",
        label: "proposer",
        ty: ColumnType::ListU32,
        unit: "",
        doc: "Per configuration block: its proposer (primary node id).",
        read: |o: &ManagementOutcome| Cell::LU(o.cb_proposer.clone()),
    },
    Metric {
        name: "cb_agreement_s",
        label: "agreement delay",
        ty: ColumnType::ListF64,
        unit: "s",
        doc: "Per configuration block: agreement delay.",
        read: |o: &ManagementOutcome| Cell::LF(o.cb_agreement_s.clone()),
    },
    Metric {
        name: "cb_propagation_s",
        label: "propagation delay",
        ty: ColumnType::ListF64,
        unit: "s",
        doc: "Per configuration block: propagation delay to the fastest 2f+1 primary nodes (NaN if fewer held it by the end).",
        read: |o: &ManagementOutcome| Cell::LF(o.cb_propagation_s.clone()),
    },
    Metric {
        name: "cb_update_s",
        label: "update delay",
        ty: ColumnType::ListF64,
        unit: "s",
        doc: "Per configuration block: update delay of the fastest 2f+1 (NaN if fewer switched by the end).",
        read: |o: &ManagementOutcome| Cell::LF(o.cb_update_s.clone()),
    },
    Metric {
        name: "cb_management_s",
        label: "management delay",
        ty: ColumnType::ListF64,
        unit: "s",
        doc: "Per configuration block: agreement + propagation + update.",
        read: |o: &ManagementOutcome| Cell::LF(o.cb_total_s.clone()),
    },
    Metric {
        name: "cb_update_all_s",
        label: "update delay (all nodes)",
        ty: ColumnType::ListF64,
        unit: "s",
        doc: "Per configuration block: interval fired to the last live primary node running under it (NaN if one never did).",
        read: |o: &ManagementOutcome| Cell::LF(o.cb_update_all_s.clone()),
    },
    Metric {
        name: "cb_consensus",
        label: "consensus protocol",
        ty: ColumnType::ListStr,
        unit: "",
        doc: "Per configuration block: the primary chain's consensus protocol it carries (pbft, tendermint, bigfoot); with the previous block's, the (from, to) pair of its switch.",
        read: |o: &ManagementOutcome| {
            Cell::LS(o.cb_consensus.iter().map(|c| c.name().to_string()).collect())
        },
    },
    Metric {
        name: "cb_block_size_mb",
        label: "block size",
        ty: ColumnType::ListF64,
        unit: "MB",
        doc: "Per configuration block: the block size it sets.",
        read: |o: &ManagementOutcome| Cell::LF(o.cb_block_size_mb.clone()),
    },
    Metric {
        name: "cb_block_interval_ms",
        label: "block interval",
        ty: ColumnType::ListF64,
        unit: "ms",
        doc: "Per configuration block: the block interval it sets.",
        read: |o: &ManagementOutcome| Cell::LF(o.cb_block_interval_ms.clone()),
    },
    Metric {
        name: "cb_switch_block_time_s",
        label: "switch block time",
        ty: ColumnType::ListF64,
        unit: "s",
        doc: "Per configuration block: median over live nodes of the inter-block time of the first transaction block made under it, its switch block (NaN when nodes went past it without making a block under it).",
        read: |o: &ManagementOutcome| Cell::LF(o.cb_switch_block_time_s.clone()),
    },
];

/// The family, as the registry lists it.
pub static FAMILY: Declaration<Managed> = Declaration {
    name: "management",
    summary: "A management blockchain of twins that reconfigures a PBFT chain (the decentralised-management paper).",
    notes: include_str!("README.md"),
    version: VERSION,
    params: || &PARAMS,
    parent: Some("pbft"),
    metrics: || {
        let mut defs = metric_defs(&[pbft::METRICS, pbft::SERIES]);
        defs.extend(metric_defs(&[METRICS]));
        defs
    },
    details: &[
        pbft::SERIES_TABLE,
        Detail {
            name: "blocks",
            prefix: "cb_",
            index: "cb_index",
            item: "configuration block",
        },
    ],
    replicates_share_environment: false,
    resolve,
    figures: Some(figures::management),
};

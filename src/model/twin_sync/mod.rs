//! The `twin_sync` family: block-order synchronisation of the twin's state updates (the twin
//! paper's Algorithm 2) against arrival order, on a PBFT run. One row per run, both policies.
//! Its core is [`crate::twin::sync`].
#![doc = include_str!("README.md")]

mod figures;

use super::{Configured, Declaration, RunOutput, Workspace, f, u};
use crate::des::{Budget, Memory};
use crate::model::pbft;
use crate::pbft::PbftParams;
use crate::rng::RunSeeds;
use crate::schema::param::{Choice, Kind, Millis, ParamDef, ParamError, Value};
use crate::schema::{ColumnType, Metric, metric_defs, metric_row};
use crate::twin::sync::{DelayDist, Drift, Emit, SyncParams};
use crate::twin::{self, SyncOutcome};
use crate::{choice, choice_names, param_table};
use std::sync::LazyLock;

/// Version of the family's semantics.
const VERSION: &str = "twin-sync-v1";

choice! {
    /// The `emit` key: when nodes send state updates.
    pub enum EmitKind {
        /// After every block.
        Block = "block",
        /// Every `emit_interval`.
        Interval = "interval",
    }
}
choice_names!(DelayDist {
    Exponential = "exponential",
    Uniform = "uniform",
    Constant = "constant",
});
choice! {
    /// The `drift` key: how the true bandwidths change during the run.
    pub enum DriftKind {
        /// They do not.
        None = "none",
        /// Once, by a factor.
        Step = "step",
        /// A random walk.
        Walk = "walk",
    }
}

param_table! {
    /// The synchronisation experiment's own parameters (after the PBFT ones), typed.
    pub struct Values in OWN_PARAMS {
        emit: EmitKind {
            column: "emit",
            kind: Kind::Choice(<EmitKind as Choice>::NAMES),
            default: "block",
            environment: false,
            doc: "when nodes send state messages: each time they add a block, or every emit_interval",
        },
        emit_interval: Millis {
            column: "emit_interval_ms",
            kind: Kind::DurationMs {
            min: 1,
            max: 3_600_000,
        },
            default: "1 s",
            environment: false,
            doc: "period of state messages under emit = \"interval\"",
        },
        delay_mean: Millis {
            column: "delay_mean_ms",
            kind: Kind::DurationMs {
            min: 0,
            max: 3_600_000,
        },
            default: "500 ms",
            environment: false,
            doc: "mean delay of a state message to the twin",
        },
        delay_dist: DelayDist {
            column: "delay_dist",
            kind: Kind::Choice(<DelayDist as Choice>::NAMES),
            default: "exponential",
            environment: false,
            doc: "delay distribution: exponential with the mean, uniform on [0, 2 * mean], or constant",
        },
        loss: f64 {
            column: "loss",
            kind: Kind::Float { min: 0.0, max: 1.0 },
            default: "0.0",
            environment: false,
            doc: "probability a state message never reaches the twin",
        },
        drift: DriftKind {
            column: "drift",
            kind: Kind::Choice(<DriftKind as Choice>::NAMES),
            default: "step",
            environment: false,
            doc: "bandwidth drift during the run: none, a step (every node times drift_factor at drift_at), or a random walk (Normal(0, drift_sd) every drift_interval, floored at bandwidth_min)",
        },
        drift_at: Millis {
            column: "drift_at_ms",
            kind: Kind::DurationMs {
            min: 0,
            max: 1000 * 3_600_000,
        },
            default: "10 s",
            environment: false,
            doc: "when the step happens",
        },
        drift_factor: f64 {
            column: "drift_factor",
            kind: Kind::Float {
            min: 0.01,
            max: 100.0,
        },
            default: "0.5",
            environment: false,
            doc: "the step's factor on every node's bandwidth",
        },
        drift_interval: Millis {
            column: "drift_interval_ms",
            kind: Kind::DurationMs {
            min: 1,
            max: 3_600_000,
        },
            default: "1 s",
            environment: false,
            doc: "random-walk step length",
        },
        drift_sd: f64 {
            column: "drift_sd_mbps",
            kind: Kind::Float {
            min: 0.0,
            max: 1000.0,
        },
            default: "1.0",
            environment: false,
            doc: "random-walk step standard deviation, MB/s",
        },
        peer_entries: bool {
            column: "peer_entries",
            kind: Kind::Bool,
            default: "true",
            environment: false,
            doc: "state messages also carry the sender's estimate of each peer (min of the two bandwidths at sending), as Algorithm 2's \"for n in S\"",
        },
        sample_interval: Millis {
            column: "sample_interval_ms",
            kind: Kind::DurationMs {
            min: 1,
            max: 3_600_000,
        },
            default: "100 ms",
            environment: false,
            doc: "spacing of the instants at which staleness and error are measured",
        },
    }
}

static PARAMS: LazyLock<Vec<ParamDef>> =
    LazyLock::new(|| pbft::extended_by(OWN_PARAMS));

/// A `twin_sync` run's configuration: the PBFT chain and the synchronisation experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncRunParams {
    /// The chain.
    pub pbft: PbftParams,
    /// The experiment.
    pub sync: SyncParams,
}

fn resolve(v: &[Value]) -> Result<SyncRunParams, ParamError> {
    let (base, own) = v.split_at(pbft::PARAMS.len());
    let pbft = pbft::resolve_extended(base)?;
    let p = Values::read(own);
    let min = pbft.net.bandwidth_min;
    let sync = SyncParams {
        emit: match p.emit {
            EmitKind::Interval => Emit::Every(p.emit_interval.ns()),
            EmitKind::Block => Emit::EveryBlock,
        },
        delay_mean: p.delay_mean.ns(),
        delay_dist: p.delay_dist,
        loss: p.loss,
        drift: match p.drift {
            DriftKind::Step => Drift::Step {
                at: p.drift_at.ns(),
                factor: p.drift_factor,
            },
            DriftKind::Walk => Drift::Walk {
                every: p.drift_interval.ns(),
                sd: p.drift_sd,
                min,
            },
            DriftKind::None => Drift::None,
        },
        peer_entries: p.peer_entries,
        sample_every: p.sample_interval.ns(),
    };
    Ok(SyncRunParams { pbft, sync })
}

impl SyncRunParams {
    /// State messages the nodes emit in the run at most: one per node per `emit_interval`, or
    /// per block (a block takes at least `block_interval + creation_time`).
    fn emissions(&self) -> u64 {
        let (n, end) = (u64::from(self.pbft.net.nodes), self.pbft.duration_ns);
        let every = match self.sync.emit {
            Emit::Every(every) => every,
            Emit::EveryBlock => self.pbft.block_interval_ns + self.pbft.creation_ns,
        };
        n.saturating_mul(end / every.max(1) + 1)
    }
}

/// Bytes a state message takes (arrival, emission, sender, height, its entries' vector).
const BYTES_PER_UPDATE: u64 = 64;

impl Configured for SyncRunParams {
    fn check_cost(&self, budget: &Budget) -> Result<(), ParamError> {
        pbft::check_cost(&self.pbft, budget)?;
        // The replay visits every node at every sample instant, under each of two policies.
        let n = u64::from(self.pbft.net.nodes);
        let samples = self.pbft.duration_ns / self.sync.sample_every.max(1) + 1;
        let visits = samples.saturating_mul(2 * n);
        if visits > budget.events {
            return Err(ParamError {
                key: key::sample_interval,
                allowed: format!(
                    "a replay within budget.events = {}: (duration / sample_interval + 1) x 2 policies x nodes = {samples} x 2 x {n} = {visits} visits; use a longer sample_interval or a shorter duration, or raise [budget] events",
                    budget.events
                ),
            });
        }
        let sent = self.emissions();
        if sent > budget.messages {
            return Err(ParamError {
                key: key::emit_interval,
                allowed: format!(
                    "state messages within budget.messages = {}: nodes x (duration / emission spacing + 1) = {sent}; use a longer emit_interval or a shorter duration, or raise [budget] messages",
                    budget.messages
                ),
            });
        }
        Ok(())
    }

    fn memory(&self, explain: bool) -> Memory {
        let n = u64::from(self.pbft.net.nodes);
        let walk = match self.sync.drift {
            Drift::Walk { every, .. } => (self.pbft.duration_ns / every.max(1) + 1)
                .saturating_mul(n)
                .saturating_mul(8),
            _ => 0,
        };
        let entries = if self.sync.peer_entries {
            1 + u64::from(self.pbft.net.peers) * 2
        } else {
            1
        };
        let updates = self
            .emissions()
            .saturating_mul(BYTES_PER_UPDATE + 16 * entries);
        let walk = Memory::of(
            walk,
            key::drift_interval,
            if explain {
                "a bandwidth random walk of nodes x (duration / drift_interval + 1) steps"
            } else {
                ""
            },
        );
        let msgs = Memory::of(
            updates,
            match self.sync.emit {
                Emit::Every(_) => key::emit_interval,
                Emit::EveryBlock => pbft::key::duration,
            },
            if explain {
                format!(
                    "up to {} state messages: nodes x (duration / emission spacing + 1)",
                    self.emissions()
                )
            } else {
                String::new()
            },
        );
        pbft::memory(&self.pbft, explain).and(walk).and(msgs)
    }

    fn shown(&self, values: &mut [Value]) {
        pbft::show_switches(&self.pbft, &mut values[..pbft::PARAMS.len()]);
    }

    fn run(&self, seeds: RunSeeds, ws: &mut Workspace) -> RunOutput {
        pbft::bounded(ws, |sim| {
            let o = twin::run_sync(&self.pbft, &self.sync, seeds, sim);
            let run = (self.sync, o);
            RunOutput::ok(run.1.events, metric_row(&[METRICS], &run))
        })
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A run's experiment and outcome, which its metrics are read from.
type SyncRun = (SyncParams, SyncOutcome);

/// a / b, NaN when b is 0.
fn rate(a: u64, b: u64) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        a as f64 / b as f64
    }
}

/// The metric columns, each with how it is read from the run.
static METRICS: &[Metric<SyncRun>] = &[
    Metric {
        name: "ibt_mean_s",
        label: "mean inter-block time",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Mean inter-block time of the PBFT run (its block_time_mean_s).",
        read: |o: &SyncRun| f(o.1.ibt_mean_s),
    },
    Metric {
        name: "delay_over_ibt",
        label: "mean delay / inter-block time",
        ty: ColumnType::F64,
        unit: "",
        doc: "delay_mean / ibt_mean_s: the x axis of the synchronisation study.",
        read: |o: &SyncRun| f(crate::time::secs_of_ns(o.0.delay_mean) / o.1.ibt_mean_s),
    },
    Metric {
        name: "end_s",
        label: "simulated time at the end",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Simulated time at the end of the run.",
        read: |o: &SyncRun| f(o.1.end_s),
    },
    Metric {
        name: "blocks",
        label: "blocks",
        ty: ColumnType::U32,
        unit: "",
        doc: "Blocks in the longest chain.",
        read: |o: &SyncRun| u(o.1.blocks.into()),
    },
    Metric {
        name: "msgs_sent",
        label: "state messages sent",
        ty: ColumnType::U64,
        unit: "",
        doc: "State messages sent.",
        read: |o: &SyncRun| u(o.1.sent),
    },
    Metric {
        name: "msgs_arrived",
        label: "state messages arrived",
        ty: ColumnType::U64,
        unit: "",
        doc: "State messages that reached the twin.",
        read: |o: &SyncRun| u(o.1.arrived),
    },
    Metric {
        name: "naive_applied",
        label: "arrival order: updates applied",
        ty: ColumnType::U64,
        unit: "",
        doc: "Arrival order: entries applied (all of them).",
        read: |o: &SyncRun| u(o.1.naive.decisions.applied),
    },
    Metric {
        name: "naive_regressions",
        label: "arrival order: regressions",
        ty: ColumnType::U64,
        unit: "",
        doc: "Arrival order: applied entries older, by emission time, than the entry they replaced.",
        read: |o: &SyncRun| u(o.1.naive.decisions.regressions),
    },
    Metric {
        name: "naive_height_regressions",
        label: "arrival order: height regressions",
        ty: ColumnType::U64,
        unit: "",
        doc: "Arrival order: applied entries with a lower block reference than the one they replaced.",
        read: |o: &SyncRun| u(o.1.naive.decisions.height_regressions),
    },
    Metric {
        name: "naive_regression_rate",
        label: "arrival order: regression rate",
        ty: ColumnType::F64,
        unit: "",
        doc: "naive_regressions / naive_applied.",
        read: |o: &SyncRun| {
            f(rate(
                o.1.naive.decisions.regressions,
                o.1.naive.decisions.applied,
            ))
        },
    },
    Metric {
        name: "naive_staleness_s",
        label: "arrival order: staleness",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Arrival order: mean over sample instants and held entries of (now - emission of the held update).",
        read: |o: &SyncRun| f(o.1.naive.staleness_s),
    },
    Metric {
        name: "naive_staleness_blocks",
        label: "arrival order: staleness in blocks",
        ty: ColumnType::F64,
        unit: "",
        doc: "Arrival order: mean of (longest chain height now - held block reference).",
        read: |o: &SyncRun| f(o.1.naive.staleness_blocks),
    },
    Metric {
        name: "naive_bw_err_mbps",
        label: "arrival order: bandwidth error",
        ty: ColumnType::F64,
        unit: "MB/s",
        doc: "Arrival order: mean absolute error of held bandwidths against the truth now.",
        read: |o: &SyncRun| f(o.1.naive.bw_err_mbps),
    },
    Metric {
        name: "naive_coverage",
        label: "arrival order: coverage",
        ty: ColumnType::F64,
        unit: "",
        doc: "Arrival order: mean fraction of nodes with an entry.",
        read: |o: &SyncRun| f(o.1.naive.coverage),
    },
    Metric {
        name: "alg2_applied",
        label: "Alg. 2: updates applied",
        ty: ColumnType::U64,
        unit: "",
        doc: "Algorithm 2: entries applied.",
        read: |o: &SyncRun| u(o.1.alg2.decisions.applied),
    },
    Metric {
        name: "alg2_ignored",
        label: "Alg. 2: updates ignored",
        ty: ColumnType::U64,
        unit: "",
        doc: "Algorithm 2: entries ignored (block reference not above the held one).",
        read: |o: &SyncRun| u(o.1.alg2.decisions.ignored),
    },
    Metric {
        name: "alg2_regressions",
        label: "Alg. 2: regressions",
        ty: ColumnType::U64,
        unit: "",
        doc: "Algorithm 2: applied entries older, by emission time, than the entry they replaced (possible when a lagging node's view arrives first).",
        read: |o: &SyncRun| u(o.1.alg2.decisions.regressions),
    },
    Metric {
        name: "alg2_height_regressions",
        label: "Alg. 2: height regressions",
        ty: ColumnType::U64,
        unit: "",
        doc: "Algorithm 2: applied entries with a lower block reference (0 by construction).",
        read: |o: &SyncRun| u(o.1.alg2.decisions.height_regressions),
    },
    Metric {
        name: "alg2_regression_rate",
        label: "Alg. 2: regression rate",
        ty: ColumnType::F64,
        unit: "",
        doc: "alg2_regressions / alg2_applied.",
        read: |o: &SyncRun| {
            f(rate(
                o.1.alg2.decisions.regressions,
                o.1.alg2.decisions.applied,
            ))
        },
    },
    Metric {
        name: "alg2_staleness_s",
        label: "Alg. 2: staleness",
        ty: ColumnType::F64,
        unit: "s",
        doc: "Algorithm 2: mean staleness in seconds.",
        read: |o: &SyncRun| f(o.1.alg2.staleness_s),
    },
    Metric {
        name: "alg2_staleness_blocks",
        label: "Alg. 2: staleness in blocks",
        ty: ColumnType::F64,
        unit: "",
        doc: "Algorithm 2: mean staleness in blocks.",
        read: |o: &SyncRun| f(o.1.alg2.staleness_blocks),
    },
    Metric {
        name: "alg2_bw_err_mbps",
        label: "Alg. 2: bandwidth error",
        ty: ColumnType::F64,
        unit: "MB/s",
        doc: "Algorithm 2: mean absolute bandwidth error against the truth.",
        read: |o: &SyncRun| f(o.1.alg2.bw_err_mbps),
    },
    Metric {
        name: "alg2_coverage",
        label: "Alg. 2: coverage",
        ty: ColumnType::F64,
        unit: "",
        doc: "Algorithm 2: mean fraction of nodes with an entry.",
        read: |o: &SyncRun| f(o.1.alg2.coverage),
    },
];


/// The family, as the registry lists it.
pub static FAMILY: Declaration<SyncRunParams> = Declaration {
    name: "twin_sync",
    summary: "Block-order synchronisation of the twin\'s state updates (the twin paper, Algorithm 2).",
    notes: include_str!("README.md"),
    version: VERSION,
    params: || &PARAMS,
    parent: Some("pbft"),
    metrics: || metric_defs(&[METRICS]),
    details: &[],
    replicates_share_environment: false,
    resolve,
    figures: Some(figures::twin_sync),
};

//! What changes within a pbft run: a scenario's intervals and a transaction trace, read from
//! their parameters' values (the canonical text a scenario file became, the identity of a
//! registered trace), checked, and put into the core's configuration.

use super::*;
use crate::pbft::workload::Trace;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// One scenario interval's conditions, every key in force resolved (`crashed` as ids).
pub(super) struct Conditions {
    start_ms: i64,
    rate: f64,
    size: f64,
    size_dist: TxSize,
    bandwidth: Option<(f64, f64)>,
    crashed: Vec<u32>,
}

/// The scenario's intervals with the values in force in each (the spec's where no interval
/// has set a key yet), checked: crashed nodes exist, transactions fit a block, and the
/// transactions of the whole run stay under [`MAX_TXS_PER_RUN`].
pub(super) fn scenario(p: &Values) -> Result<Option<Vec<Conditions>>, ParamError> {
    use crate::schema::scenario::{CRASHED, Scenario};
    if p.scenario.is_empty() {
        return Ok(None);
    }
    let refuse = |allowed: String| ParamError {
        key: key::scenario,
        allowed,
    };
    let sc = Scenario::parse(&p.scenario, PARAMS, SCENARIO_KEYS).map_err(refuse)?;
    let mut out = Vec::with_capacity(sc.intervals.len());
    let sets_bandwidth = sc.sets("bandwidth_mean") || sc.sets("bandwidth_sd");
    let mut txs = 0.0;
    for (i, iv) in sc.intervals.iter().enumerate() {
        let float = |k: &str, spec: f64| sc.value_at(i, k).map_or(spec, |v| v.as_float());
        let size_dist = sc.value_at(i, "tx_size_dist").map_or(p.tx_size_dist, |v| {
            <TxSize as crate::schema::param::Choice>::from_name(v.as_str())
                .expect("a checked choice")
        });
        let crashed = sc
            .value_at(i, CRASHED)
            .map(|v| crate::schema::param::Kind::node_ids(v.as_str()).expect("a checked list"))
            .unwrap_or_default();
        if let Some(&v) = crashed.iter().find(|&&v| v >= p.nodes) {
            return Err(refuse(format!(
                "crashed nodes among the {} nodes (ids 0 to {}); the interval from {} ms crashes node {v}",
                p.nodes,
                p.nodes - 1,
                iv.start_ms
            )));
        }
        let c = Conditions {
            start_ms: iv.start_ms,
            rate: float("tx_rate", p.tx_rate),
            size: float("tx_size", p.tx_size),
            size_dist,
            bandwidth: sets_bandwidth.then(|| {
                (
                    float("bandwidth_mean", p.bandwidth_mean),
                    float("bandwidth_sd", p.bandwidth_sd),
                )
            }),
            crashed,
        };
        let end_ms = sc
            .intervals
            .get(i + 1)
            .map_or(p.duration.0, |next| next.start_ms)
            .min(p.duration.0);
        let span_txs = c.rate * (end_ms - iv.start_ms).max(0) as f64 / 1000.0;
        txs += span_txs;
        let exponential = c.size_dist == TxSize::Exponential;
        if let Some(allowed) = tx_fits(c.size, exponential, span_txs, p.block_size, "block_size") {
            return Err(refuse(format!("in the interval from {} ms: {allowed}", iv.start_ms)));
        }
        out.push(c);
    }
    if txs > MAX_TXS_PER_RUN as f64 {
        return Err(refuse(format!(
            "at most {MAX_TXS_PER_RUN} transactions a run (each is held in memory): the scenario's rates over its intervals make {txs:.0}"
        )));
    }
    Ok(Some(out))
}

/// Puts a scenario's intervals into the core's configuration: the workload's segments, the
/// bandwidth and crashed nodes per interval.
pub(super) fn apply_scenario(params: &mut PbftParams, ivs: Vec<Conditions>) {
    let ns = |ms: i64| crate::schema::param::Millis(ms).ns();
    params.workload.segments = ivs
        .iter()
        .map(|c| pbft::workload::Segment {
            start_ns: ns(c.start_ms),
            rate_per_s: c.rate,
            size_mb: c.size,
            size_dist: c.size_dist,
        })
        .collect();
    params.intervals = ivs
        .into_iter()
        .map(|c| pbft::Interval {
            start_ns: ns(c.start_ms),
            bandwidth: c.bandwidth,
            crashed: c.crashed,
        })
        .collect();
}

/// The trace `tx_trace` names (registered when the experiment file was read), checked:
/// its creators exist, its transactions fit a block, no scenario sets the workload beside it.
pub(super) fn trace(p: &Values) -> Result<Option<Arc<Trace>>, ParamError> {
    use crate::schema::trace::{DRAWN, lookup};
    if p.tx_trace.is_empty() {
        return Ok(None);
    }
    let refuse = |allowed: String| ParamError {
        key: key::tx_trace,
        allowed,
    };
    let t = lookup(&p.tx_trace).ok_or_else(|| {
        refuse("a trace file named in the experiment file (read with it)".into())
    })?;
    if let Some(c) = t.creator.iter().find(|&&c| c != DRAWN && c >= p.nodes) {
        return Err(refuse(format!(
            "creators among the {} nodes (ids 0 to {}); the trace names node {c}",
            p.nodes,
            p.nodes - 1
        )));
    }
    let largest = t.size_mb.iter().copied().fold(0.0, f64::max);
    if largest > p.block_size {
        return Err(refuse(format!(
            "transactions that fit a block (block_size = {} MB); the trace's largest is {largest} MB",
            p.block_size
        )));
    }
    // The scenario's own keys, read as the scenario (not searched for in its text).
    let scenario = crate::schema::scenario::Scenario::parse(&p.scenario, PARAMS, SCENARIO_KEYS);
    let sets_workload = !p.scenario.is_empty()
        && scenario.is_ok_and(|s| ["tx_rate", "tx_size", "tx_size_dist"].iter().any(|k| s.sets(k)));
    if sets_workload {
        return Err(refuse(
            "no scenario that sets tx_rate, tx_size or tx_size_dist beside a trace (the trace is the workload)".into(),
        ));
    }
    Ok(Some(converted(&p.tx_trace, &t)))
}

/// The core's copy of a registered trace, made once per process and trace (a run resolves
/// its parameters each time it is made; the copy is shared).
fn converted(text: &str, t: &crate::schema::trace::Trace) -> Arc<Trace> {
    static CORE: Mutex<BTreeMap<String, Arc<Trace>>> = Mutex::new(BTreeMap::new());
    CORE.lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(text.to_string())
        .or_insert_with(|| {
            Arc::new(Trace {
                time_ns: t.time_ns.clone(),
                size_mb: t.size_mb.clone(),
                creator: t.creator.clone(),
            })
        })
        .clone()
}

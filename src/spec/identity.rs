//! Run identity is content: a run's key hashes its model and every keyed parameter value with
//! its replicate index, its environment key only the environment's parameters, and the plan
//! hash the model's version, its columns, the seed, the part size and every run key. These
//! texts must never change for existing values, or every stored run is computed again (the
//! golden list `tests/run_keys.txt` watches them).

use super::RunSpec;
use crate::model::Model;
use crate::rng::hash_bytes;
use crate::schema::param::{ParamDef, Value};

/// One parameter point's identity texts: every keyed value, and the environment's.
pub(super) struct Point {
    /// `key=value;` for every keyed parameter, in table order.
    canonical: String,
    /// The same, for the environment's parameters only.
    env: String,
}

impl Point {
    /// The identity of the point `values` (one per parameter of `defs`, in order). A parameter
    /// added after results were stored is keyed only away from its default
    /// ([`ParamDef::keyed`]), so that old run keys stay valid.
    pub(super) fn of(defs: &[ParamDef], values: &[Value]) -> Point {
        let text = |env_only: bool| -> String {
            defs.iter()
                .zip(values)
                .filter(|(d, v)| (!env_only || d.environment) && d.keyed(v))
                .map(|(d, v)| format!("{}={};", d.key, v.canonical()))
                .collect()
        };
        Point {
            canonical: text(false),
            env: text(true),
        }
    }

    /// The point's key, without a replicate: two cases with one point key would write two
    /// rows per run key.
    pub(super) fn key(&self, model: Model) -> u64 {
        hash_bytes(format!("{}|{}", model.name(), self.canonical).as_bytes())
    }

    /// Replicate `r`'s run key.
    pub(super) fn run_key(&self, model: Model, r: u32) -> u64 {
        hash_bytes(format!("{}|{}|rep={r}", model.name(), self.canonical).as_bytes())
    }

    /// Replicate `r`'s environment key: shared by every replicate where the model says its
    /// replicates share one environment.
    pub(super) fn env_key(&self, model: Model, r: u32) -> u64 {
        if model.replicates_share_environment() {
            hash_bytes(format!("{}|env|{}", model.name(), self.env).as_bytes())
        } else {
            hash_bytes(format!("{}|env|{}|rep={r}", model.name(), self.env).as_bytes())
        }
    }
}

/// The plan's identity: the model and its version, the columns its rows have (names and
/// types, so that a binary that writes other columns never takes older parts for its own),
/// the seed, the part size and every run's key (with its case).
pub(super) fn plan_hash(
    model: Model,
    master_seed: u64,
    runs_per_part: u32,
    runs: &[RunSpec],
) -> u64 {
    let mut h = format!(
        "{}|{}|seed={master_seed}|per_part={runs_per_part}|",
        model.name(),
        model.version()
    );
    for c in model.columns() {
        h.push_str(&format!("{}:{:?},", c.name, c.ty));
    }
    h.push('|');
    for r in runs {
        if !r.case.is_empty() {
            h.push_str(&r.case);
            h.push(':');
        }
        h.push_str(&format!("{:016x},", r.run_key));
    }
    hash_bytes(h.as_bytes())
}

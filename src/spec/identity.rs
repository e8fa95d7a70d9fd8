//! Run identity is content: a run's key hashes its model and every keyed parameter value with
//! its replicate index, its environment key only the environment's parameters, and the plan
//! hash the model's version, its columns, the seed, the part size and every run key. These
//! texts must never change for existing values, or every stored run is computed again (the
//! golden list `tests/run_keys.txt` watches them).

use super::RunSpec;
use crate::model::Model;
use crate::rng::Hasher;
use crate::schema::param::{ParamDef, Value};
use std::fmt::Write as _;

/// One parameter point's identity texts: every keyed value, and the environment's.
pub(super) struct Point {
    /// `key=value;` for every keyed parameter, in table order.
    canonical: String,
    /// The same, for the environment's parameters only.
    env: String,
}

/// Per parameter of `defs`, the default of one added after results were stored (its value
/// is keyed only away from it: [`ParamDef::keyed`]), else `None`.
pub(super) fn later_defaults(defs: &[ParamDef]) -> Vec<Option<Value>> {
    defs.iter()
        .map(|d| d.added_in.map(|_| d.default_value()))
        .collect()
}

impl Point {
    /// The identity of the point `values` (one per parameter of `defs`, in order), whose
    /// canonical texts ([`Value::canonical`]) are `texts`. A parameter added after results
    /// were stored is keyed only away from its default ([`ParamDef::keyed`]), so that old run
    /// keys stay valid.
    /// `later` holds, per parameter, the default of one added later (`None` for the others):
    /// [`later_defaults`], made once per plan.
    pub(super) fn of(
        defs: &[ParamDef],
        later: &[Option<Value>],
        values: &[Value],
        texts: &[&str],
    ) -> Point {
        let text = |env_only: bool| -> String {
            let mut s = String::new();
            for (((d, v), t), l) in defs.iter().zip(values).zip(texts).zip(later) {
                // `ParamDef::keyed`, with the default parsed once.
                if (!env_only || d.environment) && l.as_ref().is_none_or(|l| v != l) {
                    s.push_str(d.key);
                    s.push('=');
                    s.push_str(t);
                    s.push(';');
                }
            }
            s
        };
        Point {
            canonical: text(false),
            env: text(true),
        }
    }

    /// The point's key, without a replicate: two cases with one point key would write two
    /// rows per run key.
    pub(super) fn key(&self, model: Model) -> u64 {
        self.run_prefix(model).finish()
    }

    /// Replicate `r`'s run key.
    pub(super) fn run_key(&self, model: Model, r: u32) -> u64 {
        self.run_prefix(model)
            .text("|rep=")
            .decimal(u64::from(r))
            .finish()
    }

    /// Replicate `r`'s environment key: shared by every replicate where the model says its
    /// replicates share one environment.
    pub(super) fn env_key(&self, model: Model, r: u32) -> u64 {
        let h = Hasher::new()
            .text(model.name())
            .text("|env|")
            .text(&self.env);
        if model.replicates_share_environment() {
            h.finish()
        } else {
            h.text("|rep=").decimal(u64::from(r)).finish()
        }
    }

    /// The hash of `{model}|{canonical}`, which the point and run keys extend.
    fn run_prefix(&self, model: Model) -> Hasher {
        Hasher::new()
            .text(model.name())
            .text("|")
            .text(&self.canonical)
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
    let mut h = Hasher::new().text(&format!(
        "{}|{}|seed={master_seed}|per_part={runs_per_part}|",
        model.name(),
        model.version()
    ));
    for c in model.columns() {
        h = h.text(&format!("{}:{:?},", c.name, c.ty));
    }
    h = h.text("|");
    let mut key = String::with_capacity(17);
    for r in runs {
        if !r.case.is_empty() {
            h = h.text(&r.case).text(":");
        }
        key.clear();
        write!(key, "{:016x},", r.run_key).expect("writing to a String");
        h = h.text(&key);
    }
    h.finish()
}

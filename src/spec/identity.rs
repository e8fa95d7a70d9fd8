//! Run identity is content: a run's key hashes its model and every keyed parameter value with
//! its replicate index, its environment key only the environment's parameters, and the plan
//! hash the model's version, its columns, the seed, the part size and every run key. These
//! texts must never change for existing values, or every stored run is computed again (the
//! golden list `tests/run_keys.txt` watches them).

use super::Runs;
use crate::model::Model;
use crate::rng::Hasher;
use crate::schema::param::{ParamDef, Value};

/// One parameter point's identity: the hashes of its texts, `{model}|` then `key=value;` for
/// every keyed parameter in table order, and `{model}|env|` then the same for the
/// environment's parameters only: a [`Prefix`] over every parameter. The texts are hashed as
/// they are produced, never built.
pub(super) struct Point(Prefix);

/// Per parameter of `defs`, its [`ParamDef::later_default`].
pub(super) fn later_defaults(defs: &[ParamDef]) -> Vec<Option<Value>> {
    defs.iter().map(ParamDef::later_default).collect()
}

/// The hashes of a point's identity texts over its first `next` parameters.
#[derive(Clone, Copy)]
pub(super) struct Prefix {
    /// The hash of `{model}|{key=value;...}`, which the point and run keys extend.
    run: Hasher,
    /// The hash of `{model}|env|{key=value;...}` over the environment's parameters.
    env: Hasher,
    /// Parameters hashed so far.
    next: usize,
    /// Whether replicates share one environment key.
    shared_env: bool,
}

impl Prefix {
    /// Before the first parameter of a point of `model`.
    pub(super) fn new(model: Model) -> Prefix {
        Prefix {
            run: Hasher::new().text(model.name()).text("|"),
            env: Hasher::new().text(model.name()).text("|env|"),
            next: 0,
            shared_env: model.replicates_share_environment(),
        }
    }

    /// Extended over the parameters from `self.next` up to (not including) `upto`.
    pub(super) fn extend(
        mut self,
        defs: &[ParamDef],
        later: &[Option<Value>],
        values: &[Value],
        texts: &[&str],
        upto: usize,
    ) -> Prefix {
        for i in self.next..upto {
            let (d, v, t) = (&defs[i], &values[i], texts[i]);
            if d.keyed_against(v, later[i].as_ref()) {
                let pair = |h: Hasher| h.text(d.key).text("=").text(t).text(";");
                self.run = pair(self.run);
                if d.environment {
                    self.env = pair(self.env);
                }
            }
        }
        self.next = upto;
        self
    }
}

impl Point {
    /// The identity of the point `values` (one value per parameter of `defs`, in order),
    /// whose canonical texts ([`Value::canonical`]) are `texts`, continued from `prefix`, the
    /// hashes of the parameters before `prefix.next` (the same for every point of a case that
    /// sweeps only later ones; [`Prefix::new`] for none). A parameter added after results
    /// were stored is keyed only away from its default ([`ParamDef::keyed`]), so that old run
    /// keys stay valid: `later` holds, per parameter, the default of one added later (`None`
    /// for the others), [`later_defaults`], made once per plan.
    pub(super) fn from(
        prefix: Prefix,
        defs: &[ParamDef],
        later: &[Option<Value>],
        values: &[Value],
        texts: &[&str],
    ) -> Point {
        Point(prefix.extend(defs, later, values, texts, defs.len()))
    }

    /// The point's key, without a replicate: two cases with one point key would write two
    /// rows per run key.
    pub(super) fn key(&self) -> u64 {
        self.0.run.finish()
    }

    /// Replicate `r`'s run key.
    pub(super) fn run_key(&self, r: u32) -> u64 {
        self.0.run.text("|rep=").decimal(u64::from(r)).finish()
    }

    /// Replicate `r`'s environment key: shared by every replicate where the model says its
    /// replicates share one environment.
    pub(super) fn env_key(&self, r: u32) -> u64 {
        if self.0.shared_env {
            self.0.env.finish()
        } else {
            self.0.env.text("|rep=").decimal(u64::from(r)).finish()
        }
    }
}

/// The plan's identity: the model and its version, the columns its rows have (names and
/// types, so that a binary that writes other columns never takes older parts for its own),
/// the seed, the part size and every run's key (with its case).
pub(super) fn plan_hash(model: Model, master_seed: u64, runs_per_part: u32, runs: &Runs) -> u64 {
    let mut h = Hasher::new().text(&format!(
        "{}|{}|seed={master_seed}|per_part={runs_per_part}|",
        model.name(),
        model.version()
    ));
    for c in model.columns() {
        h = h.text(&format!("{}:{:?},", c.name, c.ty));
    }
    h = h.text("|");
    // Each run key as `{:016x},`, written by hand (a formatter per run is most of the cost of
    // a long plan's hash).
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut key = [b','; 17];
    for (case, range) in runs.cases() {
        for i in range {
            if !case.is_empty() {
                h = h.text(case).text(":");
            }
            let k = runs.run_key(i);
            for (d, byte) in key[..16].iter_mut().enumerate() {
                *byte = HEX[(k >> (60 - 4 * d) & 0xF) as usize];
            }
            h = h.bytes(&key);
        }
    }
    h.finish()
}

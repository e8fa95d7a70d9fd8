//! Experiment files: TOML in, a validated and fully expanded [`Plan`] out.
//!
//! The raw structs mirror the file; unknown keys are errors. Every value is checked against its
//! model's schema, and every expanded run is resolved into the core's typed configuration,
//! before anything runs. Errors name the file, the line, the key, the value and what is
//! allowed. This module reads the spec file and nothing else.
//!
//! Architecture invariant: `spec` reads the experiment file and nothing else; it knows the
//! model families only through the registry ([`crate::model::ModelFamily`]), never one by name,
//! and runs nothing.

use crate::model::{Model, ModelParams};
use crate::schema::param::{Kind, ParamDef, Value};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

mod axes;
mod error;
mod expand;
mod identity;
mod runs;
mod scenario;
mod text;

pub(crate) use text::nfc;
use text::{plain_text, shown, shown_key};

use axes::{apply_params, parse_axes};
pub use error::{SpecError, SpecErrorKind};
use expand::expand;
use identity::plan_hash;
pub use runs::Runs;

type SpannedMap = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    name: Spanned<String>,
    description: Spanned<String>,
    model: Spanned<String>,
    seed: Spanned<i64>,
    replicates: Spanned<i64>,
    #[serde(default)]
    runs_per_part: Option<Spanned<i64>>,
    #[serde(default)]
    params: SpannedMap,
    #[serde(default)]
    sweep: SpannedMap,
    #[serde(default)]
    cases: BTreeMap<Spanned<String>, SpannedMap>,
    #[serde(default)]
    quick: Option<RawQuick>,
    #[serde(default)]
    budget: Option<RawBudget>,
}

/// `[budget]`: the most work one run may do (see [`crate::des::Budget`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBudget {
    #[serde(default)]
    events: Option<Spanned<i64>>,
    #[serde(default)]
    messages: Option<Spanned<i64>>,
    #[serde(default)]
    memory: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuick {
    #[serde(default)]
    replicates: Option<Spanned<i64>>,
    #[serde(default)]
    runs_per_part: Option<Spanned<i64>>,
    #[serde(default)]
    cases: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    params: SpannedMap,
    #[serde(default)]
    sweep: SpannedMap,
}

/// Changes the command line makes to a spec.
#[derive(Clone, Copy, Debug, Default)]
pub struct Overrides {
    /// Apply the `[quick]` profile.
    pub quick: bool,
    /// Replace the master seed.
    pub seed: Option<u64>,
    /// Replace the replicate count.
    pub replicates: Option<u32>,
}

/// One sweep axis after expansion.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// The parameter key.
    pub key: &'static str,
    /// Its values, in order.
    pub values: Vec<Value>,
    /// Their canonical texts ([`Value::canonical`]) end to end, made once when the axis is
    /// read; [`Axis::text`] gives one.
    texts: String,
    /// Where each value's text ends in `texts`.
    ends: Vec<usize>,
}

impl Axis {
    /// Value `i`'s canonical text ([`Value::canonical`]).
    pub fn text(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.texts[start..self.ends[i]]
    }
}

/// One run of a plan.
#[derive(Clone, Debug)]
pub struct RunSpec {
    /// Position in the plan.
    pub index: u64,
    /// Replicate index.
    pub replicate: u32,
    /// The `[cases.NAME]` the run belongs to ("" when the file has no cases); shared by the
    /// case's runs.
    pub case: std::sync::Arc<str>,
    /// One value per model parameter, in schema order.
    pub values: Vec<Value>,
    /// The typed configuration.
    pub params: ModelParams,
    /// Hash of every parameter and the replicate: the run's identity.
    pub run_key: u64,
    /// Hash of the environment parameters and the replicate: keys the environment streams.
    pub env_key: u64,
}

/// A validated, fully expanded experiment.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The spec file.
    pub source: PathBuf,
    /// Experiment name (the results directory).
    pub name: String,
    /// One-line description, naming the paper figure.
    pub description: String,
    /// The model family.
    pub model: Model,
    /// Master seed.
    pub master_seed: u64,
    /// Replicates per parameter point.
    pub replicates: u32,
    /// Runs per Parquet part file (the unit of atomic commit and resume).
    pub runs_per_part: u32,
    /// Whether the quick profile was applied.
    pub quick: bool,
    /// Base value of every parameter (defaults, then `[params]`).
    pub base: Vec<Value>,
    /// Every run, replicates innermost (made on demand), and the sweep axes.
    pub runs: Runs,
    /// Hash of everything that determines the rows: model version, seed, runs, part size.
    pub hash: u64,
    /// The most work one run may do (`[budget]`; not part of the hash: a budget changes no
    /// successful row, only whether a run is allowed to finish).
    pub budget: crate::des::Budget,
}

impl Plan {
    /// The plan hash as 16 hex digits (the results subdirectory).
    pub fn hash_hex(&self) -> String {
        format!("{:016x}", self.hash)
    }

    /// Number of part files.
    pub fn part_count(&self) -> usize {
        self.runs.len().div_ceil(self.runs_per_part as usize)
    }

    /// The positions of part `i`'s runs.
    pub fn part(&self, i: usize) -> std::ops::Range<usize> {
        let size = self.runs_per_part as usize;
        i * size..((i + 1) * size).min(self.runs.len())
    }

    /// The sweep axes, in file order; the plan is their cartesian product, first axis
    /// outermost.
    pub fn axes(&self) -> &[Axis] {
        self.runs.axes()
    }
}

/// Default runs per part file.
pub const DEFAULT_RUNS_PER_PART: u32 = 64;

/// Largest plan accepted, to fail fast on a runaway sweep. Every point is resolved when the
/// plan is made, and every shard of a cluster sweep expands all of it; the plan keeps 16
/// bytes a run ([`Runs`]). Split a larger sweep into several files.
pub const MAX_RUNS: u64 = 1_000_000;

struct Ctx<'a> {
    file: &'a Path,
    text: &'a str,
}

impl Ctx<'_> {
    fn line(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .bytes()
            .filter(|&b| b == b'\n')
            .count()
            + 1
    }
    fn err(
        &self,
        kind: SpecErrorKind,
        span: Option<std::ops::Range<usize>>,
        key: Option<String>,
        value: Option<String>,
        message: impl Into<String>,
    ) -> SpecError {
        SpecError {
            kind,
            file: self.file.to_path_buf(),
            line: span.map(|s| self.line(s.start)),
            key,
            value,
            message: message.into(),
        }
    }
}

/// Longest experiment or case name: the name is a directory (`<name>` and `<name>.blocks`)
/// and the stem of figure files, which must fit a file system's 255-byte limit.
pub const MAX_NAME_LEN: usize = 100;

/// Where a resolved value came from, for error messages.
#[derive(Clone, Debug)]
struct Origin {
    key: String,
    span: Option<std::ops::Range<usize>>,
}

/// Reads, validates and expands an experiment file.
pub fn load(path: &Path, over: Overrides) -> Result<Plan, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|e| SpecError {
        kind: SpecErrorKind::Unreadable,
        file: path.to_path_buf(),
        line: None,
        key: None,
        value: None,
        message: format!("cannot read the experiment file: {e}"),
    })?;
    parse(path, &text, over)
}

/// Validates and expands an experiment given as text; `path` is used in messages.
pub fn parse(path: &Path, text: &str, over: Overrides) -> Result<Plan, SpecError> {
    parse_in(crate::model::REGISTRY, path, text, over)
}

/// [`parse`] with the model families `families` (the registry in production). The phases, in
/// the order their errors take precedence: the raw TOML, the header (name, case names,
/// model, seed), the counts (replicates, budget, part size), the base (defaults, `[params]`,
/// `[sweep]`, the cases, keys set twice), the quick profile (always validated, applied under
/// `--quick`), the command line's overrides, the expansion (every run resolved and checked)
/// and the plan hash.
pub fn parse_in(
    families: &[&'static dyn crate::model::ModelFamily],
    path: &Path,
    text: &str,
    over: Overrides,
) -> Result<Plan, SpecError> {
    let (plan, has_quick) = parse_once(families, path, text, over)?;
    // The quick profile is validated with the spec, always: a profile that could never run
    // (an impossible value against a case, cases it makes identical, a sweep over the size
    // limit) is refused by `validate` and `run`, not first met under `--quick`.
    if !over.quick && has_quick {
        let quick = Overrides {
            quick: true,
            ..over
        };
        if let Err(mut e) = parse_once(families, path, text, quick) {
            e.message = format!("under the [quick] profile: {}", e.message);
            return Err(e);
        }
    }
    Ok(plan)
}

/// [`parse_in`] for one profile (the full one, or the quick one under `over.quick`), and
/// whether the file has a `[quick]` table.
fn parse_once(
    families: &[&'static dyn crate::model::ModelFamily],
    path: &Path,
    text: &str,
    over: Overrides,
) -> Result<(Plan, bool), SpecError> {
    let cx = Ctx { file: path, text };
    let raw = read_raw(&cx)?;
    let Header {
        name,
        model,
        master_seed,
    } = header(&cx, &raw, families, over)?;
    let mut counts = counts(&cx, &raw)?;
    let mut base = Base::read(&cx, &raw, model)?;
    let quick = quick_profile(&cx, &raw, model, &mut base, &mut counts, over)?;
    if let Some(r) = over.replicates {
        if r == 0 {
            return Err(cx.err(
                SpecErrorKind::Value,
                None,
                Some("--replicates".into()),
                Some("0".into()),
                "allowed: an integer >= 1",
            ));
        }
        counts.replicates = r;
    }
    let mut runs = expand(&cx, model, &base, &quick, &counts, over)?;
    runs.axes = base.axes.into_iter().map(|a| a.0).collect();
    let mut base_values = base.values;
    if let Some(q) = quick.params {
        apply_params(
            &cx,
            model,
            model.params(),
            q,
            "quick.params",
            &mut base_values,
        )?;
    }
    let hash = plan_hash(model, master_seed, counts.runs_per_part, &runs);
    let plan = Plan {
        source: path.to_path_buf(),
        name,
        description: raw.description.get_ref().clone(),
        model,
        master_seed,
        replicates: counts.replicates,
        runs_per_part: counts.runs_per_part,
        quick: over.quick,
        base: base_values.into_iter().map(|b| b.0).collect(),
        runs,
        hash,
        budget: counts.budget,
    };
    Ok((plan, raw.quick.is_some()))
}

/// The file as TOML, with type errors in TOML's words.
fn read_raw(cx: &Ctx<'_>) -> Result<RawSpec, SpecError> {
    let text = cx.text;
    toml::from_str(text).map_err(|e| {
        let message = e.message().trim();
        // A type error names the key of its line and says what is allowed in TOML's words
        // rather than Rust's.
        let names_its_key = ["invalid type", "invalid value", "duplicate key"]
            .iter()
            .any(|m| message.starts_with(m));
        let key = e.span().filter(|_| names_its_key).and_then(|span| {
            let start = text[..span.start.min(text.len())]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            let line = &text[start..];
            let (key, _) = line.split_once('=')?;
            let key = key.trim();
            (!key.is_empty() && !key.contains(['\n', '[', '{'])).then(|| key.to_string())
        });
        let mut message = message
            .replace("expected i64", "expected an integer")
            .replace("expected a map", "expected a table")
            .replace("a sequence", "an array")
            .replace("sequence", "array");
        // TOML's dates and times reach serde as a map: say what was written.
        let written_datetime = e.span().is_some_and(|span| {
            let at = span.start.min(text.len());
            let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
            let line = &text[start..end];
            let value = line.split_once('=').map_or(line, |(_, v)| v).trim_start();
            value.starts_with(|c: char| c.is_ascii_digit())
                && value.split_whitespace().next().is_some_and(|v| {
                    v.len() >= 8 && (v.as_bytes()[4] == b'-' || v.as_bytes()[2] == b':')
                })
        });
        if written_datetime && message.starts_with("invalid type: map") {
            message = message.replacen("invalid type: map", "invalid type: date or time", 1);
        }
        if message.starts_with("invalid value: integer") {
            // TOML integers are 64-bit signed: a larger one cannot be written.
            message.push_str(&format!(" in 0..={}", i64::MAX));
        }
        let kind = if message.starts_with("unknown field") {
            SpecErrorKind::UnknownKey
        } else {
            SpecErrorKind::Syntax
        };
        cx.err(kind, e.span(), key, None, message)
    })
}

/// What identifies the experiment: its name, model and master seed.
struct Header {
    name: String,
    model: Model,
    master_seed: u64,
}

/// The name (and the case names), the model among `families`, the seed.
fn header(
    cx: &Ctx<'_>,
    raw: &RawSpec,
    families: &[&'static dyn crate::model::ModelFamily],
    over: Overrides,
) -> Result<Header, SpecError> {
    let name = raw.name.get_ref().clone();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(cx.err(
            SpecErrorKind::Text,
            Some(raw.name.span()),
            Some("name".into()),
            Some(shown(&name)),
            "allowed: letters, digits, '_' and '-' (it names the results directory)",
        ));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(cx.err(
            SpecErrorKind::Text,
            Some(raw.name.span()),
            Some("name".into()),
            Some(shown(&name)),
            format!(
                "{} characters; allowed: at most {MAX_NAME_LEN} (it names directories and figure files, which must fit a file system's 255-byte limit)",
                name.len()
            ),
        ));
    }
    plain_text(cx, &raw.description, "description")?;
    for case in raw.cases.keys() {
        plain_text(cx, case, &format!("cases.{}", shown_key(case.get_ref())))?;
        let c = case.get_ref();
        if c.trim().is_empty() || c.trim() != c {
            return Err(cx.err(
                SpecErrorKind::Text,
                Some(case.span()),
                Some(format!("cases.{}", shown_key(c))),
                Some(shown(c)),
                "a case name is not empty and neither starts nor ends with a space; allowed: a name such as \"relayer\"",
            ));
        }
        if case.get_ref().chars().count() > MAX_NAME_LEN {
            return Err(cx.err(
                SpecErrorKind::Text,
                Some(case.span()),
                Some(format!("cases.{}", shown_key(case.get_ref()))),
                None,
                format!("a case name has at most {MAX_NAME_LEN} characters"),
            ));
        }
    }
    // Names that display alike are one name: two case names equal once normalised (NFC, as
    // "é" typed as one character or as "e" and a combining accent) are refused, naming both.
    let mut normal: std::collections::HashMap<String, &Spanned<String>> =
        std::collections::HashMap::with_capacity(raw.cases.len());
    for case in raw.cases.keys() {
        if let Some(other) = normal.insert(nfc(case.get_ref()), case) {
            let (first, second) = if other.span().start < case.span().start {
                (other, case)
            } else {
                (case, other)
            };
            return Err(cx.err(
                SpecErrorKind::Duplicate,
                Some(second.span()),
                Some(format!("cases.{}", shown_key(second.get_ref()))),
                Some(shown(second.get_ref())),
                format!(
                    "is the same name as case {} once Unicode-normalised (NFC: they differ only in how their characters are composed); allowed: distinct names",
                    shown(first.get_ref())
                ),
            ));
        }
    }
    let model = families
        .iter()
        .map(|&f| Model::of(f))
        .find(|m| m.name() == raw.model.get_ref());
    let model = model.ok_or_else(|| {
        let known: Vec<&str> = families.iter().map(|f| f.name()).collect();
        cx.err(
            SpecErrorKind::UnknownModel,
            Some(raw.model.span()),
            Some("model".into()),
            Some(format!("\"{}\"", raw.model.get_ref())),
            format!(
                "unknown model; {}allowed: {}",
                crate::schema::units::did_you_mean(raw.model.get_ref(), known.iter().copied())
                    .map(|near| format!("did you mean \"{near}\"? "))
                    .unwrap_or_default(),
                known.join(", ")
            ),
        )
    })?;
    let master_seed = match over.seed {
        Some(s) => s,
        None => u64::try_from(*raw.seed.get_ref()).map_err(|_| {
            cx.err(
                SpecErrorKind::Value,
                Some(raw.seed.span()),
                Some("seed".into()),
                Some(raw.seed.get_ref().to_string()),
                "allowed: an integer >= 0",
            )
        })?,
    };
    Ok(Header {
        name,
        model,
        master_seed,
    })
}

/// The plan's counts: replicates, runs per part and the run budget.
struct Counts {
    replicates: u32,
    runs_per_part: u32,
    budget: crate::des::Budget,
}

/// A count that must be a u32 of at least 1, or the error that says what is allowed.
fn positive(cx: &Ctx<'_>, s: &Spanned<i64>, key: &str, allowed: &str) -> Result<u32, SpecError> {
    u32::try_from(*s.get_ref())
        .ok()
        .filter(|&r| r >= 1)
        .ok_or_else(|| {
            cx.err(
                SpecErrorKind::Value,
                Some(s.span()),
                Some(key.into()),
                Some(s.get_ref().to_string()),
                allowed,
            )
        })
}

/// A replicate count.
fn replicates(cx: &Ctx<'_>, s: &Spanned<i64>, key: &str) -> Result<u32, SpecError> {
    positive(
        cx,
        s,
        key,
        &format!("allowed: an integer in 1..={}", u32::MAX),
    )
}

/// A part size.
fn per_part(cx: &Ctx<'_>, s: &Spanned<i64>, key: &str) -> Result<u32, SpecError> {
    positive(cx, s, key, "allowed: an integer >= 1")
}

/// A `[budget] memory` value in bytes: a positive integer, or a positive number and a unit.
fn memory_size(v: &toml::Value) -> Option<u64> {
    const MAX: f64 = 9.223_372_036_854_776e18;
    let bytes = match v {
        toml::Value::Integer(i) => *i as f64,
        toml::Value::String(s) => {
            let (num, unit) = s.trim().split_once(' ')?;
            let scale: f64 = match unit.trim() {
                "B" => 1.0,
                "KiB" => 1024.0,
                "MiB" => 1024f64.powi(2),
                "GiB" => 1024f64.powi(3),
                "TiB" => 1024f64.powi(4),
                "kB" | "KB" => 1e3,
                "MB" => 1e6,
                "GB" => 1e9,
                "TB" => 1e12,
                _ => return None,
            };
            num.parse::<f64>().ok()? * scale
        }
        _ => return None,
    };
    (1.0..=MAX).contains(&bytes).then(|| bytes.round() as u64)
}

/// `replicates`, `[budget]` and `runs_per_part`.
fn counts(cx: &Ctx<'_>, raw: &RawSpec) -> Result<Counts, SpecError> {
    let replicates = replicates(cx, &raw.replicates, "replicates")?;
    let mut budget = crate::des::Budget::DEFAULT;
    if let Some(b) = &raw.budget {
        let limit = |v: &Spanned<i64>, key: &str| {
            u64::try_from(*v.get_ref())
                .ok()
                .filter(|&x| x >= 1)
                .ok_or_else(|| {
                    cx.err(
                        SpecErrorKind::Value,
                        Some(v.span()),
                        Some(key.into()),
                        Some(v.get_ref().to_string()),
                        "allowed: an integer >= 1",
                    )
                })
        };
        if let Some(v) = &b.events {
            budget.events = limit(v, "budget.events")?;
        }
        if let Some(v) = &b.messages {
            budget.messages = limit(v, "budget.messages")?;
        }
        if let Some(v) = &b.memory {
            budget.memory = memory_size(v.get_ref()).ok_or_else(|| {
                cx.err(
                    SpecErrorKind::Value,
                    Some(v.span()),
                    Some("budget.memory".into()),
                    Some(v.get_ref().to_string()),
                    "allowed: a number of bytes >= 1 (an integer) or a size such as \"512 MiB\" or \"16 GiB\" (units B, KiB, MiB, GiB, TiB, kB, MB, GB, TB), at most 2^63 bytes",
                )
            })?;
        }
    }
    let runs_per_part = match &raw.runs_per_part {
        Some(s) => per_part(cx, s, "runs_per_part")?,
        None => DEFAULT_RUNS_PER_PART,
    };
    Ok(Counts {
        replicates,
        runs_per_part,
        budget,
    })
}

/// The base of every run: defaults then `[params]`, the sweep axes, and the case tables in
/// file order (each validated on its own).
struct Base<'r> {
    values: Vec<(Value, Origin)>,
    axes: Vec<(Axis, Origin)>,
    cases: Vec<(&'r Spanned<String>, &'r SpannedMap)>,
}

impl<'r> Base<'r> {
    fn read(cx: &Ctx<'_>, raw: &'r RawSpec, model: Model) -> Result<Base<'r>, SpecError> {
        let defs = model.params();
        let mut base: Vec<(Value, Origin)> = defs
            .iter()
            .map(|d| {
                (
                    d.default_value(),
                    Origin {
                        key: format!("params.{}", d.key),
                        span: None,
                    },
                )
            })
            .collect();
        apply_params(cx, model, defs, &raw.params, "params", &mut base)?;
        let axes = parse_axes(cx, model, defs, &raw.sweep, "sweep")?;

        // Cases: named tables of parameter values, in file order; each is validated on its own.
        let mut case_list: Vec<(&Spanned<String>, &SpannedMap)> = raw.cases.iter().collect();
        case_list.sort_by_key(|(k, _)| k.span().start);
        for (name, map) in &case_list {
            let mut scratch = base.clone();
            apply_params(
                cx,
                model,
                defs,
                map,
                &format!("cases.{}", name.get_ref()),
                &mut scratch,
            )?;
        }
        // A value that a sweep axis would always replace is a mistake, not a default: the run
        // rows would show the axis value and the written one would silently never be used.
        let quick_sweep: Option<&SpannedMap> = raw.quick.as_ref().map(|q| &q.sweep);
        not_swept(cx, &raw.params, "params", &[(&raw.sweep, "sweep")])?;
        // A quick axis replaces only the keys of the cases the quick profile keeps.
        let quick_keeps = |case: &str| {
            raw.quick
                .as_ref()
                .and_then(|q| q.cases.as_ref())
                .is_none_or(|qc| qc.get_ref().iter().any(|c| c.get_ref() == case))
        };
        for (name, map) in &case_list {
            let mut sweeps = vec![(&raw.sweep, "sweep")];
            if quick_keeps(name.get_ref()) {
                sweeps.extend(quick_sweep.map(|q| (q, "quick.sweep")));
            }
            not_swept(
                cx,
                map,
                &format!("cases.{}", shown_key(name.get_ref())),
                &sweeps,
            )?;
        }
        if let Some(q) = &raw.quick {
            not_swept(
                cx,
                &q.params,
                "quick.params",
                &[(&raw.sweep, "sweep"), (&q.sweep, "quick.sweep")],
            )?;
        }
        Ok(Base {
            values: base,
            axes,
            cases: case_list,
        })
    }
}

/// The quick profile as it applies to the expansion: its parameters and its cases.
struct Quick<'r> {
    params: Option<&'r SpannedMap>,
    cases: Option<Vec<String>>,
}

/// Validates `[quick]` always, so that a broken one fails even without `--quick`; under
/// `--quick` applies its counts and axes to `base` and `counts` and returns its parameters and
/// cases.
fn quick_profile<'r>(
    cx: &Ctx<'_>,
    raw: &'r RawSpec,
    model: Model,
    base: &mut Base<'r>,
    counts: &mut Counts,
    over: Overrides,
) -> Result<Quick<'r>, SpecError> {
    let defs = model.params();
    let mut quick_params: Option<&SpannedMap> = None;
    let mut quick_cases: Option<Vec<String>> = None;
    // Validate the quick profile always, so a broken one fails even without --quick.
    if let Some(q) = &raw.quick {
        let quick_reps = q
            .replicates
            .as_ref()
            .map(|r| replicates(cx, r, "quick.replicates"))
            .transpose()?;
        let quick_per_part = q
            .runs_per_part
            .as_ref()
            .map(|r| per_part(cx, r, "quick.runs_per_part"))
            .transpose()?;
        // Quick parameters apply after the case tables, so they can shorten any case.
        let mut quick_base = base.values.clone();
        apply_params(cx, model, defs, &q.params, "quick.params", &mut quick_base)?;
        let quick_axes = parse_axes(cx, model, defs, &q.sweep, "quick.sweep")?;
        if let Some(qc) = &q.cases {
            if qc.get_ref().is_empty() {
                return Err(cx.err(
                    SpecErrorKind::Size,
                    Some(qc.span()),
                    Some("quick.cases".into()),
                    Some("[]".into()),
                    format!(
                        "an empty list would run nothing; allowed: one or more of {}",
                        raw.cases
                            .keys()
                            .map(|k| k.get_ref().as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            for name in qc.get_ref() {
                if !raw.cases.keys().any(|k| k.get_ref() == name.get_ref()) {
                    return Err(cx.err(
                        SpecErrorKind::UnknownKey,
                        Some(name.span()),
                        Some("quick.cases".into()),
                        Some(format!("\"{}\"", name.get_ref())),
                        format!(
                            "no such case; allowed: {}",
                            raw.cases
                                .keys()
                                .map(|k| k.get_ref().as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            }
        }
        if over.quick {
            if let Some(r) = quick_reps {
                counts.replicates = r;
            }
            if let Some(r) = quick_per_part {
                counts.runs_per_part = r;
            }
            quick_params = Some(&q.params);
            if let Some(qc) = &q.cases {
                quick_cases = Some(qc.get_ref().iter().map(|c| c.get_ref().clone()).collect());
            }
            for qa in quick_axes {
                match base.axes.iter_mut().find(|a| a.0.key == qa.0.key) {
                    Some(a) => *a = qa,
                    None => base.axes.push(qa),
                }
            }
        }
    }
    Ok(Quick {
        params: quick_params,
        cases: quick_cases,
    })
}

/// Fails if a key of `map` (section `section`) is also an axis of one of `sweeps`.
fn not_swept(
    cx: &Ctx<'_>,
    map: &SpannedMap,
    section: &str,
    sweeps: &[(&SpannedMap, &str)],
) -> Result<(), SpecError> {
    for k in map.keys() {
        if let Some((_, axis)) = sweeps.iter().find(|(m, _)| m.contains_key(k)) {
            return Err(cx.err(
                SpecErrorKind::Duplicate,
                Some(k.span()),
                Some(format!("{section}.{}", shown_key(k.get_ref()))),
                None,
                format!(
                    "is also a sweep axis (`{axis}.{}`), which replaces it in every run; allowed: set a parameter in one place",
                    shown_key(k.get_ref())
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(text: &str) -> Result<Plan, SpecError> {
        parse(Path::new("x.toml"), text, Overrides::default())
    }

    const HEAD: &str =
        "name = \"t\"\ndescription = \"d\"\nmodel = \"propagation\"\nseed = 1\nreplicates = 2\n";

    #[test]
    fn sweeps_expand_in_file_order_with_replicates_innermost() {
        let p = plan(&format!("{HEAD}[sweep]\nprotocol = [\"flood\", \"oppi\"]\nnodes = {{ from = 10, to = 30, step = 10 }}\n")).unwrap();
        assert_eq!(p.runs.len(), 2 * 3 * 2);
        assert_eq!(p.axes()[0].key, "protocol");
        let nodes_col = p
            .model
            .params()
            .iter()
            .position(|d| d.key == "nodes")
            .unwrap();
        let seen: Vec<i64> = p
            .runs
            .iter()
            .map(|r| r.values[nodes_col].as_int())
            .collect();
        assert_eq!(seen, vec![10, 10, 20, 20, 30, 30, 10, 10, 20, 20, 30, 30]);
        // Protocols share their environment keys, not their run keys.
        assert_eq!(p.runs.env_key(0), p.runs.env_key(6));
        assert_ne!(p.runs.run_key(0), p.runs.run_key(6));
        assert_ne!(p.runs.env_key(0), p.runs.env_key(1));
    }

    #[test]
    fn a_parameter_added_later_keys_runs_only_away_from_its_default() {
        let head = HEAD.replace("propagation", "pbft");
        let keys = |extra: &str| {
            let p = plan(&format!("{head}[params]\nnodes = 12\n{extra}")).unwrap();
            p.runs
                .iter()
                .map(|r| (r.run_key, r.env_key))
                .collect::<Vec<_>>()
        };
        // bandwidth_draw came after pbft's first runs: at its default, written or not, the
        // run and environment keys are those of a spec that never heard of it ...
        let before = keys("");
        assert_eq!(keys("bandwidth_draw = \"clamped\"\n"), before);
        // ... and any other value gives new streams.
        let other = keys("bandwidth_draw = \"mean_preserving\"\n");
        assert!(
            other
                .iter()
                .zip(&before)
                .all(|(a, b)| a.0 != b.0 && a.1 != b.1)
        );
        // A parameter of the first release keys runs even at its default.
        assert_ne!(
            keys("links = \"bidirectional\"\n")[0].0,
            keys("links = \"exact\"\n")[0].0
        );
        assert_eq!(keys("links = \"bidirectional\"\n"), before);
    }

    #[test]
    fn errors_name_file_line_key_value_and_what_is_allowed() {
        let e = plan(&format!("{HEAD}[params]\nnodes = 10\nk = 12\n")).unwrap_err();
        assert_eq!(e.line, Some(8));
        assert_eq!(e.key.as_deref(), Some("params.k"));
        assert_eq!(e.value.as_deref(), Some("12"));
        assert_eq!(e.kind, SpecErrorKind::Combination);
        assert!(
            e.to_string()
                .starts_with("x.toml:8: `params.k` = 12: allowed: k must be in 1..=9"),
            "{e}"
        );

        let e = plan(&format!("{HEAD}[params]\nbogus = 1\n")).unwrap_err();
        assert_eq!((e.line, e.key.as_deref()), (Some(7), Some("params.bogus")));
        assert_eq!(e.kind, SpecErrorKind::UnknownKey);
        let e = plan(&format!("{HEAD}colour = 1\n")).unwrap_err();
        assert!(e.message.contains("unknown field `colour`"), "{e}");
        assert_eq!(e.kind, SpecErrorKind::UnknownKey);
        assert_eq!(e.line, Some(6));
        let e = plan(&format!("{HEAD}[params]\ndelay_min = \"-5 ms\"\n")).unwrap_err();
        assert!(
            e.to_string().contains("`params.delay_min` = \"-5 ms\""),
            "{e}"
        );
        let e = plan(&format!("{HEAD}[params]\nnodes = \"ten\"\n")).unwrap_err();
        assert!(e.message.contains("wrong type (string)"), "{e}");
        assert_eq!(e.kind, SpecErrorKind::Value);
        let e = plan(&format!("{HEAD}[sweep]\nk = 3\n")).unwrap_err();
        assert!(e.message.contains("sweep axis"), "{e}");
    }

    #[test]
    fn every_shipped_plan_has_unique_run_keys_in_both_profiles() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments");
        let mut checked = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_none_or(|x| x != "toml") {
                continue;
            }
            for quick in [false, true] {
                let p = load(
                    &path,
                    Overrides {
                        quick,
                        ..Default::default()
                    },
                )
                .unwrap();
                let keys: std::collections::BTreeSet<u64> =
                    p.runs.iter().map(|r| r.run_key).collect();
                assert_eq!(keys.len(), p.runs.len(), "{}", path.display());
                checked += 1;
            }
        }
        assert!(checked >= 20, "{checked} plans");
    }

    #[test]
    fn a_repeated_axis_value_is_found_in_any_order() {
        // Rising values need no look-up; the first fall switches to the map, which must
        // still see every value before it.
        for (axis, repeat) in [
            ("[10, 30, 20, 30]", Some("equals value 2 of the axis")),
            ("[10, 30, 20, 10]", Some("equals value 1 of the axis")),
            ("[40, 30, 20, 10]", None),
            ("[10, 20, 30, 40]", None),
            ("[10, 30, 20, 40, 25, 35]", None),
        ] {
            let got = plan(&format!("{HEAD}[sweep]\nnodes = {axis}\n"));
            match repeat {
                Some(m) => assert!(got.unwrap_err().message.contains(m), "{axis}"),
                None => assert_eq!(got.unwrap().runs.len(), 2 * axis.split(',').count()),
            }
        }
        let e = plan(&format!(
            "{HEAD}[sweep]\nprotocol = [\"oppi\", \"flood\", \"oppi\"]\n"
        ))
        .unwrap_err();
        assert!(e.message.contains("equals value 1 of the axis"), "{e}");
        let e = plan(&format!("{HEAD}[sweep]\nbeta = [0.1, 0.3, 0.2, 0.30]\n")).unwrap_err();
        assert!(e.message.contains("equals value 2 of the axis"), "{e}");
        // As if values were checked one by one: a repeat before a bad value is the error,
        // a bad value before a repeat is.
        let e = plan(&format!("{HEAD}[sweep]\nnodes = [10, 20, 10, \"x\"]\n")).unwrap_err();
        assert_eq!(e.kind, SpecErrorKind::Duplicate, "{e}");
        let e = plan(&format!("{HEAD}[sweep]\nnodes = [10, \"x\", 10]\n")).unwrap_err();
        assert_eq!(e.kind, SpecErrorKind::Value, "{e}");
    }

    /// A run made on demand is the run the plan validated: its position decodes to the
    /// values of its case and sweep point, last axis fastest, replicates innermost.
    #[test]
    fn runs_made_on_demand_decode_their_position() {
        let p = plan(&format!(
            "{HEAD}[sweep]\nnodes = [10, 20, 30]\nprotocol = [\"flood\", \"oppi\"]\n[cases.a]\nbeta = 0.25\n[cases.b]\nbeta = 0.5\n"
        ))
        .unwrap();
        let defs = p.model.params();
        let col = |k: &str| defs.iter().position(|d| d.key == k).unwrap();
        assert_eq!(p.runs.len(), 2 * 3 * 2 * 2);
        let mut i = 0;
        for (case, beta) in [("a", 0.25), ("b", 0.5)] {
            for nodes in [10, 20, 30] {
                for protocol in ["flood", "oppi"] {
                    for rep in 0..2 {
                        let r = p.runs.get(i);
                        assert_eq!((r.index, r.replicate, &*r.case), (i as u64, rep, case));
                        assert_eq!(r.values[col("nodes")].as_int(), nodes);
                        assert_eq!(r.values[col("beta")].as_float(), beta);
                        assert_eq!(r.values[col("protocol")].canonical(), protocol);
                        assert_eq!(
                            (r.run_key, r.env_key),
                            (p.runs.run_key(i), p.runs.env_key(i))
                        );
                        assert_eq!(p.runs.case(i), case);
                        i += 1;
                    }
                }
            }
        }
        let cases: Vec<(&str, std::ops::Range<usize>)> = p.runs.cases().collect();
        assert_eq!(cases, [("a", 0..12), ("b", 12..24)]);
    }

    #[test]
    fn identities_collide_only_as_errors() {
        // The same point reached twice, by each route the issue lists, is refused.
        for body in [
            "[sweep]\nfee_c = [0.5, 0.5]\n",
            "[sweep]\ngossip_period = [\"100 ms\", \"0.1 s\"]\n",
            "[cases.a]\nnodes = 10\n[cases.b]\nnodes = 10\n",
            "[sweep]\nnodes = [10, 20]\n[cases.a]\nnodes = 30\n",
            "[sweep]\nnodes = { from = -9223372036854775808, to = 9223372036854775807 }\n",
            "[cases.a]\nnodes = 10\n[quick]\ncases = []\n",
        ] {
            let e = plan(&format!("{HEAD}{body}")).unwrap_err();
            assert!(e.key.is_some(), "{body}: {e}");
        }
        // Distinct points in other units stay distinct.
        let p = plan(&format!(
            "{HEAD}[sweep]\ngossip_period = [\"100 ms\", \"1 s\"]\n"
        ))
        .unwrap();
        assert_eq!(p.runs.len(), 4);
    }

    #[test]
    fn quick_profile_and_overrides() {
        let text = format!(
            "{HEAD}[sweep]\nnodes = [100, 1000]\n[quick]\nreplicates = 1\n[quick.sweep]\nnodes = [10]\n"
        );
        let p = plan(&text).unwrap();
        assert_eq!(p.runs.len(), 4);
        let q = parse(
            Path::new("x.toml"),
            &text,
            Overrides {
                quick: true,
                seed: Some(9),
                replicates: None,
            },
        )
        .unwrap();
        assert_eq!((q.runs.len(), q.master_seed), (1, 9));
        assert_ne!(p.hash, q.hash);
        let r = parse(
            Path::new("x.toml"),
            &text,
            Overrides {
                replicates: Some(5),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(r.runs.len(), 10);
    }

    #[test]
    fn a_case_name_is_stored_composed_and_one_composed_alike_is_a_duplicate() {
        let p = plan(&format!("{HEAD}[cases.\"cafe\u{301}\"]\nnodes = 10\n")).unwrap();
        assert_eq!(p.runs.case(0), "caf\u{e9}");
        let e = plan(&format!(
            "{HEAD}[cases.\"caf\u{e9}\"]\nnodes = 10\n[cases.\"cafe\u{301}\"]\nnodes = 20\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("once Unicode-normalised"), "{e}");
    }

    #[test]
    fn a_quick_axis_clashes_only_with_the_cases_the_quick_profile_keeps() {
        let body = "[cases.a]\nk = 4\n[cases.b]\nnodes = 100\n[quick]\ncases = [CASES]\n[quick.sweep]\nnodes = [10, 20]\n";
        let quick = Overrides {
            quick: true,
            ..Default::default()
        };
        let text = format!("{HEAD}{}", body.replace("CASES", "\"a\""));
        assert_eq!(plan(&text).unwrap().runs.len(), 4);
        let q = parse(Path::new("x.toml"), &text, quick).unwrap();
        assert_eq!(q.runs.len(), 4, "case a at 10 and 20 nodes");
        // A kept case that sets the key is still refused.
        let text = format!("{HEAD}{}", body.replace("CASES", "\"a\", \"b\""));
        let e = plan(&text).unwrap_err().to_string();
        assert!(
            e.contains("`cases.b.nodes`: is also a sweep axis (`quick.sweep.nodes`)"),
            "{e}"
        );
    }
}

//! Scenario files named by an experiment file: read relative to it, checked against the
//! model's parameter table with the same errors as the experiment file's own values (the
//! scenario file's path, line, key, value and what is allowed), and turned into the canonical
//! text that is the parameter's value ([`crate::schema::scenario`]).
//!
//! ```toml
//! name = "crash_midway"      # optional; the file's stem otherwise
//! [[interval]]
//! start = "0 s"              # the first interval starts at 0; starts ascend
//! [[interval]]
//! start = "100 s"
//! crashed = "3"              # down throughout the interval
//! tx_rate = "50 per s"       # from here on, until an interval sets it again
//! ```

use super::*;
use crate::schema::scenario::{self, Interval, Scenario};

/// Largest scenario file read, bytes.
pub const MAX_SCENARIO_BYTES: u64 = 1 << 20;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    #[serde(default)]
    name: Option<Spanned<String>>,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    interval: Vec<SpannedMap>,
}

/// The value of a parameter given as `v` in the experiment file: a scenario parameter's file
/// read into its canonical text; any other kind parsed as the schema says. `Err(Ok(m))` is a
/// refusal of the value itself (what is allowed), `Err(Err(e))` an error inside the file it
/// names.
pub(super) fn parse_param(
    cx: &Ctx<'_>,
    model: Model,
    def: &ParamDef,
    v: &toml::Value,
) -> Result<Value, Result<String, SpecError>> {
    let (kind, toml::Value::String(path)) = (def.kind, v) else {
        return def.parse(v).map_err(Ok);
    };
    let trace = matches!(kind, Kind::Trace);
    if path.is_empty() || !(trace || matches!(kind, Kind::Scenario(_))) {
        return def.parse(v).map_err(Ok);
    }
    let file = cx.file.parent().unwrap_or(Path::new("")).join(path);
    let (what, limit) = if trace {
        ("trace", MAX_TRACE_BYTES)
    } else {
        ("scenario", MAX_SCENARIO_BYTES)
    };
    let unreadable = |why: String| {
        Ok(format!(
            "cannot read the {what} file {}: {why}; expected {}",
            file.display(),
            def.allowed()
        ))
    };
    let size = std::fs::metadata(&file)
        .map_err(|e| unreadable(e.to_string()))?
        .len();
    if size > limit {
        return Err(unreadable(format!(
            "{size} bytes, more than the {limit} a {what} file may have"
        )));
    }
    let text = std::fs::read_to_string(&file).map_err(|e| unreadable(e.to_string()))?;
    let stem = file
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let cx = Ctx {
        file: &file,
        text: &text,
    };
    match kind {
        Kind::Scenario(keys) => read(&cx, model, keys, &stem).map_err(Err),
        _ => read_trace(&cx, &stem).map_err(Err),
    }
}

/// Largest trace file read, bytes.
pub const MAX_TRACE_BYTES: u64 = 64 << 20;

/// A trace file's text, parsed and registered ([`crate::schema::trace`]); the value is its
/// identity text.
fn read_trace(cx: &Ctx<'_>, stem: &str) -> Result<Value, SpecError> {
    let trace = crate::schema::trace::parse_csv(cx.text).map_err(|(line, message)| SpecError {
        kind: SpecErrorKind::Value,
        file: cx.file.to_path_buf(),
        line: Some(line),
        key: None,
        value: None,
        message,
    })?;
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(Value::Str(std::sync::Arc::new(
        crate::schema::trace::register(&name, trace),
    )))
}

/// A scenario file's text to canonical text.
fn read(cx: &Ctx<'_>, model: Model, keys: &[&str], stem: &str) -> Result<Value, SpecError> {
    let raw: RawScenario = toml::from_str(cx.text).map_err(|e| {
        cx.err(
            SpecErrorKind::Syntax,
            e.span(),
            None,
            None,
            format!(
                "{}; a scenario file has `name` (optional), `description` (optional) and [[interval]] tables",
                e.message().trim()
            ),
        )
    })?;
    let name = raw
        .name
        .as_ref()
        .map_or(stem, |n| n.get_ref().as_str())
        .to_string();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
    {
        return Err(cx.err(
            SpecErrorKind::Text,
            raw.name.as_ref().map(|n| n.span()),
            Some("name".into()),
            Some(format!("\"{name}\"")),
            "allowed: a non-empty name of ASCII letters, digits, '_', '-' and '.' (name the file so, or set `name`)",
        ));
    }
    if raw.interval.is_empty() || raw.interval.len() > scenario::MAX_INTERVALS {
        return Err(cx.err(
            SpecErrorKind::Size,
            None,
            Some("interval".into()),
            None,
            format!(
                "{} intervals; allowed: 1 to {}",
                raw.interval.len(),
                scenario::MAX_INTERVALS
            ),
        ));
    }
    let defs = model.params();
    let mut intervals: Vec<Interval> = Vec::with_capacity(raw.interval.len());
    for (i, table) in raw.interval.iter().enumerate() {
        let at = |k: &str| format!("interval[{i}].{k}");
        let mut start = None;
        let mut set = Vec::new();
        for (k, v) in table {
            let value_err = |m: String| {
                cx.err(
                    SpecErrorKind::Value,
                    Some(v.span()),
                    Some(at(k.get_ref())),
                    Some(v.get_ref().to_string()),
                    m,
                )
            };
            if k.get_ref() == "start" {
                let start_def = ParamDef {
                    key: "start",
                    kind: Kind::DurationMs {
                        min: 0,
                        max: 3_600_000_000,
                    },
                    ..ParamDef::BASE
                };
                start = Some((
                    start_def.parse(v.get_ref()).map_err(value_err)?.as_int(),
                    v.span(),
                ));
                continue;
            }
            let Some(def) = scenario::def_of(k.get_ref(), defs, keys) else {
                let mut allowed = vec!["start"];
                allowed.extend(keys);
                return Err(cx.err(
                    SpecErrorKind::UnknownKey,
                    Some(k.span()),
                    Some(at(k.get_ref())),
                    None,
                    format!(
                        "not a key an interval of model {} may set; allowed: {}",
                        model.name(),
                        allowed.join(", ")
                    ),
                ));
            };
            set.push((
                def.key.to_string(),
                def.parse(v.get_ref()).map_err(value_err)?,
            ));
        }
        let Some((start_ms, span)) = start else {
            return Err(cx.err(
                SpecErrorKind::Syntax,
                table.keys().next().map(|k| k.span()),
                Some(at("start")),
                None,
                "missing; every interval has a start such as \"60 s\"",
            ));
        };
        let previous = intervals.last().map(|l| l.start_ms);
        if (i == 0 && start_ms != 0) || previous.is_some_and(|p| p >= start_ms) {
            return Err(cx.err(
                SpecErrorKind::Value,
                Some(span),
                Some(at("start")),
                Some(format!("{start_ms} ms")),
                match previous {
                    None => "allowed: 0 (the first interval starts when the run does)".to_string(),
                    Some(p) => format!("allowed: a start after the previous interval's ({p} ms)"),
                },
            ));
        }
        intervals.push(Interval { start_ms, set });
    }
    Ok(Value::Str(std::sync::Arc::new(
        Scenario { name, intervals }.canonical(),
    )))
}

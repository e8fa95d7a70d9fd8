//! Parameter schemas: what keys a model accepts, their kinds, ranges, defaults and units.

use super::units::{parse_duration_ms, parse_rate_per_s};
use std::fmt;

/// A resolved parameter value. Durations are stored as whole milliseconds and rates as events
/// per second, so the value is what the result column holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// An integer (also a duration in ms).
    Int(i64),
    /// A float (also a rate per second).
    Float(f64),
    /// A choice among names.
    Str(String),
    /// A switch.
    Bool(bool),
}

impl Value {
    /// The canonical text used in run keys. It must never change for an existing kind.
    pub fn canonical(&self) -> String {
        match self {
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format!("{f:?}"),
            Value::Str(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
        }
    }
    /// The switch, for booleans.
    pub fn as_bool(&self) -> bool {
        match self {
            Value::Bool(b) => *b,
            other => panic!("parameter value {other:?} is not a boolean; the schema says it is"),
        }
    }
    /// The integer, for kinds that store one.
    pub fn as_int(&self) -> i64 {
        match self {
            Value::Int(i) => *i,
            other => panic!("parameter value {other:?} is not an integer; the schema says it is"),
        }
    }
    /// The float, for kinds that store one.
    pub fn as_float(&self) -> f64 {
        match self {
            Value::Float(f) => *f,
            Value::Int(i) => *i as f64,
            other => panic!("parameter value {other:?} is not a number; the schema says it is"),
        }
    }
    /// The name, for choices.
    pub fn as_str(&self) -> &str {
        match self {
            Value::Str(s) => s,
            other => panic!("parameter value {other:?} is not a name; the schema says it is"),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "\"{s}\""),
            other => f.write_str(&other.canonical()),
        }
    }
}

/// What a parameter accepts.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// An integer in `min..=max`.
    Int { min: i64, max: i64 },
    /// A float in `min..=max`.
    Float { min: f64, max: f64 },
    /// One of these names.
    Choice(&'static [&'static str]),
    /// A duration string ("100 ms"), stored in ms, in `min..=max` ms.
    DurationMs { min: i64, max: i64 },
    /// A rate string ("1 per 600 s"), stored per second, in `min..=max`.
    RatePerS { min: f64, max: f64 },
    /// `true` or `false`.
    Bool,
    /// Distinct node ids as a string, "5, 7, 9" ("" for none); stored sorted as "5,7,9".
    NodeList,
}

impl Kind {
    /// The ids of a [`Kind::NodeList`] string, ascending; an error says what is wrong.
    pub fn node_ids(s: &str) -> Result<Vec<u32>, String> {
        let mut ids = Vec::new();
        for part in s.split(',') {
            let t = part.trim();
            if t.is_empty() {
                if s.trim().is_empty() {
                    break;
                }
                return Err(format!("empty entry in \"{s}\""));
            }
            ids.push(
                t.parse::<u32>()
                    .map_err(|_| format!("\"{t}\" is not a node id (a non-negative integer)"))?,
            );
        }
        ids.sort_unstable();
        if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("node {} is listed twice", w[0]));
        }
        Ok(ids)
    }
}

/// One parameter of a model.
#[derive(Clone, Copy, Debug)]
pub struct ParamDef {
    /// The key in experiment files.
    pub key: &'static str,
    /// The result column, with its unit as a suffix where it has one.
    pub column: &'static str,
    /// What it accepts.
    pub kind: Kind,
    /// The default, written as in an experiment file.
    pub default: &'static str,
    /// Whether it shapes the environment (graph, weights, source). Runs that differ only in
    /// non-environment parameters share their environment streams (common random numbers).
    pub environment: bool,
    /// One line for the README and `chainlab schema`.
    pub doc: &'static str,
}

impl ParamDef {
    /// What the kind allows, in words.
    pub fn allowed(&self) -> String {
        match self.kind {
            Kind::Int { min, max } => format!("an integer in {min}..={max}"),
            Kind::Float { min, max } => format!("a number in [{min}, {max}]"),
            Kind::Choice(names) => format!(
                "one of {}",
                names
                    .iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Kind::DurationMs { min, max } => {
                format!("a duration such as \"100 ms\", from {min} ms to {max} ms")
            }
            Kind::RatePerS { min, max } => {
                format!("a rate such as \"1 per 600 s\", from {min} to {max} per second")
            }
            Kind::Bool => "true or false".into(),
            Kind::NodeList => {
                "a string of distinct node ids such as \"5, 7, 9\" (\"\" for none)".into()
            }
        }
    }

    /// A value with its unit, as a person reads it ("100 ms", "0.5 per s", "12").
    pub fn with_unit(&self, v: &Value) -> String {
        match self.kind {
            Kind::DurationMs { .. } => format!("{v} ms"),
            Kind::RatePerS { .. } => format!("{v} per s"),
            _ => v.to_string(),
        }
    }

    /// Parses and range-checks a TOML value. The error says what is allowed.
    pub fn parse(&self, v: &toml::Value) -> Result<Value, String> {
        let allowed = || self.allowed();
        match (self.kind, v) {
            (Kind::Int { min, max }, toml::Value::Integer(i)) => {
                if (min..=max).contains(i) {
                    Ok(Value::Int(*i))
                } else {
                    Err(allowed())
                }
            }
            (Kind::Float { min, max }, toml::Value::Float(_) | toml::Value::Integer(_)) => {
                let x = match v {
                    toml::Value::Float(f) => *f,
                    toml::Value::Integer(i) => *i as f64,
                    _ => unreachable!("matched above"),
                };
                if x.is_finite() && x >= min && x <= max {
                    Ok(Value::Float(x))
                } else {
                    Err(allowed())
                }
            }
            (Kind::Choice(names), toml::Value::String(s)) => {
                if names.contains(&s.as_str()) {
                    Ok(Value::Str(s.clone()))
                } else {
                    Err(allowed())
                }
            }
            (Kind::DurationMs { min, max }, toml::Value::String(s)) => {
                let ms =
                    parse_duration_ms(s).map_err(|e| format!("{e}; expected {}", allowed()))?;
                if (min..=max).contains(&ms) {
                    Ok(Value::Int(ms))
                } else {
                    Err(allowed())
                }
            }
            (Kind::RatePerS { min, max }, toml::Value::String(s)) => {
                let r = parse_rate_per_s(s).map_err(|e| format!("{e}; expected {}", allowed()))?;
                if r >= min && r <= max {
                    Ok(Value::Float(r))
                } else {
                    Err(allowed())
                }
            }
            (Kind::Bool, toml::Value::Boolean(b)) => Ok(Value::Bool(*b)),
            (Kind::NodeList, toml::Value::String(s)) => {
                let ids = Kind::node_ids(s).map_err(|e| format!("{e}; expected {}", allowed()))?;
                Ok(Value::Str(
                    ids.iter().map(u32::to_string).collect::<Vec<_>>().join(","),
                ))
            }
            (_, other) => Err(format!(
                "wrong type ({}); expected {}",
                other.type_str(),
                allowed()
            )),
        }
    }

    /// The default as a value.
    pub fn default_value(&self) -> Value {
        let raw = match self.kind {
            Kind::Int { .. } => {
                toml::Value::Integer(self.default.parse().expect("integer default"))
            }
            Kind::Float { .. } => toml::Value::Float(self.default.parse().expect("float default")),
            Kind::Bool => toml::Value::Boolean(self.default.parse().expect("boolean default")),
            _ => toml::Value::String(self.default.to_string()),
        };
        self.parse(&raw)
            .unwrap_or_else(|e| panic!("default of `{}` is invalid: {e}", self.key))
    }
}

/// A model's complaint about a combination of parameter values: which key, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamError {
    /// The key to blame.
    pub key: &'static str,
    /// What is allowed, given the other values.
    pub allowed: String,
}

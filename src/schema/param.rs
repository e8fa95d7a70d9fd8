//! Parameter schemas: what keys a model accepts, their kinds, ranges, defaults and units.

use super::units::{did_you_mean, duration_text, parse_duration_ms, parse_rate_per_s, rate_text};
use std::fmt;

/// A resolved parameter value. Durations are stored as whole milliseconds and rates as events
/// per second, so the value is what the result column holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// An integer (also a duration in ms).
    Int(i64),
    /// A float (also a rate per second).
    Float(f64),
    /// A choice among names (shared: the runs of a plan clone it without allocating).
    Str(std::sync::Arc<String>),
    /// A switch.
    Bool(bool),
}

impl Value {
    /// The canonical text used in run keys. It must never change for an existing kind.
    pub fn canonical(&self) -> String {
        let mut text = String::new();
        self.write_canonical(&mut text);
        text
    }

    /// Appends [`Value::canonical`]'s text to `out` (for many values, one buffer).
    pub fn write_canonical(&self, out: &mut String) {
        use std::fmt::Write as _;
        match self {
            Value::Int(i) => write!(out, "{i}"),
            Value::Float(f) => write!(out, "{f:?}"),
            Value::Str(s) => write!(out, "{s}"),
            Value::Bool(b) => write!(out, "{b}"),
        }
        .expect("writing to a String");
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
    Int {
        /// Smallest value.
        min: i64,
        /// Largest value.
        max: i64,
    },
    /// A float in `min..=max`.
    Float {
        /// Smallest value.
        min: f64,
        /// Largest value.
        max: f64,
    },
    /// One of these names.
    Choice(&'static [&'static str]),
    /// A duration string ("100 ms"), stored in ms, in `min..=max` ms.
    DurationMs {
        /// Shortest, in ms.
        min: i64,
        /// Longest, in ms.
        max: i64,
    },
    /// A rate string ("1 per 600 s"), stored per second, in `min..=max`.
    RatePerS {
        /// Lowest, per second.
        min: f64,
        /// Highest, per second.
        max: f64,
    },
    /// `true` or `false`.
    Bool,
    /// Distinct node ids as a string, "5, 7, 9" ("" for none); stored sorted as "5,7,9".
    NodeList,
    /// A scenario file's path, relative to the experiment file ("" for none), whose
    /// intervals may set these keys ([`super::scenario`]). The experiment file's reader
    /// turns the file into the scenario's canonical text, which is the stored value.
    Scenario(&'static [&'static str]),
    /// A transaction trace's path (CSV, relative to the experiment file; "" for none). The
    /// experiment file's reader parses and registers it ([`super::trace`]); the stored value
    /// is the trace's identity text.
    Trace,
    /// Text in a form the family reads: `parse` checks it and returns its canonical text (the
    /// stored value, so two spellings of one value are one run); `form` says the form in
    /// words.
    Text {
        /// Checks a value and returns its canonical text, or says what is wrong.
        parse: fn(&str) -> Result<String, String>,
        /// The form, in words ("a list such as ...").
        form: &'static str,
    },
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
    /// One line for the family's notes and `chainlab schema`.
    pub doc: &'static str,
    /// The family semantics version that added the parameter, if it came after the family's
    /// first runs. Such a parameter enters a run's key (its random streams) only when set to
    /// something other than its default, so the runs made before it existed keep their keys.
    pub added_in: Option<&'static str>,
}

impl ParamDef {
    /// The fields a [`param_table!`](crate::param_table) entry may leave out.
    pub const BASE: ParamDef = ParamDef {
        key: "",
        column: "",
        kind: Kind::Bool,
        default: "",
        environment: false,
        doc: "",
        added_in: None,
    };

    /// Whether `value` enters the run key: always, except for a parameter added later at its
    /// default (see [`ParamDef::added_in`]).
    pub fn keyed(&self, value: &Value) -> bool {
        self.keyed_against(value, self.later_default().as_ref())
    }

    /// The default of a parameter added later ([`ParamDef::added_in`]), the one value that
    /// does not enter the run key; `None` for the others.
    pub fn later_default(&self) -> Option<Value> {
        self.added_in.map(|_| self.default_value())
    }

    /// [`ParamDef::keyed`] with [`ParamDef::later_default`] made beforehand (a plan makes it
    /// once, not once per point).
    pub fn keyed_against(&self, value: &Value, later_default: Option<&Value>) -> bool {
        later_default.is_none_or(|d| value != d)
    }

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
            Kind::Text { form, .. } => form.into(),
            Kind::Trace => "the path of a transaction trace (CSV with a header time_s,size_mb[,creator], relative to the experiment file; \"\" for none)".into(),
            Kind::Scenario(keys) => format!(
                "the path of a scenario file (TOML, relative to the experiment file; \"\" for none) whose intervals set {}",
                keys.join(", ")
            ),
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

    /// A value as an experiment file would write it ("10 s", "1 per 600 s", "\"kout\"").
    pub fn written(&self, v: &Value) -> String {
        match (self.kind, v) {
            (Kind::DurationMs { .. }, Value::Int(ms)) => format!("\"{}\"", duration_text(*ms)),
            (Kind::RatePerS { .. }, Value::Float(r)) => format!("\"{}\"", rate_text(*r)),
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
                    // -0.0 + 0.0 is +0.0: a value has one identity, whatever its sign of zero.
                    Ok(Value::Float(x + 0.0))
                } else {
                    Err(allowed())
                }
            }
            (Kind::Choice(names), toml::Value::String(s)) => {
                if names.contains(&s.as_str()) {
                    Ok(Value::Str(std::sync::Arc::new(s.clone())))
                } else {
                    Err(match did_you_mean(s, names.iter().copied()) {
                        Some(near) => format!("{}; did you mean \"{near}\"?", allowed()),
                        None => allowed(),
                    })
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
                    Ok(Value::Float(r + 0.0))
                } else {
                    Err(allowed())
                }
            }
            (Kind::Bool, toml::Value::Boolean(b)) => Ok(Value::Bool(*b)),
            (Kind::NodeList, toml::Value::String(s)) => {
                let ids = Kind::node_ids(s).map_err(|e| format!("{e}; expected {}", allowed()))?;
                Ok(Value::Str(std::sync::Arc::new(
                    ids.iter().map(u32::to_string).collect::<Vec<_>>().join(","),
                )))
            }
            (Kind::Text { parse, .. }, toml::Value::String(s)) => {
                let text = parse(s).map_err(|e| format!("{e}; expected {}", allowed()))?;
                Ok(Value::Str(std::sync::Arc::new(text)))
            }
            // A file is read by the experiment file's reader (which knows where the file
            // is); here only "none" can be given.
            (Kind::Scenario(_) | Kind::Trace, toml::Value::String(s)) if s.is_empty() => {
                Ok(Value::Str(std::sync::Arc::new(String::new())))
            }
            (_, other) => Err(format!(
                "wrong type ({}); expected {}",
                other.type_str(),
                allowed()
            )),
        }
    }

    /// Parses a command-line argument as this parameter: numbers and switches as TOML would
    /// read them, everything else as a string; for a duration a bare number means ms.
    pub fn parse_arg(&self, text: &str) -> Result<Value, String> {
        let t = text.trim();
        let raw = match self.kind {
            Kind::Int { .. } => t.parse().map(toml::Value::Integer).ok(),
            Kind::Float { .. } => t.parse().map(toml::Value::Float).ok(),
            Kind::Bool => t.parse().map(toml::Value::Boolean).ok(),
            Kind::DurationMs { .. } if t.parse::<f64>().is_ok() => {
                Some(toml::Value::String(format!("{t} ms")))
            }
            _ => Some(toml::Value::String(t.to_string())),
        };
        match raw {
            Some(v) => self.parse(&v),
            None => Err(self.allowed()),
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

/// A duration parameter's value: whole milliseconds as written, handed to a model in the unit
/// its core uses ([`Millis::ns`], [`Millis::ms`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Millis(pub i64);

impl Millis {
    /// Nanoseconds (the PBFT family's clock).
    pub fn ns(self) -> u64 {
        self.ms() * crate::time::NS_PER_MS
    }
    /// Milliseconds (the propagation family's clock).
    pub fn ms(self) -> u64 {
        u64::try_from(self.0).expect("durations are range-checked to be non-negative")
    }
}

/// A parameter whose value is one of a fixed set of names. The names are declared once, with
/// the type ([`choice!`](crate::choice) or [`choice_names!`](crate::choice_names)): they feed
/// the spec's [`Kind::Choice`], resolution (exhaustive, never a fallback) and the command
/// line's value parsers.
pub trait Choice: Copy + Sized + 'static {
    /// The names, in declaration order.
    const NAMES: &'static [&'static str];
    /// Every value, in the order of [`Choice::NAMES`].
    const ALL: &'static [Self];
    /// This value's name.
    fn name(self) -> &'static str;
    /// The value named `name`.
    fn from_name(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| Self::ALL[i])
    }
}

/// Reads a resolved [`Value`] as a typed field (the parameter tables' generated structs).
pub trait FromValue: Sized {
    /// The typed value; the schema's kind guarantees it fits.
    fn from_value(v: &Value) -> Self;
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> Self {
        v.as_int()
    }
}
impl FromValue for u32 {
    fn from_value(v: &Value) -> Self {
        u32::try_from(v.as_int()).expect("the schema's range fits u32")
    }
}
impl FromValue for u64 {
    fn from_value(v: &Value) -> Self {
        u64::try_from(v.as_int()).expect("the schema's range fits u64")
    }
}
impl FromValue for f64 {
    fn from_value(v: &Value) -> Self {
        v.as_float()
    }
}
impl FromValue for bool {
    fn from_value(v: &Value) -> Self {
        v.as_bool()
    }
}
impl FromValue for Millis {
    fn from_value(v: &Value) -> Self {
        Millis(v.as_int())
    }
}
/// A name or a [`Kind::Scenario`]'s canonical text.
impl FromValue for String {
    fn from_value(v: &Value) -> Self {
        v.as_str().to_string()
    }
}
/// A [`Kind::NodeList`]'s ids, ascending.
impl FromValue for Vec<u32> {
    fn from_value(v: &Value) -> Self {
        Kind::node_ids(v.as_str()).expect("node lists are checked when parsed")
    }
}

/// Declares a choice enum with the names its values have in experiment files and result
/// columns, and implements [`Choice`] and [`FromValue`] for it.
///
/// ```
/// chainlab::choice! {
///     /// How a thing is done.
///     pub enum Way { Fast = "fast", Slow = "slow" }
/// }
/// use chainlab::schema::param::Choice;
/// assert_eq!(Way::from_name("slow"), Some(Way::Slow));
/// assert_eq!(Way::NAMES, &["fast", "slow"]);
/// ```
#[macro_export]
macro_rules! choice {
    ($(#[$m:meta])* $vis:vis enum $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name { $($(#[$vm])* $variant),+ }
        $crate::choice_names!($name { $($variant = $text),+ });
    };
}

/// Implements [`Choice`] and [`FromValue`] for an existing enum of unit variants (a core type
/// whose names the model layer declares, so the core knows no spec vocabulary).
#[macro_export]
macro_rules! choice_names {
    ($name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        impl $crate::schema::param::Choice for $name {
            const NAMES: &'static [&'static str] = &[$($text),+];
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn name(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }
        impl $crate::schema::param::FromValue for $name {
            fn from_value(v: &$crate::schema::param::Value) -> Self {
                <$name as $crate::schema::param::Choice>::from_name(v.as_str())
                    .expect("choices are checked against their names when parsed")
            }
        }
    };
}

/// Declares a model's parameter table (a `static` slice of [`ParamDef`], the key of each
/// entry being its field name) together with a struct holding one typed field per parameter,
/// read from resolved values by position, so that a key and its value cannot drift apart.
///
/// ```
/// use chainlab::schema::param::{Kind, Millis, Value};
/// chainlab::param_table! {
///     /// Toy parameters.
///     pub struct Toy in TOY {
///         nodes: u32 { column: "nodes", kind: Kind::Int { min: 1, max: 9 }, default: "3",
///                      environment: true, doc: "nodes" },
///         wait: Millis { column: "wait_ms", kind: Kind::DurationMs { min: 0, max: 10 },
///                        default: "2 ms", environment: false, doc: "a wait" },
///     }
/// }
/// let values: Vec<Value> = TOY.iter().map(|p| p.default_value()).collect();
/// let t = Toy::read(&values);
/// assert_eq!((t.nodes, t.wait.ns()), (3, 2_000_000));
/// assert_eq!(TOY[1].key, "wait");
/// assert_eq!(key::wait, "wait");
/// ```
#[macro_export]
macro_rules! param_table {
    ($(#[$m:meta])* $vis:vis struct $name:ident in $table:ident {
        $($field:ident : $ty:ty { $($k:ident : $v:expr),+ $(,)? }),+ $(,)?
    }) => {
        /// The parameter table (keys are the fields of the struct of the same module).
        #[allow(clippy::needless_update)]
        $vis static $table: &[$crate::schema::param::ParamDef] = &[
            $($crate::schema::param::ParamDef {
                key: stringify!($field),
                $($k: $v,)+
                ..$crate::schema::param::ParamDef::BASE
            }),+
        ];
        /// The table's keys as constants, so that an error blames a key the compiler checked
        /// (`ParamError { key: key::nodes, .. }`).
        #[allow(non_upper_case_globals, dead_code)]
        $vis mod key {
            $(
                #[doc = concat!("`", stringify!($field), "`")]
                pub const $field: &str = stringify!($field);
            )+
        }
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq)]
        #[allow(missing_docs)]
        $vis struct $name { $(pub $field: $ty),+ }
        impl $name {
            /// The typed values of `values` (one per parameter of the table, in its order).
            #[allow(dead_code)]
            $vis fn read(values: &[$crate::schema::param::Value]) -> Self {
                assert_eq!(values.len(), $table.len(), "one value per parameter");
                let mut it = values.iter();
                $name {
                    $($field: $crate::schema::param::FromValue::from_value(
                        it.next().expect("counted above"),
                    )),+
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_has_one_identity_whatever_its_sign_of_zero() {
        let def = ParamDef {
            key: "beta",
            kind: Kind::Float {
                min: -1.0,
                max: 1.0,
            },
            default: "0.5",
            ..ParamDef::BASE
        };
        let neg = def.parse(&toml::Value::Float(-0.0)).unwrap();
        let pos = def.parse(&toml::Value::Float(0.0)).unwrap();
        assert_eq!(neg.canonical(), "0.0");
        assert_eq!(neg.canonical(), pos.canonical());
        assert!(neg.as_float().is_sign_positive());
        let rate = ParamDef {
            kind: Kind::RatePerS {
                min: 0.0,
                max: 10.0,
            },
            ..def
        };
        let zero = rate.parse(&toml::Value::String("-0 per s".into())).unwrap();
        assert_eq!(zero.canonical(), "0.0");
    }
}

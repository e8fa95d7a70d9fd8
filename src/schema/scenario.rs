//! Scenarios: conditions that change within a run, as a list of intervals, each setting some
//! of a family's parameters from its start on (until an interval sets them again).
//!
//! A scenario file (TOML, read by [`crate::spec`]) becomes a parameter's value as one line of
//! canonical text, `name | 0 key=value ... | 60000 key=value ...` (each interval's start in
//! ms, then its keys in sorted order with their canonical values): that text is what the run
//! key hashes and what the result column holds, so a run is identified by the scenario's
//! content, not by a file name, and resolving a run reads no file. [`Scenario::parse`] reads
//! the text back.

use super::param::{Kind, ParamDef, Value};

/// The key of the nodes that are down throughout an interval (a node list).
pub const CRASHED: &str = "crashed";

/// The most intervals a scenario may have.
pub const MAX_INTERVALS: usize = 10_000;

/// The definition `crashed` is parsed by.
pub const CRASHED_DEF: ParamDef = ParamDef {
    key: CRASHED,
    column: CRASHED,
    kind: Kind::NodeList,
    default: "",
    doc: "nodes down throughout the interval (crashed at its start, recovered at its end)",
    ..ParamDef::BASE
};

/// One interval: from `start_ms` on, these keys take these values.
#[derive(Clone, Debug, PartialEq)]
pub struct Interval {
    /// Start, ms from the beginning of the run.
    pub start_ms: i64,
    /// The keys it sets, in sorted order.
    pub set: Vec<(String, Value)>,
}

/// A scenario: a name and its intervals (the first starts at 0; starts ascend strictly).
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Its name (the file's `name`, or the file's stem).
    pub name: String,
    /// Its intervals.
    pub intervals: Vec<Interval>,
}

/// The definition of key `key` among `defs` (or `crashed`), if `keys` lets an interval set it.
pub fn def_of<'a>(key: &str, defs: &'a [ParamDef], keys: &[&str]) -> Option<&'a ParamDef> {
    if !keys.contains(&key) {
        return None;
    }
    if key == CRASHED {
        return Some(&CRASHED_DEF);
    }
    defs.iter().find(|d| d.key == key)
}

/// A value back from its canonical text ([`Value::canonical`]) under `def`'s kind.
fn from_canonical(def: &ParamDef, text: &str) -> Result<Value, String> {
    let bad = || format!("`{}`: \"{text}\" is not a canonical value", def.key);
    Ok(match def.kind {
        Kind::Int { .. } | Kind::DurationMs { .. } => Value::Int(text.parse().map_err(|_| bad())?),
        Kind::Float { .. } | Kind::RatePerS { .. } => {
            Value::Float(text.parse().map_err(|_| bad())?)
        }
        Kind::Bool => Value::Bool(text.parse().map_err(|_| bad())?),
        Kind::Choice(names) if !names.contains(&text) => return Err(bad()),
        Kind::NodeList if Kind::node_ids(text).is_err() => return Err(bad()),
        Kind::Choice(_) | Kind::NodeList | Kind::Scenario(_) | Kind::Trace | Kind::Text { .. } => {
            Value::Str(std::sync::Arc::new(text.to_string()))
        }
    })
}

impl Scenario {
    /// The canonical text (see the module's doc).
    pub fn canonical(&self) -> String {
        let mut out = self.name.clone();
        for iv in &self.intervals {
            out.push_str(" | ");
            out.push_str(&iv.start_ms.to_string());
            for (k, v) in &iv.set {
                out.push(' ');
                out.push_str(k);
                out.push('=');
                v.write_canonical(&mut out);
            }
        }
        out
    }

    /// Reads canonical text back, each key checked against `defs` and `keys` (what an
    /// interval may set).
    pub fn parse(text: &str, defs: &[ParamDef], keys: &[&str]) -> Result<Scenario, String> {
        let mut parts = text.split(" | ");
        let name = parts.next().unwrap_or_default().to_string();
        let mut intervals: Vec<Interval> = Vec::new();
        for part in parts {
            let mut words = part.split(' ');
            let start_ms: i64 = words
                .next()
                .and_then(|w| w.parse().ok())
                .ok_or_else(|| format!("\"{part}\" does not start with a time in ms"))?;
            let mut set = Vec::new();
            for w in words {
                let (k, v) = w
                    .split_once('=')
                    .ok_or_else(|| format!("\"{w}\" is not key=value"))?;
                let def = def_of(k, defs, keys)
                    .ok_or_else(|| format!("`{k}` is not a key an interval may set"))?;
                set.push((k.to_string(), from_canonical(def, v)?));
            }
            if intervals.last().is_some_and(|l| l.start_ms >= start_ms) {
                return Err("interval starts must ascend strictly".into());
            }
            intervals.push(Interval { start_ms, set });
        }
        if intervals.first().is_none_or(|i| i.start_ms != 0) {
            return Err("the first interval must start at 0".into());
        }
        Ok(Scenario { name, intervals })
    }

    /// The value of `key` in force during interval `i`: the latest interval up to `i` that
    /// sets it (`None` when none does: the spec's value holds).
    pub fn value_at(&self, i: usize, key: &str) -> Option<&Value> {
        self.intervals[..=i]
            .iter()
            .rev()
            .find_map(|iv| iv.set.iter().find(|(k, _)| k == key).map(|(_, v)| v))
    }

    /// Whether some interval sets `key`.
    pub fn sets(&self, key: &str) -> bool {
        self.intervals
            .iter()
            .any(|iv| iv.set.iter().any(|(k, _)| k == key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: ParamDef = ParamDef {
        key: "tx_rate",
        column: "tx_rate_per_s",
        kind: Kind::Float { min: 0.0, max: 1e6 },
        default: "10",
        ..ParamDef::BASE
    };

    #[test]
    fn canonical_text_reads_back_to_the_same_scenario() {
        let s = Scenario {
            name: "spike".into(),
            intervals: vec![
                Interval {
                    start_ms: 0,
                    set: vec![],
                },
                Interval {
                    start_ms: 60_000,
                    set: vec![
                        (CRASHED.into(), Value::Str("3,4".to_string().into())),
                        ("tx_rate".into(), Value::Float(200.0)),
                    ],
                },
            ],
        };
        let text = s.canonical();
        assert_eq!(text, "spike | 0 | 60000 crashed=3,4 tx_rate=200.0");
        let keys = ["tx_rate", CRASHED];
        assert_eq!(Scenario::parse(&text, &[RATE], &keys).unwrap(), s);
        assert_eq!(s.value_at(0, "tx_rate"), None);
        assert_eq!(s.value_at(1, "tx_rate"), Some(&Value::Float(200.0)));
        assert!(Scenario::parse(&text, &[RATE], &["tx_rate"]).is_err());
        assert!(Scenario::parse("x | 5", &[RATE], &keys).is_err());
        assert!(Scenario::parse("x | 0 | 0", &[RATE], &keys).is_err());
    }
}

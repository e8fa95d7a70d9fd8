//! Transaction traces: a CSV file of transactions, one per line after a header,
//! `time_s,size_mb[,creator]` (seconds from the run's start, non-decreasing; MB; the creating
//! node, drawn when the column is absent or a cell is empty).
//!
//! A trace is too long to be a column's value, so it is identified by its content: the
//! experiment file's reader ([`crate::spec`]) parses the file, registers the parsed trace here
//! under the text `name sha256=<16 hex digits> txs=<count>` (the digest of the parsed values,
//! so formatting does not matter and any change of a value does), and that text is the
//! parameter's value, the result column and what the run key hashes. Resolving a run looks the
//! trace up by that text; the registry only grows within a process and is keyed by content, so
//! what a run reads is a pure function of its value.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Most transactions a trace may hold.
pub const MAX_TRACE_TXS: usize = 2_000_000;

/// A parsed trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// Creation times, ns, non-decreasing.
    pub time_ns: Vec<u64>,
    /// Sizes, MB.
    pub size_mb: Vec<f64>,
    /// Creators (`u32::MAX`: drawn from the run's workload stream).
    pub creator: Vec<u32>,
}

/// A creator the trace leaves to the run's draw.
pub const DRAWN: u32 = u32::MAX;

static REGISTRY: Mutex<BTreeMap<String, Arc<Trace>>> = Mutex::new(BTreeMap::new());

/// A parse error: the 1-based line and what is wrong.
pub type TraceError = (usize, String);

/// Parses a trace's CSV text (see the module's doc).
pub fn parse_csv(text: &str) -> Result<Trace, TraceError> {
    let mut lines = text.lines().enumerate();
    let header: Vec<&str> = lines
        .next()
        .map(|(_, l)| l.split(',').map(str::trim).collect())
        .unwrap_or_default();
    match header.as_slice() {
        ["time_s", "size_mb"] | ["time_s", "size_mb", "creator"] => {}
        _ => {
            return Err((
                1,
                format!(
                    "header \"{}\"; allowed: time_s,size_mb or time_s,size_mb,creator",
                    header.join(",")
                ),
            ));
        }
    }
    let mut t = Trace {
        time_ns: Vec::new(),
        size_mb: Vec::new(),
        creator: Vec::new(),
    };
    for (i, line) in lines {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        if t.time_ns.len() == MAX_TRACE_TXS {
            return Err((n, format!("more than {MAX_TRACE_TXS} transactions")));
        }
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if cells.len() != header.len() {
            return Err((
                n,
                format!("{} cells; the header has {}", cells.len(), header.len()),
            ));
        }
        let time_s: f64 = cells[0]
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite() && *x >= 0.0 && *x <= 3.6e6)
            .ok_or_else(|| {
                (
                    n,
                    format!("time_s \"{}\": allowed: seconds in [0, 3600000]", cells[0]),
                )
            })?;
        let ns = (time_s * 1e9).round() as u64;
        if t.time_ns.last().is_some_and(|&p| p > ns) {
            return Err((
                n,
                format!("time_s {time_s} is before the previous line's; times must not decrease"),
            ));
        }
        let size: f64 = cells[1]
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite() && *x > 0.0 && *x <= 1e6)
            .ok_or_else(|| {
                (
                    n,
                    format!(
                        "size_mb \"{}\": allowed: a size in MB in (0, 1000000]",
                        cells[1]
                    ),
                )
            })?;
        let creator = match cells.get(2) {
            None | Some(&"") => DRAWN,
            Some(c) => c
                .parse::<u32>()
                .ok()
                .filter(|&c| c < DRAWN)
                .ok_or_else(|| (n, format!("creator \"{c}\": allowed: a node id or nothing")))?,
        };
        t.time_ns.push(ns);
        t.size_mb.push(size + 0.0);
        t.creator.push(creator);
    }
    if t.time_ns.is_empty() {
        return Err((
            1,
            "no transactions; allowed: at least one line after the header".into(),
        ));
    }
    Ok(t)
}

/// Registers a trace under its identity text (see the module's doc) and returns the text.
pub fn register(name: &str, trace: Trace) -> String {
    let mut h = Sha256::new();
    for i in 0..trace.time_ns.len() {
        h.update(trace.time_ns[i].to_le_bytes());
        h.update(trace.size_mb[i].to_bits().to_le_bytes());
        h.update(trace.creator[i].to_le_bytes());
    }
    let digest: String = h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let text = format!("{name} sha256={digest} txs={}", trace.time_ns.len());
    REGISTRY
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(text.clone())
        .or_insert_with(|| Arc::new(trace));
    text
}

/// The trace registered under `text`, if any.
pub fn lookup(text: &str) -> Option<Arc<Trace>> {
    REGISTRY
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(text)
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trace_is_identified_by_its_values_not_its_formatting() {
        let a = parse_csv("time_s,size_mb,creator\n0,0.5,1\n0.25,0.5,\n").unwrap();
        assert_eq!(a.time_ns, [0, 250_000_000]);
        assert_eq!(a.creator, [1, DRAWN]);
        let b = parse_csv("time_s, size_mb, creator\n0.0, 0.50, 1\n\n0.250, 0.5 ,\n").unwrap();
        let c = parse_csv("time_s,size_mb,creator\n0,0.5,2\n0.25,0.5,\n").unwrap();
        let (ta, tb, tc) = (register("x", a), register("x", b), register("x", c));
        assert_eq!(ta, tb);
        assert_ne!(ta, tc);
        assert!(lookup(&ta).is_some() && lookup("x sha256=0 txs=2").is_none());
        assert_eq!(
            parse_csv("time_s,size_mb\n1,0.1\n0.5,0.1\n").unwrap_err().0,
            3
        );
        assert_eq!(parse_csv("t,size\n").unwrap_err().0, 1);
        assert_eq!(parse_csv("time_s,size_mb\n1,-2\n").unwrap_err().0, 2);
    }
}

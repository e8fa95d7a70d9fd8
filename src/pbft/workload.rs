//! Transactions: arrivals, sizes, creators, and when each node's pool holds each one.
//!
//! Transactions are generated lazily, in time order, from the run's "workload" stream, so a run
//! that stops after 1000 committed transactions draws only what it needs. A transaction's
//! arrival at a node is a pure function of (transaction, node): the creator holds it at its
//! timestamp, every other node one point-to-point message delay later (SymBChainSim V2's
//! intent; the creator has its own transaction), or all at the timestamp (`Instant`,
//! SymBChainSim `main`). Under `accumulate` the delays add up in node-id order, as SBS V2's
//! propagation loop does by reusing the copy it made for the previous node.

use crate::des::Time;
use crate::network::Network;
use crate::rng::purpose;
use crate::rng::{Stream, stream};
use rand::RngExt;
use rand_distr::{Distribution, Exp};

/// When transactions arrive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arrivals {
    /// SymBChainSim: at every integer second s, floor((s+1) r) - floor(s r) transactions, all
    /// stamped s.
    Batch,
    /// A Poisson process of rate r.
    Poisson,
}

/// How big transactions are.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TxSize {
    /// Every transaction has the mean size.
    Fixed,
    /// Exponential with the mean size (SymBChainSim V2).
    Exponential,
}

/// How transactions reach the pools.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TxPropagation {
    /// Every pool at the timestamp.
    Instant,
    /// The creator at the timestamp, every other node one direct message delay later.
    Direct,
}

/// The workload's configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadParams {
    /// Transactions per second.
    pub rate_per_s: f64,
    /// Arrival process.
    pub arrivals: Arrivals,
    /// Mean transaction size, MB.
    pub size_mb: f64,
    /// Size distribution.
    pub size_dist: TxSize,
    /// Propagation to the pools.
    pub propagation: TxPropagation,
    /// Generate no more than this many transactions (0: no limit; SBS V2 stops generating
    /// at `stop_after_txs`).
    pub max_txs: u64,
    /// SBS V2's propagation loop: node k (in id order, the creator skipped) holds a
    /// transaction at its timestamp plus the sum of the creator's direct delays to every
    /// non-creator node up to k (under `Direct` only).
    pub accumulate: bool,
    /// A scenario's workload: from each segment's start on, its rate, size and size
    /// distribution replace the fields above (empty: they hold throughout). The first starts
    /// at 0; starts ascend.
    pub segments: Vec<Segment>,
    /// A trace: exactly these transactions (time, size, creator), in place of the arrival
    /// process, rate and sizes above (`max_txs` still caps them).
    pub trace: Option<std::sync::Arc<Trace>>,
}

/// A recorded workload: exactly these transactions (see [`WorkloadParams::trace`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// Creation times, ns, non-decreasing.
    pub time_ns: Vec<Time>,
    /// Sizes, MB.
    pub size_mb: Vec<f64>,
    /// Creators ([`DRAWN`]: drawn from the run's workload stream).
    pub creator: Vec<u32>,
}

/// A trace's creator left to the run's draw.
pub const DRAWN: u32 = u32::MAX;

/// The workload from `start_ns` on (see [`WorkloadParams::segments`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    /// Start, ns.
    pub start_ns: Time,
    /// Transactions per second.
    pub rate_per_s: f64,
    /// Mean transaction size, MB.
    pub size_mb: f64,
    /// Size distribution.
    pub size_dist: TxSize,
}

impl WorkloadParams {
    /// The segment in force at `t` (index into `segments`, which is not empty).
    fn segment_at(&self, t: Time) -> usize {
        self.segments.partition_point(|s| s.start_ns <= t).max(1) - 1
    }

    /// Rate, mean size and size distribution in force at `t`.
    fn at(&self, t: Time) -> (f64, f64, TxSize) {
        if self.segments.is_empty() {
            (self.rate_per_s, self.size_mb, self.size_dist)
        } else {
            let s = self.segments[self.segment_at(t)];
            (s.rate_per_s, s.size_mb, s.size_dist)
        }
    }

    /// Whether any transaction is ever generated.
    fn any_rate(&self) -> bool {
        if let Some(t) = &self.trace {
            return !t.time_ns.is_empty();
        }
        if self.segments.is_empty() {
            self.rate_per_s > 0.0
        } else {
            self.segments.iter().any(|s| s.rate_per_s > 0.0)
        }
    }

    /// The next Poisson arrival after one at `from`: a draw at the rate in force, and, past
    /// the end of its segment, a fresh draw from that end at the next segment's rate (the
    /// process is memoryless, so this is the Poisson process of piecewise constant rate).
    fn next_arrival(&self, rng: &mut Stream, from: Time) -> Time {
        if self.segments.is_empty() {
            return from.saturating_add(exp_ns(rng, self.rate_per_s));
        }
        let mut at = from;
        loop {
            let i = self.segment_at(at);
            let end = self.segments.get(i + 1).map_or(Time::MAX, |s| s.start_ns);
            let r = self.segments[i].rate_per_s;
            if r > 0.0 {
                let next = at.saturating_add(exp_ns(rng, r));
                if next < end {
                    return next;
                }
            }
            if end == Time::MAX {
                return Time::MAX;
            }
            at = end;
        }
    }
}

/// The transactions generated so far.
#[derive(Default)]
pub struct Workload {
    /// Creation time, ns.
    pub ts: Vec<Time>,
    /// Size, MB.
    pub size: Vec<f64>,
    /// Creating node.
    pub creator: Vec<u32>,
    /// Height of the block that committed it (`u32::MAX`: not committed).
    pub committed_at: Vec<u32>,
    /// Under `accumulate`: each transaction's arrival at every node, `i * nodes + node`.
    acc: Vec<Time>,
    rng: Option<Stream>,
    /// Next batch second, or the next Poisson arrival time (ns).
    next_second: u64,
    next_poisson: Time,
    rate_positive: bool,
    nodes: u32,
    /// Under a trace: the trace and its next transaction not generated yet.
    trace: Option<std::sync::Arc<Trace>>,
    trace_pos: usize,
}

/// Seed purpose for transaction-propagation message keys (distinct from consensus messages).
const TX_KEY_TAG: u64 = 0x7478_0000_0000_0000;

impl Workload {
    /// Empties the workload for a new run, keeping allocations.
    pub fn reset(&mut self, p: &WorkloadParams, nodes: u32, master: u64, run_key: u64) {
        self.ts.clear();
        self.size.clear();
        self.creator.clear();
        self.committed_at.clear();
        self.acc.clear();
        let mut rng = stream(master, run_key, purpose::WORKLOAD);
        self.next_second = 0;
        self.trace_pos = 0;
        self.trace = p.trace.clone();
        self.next_poisson = if p.trace.is_none() && p.arrivals == Arrivals::Poisson && p.any_rate()
        {
            p.next_arrival(&mut rng, 0)
        } else {
            Time::MAX
        };
        self.rng = Some(rng);
        self.rate_positive = p.trace.is_none() && p.arrivals == Arrivals::Batch && p.any_rate();
        self.nodes = nodes;
    }

    /// Number of transactions generated.
    pub fn len(&self) -> usize {
        self.ts.len()
    }

    /// Whether none was generated.
    pub fn is_empty(&self) -> bool {
        self.ts.is_empty()
    }

    /// Whether the transaction limit is reached.
    fn full(&self, p: &WorkloadParams) -> bool {
        p.max_txs != 0 && self.ts.len() as u64 >= p.max_txs
    }

    /// Generates every transaction with a timestamp at or before `t` (bounded by `horizon`),
    /// with their arrivals under `accumulate`.
    pub fn generate(&mut self, p: &WorkloadParams, net: &Network, t: Time, horizon: Time) {
        self.generate_until(p, t, horizon);
        if p.accumulate && p.propagation == TxPropagation::Direct {
            let n = self.nodes as usize;
            for i in self.acc.len() / n..self.ts.len() {
                let c = self.creator[i];
                let mut at = self.ts[i];
                for node in 0..self.nodes {
                    if node != c {
                        at += net.delay_ns(c, node, self.size[i], TX_KEY_TAG | i as u64);
                        self.acc.push(at);
                    } else {
                        self.acc.push(self.ts[i]);
                    }
                }
            }
        }
    }

    /// Generates every transaction with a timestamp at or before `t` (bounded by `horizon`);
    /// arrivals under `accumulate` need [`Workload::generate`].
    fn generate_until(&mut self, p: &WorkloadParams, t: Time, horizon: Time) {
        let t = t.min(horizon);
        if !p.any_rate() {
            return;
        }
        if self.full(p) {
            self.next_poisson = Time::MAX;
            self.rate_positive = false;
            return;
        }
        let mut rng = self.rng.take().expect("reset before use");
        if let Some(tr) = &p.trace {
            while self.trace_pos < tr.time_ns.len()
                && tr.time_ns[self.trace_pos] <= t
                && !self.full(p)
            {
                let i = self.trace_pos;
                let creator = match tr.creator[i] {
                    DRAWN => rng.random_range(0..self.nodes),
                    c => c,
                };
                self.ts.push(tr.time_ns[i]);
                self.size.push(tr.size_mb[i]);
                self.creator.push(creator);
                self.committed_at.push(u32::MAX);
                self.trace_pos += 1;
            }
            self.rng = Some(rng);
            return;
        }
        match p.arrivals {
            Arrivals::Batch => {
                while self.next_second * 1_000_000_000 <= t {
                    let s = self.next_second as f64;
                    let rate = p.at(self.next_second * 1_000_000_000).0;
                    let count = ((s + 1.0) * rate).floor() - (s * rate).floor();
                    for _ in 0..count as u64 {
                        if self.full(p) {
                            break;
                        }
                        self.push(p, &mut rng, self.next_second * 1_000_000_000);
                    }
                    self.next_second += 1;
                    if self.full(p) {
                        self.rate_positive = false;
                        break;
                    }
                }
            }
            Arrivals::Poisson => {
                while self.next_poisson <= t {
                    let at = self.next_poisson;
                    self.push(p, &mut rng, at);
                    self.next_poisson = if self.full(p) {
                        Time::MAX
                    } else {
                        p.next_arrival(&mut rng, at)
                    };
                }
            }
        }
        self.rng = Some(rng);
    }

    /// The timestamp of the next transaction not generated yet (`Time::MAX`: none will be).
    pub fn next_time(&self) -> Time {
        if let Some(&t) = self
            .trace
            .as_ref()
            .and_then(|tr| tr.time_ns.get(self.trace_pos))
        {
            return t;
        }
        if self.next_poisson != Time::MAX {
            self.next_poisson
        } else if self.rng.is_some() && self.rate_positive {
            self.next_second * 1_000_000_000
        } else {
            Time::MAX
        }
    }

    fn push(&mut self, p: &WorkloadParams, rng: &mut Stream, at: Time) {
        let (_, size_mb, size_dist) = p.at(at);
        let s = match size_dist {
            TxSize::Fixed => size_mb,
            TxSize::Exponential => Exp::new(1.0 / size_mb)
                .expect("positive mean size")
                .sample(rng),
        };
        self.ts.push(at);
        self.size.push(s);
        self.creator.push(rng.random_range(0..self.nodes));
        self.committed_at.push(u32::MAX);
    }

    /// When `node` receives the head of its pool: the first transaction from `from` on (in
    /// generation order) not committed at heights <= `height`, and, under `own_excluded`
    /// (SBS V2's pool), not created by `node`; generating more (up to `horizon`) as needed.
    /// `None` when no such transaction will exist.
    #[allow(clippy::too_many_arguments)]
    pub fn pool_head_arrival(
        &mut self,
        p: &WorkloadParams,
        net: &Network,
        from: usize,
        height: u32,
        node: u32,
        own_excluded: bool,
        horizon: Time,
    ) -> Option<Time> {
        let mut i = from;
        loop {
            if i >= self.len() {
                let next = self.next_time();
                if next > horizon {
                    return None;
                }
                self.generate(p, net, next, horizon);
                if i >= self.len() {
                    return None;
                }
                continue;
            }
            if self.committed_at[i] > height && !(own_excluded && self.creator[i] == node) {
                return Some(self.arrival(p, net, i, node));
            }
            i += 1;
        }
    }

    /// When node `node` first holds transaction `i`.
    #[inline]
    pub fn arrival(&self, p: &WorkloadParams, net: &Network, i: usize, node: u32) -> Time {
        let c = self.creator[i];
        if p.propagation == TxPropagation::Instant || c == node {
            self.ts[i]
        } else if p.accumulate {
            self.acc[i * self.nodes as usize + node as usize]
        } else {
            self.ts[i] + net.delay_ns(c, node, self.size[i], TX_KEY_TAG | i as u64)
        }
    }
}

fn exp_ns(rng: &mut Stream, rate_per_s: f64) -> Time {
    let x: f64 = Exp::new(rate_per_s).expect("positive rate").sample(rng);
    (x * crate::time::NS_PER_S_F64).round().max(1.0) as Time
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(arrivals: Arrivals, rate: f64) -> WorkloadParams {
        WorkloadParams {
            rate_per_s: rate,
            arrivals,
            size_mb: 0.05,
            size_dist: TxSize::Fixed,
            propagation: TxPropagation::Instant,
            max_txs: 0,
            accumulate: false,
            segments: Vec::new(),
            trace: None,
        }
    }

    #[test]
    fn batches_stamp_whole_seconds() {
        let p = params(Arrivals::Batch, 2.5);
        let mut w = Workload::default();
        w.reset(&p, 4, 1, 2);
        w.generate_until(&p, 3_500_000_000, u64::MAX);
        // Seconds 0..=3: floor(2.5), floor(5)-floor(2.5), floor(7.5)-5, 10-7.
        let secs: Vec<u64> = w.ts.iter().map(|t| t / 1_000_000_000).collect();
        assert_eq!(secs, vec![0, 0, 1, 1, 1, 2, 2, 3, 3, 3]);
        assert!(w.ts.iter().all(|t| t % 1_000_000_000 == 0));
    }

    /// Segments: each second's batch at its segment's rate, each transaction of its
    /// segment's size; a Poisson process of piecewise rate, none while the rate is 0.
    #[test]
    fn segments_set_rate_and_size_from_their_start_on() {
        let seg = |s: u64, rate: f64, size: f64| Segment {
            start_ns: s * 1_000_000_000,
            rate_per_s: rate,
            size_mb: size,
            size_dist: TxSize::Fixed,
        };
        let mut p = params(Arrivals::Batch, 1.0);
        p.segments = vec![seg(0, 2.0, 0.1), seg(3, 5.0, 0.2)];
        let mut w = Workload::default();
        w.reset(&p, 4, 1, 2);
        w.generate_until(&p, 4_500_000_000, u64::MAX);
        let secs: Vec<u64> = w.ts.iter().map(|t| t / 1_000_000_000).collect();
        assert_eq!(secs, [0, 0, 1, 1, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4]);
        assert!(w.size[..6].iter().all(|&s| s == 0.1) && w.size[6..].iter().all(|&s| s == 0.2));

        let mut p = params(Arrivals::Poisson, 1.0);
        p.segments = vec![seg(0, 50.0, 0.1), seg(100, 0.0, 0.1), seg(200, 200.0, 0.1)];
        let mut w = Workload::default();
        w.reset(&p, 4, 1, 2);
        w.generate_until(&p, 300 * 1_000_000_000, u64::MAX);
        let count = |a: u64, b: u64| {
            w.ts.iter()
                .filter(|&&t| (a * 1_000_000_000..b * 1_000_000_000).contains(&t))
                .count() as f64
        };
        assert!((count(0, 100) - 5000.0).abs() < 4.0 * 5000f64.sqrt());
        assert_eq!(count(100, 200), 0.0);
        assert!((count(200, 300) - 20_000.0).abs() < 4.0 * 20_000f64.sqrt());
    }

    /// A trace gives exactly its transactions (times, sizes, the creators it names), draws
    /// only the creators it leaves out, and stops at `max_txs`.
    #[test]
    fn a_trace_is_the_workload() {
        let tr = Trace {
            time_ns: vec![500_000_000, 500_000_000, 3_000_000_000],
            size_mb: vec![0.1, 0.2, 0.3],
            creator: vec![2, DRAWN, 1],
        };
        let mut p = params(Arrivals::Poisson, 1000.0);
        p.trace = Some(std::sync::Arc::new(tr));
        let mut w = Workload::default();
        w.reset(&p, 4, 1, 2);
        assert_eq!(w.next_time(), 500_000_000);
        w.generate_until(&p, 2_000_000_000, u64::MAX);
        assert_eq!(w.ts, [500_000_000, 500_000_000]);
        assert_eq!(w.next_time(), 3_000_000_000);
        w.generate_until(&p, u64::MAX - 1, u64::MAX);
        assert_eq!(w.size, [0.1, 0.2, 0.3]);
        assert_eq!((w.creator[0], w.creator[2]), (2, 1));
        assert!(w.creator[1] < 4);
        assert_eq!(w.next_time(), Time::MAX);
        p.max_txs = 2;
        w.reset(&p, 4, 1, 2);
        w.generate_until(&p, u64::MAX - 1, u64::MAX);
        assert_eq!(w.len(), 2);
    }

    #[test]
    fn poisson_rate_is_right_on_average() {
        let p = params(Arrivals::Poisson, 50.0);
        let mut w = Workload::default();
        w.reset(&p, 4, 1, 2);
        w.generate_until(&p, 1000 * 1_000_000_000, u64::MAX);
        let n = w.len() as f64;
        assert!((n - 50_000.0).abs() < 4.0 * 50_000f64.sqrt(), "{n}");
        assert!(w.ts.windows(2).all(|x| x[0] <= x[1]));
    }
}

//! Conditions that change within a run (a scenario's intervals: the workload's part is in
//! [`super::workload::Segment`], the bandwidth and the crashed nodes here) and the time
//! series a run reports per window.

use super::*;

/// One interval of a scenario: from `start_ns` on (until the next interval's start), the
/// bandwidth in force and the nodes down.
#[derive(Clone, Debug, PartialEq)]
pub struct Interval {
    /// Start, ns (the first is 0).
    pub start_ns: Time,
    /// Bandwidth mean and standard deviation in force, MB/s (`None`: the scenario never
    /// sets them; see [`Network::set_bandwidth`]).
    pub bandwidth: Option<(f64, f64)>,
    /// Nodes down throughout the interval.
    pub crashed: Vec<u32>,
}

/// A run's time series: one entry per window of [`PbftParams::series_window_ns`] from 0 to
/// the run's end (the last may be shorter). A height counts in the window of its first
/// commit by an honest validator (the chain's commit, as `commit_gap_max_s` reads it).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Windows {
    /// End of each window, s.
    pub end_s: Vec<f64>,
    /// Heights committed in it.
    pub blocks: Vec<u32>,
    /// Their transactions.
    pub txs: Vec<u32>,
    /// Those transactions over the window's length, per s.
    pub throughput_tps: Vec<f64>,
    /// Mean of (commit - creation) over those transactions, s (NaN without any).
    pub latency_mean_s: Vec<f64>,
    /// Mean time from the previous height's commit to each of those heights', s (NaN
    /// without any).
    pub block_time_mean_s: Vec<f64>,
    /// Transactions created by the window's end and not committed by then.
    pub pool_txs: Vec<u32>,
    /// The protocol of the last height committed in it (`None` without any).
    pub consensus: Vec<Option<Consensus>>,
}

impl Simulator {
    /// Under a scenario that sets the bandwidth: the run's own copy of the network (changed
    /// at each interval that sets it, by the run loop; messages already sent keep their
    /// delays) with the first interval's bandwidth, and the changes queued. Sets `tx_net`.
    pub(super) fn scenario_network(&mut self, p: &PbftParams, net: &Network) -> Option<Network> {
        self.tx_net = None;
        if p.intervals.iter().all(|iv| iv.bandwidth.is_none()) {
            return None;
        }
        let mut own = net.clone();
        if let Some((mean, sd)) = p.intervals[0].bandwidth {
            own.set_bandwidth(mean, sd);
        }
        self.tx_net = Some(own.clone());
        for (i, w) in p.intervals.windows(2).enumerate() {
            if w[1].bandwidth != w[0].bandwidth {
                self.queue
                    .schedule(w[1].start_ns, Ev::Interval(i as u32 + 1));
            }
        }
        Some(own)
    }

    /// Adds a scenario's down intervals (each crashed node from its interval's start to the
    /// next interval's, or past the run's end) to the drawn ones, merging those that overlap
    /// or touch: a node listed in two consecutive intervals stays down across both.
    pub(super) fn add_scenario_crashes(&mut self, p: &PbftParams) {
        for (i, ph) in p.intervals.iter().enumerate() {
            let end = p
                .intervals
                .get(i + 1)
                .map_or(p.duration_ns.saturating_add(1), |next| next.start_ns);
            for &v in &ph.crashed {
                self.faults[v as usize].push((ph.start_ns, end));
            }
        }
        for down in &mut self.faults {
            down.sort_unstable();
            let mut merged: Vec<(Time, Time)> = Vec::with_capacity(down.len());
            for &(a, b) in down.iter() {
                match merged.last_mut() {
                    Some(last) if a <= last.1 => last.1 = last.1.max(b),
                    _ => merged.push((a, b)),
                }
            }
            *down = merged;
        }
    }

    /// The run's time series (see [`Windows`]). Generates the transactions up to `end` (the
    /// pool sizes need them); call it after everything else is read.
    pub(super) fn windows(&mut self, p: &PbftParams, net: &Network, end: Time) -> Windows {
        let w = p.series_window_ns;
        let count = end.div_ceil(w).max(1) as usize;
        let window_end = |k: usize| ((k as u64 + 1) * w).min(end.max(1));
        let mut out = Windows {
            end_s: (0..count).map(|k| window_end(k) as f64 / S).collect(),
            blocks: vec![0; count],
            txs: vec![0; count],
            pool_txs: vec![0; count],
            consensus: vec![None; count],
            ..Windows::default()
        };
        let mut lat_sum = vec![0.0; count];
        let mut gap_sum = vec![0.0; count];
        let mut gap_n = vec![0u32; count];
        // Heights in commit order (the first commits of successive heights never decrease).
        let mut commits: Vec<(Time, u32)> = Vec::new();
        let mut prev: Option<Time> = None;
        for h in 0..self.chain.canonical.len() {
            let first = self.first_commit(h);
            if first == Time::MAX {
                continue;
            }
            let prop = self.chain.proposals[self.chain.canonical[h] as usize];
            let k = ((first / w) as usize).min(count - 1);
            out.blocks[k] += 1;
            out.txs[k] += prop.tx_len;
            out.consensus[k] = Some(prop.consensus);
            for &i in
                &self.chain.tx_list[prop.tx_off as usize..(prop.tx_off + prop.tx_len) as usize]
            {
                lat_sum[k] += first.saturating_sub(self.workload.ts[i as usize]) as f64 / S;
            }
            if let Some(pt) = prev {
                gap_sum[k] += (first - pt) as f64 / S;
                gap_n[k] += 1;
            }
            prev = Some(first);
            commits.push((first, prop.tx_len));
        }
        let tx_net = self.tx_net.as_ref().unwrap_or(net);
        self.workload
            .generate(&p.workload, tx_net, end, p.duration_ns);
        let (mut made, mut done, mut c) = (0usize, 0u64, 0usize);
        for k in 0..count {
            let e = window_end(k);
            let start = k as u64 * w;
            while made < self.workload.len() && self.workload.ts[made] <= e {
                made += 1;
            }
            while c < commits.len() && commits[c].0 <= e {
                done += u64::from(commits[c].1);
                c += 1;
            }
            out.pool_txs[k] = (made as u64).saturating_sub(done) as u32;
            let len_s = e.saturating_sub(start).max(1) as f64 / S;
            out.throughput_tps.push(f64::from(out.txs[k]) / len_s);
            out.latency_mean_s.push(if out.txs[k] > 0 {
                lat_sum[k] / f64::from(out.txs[k])
            } else {
                f64::NAN
            });
            out.block_time_mean_s.push(if gap_n[k] > 0 {
                gap_sum[k] / f64::from(gap_n[k])
            } else {
                f64::NAN
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{paper_a, seeds};
    use super::*;
    use crate::pbft::workload::Segment;

    const S: Time = 1_000_000_000;

    fn run(p: &PbftParams, seed: u64) -> (PbftOutcome, Simulator) {
        let net = Network::build(&p.net, 7, seed, seed + 1);
        let mut sim = Simulator::default();
        let o = sim.run(p, &net, seeds(seed));
        (o, sim)
    }

    /// Ten nodes at 20 transactions a second for 60 s, nothing stopping early.
    fn base() -> PbftParams {
        let mut p = paper_a(10, 5, 20.0);
        p.stop_after_txs = 0;
        p.duration_ns = 60 * S;
        p.series_window_ns = 5 * S;
        p
    }

    /// A scenario whose single interval sets the spec's own values changes nothing: the same
    /// draws, the same network, the same outcome (a wrong bandwidth mapping or a workload
    /// segment read differently would show).
    #[test]
    fn a_scenario_of_the_specs_own_values_changes_nothing() {
        for seed in 1..4 {
            let p = base();
            let mut q = p.clone();
            q.workload.segments = vec![Segment {
                start_ns: 0,
                rate_per_s: p.workload.rate_per_s,
                size_mb: p.workload.size_mb,
                size_dist: p.workload.size_dist,
            }];
            q.intervals = vec![Interval {
                start_ns: 0,
                bandwidth: Some((p.net.bandwidth_mean, p.net.bandwidth_sd)),
                crashed: vec![],
            }];
            assert_eq!(run(&p, seed).0, run(&q, seed).0, "seed {seed}");
        }
    }

    /// A node a scenario crashes over [20 s, 40 s) adds no block then, adds blocks before and
    /// after, and counts one crash; the others go on committing.
    #[test]
    fn a_crashed_node_commits_nothing_during_its_interval() {
        let mut p = base();
        p.intervals = [(0, vec![]), (20, vec![3]), (40, vec![])]
            .into_iter()
            .map(|(s, crashed)| Interval {
                start_ns: s * S,
                bandwidth: None,
                crashed,
            })
            .collect();
        for seed in 1..4 {
            let (o, sim) = run(&p, seed);
            assert_eq!(o.crashes, 1);
            let t3 = sim.commit_times(3);
            assert!(!t3.iter().any(|&t| (20 * S..40 * S).contains(&t)), "{t3:?}");
            assert!(t3.iter().any(|&t| t < 20 * S) && t3.iter().any(|&t| t >= 40 * S));
            let t0 = sim.commit_times(0);
            assert!(
                t0.iter()
                    .filter(|&&t| (20 * S..40 * S).contains(&t))
                    .count()
                    > 10
            );
        }
    }

    /// Bandwidth falling 100-fold for [20 s, 40 s) slows the chain then (block time per
    /// window) and not before or after; the windows add up to the run's blocks, and each
    /// window's pool is the transactions created by its end less those committed by then.
    #[test]
    fn a_bandwidth_drop_slows_its_interval_and_the_windows_add_up() {
        let mut p = base();
        p.net.bandwidth = crate::network::Bandwidth::PerMessage;
        p.net.bandwidth_min = 0.01;
        p.intervals = [(0, 20.0), (20, 0.2), (40, 20.0)]
            .into_iter()
            .map(|(s, mean)| Interval {
                start_ns: s * S,
                bandwidth: Some((mean, mean / 4.0)),
                crashed: vec![],
            })
            .collect();
        let (o, sim) = run(&p, 3);
        let w = &o.windows;
        assert_eq!(w.end_s.len(), 12);
        assert_eq!(w.blocks.iter().sum::<u32>(), o.blocks);
        let slow = |k: usize| w.block_time_mean_s[k];
        for k in [0, 1, 2, 9, 10, 11] {
            assert!(slow(k) < 1.0, "window {k}: {w:?}");
        }
        for k in [5, 6, 7] {
            assert!(slow(k) > 2.0 || w.blocks[k] == 0, "window {k}: {w:?}");
        }
        let mut committed = 0u64;
        for k in 0..12 {
            committed += u64::from(w.txs[k]);
            let end = (k as u64 + 1) * 5 * S;
            let made = sim.workload.ts.iter().filter(|&&t| t <= end).count() as u64;
            assert_eq!(u64::from(w.pool_txs[k]), made - committed, "window {k}");
        }
    }
}

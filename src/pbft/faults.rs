//! Crash faults: `crash_nodes` nodes (at most f) alternate exponential up and down times,
//! drawn up front from the "faults" stream (so gossip can tell who is alive when); a dead node
//! drops what reaches it and relays nothing; on recovery it syncs (if behind) or restarts its
//! round.

use super::*;
use crate::rng::purpose;

/// Whether a node whose down intervals are `down` (ascending, disjoint, each `[crash,
/// recovery)`) is up at `at`: only the last interval that began by `at` can hold it, found by
/// binary search (a scan made gossip's liveness checks linear in the run's length).
pub(super) fn up_at(down: &[(Time, Time)], at: Time) -> bool {
    let began = down.partition_point(|&(a, _)| a <= at);
    began == 0 || at >= down[began - 1].1
}

impl Simulator {
    /// Draws the run's fault schedule and queues its crash and recovery events.
    pub(super) fn schedule_faults(&mut self, p: &PbftParams, seeds: RunSeeds) {
        let n = self.n;
        // Fault schedule, drawn up front so that gossip can tell who is alive when.
        self.faults.resize_with(n as usize, Vec::new);
        for fv in &mut self.faults {
            fv.clear();
        }
        if p.crash_nodes > 0 {
            let mut rng = stream(seeds.master, seeds.run_key, purpose::FAULTS);
            let mut ids: Vec<u32> = (0..n).collect();
            for i in 0..p.crash_nodes as usize {
                let j = rng.random_range(i..n as usize);
                ids.swap(i, j);
            }
            let up = Exp::new(crate::time::NS_PER_S_F64 / p.mean_uptime_ns as f64)
                .expect("positive uptime");
            let down = Exp::new(crate::time::NS_PER_S_F64 / p.mean_downtime_ns as f64)
                .expect("positive downtime");
            // Each interval is two events: a schedule past the events budget is not drawn on.
            let mut intervals = 0u64;
            for &v in &ids[..p.crash_nodes as usize] {
                let mut t: Time = 0;
                loop {
                    t = t.saturating_add((up.sample(&mut rng) * S).round().max(1.0) as Time);
                    if t > p.duration_ns {
                        break;
                    }
                    let back =
                        t.saturating_add((down.sample(&mut rng) * S).round().max(1.0) as Time);
                    self.faults[v as usize].push((t, back));
                    t = back;
                    intervals += 1;
                    if self.budget.spent(2 * intervals, 0) {
                        self.budget_spent = Some(self.budget.overrun(
                            2 * intervals,
                            0,
                            "while drawing the crash schedule, before the run began",
                            "use longer mean_uptime and mean_downtime or fewer crash_nodes",
                        ));
                        return;
                    }
                }
            }
        }
        if p.intervals.iter().any(|ph| !ph.crashed.is_empty()) {
            self.add_scenario_crashes(p);
        }
        if self.faults.iter().any(|f| !f.is_empty()) {
            // Crash and recovery events go first, so at equal times they precede deliveries.
            let mut all: Vec<(Time, bool, u32)> = Vec::new();
            for (v, iv) in self.faults.iter().enumerate() {
                for &(a, b) in iv {
                    all.push((a, false, v as u32));
                    all.push((b, true, v as u32));
                }
            }
            all.sort_unstable();
            for (t, recover, v) in all {
                self.queue.schedule(
                    t,
                    if recover {
                        Ev::Recover(v)
                    } else {
                        Ev::Crash(v)
                    },
                );
            }
        }
    }

    /// Node `v` crashes at `now`.
    pub(super) fn crash(&mut self, p: &PbftParams, v: u32, now: Time) {
        let nd = &mut self.nodes[v as usize];
        nd.alive = false;
        nd.epoch += 1;
        nd.timeout_at = Time::MAX;
        nd.phase = Phase::NewRound;
        self.backlog[v as usize].clear();
        self.counters.crashes += 1;
        self.check_stop(p, now);
    }

    /// Node `v` recovers at `now`: the reconfiguration hook fetches what it missed, then the
    /// node syncs or restarts its round.
    pub(super) fn recover(&mut self, p: &PbftParams, net: &Network, v: u32, now: Time) {
        self.nodes[v as usize].alive = true;
        self.with_hook(|h, sim| h.missing(sim, p, net, v, now));
        if !self.begin_sync(p, net, v, now) {
            let r = self.nodes[v as usize].round;
            self.start(p, v, r, now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::up_at;

    /// The binary search agrees with the definition (up unless inside some interval).
    #[test]
    fn up_at_agrees_with_a_scan_of_every_interval() {
        let down = [(5, 9), (9, 12), (20, 21), (30, 40)];
        for at in 0..50 {
            let scan = down.iter().all(|&(a, b)| at < a || at >= b);
            assert_eq!(up_at(&down, at), scan, "at {at}");
        }
        assert!(up_at(&[], 7));
    }
}

//! The outcome of a run (SymBChainSim's metrics and the corrected ones) and what the twin reads
//! of the final state (commit times, heads, chains).

use super::*;

impl Simulator {
    pub(super) fn outcome(
        &mut self,
        p: &PbftParams,
        net: &Network,
        events: u64,
        end: Time,
        stop: StopReason,
    ) -> PbftOutcome {
        let n = self.n as usize;
        let mut per_node = Vec::with_capacity(n);
        self.series.samples.clear();
        self.series.block_times.clear();
        let mut counts = vec![0u64; n];
        for v in 0..n {
            let nd = &self.nodes[v];
            let hmax = nd.height as usize;
            counts.fill(0);
            let mut block_means = Vec::with_capacity(hmax);
            let mut created_sum = 0.0;
            let mut prev: Option<Time> = None;
            let mut gaps = 0.0;
            let mut gap_n = 0u32;
            for h in 1..=hmax {
                let prop = self.chain.proposals[self.chain.canonical[h - 1] as usize];
                counts[prop.proposer as usize] += 1;
                let at = self.chain.added[(h - 1) * n + v];
                let mut sum = 0.0;
                let mut created = 0.0;
                for &i in
                    &self.chain.tx_list[prop.tx_off as usize..(prop.tx_off + prop.tx_len) as usize]
                {
                    let from = if p.sbs_compat {
                        self.workload.arrival(
                            &p.workload,
                            self.tx_net.as_ref().unwrap_or(net),
                            i as usize,
                            prop.proposer,
                        )
                    } else {
                        self.workload.ts[i as usize]
                    };
                    let lat = (at as f64 - from as f64) / S;
                    sum += lat;
                    created += (at as f64 - self.workload.ts[i as usize] as f64) / S;
                    if nd.alive {
                        self.series.samples.push(lat);
                    }
                }
                block_means.push(sum / f64::from(prop.tx_len));
                created_sum += created / f64::from(prop.tx_len);
                if let Some(pt) = prev {
                    let gap = (at as f64 - pt as f64) / S;
                    gaps += gap;
                    gap_n += 1;
                    if nd.alive {
                        self.series.block_times.push(gap);
                    }
                }
                prev = Some(at);
            }
            let throughput = if hmax > 0 {
                let first = self.chain.proposals[self.chain.canonical[0] as usize].created;
                let last = self.chain.added[(hmax - 1) * n + v];
                nd.txs as f64 / ((last as f64 - first as f64) / S)
            } else {
                f64::NAN
            };
            per_node.push(NodeSummary {
                alive: nd.alive,
                blocks: nd.height,
                txs: nd.txs,
                latency_sbs_s: mean_finite(block_means.iter().copied()),
                latency_sbs_created_s: if hmax > 0 {
                    created_sum / hmax as f64
                } else {
                    f64::NAN
                },
                throughput_sbs_tps: throughput,
                block_time_mean_s: if gap_n > 0 {
                    gaps / f64::from(gap_n)
                } else {
                    f64::NAN
                },
                gini_sbs: gini_sbs(&counts),
                gini: gini(&counts),
            });
        }
        let live = || per_node.iter().filter(|x| x.alive);
        let tx_mean = mean_finite(self.series.samples.iter().copied());
        let end_s = end as f64 / S;
        let (degree_min, degree_mean, degree_max) = net.degree_stats();
        let (link_bandwidth_mean_mbps, link_transfer_s_per_mb) = net.link_bandwidth_moments();
        PbftOutcome {
            f: self.f,
            strongly_connected: net.strongly_connected(),
            nodes_without_in_links: net.nodes_without_in_links(),
            degree_min,
            degree_mean,
            degree_max,
            link_bandwidth_mean_mbps,
            link_transfer_s_per_mb,
            blocks: self.chain.canonical.len() as u32,
            blocks_min: live().map(|x| x.blocks).min().unwrap_or(0),
            txs_committed_min: live().map(|x| x.txs).min().unwrap_or(0),
            txs_generated: self.workload.len() as u64,
            latency_sbs_s: mean_finite(live().map(|x| x.latency_sbs_s)),
            latency_sbs_created_s: mean_finite(live().map(|x| x.latency_sbs_created_s)),
            latency_tx_mean_s: tx_mean,
            latency_p50_s: quantile(&mut self.series.samples, 0.5),
            latency_p95_s: quantile(&mut self.series.samples, 0.95),
            throughput_sbs_tps: mean_finite(live().map(|x| x.throughput_sbs_tps)),
            throughput_span_tps: mean_finite(live().map(|x| x.txs as f64 / end_s)),
            block_time_mean_s: mean_finite(live().map(|x| x.block_time_mean_s)),
            block_time_median_s: quantile(&mut self.series.block_times, 0.5),
            gini_sbs: mean_finite(live().map(|x| x.gini_sbs)),
            gini: mean_finite(live().map(|x| x.gini)),
            round_changes: self.counters.round_changes,
            timeouts: self.counters.timeouts,
            syncs: self.counters.syncs,
            crashes: self.counters.crashes,
            msgs: self.counters.msgs,
            bytes_mb: self.counters.bytes_mb,
            events,
            end_s,
            stop,
            safety_violations: self.counters.violations,
            commit_gap_max_s: self.commit_gap_max(end) as f64 / S,
            per_node,
            windows: if p.series_window_ns > 0 {
                self.windows(p, net, end)
            } else {
                Windows::default()
            },
        }
    }

    /// When an honest validator first added height `h + 1` (`Time::MAX`: none did).
    pub(super) fn first_commit(&self, h: usize) -> Time {
        let n = self.n as usize;
        (0..n)
            .filter(|&v| !self.byzantine[v])
            .map(|v| self.chain.added[h * n + v])
            .min()
            .unwrap_or(Time::MAX)
    }

    /// The longest time without a new height: each height at its first commit by an honest
    /// validator, from 0 to `end`.
    fn commit_gap_max(&self, end: Time) -> Time {
        let mut prev = 0;
        let mut gap = 0;
        for h in 0..self.chain.canonical.len() {
            let first = self.first_commit(h);
            if first == Time::MAX {
                continue;
            }
            gap = gap.max(first.saturating_sub(prev));
            prev = prev.max(first);
        }
        gap.max(end.saturating_sub(prev))
    }

    /// The times node `v` added each block of its chain, in height order (nondecreasing).
    pub fn commit_times(&self, v: u32) -> Vec<Time> {
        let n = self.n as usize;
        (0..self.nodes[v as usize].height as usize)
            .map(|h| self.chain.added[h * n + v as usize])
            .collect()
    }

    /// Height and block id of each node's latest block (0 and `u32::MAX` at genesis).
    pub fn heads(&self) -> Vec<(u32, u32)> {
        self.nodes
            .iter()
            .map(|nd| {
                let h = nd.height;
                (
                    h,
                    if h == 0 {
                        NONE
                    } else {
                        self.chain.canonical[h as usize - 1]
                    },
                )
            })
            .collect()
    }

    /// The configuration stamp of each block of the longest chain, in height order (all 0
    /// without a reconfiguration hook).
    pub fn chain_stamps(&self) -> Vec<u32> {
        self.chain
            .canonical
            .iter()
            .map(|&b| self.chain.proposals[b as usize].stamp)
            .collect()
    }

    /// Transaction ids of each block of the longest chain, in height order (for tests and the
    /// twin models).
    pub fn chain_transactions(&self) -> Vec<Vec<u32>> {
        self.chain
            .canonical
            .iter()
            .map(|&b| {
                let pr = self.chain.proposals[b as usize];
                self.chain.tx_list[pr.tx_off as usize..(pr.tx_off + pr.tx_len) as usize].to_vec()
            })
            .collect()
    }
}

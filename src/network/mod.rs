//! The blockchain models' network: nodes with peers, bandwidths and locations, the delay of
//! one message, and gossip as a shortest-path computation.
//!
//! A message of `size` MB from `u` to `v` takes `size / bandwidth(u, v) + latency(u, v) +
//! processing`, with no contention: links carry any number of messages at once, as in
//! SymBChainSim V2. Time is integer nanoseconds.
//!
//! Because links do not contend, one gossip broadcast (relay on first receipt to every peer but
//! the sender, duplicates dropped, first arrival wins) delivers each node its message at the
//! time of the fastest path from the origin through nodes that were alive when the message
//! reached them. [`Network::gossip`] computes that with Dijkstra instead of one event per edge;
//! [`reference_gossip`] is the per-edge event simulation it must agree with (tested).
//!
//! Random draws made per message (bandwidth sampled per message, per-node jitter) are
//! counter-based: the draw for message key `k` on link `u -> v` is a pure function of
//! `(stream seed, k, u, v)`. Results therefore do not depend on the order in which a broadcast
//! is expanded, and skipping a draw that cannot matter changes nothing.
//!
//! No I/O: the SymBChainSim city tables (MIT licence, notice in `sbs_data/LICENSE`) are
//! compiled in.
//!
//! Architecture invariant: `network` knows no consensus: it builds peers, bandwidths and
//! latencies and times messages; it knows nothing of PBFT, twins or management.

use crate::des::Time;
use crate::rng::purpose;
use crate::rng::{GenRng, Stream, mix64, stream};
use crate::time::NS_PER_S_F64;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Normal};
use rand_xoshiro::SplitMix64;

mod cities;
mod gossip;
mod normal;

pub use cities::{cities, distance_latency_ms, measured_latency_ms};
pub use gossip::{GossipScratch, Spread, reference_gossip};
use gossip::{latency_bounds, peer_masks};

/// How peer links are realised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Links {
    /// Each node picks `peers` others; every pick is a two-way link (paper A's "bi-directional
    /// network links"). Degrees are therefore at least `peers`.
    Bidirectional,
    /// Each node sends only to the `peers` it picked (SymBChainSim's `random.sample`).
    Directed,
    /// Each node has exactly `peers` two-way links: a uniform-looking random `peers`-regular
    /// graph (random pairing of link ends that skips loops and repeated links, restarted when
    /// it gets stuck; after Steger and Wormald). `nodes x peers` must be even.
    Exact,
}

/// What a bandwidth draw does with its clamp at `min` (and, per message, at the ceiling).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum BandwidthDraw {
    /// Normal(mean, sd) clamped: a draw below `min` becomes `min`, which raises the mean of
    /// the draws above `mean` once the sd is large against `mean - min`.
    #[default]
    Clamped,
    /// The clamped draw rescaled by `mean / E[clamped draw]`, so the draws' mean is `mean`
    /// whatever the sd (the clamp scales with it). Not for `PerNodeJitter`.
    MeanPreserving,
}

/// How link bandwidth is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Bandwidth {
    /// One bandwidth per node from Normal(mean, sd), clamped at `min`; a link is the slower end.
    #[default]
    PerNode,
    /// Each node has its own distribution Normal(mu_i, cv * mu_i) with mu_i drawn as in
    /// `PerNode`; every message draws both ends afresh (clamped at `min`) and takes the slower.
    PerNodeJitter {
        /// Coefficient of variation of a node's own distribution.
        cv: f64,
    },
    /// Every message on every link draws Normal(mean, sd), clamped at `min` (paper B).
    PerMessage,
}

/// How latency is modelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Latency {
    /// No latency.
    None,
    /// The same latency on every link.
    Constant,
    /// Random cities; one-way ms = (0.022 * miles + 4.862) / 2 from their great-circle distance
    /// (paper B, SymBChainSim's `distance`).
    Distance,
    /// Random cities; SymBChainSim's measured mean one-way latency (asymmetric); same city uses
    /// the constant.
    Measured,
}

/// How a node sends a message to all others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dissemination {
    /// Relay over peer links.
    Gossip,
    /// Send directly to every node.
    Broadcast,
}

/// What a consensus vote carries (PBFT's prepares and commits, and the management chain's);
/// it sets the vote's message size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VotePayload {
    /// The whole block, as in SBS (every prepare and commit costs a block transfer).
    Block,
    /// A digest: votes weigh the base message size only.
    Digest,
}

/// A network's configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkParams {
    /// Number of nodes.
    pub nodes: u32,
    /// Peers each node picks.
    pub peers: u32,
    /// Two-way or one-way links.
    pub links: Links,
    /// Bandwidth model.
    pub bandwidth: Bandwidth,
    /// Mean bandwidth, MB/s.
    pub bandwidth_mean: f64,
    /// Standard deviation, MB/s.
    pub bandwidth_sd: f64,
    /// Smallest bandwidth any draw may take, MB/s (> 0).
    pub bandwidth_min: f64,
    /// What draws do with the clamp.
    pub bandwidth_draw: BandwidthDraw,
    /// Latency model.
    pub latency: Latency,
    /// Constant latency (also same-city latency of `Measured`), ns.
    pub latency_constant_ns: u64,
    /// Added to every message, ns.
    pub processing_ns: u64,
    /// Gossip or direct broadcast.
    pub dissemination: Dissemination,
}

/// A realised network: peer lists (CSR), node bandwidths, a latency matrix.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Network {
    n: u32,
    /// Out-adjacency in CSR form: `adj[off[u]..off[u+1]]`, ascending.
    off: Vec<u32>,
    adj: Vec<u32>,
    /// Each node's own bandwidth (the mean of its distribution under jitter), MB/s.
    bw: Vec<f64>,
    /// Standard deviation of each node's own distribution, MB/s (0 unless jitter).
    bw_sd: Vec<f64>,
    /// Up to [`MASK_MAX_NODES`] nodes: each node's peers as a bit set (bit v = peer v), so
    /// that gossip visits only the peers not yet settled. Empty for larger networks.
    peer_mask: Vec<u64>,
    /// The most bandwidth any link of node u can have for any message, MB/s (see
    /// [`DRAW_CEILING_SDS`]): what lets gossip skip links that cannot deliver first.
    bw_ceiling: Vec<f64>,
    /// One-way latency plus processing, ns, `n * n`, row = sender.
    lat: Vec<u64>,
    /// Up to [`MASK_MAX_NODES`] nodes: `lat` capped at [`LAT_BOUND_CAP`] as `u32`, rows of
    /// 64 (padding [`LAT_BOUND_CAP`]): lower bounds gossip's pruning test compares 16 at a
    /// time. Empty for larger networks.
    lat_bound: Vec<u32>,
    /// City index of each node (empty when latency needs no location).
    city: Vec<u16>,
    model: Bandwidth,
    mean: f64,
    sd: f64,
    min: f64,
    /// Factor every per-message draw is multiplied by (1, or the mean-preserving rescale).
    scale: f64,
    /// Seed of the per-message draws.
    draw_seed: u64,
    /// Each node's bandwidth draw in standard deviations from the mean ((draw - mean) / sd,
    /// before the clamp; 0 when sd is 0): what [`Network::set_bandwidth`] keeps.
    bw_z: Vec<f64>,
    /// How draws are rescaled.
    draw: BandwidthDraw,
}

/// `x.round() as Time` (halves away from zero) for `x >= 0`, without the libm call
/// `f64::round` compiles to on baseline x86-64 (which has no rounding instruction), and with a
/// short dependency chain: it sits on every per-message draw. For `0 <= x < 2^52`, adding 2^52
/// rounds `x` to the nearest integer, halves to even, exactly (the spacing of doubles there
/// is 1), and the integer is the sum's bits less those of 2^52. That differs from `round`
/// only on a half rounded down to even, which `(sum - 2^52) - x == -0.5` detects exactly (both
/// subtractions are exact); the branch is essentially never taken, so the result waits on one
/// addition. Larger values (ns beyond 52 days) fall back to `f64::round`.
#[inline]
pub fn round_ns(x: f64) -> Time {
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    if (0.0..TWO_52).contains(&x) {
        let sum = x + TWO_52;
        let even = sum.to_bits() - TWO_52.to_bits();
        if (sum - TWO_52) - x == -0.5 {
            even + 1
        } else {
            even
        }
    } else {
        (x.round() as Time).min(DELAY_CAP_NS)
    }
}

/// The longest delay a message can be given, 2^62 ns (about 146 years). A transfer longer than
/// that (a huge block over a tiny bandwidth) is given exactly this: it still arrives after
/// every run's end (a PBFT run lasts at most 1000 h, 3.6 x 10^15 ns, and stops there), which
/// is what the true delay gives, and `now + delay` stays far below 2^64, where it would wrap
/// and arrive at once.
pub const DELAY_CAP_NS: Time = 1 << 62;

/// Per-message bandwidth draws are capped at mean + this many standard deviations. A draw
/// beyond 8 sd has probability about 1e-15, so the cap changes no result one will ever see;
/// what it buys is a hard ceiling on every link's bandwidth, hence a floor on every
/// transmission time, which lets gossip skip most links without drawing (see
/// [`Network::gossip_from`]).
pub const DRAW_CEILING_SDS: f64 = 8.0;

/// A normal draw clamped to [`min`, mean + 8 sd], from a counter-based generator.
#[inline]
fn clamped_normal(mean: f64, sd: f64, min: f64, key: u64) -> f64 {
    if sd == 0.0 {
        return mean.max(min);
    }
    let x = normal::normal_or_none(mean, sd, key).unwrap_or_else(|| full_normal(mean, sd, key));
    // `x.min(hi).max(min)` without the NaN handling of `f64::min` and `f64::max` (a normal
    // draw of finite parameters is never NaN, and then the two agree bit for bit).
    let hi = mean + DRAW_CEILING_SDS * sd;
    let x = if x < hi { x } else { hi };
    if x > min { x } else { min }
}

/// `Normal(mean, sd)` from `SplitMix64::seed_from_u64(key)` by rand_distr itself: the rare
/// draws [`normal::normal_or_none`] leaves to it.
#[cold]
#[inline(never)]
fn full_normal(mean: f64, sd: f64, key: u64) -> f64 {
    let d = Normal::new(mean, sd).expect("sd is finite and >= 0");
    d.sample(&mut SplitMix64::seed_from_u64(key))
}

/// Per node, the largest bandwidth a link of the node can take under `model` (its own
/// bandwidth, or the ceiling of its per-message draws): a link's bandwidth is at most either
/// end's ceiling.
fn bandwidth_ceilings(
    model: Bandwidth,
    bw: &[f64],
    bw_sd: &[f64],
    mean: f64,
    sd: f64,
    min: f64,
    scale: f64,
) -> Vec<f64> {
    bw.iter()
        .zip(bw_sd)
        .map(|(&b, &s)| match model {
            Bandwidth::PerNode => b,
            Bandwidth::PerNodeJitter { .. } => (b + DRAW_CEILING_SDS * s).max(min),
            Bandwidth::PerMessage => (mean + DRAW_CEILING_SDS * sd).max(min) * scale,
        })
        .collect()
}

/// `E[g(clamp(X, lo, hi))]` for `X ~ Normal(mean, sd)`, by Simpson's rule between the clamps
/// and the normal's tails at the clamps (hi may be infinite).
fn clamped_normal_expectation(mean: f64, sd: f64, lo: f64, hi: f64, g: impl Fn(f64) -> f64) -> f64 {
    if sd == 0.0 {
        return g(mean.clamp(lo, hi));
    }
    let pdf = |x: f64| {
        (-0.5 * ((x - mean) / sd).powi(2)).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt())
    };
    let simpson = |a: f64, b: f64, f: &dyn Fn(f64) -> f64| {
        if b <= a {
            return 0.0;
        }
        let k = 1000;
        let h = (b - a) / f64::from(k);
        let mut sum = f(a) + f(b);
        for i in 1..k {
            sum += f(a + h * f64::from(i)) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        sum * h / 3.0
    };
    let (left, right) = (mean - 12.0 * sd, mean + 12.0 * sd);
    let below = simpson(left, lo.min(right), &pdf);
    let above = if hi.is_finite() {
        simpson(hi.max(left), right, &pdf)
    } else {
        0.0
    };
    let inside = simpson(lo.max(left), hi.min(right), &|x| g(x) * pdf(x));
    g(lo) * below + g(hi.min(f64::MAX)) * above + inside
}

impl Network {
    /// Builds the network: peers from the `topology` stream, bandwidths from `bandwidth`,
    /// locations from `location`, all keyed by `env_key`; per-message draws keyed by
    /// `run_key` ("network").
    pub fn build(p: &NetworkParams, master: u64, env_key: u64, run_key: u64) -> Network {
        let n = p.nodes;
        let mut topo = stream(master, env_key, purpose::TOPOLOGY);
        let mut arcs: Vec<(u32, u32)> = Vec::with_capacity((n * p.peers * 2) as usize);
        let mut pool: Vec<u32> = Vec::with_capacity(n as usize);
        if p.links == Links::Exact {
            arcs = regular_arcs(n, p.peers, &mut topo);
        }
        for u in (0..n).filter(|_| p.links != Links::Exact) {
            // Partial Fisher-Yates over the other nodes: `peers` distinct picks.
            pool.clear();
            pool.extend((0..n).filter(|&v| v != u));
            for i in 0..p.peers as usize {
                let j = i + topo.next_int((pool.len() - i) as u32) as usize;
                pool.swap(i, j);
                arcs.push((u, pool[i]));
                if p.links == Links::Bidirectional {
                    arcs.push((pool[i], u));
                }
            }
        }
        let (off, adj) = csr(n, arcs);

        let mut bws = stream(master, env_key, purpose::BANDWIDTH);
        let normal = Normal::new(p.bandwidth_mean, p.bandwidth_sd).expect("validated sd");
        let ceiling = match p.bandwidth {
            Bandwidth::PerMessage => p.bandwidth_mean + DRAW_CEILING_SDS * p.bandwidth_sd,
            _ => f64::INFINITY,
        };
        let scale = match p.bandwidth_draw {
            BandwidthDraw::Clamped => 1.0,
            BandwidthDraw::MeanPreserving => {
                p.bandwidth_mean
                    / clamped_normal_expectation(
                        p.bandwidth_mean,
                        p.bandwidth_sd,
                        p.bandwidth_min,
                        ceiling.max(p.bandwidth_min),
                        |x| x,
                    )
            }
        };
        let node_scale = if p.bandwidth == Bandwidth::PerMessage {
            1.0
        } else {
            scale
        };
        let raw: Vec<f64> = (0..n).map(|_| normal.sample(&mut bws)).collect();
        let bw: Vec<f64> = raw
            .iter()
            .map(|x| x.max(p.bandwidth_min) * node_scale)
            .collect();
        let bw_z = raw
            .iter()
            .map(|x| {
                if p.bandwidth_sd > 0.0 {
                    (x - p.bandwidth_mean) / p.bandwidth_sd
                } else {
                    0.0
                }
            })
            .collect();
        let bw_sd = match p.bandwidth {
            Bandwidth::PerNodeJitter { cv } => bw.iter().map(|b| b * cv).collect(),
            _ => vec![0.0; n as usize],
        };

        let mut loc = stream(master, env_key, purpose::LOCATION);
        let city: Vec<u16> = match p.latency {
            Latency::Distance | Latency::Measured => (0..n)
                .map(|_| loc.random_range(0..cities().len() as u16))
                .collect(),
            _ => Vec::new(),
        };
        let mut lat = vec![0; (n * n) as usize];
        for u in 0..n as usize {
            for v in 0..n as usize {
                let l = match p.latency {
                    Latency::None => 0,
                    Latency::Constant => p.latency_constant_ns,
                    Latency::Distance => {
                        crate::time::ns_of_ms(distance_latency_ms(city[u].into(), city[v].into()))
                    }
                    Latency::Measured if city[u] == city[v] => p.latency_constant_ns,
                    Latency::Measured => {
                        crate::time::ns_of_ms(measured_latency_ms(city[u].into(), city[v].into()))
                    }
                };
                lat[u * n as usize + v] = l + p.processing_ns;
            }
        }
        Network {
            n,
            off,
            adj,
            bw,
            bw_sd,
            lat,
            city,
            model: p.bandwidth,
            mean: p.bandwidth_mean,
            sd: p.bandwidth_sd,
            min: p.bandwidth_min,
            scale: if p.bandwidth == Bandwidth::PerMessage {
                scale
            } else {
                1.0
            },
            draw_seed: crate::rng::stream_seed(master, run_key, purpose::NETWORK),
            bw_z,
            draw: p.bandwidth_draw,
            ..Network::default()
        }
        .with_derived_fields()
    }

    /// Changes the bandwidth's mean and standard deviation (a scenario's interval): every
    /// node keeps its draw's place in the distribution (the same number of standard
    /// deviations from the mean), clamped and rescaled as when the network was built, and
    /// per-message draws take the new mean and sd. Peers and latencies are unchanged.
    pub fn set_bandwidth(&mut self, mean: f64, sd: f64) {
        let ceiling = match self.model {
            Bandwidth::PerMessage => mean + DRAW_CEILING_SDS * sd,
            _ => f64::INFINITY,
        };
        let scale = match self.draw {
            BandwidthDraw::Clamped => 1.0,
            BandwidthDraw::MeanPreserving => {
                mean / clamped_normal_expectation(mean, sd, self.min, ceiling.max(self.min), |x| x)
            }
        };
        let per_message = self.model == Bandwidth::PerMessage;
        let node_scale = if per_message { 1.0 } else { scale };
        for (b, z) in self.bw.iter_mut().zip(&self.bw_z) {
            *b = (mean + sd * z).max(self.min) * node_scale;
        }
        if let Bandwidth::PerNodeJitter { cv } = self.model {
            for (s, b) in self.bw_sd.iter_mut().zip(&self.bw) {
                *s = b * cv;
            }
        }
        self.mean = mean;
        self.sd = sd;
        self.scale = if per_message { scale } else { 1.0 };
        self.bw_ceiling = self.ceilings();
    }

    /// Each node's bandwidth ceiling under the current bandwidths ([`bandwidth_ceilings`]).
    fn ceilings(&self) -> Vec<f64> {
        bandwidth_ceilings(
            self.model,
            &self.bw,
            &self.bw_sd,
            self.mean,
            self.sd,
            self.min,
            self.scale,
        )
    }

    /// Fills the fields gossip derives from the others: bandwidth ceilings, peer bit sets and
    /// latency bounds.
    fn with_derived_fields(mut self) -> Network {
        self.bw_ceiling = self.ceilings();
        self.peer_mask = peer_masks(self.n, &self.off, &self.adj);
        self.lat_bound = latency_bounds(self.n, &self.lat);
        self
    }

    /// Re-keys the per-message draws to the run key `run_key` (stream "network"), as
    /// [`Network::build`] keys them.
    pub fn rekey_draws(&mut self, master: u64, run_key: u64) {
        self.draw_seed = crate::rng::stream_seed(master, run_key, purpose::NETWORK);
    }

    /// Number of nodes.
    pub fn node_count(&self) -> u32 {
        self.n
    }

    /// The peers `u` sends to, ascending.
    #[inline]
    pub fn peers(&self, u: u32) -> &[u32] {
        &self.adj[self.off[u as usize] as usize..self.off[u as usize + 1] as usize]
    }

    /// Each node's own bandwidth (its distribution's mean under jitter), MB/s.
    pub fn node_bandwidths(&self) -> &[f64] {
        &self.bw
    }

    /// Each node's own bandwidth standard deviation, MB/s (0 unless jitter).
    pub fn node_bandwidth_sds(&self) -> &[f64] {
        &self.bw_sd
    }

    /// City index of each node (see [`cities`]); empty when the latency model has none.
    pub fn node_cities(&self) -> &[u16] {
        &self.city
    }

    /// Whether the model draws anything per message.
    pub fn is_static(&self) -> bool {
        self.model == Bandwidth::PerNode
    }

    /// Bandwidth of link `u -> v` for message `key`, MB/s.
    #[inline]
    pub fn link_bandwidth(&self, u: u32, v: u32, key: u64) -> f64 {
        self.link_bandwidth_seeded(u, v, self.message_seed(key))
    }

    /// The seed of message `key`'s draws (hoisted out of per-link loops).
    #[inline]
    fn message_seed(&self, key: u64) -> u64 {
        mix64(self.draw_seed ^ mix64(key))
    }

    #[inline(always)]
    fn link_bandwidth_seeded(&self, u: u32, v: u32, message_seed: u64) -> f64 {
        let k = message_seed ^ (u64::from(u) << 32 | u64::from(v));
        match self.model {
            Bandwidth::PerNode => self.bw[u as usize].min(self.bw[v as usize]),
            Bandwidth::PerNodeJitter { .. } => {
                let a = clamped_normal(
                    self.bw[u as usize],
                    self.bw_sd[u as usize],
                    self.min,
                    mix64(k),
                );
                let b = clamped_normal(
                    self.bw[v as usize],
                    self.bw_sd[v as usize],
                    self.min,
                    mix64(k ^ 0xA5A5_A5A5_A5A5_A5A5),
                );
                a.min(b)
            }
            Bandwidth::PerMessage => {
                clamped_normal(self.mean, self.sd, self.min, mix64(k)) * self.scale
            }
        }
    }

    /// The fewest, mean and most peers a node sends to (under two-way links, its degree).
    pub fn degree_stats(&self) -> (u32, f64, u32) {
        let deg = self.off.windows(2).map(|w| w[1] - w[0]);
        let (lo, hi) = deg
            .clone()
            .fold((u32::MAX, 0), |(a, b), d| (a.min(d), b.max(d)));
        let mean = self.adj.len() as f64 / f64::from(self.n.max(1));
        (if self.n == 0 { 0 } else { lo }, mean, hi)
    }

    /// What a transfer's bandwidth is on average over the links, and the mean transfer time
    /// of 1 MB, s/MB (the mean of 1 / bandwidth). Per message: exact moments of the clamped
    /// (and rescaled) Normal each message draws. Per node: over every link `u -> v`, of the
    /// slower end's bandwidth (under jitter, of the nodes' means).
    pub fn link_bandwidth_moments(&self) -> (f64, f64) {
        match self.model {
            Bandwidth::PerMessage => {
                let hi = (self.mean + DRAW_CEILING_SDS * self.sd).max(self.min);
                let m = clamped_normal_expectation(self.mean, self.sd, self.min, hi, |x| x);
                let inv = clamped_normal_expectation(self.mean, self.sd, self.min, hi, |x| 1.0 / x);
                (m * self.scale, inv / self.scale)
            }
            _ => {
                let (mut sum, mut inv) = (0.0, 0.0);
                for u in 0..self.n {
                    for &v in self.peers(u) {
                        let b = self.bw[u as usize].min(self.bw[v as usize]);
                        sum += b;
                        inv += 1.0 / b;
                    }
                }
                let k = self.adj.len().max(1) as f64;
                (sum / k, inv / k)
            }
        }
    }

    /// Transmission time (size over link bandwidth) of `size_mb` on `u -> v`, ns.
    #[inline]
    pub fn transmission_ns(&self, u: u32, v: u32, size_mb: f64, key: u64) -> Time {
        self.transmission_seeded(u, v, size_mb, self.message_seed(key))
    }

    #[inline(always)]
    fn transmission_seeded(&self, u: u32, v: u32, size_mb: f64, message_seed: u64) -> Time {
        round_ns((size_mb / self.link_bandwidth_seeded(u, v, message_seed)) * NS_PER_S_F64)
    }

    /// Latency plus processing on `u -> v`, ns.
    #[inline]
    pub fn latency_ns(&self, u: u32, v: u32) -> Time {
        self.lat[(u * self.n + v) as usize]
    }

    /// Total delay of one message on `u -> v`, ns (at least 1).
    #[inline]
    pub fn delay_ns(&self, u: u32, v: u32, size_mb: f64, key: u64) -> Time {
        (self.transmission_ns(u, v, size_mb, key) + self.latency_ns(u, v)).max(1)
    }

    /// Nodes reachable from `origin` over peer links (the origin included).
    pub fn reachable_from(&self, origin: u32) -> u32 {
        let mut seen = vec![false; self.n as usize];
        let mut stack = vec![origin];
        seen[origin as usize] = true;
        let mut count = 1;
        while let Some(u) = stack.pop() {
            for &v in self.peers(u) {
                if !seen[v as usize] {
                    seen[v as usize] = true;
                    count += 1;
                    stack.push(v);
                }
            }
        }
        count
    }

    /// Whether every node reaches every other over peer links.
    pub fn strongly_connected(&self) -> bool {
        (0..self.n).all(|u| self.reachable_from(u) == self.n)
    }

    /// Nodes that receive from no one (no incoming peer link).
    pub fn nodes_without_in_links(&self) -> u32 {
        let mut has_in = vec![false; self.n as usize];
        for &v in &self.adj {
            has_in[v as usize] = true;
        }
        has_in.iter().filter(|&&h| !h).count() as u32
    }

    /// Total directed links.
    pub fn link_count(&self) -> usize {
        self.adj.len()
    }

    /// Index of `u`'s first arc in CSR order; `u`'s arcs are `arc_base(u) ..
    /// arc_base(u) + peers(u).len()`, in the order of [`Network::peers`].
    #[inline]
    pub fn arc_base(&self, u: u32) -> usize {
        self.off[u as usize] as usize
    }

    /// The CSR index of arc `u -> v`, if `v` is a peer of `u`.
    pub fn arc(&self, u: u32, v: u32) -> Option<usize> {
        self.peers(u)
            .binary_search(&v)
            .ok()
            .map(|i| self.arc_base(u) + i)
    }

    /// The links as unordered pairs `(u, v)`, `u < v`, ascending (either direction counts).
    pub fn edges(&self) -> Vec<(u32, u32)> {
        let mut e: Vec<(u32, u32)> = (0..self.n)
            .flat_map(|u| self.peers(u).iter().map(move |&v| (u.min(v), u.max(v))))
            .collect();
        e.sort_unstable();
        e.dedup();
        e
    }

    /// A network over a subset of `template`'s nodes with given links and bandwidths: the
    /// model a digital twin rebuilds. `keep[i]` is the template node that becomes node `i`
    /// (ascending); `edges` are two-way links between new ids; `bw` and `bw_sd` are the new
    /// nodes' bandwidth distributions. Latency, the bandwidth model and the per-message draw
    /// seed are the template's (a twin is not told latency; see the twin module). With every
    /// node kept, the same links and the same bandwidths, the result equals the template.
    pub fn from_parts(
        template: &Network,
        keep: &[u32],
        edges: &[(u32, u32)],
        bw: Vec<f64>,
        bw_sd: Vec<f64>,
    ) -> Network {
        let n = keep.len() as u32;
        assert_eq!(bw.len(), keep.len(), "one bandwidth per kept node");
        assert_eq!(bw_sd.len(), keep.len(), "one bandwidth sd per kept node");
        let arcs: Vec<(u32, u32)> = edges.iter().flat_map(|&(u, v)| [(u, v), (v, u)]).collect();
        let (off, adj) = csr(n, arcs);
        let tn = template.n as usize;
        let mut lat = Vec::with_capacity(keep.len() * keep.len());
        for &u in keep {
            for &v in keep {
                lat.push(template.lat[u as usize * tn + v as usize]);
            }
        }
        let city = if template.city.is_empty() {
            Vec::new()
        } else {
            keep.iter().map(|&u| template.city[u as usize]).collect()
        };
        // A kept node with its template bandwidth keeps its draw's place; another sits at its
        // bandwidth's place in the template's distribution (see `set_bandwidth`).
        let bw_z = keep
            .iter()
            .zip(&bw)
            .map(|(&u, &b)| match template.bw_z.get(u as usize) {
                Some(&z) if template.bw[u as usize] == b => z,
                _ if template.sd > 0.0 => (b - template.mean) / template.sd,
                _ => 0.0,
            })
            .collect();
        Network {
            n,
            off,
            adj,
            bw,
            bw_sd,
            lat,
            city,
            bw_z,
            draw: template.draw,
            model: template.model,
            mean: template.mean,
            sd: template.sd,
            min: template.min,
            scale: template.scale,
            draw_seed: template.draw_seed,
            ..Network::default()
        }
        .with_derived_fields()
    }
}

/// Directed arcs to CSR (offsets, targets), duplicates merged, targets ascending.
/// The arcs (both directions) of a random `d`-regular graph on `n` nodes. `n * d` must be even
/// and `d < n`. Up to three quarters of `n - 1` links a node, the ends are paired directly
/// ([`paired_arcs`]); a denser graph is the complement of a random `(n - 1 - d)`-regular one,
/// drawn alike (complementing is a bijection between the two sets of graphs, so it keeps
/// their distribution). Pairing a dense graph directly fails ever more often as `d` nears
/// `n - 1`: at 200 nodes and 180 peers it did not finish in 20 s, while 150 took 0.05 s.
/// Graphs up to the threshold are those earlier versions drew.
fn regular_arcs(n: u32, d: u32, rng: &mut Stream) -> Vec<(u32, u32)> {
    assert!(
        (n * d).is_multiple_of(2) && d < n,
        "validated: n * d even, d < n"
    );
    if 4 * u64::from(d) <= 3 * u64::from(n - 1) {
        return paired_arcs(n, d, rng);
    }
    let nu = n as usize;
    let mut linked = vec![false; nu * nu];
    for (a, b) in paired_arcs(n, n - 1 - d, rng) {
        linked[a as usize * nu + b as usize] = true;
    }
    let mut arcs = Vec::with_capacity(nu * d as usize);
    for a in 0..n {
        for b in (0..n).filter(|&b| b != a && !linked[a as usize * nu + b as usize]) {
            arcs.push((a, b));
        }
    }
    arcs
}

/// The arcs (both directions) of a random `d`-regular graph on `n` nodes, `d` at most three
/// quarters of `n - 1`: link ends are paired at random, a pair that would make a loop or repeat a link is
/// drawn again, and when no allowed pair is left the pairing starts over (Steger and
/// Wormald's algorithm).
fn paired_arcs(n: u32, d: u32, rng: &mut Stream) -> Vec<(u32, u32)> {
    let nu = n as usize;
    let mut linked = vec![false; nu * nu];
    let mut ends: Vec<u32> = Vec::with_capacity(nu * d as usize);
    let mut arcs = Vec::with_capacity(nu * d as usize);
    // Restarts are rare (at most 139 in 20 seeds of every n < 80 up to the 3/4 threshold, at
    // 49 nodes and 36 peers); a hard bound makes the loop end whatever happens, as a failed
    // run (the runner turns the panic into a row with its message).
    const MAX_RESTARTS: u32 = 100_000;
    let mut restarts = 0;
    'restart: loop {
        assert!(
            restarts < MAX_RESTARTS,
            "no random {d}-regular graph on {n} nodes after {MAX_RESTARTS} pairings (links = \"exact\")"
        );
        restarts += 1;
        linked.fill(false);
        arcs.clear();
        ends.clear();
        ends.extend((0..n).flat_map(|u| std::iter::repeat_n(u, d as usize)));
        while !ends.is_empty() {
            let len = ends.len() as u32;
            let allowed = |i: usize, j: usize| {
                let (a, b) = (ends[i] as usize, ends[j] as usize);
                a != b && !linked[a * nu + b]
            };
            let mut pick = None;
            for _ in 0..64 {
                let (i, j) = (rng.next_int(len) as usize, rng.next_int(len) as usize);
                if allowed(i, j) {
                    pick = Some((i, j));
                    break;
                }
            }
            if pick.is_none() {
                // Few ends left: choose among the allowed pairs, or start over if none is.
                let pairs: Vec<(usize, usize)> = (0..ends.len())
                    .flat_map(|i| (i + 1..ends.len()).map(move |j| (i, j)))
                    .filter(|&(i, j)| allowed(i, j))
                    .collect();
                if pairs.is_empty() {
                    continue 'restart;
                }
                pick = Some(pairs[rng.next_int(pairs.len() as u32) as usize]);
            }
            let (i, j) = pick.expect("set above");
            let (a, b) = (ends[i], ends[j]);
            linked[a as usize * nu + b as usize] = true;
            linked[b as usize * nu + a as usize] = true;
            arcs.push((a, b));
            arcs.push((b, a));
            let (hi, lo) = (i.max(j), i.min(j));
            ends.swap_remove(hi);
            ends.swap_remove(lo);
        }
        return arcs;
    }
}

fn csr(n: u32, mut arcs: Vec<(u32, u32)>) -> (Vec<u32>, Vec<u32>) {
    arcs.sort_unstable();
    arcs.dedup();
    let mut off = vec![0u32; n as usize + 1];
    for &(u, _) in &arcs {
        off[u as usize + 1] += 1;
    }
    for i in 0..n as usize {
        off[i + 1] += off[i];
    }
    (off, arcs.into_iter().map(|(_, v)| v).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(links: Links, bandwidth: Bandwidth, latency: Latency) -> NetworkParams {
        NetworkParams {
            nodes: 40,
            peers: 4,
            links,
            bandwidth,
            bandwidth_mean: 10.0,
            bandwidth_sd: 2.0,
            bandwidth_min: 1.0,
            bandwidth_draw: crate::network::BandwidthDraw::Clamped,
            latency,
            latency_constant_ns: 5_000_000,
            processing_ns: 0,
            dissemination: Dissemination::Gossip,
        }
    }

    #[test]
    fn exact_links_give_every_node_exactly_peers_distinct_two_way_links() {
        for (n, d) in [
            (10, 5),
            (50, 5),
            (50, 10),
            (32, 16),
            (9, 8),
            (12, 11),
            (7, 2),
            (200, 180),
            (200, 150),
            (1024, 1000),
        ] {
            for seed in 0..5 {
                let mut p = params(Links::Exact, Bandwidth::PerNode, Latency::None);
                p.nodes = n;
                p.peers = d;
                let net = Network::build(&p, seed, 3, 4);
                assert_eq!(net.degree_stats(), (d, f64::from(d), d), "n {n} d {d}");
                for u in 0..n {
                    assert!(!net.peers(u).contains(&u), "no loops");
                    for &v in net.peers(u) {
                        assert!(net.peers(v).contains(&u), "two-way");
                    }
                }
                assert_eq!(net, Network::build(&p, seed, 3, 4), "reproducible");
            }
        }
        // Different environments give different graphs.
        let mut p = params(Links::Exact, Bandwidth::PerNode, Latency::None);
        p.nodes = 50;
        p.peers = 10;
        assert_ne!(
            Network::build(&p, 1, 3, 4).edges(),
            Network::build(&p, 1, 5, 4).edges()
        );
        // Two-way picks give more: 2d - d^2 / (n - 1) expected (17.96 at n = 50, d = 10).
        p.links = Links::Bidirectional;
        let mean: f64 = (0..40)
            .map(|e| Network::build(&p, 1, e, 4).degree_stats().1)
            .sum::<f64>()
            / 40.0;
        assert!((mean - (20.0 - 100.0 / 49.0)).abs() < 0.15, "{mean}");
    }

    #[test]
    fn link_bandwidth_moments_match_the_draws_and_mean_preserving_keeps_the_mean() {
        // Paper B's low-bandwidth cell: Normal(2, sd) clamped at 1 MB/s, per message.
        for sd in [0.1, 0.5, 1.0, 2.0] {
            for draw in [BandwidthDraw::Clamped, BandwidthDraw::MeanPreserving] {
                let mut p = params(Links::Bidirectional, Bandwidth::PerMessage, Latency::None);
                p.bandwidth_mean = 2.0;
                p.bandwidth_sd = sd;
                p.bandwidth_draw = draw;
                let net = Network::build(&p, 7, 8, 9);
                let (mean, inv) = net.link_bandwidth_moments();
                // The moments against the draws themselves (200 000 messages on one link).
                let k = 200_000;
                let draws: Vec<f64> = (0..k).map(|key| net.link_bandwidth(0, 1, key)).collect();
                let m = draws.iter().sum::<f64>() / k as f64;
                let var = draws.iter().map(|x| (x - m).powi(2)).sum::<f64>() / k as f64;
                let se = (var / k as f64).sqrt();
                assert!(
                    (m - mean).abs() < 4.0 * se + 1e-12,
                    "sd {sd} {draw:?}: {m} vs {mean}"
                );
                let mi = draws.iter().map(|x| 1.0 / x).sum::<f64>() / k as f64;
                assert!(
                    (mi - inv).abs() < 0.01 * inv,
                    "sd {sd} {draw:?}: {mi} vs {inv}"
                );
                match draw {
                    BandwidthDraw::MeanPreserving => assert!((mean - 2.0).abs() < 1e-9),
                    // The clamp raises the mean: by 0.40 MB/s at sd 2
                    // (E[max(X, 1)] = 1 + 1 Phi(0.5) + 2 phi(0.5) = 2.3957).
                    BandwidthDraw::Clamped if sd == 2.0 => assert!((mean - 2.3957).abs() < 1e-3),
                    BandwidthDraw::Clamped => assert!(mean >= 2.0 - 1e-9),
                }
            }
        }
        // Per node: the slower end over the links, and the rescale moves the node draws.
        let mut p = params(Links::Bidirectional, Bandwidth::PerNode, Latency::None);
        p.bandwidth_mean = 2.0;
        p.bandwidth_sd = 2.0;
        let clamped = Network::build(&p, 1, 2, 3);
        p.bandwidth_draw = BandwidthDraw::MeanPreserving;
        let kept = Network::build(&p, 1, 2, 3);
        let ratio = kept.node_bandwidths()[0] / clamped.node_bandwidths()[0];
        assert!((ratio - 2.0 / 2.3957).abs() < 1e-3, "{ratio}");
        let (m, _) = clamped.link_bandwidth_moments();
        let mut slow = 0.0;
        for u in 0..40 {
            for &v in clamped.peers(u) {
                slow += clamped.node_bandwidths()[u as usize]
                    .min(clamped.node_bandwidths()[v as usize]);
            }
        }
        assert!((m - slow / clamped.edges().len() as f64 / 2.0).abs() < 1e-9);
    }

    #[test]
    fn round_ns_equals_round() {
        let mut x = 0.0f64;
        let mut rng = SplitMix64::seed_from_u64(3);
        for _ in 0..200_000 {
            let r = x + rng.random::<f64>();
            for y in [x, x + 0.5, (x + 0.5).next_down(), (x + 0.5).next_up(), r] {
                assert_eq!(round_ns(y), y.round() as Time, "{y}");
            }
            x = (rng.random::<f64>() * 10f64.powi(rng.random_range(0..16))).floor();
        }
        for y in [
            0.0,
            0.49999999999999994,
            0.5,
            2.5,
            9.1e15 + 0.5,
            4_503_599_627_370_495.5,
            4_503_599_627_370_494.5,
            4_503_599_627_370_496.0,
            4_503_599_627_370_497.0,
            1.5,
            3.5,
            (1u64 << 40) as f64 + 0.5,
        ] {
            assert_eq!(round_ns(y), y.round() as Time, "{y}");
        }
        // Past the cap, the cap: a sum with any time of a run cannot wrap.
        for y in [4.7e18, 1e300, f64::INFINITY] {
            assert_eq!(round_ns(y), DELAY_CAP_NS, "{y}");
        }
        assert_eq!(round_ns(4.6e18), 4.6e18 as Time);
    }

    #[test]
    fn sbs_tables_and_distance_formula() {
        assert_eq!(cities().len(), 62);
        let z = cities().iter().position(|c| c == "Zurich").unwrap();
        let p = cities().iter().position(|c| c == "Paris").unwrap();
        // 489 km: (0.022 * 489 * 0.621371 + 4.862) / 2 ms.
        let want = (0.022 * 489.0 * 0.621371 + 4.862) / 2.0;
        assert!((distance_latency_ms(z, p) - want).abs() < 1e-12);
        assert!((distance_latency_ms(z, z) - 2.431).abs() < 1e-12);
        assert_eq!(measured_latency_ms(z, p), 14.365);
        assert!(measured_latency_ms(p, z) != measured_latency_ms(z, p));
    }

    #[test]
    fn peers_are_distinct_and_links_two_way() {
        let net = Network::build(
            &params(Links::Bidirectional, Bandwidth::PerNode, Latency::None),
            1,
            2,
            3,
        );
        for u in 0..40 {
            let p = net.peers(u);
            assert!(p.len() >= 4 && !p.contains(&u));
            assert!(p.windows(2).all(|w| w[0] < w[1]));
            for &v in p {
                assert!(net.peers(v).contains(&u));
            }
        }
        let d = Network::build(
            &params(Links::Directed, Bandwidth::PerNode, Latency::None),
            1,
            2,
            3,
        );
        assert!((0..40).all(|u| d.peers(u).len() == 4));
    }

    #[test]
    fn gossip_arrivals_equal_the_per_edge_event_simulation() {
        for (i, (links, bw, lat)) in [
            (Links::Bidirectional, Bandwidth::PerNode, Latency::Distance),
            (Links::Directed, Bandwidth::PerNode, Latency::Measured),
            (
                Links::Bidirectional,
                Bandwidth::PerMessage,
                Latency::Distance,
            ),
            (
                Links::Directed,
                Bandwidth::PerNodeJitter { cv: 0.1 },
                Latency::Constant,
            ),
            (Links::Bidirectional, Bandwidth::PerNode, Latency::None),
        ]
        .into_iter()
        .enumerate()
        {
            // 40 nodes: the bit-set search; 100: the array scan; 200: the heap.
            for nodes in [40, 100, 200] {
                let mut p = params(links, bw, lat);
                p.nodes = nodes;
                let net = Network::build(&p, 7, i as u64, 9);
                let mut s = GossipScratch::default();
                for origin in [0, 17, 39] {
                    // Some nodes dead for a while, to exercise the alive filter.
                    let alive = |v: u32, t: Time| !(v % 7 == 3 && t < 150_000_000);
                    let spread = net.gossip(origin, 1000, 1.05, origin as u64, alive, &mut s);
                    let (want, sent) =
                        reference_gossip(&net, origin, 1000, 1.05, origin as u64, alive);
                    assert_eq!(s.arrival, want, "case {i} n {nodes} origin {origin}");
                    let reached = want.iter().filter(|&&a| a != Time::MAX).count() as u32 - 1;
                    assert_eq!(spread.reached, reached);
                    // Every copy the per-edge simulation sends, duplicates included (on
                    // directed links a relay's sender need not be among its peers).
                    assert_eq!(
                        spread.transmissions, sent,
                        "case {i} n {nodes} origin {origin}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_u32_pruning_test_stays_exact_past_its_caps() {
        // Latencies beyond the 2^30 ns cap, transmissions of seconds and arrivals more than
        // 2^32 ns after the origin: the capped and saturated bounds must still let every copy
        // that can arrive first through.
        for (i, bw) in [Bandwidth::PerMessage, Bandwidth::PerNode]
            .into_iter()
            .enumerate()
        {
            let mut p = params(Links::Bidirectional, bw, Latency::Constant);
            p.peers = 2;
            p.bandwidth_mean = 0.5;
            p.bandwidth_sd = 0.2;
            p.bandwidth_min = 0.1;
            p.latency_constant_ns = 1_500_000_000;
            let net = Network::build(&p, 11, i as u64, 3);
            let mut s = GossipScratch::default();
            let t0 = 5_000_000_000_000;
            for origin in [0, 21] {
                let alive = |_: u32, _: Time| true;
                net.gossip(origin, t0, 1.05, 4, alive, &mut s);
                let (want, _) = reference_gossip(&net, origin, t0, 1.05, 4, alive);
                assert_eq!(s.arrival, want, "case {i} origin {origin}");
                let last = want.iter().filter(|&&a| a != Time::MAX).max().unwrap();
                assert!(
                    last - t0 > u64::from(u32::MAX),
                    "case {i}: span {}",
                    last - t0
                );
            }
        }
    }

    #[test]
    fn no_link_is_faster_than_either_end_s_ceiling() {
        for (i, bw) in [
            Bandwidth::PerNode,
            Bandwidth::PerMessage,
            Bandwidth::PerNodeJitter { cv: 0.3 },
        ]
        .into_iter()
        .enumerate()
        {
            let mut p = params(Links::Bidirectional, bw, Latency::Distance);
            // A wide spread, so that draws reach far into the tails.
            p.bandwidth_sd = p.bandwidth_mean;
            let net = Network::build(&p, 11, i as u64, 5);
            for key in 0..2000u64 {
                let u = (key % u64::from(net.n)) as u32;
                for &v in net.peers(u) {
                    let b = net.link_bandwidth(u, v, key);
                    let ceiling = net.bw_ceiling[u as usize].min(net.bw_ceiling[v as usize]);
                    assert!(
                        b <= ceiling && b >= p.bandwidth_min,
                        "{bw:?}: {b} > {ceiling}"
                    );
                }
            }
        }
    }

    #[test]
    fn two_way_gossip_sends_degree_minus_one_per_relay() {
        let net = Network::build(
            &params(Links::Bidirectional, Bandwidth::PerNode, Latency::Distance),
            3,
            4,
            5,
        );
        assert!(net.strongly_connected());
        let mut s = GossipScratch::default();
        let spread = net.gossip(5, 0, 1.0, 1, |_, _| true, &mut s);
        let want: u64 = (0..40)
            .map(|u| net.peers(u).len() as u64 - u64::from(u != 5))
            .sum();
        assert_eq!(spread.transmissions, want);
        assert_eq!(spread.reached, 39);
    }

    #[test]
    fn per_node_link_bandwidth_is_the_slower_end() {
        let net = Network::build(
            &params(Links::Bidirectional, Bandwidth::PerNode, Latency::None),
            1,
            1,
            1,
        );
        let b = net.node_bandwidths();
        assert_eq!(net.link_bandwidth(2, 9, 0), b[2].min(b[9]));
        assert!(b.iter().all(|&x| x >= 1.0));
        // 1 MB over min(b2, b9) MB/s, in ns.
        let want = (1.0 / b[2].min(b[9]) * 1e9).round() as u64;
        assert_eq!(net.delay_ns(2, 9, 1.0, 0), want);
    }
}

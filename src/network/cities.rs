//! SymBChainSim's city tables (MIT licence, notice in `sbs_data/LICENSE`), compiled in: the
//! 62 cities peers are placed in, their distances and their measured latencies.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The cities, and row-major city-by-city tables of distances (km) and measured mean one-way
/// latencies (ms), parsed once.
pub(super) fn sbs_tables() -> &'static (Vec<String>, Vec<f64>, Vec<f64>) {
    static T: OnceLock<(Vec<String>, Vec<f64>, Vec<f64>)> = OnceLock::new();
    T.get_or_init(|| {
        let dist: BTreeMap<String, BTreeMap<String, f64>> =
            serde_json::from_str(include_str!("sbs_data/distance_map.json"))
                .expect("embedded distance_map.json parses");
        let lat: BTreeMap<String, BTreeMap<String, (f64, f64)>> =
            serde_json::from_str(include_str!("sbs_data/latency_map.json"))
                .expect("embedded latency_map.json parses");
        let cities: Vec<String> = dist.keys().cloned().collect();
        let mut km = Vec::with_capacity(cities.len() * cities.len());
        let mut ms = Vec::with_capacity(cities.len() * cities.len());
        for a in &cities {
            for b in &cities {
                km.push(dist[a][b]);
                ms.push(lat[a][b].0);
            }
        }
        (cities, km, ms)
    })
}

/// The 62 SymBChainSim cities, in the (alphabetical) order used for locations.
pub fn cities() -> &'static [String] {
    &sbs_tables().0
}

/// One-way latency in ms between two cities under paper B's distance fit.
pub fn distance_latency_ms(a: usize, b: usize) -> f64 {
    let (c, km, _) = sbs_tables();
    let miles = km[a * c.len() + b] * 0.621371;
    (0.022 * miles + 4.862) / 2.0
}

/// SymBChainSim's measured mean one-way latency in ms from city `a` to city `b`.
pub fn measured_latency_ms(a: usize, b: usize) -> f64 {
    let (c, _, ms) = sbs_tables();
    ms[a * c.len() + b]
}

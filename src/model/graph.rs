//! The graph behind `chainlab graph`: the propagation family's graph parameters, given as text
//! the way an experiment file gives them, read, checked and resolved through that family's
//! schema (so they accept and refuse what an experiment file does), and the graph generated
//! with its edge weights. The CLI writes it; this module names the family so that no file
//! outside `src/model/` has to.

use super::propagation::{self, PARAMS, TopologyKind, key};
use crate::graph::{Graph, generate};
use crate::propagation::{GraphRng, draw_weights};
use crate::rng::{JavaRandom, purpose, stream};
use crate::schema::param::{Choice, Value};

/// The parameters `chainlab graph` takes, in its options' order.
pub const KEYS: [&str; 7] = [
    key::topology,
    key::nodes,
    key::k,
    key::beta,
    key::rng,
    key::delay_min,
    key::delay_max,
];

/// The generator names (`topology`).
pub fn topology_names() -> &'static [&'static str] {
    TopologyKind::NAMES
}

/// The random sources of a generator (`rng`): `engine`, or `peersim` (PeerSim's
/// `java.util.Random`).
pub fn rng_names() -> &'static [&'static str] {
    GraphRng::NAMES
}

/// Why a graph was refused: the key, the text given for it (when the text itself was refused;
/// `None` when a combination was), and what is allowed.
#[derive(Debug)]
pub struct Refusal {
    /// The key blamed.
    pub key: &'static str,
    /// The value as given, when it is the value that was refused.
    pub text: Option<String>,
    /// What is allowed.
    pub allowed: String,
}

/// A generated graph, its weights and what describes it.
pub struct Export {
    /// The graph.
    pub graph: Graph,
    /// Each edge's weight (delay, ms), in edge order.
    pub weights: Vec<u32>,
    /// Its generator's name.
    pub topology: &'static str,
    /// Nodes.
    pub nodes: u32,
    /// What generated it (the Parquet file's metadata).
    pub provenance: String,
}

/// The graph of the parameters `given` (key of [`KEYS`], value as text; the others at their
/// defaults) for `seed`: the engine's streams for (seed, 0, "topology") and (seed, 0,
/// "weights"), or `new java.util.Random(seed)` as PeerSim's `random.seed` for the graph under
/// `rng = "peersim"`. A refusal names the key and what is allowed.
pub fn export(given: &[(&'static str, &str)], seed: u64) -> Result<Export, Refusal> {
    let mut values: Vec<Value> = PARAMS.iter().map(|d| d.default_value()).collect();
    for &(key, text) in given {
        let Some(i) = PARAMS.iter().position(|d| d.key == key) else {
            return Err(Refusal {
                key,
                text: None,
                allowed: format!("one of {}", KEYS.join(", ")),
            });
        };
        values[i] = PARAMS[i].parse_arg(text).map_err(|allowed| Refusal {
            key,
            text: Some(text.to_string()),
            allowed,
        })?;
    }
    let p = propagation::resolve(&values).map_err(|e| Refusal {
        key: e.key,
        text: None,
        allowed: e.allowed,
    })?;
    let graph = match p.graph_rng {
        GraphRng::Engine => generate(p.topology, p.nodes, &mut stream(seed, 0, purpose::TOPOLOGY)),
        GraphRng::PeerSim => generate(p.topology, p.nodes, &mut JavaRandom::new(seed as i64)),
    };
    let weights = draw_weights(
        graph.edge_count(),
        p.delay_min_ms,
        p.delay_max_ms,
        &mut stream(seed, 0, purpose::WEIGHTS),
    );
    Ok(Export {
        provenance: format!(
            "{:?} n={} seed={seed} rng={:?}",
            p.topology, p.nodes, p.graph_rng
        ),
        topology: p.topology.name(),
        nodes: p.nodes,
        graph,
        weights,
    })
}

//! The model registry: each model family's parameters, how they resolve into the core's typed
//! configuration, its metric columns, and how one run turns into a row.
//!
//! This is the one place that knows both the spec vocabulary (keys, units, defaults) and the
//! simulation cores. Adding a model means adding a variant here; the spec parser, runner and
//! writer are generic over it.

use crate::graph::Topology;
use crate::graph::mst::{MAX_NODES, MAX_WEIGHT};
use crate::output::schema::{Cell, ColumnType as T, MetricDef};
use crate::propagation::{
    self, GraphRng, PropagationParams, Protocol, RunSeeds, Simulator, WeightMode,
};
use crate::spec::param::{Kind, ParamDef, ParamError, Value};

/// A model family, selected by the `model` key of an experiment file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Model {
    /// Broadcast of one item over a random graph: gossip, flood, OPPI, SPT
    /// (`../shared/papers/oppi-optimal-propagation-path.txt`, Section 6).
    Propagation,
}

/// A run's typed configuration.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ModelParams {
    /// For [`Model::Propagation`].
    Propagation(PropagationParams),
}

/// The outcome of one successful run: its metric cells and the events processed.
#[derive(Clone, Debug, PartialEq)]
pub struct RunOutput {
    /// One cell per metric column, in [`Model::metrics`] order.
    pub metrics: Vec<Cell>,
    /// Events the discrete-event core processed.
    pub events: u64,
}

/// Reusable per-thread simulation state.
#[derive(Default)]
pub struct Workspace {
    propagation: Simulator,
}

/// Version of each model's semantics; part of the plan hash, so that results of an older
/// engine are never mixed with newer ones in one directory.
const PROPAGATION_VERSION: &str = "propagation-v1";

const TOPOLOGIES: &[&str] = &["kout", "ws", "ba", "er", "random_peers"];

static PROPAGATION_PARAMS: &[ParamDef] = &[
    ParamDef {
        key: "topology",
        column: "topology",
        kind: Kind::Choice(TOPOLOGIES),
        default: "kout",
        environment: true,
        doc: "graph generator: kout (PeerSim WireKOut, the paper's random graph), ws (Watts-Strogatz), ba (Barabási-Albert), er (G(n, m) with m = n*k), random_peers",
    },
    ParamDef {
        key: "nodes",
        column: "nodes",
        kind: Kind::Int {
            min: 2,
            max: MAX_NODES as i64,
        },
        default: "1000",
        environment: true,
        doc: "number of nodes n",
    },
    ParamDef {
        key: "k",
        column: "k",
        kind: Kind::Int {
            min: 1,
            max: MAX_NODES as i64 - 1,
        },
        default: "8",
        environment: true,
        doc: "links each node starts (PeerSim's k; the mean degree is about 2k)",
    },
    ParamDef {
        key: "beta",
        column: "beta",
        kind: Kind::Float { min: 0.0, max: 1.0 },
        default: "0.8",
        environment: true,
        doc: "Watts-Strogatz rewiring probability (used by ws only)",
    },
    ParamDef {
        key: "rng",
        column: "graph_rng",
        kind: Kind::Choice(&["engine", "peersim"]),
        default: "engine",
        environment: true,
        doc: "random source of the generator: the engine's stream, or a java.util.Random port seeded from it (PeerSim-exact)",
    },
    ParamDef {
        key: "delay_min",
        column: "delay_min_ms",
        kind: Kind::DurationMs {
            min: 0,
            max: MAX_WEIGHT as i64,
        },
        default: "1 ms",
        environment: true,
        doc: "smallest link delay",
    },
    ParamDef {
        key: "delay_max",
        column: "delay_max_ms",
        kind: Kind::DurationMs {
            min: 0,
            max: MAX_WEIGHT as i64,
        },
        default: "100 ms",
        environment: true,
        doc: "largest link delay (inclusive); delays are uniform integers in [delay_min, delay_max]",
    },
    ParamDef {
        key: "weights",
        column: "weights",
        kind: Kind::Choice(&["per_edge", "per_message"]),
        default: "per_edge",
        environment: false,
        doc: "per_edge: one delay per edge per run; per_message: a fresh delay per transmission (trees still use per-edge weights)",
    },
    ParamDef {
        key: "protocol",
        column: "protocol",
        kind: Kind::Choice(&["gossip", "flood", "oppi", "spt"]),
        default: "oppi",
        environment: false,
        doc: "gossip (periodic push), flood (forward once to all but the sender), oppi (along the MST), spt (along the source's shortest-path tree)",
    },
    ParamDef {
        key: "gossip_period",
        column: "gossip_period_ms",
        kind: Kind::DurationMs {
            min: 1,
            max: 1 << 40,
        },
        default: "100 ms",
        environment: false,
        doc: "gossip: time between a node's pushes (P)",
    },
    ParamDef {
        key: "gossip_fanout",
        column: "gossip_fanout",
        kind: Kind::Int {
            min: 1,
            max: 1 << 20,
        },
        default: "1",
        environment: false,
        doc: "gossip: neighbours per push, drawn with replacement (f)",
    },
    ParamDef {
        key: "gossip_pushes",
        column: "gossip_pushes",
        kind: Kind::Int {
            min: 1,
            max: 1 << 20,
        },
        default: "100",
        environment: false,
        doc: "gossip: pushes per informed node (R)",
    },
    ParamDef {
        key: "block_rate",
        column: "block_rate_per_s",
        kind: Kind::RatePerS {
            min: 0.0,
            max: 1000.0,
        },
        default: "1 per 600 s",
        environment: false,
        doc: "network-wide block rate for the fork probability",
    },
];

static PROPAGATION_METRICS: &[MetricDef] = &[
    MetricDef {
        name: "edges",
        ty: T::U64,
        unit: "",
        doc: "Undirected edges of the realised graph (duplicates merged).",
    },
    MetricDef {
        name: "mean_degree",
        ty: T::F64,
        unit: "",
        doc: "Mean degree 2m/n of the realised graph.",
    },
    MetricDef {
        name: "min_degree",
        ty: T::U32,
        unit: "",
        doc: "Smallest degree.",
    },
    MetricDef {
        name: "max_degree",
        ty: T::U32,
        unit: "",
        doc: "Largest degree.",
    },
    MetricDef {
        name: "connected",
        ty: T::Bool,
        unit: "",
        doc: "Whether the graph is connected.",
    },
    MetricDef {
        name: "source",
        ty: T::U32,
        unit: "",
        doc: "The node that starts with the item (uniform).",
    },
    MetricDef {
        name: "msgs",
        ty: T::U64,
        unit: "",
        doc: "Transmissions of the item over an edge (the paper's message count, Figs 7-11).",
    },
    MetricDef {
        name: "duplicates",
        ty: T::U64,
        unit: "",
        doc: "Transmissions beyond the first copy each node needs: msgs - (informed - 1).",
    },
    MetricDef {
        name: "informed",
        ty: T::U32,
        unit: "",
        doc: "Nodes holding the item at the end, the source included.",
    },
    MetricDef {
        name: "coverage",
        ty: T::F64,
        unit: "",
        doc: "informed / n.",
    },
    MetricDef {
        name: "delay_total_ms",
        ty: T::U64,
        unit: "ms",
        doc: "Sum of the delays of all transmissions (the paper's propagation delay, Figs 12-16); W(MST) for OPPI.",
    },
    MetricDef {
        name: "makespan_ms",
        ty: T::U64,
        unit: "ms",
        doc: "Latest first arrival among informed nodes: the real broadcast latency.",
    },
    MetricDef {
        name: "mean_arrival_ms",
        ty: T::F64,
        unit: "ms",
        doc: "(1/n) sum over nodes of min(arrival, H), source 0, H the last event's time: the integral of 1 - f(t).",
    },
    MetricDef {
        name: "tree_weight_ms",
        ty: T::U64,
        unit: "ms",
        doc: "Sum of the first-arrival transmissions' delays (W(MST) for oppi, W(SPT) for flood).",
    },
    MetricDef {
        name: "tree_depth_hops",
        ty: T::U32,
        unit: "hops",
        doc: "Largest hop count of a first arrival.",
    },
    MetricDef {
        name: "mst_weight_ms",
        ty: T::U64,
        unit: "ms",
        doc: "Weight of the minimum spanning forest of the graph (reference).",
    },
    MetricDef {
        name: "spt_weight_ms",
        ty: T::U64,
        unit: "ms",
        doc: "Weight of the source's shortest-path tree (reference).",
    },
    MetricDef {
        name: "mst_construct_phases",
        ty: T::U32,
        unit: "",
        doc: "Phases of a synchronous distributed Borůvka build of the MST.",
    },
    MetricDef {
        name: "mst_construct_msgs_naive",
        ty: T::U64,
        unit: "",
        doc: "Messages of that build, naive accounting (2m per phase for fragment ids).",
    },
    MetricDef {
        name: "mst_construct_msgs_ghs",
        ty: T::U64,
        unit: "",
        doc: "Messages of that build, GHS-style accounting (one test+reject per internal edge).",
    },
    MetricDef {
        name: "fork_probability",
        ty: T::F64,
        unit: "",
        doc: "1 - (1 - P_b)^I with P_b = block_rate per ms and I = mean_arrival_ms (Decker-Wattenhofer).",
    },
];

impl Model {
    /// Every model, in listing order.
    pub const ALL: &'static [Model] = &[Model::Propagation];

    /// The name used in experiment files.
    pub fn name(&self) -> &'static str {
        match self {
            Model::Propagation => "propagation",
        }
    }

    /// The model named `name`.
    pub fn from_name(name: &str) -> Option<Model> {
        Model::ALL.iter().copied().find(|m| m.name() == name)
    }

    /// The semantics version, part of every plan hash.
    pub fn version(&self) -> &'static str {
        match self {
            Model::Propagation => PROPAGATION_VERSION,
        }
    }

    /// The parameters, in column order.
    pub fn params(&self) -> &'static [ParamDef] {
        match self {
            Model::Propagation => PROPAGATION_PARAMS,
        }
    }

    /// The metric columns, in order.
    pub fn metrics(&self) -> &'static [MetricDef] {
        match self {
            Model::Propagation => PROPAGATION_METRICS,
        }
    }

    /// Turns resolved values (one per [`Model::params`] entry, same order) into the core's
    /// configuration, checking combinations that single-key ranges cannot.
    pub fn resolve(&self, values: &[Value]) -> Result<ModelParams, ParamError> {
        match self {
            Model::Propagation => resolve_propagation(values).map(ModelParams::Propagation),
        }
    }

    /// Runs one simulation.
    pub fn run(params: &ModelParams, seeds: RunSeeds, ws: &mut Workspace) -> RunOutput {
        match params {
            ModelParams::Propagation(p) => {
                let m = propagation::simulate(p, seeds, &mut ws.propagation);
                let u = |x: u64| Cell::U(x);
                RunOutput {
                    events: m.events,
                    metrics: vec![
                        u(m.graph.edges),
                        Cell::F(m.graph.mean_degree),
                        u(m.graph.min_degree.into()),
                        u(m.graph.max_degree.into()),
                        Cell::B(m.graph.connected),
                        u(m.source.into()),
                        u(m.msgs),
                        u(m.duplicates),
                        u(m.informed.into()),
                        Cell::F(m.coverage),
                        u(m.delay_total_ms),
                        u(m.makespan_ms),
                        Cell::F(m.mean_arrival_ms),
                        u(m.tree_weight_ms),
                        u(m.tree_depth_hops.into()),
                        u(m.mst_weight_ms),
                        u(m.spt_weight_ms),
                        u(m.mst_build.phases.into()),
                        u(m.mst_build.naive_msgs),
                        u(m.mst_build.ghs_msgs),
                        Cell::F(m.fork_probability),
                    ],
                }
            }
        }
    }
}

fn resolve_propagation(v: &[Value]) -> Result<PropagationParams, ParamError> {
    let get = |key: &str| {
        let i = PROPAGATION_PARAMS
            .iter()
            .position(|p| p.key == key)
            .expect("known key");
        &v[i]
    };
    let nodes = get("nodes").as_int() as u32;
    let k = get("k").as_int() as u32;
    let beta = get("beta").as_float();
    let topology = match get("topology").as_str() {
        "kout" => Topology::KOut { k },
        "ws" => Topology::Ws { k, beta },
        "ba" => Topology::Ba { k },
        "er" => Topology::Er { k },
        "random_peers" => Topology::RandomPeers { k },
        other => unreachable!("topology {other} passed the choice check"),
    };
    topology
        .check(nodes)
        .map_err(|allowed| ParamError { key: "k", allowed })?;
    let delay_min_ms = get("delay_min").as_int() as u32;
    let delay_max_ms = get("delay_max").as_int() as u32;
    if delay_min_ms > delay_max_ms {
        return Err(ParamError {
            key: "delay_min",
            allowed: format!("at most delay_max ({delay_max_ms} ms)"),
        });
    }
    let protocol = match get("protocol").as_str() {
        "gossip" => Protocol::Gossip {
            period_ms: get("gossip_period").as_int() as u64,
            fanout: get("gossip_fanout").as_int() as u32,
            pushes: get("gossip_pushes").as_int() as u32,
        },
        "flood" => Protocol::Flood,
        "oppi" => Protocol::Oppi,
        "spt" => Protocol::Spt,
        other => unreachable!("protocol {other} passed the choice check"),
    };
    Ok(PropagationParams {
        topology,
        nodes,
        graph_rng: if get("rng").as_str() == "peersim" {
            GraphRng::PeerSim
        } else {
            GraphRng::Engine
        },
        delay_min_ms,
        delay_max_ms,
        weights: if get("weights").as_str() == "per_message" {
            WeightMode::PerMessage
        } else {
            WeightMode::PerEdge
        },
        protocol,
        block_rate_per_s: get("block_rate").as_float(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_resolve() {
        for m in Model::ALL {
            let values: Vec<Value> = m.params().iter().map(|p| p.default_value()).collect();
            assert!(m.resolve(&values).is_ok());
        }
    }
}

//! The `churn` family: OPPI's minimum spanning tree maintained under churn, against flooding
//! (the OPPI paper, Section 3.3). Its graph parameters are the propagation family's; its core is
//! [`crate::propagation::churn`].
#![doc = include_str!("README.md")]

mod figures;

use super::{Configured, Declaration, RunOutput, Workspace};
use crate::des::Memory;
use crate::graph::mst::MAX_NODES;
use crate::model::propagation;
use crate::param_table;
use crate::propagation::churn::{ChurnOutcome, ChurnParams};
use crate::rng::RunSeeds;
use crate::schema::param::{Kind, ParamDef, ParamError, Value};
use crate::schema::{Cell, ColumnType, Metric, metric_defs, metric_row};
use std::sync::LazyLock;

/// Version of the family's semantics.
const VERSION: &str = "churn-v2";

/// The propagation parameters that describe the graph, in the propagation table's order.
const GRAPH_KEYS: &[&str] = &[
    "topology",
    "nodes",
    "k",
    "beta",
    "rng",
    "delay_min",
    "delay_max",
];

/// Most churn operations a run may apply.
pub const MAX_CHURN_OPS: f64 = 1e6;

param_table! {
    /// The churn experiment's own parameters (after the graph ones), typed.
    pub struct Values in OWN_PARAMS {
        churn_rate: f64 {
            column: "churn_rate",
            kind: Kind::Float { min: 0.0, max: 1e6 },
            default: "10",
            environment: false,
            doc: "churn operations between two broadcasts, on average (each a link leaving, a link joining, a node leaving or a node joining with k links, equally likely)",
        },
        broadcasts: u32 {
            column: "broadcasts",
            kind: Kind::Int {
            min: 1,
            max: 100_000,
        },
            default: "20",
            environment: false,
            doc: "broadcasts in a run, each from a random live node after its share of churn",
        },
    }
}

static PARAMS: LazyLock<Vec<ParamDef>> = LazyLock::new(|| {
    propagation::PARAMS
        .iter()
        .filter(|p| GRAPH_KEYS.contains(&p.key))
        .chain(OWN_PARAMS)
        .copied()
        .collect()
});

fn resolve(v: &[Value]) -> Result<ChurnParams, ParamError> {
    let (graph_values, own) = v.split_at(GRAPH_KEYS.len());
    // The propagation family's resolution, with its defaults for the protocol keys.
    let mut graph_values = graph_values.iter();
    let full: Vec<Value> = propagation::PARAMS
        .iter()
        .map(|d| {
            if GRAPH_KEYS.contains(&d.key) {
                graph_values
                    .next()
                    .expect("one value per graph key")
                    .clone()
            } else {
                d.default_value()
            }
        })
        .collect();
    let graph = propagation::resolve(&full)?;
    let k = propagation::Values::read(&full).k;
    let p = Values::read(own);
    let rate = p.churn_rate;
    let broadcasts = p.broadcasts;
    let ops = rate * f64::from(broadcasts);
    if ops > MAX_CHURN_OPS {
        return Err(ParamError {
            key: key::churn_rate,
            allowed: format!(
                "at most {MAX_CHURN_OPS} operations a run: churn_rate x broadcasts = {ops}"
            ),
        });
    }
    if f64::from(graph.nodes) + ops.ceil() + f64::from(broadcasts) >= f64::from(MAX_NODES) {
        return Err(ParamError {
            key: propagation::key::nodes,
            allowed: format!(
                "below {MAX_NODES} with every churn operation a join (nodes + churn_rate x broadcasts)"
            ),
        });
    }
    Ok(ChurnParams {
        join_links: k,
        graph,
        churn_rate: rate,
        broadcasts,
    })
}

impl Configured for ChurnParams {
    fn memory(&self, explain: bool) -> Memory {
        // The graph, and the maintained tree and shortest-path state over it.
        let g = &self.graph;
        Memory::of(
            2 * g.topology.memory_bytes(g.nodes),
            propagation::key::nodes,
            if explain {
                format!(
                    "a {} graph of {} nodes and about {} links, and its maintained tree",
                    g.topology.name(),
                    g.nodes,
                    g.topology.links(g.nodes)
                )
            } else {
                String::new()
            },
        )
    }

    fn run(&self, seeds: RunSeeds, ws: &mut Workspace) -> RunOutput {
        let o = match crate::propagation::churn::simulate(self, seeds, ws.budget) {
            Ok(o) => o,
            Err(spent) => return RunOutput::failed(spent.events, spent.reason),
        };
        let ops: u64 = o.ops.iter().sum();
        // Operations and broadcasts: the run's discrete steps.
        RunOutput::ok(ops + u64::from(self.broadcasts), metric_row(&[METRICS], &o))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// x per operation of kind `i`, NaN when there was none.
fn per(o: &ChurnOutcome, i: usize, x: u64) -> f64 {
    if o.ops[i] == 0 {
        f64::NAN
    } else {
        x as f64 / o.ops[i] as f64
    }
}

/// The metric columns, each with how it is read from the run's outcome.
static METRICS: &[Metric<ChurnOutcome>] = &[
    Metric {
        name: "edges_start",
        label: "edges at the start",
        ty: ColumnType::U64,
        unit: "",
        doc: "Links of the generated graph.",
        read: |o: &ChurnOutcome| Cell::U(o.edges_start),
    },
    Metric {
        name: "construct_msgs",
        label: "MST construction messages (GHS-style)",
        ty: ColumnType::U64,
        unit: "",
        doc: "Messages of building the initial MST (GHS-style Borůvka accounting).",
        read: |o: &ChurnOutcome| Cell::U(o.construct_msgs),
    },
    Metric {
        name: "construct_naive_msgs",
        label: "MST construction messages (naive)",
        ty: ColumnType::U64,
        unit: "",
        doc: "The same under the naive accounting.",
        read: |o: &ChurnOutcome| Cell::U(o.construct_naive_msgs),
    },
    Metric {
        name: "ops_link_leave",
        label: "link leaves",
        ty: ColumnType::U64,
        unit: "",
        doc: "Links that left.",
        read: |o: &ChurnOutcome| Cell::U(o.ops[0]),
    },
    Metric {
        name: "ops_link_join",
        label: "link joins",
        ty: ColumnType::U64,
        unit: "",
        doc: "Links that joined.",
        read: |o: &ChurnOutcome| Cell::U(o.ops[1]),
    },
    Metric {
        name: "ops_node_leave",
        label: "node leaves",
        ty: ColumnType::U64,
        unit: "",
        doc: "Nodes that left.",
        read: |o: &ChurnOutcome| Cell::U(o.ops[2]),
    },
    Metric {
        name: "ops_node_join",
        label: "node joins",
        ty: ColumnType::U64,
        unit: "",
        doc: "Nodes that joined (k links each).",
        read: |o: &ChurnOutcome| Cell::U(o.ops[3]),
    },
    Metric {
        name: "msgs_per_link_leave",
        label: "messages per link leave",
        ty: ColumnType::F64,
        unit: "",
        doc: "Mean maintenance messages per link leaving (0 for a non-tree link; labelling, label exchange, convergecast and connect for a tree link).",
        read: |o: &ChurnOutcome| Cell::F(per(o, 0, o.cost[0].msgs)),
    },
    Metric {
        name: "msgs_per_link_join",
        label: "messages per link join",
        ty: ColumnType::F64,
        unit: "",
        doc: "Mean maintenance messages per link joining (the tree-path walk and back, and the swap).",
        read: |o: &ChurnOutcome| Cell::F(per(o, 1, o.cost[1].msgs)),
    },
    Metric {
        name: "msgs_per_node_leave",
        label: "messages per node leave",
        ty: ColumnType::F64,
        unit: "",
        doc: "Mean maintenance messages per node leaving (goodbyes; for a non-leaf, labelling its tree components and reconnecting them).",
        read: |o: &ChurnOutcome| Cell::F(per(o, 2, o.cost[2].msgs)),
    },
    Metric {
        name: "msgs_per_node_join",
        label: "messages per node join",
        ty: ColumnType::F64,
        unit: "",
        doc: "Mean maintenance messages per node joining (one link insertion per link).",
        read: |o: &ChurnOutcome| Cell::F(per(o, 3, o.cost[3].msgs)),
    },
    Metric {
        name: "rebuild_msgs_per_link_leave",
        label: "rebuild messages per link leave",
        ty: ColumnType::F64,
        unit: "",
        doc: "Mean messages of the paper's repair after a link leaves: re-running the construction on the two components (0 when no repair is needed).",
        read: |o: &ChurnOutcome| Cell::F(per(o, 0, o.cost[0].rebuild_msgs)),
    },
    Metric {
        name: "rebuild_msgs_per_node_leave",
        label: "rebuild messages per node leave",
        ty: ColumnType::F64,
        unit: "",
        doc: "Mean messages of re-running the construction on the components a leaving node leaves.",
        read: |o: &ChurnOutcome| Cell::F(per(o, 2, o.cost[2].rebuild_msgs)),
    },
    Metric {
        name: "rounds_per_op",
        label: "rounds per churn operation",
        ty: ColumnType::F64,
        unit: "",
        doc: "Mean synchronous rounds of a maintenance operation, all kinds.",
        read: |o: &ChurnOutcome| {
            let ops: u64 = o.ops.iter().sum();
            let rounds: u64 = o.cost.iter().map(|c| c.rounds).sum();
            Cell::F(if ops == 0 {
                f64::NAN
            } else {
                rounds as f64 / ops as f64
            })
        },
    },
    Metric {
        name: "tree_changes",
        label: "tree changes",
        ty: ColumnType::U64,
        unit: "",
        doc: "Tree edges added or removed by maintenance over the run.",
        read: |o: &ChurnOutcome| Cell::U(o.cost.iter().map(|c| u64::from(c.tree_changes)).sum()),
    },
    Metric {
        name: "nodes_end",
        label: "nodes at the end",
        ty: ColumnType::U32,
        unit: "",
        doc: "Live nodes at the end.",
        read: |o: &ChurnOutcome| Cell::U(o.nodes_end.into()),
    },
    Metric {
        name: "edges_end",
        label: "edges at the end",
        ty: ColumnType::U64,
        unit: "",
        doc: "Links at the end.",
        read: |o: &ChurnOutcome| Cell::U(o.edges_end),
    },
    Metric {
        name: "oppi_msgs_per_broadcast",
        label: "OPPI messages per broadcast",
        ty: ColumnType::F64,
        unit: "",
        doc: "Mean OPPI messages per broadcast: along the tree (reached - 1) plus the maintenance since the previous broadcast.",
        read: |o: &ChurnOutcome| Cell::F(o.oppi_msgs_per_broadcast),
    },
    Metric {
        name: "flood_msgs_per_broadcast",
        label: "flooding messages per broadcast",
        ty: ColumnType::F64,
        unit: "",
        doc: "Mean flooding messages per broadcast (sum of degrees - (reached - 1) over the source's component).",
        read: |o: &ChurnOutcome| Cell::F(o.flood_msgs_per_broadcast),
    },
    Metric {
        name: "break_even_broadcasts",
        label: "broadcasts to break even",
        ty: ColumnType::F64,
        unit: "",
        doc: "Broadcasts after which OPPI (construction + per-broadcast cost) has sent fewer messages than flooding: construct_msgs / (flood - oppi per broadcast); NaN when OPPI never breaks even.",
        read: |o: &ChurnOutcome| Cell::F(o.break_even_broadcasts),
    },
    Metric {
        name: "break_even_naive_broadcasts",
        label: "broadcasts to break even (naive construction)",
        ty: ColumnType::F64,
        unit: "",
        doc: "The same with the naive construction accounting.",
        read: |o: &ChurnOutcome| Cell::F(o.break_even_naive_broadcasts),
    },
    Metric {
        name: "makespan_oppi_ms",
        label: "OPPI makespan",
        ty: ColumnType::F64,
        unit: "ms",
        doc: "Mean over broadcasts of the last arrival along the MST.",
        read: |o: &ChurnOutcome| Cell::F(o.makespan_oppi_ms),
    },
    Metric {
        name: "makespan_flood_ms",
        label: "flooding makespan",
        ty: ColumnType::F64,
        unit: "ms",
        doc: "Mean over broadcasts of the last arrival by flooding (shortest paths).",
        read: |o: &ChurnOutcome| Cell::F(o.makespan_flood_ms),
    },
    Metric {
        name: "makespan_ratio",
        label: "makespan, OPPI / flooding",
        ty: ColumnType::F64,
        unit: "",
        doc: "makespan_oppi_ms / makespan_flood_ms: the latency penalty of the tree.",
        read: |o: &ChurnOutcome| Cell::F(o.makespan_oppi_ms / o.makespan_flood_ms),
    },
    Metric {
        name: "mean_arrival_oppi_ms",
        label: "OPPI mean arrival time",
        ty: ColumnType::F64,
        unit: "ms",
        doc: "Mean over broadcasts of the mean arrival along the MST (source counted as 0).",
        read: |o: &ChurnOutcome| Cell::F(o.mean_arrival_oppi_ms),
    },
    Metric {
        name: "mean_arrival_flood_ms",
        label: "flooding mean arrival time",
        ty: ColumnType::F64,
        unit: "ms",
        doc: "Mean over broadcasts of the mean arrival by flooding.",
        read: |o: &ChurnOutcome| Cell::F(o.mean_arrival_flood_ms),
    },
    Metric {
        name: "reached_mean",
        label: "nodes reached per broadcast",
        ty: ColumnType::F64,
        unit: "",
        doc: "Nodes reached per broadcast (the source's component), mean.",
        read: |o: &ChurnOutcome| Cell::F(o.reached_mean),
    },
];


/// The family, as the registry lists it.
pub static FAMILY: Declaration<ChurnParams> = Declaration {
    name: "churn",
    summary: "OPPI's minimum spanning tree maintained under churn, against flooding (the OPPI paper, Section 3.3).",
    notes: include_str!("README.md"),
    version: VERSION,
    params: || &PARAMS,
    parent: None,
    metrics: || metric_defs(&[METRICS]),
    details: &[],
    replicates_share_environment: false,
    resolve,
    figures: Some(figures::churn),
};

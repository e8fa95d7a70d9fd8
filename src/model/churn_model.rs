//! The `churn` model: OPPI's minimum spanning tree maintained under churn, against flooding
//! ([`crate::propagation::churn`]). Its graph parameters are the propagation model's.

use super::{PROPAGATION_PARAMS, resolve_propagation};
use crate::graph::mst::MAX_NODES;
use crate::propagation::churn::{ChurnOutcome, ChurnParams};
use crate::schema::param::{Kind, ParamDef, ParamError, Value};
use crate::schema::{Cell, ColumnType as T, MetricDef};
use std::sync::OnceLock;

pub(super) const CHURN_VERSION: &str = "churn-v1";

/// The propagation parameters that describe the graph.
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

static OWN_PARAMS: &[ParamDef] = &[
    ParamDef {
        key: "churn_rate",
        column: "churn_rate",
        kind: Kind::Float { min: 0.0, max: 1e6 },
        default: "10",
        environment: false,
        doc: "churn operations between two broadcasts, on average (each a link leaving, a link joining, a node leaving or a node joining with k links, equally likely)",
    },
    ParamDef {
        key: "broadcasts",
        column: "broadcasts",
        kind: Kind::Int {
            min: 1,
            max: 100_000,
        },
        default: "20",
        environment: false,
        doc: "broadcasts in a run, each from a random live node after its share of churn",
    },
];

/// The graph parameters, then the churn's own.
pub(super) fn params() -> &'static [ParamDef] {
    static ALL: OnceLock<Vec<ParamDef>> = OnceLock::new();
    ALL.get_or_init(|| {
        PROPAGATION_PARAMS
            .iter()
            .filter(|p| GRAPH_KEYS.contains(&p.key))
            .chain(OWN_PARAMS)
            .copied()
            .collect()
    })
}

pub(super) fn resolve(v: &[Value]) -> Result<ChurnParams, ParamError> {
    let defs = params();
    let get = |key: &str| super::param(defs, v, key);
    // The propagation model's resolution, with its defaults for the protocol keys.
    let full: Vec<Value> = PROPAGATION_PARAMS
        .iter()
        .map(|d| {
            if GRAPH_KEYS.contains(&d.key) {
                get(d.key).clone()
            } else {
                d.default_value()
            }
        })
        .collect();
    let graph = resolve_propagation(&full)?;
    let rate = get("churn_rate").as_float();
    let broadcasts = get("broadcasts").as_int() as u32;
    let ops = rate * f64::from(broadcasts);
    if ops > MAX_CHURN_OPS {
        return Err(ParamError {
            key: "churn_rate",
            allowed: format!(
                "at most {MAX_CHURN_OPS} operations a run: churn_rate x broadcasts = {ops}"
            ),
        });
    }
    if f64::from(graph.nodes) + ops.ceil() + f64::from(broadcasts) >= f64::from(MAX_NODES) {
        return Err(ParamError {
            key: "nodes",
            allowed: format!(
                "below {MAX_NODES} with every churn operation a join (nodes + churn_rate x broadcasts)"
            ),
        });
    }
    Ok(ChurnParams {
        join_links: get("k").as_int() as u32,
        graph,
        churn_rate: rate,
        broadcasts,
    })
}

pub(super) static METRICS: &[MetricDef] = &[
    metric!("edges_start", T::U64, "", "Links of the generated graph."),
    metric!(
        "construct_msgs",
        T::U64,
        "",
        "Messages of building the initial MST (GHS-style Borůvka accounting)."
    ),
    metric!(
        "construct_naive_msgs",
        T::U64,
        "",
        "The same under the naive accounting."
    ),
    metric!("ops_link_leave", T::U64, "", "Links that left."),
    metric!("ops_link_join", T::U64, "", "Links that joined."),
    metric!("ops_node_leave", T::U64, "", "Nodes that left."),
    metric!(
        "ops_node_join",
        T::U64,
        "",
        "Nodes that joined (k links each)."
    ),
    metric!(
        "msgs_per_link_leave",
        T::F64,
        "",
        "Mean maintenance messages per link leaving (0 for a non-tree link; labelling, label exchange, convergecast and connect for a tree link)."
    ),
    metric!(
        "msgs_per_link_join",
        T::F64,
        "",
        "Mean maintenance messages per link joining (the tree-path walk and back, and the swap)."
    ),
    metric!(
        "msgs_per_node_leave",
        T::F64,
        "",
        "Mean maintenance messages per node leaving (goodbyes; for a non-leaf, labelling its tree components and reconnecting them)."
    ),
    metric!(
        "msgs_per_node_join",
        T::F64,
        "",
        "Mean maintenance messages per node joining (one link insertion per link)."
    ),
    metric!(
        "rebuild_msgs_per_link_leave",
        T::F64,
        "",
        "Mean messages of the paper's repair after a link leaves: re-running the construction on the two components (0 when no repair is needed)."
    ),
    metric!(
        "rebuild_msgs_per_node_leave",
        T::F64,
        "",
        "Mean messages of re-running the construction on the components a leaving node leaves."
    ),
    metric!(
        "rounds_per_op",
        T::F64,
        "",
        "Mean synchronous rounds of a maintenance operation, all kinds."
    ),
    metric!(
        "tree_changes",
        T::U64,
        "",
        "Tree edges added or removed by maintenance over the run."
    ),
    metric!("nodes_end", T::U32, "", "Live nodes at the end."),
    metric!("edges_end", T::U64, "", "Links at the end."),
    metric!(
        "oppi_msgs_per_broadcast",
        T::F64,
        "",
        "Mean OPPI messages per broadcast: along the tree (reached - 1) plus the maintenance since the previous broadcast."
    ),
    metric!(
        "flood_msgs_per_broadcast",
        T::F64,
        "",
        "Mean flooding messages per broadcast (sum of degrees - (reached - 1) over the source's component)."
    ),
    metric!(
        "break_even_broadcasts",
        T::F64,
        "",
        "Broadcasts after which OPPI (construction + per-broadcast cost) has sent fewer messages than flooding: construct_msgs / (flood - oppi per broadcast); NaN when OPPI never breaks even."
    ),
    metric!(
        "break_even_naive_broadcasts",
        T::F64,
        "",
        "The same with the naive construction accounting."
    ),
    metric!(
        "makespan_oppi_ms",
        T::F64,
        "ms",
        "Mean over broadcasts of the last arrival along the MST."
    ),
    metric!(
        "makespan_flood_ms",
        T::F64,
        "ms",
        "Mean over broadcasts of the last arrival by flooding (shortest paths)."
    ),
    metric!(
        "makespan_ratio",
        T::F64,
        "",
        "makespan_oppi_ms / makespan_flood_ms: the latency penalty of the tree."
    ),
    metric!(
        "mean_arrival_oppi_ms",
        T::F64,
        "ms",
        "Mean over broadcasts of the mean arrival along the MST (source counted as 0)."
    ),
    metric!(
        "mean_arrival_flood_ms",
        T::F64,
        "ms",
        "Mean over broadcasts of the mean arrival by flooding."
    ),
    metric!(
        "reached_mean",
        T::F64,
        "",
        "Nodes reached per broadcast (the source's component), mean."
    ),
];

pub(super) fn row(o: &ChurnOutcome) -> Vec<Cell> {
    let per = |i: usize, x: u64| {
        if o.ops[i] == 0 {
            f64::NAN
        } else {
            x as f64 / o.ops[i] as f64
        }
    };
    let ops: u64 = o.ops.iter().sum();
    let rounds: u64 = o.cost.iter().map(|c| c.rounds).sum();
    let changes: u64 = o.cost.iter().map(|c| u64::from(c.tree_changes)).sum();
    vec![
        Cell::U(o.edges_start),
        Cell::U(o.construct_msgs),
        Cell::U(o.construct_naive_msgs),
        Cell::U(o.ops[0]),
        Cell::U(o.ops[1]),
        Cell::U(o.ops[2]),
        Cell::U(o.ops[3]),
        Cell::F(per(0, o.cost[0].msgs)),
        Cell::F(per(1, o.cost[1].msgs)),
        Cell::F(per(2, o.cost[2].msgs)),
        Cell::F(per(3, o.cost[3].msgs)),
        Cell::F(per(0, o.cost[0].rebuild_msgs)),
        Cell::F(per(2, o.cost[2].rebuild_msgs)),
        Cell::F(if ops == 0 {
            f64::NAN
        } else {
            rounds as f64 / ops as f64
        }),
        Cell::U(changes),
        Cell::U(o.nodes_end.into()),
        Cell::U(o.edges_end),
        Cell::F(o.oppi_msgs_per_broadcast),
        Cell::F(o.flood_msgs_per_broadcast),
        Cell::F(o.break_even_broadcasts),
        Cell::F(o.break_even_naive_broadcasts),
        Cell::F(o.makespan_oppi_ms),
        Cell::F(o.makespan_flood_ms),
        Cell::F(o.makespan_oppi_ms / o.makespan_flood_ms),
        Cell::F(o.mean_arrival_oppi_ms),
        Cell::F(o.mean_arrival_flood_ms),
        Cell::F(o.reached_mean),
    ]
}

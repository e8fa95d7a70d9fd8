//! `chainlab graph`: one generated graph as an edge list (CSV or Parquet). Its options are the
//! propagation family's graph parameters, read, checked and resolved through that family's
//! schema, so they accept what an experiment file accepts and fail the same way.

use super::Failure;
use crate::graph::generate;
use crate::model::propagation::{self, PARAMS, TopologyKind};
use crate::output;
use crate::propagation::{GraphRng, draw_weights};
use crate::rng::purpose;
use crate::rng::{JavaRandom, stream};
use crate::schema::param::{Choice, Value};
use crate::schema::{Cell, Column, ColumnType};
use clap::Args;
use clap::builder::PossibleValuesParser;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub(super) struct GraphArgs {
    /// Generator (the propagation parameter `topology`; default kout).
    #[arg(long, value_parser = PossibleValuesParser::new(TopologyKind::NAMES))]
    topology: Option<String>,
    /// Number of nodes (`nodes`; default 1000).
    #[arg(long)]
    nodes: Option<String>,
    /// Links each node starts, PeerSim's k (`k`; default 8).
    #[arg(long)]
    k: Option<String>,
    /// Watts-Strogatz rewiring probability (`beta`; default 0.8).
    #[arg(long)]
    beta: Option<String>,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Random source of the generator (`rng`): engine, the engine's stream for (seed, 0,
    /// "topology"); peersim, `new java.util.Random(seed)` as PeerSim's `random.seed`.
    #[arg(long, value_parser = PossibleValuesParser::new(GraphRng::NAMES))]
    rng: Option<String>,
    /// Smallest edge weight (`delay_min`; "5 ms", or a number of ms; default 1 ms).
    #[arg(long)]
    delay_min: Option<String>,
    /// Largest edge weight (`delay_max`; default 100 ms).
    #[arg(long)]
    delay_max: Option<String>,
    /// Output file: `.csv` or `.parquet`.
    #[arg(long)]
    out: PathBuf,
}

pub(super) fn run(a: &GraphArgs) -> Result<(), Failure> {
    let mut values: Vec<Value> = PARAMS.iter().map(|d| d.default_value()).collect();
    use propagation::key;
    let given = [
        (key::topology, &a.topology),
        (key::nodes, &a.nodes),
        (key::k, &a.k),
        (key::beta, &a.beta),
        (key::rng, &a.rng),
        (key::delay_min, &a.delay_min),
        (key::delay_max, &a.delay_max),
    ];
    let flag = |key: &str| format!("--{}", key.replace('_', "-"));
    for (key, text) in given {
        let Some(text) = text else { continue };
        let i = PARAMS
            .iter()
            .position(|d| d.key == key)
            .expect("the graph options are propagation parameters");
        values[i] = PARAMS[i].parse_arg(text).map_err(|allowed| {
            Failure::Usage(format!("{} {text}: allowed: {allowed}", flag(key)))
        })?;
    }
    let p = propagation::resolve(&values)
        .map_err(|e| Failure::Usage(format!("{}: allowed: {}", flag(e.key), e.allowed)))?;
    let g = match p.graph_rng {
        GraphRng::Engine => generate(
            p.topology,
            p.nodes,
            &mut stream(a.seed, 0, purpose::TOPOLOGY),
        ),
        GraphRng::PeerSim => generate(p.topology, p.nodes, &mut JavaRandom::new(a.seed as i64)),
    };
    let w = draw_weights(
        g.edge_count(),
        p.delay_min_ms,
        p.delay_max_ms,
        &mut stream(a.seed, 0, purpose::WEIGHTS),
    );
    let ext = a.out.extension().and_then(|x| x.to_str()).unwrap_or("");
    match ext {
        "csv" => {
            let mut s = String::with_capacity(g.edge_count() * 16);
            s.push_str("u,v,weight\n");
            for (&(u, v), &wt) in g.edges().iter().zip(&w) {
                s.push_str(&format!("{u},{v},{wt}\n"));
            }
            output::write_atomic(&a.out, &s)?;
        }
        "parquet" => {
            let cols: Vec<Column> = ["u", "v", "weight"]
                .iter()
                .map(|n| Column {
                    name: n.to_string(),
                    ty: ColumnType::U32,
                    nullable: false,
                    unit: "",
                    doc: String::new(),
                    label: n.to_string(),
                })
                .collect();
            let rows: Vec<Vec<Cell>> = g
                .edges()
                .iter()
                .zip(&w)
                .map(|(&(u, v), &wt)| {
                    vec![Cell::U(u.into()), Cell::U(v.into()), Cell::U(wt.into())]
                })
                .collect();
            output::write_parquet_at(
                &a.out,
                &cols,
                &rows,
                &[(
                    "chainlab.graph".into(),
                    format!(
                        "{:?} n={} seed={} rng={:?}",
                        p.topology, p.nodes, a.seed, p.graph_rng
                    ),
                )],
            )?;
        }
        _ => {
            return Err(Failure::Usage(format!(
                "--out {}: the extension must be .csv or .parquet",
                a.out.display()
            )));
        }
    }
    let st = g.stats();
    outln!(
        "{} n={} edges={} mean_degree={:.3} min_degree={} max_degree={} connected={} -> {}",
        p.topology.name(),
        p.nodes,
        st.edges,
        st.mean_degree,
        st.min_degree,
        st.max_degree,
        st.connected,
        a.out.display()
    );
    Ok(())
}

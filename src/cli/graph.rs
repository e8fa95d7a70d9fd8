//! `chainlab graph`: one generated graph as an edge list (CSV or Parquet). Its options are the
//! propagation family's graph parameters, read, checked and resolved through that family's
//! schema, so they accept what an experiment file accepts and fail the same way.

use super::Failure;
use crate::model::graph;
use crate::output;
use crate::schema::{Cell, Column, ColumnType};
use clap::Args;
use clap::builder::PossibleValuesParser;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub(super) struct GraphArgs {
    /// Generator (the propagation parameter `topology`; default kout).
    #[arg(long, value_parser = PossibleValuesParser::new(graph::topology_names()))]
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
    #[arg(long, value_parser = PossibleValuesParser::new(graph::rng_names()))]
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
    let options = [
        &a.topology,
        &a.nodes,
        &a.k,
        &a.beta,
        &a.rng,
        &a.delay_min,
        &a.delay_max,
    ];
    let given: Vec<(&'static str, &str)> = graph::KEYS
        .iter()
        .zip(options)
        .filter_map(|(&key, text)| Some((key, text.as_deref()?)))
        .collect();
    let flag = |key: &str| format!("--{}", key.replace('_', "-"));
    let ex = graph::export(&given, a.seed).map_err(|r| match r.text {
        Some(text) => Failure::Usage(format!("{} {text}: allowed: {}", flag(r.key), r.allowed)),
        None => Failure::Usage(format!("{}: allowed: {}", flag(r.key), r.allowed)),
    })?;
    let (g, w) = (&ex.graph, &ex.weights);
    let ext = a.out.extension().and_then(|x| x.to_str()).unwrap_or("");
    match ext {
        "csv" => {
            let mut s = String::with_capacity(g.edge_count() * 16);
            s.push_str("u,v,weight\n");
            for (&(u, v), &wt) in g.edges().iter().zip(w) {
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
                .zip(w)
                .map(|(&(u, v), &wt)| {
                    vec![Cell::U(u.into()), Cell::U(v.into()), Cell::U(wt.into())]
                })
                .collect();
            output::write_parquet_at(
                &a.out,
                &cols,
                &rows,
                &[("chainlab.graph".into(), ex.provenance.clone())],
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
        ex.topology,
        ex.nodes,
        st.edges,
        st.mean_degree,
        st.min_degree,
        st.max_degree,
        st.connected,
        a.out.display()
    );
    Ok(())
}

//! # chainlab
//!
//! A library (with a thin binary) that turns an experiment file into many independent, seeded
//! Monte Carlo simulations of blockchain networks, runs them in parallel and writes one Parquet
//! row per run.
//!
//! ## Architecture
//!
//! ```text
//! experiment.toml --spec--> Plan --runner (rayon)--> Configured::run --> row --output--> Parquet
//!                             |                          |
//!                  model::REGISTRY (one folder per family: params, resolve, metrics, figures, notes)
//!                                                        |
//!    des, graph, propagation, network, pbft, twin, management, rng (the pure simulation core)
//! ```
//!
//! - [`schema`]: the vocabulary every layer shares and nothing else: parameter definitions,
//!   kinds and values ([`schema::param`], with the `choice!` and `param_table!` macros),
//!   units, column types, cells and metric definitions. Imports nothing of the crate.
//! - [`spec`]: experiment files to a validated, fully expanded [`spec::Plan`]. Reads the spec
//!   file and the scenario files it names (into their canonical text,
//!   [`schema::scenario`]) and nothing else; knows the model families only through the
//!   registry.
//! - [`model`]: the registry of model families ([`model::ModelFamily`], [`model::REGISTRY`]),
//!   one folder per family under `src/model/`: its parameter table and typed values,
//!   cross-parameter checks and cost estimates, resolution into the core's configuration,
//!   `run`, its metric columns each with how it is read from the outcome, its figures and its
//!   notes (also its rustdoc: see each family's module). The only module that knows both the
//!   spec vocabulary and the cores; [`model::docs`] generates the documentation's tables and
//!   [`model::graph`] the graph `chainlab graph` writes. No file outside `src/model/` names a
//!   family (a tidy test).
//! - [`runner`]: executes a plan: one run per rayon task within its run budget, parts
//!   committed as they complete, resume (skipping only verified parts; damaged ones are moved
//!   aside and run again), a shared lock per plan directory and a claim per part so that
//!   concurrent processes never run a part twice, progress reported to the caller, manifest; shards (disjoint
//!   slices of the parts, dealt by key) for clusters, `--retry-failed`, and the status of a
//!   results directory. Knows no model family.
//! - [`output`]: Parquet schema and atomic writes, commit records with checksums and their
//!   verification ([`output::integrity`]), the manifest. Knows no model family.
//! - [`figure`]: chart descriptions, a plan's rows by column name, rendering to PNG and SVG
//!   with an embedded font (plotters). Knows no model family and no runner: each family's
//!   catalogue lives in its folder, and `chainlab plot` (in [`cli`]) joins the two.
//! - [`des`]: the event queue and simulated time.
//! - [`time`]: simulated time's units (nanoseconds in the blockchain models, milliseconds in
//!   the propagation models) and every conversion between them, spelled once.
//! - [`graph`]: CSR graphs, PeerSim-exact generators, MST (Kruskal, distributed Borůvka
//!   accounting), incremental MST maintenance under churn, Dijkstra.
//! - [`propagation`]: gossip, flood, OPPI and SPT broadcasts and their metrics; the incentive
//!   function and signed propagation paths (ed25519); OPPI under churn against flooding.
//! - [`network`]: the blockchain models' network: peers, bandwidth and latency models (with
//!   SymBChainSim's city tables), one gossip broadcast as a shortest-path computation, what a
//!   vote carries.
//! - [`pbft`]: a PBFT blockchain after SymBChainSim, corrected: consensus, workload, metrics.
//!   It knows nothing of twins or management: they plug in through its hooks
//!   ([`pbft::hooks`]: [`pbft::Transmissions`] watches messages, [`pbft::Reconfiguration`]
//!   stamps blocks with a configuration and switches it between rounds).
//! - [`twin`]: the digital twin's state extraction on the PBFT model: peer-state estimation
//!   (Eq. 1) and path history, state messages, reconstruction (Algorithm 1), re-simulation,
//!   and block-order synchronisation (Algorithm 2).
//! - [`management`]: decentralised management: configuration blocks (SHA-256 hash chain,
//!   proposer rotation, proof of consensus, the checks a primary node applies) and the
//!   management chain's agreement cycles, and the primary side
//!   ([`management::primary::Primary`], pbft's reconfiguration hook). Reaches [`pbft`] only
//!   through its hook API; `pbft` imports nothing of it.
//! - [`rng`]: stream derivation, the seeds of a run ([`rng::RunSeeds`]) and the
//!   `java.util.Random` port.
//! - [`stats`]: summary statistics of result tables (Student-t intervals, bootstrap intervals
//!   of medians, the replicates a target precision needs, groups of rows by parameter), as
//!   `chainlab summary` prints them. Pure: rows in, numbers out.
//! - [`summary`]: a plan's rows grouped by parameter columns and summarised per group and
//!   metric (the table `chainlab summary` renders). Pure; knows no model family.
//! - [`cli`]: clap commands; the only layer that prints and chooses exit codes.
//!
//! Dependencies point one way: `cli` -> `runner` -> `spec` -> `model` -> (`figure`, the cores)
//! -> `schema`, `rng`, `des`, `time`; no two folders import each other. The test
//! `tidy::every_module_imports_only_what_the_map_allows` (`tests/tidy/mod.rs`) holds each
//! module's `crate::` imports to an allow-list that mirrors this map.
//!
//! ## A tour
//!
//! What `chainlab run` does, from a Rust caller: parse an experiment, execute its plan, read
//! its rows back.
//!
//! ```
//! use chainlab::model::Model;
//! use chainlab::schema::Cell;
//! use chainlab::{output, runner, spec};
//! use std::path::Path;
//!
//! // An experiment: OPPI's fee split on a 5-node path, with 1, 2 and 3 Sybil identities.
//! let text = r#"
//! name = "tour"
//! description = "a Sybil's gain against its identities"
//! model = "incentive"
//! seed = 1
//! replicates = 1
//!
//! [params]
//! path_len = 5
//!
//! [sweep]
//! sybils = [1, 2, 3]
//! "#;
//! let plan = spec::parse(Path::new("tour.toml"), text, spec::Overrides::default())?;
//! assert_eq!(plan.runs.len(), 3);
//!
//! // Execute it: one Parquet part per 64 runs, under `<out>/tour/plan=<hash>/`.
//! let out = tempfile::tempdir()?;
//! let opts = runner::RunOptions {
//!     jobs: Some(1),
//!     out_root: out.path().to_path_buf(),
//!     ..Default::default()
//! };
//! let done = runner::execute(&plan, &opts, &runner::Provenance::default())?;
//! assert_eq!((done.executed, done.failed), (3, 0));
//!
//! // Read the rows back by the family's columns: the gain grows with the identities.
//! let columns = Model::from_name("incentive").unwrap().columns();
//! let gain = columns.iter().position(|c| c.name == "sybil_gain").unwrap();
//! let rows = output::read_part(&done.dir.join("part-00000.parquet"), &columns)?;
//! let gains: Vec<f64> = rows
//!     .iter()
//!     .map(|r| match r[gain] {
//!         Cell::F(x) => x,
//!         _ => unreachable!("sybil_gain is a double"),
//!     })
//!     .collect();
//! assert!(gains[0] > 1.0 && gains[0] < gains[1] && gains[1] < gains[2]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Invariants
//!
//! - The simulation core (`des`, `graph`, `propagation`, `network`, `pbft`, `twin`,
//!   `management`, `rng`) does no I/O, reads no clock and
//!   cannot fail on a validated configuration; only `runner`, `output`, `figure` and `cli` touch the world.
//! - Configuration is parsed once: the runner sees typed parameters that already passed every
//!   range and cross-parameter check.
//! - Hot loops work on flat arrays (CSR adjacency, node-indexed vectors) and reuse buffers
//!   across runs ([`propagation::Simulator`], [`model::Workspace`]'s slots).
//!
//! ## Determinism contract
//!
//! The same spec and master seed give the same rows, whatever `--jobs`, the shard split, the
//! completion order or how often a sweep was interrupted and resumed. This holds because:
//!
//! 1. every random draw comes from [`rng::stream`]`(master seed, key, purpose)`, a Xoshiro256++
//!    stream seeded counter-style; no stream is ever drawn from another. Environment streams
//!    ("topology", "weights", "source") are keyed by a hash of the environment parameters and
//!    the replicate, so the protocols of one replicate share a graph; the "protocol" stream is
//!    keyed by the run key (a hash of every parameter and the replicate). The pbft model keys
//!    "topology", "bandwidth" and "location" by its network parameters and "workload",
//!    "faults" and "network" (per-message draws, counter-based) by the run key. The twin model
//!    keys its physical system by an environment key without the replicate (replicates are
//!    reconstructions of one system) and draws "missing" by the run key; the twin_sync model
//!    draws "drift" and "sync" by the run key; the management model draws its members, their
//!    overlay and its faulty members from "management" by the environment key and the
//!    configuration block intervals from "cbi" by the run key; the churn model shares the
//!    propagation model's graph streams and draws "churn" and "source" by the run key;
//! 2. one run is one thread, and the event queue orders events by (time, sequence number);
//! 3. no hash-map iteration order reaches a result;
//! 4. a part's rows are sorted by plan position before it is written, part boundaries depend on
//!    the plan alone, and a shard is a set of whole parts chosen by their keys.
//!
//! Whether a run spends its budget ([`des::Budget`]: events and messages, counted, never timed)
//! is as deterministic as its rows.
//!
//! The single exception is the `wall_time_ms` column. The integration tests compare every other
//! column between `--jobs 1` and `--jobs 2`, between one run and 3 or 5 shards, and between a
//! full sweep and one killed with SIGKILL at random moments and resumed.

#![warn(missing_docs)]

pub mod cli;
pub mod des;
pub mod figure;
pub mod graph;
pub mod management;
pub mod model;
pub mod network;
pub mod output;
pub mod pbft;
pub mod propagation;
pub mod rng;
pub mod runner;
pub mod schema;
pub mod spec;
pub mod stats;
pub mod summary;
pub mod time;
pub mod twin;

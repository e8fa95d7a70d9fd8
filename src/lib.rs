//! chainlab (crate docs written below once the engine layers exist).
pub mod cli;
pub mod des;
pub mod graph;
pub mod model;
pub mod output;
pub mod propagation;
pub mod rng;
pub mod runner;
pub mod spec;

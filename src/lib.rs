//! chainlab (crate docs written below once the engine layers exist).
pub mod des;
pub mod graph;
pub mod propagation;
pub mod rng;

//! The model registry: every model family behind one trait, [`ModelFamily`], listed once in
//! [`REGISTRY`].
//!
//! A family is one folder below `src/model/` that declares its parameter table (keys, kinds,
//! defaults, docs, and the typed struct they are read into), its cross-parameter checks and
//! cost estimates, its resolution into the core's typed configuration, `run`, its metric
//! columns together with how each is read from the run's outcome, its figures, and its notes
//! (a markdown file that is also its rustdoc). The spec parser, runner, writer, `chainlab
//! schema`, `chainlab plot` and the generated reference tables iterate the registry; nothing
//! outside this folder names a family. Adding one is a folder plus one line in [`REGISTRY`].
//!
//! Architecture invariants: `model` is the only module that knows both the spec vocabulary
//! (keys, units, choice names) and the simulation cores; it does no I/O (figures are
//! descriptions; `cli` writes them) and never reads the runner, the spec parser or the writer.

pub mod docs;
pub mod graph;

use crate::des::{Budget, Memory};
use crate::figure::Figure;
use crate::figure::table::Table;
use crate::rng::RunSeeds;
use crate::schema::param::{ParamDef, ParamError, Value};
use crate::schema::{Cell, Column, Detail, MetricDef, engine_columns, metric_column, param_column};
use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// Declares each family's module (its folder under `src/model/`) and lists its [`Declaration`]
/// (the `FAMILY` static of its `mod.rs`) in [`REGISTRY`], in listing order.
macro_rules! registry {
    ($($family:ident),+ $(,)?) => {
        $(pub mod $family;)+
        /// Every model family, in listing order: the folders named in `registry!` below. A
        /// new family is its folder plus one line there.
        pub static REGISTRY: &[&dyn ModelFamily] = &[$(&$family::FAMILY),+];
    };
}

registry! {
    propagation,
    pbft,
    twin,
    twin_sync,
    management,
    churn,
    incentive,
}

/// What a model family declares. The runner, spec parser, writer, `schema` and `plot` see a
/// family only through this trait. A family of this crate does not implement it by hand: it
/// fills in a [`Declaration`], which does; code outside the crate (a test's toy family) may.
pub trait ModelFamily: Sync {
    /// The name used in experiment files (`model = "..."`).
    fn name(&self) -> &'static str;
    /// One line: what it simulates, after which paper.
    fn summary(&self) -> &'static str;
    /// Its notes in markdown: modelling choices with their sources, and its results. Also its
    /// rustdoc, and the source of its page in `docs/models/`.
    fn notes(&self) -> &'static str;
    /// The semantics version, part of every plan hash (results of an older engine are never
    /// mixed with newer ones in one directory).
    fn version(&self) -> &'static str;
    /// The parameters, in column order (a parent's first).
    fn params(&self) -> &'static [ParamDef];
    /// The family whose parameters this one extends (its first parameters are the parent's).
    fn parent(&self) -> Option<&'static str> {
        None
    }
    /// The metric columns, in order.
    fn metrics(&self) -> Vec<MetricDef>;
    /// The per-item tables written beside the run rows (none by default).
    fn details(&self) -> &'static [Detail] {
        &[]
    }
    /// Whether the replicates of a parameter point share one environment (the twin's
    /// replicates are reconstructions of one physical system); otherwise each replicate is a
    /// new environment.
    fn replicates_share_environment(&self) -> bool {
        false
    }
    /// Turns resolved values (one per [`ModelFamily::params`] entry, same order) into the
    /// run's typed configuration, checking combinations that single-key ranges cannot.
    fn resolve(&self, values: &[Value]) -> Result<ModelParams, ParamError>;
    /// Its figure catalogue: the figures a plan's successful rows make (none when its sweep
    /// fits no figure), or `None` for a family without figures.
    fn figures(&self) -> Option<Catalogue> {
        None
    }
}

/// A family, declared: each field is the [`ModelFamily`] method of the same name, and
/// `resolve` returns the family's own configuration type `C`. Every family of this crate is
/// one such static (`FAMILY` in its `mod.rs`), listed in [`REGISTRY`]:
///
/// ```text
/// pub static FAMILY: Declaration<IncentiveParams> = Declaration {
///     name: "incentive",
///     summary: "OPPI's fee split (Eq. 7) on one path ...",
///     notes: include_str!("README.md"),
///     version: "incentive-v1",
///     params: || PARAMS,
///     parent: None,
///     metrics: || metric_defs(&[METRICS]),
///     details: &[],
///     replicates_share_environment: false,
///     resolve,
///     figures: Some(figures::incentive),
/// };
/// ```
pub struct Declaration<C> {
    /// See [`ModelFamily::name`].
    pub name: &'static str,
    /// See [`ModelFamily::summary`].
    pub summary: &'static str,
    /// See [`ModelFamily::notes`] (the family's `README.md`, included).
    pub notes: &'static str,
    /// See [`ModelFamily::version`].
    pub version: &'static str,
    /// See [`ModelFamily::params`]: a function, so that a table built at first use (a child
    /// family's, which starts with its parent's) can be named.
    pub params: fn() -> &'static [ParamDef],
    /// See [`ModelFamily::parent`].
    pub parent: Option<&'static str>,
    /// See [`ModelFamily::metrics`].
    pub metrics: fn() -> Vec<MetricDef>,
    /// See [`ModelFamily::details`].
    pub details: &'static [Detail],
    /// See [`ModelFamily::replicates_share_environment`].
    pub replicates_share_environment: bool,
    /// See [`ModelFamily::resolve`]: values to the family's own configuration.
    pub resolve: fn(&[Value]) -> Result<C, ParamError>,
    /// See [`ModelFamily::figures`].
    pub figures: Option<Catalogue>,
}

impl<C: Configured> ModelFamily for Declaration<C> {
    fn name(&self) -> &'static str {
        self.name
    }
    fn summary(&self) -> &'static str {
        self.summary
    }
    fn notes(&self) -> &'static str {
        self.notes
    }
    fn version(&self) -> &'static str {
        self.version
    }
    fn params(&self) -> &'static [ParamDef] {
        (self.params)()
    }
    fn parent(&self) -> Option<&'static str> {
        self.parent
    }
    fn metrics(&self) -> Vec<MetricDef> {
        (self.metrics)()
    }
    fn details(&self) -> &'static [Detail] {
        self.details
    }
    fn replicates_share_environment(&self) -> bool {
        self.replicates_share_environment
    }
    fn resolve(&self, values: &[Value]) -> Result<ModelParams, ParamError> {
        Ok(Arc::new((self.resolve)(values)?))
    }
    fn figures(&self) -> Option<Catalogue> {
        self.figures
    }
}

/// A figure catalogue: from an experiment's name and a plan's rows to named figures.
pub type Catalogue = fn(&str, &Table, &mut Vec<Figure>);

/// A run's typed configuration, as its family resolved it.
pub trait Configured: fmt::Debug + Send + Sync + Any {
    /// Checks, before anything runs, that the run's cost fits `budget` (a run that passes can
    /// still spend it, and then fails as a row; one that fails here could never finish).
    fn check_cost(&self, budget: &Budget) -> Result<(), ParamError> {
        let _ = budget;
        Ok(())
    }
    /// What the run's parameters make it allocate (graphs, schedules, walks, message lists),
    /// estimated before it runs: a run over `[budget] memory` is a failed row saying so, and
    /// a plan whose every run is over it is refused. `what` is filled only when `explain`
    /// (validation asks for every point, and formats nothing it does not show). Nothing,
    /// unless the family says.
    fn memory(&self, explain: bool) -> Memory {
        let _ = explain;
        Memory::default()
    }
    /// Runs one simulation within `ws.budget`.
    fn run(&self, seeds: RunSeeds, ws: &mut Workspace) -> RunOutput;
    /// Rewrites `values`, the run's parameter values in schema order as its row shows them,
    /// to what the run used where one switch turns on others (pbft's `sbs = "v2"` turns on
    /// `sbs_compat` and every `sbs_v2_*`), so that filtering rows on a switch finds every run
    /// that had it. The run's identity is the spec's values, unchanged. Nothing, unless the
    /// family says.
    fn shown(&self, values: &mut [Value]) {
        let _ = values;
    }
    /// The configuration as `Any`, for benchmarks and tests that need its concrete type.
    fn as_any(&self) -> &dyn Any;
}

/// A run's typed configuration, shared by the replicates of a parameter point.
pub type ModelParams = Arc<dyn Configured>;

/// A model family, as the rest of the engine holds it: a handle into [`REGISTRY`].
#[derive(Clone, Copy)]
pub struct Model(&'static dyn ModelFamily);

impl PartialEq for Model {
    fn eq(&self, other: &Model) -> bool {
        self.name() == other.name()
    }
}
impl Eq for Model {}

impl fmt::Debug for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Model({})", self.name())
    }
}

/// The family's own methods ([`ModelFamily`]: `name`, `params`, `metrics`, `resolve`, ...)
/// are called on the handle directly.
impl std::ops::Deref for Model {
    type Target = dyn ModelFamily;
    fn deref(&self) -> &(dyn ModelFamily + 'static) {
        self.0
    }
}

impl Model {
    /// Every model, in listing order.
    pub fn all() -> impl Iterator<Item = Model> {
        REGISTRY.iter().map(|&f| Model(f))
    }

    /// The model named `name`.
    pub fn from_name(name: &str) -> Option<Model> {
        Model::all().find(|m| m.name() == name)
    }

    /// A handle to `family`, registered or not (the spec parser takes a list of families, so
    /// a family can be tried before its registry line exists: see [`crate::spec::parse_in`]).
    pub fn of(family: &'static dyn ModelFamily) -> Model {
        Model(family)
    }

    /// The family behind the handle.
    pub fn family(&self) -> &'static dyn ModelFamily {
        self.0
    }

    /// The model whose parameters this one extends (the twin extends pbft).
    pub fn parent_model(&self) -> Option<Model> {
        self.0.parent().map(|p| {
            Model::from_name(p).unwrap_or_else(|| panic!("parent `{p}` is not registered"))
        })
    }

    /// The parameters this model adds to its parent's (all of them without a parent).
    pub fn own_params(&self) -> &'static [ParamDef] {
        let all = self.params();
        &all[self.parent_model().map_or(0, |p| p.params().len())..]
    }

    /// The result table's columns: the engine's, the parameters', the metrics'.
    pub fn columns(&self) -> Vec<Column> {
        let mut cols = engine_columns();
        cols.extend(self.params().iter().map(param_column));
        cols.extend(self.metrics().iter().map(metric_column));
        cols
    }

    /// The figures of a plan's successful rows: the family's catalogue, or when none of its
    /// figures fits the sweep (or it has none), every varying metric against each swept
    /// numeric parameter ([`crate::figure::against_swept`]).
    pub fn figures_of(&self, experiment: &str, table: &Table) -> Vec<Figure> {
        let mut out = Vec::new();
        if let Some(catalogue) = self.0.figures() {
            catalogue(experiment, table, &mut out);
        }
        if out.is_empty() {
            out = crate::figure::against_swept(experiment, table, &self.metrics());
        }
        out
    }

    /// Runs one simulation within `ws.budget`; a run that spends it, or whose memory estimate
    /// is over it (then without running), is a failure.
    pub fn run(params: &ModelParams, seeds: RunSeeds, ws: &mut Workspace) -> RunOutput {
        if params.memory(false).bytes > ws.budget.memory {
            return RunOutput::failed(0, params.memory(true).over(&ws.budget));
        }
        params.run(seeds, ws)
    }
}

/// The outcome of one run: its metric cells and the events processed, or why it failed.
#[derive(Clone, Debug, PartialEq)]
pub struct RunOutput {
    /// One cell per metric column, in [`ModelFamily::metrics`] order (empty when `failure` is set).
    pub metrics: Vec<Cell>,
    /// Events the discrete-event core processed.
    pub events: u64,
    /// Why the run failed (its run budget was spent), or `None`.
    pub failure: Option<String>,
}

impl RunOutput {
    /// A successful run.
    pub fn ok(events: u64, metrics: Vec<Cell>) -> RunOutput {
        RunOutput {
            metrics,
            events,
            failure: None,
        }
    }
    /// A run that failed after `events` events, for the reason `why`.
    pub fn failed(events: u64, why: String) -> RunOutput {
        RunOutput {
            metrics: Vec::new(),
            events,
            failure: Some(why),
        }
    }
}

/// Reusable per-thread simulation state (one slot per type a family asks for, so buffers are
/// reused across runs), and what the runner says before each run: the run budget, and whether
/// runs of the plan share environments.
#[derive(Default)]
pub struct Workspace {
    /// The most work the next run may do.
    pub budget: Budget,
    /// Whether several runs of the plan share an environment key (say, the protocols of one
    /// replicate), so that a family may keep an environment for the next run that needs it.
    /// Keeping one or not changes no result.
    pub shared_environments: bool,
    slots: Vec<Box<dyn Any + Send>>,
}

impl Workspace {
    /// The slot of type `T`, created empty on first use.
    pub fn slot<T: Default + Send + 'static>(&mut self) -> &mut T {
        let i = match self.slots.iter().position(|s| (**s).is::<T>()) {
            Some(i) => i,
            None => {
                self.slots.push(Box::new(T::default()));
                self.slots.len() - 1
            }
        };
        self.slots[i]
            .downcast_mut()
            .expect("the slot was found by its type")
    }
}

/// A metric cell of an unsigned count.
pub(crate) fn u(x: u64) -> Cell {
    Cell::U(x)
}

/// A metric cell of a float.
pub(crate) fn f(x: f64) -> Cell {
    Cell::F(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_a_label_the_figures_font_can_set() {
        // The figures' embedded font is an ASCII subset of DejaVu Sans.
        for m in Model::all() {
            for c in m.columns() {
                assert!(
                    !c.label.is_empty() && c.label.is_ascii(),
                    "{}: `{}` has label {:?}",
                    m.name(),
                    c.name,
                    c.label
                );
            }
        }
        use crate::schema::param::Choice;
        for t in crate::model::propagation::TopologyKind::NAMES {
            let k = crate::model::propagation::TopologyKind::from_name(t).unwrap();
            assert!(k.label().is_ascii(), "{t}");
        }
    }

    #[test]
    fn defaults_resolve_and_names_are_unique() {
        let mut names: Vec<&str> = Model::all().map(|m| m.name()).collect();
        for m in Model::all() {
            let values: Vec<Value> = m.params().iter().map(|p| p.default_value()).collect();
            assert!(m.resolve(&values).is_ok(), "{}", m.name());
            if let Some(p) = m.parent_model() {
                let inherited: Vec<&str> = p.params().iter().map(|d| d.key).collect();
                let first: Vec<&str> = m.params()[..inherited.len()]
                    .iter()
                    .map(|d| d.key)
                    .collect();
                assert_eq!(
                    first,
                    inherited,
                    "{} starts with its parent's parameters",
                    m.name()
                );
            }
            assert!(
                !m.notes().is_empty() && !m.summary().is_empty(),
                "{}",
                m.name()
            );
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), REGISTRY.len());
    }

    /// Two columns of one name would make a Parquet file no reader can address: a parameter
    /// named like a metric or an engine column, say. Keys must be unique too.
    #[test]
    fn every_familys_column_names_and_keys_are_unique() {
        fn duplicates<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
            let mut seen = std::collections::BTreeSet::new();
            names.filter(|n| !seen.insert(*n)).collect()
        }
        for m in Model::all() {
            let cols = m.columns();
            let dup = duplicates(cols.iter().map(|c| c.name.as_str()));
            assert!(dup.is_empty(), "{}: columns {dup:?} appear twice", m.name());
            let dup = duplicates(m.params().iter().map(|p| p.key));
            assert!(dup.is_empty(), "{}: keys {dup:?} appear twice", m.name());
        }
        // The check itself: a parameter column named like a metric is found.
        assert_eq!(duplicates(["a", "msgs", "msgs"].into_iter()), ["msgs"]);
    }

    /// Each numeric parameter at the ends of its range, alone: the family's `resolve` reads it
    /// into its declared type and checks it without a panic (a typed field narrower than its
    /// kind's range would panic here), refusing or accepting it.
    #[test]
    fn every_numeric_parameter_resolves_at_both_ends_of_its_range() {
        use crate::schema::param::Kind;
        for m in Model::all() {
            let defaults: Vec<Value> = m.params().iter().map(|p| p.default_value()).collect();
            for (i, p) in m.params().iter().enumerate() {
                let ends = match p.kind {
                    Kind::Int { min, max } | Kind::DurationMs { min, max } => {
                        [Value::Int(min), Value::Int(max)]
                    }
                    Kind::Float { min, max } | Kind::RatePerS { min, max } => {
                        [Value::Float(min), Value::Float(max)]
                    }
                    _ => continue,
                };
                for end in ends {
                    let mut values = defaults.clone();
                    values[i] = end;
                    let _ = m.resolve(&values);
                }
            }
        }
    }

    #[test]
    fn a_workspace_slot_keeps_its_state() {
        let mut ws = Workspace::default();
        ws.slot::<Vec<u32>>().push(7);
        *ws.slot::<u64>() = 3;
        assert_eq!(ws.slot::<Vec<u32>>(), &vec![7]);
        assert_eq!(*ws.slot::<u64>(), 3);
    }
}

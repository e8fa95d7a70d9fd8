//! A plan's runs, held as what identifies them (each run's keys, each case's base values and
//! the axes) and made on demand: a run's values come from its position (case, sweep point,
//! replicate) and its typed configuration from resolving them again, which gives what
//! validation resolved (resolution is a pure function of the values). A plan of 10^6 runs
//! takes 16 bytes a run, not a copy of every value and configuration.

use super::{Axis, RunSpec};
use crate::model::Model;
use crate::schema::param::Value;
use std::ops::Range;
use std::sync::Arc;

/// One case's name and base values (defaults, `[params]`, the case's table, the quick
/// profile's parameters); each of its points overwrites the axes' positions.
#[derive(Clone, Debug)]
pub(super) struct CaseBase {
    /// The case's name ("" for a file without cases).
    pub(super) name: Arc<str>,
    /// One value per model parameter, in schema order.
    pub(super) values: Vec<Value>,
}

/// Every run of a plan, first case and first axis outermost, replicates innermost.
#[derive(Clone, Debug)]
pub struct Runs {
    pub(super) model: Model,
    /// Sweep axes, in file order; each case is their cartesian product.
    pub(super) axes: Vec<Axis>,
    /// Per axis, the position of its parameter in the model's table.
    pub(super) axis_pos: Vec<usize>,
    pub(super) cases: Vec<CaseBase>,
    /// Points per case (the product of the axes' lengths).
    pub(super) points: u64,
    pub(super) replicates: u32,
    /// Per run, its run key and environment key.
    pub(super) keys: Vec<[u64; 2]>,
    /// How many runs are over the memory budget, and the first of them.
    pub(super) over_memory: Option<(usize, usize)>,
}

impl Runs {
    /// Number of runs.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the plan has no runs (never, for a validated plan).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Run `i`'s key: the hash of every keyed parameter and its replicate.
    pub fn run_key(&self, i: usize) -> u64 {
        self.keys[i][0]
    }

    /// Run `i`'s environment key.
    pub fn env_key(&self, i: usize) -> u64 {
        self.keys[i][1]
    }

    /// The name of run `i`'s case ("" for a file without cases).
    pub fn case(&self, i: usize) -> &str {
        &self.cases[i / self.per_case()].name
    }

    /// The runs of each case, in plan order, with the case's name.
    pub fn cases(&self) -> impl Iterator<Item = (&str, Range<usize>)> {
        let n = self.per_case();
        self.cases
            .iter()
            .enumerate()
            .map(move |(c, b)| (&*b.name, c * n..(c + 1) * n))
    }

    /// How many runs are over the memory budget (their rows will be failed rows without
    /// running), and the index of the first; `None` when every run fits.
    pub fn over_memory(&self) -> Option<(usize, usize)> {
        self.over_memory
    }

    /// The sweep axes, in file order.
    pub fn axes(&self) -> &[Axis] {
        &self.axes
    }

    fn per_case(&self) -> usize {
        (self.points * u64::from(self.replicates)) as usize
    }

    /// The values of point `point` of case `case`: the case's base with each axis's value.
    pub(super) fn point_values(&self, case: usize, point: u64) -> Vec<Value> {
        let mut values = self.cases[case].values.clone();
        let mut rest = point;
        // Last axis fastest.
        for (axis, &pos) in self.axes.iter().zip(&self.axis_pos).rev() {
            let n = axis.values.len() as u64;
            values[pos] = axis.values[(rest % n) as usize].clone();
            rest /= n;
        }
        values
    }

    /// Run `i`, made: its values, and its configuration resolved again.
    pub fn get(&self, i: usize) -> RunSpec {
        let per_case = self.per_case();
        let (case, within) = (i / per_case, i % per_case);
        let reps = self.replicates as usize;
        let values = self.point_values(case, (within / reps) as u64);
        let params = self
            .model
            .resolve(&values)
            .expect("every point of a plan resolved when the plan was made, and resolving is pure");
        RunSpec {
            index: i as u64,
            replicate: (within % reps) as u32,
            case: self.cases[case].name.clone(),
            values,
            params,
            run_key: self.run_key(i),
            env_key: self.env_key(i),
        }
    }

    /// Every run, made ([`Runs::get`]), in plan order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = RunSpec> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

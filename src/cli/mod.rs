//! The command line: clap definitions here, one file per command (`run`, `plan`, `status`,
//! `plot`, `slurm`, `list`, `graph`, `schema`, `docs`, `summary`, `gallery`, `reproduce`).
//! This is the only layer
//! that prints, and the one that maps errors to exit codes: 0 success, 1 a failure while
//! running (I/O), 2 a bad spec or bad arguments, 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP.
//! `status` exits 0 when complete, 1 when runs are missing or failed, 2 when a part is
//! damaged.
//!
//! Architecture invariant: `cli` is the only module that prints or chooses an exit code; it
//! holds no simulation logic and knows the model families only through the registry.

/// `println!` that stops quietly when stdout is gone (`chainlab status | head`): a closed pipe
/// is not an error of the command, and must not panic.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod docs;
mod gallery;
mod graph;
mod list;
mod plan;
mod plot;
mod progress;
mod reproduce;
mod run;
mod schema;
mod slurm;
mod status;
mod summary;

use crate::model::Model;
use crate::model::docs as reference;
use crate::output::{self, OutputError};
use crate::runner::{self, Provenance, RunOptions};
use crate::spec::{self, Overrides, Plan, SpecError};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};

/// Seeded, parallel Monte Carlo simulation of blockchain networks, with Parquet output.
#[derive(Parser, Debug)]
#[command(name = "chainlab", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run every pending run of an experiment file and write Parquet results.
    Run(run::RunArgs),
    /// Draw the figures (PNG and SVG) of every plan under a results directory.
    Plot {
        /// A results root, an experiment's directory or one plan directory.
        results: PathBuf,
        /// Write every figure into this directory (default: each plan's own
        /// <plan dir>/figures). Refused when two plans would write figures of the same name.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Figure formats: png, svg or png,svg.
        #[arg(long, value_name = "LIST", default_value = "png,svg")]
        format: String,
        /// Figure size: column (a one-column figure, 3.5 x 2.5 in at 300 dpi), page (a
        /// two-column one, 7.2 x 3 in) or screen (1120 x 620 pixels).
        #[arg(long, value_enum, default_value = "column")]
        size: crate::figure::Size,
    },
    /// Report done, failed and missing runs per shard and overall, for every plan under a
    /// results directory.
    Status {
        /// A results root, an experiment's directory or one plan directory.
        results: PathBuf,
        /// Shard count for the per-shard view (default: the one the shards recorded).
        #[arg(long)]
        shards: Option<u32>,
    },
    /// Write a Slurm job-array script that runs an experiment as N shards, and print the
    /// sbatch command that submits it.
    Slurm(slurm::SlurmArgs),
    /// Show how many runs a spec expands to, how many are done, and what would run.
    Plan {
        #[command(flatten)]
        spec: SpecArgs,
    },
    /// Check an experiment file without running it.
    Validate {
        #[command(flatten)]
        spec: SpecArgs,
    },
    /// List the experiment files with their descriptions.
    List {
        /// Directory to look in.
        #[arg(long, default_value = "experiments")]
        dir: PathBuf,
    },
    /// Generate one graph and write its edge list (`u,v,weight`) as CSV or Parquet.
    Graph(graph::GraphArgs),
    /// Regenerate the parameter and column tables of the documentation from the model
    /// registry (or, with --check, exit 1 if one is stale).
    Docs {
        /// Only compare; exit 1 and name the stale files.
        #[arg(long)]
        check: bool,
        /// The repository root.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Also regenerate every result table printed with its `chainlab summary` command
        /// (README.md and the family notes) from the latest full plans under this results
        /// root.
        #[arg(long, value_name = "RESULTS")]
        summaries: Option<PathBuf>,
    },
    /// Regenerate the README's gallery in results/figures from the experiments' latest full
    /// runs, removing every figure file the gallery does not list.
    Gallery(gallery::GalleryArgs),
    /// Run every experiment file of a directory at full size, draw each plan's figures, and
    /// (with --gallery) regenerate the README's gallery: every figure of the papers.
    Reproduce(reproduce::ReproduceArgs),
    /// Summarise a plan's results per group: n, mean, sd, standard error, 95 % confidence
    /// intervals of the mean (Student t) and of the median (bootstrap), min and max.
    Summary(summary::SummaryArgs),
    /// Print the result columns of a model with their types and units.
    Schema {
        /// The model.
        #[arg(long, default_value = "propagation")]
        model: String,
    },
}

#[derive(Args, Debug)]
struct SpecArgs {
    /// The experiment file (TOML).
    spec: PathBuf,
    /// Results root.
    #[arg(long, default_value = "results")]
    out: PathBuf,
    /// Apply the spec's [quick] profile.
    #[arg(long)]
    quick: bool,
    /// Replace the spec's master seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Replace the spec's replicate count.
    #[arg(long)]
    replicates: Option<u32>,
}

/// Parses the arguments, runs the command and returns the exit code.
pub fn main_with_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    match dispatch(cli.command) {
        Ok(()) => 0,
        Err(Failure::Spec(e)) => {
            eprintln!("error: {e}");
            2
        }
        Err(Failure::Usage(m)) => {
            eprintln!("error: {m}");
            2
        }
        Err(Failure::Output(e)) => {
            eprintln!("error: {e}");
            1
        }
        Err(Failure::Incomplete) => 1,
        Err(Failure::Damaged) => 2,
    }
}

enum Failure {
    Spec(SpecError),
    Usage(String),
    Output(OutputError),
    /// `status`: runs are missing or failed (already reported); exit 1.
    Incomplete,
    /// `status`: a part fails verification (already reported); exit 2.
    Damaged,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Spec(e) => write!(f, "{e}"),
            Failure::Usage(m) => f.write_str(m),
            Failure::Output(e) => write!(f, "{e}"),
            Failure::Incomplete => f.write_str("incomplete"),
            Failure::Damaged => f.write_str("damaged"),
        }
    }
}

impl From<SpecError> for Failure {
    fn from(e: SpecError) -> Self {
        Failure::Spec(e)
    }
}
impl From<OutputError> for Failure {
    fn from(e: OutputError) -> Self {
        Failure::Output(e)
    }
}

/// `n` with its noun: "1 part", "3 parts".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn load(a: &SpecArgs) -> Result<Plan, SpecError> {
    spec::load(
        &a.spec,
        Overrides {
            quick: a.quick,
            seed: a.seed,
            replicates: a.replicates,
        },
    )
}

/// `--size` takes a figure size by its name ([`crate::figure::Size::NAMES`]); the figure
/// module knows no command line, so the mapping lives here.
impl clap::ValueEnum for crate::figure::Size {
    fn value_variants<'a>() -> &'a [Self] {
        use crate::figure::Size;
        &[Size::Column, Size::Page, Size::Screen]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let i = Self::value_variants()
            .iter()
            .position(|s| s == self)
            .expect("every size is listed");
        Some(clap::builder::PossibleValue::new(
            crate::figure::Size::NAMES[i],
        ))
    }
}

fn dispatch(cmd: Command) -> Result<(), Failure> {
    match cmd {
        Command::Run(a) => run::run(a),
        Command::Plan { spec } => plan::plan(&spec),
        Command::Validate { spec } => plan::validate(&spec),
        Command::List { dir } => list::list(&dir),
        Command::Status { results, shards } => status::status(&results, shards),
        Command::Plot {
            results,
            out,
            format,
            size,
        } => plot::plot(&results, out.as_deref(), &format, size),
        Command::Slurm(a) => slurm::slurm(&a),
        Command::Graph(g) => graph::run(&g),
        Command::Docs {
            check,
            root,
            summaries,
        } => docs::run(&root, check, summaries.as_deref()),
        Command::Gallery(a) => gallery::gallery(&a),
        Command::Reproduce(a) => reproduce::reproduce(&a),
        Command::Summary(a) => summary::summary(&a),
        Command::Schema { model } => schema::schema(&model),
    }
}

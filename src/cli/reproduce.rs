//! `chainlab reproduce`: every experiment file of a directory at its full size (or its quick
//! profile), each plan's figures drawn beside it, then the README's gallery; one command for
//! every figure of the three papers. Every file is validated before the first run starts.

use super::run::{RunArgs, run};
use super::*;
use std::time::Instant;

#[derive(Args, Debug)]
pub(super) struct ReproduceArgs {
    /// The experiment files (every `*.toml` here, in name order).
    #[arg(long, default_value = "experiments")]
    dir: PathBuf,
    /// Results root.
    #[arg(long, default_value = "results")]
    out: PathBuf,
    /// Worker threads per experiment (default: all cores).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// Each file's [quick] profile instead of its full size (a look in seconds).
    #[arg(long)]
    quick: bool,
    /// Then regenerate the README's gallery (`chainlab gallery`) from these results.
    #[arg(long)]
    gallery: bool,
}

pub(super) fn reproduce(a: &ReproduceArgs) -> Result<(), Failure> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(&a.dir)
        .map_err(|e| Failure::Usage(format!("{}: {e}", a.dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Failure::Usage(format!(
            "{}: no experiment files (*.toml)",
            a.dir.display()
        )));
    }
    // Bad input stops everything before any run starts.
    let overrides = Overrides {
        quick: a.quick,
        ..Default::default()
    };
    let mut runs = 0;
    for f in &files {
        runs += spec::load(f, overrides)?.runs.len();
    }
    outln!(
        "reproducing {} from {} ({runs} runs{})",
        count(files.len(), "experiment", "experiments"),
        a.dir.display(),
        if a.quick { ", quick profiles" } else { "" }
    );
    let start = Instant::now();
    for f in &files {
        let t = Instant::now();
        run(RunArgs {
            spec: SpecArgs {
                spec: f.clone(),
                out: a.out.clone(),
                quick: a.quick,
                seed: None,
                replicates: None,
            },
            jobs: a.jobs,
            quiet: true,
            shard: None,
            shard_count: None,
            retry_failed: false,
            plot: true,
            format: "png,svg".into(),
            size: crate::figure::Size::Column,
        })?;
        outln!(
            "{}: {:.1} s with its figures",
            f.display(),
            t.elapsed().as_secs_f64()
        );
    }
    if a.gallery {
        super::gallery::gallery(&super::gallery::GalleryArgs::for_results(&a.out, a.quick))?;
    }
    outln!(
        "reproduced {} in {:.1} s",
        count(files.len(), "experiment", "experiments"),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

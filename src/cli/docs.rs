//! `chainlab docs [--check] [--root DIR] [--summaries RESULTS]`: rewrites (or, with `--check`,
//! compares) the generated reference blocks of the documentation from the model registry:
//! every family's `src/model/<family>/README.md`, the engine's columns in `results/README.md`
//! and the list of families in the top-level `README.md`. With `--summaries`, also every result
//! table printed below its command (a line `` `chainlab summary results/<experiment>/plan=<hash>
//! ARGS` ``), from the latest full plan of that experiment under RESULTS.

use super::Failure;
use crate::model::{Model, docs};
use std::path::{Path, PathBuf};

/// Every documentation file with a generated block, and the block's current content.
pub(crate) fn generated_files(root: &Path) -> Vec<(PathBuf, String)> {
    let mut files: Vec<(PathBuf, String)> = Model::all()
        .map(|m| {
            (
                root.join("src/model").join(m.name()).join("README.md"),
                docs::reference(m),
            )
        })
        .collect();
    files.push((root.join("results/README.md"), docs::engine_reference()));
    files.push((root.join("README.md"), docs::families()));
    files
}

/// The command line of a summary table: `chainlab summary` and its arguments.
#[derive(clap::Parser)]
struct SummaryLine {
    #[command(flatten)]
    args: super::summary::SummaryArgs,
}

/// `text` with every table printed below a `` `chainlab summary results/<exp>/plan=<hash> ...` ``
/// line rerun on the latest full plan of `<exp>` under `results`. A table whose experiment has
/// no full plan there is kept as it is and named in `skipped`.
fn refresh_summaries(
    text: &str,
    results: &Path,
    skipped: &mut Vec<String>,
) -> Result<String, String> {
    use clap::Parser;
    let prefix = "`chainlab summary results/";
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        out.push(line.to_string());
        i += 1;
        let Some(rest) = line.strip_prefix(prefix) else {
            continue;
        };
        let command = rest.trim_end().trim_end_matches('`');
        let mut words = command.split_whitespace();
        let target = words.next().unwrap_or_default();
        let Some((exp, _)) = target.split_once("/plan=") else {
            return Err(format!(
                "`{line}`: the plan is written results/<experiment>/plan=<hash>"
            ));
        };
        if exp.starts_with('<') {
            // A usage example (`results/<experiment>/...`), not a table's command.
            continue;
        }
        let plan = super::gallery::latest_plan(results, exp, false)
            .map_err(|_| format!("{}: no readable plans of `{exp}`", results.display()))?;
        let Some(plan) = plan else {
            skipped.push(format!(
                "the table of `{exp}` (no full-profile plan of it under {})",
                results.display()
            ));
            continue;
        };
        let plan_arg = plan.display().to_string();
        let argv = ["summary", plan_arg.as_str()].into_iter().chain(words);
        let parsed = SummaryLine::try_parse_from(argv).map_err(|e| format!("`{line}`: {e}"))?;
        let built = super::summary::build(&parsed.args).map_err(|e| format!("`{line}`: {e}"))?;
        // The blank lines, then the table (consecutive `|` lines), which the fresh one
        // replaces.
        while i < lines.len() && lines[i].trim().is_empty() {
            out.push(lines[i].to_string());
            i += 1;
        }
        if i >= lines.len() || !lines[i].starts_with('|') {
            return Err(format!("`{line}` has no table below it"));
        }
        while i < lines.len() && lines[i].starts_with('|') {
            i += 1;
        }
        out.extend(built.body.trim_end().lines().map(str::to_string));
    }
    let mut s = out.join("\n");
    if text.ends_with('\n') {
        s.push('\n');
    }
    Ok(s)
}

pub(super) fn run(root: &Path, check: bool, summaries: Option<&Path>) -> Result<(), Failure> {
    let mut stale = Vec::new();
    for (path, generated) in generated_files(root) {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
        let fresh = docs::refresh(&text, &generated)
            .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
        let mut skipped = Vec::new();
        let fresh = match summaries {
            Some(results) => refresh_summaries(&fresh, results, &mut skipped)
                .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?,
            None => fresh,
        };
        for what in skipped {
            eprintln!("kept: {}: {what}", path.display());
        }
        if fresh != text {
            if check {
                eprintln!("stale: {}", path.display());
            } else {
                crate::output::write_atomic(&path, fresh)?;
                outln!("rewrote {}", path.display());
            }
            stale.push(path);
        }
    }
    if check && !stale.is_empty() {
        eprintln!("run `cargo run --release -- docs` to regenerate");
        return Err(Failure::Incomplete);
    }
    if stale.is_empty() {
        outln!("every generated block is current");
    }
    Ok(())
}

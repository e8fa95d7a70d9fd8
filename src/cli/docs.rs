//! `chainlab docs [--check] [--root DIR]`: rewrites (or, with `--check`, compares) the
//! generated reference blocks of the documentation from the model registry: every family's
//! `src/model/<family>/README.md`, the engine's columns in `results/README.md` and the list of
//! families in the top-level `README.md`.

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

pub(super) fn run(root: &Path, check: bool) -> Result<(), Failure> {
    let mut stale = Vec::new();
    for (path, generated) in generated_files(root) {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
        let fresh = docs::refresh(&text, &generated)
            .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
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

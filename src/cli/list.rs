//! `chainlab list`: the experiment files with their run counts and descriptions.

use super::*;

pub(super) fn list(dir: &Path) -> Result<(), Failure> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Failure::Usage(format!("{}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for f in files {
        match spec::load(&f, Overrides::default()) {
            Ok(p) => outln!(
                "{:<40} {:>7} runs  {}",
                f.display(),
                p.runs.len(),
                p.description
            ),
            Err(e) => outln!("{:<40} invalid: {e}", f.display()),
        }
    }
    Ok(())
}

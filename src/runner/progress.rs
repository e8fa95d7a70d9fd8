//! The progress bar of a sweep: on a terminal only (and not under `--quiet`), with done,
//! skipped and failed counts, runs per second and the ETA.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar for `total` runs of which `skipped` are done already; hidden unless `show` and
/// stderr is a terminal.
pub(super) fn bar(show: bool, total: usize, skipped: usize) -> ProgressBar {
    let bar = if show && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} runs {msg} {per_sec} ETA {eta}",
        )
        .expect("valid template"),
    );
    bar.set_position(skipped as u64);
    bar.set_message(format!("(skipped {skipped}, failed 0)"));
    bar
}

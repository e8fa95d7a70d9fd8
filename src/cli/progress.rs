//! The progress bar of a sweep, drawn for `chainlab run` on a terminal only (and not under
//! `--quiet`): the runner reports through [`runner::Progress`] and prints nothing itself. The
//! bar counts the runs this invocation executes (runs done before are in its message, not in
//! its rate), so its rate and ETA come from executed runs only.

use crate::runner;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::OnceLock;

/// The bar on stderr, created when the sweep starts (so that it knows its length).
#[derive(Debug, Default)]
pub(super) struct Bar {
    /// The bar and the runs done before this invocation.
    bar: OnceLock<(ProgressBar, usize)>,
}

impl runner::Progress for Bar {
    fn start(&self, to_run: usize, skipped: usize) {
        let _ = self.bar.set((bar(to_run, skipped), skipped));
    }

    fn advance(&self, failed: usize) {
        if let Some((bar, skipped)) = self.bar.get() {
            bar.inc(1);
            bar.set_message(message(
                bar.position(),
                bar.elapsed().as_secs_f64(),
                bar.length().unwrap_or(0),
                *skipped,
                failed,
            ));
        }
    }

    fn finish(&self) {
        if let Some((bar, _)) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}

/// Whether stderr is a terminal, where a bar can be drawn.
pub(super) fn on_terminal() -> bool {
    std::io::IsTerminal::is_terminal(&std::io::stderr())
}

/// A bar for the `to_run` runs to execute (`skipped` are done already).
fn bar(to_run: usize, skipped: usize) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(to_run as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} runs {msg}",
        )
        .expect("valid template"),
    );
    bar.set_message(message(0, 0.0, to_run as u64, skipped, 0));
    bar
}

/// The bar's message after `done` of `total` runs in `elapsed_s` seconds: the rate and ETA
/// once a run has finished ("starting" before), failed runs, and the runs done before.
fn message(done: u64, elapsed_s: f64, total: u64, skipped: usize, failed: usize) -> String {
    let mut parts = Vec::new();
    if done == 0 || elapsed_s <= 0.0 {
        parts.push("starting".to_string());
    } else {
        let rate = done as f64 / elapsed_s;
        let eta = total.saturating_sub(done) as f64 / rate;
        parts.push(format!("{rate:.1} runs/s, ETA {}", eta_text(eta)));
    }
    if failed > 0 {
        parts.push(format!("{failed} failed"));
    }
    if skipped > 0 {
        parts.push(format!("{skipped} done before"));
    }
    format!("({})", parts.join(", "))
}

/// Seconds as "45 s", "3 min 20 s" or "2 h 05 min".
fn eta_text(s: f64) -> String {
    let s = s.round() as u64;
    if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min {:02} s", s / 60, s % 60)
    } else {
        format!("{} h {:02} min", s / 3600, (s % 3600) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::message;

    #[test]
    fn rate_and_eta_count_executed_runs_only() {
        assert_eq!(message(0, 0.0, 100, 40, 0), "(starting, 40 done before)");
        // 10 runs in 2 s: 5 runs/s, 90 left: 18 s, whatever was done before.
        assert_eq!(
            message(10, 2.0, 100, 40, 0),
            "(5.0 runs/s, ETA 18 s, 40 done before)"
        );
        assert_eq!(
            message(10, 2.0, 100, 0, 3),
            "(5.0 runs/s, ETA 18 s, 3 failed)"
        );
        assert_eq!(message(1, 10.0, 2000, 0, 0), "(0.1 runs/s, ETA 5 h 33 min)");
    }
}

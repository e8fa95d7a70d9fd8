//! How long a long sweep axis takes to validate: `chainlab validate` on a 10^6-value axis
//! (the largest a plan holds) written three ways: as a range (`{ from, to, step }`), as a
//! written list of rising floats (19 MB of TOML) and as the same list shuffled. The target is
//! under a second for each on the development VM (the README's limits paragraph and the
//! CHANGELOG record the figures); the toml crate's own parsing of the written lists takes
//! about 0.45 s of it.
//!
//! `cargo bench --bench validate` prints, per form, the best of three wall times of
//! `spec::parse` (plan expansion and hash included) and the plan's run count.

use chainlab::spec::{Overrides, parse};
use std::path::Path;
use std::time::Instant;

const N: u64 = 1_000_000;

fn spec(axis: &str) -> String {
    format!(
        "name = \"axis\"\ndescription = \"a 10^6-value axis\"\nseed = 1\nreplicates = 1\nmodel = \"incentive\"\n[sweep]\nc = {axis}\n"
    )
}

/// The axis values: 0.05 + 9e-7 i, rising, or in a fixed shuffled order.
fn list(shuffled: bool) -> String {
    let mut values: Vec<f64> = (0..N).map(|i| 0.05 + 9e-7 * i as f64).collect();
    if shuffled {
        // Fisher-Yates with a fixed linear congruential generator: the same order every time.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in (1..values.len()).rev() {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            values.swap(i, ((x >> 33) % (i as u64 + 1)) as usize);
        }
    }
    let texts: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    format!("[{}]", texts.join(", "))
}

fn main() {
    let forms = [
        (
            "range",
            spec("{ from = 0.05, to = 0.9499991, step = 0.0000009 }"),
        ),
        ("written list, rising", spec(&list(false))),
        ("written list, shuffled", spec(&list(true))),
    ];
    let path = Path::new("axis.toml");
    for (name, text) in &forms {
        let mut best = f64::INFINITY;
        let mut runs = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let plan = parse(path, text, Overrides::default()).expect("a valid spec");
            best = best.min(t.elapsed().as_secs_f64());
            runs = plan.runs.len();
        }
        println!("{name:<24} {runs} runs, best of 3: {best:.3} s");
    }
}

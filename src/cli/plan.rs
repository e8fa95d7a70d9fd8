//! `chainlab plan` (what a spec expands to, what is done, what would run) and `chainlab
//! validate`.

use super::*;

pub(super) fn plan(spec: &SpecArgs) -> Result<(), Failure> {
    let plan = load(spec)?;
    print_plan(&plan, &spec.out);
    Ok(())
}

pub(super) fn validate(spec: &SpecArgs) -> Result<(), Failure> {
    let plan = load(spec)?;
    outln!(
        "{}: ok ({} model, {} runs, plan {})",
        spec.spec.display(),
        plan.model.name(),
        plan.runs.len(),
        plan.hash_hex()
    );
    // Runs whose memory estimate is over the budget will be failed rows; say so now.
    if let Some((count, first)) = plan.runs.over_memory() {
        let first = plan.runs.get(first);
        outln!(
            "  note: {count} of the {} runs are over the memory budget and will be failed rows without running; the first, run {}: {}",
            plan.runs.len(),
            first.index,
            first.params.memory(true).over(&plan.budget)
        );
    }
    Ok(())
}

fn print_plan(plan: &Plan, out: &Path) {
    let dir = runner::plan_dir(out, plan);
    let checks = runner::check_parts(plan, &dir);
    let done: Vec<bool> = checks
        .iter()
        .map(|c| matches!(c, runner::PartCheck::Verified(_)))
        .collect();
    let done_runs: usize = (0..plan.part_count())
        .filter(|&i| done[i])
        .map(|i| plan.part(i).len())
        .sum();
    outln!("experiment  {} ({})", plan.name, plan.description);
    outln!("model       {}", plan.model.name());
    outln!("seed        {}", plan.master_seed);
    outln!("plan hash   {}", plan.hash_hex());
    outln!("results     {}", dir.display());
    let points = plan.runs.len() / plan.replicates as usize;
    outln!(
        "runs        {} = {} x {}, in {}",
        plan.runs.len(),
        count(points, "point", "points"),
        count(plan.replicates as usize, "replicate", "replicates"),
        count(plan.part_count(), "part", "parts")
    );
    let cases: Vec<(&str, usize)> = plan.runs.cases().map(|(c, r)| (c, r.len())).collect();
    if cases.len() > 1 || cases.first().is_some_and(|c| !c.0.is_empty()) {
        outln!(
            "cases       {}",
            cases
                .iter()
                .map(|(c, n)| format!("{c} ({})", count(*n, "run", "runs")))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    outln!("done        {done_runs}");
    outln!("to run      {}", plan.runs.len() - done_runs);
    let defs = plan.model.params();
    let def = |key: &str| {
        defs.iter()
            .find(|d| d.key == key)
            .expect("an axis is a parameter")
    };
    for a in plan.axes() {
        let d = def(a.key);
        let vals: Vec<String> = a.values.iter().map(|v| d.written(v)).collect();
        outln!(
            "  sweep {} ({}): {}",
            a.key,
            a.values.len(),
            vals.join(", ")
        );
    }
    let fixed: Vec<String> = defs
        .iter()
        .zip(&plan.base)
        .filter(|(d, _)| !plan.axes().iter().any(|a| a.key == d.key))
        .map(|(d, v)| format!("{}={}", d.key, d.written(v)))
        .collect();
    let label = if cases.len() > 1 || cases.first().is_some_and(|c| !c.0.is_empty()) {
        "fixed (each case sets its own values over these)"
    } else {
        "fixed"
    };
    outln!("  {label}: {}", fixed.join(" "));
    for (i, c) in checks.iter().enumerate() {
        if let runner::PartCheck::Damaged(why) = c {
            outln!("damaged     part {i}: {why} (run moves it aside and runs it again)");
        }
    }
    let pending: Vec<usize> = (0..plan.part_count()).filter(|&i| !done[i]).collect();
    if !pending.is_empty() {
        outln!("would run parts: {}", compress_ranges(&pending));
    }
}

fn compress_ranges(v: &[usize]) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && v[j + 1] == v[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            v[i].to_string()
        } else {
            format!("{}-{}", v[i], v[j])
        });
        i = j + 1;
    }
    out.join(",")
}

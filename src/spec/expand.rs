//! The plan's runs: every case and sweep point, first axis outermost and replicates
//! innermost, each resolved and checked by its model; two points of one identity are refused.
//! Run identity itself (run key, environment key, plan hash) is [`super::identity`]'s.

use super::identity::{Point, Prefix};
use super::runs::{CaseBase, Runs};
use super::*;

/// Every run of the plan, first axis outermost, replicates innermost; each point resolved
/// and checked by its model, and only its keys kept ([`Runs`] makes a run on demand).
pub(super) fn expand(
    cx: &Ctx<'_>,
    model: Model,
    base: &Base<'_>,
    quick: &Quick<'_>,
    counts: &Counts,
    over: Overrides,
) -> Result<Runs, SpecError> {
    let defs = model.params();
    let axes = &base.axes;
    let cases = kept_cases(base, quick);
    let points: Option<u64> = axes
        .iter()
        .try_fold(1u64, |p, a| p.checked_mul(a.0.values.len() as u64));
    let total = checked_size(cx, points, cases.len(), counts.replicates)?;
    let points = points.expect("checked_size refuses an overflowing product");
    let axis_pos: Vec<usize> = axes
        .iter()
        .map(|a| {
            defs.iter()
                .position(|d| d.key == a.0.key)
                .expect("axis key is a known parameter")
        })
        .collect();

    // Expand: first axis outermost, replicates innermost.
    let mut keys: Vec<[u64; 2]> = Vec::with_capacity(total as usize);
    let mut idx = vec![0usize; axes.len()];
    // Each point's key and the index of its case in `cases`, to refuse two cases of one
    // point. Within a case the points differ by construction (an axis's values are
    // distinct), so one case needs no map. Only looked up, never iterated, so a hash map's
    // order cannot reach a result.
    let mut seen_points: Option<std::collections::HashMap<u64, usize>> =
        (cases.len() > 1).then(|| std::collections::HashMap::with_capacity(total as usize));
    let later = super::identity::later_defaults(defs);
    // Whether some point fits `[budget] memory`, else the one that needs least; and the runs
    // over it (their count and the first).
    let (mut fits, mut least): (bool, Option<Least>) = (false, None);
    let mut over_memory: Option<(usize, usize)> = None;
    let mut case_bases = Vec::with_capacity(cases.len());
    for (ci, (case, case_map)) in cases.iter().enumerate() {
        let mut case_base = base.values.clone();
        if let Some(m) = case_map {
            apply_params(cx, model, defs, m, &format!("cases.{case}"), &mut case_base)?;
        }
        if let Some(q) = quick.params {
            apply_params(cx, model, defs, q, "quick.params", &mut case_base)?;
        }
        let base_texts: Vec<String> = case_base.iter().map(|b| b.0.canonical()).collect();
        let base_values: Vec<Value> = case_base.iter().map(|b| b.0.clone()).collect();
        // Each point overwrites the axes' positions of these.
        let mut values = base_values.clone();
        let mut origins: Vec<&Origin> = case_base.iter().map(|b| &b.1).collect();
        let mut texts: Vec<&str> = base_texts.iter().map(String::as_str).collect();
        // The identity hashes of the parameters before the first swept one: every point of
        // the case shares them.
        let first_axis = axis_pos.iter().copied().min().unwrap_or(defs.len());
        let prefix = Prefix::new(model).extend(defs, &later, &base_values, &texts, first_axis);
        for _ in 0..points {
            for (a, (axis, origin)) in axes.iter().enumerate() {
                values[axis_pos[a]] = axis.values[idx[a]].clone();
                origins[axis_pos[a]] = origin;
                texts[axis_pos[a]] = axis.text(idx[a]);
            }
            let params = resolve_point(cx, model, &values, &origins, counts, case)?;
            let need = params.memory(false);
            if need.bytes <= counts.budget.memory {
                fits = true;
            } else {
                let n = counts.replicates as usize;
                over_memory = Some(match over_memory {
                    Some((count, first)) => (count + n, first),
                    None => (n, keys.len()),
                });
                if least.as_ref().is_none_or(|l| need.bytes < l.1) {
                    // The point, and where its blamed parameter was set.
                    let i = defs.iter().position(|d| d.key == need.key);
                    let blame = i.map(|i| ((*origins[i]).clone(), defs[i].with_unit(&values[i])));
                    least = Some((params, need.bytes, blame));
                }
            }
            let point = Point::from(prefix, defs, &later, &values, &texts);
            if let Some(other) = seen_points.as_mut().and_then(|s| s.insert(point.key(), ci)) {
                return Err(same_point(cx, base, case, &cases[other].0, over));
            }
            keys.extend((0..counts.replicates).map(|r| [point.run_key(r), point.env_key(r)]));
            // Advance the odometer, last axis fastest.
            for a in (0..axes.len()).rev() {
                idx[a] += 1;
                if idx[a] < axes[a].0.values.len() {
                    break;
                }
                idx[a] = 0;
            }
        }
        case_bases.push(CaseBase {
            name: case.as_str().into(),
            values: base_values,
        });
    }
    if let (false, Some((p, _, blame))) = (fits, least) {
        let why = format!(
            "every run of the plan is over the memory budget; the least: {}",
            p.memory(true).over(&counts.budget)
        );
        return Err(match blame {
            Some((o, value)) => cx.err(SpecErrorKind::Cost, o.span, Some(o.key), Some(value), why),
            None => cx.err(
                SpecErrorKind::Cost,
                None,
                Some("budget.memory".into()),
                None,
                why,
            ),
        });
    }
    Ok(Runs {
        model,
        // The caller moves the axes in (a long axis is not copied).
        axes: Vec::new(),
        axis_pos,
        cases: case_bases,
        points,
        replicates: counts.replicates,
        keys,
        over_memory,
    })
}

/// The point that needs least memory, its estimate in bytes, and the origin and value (as
/// written) of the parameter the estimate blames.
type Least = (ModelParams, u64, Option<(Origin, String)>);

/// The case tables to expand, in file order, less those the quick profile drops ("" stands
/// for a file without cases).
fn kept_cases<'r>(base: &Base<'r>, quick: &Quick<'r>) -> Vec<(String, Option<&'r SpannedMap>)> {
    if base.cases.is_empty() {
        return vec![(String::new(), None)];
    }
    base.cases
        .iter()
        .filter(|(k, _)| {
            quick
                .cases
                .as_ref()
                .is_none_or(|keep| keep.contains(k.get_ref()))
        })
        // The `case` column holds the name normalised (NFC), whatever composition it was typed in.
        .map(|(k, m)| (super::nfc(k.get_ref()), Some(*m)))
        .collect()
}

/// The plan's run count (points x cases x replicates), refused when it is 0 or over
/// [`MAX_RUNS`].
fn checked_size(
    cx: &Ctx<'_>,
    points: Option<u64>,
    cases: usize,
    replicates: u32,
) -> Result<u64, SpecError> {
    // The product in full: an axis product past 2^64 (None) is refused, never wrapped.
    let total = points
        .map_or(u64::MAX, |p| p.saturating_mul(cases as u64))
        .saturating_mul(u64::from(replicates));
    if total == 0 {
        return Err(cx.err(
            SpecErrorKind::Size,
            None,
            Some("sweep".into()),
            None,
            "the plan has no runs; allowed: at least one case, axis value and replicate",
        ));
    }
    if total > MAX_RUNS {
        let exact = points
            .and_then(|p| p.checked_mul(cases as u64))
            .and_then(|x| x.checked_mul(u64::from(replicates)));
        let shown = exact.map_or(format!("more than {}", u64::MAX), |t| t.to_string());
        return Err(cx.err(
            SpecErrorKind::Size,
            None,
            Some("sweep".into()),
            None,
            format!(
                "the plan has {shown} runs; at most {MAX_RUNS} are allowed (a plan is held in memory; split the sweep into several experiment files)"
            ),
        ));
    }
    Ok(total)
}

/// The model's configuration of one point (of case `case`, "" without cases), its cost
/// checked against the budget; a refusal blames the line that set the key the model names,
/// and names the case.
fn resolve_point(
    cx: &Ctx<'_>,
    model: Model,
    values: &[Value],
    origins: &[&Origin],
    counts: &Counts,
    case: &str,
) -> Result<ModelParams, SpecError> {
    let in_case = if case.is_empty() {
        String::new()
    } else {
        format!(" (in case `{case}`)")
    };
    let defs = model.params();
    let params = model
        .resolve(values)
        .map_err(|e| (SpecErrorKind::Combination, e))
        .and_then(|p| {
            p.check_cost(&counts.budget)
                .map(|()| p)
                .map_err(|e| (SpecErrorKind::Cost, e))
        });
    params.map_err(|(kind, e)| match defs.iter().position(|d| d.key == e.key) {
        Some(i) => {
            let o = origins[i];
            cx.err(
                kind,
                o.span.clone(),
                Some(o.key.clone()),
                Some(defs[i].with_unit(&values[i])),
                format!("allowed: {}{in_case}", e.allowed),
            )
        }
        // A family that blames a key outside its table (a defect of the family, not of the
        // spec) still gets a refusal, never a panic.
        None => cx.err(
            kind,
            None,
            Some(e.key.to_string()),
            None,
            format!(
                "allowed: {}{in_case} (model `{}` named a parameter it does not have)",
                e.allowed,
                model.name()
            ),
        ),
    })
}

/// The refusal of `case`, whose point resolves to the same parameters as `other`'s.
fn same_point(
    cx: &Ctx<'_>,
    base: &Base<'_>,
    case: &str,
    other: &str,
    over: Overrides,
) -> SpecError {
    let shown_case = |c: &str| {
        if c.is_empty() {
            "the sweep".to_string()
        } else {
            format!("`cases.{}`", shown_key(c))
        }
    };
    let span = base
        .cases
        .iter()
        .find(|(k, _)| k.get_ref() == case)
        .map(|(k, _)| k.span());
    cx.err(
        SpecErrorKind::Duplicate,
        span,
        Some(if case.is_empty() {
            "sweep".into()
        } else {
            format!("cases.{}", shown_key(case))
        }),
        None,
        format!(
            "resolves to the same parameters as {}{}; every run would repeat another's identity; allowed: cases and sweep points that differ in at least one parameter",
            shown_case(other),
            if over.quick { " under the quick profile" } else { "" }
        ),
    )
}

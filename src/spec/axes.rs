//! Parameter tables and sweep axes: `[params]`, a case's and the quick profile's values
//! applied to a base, and `[sweep]` axes read (lists and ranges) and checked against the
//! model's schema.

use super::*;

fn find_def<'a>(
    cx: &Ctx<'_>,
    model: Model,
    defs: &'a [ParamDef],
    key: &Spanned<String>,
    section: &str,
) -> Result<&'a ParamDef, SpecError> {
    defs.iter().find(|d| d.key == key.get_ref()).ok_or_else(|| {
        let known: Vec<&str> = defs.iter().map(|d| d.key).collect();
        cx.err(
            SpecErrorKind::UnknownKey,
            Some(key.span()),
            Some(format!("{section}.{}", key.get_ref())),
            None,
            format!(
                "unknown parameter for model {}; {}allowed: {}",
                model.name(),
                crate::schema::units::did_you_mean(key.get_ref(), known.iter().copied())
                    .map(|near| format!("did you mean `{near}`? "))
                    .unwrap_or_default(),
                known.join(", ")
            ),
        )
    })
}

pub(super) fn apply_params(
    cx: &Ctx<'_>,
    model: Model,
    defs: &[ParamDef],
    map: &SpannedMap,
    section: &str,
    base: &mut [(Value, Origin)],
) -> Result<(), SpecError> {
    for (k, v) in map {
        if let (Some(case), toml::Value::Table(_)) = (section.strip_prefix("cases."), v.get_ref()) {
            // `[cases.3.14]` is TOML for case "3" holding a table "14".
            return Err(cx.err(
                SpecErrorKind::Syntax,
                Some(k.span()),
                Some(format!("{section}.{}", k.get_ref())),
                None,
                format!(
                    "is a table inside case `{case}`; a case name holding a dot is quoted: [cases.\"{case}.{}\"]",
                    k.get_ref()
                ),
            ));
        }
        let def = find_def(cx, model, defs, k, section)?;
        let key = format!("{section}.{}", def.key);
        let written = v.get_ref().to_string();
        let value = scenario::parse_param(cx, model, def, v.get_ref()).map_err(|r| match r {
            Ok(m) => cx.err(
                SpecErrorKind::Value,
                Some(v.span()),
                Some(key.clone()),
                Some(written),
                m,
            ),
            Err(in_file) => in_file,
        })?;
        let i = defs
            .iter()
            .position(|d| d.key == def.key)
            .expect("found above");
        base[i] = (
            value,
            Origin {
                key,
                span: Some(v.span()),
            },
        );
    }
    Ok(())
}

pub(super) fn parse_axes(
    cx: &Ctx<'_>,
    model: Model,
    defs: &[ParamDef],
    map: &SpannedMap,
    section: &str,
) -> Result<Vec<(Axis, Origin)>, SpecError> {
    let mut entries: Vec<(&Spanned<String>, &Spanned<toml::Value>)> = map.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    let mut axes = Vec::new();
    for (k, v) in entries {
        let def = find_def(cx, model, defs, k, section)?;
        let key = format!("{section}.{}", def.key);
        // The axis as written, made only for an error (a long axis is long text).
        let bad = |m: String| {
            cx.err(
                SpecErrorKind::Value,
                Some(v.span()),
                Some(key.clone()),
                Some(v.get_ref().to_string()),
                m,
            )
        };
        let items: std::borrow::Cow<'_, [toml::Value]> = match v.get_ref() {
            toml::Value::Array(a) if !a.is_empty() => a.as_slice().into(),
            toml::Value::Table(t) => expand_range(t).map_err(&bad)?.into(),
            _ => return Err(bad("a sweep axis is a non-empty list [a, b, ...] or a range { from = a, to = b, step = s }".into())),
        };
        let mut values: Vec<Value> = Vec::with_capacity(items.len());
        let mut axis = Axis {
            key: def.key,
            values: Vec::new(),
            texts: String::new(),
            ends: Vec::with_capacity(items.len()),
        };
        // Equal after unit normalisation ("100 ms" and "0.1 s"): two runs would share one
        // identity and the plan would count the point twice. A repeat before a value that
        // does not parse is the error, as if values were checked one by one.
        let repeated = |axis: &Axis, values: &[Value]| {
            first_repeat(axis, values).map(|(j, i)| {
                cx.err(
                    SpecErrorKind::Duplicate,
                    Some(v.span()),
                    Some(key.clone()),
                    Some(items[i].to_string()),
                    format!(
                        "equals value {} of the axis ({} and {} are both {}); allowed: distinct values",
                        j + 1,
                        items[j],
                        items[i],
                        def.with_unit(&values[i])
                    ),
                )
            })
        };
        for item in items.iter() {
            let value = match scenario::parse_param(cx, model, def, item) {
                Ok(value) => value,
                Err(Err(in_file)) => return Err(in_file),
                Err(Ok(m)) => {
                    return Err(repeated(&axis, &values).unwrap_or_else(|| {
                        cx.err(
                            SpecErrorKind::Value,
                            Some(v.span()),
                            Some(key.clone()),
                            Some(item.to_string()),
                            m,
                        )
                    }));
                }
            };
            value.write_canonical(&mut axis.texts);
            axis.ends.push(axis.texts.len());
            values.push(value);
        }
        if let Some(e) = repeated(&axis, &values) {
            return Err(e);
        }
        axis.values = values;
        axes.push((
            axis,
            Origin {
                key,
                span: Some(v.span()),
            },
        ));
    }
    Ok(axes)
}

/// The first value of `axis` that repeats an earlier one (equal canonical texts: equal after
/// unit normalisation), among its first `values.len()`, as (earlier, later) positions: the
/// later is the least such position, the earlier the first value equal to it. Rising values
/// (a range, a sorted list) are distinct without a look-up (distinct numbers have distinct
/// texts); otherwise their keys (a number's bits, another value's text hash) are sorted, which
/// keeps a long axis n log n and cache-friendly, and texts of one key are compared.
fn first_repeat(axis: &Axis, values: &[Value]) -> Option<(usize, usize)> {
    let rises = values.windows(2).all(|w| match (&w[0], &w[1]) {
        (Value::Int(a), Value::Int(b)) => a < b,
        (Value::Float(a), Value::Float(b)) => a < b,
        _ => false,
    });
    if rises {
        return None;
    }
    // A number's key is its bits, mixed (one axis holds one kind; equal numbers have equal
    // texts); other values hash their texts.
    let key = |i: usize| match &values[i] {
        Value::Int(x) => crate::rng::mix64(*x as u64),
        Value::Float(x) => crate::rng::mix64(x.to_bits()),
        _ => crate::rng::Hasher::new().text(axis.text(i)).finish(),
    };
    let mut keyed: Vec<(u64, usize)> = (0..values.len()).map(|i| (key(i), i)).collect();
    keyed.sort_unstable();
    let mut first: Option<(usize, usize)> = None;
    for group in keyed.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() > 1) {
        // In position order: the first position that meets an equal text before it is the
        // group's least repeat.
        let repeat = group
            .iter()
            .enumerate()
            .skip(1)
            .find_map(|(x, &(_, later))| {
                group[..x]
                    .iter()
                    .find(|&&(_, e)| axis.text(e) == axis.text(later))
                    .map(|&(_, earlier)| (earlier, later))
            });
        if let Some(r) = repeat
            && first.is_none_or(|f| r.1 < f.1)
        {
            first = Some(r);
        }
    }
    first
}

/// `{ from, to, step }`, inclusive of `to`; integers stay integers.
fn expand_range(t: &toml::Table) -> Result<Vec<toml::Value>, String> {
    let usage =
        || "a range is { from = a, to = b, step = s } with step > 0 and from <= to".to_string();
    for k in t.keys() {
        if !["from", "to", "step"].contains(&k.as_str()) {
            return Err(format!("unknown range key `{k}`; {}", usage()));
        }
    }
    let get = |k: &str| t.get(k).ok_or_else(usage);
    match (
        get("from")?,
        get("to")?,
        t.get("step").unwrap_or(&toml::Value::Integer(1)),
    ) {
        (toml::Value::Integer(a), toml::Value::Integer(b), toml::Value::Integer(s)) => {
            // Checked: a range over the whole of i64 must be an error, not a wrapped count.
            let steps = b.checked_sub(*a).map(|d| d / s.max(&1));
            if *s <= 0 || a > b || steps.is_none_or(|n| n > 1_000_000) {
                return Err(usage());
            }
            Ok((0..=(b - a) / s)
                .map(|i| toml::Value::Integer(a + i * s))
                .collect())
        }
        (a, b, s) => {
            let f = |v: &toml::Value| {
                v.as_float()
                    .or_else(|| v.as_integer().map(|i| i as f64))
                    .ok_or_else(usage)
            };
            let (a, b, s) = (f(a)?, f(b)?, f(s)?);
            if s.is_nan() || s <= 0.0 || a > b || (b - a) / s > 1e6 {
                return Err(usage());
            }
            let n = ((b - a) / s + 1e-9).floor() as i64;
            Ok((0..=n)
                .map(|i| toml::Value::Float(a + i as f64 * s))
                .collect())
        }
    }
}

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
        let value = def.parse(v.get_ref()).map_err(|m| {
            cx.err(
                SpecErrorKind::Value,
                Some(v.span()),
                Some(key.clone()),
                Some(written),
                m,
            )
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
        let mut texts: Vec<String> = Vec::with_capacity(items.len());
        // Each value's canonical text and position, so that a long axis is checked in linear
        // time rather than by comparing every pair. Only looked up, never iterated, so a hash
        // map's order cannot reach a result.
        let mut seen: std::collections::HashMap<String, usize> =
            std::collections::HashMap::with_capacity(items.len());
        for item in items.iter() {
            let value = def.parse(item).map_err(|m| {
                cx.err(
                    SpecErrorKind::Value,
                    Some(v.span()),
                    Some(key.clone()),
                    Some(item.to_string()),
                    m,
                )
            })?;
            // Equal after unit normalisation ("100 ms" and "0.1 s"): two runs would share one
            // identity and the plan would count the point twice.
            let text = value.canonical();
            if let Some(&j) = seen.get(&text) {
                return Err(cx.err(
                    SpecErrorKind::Duplicate,
                    Some(v.span()),
                    Some(key.clone()),
                    Some(item.to_string()),
                    format!(
                        "equals value {} of the axis ({} and {} are both {}); allowed: distinct values",
                        j + 1,
                        items[j],
                        item,
                        def.with_unit(&value)
                    ),
                ));
            }
            seen.insert(text.clone(), values.len());
            values.push(value);
            texts.push(text);
        }
        axes.push((
            Axis {
                key: def.key,
                values,
                texts,
            },
            Origin {
                key,
                span: Some(v.span()),
            },
        ));
    }
    Ok(axes)
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

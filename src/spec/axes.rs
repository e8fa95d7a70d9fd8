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
        let mut axis = Axis {
            key: def.key,
            values: Vec::new(),
            texts: String::new(),
            ends: Vec::with_capacity(items.len()),
        };
        let mut seen = Seen::new(items.len());
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
            value.write_canonical(&mut axis.texts);
            axis.ends.push(axis.texts.len());
            if let Some(j) = seen.repeat_of(&axis, &values, &value) {
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
            values.push(value);
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

/// The positions of an axis's texts, by their hash, so that a long axis is checked in linear
/// time rather than by comparing every pair; texts of one hash are compared. While the
/// values rise (a range, a sorted list) they are distinct without a look-up: distinct numbers
/// have distinct canonical texts. Only looked up, never iterated, so a hash map's order
/// cannot reach a result.
struct Seen {
    /// Whether every value so far rose; the map is filled when one does not.
    rising: bool,
    /// The axis's length.
    len: usize,
    /// The first text of each hash (one probe a value: a long axis's map is out of cache).
    by_hash: std::collections::HashMap<u64, usize, std::hash::BuildHasherDefault<Prehashed>>,
    /// Texts whose hash an earlier, different text has (almost never any).
    collided: Vec<usize>,
}

impl Seen {
    fn new(len: usize) -> Seen {
        Seen {
            rising: true,
            len,
            by_hash: Default::default(),
            collided: Vec::new(),
        }
    }

    /// Records `axis`'s value `value` (its text is `axis`'s last), after `values`; the
    /// position of an earlier equal value, if there is one.
    fn repeat_of(&mut self, axis: &Axis, values: &[Value], value: &Value) -> Option<usize> {
        let i = values.len();
        if self.rising {
            let rises = match (values.last(), value) {
                (None, _) => true,
                (Some(Value::Int(a)), Value::Int(b)) => a < b,
                (Some(Value::Float(a)), Value::Float(b)) => a < b,
                _ => false,
            };
            if rises {
                return None;
            }
            self.rising = false;
            self.by_hash.reserve(self.len);
            for j in 0..i {
                self.look_up(axis, j);
            }
        }
        self.look_up(axis, i)
    }

    /// Records text `i` in the map; the position of an earlier equal text, if there is one.
    fn look_up(&mut self, axis: &Axis, i: usize) -> Option<usize> {
        let text = axis.text(i);
        let same = |j: &usize| axis.text(*j) == text;
        match self
            .by_hash
            .entry(crate::rng::Hasher::new().text(text).finish())
        {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(i);
                None
            }
            std::collections::hash_map::Entry::Occupied(e) if same(e.get()) => Some(*e.get()),
            std::collections::hash_map::Entry::Occupied(_) => {
                let earlier = self.collided.iter().find(|j| same(j)).copied();
                if earlier.is_none() {
                    self.collided.push(i);
                }
                earlier
            }
        }
    }
}

/// A [`std::hash::Hasher`] for keys that are already hashes: it passes them through.
#[derive(Default)]
struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
    fn finish(&self) -> u64 {
        self.0
    }
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

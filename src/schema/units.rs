//! Unit-bearing values in experiment files: durations ("100 ms", "2 s") and rates
//! ("1 per 600 s", "0.5 /s").

fn unit_seconds(unit: &str) -> Option<f64> {
    Some(match unit {
        // The micro sign (U+00B5) and the Greek mu (U+03BC) look alike; both are accepted.
        "us" | "\u{b5}s" | "\u{3bc}s" => 1e-6,
        "ms" => 1e-3,
        "s" | "sec" => 1.0,
        "min" => 60.0,
        "h" => 3600.0,
        _ => return None,
    })
}

/// Parses a duration such as "100 ms" or "1.5 s" into whole milliseconds. Fractions of a
/// millisecond are refused, since the propagation clock ticks in milliseconds.
pub fn parse_duration_ms(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let split = t.find(|c: char| {
        !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')
    });
    let (num, unit) = match split {
        Some(i) => (t[..i].trim(), t[i..].trim()),
        None => (t, ""),
    };
    let x: f64 = num
        .parse()
        .map_err(|_| format!("\"{text}\" is not a duration such as \"100 ms\" or \"2 s\""))?;
    let secs = unit_seconds(unit).ok_or_else(|| {
        format!("\"{text}\": unknown time unit \"{unit}\" (allowed: us, ms, s, min, h)")
    })?;
    let ms = x * secs * 1000.0;
    if !ms.is_finite() || (ms - ms.round()).abs() > 1e-9 {
        return Err(format!("\"{text}\" is not a whole number of milliseconds"));
    }
    Ok(ms.round() as i64)
}

/// Parses a rate such as "1 per 600 s", "6 per min" or "0.5 /s" into events per second.
pub fn parse_rate_per_s(text: &str) -> Result<f64, String> {
    let bad = || format!("\"{text}\" is not a rate such as \"1 per 600 s\" or \"0.5 /s\"");
    let t = text.trim();
    let (lhs, rhs) = if let Some(i) = t.find(" per ") {
        (&t[..i], &t[i + 5..])
    } else if let Some(i) = t.find('/') {
        (&t[..i], &t[i + 1..])
    } else {
        return Err(bad());
    };
    let count: f64 = lhs.trim().parse().map_err(|_| bad())?;
    let rhs = rhs.trim();
    let (span, unit) = match rhs.rsplit_once(' ') {
        Some((n, u)) => (n.trim().parse::<f64>().map_err(|_| bad())?, u.trim()),
        None => (1.0, rhs),
    };
    // "1 per inf s" or "1 per 1e400 s" (which parses as infinity) is no rate of 0: a count and
    // a span are finite, and a span is positive.
    if !count.is_finite() || !span.is_finite() || span <= 0.0 {
        return Err(format!(
            "\"{text}\": a rate's count and span are finite numbers, its span positive"
        ));
    }
    let secs = unit_seconds(unit).ok_or_else(bad)?;
    let rate = count / (span * secs);
    if !rate.is_finite() {
        return Err(bad());
    }
    Ok(rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micro_is_the_micro_sign_or_the_greek_mu() {
        assert_eq!(parse_duration_ms("1000 us"), Ok(1));
        assert_eq!(parse_duration_ms("1000 \u{b5}s"), Ok(1));
        assert_eq!(parse_duration_ms("1000 \u{3bc}s"), Ok(1));
        assert_eq!(parse_rate_per_s("1 per 1000000 \u{3bc}s"), Ok(1.0));
    }

    #[test]
    fn a_rate_needs_a_finite_count_and_a_finite_positive_span() {
        for bad in [
            "1 per inf s",
            "1 per 1e400 s",
            "inf per s",
            "1 per 0 s",
            "1 per -2 s",
        ] {
            assert!(parse_rate_per_s(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_rate_per_s("0 per s"), Ok(0.0));
        assert_eq!(parse_rate_per_s("6 per min"), Ok(0.1));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("100 ms"), Ok(100));
        assert_eq!(parse_duration_ms("2 s"), Ok(2000));
        assert_eq!(parse_duration_ms("1.5s"), Ok(1500));
        assert_eq!(parse_duration_ms("-5 ms"), Ok(-5));
        assert!(parse_duration_ms("100").is_err());
        assert!(parse_duration_ms("0.5 ms").is_err());
        assert!(parse_duration_ms("ten ms").is_err());
        assert!(parse_duration_ms("3 days").is_err());
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate_per_s("1 per 600 s"), Ok(1.0 / 600.0));
        assert_eq!(parse_rate_per_s("6 per min"), Ok(0.1));
        assert_eq!(parse_rate_per_s("0.5 /s"), Ok(0.5));
        assert!(parse_rate_per_s("0.5").is_err());
        assert!(parse_rate_per_s("1 per 0 s").is_err());
    }
}

/// A duration of `ms` milliseconds as an experiment file would write it, in the largest unit
/// that keeps it whole ("10 s", "1 h", "250 ms").
pub fn duration_text(ms: i64) -> String {
    for (unit, per) in [("h", 3_600_000), ("min", 60_000), ("s", 1000)] {
        if ms != 0 && ms % per == 0 {
            return format!("{} {unit}", ms / per);
        }
    }
    format!("{ms} ms")
}

/// A rate of `per_s` events per second as an experiment file would write it: "1 per 600 s"
/// when it is one event per a whole number of seconds, else "0.5 per s".
pub fn rate_text(per_s: f64) -> String {
    if per_s > 0.0 && per_s < 1.0 {
        let span = 1.0 / per_s;
        if (span - span.round()).abs() < 1e-6 * span {
            return format!("1 per {} s", span.round());
        }
    }
    format!("{per_s} per s")
}

/// The candidate closest to `word` by edit distance, when it is close enough to be a typo
/// (at most a third of the word's length, and at least one edit allowed).
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod human_tests {
    use super::*;

    #[test]
    fn values_read_as_written_and_typos_find_their_word() {
        assert_eq!(duration_text(10_000), "10 s");
        assert_eq!(duration_text(3_600_000), "1 h");
        assert_eq!(duration_text(250), "250 ms");
        assert_eq!(duration_text(0), "0 ms");
        assert_eq!(duration_text(90_000), "90 s");
        assert_eq!(rate_text(1.0 / 600.0), "1 per 600 s");
        assert_eq!(rate_text(0.3), "0.3 per s");
        assert_eq!(rate_text(100.0), "100 per s");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        let keys = ["nodes", "peers", "timeout", "topology"];
        assert_eq!(did_you_mean("node", keys), Some("nodes"));
        assert_eq!(did_you_mean("toplogy", keys), Some("topology"));
        assert_eq!(did_you_mean("colour", keys), None);
        assert_eq!(did_you_mean("kot", ["kout", "ws"]), Some("kout"));
        // A swap is two edits: too far for a four-letter word.
        assert_eq!(did_you_mean("kuot", ["kout", "ws"]), None);
    }
}

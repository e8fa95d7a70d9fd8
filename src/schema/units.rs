//! Unit-bearing values in experiment files: durations ("100 ms", "2 s") and rates
//! ("1 per 600 s", "0.5 /s").

fn unit_seconds(unit: &str) -> Option<f64> {
    Some(match unit {
        "us" | "µs" => 1e-6,
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

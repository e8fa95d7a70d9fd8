//! Simulated time's units, and every conversion between them. The engine's clocks are
//! integers ([`crate::des::Time`]): nanoseconds in the blockchain models (`pbft`, `twin`,
//! `management`) and milliseconds in the propagation models (`propagation`, `churn`), as each
//! family's notes say; durations in experiment files are whole milliseconds
//! ([`crate::schema::param::Millis`]). A second, a millisecond and their float forms are
//! spelled here once.
//!
//! Architecture invariant: `time` knows nothing of the crate: constants and pure arithmetic.

/// Nanoseconds in a millisecond.
pub const NS_PER_MS: u64 = 1_000_000;
/// Nanoseconds in a second.
pub const NS_PER_S: u64 = 1_000_000_000;
/// Nanoseconds in a second, as a float (for times drawn or reported in seconds).
pub const NS_PER_S_F64: f64 = 1e9;

/// Seconds in `ns` nanoseconds.
pub fn secs_of_ns(ns: u64) -> f64 {
    ns as f64 / NS_PER_S_F64
}

/// Whole nanoseconds in `ms` milliseconds (a float, non-negative), rounded to the nearest.
pub fn ns_of_ms(ms: f64) -> u64 {
    (ms * NS_PER_MS as f64).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_agree_with_the_constants() {
        assert_eq!(NS_PER_S, 1000 * NS_PER_MS);
        assert_eq!(NS_PER_S as f64, NS_PER_S_F64);
        assert_eq!(secs_of_ns(1_500_000_000), 1.5);
        assert_eq!(ns_of_ms(2.5), 2_500_000);
        assert_eq!(ns_of_ms(0.0000004), 0);
        assert_eq!(ns_of_ms(0.0000006), 1);
    }
}

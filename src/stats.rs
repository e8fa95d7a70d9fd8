//! Summary statistics for result tables: mean, standard deviation, standard error, Student-t
//! confidence intervals, percentile-bootstrap intervals for medians, and the replicates a
//! target precision needs. Used by `chainlab summary`.
//!
//! Architecture invariant: `stats` knows no model, no file and no clock; its only randomness
//! (the bootstrap) comes from a stream of [`crate::rng`], so every summary is reproducible.

use crate::rng::purpose;
use crate::rng::stream;
use rand::RngExt;

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error below 1e-15).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 - x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, &c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The continued fraction of the regularised incomplete beta function (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// The regularised incomplete beta function I_x(a, b).
fn beta_inc(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

/// P(T <= t) for Student's t with `df` degrees of freedom.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    let x = df / (df + t * t);
    let tail = 0.5 * beta_inc(df / 2.0, 0.5, x);
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// The `p` quantile (0.5 < p < 1) of Student's t with `df` degrees of freedom, by bisection
/// on [`t_cdf`] to 1e-12.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    assert!(p > 0.5 && p < 1.0 && df > 0.0, "t_quantile({p}, {df})");
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    while t_cdf(hi, df) < p {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-12 * hi.max(1.0) {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// What `summary` reports of one group's values.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Finite values (NaN and infinite values are counted apart, in `undefined`).
    pub n: usize,
    /// Values that were NaN or infinite (a metric undefined in that run).
    pub undefined: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n - 1); NaN below two values.
    pub sd: f64,
    /// Standard error of the mean, sd / sqrt(n).
    pub se: f64,
    /// 95 % confidence interval of the mean (Student t, n - 1 degrees of freedom).
    pub ci_low: f64,
    /// Upper end of that interval.
    pub ci_high: f64,
    /// Median.
    pub median: f64,
    /// 95 % percentile-bootstrap interval of the median.
    pub median_ci_low: f64,
    /// Upper end of that interval.
    pub median_ci_high: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

/// Bootstrap resamples for the median's interval.
pub const BOOTSTRAP_RESAMPLES: usize = 2000;

/// The median of sorted values.
fn median_sorted(v: &[f64]) -> f64 {
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// The summary of `values`; the bootstrap draws from the stream keyed by `key`.
pub fn summarise(values: &[f64], key: u64) -> Summary {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let undefined = values.len() - v.len();
    let n = v.len();
    let nan = f64::NAN;
    if n == 0 {
        return Summary {
            n,
            undefined,
            mean: nan,
            sd: nan,
            se: nan,
            ci_low: nan,
            ci_high: nan,
            median: nan,
            median_ci_low: nan,
            median_ci_high: nan,
            min: nan,
            max: nan,
        };
    }
    v.sort_by(f64::total_cmp);
    let mean = v.iter().sum::<f64>() / n as f64;
    let (sd, se, half) = if n >= 2 {
        let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
        let sd = var.sqrt();
        let se = sd / (n as f64).sqrt();
        (sd, se, t_quantile(0.975, (n - 1) as f64) * se)
    } else {
        (nan, nan, nan)
    };
    let (median_ci_low, median_ci_high) = if n >= 2 {
        let mut rng = stream(0, key, purpose::BOOTSTRAP);
        let mut medians = Vec::with_capacity(BOOTSTRAP_RESAMPLES);
        let mut sample = vec![0.0; n];
        for _ in 0..BOOTSTRAP_RESAMPLES {
            for s in &mut sample {
                *s = v[rng.random_range(0..n)];
            }
            sample.sort_by(f64::total_cmp);
            medians.push(median_sorted(&sample));
        }
        medians.sort_by(f64::total_cmp);
        let at = |q: f64| {
            medians[((q * BOOTSTRAP_RESAMPLES as f64) as usize).min(BOOTSTRAP_RESAMPLES - 1)]
        };
        (at(0.025), at(0.975))
    } else {
        (nan, nan)
    };
    Summary {
        n,
        undefined,
        mean,
        sd,
        se,
        ci_low: mean - half,
        ci_high: mean + half,
        median: median_sorted(&v),
        median_ci_low,
        median_ci_high,
        min: v[0],
        max: v[n - 1],
    }
}

/// Replicates for the 95 % interval's half-width to reach `precision` x |mean| (for example
/// 0.01 for 1 %), from this group's sd: the least n with t(0.975, n - 1) sd / sqrt(n) <=
/// precision |mean|. `None` when it cannot be estimated (fewer than two values, a zero mean),
/// `Some(n)` with n at most 10^9.
pub fn replicates_for(s: &Summary, precision: f64) -> Option<u64> {
    if s.n < 2 || !(s.sd.is_finite()) || s.mean == 0.0 || precision <= 0.0 {
        return None;
    }
    if s.sd == 0.0 {
        return Some(2);
    }
    let target = precision * s.mean.abs();
    let half = |n: u64| t_quantile(0.975, (n - 1) as f64) * s.sd / (n as f64).sqrt();
    let (mut lo, mut hi) = (2u64, 4u64);
    while half(hi) > target {
        lo = hi;
        hi *= 2;
        if hi > 1_000_000_000 {
            return Some(1_000_000_000);
        }
    }
    while lo < hi {
        let mid = (lo + hi) / 2;
        if half(mid) <= target {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Some(lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_printed_tables() {
        // Two-sided 95 % critical values, as printed in every statistics table
        // (e.g. NIST/SEMATECH e-Handbook, Table 1.3.6.7.2).
        for (df, t) in [
            (1.0, 12.706_204_7),
            (2.0, 4.302_652_7),
            (5.0, 2.570_581_8),
            (9.0, 2.262_157_2),
            (29.0, 2.045_229_6),
            (100.0, 1.983_971_5),
            (1e7, 1.959_964_1),
        ] {
            let got = t_quantile(0.975, df);
            assert!((got - t).abs() < 1e-6, "df {df}: {got} vs {t}");
        }
        assert!((t_cdf(0.0, 7.0) - 0.5).abs() < 1e-15);
    }

    #[test]
    fn a_textbook_interval() {
        // Student's sleep data (Cushny and Peebles; R's `sleep`, group 1): mean 0.75,
        // sd 1.789010, and t.test gives the 95 % interval [-0.5297804, 2.0297804].
        let x = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
        let s = summarise(&x, 1);
        assert_eq!((s.n, s.undefined), (10, 0));
        assert!((s.mean - 0.75).abs() < 1e-12);
        assert!((s.sd - 1.789_010).abs() < 1e-6);
        assert!((s.ci_low + 0.529_780_4).abs() < 1e-6, "{}", s.ci_low);
        assert!((s.ci_high - 2.029_780_4).abs() < 1e-6, "{}", s.ci_high);
        assert_eq!((s.min, s.max, s.median), (-1.6, 3.7, 0.35));
        assert!(s.median_ci_low <= s.median && s.median <= s.median_ci_high);
        // The same key gives the same bootstrap.
        assert_eq!(summarise(&x, 1), s);
    }

    #[test]
    fn undefined_values_are_counted_apart_and_precision_needs_more_replicates() {
        let s = summarise(&[1.0, f64::NAN, 3.0, f64::INFINITY], 0);
        assert_eq!((s.n, s.undefined, s.mean), (2, 2, 2.0));
        let one = summarise(&[5.0], 0);
        assert!(one.sd.is_nan() && one.ci_low.is_nan());
        assert_eq!(replicates_for(&one, 0.01), None);
        // sd 1.789 around 0.75: 1 % needs about (1.96 x 1.789 / 0.0075)^2 = 218 600 runs.
        let x = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
        let n = replicates_for(&summarise(&x, 0), 0.01).unwrap();
        assert!((218_000..220_000).contains(&n), "{n}");
        let n10 = replicates_for(&summarise(&x, 0), 0.5).unwrap();
        let s = summarise(&x, 0);
        let half = |n: u64| t_quantile(0.975, (n - 1) as f64) * s.sd / (n as f64).sqrt();
        assert!(half(n10) <= 0.5 * 0.75 && half(n10 - 1) > 0.5 * 0.75);
    }

    /// The exact distribution-free interval of a median: with B ~ Binomial(n, 1/2), the order
    /// statistics x_(l) and x_(n + 1 - l) for the largest l with P(B < l) <= 0.025 (computed
    /// here from binomial coefficients, independently of the bootstrap).
    fn order_statistic_interval(n: usize) -> (usize, usize) {
        let mut pmf = vec![0.0f64; n + 1];
        let mut c = 1.0f64;
        for (k, p) in pmf.iter_mut().enumerate() {
            *p = c * 0.5f64.powi(n as i32);
            c = c * (n - k) as f64 / (k + 1) as f64;
        }
        let mut below = 0.0;
        let mut l = 0;
        for (k, p) in pmf.iter().enumerate() {
            // below = P(B < k)
            if below <= 0.025 {
                l = k;
            }
            below += p;
        }
        (l, n + 1 - l)
    }

    /// The median's 95 % interval is a 95 % interval: its ends lie within one order
    /// statistic of the exact binomial interval's (n = 20: x_(6) and x_(15), coverage
    /// 95.9 %), and over 400 samples of 15 standard normals it covers the true median 0 in
    /// 90-99.5 % of them (a 50 % interval labelled 95 % would cover about half).
    #[test]
    fn the_median_interval_matches_the_exact_order_statistic_interval_and_covers() {
        use rand::SeedableRng;
        use rand_distr::{Distribution, StandardNormal};
        assert_eq!(order_statistic_interval(20), (6, 15));
        assert_eq!(order_statistic_interval(10), (2, 9));
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        for trial in 0..50 {
            let x: Vec<f64> = (0..20).map(|_| StandardNormal.sample(&mut rng)).collect();
            let s = summarise(&x, trial);
            let mut v = x.clone();
            v.sort_by(f64::total_cmp);
            let (l, u) = order_statistic_interval(20);
            let at = |i: usize| v[i - 1];
            assert!(
                at(l - 1) <= s.median_ci_low && s.median_ci_low <= at(l + 1),
                "{trial}"
            );
            assert!(
                at(u - 1) <= s.median_ci_high && s.median_ci_high <= at(u + 1),
                "{trial}"
            );
        }
        let mut covered = 0;
        for trial in 0..400 {
            let x: Vec<f64> = (0..15).map(|_| StandardNormal.sample(&mut rng)).collect();
            let s = summarise(&x, 1000 + trial);
            covered += usize::from(s.median_ci_low <= 0.0 && 0.0 <= s.median_ci_high);
        }
        assert!((360..=398).contains(&covered), "{covered} of 400");
    }
}

//! Decentralisation and summary statistics as the papers compute them.

/// SymBChainSim's "Gini" of block production (SymBChainSim V2's formula): shares sorted ascending,
/// cumulative sums L_1..L_N, `1 - trapz(L, x=0..N-1) / trapz((i+1)/N, x=0..N-1)`, in closed
/// form `1 - N (2S - L_1 - 1) / (N^2 - 1)` with S the sum of the L_i. It omits the Lorenz
/// origin, so its maximum is `1 - N / (N^2 - 1)`. NaN when no block was produced or N < 2.
pub fn gini_sbs(counts: &[u64]) -> f64 {
    let n = counts.len();
    let total: u64 = counts.iter().sum();
    if n < 2 || total == 0 {
        return f64::NAN;
    }
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    let mut cum = 0.0;
    let mut lorenz = Vec::with_capacity(n);
    for c in &sorted {
        cum += *c as f64 / total as f64;
        lorenz.push(cum);
    }
    // Trapezoids over unit steps, exactly as numpy.trapz does.
    let trapz = |y: &dyn Fn(usize) -> f64| (1..n).map(|i| (y(i - 1) + y(i)) / 2.0).sum::<f64>();
    let area = trapz(&|i| lorenz[i]);
    let equal = trapz(&|i| (i + 1) as f64 / n as f64);
    1.0 - area / equal
}

/// The textbook discrete Gini `1 - (2S - 1) / N` over the Lorenz curve with its origin; 0 at
/// equality, `(N-1)/N` when one node produced everything. NaN when no block was produced.
pub fn gini(counts: &[u64]) -> f64 {
    let n = counts.len();
    let total: u64 = counts.iter().sum();
    if n == 0 || total == 0 {
        return f64::NAN;
    }
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    let mut cum = 0.0;
    let mut s = 0.0;
    for c in &sorted {
        cum += *c as f64 / total as f64;
        s += cum;
    }
    1.0 - (2.0 * s - 1.0) / n as f64
}

/// The `q`-quantile (0..=1) of `xs` by the nearest-rank rule on a sorted copy; reorders `xs`.
/// NaN for an empty slice.
pub fn quantile(xs: &mut [f64], q: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * xs.len() as f64).ceil() as usize).clamp(1, xs.len()) - 1;
    let (_, x, _) = xs.select_nth_unstable_by(rank, f64::total_cmp);
    *x
}

/// Mean of the finite values, NaN if there are none.
pub fn mean_finite(xs: impl IntoIterator<Item = f64>) -> f64 {
    let (mut s, mut k) = (0.0, 0u64);
    for x in xs {
        if x.is_finite() {
            s += x;
            k += 1;
        }
    }
    if k == 0 { f64::NAN } else { s / k as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gini_by_hand() {
        assert_eq!(gini_sbs(&[3, 3, 3, 3]), 0.0);
        assert!(gini(&[3, 3, 3, 3]).abs() < 1e-15);
        // One node produced all: SBS 1 - N/(N^2-1), textbook (N-1)/N.
        let mut one = vec![0; 10];
        one[4] = 7;
        assert!((gini_sbs(&one) - (1.0 - 10.0 / 99.0)).abs() < 1e-12);
        assert!((gini(&one) - 0.9).abs() < 1e-12);
        // 53 blocks round robin on 10 nodes (SymBChainSim V2's formula): 0.03945 vs 0.0396.
        let rr = [6, 6, 6, 5, 5, 5, 5, 5, 5, 5];
        assert!((gini_sbs(&rr) - 0.039_45).abs() < 5e-6, "{}", gini_sbs(&rr));
        assert!((gini(&rr) - 0.039_62).abs() < 5e-5, "{}", gini(&rr));
        // Closed form of SBS's formula.
        let counts = [1, 4, 0, 2, 9];
        let mut s = counts.to_vec();
        s.sort();
        let tot: u64 = s.iter().sum();
        let l: Vec<f64> = s
            .iter()
            .scan(0.0, |c, &x| {
                *c += x as f64 / tot as f64;
                Some(*c)
            })
            .collect();
        let big_s: f64 = l.iter().sum();
        let n = 5.0;
        let closed = 1.0 - n * (2.0 * big_s - l[0] - 1.0) / (n * n - 1.0);
        assert!((gini_sbs(&counts) - closed).abs() < 1e-12);
        assert!(gini(&[0, 0]).is_nan() && gini_sbs(&[0, 0]).is_nan());
    }

    #[test]
    fn quantiles_nearest_rank() {
        let mut xs = vec![5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(quantile(&mut xs, 0.5), 3.0);
        assert_eq!(quantile(&mut xs, 0.95), 5.0);
        assert_eq!(quantile(&mut xs, 0.0), 1.0);
        assert!(quantile(&mut [], 0.5).is_nan());
        assert_eq!(mean_finite([1.0, f64::NAN, 3.0]), 2.0);
    }
}

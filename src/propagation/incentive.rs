//! OPPI's incentive function (Section 5, Eq. 7) and the Sybil conditions it is meant to meet
//! (Eqs. 3, 5, 6), as reconstructed in the incentive family's notes (`src/model/incentive/README.md`).
//!
//! A propagation path has `k` nodes: positions `1..k-1` relayed the transaction, position `k`
//! is the block owner. With total fee `F` and constant `C` in (0, 1):
//! `f[i]_k = F C (1-C)^(i-1)` for `i < k` and `f[k]_k = F (1-C)^(k-1)`; the shares sum to `F`.
//!
//! - Eq. 3 (the owner gains nothing by splitting into `s + 1` identities at the end of a longer
//!   path) holds, with equality.
//! - Eq. 5 (`f[k]_(k+1) = C f[k]_k`) holds.
//! - Eq. 6 (a relayer's share does not shrink when the path grows) holds, with equality: a
//!   relayer's share does not depend on `k`.
//! - An intermediate node that inserts `s` Sybil identities after itself collects
//!   `(1 - (1-C)^(s+1)) / C` times its share, up to `1 / C`: the split is Sybil-proof for the
//!   owner only. The extra comes out of the downstream nodes' and the owner's shares.
//!
//! [`shares`] computes in floating point; [`scaled_shares`] gives the exact shares for a
//! rational `C = p / q` as integers over a common denominator, which the tests use to check the
//! equations exactly.

/// The shares `f[1]_k ..= f[k]_k` of fee `fee` on a path of `k >= 1` nodes, in path order.
pub fn shares(k: u32, fee: f64, c: f64) -> Vec<f64> {
    assert!(k >= 1, "a path has at least its owner");
    let mut out = Vec::with_capacity(k as usize);
    let mut rest = fee; // F (1-C)^(i-1)
    for _ in 1..k {
        out.push(rest * c);
        rest *= 1.0 - c;
    }
    out.push(rest);
    out
}

/// The exact shares for `C = p / q` and `F = 1`: numerators over the common denominator
/// `q^(k-1)` (returned second). `None` when they would overflow `u128`.
pub fn scaled_shares(k: u32, p: u128, q: u128) -> Option<(Vec<u128>, u128)> {
    assert!(k >= 1 && p > 0 && p < q, "0 < C = p/q < 1");
    let den = q.checked_pow(k - 1)?;
    let mut out = Vec::with_capacity(k as usize);
    for i in 1..k {
        // p (q-p)^(i-1) q^(k-1-i)
        out.push(
            p.checked_mul((q - p).checked_pow(i - 1)?)?
                .checked_mul(q.checked_pow(k - 1 - i)?)?,
        );
    }
    out.push((q - p).checked_pow(k - 1)?);
    Some((out, den))
}

/// What one node collects by playing `s + 1` identities at positions `i..=i+s` of a path that
/// grows from `k` to `k + s` nodes, over its share at position `i` of the `k`-node path
/// (`i = k`: the owner splitting; `i < k`: a relayer inserting Sybils after itself).
pub fn sybil_gain(k: u32, i: u32, s: u32, c: f64) -> f64 {
    assert!((1..=k).contains(&i), "position on the path");
    let honest = shares(k, 1.0, c)[i as usize - 1];
    let split = shares(k + s, 1.0, c);
    let together: f64 = split[i as usize - 1..(i + s) as usize].iter().sum();
    together / honest
}

/// The closed form of a relayer's gain: `(1 - (1-C)^(s+1)) / C`.
pub fn relayer_gain_bound(s: u32, c: f64) -> f64 {
    (1.0 - (1.0 - c).powi(s as i32 + 1)) / c
}

/// Each node's expected reward for one broadcast along a tree (`g`, from `source`) when the
/// block owner is uniform over the nodes the broadcast reaches and the propagation path to the
/// owner is its tree path from the source (the source at position 1). In closed form: a node at
/// depth `d` with `s` nodes in its subtree (itself included) receives
/// `F / R * (1-C)^d * (1 + C (s - 1))`, `R` the nodes reached. Unreached nodes get 0; the
/// rewards sum to `fee`.
pub fn tree_rewards(g: &crate::graph::Graph, source: u32, fee: f64, c: f64) -> Vec<f64> {
    let n = g.node_count() as usize;
    let mut order = vec![source];
    let mut parent = vec![u32::MAX; n];
    let mut depth = vec![0u32; n];
    let mut seen = vec![false; n];
    seen[source as usize] = true;
    let mut i = 0;
    while i < order.len() {
        let x = order[i];
        for &y in g.neighbours(x) {
            if !seen[y as usize] {
                seen[y as usize] = true;
                parent[y as usize] = x;
                depth[y as usize] = depth[x as usize] + 1;
                order.push(y);
            }
        }
        i += 1;
    }
    let mut size = vec![1u64; n];
    for &x in order.iter().rev() {
        if parent[x as usize] != u32::MAX {
            size[parent[x as usize] as usize] += size[x as usize];
        }
    }
    let reached = order.len() as f64;
    let mut out = vec![0.0; n];
    for &x in &order {
        let x = x as usize;
        out[x] = fee / reached * (1.0 - c).powi(depth[x] as i32) * (1.0 + c * (size[x] - 1) as f64);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_rewards_equal_the_average_over_owners_of_eq7() {
        use crate::graph::Graph;
        // A tree with branches of different depths, and an isolated node 8.
        let g = Graph::from_simple_edges(
            9,
            vec![(0, 1), (1, 2), (2, 3), (1, 4), (0, 5), (5, 6), (6, 7)],
        );
        let paths: [&[u32]; 8] = [
            &[0],
            &[0, 1],
            &[0, 1, 2],
            &[0, 1, 2, 3],
            &[0, 1, 4],
            &[0, 5],
            &[0, 5, 6],
            &[0, 5, 6, 7],
        ];
        for c in [0.1, 0.5, 0.9] {
            let mut brute = [0.0; 9];
            for path in paths {
                for (pos, share) in shares(path.len() as u32, 3.0, c).iter().enumerate() {
                    brute[path[pos] as usize] += share / 8.0;
                }
            }
            let fast = tree_rewards(&g, 0, 3.0, c);
            for v in 0..9 {
                assert!((fast[v] - brute[v]).abs() < 1e-12, "C {c} node {v}");
            }
            assert!((fast.iter().sum::<f64>() - 3.0).abs() < 1e-12);
            assert_eq!(fast[8], 0.0);
        }
    }

    /// C = p/q for the grid 0.1, 0.25, 0.5, 0.75, 0.9, and 1/3.
    const RATES: [(u128, u128); 6] = [(1, 10), (1, 4), (1, 2), (3, 4), (9, 10), (1, 3)];

    #[test]
    fn shares_sum_to_the_fee_exactly() {
        for (p, q) in RATES {
            for k in 1..=14 {
                let (num, den) = scaled_shares(k, p, q).unwrap();
                assert_eq!(num.iter().sum::<u128>(), den, "C = {p}/{q}, k = {k}");
                let f = shares(k, 7.0, p as f64 / q as f64);
                let sum: f64 = f.iter().sum();
                assert!((sum - 7.0).abs() < 1e-12, "{sum}");
                for (x, n) in f.iter().zip(&num) {
                    let exact = 7.0 * *n as f64 / den as f64;
                    assert!((x - exact).abs() <= 1e-12 * exact.max(1.0));
                }
            }
        }
    }

    #[test]
    fn eq3_the_owner_gains_nothing_by_splitting_exactly() {
        for (p, q) in RATES {
            for k in 1..=12 {
                for s in 1..=12 {
                    let (short, d1) = scaled_shares(k, p, q).unwrap();
                    let (long, d2) = scaled_shares(k + s, p, q).unwrap();
                    // f[k]_k vs sum_{i=0..s} f[k+i]_{k+s}, over q^(k+s-1) = d1 * q^s.
                    assert_eq!(d2, d1 * q.pow(s));
                    let lhs = short[k as usize - 1] * q.pow(s);
                    let rhs: u128 = long[k as usize - 1..].iter().sum();
                    assert_eq!(lhs, rhs, "C = {p}/{q}, k = {k}, s = {s}");
                    assert!((sybil_gain(k, k, s, p as f64 / q as f64) - 1.0).abs() < 1e-12);
                }
            }
        }
    }

    #[test]
    fn eq5_and_eq6_hold_exactly() {
        for (p, q) in RATES {
            for k in 1..=12 {
                let (a, da) = scaled_shares(k, p, q).unwrap();
                let (b, db) = scaled_shares(k + 1, p, q).unwrap();
                assert_eq!(db, da * q);
                // Eq. 5: f[k]_(k+1) = C f[k]_k, i.e. b[k-1] / (da q) = (p/q) a[k-1] / da.
                assert_eq!(b[k as usize - 1], p * a[k as usize - 1]);
                // Eq. 6: f[i]_(k+1) = f[i]_k for every relayer i < k.
                for i in 0..k as usize - 1 {
                    assert_eq!(b[i], a[i] * q);
                }
            }
        }
    }

    #[test]
    fn a_relayer_gains_by_inserting_sybils_up_to_one_over_c() {
        for (c, s, want) in [
            (0.5, 1, 1.5),
            (0.5, 2, 1.75),
            (0.5, 5, 1.96875),
            (0.1, 1, 1.9),
            (0.9, 1, 1.1),
        ] {
            for (k, i) in [(3, 1), (6, 2), (12, 11)] {
                let g = sybil_gain(k, i, s, c);
                assert!((g - want).abs() < 1e-12, "C {c} s {s}: {g}");
                assert!((g - relayer_gain_bound(s, c)).abs() < 1e-12);
                assert!(g > 1.0 && g < 1.0 / c);
            }
        }
        // C = 0.1, s = 10: 6.86 (= (1 - 0.9^11) / 0.1).
        assert!((sybil_gain(4, 2, 10, 0.1) - 6.861894039).abs() < 1e-9);
    }
}

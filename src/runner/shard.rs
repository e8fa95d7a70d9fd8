//! Shards: deterministic, balanced, disjoint slices of a plan for clusters.
//!
//! The unit of a shard is the part (the unit of commit and resume), so a shard's files never
//! overlap another's and a part is never half one shard's. Membership is by key, not by
//! position: each part's key is the run key of its first run (a hash of the run's parameters
//! and replicate); the parts are ranked by key and dealt round-robin, part of rank `r` to shard
//! `r mod N`. Shards therefore differ by at most one part, and the heavy end of a sweep (the
//! largest networks, which sit together at one end of the plan) is spread over every shard
//! rather than landing on the last one. Replicates of one case stay together inside a part,
//! which keeps the twin model's per-thread cache of the physical system useful.

use crate::spec::Plan;

/// Shard `index` of `count` (`index < count`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Zero-based shard index.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// A shard, or why not.
    pub fn new(index: u64, count: u64) -> Result<Shard, String> {
        if count == 0 || count > u64::from(u32::MAX) {
            return Err(format!("shard count {count}: allowed 1..={}", u32::MAX));
        }
        if index >= count {
            return Err(format!(
                "shard index {index} of {count}: allowed 0..={}",
                count - 1
            ));
        }
        Ok(Shard {
            index: index as u32,
            count: count as u32,
        })
    }

    /// Parses `I/N` (zero-based `I`).
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| format!("--shard {text}: expected I/N, e.g. 0/4"))?;
        let num = |s: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| format!("--shard {text}: expected I/N with whole numbers, e.g. 0/4"))
        };
        Shard::new(num(i)?, num(n)?).map_err(|e| format!("--shard {text}: {e}"))
    }

    /// The shard a cluster scheduler assigned through the environment, if any:
    /// `SLURM_ARRAY_TASK_ID` with `SLURM_ARRAY_TASK_COUNT` (or `SLURM_ARRAY_TASK_MIN`/`MAX`:
    /// index = id - min, count = max - min + 1), else Kubernetes' `JOB_COMPLETION_INDEX`
    /// with `count` (which Kubernetes does not publish, hence `--shard-count`). `var` looks a
    /// variable up (the CLI passes `std::env::var`; tests pass a map).
    pub fn from_env(
        var: impl Fn(&str) -> Option<String>,
        count: Option<u64>,
    ) -> Result<Option<Shard>, String> {
        let num = |name: &str| -> Result<Option<u64>, String> {
            match var(name) {
                None => Ok(None),
                Some(v) => v
                    .trim()
                    .parse::<u64>()
                    .map(Some)
                    .map_err(|_| format!("{name}={v:?}: expected a whole number")),
            }
        };
        if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
            let (index, n) = match (count, num("SLURM_ARRAY_TASK_COUNT")?) {
                (Some(c), _) => (id, c),
                (None, Some(c)) => {
                    let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
                    (id.checked_sub(min).ok_or("SLURM_ARRAY_TASK_ID < MIN")?, c)
                }
                (None, None) => {
                    match (num("SLURM_ARRAY_TASK_MIN")?, num("SLURM_ARRAY_TASK_MAX")?) {
                        (Some(min), Some(max)) if max >= min && id >= min => {
                            (id - min, max - min + 1)
                        }
                        _ => {
                            return Err(
                            "SLURM_ARRAY_TASK_ID is set without SLURM_ARRAY_TASK_COUNT or MIN/MAX; \
                             pass --shard I/N"
                                .into(),
                        );
                        }
                    }
                }
            };
            return Shard::new(index, n)
                .map(Some)
                .map_err(|e| format!("from SLURM_ARRAY_TASK_*: {e}"));
        }
        if let Some(id) = num("JOB_COMPLETION_INDEX")? {
            let n = count.ok_or(
                "JOB_COMPLETION_INDEX is set but the shard count is unknown: pass --shard-count N",
            )?;
            return Shard::new(id, n)
                .map(Some)
                .map_err(|e| format!("from JOB_COMPLETION_INDEX: {e}"));
        }
        match count {
            Some(_) => Err(
                "--shard-count needs a shard index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX"
                    .into(),
            ),
            None => Ok(None),
        }
    }
}

/// Each part's key: the run key of its first run.
pub fn part_keys(plan: &Plan) -> Vec<u64> {
    (0..plan.part_count())
        .map(|i| plan.runs.run_key(plan.part(i).start))
        .collect()
}

/// The shard (0..count) of every part, from the parts' keys: ranked by key (ties by position,
/// which distinct runs never need), dealt round-robin.
pub fn assign(keys: &[u64], count: u32) -> Vec<u32> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by_key(|&i| (keys[i], i));
    let mut shard = vec![0u32; keys.len()];
    for (rank, &i) in order.iter().enumerate() {
        shard[i] = (rank % count as usize) as u32;
    }
    shard
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn parse_accepts_i_of_n_and_names_what_is_wrong() {
        assert_eq!(Shard::parse("2/4"), Ok(Shard { index: 2, count: 4 }));
        assert_eq!(
            Shard::parse("4/4").unwrap_err(),
            "--shard 4/4: shard index 4 of 4: allowed 0..=3"
        );
        assert_eq!(
            Shard::parse("0/0").unwrap_err(),
            "--shard 0/0: shard count 0: allowed 1..=4294967295"
        );
        assert!(Shard::parse("1").unwrap_err().contains("expected I/N"));
        assert!(Shard::parse("a/2").unwrap_err().contains("whole numbers"));
    }

    #[test]
    fn the_environment_of_slurm_and_kubernetes_gives_the_shard() {
        let none = Shard::from_env(env(&[]), None).unwrap();
        assert_eq!(none, None);
        let s = Shard::from_env(
            env(&[
                ("SLURM_ARRAY_TASK_ID", "3"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ]),
            None,
        );
        assert_eq!(s, Ok(Some(Shard { index: 3, count: 4 })));
        // An array 1-8: ids are shifted by MIN.
        let s = Shard::from_env(
            env(&[
                ("SLURM_ARRAY_TASK_ID", "1"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "8"),
            ]),
            None,
        );
        assert_eq!(s, Ok(Some(Shard { index: 0, count: 8 })));
        let s = Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "5")]), Some(6));
        assert_eq!(s, Ok(Some(Shard { index: 5, count: 6 })));
        assert!(
            Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "5")]), None)
                .unwrap_err()
                .contains("--shard-count")
        );
        assert!(
            Shard::from_env(env(&[("SLURM_ARRAY_TASK_ID", "x")]), None)
                .unwrap_err()
                .contains("SLURM_ARRAY_TASK_ID=\"x\"")
        );
        assert!(Shard::from_env(env(&[]), Some(3)).is_err());
    }

    #[test]
    fn assignment_is_balanced_disjoint_and_by_key() {
        let keys: Vec<u64> = (0..103u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        for n in [1u32, 2, 4, 7, 103, 200] {
            let a = assign(&keys, n);
            let mut sizes = vec![0usize; n as usize];
            for &s in &a {
                sizes[s as usize] += 1;
            }
            let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            assert!(hi - lo <= 1, "n={n}: {sizes:?}");
            assert_eq!(sizes.iter().sum::<usize>(), keys.len());
        }
        // Moving the parts around moves their shards with them: membership follows the key.
        let a = assign(&keys, 4);
        let mut rev = keys.clone();
        rev.reverse();
        let b = assign(&rev, 4);
        for i in 0..keys.len() {
            assert_eq!(a[i], b[keys.len() - 1 - i]);
        }
    }
}

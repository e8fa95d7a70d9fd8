"""Compares SymBChainSim V2's per-seed outputs with chainlab's runs of the same set-up:
per metric the mean difference (chainlab - V2) with its 95 % interval (Welch), Welch's t-test
and Mann-Whitney's U for location, and Brown-Forsythe's test (Levene's around the median) for
spread. Failed runs are treated alike: V2 fails (an exception in its metrics) when a node ends
with no block, so chainlab's runs where a live node ends with no block (`blocks_min` = 0) are
left out too. Needs pyarrow, numpy and scipy.
Usage: python compare.py v2_<setup>_<protocol>.jsonl results/<experiment>/plan=<hash>"""
import json, sys, glob
import numpy as np
import pyarrow.parquet as pq
from scipy import stats

METRICS = ["blocks", "latency_sbs_s", "throughput_sbs_tps", "block_time_mean_s"]
v2_rows = [json.loads(l) for l in open(sys.argv[1])]
ok = [r for r in v2_rows if "error" not in r]
failed = [r["seed"] for r in v2_rows if "error" in r]
t = pq.read_table(sorted(glob.glob(sys.argv[2] + "/part-*.parquet")))
keep = (t["status"].to_numpy(zero_copy_only=False) == "ok") & (t["blocks_min"].to_numpy() > 0)
print(f"V2 runs {len(ok)} (failed seeds: {failed}); chainlab runs {int(keep.sum())} of {t.num_rows}")
t = t.filter(keep)
print("| metric | V2 mean (sd) | chainlab mean (sd) | difference [95 % CI] | Welch p | Mann-Whitney p | Brown-Forsythe p |")
print("|---|---|---|---|---|---|---|")
for m in METRICS:
    a = np.array([r[m] for r in ok], float)
    b = t[m].to_numpy().astype(float)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    d = b.mean() - a.mean()
    se = (va + vb) ** 0.5
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if se > 0 else 1
    q = stats.t.ppf(0.975, df)
    welch = stats.ttest_ind(b, a, equal_var=False).pvalue if se > 0 else 1.0
    mw = stats.mannwhitneyu(b, a).pvalue
    bf = stats.levene(b, a, center="median").pvalue
    print(f"| {m} | {a.mean():.4g} ({a.std(ddof=1):.3g}) | {b.mean():.4g} ({b.std(ddof=1):.3g}) | {d:+.3g} [{d - q*se:+.3g}, {d + q*se:+.3g}] | {welch:.2g} | {mw:.2g} | {bf:.2g} |")

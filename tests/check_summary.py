"""Checks `chainlab summary` against scipy: for every (group, metric) of a CSV summary, the
mean, sd, and the 95 % Student-t interval of the mean computed by scipy from the plan's
Parquet rows (read with pyarrow).

    python tests/check_summary.py PLAN_DIR SUMMARY_CSV BY METRIC[,METRIC...]

Exits 1 on any difference beyond 1e-9 (relative)."""
import csv
import glob
import math
import sys

import pyarrow.parquet as pq
from scipy import stats

plan, summary_csv, by, metrics = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
table = pq.read_table(glob.glob(f"{plan}/*.parquet")).to_pydict()
rows = [i for i, s in enumerate(table["status"]) if s == "ok"]
bad = 0
checked = 0
for line in csv.DictReader(open(summary_csv)):
    x = [float(table[line["metric"]][i]) for i in rows if str(table[by][i]) == line[by]]
    n = len(x)
    mean = sum(x) / n
    sd = stats.tstd(x)
    low, high = stats.t.interval(0.95, n - 1, loc=mean, scale=stats.sem(x))
    for name, want in [("mean", mean), ("sd", sd), ("ci95_low", low), ("ci95_high", high)]:
        got = float(line[name])
        if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9):
            print(f"{line[by]} {line['metric']} {name}: chainlab {got}, scipy {want}")
            bad += 1
    checked += 1
print(f"summary: {checked} groups x metrics checked against scipy, {bad} differences")
sys.exit(1 if bad or checked == 0 else 0)

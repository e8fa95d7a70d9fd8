"""Compares two results roots experiment by experiment with pyarrow, an independent reader:
every column but `wall_time_ms` (and columns only one side has, which are listed), rows matched
by `run_key`. Used to prove that a refactor or a speed-up changed no result:

    python tests/compare_results.py BEFORE_ROOT AFTER_ROOT

Exits 1 on any difference. Reads `<root>/<experiment>/<plan dir>/*.parquet` and the side
tables `<root>/<experiment>.<table>/<plan dir>/*.parquet`, whatever the plan directory's name."""
import glob
import math
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq


def same(x, y):
    """Equal values, NaN equal to NaN (a metric that is undefined in both runs), lists too."""
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(same(p, q) for p, q in zip(x, y))
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return True
    return type(x) is type(y) and x == y


def tables(root):
    out = {}
    for exp in sorted(os.listdir(root)):
        files = sorted(glob.glob(os.path.join(root, exp, "*", "*.parquet")))
        if files:
            out[exp] = pa.concat_tables([pq.read_table(f) for f in files], promote_options="none")
    return out


before, after = tables(sys.argv[1]), tables(sys.argv[2])
bad = 0
for exp in sorted(set(before) | set(after)):
    if exp not in before or exp not in after:
        print(f"{exp}: only in {'after' if exp in after else 'before'}")
        bad += 1
        continue
    a, b = before[exp], after[exp]
    only = sorted(set(a.column_names) ^ set(b.column_names))
    cols = [c for c in a.column_names if c in b.column_names and c != "wall_time_ms"]
    key = "run_key" if "run_key" in cols else cols[0]
    extra = ["cb_index"] if "cb_index" in cols else []
    sort = [(key, "ascending")] + [(c, "ascending") for c in extra]
    a = a.select(cols).sort_by(sort)
    b = b.select(cols).sort_by(sort)
    diff = [c for c in cols if not same(a.column(c).to_pylist(), b.column(c).to_pylist())]
    if a.num_rows != b.num_rows or diff:
        print(f"{exp}: DIFFERENT ({a.num_rows} vs {b.num_rows} rows; columns {diff})")
        bad += 1
    else:
        note = f"; columns on one side only: {only}" if only else ""
        print(f"{exp}: {a.num_rows} rows identical in {len(cols)} columns{note}")
sys.exit(1 if bad else 0)

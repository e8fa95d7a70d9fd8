"""The README's reading recipe, checked with independent readers: two plans of one experiment
(its quick and its full profile) in one results root; selecting one plan, by name or the latest
started, with polars (hive partitioning), duckdb and pyarrow, gives exactly that plan's rows,
every run once. Used by .ci/run:

    python tests/read_one_plan.py ROOT EXPERIMENT QUICK_RUNS FULL_RUNS"""
import glob
import json
import sys
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.dataset as ds

root, experiment, quick_runs, full_runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

# The recipe (README, "Reading results"): the latest plan by its manifest, or a named one.
manifests = [json.loads(Path(m).read_text()) for m in glob.glob(f"{root}/{experiment}/plan=*/manifest.json")]
assert len(manifests) == 2, manifests
by_quick = {m["quick"]: m["plan_hash"] for m in manifests}
latest = max(manifests, key=lambda m: m["started_unix_ms"])["plan_hash"]
assert latest == by_quick[False], "the full profile ran second"

for plan, runs in [(by_quick[True], quick_runs), (by_quick[False], full_runs)]:
    # polars, with the plan= directory as a hive partition column.
    df = pl.scan_parquet(f"{root}/{experiment}/*/*.parquet", hive_partitioning=True).filter(
        pl.col("plan") == plan
    ).collect()
    assert df.height == runs, (plan, df.height, runs)
    assert df["run_key"].n_unique() == runs
    assert df["plan_hash"].unique().to_list() == [plan]
    # duckdb, selecting the plan's directory.
    n, keys, hashes = duckdb.sql(
        f"select count(*), count(distinct run_key), count(distinct plan_hash) "
        f"from read_parquet('{root}/{experiment}/plan={plan}/*.parquet')"
    ).fetchall()[0]
    assert (n, keys, hashes) == (runs, runs, 1), (n, keys, hashes)
    # duckdb over the whole experiment, filtered on the hive key.
    n = duckdb.sql(
        f"select count(*) from read_parquet('{root}/{experiment}/*/*.parquet', hive_partitioning = true) "
        f"where plan = '{plan}'"
    ).fetchall()[0][0]
    assert n == runs, n
    # pyarrow datasets with hive partitioning.
    files = glob.glob(f"{root}/{experiment}/plan=*/*.parquet")
    t = ds.dataset(
        files, format="parquet", partitioning="hive", partition_base_dir=f"{root}/{experiment}"
    ).to_table(filter=ds.field("plan") == plan)
    assert t.num_rows == runs, t.num_rows

# A glob over every plan sees both, and the plan column tells them apart.
both = pl.read_parquet(f"{root}/{experiment}/*/*.parquet", hive_partitioning=True)
assert both.height == quick_runs + full_runs
assert both.group_by("plan").len().height == 2
print(f"one plan per read: {quick_runs} + {full_runs} rows of two plans kept apart by polars, duckdb and pyarrow")

"""Reads chainlab's Parquet output with pyarrow and duckdb and checks it against the schema
that `chainlab schema` documents (the README's table). Used by .ci/run."""
import glob
import re
import sys

import duckdb
import pyarrow.dataset as ds

root, schema_md = sys.argv[1], sys.argv[2]
documented = []
in_columns = False
for line in open(schema_md, encoding="utf-8"):
    if line.startswith("Result columns"):
        in_columns = True
    m = re.match(r"\| `([a-z0-9_]+)` \| (\w+) \|", line)
    if in_columns and m:
        documented.append((m.group(1), m.group(2)))
assert documented, "no documented columns found"

files = sorted(glob.glob(f"{root}/**/*.parquet", recursive=True))
assert files, f"no parquet files under {root}"
table = ds.dataset(files, format="parquet").to_table()
actual = [(f.name, str(f.type)) for f in table.schema]
assert actual == documented, f"schema mismatch:\n{actual}\n!=\n{documented}"
assert table.num_rows == 24, table.num_rows
statuses = set(table.column("status").to_pylist())
assert statuses == {"ok"}, statuses

con = duckdb.connect()
rows = con.sql(
    f"select protocol, count(*), avg(msgs), min(coverage) from '{root}/**/*.parquet' group by 1 order by 1"
).fetchall()
by_protocol = {r[0]: r for r in rows}
assert set(by_protocol) == {"flood", "gossip", "oppi", "spt"}, by_protocol
# OPPI and SPT send exactly n - 1 messages; gossip 100 n with the paper preset.
for r in con.sql(f"select protocol, nodes, msgs, coverage from '{root}/**/*.parquet'").fetchall():
    protocol, n, msgs, coverage = r
    if protocol in ("oppi", "spt"):
        assert msgs == n - 1 and coverage == 1.0, r
    if protocol == "gossip":
        assert msgs == 100 * n * coverage, r
print(f"pyarrow and duckdb read {table.num_rows} rows with the {len(documented)} documented columns")

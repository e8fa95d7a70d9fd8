"""Reads a twin_fig5 quick run with pyarrow and duckdb: the per-node and per-link list columns
must come back as lists a notebook can unnest (Fig. 5a's graph). Used by .ci/run."""
import glob
import sys

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds

root = sys.argv[1]
files = sorted(glob.glob(f"{root}/twin_fig5/**/*.parquet", recursive=True))
assert files, f"no twin_fig5 parquet files under {root}"
table = ds.dataset(files, format="parquet").to_table()
assert table.num_rows == 3, table.num_rows
for name, item in [
    ("node_state", pa.string()),
    ("node_bw_true_mbps", pa.float64()),
    ("node_bw_model_mbps", pa.float64()),
    ("edge_a", pa.uint32()),
    ("edge_status", pa.string()),
]:
    t = table.schema.field(name).type
    assert pa.types.is_list(t) and t.value_type == item, (name, t)
for states, missing in zip(table.column("node_state").to_pylist(), table.column("missing").to_pylist()):
    assert len(states) == 10, states
    assert states.count("reported") == 10 - missing, states

con = duckdb.connect()
edges = con.sql(
    f"""select replicate, unnest(edge_a) a, unnest(edge_b) b, unnest(edge_bw_mbps) bw,
               unnest(edge_status) status
        from read_parquet('{root}/twin_fig5/**/*.parquet')"""
).fetchall()
assert all(a < b and bw > 0 for _, a, b, bw, _ in edges), edges[:5]
statuses = {s for *_, s in edges}
assert statuses <= {"reported", "reconstructed", "path_history", "lost"}, statuses
lost = con.sql(
    f"select sum(edges_lost) from read_parquet('{root}/twin_fig5/**/*.parquet')"
).fetchall()[0][0]
assert lost == sum(1 for *_, s in edges if s == "lost"), lost
print(f"pyarrow and duckdb read {table.num_rows} twin rows and unnested {len(edges)} links")

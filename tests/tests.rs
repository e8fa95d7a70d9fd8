//! Integration tests: the binary on real experiment files, and the library's runner end to end.
//! One test binary, modules named by behaviour.

use arrow_array::types::{Float64Type, Int64Type, UInt64Type};
use arrow_array::{Array, RecordBatch};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn chainlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chainlab"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the chainlab binary runs")
}

/// `chainlab run SPEC --out OUT --quiet EXTRA...` (whatever its outcome).
fn run_args(spec: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        spec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    args.extend_from_slice(extra);
    chainlab(&args)
}

/// `chainlab run SPEC --out OUT --jobs JOBS --quiet`, which must succeed; returns stdout.
fn run_quiet(spec: &str, out: &Path, jobs: &str) -> String {
    let o = chainlab(&[
        "run",
        spec,
        "--out",
        out.to_str().unwrap(),
        "--jobs",
        jobs,
        "--quiet",
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
    text(&o).0
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn spec_path(name: &str) -> String {
    format!("{}/experiments/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The single plan directory under `root/experiment`.
fn plan_dir(root: &Path, experiment: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root.join(experiment))
        .expect("experiment dir")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(dirs.len(), 1, "one plan directory: {dirs:?}");
    dirs.pop().unwrap()
}

fn part_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "parquet")
                && !p.file_name().unwrap().to_string_lossy().starts_with('.')
        })
        .collect();
    v.sort();
    v
}

/// Every row of every part, in part order, without the one wall-clock column.
fn read_rows(dir: &Path) -> Vec<RecordBatch> {
    part_files(dir)
        .iter()
        .flat_map(|p| read_rows_of(p))
        .collect()
}

/// The batches of one Parquet file, without `wall_time_ms`.
fn read_rows_of(path: &Path) -> Vec<RecordBatch> {
    let r = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    r.map(|b| {
        let b = b.unwrap();
        let keep: Vec<usize> = (0..b.num_columns())
            .filter(|&i| b.schema().field(i).name() != "wall_time_ms")
            .collect();
        b.project(&keep).unwrap()
    })
    .collect()
}

/// Runs `spec`'s quick profile into `root/a` with `--jobs 1` and into `root/b` with `--jobs 2`.
fn quick_with_jobs_1_and_2(spec: &str, root: &Path) {
    for (out, jobs) in [("a", "1"), ("b", "2")] {
        let o = chainlab(&[
            "run",
            spec,
            "--quick",
            "--quiet",
            "--jobs",
            jobs,
            "--out",
            root.join(out).to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{:?}", text(&o));
    }
}

/// Runs `spec`'s quick profile quietly into `out` (plus `extra` arguments); it must succeed.
fn run_quick(spec: &str, out: &Path, extra: &[&str]) {
    let spec = spec_path(spec);
    let mut args = vec![
        "run",
        spec.as_str(),
        "--quick",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = chainlab(&args);
    assert!(o.status.success(), "{:?}", text(&o));
}

/// The values of primitive column `name` of `b` (panics if absent or of another type).
/// The entries of list column `name` in row `i`, of primitive type `T`.
fn list<T: arrow_array::ArrowPrimitiveType>(
    b: &RecordBatch,
    name: &str,
    i: usize,
) -> Vec<T::Native> {
    let l = b.column_by_name(name).unwrap();
    let l = l.as_any().downcast_ref::<arrow_array::ListArray>().unwrap();
    let v = l.value(i);
    let v = v
        .as_any()
        .downcast_ref::<arrow_array::PrimitiveArray<T>>()
        .unwrap();
    v.values().to_vec()
}

fn list_f64(b: &RecordBatch, name: &str, i: usize) -> Vec<f64> {
    list::<Float64Type>(b, name, i)
}

fn list_u32(b: &RecordBatch, name: &str, i: usize) -> Vec<u32> {
    list::<arrow_array::types::UInt32Type>(b, name, i)
}

fn list_strings(b: &RecordBatch, name: &str, i: usize) -> Vec<String> {
    let c = b
        .column_by_name(name)
        .unwrap()
        .as_any()
        .downcast_ref::<arrow_array::ListArray>()
        .unwrap()
        .value(i);
    let c = c
        .as_any()
        .downcast_ref::<arrow_array::StringArray>()
        .unwrap();
    c.iter().map(|s| s.unwrap().to_string()).collect()
}

/// A string column's values.
fn strings(b: &RecordBatch, name: &str) -> Vec<String> {
    let c = b.column_by_name(name).unwrap();
    let c = c
        .as_any()
        .downcast_ref::<arrow_array::StringArray>()
        .unwrap();
    c.iter().map(|s| s.unwrap().to_string()).collect()
}

fn values<T: arrow_array::ArrowPrimitiveType>(b: &RecordBatch, name: &str) -> Vec<T::Native> {
    b.column_by_name(name)
        .unwrap_or_else(|| panic!("column {name}"))
        .as_any()
        .downcast_ref::<arrow_array::PrimitiveArray<T>>()
        .unwrap_or_else(|| panic!("column {name} has another type"))
        .values()
        .to_vec()
}

fn write_spec(dir: &Path, body: &str) -> PathBuf {
    let p = dir.join("spec.toml");
    fs::write(&p, body).unwrap();
    p
}

const SMALL: &str = r#"name = "small"
description = "test sweep"
model = "propagation"
seed = 7
replicates = 3
runs_per_part = 4

[params]
k = 3

[sweep]
topology = ["kout", "ba", "ws"]
nodes = [20, 60]
protocol = ["gossip", "flood", "oppi", "spt"]
"#;

/// The architecture's rules (the module map of `src/lib.rs`, module docs), as tests.
mod tidy;

mod determinism {
    use super::*;

    #[test]
    fn jobs_1_and_jobs_2_write_identical_rows() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        let spec = spec_path("oppi_quick.toml");
        for (out, jobs) in [(&a, "1"), (&b, "2")] {
            run_quiet(&spec, out, jobs);
        }
        let (ra, rb) = (
            read_rows(&plan_dir(&a, "oppi_quick")),
            read_rows(&plan_dir(&b, "oppi_quick")),
        );
        assert_eq!(ra.iter().map(|b| b.num_rows()).sum::<usize>(), 108);
        assert_eq!(ra, rb);
    }

    #[test]
    fn a_killed_sweep_resumes_to_the_same_rows() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = write_spec(tmp.path(), SMALL);
        let (full, resumed) = (tmp.path().join("full"), tmp.path().join("resumed"));
        let run = |out: &Path, jobs: &str| run_quiet(spec.to_str().unwrap(), out, jobs);
        run(&full, "2");
        run(&resumed, "1");
        let dir = plan_dir(&resumed, "small");
        let parts = part_files(&dir);
        assert_eq!(parts.len(), 18); // 72 runs, 4 per part
        // Simulate a kill: two parts never committed, one left half-written.
        fs::remove_file(&parts[3]).unwrap();
        fs::remove_file(&parts[10]).unwrap();
        fs::write(dir.join(".part-00010.parquet.inprogress"), b"partial").unwrap();
        let plan = text(&chainlab(&[
            "plan",
            spec.to_str().unwrap(),
            "--out",
            resumed.to_str().unwrap(),
        ]))
        .0;
        assert!(
            plan.contains("done        64") && plan.contains("to run      8"),
            "{plan}"
        );
        assert!(plan.contains("would run parts: 3,10"), "{plan}");
        let out = run(&resumed, "2");
        assert!(
            out.contains("8 executed, 64 skipped as done, 0 failed"),
            "{out}"
        );
        assert_eq!(read_rows(&plan_dir(&full, "small")), read_rows(&dir));
        // A finished sweep re-run does nothing.
        assert!(run(&resumed, "2").contains("0 executed, 72 skipped as done"));
    }

    #[test]
    fn seed_and_replicates_change_the_plan_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = spec_path("oppi_quick.toml");
        let out = tmp.path().to_str().unwrap();
        for extra in [&[][..], &["--seed", "5"][..], &["--replicates", "2"][..]] {
            let mut args = vec!["run", spec.as_str(), "--quick", "--out", out, "--quiet"];
            args.extend_from_slice(extra);
            assert!(chainlab(&args).status.success());
        }
        assert_eq!(
            fs::read_dir(tmp.path().join("oppi_quick")).unwrap().count(),
            3
        );
    }
}

/// Every shipped experiment's quick profile, run with `--jobs 1` and `--jobs 2`: whole rows
/// (list columns and side tables included, wall time aside) must be equal and as many as the
/// table says; then the model-specific check (a small named function) reads the `--jobs 1`
/// rows (and the root they are in).
mod quick_profiles {
    use super::*;

    type Check = fn(&Path, &[RecordBatch]);

    const TABLE: &[(&str, usize, Check)] = &[
        ("byzantine_pbft", 32, super::pbft::byzantine_checks),
        ("consensus_compare", 16, super::pbft::consensus_checks),
        ("mgmt_bandwidth", 8, super::management::bandwidth_checks),
        ("mgmt_bandwidth_clamp", 16, super::management::clamp_checks),
        ("mgmt_byzantine", 6, super::management::byzantine_checks),
        ("mgmt_config", 8, super::management::config_checks),
        ("mgmt_protocols", 6, super::management::protocol_checks),
        ("oppi_churn", 12, super::churn::checks),
        ("oppi_degree", 16, super::propagation::broadcast_checks),
        ("oppi_fork", 8, super::propagation::broadcast_checks),
        ("oppi_incentive", 16, super::incentive::checks),
        ("oppi_quick", 24, super::propagation::broadcast_checks),
        ("oppi_scaling", 72, super::propagation::broadcast_checks),
        ("oppi_signed", 12, super::propagation::signed_checks),
        ("oppi_topology", 24, super::propagation::broadcast_checks),
        ("pbft_baseline", 6, super::pbft::baseline_checks),
        ("pbft_sbs_bugs", 28, super::pbft::sbs_bug_checks),
        ("reconfig_switch", 18, super::management::switch_checks),
        ("scenario_shift", 6, super::pbft::scenario_checks),
        ("trace_docker", 6, super::pbft::trace_checks),
        ("twin_byzantine", 18, super::twin::byzantine_checks),
        ("twin_fig5", 3, super::twin::reconstruction_checks),
        ("twin_fig5_exact", 3, super::twin::exact_degree_checks),
        ("twin_fig6", 6, super::twin::reconstruction_checks),
        ("twin_fig6_exact", 6, super::twin::exact_degree_checks),
        ("twin_fig6_systems", 12, super::twin::fig6_systems_checks),
        ("twin_sync", 4, super::twin::sync_checks),
    ];

    #[test]
    fn every_quick_profile_is_reproducible_with_its_rows_and_checks() {
        // The table lists every shipped experiment.
        let mut shipped: Vec<String> =
            fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
                .collect();
        shipped.sort();
        let listed: Vec<&str> = TABLE.iter().map(|t| t.0).collect();
        assert_eq!(shipped, listed, "add the new experiment to this table");
        let tmp = tempfile::tempdir().unwrap();
        for &(experiment, rows, check) in TABLE {
            let root = tmp.path().join(experiment);
            quick_with_jobs_1_and_2(&spec_path(&format!("{experiment}.toml")), &root);
            let (a, b) = (root.join("a"), root.join("b"));
            let (ra, rb) = (
                read_rows(&plan_dir(&a, experiment)),
                read_rows(&plan_dir(&b, experiment)),
            );
            assert_eq!(
                ra, rb,
                "{experiment}: rows differ between --jobs 1 and --jobs 2"
            );
            assert_eq!(
                ra.iter().map(|x| x.num_rows()).sum::<usize>(),
                rows,
                "{experiment}"
            );
            // Side tables too (management's configuration blocks).
            for side in fs::read_dir(&a).unwrap().map(|e| e.unwrap().file_name()) {
                let name = side.to_string_lossy().into_owned();
                if let Some(table) = name.strip_prefix(&format!("{experiment}.")) {
                    let plan = plan_dir(&a, experiment);
                    let hash = plan.file_name().unwrap();
                    assert_eq!(
                        read_rows(&a.join(&name).join(hash)),
                        read_rows(&b.join(&name).join(hash)),
                        "{experiment}: side table {table}"
                    );
                }
            }
            check(&a, &ra);
            if GOLDEN.contains(&experiment) {
                golden(experiment, &ra);
            }
        }
    }

    /// The experiments whose quick rows are pinned whole, one per chain family (and the
    /// Byzantine sweep), in `tests/golden/<experiment>_quick.csv`, so that a change to any
    /// number the family's notes quote is a failing test until the table is regenerated on
    /// purpose: `CHAINLAB_BLESS=1 cargo test --release quick_profiles` rewrites them (review
    /// the diff).
    const GOLDEN: &[&str] = &[
        "byzantine_pbft",
        "mgmt_byzantine",
        "mgmt_config",
        "mgmt_protocols",
        "reconfig_switch",
        "pbft_baseline",
        "scenario_shift",
        "trace_docker",
        "twin_byzantine",
        "twin_fig5",
        "twin_sync",
    ];

    /// One cell as the golden table writes it: floats in Rust's shortest round-trip form (so
    /// the table pins every bit), lists as their items joined by `;`, nulls as empty.
    fn cell(col: &dyn Array, i: usize) -> String {
        use arrow_array::cast::AsArray;
        use arrow_array::types::*;
        use arrow_schema::DataType;
        if col.is_null(i) {
            return String::new();
        }
        match col.data_type() {
            DataType::Boolean => col.as_boolean().value(i).to_string(),
            DataType::Int32 => col.as_primitive::<Int32Type>().value(i).to_string(),
            DataType::Int64 => col.as_primitive::<Int64Type>().value(i).to_string(),
            DataType::UInt32 => col.as_primitive::<UInt32Type>().value(i).to_string(),
            DataType::UInt64 => col.as_primitive::<UInt64Type>().value(i).to_string(),
            DataType::Float32 => format!("{:?}", col.as_primitive::<Float32Type>().value(i)),
            DataType::Float64 => format!("{:?}", col.as_primitive::<Float64Type>().value(i)),
            DataType::Utf8 => format!("{:?}", col.as_string::<i32>().value(i)),
            DataType::List(_) => {
                let items = col.as_list::<i32>().value(i);
                (0..items.len())
                    .map(|j| cell(items.as_ref(), j))
                    .collect::<Vec<_>>()
                    .join(";")
            }
            other => panic!("the golden table has no form for {other:?}"),
        }
    }

    /// Compares an experiment's quick rows, every column but `wall_time_ms` and `plan_hash`
    /// (run identity is pinned in `tests/run_keys.txt`), with its golden table.
    fn golden(experiment: &str, rows: &[RecordBatch]) {
        let skip = ["wall_time_ms", "plan_hash"];
        let schema = rows[0].schema();
        let names: Vec<&str> = schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .filter(|n| !skip.contains(n))
            .collect();
        let mut lines = vec![names.join(",")];
        for batch in rows {
            for i in 0..batch.num_rows() {
                let cells: Vec<String> = names
                    .iter()
                    .map(|n| cell(batch.column_by_name(n).unwrap().as_ref(), i))
                    .collect();
                lines.push(cells.join(","));
            }
        }
        let got = lines.join("\n") + "\n";
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/golden/{experiment}_quick.csv"));
        if std::env::var_os("CHAINLAB_BLESS").is_some() {
            fs::write(&path, &got).unwrap();
        }
        let expected = fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "{} is missing (CHAINLAB_BLESS=1 cargo test --release quick_profiles writes it)",
                path.display()
            )
        });
        if got != expected {
            let first = got
                .lines()
                .zip(expected.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(got.lines().count().min(expected.lines().count()));
            panic!(
                "{experiment}'s quick rows changed (first difference at line {} of {}); if the change is meant, regenerate with CHAINLAB_BLESS=1 cargo test --release quick_profiles and review the diff",
                first + 1,
                path.display()
            );
        }
    }
}

/// Run identity is content: each shipped experiment's quick profile has the run keys,
/// environment keys and plan hash recorded in `tests/run_keys.txt`, so that a change of
/// identity (a parameter added without `added_in`, a renamed stream purpose, a new default) is
/// always deliberate. `CHAINLAB_BLESS=1 cargo test --release identity` rewrites the file
/// (review the diff: every changed key is a stored run that will be computed again).
mod identity {
    use super::*;

    /// The golden file's text for the current engine: per experiment, its plan hash, then one
    /// line per run: index, run key, environment key.
    fn current() -> String {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments");
        let mut specs: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        specs.sort();
        let mut out = String::from(
            "# experiment plan_hash, then per run: index run_key env_key (the quick profiles)\n",
        );
        for spec in specs {
            let over = chainlab::spec::Overrides {
                quick: true,
                ..Default::default()
            };
            let plan = chainlab::spec::load(&spec, over).unwrap();
            out.push_str(&format!("{} {}\n", plan.name, plan.hash_hex()));
            for r in plan.runs.iter() {
                out.push_str(&format!(
                    "  {} {:016x} {:016x}\n",
                    r.index, r.run_key, r.env_key
                ));
            }
        }
        out
    }

    #[test]
    fn every_quick_profile_keeps_its_run_keys() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/run_keys.txt");
        let now = current();
        if std::env::var_os("CHAINLAB_BLESS").is_some() {
            fs::write(&path, &now).unwrap();
        }
        let golden = fs::read_to_string(&path).expect("tests/run_keys.txt");
        if golden != now {
            let first = golden
                .lines()
                .zip(now.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(golden.lines().count().min(now.lines().count()));
            panic!(
                "run identity changed (tests/run_keys.txt, line {}): golden {:?}, now {:?}; if deliberate, bump the family's version and run `CHAINLAB_BLESS=1 cargo test --release identity`",
                first + 1,
                golden.lines().nth(first),
                now.lines().nth(first)
            );
        }
    }
}

mod bad_input {
    use super::*;

    fn rejects(body: &str, expect: &[&str]) {
        let tmp = tempfile::tempdir().unwrap();
        let spec = write_spec(tmp.path(), body);
        let out = tmp.path().join("results");
        for cmd in ["run", "validate", "plan"] {
            let o = chainlab(&[cmd, spec.to_str().unwrap(), "--out", out.to_str().unwrap()]);
            let (_, err) = text(&o);
            assert_eq!(o.status.code(), Some(2), "{cmd}: {err}");
            assert!(err.contains("spec.toml:"), "{cmd} names the file: {err}");
            for e in expect {
                assert!(err.contains(e), "{cmd}: expected {e:?} in {err}");
            }
            assert!(!err.contains("panicked"), "{err}");
        }
        assert!(!out.exists(), "no partial output");
    }

    #[test]
    fn unknown_parameter() {
        rejects(
            &SMALL.replace("k = 3", "k = 3\nbandwith = 5"),
            &[
                "spec.toml:10:",
                "`params.bandwith`",
                "unknown parameter",
                "allowed: topology, nodes",
            ],
        );
    }

    #[test]
    fn unknown_top_level_key() {
        rejects(
            &format!("colour = \"red\"\n{SMALL}"),
            &["spec.toml:1:", "unknown field `colour`"],
        );
    }

    #[test]
    fn more_peers_than_nodes() {
        rejects(
            &SMALL.replace("k = 3", "k = 40"),
            &[
                "spec.toml:9:",
                "`params.k` = 40",
                "allowed: k must be in 1..=19",
            ],
        );
    }

    const PBFT: &str = "name = \"p\"\ndescription = \"d\"\nmodel = \"pbft\"\nseed = 1\nreplicates = 1\n[params]\nnodes = 10\n";

    #[test]
    fn pbft_impossible_values() {
        rejects(
            &format!("{PBFT}peers = 10\n"),
            &[
                "spec.toml:8:",
                "`params.peers` = 10",
                "at most nodes - 1 = 9",
            ],
        );
        rejects(
            &format!("{PBFT}crash_nodes = 4\n"),
            &["`params.crash_nodes` = 4", "at most f = 3 for 10 nodes"],
        );
        rejects(
            &format!("{PBFT}bandwidth_mean = -20.0\n"),
            &["`params.bandwidth_mean` = -20.0", "a number in"],
        );
        rejects(
            &format!("{PBFT}sbs_compat = \"yes\"\n"),
            &["`params.sbs_compat`", "true or false"],
        );
        rejects(
            &format!("{PBFT}[cases.a]\nnodes = 3\n"),
            &["spec.toml:9:", "`cases.a.nodes` = 3", "4..=1024"],
        );
        rejects(
            &format!("{PBFT}[cases.a]\npeers = 2\n[quick]\ncases = [\"b\"]\n"),
            &["`quick.cases` = \"b\"", "no such case; allowed: a"],
        );
    }

    const TWIN: &str = "name = \"t\"\ndescription = \"d\"\nmodel = \"twin\"\nseed = 1\nreplicates = 1\n[params]\nnodes = 10\n";

    #[test]
    fn twin_impossible_values() {
        rejects(
            &format!("{TWIN}missing = 11\n"),
            &[
                "spec.toml:8:",
                "`params.missing` = 11",
                "at most nodes = 10",
            ],
        );
        rejects(
            &format!("{TWIN}missing = 2\nmissing_nodes = \"3, 12\"\n"),
            &[
                "`params.missing_nodes` = \"3,12\"",
                "node ids below nodes = 10 (got 12)",
            ],
        );
        rejects(
            &format!("{TWIN}missing = 2\nmissing_nodes = \"3, 3\"\n"),
            &["`params.missing_nodes`", "node 3 is listed twice"],
        );
        rejects(
            &format!("{TWIN}missing_nodes = \"1, 2\"\n"),
            &[
                "`params.missing` = 3",
                "2 (the number of ids in missing_nodes)",
            ],
        );
        rejects(
            &format!("{TWIN}links = \"directed\"\n"),
            &[
                "`params.links` = \"directed\"",
                "\"bidirectional\" or \"exact\" for the twin model",
            ],
        );
        rejects(
            &format!("{TWIN}model = \"x\"\n")
                .replace("model = \"twin\"", "model = \"twin_sync\"")
                .replace("model = \"x\"\n", "loss = 1.5\n"),
            &["`params.loss` = 1.5", "a number in [0, 1]"],
        );
        rejects(
            &format!("{TWIN}resim = \"sometimes\"\n"),
            &[
                "`params.resim` = \"sometimes\"",
                "one of \"common\", \"independent\"",
            ],
        );
    }

    #[test]
    fn negative_delay() {
        rejects(
            &SMALL.replace("k = 3", "k = 3\ndelay_min = \"-1 ms\""),
            &["`params.delay_min` = \"-1 ms\"", "from 0 ms"],
        );
    }

    #[test]
    fn wrong_type() {
        rejects(
            &SMALL.replace("nodes = [20, 60]", "nodes = [20, \"sixty\"]"),
            &["spec.toml:13:", "`sweep.nodes` = \"sixty\"", "wrong type"],
        );
    }

    #[test]
    fn unknown_protocol_and_bad_range() {
        rejects(
            &SMALL.replace("\"spt\"]", "\"smoke\"]"),
            &["`sweep.protocol` = \"smoke\"", "one of \"gossip\""],
        );
        rejects(
            &SMALL.replace("nodes = [20, 60]", "nodes = { from = 60, to = 20 }"),
            &["`sweep.nodes`", "a range is"],
        );
    }

    #[test]
    fn missing_file_and_bad_flags() {
        let o = chainlab(&["run", "no/such/spec.toml"]);
        assert_eq!(o.status.code(), Some(2));
        assert!(text(&o).1.contains("no/such/spec.toml: cannot read"));
        let o = chainlab(&["run", &spec_path("oppi_quick.toml"), "--jobs", "0"]);
        assert_eq!(o.status.code(), Some(2));
        let o = chainlab(&["run", &spec_path("oppi_quick.toml"), "--frobnicate"]);
        assert_eq!(o.status.code(), Some(2));
    }
}

mod commands {
    use super::*;

    #[test]
    fn a_closed_stdout_ends_a_command_quietly() {
        let mut child = Command::new(env!("CARGO_BIN_EXE_chainlab"))
            .args(["schema", "--model", "twin"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader goes away, as `| head -1` does
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }

    #[test]
    fn graph_options_are_checked_by_the_propagation_schema() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("g.csv");
        let out = out.to_str().unwrap();
        // The same ranges and cross-parameter checks as an experiment file, with the flag named.
        for (args, message) in [
            (
                vec!["--nodes", "1"],
                "--nodes 1: allowed: an integer in 2..=1048576",
            ),
            (
                vec!["--nodes", "10", "--k", "12"],
                "--k: allowed: k must be in 1..=9",
            ),
            (
                vec!["--delay-min", "5", "--delay-max", "2 ms"],
                "--delay-min: allowed: at most delay_max (2 ms)",
            ),
            (vec!["--beta", "2"], "--beta 2: allowed: a number in [0, 1]"),
        ] {
            let mut a = vec!["graph", "--out", out];
            a.extend(args);
            let o = chainlab(&a);
            assert_eq!(o.status.code(), Some(2), "{a:?}");
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(err.contains(message), "{a:?}: {err}");
        }
        // Defaults come from the schema (kout, 1000 nodes, k = 8); durations take units.
        let o = chainlab(&["graph", "--delay-max", "0.5 s", "--out", out]);
        assert!(o.status.success());
        assert!(String::from_utf8_lossy(&o.stdout).starts_with("kout n=1000 "));
        let max_w = fs::read_to_string(out)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.rsplit(',').next().unwrap().parse::<u32>().unwrap())
            .max()
            .unwrap();
        assert!(max_w <= 500 && max_w > 400, "{max_w}");
    }

    #[test]
    fn graph_writes_peersim_exact_edge_lists() {
        let tmp = tempfile::tempdir().unwrap();
        let csv = tmp.path().join("g.csv");
        let o = chainlab(&[
            "graph",
            "--topology",
            "ws",
            "--nodes",
            "1000",
            "--k",
            "8",
            "--beta",
            "0.8",
            "--seed",
            "1",
            "--rng",
            "peersim",
            "--out",
            csv.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{:?}", text(&o));
        let body = fs::read_to_string(&csv).unwrap();
        let mut lines = body.lines();
        assert_eq!(lines.next(), Some("u,v,weight"));
        const P: u64 = 1_000_000_007;
        let (mut m, mut s1, mut s2) = (0, 0u64, 0u64);
        for l in lines {
            let f: Vec<u64> = l.split(',').map(|x| x.parse().unwrap()).collect();
            assert!(f[0] < f[1] && (1..=100).contains(&f[2]));
            let x = (f[0] * 1000 + f[1]) % P;
            s1 = (s1 + x) % P;
            s2 = (s2 + x * x % P) % P;
            m += 1;
        }
        assert_eq!((m, s1, s2), (7778, 809349454, 692190270));
        assert!(text(&o).0.contains("edges=7778"));

        let pq = tmp.path().join("g.parquet");
        let o = chainlab(&[
            "graph",
            "--topology",
            "ba",
            "--nodes",
            "100",
            "--k",
            "2",
            "--out",
            pq.to_str().unwrap(),
        ]);
        assert!(o.status.success());
        let rows: usize = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(&pq).unwrap())
            .unwrap()
            .build()
            .unwrap()
            .map(|b| b.unwrap().num_rows())
            .sum();
        assert_eq!(rows, 2 * 98);
    }

    #[test]
    fn list_shows_every_experiment_with_its_figure() {
        let (out, _) = text(&chainlab(&["list"]));
        for (f, fig) in [
            ("oppi_quick.toml", "Figs 7-9"),
            ("oppi_scaling.toml", "Figs 7-9"),
            ("oppi_degree.toml", "Figs 10"),
            ("oppi_topology.toml", "Figs 11"),
        ] {
            assert!(
                out.lines().any(|l| l.contains(f) && l.contains(fig)),
                "{f}: {out}"
            );
        }
    }

    #[test]
    fn every_shipped_experiment_validates() {
        for e in fs::read_dir(format!("{}/experiments", env!("CARGO_MANIFEST_DIR"))).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_none_or(|x| x != "toml") {
                continue; // experiments/notebooks/
            }
            for quick in [false, true] {
                let mut args = vec!["validate", p.to_str().unwrap()];
                if quick {
                    args.push("--quick");
                }
                let o = chainlab(&args);
                assert!(o.status.success(), "{p:?}: {:?}", text(&o));
            }
        }
    }

    #[test]
    fn schema_matches_the_parquet_files_and_the_readme() {
        let tmp = tempfile::tempdir().unwrap();
        let o = chainlab(&[
            "run",
            &spec_path("oppi_quick.toml"),
            "--quick",
            "--out",
            tmp.path().to_str().unwrap(),
            "--quiet",
        ]);
        assert!(o.status.success());
        let dir = plan_dir(tmp.path(), "oppi_quick");
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(fs::File::open(&part_files(&dir)[0]).unwrap())
                .unwrap();
        let kv = builder
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .unwrap()
            .clone();
        assert!(kv.iter().any(|k| {
            k.key == "chainlab.plan_hash"
                && k.value.as_deref()
                    == dir
                        .file_name()
                        .unwrap()
                        .to_str()
                        .and_then(|n| n.strip_prefix("plan="))
        }));
        let schema = builder.schema().clone();
        let cols = chainlab::model::Model::from_name("propagation")
            .expect("registered")
            .columns();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(
            names,
            cols.iter().map(|c| c.name.as_str()).collect::<Vec<_>>()
        );
        let manifest: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["status"], "complete");
        assert_eq!(manifest["counts"]["executed"], 24);
        assert_eq!(manifest["master_seed"], 20230101);
    }
}

mod pbft {
    use super::*;

    /// A transfer longer than the nanosecond clock holds (500 000 MB over 10^-5 MB/s: 1 585
    /// years) never arrives within the run; it used to wrap `now + delay` and arrive at once,
    /// so such a chain committed a block a second.
    #[test]
    fn a_transfer_of_centuries_never_arrives_instead_of_wrapping() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = tmp.path().join("huge.toml");
        fs::write(
            &spec,
            r#"name = "huge"
description = "blocks that take centuries to send"
seed = 1
replicates = 1
model = "pbft"
[params]
nodes = 4
peers = 3
block_size = 1000000.0
tx_size = 500000.0
tx_size_dist = "fixed"
tx_rate = "1 per s"
bandwidth = "per_node"
bandwidth_mean = 0.00001
bandwidth_sd = 0.0
bandwidth_min = 0.000001
duration = "10 s"
"#,
        )
        .unwrap();
        let out = tmp.path().join("r");
        let o = run_args(&spec, &out, &[]);
        assert!(o.status.success(), "{:?}", text(&o));
        let rows = read_rows(&plan_dir(&out, "huge"));
        assert_eq!(
            values::<arrow_array::types::UInt32Type>(&rows[0], "blocks"),
            vec![0]
        );
    }

    /// The baseline's quick profile runs every case, safely, to its transactions.
    pub(super) fn baseline_checks(_root: &Path, a: &[RecordBatch]) {
        let batch = &a[0];
        let col = |name: &str| batch.column_by_name(name).unwrap().clone();
        let cases = col("case");
        let cases = cases
            .as_any()
            .downcast_ref::<arrow_array::StringArray>()
            .unwrap();
        let names: Vec<&str> = cases.iter().map(|c| c.unwrap()).collect();
        assert_eq!(
            names,
            [
                "paper_a_10",
                "paper_a_10",
                "paper_a_50",
                "paper_a_50",
                "paper_b_primary",
                "paper_b_primary"
            ]
        );
        assert!(
            values::<UInt64Type>(batch, "safety_violations")
                .iter()
                .all(|&v| v == 0)
        );
        let txs = values::<UInt64Type>(batch, "txs_committed_min");
        assert!(txs[..4].iter().all(|&t| t >= 1000), "{txs:?}");
    }

    /// f = 3 Byzantine validators of ten never split the chain, whatever they do; f + 1
    /// equivocators split it in most runs (the golden table pins the rows).
    pub(super) fn byzantine_checks(_root: &Path, a: &[RecordBatch]) {
        let (mut split, mut attacked) = (0, 0);
        for batch in a {
            let k = values::<Int64Type>(batch, "byzantine_nodes");
            let v = values::<UInt64Type>(batch, "safety_violations");
            let how = batch.column_by_name("byzantine_behaviour").unwrap();
            let how = how
                .as_any()
                .downcast_ref::<arrow_array::StringArray>()
                .unwrap();
            for i in 0..batch.num_rows() {
                match (k[i], how.value(i)) {
                    (3, _) => {
                        assert_eq!(v[i], 0, "row {i}: f Byzantine validators split the chain")
                    }
                    (4, "equivocate") => {
                        attacked += 1;
                        split += usize::from(v[i] > 0);
                    }
                    _ => {}
                }
            }
        }
        assert_eq!(attacked, 8);
        assert!(
            split >= 6,
            "{split} of 8 runs with f + 1 equivocators split the chain"
        );
    }

    /// Each protocol's quick profile, run by run, is pinned in
    /// `tests/golden/consensus_compare_quick.csv` (`CHAINLAB_BLESS=1 cargo test --release
    /// quick_profiles` rewrites it; review the diff). Beside the pins, what the rules imply:
    /// Tendermint's votes (both forms) carry no block, so it sends less than PBFT; BigFoot's fast path
    /// sends no commit votes, so it sends fewer messages; no run is unsafe.
    pub(super) fn consensus_checks(_root: &Path, a: &[RecordBatch]) {
        let mut lines = vec![
            "case,nodes,replicate,blocks,msgs,bytes_sent_mb,latency_tx_mean_s,round_changes,events"
                .to_string(),
        ];
        let mut by_case: std::collections::BTreeMap<(String, i64), (u64, f64)> = Default::default();
        for batch in a {
            let cases = batch.column_by_name("case").unwrap();
            let cases = cases
                .as_any()
                .downcast_ref::<arrow_array::StringArray>()
                .unwrap();
            let u32s = |n: &str| values::<arrow_array::types::UInt32Type>(batch, n);
            let f64s = |n: &str| values::<arrow_array::types::Float64Type>(batch, n);
            let nodes = values::<arrow_array::types::Int64Type>(batch, "nodes");
            let (rep, blocks) = (u32s("replicate"), u32s("blocks"));
            let (msgs, rc, events) = (
                values::<UInt64Type>(batch, "msgs"),
                values::<UInt64Type>(batch, "round_changes"),
                values::<UInt64Type>(batch, "events"),
            );
            let (bytes, latency) = (f64s("bytes_sent_mb"), f64s("latency_tx_mean_s"));
            assert!(
                values::<UInt64Type>(batch, "safety_violations")
                    .iter()
                    .all(|&v| v == 0)
            );
            for i in 0..batch.num_rows() {
                let case = cases.value(i).to_string();
                lines.push(format!(
                    "{case},{},{},{},{},{:.6},{:.9},{},{}",
                    nodes[i], rep[i], blocks[i], msgs[i], bytes[i], latency[i], rc[i], events[i]
                ));
                let e = by_case.entry((case, nodes[i])).or_default();
                e.0 += msgs[i];
                e.1 += bytes[i];
            }
        }
        for n in [4, 16] {
            let of = |c: &str| by_case[&(c.to_string(), n)];
            assert!(of("tendermint").1 < of("pbft").1 / 2.0, "{n}: {by_case:?}");
            assert!(
                of("tendermint_v2").1 < of("pbft").1 / 2.0,
                "{n}: {by_case:?}"
            );
            assert!(of("bigfoot").0 < of("pbft").0, "{n}: {by_case:?}");
        }
        let got = lines.join("\n") + "\n";
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/consensus_compare_quick.csv");
        if std::env::var_os("CHAINLAB_BLESS").is_some() {
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, &got).unwrap();
        }
        let expected =
            fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing", path.display()));
        assert_eq!(
            got,
            expected,
            "consensus_compare's quick rows changed (see {})",
            path.display()
        );
    }

    /// The scenario experiment: every run carries the scenario's canonical text, crashes
    /// exactly once (validator 5 over 60-120 s), and its series table has 24 windows of 10 s
    /// whose blocks add up to the run's; with every validator up (0-60 s, and 220-240 s once
    /// BigFoot has worked off its backlog) each protocol keeps up with the 200 transactions a
    /// second, and with one down BigFoot's fast path, which waits for every validator, makes
    /// it commit far fewer. The best protocol changes: with all up BigFoot's fast path (one
    /// message delay of 100 ms less) gives the lowest latency, with a validator down the real
    /// Tendermint (its 3 s propose step against PBFT's 10 s round timeout and BigFoot's 5 s
    /// fast-path wait), replicate by replicate.
    pub(super) fn scenario_checks(root: &Path, a: &[RecordBatch]) {
        let mut blocks_of: std::collections::BTreeMap<(String, u32), u32> = Default::default();
        for batch in a {
            let col = |n: &str| batch.column_by_name(n).unwrap().clone();
            let cases = col("case");
            let cases = cases
                .as_any()
                .downcast_ref::<arrow_array::StringArray>()
                .unwrap();
            let scenario = col("scenario");
            let scenario = scenario
                .as_any()
                .downcast_ref::<arrow_array::StringArray>()
                .unwrap();
            let (rep, blocks) = (
                values::<arrow_array::types::UInt32Type>(batch, "replicate"),
                values::<arrow_array::types::UInt32Type>(batch, "blocks"),
            );
            let crashes = values::<UInt64Type>(batch, "crashes");
            for i in 0..batch.num_rows() {
                assert_eq!(
                    scenario.value(i),
                    "shifting_conditions | 0 | 60000 crashed=5 | 120000 bandwidth_mean=2.0 crashed= | 180000 bandwidth_mean=10.0"
                );
                assert_eq!(crashes[i], 1);
                blocks_of.insert((cases.value(i).to_string(), rep[i]), blocks[i]);
            }
        }
        let series = read_rows(&plan_dir(root, "scenario_shift.series"));
        // Per run (case, replicate): (window, end, blocks, throughput, txs, mean latency).
        type Windows = Vec<(u32, f64, u32, f64, u32, f64)>;
        let mut per_run: std::collections::BTreeMap<(String, u32), Windows> = Default::default();
        for b in &series {
            let cases = b.column_by_name("case").unwrap();
            let cases = cases
                .as_any()
                .downcast_ref::<arrow_array::StringArray>()
                .unwrap();
            let rep = values::<arrow_array::types::UInt32Type>(b, "replicate");
            let window = values::<arrow_array::types::UInt32Type>(b, "window");
            let end = values::<Float64Type>(b, "ts_end_s");
            let blocks = values::<arrow_array::types::UInt32Type>(b, "ts_blocks");
            let tps = values::<Float64Type>(b, "ts_throughput_tps");
            let txs = values::<arrow_array::types::UInt32Type>(b, "ts_txs");
            let latency = values::<Float64Type>(b, "ts_latency_mean_s");
            for i in 0..b.num_rows() {
                per_run
                    .entry((cases.value(i).to_string(), rep[i]))
                    .or_default()
                    .push((window[i], end[i], blocks[i], tps[i], txs[i], latency[i]));
            }
        }
        assert_eq!(per_run.len(), 6);
        for (run, w) in &per_run {
            assert_eq!(w.len(), 24, "{run:?}");
            for (k, x) in w.iter().enumerate() {
                assert_eq!((x.0, x.1), (k as u32, 10.0 * (k as f64 + 1.0)), "{run:?}");
            }
            assert_eq!(
                w.iter().map(|x| x.2).sum::<u32>(),
                blocks_of[run],
                "{run:?}"
            );
            let mean = |r: std::ops::Range<usize>| {
                let n = r.len() as f64;
                w[r].iter().map(|x| x.3).sum::<f64>() / n
            };
            // All up: throughput within 10 % of the offered 200 per s.
            for r in [0..6, 22..24] {
                assert!(
                    (mean(r.clone()) - 200.0).abs() < 20.0,
                    "{run:?} {r:?}: {w:?}"
                );
            }
            if run.0 == "bigfoot" {
                assert!(mean(7..12) < 100.0, "{run:?}: {w:?}");
            }
        }
        // Mean latency of the transactions committed in windows `r` of a run.
        let latency = |case: &str, rep: u32, r: std::ops::Range<usize>| {
            let w = &per_run[&(case.to_string(), rep)][r];
            let n: u32 = w.iter().map(|x| x.4).sum();
            w.iter()
                .filter(|x| x.4 > 0)
                .map(|x| x.5 * f64::from(x.4))
                .sum::<f64>()
                / f64::from(n)
        };
        for rep in 0..2 {
            let all_up = |c| latency(c, rep, 0..6);
            assert!(all_up("bigfoot") < all_up("pbft").min(all_up("tendermint")));
            let one_down = |c| latency(c, rep, 6..12);
            assert!(one_down("tendermint") < one_down("pbft"));
            assert!(one_down("pbft") < one_down("bigfoot"));
        }
    }

    /// The trace experiment: every run is identified by the trace's content, generates
    /// exactly the trace's transactions and commits them all; per window, the transactions
    /// committed add up to the trace's, and none is committed in the last window (the trace
    /// ends at 102.8 s), while each of the first ten windows commits about what the trace
    /// created in it (the file read here, independently).
    pub(super) fn trace_checks(root: &Path, a: &[RecordBatch]) {
        let csv = fs::read_to_string(spec_path("traces/sbs_docker_first.csv")).unwrap();
        let mut created = [0u32; 12];
        for line in csv.lines().skip(1) {
            let t: f64 = line.split(',').next().unwrap().parse().unwrap();
            created[((t / 10.0) as usize).min(11)] += 1;
        }
        assert_eq!(created.iter().sum::<u32>(), 3000);
        for batch in a {
            let trace = batch.column_by_name("tx_trace").unwrap();
            let trace = trace
                .as_any()
                .downcast_ref::<arrow_array::StringArray>()
                .unwrap();
            assert!(
                trace
                    .iter()
                    .all(|t| t == Some("sbs_docker_first sha256=cec11a04ee38da60 txs=3000"))
            );
            assert!(
                values::<UInt64Type>(batch, "txs_generated")
                    .iter()
                    .all(|&n| n == 3000)
            );
            assert!(
                values::<UInt64Type>(batch, "txs_committed_min")
                    .iter()
                    .all(|&n| n == 3000)
            );
        }
        let mut per_run: BTreeMap<(String, u32), Vec<u32>> = BTreeMap::new();
        for b in read_rows(&plan_dir(root, "trace_docker.series")) {
            let cases = b.column_by_name("case").unwrap();
            let cases = cases
                .as_any()
                .downcast_ref::<arrow_array::StringArray>()
                .unwrap();
            let rep = values::<arrow_array::types::UInt32Type>(&b, "replicate");
            let txs = values::<arrow_array::types::UInt32Type>(&b, "ts_txs");
            for i in 0..b.num_rows() {
                per_run
                    .entry((cases.value(i).to_string(), rep[i]))
                    .or_default()
                    .push(txs[i]);
            }
        }
        assert_eq!(per_run.len(), 6);
        for (run, w) in &per_run {
            assert_eq!(w.len(), 12, "{run:?}");
            assert_eq!(w.iter().sum::<u32>(), 3000, "{run:?}");
            assert_eq!(w[11], 0, "{run:?}");
            for k in 0..10 {
                assert!(
                    w[k].abs_diff(created[k]) <= 60,
                    "{run:?} window {k}: {w:?} against {created:?}"
                );
            }
        }
    }

    /// On paper B's chain SBS V2's retry gives rounds up (round changes, far fewer blocks)
    /// where the corrected model never changes round; the accumulating propagation delays
    /// raise latency; no case is unsafe.
    pub(super) fn sbs_bug_checks(_root: &Path, a: &[RecordBatch]) {
        let batch = &a[0];
        let cases = batch.column_by_name("case").unwrap();
        let cases = cases
            .as_any()
            .downcast_ref::<arrow_array::StringArray>()
            .unwrap();
        let blocks = values::<arrow_array::types::UInt32Type>(batch, "blocks");
        let rc = values::<UInt64Type>(batch, "round_changes");
        let lat = values::<Float64Type>(batch, "latency_sbs_created_s");
        let rows = |name: &str| -> Vec<usize> {
            (0..batch.num_rows())
                .filter(|&i| cases.value(i) == name)
                .collect()
        };
        // Under sbs = "v2" the switch columns show what the run used: every switch on.
        for col in [
            "sbs_compat",
            "sbs_v2_retry",
            "sbs_v2_generation",
            "sbs_v2_pool",
            "sbs_v2_replay",
            "sbs_v2_accumulate",
            "sbs_v2_pop",
        ] {
            let on = batch.column_by_name(col).unwrap();
            let on = on
                .as_any()
                .downcast_ref::<arrow_array::BooleanArray>()
                .unwrap();
            assert!(
                rows("v2").iter().all(|&i| on.value(i)),
                "{col} under sbs = v2"
            );
            assert!(rows("corrected").iter().all(|&i| !on.value(i)), "{col}");
        }
        let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len() as f64;
        let of = |name: &str, col: &dyn Fn(usize) -> f64| {
            mean(&rows(name).iter().map(|&i| col(i)).collect::<Vec<_>>())
        };
        let b = |i: usize| f64::from(blocks[i]);
        let r = |i: usize| rc[i] as f64;
        let l = |i: usize| lat[i];
        assert_eq!(of("corrected", &r), 0.0);
        for bug in ["only_retry", "v2"] {
            assert!(of(bug, &r) > 0.0, "{bug}");
            assert!(of(bug, &b) * 2.0 < of("corrected", &b), "{bug}");
        }
        assert!(of("only_accumulate", &l) > 2.0 * of("corrected", &l));
        assert!(
            values::<UInt64Type>(batch, "safety_violations")
                .iter()
                .all(|&v| v == 0)
        );
    }
}

mod failures {
    use super::*;
    use chainlab::model::Model;
    use chainlab::runner::{Provenance, RunOptions, execute_with};
    use chainlab::spec::{Overrides, parse};

    #[test]
    fn a_failing_run_is_recorded_with_its_error_and_the_sweep_goes_on() {
        let tmp = tempfile::tempdir().unwrap();
        let plan = parse(Path::new("spec.toml"), SMALL, Overrides::default()).unwrap();
        let opts = RunOptions {
            jobs: Some(2),
            out_root: tmp.path().to_path_buf(),
            ..RunOptions::default()
        };
        let s = execute_with(&plan, &opts, &Provenance::default(), &|run, seeds, ws| {
            if run.index % 10 == 3 {
                panic!("injected failure in run {}", run.index);
            }
            Model::run(&run.params, seeds, ws)
        })
        .unwrap();
        assert_eq!((s.total, s.executed, s.failed), (72, 72, 7));
        let batches = read_rows(&plan_dir(tmp.path(), "small"));
        let mut failed = 0;
        for b in &batches {
            let status = b
                .column_by_name("status")
                .unwrap()
                .as_any()
                .downcast_ref::<arrow_array::StringArray>()
                .unwrap();
            let error = b
                .column_by_name("error")
                .unwrap()
                .as_any()
                .downcast_ref::<arrow_array::StringArray>()
                .unwrap();
            let msgs = b.column_by_name("msgs").unwrap();
            for i in 0..b.num_rows() {
                if status.value(i) == "failed" {
                    failed += 1;
                    assert!(error.value(i).starts_with("injected failure in run"));
                    assert!(msgs.is_null(i));
                } else {
                    assert!(error.is_null(i) && !msgs.is_null(i));
                }
            }
        }
        assert_eq!(failed, 7);
    }
}

mod twin {
    use super::*;

    fn plan_rows(root: &Path, experiment: &str) -> Vec<RecordBatch> {
        read_rows(&plan_dir(root, experiment))
    }

    /// Fig. 6 over systems: replicates share their system, and Algorithm 1 loses exactly the
    /// links it cannot see.
    /// Under links = "exact" every node of the physical system has exactly `peers` links.
    /// Algorithm 1 recomputed from each row's own lists (not from the code's counts): the
    /// missing nodes are the `missing_ids`, exactly `missing` of them, and exactly they are
    /// estimated; every other node's bandwidth is the reported (true) one; of the true edges,
    /// those between two reporting nodes are reported, those with one missing end are
    /// reconstructed from the reporting end's state message, and those between two missing
    /// nodes are lost (no state message names them; without path history), so the model has
    /// the true edges less the lost ones.
    pub(super) fn reconstruction_checks(_root: &Path, a: &[RecordBatch]) {
        let mut seen = 0;
        for b in a {
            let missing = values::<Int64Type>(b, "missing");
            let ids = strings(b, "missing_ids");
            let nodes = values::<Int64Type>(b, "nodes");
            let (t, m, lost) = (
                values::<UInt64Type>(b, "edges_true"),
                values::<UInt64Type>(b, "edges_model"),
                values::<UInt64Type>(b, "edges_lost"),
            );
            let history = b
                .column_by_name("path_history")
                .unwrap()
                .as_any()
                .downcast_ref::<arrow_array::BooleanArray>()
                .unwrap();
            for i in 0..b.num_rows() {
                seen += 1;
                let gone: std::collections::BTreeSet<u32> = ids[i]
                    .split(',')
                    .filter(|x| !x.is_empty())
                    .map(|x| x.parse().unwrap())
                    .collect();
                assert_eq!(gone.len() as i64, missing[i], "row {i}");
                let state = list_strings(b, "node_state", i);
                let (bw, model) = (
                    list_f64(b, "node_bw_true_mbps", i),
                    list_f64(b, "node_bw_model_mbps", i),
                );
                assert_eq!(state.len() as i64, nodes[i]);
                for v in 0..state.len() {
                    let out = gone.contains(&(v as u32));
                    assert_eq!(state[v] != "reported", out, "row {i} node {v}");
                    if !out {
                        assert_eq!(bw[v], model[v], "row {i} node {v}");
                    }
                }
                let (ea, eb) = (list_u32(b, "edge_a", i), list_u32(b, "edge_b", i));
                let status = list_strings(b, "edge_status", i);
                assert_eq!(ea.len() as u64, t[i]);
                let mut between = 0;
                for e in 0..ea.len() {
                    let ends =
                        usize::from(gone.contains(&ea[e])) + usize::from(gone.contains(&eb[e]));
                    let want = ["reported", "reconstructed", "lost"][ends];
                    between += u64::from(ends == 2);
                    if ends < 2 || !history.value(i) {
                        assert_eq!(status[e], want, "row {i} edge {e}");
                    }
                }
                if !history.value(i) {
                    assert_eq!(lost[i], between, "row {i}");
                    assert_eq!(m[i], t[i] - between, "row {i}");
                }
            }
        }
        assert!(seen > 0);
    }

    pub(super) fn exact_degree_checks(_root: &Path, a: &[RecordBatch]) {
        let batch = &a[0];
        let peers = values::<Int64Type>(batch, "peers");
        let lo = values::<arrow_array::types::UInt32Type>(batch, "degree_min");
        let hi = values::<arrow_array::types::UInt32Type>(batch, "degree_max");
        let mean = values::<Float64Type>(batch, "degree_mean");
        let links = values::<UInt64Type>(batch, "edges_true");
        let nodes = values::<Int64Type>(batch, "nodes");
        for i in 0..batch.num_rows() {
            let d = peers[i] as u32;
            assert_eq!((lo[i], hi[i], mean[i]), (d, d, f64::from(d)), "row {i}");
            assert_eq!(links[i] as i64 * 2, nodes[i] * peers[i], "row {i}");
        }
    }

    pub(super) fn fig6_systems_checks(_root: &Path, a: &[RecordBatch]) {
        // Replicates of one system share the physical run; systems differ.
        let orig: Vec<f64> = a
            .iter()
            .flat_map(|b| values::<Float64Type>(b, "orig_latency_sbs_s"))
            .collect();
        assert_eq!(orig[0], orig[1]);
        assert_ne!(orig[0], orig[orig.len() - 1]);
        for batch in a {
            let col = |name: &str| batch.column_by_name(name).unwrap().clone();
            // Algorithm 1 loses exactly the links between two missing nodes.
            assert_eq!(
                values::<UInt64Type>(batch, "edges_lost"),
                values::<UInt64Type>(batch, "edges_between_missing")
            );
            assert!(
                values::<UInt64Type>(batch, "model_safety_violations")
                    .iter()
                    .all(|&v| v == 0)
            );
            // Per-node list columns: one entry per node, states that add up.
            let states = col("node_state");
            let states = states
                .as_any()
                .downcast_ref::<arrow_array::ListArray>()
                .unwrap();
            let missing = values::<Int64Type>(batch, "missing");
            for (i, &m) in missing.iter().enumerate() {
                let v = states.value(i);
                let v = v
                    .as_any()
                    .downcast_ref::<arrow_array::StringArray>()
                    .unwrap();
                assert_eq!(v.len(), 50);
                let reported = v.iter().filter(|s| *s == Some("reported")).count();
                assert_eq!(reported as i64, 50 - m);
            }
        }
    }

    #[test]
    fn named_missing_nodes_with_nothing_lost_re_simulate_the_original_exactly() {
        let tmp = tempfile::tempdir().unwrap();
        let body = fs::read_to_string(spec_path("twin_fig5.toml"))
            .unwrap()
            .replace("name = \"twin_fig5\"", "name = \"t\"")
            .replace("replicates = 20", "replicates = 2")
            .replace("missing = 3", "missing = 0");
        let spec = write_spec(tmp.path(), &body);
        run_quiet(spec.to_str().unwrap(), tmp.path(), "1");
        let rows = plan_rows(tmp.path(), "t");
        let b = &rows[0];
        for name in [
            "diff_latency_sbs_s",
            "diff_throughput_sbs_tps",
            "diff_block_time_mean_s",
            "diff_gini_sbs",
        ] {
            let c = values::<Float64Type>(b, name);
            assert!(c.iter().all(|&x| x == 0.0), "{name}: {c:?}");
        }
        // Named nodes: exactly those are lost.
        let body = body.replace("missing = 0", "missing = 2\nmissing_nodes = \"7, 2\"");
        let spec = write_spec(tmp.path(), &body);
        let named = tmp.path().join("named");
        run_quiet(spec.to_str().unwrap(), &named, "1");
        let dir = plan_dir(&named, "t");
        let rows = read_rows(&dir);
        let ids = rows[0].column_by_name("missing_ids").unwrap();
        let ids = ids
            .as_any()
            .downcast_ref::<arrow_array::StringArray>()
            .unwrap();
        assert!(ids.iter().all(|s| s == Some("2,7")));
    }

    /// Algorithm 2 never goes back a block; arrival order does once messages are late.
    /// Lying state messages: no liar, nothing misled and no false link; liars about
    /// bandwidth add no false link; the misled nodes are at least the liars (each liar's own
    /// entry) under every lie but deflation, where they are exactly the liars.
    pub(super) fn byzantine_checks(_root: &Path, a: &[RecordBatch]) {
        let mut seen = 0;
        for batch in a {
            let case = batch.column_by_name("case").unwrap();
            let case = case
                .as_any()
                .downcast_ref::<arrow_array::StringArray>()
                .unwrap();
            let liars = values::<Int64Type>(batch, "liars");
            let misled = values::<arrow_array::types::UInt32Type>(batch, "nodes_misled");
            let fake = values::<UInt64Type>(batch, "edges_false");
            for i in 0..batch.num_rows() {
                seen += 1;
                let (k, m, e) = (liars[i], misled[i], fake[i]);
                match case.value(i) {
                    _ if k == 0 => assert_eq!((m, e), (0, 0), "row {i}"),
                    "deflate" => assert_eq!((i64::from(m), e), (k, 0), "row {i}"),
                    "inflate" => assert!(i64::from(m) >= k && e == 0, "row {i}: {m} {e}"),
                    "peers" => assert!(e > 0, "row {i}"),
                    other => panic!("case {other}"),
                }
            }
        }
        assert_eq!(seen, 18);
    }

    pub(super) fn sync_checks(_root: &Path, a: &[RecordBatch]) {
        let b = &a[0];
        assert!(
            values::<UInt64Type>(b, "alg2_height_regressions")
                .iter()
                .all(|&x| x == 0)
        );
        // At a mean delay of about four block times (rows 2 and 3) the naive twin goes back.
        let naive = values::<UInt64Type>(b, "naive_height_regressions");
        assert!(naive[2] > 0 && naive[3] > 0, "{naive:?}");
        let applied = values::<UInt64Type>(b, "naive_applied");
        let (a2, ign) = (
            values::<UInt64Type>(b, "alg2_applied"),
            values::<UInt64Type>(b, "alg2_ignored"),
        );
        for i in 0..4 {
            assert_eq!(applied[i], a2[i] + ign[i]);
        }
    }
}

mod management {
    use super::*;
    use arrow_array::types::UInt32Type;

    /// Every configuration block is listed, in the run's lists and in the blocks table, and
    /// a bigger block takes longer to agree on.
    /// f Byzantine management nodes never get a forbidden block past the primary's checks;
    /// 2f+1 get one agreed in every case, rejected for its own reason only.
    pub(super) fn byzantine_checks(_root: &Path, a: &[RecordBatch]) {
        let batch = &a[0];
        let case = batch.column_by_name("case").unwrap();
        let case = case
            .as_any()
            .downcast_ref::<arrow_array::StringArray>()
            .unwrap();
        let k = values::<Int64Type>(batch, "mgmt_byzantine");
        let col = |n: &str| values::<UInt64Type>(batch, n);
        let (stale, unsigned, invalid) = (
            col("cb_rejected_stale"),
            col("cb_rejected_unsigned"),
            col("cb_rejected_invalid"),
        );
        let violations = col("config_violations");
        for i in 0..batch.num_rows() {
            let r = (stale[i], unsigned[i], invalid[i]);
            assert_eq!(violations[i], 0);
            if k[i] == 5 {
                assert_eq!(r, (0, 0, 0), "row {i}");
                continue;
            }
            match case.value(i) {
                "stale" => assert!(r.0 > 0 && r.1 == 0 && r.2 == 0, "row {i}: {r:?}"),
                "unsigned" => assert!(r.0 == 0 && r.1 > 0 && r.2 == 0, "row {i}: {r:?}"),
                "invalid" => assert!(r.0 == 0 && r.1 == 0 && r.2 > 0, "row {i}: {r:?}"),
                other => panic!("case {other}"),
            }
        }
    }

    /// Configuration blocks that switch protocol: no fork, no block without its
    /// configuration; where the configurations alternate, switch blocks in both directions;
    /// under `same`, no switch into an alternate configuration.
    pub(super) fn switch_checks(_root: &Path, a: &[RecordBatch]) {
        let mut seen = 0;
        for batch in a {
            let cases = strings(batch, "case");
            for name in ["config_violations", "safety_violations"] {
                assert!(
                    values::<UInt64Type>(batch, name).iter().all(|&v| v == 0),
                    "{name}"
                );
            }
            assert!(batch.column_by_name("cb_consensus").is_some());
            let to_alt = values::<Float64Type>(batch, "block_time_switch_to_alt_median_s");
            let to_base = values::<Float64Type>(batch, "block_time_switch_to_base_median_s");
            for (i, case) in cases.iter().enumerate() {
                seen += 1;
                assert!(to_base[i].is_finite(), "{case}");
                match case.as_str() {
                    "same" | "tendermint_alone" | "bigfoot_alone" => {
                        assert!(to_alt[i].is_nan(), "{case}")
                    }
                    _ => assert!(to_alt[i].is_finite(), "{case}"),
                }
                if case == "cycle" {
                    // The spec's three configurations, in turn from configuration height 1.
                    let protocols = list_strings(batch, "cb_consensus", i);
                    let sizes = list_f64(batch, "cb_block_size_mb", i);
                    let intervals = list_f64(batch, "cb_block_interval_ms", i);
                    assert!(protocols.len() >= 6, "{protocols:?}");
                    for (j, p) in protocols.iter().enumerate() {
                        let k = j % 3;
                        assert_eq!(p, ["tendermint", "bigfoot", "pbft"][k]);
                        assert_eq!(sizes[j], [0.5, 2.0, 1.0][k]);
                        assert_eq!(intervals[j], [200.0, 100.0, 100.0][k]);
                    }
                }
            }
        }
        assert_eq!(seen, 18);
    }

    /// The management chain's own protocol: with every member live each agrees without a
    /// failed cycle; BigFoot's fast path needs every member, so with one offline every
    /// agreement waits for the fast-path timer (fast_path_timeout, 5 s by default) before
    /// its slow path; Tendermint's votes carry the block's hash, PBFT's (votes = "block")
    /// the block, so Tendermint's management traffic is lighter per message.
    pub(super) fn protocol_checks(_root: &Path, a: &[RecordBatch]) {
        let batch = &a[0];
        let cases = strings(batch, "case");
        let offline = values::<Int64Type>(batch, "mgmt_offline");
        let delay = values::<Float64Type>(batch, "agreement_delay_mean_s");
        let failed = values::<UInt64Type>(batch, "cb_failed_cycles_total");
        let (msgs, mb) = (
            values::<UInt64Type>(batch, "mgmt_msgs"),
            values::<Float64Type>(batch, "mgmt_mb"),
        );
        for name in ["config_violations", "safety_violations", "cb_rejected"] {
            assert!(
                values::<UInt64Type>(batch, name).iter().all(|&v| v == 0),
                "{name}"
            );
        }
        let per_msg = |case: &str| {
            let i = (0..cases.len())
                .find(|&i| cases[i] == case && offline[i] == 0)
                .unwrap();
            mb[i] / msgs[i] as f64
        };
        assert!(per_msg("tendermint") < per_msg("pbft"));
        for i in 0..cases.len() {
            let at = format!("{} offline {}", cases[i], offline[i]);
            if offline[i] == 0 {
                assert_eq!(failed[i], 0, "{at}");
                assert!(delay[i] < 1.0, "{at}: {}", delay[i]);
            }
            if cases[i] == "bigfoot" && offline[i] == 1 {
                assert!(delay[i] >= 5.0, "{at}: {}", delay[i]);
            }
        }
        assert_eq!(cases.len(), 6);
    }

    pub(super) fn config_checks(root: &Path, a: &[RecordBatch]) {
        let batch = &a[0];
        let cases = strings(batch, "case");
        assert_eq!(
            cases,
            [
                "cb_0_05", "cb_0_05", "cb_4", "cb_4", "mn_4", "mn_4", "mn_32", "mn_32"
            ]
        );
        for name in ["config_violations", "safety_violations", "cb_rejected"] {
            assert!(
                values::<UInt64Type>(batch, name).iter().all(|&v| v == 0),
                "{name}"
            );
        }
        let blocks = values::<UInt32Type>(batch, "cb_blocks");
        let agreement = values::<Float64Type>(batch, "agreement_delay_mean_s");
        for (i, &n) in blocks.iter().enumerate() {
            // Two minutes, a block every Normal(30 s, 5 s): three or four blocks.
            assert!((3..=4).contains(&n), "row {i}: {n}");
            // One list entry per configuration block, each phase in the order Algorithms 1
            // and 2 impose (not the sum the code forms): the agreement takes at least the
            // block's creation (20 ms) and three validated messages (1 ms each); the next
            // interval fires at least 1 ms after the block was agreed (CBI ~ Normal(30 s,
            // 5 s), at least 1 ms); propagation and update take no negative time; the
            // management delay is at least the agreement's.
            let agreement_s = list_f64(batch, "cb_agreement_s", i);
            let propagation = list_f64(batch, "cb_propagation_s", i);
            let update = list_f64(batch, "cb_update_s", i);
            let total = list_f64(batch, "cb_management_s", i);
            let fired = list_f64(batch, "cb_cbi_at_s", i);
            assert_eq!(total.len(), n as usize);
            for j in 0..n as usize {
                assert!(
                    agreement_s[j] >= 0.023,
                    "row {i} block {j}: {}",
                    agreement_s[j]
                );
                if j + 1 < n as usize {
                    assert!(
                        fired[j + 1] >= fired[j] + agreement_s[j] + 0.001,
                        "row {i} block {j}"
                    );
                }
                if total[j].is_finite() {
                    assert!(
                        propagation[j] >= 0.0 && update[j] >= 0.0,
                        "row {i} block {j}"
                    );
                    assert!(total[j] >= agreement_s[j], "row {i} block {j}");
                }
            }
        }
        // The table of configuration blocks: one row per list entry, the same values.
        let plan = plan_dir(root, "mgmt_config");
        let hash = plan.file_name().unwrap().to_owned();
        let ba = read_rows(&root.join("mgmt_config.blocks").join(hash));
        let t = &ba[0];
        assert_eq!(
            t.num_rows() as u64,
            blocks.iter().map(|&n| u64::from(n)).sum::<u64>()
        );
        let run_index = values::<UInt64Type>(t, "run_index");
        let index = values::<UInt32Type>(t, "cb_index");
        let height = values::<UInt32Type>(t, "cb_height");
        let update = values::<Float64Type>(t, "cb_update_s");
        let mut row = 0;
        for (i, &n) in blocks.iter().enumerate() {
            let heights = list_u32(batch, "cb_height", i);
            let updates = list_f64(batch, "cb_update_s", i);
            for j in 0..n as usize {
                assert_eq!((run_index[row], index[row]), (i as u64, j as u32));
                assert_eq!(height[row], heights[j]);
                assert_eq!(update[row].to_bits(), updates[j].to_bits());
                row += 1;
            }
        }
        // Same committee and network (the environment does not depend on cb_size): a 4 MB
        // configuration block takes longer to agree on than a 0.05 MB one, replicate by
        // replicate.
        for r in 0..2 {
            assert!(agreement[2 + r] > agreement[r], "{agreement:?}");
        }
    }

    /// Switch and normal blocks are reported, and slow links make slow blocks.
    pub(super) fn bandwidth_checks(_root: &Path, rows: &[RecordBatch]) {
        let batch = &rows[0];
        let switches = values::<UInt32Type>(batch, "switch_blocks");
        let normal = values::<Float64Type>(batch, "block_time_normal_median_s");
        let blocks = values::<UInt32Type>(batch, "cb_blocks");
        for i in 0..8 {
            // Every configuration block moves the chain to a new configuration height, so
            // each one that 2f+1 nodes switched to makes a switch block.
            assert!(switches[i] >= 1 && switches[i] <= blocks[i], "row {i}");
            assert!(normal[i] > 0.1, "row {i}: {}", normal[i]);
        }
        // 2 MB/s links make slower blocks than 10 MB/s links.
        assert!(normal[0] > normal[4], "{normal:?}");
    }

    /// Mean-preserving draws keep the per-message mean at 2 MB/s whatever the sd; clamped
    /// draws raise it at sd 2 (to 2.18 MB/s: E[max(Normal(2, 2), 0.1)]).
    pub(super) fn clamp_checks(_root: &Path, rows: &[RecordBatch]) {
        let batch = &rows[0];
        let strings = |name: &str| -> Vec<String> {
            let c = batch.column_by_name(name).unwrap();
            let c = c
                .as_any()
                .downcast_ref::<arrow_array::StringArray>()
                .unwrap();
            c.iter().map(|x| x.unwrap().to_string()).collect()
        };
        let (case, draw) = (strings("case"), strings("bandwidth_draw"));
        let sd = values::<Float64Type>(batch, "bandwidth_sd_mbps");
        let mean = values::<Float64Type>(batch, "link_bandwidth_mean_mbps");
        let mut seen = 0;
        for i in 0..batch.num_rows() {
            if case[i] != "per_message" {
                // Per node: a link is its slower end, below the nodes' mean.
                assert!(mean[i] < 2.0, "row {i}: {}", mean[i]);
                continue;
            }
            seen += 1;
            match (draw[i].as_str(), sd[i]) {
                ("mean_preserving", _) => assert!((mean[i] - 2.0).abs() < 1e-9, "row {i}"),
                ("clamped", 2.0) => assert!((mean[i] - 2.183).abs() < 1e-3, "row {i}: {}", mean[i]),
                ("clamped", _) => assert!((mean[i] - 2.0).abs() < 1e-9, "row {i}: {}", mean[i]),
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(seen, 8);
    }
}

mod propagation {
    use super::*;

    /// `references = false` on the PeerSim job's file: the broadcast columns as with the
    /// references, the reference columns null (a real spec, the binary, Parquet read back).
    #[test]
    fn the_peersim_job_without_references_writes_null_reference_columns() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = spec_path("../benches/peersim/flood10.toml");
        let body = fs::read_to_string(&spec)
            .unwrap()
            .replace("replicates = 10", "replicates = 2")
            .replace("nodes = 10000", "nodes = 500");
        let (bare, full) = (tmp.path().join("bare"), tmp.path().join("full"));
        fs::create_dir_all(&bare).unwrap();
        fs::create_dir_all(&full).unwrap();
        let with = body.replace("references = false", "references = true");
        assert_ne!(with, body, "flood10.toml sets references = false");
        for (dir, text) in [(&bare, &body), (&full, &with)] {
            let out = run_args(&write_spec(dir, text), &dir.join("out"), &[]);
            assert!(out.status.success(), "{out:?}");
        }
        let a = read_rows(&plan_dir(&bare.join("out"), "peersim_flood10"));
        let b = read_rows(&plan_dir(&full.join("out"), "peersim_flood10"));
        for name in [
            "mst_weight_ms",
            "spt_weight_ms",
            "mst_construct_msgs_ghs",
            "mst_reward_gini",
        ] {
            let c = a[0].column_by_name(name).unwrap();
            assert_eq!(c.null_count(), c.len(), "{name} is null without references");
            assert_eq!(b[0].column_by_name(name).unwrap().null_count(), 0, "{name}");
        }
        for name in ["msgs", "makespan_ms", "delay_total_ms", "events"] {
            assert_eq!(
                values::<UInt64Type>(&a[0], name),
                values::<UInt64Type>(&b[0], name),
                "{name}"
            );
        }
    }

    /// A column as f64, whatever its integer or float type.
    fn num(b: &RecordBatch, name: &str) -> Vec<f64> {
        use arrow_array::cast::AsArray;
        use arrow_array::types::*;
        use arrow_schema::DataType;
        let c = b.column_by_name(name).unwrap_or_else(|| panic!("{name}"));
        match c.data_type() {
            DataType::Int64 => c
                .as_primitive::<Int64Type>()
                .values()
                .iter()
                .map(|&x| x as f64)
                .collect(),
            DataType::UInt64 => c
                .as_primitive::<UInt64Type>()
                .values()
                .iter()
                .map(|&x| x as f64)
                .collect(),
            DataType::UInt32 => c
                .as_primitive::<UInt32Type>()
                .values()
                .iter()
                .map(|&x| f64::from(x))
                .collect(),
            DataType::Float64 => c.as_primitive::<Float64Type>().values().to_vec(),
            other => panic!("{name}: {other:?}"),
        }
    }

    /// Every broadcast row against the protocols' definitions, recomputed from the row's own
    /// graph figures (not from the code's other columns' formulas): each message informs a
    /// node or is a duplicate; a tree protocol (OPPI, SPT) sends n - 1 messages and its total
    /// link delay is its tree's weight (OPPI's the MST's, SPT's the shortest-path tree's);
    /// flooding on an undirected connected graph sends 2|E| - (n - 1) (the source to every
    /// neighbour, every other node to all but the one it heard from); gossip sends pushes x
    /// fanout per informed node; flooding's first arrivals follow shortest paths, so its
    /// makespan is SPT's, and no protocol beats it on the same graph; the fork probabilities
    /// are their formulas of the block rate (per ms) and the mean arrival.
    pub(super) fn broadcast_checks(_root: &Path, a: &[RecordBatch]) {
        type Graph = (String, u64, u64, u64, u64, u64, u32);
        let mut fastest: BTreeMap<Graph, (u64, u64)> = BTreeMap::new();
        let mut seen = 0;
        for b in a {
            let protocol = strings(b, "protocol");
            let topology = strings(b, "topology");
            let (msgs, dup, informed) = (num(b, "msgs"), num(b, "duplicates"), num(b, "informed"));
            let (nodes, edges) = (num(b, "nodes"), num(b, "edges"));
            let (tree, delay) = (num(b, "tree_weight_ms"), num(b, "delay_total_ms"));
            let (mst, spt) = (num(b, "mst_weight_ms"), num(b, "spt_weight_ms"));
            let (pushes, fanout) = (num(b, "gossip_pushes"), num(b, "gossip_fanout"));
            let (makespan, arrival) = (num(b, "makespan_ms"), num(b, "mean_arrival_ms"));
            let rate = num(b, "block_rate_per_s");
            let (fork, poisson) = (
                num(b, "fork_probability"),
                num(b, "fork_probability_poisson"),
            );
            let (source, rep, k) = (num(b, "source"), num(b, "replicate"), num(b, "k"));
            let connected = b
                .column_by_name("connected")
                .unwrap()
                .as_any()
                .downcast_ref::<arrow_array::BooleanArray>()
                .unwrap();
            for i in 0..b.num_rows() {
                seen += 1;
                let at = format!("{} {} n {} row {i}", protocol[i], topology[i], nodes[i]);
                assert_eq!(dup[i], msgs[i] - (informed[i] - 1.0), "{at}");
                let all = connected.value(i) && informed[i] == nodes[i];
                assert!(
                    all || !connected.value(i),
                    "{at}: a connected graph is covered"
                );
                match protocol[i].as_str() {
                    "oppi" | "spt" => {
                        assert_eq!(msgs[i], informed[i] - 1.0, "{at}");
                        assert_eq!(delay[i], tree[i], "{at}");
                        let want = if protocol[i] == "oppi" {
                            mst[i]
                        } else {
                            spt[i]
                        };
                        assert_eq!(tree[i], want, "{at}");
                    }
                    "flood" if all => {
                        assert_eq!(msgs[i], 2.0 * edges[i] - (nodes[i] - 1.0), "{at}")
                    }
                    "gossip" => assert_eq!(msgs[i], pushes[i] * fanout[i] * informed[i], "{at}"),
                    _ => {}
                }
                let per_ms = rate[i] / 1000.0;
                // 1 - exp(-lambda I) and 1 - (1 - P_b)^I, in forms exact for tiny rates.
                let expect = -(-per_ms * arrival[i]).exp_m1();
                assert!(
                    (poisson[i] - expect).abs() <= 1e-9 * expect.max(1e-300),
                    "{at}"
                );
                let expect = -(arrival[i] * (-per_ms).ln_1p()).exp_m1();
                assert!(
                    (fork[i] - expect).abs() <= 1e-9 * expect.max(1e-300),
                    "{at}"
                );
                if all {
                    let graph: Graph = (
                        topology[i].clone(),
                        nodes[i] as u64,
                        edges[i] as u64,
                        mst[i] as u64,
                        k[i] as u64,
                        rep[i] as u64,
                        source[i] as u32,
                    );
                    let e = fastest.entry(graph).or_insert((u64::MAX, u64::MAX));
                    match protocol[i].as_str() {
                        "spt" => e.0 = makespan[i] as u64,
                        "flood" => e.1 = makespan[i] as u64,
                        _ => {}
                    }
                }
            }
        }
        assert!(seen > 0);
        // Flooding's makespan is SPT's on the same graph and source (when the plan runs both).
        let mut pairs = 0;
        for (g, (spt, flood)) in &fastest {
            if *spt != u64::MAX && *flood != u64::MAX {
                assert_eq!(spt, flood, "{g:?}");
                pairs += 1;
            }
        }
        let both =
            fastest.values().any(|e| e.0 != u64::MAX) && fastest.values().any(|e| e.1 != u64::MAX);
        assert!(pairs > 0 || !both);
    }

    /// Signing only adds time; a last-hop check is one verification per informed node; a
    /// whole-path check is at least that, and bytes are those of the signed hops.
    pub(super) fn signed_checks(_root: &Path, a: &[RecordBatch]) {
        let batch = &a[0];
        let c = batch.column_by_name("path_signing").unwrap();
        let signing: Vec<String> = c
            .as_any()
            .downcast_ref::<arrow_array::StringArray>()
            .unwrap()
            .iter()
            .map(|x| x.unwrap().to_string())
            .collect();
        let makespan = values::<UInt64Type>(batch, "makespan_ms");
        let signed = values::<Float64Type>(batch, "signed_makespan_ms");
        let verifications = values::<UInt64Type>(batch, "signed_verifications");
        let signatures = values::<UInt64Type>(batch, "signed_signatures");
        let msgs = values::<UInt64Type>(batch, "msgs");
        let bytes = values::<UInt64Type>(batch, "signed_path_bytes");
        let informed = values::<arrow_array::types::UInt32Type>(batch, "informed");
        for i in 0..batch.num_rows() {
            assert!(signed[i] >= makespan[i] as f64, "row {i}");
            assert_eq!(signatures[i], msgs[i], "row {i}");
            assert_eq!(bytes[i] % 172, 0, "row {i}");
            assert!(bytes[i] >= 172 * msgs[i], "row {i}");
            let first = u64::from(informed[i]) - 1;
            match signing[i].as_str() {
                "last_hop" => assert_eq!(verifications[i], first, "row {i}"),
                _ => assert!(verifications[i] > first, "row {i}"),
            }
        }
    }
}

mod churn {
    use super::*;

    /// Churn only adds to OPPI's messages, and the tree is never faster than shortest paths.
    pub(super) fn checks(_root: &Path, a: &[RecordBatch]) {
        let batch = &a[0];
        let rate = values::<Float64Type>(batch, "churn_rate");
        let oppi = values::<Float64Type>(batch, "oppi_msgs_per_broadcast");
        let flood = values::<Float64Type>(batch, "flood_msgs_per_broadcast");
        let construct = values::<UInt64Type>(batch, "construct_msgs");
        let even = values::<Float64Type>(batch, "break_even_broadcasts");
        let ratio = values::<Float64Type>(batch, "makespan_ratio");
        for i in 0..12 {
            if rate[i] == 0.0 {
                // No churn: n - 1 messages a broadcast, and the construction pays back after
                // construct / (flood - (n - 1)) broadcasts.
                assert_eq!(oppi[i], 999.0);
                let expect = construct[i] as f64 / (flood[i] - 999.0);
                assert!((even[i] - expect).abs() < 1e-9, "row {i}");
            } else {
                assert!(oppi[i] > 999.0, "row {i}: maintenance costs messages");
            }
            // The tree is never faster than shortest paths.
            assert!(ratio[i] >= 1.0, "row {i}: {}", ratio[i]);
        }
        // Churn shares the graph with the churn-free run of its replicate (same construction).
        assert_eq!(construct[0], construct[2]);
    }
}

mod incentive {
    use super::*;

    /// The split is Sybil-proof for the owner only.
    pub(super) fn checks(_root: &Path, rows: &[RecordBatch]) {
        let batch = &rows[0];
        let case = batch.column_by_name("case").unwrap();
        let case = case
            .as_any()
            .downcast_ref::<arrow_array::StringArray>()
            .unwrap();
        let gain = values::<Float64Type>(batch, "sybil_gain");
        let formula = values::<Float64Type>(batch, "relayer_gain_formula");
        let limit = values::<Float64Type>(batch, "gain_limit");
        let sum = values::<Float64Type>(batch, "shares_sum");
        for i in 0..batch.num_rows() {
            assert!((sum[i] - 1.0).abs() < 1e-12);
            match case.value(i) {
                "owner" => assert!((gain[i] - 1.0).abs() < 1e-12, "row {i}"),
                "relayer" => {
                    assert!((gain[i] - formula[i]).abs() < 1e-12, "row {i}");
                    assert!(gain[i] > 1.0 && gain[i] < limit[i], "row {i}");
                }
                other => panic!("case {other}"),
            }
        }
    }
}

mod figures {
    use super::*;
    use chainlab::figure::Size;

    /// A valid PNG of the figure size.
    fn assert_png(path: &Path) {
        let bytes = fs::read(path).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{path:?}");
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .unwrap();
        let info = reader.info().clone();
        assert_eq!((info.width, info.height), Size::Column.pixels(), "{path:?}");
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut buf).unwrap();
        // Not blank: white background, but coloured series and black text.
        assert!(buf.chunks(3).any(|p| p != [255, 255, 255]), "{path:?}");
    }

    fn files(dir: &Path) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    }

    /// A sweep no figure of its family fits (a user's beta sweep of the propagation family)
    /// still gets a line chart of every varying metric against the swept parameter, whose
    /// CSV holds the rows' means (here the mean degree, which grows with beta: PeerSim's
    /// `WireWS` adds links as it rewires).
    #[test]
    fn any_swept_numeric_parameter_gets_a_line_chart_of_each_metric() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = write_spec(
            tmp.path(),
            "name = \"beta_sweep\"\ndescription = \"a user's sweep\"\nmodel = \"propagation\"\nseed = 1\nreplicates = 2\n[params]\ntopology = \"ws\"\nnodes = 200\nprotocol = \"flood\"\n[sweep]\nbeta = [0.0, 0.5, 1.0]\n",
        );
        let res = tmp.path().join("res");
        let o = run_args(&spec, &res, &["--plot"]);
        assert!(o.status.success(), "{o:?}");
        assert!(!text(&o).1.contains("no figure fits"), "{:?}", text(&o));
        let plan = plan_dir(&res, "beta_sweep");
        let csv = fs::read_to_string(plan.join("figures/beta_sweep_mean_degree_vs_beta.csv"))
            .expect("a chart of the mean degree against beta");
        let batches = read_rows(&plan);
        let (beta, degree) = (
            values::<Float64Type>(&batches[0], "beta"),
            values::<Float64Type>(&batches[0], "mean_degree"),
        );
        let mut means = Vec::new();
        for line in csv.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let x: f64 = f[1].parse().unwrap();
            let rows: Vec<f64> = (0..beta.len())
                .filter(|&i| beta[i] == x)
                .map(|i| degree[i])
                .collect();
            let mean = rows.iter().sum::<f64>() / rows.len() as f64;
            assert!((f[3].parse::<f64>().unwrap() - mean).abs() < 1e-9, "{line}");
            means.push(mean);
        }
        assert_eq!(means.len(), 3);
        assert!(means[0] < means[1] && means[1] < means[2], "{means:?}");
        assert!(files(&plan.join("figures")).len() > 3 * 3);
    }

    #[test]
    fn plot_draws_labelled_png_and_svg_identically_and_refuses_bad_input() {
        let tmp = tempfile::tempdir().unwrap();
        let res = tmp.path().join("res");
        // A bad --format fails before any run starts.
        let spec = spec_path("oppi_quick.toml");
        let o = chainlab(&[
            "run",
            &spec,
            "--quick",
            "--plot",
            "--format",
            "gif",
            "--out",
            res.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            text(&o).1.contains("unknown format `gif`"),
            "{:?}",
            text(&o)
        );
        assert!(!res.exists());
        run_quick("oppi_quick.toml", &res, &["--plot"]);
        let plan = plan_dir(&res, "oppi_quick");
        // run --plot drew PNG and SVG into the plan's figures/ folder.
        let from_run = files(&plan.join("figures"));
        // PNG, SVG and the CSV of the numbers drawn, for 3 figures x 3 topologies.
        assert_eq!(from_run.len(), 3 * 3 * 3, "{from_run:?}");
        // The CSV beside a figure holds the numbers it draws: here the mean messages of each
        // protocol and n on kout, which the Parquet rows give independently.
        let csv = fs::read_to_string(plan.join("figures/oppi_quick_msgs_kout.csv")).unwrap();
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("series,x,n,mean,min,q1,median,q3,max"));
        let batches = read_rows(&plan);
        let mut checked = 0;
        for line in lines {
            let f: Vec<&str> = line.split(',').collect();
            let proto = match f[0] {
                "flooding" => "flood",
                "OPPI (MST)" => "oppi",
                "SPT" => "spt",
                other => other,
            };
            let n = f[1].parse::<f64>().unwrap();
            let mut msgs = Vec::new();
            for b in &batches {
                let s = |c: &str| {
                    b.column_by_name(c)
                        .unwrap()
                        .as_any()
                        .downcast_ref::<arrow_array::StringArray>()
                        .unwrap()
                        .clone()
                };
                let (topo, protocol) = (s("topology"), s("protocol"));
                let nodes = values::<Int64Type>(b, "nodes");
                let m = values::<UInt64Type>(b, "msgs");
                for i in 0..b.num_rows() {
                    if topo.value(i) == "kout" && protocol.value(i) == proto && nodes[i] as f64 == n
                    {
                        msgs.push(m[i] as f64);
                    }
                }
            }
            assert_eq!(f[2].parse::<usize>().unwrap(), msgs.len(), "{line}");
            let mean = msgs.iter().sum::<f64>() / msgs.len() as f64;
            assert!((f[3].parse::<f64>().unwrap() - mean).abs() < 1e-9, "{line}");
            checked += 1;
        }
        assert_eq!(checked, 4 * 2, "4 protocols x 2 values of n");
        for (i, out) in ["a", "b"].iter().enumerate() {
            let dir = tmp.path().join(out);
            let o = chainlab(&[
                "plot",
                res.to_str().unwrap(),
                "--out",
                dir.to_str().unwrap(),
            ]);
            assert!(o.status.success(), "{:?}", text(&o));
            let (stdout, _) = text(&o);
            assert_eq!(
                stdout.lines().filter(|l| l.starts_with("figure: ")).count(),
                18
            );
            let msgs = fs::read_to_string(dir.join("oppi_quick_msgs_kout.svg")).unwrap();
            assert!(msgs.starts_with("<svg"));
            for label in [
                "gossip",
                "OPPI (MST)",
                "flooding",
                "SPT",
                "messages per broadcast, k-out",
                "nodes n (log10)",
                "messages (log10)",
            ] {
                assert!(msgs.contains(label), "{label}");
            }
            let lat = fs::read_to_string(dir.join("oppi_quick_latency_ws.svg")).unwrap();
            assert!(lat.contains("OPPI (MST) makespan") && lat.contains("flooding mean arrival"));
            for f in files(&dir) {
                if f.extension().is_some_and(|e| e == "png") {
                    assert_png(&f);
                }
            }
            if i == 1 {
                // Identical results, identical files.
                for f in files(&dir) {
                    let a = tmp.path().join("a").join(f.file_name().unwrap());
                    assert_eq!(fs::read(&f).unwrap(), fs::read(&a).unwrap(), "{f:?}");
                    let r = plan.join("figures").join(f.file_name().unwrap());
                    assert_eq!(fs::read(&f).unwrap(), fs::read(&r).unwrap(), "{f:?}");
                }
            }
        }
        // One format only.
        let svg = tmp.path().join("svg");
        let o = chainlab(&[
            "plot",
            res.to_str().unwrap(),
            "--out",
            svg.to_str().unwrap(),
            "--format",
            "svg",
        ]);
        assert!(o.status.success(), "{:?}", text(&o));
        let only = files(&svg);
        assert_eq!(only.len(), 9 * 2, "nine SVG figures, each with its CSV");
        assert!(only.iter().all(|f| {
            let e = f.extension().unwrap();
            e == "svg" || e == "csv"
        }));
        // A missing directory, one without results, an unknown format: exit 2, a clear
        // message, nothing drawn.
        for (dir, format, expect) in [
            (
                tmp.path().join("missing"),
                "png",
                "no chainlab results here",
            ),
            (tmp.path().join("a"), "png", "no chainlab results here"),
            (res.clone(), "png,pdf", "unknown format `pdf`"),
        ] {
            let o = chainlab(&[
                "plot",
                dir.to_str().unwrap(),
                "--out",
                tmp.path().join("c").to_str().unwrap(),
                "--format",
                format,
            ]);
            assert_eq!(o.status.code(), Some(2));
            let (_, err) = text(&o);
            assert!(err.contains(expect), "{err}");
            if expect.starts_with("no chainlab") {
                assert!(err.contains(dir.to_str().unwrap()), "{err}");
            }
            assert!(!tmp.path().join("c").exists());
        }
    }

    #[test]
    fn every_model_has_its_figures_with_their_series_names() {
        let tmp = tempfile::tempdir().unwrap();
        let res = tmp.path().join("res");
        for spec in [
            "oppi_topology.toml",
            "oppi_fork.toml",
            "oppi_churn.toml",
            "oppi_incentive.toml",
            "pbft_baseline.toml",
            "twin_fig5.toml",
            "twin_sync.toml",
            "mgmt_config.toml",
            "consensus_compare.toml",
        ] {
            run_quick(spec, &res, &[]);
        }
        let out = tmp.path().join("figs");
        let o = chainlab(&[
            "plot",
            res.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--format",
            "svg",
        ]);
        assert!(o.status.success(), "{:?}", text(&o));
        let (_, err) = text(&o);
        assert!(!err.contains("skipped"), "{err}");
        // (figure, texts it must show: title, axis, series or group names).
        let expected: [(&str, &[&str]); 13] = [
            (
                "oppi_topology_msgs",
                &[
                    "per topology, n = 1000",
                    "Barabasi-Albert",
                    "k-out",
                    "Watts-Strogatz",
                    "gossip",
                    "SPT",
                ],
            ),
            (
                "oppi_fork_fork_kout_n1000",
                &[
                    "fork probability (Eq. 2)",
                    "flooding",
                    "OPPI (MST)",
                    "blocks per second",
                ],
            ),
            (
                "oppi_churn_break_even_kout",
                &["broadcasts until OPPI beats flooding", "n = 1000"],
            ),
            (
                "oppi_churn_ops_ws",
                &["link leave", "node join", "node leave (R)", "n = 1000"],
            ),
            (
                "oppi_incentive_sybil_gain_relayer_len5",
                &["Sybil gain", "C = 0.1", "C = 0.5", "Sybil identities"],
            ),
            (
                "pbft_baseline_latency",
                &[
                    "paper_a_10",
                    "paper_a_50",
                    "paper_b_primary",
                    "mean transaction latency (SBS), s (log10)",
                ],
            ),
            (
                "twin_fig5_latency",
                &[
                    "original system",
                    "reconstructed model",
                    "mean transaction latency (SBS), s",
                ],
            ),
            (
                "twin_fig5_bw_error",
                &["relative bandwidth error of missing nodes: (estimate - true) / true"],
            ),
            (
                "twin_sync_regressions_block_peers",
                &[
                    "arrival order",
                    "Algorithm 2",
                    "mean delay of a state message",
                ],
            ),
            ("twin_sync_staleness_block_peers", &["staleness, s"]),
            (
                "consensus_compare_throughput_vs_nodes",
                &[
                    "throughput over the run, per s, a line per case",
                    "bigfoot",
                    "tendermint_v2",
                    "pbft",
                    "nodes",
                ],
            ),
            (
                "mgmt_config_delays_cb_size",
                &[
                    "agreement",
                    "propagation",
                    "update",
                    "against cb size",
                    "cb size, MB",
                ],
            ),
            (
                "mgmt_config_switch_mgmt_nodes",
                &[
                    "switch blocks, median",
                    "normal blocks, 95th percentile",
                    "against mgmt nodes",
                ],
            ),
        ];
        for (stem, texts) in expected {
            let svg = fs::read_to_string(out.join(format!("{stem}.svg")))
                .unwrap_or_else(|e| panic!("{stem}: {e}"));
            for t in texts {
                assert!(svg.contains(t), "{stem}: `{t}` missing");
            }
        }
    }
}

/// Sharding, status, retries, kills: the guarantees a cluster sweep leans on.
mod cluster {
    use super::*;
    use chainlab::model::Model;
    use chainlab::runner::status::plan_status;
    use chainlab::runner::{Provenance, RunOptions, execute, execute_with};
    use chainlab::spec::{Overrides, parse};
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn shard_manifest_parts(dir: &Path, i: u32, n: u32) -> Vec<u64> {
        let m: serde_json::Value = serde_json::from_str(
            &fs::read_to_string(dir.join(format!("manifest.shard-{i}-of-{n}.json"))).unwrap(),
        )
        .unwrap();
        m["shard"]["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_u64().unwrap())
            .collect()
    }

    #[test]
    fn shards_in_any_split_and_order_give_the_rows_of_one_run() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = write_spec(tmp.path(), SMALL);
        let reference = tmp.path().join("one");
        let o = run_args(&spec, &reference, &["--jobs", "2"]);
        assert!(o.status.success(), "{:?}", text(&o));
        let want = read_rows(&plan_dir(&reference, "small"));

        // Three shards by flag, last first.
        let three = tmp.path().join("three");
        for i in [2, 0, 1] {
            let o = run_args(
                &spec,
                &three,
                &["--shard", &format!("{i}/3"), "--jobs", "1"],
            );
            assert!(o.status.success(), "{:?}", text(&o));
            let (out, _) = text(&o);
            assert!(out.contains(&format!("shard {i}/3 (")), "{out}");
        }
        let dir = plan_dir(&three, "small");
        assert_eq!(read_rows(&dir), want);
        // Disjoint, covering, balanced (18 parts: 6 each).
        let mut all: Vec<u64> = (0..3)
            .flat_map(|i| shard_manifest_parts(&dir, i, 3))
            .collect();
        for i in 0..3 {
            assert_eq!(shard_manifest_parts(&dir, i, 3).len(), 6);
        }
        all.sort_unstable();
        assert_eq!(all, (0..18).collect::<Vec<u64>>());

        // Five shards from Slurm's environment (an array 1-5: ids shifted by MIN).
        let five = tmp.path().join("five");
        for id in 1..=5 {
            let o = Command::new(env!("CARGO_BIN_EXE_chainlab"))
                .args(["run", spec.to_str().unwrap(), "--out"])
                .arg(&five)
                .arg("--quiet")
                .env("SLURM_ARRAY_TASK_ID", id.to_string())
                .env("SLURM_ARRAY_TASK_MIN", "1")
                .env("SLURM_ARRAY_TASK_MAX", "5")
                .env_remove("SLURM_ARRAY_TASK_COUNT")
                .output()
                .unwrap();
            assert!(o.status.success(), "{:?}", text(&o));
            assert!(text(&o).0.contains(&format!("shard {}/5", id - 1)));
        }
        assert_eq!(read_rows(&plan_dir(&five, "small")), want);

        // Kubernetes: an index with an explicit count.
        let k8s = tmp.path().join("k8s");
        for id in 0..2 {
            let o = Command::new(env!("CARGO_BIN_EXE_chainlab"))
                .args(["run", spec.to_str().unwrap(), "--shard-count", "2", "--out"])
                .arg(&k8s)
                .arg("--quiet")
                .env("JOB_COMPLETION_INDEX", id.to_string())
                .env_remove("SLURM_ARRAY_TASK_ID")
                .output()
                .unwrap();
            assert!(o.status.success(), "{:?}", text(&o));
        }
        assert_eq!(read_rows(&plan_dir(&k8s, "small")), want);

        // A bad shard is a usage error before anything is written.
        let bad = tmp.path().join("bad");
        let o = run_args(&spec, &bad, &["--shard", "3/3"]);
        assert_eq!(o.status.code(), Some(2));
        assert!(text(&o).1.contains("shard index 3 of 3: allowed 0..=2"));
        assert!(!bad.exists());
    }

    #[test]
    fn status_reports_done_failed_and_missing_per_shard() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = write_spec(tmp.path(), SMALL);
        let out = tmp.path().join("r");
        for i in [0, 2] {
            let o = run_args(&spec, &out, &["--shard", &format!("{i}/3")]);
            assert!(o.status.success(), "{:?}", text(&o));
        }
        let o = chainlab(&["status", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "incomplete: {:?}", text(&o));
        let (stdout, _) = text(&o);
        assert!(
            stdout.contains("small: 72 runs in 18 parts, 3 shards"),
            "{stdout}"
        );
        let row = |label: &str| -> Vec<String> {
            stdout
                .lines()
                .find(|l| l.trim_start().starts_with(label))
                .unwrap_or_else(|| panic!("{label} in {stdout}"))
                .split_whitespace()
                .map(String::from)
                .collect()
        };
        assert_eq!(row("0/3"), ["0/3", "6", "24", "24", "0", "0", "0"]);
        assert_eq!(row("1/3"), ["1/3", "6", "24", "0", "0", "24", "0"]);
        assert_eq!(row("all"), ["all", "18", "72", "48", "0", "24", "0"]);
        assert!(stdout.contains("incomplete: 24 runs missing in parts"));

        let st = plan_status(&plan_dir(&out, "small"), None).unwrap();
        assert_eq!(st.shards, 3);
        assert_eq!(st.counts(Some(1)).missing, 24);
        // The missing parts are exactly shard 1's.
        let o = run_args(&spec, &out, &["--shard", "1/3"]);
        assert!(o.status.success());
        let st = plan_status(&plan_dir(&out, "small"), None).unwrap();
        assert_eq!(st.counts(None).done, 72);
        let o = chainlab(&["status", out.to_str().unwrap()]);
        assert!(o.status.success(), "complete: {:?}", text(&o));
        assert!(
            text(&o).0.trim_end().ends_with("complete"),
            "{:?}",
            text(&o)
        );

        // A directory that holds no results is a clear error.
        let o = chainlab(&["status", tmp.path().join("nothing").to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2));
        assert!(text(&o).1.contains("no such results directory"));
        let o = chainlab(&["status", spec.parent().unwrap().to_str().unwrap()]);
        assert!(o.status.success(), "the temp dir holds r/: {:?}", text(&o));
        let empty = tmp.path().join("empty");
        fs::create_dir(&empty).unwrap();
        let o = chainlab(&["status", empty.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2));
        assert!(text(&o).1.contains("no chainlab results here"));
    }

    #[test]
    fn retry_failed_reruns_only_the_failed_runs_and_ends_with_the_clean_rows() {
        let tmp = tempfile::tempdir().unwrap();
        let plan = parse(Path::new("spec.toml"), SMALL, Overrides::default()).unwrap();
        let clean = tmp.path().join("clean");
        execute(
            &plan,
            &RunOptions {
                jobs: Some(2),
                out_root: clean.clone(),
                ..RunOptions::default()
            },
            &Provenance::default(),
        )
        .unwrap();
        let out = tmp.path().join("flaky");
        let opts = RunOptions {
            jobs: Some(2),
            out_root: out.clone(),
            ..RunOptions::default()
        };
        let s = execute_with(&plan, &opts, &Provenance::default(), &|run, seeds, ws| {
            if run.index % 7 == 2 {
                panic!("transient failure in run {}", run.index);
            }
            Model::run(&run.params, seeds, ws)
        })
        .unwrap();
        assert_eq!(s.failed, 10);
        let dir = plan_dir(&out, "small");
        assert_eq!(plan_status(&dir, None).unwrap().counts(None).failed, 10);

        // Without the flag, nothing runs again.
        let calls = AtomicUsize::new(0);
        let counting = |run: &chainlab::spec::RunSpec, seeds, ws: &mut _| {
            calls.fetch_add(1, Ordering::Relaxed);
            Model::run(&run.params, seeds, ws)
        };
        let s = execute_with(&plan, &opts, &Provenance::default(), &counting).unwrap();
        assert_eq!(
            (s.executed, s.skipped, calls.load(Ordering::Relaxed)),
            (0, 72, 0)
        );

        // With it, exactly the ten failed runs run, and the rows equal a clean sweep's.
        let retry = RunOptions {
            retry_failed: true,
            ..opts.clone()
        };
        let s = execute_with(&plan, &retry, &Provenance::default(), &counting).unwrap();
        assert_eq!(calls.load(Ordering::Relaxed), 10);
        assert_eq!(
            (s.executed, s.retried, s.skipped, s.failed),
            (10, 10, 62, 0)
        );
        assert_eq!(read_rows(&dir), read_rows(&plan_dir(&clean, "small")));
        assert_eq!(plan_status(&dir, None).unwrap().counts(None).failed, 0);
        // And a second retry finds nothing to do.
        let s = execute_with(&plan, &retry, &Provenance::default(), &counting).unwrap();
        assert_eq!((s.executed, calls.load(Ordering::Relaxed)), (0, 10));
    }

    /// A sweep killed with SIGKILL at random moments and resumed each time ends with exactly
    /// the rows of an uninterrupted run: nothing lost, nothing twice, no torn file read.
    #[test]
    fn a_sweep_killed_at_random_moments_and_resumed_ends_with_the_uninterrupted_rows() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = write_spec(
            tmp.path(),
            r#"name = "killed"
description = "kill and resume"
model = "pbft"
seed = 5
replicates = 60
runs_per_part = 2

[params]
nodes = 20
peers = 6
stop_after_txs = 600
tx_rate = "100 per s"
"#,
        );
        let reference = tmp.path().join("reference");
        let t0 = std::time::Instant::now();
        let o = run_args(&spec, &reference, &["--jobs", "2"]);
        let full = t0.elapsed();
        assert!(o.status.success(), "{:?}", text(&o));
        let want = read_rows(&plan_dir(&reference, "killed"));

        let out = tmp.path().join("killed");
        let mut rng = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng >> 11) as f64 / (1u64 << 53) as f64
        };
        let (mut kills, mut interrupted) = (0, 0);
        let mut progress = Vec::new();
        for _ in 0..8 {
            let mut child = Command::new(env!("CARGO_BIN_EXE_chainlab"))
                .args([
                    "run",
                    spec.to_str().unwrap(),
                    "--quiet",
                    "--jobs",
                    "2",
                    "--out",
                ])
                .arg(&out)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(full.mul_f64(0.05 + 0.5 * next()));
            if child.try_wait().unwrap().is_none() {
                interrupted += 1;
            }
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            kills += 1;
            let dir = out.join("killed");
            if dir.exists() {
                let d = plan_dir(&out, "killed");
                // Every committed part is whole; each is read completely.
                let parts = part_files(&d);
                for p in &parts {
                    let rows: usize =
                        ParquetRecordBatchReaderBuilder::try_new(fs::File::open(p).unwrap())
                            .unwrap()
                            .build()
                            .unwrap()
                            .map(|b| b.unwrap().num_rows())
                            .sum();
                    assert_eq!(rows, 2, "{}", p.display());
                }
                progress.push(parts.len());
            }
        }
        let o = run_args(&spec, &out, &["--jobs", "2"]);
        assert!(o.status.success(), "{:?}", text(&o));
        let got = read_rows(&plan_dir(&out, "killed"));
        let rows: usize = got.iter().map(|b| b.num_rows()).sum();
        eprintln!(
            "kill test: {kills} kills ({interrupted} mid-sweep), committed parts after each: {progress:?}, final rows {rows}"
        );
        assert!(interrupted >= 1, "no kill landed while the sweep ran");
        assert_eq!(rows, 60);
        assert_eq!(got, want);
        // Nothing but whole parts and manifests is visible to a reader's glob.
        let st = plan_status(&plan_dir(&out, "killed"), None).unwrap();
        assert_eq!(st.counts(None).done, 60);
        assert_eq!(st.counts(None).damaged, 0);
    }

    #[test]
    fn a_changed_spec_gets_its_own_plan_directory_and_nothing_mixes() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = write_spec(tmp.path(), SMALL);
        let out = tmp.path().join("r");
        assert!(run_args(&spec, &out, &[]).status.success());
        let first = plan_dir(&out, "small");
        let before = read_rows(&first);
        fs::write(&spec, SMALL.replace("k = 3", "k = 4")).unwrap();
        let o = run_args(&spec, &out, &[]);
        assert!(o.status.success());
        assert!(
            text(&o).0.contains("72 executed, 0 skipped"),
            "{:?}",
            text(&o)
        );
        let mut dirs: Vec<PathBuf> = fs::read_dir(out.join("small"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        dirs.sort();
        assert_eq!(dirs.len(), 2);
        assert!(dirs.contains(&first));
        assert_eq!(
            read_rows(&first),
            before,
            "the first plan's rows are untouched"
        );
        let other = dirs.iter().find(|d| **d != first).unwrap();
        assert_eq!(values::<Int64Type>(&read_rows(other)[0], "k")[0], 4);
    }

    #[test]
    fn an_unwritable_results_root_is_a_clear_error_and_counts_nothing_done() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = write_spec(tmp.path(), SMALL);
        let blocker = tmp.path().join("file");
        fs::write(&blocker, "not a directory").unwrap();
        let o = run_args(&spec, &blocker.join("results"), &[]);
        assert_eq!(o.status.code(), Some(1), "{:?}", text(&o));
        let (_, err) = text(&o);
        assert!(
            err.starts_with("error: ") && err.contains("file/results/small"),
            "{err}"
        );
        assert!(err.contains("Not a directory"), "{err}");
    }

    /// A file system that refuses to grow (RLIMIT_FSIZE, the way a full disk refuses): every
    /// part write fails, the error names the file, no part is counted done and no temporary
    /// file is left; with room again, the sweep completes with the right rows.
    #[test]
    fn a_full_results_directory_leaves_no_part_counted_done() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = write_spec(tmp.path(), SMALL);
        let out = tmp.path().join("r");
        // The manifest (about 6 KB) fits under 8 KiB; a part (about 10 KB) does not.
        let o = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "trap '' XFSZ; ulimit -f 8; exec {} run {} --out {} --quiet --jobs 2",
                env!("CARGO_BIN_EXE_chainlab"),
                spec.display(),
                out.display()
            ))
            .output()
            .unwrap();
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains("part-") && err.contains("inprogress"), "{err}");
        let dir = plan_dir(&out, "small");
        let leftovers: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            // The plan's and the parts' lock files stay (empty; see runner::part_lock).
            .filter(|n| n != "manifest.json" && n != ".lock" && n != ".locks")
            .collect();
        assert_eq!(leftovers, Vec::<String>::new());
        assert_eq!(plan_status(&dir, None).unwrap().counts(None).done, 0);
        let o = run_args(&spec, &out, &[]);
        assert!(o.status.success(), "{:?}", text(&o));
        assert!(text(&o).0.contains("72 executed"));
    }

    #[test]
    fn the_slurm_script_runs_every_shard_and_pins_the_count() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = write_spec(tmp.path(), SMALL);
        let out = tmp.path().join("r");
        let o = chainlab(&[
            "slurm",
            spec.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--shards",
            "4",
            "--cpus-per-task",
            "1",
            "--partition",
            "short",
            "--time",
            "00:20:00",
        ]);
        assert!(o.status.success(), "{:?}", text(&o));
        let (stdout, _) = text(&o);
        let script = PathBuf::from(
            stdout
                .lines()
                .find_map(|l| l.strip_prefix("wrote "))
                .expect("the script path"),
        );
        assert!(stdout.contains(&format!("sbatch {}", script.display())));
        let body = fs::read_to_string(&script).unwrap();
        for line in [
            "#SBATCH --array=0-3",
            "#SBATCH --cpus-per-task=1",
            "#SBATCH --time=00:20:00",
            "#SBATCH --partition=short",
            "--shard-count 4",
        ] {
            assert!(body.contains(line), "{line} in\n{body}");
        }
        // Every #SBATCH line comes before the first command (sbatch stops reading there).
        let first_cmd = body
            .lines()
            .position(|l| !l.starts_with('#') && !l.trim().is_empty())
            .unwrap();
        assert!(
            body.lines()
                .skip(first_cmd)
                .all(|l| !l.starts_with("#SBATCH"))
        );
        // Run the script as Slurm would, task by task (a resubmitted subset would see the same
        // ids); the shards together write the rows of one local run.
        for id in [3, 1, 0, 2] {
            let o = Command::new("bash")
                .arg(&script)
                .env("SLURM_ARRAY_TASK_ID", id.to_string())
                .env("SLURM_ARRAY_TASK_COUNT", "2") // a resubmitted subset's count: ignored
                .env("SLURM_CPUS_PER_TASK", "1")
                .output()
                .unwrap();
            assert!(o.status.success(), "{:?}", text(&o));
        }
        let local = tmp.path().join("local");
        assert!(run_args(&spec, &local, &["--jobs", "2"]).status.success());
        assert_eq!(
            read_rows(&plan_dir(&out, "small")),
            read_rows(&plan_dir(&local, "small"))
        );
    }
}

/// Malformed and impossible experiment files (`tests/hostile/*.toml`): each fails before any
/// run with exit code 2, writes nothing, and prints exactly the message in its `.err` file.
/// `CHAINLAB_BLESS=1 cargo test --release hostile` rewrites the `.err` files (review the diff).
mod hostile {
    use super::*;

    /// The `.toml` files directly in `dir`, sorted.
    fn toml_files(dir: &Path) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        files
    }

    #[test]
    fn every_hostile_spec_gets_its_exact_error_and_leaves_nothing_behind() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
        let specs = toml_files(&corpus);
        assert!(specs.len() >= 50, "the corpus has {} specs", specs.len());
        let bless = std::env::var_os("CHAINLAB_BLESS").is_some();
        // The list of models an error names is the registry's, so that a new family changes
        // no `.err` file: they say `<every registered model>` in its place.
        const MODELS: &str = "<every registered model>";
        let models = chainlab::model::Model::all()
            .map(|m| m.name())
            .collect::<Vec<_>>()
            .join(", ");
        let tmp = tempfile::tempdir().unwrap();
        let mut wrong = Vec::new();
        for spec in &specs {
            let name = spec.file_name().unwrap().to_str().unwrap();
            let body = fs::read(spec).unwrap();
            let extra: Vec<String> = String::from_utf8_lossy(&body)
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("# args: "))
                .map(|a| a.split_whitespace().map(String::from).collect())
                .unwrap_or_default();
            let out = tmp.path().join(name);
            let o = Command::new(env!("CARGO_BIN_EXE_chainlab"))
                .args(["run", name, "--quiet", "--out"])
                .arg(&out)
                .args(&extra)
                .current_dir(&corpus)
                .output()
                .unwrap();
            let (stdout, stderr) = text(&o);
            let expected_path = spec.with_extension("err");
            if bless {
                fs::write(&expected_path, stderr.replace(&models, MODELS)).unwrap();
            }
            let expected = fs::read_to_string(&expected_path)
                .unwrap_or_else(|_| panic!("{} is missing", expected_path.display()))
                .replace(MODELS, &models);
            if o.status.code() != Some(2)
                || !stdout.is_empty()
                || stderr != expected
                || out.exists()
            {
                wrong.push(format!(
                    "{name}: exit {:?}, stdout {stdout:?}, results written: {}\n  got:      {stderr:?}\n  expected: {expected:?}",
                    o.status.code(),
                    out.exists()
                ));
            }
            assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    /// Each hostile spec's error kind (`tests/hostile/kinds.txt`, one `name kind` per line;
    /// blessed with the messages), read through the library as a caller matching kinds would.
    #[test]
    fn every_hostile_spec_has_its_error_kind() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
        let mut specs: Vec<PathBuf> = fs::read_dir(&corpus)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        specs.sort();
        let mut table = String::new();
        for spec in &specs {
            let name = spec.file_name().unwrap().to_str().unwrap();
            let body = fs::read_to_string(spec).unwrap_or_default();
            let args = body.lines().next().and_then(|l| l.strip_prefix("# args: "));
            let mut over = chainlab::spec::Overrides::default();
            let kind = match args.map(|a| a.split_whitespace().collect::<Vec<_>>()) {
                Some(a) if a[0] == "--replicates" => {
                    over.replicates = a[1].parse().ok();
                    None
                }
                // Refused by the command line before the spec is read.
                Some(_) => Some("CommandLine".to_string()),
                None => None,
            };
            let kind = kind.unwrap_or_else(|| match chainlab::spec::load(spec, over) {
                Ok(_) => "Accepted".into(),
                Err(e) => format!("{:?}", e.kind),
            });
            table.push_str(&format!("{name} {kind}\n"));
        }
        let path = corpus.join("kinds.txt");
        if std::env::var_os("CHAINLAB_BLESS").is_some() {
            fs::write(&path, &table).unwrap();
        }
        let expected = fs::read_to_string(&path).expect("tests/hostile/kinds.txt");
        let diff: Vec<String> = expected
            .lines()
            .zip(table.lines())
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("expected {a}, got {b}"))
            .collect();
        assert!(
            diff.is_empty() && expected.lines().count() == specs.len(),
            "{}",
            diff.join("\n")
        );
        // Every kind a spec can have is exercised by at least one hostile spec.
        for kind in [
            "Unreadable",
            "Syntax",
            "UnknownKey",
            "UnknownModel",
            "Value",
            "Combination",
            "Cost",
            "Duplicate",
            "Size",
            "Text",
        ] {
            assert!(
                kind == "Unreadable" || table.contains(&format!(" {kind}\n")),
                "no hostile spec of kind {kind}"
            );
        }
    }

    /// Specs that validate and must still end bounded (`tests/hostile/bounded/*.toml`, each
    /// saying on its first line what it exercises): every run's status, events and error are
    /// pinned in its `.rows` file. `CHAINLAB_BLESS=1` rewrites them (review the diff).
    #[test]
    fn every_bounded_spec_runs_to_its_pinned_rows() {
        let specs =
            toml_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile/bounded"));
        assert!(specs.len() >= 10, "{} bounded specs", specs.len());
        let tmp = tempfile::tempdir().unwrap();
        let mut wrong = Vec::new();
        for spec in &specs {
            let stem = spec.file_stem().unwrap().to_str().unwrap();
            let out = tmp.path().join(stem);
            let o = run_args(spec, &out, &["--jobs", "2"]);
            assert!(o.status.success(), "{stem}: {:?}", text(&o));
            let mut rows = Vec::new();
            for b in read_rows(&plan_dir(&out, stem)) {
                let col = |n: &str| {
                    b.column_by_name(n)
                        .unwrap()
                        .as_any()
                        .downcast_ref::<arrow_array::StringArray>()
                        .unwrap()
                        .clone()
                };
                let (status, error) = (col("status"), col("error"));
                let index = values::<UInt64Type>(&b, "run_index");
                let events = values::<UInt64Type>(&b, "events");
                for i in 0..b.num_rows() {
                    let e = if error.is_null(i) { "" } else { error.value(i) };
                    rows.push((
                        index[i],
                        format!("run {}: {} {} {e}", index[i], status.value(i), events[i]),
                    ));
                }
            }
            rows.sort();
            let got: String = rows.into_iter().map(|r| r.1 + "\n").collect();
            let path = spec.with_extension("rows");
            if std::env::var_os("CHAINLAB_BLESS").is_some() {
                fs::write(&path, &got).unwrap();
            }
            let expected = fs::read_to_string(&path)
                .unwrap_or_else(|_| panic!("{} is missing", path.display()));
            if got != expected {
                wrong.push(format!("{stem}:\n  expected {expected}  got      {got}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};

    /// The texts mutations start from: every experiment file and every hostile spec.
    fn seeds() -> Vec<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        for dir in ["experiments", "tests/hostile"] {
            let files = toml_files(&root.join(dir));
            texts.extend(
                files
                    .iter()
                    .map(|f| String::from_utf8_lossy(&fs::read(f).unwrap()).into_owned()),
            );
        }
        texts
    }

    const TOKENS: &[&str] = &[
        "=",
        "[",
        "]",
        "\"",
        "'",
        "{",
        "}",
        ",",
        "\n",
        "#",
        ".",
        "-1",
        "0",
        "1e400",
        "nan",
        "-inf",
        "18446744073709551616",
        "9999999999",
        "0.0",
        "true",
        "\"1 h\"",
        "\"0 ms\"",
        "\"-1 s\"",
        "\"1 per 0 s\"",
        "[params]",
        "[sweep]",
        "[quick]",
        "[cases.x]",
        "[[params]]",
        "nodes = 0",
        "peers = 1000",
        "missing = 999",
        "x = [",
        "replicates = 0",
        "\u{0}",
        "\u{feff}",
        "{ from = 1, to = 1000000, step = 0 }",
        "[1, \"a\", 2.5]",
        "model = \"twin\"",
    ];

    #[derive(Debug, Clone)]
    enum Edit {
        Delete(f64, usize),
        Insert(f64, usize),
        InsertText(f64, String),
        Duplicate(f64, usize),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            (0.0..1.0f64, 1usize..40).prop_map(|(at, n)| Edit::Delete(at, n)),
            (0.0..1.0f64, 0..TOKENS.len()).prop_map(|(at, t)| Edit::Insert(at, t)),
            (0.0..1.0f64, "\\PC{0,16}").prop_map(|(at, s)| Edit::InsertText(at, s)),
            (0.0..1.0f64, 1usize..80).prop_map(|(at, n)| Edit::Duplicate(at, n)),
        ]
    }

    fn apply(text: &str, edits: &[Edit]) -> String {
        let mut t: Vec<char> = text.chars().collect();
        for e in edits {
            let pos = |at: f64, len: usize| ((at * len as f64) as usize).min(len);
            match e {
                Edit::Delete(at, n) => {
                    let p = pos(*at, t.len());
                    let end = (p + n).min(t.len());
                    t.drain(p..end);
                }
                Edit::Insert(at, k) => {
                    let p = pos(*at, t.len());
                    t.splice(p..p, TOKENS[*k].chars());
                }
                Edit::InsertText(at, s) => {
                    let p = pos(*at, t.len());
                    t.splice(p..p, s.chars());
                }
                Edit::Duplicate(at, n) => {
                    let p = pos(*at, t.len());
                    let end = (p + n).min(t.len());
                    let copy: Vec<char> = t[p..end].to_vec();
                    t.splice(end..end, copy);
                }
            }
        }
        t.into_iter().collect()
    }

    use chainlab::model::{Model, Workspace};
    use chainlab::rng::RunSeeds;
    use chainlab::schema::param::Kind;

    /// Value `v` (0..12) of a parameter of kind `kind`: 0..9 within its limits (at them,
    /// inside, other units), 9..12 past them or of another type.
    fn grammar_value(kind: &Kind, v: u8) -> String {
        let q = |x: &str| format!("\"{x}\"");
        let (valid, invalid): (Vec<String>, Vec<String>) = match *kind {
            Kind::Int { min, max } => (
                vec![
                    min.to_string(),
                    max.to_string(),
                    (min + (max - min) / 3).to_string(),
                    (min + 1).min(max).to_string(),
                ],
                vec![
                    min.saturating_sub(1).to_string(),
                    max.saturating_add(1).to_string(),
                    "2.5".into(),
                    q("7"),
                ],
            ),
            Kind::Float { min, max } => (
                vec![
                    format!("{min:?}"),
                    format!("{max:?}"),
                    format!("{:?}", min + (max - min) / 7.0),
                ],
                vec![
                    format!("{:?}", min - 1.0),
                    "nan".into(),
                    "inf".into(),
                    q("x"),
                ],
            ),
            Kind::Choice(names) => (
                names.iter().map(|n| q(n)).collect(),
                vec![q("bogus"), "3".into()],
            ),
            Kind::DurationMs { min, max } => (
                vec![
                    q(&format!("{min} ms")),
                    q(&format!("{max} ms")),
                    q(&format!("{} s", (min + (max - min) / 5 + 999) / 1000)),
                    q(&format!("{} µs", 1000 * (min + 1).min(max))),
                ],
                vec![
                    q(&format!("{} ms", min - 1)),
                    q(&format!("{} ms", max.saturating_add(1))),
                    q("3 parsecs"),
                    "100".into(),
                ],
            ),
            Kind::RatePerS { min, max } => (
                vec![
                    q(&format!("{min:?} per s")),
                    q(&format!("{max:?} per s")),
                    q(&format!(
                        "{:?} per 600 s",
                        600.0 * (min + (max - min) / 9.0)
                    )),
                ],
                vec![q("1 per 0 s"), q("-1 per s"), "2".into()],
            ),
            Kind::Bool => (vec!["true".into(), "false".into()], vec![q("yes")]),
            Kind::NodeList => (vec![q(""), q("1, 2"), q("0")], vec![q("1, 1"), q("x")]),
            Kind::Scenario(_) => (vec![q("")], vec![q("no_such_scenario.toml"), "3".into()]),
            Kind::Trace => (vec![q("")], vec![q("no_such_trace.csv"), "3".into()]),
            // The family's form: "" (none) is the default of every text parameter.
            Kind::Text { .. } => (vec![q("")], vec!["3".into(), q(";")]),
        };
        if v < 9 {
            valid[v as usize % valid.len()].clone()
        } else {
            invalid[v as usize % invalid.len()].clone()
        }
    }

    /// A spec of `model` with the keys `keys` picks (key index, where: 0 `[params]`, 1 a sweep
    /// axis, 2 two cases; two value choices).
    fn grammar_spec(model: Model, keys: &[(usize, u8, u8, u8)]) -> String {
        let defs = model.params();
        let (mut params, mut sweep, mut a, mut b) =
            (String::new(), String::new(), String::new(), String::new());
        let mut used = std::collections::BTreeSet::new();
        for &(k, place, v1, v2) in keys {
            let d = &defs[k % defs.len()];
            if !used.insert(d.key) {
                continue;
            }
            let (x, y) = (grammar_value(&d.kind, v1), grammar_value(&d.kind, v2));
            match place {
                0 => params += &format!("{} = {x}\n", d.key),
                1 => sweep += &format!("{} = [{x}, {y}]\n", d.key),
                _ => {
                    a += &format!("{} = {x}\n", d.key);
                    b += &format!("{} = {y}\n", d.key);
                }
            }
        }
        let mut t = format!(
            "name = \"g\"\ndescription = \"grammar\"\nmodel = \"{}\"\nseed = 5\nreplicates = 1\n[params]\n{params}[sweep]\n{sweep}",
            model.name()
        );
        if !a.is_empty() {
            t += &format!("[cases.a]\n{a}[cases.b]\n{b}");
        }
        t += "[budget]\nevents = 1000000\nmessages = 10000000\nmemory = \"64 MiB\"\n";
        t
    }

    fn check(
        text: &str,
        quick: bool,
        seed: Option<u64>,
        replicates: Option<u32>,
    ) -> Result<(), TestCaseError> {
        let over = chainlab::spec::Overrides {
            quick,
            seed,
            replicates,
        };
        if let Err(e) = chainlab::spec::parse(Path::new("fuzz.toml"), text, over) {
            let m = e.to_string();
            prop_assert!(m.starts_with("fuzz.toml"), "{}", m);
            prop_assert!(m.len() > "fuzz.toml: ".len(), "{}", m);
        }
        Ok(())
    }

    proptest! {
        // A fixed budget and seed: the same inputs in every CI run, no files written.
        #![proptest_config(Config {
            cases: 4000,
            rng_seed: RngSeed::Fixed(20261122),
            failure_persistence: None,
            ..Config::default()
        })]

        /// The parser and validator never panic on a mutated experiment file; every error names
        /// the file.
        #[test]
        fn mutated_specs_never_panic(i in 0usize..64, edits in prop::collection::vec(edit(), 1..6), quick in any::<bool>(), reps in prop::option::of(0u32..5)) {
            let texts = seeds();
            let text = apply(&texts[i % texts.len()], &edits);
            check(&text, quick, None, reps)?;
        }

        /// Nor on arbitrary text.
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,400}", seed in prop::option::of(any::<u64>())) {
            check(&text, false, seed, None)?;
        }
    }

    proptest! {
        // Fewer cases: an accepted spec's first runs are simulated (within a tight budget).
        #![proptest_config(Config {
            cases: 300,
            rng_seed: RngSeed::Fixed(20261207),
            failure_persistence: None,
            ..Config::default()
        })]

        /// Specs written from every family's own grammar (its keys, each kind's values at,
        /// inside and past their limits, units and rates, in `[params]`, a sweep axis or two
        /// cases, with a tight `[budget]`): each is refused with a message naming the file,
        /// or accepted and then its first runs end within the budget as a row (ok or failed),
        /// never a panic.
        #[test]
        fn specs_from_each_familys_grammar_are_refused_or_run_bounded(
            family in 0usize..64,
            keys in prop::collection::vec((0usize..1000, 0u8..3, 0u8..12, 0u8..12), 1..6),
            quick in any::<bool>(),
        ) {
            let models: Vec<Model> = Model::all().collect();
            let model = models[family % models.len()];
            let text = grammar_spec(model, &keys);
            let over = chainlab::spec::Overrides { quick, seed: None, replicates: None };
            match chainlab::spec::parse(Path::new("fuzz.toml"), &text, over) {
                Err(e) => {
                    let m = e.to_string();
                    prop_assert!(m.starts_with("fuzz.toml"), "{}\n{}", m, text);
                }
                Ok(plan) => {
                    let mut ws = Workspace::default();
                    ws.budget = plan.budget;
                    for run in plan.runs.iter().take(2) {
                        let seeds = RunSeeds {
                            master: plan.master_seed,
                            env_key: run.env_key,
                            run_key: run.run_key,
                        };
                        let out = Model::run(&run.params, seeds, &mut ws);
                        prop_assert!(
                            out.events <= plan.budget.events,
                            "{} events over the budget\n{}", out.events, text
                        );
                    }
                }
            }
        }
    }
}

/// Results that cannot be silently wrong (issue 17): verified parts, one plan per read, run
/// budgets, locks and signals.
mod integrity {
    use super::*;

    fn side_rows(root: &Path, experiment: &str) -> Vec<RecordBatch> {
        read_rows(&plan_dir(root, experiment))
    }

    #[test]
    fn damaged_foreign_and_unrecorded_parts_are_moved_aside_and_run_again() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = write_spec(tmp.path(), SMALL);
        let (good, bad, other) = (
            tmp.path().join("good"),
            tmp.path().join("bad"),
            tmp.path().join("other"),
        );
        assert!(run_args(&spec, &good, &[]).status.success());
        assert!(run_args(&spec, &bad, &[]).status.success());
        assert!(run_args(&spec, &other, &["--seed", "8"]).status.success());
        let dir = plan_dir(&bad, "small");
        let part = |i: usize| dir.join(format!("part-{i:05}.parquet"));
        // Truncated, zero-length, one byte flipped, copied from another seed's plan (with its
        // record), and a part whose commit record is gone.
        let bytes = fs::read(part(0)).unwrap();
        fs::write(part(0), &bytes[..bytes.len() / 2]).unwrap();
        fs::write(part(1), b"").unwrap();
        let mut flipped = fs::read(part(2)).unwrap();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0x40;
        fs::write(part(2), &flipped).unwrap();
        let foreign = plan_dir(&other, "small");
        for name in ["part-00003.parquet", "part-00003.commit.json"] {
            fs::copy(foreign.join(name), dir.join(name)).unwrap();
        }
        fs::remove_file(dir.join("part-00004.commit.json")).unwrap();

        let o = chainlab(&["status", bad.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
        let (stdout, _) = text(&o);
        for i in 0..5 {
            assert!(stdout.contains(&format!("part {i} is damaged")), "{stdout}");
        }
        assert!(stdout.contains("belongs to plan"), "{stdout}");
        assert!(stdout.contains("no commit record"), "{stdout}");
        let o = chainlab(&[
            "plan",
            spec.to_str().unwrap(),
            "--out",
            bad.to_str().unwrap(),
        ]);
        assert!(
            text(&o).0.contains("would run parts: 0-4"),
            "{:?}",
            text(&o)
        );

        let o = run_args(&spec, &bad, &[]);
        assert!(o.status.success(), "{:?}", text(&o));
        let (stdout, stderr) = text(&o);
        assert!(stdout.contains("20 executed"), "{stdout}");
        for i in 0..5 {
            assert!(stderr.contains(&format!("part {i} is damaged")), "{stderr}");
        }
        assert_eq!(read_rows(&dir), read_rows(&plan_dir(&good, "small")));
        let moved: Vec<String> = fs::read_dir(dir.join("damaged"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            moved.contains(&"part-00000.parquet.1.damaged".to_string()),
            "{moved:?}"
        );
        assert!(moved.iter().all(|m| !m.ends_with(".parquet")), "{moved:?}");
        let o = chainlab(&["status", bad.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
        // Nothing left to do.
        assert!(text(&run_args(&spec, &bad, &[])).0.contains("0 executed"));
    }

    #[test]
    fn a_damaged_or_missing_blocks_part_reruns_its_part() {
        let tmp = tempfile::tempdir().unwrap();
        let (good, bad) = (tmp.path().join("good"), tmp.path().join("bad"));
        run_quick("mgmt_config.toml", &good, &[]);
        run_quick("mgmt_config.toml", &bad, &[]);
        let blocks = plan_dir(&bad, "mgmt_config.blocks");
        let part = blocks.join("part-00000.parquet");
        let mut b = fs::read(&part).unwrap();
        b.truncate(b.len() - 9);
        fs::write(&part, &b).unwrap();
        let o = chainlab(&["status", bad.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
        assert!(text(&o).0.contains("blocks file"), "{:?}", text(&o));
        run_quick("mgmt_config.toml", &bad, &[]);
        assert_eq!(
            side_rows(&bad, "mgmt_config.blocks"),
            side_rows(&good, "mgmt_config.blocks")
        );
        fs::remove_file(&part).unwrap();
        let o = chainlab(&["status", bad.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
        assert!(text(&o).0.contains("is missing"), "{:?}", text(&o));
        run_quick("mgmt_config.toml", &bad, &[]);
        assert_eq!(
            side_rows(&bad, "mgmt_config.blocks"),
            side_rows(&good, "mgmt_config.blocks")
        );
        assert_eq!(
            read_rows(&plan_dir(&bad, "mgmt_config")),
            read_rows(&plan_dir(&good, "mgmt_config"))
        );
    }

    #[test]
    fn two_plans_in_one_root_stay_apart_by_directory_column_and_figures() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("r");
        run_quick("oppi_quick.toml", &root, &[]);
        let o = chainlab(&[
            "run",
            &spec_path("oppi_quick.toml"),
            "--out",
            root.to_str().unwrap(),
            "--quiet",
        ]);
        assert!(o.status.success(), "{:?}", text(&o));
        let mut plans: Vec<PathBuf> = fs::read_dir(root.join("oppi_quick"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        plans.sort();
        assert_eq!(plans.len(), 2);
        let mut total = 0;
        for p in &plans {
            let hash = p
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .strip_prefix("plan=")
                .unwrap();
            for b in read_rows(p) {
                let col = b.column_by_name("plan_hash").unwrap();
                let s = col
                    .as_any()
                    .downcast_ref::<arrow_array::StringArray>()
                    .unwrap();
                assert!((0..s.len()).all(|i| s.value(i) == hash));
                total += b.num_rows();
            }
        }
        assert_eq!(total, 24 + 108);
        // One --out for both plans would overwrite figures: refused, nothing drawn there.
        let figs = tmp.path().join("figs");
        let o = chainlab(&[
            "plot",
            root.to_str().unwrap(),
            "--out",
            figs.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
        assert!(text(&o).1.contains("would both draw"), "{:?}", text(&o));
        assert!(!figs.exists());
        // Without --out each plan draws into its own directory.
        let o = chainlab(&["plot", root.to_str().unwrap(), "--format", "svg"]);
        assert!(o.status.success(), "{:?}", text(&o));
        for p in &plans {
            assert!(fs::read_dir(p.join("figures")).unwrap().count() > 0);
        }
        assert!(!root.join("figures").exists());
    }

    #[test]
    fn a_run_that_spends_its_budget_is_a_failed_row_and_the_sweep_goes_on() {
        let tmp = tempfile::tempdir().unwrap();
        let body = "name = \"budget\"\ndescription = \"d\"\nmodel = \"pbft\"\nseed = 1\nreplicates = 1\n[params]\nstop_after_txs = 0\n[sweep]\nduration = [\"1 s\", \"60 s\"]\n[budget]\nevents = 5000\n";
        let spec = write_spec(tmp.path(), body);
        let out = tmp.path().join("r");
        let o = run_args(&spec, &out, &[]);
        assert!(o.status.success(), "{:?}", text(&o));
        assert!(text(&o).0.contains("1 failed"), "{:?}", text(&o));
        let rows = read_rows(&plan_dir(&out, "budget"));
        let strings = |name: &str| -> Vec<Option<String>> {
            rows.iter()
                .flat_map(|b| {
                    let c = b.column_by_name(name).unwrap();
                    let s = c
                        .as_any()
                        .downcast_ref::<arrow_array::StringArray>()
                        .unwrap();
                    (0..s.len())
                        .map(|i| (!s.is_null(i)).then(|| s.value(i).to_string()))
                        .collect::<Vec<_>>()
                })
                .collect()
        };
        assert_eq!(
            strings("status"),
            [Some("ok".into()), Some("failed".into())]
        );
        let err = strings("error")[1].clone().unwrap();
        assert!(
            err.contains("5000 events processed (budget.events = 5000)"),
            "{err}"
        );
        assert!(err.contains("raise [budget]"), "{err}");
        // The manifest records the budget the runs had.
        let budget = |key: &str| -> u64 {
            let m: serde_json::Value = serde_json::from_str(
                &fs::read_to_string(plan_dir(&out, "budget").join("manifest.json")).unwrap(),
            )
            .unwrap();
            m["budget"][key].as_u64().unwrap()
        };
        assert_eq!(budget("events"), 5000);
        assert_eq!(budget("memory_bytes"), 4 << 30);
        // Raising the budget and retrying the failed run finishes the sweep; the plan is the
        // same (a budget is not part of its identity).
        fs::write(&spec, body.replace("events = 5000", "events = 1000000")).unwrap();
        let o = run_args(&spec, &out, &["--retry-failed"]);
        assert!(o.status.success(), "{:?}", text(&o));
        assert!(text(&o).0.contains("1 retried"), "{:?}", text(&o));
        assert_eq!(budget("events"), 1_000_000);
        let o = chainlab(&["status", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    }

    /// An experiment "b" of `model` with `replicates` replicates and `params` (a `[params]`
    /// table's lines).
    fn budget_spec(model: &str, replicates: u32, params: &str) -> String {
        format!(
            "name = \"b\"\ndescription = \"d\"\nmodel = \"{model}\"\nseed = 3\nreplicates = {replicates}\n[params]\n{params}"
        )
    }

    /// Each run's (status, error, events) of the one-experiment results root `out`.
    fn outcomes(out: &Path, experiment: &str) -> Vec<(String, Option<String>, u64)> {
        let mut rows = Vec::new();
        for b in read_rows(&plan_dir(out, experiment)) {
            let col = |name: &str| {
                b.column_by_name(name)
                    .unwrap()
                    .as_any()
                    .downcast_ref::<arrow_array::StringArray>()
                    .unwrap()
                    .clone()
            };
            let (status, error) = (col("status"), col("error"));
            let events = values::<arrow_array::types::UInt64Type>(&b, "events");
            for (i, &n) in events.iter().enumerate() {
                let e = (!error.is_null(i)).then(|| error.value(i).to_string());
                rows.push((status.value(i).to_string(), e, n));
            }
        }
        rows
    }

    /// Runs `body` with `[budget] <budget>` appended into a fresh root; its runs' outcomes.
    fn run_with_budget(body: &str, budget: &str) -> Vec<(String, Option<String>, u64)> {
        let tmp = tempfile::tempdir().unwrap();
        let spec = write_spec(tmp.path(), &format!("{body}[budget]\n{budget}\n"));
        let out = tmp.path().join("r");
        let o = run_args(&spec, &out, &[]);
        assert!(o.status.success(), "{:?}", text(&o));
        outcomes(&out, "b")
    }

    /// Every family's loop counts against one budget (issue 33): each run with a budget
    /// one event short of what it needs is a failed row naming the budget, and with enough it
    /// is the same row as without any.
    fn one_event_short_fails(body: &str) {
        let whole = run_with_budget(body, "events = 100000000");
        assert!(!whole.is_empty());
        for (status, error, events) in &whole {
            assert_eq!(status, "ok", "{error:?}");
            assert!(*events > 1, "a run of {events} events");
        }
        let least = whole.iter().map(|r| r.2).min().unwrap();
        let short = run_with_budget(body, &format!("events = {}", least - 1));
        assert!(
            short.iter().any(|r| r.0 == "failed"),
            "a run of {least} events passed a budget of {}: {short:?}",
            least - 1
        );
        for (status, error, events) in &short {
            if status == "failed" {
                let e = error.as_deref().unwrap();
                assert!(e.starts_with("run budget spent "), "{e}");
                assert!(
                    e.contains(&format!("(budget.events = {})", least - 1)),
                    "{e}"
                );
                assert!(*events <= least, "{events} events recorded");
            }
        }
    }

    #[test]
    fn a_flood_and_a_gossip_broadcast_stop_on_the_budget() {
        for protocol in ["flood", "gossip", "oppi"] {
            one_event_short_fails(&budget_spec(
                "propagation",
                2,
                &format!("nodes = 60\nprotocol = \"{protocol}\"\n"),
            ));
        }
    }

    #[test]
    fn a_signed_repeat_runs_within_what_the_broadcast_left() {
        one_event_short_fails(&budget_spec(
            "propagation",
            2,
            "nodes = 60\nprotocol = \"oppi\"\npath_signing = \"last_hop\"\n",
        ));
    }

    #[test]
    fn churn_stops_on_the_message_budget() {
        // Gossip cannot reach its message budget (its bound is checked before the sweep), but a
        // churn run's maintenance and broadcasts can.
        let body = &budget_spec("churn", 1, "nodes = 200\nbroadcasts = 4\nchurn_rate = 5\n");
        let rows = run_with_budget(body, "messages = 1000");
        assert_eq!(rows[0].0, "failed", "{rows:?}");
        let e = rows[0].1.as_deref().unwrap();
        assert!(e.contains("messages sent (budget.messages = 1000)"), "{e}");
        assert!(e.contains("of 4 broadcasts"), "{e}");
    }

    #[test]
    fn churn_operations_and_broadcasts_stop_on_the_budget() {
        one_event_short_fails(&budget_spec(
            "churn",
            2,
            "nodes = 200\nbroadcasts = 4\nchurn_rate = 5\n",
        ));
    }

    #[test]
    fn the_management_chains_events_count_while_the_run_goes() {
        one_event_short_fails(&budget_spec(
            "management",
            1,
            "nodes = 8\npeers = 4\nmgmt_nodes = 4\nmgmt_peers = 3\nduration = \"60 s\"\ncbi_mean = \"10 s\"\ncbi_sd = \"1 s\"\n",
        ));
    }

    #[test]
    fn a_run_whose_memory_estimate_is_over_the_budget_is_a_failed_row_before_it_runs() {
        // 40 bytes a link: 10 nodes fit in 64 KiB, 2000 (16 000 links, 750 KiB) do not.
        let body = &budget_spec(
            "propagation",
            1,
            "protocol = \"flood\"\n[sweep]\nnodes = [10, 2000]\n",
        );
        let rows = run_with_budget(body, "memory = \"64 KiB\"");
        assert_eq!(rows[0].0, "ok", "{rows:?}");
        assert_eq!(rows[1].0, "failed", "{rows:?}");
        assert_eq!(rows[1].2, 0, "nothing ran");
        let e = rows[1].1.as_deref().unwrap();
        assert!(e.contains("the run needs about 750.0 KiB of memory (a kout graph of 2000 nodes and about 16000 links), over budget.memory = 64.0 KiB"), "{e}");
        // In bytes, and enough for both.
        let rows = run_with_budget(body, "memory = 1000000");
        assert!(rows.iter().all(|r| r.0 == "ok"), "{rows:?}");
    }

    #[test]
    fn validate_says_which_runs_are_over_the_memory_budget() {
        let tmp = tempfile::tempdir().unwrap();
        let body = budget_spec(
            "propagation",
            1,
            "protocol = \"flood\"\n[sweep]\nnodes = [10, 2000, 3000]\n[budget]\nmemory = \"64 KiB\"\n",
        );
        let spec = write_spec(tmp.path(), &body);
        let o = chainlab(&["validate", spec.to_str().unwrap()]);
        assert!(o.status.success(), "{:?}", text(&o));
        let (stdout, _) = text(&o);
        assert!(
            stdout.contains("note: 2 of the 3 runs are over the memory budget and will be failed rows without running; the first, run 1: the run needs about 750.0 KiB"),
            "{stdout}"
        );
    }

    #[test]
    fn a_crash_schedule_past_the_events_budget_stops_before_the_run() {
        // 3 nodes alternating 1 ms up and 1 ms down for 60 s: about 90 000 intervals, 180 000
        // crash and recovery events.
        let body = &budget_spec(
            "pbft",
            1,
            "nodes = 10\ncrash_nodes = 3\nmean_uptime = \"1 ms\"\nmean_downtime = \"1 ms\"\nduration = \"60 s\"\n",
        );
        let rows = run_with_budget(body, "events = 100000");
        assert_eq!(rows[0].0, "failed", "{rows:?}");
        let e = rows[0].1.as_deref().unwrap();
        assert!(
            e.starts_with("run budget spent while drawing the crash schedule, before the run began: 100000 events"),
            "{e}"
        );
        let rows = run_with_budget(body, "events = 100000000");
        assert_eq!(rows[0].0, "ok", "{rows:?}");
        assert!(rows[0].2 > 180_000, "{rows:?}");
    }

    #[test]
    fn a_foreign_or_garbled_manifest_is_reported_as_such_and_rebuilt_by_the_next_run() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = write_spec(tmp.path(), SMALL);
        let (out, other) = (tmp.path().join("r"), tmp.path().join("o"));
        assert!(run_args(&spec, &out, &[]).status.success());
        assert!(run_args(&spec, &other, &["--seed", "8"]).status.success());
        let manifest = plan_dir(&out, "small").join("manifest.json");
        let foreign = plan_dir(&other, "small").join("manifest.json");
        for (bytes, says) in [
            (fs::read(&foreign).unwrap(), "foreign: it belongs to plan"),
            (b"{\"total_runs\": 7".to_vec(), "garbled, not a manifest"),
        ] {
            fs::write(&manifest, &bytes).unwrap();
            let o = chainlab(&["status", out.to_str().unwrap()]);
            assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
            let (stdout, _) = text(&o);
            assert!(stdout.contains(says), "{stdout}");
            assert!(stdout.contains("rebuilds it"), "{stdout}");
            assert!(
                !stdout.contains("part 0 is damaged"),
                "good parts blamed: {stdout}"
            );
            // The same run command verifies the parts, runs nothing and rewrites it.
            let o = run_args(&spec, &out, &[]);
            assert!(o.status.success(), "{:?}", text(&o));
            assert!(text(&o).0.contains("0 executed"), "{:?}", text(&o));
            let o = chainlab(&["status", out.to_str().unwrap()]);
            assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
        }
    }

    #[test]
    fn status_understands_a_plan_queued_by_slurm() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = write_spec(tmp.path(), SMALL);
        let out = tmp.path().join("r");
        let o = chainlab(&[
            "slurm",
            spec.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--shards",
            "3",
        ]);
        assert!(o.status.success(), "{:?}", text(&o));
        let o = chainlab(&["status", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{:?}", text(&o));
        assert!(text(&o).0.contains("queued"), "{:?}", text(&o));
        assert!(text(&o).0.contains("72 runs missing"), "{:?}", text(&o));
    }
}

/// Two processes, signals, stale files and --jobs (issue 17, items 4 and 5).
mod concurrency {
    use super::*;

    const SLOW: &str = r#"name = "conc"
description = "two processes on one plan"
model = "propagation"
seed = 3
replicates = 4
runs_per_part = 1

[params]
nodes = 20000
k = 8

[sweep]
protocol = ["flood", "oppi", "spt", "gossip"]
topology = ["kout", "ba", "ws"]
"#;

    fn spawn(spec: &Path, out: &Path) -> std::process::Child {
        Command::new(env!("CARGO_BIN_EXE_chainlab"))
            .args([
                "run",
                spec.to_str().unwrap(),
                "--quiet",
                "--jobs",
                "1",
                "--out",
            ])
            .arg(out)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }

    fn executed(stdout: &str) -> usize {
        let (_, rest) = stdout.split_once("runs (").expect("a summary line");
        rest.split_whitespace().next().unwrap().parse().unwrap()
    }

    #[test]
    fn a_plan_lock_held_by_another_program_is_waited_on_with_its_holder_named() {
        use std::io::BufRead;
        let tmp = tempfile::tempdir().unwrap();
        let spec = write_spec(tmp.path(), SMALL);
        let out = tmp.path().join("r");
        assert!(run_args(&spec, &out, &[]).status.success());
        let lock = fs::File::open(plan_dir(&out, "small").join(".lock")).unwrap();
        lock.lock().unwrap();
        let mut child = spawn(&spec, &out);
        let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        err.read_line(&mut line).unwrap();
        assert!(line.contains("is locked exclusively by"), "{line}");
        assert!(
            line.contains(&format!("process {}", std::process::id())),
            "the holder is this test process: {line}"
        );
        lock.unlock().unwrap();
        assert!(child.wait().unwrap().success());
    }

    #[test]
    fn a_lock_path_that_is_not_a_file_is_an_error_with_the_fix_and_no_run_is_left_to_another() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = write_spec(tmp.path(), SMALL);
        let out = tmp.path().join("r");
        assert!(run_args(&spec, &out, &[]).status.success());
        let dir = plan_dir(&out, "small");
        fs::remove_file(dir.join("part-00001.parquet")).unwrap();
        fs::remove_file(dir.join("part-00001.commit.json")).unwrap();
        fs::remove_file(dir.join(".locks/part-00001")).unwrap();
        fs::create_dir(dir.join(".locks/part-00001")).unwrap();
        let o = run_args(&spec, &out, &[]);
        assert_eq!(o.status.code(), Some(1), "{:?}", text(&o));
        let (stdout, stderr) = text(&o);
        assert!(stderr.contains("part-00001: not a lock file"), "{stderr}");
        assert!(stderr.contains("remove it (`rm -r"), "{stderr}");
        assert!(!stderr.contains("left to another process"), "{stderr}");
        assert!(!stdout.contains("left to another process"), "{stdout}");
        fs::remove_dir(dir.join(".locks/part-00001")).unwrap();
        assert!(run_args(&spec, &out, &[]).status.success());
        let o = chainlab(&["status", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    }

    #[test]
    fn two_processes_on_one_plan_run_each_run_once() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = write_spec(tmp.path(), SLOW);
        let (alone, shared) = (tmp.path().join("alone"), tmp.path().join("shared"));
        assert!(spawn(&spec, &alone).wait().unwrap().success());
        let (a, b) = (spawn(&spec, &shared), spawn(&spec, &shared));
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert!(
            a.status.success() && b.status.success(),
            "{:?} {:?}",
            text(&a),
            text(&b)
        );
        let (ea, eb) = (executed(&text(&a).0), executed(&text(&b).0));
        assert_eq!(ea + eb, 48, "{:?} {:?}", text(&a), text(&b));
        assert_eq!(
            read_rows(&plan_dir(&shared, "conc")),
            read_rows(&plan_dir(&alone, "conc"))
        );
    }

    fn interrupt(signal: &str, code: i32) {
        let tmp = tempfile::tempdir().unwrap();
        let spec = write_spec(tmp.path(), SLOW);
        let (alone, cut) = (tmp.path().join("alone"), tmp.path().join("cut"));
        assert!(spawn(&spec, &alone).wait().unwrap().success());
        let child = spawn(&spec, &cut);
        // Wait for a first committed part, then interrupt.
        let first = || {
            fs::read_dir(cut.join("conc"))
                .ok()
                .and_then(|mut d| d.next())
                .is_some_and(|p| p.unwrap().path().join("part-00000.parquet").exists())
        };
        let t0 = std::time::Instant::now();
        while !first() && t0.elapsed().as_secs() < 30 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(
            Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status()
                .unwrap()
                .success()
        );
        let o = child.wait_with_output().unwrap();
        let (_, stderr) = text(&o);
        if o.status.code() == Some(0) {
            // The sweep ended before the signal landed; nothing to check but the rows.
            assert!(stderr.is_empty(), "{stderr}");
        } else {
            assert_eq!(o.status.code(), Some(code), "{stderr}");
            assert!(
                stderr.contains(&format!("interrupted by SIG{}", &signal[1..])),
                "{stderr}"
            );
            assert!(stderr.contains("resume with the same command"), "{stderr}");
        }
        assert!(spawn(&spec, &cut).wait().unwrap().success());
        assert_eq!(
            read_rows(&plan_dir(&cut, "conc")),
            read_rows(&plan_dir(&alone, "conc"))
        );
    }

    #[test]
    fn sigint_says_what_is_committed_and_exits_130() {
        interrupt("-INT", 130);
    }

    #[test]
    fn sigterm_says_what_is_committed_and_exits_143() {
        interrupt("-TERM", 143);
    }

    /// A closed ssh session sends SIGHUP: handled like SIGTERM, not a silent death.
    #[test]
    fn sighup_says_what_is_committed_and_exits_129() {
        interrupt("-HUP", 129);
    }

    #[test]
    fn stale_temporary_files_are_removed_and_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("r");
        run_quick("oppi_quick.toml", &out, &[]);
        let dir = plan_dir(&out, "oppi_quick");
        let stale = dir.join(".part-00000.parquet.4194304.inprogress");
        fs::write(&stale, b"half a part").unwrap();
        let o = chainlab(&[
            "run",
            &spec_path("oppi_quick.toml"),
            "--quick",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{:?}", text(&o));
        assert!(
            text(&o)
                .1
                .contains("removed 1 temporary file(s) left by interrupted writers"),
            "{:?}",
            text(&o)
        );
        assert!(!stale.exists());
    }

    #[test]
    fn jobs_beyond_a_sane_multiple_of_the_cores_are_capped_with_a_message() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("r");
        let o = chainlab(&[
            "run",
            &spec_path("oppi_quick.toml"),
            "--quick",
            "--quiet",
            "--jobs",
            "100000",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{:?}", text(&o));
        assert!(
            text(&o).1.contains("--jobs 100000 is more than 8 x the"),
            "{:?}",
            text(&o)
        );
    }
}

/// The documentation's generated tables (each family's parameters and columns, the engine's
/// columns, the list of families) match the registry, and `chainlab docs --check` notices a
/// stale one.
mod docs {
    use super::*;

    /// Every file with a generated block: the two top-level ones and each registered family's
    /// notes.
    fn files() -> Vec<String> {
        let mut files = vec!["README.md".to_string(), "results/README.md".to_string()];
        files.extend(
            chainlab::model::Model::all().map(|m| format!("src/model/{}/README.md", m.name())),
        );
        files
    }

    #[test]
    fn generated_tables_are_current_and_a_stale_one_is_named() {
        let root = env!("CARGO_MANIFEST_DIR");
        let o = chainlab(&["docs", "--check", "--root", root]);
        assert!(
            o.status.success(),
            "stale documentation (run `cargo run --release -- docs`): {}",
            String::from_utf8_lossy(&o.stderr)
        );
        // A copy with one generated row edited by hand: --check names it and exits 1, and
        // `docs` rewrites it back to the original.
        let tmp = tempfile::tempdir().unwrap();
        for f in files() {
            let to = tmp.path().join(&f);
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::copy(Path::new(root).join(&f), &to).unwrap();
        }
        let pbft = tmp.path().join("src/model/pbft/README.md");
        let original = fs::read_to_string(&pbft).unwrap();
        let edited = original.replacen(
            "| `nodes` | `nodes` | `10` |",
            "| `nodes` | `nodes` | `12` |",
            1,
        );
        assert_ne!(edited, original, "the pbft notes list the nodes parameter");
        fs::write(&pbft, &edited).unwrap();
        let root = tmp.path().to_str().unwrap();
        let o = chainlab(&["docs", "--check", "--root", root]);
        assert_eq!(o.status.code(), Some(1));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("src/model/pbft/README.md") && !err.contains("twin/README.md"),
            "{err}"
        );
        assert!(chainlab(&["docs", "--root", root]).status.success());
        assert_eq!(fs::read_to_string(&pbft).unwrap(), original);
    }

    /// A table in the notes printed with the `chainlab summary` command that made it: running
    /// the experiment and that command gives the table, character for character.
    #[test]
    fn a_summary_table_in_the_notes_regenerates_from_its_command() {
        let notes = chainlab::model::Model::from_name("propagation")
            .unwrap()
            .notes();
        let prefix = "`chainlab summary results/oppi_quick/plan=<hash> ";
        let line = notes
            .lines()
            .find(|l| l.starts_with(prefix))
            .expect("the propagation notes print the command of their summary table");
        let args: Vec<&str> = line.trim_matches('`').split_whitespace().skip(3).collect();
        let tmp = tempfile::tempdir().unwrap();
        run_quiet(&spec_path("oppi_quick.toml"), tmp.path(), "2");
        let plan = plan_dir(tmp.path(), "oppi_quick");
        let mut a = vec!["summary", plan.to_str().unwrap()];
        a.extend(&args);
        let o = chainlab(&a);
        let (table, err) = text(&o);
        assert!(o.status.success(), "{err}");
        let after = &notes[notes.find(line).unwrap() + line.len()..];
        assert!(
            after.trim_start().starts_with(table.trim_end()),
            "the table below `{line}` in src/model/propagation/README.md is stale; it should be:\n{table}"
        );
    }

    /// The README's table of experiment files lists every file of `experiments/` once, with
    /// the run count its plan has (what `chainlab validate` prints).
    #[test]
    fn the_readme_lists_every_experiment_file_with_its_run_count() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let readme = fs::read_to_string(root.join("README.md")).unwrap();
        let mut files: Vec<_> = fs::read_dir(root.join("experiments"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for f in &files {
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            let o = chainlab(&["validate", f.to_str().unwrap()]);
            assert!(o.status.success(), "{name}");
            let out = String::from_utf8_lossy(&o.stdout).to_string();
            let runs = out
                .split(", ")
                .find_map(|p| p.strip_suffix(" runs"))
                .unwrap_or_else(|| panic!("{out}"));
            let row = format!("| `experiments/{name}` | {runs} |");
            assert_eq!(
                readme.matches(&row).count(),
                1,
                "README.md's table of experiment files should have one row starting {row}"
            );
        }
        let rows = readme.matches("| `experiments/").count();
        assert_eq!(
            rows,
            files.len(),
            "a README row names a file that does not exist"
        );
    }

    #[test]
    fn the_readme_counts_the_hostile_specs_there_are() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let readme = fs::read_to_string(root.join("README.md")).unwrap();
        let n = fs::read_dir(root.join("tests/hostile"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "toml")
            })
            .count();
        assert!(
            readme.contains(&format!("holds {n} malformed, impossible or never-ending")),
            "README.md's count of tests/hostile specs is stale: there are {n}"
        );
    }

    #[test]
    fn every_family_has_notes_with_the_parameters_and_columns_of_schema() {
        for m in chainlab::model::Model::all() {
            let notes = m.notes();
            let o = chainlab(&["schema", "--model", m.name()]);
            assert!(o.status.success());
            let printed = String::from_utf8_lossy(&o.stdout);
            // Every table row `schema` prints is in the family's notes (the engine's columns
            // are in results/README.md).
            let engine: Vec<String> = chainlab::schema::engine_columns()
                .iter()
                .map(|c| format!("| `{}` |", c.name))
                .collect();
            for row in printed.lines().filter(|l| {
                l.starts_with("| `") && !engine.iter().any(|e| l.starts_with(e.as_str()))
            }) {
                assert!(notes.contains(row), "{}: {row}", m.name());
            }
        }
    }
}

/// A new model family is its own folder (here, this module) plus one registry line (here, the
/// list handed to the spec parser): it validates, runs, writes Parquet and gets its reference
/// tables, with nothing else in the engine changed.
mod extension {
    use super::*;
    use chainlab::model::{Configured, Declaration, Model, ModelFamily, RunOutput, Workspace};
    use chainlab::rng::{RunSeeds, stream};
    use chainlab::runner::{Provenance, RunOptions};
    use chainlab::schema::param::{Choice, Kind, ParamError, Value};
    use chainlab::schema::{Cell, ColumnType, Metric, metric_defs, metric_row};
    use chainlab::spec;
    use rand::RngExt;

    chainlab::choice! {
        /// The coin.
        pub enum Coin { Fair = "fair", Biased = "biased" }
    }

    chainlab::param_table! {
        /// The toy's parameters.
        pub struct ToyValues in TOY_PARAMS {
            flips: u32 { column: "flips", kind: Kind::Int { min: 1, max: 10_000 }, default: "100",
                         environment: false, doc: "coin flips per run" },
            coin: Coin { column: "coin", kind: Kind::Choice(<Coin as Choice>::NAMES),
                         default: "fair", environment: false, doc: "fair, or biased (heads 0.9)" },
        }
    }

    #[derive(Debug)]
    struct Flips {
        flips: u32,
        heads_p: f64,
    }

    struct Outcome {
        heads: u64,
        flips: u32,
    }

    static METRICS: &[Metric<Outcome>] = &[
        Metric {
            name: "heads",
            label: "heads",
            ty: ColumnType::U64,
            unit: "",
            doc: "Heads thrown.",
            read: |o: &Outcome| Cell::U(o.heads),
        },
        Metric {
            name: "heads_share",
            label: "share of heads",
            ty: ColumnType::F64,
            unit: "",
            doc: "heads / flips.",
            read: |o: &Outcome| Cell::F(o.heads as f64 / f64::from(o.flips)),
        },
    ];

    impl Configured for Flips {
        fn run(&self, seeds: RunSeeds, _ws: &mut Workspace) -> RunOutput {
            let mut rng = stream(
                seeds.master,
                seeds.run_key,
                chainlab::rng::Purpose::new("flips"),
            );
            let heads = (0..self.flips)
                .filter(|_| rng.random::<f64>() < self.heads_p)
                .count() as u64;
            let o = Outcome {
                heads,
                flips: self.flips,
            };
            RunOutput::ok(u64::from(self.flips), metric_row(&[METRICS], &o))
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    /// The whole family: a declaration, as each family of the engine is one.
    static TOY: Declaration<Flips> = Declaration {
        name: "toy",
        summary: "Coin flips.",
        notes: "# The toy family\n",
        version: "toy-v1",
        params: || TOY_PARAMS,
        parent: None,
        metrics: || metric_defs(&[METRICS]),
        details: &[],
        replicates_share_environment: false,
        resolve,
        figures: None,
    };

    fn resolve(values: &[Value]) -> Result<Flips, ParamError> {
        let v = ToyValues::read(values);
        if v.coin == Coin::Biased && v.flips < 10 {
            return Err(ParamError {
                key: "flips",
                allowed: "at least 10 for a biased coin".into(),
            });
        }
        let heads_p = match v.coin {
            Coin::Fair => 0.5,
            Coin::Biased => 0.9,
        };
        Ok(Flips {
            flips: v.flips,
            heads_p,
        })
    }

    const SPEC: &str = r#"name = "toy_flips"
description = "coin flips"
model = "toy"
seed = 7
replicates = 4

[params]
flips = 200

[sweep]
coin = ["fair", "biased"]
"#;

    #[test]
    fn a_toy_family_needs_one_folder_and_one_registry_line() {
        // The one registry line.
        let families: Vec<&'static dyn ModelFamily> = chainlab::model::REGISTRY
            .iter()
            .copied()
            .chain([&TOY as &'static dyn ModelFamily])
            .collect();
        let path = Path::new("toy.toml");
        let parse = |text: &str| spec::parse_in(&families, path, text, spec::Overrides::default());
        // It validates: a single-key range and its own cross-parameter check.
        let e = parse(&SPEC.replace("flips = 200", "flips = 0")).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("params.flips"), "{e}");
        let e = parse(&SPEC.replace("flips = 200", "flips = 5")).unwrap_err();
        assert!(
            e.to_string().contains("at least 10 for a biased coin"),
            "{e}"
        );
        let e = parse(&SPEC.replace("\"biased\"]", "\"loaded\"]")).unwrap_err();
        assert!(e.to_string().contains(r#"one of "fair", "biased""#), "{e}");
        // An unregistered family is unknown to the production parser.
        assert!(spec::parse(path, SPEC, spec::Overrides::default()).is_err());
        // It runs and writes Parquet, with the engine's columns, then its own.
        let plan = parse(SPEC).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let opts = RunOptions {
            jobs: Some(2),
            out_root: tmp.path().to_path_buf(),
            ..RunOptions::default()
        };
        let s = chainlab::runner::execute(&plan, &opts, &Provenance::default()).unwrap();
        assert_eq!((s.executed, s.failed), (8, 0));
        let m = Model::of(&TOY);
        let cols = m.columns();
        let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            &names[names.len() - 4..],
            ["flips", "coin", "heads", "heads_share"]
        );
        let part = s.dir.join("part-00000.parquet");
        let rows = chainlab::output::read_part(&part, &cols).unwrap();
        assert_eq!(rows.len(), 8);
        let share = |coin: &str| -> f64 {
            let (c, h) = (names.len() - 3, names.len() - 1);
            rows.iter()
                .filter(|r| r[c] == Cell::S(coin.into()))
                .map(|r| match r[h] {
                    Cell::F(x) => x,
                    ref other => panic!("{other:?}"),
                })
                .sum::<f64>()
                / 4.0
        };
        assert!((0.4..0.6).contains(&share("fair")), "{}", share("fair"));
        assert!(
            (0.85..0.95).contains(&share("biased")),
            "{}",
            share("biased")
        );
        // Its reference tables come from the same functions as `chainlab schema`'s.
        let reference = chainlab::model::docs::reference(m);
        assert!(reference.contains(
            "| `flips` | `flips` | `100` | an integer in 1..=10000 | coin flips per run |"
        ));
        assert!(
            reference.contains("| `heads_share` | double | - | share of heads | heads / flips. |")
        );
    }
}

/// `chainlab summary`: its statistics against an independent computation from the Parquet
/// rows (the t critical value from a printed table, not from the engine), its groups, and its
/// refusals.
mod summary {
    use super::*;

    /// `--table series`: per (case, window), the mean over the replicates of the side
    /// table's values, as the side table's rows give it; a model without that table is
    /// refused.
    #[test]
    fn summary_of_the_series_table_is_per_window_over_the_replicates() {
        let tmp = tempfile::tempdir().unwrap();
        run_quick("scenario_shift.toml", tmp.path(), &[]);
        let plan = plan_dir(tmp.path(), "scenario_shift");
        let o = chainlab(&[
            "summary",
            plan.to_str().unwrap(),
            "--table",
            "series",
            "--metrics",
            "ts_txs",
            "--format",
            "csv",
        ]);
        let (out, err) = text(&o);
        assert!(o.status.success(), "{err}");
        let mut expected: BTreeMap<(String, u32), Vec<f64>> = BTreeMap::new();
        for b in read_rows(&plan_dir(tmp.path(), "scenario_shift.series")) {
            let case = b.column_by_name("case").unwrap();
            let case = case
                .as_any()
                .downcast_ref::<arrow_array::StringArray>()
                .unwrap();
            let window = values::<arrow_array::types::UInt32Type>(&b, "window");
            let txs = values::<arrow_array::types::UInt32Type>(&b, "ts_txs");
            for i in 0..b.num_rows() {
                expected
                    .entry((case.value(i).to_string(), window[i]))
                    .or_default()
                    .push(f64::from(txs[i]));
            }
        }
        let lines: Vec<&str> = out.lines().collect();
        assert!(
            lines[0].starts_with("case,window,metric,n,undefined,mean,"),
            "{}",
            lines[0]
        );
        assert_eq!(lines.len(), 1 + expected.len());
        for line in &lines[1..] {
            let f: Vec<&str> = line.split(',').collect();
            let v = &expected[&(f[0].to_string(), f[1].parse().unwrap())];
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            assert_eq!(f[3], v.len().to_string(), "{line}");
            assert!((f[5].parse::<f64>().unwrap() - mean).abs() < 1e-9, "{line}");
        }
        let o = chainlab(&["summary", plan.to_str().unwrap(), "--table", "blocks"]);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            text(&o).1.contains("has the side tables `series`"),
            "{:?}",
            text(&o)
        );
    }

    #[test]
    fn summary_intervals_match_an_independent_computation() {
        let tmp = tempfile::tempdir().unwrap();
        run_quick("oppi_quick.toml", tmp.path(), &[]);
        let plan = plan_dir(tmp.path(), "oppi_quick");
        let o = chainlab(&[
            "summary",
            plan.to_str().unwrap(),
            "--by",
            "protocol",
            "--metrics",
            "msgs,makespan_ms",
            "--format",
            "csv",
            "--precision",
            "5%",
        ]);
        let (out, err) = text(&o);
        assert!(o.status.success(), "{err}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "protocol,metric,n,undefined,mean,sd,se,ci95_low,ci95_high,median,median_ci95_low,median_ci95_high,min,max,replicates_for_precision"
        );
        assert_eq!(lines.len(), 1 + 4 * 2);
        // The rows themselves, grouped by protocol.
        let batches = read_rows(&plan);
        let mut by: BTreeMap<(String, &str), Vec<f64>> = BTreeMap::new();
        for b in &batches {
            let proto = b.column_by_name("protocol").unwrap();
            let proto = proto
                .as_any()
                .downcast_ref::<arrow_array::StringArray>()
                .unwrap();
            let msgs = values::<UInt64Type>(b, "msgs");
            let makespan = values::<UInt64Type>(b, "makespan_ms");
            for i in 0..b.num_rows() {
                let p = proto.value(i).to_string();
                by.entry((p.clone(), "msgs"))
                    .or_default()
                    .push(msgs[i] as f64);
                by.entry((p, "makespan_ms"))
                    .or_default()
                    .push(makespan[i] as f64);
            }
        }
        // Two-sided 95 % critical value of Student's t with 5 degrees of freedom (printed
        // tables: 2.571; to more digits 2.5705818).
        const T_5: f64 = 2.570_581_836;
        for line in &lines[1..] {
            let f: Vec<&str> = line.split(',').collect();
            let x = &by[&(f[0].to_string(), f[1])];
            assert_eq!(x.len(), 6);
            let n = x.len() as f64;
            let mean = x.iter().sum::<f64>() / n;
            let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            let half = T_5 * sd / n.sqrt();
            let num = |i: usize| f[i].parse::<f64>().unwrap();
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-7 * b.abs().max(1.0);
            assert_eq!(f[2], "6", "{line}");
            assert!(close(num(4), mean), "{line}: mean {mean}");
            assert!(close(num(5), sd), "{line}: sd {sd}");
            assert!(
                close(num(7), mean - half) && close(num(8), mean + half),
                "{line}"
            );
            let mut sorted = x.clone();
            sorted.sort_by(f64::total_cmp);
            assert!(
                close(num(9), (sorted[2] + sorted[3]) / 2.0),
                "{line}: median"
            );
            assert!(
                num(10) <= num(9) && num(9) <= num(11),
                "{line}: median interval"
            );
            assert_eq!((num(12), num(13)), (sorted[0], sorted[5]), "{line}");
            // Enough replicates for the interval to reach 5 % of the mean, and no fewer.
            // Enough replicates for the interval to reach 5 % of the mean: at least the normal
            // approximation's (1.96 sd / 0.05 mean)^2, and t's excess over 1.96 adds under 10 %.
            let reps: f64 = num(14);
            let z = (1.959_964 * sd / (0.05 * mean)).powi(2);
            assert!(
                reps >= z.ceil() && reps <= 1.1 * z + 3.0,
                "{line}: {reps} vs {z}"
            );
        }
        // The same numbers in every format; a Parquet file reads back.
        let pq = tmp.path().join("s.parquet");
        let o = chainlab(&[
            "summary",
            plan.to_str().unwrap(),
            "--by",
            "protocol",
            "--metrics",
            "msgs",
            "--format",
            "parquet",
            "--out",
            pq.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{:?}", text(&o));
        let rows: usize = read_rows_of(&pq).iter().map(|b| b.num_rows()).sum();
        assert_eq!(rows, 4);
        // Default groups: the swept parameters (topology, nodes, protocol).
        let o = chainlab(&["summary", plan.to_str().unwrap(), "--metrics", "msgs"]);
        let (md, _) = text(&o);
        assert!(
            md.starts_with("| topology | nodes | protocol | metric | n |"),
            "{md}"
        );
    }

    /// The wide layout of the notes' tables: a row per group, the mean and its interval per
    /// metric, headed by label and unit; `--where` keeps the runs asked for; and `chainlab
    /// docs --summaries` rewrites a stale table below its command with exactly that output.
    #[test]
    fn wide_tables_filter_runs_and_regenerate_in_the_docs() {
        let tmp = tempfile::tempdir().unwrap();
        let results = tmp.path().join("results");
        run_quiet(&spec_path("oppi_quick.toml"), &results, "2");
        let plan = plan_dir(&results, "oppi_quick");
        let args = [
            "--by",
            "nodes,protocol",
            "--where",
            "protocol=flood,oppi",
            "--metrics",
            "msgs,makespan_ms",
            "--layout",
            "wide",
        ];
        let mut a = vec!["summary", plan.to_str().unwrap()];
        a.extend(args);
        let o = chainlab(&a);
        let (md, err) = text(&o);
        assert!(o.status.success(), "{err}");
        let lines: Vec<&str> = md.lines().collect();
        assert_eq!(
            lines[0],
            "| nodes | protocol | runs | messages (95 % CI) | makespan, ms (95 % CI) |"
        );
        // 3 sizes x 2 protocols (gossip and SPT filtered out), 9 runs each.
        assert_eq!(lines.len(), 2 + 6, "{md}");
        assert!(
            lines
                .iter()
                .all(|l| !l.contains("gossip") && !l.contains("spt"))
        );
        // OPPI sends n - 1 messages in every run: the value alone; flooding varies: an interval.
        assert!(md.contains("| 1000 | oppi | 9 | 999 | "), "{md}");
        let flood = lines
            .iter()
            .find(|l| l.starts_with("| 1000 | flood |"))
            .unwrap();
        let cell = flood.split(" | ").nth(3).unwrap();
        let (mean, ci) = cell.split_once(" [").unwrap();
        let (lo, hi) = ci.trim_end_matches(']').split_once(", ").unwrap();
        let (mean, lo, hi): (f64, f64, f64) = (
            mean.parse().unwrap(),
            lo.parse().unwrap(),
            hi.parse().unwrap(),
        );
        assert!(lo < mean && mean < hi, "{cell}");

        // A documentation root whose README holds that command above a stale table.
        let root = tmp.path().join("repo");
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        for f in chainlab::model::Model::all()
            .map(|m| format!("src/model/{}/README.md", m.name()))
            .chain(["results/README.md".to_string(), "README.md".to_string()])
        {
            fs::create_dir_all(root.join(&f).parent().unwrap()).unwrap();
            fs::copy(here.join(&f), root.join(&f)).unwrap();
        }
        let readme = root.join("README.md");
        let command = format!(
            "`chainlab summary results/oppi_quick/plan=<hash> {}`",
            args.join(" ")
        );
        let mut text0 = fs::read_to_string(&readme).unwrap();
        text0.push_str(&format!("\n{command}\n\n| stale |\n|---|\n\nafter\n"));
        fs::write(&readme, &text0).unwrap();
        let o = chainlab(&[
            "docs",
            "--root",
            root.to_str().unwrap(),
            "--summaries",
            results.to_str().unwrap(),
        ]);
        let (_, err) = text(&o);
        assert!(o.status.success(), "{err}");
        // The notes' own tables name experiments this root did not run: kept, and said.
        assert!(
            err.contains("kept:") && err.contains("pbft_baseline"),
            "{err}"
        );
        let after = fs::read_to_string(&readme).unwrap();
        assert!(
            after.ends_with(&format!("{command}\n\n{}\n\nafter\n", md.trim_end())),
            "{}",
            &after[after.len().saturating_sub(2000)..]
        );
    }

    #[test]
    fn summary_refuses_what_it_cannot_summarise() {
        let tmp = tempfile::tempdir().unwrap();
        run_quick("oppi_quick.toml", tmp.path(), &[]);
        let plan = plan_dir(tmp.path(), "oppi_quick");
        let p = plan.to_str().unwrap();
        for (args, message) in [
            (
                vec!["--by", "colour"],
                "--by colour: no such column in model `propagation`",
            ),
            (
                vec!["--metrics", "topology"],
                "--metrics topology: a string column",
            ),
            (
                vec!["--precision=-1%"],
                "--precision -1%: allowed: a positive fraction",
            ),
            (
                vec!["--precision", "x"],
                "--precision x: allowed: a positive fraction",
            ),
            (
                vec!["--format", "xlsx"],
                "invalid value 'xlsx' for '--format <FORMAT>'\n  [possible values: md, csv, parquet]",
            ),
            (vec!["--layout", "tall"], "[possible values: long, wide]"),
            (vec!["--format", "parquet"], "--format parquet needs --out"),
            (
                vec!["--where", "protocol"],
                "--where protocol: allowed: COLUMN=VALUE",
            ),
            (
                vec!["--where", "colour=red"],
                "--where colour: no such column",
            ),
            (
                vec!["--layout", "wide", "--precision", "1%"],
                "--precision goes with --layout long",
            ),
        ] {
            let mut a = vec!["summary", p];
            a.extend(args);
            let o = chainlab(&a);
            assert_eq!(o.status.code(), Some(2), "{a:?}");
            assert!(text(&o).1.contains(message), "{a:?}: {}", text(&o).1);
        }
        // Two plans in one directory: name one.
        run_args(
            Path::new(&spec_path("oppi_quick.toml")),
            tmp.path(),
            &["--quick", "--seed", "9"],
        );
        let o = chainlab(&["summary", tmp.path().to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            text(&o)
                .1
                .contains("holds 2 plans; summarise one plan directory"),
            "{:?}",
            text(&o)
        );
    }
}

/// The small frictions a new user hits: each fixed, each tested.
mod frictions {
    use super::*;

    #[test]
    fn plan_shows_cases_units_and_singular_counts() {
        let o = chainlab(&[
            "plan",
            &spec_path("pbft_baseline.toml"),
            "--out",
            "/nonexistent",
        ]);
        let (out, err) = text(&o);
        assert!(o.status.success(), "{err}");
        assert!(out.contains("in 1 part\n"), "{out}");
        assert!(
            out.contains(
                "cases       paper_a_10 (20 runs), paper_a_50 (20 runs), paper_b_primary (20 runs)"
            ),
            "{out}"
        );
        // Values as an experiment file writes them, with their units.
        assert!(
            out.contains(r#"timeout="10 s""#) && out.contains(r#"tx_rate="100 per s""#),
            "{out}"
        );
        let o = chainlab(&[
            "plan",
            &spec_path("oppi_fork.toml"),
            "--out",
            "/nonexistent",
        ]);
        let (out, _) = text(&o);
        assert!(
            out.contains(r#"sweep block_rate (4): "1 per 600 s""#),
            "{out}"
        );
    }

    #[test]
    fn schema_lists_the_models_and_slurm_checks_its_time_limit() {
        let o = chainlab(&["schema", "--model", "foo"]);
        assert_eq!(o.status.code(), Some(2));
        let models: Vec<&str> = chainlab::model::Model::all().map(|m| m.name()).collect();
        assert!(
            text(&o)
                .1
                .contains(&format!("allowed: {}", models.join(", "))),
            "{:?}",
            text(&o)
        );
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().to_str().unwrap();
        let spec = spec_path("oppi_quick.toml");
        let o = chainlab(&[
            "slurm", &spec, "--shards", "2", "--time", "2h", "--out", out,
        ]);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            text(&o).1.contains("--time 2h: allowed: Slurm's syntax"),
            "{:?}",
            text(&o)
        );
        let o = chainlab(&[
            "slurm", &spec, "--shards", "2", "--time", "1-12:00", "--out", out,
        ]);
        assert!(o.status.success(), "{:?}", text(&o));
    }

    #[test]
    fn an_empty_shard_says_so() {
        let tmp = tempfile::tempdir().unwrap();
        // The quick profile has fewer parts than 30 shards: shard 20 of 30 holds none.
        let o = run_args(
            Path::new(&spec_path("oppi_quick.toml")),
            tmp.path(),
            &["--quick", "--shard", "20/30"],
        );
        let (out, err) = text(&o);
        assert!(o.status.success(), "{err}");
        assert!(out.contains(": 0 runs ("), "{out}");
        assert!(
            err.contains("warning: shard 20/30 holds none of this plan's"),
            "{err}"
        );
        // One run is a run, not "1 runs".
        let spec = write_spec(
            tmp.path(),
            "name = \"one\"\ndescription = \"d\"\nmodel = \"incentive\"\nseed = 1\nreplicates = 1\n",
        );
        let o = run_args(&spec, tmp.path(), &[]);
        assert!(
            text(&o).0.starts_with("one: 1 run (1 executed"),
            "{:?}",
            text(&o)
        );
    }
}

/// `chainlab gallery` draws exactly the README's gallery, from the latest plan of each
/// experiment, and leaves nothing else in the gallery directory.
mod gallery {
    use super::*;

    /// `chainlab reproduce` runs every file of a directory with its figures, after checking
    /// them all: one bad file stops it before anything is written.
    #[test]
    fn reproduce_runs_every_file_with_its_figures_or_none_on_a_bad_one() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("exp");
        fs::create_dir_all(&dir).unwrap();
        for f in ["oppi_quick.toml", "twin_fig5.toml"] {
            fs::copy(spec_path(f), dir.join(f)).unwrap();
        }
        let out = tmp.path().join("res");
        let args = [
            "reproduce",
            "--dir",
            dir.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quick",
        ];
        let o = chainlab(&args);
        let (stdout, err) = text(&o);
        assert!(o.status.success(), "{err}");
        assert!(stdout.contains("reproduced 2 experiments in"), "{stdout}");
        for (exp, figure) in [
            ("oppi_quick", "oppi_quick_msgs_kout.png"),
            ("twin_fig5", "twin_fig5_latency.svg"),
        ] {
            let plan = plan_dir(&out, exp);
            assert!(plan.join("figures").join(figure).is_file(), "{exp}");
        }
        // A broken file among good ones: exit 2, naming it, and no results.
        fs::write(
            dir.join("z_broken.toml"),
            "name = \"z\"\nmodel = \"nope\"\n",
        )
        .unwrap();
        let fresh = tmp.path().join("res2");
        let mut bad = args.to_vec();
        let f = fresh.to_str().unwrap().to_string();
        bad[4] = &f;
        let o = chainlab(&bad);
        assert_eq!(o.status.code(), Some(2));
        assert!(text(&o).1.contains("z_broken.toml"), "{:?}", text(&o));
        assert!(
            !fresh.exists(),
            "nothing is written before every file is valid"
        );
    }

    #[test]
    fn the_gallery_is_exactly_the_readmes_figures() {
        let tmp = tempfile::tempdir().unwrap();
        let res = tmp.path().join("res");
        run_quick("oppi_quick.toml", &res, &[]);
        run_quick("twin_fig5.toml", &res, &[]);
        let readme = tmp.path().join("README.md");
        fs::write(
            &readme,
            "| ![](results/figures/oppi_quick_msgs_kout.png) | a |\n| ![](results/figures/twin_fig5_latency.png) | b |\n",
        )
        .unwrap();
        let out = tmp.path().join("figures");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("stale_figure.png"), b"old").unwrap();
        fs::write(out.join("oppi_quick_msgs_kout.csv"), b"left over").unwrap();
        let args = |quick: bool| {
            let mut a = vec![
                "gallery".to_string(),
                "--readme".into(),
                readme.to_str().unwrap().into(),
                "--results".into(),
                res.to_str().unwrap().into(),
                "--out".into(),
                out.to_str().unwrap().into(),
            ];
            if quick {
                a.push("--quick".into());
            }
            a
        };
        // Only quick plans exist: the full gallery says what to run.
        let full = args(false);
        let o = chainlab(&full.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(o.status.code(), Some(2));
        assert!(
            text(&o).1.contains("no full-profile plan under"),
            "{:?}",
            text(&o)
        );
        let quick = args(true);
        let o = chainlab(&quick.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(o.status.success(), "{:?}", text(&o));
        let names: Vec<String> = files_in(&out);
        assert_eq!(names, ["oppi_quick_msgs_kout.png", "twin_fig5_latency.png"]);
        // The same bytes as `plot` draws.
        let plotted = tmp.path().join("plotted");
        let o = chainlab(&[
            "plot",
            plan_dir(&res, "oppi_quick").to_str().unwrap(),
            "--out",
            plotted.to_str().unwrap(),
            "--format",
            "png",
        ]);
        assert!(o.status.success());
        assert_eq!(
            fs::read(out.join("oppi_quick_msgs_kout.png")).unwrap(),
            fs::read(plotted.join("oppi_quick_msgs_kout.png")).unwrap()
        );
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

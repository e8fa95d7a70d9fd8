//! The repository's architecture rules as tests, in the spirit of rust-analyzer's
//! `xtask/src/tidy.rs`: what `src/lib.rs` says of the module graph is checked against the code,
//! so an import that breaks the map fails here instead of drifting unnoticed.
//!
//! The rules are functions over file texts (`imports`, `check_map`, ...), so each has a test
//! that feeds it a breaking input and watches it fail.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The module map of `src/lib.rs`: each top-level module and the top-level modules its
/// non-test code may name through `crate::`. `cli` is the outer layer; the simulation cores
/// name only what is below them; `schema`, `rng` and `des` name nothing.
const MAP: &[(&str, &[&str])] = &[
    (
        "cli",
        &[
            "figure", "model", "output", "rng", "runner", "schema", "spec", "summary",
        ],
    ),
    ("runner", &["model", "output", "rng", "schema", "spec"]),
    ("spec", &["des", "model", "rng", "schema"]),
    (
        "model",
        &[
            "des",
            "figure",
            "graph",
            "management",
            "network",
            "pbft",
            "propagation",
            "rng",
            "schema",
            "time",
            "twin",
        ],
    ),
    ("figure", &["output", "schema"]),
    ("output", &["schema"]),
    ("summary", &["figure", "rng", "schema", "stats"]),
    ("stats", &["rng"]),
    ("twin", &["des", "network", "pbft", "rng", "time"]),
    ("management", &["des", "network", "pbft", "rng", "time"]),
    ("pbft", &["des", "network", "rng", "time"]),
    ("propagation", &["des", "graph", "rng", "time"]),
    ("network", &["des", "rng", "time"]),
    ("graph", &["rng"]),
    ("schema", &["time"]),
    ("rng", &[]),
    ("des", &[]),
    ("time", &[]),
];

/// Macros exported at the crate root (`#[macro_export]`) and the module that defines them.
const ROOT_MACROS: &[(&str, &str)] = &[
    ("choice", "schema"),
    ("choice_names", "schema"),
    ("param_table", "schema"),
];

/// The part of a source file that is not test code: everything before its first
/// `#[cfg(test)]` module (test modules sit at the end of a file, by this project's habit).
fn non_test(text: &str) -> &str {
    let mut from = 0;
    while let Some(i) = text[from..].find("#[cfg(test)]\n") {
        let at = from + i;
        let next = text[at + "#[cfg(test)]\n".len()..].trim_start();
        if ["mod ", "pub mod ", "pub(crate) mod ", "pub(super) mod "]
            .iter()
            .any(|m| next.starts_with(m))
        {
            return &text[..at];
        }
        from = at + 1;
    }
    text
}

/// The top-level modules that `text` (one file of module `of`) names through `crate::`,
/// outside comments and test code, each with the first line that names it.
fn imports(of: &str, text: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for (n, line) in non_test(text).lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let code = code.split(" //").next().unwrap_or(code);
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                // `use crate::{a, b::c}`: the group's first segments.
                let end = group.find('}').unwrap_or(group.len());
                group[..end]
                    .split(',')
                    .map(|s| s.trim().split("::").next().unwrap_or("").trim())
                    .filter(|s| !s.is_empty())
                    .collect()
            } else {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                vec![&rest[..end]]
            };
            for name in names {
                let module = ROOT_MACROS
                    .iter()
                    .find(|(m, _)| *m == name)
                    .map_or(name, |(_, owner)| owner);
                if module != of && !module.is_empty() {
                    out.entry(module.to_string()).or_insert(n + 1);
                }
            }
        }
    }
    out
}

/// Every breach of [`MAP`] in `files` (pairs of a path below `src/` and its text): a module
/// naming one it may not, and a top-level module the map does not know.
fn check_map(files: &[(String, String)]) -> Vec<String> {
    let mut wrong = Vec::new();
    for (path, text) in files {
        let top = path
            .split('/')
            .next()
            .unwrap_or("")
            .trim_end_matches(".rs")
            .to_string();
        if ["lib", "main", "build"].contains(&top.as_str()) {
            continue;
        }
        let Some((_, allowed)) = MAP.iter().find(|(m, _)| *m == top) else {
            wrong.push(format!(
                "src/{path}: module `{top}` is not in the tidy map (tests/tidy/mod.rs) nor, likely, in lib.rs's"
            ));
            continue;
        };
        for (module, line) in imports(&top, text) {
            if !allowed.contains(&module.as_str()) {
                wrong.push(format!(
                    "src/{path}:{line}: `{top}` names `crate::{module}`, which lib.rs's map does not allow (allowed: {})",
                    if allowed.is_empty() { "nothing".to_string() } else { allowed.join(", ") }
                ));
            }
        }
    }
    wrong
}

/// The `pub mod` declarations of `lib_rs` that its crate documentation does not describe as
/// ``[`name`]`` in the module map.
fn undocumented_modules(lib_rs: &str) -> Vec<String> {
    let docs: String = lib_rs
        .lines()
        .filter(|l| l.starts_with("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    lib_rs
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';'))
        .filter(|m| !docs.contains(&format!("- [`{m}`]")))
        .map(String::from)
        .collect()
}

/// Every `.rs` file below `dir`, as (path relative to `dir`, text), sorted by path.
fn sources(dir: &Path) -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut paths = Vec::new();
    walk(dir, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, fs::read_to_string(&p).unwrap())
        })
        .collect()
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn every_module_imports_only_what_the_map_allows() {
    let wrong = check_map(&sources(&src()));
    assert!(
        wrong.is_empty(),
        "imports against the module map of src/lib.rs (fix the import, or change the map in lib.rs and tests/tidy/mod.rs together):\n{}",
        wrong.join("\n")
    );
    // Every module of the map exists, so the map cannot keep a name the code dropped.
    let files = sources(&src());
    for (m, _) in MAP {
        assert!(
            files
                .iter()
                .any(|(p, _)| p == &format!("{m}.rs") || p.starts_with(&format!("{m}/"))),
            "the tidy map names `{m}`, which src/ does not have"
        );
    }
}

#[test]
fn the_map_check_fails_when_an_import_breaks_the_map() {
    let file = |path: &str, text: &str| vec![(path.to_string(), text.to_string())];
    // A core module reaching up into the runner, written three ways.
    for text in [
        "//! pbft.\nuse crate::runner::execute;\n",
        "//! pbft.\nuse crate::{des::Time, runner};\n",
        "//! pbft.\nfn f() { crate::runner::execute(); }\n",
    ] {
        let wrong = check_map(&file("pbft/mod.rs", text));
        assert_eq!(wrong.len(), 1, "{text}: {wrong:?}");
        assert!(
            wrong[0].contains("`pbft` names `crate::runner`"),
            "{wrong:?}"
        );
    }
    // Allowed imports, comments, doc links and test code do not count.
    let fine = "//! See [`crate::runner`].\nuse crate::des::Time;\n// crate::runner\n#[cfg(test)]\nmod tests { use crate::runner; }\n";
    assert!(check_map(&file("pbft/mod.rs", fine)).is_empty());
    // A root macro belongs to `schema`: `model` may use it, `rng` may not.
    assert!(
        check_map(&file(
            "model/x/mod.rs",
            "use crate::{choice, param_table};\n"
        ))
        .is_empty()
    );
    assert_eq!(check_map(&file("rng.rs", "use crate::choice;\n")).len(), 1);
    // A module the map does not know.
    assert_eq!(check_map(&file("newcore/mod.rs", "//! x\n")).len(), 1);
}

#[test]
fn lib_rs_describes_every_public_module() {
    let lib = fs::read_to_string(src().join("lib.rs")).unwrap();
    let missing = undocumented_modules(&lib);
    assert!(
        missing.is_empty(),
        "src/lib.rs declares modules its map (the `- [`name`]: ...` list) does not describe: {missing:?}"
    );
    // The check itself: a module declared and not described is found.
    assert_eq!(
        undocumented_modules("//! - [`a`]: the a.\npub mod a;\npub mod b;\n"),
        ["b"]
    );
    // Every top-level module of src/ is declared in lib.rs, and the map knows it.
    let declared: BTreeSet<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';'))
        .collect();
    let mapped: BTreeSet<&str> = MAP.iter().map(|(m, _)| *m).collect();
    assert_eq!(declared, mapped, "lib.rs's modules against the tidy map");
}

#[test]
fn every_source_file_opens_with_its_module_doc() {
    let wrong: Vec<String> = sources(&src())
        .into_iter()
        .filter(|(_, text)| !text.starts_with("//!"))
        .map(|(p, _)| format!("src/{p}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "files that do not open with a `//!` paragraph saying what they own: {wrong:?}"
    );
}

#[test]
fn the_engine_draws_only_from_named_purposes() {
    // `Purpose::new` is for code outside the engine; the engine's streams are the constants
    // of `rng::purpose`, listed once.
    let wrong: Vec<String> = sources(&src())
        .into_iter()
        .filter(|(p, text)| p != "rng.rs" && non_test(text).contains("Purpose::new("))
        .map(|(p, _)| format!("src/{p}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "name the purpose in rng::purpose instead of Purpose::new: {wrong:?}"
    );
}

#[test]
fn families_blame_keys_by_their_generated_constants() {
    // `ParamError { key: "nodes" }` would compile with a typo; `key::nodes` (generated by
    // `param_table!`) does not.
    let wrong: Vec<String> = sources(&src().join("model"))
        .into_iter()
        .flat_map(|(p, text)| {
            non_test(&text)
                .lines()
                .enumerate()
                .filter(|(_, l)| l.contains("key: \""))
                .map(|(n, _)| format!("src/model/{p}:{}", n + 1))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "a key blamed by a string literal (use the table's `key::` constant): {wrong:?}"
    );
}

#[test]
fn no_file_outside_the_model_folder_names_a_family() {
    // A family is its folder below src/model/; the engine reaches it through the registry.
    let families: Vec<String> = fs::read_dir(src().join("model"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(families.len() >= 7, "{families:?}");
    let wrong: Vec<String> = sources(&src())
        .into_iter()
        .filter(|(p, _)| !p.starts_with("model/"))
        .flat_map(|(p, text)| {
            families
                .iter()
                .filter(|f| {
                    let named = format!("model::{f}");
                    non_test(&text).lines().any(|l| {
                        !l.trim_start().starts_with("//")
                            && l.match_indices(&named).any(|(i, _)| {
                                !l[i + named.len()..]
                                    .starts_with(|c: char| c.is_alphanumeric() || c == '_')
                            })
                    })
                })
                .map(|f| format!("src/{p} names the `{f}` family"))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:?}");
}

/// Most lines a source file may hold before its tests.
const MAX_FILE_LINES: usize = 900;
/// Most lines one function may span, its signature and closing brace included.
const MAX_FN_LINES: usize = 150;

/// A line with its string and character literals emptied and its `//` comment cut, so that the
/// braces counted are the code's own.
fn code_of(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(d) = chars.next() {
                    match d {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
                out.push_str("\"\"");
            }
            // A char literal ('{', '\'', '\n'); a lifetime ('a) has no closing quote nearby.
            '\'' => {
                let rest: String = chars.clone().take(4).collect();
                let close = if let Some(escaped) = rest.strip_prefix('\\') {
                    escaped.find('\'').map(|i| i + 2)
                } else {
                    rest.char_indices()
                        .nth(1)
                        .filter(|&(_, d)| d == '\'')
                        .map(|_| 2)
                };
                match close {
                    Some(n) => {
                        for _ in 0..n {
                            chars.next();
                        }
                        out.push_str("' '");
                    }
                    None => out.push('\''),
                }
            }
            '/' if chars.peek() == Some(&'/') => break,
            _ => out.push(c),
        }
    }
    out
}

/// Whether `line` opens a function item (`fn`, with any visibility and qualifiers).
fn opens_fn(line: &str) -> bool {
    let mut words = line.split_whitespace().peekable();
    while let Some(w) = words.next() {
        if w == "fn" {
            return words.peek().is_some_and(|n| {
                n.chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
            });
        }
        let qualifier = w.starts_with("pub")
            || ["const", "async", "unsafe", "extern", "\"C\"", "default"].contains(&w);
        if !qualifier {
            return false;
        }
    }
    false
}

/// The functions of `text` (non-test code) longer than `max` lines, as "name: lines".
fn long_functions(text: &str, max: usize) -> Vec<String> {
    let lines: Vec<String> = non_test(text).lines().map(code_of).collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if !opens_fn(l) {
            continue;
        }
        let (mut depth, mut opened) = (0i64, false);
        for (j, m) in lines.iter().enumerate().skip(i) {
            for c in m.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if opened && depth <= 0 {
                if j - i + 1 > max {
                    let name = l.split("fn ").nth(1).unwrap_or("");
                    let name: String = name
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    out.push(format!("{name} (line {}): {} lines", i + 1, j - i + 1));
                }
                break;
            }
            // A declaration without a body (a trait's method).
            if !opened && m.trim_end().ends_with(';') {
                break;
            }
        }
    }
    out
}

#[test]
fn files_and_functions_stay_short() {
    let mut wrong = Vec::new();
    for (p, text) in sources(&src()) {
        let n = non_test(&text).lines().count();
        if n > MAX_FILE_LINES {
            wrong.push(format!(
                "src/{p}: {n} lines before its tests (at most {MAX_FILE_LINES}; cut it along a seam)"
            ));
        }
        for f in long_functions(&text, MAX_FN_LINES) {
            wrong.push(format!(
                "src/{p}: fn {f} (at most {MAX_FN_LINES}; split it)"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_length_checks_find_what_they_should() {
    // A function of 5 lines against a limit of 4, with braces in strings, chars and comments
    // that must not count, and a bodiless trait method that must not swallow what follows.
    let text = "trait T {\n    fn m(&self);\n}\npub(crate) fn long() {\n    let s = \"}}\"; // }\n    let c = '}';\n    let l: &'static str = \"{\";\n}\nfn short() {}\n";
    assert_eq!(long_functions(text, 4), ["long (line 4): 5 lines"]);
    assert!(long_functions(text, 5).is_empty());
    // Test code does not count.
    let tested = "fn a() {}\n#[cfg(test)]\nmod tests {\n    fn b() {\n\n\n\n\n    }\n}\n";
    assert!(long_functions(tested, 2).is_empty());
    assert!(opens_fn("    pub(super) const unsafe fn x() {"));
    assert!(!opens_fn("    let fn_name = 3;"));
    assert!(!opens_fn("    // fn x() {"));
}

//! Build script: records the compiler that builds chainlab (`$RUSTC --version`), which the
//! manifest's provenance names. Asking at build time rather than at every run spares each run
//! the 10-15 ms of CPU a `rustc --version` through rustup's proxy costs, and names the compiler
//! that actually built the binary rather than whichever one is on the PATH when it runs.

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=CHAINLAB_RUSTC_VERSION={version}");
    println!("cargo:rerun-if-env-changed=RUSTC");
    println!("cargo:rerun-if-changed=src/build.rs");
}

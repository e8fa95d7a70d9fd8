//! The `chainlab` binary: parse, dispatch, exit code. Everything else lives in the library.
fn main() {
    std::process::exit(chainlab::cli::main_with_args(std::env::args_os()));
}

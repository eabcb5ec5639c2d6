//! The `cdnform` binary: parse arguments, run, exit with the code.

fn main() {
    std::process::exit(cdnform::cli::run(std::env::args_os()));
}

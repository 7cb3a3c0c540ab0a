use std::process::ExitCode;

fn main() -> ExitCode {
    dipgraph::cli::main()
}

use std::process::ExitCode;

fn main() -> ExitCode {
    tallyman::cli::main()
}

//! The `tallyman` binary. (Minimal wiring of the subcommands that exist so far.)

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tallyman::cli::policy::{PolicyArgs, run_policy_command};

#[derive(Debug, Parser)]
#[command(name = "tallyman", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Inspect policies
    Policy(PolicyArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Policy(args) => run_policy_command(args, &mut std::io::stdout().lock()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

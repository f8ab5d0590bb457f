//! The command line: argument parsing and dispatch. Each subcommand lives in
//! its own module; this one only wires them together and maps outcomes to
//! exit codes (0 pass, 1 findings at or above `--fail-on`, 2 error).

mod cache;
mod config_import;
mod discovery;
mod fix;
mod image;
mod keygen;
mod lsp;
mod merge;
mod parse;
pub mod policies;
pub mod policy;
mod policy_new;
mod policy_test;
mod progress;
mod rego_sets;
mod report;
pub mod rule;
mod scan;
mod sign;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "tallyman",
    version,
    about = "Policy-as-code for container builds"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan Dockerfiles with every policy and report what they find.
    Scan(Box<scan::ScanArgs>),
    /// Apply the fixes of what a scan finds (safe ones unless --unsafe-fixes).
    Fix(Box<fix::FixArgs>),
    /// Check an image (OCI layout, docker save archive or registry) before it is pushed.
    Image(Box<image::ImageArgs>),
    /// Parse Dockerfiles and print the model, BuildKit's instruction list, or its AST dump.
    Parse(parse::ParseArgs),
    /// List, inspect, test and create policies.
    Policy(policy::PolicyArgs),
    /// Explain a rule: what it checks, why, an example and the fix.
    Rule(rule::RuleArgs),
    /// Make an ed25519 key pair for signing results and policies.
    Keygen(keygen::KeygenArgs),
    /// Check a signed attestation: its signature and, on request, the files it names.
    Verify(verify::VerifyArgs),
    /// Merge the reports of the shards of a scan (`scan --shard K/N`) into one.
    Merge(merge::MergeArgs),
    /// A compliance report (CIS Docker Benchmark) from a scan report or attestation.
    Report(report::ReportArgs),
    /// Show or prune the caches of results and compiled policy code.
    Cache(cache::CacheArgs),
    /// Convert another tool's configuration (`config import .hadolint.yaml`).
    Config(config_import::ConfigArgs),
    /// A Language Server over stdio: diagnostics, quick fixes, ignore pragmas and rule docs in any editor.
    Lsp(Box<lsp::LspArgs>),
}

/// Exit code for "the command could not do its job".
pub const EXIT_ERROR: u8 = 2;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Scan(args) => scan::run(&args),
        Command::Fix(args) => fix::run(&args),
        Command::Merge(args) => merge::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Cache(args) => cache::run(&args, &mut std::io::stdout().lock()),
        Command::Config(args) => config_import::run(&args, &mut std::io::stdout().lock()),
        Command::Image(args) => image::run(&args),
        Command::Parse(args) => parse::run(&args),
        Command::Lsp(args) => lsp::run(*args).map(|()| 0),
        Command::Policy(args) => policy::run_policy_command(&args, &mut std::io::stdout().lock()),
        Command::Rule(args) => rule::run(&args, &mut std::io::stdout().lock()).map(|()| 0),
        Command::Keygen(args) => keygen::run(&args, &mut std::io::stdout().lock()).map(|()| 0),
        Command::Verify(args) => verify::run(
            &args,
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
        ),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        // A closed pipe (`tallyman parse ... | head`) is the reader's choice, not an error.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

//! `tallyman parse FILE... [--format json|commands|dump]`.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::dockerfile::{self, LowerOptions, ParseOptions};

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Dockerfiles to parse.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// What to print.
    #[arg(short, long, value_enum, default_value_t = ParseFormat::Json)]
    format: ParseFormat,
    /// The stage to treat as the one built (default: the last).
    #[arg(long)]
    target: Option<String>,
    /// A build argument, `NAME=VALUE` (repeatable).
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    build_args: Vec<String>,
    /// Refuse files larger than this many bytes.
    #[arg(long, default_value_t = dockerfile::DEFAULT_MAX_SIZE)]
    max_size: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ParseFormat {
    /// The typed model policies see (one JSON document per file; one per line for several files).
    Json,
    /// BuildKit's instruction list, one JSON object per file and line (the shape of Trivy and the `dockerfile` package); BuildKit's line parser alone, without its instruction checks.
    Commands,
    /// BuildKit's `AST.Dump()` text (its line parser alone, without its instruction checks).
    Dump,
}

#[derive(Serialize)]
struct CommandsLine<'a, T: Serialize> {
    path: &'a str,
    instructions: T,
}

#[derive(Serialize)]
struct ErrorLine<'a> {
    path: &'a str,
    error: String,
}

fn build_args(raw: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    raw.iter()
        .map(|arg| match arg.split_once('=') {
            Some((name, value)) => Ok((name.to_string(), value.to_string())),
            None => anyhow::bail!("--build-arg `{arg}` needs the form NAME=VALUE"),
        })
        .collect()
}

pub fn run(args: &ParseArgs) -> anyhow::Result<u8> {
    let options = ParseOptions {
        max_size: args.max_size,
    };
    let build_args = build_args(&args.build_args)?;
    let evaluated_on = crate::clock::evaluation_date();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let several = args.files.len() > 1;
    let mut failed = false;

    for file in &args.files {
        let path = file.to_string_lossy().replace('\\', "/");
        let bytes = match std::fs::read(file) {
            Ok(bytes) => bytes,
            Err(err) => {
                failed = true;
                report_error(
                    &mut out,
                    args.format,
                    &path,
                    &format!("{path}: cannot read the file: {err}"),
                )?;
                continue;
            }
        };
        // The dump and the commands are what BuildKit's parser package
        // prints, so they take its line parser alone; the model is what a
        // build sees, so it takes the instruction checks too.
        let parsed = if args.format == ParseFormat::Json {
            let lower_options = LowerOptions {
                path: path.clone(),
                evaluated_on: evaluated_on.clone(),
                target: args.target.clone(),
                build_args: build_args.clone(),
                ..LowerOptions::default()
            };
            dockerfile::parse_and_lower(&bytes, &options, &lower_options).map(Parsed::Model)
        } else {
            dockerfile::parse_syntax(&bytes, &options).map(Parsed::Syntax)
        };
        let parsed = match parsed {
            Ok(parsed) => parsed,
            Err(err) => {
                failed = true;
                report_error(&mut out, args.format, &path, &format!("{path}: {err}"))?;
                continue;
            }
        };
        match parsed {
            Parsed::Model(model) if several => {
                writeln!(out, "{}", serde_json::to_string(&model)?)?;
            }
            Parsed::Model(model) => {
                writeln!(out, "{}", serde_json::to_string_pretty(&model)?)?;
            }
            Parsed::Syntax(ast) if args.format == ParseFormat::Commands => {
                let line = CommandsLine {
                    path: &path,
                    instructions: dockerfile::commands(&ast),
                };
                writeln!(out, "{}", serde_json::to_string(&line)?)?;
            }
            Parsed::Syntax(ast) => {
                if several {
                    writeln!(out, "# {path}")?;
                }
                writeln!(out, "{}", dockerfile::dump(&ast))?;
            }
        }
    }
    Ok(if failed { crate::cli::EXIT_ERROR } else { 0 })
}

/// What one file parsed into, by format.
enum Parsed {
    Model(dockerfile::model::Dockerfile),
    Syntax(dockerfile::ast::Ast),
}

/// A file that cannot be read or parsed: a JSON line in the commands
/// format (one line per file), a message on stderr otherwise.
fn report_error(
    out: &mut impl Write,
    format: ParseFormat,
    path: &str,
    error: &str,
) -> anyhow::Result<()> {
    if format == ParseFormat::Commands {
        let line = ErrorLine {
            path,
            error: error.to_string(),
        };
        writeln!(out, "{}", serde_json::to_string(&line)?)?;
    } else {
        eprintln!("error: {error}");
    }
    Ok(())
}

//! `tallyman parse FILE... [--format json|commands|dump]`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
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
    /// BuildKit's instruction list, one JSON object per file and line (the shape of Trivy and the `dockerfile` package).
    Commands,
    /// BuildKit's `AST.Dump()` text.
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
        let parsed = std::fs::read(file)
            .with_context(|| format!("{path}: cannot read the file"))
            .and_then(|bytes| {
                dockerfile::parse(&bytes, &options).map_err(|e| anyhow::anyhow!("{path}: {e}"))
            });
        let ast = match parsed {
            Ok(ast) => ast,
            Err(err) => {
                failed = true;
                if args.format == ParseFormat::Commands {
                    let line = ErrorLine {
                        path: &path,
                        error: format!("{err:#}"),
                    };
                    writeln!(out, "{}", serde_json::to_string(&line)?)?;
                } else {
                    eprintln!("error: {err:#}");
                }
                continue;
            }
        };
        match args.format {
            ParseFormat::Json => {
                let lower_options = LowerOptions {
                    path: path.clone(),
                    evaluated_on: evaluated_on.clone(),
                    target: args.target.clone(),
                    build_args: build_args.clone(),
                    ..LowerOptions::default()
                };
                let model = dockerfile::lower(&ast, &lower_options);
                if several {
                    writeln!(out, "{}", serde_json::to_string(&model)?)?;
                } else {
                    writeln!(out, "{}", serde_json::to_string_pretty(&model)?)?;
                }
            }
            ParseFormat::Commands => {
                let line = CommandsLine {
                    path: &path,
                    instructions: dockerfile::commands(&ast),
                };
                writeln!(out, "{}", serde_json::to_string(&line)?)?;
            }
            ParseFormat::Dump => {
                if several {
                    writeln!(out, "# {path}")?;
                }
                writeln!(out, "{}", dockerfile::dump(&ast))?;
            }
        }
    }
    Ok(if failed { crate::cli::EXIT_ERROR } else { 0 })
}

//! `tallyman config import .hadolint.yaml`: the tallyman.yaml that does
//! what a hadolint configuration does, through the built-in rules'
//! equivalents; what it cannot express is named in warnings, on stderr and
//! as comments at the top of the file.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::engine::{CacheDir, Engine, Limits, Policy};
use crate::hadolint_config::{self, RuleFacts};

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    command: ConfigCommand,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Convert a hadolint configuration (.hadolint.yaml) into the equivalent tallyman.yaml.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The hadolint configuration file.
    file: PathBuf,
    /// Write the tallyman configuration to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace FILE if it exists.
    #[arg(long, requires = "output")]
    force: bool,
    /// Directory for compiled policy code [default: $TALLYMAN_CACHE_DIR, $XDG_CACHE_HOME/tallyman or ~/.cache/tallyman].
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

pub fn run(args: &ConfigArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    match &args.command {
        ConfigCommand::Import(import) => run_import(import, out),
    }
}

fn run_import(args: &ImportArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let text = std::fs::read_to_string(&args.file).with_context(|| {
        format!(
            "{}: cannot read the hadolint configuration",
            args.file.display()
        )
    })?;
    let hadolint = hadolint_config::parse(&text, &args.file)?;
    if let Some(output) = &args.output
        && output.exists()
        && !args.force
    {
        anyhow::bail!(
            "{}: already exists; give --force to replace it",
            output.display()
        );
    }
    let engine = Engine::new(
        Limits::default(),
        CacheDir::resolve(args.cache_dir.as_deref()),
    )?;
    let policies = engine.load_builtin()?;
    let rules: Vec<RuleFacts<'_>> = policies
        .iter()
        .flat_map(|policy| policy.info().rules.iter())
        .map(|rule| RuleFacts::new(&rule.id, &rule.equivalents))
        .collect();
    let names: Vec<&str> = policies.iter().map(Policy::name).collect();
    let conversion = hadolint_config::convert(&hadolint, &rules, &names, &args.file)?;
    let yaml = conversion.to_yaml(&args.file);
    for warning in &conversion.warnings {
        eprintln!("warning: {}: {warning}", args.file.display());
    }
    match &args.output {
        Some(output) => {
            std::fs::write(output, yaml)
                .with_context(|| format!("{}: cannot write", output.display()))?;
            eprintln!("wrote {}", output.display());
        }
        None => out.write_all(yaml.as_bytes())?,
    }
    Ok(0)
}

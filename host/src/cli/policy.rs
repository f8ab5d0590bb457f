//! `tallyman policy list`, `tallyman policy info NAME|FILE` and
//! `tallyman policy sign FILE|DIR --key KEY`; `policy test` and `policy new` live
//! in their own modules.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Serialize;

use crate::attest::{keys, policy_sig};
use crate::dockerfile::model::Severity;
use crate::engine::rego::{self, RegoSet, RegoSpec};
use crate::engine::{CacheDir, Engine, Limits, Policy, default_builtins};
use crate::report::text::clean_inline;

/// Arguments of `tallyman policy`.
#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub command: PolicyCommand,
    /// Directory for compiled policy code [default: $TALLYMAN_CACHE_DIR,
    /// $XDG_CACHE_HOME/tallyman or ~/.cache/tallyman]
    #[arg(long, global = true, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

/// The `tallyman policy` subcommands this module runs.
#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// List the built-in policies, and any given with --policy
    List {
        /// An extra .wasm policy file (repeatable)
        #[arg(short = 'p', long = "policy", value_name = "FILE")]
        policies: Vec<PathBuf>,
        #[arg(short = 'f', long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Show a policy: its version, sha256, source, rules and imports
    Info {
        /// The name of a built-in policy, or a .wasm file
        #[arg(value_name = "NAME|FILE")]
        policy: String,
        #[arg(short = 'f', long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Sign a policy module or a Rego set: writes FILE.sig (DIR.sig), checked when the config names trusted-policy-keys
    Sign {
        /// The .wasm policy file, or a Rego set (a directory of .rego files, or one .rego file)
        file: PathBuf,
        /// The ed25519 private key (PKCS#8 PEM, from `tallyman keygen`)
        #[arg(long, value_name = "KEY")]
        key: PathBuf,
        /// A Rego set's data file, as its `data:` in tallyman.yaml lists it (the signature covers it)
        #[arg(long, value_name = "FILE")]
        data: Vec<PathBuf>,
    },
    /// Run a policy on its test cases (building a project first), like `cargo test`
    Test(super::policy_test::TestArgs),
    /// Create a policy project in Rust, Python or JavaScript that builds and passes its tests
    New(super::policy_new::NewArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Runs `tallyman policy ...`, writing to `out`; the exit code (`policy
/// test` exits 1 when a case fails). Errors (a policy that does not load, an
/// unknown name) are for the caller to report with exit code 2.
pub fn run_policy_command(args: &PolicyArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    match &args.command {
        PolicyCommand::Test(test) => {
            return super::policy_test::run(test, args.cache_dir.as_deref(), out);
        }
        PolicyCommand::New(new) => return super::policy_new::run(new, out).map(|()| 0),
        PolicyCommand::Sign { file, key, data } => return sign(file, key, data, out).map(|()| 0),
        PolicyCommand::List { .. } | PolicyCommand::Info { .. } => {}
    }
    let engine = Engine::new(
        Limits::default(),
        CacheDir::resolve(args.cache_dir.as_deref()),
    )?;
    match &args.command {
        PolicyCommand::List { policies, format } => {
            let mut loaded = engine.load_builtin()?;
            for path in policies {
                loaded.push(engine.load_path(path)?);
            }
            match format {
                Format::Text => write_list(&loaded, out)?,
                Format::Json => {
                    let json: Vec<PolicyJson> = loaded.iter().map(PolicyJson::from).collect();
                    serde_json::to_writer_pretty(&mut *out, &json)?;
                    writeln!(out)?;
                }
            }
        }
        PolicyCommand::Info { policy, format } => {
            let policy = find(&engine, policy)?;
            match format {
                Format::Text => write_info(&policy, out)?,
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &PolicyJson::from(&policy))?;
                    writeln!(out)?;
                }
            }
        }
        PolicyCommand::Sign { .. } | PolicyCommand::Test(_) | PolicyCommand::New(_) => {}
    }
    Ok(0)
}

/// Writes `FILE.sig` (see [`policy_sig`] for what is signed).
fn sign(file: &Path, key_path: &Path, data: &[PathBuf], out: &mut dyn Write) -> anyhow::Result<()> {
    let key = keys::read_signing_key(key_path)?;
    if let Some(warning) = keys::permission_warning(key_path) {
        eprintln!("warning: {warning}");
    }
    // A Rego set is signed through its manifest (each file's sha256), which
    // is what loading it checks; a module, through its bytes.
    let (file, module) = if rego::is_rego_set(file) {
        let mut spec = RegoSpec::new(file);
        spec.data = data.to_vec();
        let set = RegoSet::read(&spec).map_err(anyhow::Error::msg)?;
        (rego::signed_path(file), set.manifest.into_bytes())
    } else {
        if !data.is_empty() {
            bail!("--data is for a Rego set; {} is not one", file.display());
        }
        let module = std::fs::read(file)
            .with_context(|| format!("{}: cannot read the policy file", file.display()))?;
        (file.to_path_buf(), module)
    };
    let file = file.as_path();
    let signature = policy_sig::sign_module(&module, &key)?;
    let sig_path = policy_sig::signature_path(file);
    let mut json = serde_json::to_string_pretty(&signature)?;
    json.push('\n');
    std::fs::write(&sig_path, json)
        .with_context(|| format!("{}: cannot write the signature", sig_path.display()))?;
    writeln!(
        out,
        "{}: signed sha256:{} with keyid {}",
        sig_path.display(),
        signature.sha256,
        signature.keyid
    )?;
    Ok(())
}

/// A built-in by name, or else a file.
fn find(engine: &Engine, name_or_file: &str) -> anyhow::Result<Policy> {
    let path = Path::new(name_or_file);
    if path.is_file() || name_or_file.ends_with(".wasm") {
        return engine
            .load_path(path)
            .with_context(|| format!("cannot load {name_or_file}"));
    }
    let builtin = engine.load_builtin()?;
    // By the name the policy declares, or by its crate's name.
    let found = builtin
        .iter()
        .zip(default_builtins())
        .find(|(p, b)| p.name() == name_or_file || b.crate_name == name_or_file);
    if let Some((policy, _)) = found {
        return Ok(policy.clone());
    }
    let names: Vec<&str> = builtin.iter().map(Policy::name).collect();
    if names.is_empty() {
        bail!(
            "no built-in policy is named `{name_or_file}` (this build has none), and there is no such file"
        );
    }
    bail!(
        "no built-in policy is named `{name_or_file}`, and there is no such file; the built-in policies are: {}",
        names.join(", ")
    )
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "info",
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}

fn write_list(policies: &[Policy], out: &mut dyn Write) -> std::io::Result<()> {
    if policies.is_empty() {
        return writeln!(out, "no policies");
    }
    let width = policies
        .iter()
        .map(|p| p.name().len())
        .max()
        .unwrap_or(0)
        .max(4);
    writeln!(
        out,
        "{:width$}  {:8}  {:>5}  {:12}  SOURCE",
        "NAME", "VERSION", "RULES", "SHA256"
    )?;
    for policy in policies {
        let sha = policy.sha256();
        writeln!(
            out,
            "{:width$}  {:8}  {:>5}  {:12}  {}",
            clean_inline(policy.name()),
            clean_inline(policy.version()),
            policy.info().rules.len(),
            sha.get(..12).unwrap_or(&sha),
            clean_inline(&policy.source().to_string())
        )?;
    }
    Ok(())
}

/// What a policy says about itself, which may be anything: escaped as the
/// text report escapes it.
fn write_info(policy: &Policy, out: &mut dyn Write) -> std::io::Result<()> {
    let info = policy.info();
    writeln!(out, "name:        {}", clean_inline(&info.name))?;
    writeln!(out, "version:     {}", clean_inline(&info.version))?;
    if !info.description.is_empty() {
        writeln!(out, "description: {}", clean_inline(&info.description))?;
    }
    writeln!(
        out,
        "source:      {}",
        clean_inline(&policy.source().to_string())
    )?;
    writeln!(out, "sha256:      {}", policy.sha256())?;
    // Only a policy that declared what it reads says so: the others get
    // the whole model, as every policy did before `reads:` tags.
    if let Some(reads) = policy.reads() {
        writeln!(out, "reads:       {reads} (of a Dockerfile)")?;
    }
    writeln!(out, "rules:")?;
    let width = info.rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for rule in &info.rules {
        writeln!(
            out,
            "  {:width$}  {:8}  {}",
            clean_inline(&rule.id),
            severity_name(rule.default_severity),
            clean_inline(&rule.title)
        )?;
    }
    writeln!(out, "imports:")?;
    for import in policy.imports() {
        writeln!(out, "  {}", clean_inline(&import.to_string()))?;
    }
    Ok(())
}

#[derive(Serialize)]
struct PolicyJson<'a> {
    name: &'a str,
    version: &'a str,
    description: &'a str,
    sha256: String,
    source: String,
    builtin: bool,
    rules: Vec<RuleJson<'a>>,
    imports: &'a [String],
}

#[derive(Serialize)]
struct RuleJson<'a> {
    id: &'a str,
    title: &'a str,
    severity: &'static str,
    tags: &'a [String],
    equivalents: &'a [String],
}

impl<'a> From<&'a Policy> for PolicyJson<'a> {
    fn from(policy: &'a Policy) -> Self {
        let info = policy.info();
        PolicyJson {
            name: &info.name,
            version: &info.version,
            description: &info.description,
            sha256: policy.sha256(),
            source: policy.source().to_string(),
            builtin: policy.is_builtin(),
            rules: info
                .rules
                .iter()
                .map(|r| RuleJson {
                    id: &r.id,
                    title: &r.title,
                    severity: severity_name(r.default_severity),
                    tags: &r.tags,
                    equivalents: &r.equivalents,
                })
                .collect(),
            imports: policy.imports(),
        }
    }
}

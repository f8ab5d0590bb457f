//! Choosing and loading the policies a scan runs: the built-ins the
//! configuration enables, `-p` files and directories, and the config's own
//! `policies:` (with `sha256:` pins), each with its validated settings.
//!
//! Every non-built-in module passes one gate before it is compiled:
//! [`policy_sig::check_module`] enforces its pin and, when the configuration
//! names `trusted-policy-keys`, its signature.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use crate::attest::policy_sig::{self, TrustedKeys};
use crate::config::{BuiltinSelection, LoadedConfig, Resolved};
use crate::engine::{self, CacheDir, ConfiguredPolicy, Engine, Policy, PolicySource};

#[derive(Debug, Args)]
pub struct PolicySelection {
    /// Configuration file [default: tallyman.yaml or .tallyman.yaml in the scan root or the current directory].
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// An extra .wasm policy, or a directory of them (repeatable).
    #[arg(short = 'p', long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,
    /// Run only the policies given with -p or in the configuration.
    #[arg(long)]
    pub no_builtin: bool,
    /// Don't honour other tools' inline pragmas (`# hadolint ignore=`,
    /// `# checkov:skip=`, `# trivy:ignore:`); `# tallyman ignore=` still works.
    #[arg(long)]
    pub no_foreign_pragmas: bool,
    /// Directory for compiled policy code [default: $TALLYMAN_CACHE_DIR, $XDG_CACHE_HOME/tallyman or ~/.cache/tallyman].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

/// The `.wasm` files of a `-p` argument: the file itself, or a directory's
/// `.wasm` files in name order.
fn wasm_files(path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .with_context(|| format!("{}: cannot list the policy directory", path.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "wasm"))
        .collect();
    files.sort();
    if files.is_empty() {
        anyhow::bail!("{}: no .wasm policy in this directory", path.display());
    }
    Ok(files)
}

/// A directory holding `.wasm` policies (a `-p` directory with both is
/// read as `.wasm` policies, as before Rego sets).
fn has_wasm(path: &Path) -> bool {
    path.is_dir() && wasm_files(path).is_ok()
}

/// Loads a non-built-in policy file once its bytes have passed
/// [`policy_sig::check_module`]; a refused module is never compiled.
fn load_checked(
    engine: &Engine,
    file: &Path,
    pin: Option<&str>,
    trusted: &TrustedKeys,
) -> anyhow::Result<Policy> {
    let wasm = std::fs::read(file)
        .with_context(|| format!("{}: cannot read the policy file", file.display()))?;
    policy_sig::check_module(file, &wasm, pin, trusted)
        .map_err(|refusal| anyhow::anyhow!("{}: policy refused: {refusal}", file.display()))?;
    Ok(engine.load_bytes(&wasm, PolicySource::File(file.to_path_buf()))?)
}

/// The finding filter of a scan: the configuration's ignores and severity
/// overrides, and the foreign pragmas it and the command line allow.
pub fn finding_filter(
    selection: &PolicySelection,
    config: &crate::config::Config,
    policies: &[ConfiguredPolicy],
) -> anyhow::Result<crate::scan::findings::FindingFilter> {
    let filter = crate::scan::findings::FindingFilter::new(config)?;
    let tools = config.foreign_pragma_tools(selection.no_foreign_pragmas);
    if tools.is_empty() {
        return Ok(filter);
    }
    Ok(filter.with_foreign_pragmas(crate::scan::foreign_index(policies).only(&tools)))
}

/// Loads every selected policy and validates its settings. Any failure is
/// an error (exit code 2): a scan with a policy missing would pass what it
/// should not.
pub fn load_policies(
    selection: &PolicySelection,
    loaded: &mut LoadedConfig,
    resolved: &Resolved,
) -> anyhow::Result<(Engine, Vec<ConfiguredPolicy>)> {
    let engine = Engine::new(
        resolved.limits.clone(),
        CacheDir::resolve(selection.cache_dir.as_deref()),
    )?;
    let mut policies: Vec<Policy> = Vec::new();
    if !selection.no_builtin {
        policies.extend(engine.load_builtin_named(|name| loaded.config.builtin_enabled(name))?);
    }
    let base = loaded.base_dir();
    let trusted = TrustedKeys::load(&loaded.config.trusted_policy_keys, &base)?;
    for path in &selection.policies {
        if engine::rego::is_rego_set(path) && !has_wasm(path) {
            let spec = engine::rego::RegoSpec::new(path);
            policies.push(crate::cli::rego_sets::load_checked(
                &engine, &spec, None, &trusted,
            )?);
            continue;
        }
        for file in wasm_files(path)? {
            policies.push(load_checked(&engine, &file, None, &trusted)?);
        }
    }
    loaded.adopt_hadolint(&policies)?;
    let config = &loaded.config;
    for source in &config.policies {
        let Some(path) = &source.path else {
            let spec = crate::cli::rego_sets::spec(source, &base);
            policies.push(crate::cli::rego_sets::load_checked(
                &engine,
                &spec,
                source.sha256.as_deref(),
                &trusted,
            )?);
            continue;
        };
        let path = base.join(path);
        for file in wasm_files(&path)? {
            policies.push(load_checked(
                &engine,
                &file,
                source.sha256.as_deref(),
                &trusted,
            )?);
        }
    }
    let config_name = loaded
        .file
        .as_deref()
        .map(|f| f.display().to_string())
        .unwrap_or_else(|| "configuration".to_string());
    check_builtin_names(&config.builtin, &config_name)?;
    for name in config.settings.keys() {
        if !policies.iter().any(|p| p.name() == name) {
            anyhow::bail!(
                "{config_name}: settings.{name}: no loaded policy is named `{name}` (loaded: {})",
                policies
                    .iter()
                    .map(Policy::name)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    engine::check_distinct(&policies).map_err(anyhow::Error::msg)?;
    let mut configured = Vec::with_capacity(policies.len());
    for policy in policies {
        if let Some(bundled) = policy.bundled_settings() {
            if config.settings.contains_key(policy.name()) {
                anyhow::bail!(
                    "{config_name}: settings.{}: a Rego set takes no settings (its `data:` files are its data)",
                    policy.name()
                );
            }
            let settings = bundled.to_string();
            configured.push(ConfiguredPolicy::new(policy, settings));
            continue;
        }
        let settings = serde_json::to_string(&config.settings_for(policy.name()))?;
        engine.validate_settings(&policy, &settings).map_err(|e| {
            anyhow::anyhow!("{config_name}: settings.{}: {}", policy.name(), e.message)
        })?;
        configured.push(ConfiguredPolicy::new(policy, settings));
    }
    Ok((engine, configured))
}

/// A name in `builtin: [...]` that no built-in policy has would turn that
/// policy off without a word, where the user meant to keep it on.
fn check_builtin_names(
    selection: &Option<BuiltinSelection>,
    config_name: &str,
) -> anyhow::Result<()> {
    let Some(BuiltinSelection::Only(names)) = selection else {
        return Ok(());
    };
    let known: Vec<&str> = engine::default_builtins()
        .map(|builtin| builtin.crate_name)
        .collect();
    if let Some(unknown) = names.iter().find(|name| !known.contains(&name.as_str())) {
        anyhow::bail!(
            "{config_name}: builtin: no built-in policy is named `{unknown}` (the built-ins are {})",
            known.join(", ")
        );
    }
    Ok(())
}

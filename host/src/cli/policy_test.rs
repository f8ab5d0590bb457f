//! `tallyman policy test DIR|FILE.wasm|NAME`: build a policy project (or take
//! a component or a built-in), run it on its test cases, report like
//! `cargo test`. Exit 0 when every case passes, 1 when one fails, 2 when
//! the policy cannot be built or loaded.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};

use crate::engine::{BUILTIN_POLICIES, CacheDir, Engine, Limits, Policy, PolicySource};
use crate::policy_test::{self, cases, project::Build};

/// Arguments of `tallyman policy test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// A policy project directory (built first), a .wasm component, or the
    /// name of a built-in policy
    #[arg(value_name = "DIR|FILE.wasm|NAME")]
    pub policy: String,
    /// Run only the cases whose name contains this text
    #[arg(value_name = "FILTER")]
    pub filter: Option<String>,
    /// The test cases' directory [default: DIR/tests for a project, ./tests otherwise]
    #[arg(long, value_name = "DIR")]
    pub tests: Option<PathBuf>,
    /// Test the component the project's last build wrote, without building it again
    #[arg(long)]
    pub no_build: bool,
}

/// What `policy test` was given, resolved.
enum Subject {
    Project(PathBuf),
    Wasm(PathBuf),
    Builtin(String),
}

fn subject(policy: &str) -> Subject {
    let path = Path::new(policy);
    if path.is_dir() {
        Subject::Project(path.to_path_buf())
    } else if path.is_file() || policy.ends_with(".wasm") || policy.contains('/') {
        Subject::Wasm(path.to_path_buf())
    } else {
        Subject::Builtin(policy.to_string())
    }
}

/// Runs `tallyman policy test`; the exit code (0 or 1), or an error for
/// exit code 2.
pub fn run(args: &TestArgs, cache_dir: Option<&Path>, out: &mut dyn Write) -> anyhow::Result<u8> {
    let path = Path::new(&args.policy);
    if crate::engine::rego::is_rego_set(path) && !path.join("Cargo.toml").is_file() {
        return crate::cli::rego_sets::test(path, args.filter.as_deref(), cache_dir, out);
    }
    let engine = Engine::new(Limits::default(), CacheDir::resolve(cache_dir))?;
    let (policy, tests_dir) = match subject(&args.policy) {
        Subject::Project(dir) => {
            let wasm = build(&dir, args.no_build)?;
            let policy = load(&engine, &wasm)?;
            let tests = args.tests.clone().unwrap_or_else(|| dir.join("tests"));
            (policy, tests)
        }
        Subject::Wasm(file) => (load(&engine, &file)?, default_tests(args)),
        Subject::Builtin(name) => (builtin(&engine, &name)?, default_tests(args)),
    };
    eprintln!(
        "{:>12} {} {} ({}, sha256:{})",
        "Testing",
        policy.name(),
        policy.version(),
        policy.source(),
        policy.sha256().get(..12).unwrap_or_default()
    );
    if !tests_dir.is_dir() {
        bail!(
            "{}: no test cases directory (cases are tests/<case>/Dockerfile or image.json with expected.yaml)",
            tests_dir.display()
        );
    }
    let (cases, broken) = cases::discover(&tests_dir).map_err(anyhow::Error::msg)?;
    if cases.is_empty() && broken.is_empty() {
        bail!(
            "{}: no test cases (a case is a directory with a Dockerfile or image.json and an expected.yaml)",
            tests_dir.display()
        );
    }
    let summary = policy_test::run(
        &engine,
        &policy,
        &cases,
        &broken,
        args.filter.as_deref(),
        out,
    )?;
    Ok(if summary.ok() { 0 } else { 1 })
}

fn default_tests(args: &TestArgs) -> PathBuf {
    args.tests.clone().unwrap_or_else(|| PathBuf::from("tests"))
}

/// Builds the project (unless `no_build`) and returns its component.
fn build(dir: &Path, no_build: bool) -> anyhow::Result<PathBuf> {
    let build = Build::detect(dir).map_err(anyhow::Error::msg)?;
    if no_build {
        return match &build {
            Build::Command(file) => Ok(dir.join(&file.wasm)),
            Build::Cargo => bail!(
                "--no-build needs a tallyman-policy.yaml naming the .wasm; for a cargo project, \
                 give the .wasm file itself"
            ),
        };
    }
    eprintln!(
        "{:>12} {} ({})",
        "Building",
        dir.display(),
        build.describe()
    );
    let started = Instant::now();
    let wasm = build.run(dir).map_err(anyhow::Error::msg)?;
    let size = std::fs::metadata(&wasm).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "{:>12} {} ({:.1} MB) in {:.1}s",
        "Built",
        wasm.display(),
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(wasm)
}

fn load(engine: &Engine, wasm: &Path) -> anyhow::Result<Policy> {
    let started = Instant::now();
    let policy = engine
        .load_file(wasm)
        .with_context(|| format!("cannot load {}", wasm.display()))?;
    eprintln!(
        "{:>12} {} in {:.2}s (compiled code {:?})",
        "Loaded",
        wasm.display(),
        started.elapsed().as_secs_f64(),
        policy.cache_outcome()
    );
    Ok(policy)
}

fn builtin(engine: &Engine, name: &str) -> anyhow::Result<Policy> {
    let found = BUILTIN_POLICIES
        .iter()
        .find(|builtin| builtin.crate_name == name);
    if let Some(builtin) = found {
        return Ok(engine.load_bytes(builtin.wasm, PolicySource::Builtin)?);
    }
    // By the name the policy declares.
    let loaded = engine.load_builtin()?;
    if let Some(policy) = loaded.iter().find(|p| p.name() == name) {
        return Ok(policy.clone());
    }
    let names: Vec<&str> = BUILTIN_POLICIES.iter().map(|b| b.crate_name).collect();
    bail!(
        "`{name}` is not a directory, a .wasm file or a built-in policy (built-ins: {})",
        names.join(", ")
    )
}

//! The command line's side of Rego sets: the config's `rego:` entries,
//! the pin and signature gate, and `tallyman policy test` on a set.

use std::io::Write;
use std::path::Path;

use tallyman_policy_rego::testing::TestResult;

use crate::attest::policy_sig::{self, TrustedKeys};
use crate::config::PolicySource;
use crate::engine::rego::{self, RegoSet, RegoSpec};
use crate::engine::{CacheDir, Engine, Limits, Policy};

/// The set a config entry `rego:` names, its paths relative to the config.
pub fn spec(source: &PolicySource, base: &Path) -> RegoSpec {
    RegoSpec {
        path: base.join(source.rego.as_deref().unwrap_or(Path::new("."))),
        data: source.data.iter().map(|file| base.join(file)).collect(),
        name: source.name.clone(),
        namespace: source.namespace.clone(),
    }
}

/// Reads a set, checks its manifest against `pin` and, when keys are
/// trusted, against the signature `DIR.sig` (or `FILE.rego.sig`), then
/// loads it. Nothing of a refused set is compiled.
pub fn load_checked(
    engine: &Engine,
    spec: &RegoSpec,
    pin: Option<&str>,
    trusted: &TrustedKeys,
) -> anyhow::Result<Policy> {
    let path = &spec.path;
    let set = RegoSet::read(spec).map_err(anyhow::Error::msg)?;
    policy_sig::check_module(
        &rego::signed_path(path),
        set.manifest.as_bytes(),
        pin,
        trusted,
    )
    .map_err(|refusal| anyhow::anyhow!("{}: Rego set refused: {refusal}", path.display()))?;
    Ok(rego::load(engine, &set)?)
}

/// `tallyman policy test` on a Rego set: every `test_` rule, as `opa test`
/// runs them, each in the sandbox under the default limits. Exit code 0
/// when all pass, 1 otherwise.
pub fn test(
    path: &Path,
    filter: Option<&str>,
    cache_dir: Option<&Path>,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let set = RegoSet::read(&RegoSpec::new(path)).map_err(anyhow::Error::msg)?;
    eprintln!(
        "{:>12} {} (Rego set, {} modules, {})",
        "Testing",
        set.name,
        set.modules.len(),
        path.display()
    );
    let engine = Engine::new(Limits::default(), CacheDir::resolve(cache_dir))?;
    let outcomes = rego::run_tests(&engine, &set, filter)?;
    if outcomes.is_empty() {
        anyhow::bail!("{}: no `test_` rule to run", path.display());
    }
    let (mut passed, mut failed) = (0, 0);
    for outcome in &outcomes {
        match &outcome.result {
            TestResult::Pass => {
                passed += 1;
                writeln!(out, "{}: PASS", outcome.name)?;
            }
            TestResult::Fail => {
                failed += 1;
                writeln!(out, "{}: FAIL ({})", outcome.name, outcome.path)?;
            }
            TestResult::Error(error) => {
                failed += 1;
                let error = error.trim().replace('\n', "\n    ");
                writeln!(
                    out,
                    "{}: ERROR ({})\n    {error}",
                    outcome.name, outcome.path
                )?;
            }
        }
    }
    writeln!(
        out,
        "--------------------------------------------------------------------------------"
    )?;
    writeln!(out, "PASS: {passed}/{}", passed + failed)?;
    if failed > 0 {
        writeln!(out, "FAIL: {failed}/{}", passed + failed)?;
    }
    Ok(u8::from(failed > 0))
}

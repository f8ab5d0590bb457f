//! Rego policy sets: read from disk, described, and loaded as policies that
//! run in the embedded Rego runner (`policies/rego`).
//!
//! A set is a `.rego` file or a directory of them (searched recursively,
//! `_test.rego` files kept for `tallyman policy test` only), with optional
//! `data:` files (JSON or YAML objects, merged). It becomes a policy of its
//! own: its name, the rules [`describe`] finds, the runner's component, and
//! the set as the runner's settings. Its identity is the sha256 of its
//! manifest, one `sha256sum` line per file, so a `sha256:` pin and a
//! signature cover every file of the set.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tallyman_dockerfile::model;
use tallyman_policy_rego::describe::{self, Described};
use tallyman_policy_rego::{Bundle, Module};

use std::cell::OnceCell;

use tallyman_policy_rego::testing::{self, TEST_RULE, TestOutcome, TestResult};

use super::cache::hex;
use super::evaluate::{ErrorKind, PolicyError, Target, evaluate};
use super::load::{Identity, load_as};
use super::{BUILTIN_POLICIES, Engine, Policy, PolicySource};

/// The crate of the embedded Rego runner.
pub const RUNNER_CRATE: &str = "rego";

/// Rego files larger than this are refused: a set is policy text, not data.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// How the user asked for a set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegoSpec {
    pub path: PathBuf,
    pub data: Vec<PathBuf>,
    /// The policy's name; the directory's (or file's stem) when `None`.
    pub name: Option<String>,
    /// The conftest namespace pattern; `main` when `None`.
    pub namespace: Option<String>,
}

impl RegoSpec {
    pub fn new(path: &Path) -> RegoSpec {
        RegoSpec {
            path: path.to_path_buf(),
            data: Vec::new(),
            name: None,
            namespace: None,
        }
    }
}

/// A set read from disk.
#[derive(Debug, Clone)]
pub struct RegoSet {
    pub name: String,
    pub namespace: String,
    pub source: PathBuf,
    /// Every `.rego` file, tests included, by relative path.
    pub modules: Vec<Module>,
    pub data: serde_json::Value,
    /// `<sha256>  <path>` per file, sorted: what pins and signatures cover.
    pub manifest: String,
}

/// The path a set's signature is named after (`DIR.sig`, `FILE.rego.sig`):
/// `path` without a trailing separator, so that `policy/` and `policy`
/// name the same `policy.sig` beside the directory rather than a file in it.
pub fn signed_path(path: &Path) -> PathBuf {
    path.components().collect()
}

/// A `.rego` file, or a directory with a `.rego` file in it or below.
pub fn is_rego_set(path: &Path) -> bool {
    if path.is_dir() {
        rego_files(path).is_ok_and(|files| !files.is_empty())
    } else {
        path.extension().is_some_and(|ext| ext == "rego")
    }
}

impl RegoSet {
    pub fn read(spec: &RegoSpec) -> Result<RegoSet, String> {
        let path = &spec.path;
        let (root, files) = if path.is_dir() {
            (path.clone(), rego_files(path)?)
        } else {
            let parent = path.parent().unwrap_or(Path::new("")).to_path_buf();
            (parent, vec![path.clone()])
        };
        if files.is_empty() {
            return Err(format!("{}: no .rego file", path.display()));
        }
        let mut manifest = Vec::new();
        let mut modules = Vec::new();
        for file in &files {
            let text = read_text(file)?;
            let relative = relative(&root, file);
            manifest.push(format!(
                "{}  {relative}",
                hex(Sha256::digest(text.as_bytes()).as_slice())
            ));
            modules.push(Module {
                path: relative,
                text,
            });
        }
        let mut data = serde_json::Map::new();
        for file in &spec.data {
            let text = read_text(file)?;
            // Named relative to the set when it is inside it, else by its
            // file name: a pin must not change with where the checkout is.
            let named = if file.starts_with(&root) {
                relative(&root, file)
            } else {
                file.file_name().map_or_else(
                    || relative(&root, file),
                    |n| n.to_string_lossy().into_owned(),
                )
            };
            manifest.push(format!(
                "{}  data:{named}",
                hex(Sha256::digest(text.as_bytes()).as_slice()),
            ));
            merge_data(&mut data, file, &text)?;
        }
        manifest.sort();
        let name = match &spec.name {
            Some(name) => name.clone(),
            None => default_name(path),
        };
        Ok(RegoSet {
            name,
            namespace: spec.namespace.clone().unwrap_or_else(|| "main".into()),
            source: path.clone(),
            modules,
            data: serde_json::Value::Object(data),
            manifest: manifest.iter().map(|line| format!("{line}\n")).collect(),
        })
    }

    /// The set's identity: the sha256 of its manifest.
    pub fn sha256(&self) -> [u8; 32] {
        Sha256::digest(self.manifest.as_bytes()).into()
    }

    /// Its checks, rules and the runner's settings.
    pub fn describe(&self) -> Result<Described, String> {
        describe::describe(
            &self.name,
            self.modules.clone(),
            self.data.clone(),
            &self.namespace,
        )
    }
}

/// Loads `set` as a policy running in the Rego runner, and has the runner
/// accept it (its modules parse, no forbidden builtin) before any target.
pub fn load(engine: &Engine, set: &RegoSet) -> Result<Policy, PolicyError> {
    let fail = |kind: ErrorKind, message: String| PolicyError {
        policy: set.source.display().to_string(),
        target: None,
        kind,
        message,
    };
    let runner = runner_wasm().ok_or_else(|| {
        fail(
            ErrorKind::LoadError,
            "this tallyman was built without the Rego runner".into(),
        )
    })?;
    let described = set
        .describe()
        .map_err(|message| fail(ErrorKind::LoadError, message))?;
    let settings =
        settings(&described.bundle).map_err(|message| fail(ErrorKind::LoadError, message))?;
    let info = model::PolicyInfo {
        name: set.name.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        description: description(&described),
        rules: described.rules,
    };
    let identity = Identity {
        sha256: set.sha256(),
        info,
        settings: settings.clone(),
    };
    let policy = load_as(
        engine,
        runner,
        PolicySource::File(set.source.clone()),
        Some(identity),
    )?;
    engine.validate_settings(&policy, &settings)?;
    Ok(policy)
}

/// Runs the `test_` rules of `set` (those whose name contains `filter`,
/// when given) in the sandbox, as a scan runs its checks: the set, tests
/// included, is loaded in the Rego runner, and each test is one call of
/// `check-dockerfile` under the engine's limits (see
/// `tallyman_policy_rego::testing`). A test that runs past the deadline,
/// exhausts memory or traps is an error of that test alone; the instance
/// it broke is replaced for the next one.
pub fn run_tests(
    engine: &Engine,
    set: &RegoSet,
    filter: Option<&str>,
) -> Result<Vec<TestOutcome>, PolicyError> {
    let fail = |kind: ErrorKind, message: String| PolicyError {
        policy: set.source.display().to_string(),
        target: None,
        kind,
        message,
    };
    let runner = runner_wasm().ok_or_else(|| {
        fail(
            ErrorKind::LoadError,
            "this tallyman was built without the Rego runner".into(),
        )
    })?;
    let bundle = Bundle {
        name: set.name.clone(),
        modules: set.modules.clone(),
        data: set.data.clone(),
        entries: Vec::new(),
    };
    let bundle_json = serde_json::to_string(&bundle)
        .map_err(|e| fail(ErrorKind::LoadError, format!("cannot write the set: {e}")))?;
    let settings = format!(r#"{{"bundle":{bundle_json}}}"#);
    let info = model::PolicyInfo {
        name: set.name.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        description: format!("the tests of Rego set {}", set.name),
        rules: vec![model::RuleInfo {
            id: TEST_RULE.into(),
            title: "The outcome of a Rego test".into(),
            default_severity: model::Severity::Info,
            description: String::new(),
            help: String::new(),
            tags: vec!["target:dockerfile".into()],
            equivalents: Vec::new(),
        }],
    };
    let identity = Identity {
        sha256: set.sha256(),
        info,
        settings: settings.clone(),
    };
    let policy = load_as(
        engine,
        runner,
        PolicySource::File(set.source.clone()),
        Some(identity),
    )?;
    engine.validate_settings(&policy, &settings)?;

    // The target is not read by a test; it only has to be a valid one.
    let options = tallyman_dockerfile::LowerOptions {
        path: "Dockerfile".into(),
        ..Default::default()
    };
    let target =
        tallyman_dockerfile::parse_and_lower(b"FROM scratch\n", &Default::default(), &options)
            .map_err(|e| fail(ErrorKind::LoadError, format!("the empty target: {e}")))?;
    let typed = OnceCell::new();
    let mut slot = None;
    let mut outcomes = Vec::new();
    for (name, path) in testing::test_names(&set.modules) {
        if filter.is_some_and(|filter| !name.contains(filter)) {
            continue;
        }
        let name_json = serde_json::to_string(&name)
            .map_err(|e| fail(ErrorKind::LoadError, format!("{name}: {e}")))?;
        let settings = format!(r#"{{"test":{name_json},"bundle":{bundle_json}}}"#);
        let target = Target::Dockerfile {
            model: &target,
            typed: &typed,
            encoded: None,
        };
        let outcome = evaluate(engine, &policy, &settings, &mut slot, target);
        let result = match outcome.result {
            Ok(findings) => match findings.as_slice() {
                [finding] if finding.rule_id == TEST_RULE => {
                    TestResult::from_message(&finding.message).unwrap_or_else(|| {
                        TestResult::Error(format!("unreadable outcome `{}`", finding.message))
                    })
                }
                _ => TestResult::Error(format!(
                    "the runner gave {} findings for one test",
                    findings.len()
                )),
            },
            Err(error) => TestResult::Error(format!("{}: {}", error.kind.as_str(), error.message)),
        };
        outcomes.push(TestOutcome { name, path, result });
    }
    Ok(outcomes)
}

fn runner_wasm() -> Option<&'static [u8]> {
    BUILTIN_POLICIES
        .iter()
        .find(|builtin| builtin.crate_name == RUNNER_CRATE)
        .map(|builtin| builtin.wasm)
}

/// The runner's settings document for `bundle`.
pub fn settings(bundle: &Bundle) -> Result<String, String> {
    serde_json::to_string(&serde_json::json!({ "bundle": bundle }))
        .map_err(|e| format!("cannot write the set as settings: {e}"))
}

fn description(described: &Described) -> String {
    let count = |tag: &str| {
        described
            .rules
            .iter()
            .filter(|rule| rule.tags.iter().any(|t| t == tag))
            .count()
    };
    format!(
        "Rego policy set: {} modules; {} Trivy checks, {} conftest rules, {} tallyman-model rules",
        described.bundle.modules.len(),
        count("rego:trivy"),
        count("rego:conftest"),
        count("rego:tallyman"),
    )
}

fn default_name(path: &Path) -> String {
    let name = if path.is_dir() {
        path.canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
    } else {
        path.file_stem().map(|n| n.to_string_lossy().into_owned())
    };
    name.unwrap_or_else(|| "rego".into())
}

/// The `.rego` files under `dir`, sorted, hidden directories skipped.
fn rego_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: cannot list the directory: {e}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if path.is_dir() && !hidden {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rego") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

fn relative(root: &Path, file: &Path) -> String {
    file.strip_prefix(root)
        .unwrap_or(file)
        .to_string_lossy()
        .replace('\\', "/")
}

fn read_text(file: &Path) -> Result<String, String> {
    let size = std::fs::metadata(file)
        .map_err(|e| format!("{}: cannot read: {e}", file.display()))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "{}: {size} bytes, more than the {MAX_FILE_BYTES} a Rego set's file may have",
            file.display()
        ));
    }
    std::fs::read_to_string(file).map_err(|e| format!("{}: cannot read: {e}", file.display()))
}

/// Adds a data file's top-level keys to `data`; a key two files define is
/// an error rather than a silent override.
fn merge_data(
    data: &mut serde_json::Map<String, serde_json::Value>,
    file: &Path,
    text: &str,
) -> Result<(), String> {
    let yaml = file
        .extension()
        .is_some_and(|ext| ext == "yaml" || ext == "yml");
    let value: serde_json::Value = if yaml {
        serde_yaml::from_str(text).map_err(|e| format!("{}: not YAML: {e}", file.display()))?
    } else {
        serde_json::from_str(text).map_err(|e| format!("{}: not JSON: {e}", file.display()))?
    };
    let serde_json::Value::Object(object) = value else {
        return Err(format!("{}: data must be an object", file.display()));
    };
    for (key, value) in object {
        if data.contains_key(&key) {
            return Err(format!(
                "{}: `{key}` is also defined by an earlier data file",
                file.display()
            ));
        }
        data.insert(key, value);
    }
    Ok(())
}

//! The policy engine: loads Wasm policy components, runs them sandboxed and
//! in parallel over targets, and classifies every failure.
//!
//! One [`Engine`] holds one wasmtime engine and one linker; each loaded
//! [`Policy`] holds its compiled, pre-instantiated component. Both are shared
//! by all worker threads. An evaluation runs in a [`Session`], which keeps one
//! live instance per policy and reuses it for the next target (policies are
//! pure by contract; see `BENCHMARKS.md` for why this is the default), and
//! discards an instance after any failure.
//!
//! ```no_run
//! # use tallyman::engine::{CacheDir, ConfiguredPolicy, Engine, Limits};
//! # fn demo(dockerfiles: &[tallyman::dockerfile::model::Dockerfile]) -> anyhow::Result<()> {
//! let engine = Engine::new(Limits::default(), CacheDir::resolve(None))?;
//! let mut policies = Vec::new();
//! for policy in engine.load_builtin()? {
//!     engine.validate_settings(&policy, "{}")?;
//!     policies.push(ConfiguredPolicy::new(policy, "{}"));
//! }
//! for outcomes in engine.check_dockerfiles(&policies, dockerfiles) {
//!     for outcome in outcomes {
//!         match outcome.result {
//!             Ok(findings) => println!("{}: {} findings", outcome.policy.name(), findings.len()),
//!             Err(error) => eprintln!("{error}"),
//!         }
//!     }
//! }
//! # Ok(()) }
//! ```

mod bindings;
mod builtin;
mod cache;
mod convert;
mod evaluate;
mod limits;
mod load;
mod parallel;
mod pool;
mod reads;
pub mod rego;
mod sandbox;

use std::path::Path;
use std::sync::Arc;

use wasmtime::component::Linker;

pub use bindings::ContractVersion;
pub use builtin::BUILTIN_POLICIES;

/// The built-in policies a scan runs unless told otherwise, in the order
/// [`Engine::load_builtin`] loads them: all but the Rego runner, which runs
/// only the Rego sets a user loads.
pub fn default_builtins() -> impl Iterator<Item = &'static builtin::BuiltinPolicy> {
    BUILTIN_POLICIES
        .iter()
        .filter(|builtin| builtin.crate_name != rego::RUNNER_CRATE)
}
pub use cache::{
    CacheDir, CacheOutcome, CompiledCodeStats, compiled_code_stats, prune_compiled_code,
};
pub use evaluate::{ErrorKind, Outcome, PolicyError};
pub use limits::Limits;
pub use load::{
    ALLOWED_IMPORTS, Policy, PolicySource, TARGET_DOCKERFILE_TAG, TARGET_IMAGE_TAG, check_distinct,
    sha256,
};
pub use parallel::{ConfiguredPolicy, Session};
pub use pool::{PooledSession, SessionPool};
pub use reads::{INSTRUCTION_KEYWORDS, READS_TAG_PREFIX, Reads};
pub use sandbox::{Diagnostics, EPOCH_TICK_MS, LogLevelName, LogRecord};

use cache::CodeCache;
use sandbox::HostState;

/// Why the engine could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot configure the Wasm engine: {0}")]
    Wasmtime(String),
    #[error("cannot start the epoch ticker thread: {0}")]
    Ticker(#[from] std::io::Error),
}

/// The policy engine. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

struct EngineInner {
    wasm: wasmtime::Engine,
    linker: Linker<HostState>,
    limits: Limits,
    cache: CodeCache,
}

impl Engine {
    /// An engine with these limits, caching compiled code in `cache`.
    pub fn new(limits: Limits, cache: CacheDir) -> Result<Engine, EngineError> {
        let wasmtime_error = |e: wasmtime::Error| EngineError::Wasmtime(format!("{e:#}"));
        let mut config = wasmtime::Config::new();
        config
            .wasm_component_model(true)
            .epoch_interruption(true)
            // Function names from the name section are enough for our
            // messages; DWARF details would only slow traps down.
            .wasm_backtrace_details(wasmtime::WasmBacktraceDetails::Disable)
            .cranelift_opt_level(wasmtime::OptLevel::Speed);
        // `perf` can then name the policies' own functions (see "Where a
        // Rust policy's time goes" in docs/writing-policies.md).
        if std::env::var_os("TALLYMAN_PERF_MAP").is_some() {
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        let wasm = wasmtime::Engine::new(&config).map_err(wasmtime_error)?;
        let mut linker = Linker::new(&wasm);
        sandbox::add_to_linker(&mut linker).map_err(wasmtime_error)?;
        sandbox::spawn_epoch_ticker(&wasm)?;
        let cache = CodeCache::new(&cache, &wasm);
        Ok(Engine {
            inner: Arc::new(EngineInner {
                wasm,
                linker,
                limits,
                cache,
            }),
        })
    }

    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// Loads a policy component from its bytes: checks its imports, compiles
    /// it (or loads it from the cache), and reads its metadata.
    pub fn load_bytes(&self, wasm: &[u8], source: PolicySource) -> Result<Policy, PolicyError> {
        load::load(self, wasm, source)
    }

    /// Loads a policy from a `.wasm` file.
    pub fn load_file(&self, path: &Path) -> Result<Policy, PolicyError> {
        let wasm = std::fs::read(path).map_err(|e| PolicyError {
            policy: path.display().to_string(),
            target: None,
            kind: ErrorKind::LoadError,
            message: format!("cannot read the file: {e}"),
        })?;
        self.load_bytes(&wasm, PolicySource::File(path.to_path_buf()))
    }

    /// Loads a policy file and checks that its sha256 is `expected` (hex,
    /// with or without a `sha256:` prefix) before anything else is done with
    /// it. The check is the scan's own gate,
    /// [`check_module`](crate::attest::policy_sig::check_module), without keys.
    pub fn load_file_pinned(&self, path: &Path, expected: &str) -> Result<Policy, PolicyError> {
        let error = |message: String| PolicyError {
            policy: path.display().to_string(),
            target: None,
            kind: ErrorKind::LoadError,
            message,
        };
        let wasm = std::fs::read(path).map_err(|e| error(format!("cannot read the file: {e}")))?;
        crate::attest::policy_sig::check_module(
            path,
            &wasm,
            Some(expected),
            &crate::attest::policy_sig::TrustedKeys::default(),
        )
        .map_err(|refusal| error(refusal.to_string()))?;
        self.load_bytes(&wasm, PolicySource::File(path.to_path_buf()))
    }

    /// Loads every built-in policy (the Rego runner runs only the Rego
    /// sets the user loads, see [`Engine::load_path`]).
    pub fn load_builtin(&self) -> Result<Vec<Policy>, PolicyError> {
        self.load_builtin_named(|_| true)
    }

    /// Loads the built-in policies whose name `wanted` accepts, without
    /// loading the others: a scan that runs a few built-ins does not pay
    /// for compiling or deserializing the rest. The name is the crate's
    /// (`policies/<name>`), known before loading because every built-in
    /// is named after its crate (a test holds each to it).
    pub fn load_builtin_named(
        &self,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<Vec<Policy>, PolicyError> {
        default_builtins()
            .filter(|builtin| wanted(builtin.crate_name))
            .map(|builtin| self.load_bytes(builtin.wasm, PolicySource::Builtin))
            .collect()
    }

    /// Loads a `.wasm` file, or a Rego set (a `.rego` file, or a directory
    /// holding `.rego` files) with default options.
    pub fn load_path(&self, path: &Path) -> Result<Policy, PolicyError> {
        if rego::is_rego_set(path) {
            let set =
                rego::RegoSet::read(&rego::RegoSpec::new(path)).map_err(|message| PolicyError {
                    policy: path.display().to_string(),
                    target: None,
                    kind: ErrorKind::LoadError,
                    message,
                })?;
            return rego::load(self, &set);
        }
        self.load_file(path)
    }

    /// Asks the policy whether it accepts `settings` (a JSON document).
    /// A refusal is an [`ErrorKind::InvalidSettings`] error with the policy's reason.
    pub fn validate_settings(&self, policy: &Policy, settings: &str) -> Result<(), PolicyError> {
        evaluate::validate_settings(self, policy, settings)
    }

    /// A session for one worker thread: evaluates targets one by one with
    /// each of `policies`, keeping their instances between targets.
    pub fn session<'a>(&'a self, policies: &'a [ConfiguredPolicy]) -> Session<'a> {
        Session::new(self, policies)
    }

    /// Where this engine's compiled code is cached; `None` when it is not.
    pub fn compiled_code_dir(&self) -> Option<&Path> {
        self.inner.cache.dir()
    }

    pub(crate) fn wasm_engine(&self) -> &wasmtime::Engine {
        &self.inner.wasm
    }

    pub(crate) fn linker(&self) -> &Linker<HostState> {
        &self.inner.linker
    }

    pub(crate) fn code_cache(&self) -> &CodeCache {
        &self.inner.cache
    }
}

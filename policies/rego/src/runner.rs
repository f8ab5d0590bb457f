//! Compiling a set once and evaluating its rules on each target.
//!
//! The host may reuse an instance for many targets; the compiled engine is
//! kept between calls, keyed by a hash of the set's text (modules, data and
//! entries), so a set is parsed once per instance rather than per target,
//! and a different set given to the same instance is compiled afresh.

use std::cell::RefCell;

use regorus::Engine;
use tallyman_sdk::{Dockerfile, Finding};

use crate::bundle::{Bundle, Entry, Settings, Shape};
use crate::{extensions, forbidden, hoist_some, input, results};

/// A set, parsed and ready to evaluate.
pub struct Compiled {
    engine: Engine,
    entries: Vec<Entry>,
    /// The shapes the entries use, each built once per target.
    shapes: Vec<Shape>,
}

/// The start of the debug log line written each time a set is compiled.
pub const COMPILED_LOG: &str = "rego: compiled the set";

thread_local! {
    static CACHE: RefCell<Option<(u64, usize, Compiled)>> = const { RefCell::new(None) };
}

/// Runs `work` with the set of `settings` compiled, compiling it only when
/// the cached one is of another set.
pub fn with_compiled<R>(
    settings: &Settings,
    work: impl FnOnce(&mut Compiled) -> Result<R, String>,
) -> Result<R, String> {
    let raw = settings.raw();
    let key = xxhash_rust::xxh3::xxh3_64(raw.as_bytes());
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let cached = matches!(&*cache, Some((k, len, _)) if *k == key && *len == raw.len());
        if !cached {
            // Drop the old set before compiling the new one: an instance's
            // memory is capped.
            *cache = None;
            let bundle = settings.bundle()?;
            let what = format!("{} ({} modules)", bundle.name, bundle.modules.len());
            let compiled = Compiled::new(bundle)?;
            // The host's diagnostics count these: a set must be compiled
            // once per instance, not once per target.
            tallyman_sdk::log::debug(&format!("{COMPILED_LOG} {what}"));
            *cache = Some((key, raw.len(), compiled));
        }
        match cache.as_mut() {
            Some((_, _, compiled)) => work(compiled),
            None => Err("the compiled set was not kept".into()),
        }
    })
}

impl Compiled {
    /// Parses the set's modules into an engine with its data and the Trivy
    /// extensions, refusing forbidden builtins first.
    pub fn new(bundle: Bundle) -> Result<Compiled, String> {
        forbidden::check_modules(&bundle.modules)?;
        let engine = engine_for(&bundle)?;
        let mut shapes = Vec::new();
        for entry in &bundle.entries {
            if !shapes.contains(&entry.shape) {
                shapes.push(entry.shape);
            }
        }
        Ok(Compiled {
            engine,
            entries: bundle.entries,
            shapes,
        })
    }

    /// The findings of every entry on `dockerfile`.
    pub fn check(&mut self, dockerfile: &Dockerfile) -> Result<Vec<Finding>, String> {
        let mut findings = Vec::new();
        for &shape in &self.shapes {
            self.engine.set_input(input::build(shape, dockerfile)?);
            for entry in self.entries.iter().filter(|e| e.shape == shape) {
                let value = self
                    .engine
                    .eval_rule(format!("data.{}.{}", entry.package, entry.rule))
                    .map_err(|e| format!("data.{}.{}: {e}", entry.package, entry.rule))?;
                results::collect(&value, entry, dockerfile, &mut findings)?;
            }
        }
        Ok(findings)
    }

    /// The engine, for running a set's tests.
    pub fn engine(&mut self) -> &mut Engine {
        &mut self.engine
    }
}

/// An engine with the set's modules, data and extensions.
pub fn engine_for(bundle: &Bundle) -> Result<Engine, String> {
    let mut engine = Engine::new();
    // OPA's default (and Trivy's): a builtin that fails on its arguments
    // (`to_number("$PORT")`) makes its expression undefined instead of
    // failing the whole rule; regorus is strict unless told otherwise.
    engine.set_strict_builtin_errors(false);
    extensions::register(&mut engine)?;
    for module in &bundle.modules {
        let text = hoist_some::hoist_some_declarations(&module.path, &module.text)?;
        engine
            .add_policy(module.path.clone(), text.into_owned())
            .map_err(|e| format!("{}: {e}", module.path))?;
    }
    if !bundle.data.is_null() {
        engine
            .add_data(regorus::Value::from(bundle.data.clone()))
            .map_err(|e| format!("data: {e}"))?;
    }
    Ok(engine)
}

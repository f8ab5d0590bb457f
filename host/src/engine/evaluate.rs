//! One evaluation of one policy on one target, and the classification of
//! everything that can go wrong with it.

use std::cell::OnceCell;

use serde::Serialize;
use tallyman_dockerfile::model;
use wasmtime::component::{Func, TypedFunc};
use wasmtime::{Store, Trap, WasmBacktrace};

use super::Engine;
use super::bindings::{
    self, CappedList, ContractVersion, LiftCaps, LiftCapsGuard, OutputCapExceeded, RawAutofix,
    RawFinding, wit,
};
use super::load::{
    CheckDockerfileParams, CheckEncodedParams, CheckImageParams, CheckResults, CheckResultsV0_1,
    Exports, Policy, PolicyPre,
};
use super::reads::Reads;
use super::sandbox::{
    Diagnostics, HostState, MAX_INSTANCES, MAX_MEMORIES, MAX_TABLES, MemoryLimitExceeded,
    arm_deadline,
};

/// How many Wasm frames a trap's message shows.
const BACKTRACE_FRAMES: usize = 5;

/// An instance whose memories and tables hold more than this is not kept
/// for the next target: a live instance per (worker, policy) must not pin
/// up to the memory limit each. Rust policies start at about 1 MiB and
/// Dockerfile models are small.
const REUSE_MEMORY_CEILING: usize = 16 * 1024 * 1024;

/// What kind of failure a [`PolicyError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// The call ran past `limits.timeout-ms`.
    Timeout,
    /// The policy tried to grow its memory past `limits.memory-mib`.
    OutOfMemory,
    /// The policy trapped: a panic, `unreachable`, an out-of-bounds access, ...
    Trap,
    /// The policy returned something the contract forbids: an undeclared rule
    /// id, a line outside the file, a stage that does not exist, bad UTF-8, or
    /// more findings or longer messages than the limits allow.
    InvalidOutput,
    /// `validate-settings` refused the settings given for the policy.
    InvalidSettings,
    /// The policy could not be loaded.
    LoadError,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Timeout => "timeout",
            ErrorKind::OutOfMemory => "out-of-memory",
            ErrorKind::Trap => "trap",
            ErrorKind::InvalidOutput => "invalid-output",
            ErrorKind::InvalidSettings => "invalid-settings",
            ErrorKind::LoadError => "load-error",
        }
    }
}

/// A failure of one policy, on one target or (for loading and settings) on all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("policy `{policy}`{}: {}: {message}", target.as_ref().map(|t| format!(" on `{t}`")).unwrap_or_default(), kind.as_str())]
pub struct PolicyError {
    /// The policy's name, or its file or hash when it could not be loaded.
    pub policy: String,
    /// The target's path or image reference; none for load and settings errors.
    pub target: Option<String>,
    pub kind: ErrorKind,
    pub message: String,
}

/// The result of evaluating one policy on one target.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub policy: Policy,
    /// The findings, each checked against the contract; or why there are none.
    pub result: Result<Vec<model::Finding>, PolicyError>,
    /// What the policy printed and logged.
    pub diagnostics: Diagnostics,
}

impl Outcome {
    /// A result known without evaluating: findings the policy returned
    /// before on the same input (from the result cache), or none when no
    /// rule of the policy concerns the target.
    pub fn cached(policy: Policy, findings: Vec<model::Finding>) -> Outcome {
        Outcome {
            policy,
            result: Ok(findings),
            diagnostics: Diagnostics::default(),
        }
    }

    /// The findings, if this result may be reused for the same input: not a
    /// policy error (a timeout depends on the machine's load) and not cut
    /// short (the policy's output went over the cap).
    pub fn cacheable_findings(&self) -> Option<&[model::Finding]> {
        match &self.result {
            Ok(findings) if self.diagnostics.dropped_bytes == 0 => Some(findings),
            _ => None,
        }
    }
}

/// A target as the policies receive it: the model postcard-encoded, for
/// policies with the `encoded` exports (absent when no policy of the session
/// has them, or `limits.encoded-input` is off), and otherwise the typed WIT
/// record, converted from the model when the first policy needs it.
#[derive(Clone, Copy)]
pub(crate) enum Target<'a> {
    Dockerfile {
        model: &'a model::Dockerfile,
        typed: &'a OnceCell<wit::Dockerfile>,
        encoded: Option<&'a [u8]>,
    },
    Image {
        model: &'a model::Image,
        typed: &'a OnceCell<wit::Image>,
        encoded: Option<&'a [u8]>,
    },
}

impl Target<'_> {
    fn name(&self) -> &str {
        match self {
            Target::Dockerfile { model, .. } => &model.path,
            Target::Image { model, .. } => &model.reference,
        }
    }
}

/// A live instance of a policy, kept between evaluations when reuse is on.
pub(crate) struct Instance {
    store: Store<HostState>,
    instance: wasmtime::component::Instance,
    check_dockerfile: Func,
    check_image: Func,
    /// The `encoded` checks (dockerfile, image), when the component has them.
    encoded: Option<(Func, Func)>,
    version: ContractVersion,
    evaluations: u32,
}

/// The typed bindings of an instance, by contract version.
enum Bindings {
    V0_2(bindings::Policy),
    V0_1(bindings::v0_1::Policy),
}

/// A failure before there is anything to classify as output.
type Failure = (ErrorKind, String);

impl Instance {
    pub(crate) fn new(engine: &Engine, policy: &Policy) -> Result<Instance, Failure> {
        Self::from_pre(engine, policy.pre(), policy.exports())
    }

    fn from_pre(engine: &Engine, pre: &PolicyPre, exports: Exports) -> Result<Instance, Failure> {
        let mut store = HostState::new_store(engine.wasm_engine(), engine.limits());
        arm_deadline(&mut store, engine.limits());
        let instance = match pre.instance_pre().instantiate(&mut store) {
            Ok(instance) => instance,
            Err(e) => return Err(classify_instantiation(engine, &mut store, &e)),
        };
        let func = |store: &mut Store<HostState>, index| {
            instance
                .get_func(store, index)
                .ok_or_else(|| (ErrorKind::LoadError, "missing check export".to_string()))
        };
        let check_dockerfile = func(&mut store, exports.check_dockerfile)?;
        let check_image = func(&mut store, exports.check_image)?;
        let encoded = match exports.encoded {
            Some(encoded) => Some((
                func(&mut store, encoded.check_dockerfile)?,
                func(&mut store, encoded.check_image)?,
            )),
            None => None,
        };
        Ok(Instance {
            store,
            instance,
            check_dockerfile,
            check_image,
            encoded,
            version: pre.version(),
            evaluations: 0,
        })
    }

    /// Typed bindings of every export. They typecheck each export, so they
    /// are made only for the calls other than the checks.
    fn bindings(&mut self) -> Result<Bindings, Failure> {
        let bindings = match self.version {
            ContractVersion::V0_2 => {
                bindings::Policy::new(&mut self.store, &self.instance).map(Bindings::V0_2)
            }
            ContractVersion::V0_1 => {
                bindings::v0_1::Policy::new(&mut self.store, &self.instance).map(Bindings::V0_1)
            }
        };
        bindings.map_err(|e| (ErrorKind::LoadError, format!("{e:#}")))
    }

    /// Checks the check exports' signatures, so that `call_check` may build
    /// its typed functions unchecked.
    fn typecheck(&self) -> wasmtime::Result<()> {
        match self.version {
            ContractVersion::V0_2 => self.typecheck_as::<CheckResults>(),
            ContractVersion::V0_1 => self.typecheck_as::<CheckResultsV0_1>(),
        }
    }

    fn typecheck_as<R: wasmtime::component::ComponentNamedList + wasmtime::component::Lift>(
        &self,
    ) -> wasmtime::Result<()> {
        self.check_dockerfile
            .typed::<CheckDockerfileParams<'_>, R>(&self.store)?;
        self.check_image
            .typed::<CheckImageParams<'_>, R>(&self.store)?;
        if let Some((dockerfile, image)) = self.encoded {
            dockerfile.typed::<CheckEncodedParams<'_>, R>(&self.store)?;
            image.typed::<CheckEncodedParams<'_>, R>(&self.store)?;
        }
        Ok(())
    }

    fn call_check(
        &mut self,
        target: Target<'_>,
        reads: Option<&Reads>,
        settings: &str,
    ) -> wasmtime::Result<CappedList<RawFinding>> {
        match self.version {
            ContractVersion::V0_2 => self
                .call_check_as::<CheckResults>(target, reads, settings)
                .map(|(findings,)| findings),
            ContractVersion::V0_1 => {
                let (CappedList(findings),) =
                    self.call_check_as::<CheckResultsV0_1>(target, reads, settings)?;
                Ok(CappedList(
                    findings.into_iter().map(RawFinding::from).collect(),
                ))
            }
        }
    }

    fn call_check_as<R: wasmtime::component::ComponentNamedList + wasmtime::component::Lift>(
        &mut self,
        target: Target<'_>,
        reads: Option<&Reads>,
        settings: &str,
    ) -> wasmtime::Result<R> {
        self.evaluations = self.evaluations.saturating_add(1);
        let encoded_call = match (target, self.encoded) {
            (
                Target::Dockerfile {
                    encoded: Some(bytes),
                    ..
                },
                Some((func, _)),
            )
            | (
                Target::Image {
                    encoded: Some(bytes),
                    ..
                },
                Some((_, func)),
            ) => Some((func, bytes)),
            _ => None,
        };
        if let Some((func, bytes)) = encoded_call {
            // SAFETY: as below; `typecheck` checked the encoded exports too.
            let func = unsafe { TypedFunc::<CheckEncodedParams<'_>, R>::new_unchecked(func) };
            return func.call(&mut self.store, (bytes, settings));
        }
        let results = match target {
            Target::Dockerfile { model, typed, .. } => {
                // A policy that declared what it reads gets its own cut of
                // the record; the others share the whole one.
                let filtered;
                let typed = match reads {
                    Some(reads) => {
                        filtered = reads.dockerfile(model);
                        &filtered
                    }
                    None => typed.get_or_init(|| wit::Dockerfile::from(model)),
                };
                // SAFETY: the signature was checked by `typecheck` when the
                // policy was loaded; every instance of a policy comes from the
                // same component, and lifetimes do not change the ABI.
                let func = unsafe {
                    TypedFunc::<CheckDockerfileParams<'_>, R>::new_unchecked(self.check_dockerfile)
                };
                func.call(&mut self.store, (typed, settings))?
            }
            Target::Image { model, typed, .. } => {
                let typed = typed.get_or_init(|| wit::Image::from(model));
                // SAFETY: as above.
                let func = unsafe {
                    TypedFunc::<CheckImageParams<'_>, R>::new_unchecked(self.check_image)
                };
                func.call(&mut self.store, (typed, settings))?
            }
        };
        Ok(results)
    }
}

/// Calls `metadata` on a fresh instance, and checks the check exports'
/// signatures while it has one.
pub(crate) fn metadata(
    engine: &Engine,
    pre: &PolicyPre,
    exports: Exports,
) -> Result<model::PolicyInfo, Failure> {
    let mut instance = Instance::from_pre(engine, pre, exports)?;
    instance.typecheck().map_err(|e| {
        (
            ErrorKind::LoadError,
            format!("the check exports do not match the WIT: {e:#}"),
        )
    })?;
    let bindings = instance.bindings()?;
    arm_deadline(&mut instance.store, engine.limits());
    let result = match bindings {
        Bindings::V0_2(bindings) => bindings
            .call_metadata(&mut instance.store)
            .map(model::PolicyInfo::from),
        Bindings::V0_1(bindings) => bindings
            .call_metadata(&mut instance.store)
            .and_then(policy_info_v0_1),
    };
    result.map_err(|e| classify(engine, &mut instance.store, &e))
}

/// `policy-info` did not change in 0.2.0: the older record converts through
/// the model's serde form, which both share field for field.
fn policy_info_v0_1(info: bindings::v0_1::wit::PolicyInfo) -> wasmtime::Result<model::PolicyInfo> {
    let value = serde_json::to_value(info).map_err(wasmtime::Error::new)?;
    serde_json::from_value(value).map_err(wasmtime::Error::new)
}

/// Calls `validate-settings` on a fresh instance.
pub(crate) fn validate_settings(
    engine: &Engine,
    policy: &Policy,
    settings: &str,
) -> Result<(), PolicyError> {
    let error = |(kind, message): Failure| PolicyError {
        policy: policy.name().to_string(),
        target: None,
        kind,
        message,
    };
    let mut instance = Instance::new(engine, policy).map_err(error)?;
    let bindings = instance.bindings().map_err(error)?;
    arm_deadline(&mut instance.store, engine.limits());
    let result = match bindings {
        Bindings::V0_2(bindings) => bindings.call_validate_settings(&mut instance.store, settings),
        Bindings::V0_1(bindings) => bindings.call_validate_settings(&mut instance.store, settings),
    };
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(reason)) => Err(error((ErrorKind::InvalidSettings, reason))),
        Err(e) => Err(error(classify(engine, &mut instance.store, &e))),
    }
}

/// Evaluates `policy` on `target`, reusing the instance in `slot` when there
/// is one and reuse is on. A failure on a reused instance is retried once on
/// a fresh one, so that no target's result depends on the targets before it.
pub(crate) fn evaluate(
    engine: &Engine,
    policy: &Policy,
    settings: &str,
    slot: &mut Option<Instance>,
    target: Target<'_>,
) -> Outcome {
    let outcome = |result, diagnostics| Outcome {
        policy: policy.clone(),
        result,
        diagnostics,
    };
    let error = |(kind, message): Failure| PolicyError {
        policy: policy.name().to_string(),
        target: Some(target.name().to_string()),
        kind,
        message,
    };
    if policy.timed_out_too_often() {
        let message = format!(
            "not run: the policy already timed out on several targets (limits.timeout-ms is {})",
            engine.limits().timeout_ms
        );
        return outcome(
            Err(error((ErrorKind::Timeout, message))),
            Diagnostics::default(),
        );
    }
    loop {
        let mut instance = match slot.take() {
            Some(instance) => instance,
            None => match Instance::new(engine, policy) {
                Ok(instance) => instance,
                Err(failure) => {
                    return outcome(Err(error(failure)), Diagnostics::default());
                }
            },
        };
        let reused = instance.evaluations > 0;
        let (result, diagnostics) = run_once(engine, policy, settings, &mut instance, target);
        match result {
            Ok(findings) => {
                if engine.limits().reuse_instances
                    && instance.store.data().memory_size() <= REUSE_MEMORY_CEILING
                {
                    *slot = Some(instance);
                }
                return outcome(Ok(findings), diagnostics);
            }
            // The failed instance is dropped: its state is unknown.
            Err((kind, _)) if reused && kind != ErrorKind::Timeout => continue,
            Err(failure) => {
                if failure.0 == ErrorKind::Timeout {
                    policy.record_timeout();
                }
                return outcome(Err(error(failure)), diagnostics);
            }
        }
    }
}

fn run_once(
    engine: &Engine,
    policy: &Policy,
    settings: &str,
    instance: &mut Instance,
    target: Target<'_>,
) -> (Result<Vec<model::Finding>, Failure>, Diagnostics) {
    let limits = engine.limits();
    arm_deadline(&mut instance.store, limits);
    let raw = {
        let _caps = LiftCapsGuard::set(LiftCaps {
            max_string_bytes: limits.max_message_bytes,
            max_list_len: limits.max_findings,
        });
        instance.call_check(target, policy.reads(), settings)
    };
    let result = match raw {
        Ok(CappedList(raw)) => check_findings(policy, target, raw),
        Err(e) => Err(classify(engine, &mut instance.store, &e)),
    };
    let diagnostics = instance.store.data_mut().take_output();
    let result = result.map_err(|(kind, message)| (kind, with_stderr(message, &diagnostics)));
    (result, diagnostics)
}

/// Checks each finding against the contract and converts it.
fn check_findings(
    policy: &Policy,
    target: Target<'_>,
    raw: Vec<RawFinding>,
) -> Result<Vec<model::Finding>, Failure> {
    let total = raw.len();
    let invalid = |n: usize, what: String| {
        (
            ErrorKind::InvalidOutput,
            format!("finding {} of {total}: {what}", n + 1),
        )
    };
    let mut findings = Vec::with_capacity(raw.len());
    for (n, finding) in raw.iter().enumerate() {
        let rule_id = &finding.rule_id.0;
        if !policy.declares(rule_id) {
            return Err(invalid(
                n,
                format!(
                    "rule id `{}` is not declared in the policy's metadata",
                    truncate(rule_id)
                ),
            ));
        }
        match target {
            Target::Dockerfile { model, .. } => {
                if let Some(span) = &finding.span {
                    check_span(span, model.line_count).map_err(|what| invalid(n, what))?;
                }
                if let Some(autofix) = &finding.autofix {
                    check_autofix(autofix, model.line_count).map_err(|what| invalid(n, what))?;
                }
                if let Some(stage) = finding.stage {
                    let stages = model.stages.len();
                    if usize::try_from(stage).map_or(true, |s| s >= stages) {
                        return Err(invalid(
                            n,
                            format!("stage {stage} does not exist (the file has {stages})"),
                        ));
                    }
                }
            }
            Target::Image { .. } => {
                if finding.span.is_some() {
                    return Err(invalid(
                        n,
                        "a span on an image finding (images have no lines)".into(),
                    ));
                }
                if finding.stage.is_some() {
                    return Err(invalid(n, "a stage on an image finding".into()));
                }
                if finding.autofix.is_some() {
                    return Err(invalid(n, "edits on an image finding".into()));
                }
            }
        }
    }
    for finding in raw {
        findings.push(model::Finding {
            rule_id: finding.rule_id.0,
            message: finding.message.0,
            span: finding.span.map(model::Span::from),
            stage: finding.stage,
            fix: finding.fix.map(|f| f.0),
            severity: finding.severity.map(model::Severity::from),
            autofix: finding.autofix.map(model::Autofix::from),
        });
    }
    Ok(findings)
}

/// An edit's span must name known columns and stay within the file: the
/// end may be the start of the line after the last (the file's end).
fn check_autofix(autofix: &RawAutofix, line_count: u32) -> Result<(), String> {
    if autofix.edits.0.is_empty() {
        return Err("an autofix with no edits".into());
    }
    for edit in &autofix.edits.0 {
        let span = &edit.span;
        let place = format!(
            "edit at {}:{}-{}:{}",
            span.start_line, span.start_column, span.end_line, span.end_column
        );
        if span.start_line == 0 || span.start_column == 0 || span.end_column == 0 {
            return Err(format!(
                "{place}: lines and columns of an edit are 1-based and known"
            ));
        }
        let ends_before = (span.end_line, span.end_column) < (span.start_line, span.start_column);
        if ends_before {
            return Err(format!("{place}: the edit ends before it starts"));
        }
        let past_end = span.end_line > line_count.saturating_add(1)
            || (span.end_line == line_count.saturating_add(1) && span.end_column != 1);
        if past_end {
            return Err(format!("{place}: the file has {line_count} lines"));
        }
    }
    Ok(())
}

impl From<RawAutofix> for model::Autofix {
    fn from(autofix: RawAutofix) -> model::Autofix {
        model::Autofix {
            applicability: match autofix.applicability {
                wit::Applicability::Safe => model::Applicability::Safe,
                wit::Applicability::Unsafe => model::Applicability::Unsafe,
            },
            edits: autofix
                .edits
                .0
                .into_iter()
                .map(|edit| model::Edit {
                    span: model::Span::from(edit.span),
                    replacement: edit.replacement.0,
                })
                .collect(),
        }
    }
}

fn check_span(span: &wit::Span, line_count: u32) -> Result<(), String> {
    let lines = format!("lines {}-{}", span.start_line, span.end_line);
    if span.start_line == 0 {
        return Err(format!("{lines}: lines are 1-based"));
    }
    if span.end_line < span.start_line {
        return Err(format!("{lines}: the span ends before it starts"));
    }
    if span.end_line > line_count {
        return Err(format!("{lines}: the file has {line_count} lines"));
    }
    Ok(())
}

/// At most 300 characters of a policy-given string, for error messages.
fn truncate(s: &str) -> String {
    match s.char_indices().nth(300) {
        Some((end, _)) => format!("{}…", s.get(..end).unwrap_or_default()),
        None => s.to_string(),
    }
}

/// Classifies an error from instantiating a policy: what is not a memory
/// limit, a deadline or a trap (of a start function) is a cap wasmtime
/// enforces on what the instance creates.
fn classify_instantiation(
    engine: &Engine,
    store: &mut Store<HostState>,
    error: &wasmtime::Error,
) -> Failure {
    match classify(engine, store, error) {
        (ErrorKind::InvalidOutput, _) => {
            let caps = if format!("{error:#}").contains("resource limit exceeded") {
                format!(
                    " (a policy instance may create at most {MAX_INSTANCES} core instances, \
                     {MAX_MEMORIES} memories and {MAX_TABLES} tables)"
                )
            } else {
                String::new()
            };
            (
                ErrorKind::LoadError,
                format!("cannot be instantiated: {error:#}{caps}"),
            )
        }
        failure => failure,
    }
}

/// Classifies an error from a call into a policy.
fn classify(engine: &Engine, store: &mut Store<HostState>, error: &wasmtime::Error) -> Failure {
    let limits = engine.limits();
    let frames = backtrace(error);
    let at = |message: String| {
        if frames.is_empty() {
            message
        } else {
            format!("{message}; at {frames}")
        }
    };
    if let Some(exceeded) = error.downcast_ref::<MemoryLimitExceeded>() {
        return (
            ErrorKind::OutOfMemory,
            at(format!(
                "{exceeded} (limits.memory-mib is {})",
                limits.memory_mib
            )),
        );
    }
    if let Some(desired) = store.data().memory_exceeded() {
        return (
            ErrorKind::OutOfMemory,
            at(format!(
                "the policy's memories and tables would hold {desired} bytes (limits.memory-mib is {})",
                limits.memory_mib
            )),
        );
    }
    if let Some(cap) = error.downcast_ref::<OutputCapExceeded>() {
        return (ErrorKind::InvalidOutput, cap.to_string());
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => (
            ErrorKind::Timeout,
            at(format!(
                "no result within {} ms (limits.timeout-ms)",
                limits.timeout_ms
            )),
        ),
        Some(trap) => (ErrorKind::Trap, at(trap.to_string())),
        // An error raised by a host function inside the guest (`exit`, a
        // WASI trap) carries a backtrace; one without came from lifting the
        // result after the guest returned: bad UTF-8, an invalid variant
        // case, a pointer outside memory.
        None if error.downcast_ref::<WasmBacktrace>().is_some() => {
            (ErrorKind::Trap, at(format!("{error:#}")))
        }
        None => (
            ErrorKind::InvalidOutput,
            format!("the result breaks the component ABI: {error:#}"),
        ),
    }
}

/// The top frames of a trap's backtrace, innermost first, demangled, without
/// the frames of the panic and abort machinery of the guest's standard library.
fn backtrace(error: &wasmtime::Error) -> String {
    let Some(trace) = error.downcast_ref::<WasmBacktrace>() else {
        return String::new();
    };
    let names: Vec<String> = trace
        .frames()
        .iter()
        .map(|frame| match frame.func_name() {
            Some(name) => format!("{:#}", rustc_demangle::demangle(name)),
            None => format!("func[{}]", frame.func_index()),
        })
        .filter(|name| !is_runtime_frame(name))
        .collect();
    let mut out = names
        .iter()
        .take(BACKTRACE_FRAMES)
        .cloned()
        .collect::<Vec<_>>()
        .join(" <- ");
    if names.len() > BACKTRACE_FRAMES {
        out.push_str(" <- …");
    }
    out
}

fn is_runtime_frame(name: &str) -> bool {
    const RUNTIME: &[&str] = &[
        "std::",
        "core::",
        "alloc::",
        "<std::",
        "<core::",
        "<alloc::",
        "__rust",
        "__rdl",
        "__rg_",
        "rust_begin_unwind",
        "rust_panic",
        "abort",
    ];
    RUNTIME.iter().any(|prefix| name.starts_with(prefix))
}

/// Adds what the policy wrote to stderr before failing (a Rust panic's
/// location and message) to an error message.
fn with_stderr(message: String, diagnostics: &Diagnostics) -> String {
    let lines: Vec<&str> = diagnostics
        .stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take_while(|l| !l.starts_with("note:") && !l.starts_with("stack backtrace"))
        .take(3)
        .collect();
    if lines.is_empty() {
        message
    } else {
        format!("{message}; stderr: {}", truncate(&lines.join(" ")))
    }
}

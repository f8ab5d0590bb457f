//! Loading a policy: identity, import allow-list, compilation (through the
//! cache), pre-instantiation, and its metadata.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use arcstr::ArcStr;
use std::sync::atomic::{AtomicU32, Ordering};

use sha2::{Digest, Sha256};
use tallyman_dockerfile::model;
use wasmtime::component::{Component, ComponentExportIndex};

use super::Engine;
use super::bindings::{self, CappedList, ContractVersion, RawFinding, RawFindingV0_1, wit};
use super::cache::{CacheOutcome, hex};
use super::evaluate::{self, ErrorKind, PolicyError};
use super::reads::Reads;
use super::sandbox::HostState;

/// Interfaces a policy may import, without their `@version`: the WIT's host
/// interface and the WASI 0.2 interfaces Rust's `wasm32-wasip2` standard
/// library can pull in. The WASI ones are linked locked down (see
/// [`sandbox`](super::sandbox)); `wasi:sockets` is among them because std's
/// networking imports it, and every socket operation is denied. Anything
/// else (`wasi:http`, `wasi:keyvalue`, `wasi:config`, ...) is refused at load.
pub const ALLOWED_IMPORTS: &[&str] = &[
    "tallyman:policy/host",
    "tallyman:policy/types",
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
    "wasi:clocks/monotonic-clock",
    "wasi:clocks/wall-clock",
    "wasi:filesystem/preopens",
    "wasi:filesystem/types",
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
    "wasi:random/random",
    "wasi:sockets/instance-network",
    "wasi:sockets/ip-name-lookup",
    "wasi:sockets/network",
    "wasi:sockets/tcp",
    "wasi:sockets/tcp-create-socket",
    "wasi:sockets/udp",
    "wasi:sockets/udp-create-socket",
];

/// After this many timeouts a policy is not run again in the same process:
/// each timeout costs a whole deadline, and a policy that loops on three
/// inputs would make a scan of thousands take hours.
const MAX_TIMEOUTS: u32 = 3;

/// Where a policy came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicySource {
    /// Embedded in the tallyman binary.
    Builtin,
    /// A `.wasm` file.
    File(PathBuf),
    /// Bytes given by the caller (tests, benches).
    Bytes,
}

impl fmt::Display for PolicySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicySource::Builtin => f.write_str("built-in"),
            PolicySource::File(path) => write!(f, "{}", path.display()),
            PolicySource::Bytes => f.write_str("bytes"),
        }
    }
}

/// A loaded policy: compiled, checked and ready to instantiate. Cheap to
/// clone and shared by every worker thread.
#[derive(Clone)]
pub struct Policy {
    inner: Arc<PolicyInner>,
}

/// A rule tagged so checks images only: a policy whose every rule has it is
/// not called on Dockerfiles (an image policy would otherwise decode every
/// Dockerfile of a scan to find nothing in it).
pub const TARGET_IMAGE_TAG: &str = "target:image";
/// A rule tagged so checks Dockerfiles only; see [`TARGET_IMAGE_TAG`].
pub const TARGET_DOCKERFILE_TAG: &str = "target:dockerfile";

struct PolicyInner {
    sha256: [u8; 32],
    source: PolicySource,
    info: model::PolicyInfo,
    /// The name and rule ids again, shared by every finding that names them.
    shared_name: ArcStr,
    rule_ids: HashSet<ArcStr>,
    /// Some rule may apply to Dockerfiles / to images (see [`TARGET_IMAGE_TAG`]).
    checks_dockerfiles: bool,
    checks_images: bool,
    /// What it reads of a Dockerfile, when it declared it (see [`Reads`]).
    reads: Option<Reads>,
    imports: Vec<String>,
    cache: CacheOutcome,
    pre: PolicyPre,
    exports: Exports,
    timeouts: AtomicU32,
    /// Settings the policy always runs with (a Rego set, for the runner).
    bundled_settings: Option<Arc<str>>,
}

/// Who a loaded module is, when not what its `metadata` says: a Rego set
/// runs in the Rego runner's component under its own name, rules and
/// digest, with the set as its settings (see [`rego`](super::rego)).
pub(crate) struct Identity {
    pub sha256: [u8; 32],
    pub info: model::PolicyInfo,
    pub settings: String,
}

/// The check exports, looked up once.
#[derive(Clone, Copy)]
pub(crate) struct Exports {
    pub check_dockerfile: ComponentExportIndex,
    pub check_image: ComponentExportIndex,
    /// The `encoded` interface's checks, when the component exports them.
    pub encoded: Option<EncodedExports>,
}

#[derive(Clone, Copy)]
pub(crate) struct EncodedExports {
    pub check_dockerfile: ComponentExportIndex,
    pub check_image: ComponentExportIndex,
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("name", &self.name())
            .field("version", &self.version())
            .field("sha256", &self.sha256())
            .field("source", &self.inner.source)
            .finish_non_exhaustive()
    }
}

impl Policy {
    /// The name the policy declares.
    pub fn name(&self) -> &str {
        &self.inner.info.name
    }

    pub fn version(&self) -> &str {
        &self.inner.info.version
    }

    /// The sha256 of the module's bytes, in lower-case hex: its identity.
    pub fn sha256(&self) -> String {
        hex(&self.inner.sha256)
    }

    pub fn source(&self) -> &PolicySource {
        &self.inner.source
    }

    pub fn is_builtin(&self) -> bool {
        self.inner.source == PolicySource::Builtin
    }

    /// What `metadata` returned: name, version, description and rules.
    pub fn info(&self) -> &model::PolicyInfo {
        &self.inner.info
    }

    /// The rule with this id, if the policy declares it.
    pub fn rule(&self, id: &str) -> Option<&model::RuleInfo> {
        self.inner.info.rules.iter().find(|r| r.id == id)
    }

    pub(crate) fn declares(&self, rule_id: &str) -> bool {
        self.inner.rule_ids.contains(rule_id)
    }

    /// The policy's name, shared rather than copied.
    pub fn shared_name(&self) -> ArcStr {
        ArcStr::clone(&self.inner.shared_name)
    }

    /// A declared rule id, shared rather than copied.
    pub fn shared_rule_id(&self, rule_id: &str) -> Option<ArcStr> {
        self.inner.rule_ids.get(rule_id).cloned()
    }

    /// The component's imports, as named in the binary (with versions).
    pub fn imports(&self) -> &[String] {
        &self.inner.imports
    }

    /// Whether the compiled code came from the cache.
    pub fn cache_outcome(&self) -> CacheOutcome {
        self.inner.cache
    }

    /// The settings the policy runs with whatever the configuration says
    /// (a Rego set's modules and data); `None` for an ordinary policy.
    pub fn bundled_settings(&self) -> Option<&str> {
        self.inner.bundled_settings.as_deref()
    }

    pub(crate) fn pre(&self) -> &PolicyPre {
        &self.inner.pre
    }

    /// The version of the WIT package the component was built against.
    pub fn contract_version(&self) -> ContractVersion {
        self.inner.pre.version()
    }

    /// Whether any of its rules may apply to Dockerfiles: false when every
    /// rule is tagged [`TARGET_IMAGE_TAG`], and then the policy is not
    /// called on Dockerfiles at all.
    pub fn checks_dockerfiles(&self) -> bool {
        self.inner.checks_dockerfiles
    }

    /// Whether any of its rules may apply to images (see [`Policy::checks_dockerfiles`]).
    pub fn checks_images(&self) -> bool {
        self.inner.checks_images
    }

    /// What the policy reads of a Dockerfile, when its rules declare it
    /// (`reads:` tags); `None` when it reads everything.
    pub fn reads(&self) -> Option<&Reads> {
        self.inner.reads.as_ref()
    }

    /// The component exports the `encoded` checks (every `tallyman-sdk` policy does).
    pub fn takes_encoded_input(&self) -> bool {
        self.inner.exports.encoded.is_some()
    }

    pub(crate) fn exports(&self) -> Exports {
        self.inner.exports
    }

    /// Counts a timeout; true once the policy has used up its allowance.
    pub(crate) fn record_timeout(&self) -> bool {
        self.inner.timeouts.fetch_add(1, Ordering::Relaxed) + 1 >= MAX_TIMEOUTS
    }

    pub(crate) fn timed_out_too_often(&self) -> bool {
        self.inner.timeouts.load(Ordering::Relaxed) >= MAX_TIMEOUTS
    }
}

/// The sha256 of a module.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

pub(crate) fn load(
    engine: &Engine,
    wasm: &[u8],
    source: PolicySource,
) -> Result<Policy, PolicyError> {
    load_as(engine, wasm, source, None)
}

/// [`load`], under `identity` when given.
pub(crate) fn load_as(
    engine: &Engine,
    wasm: &[u8],
    source: PolicySource,
    identity: Option<Identity>,
) -> Result<Policy, PolicyError> {
    let sha256 = sha256(wasm);
    let what = match &source {
        PolicySource::File(path) => path.display().to_string(),
        _ => format!("sha256:{}", hex(&sha256)),
    };
    let fail = |message: String| PolicyError {
        policy: what.clone(),
        target: None,
        kind: ErrorKind::LoadError,
        message,
    };
    if !is_component(wasm) {
        return Err(fail(
            "not a WebAssembly component (a core module or other file): build policies for \
             wasm32-wasip2, or wrap a core module with `wasm-tools component new`"
                .into(),
        ));
    }
    let wasm_engine = engine.wasm_engine();
    let (component, cache) = engine
        .code_cache()
        .load_or_compile(wasm_engine, wasm, &sha256)
        .map_err(|e| fail(format!("does not compile: {e:#}")))?;

    let imports: Vec<String> = component
        .component_type()
        .imports(wasm_engine)
        .map(|(name, _)| name.to_string())
        .collect();
    if let Some(refused) = imports.iter().find(|name| !import_allowed(name)) {
        return Err(fail(format!(
            "imports `{refused}`, which tallyman does not provide: a policy may import only \
             tallyman:policy/host and the WASI 0.2 interfaces of the wasm32-wasip2 standard \
             library (no network, files or environment are given through them)"
        )));
    }

    let instance_pre = engine
        .linker()
        .instantiate_pre(&component)
        .map_err(|e| fail(format!("cannot be linked: {e:#}")))?;
    let pre = PolicyPre::new(instance_pre)
        .map_err(|e| fail(format!("does not export the `policy` world: {e:#}")))?;
    let exports = Exports {
        check_dockerfile: export_index(&component, "check-dockerfile").map_err(&fail)?,
        check_image: export_index(&component, "check-image").map_err(&fail)?,
        encoded: encoded_exports(&component, pre.version()),
    };

    let info = evaluate::metadata(engine, &pre, exports).map_err(|(kind, message)| {
        fail(format!("`metadata` failed ({}): {message}", kind.as_str()))
    })?;
    let (sha256, info, bundled_settings) = match identity {
        Some(identity) => (
            identity.sha256,
            identity.info,
            Some(Arc::from(identity.settings)),
        ),
        None => (sha256, info, None),
    };
    check_info(&info).map_err(fail)?;
    let reads = Reads::declared(&info).map_err(&fail)?;
    let rule_ids = info
        .rules
        .iter()
        .map(|r| ArcStr::from(r.id.as_str()))
        .collect();
    let shared_name = ArcStr::from(info.name.as_str());
    let tagged = |rule: &model::RuleInfo, tag: &str| rule.tags.iter().any(|t| t == tag);
    let checks_dockerfiles = info.rules.iter().any(|r| !tagged(r, TARGET_IMAGE_TAG));
    let checks_images = info.rules.iter().any(|r| !tagged(r, TARGET_DOCKERFILE_TAG));
    Ok(Policy {
        inner: Arc::new(PolicyInner {
            sha256,
            source,
            info,
            shared_name,
            rule_ids,
            checks_dockerfiles,
            checks_images,
            reads,
            imports,
            cache,
            pre,
            exports,
            timeouts: AtomicU32::new(0),
            bundled_settings,
        }),
    })
}

/// The version-less interface name of an import is on the allow-list.
fn import_allowed(name: &str) -> bool {
    let interface = name
        .split_once('@')
        .map_or(name, |(interface, _)| interface);
    ALLOWED_IMPORTS.contains(&interface)
}

/// A component's preamble: magic, then version 0x0d and layer 1. (A core
/// module has version 1 and layer 0.)
fn is_component(bytes: &[u8]) -> bool {
    bytes.get(..8) == Some(b"\0asm\x0d\0\x01\0".as_slice())
}

/// The `encoded` interface's functions, when the component exports the
/// interface with both.
fn encoded_exports(component: &Component, version: ContractVersion) -> Option<EncodedExports> {
    let name = format!(
        "tallyman:policy/encoded@{}",
        version.package().rsplit('@').next()?
    );
    let interface = component.get_export_index(None, &name)?;
    Some(EncodedExports {
        check_dockerfile: component.get_export_index(Some(&interface), "check-dockerfile")?,
        check_image: component.get_export_index(Some(&interface), "check-image")?,
    })
}

/// A component ready to instantiate, with the bindings of the contract
/// version it was built against.
pub(crate) enum PolicyPre {
    V0_2(bindings::PolicyPre<HostState>),
    V0_1(bindings::v0_1::PolicyPre<HostState>),
}

impl PolicyPre {
    /// The bindings of the newest contract whose exports the component has:
    /// an older component's `check-*` return the older `finding` record,
    /// which fails the newer bindings' type check.
    fn new(
        instance_pre: wasmtime::component::InstancePre<HostState>,
    ) -> wasmtime::Result<PolicyPre> {
        match bindings::PolicyPre::new(instance_pre.clone()) {
            Ok(pre) => Ok(PolicyPre::V0_2(pre)),
            Err(current) => bindings::v0_1::PolicyPre::new(instance_pre)
                .map(PolicyPre::V0_1)
                .map_err(|_| current),
        }
    }

    pub(crate) fn version(&self) -> ContractVersion {
        match self {
            PolicyPre::V0_2(_) => ContractVersion::V0_2,
            PolicyPre::V0_1(_) => ContractVersion::V0_1,
        }
    }

    pub(crate) fn instance_pre(&self) -> &wasmtime::component::InstancePre<HostState> {
        match self {
            PolicyPre::V0_2(pre) => pre.instance_pre(),
            PolicyPre::V0_1(pre) => pre.instance_pre(),
        }
    }
}

fn export_index(component: &Component, name: &str) -> Result<ComponentExportIndex, String> {
    component
        .get_export_index(None, name)
        .ok_or_else(|| format!("does not export `{name}`"))
}

/// What `metadata` must satisfy for findings to be attributable.
fn check_info(info: &model::PolicyInfo) -> Result<(), String> {
    if info.name.trim().is_empty() {
        return Err("`metadata` returned an empty policy name".into());
    }
    let mut seen = HashSet::new();
    for rule in &info.rules {
        if rule.id.trim().is_empty() {
            return Err("`metadata` declares a rule with an empty id".into());
        }
        if !seen.insert(rule.id.as_str()) {
            return Err(format!("`metadata` declares rule `{}` twice", rule.id));
        }
    }
    Ok(())
}

/// Checks that the policies to run together have distinct names and declare
/// distinct rule ids: reports, `severity:` and `ignore:` keys, pragmas and
/// `tallyman rule` name a rule by its id alone, so an id two policies
/// declare would make each of them ambiguous (an organisation's policy
/// could report under a built-in's `SEC001`, and SARIF would describe the
/// rule with one policy's title). Ids are compared without regard to ASCII
/// case, as `tallyman rule` looks them up.
pub fn check_distinct(policies: &[Policy]) -> Result<(), String> {
    let records: Vec<PolicyRecord<'_>> = policies
        .iter()
        .map(|policy| PolicyRecord {
            name: policy.name(),
            source: policy.source().to_string(),
            rule_ids: policy.info().rules.iter().map(|r| r.id.as_str()).collect(),
        })
        .collect();
    first_clash(&records).map_or(Ok(()), Err)
}

/// What [`check_distinct`] compares of one policy.
struct PolicyRecord<'a> {
    name: &'a str,
    source: String,
    rule_ids: Vec<&'a str>,
}

impl PolicyRecord<'_> {
    fn described(&self) -> String {
        format!("`{}` ({})", self.name, self.source)
    }
}

fn first_clash(records: &[PolicyRecord<'_>]) -> Option<String> {
    let mut names: HashMap<&str, &PolicyRecord<'_>> = HashMap::new();
    let mut rules: HashMap<String, (&str, &PolicyRecord<'_>)> = HashMap::new();
    for record in records {
        if let Some(first) = names.insert(record.name, record) {
            return Some(format!(
                "two policies are named `{}` ({} and {}): policy names must be unique",
                record.name, first.source, record.source
            ));
        }
        for id in &record.rule_ids {
            let folded = id.to_ascii_uppercase();
            if let Some((first_id, first)) = rules.get(&folded) {
                let spelled = if first_id == id {
                    format!("`{id}`")
                } else {
                    format!("`{first_id}` (and `{id}`)")
                };
                return Some(format!(
                    "two policies declare rule {spelled}: {} and {}; rule ids must be unique \
                     across the policies of a run, since reports, `severity:` and `ignore:` \
                     keys and pragmas name a rule by its id alone: rename the rule in the \
                     policy you maintain, or leave one of them out",
                    first.described(),
                    record.described()
                ));
            }
            rules.insert(folded, (id, record));
        }
    }
    None
}

/// The signature of the check exports as the host calls them. Kept here so
/// the typecheck at load and the unchecked calls in `evaluate` agree.
pub(crate) type CheckDockerfileParams<'a> = (&'a wit::Dockerfile, &'a str);
pub(crate) type CheckImageParams<'a> = (&'a wit::Image, &'a str);
pub(crate) type CheckResults = (CappedList<RawFinding>,);
pub(crate) type CheckResultsV0_1 = (CappedList<RawFindingV0_1>,);
pub(crate) type CheckEncodedParams<'a> = (&'a [u8], &'a str);

#[cfg(test)]
mod tests {
    use super::*;

    fn record<'a>(name: &'a str, source: &str, rule_ids: &[&'a str]) -> PolicyRecord<'a> {
        PolicyRecord {
            name,
            source: source.to_string(),
            rule_ids: rule_ids.to_vec(),
        }
    }

    #[test]
    fn two_policies_declaring_one_rule_id_clash() {
        let builtin = record("secrets", "built-in", &["SEC001", "SEC002"]);
        let distinct = record("org-rules", "org.wasm", &["ORG001"]);
        assert_eq!(first_clash(&[builtin, distinct]), None);

        let builtin = record("secrets", "built-in", &["SEC001", "SEC002"]);
        let claiming = record("org-rules", "org.wasm", &["ORG001", "SEC002"]);
        let clash = first_clash(&[builtin, claiming]).expect("a clash");
        assert!(
            clash.starts_with(
                "two policies declare rule `SEC002`: `secrets` (built-in) and `org-rules` (org.wasm);"
            ),
            "{clash}"
        );

        let builtin = record("secrets", "built-in", &["SEC001"]);
        let other_case = record("org-rules", "org.wasm", &["sec001"]);
        let clash = first_clash(&[builtin, other_case]).expect("a clash");
        assert!(clash.contains("rule `SEC001` (and `sec001`)"), "{clash}");
    }

    #[test]
    fn two_policies_with_one_name_clash() {
        let first = record("secrets", "built-in", &["SEC001"]);
        let second = record("secrets", "my-secrets.wasm", &["MY001"]);
        assert_eq!(
            first_clash(&[first, second]).as_deref(),
            Some(
                "two policies are named `secrets` (built-in and my-secrets.wasm): policy names must be unique"
            )
        );
    }

    #[test]
    fn allow_list_ignores_versions_and_refuses_the_rest() {
        assert!(import_allowed("wasi:cli/environment@0.2.6"));
        assert!(import_allowed("tallyman:policy/host@0.1.0"));
        assert!(!import_allowed("wasi:http/outgoing-handler@0.2.0"));
        assert!(!import_allowed("wasi:cli/environmentx@0.2.0"));
        assert!(!import_allowed("evil"));
    }

    #[test]
    fn component_preamble() {
        assert!(is_component(b"\0asm\x0d\0\x01\0rest"));
        assert!(!is_component(b"\0asm\x01\0\0\0rest"));
        assert!(!is_component(b"\0as"));
    }
}

//! Cache keys: what a policy's result on a Dockerfile depends on.
//!
//! A policy is a pure function of the model it receives and its settings,
//! run under the engine's limits. The model is itself a pure function of the
//! file's bytes and [`LowerOptions`] (report path, evaluation date,
//! `--target`, build args, platform, `.dockerignore`), computed by the code of
//! this build of tallyman. So the key of a target is a digest of exactly
//! those inputs and of the build, and needs no parse: hashing the model as
//! the policies receive it would be just as right but costs a parse, a
//! conversion and an encoding per file, which is most of a warm scan (see
//! BENCHMARKS.md). [`LowerOptions`] and its [`BuildContext`] are destructured
//! field by field below, so that a field added to either fails to compile
//! here until it is part of the key.

use std::time::UNIX_EPOCH;

use sha2::{Digest, Sha256};
use tallyman_dockerfile::LowerOptions;
use tallyman_dockerfile::model::BuildContext;

use crate::engine::{ConfiguredPolicy, Limits};

/// Bumped when what is keyed or how values are encoded changes.
const KEY_SCHEMA: u32 = 1;

/// This build of tallyman: its version and the identity of its executable.
///
/// The version alone is not enough: a development build changes the parser
/// or the conversion to the WIT types without changing the version. Hashing
/// the executable (170 MB for a release build) would cost more than a warm
/// scan, so the identity is its size and modification time, which every
/// build or reinstall changes. An unchanged binary keeps its results; a
/// rebuilt one, even if identical, starts afresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildId {
    description: String,
    digest: [u8; 32],
}

impl BuildId {
    /// The running executable's identity, or why it cannot be known (then
    /// results cannot be cached safely).
    pub fn current() -> Result<BuildId, String> {
        let exe = std::env::current_exe()
            .map_err(|e| format!("cannot locate the running executable: {e}"))?;
        let metadata =
            std::fs::metadata(&exe).map_err(|e| format!("cannot read {}: {e}", exe.display()))?;
        let modified = metadata
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .ok_or_else(|| format!("{}: no modification time", exe.display()))?;
        Ok(BuildId::new(&format!(
            "tallyman {} ({} bytes, modified {}.{:09})",
            env!("CARGO_PKG_VERSION"),
            metadata.len(),
            modified.as_secs(),
            modified.subsec_nanos()
        )))
    }

    /// A build known by `description` (tests use made-up ones).
    pub fn new(description: &str) -> BuildId {
        BuildId {
            description: description.to_string(),
            digest: Sha256::digest(description.as_bytes()).into(),
        }
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    /// The number rows are tagged with, for pruning other builds' entries.
    pub fn tag(&self) -> i64 {
        let mut first = [0u8; 8];
        first.copy_from_slice(&self.digest[..8]);
        i64::from_le_bytes(first)
    }
}

/// The digest of one Dockerfile as the policies will see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TargetKey(pub(crate) [u8; 32]);

impl TargetKey {
    /// The key of a Dockerfile whose bytes hash to `file_sha256` (hex),
    /// lowered with `options`, by `build`.
    pub fn dockerfile(build: &BuildId, file_sha256: &str, options: &LowerOptions) -> TargetKey {
        let LowerOptions {
            path,
            evaluated_on,
            target,
            build_args,
            platform,
            build_context,
        } = options;
        let BuildContext {
            dockerignore_path,
            dockerignore_patterns,
        } = build_context;
        let mut key = KeyHasher::new("target");
        key.bytes(&build.digest);
        key.str(file_sha256);
        key.str(path);
        key.str(evaluated_on);
        key.optional(target.as_deref());
        key.count(build_args.len());
        for (name, value) in build_args {
            key.str(name);
            key.str(value);
        }
        key.str(platform);
        key.optional(dockerignore_path.as_deref());
        key.count(dockerignore_patterns.len());
        for pattern in dockerignore_patterns {
            key.str(pattern);
        }
        TargetKey(key.finish())
    }
}

/// The digest of a policy as it runs: its module, its settings and the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PolicyKey(pub(crate) [u8; 32]);

impl PolicyKey {
    pub fn new(configured: &ConfiguredPolicy, limits: &Limits) -> PolicyKey {
        let Limits {
            memory_mib,
            timeout_ms,
            max_findings,
            max_message_bytes,
            max_output_bytes,
            reuse_instances,
            encoded_input,
        } = limits;
        let mut key = KeyHasher::new("policy");
        key.str(&configured.policy.sha256());
        key.str(&configured.settings);
        for number in [
            u64::from(*memory_mib),
            *timeout_ms,
            u64::from(*max_findings),
            u64::from(*max_message_bytes),
            u64::from(*max_output_bytes),
            u64::from(*reuse_instances),
            u64::from(*encoded_input),
        ] {
            key.bytes(&number.to_le_bytes());
        }
        PolicyKey(key.finish())
    }
}

/// sha256 over length-prefixed fields, so that no two different sequences
/// of fields feed it the same bytes.
struct KeyHasher(Sha256);

impl KeyHasher {
    fn new(what: &str) -> KeyHasher {
        let mut key = KeyHasher(Sha256::new());
        key.str("tallyman result cache");
        key.count(KEY_SCHEMA as usize);
        key.str(what);
        key
    }

    fn count(&mut self, n: usize) {
        self.0.update((n as u64).to_le_bytes());
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.count(bytes.len());
        self.0.update(bytes);
    }

    fn str(&mut self, text: &str) {
        self.bytes(text.as_bytes());
    }

    fn optional(&mut self, text: Option<&str>) {
        match text {
            None => self.count(0),
            Some(text) => {
                self.count(1);
                self.str(text);
            }
        }
    }

    fn finish(self) -> [u8; 32] {
        self.0.finalize().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> LowerOptions {
        LowerOptions {
            path: "svc/Dockerfile".into(),
            evaluated_on: "2026-01-01".into(),
            ..LowerOptions::default()
        }
    }

    #[test]
    fn every_input_changes_the_target_key() {
        let build = BuildId::new("test build");
        let base = TargetKey::dockerfile(&build, "ab", &options());
        let mut changed = vec![
            TargetKey::dockerfile(&BuildId::new("other"), "ab", &options()),
            TargetKey::dockerfile(&build, "ac", &options()),
        ];
        let variants: Vec<fn(&mut LowerOptions)> = vec![
            |o| o.path = "svc/Containerfile".into(),
            |o| o.evaluated_on = "2026-01-02".into(),
            |o| o.target = Some("build".into()),
            |o| o.target = Some(String::new()),
            |o| o.build_args = vec![("A".into(), "1".into())],
            |o| o.platform = "linux/arm64".into(),
            |o| o.build_context.dockerignore_path = Some("svc/.dockerignore".into()),
            |o| o.build_context.dockerignore_patterns = vec!["*.log".into()],
        ];
        for change in variants {
            let mut o = options();
            change(&mut o);
            changed.push(TargetKey::dockerfile(&build, "ab", &o));
        }
        for key in &changed {
            assert_ne!(*key, base);
        }
        assert_eq!(TargetKey::dockerfile(&build, "ab", &options()), base);
    }

    #[test]
    fn build_args_are_not_confused_by_their_boundaries() {
        let build = BuildId::new("test build");
        let mut a = options();
        a.build_args = vec![("A".into(), "1,B=2".into())];
        let mut b = options();
        b.build_args = vec![("A".into(), "1".into()), ("B".into(), "2".into())];
        assert_ne!(
            TargetKey::dockerfile(&build, "ab", &a),
            TargetKey::dockerfile(&build, "ab", &b)
        );
    }
}

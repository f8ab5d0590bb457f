//! The resource limits every policy evaluation runs under.

use serde::{Deserialize, Serialize};

/// Limits applied to each policy evaluation. The config file's `limits`
/// section deserialises into this type; every field has a default, and
/// unknown keys are an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Limits {
    /// What one policy instance may hold in all its linear memories and
    /// tables together, in MiB (a component may have several of each; see
    /// [`MAX_MEMORIES`](super::sandbox::MAX_MEMORIES) for the caps on how
    /// many). Each worker thread runs its own instances.
    pub memory_mib: u32,
    /// Wall-clock deadline of one call into a policy, in milliseconds.
    /// Enforced by epoch interruption with a granularity of
    /// [`EPOCH_TICK_MS`](super::sandbox::EPOCH_TICK_MS).
    pub timeout_ms: u64,
    /// Most findings one evaluation may return; more is `invalid-output`.
    pub max_findings: u32,
    /// Longest finding message (and fix text), in bytes; longer is `invalid-output`.
    pub max_message_bytes: u32,
    /// Captured stdout, stderr and `log` output kept per evaluation, in bytes;
    /// the rest is dropped and counted.
    pub max_output_bytes: u32,
    /// Evaluate many targets on one instance of a policy (policies are pure by
    /// contract), instead of a fresh instance per target. A failed evaluation
    /// always discards its instance.
    pub reuse_instances: bool,
    /// Pass each target to policies that export the `encoded` interface
    /// (every `tallyman-sdk` policy) as one postcard buffer, serialised once
    /// per target, instead of copying the typed record into each policy.
    /// Off only to compare the two paths.
    pub encoded_input: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_mib: 64,
            timeout_ms: 1_000,
            max_findings: 1_000,
            max_message_bytes: 4 * 1024,
            max_output_bytes: 64 * 1024,
            reuse_instances: true,
            encoded_input: true,
        }
    }
}

impl Limits {
    /// The memory limit in bytes.
    pub fn memory_bytes(&self) -> usize {
        usize::try_from(u64::from(self.memory_mib) * 1024 * 1024).unwrap_or(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_keys_are_kebab_case_and_unknown_keys_fail() {
        let limits: Limits =
            serde_json::from_str(r#"{"memory-mib": 128, "timeout-ms": 250}"#).unwrap();
        assert_eq!(limits.memory_mib, 128);
        assert_eq!(limits.timeout_ms, 250);
        assert_eq!(limits.max_findings, Limits::default().max_findings);

        let err = serde_json::from_str::<Limits>(r#"{"memory": 1}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field `memory`"), "{err}");
    }
}

//! The built-in policies, compiled from `policies/` by `build.rs` and
//! embedded in the binary.

/// A built-in policy's module.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinPolicy {
    /// The crate it was built from (`policies/<crate>`).
    pub crate_name: &'static str,
    /// The component's bytes.
    pub wasm: &'static [u8],
}

// Defines `BUILTIN_POLICIES: &[BuiltinPolicy]`.
include!(concat!(env!("OUT_DIR"), "/builtin_policies.rs"));

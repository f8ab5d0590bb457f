//! tallyman: a policy-as-code engine for container builds.
//!
//! The binary is a thin layer over this library; modules follow the stages
//! of a scan: discovery, reading, evaluation, reporting.

pub mod attest;
pub mod cli;
pub mod clock;
pub mod compliance;
pub mod config;
pub mod discover;
pub mod engine;
pub mod fix;
pub mod hadolint_config;
pub mod image;
pub mod lsp;
pub mod merge;
pub mod policy_test;
pub mod report;
pub mod result_cache;
pub mod scan;

pub use tallyman_dockerfile as dockerfile;

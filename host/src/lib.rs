//! tallyman: a policy-as-code engine for container builds.

pub use tallyman_dockerfile as dockerfile;

pub mod cli;
pub mod engine;

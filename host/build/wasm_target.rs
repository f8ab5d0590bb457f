//! Whether the Rust that builds the policies can build for their target,
//! and how to make it able to.
//!
//! rustup installs a `rust-toolchain.toml`'s targets only when it installs
//! the toolchain: a machine that already had Rust 1.95.0 lacks the
//! `wasm32-wasip2` standard library, and the nested build would fail after
//! minutes with `can't find crate for std`. The build script checks first,
//! adds the target through rustup when it can, and otherwise stops at once
//! with the command to run.
//!
//! Shared by `build.rs` and the test `tests/build_wasm_target.rs`; only `std`.
//! Tried for real with a toolchain of its own (`RUSTUP_HOME` in a temp
//! directory, `rustup toolchain install 1.95.0 --profile minimal`) and a
//! crate whose build script includes this file: the target was added in
//! 2.6 s and the nested `wasm32-wasip2` build then succeeded; with rustup off
//! the `PATH`, the build failed in 10 ms with the command to run.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What to do about the target's standard library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// Its standard library is in the sysroot.
    Installed,
    /// Missing, from a rustup toolchain: `rustup target add` fixes it.
    MissingFromToolchain { toolchain: String },
    /// Missing, from a Rust that rustup does not manage.
    MissingOutsideRustup,
}

/// The directory of `target`'s libraries in `sysroot`.
pub fn target_lib_dir(sysroot: &Path, target: &str) -> PathBuf {
    sysroot.join("lib").join("rustlib").join(target).join("lib")
}

/// Whether `sysroot` holds `target`'s standard library (a `libstd-*.rlib`,
/// not merely the directory, which an install cut short may leave).
pub fn std_installed(sysroot: &Path, target: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(target_lib_dir(sysroot, target)) else {
        return false;
    };
    entries.filter_map(Result::ok).any(|entry| {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        name.starts_with("libstd-") && name.ends_with(".rlib")
    })
}

/// The rustup toolchain `sysroot` belongs to: rustup keeps each in
/// `<RUSTUP_HOME>/toolchains/<name>`. `None` for any other Rust.
pub fn rustup_toolchain(sysroot: &Path) -> Option<String> {
    let parent = sysroot.parent()?;
    if parent.file_name()? != "toolchains" {
        return None;
    }
    Some(sysroot.file_name()?.to_string_lossy().into_owned())
}

/// What `sysroot` needs before it can build for `target`.
pub fn readiness(sysroot: &Path, target: &str) -> Readiness {
    if std_installed(sysroot, target) {
        return Readiness::Installed;
    }
    match rustup_toolchain(sysroot) {
        Some(toolchain) => Readiness::MissingFromToolchain { toolchain },
        None => Readiness::MissingOutsideRustup,
    }
}

/// The command that installs `target` for `toolchain`, as a user types it.
pub fn install_command(target: &str, toolchain: &str) -> String {
    format!("rustup target add {target} --toolchain {toolchain}")
}

/// The sysroot of `rustc` (`rustc --print sysroot`).
pub fn sysroot_of(rustc: &Path) -> Result<PathBuf, String> {
    let output = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("cannot run `{} --print sysroot`: {e}", rustc.display()))?;
    if !output.status.success() {
        return Err(format!(
            "`{} --print sysroot` failed ({}): {}",
            rustc.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if text.is_empty() {
        return Err(format!(
            "`{} --print sysroot` printed nothing",
            rustc.display()
        ));
    }
    Ok(PathBuf::from(text))
}

/// Makes sure `rustc` can build for `target`, adding the target
/// through rustup when rustup manages that Rust; else fails at once with the
/// command to run, rather than minutes later with `can't find crate for std`.
pub fn ensure(target: &str, rustc: &Path) -> Result<(), String> {
    let sysroot = sysroot_of(rustc)?;
    let toolchain = match readiness(&sysroot, target) {
        Readiness::Installed => return Ok(()),
        Readiness::MissingOutsideRustup => {
            return Err(format!(
                "the Rust at {} has no {target} standard library, and rustup does not manage it.\n\
                 Install the {target} target for this Rust, or build with rustup's (the \
                 repository's rust-toolchain.toml names it): `rustup target add {target}`.",
                sysroot.display()
            ));
        }
        Readiness::MissingFromToolchain { toolchain } => toolchain,
    };
    let command = install_command(target, &toolchain);
    let Some(rustup) = find_rustup() else {
        return Err(format!(
            "the {target} target is not installed for the toolchain {toolchain}, and rustup \
             was not found to add it. Run:\n\n    {command}\n"
        ));
    };
    // Shown by cargo as the build goes on: the download takes a while.
    println!(
        "cargo:warning=the {target} target is not installed for {toolchain} (rustup does not add a rust-toolchain.toml's targets to a toolchain already installed); running `{command}`"
    );
    let output = Command::new(&rustup)
        .args(["target", "add", target, "--toolchain", &toolchain])
        .output()
        .map_err(|e| format!("cannot run `{command}`: {e}\nRun it yourself, then build again."))?;
    if !output.status.success() || !std_installed(&sysroot, target) {
        return Err(format!(
            "`{command}` did not install the {target} standard library ({}):\n{}\n\
             Run it yourself, then build again.",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(())
}

/// rustup: on the PATH, else where rustup's installer puts it.
pub fn find_rustup() -> Option<PathBuf> {
    let runs = |candidate: &Path| {
        Command::new(candidate)
            .arg("--version")
            .output()
            .is_ok_and(|output| output.status.success())
    };
    let mut candidates = vec![PathBuf::from("rustup")];
    if let Some(cargo_home) = std::env::var_os("CARGO_HOME") {
        candidates.push(PathBuf::from(cargo_home).join("bin").join("rustup"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(
            PathBuf::from(home)
                .join(".cargo")
                .join("bin")
                .join("rustup"),
        );
    }
    candidates.into_iter().find(|candidate| runs(candidate))
}

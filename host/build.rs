//! Compiles the built-in policies (`policies/*`, each a crate) to
//! `wasm32-wasip2` components and generates `builtin_policies.rs`, which
//! embeds them with `include_bytes!`.
//!
//! The nested cargo gets its own `--target-dir`, `wasm-policies/` beside the
//! outer target directory's profile directories (`debug/`, `release/`): the
//! outer cargo holds the lock of its profile's directory for the whole
//! build, not of that one. It is shared by every profile and mode of the outer build
//! (test, release, clippy, bench), whose build scripts each get an `OUT_DIR`
//! of their own: the policies are built the same way for all of them, so
//! they are compiled once rather than once per profile. Its environment is
//! the user's, minus what the outer cargo set for this build script
//! (rustflags meant for the host target, the clippy wrapper, ...).

#[path = "build/wasm_target.rs"]
mod wasm_target;

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const WASM_TARGET: &str = "wasm32-wasip2";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: building the built-in policies failed\n\n{message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env_var("CARGO_MANIFEST_DIR")?);
    let root = manifest_dir
        .parent()
        .ok_or("the host crate has no parent directory")?
        .to_path_buf();
    let out_dir = PathBuf::from(env_var("OUT_DIR")?);

    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build/wasm_target.rs");
    // A directory is watched recursively. A path that does not exist would
    // make cargo rerun this script on every build, so only existing ones are
    // named; the workspace manifest stands in for a `policies/` yet to come.
    println!(
        "cargo:rerun-if-changed={}",
        root.join("Cargo.toml").display()
    );
    for dir in ["policies", "plugin-sdk", "wit"] {
        let path = root.join(dir);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }

    let crates = discover(&root.join("policies"))?;
    if !crates.is_empty() {
        // The nested cargo inherits RUSTC: the same compiler, the same sysroot.
        let rustc = env::var_os("RUSTC").map_or_else(|| PathBuf::from("rustc"), PathBuf::from);
        wasm_target::ensure(WASM_TARGET, &rustc)?;
    }
    let target_dir = policy_target_dir(&out_dir);
    let mut generated = String::from(
        "/// The built-in policies, sorted by crate name.\n\
         pub static BUILTIN_POLICIES: &[BuiltinPolicy] = &[\n",
    );
    for (name, manifest) in &crates {
        let wasm = build_policy(name, manifest, &target_dir)?;
        let embedded = out_dir.join(format!("{name}.wasm"));
        fs::copy(&wasm, &embedded)
            .map_err(|e| format!("cannot copy {} to OUT_DIR: {e}", wasm.display()))?;
        let _ = writeln!(
            generated,
            "    BuiltinPolicy {{ crate_name: {name:?}, wasm: include_bytes!({:?}) }},",
            embedded.display().to_string()
        );
    }
    generated.push_str("];\n");
    fs::write(out_dir.join("builtin_policies.rs"), generated)
        .map_err(|e| format!("cannot write builtin_policies.rs: {e}"))
}

/// `wasm-policies/` in the outer target directory: `OUT_DIR` is
/// `<target>/[<triple>/]<profile>/build/<package>-<hash>/out`. Inside
/// `OUT_DIR` when it is laid out otherwise (a layout cargo may change).
fn policy_target_dir(out_dir: &Path) -> PathBuf {
    let mut ancestors = out_dir.ancestors();
    let build = ancestors.nth(2);
    let beside_profiles = ancestors.nth(1);
    match (build, beside_profiles) {
        (Some(build), Some(dir)) if build.file_name() == Some("build".as_ref()) => {
            dir.join("wasm-policies")
        }
        _ => out_dir.join("wasm-policies"),
    }
}

fn env_var(name: &str) -> Result<String, String> {
    env::var(name).map_err(|_| format!("cargo did not set {name}"))
}

/// Every `policies/<dir>/Cargo.toml`, sorted by directory name.
fn discover(policies: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let entries = match fs::read_dir(policies) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", policies.display())),
    };
    let mut crates = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", policies.display()))?;
        let manifest = entry.path().join("Cargo.toml");
        if manifest.is_file() {
            crates.push((entry.file_name().to_string_lossy().into_owned(), manifest));
        }
    }
    crates.sort();
    Ok(crates)
}

/// Runs the nested `cargo build` of one policy and returns its `.wasm`.
fn build_policy(name: &str, manifest: &Path, target_dir: &Path) -> Result<PathBuf, String> {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args([
            "build",
            "--release",
            "--message-format=json-render-diagnostics",
        ])
        .args(["--target", WASM_TARGET])
        .arg("--manifest-path")
        .arg(manifest)
        .arg("--target-dir")
        .arg(target_dir);
    for (key, _) in env::vars_os() {
        let key = key.to_string_lossy();
        if is_outer_build_var(&key) {
            command.env_remove(key.as_ref());
        }
    }
    // Whole-program optimisation across the policy, the SDK and serde: the
    // policies are small, so it costs seconds here and makes every
    // evaluation cheaper (BENCHMARKS.md). No DWARF: the embedded modules
    // were ~4 MB each with line tables, and trap messages name functions
    // from the name section, which stays. Only this nested build sees this.
    command
        .env("CARGO_PROFILE_RELEASE_LTO", "true")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false");
    let output = command
        .output()
        .map_err(|e| format!("cannot run cargo for policies/{name}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo build --release --target {WASM_TARGET}` of policies/{name} failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    wasm_artifact(&output.stdout, name).ok_or_else(|| {
        format!(
            "the build of policies/{name} produced no .wasm file: is it a `cdylib` crate?\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// Variables the outer cargo set for this build script, which would change
/// the nested build: flags meant for the host target, the clippy wrapper,
/// the target and profile of the outer build. Kept: `CARGO_HOME`, the
/// jobserver (`CARGO_MAKEFLAGS`, so both builds share the job slots), and the
/// user's network, registry and terminal settings.
fn is_outer_build_var(key: &str) -> bool {
    const KEEP: &[&str] = &[
        "CARGO_HOME",
        "CARGO_MAKEFLAGS",
        "CARGO_NET_",
        "CARGO_HTTP_",
        "CARGO_REGISTRIES_",
        "CARGO_REGISTRY_",
        "CARGO_TERM_",
    ];
    const DROP: &[&str] = &[
        "RUSTFLAGS",
        "RUSTDOCFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CLIPPY_ARGS",
        "CLIPPY_CONF_DIR",
        "OUT_DIR",
        "TARGET",
        "HOST",
        "PROFILE",
        "OPT_LEVEL",
        "DEBUG",
        "NUM_JOBS",
    ];
    if key.starts_with("__CARGO") {
        return true;
    }
    if key.starts_with("CARGO_") || key == "CARGO" {
        return !KEEP.iter().any(|keep| key.starts_with(keep));
    }
    DROP.contains(&key)
}

/// The policy's own `.wasm` file among the artifacts of a
/// `--message-format=json` build: a dependency may be a `cdylib` too
/// (regorus, under the Rego runner, is), so the file is the one named after
/// the policy's crate when there is one.
fn wasm_artifact(stdout: &[u8], name: &str) -> Option<PathBuf> {
    let wasm: Vec<PathBuf> = String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .flat_map(|message| message["filenames"].as_array().cloned().unwrap_or_default())
        .filter_map(|file| file.as_str().map(PathBuf::from))
        .filter(|file| file.extension().is_some_and(|ext| ext == "wasm"))
        .collect();
    let own = format!("tallyman_policy_{}.wasm", name.replace('-', "_"));
    wasm.iter()
        .find(|file| file.file_name().is_some_and(|f| f.to_string_lossy() == own))
        .or_else(|| wasm.last())
        .cloned()
}

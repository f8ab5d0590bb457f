//! Building a policy project into its component.
//!
//! A project says how it is built in `tallyman-policy.yaml`:
//!
//! ```yaml
//! build: sh build.sh      # run with `sh -c` in the project directory
//! wasm: policy.wasm       # the component the build writes, relative to the project
//! ```
//!
//! Without that file, a directory with a `Cargo.toml` is a Rust policy
//! crate: `cargo build --release --target wasm32-wasip2`, and the `.wasm`
//! artifact cargo reports. Build output goes to stderr; the tests' report
//! keeps stdout.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

/// The file that names a project's build command and component.
pub const PROJECT_FILE: &str = "tallyman-policy.yaml";

/// The Rust target policies are built for.
pub const WASM_TARGET: &str = "wasm32-wasip2";

/// `tallyman-policy.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectFile {
    /// A shell command, run with `sh -c` in the project directory.
    pub build: String,
    /// The component the build writes, relative to the project directory.
    pub wasm: PathBuf,
}

/// How a project is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Build {
    /// `tallyman-policy.yaml`'s command.
    Command(ProjectFile),
    /// A Rust crate built with cargo.
    Cargo,
}

impl Build {
    /// How `dir` is built, or why it cannot be.
    pub fn detect(dir: &Path) -> Result<Build, String> {
        let project_file = dir.join(PROJECT_FILE);
        if project_file.is_file() {
            let text = std::fs::read_to_string(&project_file)
                .map_err(|e| format!("{}: cannot read: {e}", project_file.display()))?;
            let file: ProjectFile = serde_yaml::from_str(&text)
                .map_err(|e| format!("{}: {e}", project_file.display()))?;
            return Ok(Build::Command(file));
        }
        if dir.join("Cargo.toml").is_file() {
            return Ok(Build::Cargo);
        }
        Err(format!(
            "{}: neither a {PROJECT_FILE} (naming the build command and the .wasm it writes) \
             nor a Cargo.toml: tallyman does not know how to build this policy",
            dir.display()
        ))
    }

    /// The command, for messages.
    pub fn describe(&self) -> String {
        match self {
            Build::Command(file) => file.build.clone(),
            Build::Cargo => format!("cargo build --release --target {WASM_TARGET}"),
        }
    }

    /// Runs the build in `dir`; the component's path.
    pub fn run(&self, dir: &Path) -> Result<PathBuf, String> {
        match self {
            Build::Command(file) => run_command(dir, file),
            Build::Cargo => run_cargo(dir),
        }
    }
}

fn run_command(dir: &Path, file: &ProjectFile) -> Result<PathBuf, String> {
    let status = Command::new("sh")
        .arg("-c")
        .arg(&file.build)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::from(std::io::stderr()))
        .status()
        .map_err(|e| format!("cannot run `sh -c {:?}`: {e}", file.build))?;
    if !status.success() {
        return Err(format!(
            "the build command `{}` failed in {} ({status})",
            file.build,
            dir.display()
        ));
    }
    let wasm = dir.join(&file.wasm);
    if !wasm.is_file() {
        return Err(format!(
            "the build command `{}` succeeded but wrote no {} ({PROJECT_FILE} names it as the component)",
            file.build,
            wasm.display()
        ));
    }
    Ok(wasm)
}

fn run_cargo(dir: &Path) -> Result<PathBuf, String> {
    // Absolute: cargo runs in `dir` (where rustup finds the project's toolchain file).
    let dir = std::fs::canonicalize(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let manifest = dir.join("Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--target",
            WASM_TARGET,
            "--message-format=json-render-diagnostics",
        ])
        .arg("--manifest-path")
        .arg(&manifest)
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo build --release --target {WASM_TARGET}` failed for {} ({})",
            manifest.display(),
            output.status
        ));
    }
    wasm_artifact(&output.stdout, &manifest).ok_or_else(|| {
        format!(
            "the build of {} produced no .wasm: a policy crate needs `crate-type = [\"cdylib\"]`",
            manifest.display()
        )
    })
}

/// The `.wasm` file cargo built for the package of `manifest`, from its
/// `--message-format=json` output.
fn wasm_artifact(stdout: &[u8], manifest: &Path) -> Option<PathBuf> {
    let manifest = std::fs::canonicalize(manifest).unwrap_or_else(|_| manifest.to_path_buf());
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter(|message| {
            message["manifest_path"]
                .as_str()
                .is_some_and(|path| Path::new(path) == manifest)
        })
        .flat_map(|message| message["filenames"].as_array().cloned().unwrap_or_default())
        .filter_map(|file| file.as_str().map(PathBuf::from))
        .find(|file| file.extension().is_some_and(|ext| ext == "wasm"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_file_wins_over_cargo() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "").unwrap();
        assert_eq!(Build::detect(dir.path()), Ok(Build::Cargo));
        std::fs::write(
            dir.path().join(PROJECT_FILE),
            "build: sh build.sh\nwasm: out/policy.wasm\n",
        )
        .unwrap();
        assert_eq!(
            Build::detect(dir.path()),
            Ok(Build::Command(ProjectFile {
                build: "sh build.sh".into(),
                wasm: PathBuf::from("out/policy.wasm"),
            }))
        );
    }

    #[test]
    fn an_unknown_project_says_what_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let err = Build::detect(dir.path()).unwrap_err();
        assert!(
            err.contains(PROJECT_FILE) && err.contains("Cargo.toml"),
            "{err}"
        );
    }

    #[test]
    fn the_artifact_of_the_project_package_is_chosen() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("Cargo.toml");
        std::fs::write(&manifest, "").unwrap();
        let real = std::fs::canonicalize(&manifest).unwrap();
        let stdout = format!(
            "{}\n{}\n",
            serde_json::json!({"reason": "compiler-artifact", "manifest_path": "/elsewhere/Cargo.toml", "filenames": ["/t/dep.wasm"]}),
            serde_json::json!({"reason": "compiler-artifact", "manifest_path": real, "filenames": ["/t/libx.rlib", "/t/x.wasm"]}),
        );
        assert_eq!(
            wasm_artifact(stdout.as_bytes(), &manifest),
            Some(PathBuf::from("/t/x.wasm"))
        );
    }
}

//! Shared by the engine tests: builds the test policies in `tests/policies/`
//! (once per test run, under `target/`), and makes Dockerfile models.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use tallyman::dockerfile::model::{
    BuildContext, Dockerfile, FromInstruction, ImageName, ImageReference, ImageSource, Instruction,
    InstructionDetail, Span, Stage,
};
use tallyman::engine::{CacheDir, Engine, Limits, Policy, PolicySource};

/// The directory holding the test policies' `.wasm` files, built on first use.
///
/// Test binaries run in parallel: a lock file makes one build and the others
/// wait for it (cargo would also serialise them on its own build lock, but
/// each would still pay for a check).
pub fn test_policies() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("host/ has a parent");
        let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("test-policies");
        std::fs::create_dir_all(&target_dir).expect("create the test policies' target dir");
        let lock = std::fs::File::create(target_dir.join(".build-lock")).expect("lock file");
        lock.lock().expect("lock the test policies' build");
        let mut command = Command::new(env!("CARGO"));
        command
            .args([
                "build",
                "--release",
                "--locked",
                "--target",
                "wasm32-wasip2",
            ])
            .arg("--manifest-path")
            .arg(workspace.join("tests/policies/Cargo.toml"))
            .arg("--target-dir")
            .arg(&target_dir);
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy().into_owned();
            let outer = (key.starts_with("CARGO_")
                && !["CARGO_HOME", "CARGO_MAKEFLAGS"].contains(&key.as_str()))
                || [
                    "RUSTFLAGS",
                    "RUSTC_WRAPPER",
                    "RUSTC_WORKSPACE_WRAPPER",
                    "CLIPPY_ARGS",
                ]
                .contains(&key.as_str());
            if outer {
                command.env_remove(&key);
            }
        }
        let output = command.output().expect("run cargo for the test policies");
        assert!(
            output.status.success(),
            "building tests/policies failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        target_dir.join("wasm32-wasip2/release")
    })
}

/// The bytes of test policy `name` (`endless-loop`, ...).
pub fn policy_wasm(name: &str) -> Vec<u8> {
    let file = test_policies().join(format!("{}.wasm", name.replace('-', "_")));
    std::fs::read(&file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()))
}

/// A fresh cache directory for one test.
pub fn temp_cache() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("tallyman-cache-")
        .tempdir()
        .expect("temp dir")
}

pub fn engine_with(limits: Limits, cache: &Path) -> Engine {
    Engine::new(limits, CacheDir::Path(cache.to_path_buf())).expect("engine")
}

pub fn load(engine: &Engine, name: &str) -> Policy {
    engine
        .load_bytes(&policy_wasm(name), PolicySource::Bytes)
        .unwrap_or_else(|e| panic!("load {name}: {e}"))
}

/// Peak resident memory of this process, from `/proc/self/status`.
pub fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM line");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("VmHWM value");
    kib * 1024
}

fn lines(start: u32, end: u32) -> Span {
    Span {
        start_line: start,
        start_column: 0,
        end_line: end,
        end_column: 0,
    }
}

/// A Dockerfile model with one stage per base, each stage a single `FROM`
/// on its own line, then a blank line. (Built by hand: the engine tests do
/// not depend on the parser.)
pub fn dockerfile(path: &str, bases: &[&str]) -> Dockerfile {
    let stages = bases
        .iter()
        .enumerate()
        .map(|(index, base)| {
            let index = u32::try_from(index).expect("few stages");
            let line = index * 2 + 1;
            let (repository, tag) = base.split_once(':').unwrap_or((base, "latest"));
            let reference = ImageReference {
                written: base.to_string(),
                expanded: base.to_string(),
                source: ImageSource::Image(ImageName {
                    registry: "docker.io".into(),
                    repository: format!("library/{repository}"),
                    tag: Some(tag.into()),
                    digest: None,
                }),
            };
            Stage {
                index,
                name: None,
                base: reference.clone(),
                platform: None,
                span: lines(line, line),
                instructions: vec![Instruction {
                    keyword: "FROM".into(),
                    keyword_written: "FROM".into(),
                    original: format!("FROM {base}"),
                    span: lines(line, line),
                    flags: Vec::new(),
                    args: vec![base.to_string()],
                    heredocs: Vec::new(),
                    comments: Vec::new(),
                    empty_continuation_lines: Vec::new(),
                    detail: InstructionDetail::From(FromInstruction {
                        base: reference,
                        platform: None,
                        stage_name: None,
                        as_keyword: None,
                    }),
                }],
            }
        })
        .collect::<Vec<_>>();
    let line_count = u32::try_from(bases.len() * 2).expect("few stages");
    Dockerfile {
        path: path.to_string(),
        directives: Vec::new(),
        escape_char: "\\".into(),
        comments: Vec::new(),
        global_args: Vec::new(),
        target_stage: u32::try_from(stages.len().saturating_sub(1)).expect("few stages"),
        stages,
        build_context: BuildContext::default(),
        line_count,
        evaluated_on: "2025-01-01".into(),
    }
}

/// The targets most tests scan: six `FROM`s over three files.
pub fn sample_targets() -> Vec<Dockerfile> {
    vec![
        dockerfile("app/Dockerfile", &["golang:1.22", "alpine:3.20"]),
        dockerfile("tools/Dockerfile", &["debian:12"]),
        dockerfile(
            "web/Containerfile",
            &["node:20", "nginx:1.27", "busybox:1.36"],
        ),
    ]
}

/// A Dockerfile of typical size: three stages of ten instructions, each
/// `RUN` with an `apt-get`-style pipeline of four simple commands. Its
/// model has a few hundred strings, which is what the ABI copies per call.
pub fn typical_dockerfile(path: &str) -> Dockerfile {
    use tallyman::dockerfile::model::{
        CommandLine, Connector, KeyValue, RunInstruction, SimpleCommand,
    };
    let mut model = dockerfile(
        path,
        &[
            "golang:1.22",
            "debian:12-slim",
            "gcr.io/distroless/static:nonroot",
        ],
    );
    let mut line = model.line_count;
    for stage in &mut model.stages {
        for n in 0..9u32 {
            line += 1;
            let script = format!(
                "apt-get update && apt-get install -y --no-install-recommends pkg{n} ca-certificates && rm -rf /var/lib/apt/lists/* && echo done{n}"
            );
            let commands = script
                .split(" && ")
                .enumerate()
                .map(|(i, text)| {
                    let mut words = text.split_whitespace().map(str::to_string);
                    SimpleCommand {
                        name: words.next().unwrap_or_default(),
                        args: words.collect(),
                        assignments: vec![KeyValue {
                            key: "DEBIAN_FRONTEND".into(),
                            value: "noninteractive".into(),
                        }],
                        text: text.to_string(),
                        line,
                        arg_lines: Vec::new(),
                        pipeline: u32::try_from(i).unwrap_or(0),
                        pipe_position: 0,
                        in_substitution: false,
                        shell_depth: 0,
                        negated: false,
                        in_condition: false,
                        connector: if i == 0 {
                            Connector::Start
                        } else {
                            Connector::And
                        },
                    }
                })
                .collect();
            stage.instructions.push(Instruction {
                keyword: "RUN".into(),
                keyword_written: "RUN".into(),
                original: format!("RUN {script}"),
                span: lines(line, line),
                flags: Vec::new(),
                args: vec![script.clone()],
                heredocs: Vec::new(),
                comments: vec![format!(" step {n}")],
                empty_continuation_lines: Vec::new(),
                detail: InstructionDetail::Run(RunInstruction {
                    command: CommandLine {
                        exec_form: false,
                        args: vec![script],
                        commands,
                        shell_error: None,
                    },
                    mounts: Vec::new(),
                    network: None,
                    security: None,
                }),
            });
        }
    }
    model.line_count = line;
    model
}

//! The org-scale examples run for real: the shell scripts of
//! `examples/k8s/*.yaml` (the Indexed Job's pods and the merge Job) and the
//! `run` steps of `examples/github-actions/org-scan.yml` are executed as
//! written, with the built binary on PATH and their absolute paths mapped
//! to a temporary directory, and their results verified.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn examples() -> PathBuf {
    manifest_dir().join("../examples")
}

fn yaml(path: &Path) -> serde_yaml::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn workdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("examples-org-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

/// PATH with the built `tallyman` first.
fn path_with_tallyman() -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_tallyman"))
        .parent()
        .expect("bin dir")
        .to_path_buf();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Runs a shell script from an example with `env`; returns its exit code.
fn run_script(script: &str, dir: &Path, env: &[(&str, &str)]) -> Option<i32> {
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("PATH", path_with_tallyman())
        .env("TALLYMAN_DATE", "2026-01-15")
        .env("NO_COLOR", "1")
        .env_remove("TALLYMAN_SIGNING_KEY")
        .env_remove("JOB_COMPLETION_INDEX");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("bash runs");
    if !matches!(output.status.code(), Some(0 | 1)) {
        eprintln!(
            "script failed:\n{script}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    output.status.code()
}

fn keygen(dir: &Path, prefix: &str) {
    let status = Command::new(env!("CARGO_BIN_EXE_tallyman"))
        .args(["keygen", "--out", prefix])
        .current_dir(dir)
        .status()
        .expect("keygen runs");
    assert!(status.success());
}

/// Two small checkouts of the bundled example monorepo's services.
fn checkouts(dir: &Path) -> Vec<PathBuf> {
    let services = examples().join("monorepo/services");
    let mut made = Vec::new();
    for name in ["api", "web"] {
        let source = services.join(name);
        assert!(
            source.is_dir(),
            "{} is part of the example",
            source.display()
        );
        let dest = dir.join(name);
        copy_tree(&source, &dest);
        made.push(dest);
    }
    made
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The single `sh -c` script of a Job's first container.
fn job_script(job: &serde_yaml::Value) -> String {
    let container = &job["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["command"][0].as_str(), Some("/bin/sh"));
    container["args"][0]
        .as_str()
        .expect("the script is the first arg")
        .to_string()
}

#[test]
fn the_kubernetes_indexed_job_and_merge_job_scan_and_merge_for_real() {
    let dir = workdir("k8s");
    let scan_job = yaml(&examples().join("k8s/scan-job.yaml"));
    let merge_job = yaml(&examples().join("k8s/merge-job.yaml"));
    assert_eq!(scan_job["kind"].as_str(), Some("Job"));
    assert_eq!(scan_job["spec"]["completionMode"].as_str(), Some("Indexed"));
    let completions = scan_job["spec"]["completions"]
        .as_u64()
        .expect("completions");
    assert_eq!(scan_job["spec"]["parallelism"].as_u64(), Some(completions));
    let script = job_script(&scan_job);
    assert!(
        script.contains(&format!("--shard-count {completions}")),
        "--shard-count must equal completions:\n{script}"
    );

    // The volumes, as the pods would see them.
    let checkouts_dir = dir.join("checkouts");
    let results = dir.join("results");
    let keys = dir.join("keys");
    for d in [&checkouts_dir, &results, &keys] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    let repos: Vec<PathBuf> = checkouts(&checkouts_dir);
    std::fs::write(
        checkouts_dir.join("repos.txt"),
        repos
            .iter()
            .map(|r| format!("{}\n", r.display()))
            .collect::<String>(),
    )
    .expect("write");
    keygen(&keys, "tallyman");
    let map = |script: &str| {
        script
            .replace("/checkouts", &checkouts_dir.to_string_lossy())
            .replace("/results", &results.to_string_lossy())
            .replace("/keys", &keys.to_string_lossy())
    };

    for index in 0..completions {
        let code = run_script(
            &map(&script),
            &dir,
            &[("JOB_COMPLETION_INDEX", &index.to_string())],
        );
        assert_eq!(code, Some(0), "pod {index} must succeed (0 or 1 from scan)");
        assert!(results.join(format!("shard-{index}.intoto.jsonl")).exists());
    }
    let code = run_script(&map(&job_script(&merge_job)), &dir, &[]);
    assert_eq!(code, Some(0), "the merge job succeeds");

    let merged: Value = serde_json::from_slice(
        &std::fs::read(results.join("org-scan.json")).expect("merged report"),
    )
    .expect("JSON");
    let names: Vec<&str> = merged["repositories"]
        .as_array()
        .expect("repositories")
        .iter()
        .map(|r| r["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["api", "web"]);
    assert!(merged["summary"]["scanned"].as_u64().expect("count") >= 2);
    assert!(results.join("org-scan.sarif").exists());
    let verify = Command::new(env!("CARGO_BIN_EXE_tallyman"))
        .arg("verify")
        .arg(results.join("org-scan.json.intoto.jsonl"))
        .arg("--key")
        .arg(keys.join("tallyman.pub"))
        .output()
        .expect("verify runs");
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    // Each shard kept its own result cache directory.
    assert!(results.join("cache/shard-0").is_dir());
}

/// The `run` script of the step named `name` in `job`.
fn step_script<'a>(workflow: &'a serde_yaml::Value, job: &str, name: &str) -> &'a str {
    workflow["jobs"][job]["steps"]
        .as_sequence()
        .expect("steps")
        .iter()
        .find(|step| {
            step["name"]
                .as_str()
                .is_some_and(|step_name| step_name.starts_with(name))
        })
        .and_then(|step| step["run"].as_str())
        .unwrap_or_else(|| panic!("no step `{name}` in job `{job}`"))
}

#[test]
fn the_github_actions_matrix_scans_and_merges_for_real() {
    let dir = workdir("gha");
    let workflow = yaml(&examples().join("github-actions/org-scan.yml"));
    let shards = workflow["env"]["SHARDS"].as_u64().expect("env.SHARDS");
    let matrix: Vec<u64> = workflow["jobs"]["scan"]["strategy"]["matrix"]["shard"]
        .as_sequence()
        .expect("matrix.shard")
        .iter()
        .map(|v| v.as_u64().expect("a shard number"))
        .collect();
    assert_eq!(
        matrix,
        (1..=shards).collect::<Vec<_>>(),
        "matrix = 1..=SHARDS"
    );
    assert_eq!(workflow["jobs"]["merge"]["needs"].as_str(), Some("scan"));

    // What the checkout step leaves: checkouts.txt listing the checkouts.
    let checkouts_dir = dir.join("checkouts");
    let repos = checkouts(&checkouts_dir);
    std::fs::write(
        dir.join("checkouts.txt"),
        repos
            .iter()
            .map(|r| {
                format!(
                    "checkouts/{}\n",
                    r.file_name().expect("name").to_string_lossy()
                )
            })
            .collect::<String>(),
    )
    .expect("write");
    keygen(&dir, "tallyman");
    let secret = std::fs::read_to_string(dir.join("tallyman.key")).expect("key");
    let runner_temp = dir.join("runner-temp");
    std::fs::create_dir_all(&runner_temp).expect("mkdir");
    let key_path = runner_temp.join("tallyman.key");
    let expand = |script: &str, shard: u64| {
        script
            .replace("${{ matrix.shard }}", &shard.to_string())
            .replace("${{ secrets.TALLYMAN_SIGNING_KEY }}", secret.trim())
    };
    let shards_text = shards.to_string();
    let key_text = key_path.to_string_lossy().into_owned();
    let env = [
        ("SHARDS", shards_text.as_str()),
        ("TALLYMAN_SIGNING_KEY", key_text.as_str()),
        ("TALLYMAN_CACHE_DIR", "cache"),
    ];
    let scan = step_script(&workflow, "scan", "Scan shard");
    for shard in 1..=shards {
        let code = run_script(&expand(scan, shard), &dir, &env);
        assert_eq!(code, Some(0), "the scan step of shard {shard} succeeds");
    }
    let merge = step_script(&workflow, "merge", "Verify and merge");
    let code = run_script(&expand(merge, 0), &dir, &env);
    assert!(
        matches!(code, Some(0 | 1)),
        "merge exits 0 or 1 (findings), not 2"
    );
    let merged: Value =
        serde_json::from_slice(&std::fs::read(dir.join("org-scan.json")).expect("merged"))
            .expect("JSON");
    assert_eq!(merged["repositories"].as_array().map(Vec::len), Some(2));
    assert!(dir.join("org-scan.sarif").exists());
    assert!(dir.join("org-scan.json.intoto.jsonl").exists());
}

//! Org scale end to end: many repositories in one scan (`--repos`,
//! `--repo-depth`), shards (`--shard`, `--shard-count` with
//! `JOB_COMPLETION_INDEX`) and `tallyman merge`, signed and unsigned.

mod cli_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn tallyman(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    cli_support::run(dir, "org-scan-cache", args, env)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=tallyman", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("git runs (scripts/test installs it)");
    assert!(status.success(), "git {args:?} in {}", dir.display());
}

/// A root holding three checkouts built by make-monorepo (the copy vendored
/// in tests/data, fed with the vendored corpus sample), each committed, and
/// a directory that is not a repository. Built once for every test.
fn org() -> &'static Path {
    static ORG: OnceLock<PathBuf> = OnceLock::new();
    ORG.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("org-scan-tree");
        let _ = std::fs::remove_dir_all(&root);
        let corpus = manifest_dir().join("../dockerfile/tests/data/corpus-sample/files");
        for (name, seed) in [
            ("payments", "1"),
            ("web/storefront", "2"),
            ("web/admin", "3"),
        ] {
            let dest = root.join(name);
            std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
            let status = Command::new("python3")
                .arg(manifest_dir().join("tests/data/make-monorepo"))
                .arg(&dest)
                .args(["--n", "30", "--teams", "3", "--seed", seed, "--corpus"])
                .arg(&corpus)
                .stdout(std::process::Stdio::null())
                .status()
                .expect("python3 runs make-monorepo");
            assert!(status.success());
            git(&dest, &["add", "-A"]);
            git(&dest, &["commit", "-q", "-m", "checkout"]);
        }
        std::fs::create_dir_all(root.join("notes")).expect("mkdir");
        std::fs::write(root.join("notes/Dockerfile"), "FROM scratch\n").expect("write");
        root
    })
}

/// A fresh directory for one test's outputs.
fn workdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("org-scan-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

/// Scans the org into `out` (a JSON report), with `extra` arguments.
fn scan_to(out: &Path, extra: &[&str]) -> Output {
    let out_text = out.to_string_lossy().into_owned();
    let mut args = vec![
        "scan",
        ".",
        "--repo-depth",
        "2",
        "-f",
        "json",
        "-o",
        &out_text,
    ];
    args.extend_from_slice(extra);
    let output = tallyman(org(), &args, &[]);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        text(&output.stderr)
    );
    output
}

/// The report without the fields that differ between runs.
fn comparable(mut report: Value) -> Value {
    let run = report["run"].as_object_mut().expect("run");
    for key in ["started_at", "duration_ms", "shard"] {
        run.remove(key);
    }
    report
}

#[test]
fn repo_depth_finds_each_checkout_with_its_commit_and_summary() {
    let dir = workdir("depth");
    let out = dir.join("all.json");
    scan_to(&out, &[]);
    let report = read_json(&out);
    let repositories = report["repositories"].as_array().expect("repositories");
    let names: Vec<&str> = repositories
        .iter()
        .map(|r| r["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["payments", "web/admin", "web/storefront"]);
    for repository in repositories {
        let commit = repository["commit"].as_str().expect("a commit");
        assert_eq!(commit.len(), 40);
        assert!(repository["summary"]["scanned"].as_u64().expect("count") >= 30);
    }
    // Targets are prefixed by their repository and name it; the directory
    // that is not a repository is not scanned.
    let targets = report["targets"].as_array().expect("targets");
    for target in targets {
        let path = target["path"].as_str().expect("path");
        let repository = target["repository"].as_str().expect("repository");
        assert!(path.starts_with(&format!("{repository}/")), "{path}");
    }
    assert!(!targets.iter().any(|t| t["path"] == "notes/Dockerfile"));
    let total: u64 = repositories
        .iter()
        .map(|r| r["summary"]["findings"].as_u64().expect("count"))
        .sum();
    assert_eq!(
        total,
        report["summary"]["findings"].as_u64().expect("count")
    );

    // Depth 1 sees only `payments`: the web checkouts are two levels down.
    let shallow = dir.join("shallow.json");
    let shallow_text = shallow.to_string_lossy().into_owned();
    let output = tallyman(
        org(),
        &[
            "scan",
            ".",
            "--repo-depth",
            "1",
            "-f",
            "json",
            "-o",
            &shallow_text,
        ],
        &[],
    );
    assert!(matches!(output.status.code(), Some(0 | 1)));
    let names: Vec<Value> = read_json(&shallow)["repositories"]
        .as_array()
        .expect("repositories")
        .iter()
        .map(|r| r["name"].clone())
        .collect();
    assert_eq!(names, [Value::from("payments")]);
}

#[test]
fn four_shards_merge_into_the_report_of_a_single_scan() {
    let dir = workdir("shards");
    let whole = dir.join("whole.json");
    scan_to(&whole, &[]);
    let mut shard_files = Vec::new();
    let mut shard_sizes = Vec::new();
    for k in 1..=4 {
        let out = dir.join(format!("shard-{k}.json"));
        scan_to(&out, &["--shard", &format!("{k}/4")]);
        let report = read_json(&out);
        assert_eq!(report["run"]["shard"]["index"], k);
        assert_eq!(report["run"]["shard"]["count"], 4);
        shard_sizes.push(report["targets"].as_array().expect("targets").len());
        shard_files.push(out.to_string_lossy().into_owned());
    }
    assert!(shard_sizes.iter().all(|&n| n > 0), "{shard_sizes:?}");

    let merged = dir.join("merged.json");
    let merged_text = merged.to_string_lossy().into_owned();
    let mut args = vec!["merge"];
    args.extend(shard_files.iter().map(String::as_str));
    args.extend(["-o", &merged_text]);
    let output = tallyman(&dir, &args, &[]);
    let whole_report = read_json(&whole);
    let merged_report = read_json(&merged);
    assert_eq!(
        output.status.code(),
        Some(1),
        "the merged scan has high findings: {}",
        text(&output.stderr)
    );
    assert_eq!(merged_report["run"]["shard"], Value::Null);
    assert_eq!(comparable(merged_report), comparable(whole_report));
}

#[test]
fn job_completion_index_picks_the_shard() {
    let dir = workdir("job-index");
    let by_flag = dir.join("flag.json");
    scan_to(&by_flag, &["--shard", "3/4"]);
    let by_index = dir.join("index.json");
    let by_index_text = by_index.to_string_lossy().into_owned();
    let output = tallyman(
        org(),
        &[
            "scan",
            ".",
            "--repo-depth",
            "2",
            "--shard-count",
            "4",
            "-f",
            "json",
            "-o",
            &by_index_text,
        ],
        &[("JOB_COMPLETION_INDEX", "2")],
    );
    assert!(matches!(output.status.code(), Some(0 | 1)));
    assert_eq!(
        comparable(read_json(&by_index)),
        comparable(read_json(&by_flag))
    );

    let missing = tallyman(org(), &["scan", ".", "--shard-count", "4"], &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("JOB_COMPLETION_INDEX"));
    let out_of_range = tallyman(
        org(),
        &["scan", ".", "--shard-count", "4"],
        &[("JOB_COMPLETION_INDEX", "4")],
    );
    assert_eq!(out_of_range.status.code(), Some(2));
    assert!(text(&out_of_range.stderr).contains("out of range"));
    let bad = tallyman(org(), &["scan", ".", "--shard", "5/4"], &[]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("K/N"));
}

/// Runs `tallyman merge FILES...` in `dir` and returns its exit code and stderr.
fn merge(dir: &Path, files: &[&Path], extra: &[&str]) -> (Option<i32>, String) {
    let names: Vec<String> = files
        .iter()
        .map(|f| f.to_string_lossy().into_owned())
        .collect();
    let mut args = vec!["merge"];
    args.extend(names.iter().map(String::as_str));
    args.extend_from_slice(extra);
    let output = tallyman(dir, &args, &[]);
    (output.status.code(), text(&output.stderr))
}

#[test]
fn overlapping_missing_and_mismatched_shards_are_refused() {
    let dir = workdir("refused");
    let shard = |k: u32, extra: &[&str]| {
        let out = dir.join(format!(
            "shard-{k}-{}.json",
            extra.join("_").replace(['/', '='], "-")
        ));
        let mut args = vec!["--shard".to_string(), format!("{k}/2")];
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        scan_to(&out, &args);
        out
    };
    let one = shard(1, &[]);
    let two = shard(2, &[]);
    let out = ["-o", "merged.json"];

    let (code, stderr) = merge(&dir, &[&one, &two], &out);
    assert_eq!(code, Some(1), "{stderr}");

    let (code, stderr) = merge(&dir, &[&one], &out);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("shards missing: 2 of 2"), "{stderr}");

    let (code, stderr) = merge(&dir, &[&one, &one, &two], &out);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("given twice"), "{stderr}");

    // Another configuration: a build argument changes every model.
    let other_config = shard(2, &["--build-arg", "BASE=alpine"]);
    let (code, stderr) = merge(&dir, &[&one, &other_config], &out);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("configuration"), "{stderr}");

    let other_fail_on = shard(2, &["--fail-on", "low"]);
    let (code, stderr) = merge(&dir, &[&one, &other_fail_on], &out);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("differs"), "{stderr}");

    // Another split: shard 2 of 3 next to shard 1 of 2.
    let three = dir.join("of-three.json");
    scan_to(&three, &["--shard", "2/3"]);
    let (code, stderr) = merge(&dir, &[&one, &three], &out);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("share N"), "{stderr}");

    // A shard that claims a target of the other overlaps with it.
    let mut doctored = read_json(&two);
    let stolen = read_json(&one)["targets"][0].clone();
    doctored["targets"]
        .as_array_mut()
        .expect("targets")
        .push(stolen.clone());
    let doctored_file = dir.join("doctored.json");
    std::fs::write(&doctored_file, doctored.to_string()).expect("write");
    let (code, stderr) = merge(&dir, &[&one, &doctored_file], &out);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("overlap") && stderr.contains(stolen["path"].as_str().expect("path")),
        "{stderr}"
    );

    // Another policy: a shard whose module digest differs.
    let mut other_policy = read_json(&two);
    other_policy["policies"][0]["sha256"] = Value::from("f".repeat(64));
    let other_policy_file = dir.join("other-policy.json");
    std::fs::write(&other_policy_file, other_policy.to_string()).expect("write");
    let (code, stderr) = merge(&dir, &[&one, &other_policy_file], &out);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("policies"), "{stderr}");

    // Another checkout state: a repository at another commit.
    let mut moved = read_json(&two);
    moved["repositories"][0]["commit"] = Value::from("0".repeat(40));
    let moved_file = dir.join("moved.json");
    std::fs::write(&moved_file, moved.to_string()).expect("write");
    let (code, stderr) = merge(&dir, &[&one, &moved_file], &out);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("repositories"), "{stderr}");

    // A whole scan is not a shard; garbage is named.
    let whole = dir.join("whole.json");
    scan_to(&whole, &[]);
    let (code, stderr) = merge(&dir, &[&whole], &out);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("not a shard"), "{stderr}");
    let garbage = dir.join("garbage.json");
    std::fs::write(&garbage, b"\xff\xfe{").expect("write");
    let (code, stderr) = merge(&dir, &[&one, &garbage], &out);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("garbage.json"), "{stderr}");
}

#[test]
fn signed_shards_merge_into_a_signed_report_that_verifies() {
    let dir = workdir("signed");
    let output = tallyman(&dir, &["keygen", "--out", "org"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let key = dir.join("org.key");
    let key_text = key.to_string_lossy().into_owned();
    let mut attestations = Vec::new();
    for k in 1..=2 {
        let out = dir.join(format!("shard-{k}.json"));
        scan_to(&out, &["--shard", &format!("{k}/2"), "--sign", &key_text]);
        attestations.push(dir.join(format!("shard-{k}.json.intoto.jsonl")));
    }
    let files: Vec<&Path> = attestations.iter().map(PathBuf::as_path).collect();

    let (code, stderr) = merge(&dir, &files, &["-o", "merged.json"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("--verify-key"), "{stderr}");

    let (code, stderr) = merge(
        &dir,
        &files,
        &[
            "--verify-key",
            "org.pub",
            "-o",
            "merged.json",
            "--sign",
            "org.key",
        ],
    );
    assert_eq!(code, Some(1), "{stderr}");
    let output = tallyman(
        &dir,
        &["verify", "merged.json.intoto.jsonl", "--key", "org.pub"],
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let whole = dir.join("whole.json");
    scan_to(&whole, &[]);
    assert_eq!(
        comparable(read_json(&dir.join("merged.json"))),
        comparable(read_json(&whole))
    );

    // A signed merge of unsigned shards is refused: it would vouch for
    // reports nobody verified.
    let plain: Vec<PathBuf> = (1..=2)
        .map(|k| dir.join(format!("shard-{k}.json")))
        .collect();
    let plain: Vec<&Path> = plain.iter().map(PathBuf::as_path).collect();
    let (code, stderr) = merge(&dir, &plain, &["-o", "m2.json", "--sign", "org.key"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("every shard signed"), "{stderr}");

    // A tampered shard attestation does not verify, and nothing is merged.
    let tampered = dir.join("tampered.intoto.jsonl");
    let mut envelope = read_json(&attestations[1]);
    let payload = envelope["payload"].as_str().expect("payload").to_owned();
    let mut bytes: Vec<char> = payload.chars().collect();
    let middle = bytes.len() / 2;
    bytes[middle] = if bytes[middle] == 'A' { 'B' } else { 'A' };
    envelope["payload"] = Value::from(bytes.into_iter().collect::<String>());
    std::fs::write(&tampered, envelope.to_string()).expect("write");
    let (code, stderr) = merge(
        &dir,
        &[files[0], &tampered],
        &["--verify-key", "org.pub", "-o", "m3.json"],
    );
    assert_eq!(code, Some(2));
    assert!(stderr.contains("does not verify"), "{stderr}");
    assert!(!dir.join("m3.json").exists());
}

#[test]
fn repos_file_lists_checkouts_and_a_missing_one_is_an_error_not_a_stop() {
    let dir = workdir("repos-file");
    let list = dir.join("repos.txt");
    let org = org();
    std::fs::write(
        &list,
        format!(
            "# checkouts\n{}\n\n{}\n{}\n",
            org.join("payments").display(),
            org.join("web/admin").display(),
            dir.join("gone/admin").display(),
        ),
    )
    .expect("write");
    let list_text = list.to_string_lossy().into_owned();
    let output = tallyman(&dir, &["scan", "--repos", &list_text, "-f", "json"], &[]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    let names: Vec<&str> = report["repositories"]
        .as_array()
        .expect("repositories")
        .iter()
        .map(|r| r["name"].as_str().expect("name"))
        .collect();
    // Two checkouts end in `admin`: each is named by the shortest suffix
    // that tells them apart.
    assert_eq!(names, ["gone/admin", "payments", "web/admin"]);
    let errors = report["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["path"], "gone/admin");
    assert!(
        report["targets"]
            .as_array()
            .expect("targets")
            .iter()
            .any(|t| t["repository"] == "web/admin")
    );

    // The text report has a line per repository.
    let output = tallyman(&dir, &["scan", "--repos", &list_text], &[]);
    let stdout = text(&output.stdout);
    assert!(stdout.contains("Repositories:"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("gone/admin") && l.contains("1 error")),
        "{stdout}"
    );

    let empty = dir.join("empty.txt");
    std::fs::write(&empty, "# nothing\n").expect("write");
    let output = tallyman(&dir, &["scan", "--repos", &empty.to_string_lossy()], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("empty.txt"));
}

#[test]
fn a_scan_of_one_tree_is_one_repository() {
    let output = tallyman(&org().join("payments"), &["scan", "-f", "json"], &[]);
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    let repositories = report["repositories"].as_array().expect("repositories");
    assert_eq!(repositories.len(), 1);
    assert_eq!(repositories[0]["name"], "payments");
    assert_eq!(repositories[0]["path"], ".");
    assert_eq!(repositories[0]["commit"].as_str().map(str::len), Some(40));
    let first = &report["targets"][0];
    assert_eq!(first["repository"], "payments");
    assert!(
        !first["path"]
            .as_str()
            .expect("path")
            .starts_with("payments/")
    );
}

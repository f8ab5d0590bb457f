//! The result cache end to end: the binary scanning real trees (the example
//! monorepo and a generated one) twice, with what changed in between, and
//! `tallyman cache stats` saying what came from the cache. Every report is
//! also compared with one made without the cache.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const DATE: &str = "2026-01-15";

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh directory for one test.
fn tempdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("result-cache-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `binary` in `dir` with the date pinned and `cache` as the cache directory.
fn run_binary(binary: &Path, dir: &Path, cache: &Path, date: &str, args: &[&str]) -> Output {
    let mut tries = 0;
    loop {
        let out = Command::new(binary)
            .args(args)
            .arg("--cache-dir")
            .arg(cache)
            .current_dir(dir)
            .env("TALLYMAN_DATE", date)
            .env("NO_COLOR", "1")
            .env_remove("TALLYMAN_CACHE_DIR")
            .output();
        match out {
            // A binary just copied may still be open for writing in a child
            // another test thread forked meanwhile (ETXTBSY) until it execs.
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 50 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            out => return out.expect("the binary runs"),
        }
    }
}

fn tallyman() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_tallyman"))
}

/// A scan's JSON report as written, with its timing blanked, and stderr.
struct Scan {
    code: Option<i32>,
    report: String,
    stderr: String,
}

impl Scan {
    fn json(&self) -> Value {
        serde_json::from_str(&self.report)
            .unwrap_or_else(|e| panic!("JSON report ({e}): {}\n{}", self.report, self.stderr))
    }
}

/// Blanks the only fields that differ between two runs over the same
/// inputs: when the run started and how long it took.
fn without_timing(report: &str) -> String {
    report
        .lines()
        .map(|line| {
            let key = line.trim_start();
            let indent = &line[..line.len() - key.len()];
            let comma = if line.ends_with(',') { "," } else { "" };
            if key.starts_with("\"started_at\":") {
                format!("{indent}\"started_at\": \"(timing)\"{comma}")
            } else if key.starts_with("\"duration_ms\":") {
                format!("{indent}\"duration_ms\": 0{comma}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text report's summary line without the time taken (`, 12ms`).
fn without_duration(line: &str) -> String {
    match line.rsplit_once(", ") {
        Some((head, tail))
            if tail.ends_with('s')
                && tail
                    .trim_end_matches(['m', 's'])
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.') =>
        {
            format!("{head}, (time)")
        }
        _ => line.to_string(),
    }
}

fn scan_with(binary: &Path, dir: &Path, cache: &Path, date: &str, extra: &[&str]) -> Scan {
    let mut args = vec!["scan", ".", "-f", "json"];
    args.extend_from_slice(extra);
    let out = run_binary(binary, dir, cache, date, &args);
    let scan = Scan {
        code: out.status.code(),
        report: without_timing(&text(&out.stdout)),
        stderr: text(&out.stderr),
    };
    assert!(
        matches!(scan.code, Some(0 | 1)),
        "scan failed ({:?}): {}",
        scan.code,
        scan.stderr
    );
    scan
}

fn scan(dir: &Path, cache: &Path, extra: &[&str]) -> Scan {
    scan_with(tallyman(), dir, cache, DATE, extra)
}

/// The same scan without the result cache (in a cache directory of its
/// own, so that nothing is shared with the scan it is compared to).
fn uncached(dir: &Path, extra: &[&str]) -> Scan {
    let cache = dir.with_extension("uncached-cache");
    let mut args = extra.to_vec();
    args.push("--no-cache");
    scan(dir, &cache, &args)
}

fn stats(cache: &Path) -> Value {
    let out = run_binary(
        tallyman(),
        Path::new("."),
        cache,
        DATE,
        &["cache", "stats", "-f", "json"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stats JSON")
}

/// The last scan's figure `name`.
fn last(cache: &Path, name: &str) -> u64 {
    let stats = stats(cache);
    stats["results"]["last_run"][name]
        .as_u64()
        .unwrap_or_else(|| panic!("no last_run.{name} in {stats:#}"))
}

fn write(path: &Path, contents: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("parent dir");
    }
    std::fs::write(path, contents).expect("write");
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A tree to scan: the example monorepo (with its configuration) and a
/// generated monorepo of real Dockerfiles beside it. Returns the tree and
/// how many Dockerfiles it has.
fn tree(dir: &Path) -> (PathBuf, u64) {
    let tree = dir.join("tree");
    std::fs::create_dir_all(&tree).expect("tree");
    copy_tree(&manifest_dir().join("../examples/monorepo"), &tree);
    let status = Command::new("python3")
        .arg(manifest_dir().join("tests/data/make-monorepo"))
        .arg(tree.join("generated"))
        .args(["--n", "40", "--teams", "4", "--no-git-init", "--corpus"])
        .arg(manifest_dir().join("../dockerfile/tests/data/corpus-sample/files"))
        .status()
        .expect("python3 runs make-monorepo");
    assert!(status.success());
    let out = run_binary(
        tallyman(),
        &tree,
        &dir.join("count-cache"),
        DATE,
        &["scan", ".", "-f", "json", "--no-cache"],
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("report");
    let scanned = report["summary"]["scanned"].as_u64().expect("scanned");
    assert!(scanned > 40, "{scanned} targets scanned");
    (tree, scanned)
}

/// How many built-in policies a default scan runs (each caches one result
/// per target): the build embeds every crate under `policies/`, and all but
/// the Rego runner (which runs only the Rego sets a user loads) run by default.
fn builtin_policy_count() -> u64 {
    let policies = manifest_dir().parent().expect("workspace").join("policies");
    let count = std::fs::read_dir(&policies)
        .expect("the policies directory")
        .filter_map(Result::ok)
        .filter(|entry| entry.path().join("Cargo.toml").is_file())
        .filter(|entry| entry.file_name() != tallyman::engine::rego::RUNNER_CRATE)
        .count();
    u64::try_from(count).expect("a small count")
}

#[test]
fn a_rescan_is_answered_from_the_cache_with_the_same_report() {
    let dir = tempdir("rescan");
    let (tree, targets) = tree(&dir);
    let cache = dir.join("cache");

    let cold = scan(&tree, &cache, &[]);
    assert_eq!(last(&cache, "targets_evaluated"), targets);
    assert_eq!(last(&cache, "results_from_cache"), 0);
    assert_eq!(last(&cache, "entries_stored"), targets);

    let warm = scan(&tree, &cache, &[]);
    assert_eq!(last(&cache, "targets_from_cache"), targets);
    assert_eq!(last(&cache, "targets_evaluated"), 0);
    assert_eq!(
        last(&cache, "results_from_cache"),
        targets * builtin_policy_count()
    );
    assert_eq!(last(&cache, "entries_stored"), 0);

    let reference = uncached(&tree, &[]);
    assert!(reference.json()["summary"]["findings"].as_u64() > Some(50));
    assert_eq!(
        cold.report, reference.report,
        "cold scan differs from uncached"
    );
    assert_eq!(
        warm.report, reference.report,
        "warm scan differs from uncached"
    );
    assert_eq!(warm.code, reference.code);

    // The other formats are made from the same results.
    for format in ["sarif", "text"] {
        let with = run_binary(
            tallyman(),
            &tree,
            &cache,
            DATE,
            &["scan", ".", "-f", format],
        );
        let without = run_binary(
            tallyman(),
            &tree,
            &cache,
            DATE,
            &["scan", ".", "-f", format, "--no-cache"],
        );
        let strip = |out: &Output| {
            text(&out.stdout)
                .lines()
                .filter(|l| !l.contains("\"startTimeUtc\"") && !l.contains("\"endTimeUtc\""))
                .map(without_duration)
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(strip(&with), strip(&without), "{format}");
    }
}

#[test]
fn an_edited_file_is_evaluated_again_and_only_it() {
    let dir = tempdir("edit");
    let (tree, targets) = tree(&dir);
    let cache = dir.join("cache");
    scan(&tree, &cache, &[]);

    let file = tree.join("services/api/Dockerfile");
    let mut contents = std::fs::read_to_string(&file).expect("read");
    contents.push_str("USER root\nRUN curl http://example.com/install.sh | sh\n");
    write(&file, &contents);
    let edited = scan(&tree, &cache, &[]);
    assert_eq!(last(&cache, "targets_evaluated"), 1);
    assert_eq!(last(&cache, "targets_from_cache"), targets - 1);
    assert_eq!(edited.report, uncached(&tree, &[]).report);

    // A new .dockerignore changes the model (the build context) of the
    // Dockerfiles beside it.
    write(&tree.join("services/api/.dockerignore"), "*.log\n");
    let ignored = scan(&tree, &cache, &[]);
    assert_eq!(last(&cache, "targets_evaluated"), 1);
    assert_eq!(ignored.report, uncached(&tree, &[]).report);

    // A moved file has another report path, which policies see.
    std::fs::rename(tree.join("services/web"), tree.join("services/www")).expect("rename");
    scan(&tree, &cache, &[]);
    assert_eq!(last(&cache, "targets_evaluated"), 1);
}

#[test]
fn scan_options_and_the_date_are_part_of_the_key() {
    let dir = tempdir("options");
    let (tree, targets) = tree(&dir);
    let cache = dir.join("cache");
    scan(&tree, &cache, &[]);

    let cases: [&[&str]; 3] = [
        &["--build-arg", "VERSION=1.2.3"],
        &["--target", "build"],
        &["--build-arg", "VERSION=1.2.4"],
    ];
    for extra in cases {
        let changed = scan(&tree, &cache, extra);
        assert_eq!(last(&cache, "targets_evaluated"), targets, "{extra:?}");
        assert_eq!(changed.report, uncached(&tree, extra).report, "{extra:?}");
        scan(&tree, &cache, extra);
        assert_eq!(
            last(&cache, "targets_from_cache"),
            targets,
            "{extra:?} again"
        );
    }

    let other_day = scan_with(tallyman(), &tree, &cache, "2031-06-01", &[]);
    assert_eq!(last(&cache, "targets_evaluated"), targets);
    assert!(other_day.report.contains("2031-06-01"));
}

#[test]
fn a_changed_setting_misses_for_its_policy_and_post_processing_still_hits() {
    let dir = tempdir("settings");
    let (tree, targets) = tree(&dir);
    let cache = dir.join("cache");
    let config = tree.join("tallyman.yaml");
    let original = std::fs::read_to_string(&config).expect("config");
    scan(&tree, &cache, &[]);

    write(
        &config,
        &original.replace("require-digest: false", "require-digest: true"),
    );
    let changed = scan(&tree, &cache, &[]);
    assert_eq!(
        last(&cache, "results_evaluated"),
        targets,
        "base-image only"
    );
    assert_eq!(
        last(&cache, "results_from_cache"),
        targets * (builtin_policy_count() - 1)
    );
    assert_eq!(last(&cache, "entries_stored"), targets);
    assert_eq!(changed.report, uncached(&tree, &[]).report);

    // Both settings stay in the entries: going back hits.
    write(&config, &original);
    scan(&tree, &cache, &[]);
    assert_eq!(last(&cache, "targets_from_cache"), targets);

    // Ignores and severity overrides apply after the cache.
    write(
        &config,
        &format!("{original}severity:\n  HD001: critical\n  BI003: info\nfail-on: critical\n")
            .replace("rules: []", "rules: [HD007, SEC005]")
            .replace("fail-on: high\n", ""),
    );
    let overridden = scan(&tree, &cache, &[]);
    assert_eq!(last(&cache, "results_evaluated"), 0);
    assert_eq!(last(&cache, "targets_from_cache"), targets);
    let reference = uncached(&tree, &[]);
    assert_eq!(overridden.report, reference.report);
    assert_eq!(overridden.code, reference.code);
    assert!(!overridden.report.contains("\"rule_id\": \"HD007\""));
}

/// `wasm` with a custom section appended: another module (another sha256)
/// that behaves the same.
fn with_custom_section(wasm: &[u8]) -> Vec<u8> {
    let name = b"tallyman-test";
    let payload = b"a different module";
    let size = 1 + name.len() + payload.len();
    let mut out = wasm.to_vec();
    out.push(0);
    out.push(u8::try_from(size).expect("small section"));
    out.push(u8::try_from(name.len()).expect("small name"));
    out.extend_from_slice(name);
    out.extend_from_slice(payload);
    out
}

#[test]
fn a_changed_policy_module_misses_and_policy_errors_are_never_cached() {
    let dir = tempdir("policy");
    let (tree, targets) = tree(&dir);
    let cache = dir.join("cache");
    let policy = dir.join("echo.wasm");
    let echo = common::policy_wasm("echo-sdk");
    std::fs::write(&policy, &echo).expect("write policy");
    let policy_arg = policy.to_str().expect("utf-8 path");
    scan(&tree, &cache, &["-p", policy_arg]);
    scan(&tree, &cache, &["-p", policy_arg]);
    assert_eq!(
        last(&cache, "results_from_cache"),
        targets * (builtin_policy_count() + 1)
    );

    std::fs::write(&policy, with_custom_section(&echo)).expect("write policy");
    let changed = scan(&tree, &cache, &["-p", policy_arg]);
    assert_eq!(
        last(&cache, "results_evaluated"),
        targets,
        "the changed policy only"
    );
    assert_eq!(changed.report, uncached(&tree, &["-p", policy_arg]).report);

    // A policy that traps on every target: its errors are reported on every
    // run, never stored.
    let panicking = dir.join("panic.wasm");
    std::fs::write(&panicking, common::policy_wasm("panic")).expect("write policy");
    let panic_arg = panicking.to_str().expect("utf-8 path");
    for _ in 0..2 {
        let out = run_binary(
            tallyman(),
            &tree,
            &cache,
            DATE,
            &["scan", ".", "-f", "json", "-p", panic_arg],
        );
        assert_eq!(out.status.code(), Some(2), "policy errors are errors");
        let report: Value = serde_json::from_slice(&out.stdout).expect("report");
        assert_eq!(
            report["errors"].as_array().map(Vec::len),
            Some(targets as usize)
        );
        assert_eq!(last(&cache, "results_not_cached"), targets);
        assert_eq!(last(&cache, "results_evaluated"), targets);
        assert_eq!(
            last(&cache, "results_from_cache"),
            targets * builtin_policy_count()
        );
    }
    assert_eq!(last(&cache, "entries_stored"), 0, "nothing new to store");
}

#[test]
fn another_build_of_tallyman_misses_and_its_entries_can_be_pruned() {
    let dir = tempdir("build");
    let (tree, targets) = tree(&dir);
    let cache = dir.join("cache");
    scan(&tree, &cache, &[]);

    // A copy of the binary is another build as far as the cache can tell
    // (another file, modified now): nothing it finds may be reused.
    let copy = dir.join("tallyman-copy");
    std::fs::copy(tallyman(), &copy).expect("copy the binary");
    scan_with(&copy, &tree, &cache, DATE, &[]);
    assert_eq!(last(&cache, "targets_evaluated"), targets);
    let entries = stats(&cache)["results"]["entries"]
        .as_u64()
        .expect("entries");
    assert_eq!(entries, 2 * targets);

    let out = run_binary(
        tallyman(),
        &tree,
        &cache,
        DATE,
        &["cache", "prune", "--other-versions"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!("deleted {targets} cached entries")),
        "{stdout}"
    );
    let after = stats(&cache);
    assert_eq!(after["results"]["entries"].as_u64(), Some(targets));
    assert_eq!(after["results"]["this_build"].as_u64(), Some(targets));
    scan(&tree, &cache, &[]);
    assert_eq!(last(&cache, "targets_from_cache"), targets);

    // Entries used today are not older than 0 days.
    let out = run_binary(
        tallyman(),
        &tree,
        &cache,
        DATE,
        &["cache", "prune", "--older-than", "0"],
    );
    assert!(
        text(&out.stdout).contains("deleted 0 cached entries"),
        "{}",
        text(&out.stdout)
    );

    let out = run_binary(
        tallyman(),
        &tree,
        &cache,
        DATE,
        &["cache", "prune", "--all"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!cache.join("results-v1.sqlite").exists());
    assert_eq!(stats(&cache)["compiled_code"]["entries"].as_u64(), Some(0));
    let text_stats = run_binary(tallyman(), &tree, &cache, DATE, &["cache", "stats"]);
    assert!(
        text(&text_stats.stdout).contains("none yet"),
        "{}",
        text(&text_stats.stdout)
    );
}

#[test]
fn no_cache_reads_and_writes_nothing() {
    let dir = tempdir("no-cache");
    let (tree, _) = tree(&dir);
    let cache = dir.join("cache");
    scan(&tree, &cache, &["--no-cache"]);
    assert!(!cache.join("results-v1.sqlite").exists());
    assert!(
        cache.join("compiled").is_dir(),
        "compiled code is still cached"
    );
    scan(&tree, &cache, &[]);
    let figures = stats(&cache)["results"]["last_run"].clone();
    scan(&tree, &cache, &["--no-cache"]);
    assert_eq!(
        stats(&cache)["results"]["last_run"],
        figures,
        "a run without the cache leaves it alone"
    );
}

/// Damages the database in `cache` with `damage`, then checks that a scan
/// still gives the right report, says it replaced the file, and that the
/// next-but-one scan is answered from the cache again.
fn survives(name: &str, damage: fn(&Path)) {
    let dir = tempdir(name);
    let (tree, targets) = tree(&dir);
    let cache = dir.join("cache");
    scan(&tree, &cache, &[]);
    let file = cache.join("results-v1.sqlite");
    damage(&file);
    let damaged = scan(&tree, &cache, &[]);
    assert_eq!(damaged.report, uncached(&tree, &[]).report, "{name}");
    assert!(
        damaged.stderr.contains("was damaged") || last(&cache, "entries_refused") > 0,
        "{name}: {}",
        damaged.stderr
    );
    scan(&tree, &cache, &[]);
    let again = scan(&tree, &cache, &[]);
    assert_eq!(last(&cache, "targets_from_cache"), targets, "{name}");
    assert_eq!(again.report, damaged.report);
}

#[test]
fn a_file_that_is_not_a_database_is_replaced() {
    survives("garbage", |file| {
        let mut bytes = std::fs::read(file).expect("read");
        bytes[..64].fill(0x5a);
        std::fs::write(file, bytes).expect("write");
    });
}

#[test]
fn a_truncated_database_is_replaced() {
    survives("truncated", |file| {
        let bytes = std::fs::read(file).expect("read");
        std::fs::write(file, &bytes[..bytes.len() / 3]).expect("write");
    });
}

#[test]
fn damaged_pages_and_values_are_never_trusted() {
    survives("scribbled", |file| {
        let mut bytes = std::fs::read(file).expect("read");
        // Past the header and the first pages: b-tree pages and values.
        let len = bytes.len();
        for i in (len / 2..len).step_by(97) {
            bytes[i] ^= 0x20;
        }
        std::fs::write(file, bytes).expect("write");
    });
}

#[test]
fn concurrent_runs_share_one_cache() {
    let dir = tempdir("concurrent");
    let (tree, targets) = tree(&dir);
    let cache = dir.join("cache");
    let reference = uncached(&tree, &[]);
    // Four runs at once on an empty cache, twice: they create the file, and
    // then write the same entries, at the same time.
    for round in 0..2 {
        let children: Vec<_> = (0..4)
            .map(|_| {
                Command::new(tallyman())
                    .args(["scan", ".", "-f", "json", "--cache-dir"])
                    .arg(&cache)
                    .current_dir(&tree)
                    .env("TALLYMAN_DATE", DATE)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().expect("wait");
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), reference.code, "round {round}: {stderr}");
            assert_eq!(
                without_timing(&text(&out.stdout)),
                reference.report,
                "round {round}"
            );
            assert!(!stderr.contains("damaged"), "round {round}: {stderr}");
        }
    }
    scan(&tree, &cache, &[]);
    assert_eq!(last(&cache, "targets_from_cache"), targets);
}

#[test]
fn a_cache_locked_by_another_process_is_waited_for_then_left_alone() {
    let dir = tempdir("locked");
    let (tree, targets) = tree(&dir);
    let cache = dir.join("cache");
    scan(&tree, &cache, &[]);
    // Another process holds the write lock (longer than tallyman waits).
    let mut holder = Command::new("python3")
        .arg("-c")
        .arg(
            "import sqlite3, sys, time\n\
             c = sqlite3.connect(sys.argv[1], isolation_level=None)\n\
             c.execute('BEGIN IMMEDIATE')\n\
             print('locked', flush=True)\n\
             time.sleep(60)\n",
        )
        .arg(cache.join("results-v1.sqlite"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut line = String::new();
    let stdout = holder.stdout.take().expect("stdout");
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).expect("read");
    assert_eq!(line.trim(), "locked");

    // Every result misses (another build argument) and cannot be stored.
    let extra = ["--build-arg", "LOCKED=1"];
    let locked = scan(&tree, &cache, &extra);
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(locked.report, uncached(&tree, &extra).report);
    assert!(
        locked.stderr.contains("warning: result cache:")
            && locked.stderr.contains("were not stored"),
        "{}",
        locked.stderr
    );
    assert_eq!(locked.stderr.lines().count(), 1, "{}", locked.stderr);
    // Nothing was damaged: the next run stores them, the one after hits.
    scan(&tree, &cache, &extra);
    assert_eq!(last(&cache, "targets_evaluated"), targets);
    scan(&tree, &cache, &extra);
    assert_eq!(last(&cache, "targets_from_cache"), targets);
}

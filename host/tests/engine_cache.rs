//! The compiled-code cache: hits across engines, and corrupt, truncated,
//! half-written or concurrently written entries never break a run.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use tallyman::engine::{CacheOutcome, ConfiguredPolicy, Engine, Limits, PolicySource};

use common::{engine_with, policy_wasm, sample_targets, temp_cache};

/// Whether `path` is named as an entry: `<module sha256 in hex>.cwasm`.
/// Anything else in the directory (a killed run's temporary file) is not one.
fn is_entry(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .and_then(|name| name.strip_suffix(".cwasm"))
        .is_some_and(|hash| hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Every file under `cache`, directories walked.
fn files(cache: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![cache.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(listing) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in listing {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

fn entries(cache: &Path) -> Vec<PathBuf> {
    files(cache).into_iter().filter(|p| is_entry(p)).collect()
}

/// Files of compiled code under `cache` that are not entries: temporary
/// files of runs killed before they renamed them into place.
fn leftovers(cache: &Path) -> Vec<PathBuf> {
    files(&cache.join("compiled"))
        .into_iter()
        .filter(|p| !is_entry(p))
        .collect()
}

/// Loads echo on a new engine sharing `cache`, checks it still works, and
/// says where its code came from.
fn load_echo(cache: &Path) -> CacheOutcome {
    let engine = engine_with(Limits::default(), cache);
    let started = Instant::now();
    let policy = engine
        .load_bytes(&policy_wasm("echo"), PolicySource::Bytes)
        .expect("echo loads");
    eprintln!(
        "load: {:?} ({:?})",
        started.elapsed(),
        policy.cache_outcome()
    );
    assert_works(&engine, policy.clone());
    policy.cache_outcome()
}

fn assert_works(engine: &Engine, policy: tallyman::engine::Policy) {
    let policies = [ConfiguredPolicy::new(policy, "{}")];
    let results = engine.check_dockerfiles(&policies, &sample_targets());
    let findings: usize = results
        .iter()
        .map(|outcomes| outcomes[0].result.as_ref().expect("echo works").len())
        .sum();
    assert_eq!(findings, 6);
}

#[test]
fn second_engine_hits_the_cache() {
    let cache = temp_cache();
    assert_eq!(load_echo(cache.path()), CacheOutcome::Miss);
    assert_eq!(entries(cache.path()).len(), 1);
    assert_eq!(load_echo(cache.path()), CacheOutcome::Hit);
}

#[test]
fn corrupt_entries_are_rebuilt_never_run() {
    let cache = temp_cache();
    assert_eq!(load_echo(cache.path()), CacheOutcome::Miss);
    let entry = entries(cache.path()).pop().unwrap();
    let good = std::fs::read(&entry).unwrap();

    let damaged: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", good[..good.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("one flipped byte", {
            let mut bytes = good.clone();
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0x40;
            bytes
        }),
        ("flipped seal", {
            let mut bytes = good.clone();
            bytes[10] ^= 0x01;
            bytes
        }),
        ("garbage", b"not a compiled component at all".to_vec()),
        ("only the header", good[..40].to_vec()),
    ];
    for (what, bytes) in damaged {
        std::fs::write(&entry, &bytes).unwrap();
        assert_eq!(load_echo(cache.path()), CacheOutcome::Rebuilt, "{what}");
        // The rebuilt entry is whole again.
        assert_eq!(std::fs::read(&entry).unwrap(), good, "{what}");
    }
}

#[test]
fn an_entry_for_another_module_is_not_used() {
    let cache = temp_cache();
    load_echo(cache.path());
    let echo_entry = entries(cache.path()).pop().unwrap();
    // Put echo's compiled code where the panic policy's entry would be.
    let panic_sha = tallyman::engine::sha256(&policy_wasm("panic"));
    let panic_entry = echo_entry.with_file_name(format!("{}.cwasm", hex(&panic_sha)));
    std::fs::copy(&echo_entry, &panic_entry).unwrap();

    let engine = engine_with(Limits::default(), cache.path());
    let policy = engine
        .load_bytes(&policy_wasm("panic"), PolicySource::Bytes)
        .unwrap();
    assert_eq!(policy.cache_outcome(), CacheOutcome::Rebuilt);
    assert_eq!(policy.name(), "panic");
}

#[test]
fn leftovers_of_a_killed_run_are_ignored_then_removed() {
    let cache = temp_cache();
    load_echo(cache.path());
    let entry = entries(cache.path()).pop().unwrap();
    let good = std::fs::read(&entry).unwrap();
    // A run killed while writing leaves its temporary file, never a partial
    // entry under the real name (the rename is atomic).
    let leftover = |name: &str, age: Duration| {
        let path = entry.with_file_name(name);
        std::fs::write(&path, &good[..good.len() / 3]).unwrap();
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(SystemTime::now() - age).unwrap();
        path
    };
    let stale = leftover(".tmp-killed.partial", Duration::from_secs(2 * 60 * 60));
    let recent = leftover(".tmp-writing.partial", Duration::from_secs(5));
    std::fs::remove_file(&entry).unwrap();
    assert_eq!(load_echo(cache.path()), CacheOutcome::Miss);
    // Writing the entry swept the old leftover; the recent one may be a
    // write in progress in another run, and stays.
    assert_eq!(leftovers(cache.path()), vec![recent]);
    assert!(!stale.exists());
    assert_eq!(load_echo(cache.path()), CacheOutcome::Hit);
}

#[test]
fn concurrent_runs_share_one_cache() {
    let cache = temp_cache();
    let outcomes: Vec<CacheOutcome> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| load_echo(cache.path())))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(
        outcomes.iter().all(|o| *o != CacheOutcome::Rebuilt),
        "{outcomes:?}"
    );
    assert_eq!(entries(cache.path()).len(), 1);
    assert_eq!(load_echo(cache.path()), CacheOutcome::Hit);
}

#[test]
fn disabled_cache_compiles_every_time() {
    let engine = Engine::new(Limits::default(), tallyman::engine::CacheDir::Disabled).unwrap();
    let policy = engine
        .load_bytes(&policy_wasm("echo"), PolicySource::Bytes)
        .unwrap();
    assert_eq!(policy.cache_outcome(), CacheOutcome::Uncached);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Real processes killed at different points of compiling and writing the
/// cache: the run after them is correct, and the entry they leave is whole.
#[test]
fn runs_killed_midway_leave_the_next_run_correct() {
    let cache = temp_cache();
    let file = cache.path().join("echo.wasm");
    std::fs::write(&file, policy_wasm("echo")).unwrap();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_tallyman"))
            .args(["policy", "info", "--cache-dir"])
            .arg(cache.path().join("cache"))
            .arg(&file)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start tallyman")
    };
    for delay_ms in [5, 20, 50, 100, 200, 400] {
        let mut child = run();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // A run killed between creating its temporary file and renaming it
        // leaves that file, under a name that is never an entry's.
        for leftover in leftovers(&cache.path().join("cache")) {
            let name = leftover.file_name().unwrap().to_string_lossy();
            assert!(
                name.starts_with(".tmp-") && name.ends_with(".partial"),
                "{}",
                leftover.display()
            );
        }
        if let Some(entry) = entries(&cache.path().join("cache")).pop() {
            // Whatever was killed, an entry under its real name is whole:
            // the engine finds it valid (a hit, not a rebuild).
            let engine = engine_with(Limits::default(), &cache.path().join("cache"));
            let policy = engine
                .load_bytes(&policy_wasm("echo"), PolicySource::Bytes)
                .unwrap();
            assert_eq!(
                policy.cache_outcome(),
                CacheOutcome::Hit,
                "{}",
                entry.display()
            );
        }
    }
    let output = run().wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("name:        echo"));
}

//! Hostile policies, all at once over the same targets as a well-behaved one,
//! at the default limits: each ends as its classified error within its limit,
//! the process stays small, and the control's findings all arrive.

mod common;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use tallyman::engine::{ConfiguredPolicy, ErrorKind, Limits, Outcome};

use common::{engine_with, load, peak_rss_bytes, sample_targets, temp_cache};

fn kind(outcome: &Outcome) -> Option<ErrorKind> {
    outcome.result.as_ref().err().map(|e| e.kind)
}

#[test]
fn hostile_policies_end_as_classified_errors_and_the_control_still_reports() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("address").port();

    let names = [
        "echo",
        "endless-loop",
        "memory-bomb",
        "panic",
        "snoop",
        "finding-flood",
        "huge-message",
        "undeclared-rule",
        "out-of-range",
    ];
    let policies: Vec<ConfiguredPolicy> = names
        .iter()
        .map(|name| {
            let settings = if *name == "snoop" {
                format!(r#"{{"port": {port}}}"#)
            } else {
                "{}".to_string()
            };
            ConfiguredPolicy::new(load(&engine, name), settings)
        })
        .collect();
    let targets = sample_targets();
    let after_load = peak_rss_bytes();

    let started = Instant::now();
    let results = engine.check_dockerfiles(&policies, &targets);
    let elapsed = started.elapsed();

    assert_eq!(results.len(), targets.len());
    let mut problems = Vec::new();
    for (target, outcomes) in targets.iter().zip(&results) {
        assert_eq!(outcomes.len(), policies.len());
        for outcome in outcomes {
            let name = outcome.policy.name();
            if let Err(error) = &outcome.result {
                assert_eq!(error.policy, name);
                assert_eq!(error.target.as_deref(), Some(target.path.as_str()));
            }
            let expected = match name {
                "echo" | "snoop" => None,
                "endless-loop" => Some(ErrorKind::Timeout),
                // A million findings or a 100 MB message do not fit in the
                // default 64 MiB: the guest runs out of memory building them.
                // (engine_limits.rs raises the limit to reach the output caps.)
                "memory-bomb" | "finding-flood" | "huge-message" => Some(ErrorKind::OutOfMemory),
                "panic" => Some(ErrorKind::Trap),
                "undeclared-rule" | "out-of-range" => Some(ErrorKind::InvalidOutput),
                other => panic!("unexpected policy {other}"),
            };
            if kind(outcome) != expected {
                problems.push(format!(
                    "{name} on {}: expected {expected:?}, got {:?}",
                    target.path, outcome.result
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // The control's findings: one per FROM, with its line and stage.
    for (target, outcomes) in targets.iter().zip(&results) {
        let echo = outcomes.iter().find(|o| o.policy.name() == "echo").unwrap();
        let findings = echo.result.as_ref().unwrap();
        let expected: Vec<(String, u32, u32)> = target
            .stages
            .iter()
            .map(|s| {
                (
                    format!("FROM {}", s.base.written),
                    s.span.start_line,
                    s.index,
                )
            })
            .collect();
        let got: Vec<(String, u32, u32)> = findings
            .iter()
            .map(|f| {
                (
                    f.message.clone(),
                    f.span.unwrap().start_line,
                    f.stage.unwrap(),
                )
            })
            .collect();
        assert_eq!(got, expected, "echo on {}", target.path);
        assert!(
            echo.diagnostics.stdout.contains("echo:"),
            "{:?}",
            echo.diagnostics
        );
    }

    // The sandbox held: snoop saw nothing, and nothing reached the listener.
    for outcomes in &results {
        let snoop = outcomes
            .iter()
            .find(|o| o.policy.name() == "snoop")
            .unwrap();
        assert_eq!(snoop.result.as_ref().unwrap(), &Vec::new());
    }
    assert!(
        listener.accept().is_err(),
        "a policy connected to the loopback listener"
    );

    // The messages say what happened.
    let first = &results[0];
    let message = |name: &str| {
        let outcome = first.iter().find(|o| o.policy.name() == name).unwrap();
        outcome.result.as_ref().unwrap_err().message.clone()
    };
    assert!(
        message("endless-loop").contains("1000 ms"),
        "{}",
        message("endless-loop")
    );
    assert!(
        message("memory-bomb").contains("memory"),
        "{}",
        message("memory-bomb")
    );
    let panic = message("panic");
    assert!(
        panic.contains("the panic policy gives up on app/Dockerfile"),
        "{panic}"
    );
    assert!(panic.contains(" at "), "no backtrace in: {panic}");
    assert!(message("undeclared-rule").contains("NOT-DECLARED"));
    assert!(message("out-of-range").contains("the file has 4 lines"));

    // Three targets, the loop's three timeouts shared by two workers, plus
    // everything else: well under the sum of the deadlines plus slack.
    assert!(elapsed < Duration::from_secs(8), "took {elapsed:?}");

    let peak = peak_rss_bytes();
    assert!(
        peak < 300 * 1024 * 1024,
        "peak RSS {} MiB",
        peak / (1024 * 1024)
    );
    eprintln!(
        "hostile scan: {elapsed:?}, peak RSS {} MiB ({} MiB after loading the policies)",
        peak / (1024 * 1024),
        after_load / (1024 * 1024)
    );
}

//! BuildKit's own parser test files (vendored under `tests/data/buildkit-parser`,
//! see its LICENSE-NOTE.txt), run the way `parser_test.go` runs them:
//! - every `testfiles/<case>/Dockerfile` parses and `dump(ast) + "\n"` equals
//!   `result` byte for byte;
//! - every `testfiles-negative/<case>/Dockerfile` is refused;
//! - `testfile-line/Dockerfile` has the instruction spans BuildKit asserts.
//!
//! Each test checks every case and reports all failures, each with a diff.
//!
//! These are tests of BuildKit's *line* parser, so files are read with
//! `parse_syntax`: several cases (`flags`, `health`, the `json` ones) hold
//! instructions that BuildKit's instruction parser then refuses, as `parse`
//! does (see `tests/refusals.rs`).

use std::path::{Path, PathBuf};

use similar::TextDiff;
use tallyman_dockerfile::{ParseErrorKind, ParseOptions, dump, parse_syntax as parse};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/buildkit-parser/parser")
}

fn cases(dir: &str) -> Vec<(String, PathBuf)> {
    let root = data_dir().join(dir);
    let mut cases: Vec<(String, PathBuf)> = std::fs::read_dir(&root)
        .unwrap_or_else(|err| panic!("{}: {err}", root.display()))
        .filter_map(Result::ok)
        .map(|entry| {
            (
                entry.file_name().to_string_lossy().into_owned(),
                entry.path(),
            )
        })
        .collect();
    cases.sort();
    cases
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[test]
fn testfiles_dump_as_buildkit_results() {
    let cases = cases("testfiles");
    assert_eq!(cases.len(), 33, "the vendored suite has 33 cases");
    let mut failures = Vec::new();
    for (name, dir) in &cases {
        let source = read(&dir.join("Dockerfile"));
        let expected = String::from_utf8_lossy(&read(&dir.join("result"))).into_owned();
        match parse(&source, &ParseOptions::default()) {
            Err(err) => failures.push(format!("{name}: refused: {err}")),
            Ok(ast) => {
                let got = dump(&ast) + "\n";
                if got != expected {
                    let diff = TextDiff::from_lines(&expected, &got)
                        .unified_diff()
                        .header("result", "dump")
                        .to_string();
                    failures.push(format!("{name}: dump differs\n{diff}"));
                }
            }
        }
    }
    println!(
        "{} of {} testfiles match",
        cases.len() - failures.len(),
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn negative_testfiles_are_refused() {
    let expected = [
        ("empty_dockerfile", ParseErrorKind::NoInstructions),
        ("env_no_value", ParseErrorKind::MissingValue),
        ("only_comments", ParseErrorKind::NoInstructions),
        ("shykes-nested-json", ParseErrorKind::NotStringArray),
    ];
    let cases = cases("testfiles-negative");
    let names: Vec<&str> = cases.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        expected.map(|(name, _)| name),
        "the vendored negative cases"
    );
    let mut failures = Vec::new();
    for ((name, dir), (_, kind)) in cases.iter().zip(expected) {
        match parse(&read(&dir.join("Dockerfile")), &ParseOptions::default()) {
            Ok(ast) => failures.push(format!("{name}: parsed, dump:\n{}", dump(&ast))),
            Err(err) if err.kind != kind => failures.push(format!(
                "{name}: refused as {:?} ({err}), expected {kind:?}",
                err.kind
            )),
            Err(err) => println!("{name}: refused: {err}"),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn testfile_line_spans() {
    let source = read(&data_dir().join("testfile-line/Dockerfile"));
    let ast = parse(&source, &ParseOptions::default()).unwrap_or_else(|err| panic!("{err}"));
    let spans: Vec<(usize, usize)> = ast
        .children
        .iter()
        .map(|c| (c.start_line, c.end_line))
        .collect();
    assert_eq!(spans, [(5, 5), (11, 12), (17, 31)]);
    // BuildKit's root node spans from the first instruction to the last.
    assert_eq!(spans.first().map(|s| s.0), Some(5));
    assert_eq!(spans.last().map(|s| s.1), Some(31));
}

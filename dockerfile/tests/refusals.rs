//! What BuildKit's instruction parser and converter refuse after its line
//! parser has accepted a file (`src/validate`), one case per directory under
//! `tests/data/instructions`, in the layout of BuildKit's own parser tests:
//! - `refused/<case>/Dockerfile` passes the line parser (`parse_syntax`) and
//!   is refused by `parse`; `refused/<case>/expected` holds the error's kind
//!   on its first line and the error as displayed (line, reason and
//!   BuildKit's own message) on its second;
//! - `accepted/<case>/Dockerfile` is accepted: unusual files BuildKit builds.
//!
//! `TALLYMAN_BLESS=1` writes the `expected` files of refused cases from what
//! `parse` says; read every one before committing it.

use std::path::{Path, PathBuf};

use tallyman_dockerfile::{ParseOptions, parse, parse_syntax};

fn cases(kind: &str) -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/instructions")
        .join(kind);
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
fn refused_cases_are_refused_with_their_kind_line_and_reason() {
    let cases = cases("refused");
    assert!(cases.len() >= 40, "the refused cases are read");
    let bless = std::env::var_os("TALLYMAN_BLESS").is_some();
    let mut failures = Vec::new();
    for (name, dir) in &cases {
        let source = read(&dir.join("Dockerfile"));
        if let Err(err) = parse_syntax(&source, &ParseOptions::default()) {
            failures.push(format!(
                "{name}: the line parser already refuses it ({err}); it tests nothing here"
            ));
            continue;
        }
        let got = match parse(&source, &ParseOptions::default()) {
            Ok(_) => {
                failures.push(format!("{name}: accepted"));
                continue;
            }
            Err(err) => format!("{:?}\n{err}\n", err.kind),
        };
        let expected_path = dir.join("expected");
        if bless {
            std::fs::write(&expected_path, &got)
                .unwrap_or_else(|err| panic!("{}: {err}", expected_path.display()));
            continue;
        }
        let expected = String::from_utf8_lossy(&read(&expected_path)).into_owned();
        if got != expected {
            failures.push(format!(
                "{name}:\n  expected {expected:?}\n  got      {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn accepted_cases_are_accepted() {
    let cases = cases("accepted");
    assert!(!cases.is_empty(), "the accepted cases are read");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(name, dir)| {
            parse(&read(&dir.join("Dockerfile")), &ParseOptions::default())
                .err()
                .map(|err| format!("{name}: {err}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

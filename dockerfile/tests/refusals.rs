//! What BuildKit's instruction parser and converter refuse after its line
//! parser has accepted a file (`src/validate`), one case per directory under
//! `tests/data/instructions`, in the layout of BuildKit's own parser tests:
//! - `refused/<case>/Dockerfile` passes the line parser (`parse_syntax`) and
//!   is refused by `parse`; `refused/<case>/expected` holds the error's kind
//!   on its first line and the error as displayed (line, reason and
//!   BuildKit's own message) on its second;
//! - `accepted/<case>/Dockerfile` is accepted: unusual files BuildKit builds.
//!
//! The `buildkit-*` cases are BuildKit's own tests (`TestDockerfileCircularDependencies`
//! in `dockerfile2llb/convert_test.go`, `testDockerfileCopyFromArgs`,
//! `testEmptyStages`); `testOutOfOrderStage` is below, as it needs a target.
//!
//! `TALLYMAN_BLESS=1` writes the `expected` files of refused cases from what
//! `parse` says; read every one before committing it.

use std::path::{Path, PathBuf};

use tallyman_dockerfile::{
    LowerOptions, ParseErrorKind, ParseOptions, parse, parse_and_lower, parse_syntax,
};

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

fn built(text: &str, target: Option<&str>) -> Result<(), tallyman_dockerfile::ParseError> {
    let options = LowerOptions {
        target: target.map(str::to_owned),
        ..LowerOptions::default()
    };
    parse_and_lower(text.as_bytes(), &ParseOptions::default(), &options).map(drop)
}

#[test]
fn a_needed_stage_may_not_copy_or_mount_from_a_later_one() {
    // BuildKit's `testOutOfOrderStage` (dockerfile_multistage_test.go).
    let out_of_order = "\nFROM busybox AS target\nCOPY --from=build / /out\n\nFROM alpine AS build\nCOPY /Dockerfile /d2\n\nFROM target\n";
    let err = built(out_of_order, None).expect_err("BuildKit refuses it");
    assert!(
        err.reason
            .contains("cannot copy from stage \"build\", it needs to be defined before current stage \"target\""),
        "{}",
        err.reason
    );

    let copy = "FROM alpine:3.20 AS app\nCOPY --from=assets /a /a\n\nFROM alpine:3.20 AS assets\nRUN make\n\nFROM app\n";
    // `parse` alone accepts it: which stages are built depends on the target.
    assert!(parse(copy.as_bytes(), &ParseOptions::default()).is_ok());
    let err = built(copy, None).expect_err("the last stage needs `app`");
    assert_eq!(err.kind, ParseErrorKind::LaterStage);
    assert_eq!(err.line, Some(2));
    assert_eq!(
        err.to_string(),
        "line 2: `COPY --from=assets` copies from a stage defined after this one; BuildKit builds stages in file order, so move that stage above (BuildKit: cannot copy from stage \"assets\", it needs to be defined before current stage \"app\")"
    );
    // A target that does not need `app` builds.
    assert!(built(copy, Some("assets")).is_ok());

    let mount = "FROM alpine:3.20\nRUN --mount=from=later,target=/src make\nFROM alpine:3.20 AS later\nFROM alpine:3.20\nCOPY --from=0 /x /x\n";
    let err =
        built(mount, Some("nope")).expect_err("an unknown target falls back to the last stage");
    assert_eq!((err.kind, err.line), (ParseErrorKind::LaterStage, Some(2)));
    assert!(
        err.reason.ends_with(
            "(BuildKit: cannot mount from stage \"later\" to \"/src\", stage needs to be defined before current command)"
        ),
        "{}",
        err.reason
    );
}

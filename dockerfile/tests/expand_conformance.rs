//! BuildKit's own lexer test data, run against our lexer: one case per line
//! of `shell/envVarTest` and `shell/wordsTest` (vendored unmodified from
//! moby/buildkit, see `tests/data/buildkit-parser/LICENSE-NOTE.txt`).
//!
//! Every failing line is reported (line number, input, expected, got), not
//! just the first.

use std::path::PathBuf;

use tallyman_dockerfile::expand::{Lexer, VarMap};

fn shell_data(name: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests/data/buildkit-parser/shell",
        name,
    ]
    .iter()
    .collect();
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// Lines as Go's `bufio.Scanner` yields them, numbered from 1.
fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line))
}

fn report(file: &str, passed: usize, failures: &[String]) {
    if !failures.is_empty() {
        panic!(
            "{file}: {} of {} cases failed:\n{}",
            failures.len(),
            passed + failures.len(),
            failures.join("\n")
        );
    }
}

/// `P|input|expected` lines, P being A (all platforms), U (unix) or W
/// (windows), expanded with escape `\` in BuildKit's test environment.
#[test]
fn env_var_test() {
    let text = shell_data("envVarTest");
    let env: VarMap = [
        ("PWD", "/home"),
        ("SHELL", "bash"),
        ("KOREAN", "한국어"),
        ("NULL", ""),
    ]
    .into_iter()
    .collect();
    let lexer = Lexer::new('\\');
    let (mut passed, mut windows_only) = (0, Vec::new());
    let mut failures = Vec::new();
    for (number, line) in numbered_lines(&text) {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.trim().split('|').map(str::trim).collect();
        let [platform, input, expected] = fields.as_slice() else {
            failures.push(format!("line {number}: malformed line {line:?}"));
            continue;
        };
        match *platform {
            "A" | "U" => {}
            // Windows compares variable names case-insensitively; tallyman
            // reads Linux images, where names are case-sensitive (the U line
            // of the same case checks that).
            "W" => {
                windows_only.push(number);
                continue;
            }
            other => {
                failures.push(format!("line {number}: unknown platform {other:?}"));
                continue;
            }
        }
        let got = match lexer.process_word(input, &env) {
            Ok(expansion) => expansion.value,
            Err(_) => "error".to_owned(),
        };
        if got == *expected {
            passed += 1;
        } else {
            failures.push(format!(
                "line {number}: input {input:?}\n    expected {expected:?}\n    got      {got:?}"
            ));
        }
    }
    report("envVarTest", passed, &failures);
    println!(
        "envVarTest: {passed} A/U lines pass; W lines skipped (Windows-only): {windows_only:?}"
    );
    assert_eq!(passed, 228, "envVarTest has 226 A and 2 U lines");
}

/// `ENV k=v` lines add to the environment; other lines are
/// `input|word1,word2,...` for word splitting (`error`: must fail).
#[test]
fn words_test() {
    let text = shell_data("wordsTest");
    let lexer = Lexer::new('\\');
    let mut env = VarMap::new();
    let mut passed = 0;
    let mut failures = Vec::new();
    for (number, line) in numbered_lines(&text) {
        if line.starts_with('#') {
            continue;
        }
        if let Some(assignment) = line.strip_prefix("ENV ") {
            env.set_pair(assignment.trim_start_matches(' '));
            continue;
        }
        let Some((input, expected)) = line.split_once('|').filter(|(_, rest)| !rest.contains('|'))
        else {
            failures.push(format!("line {number}: malformed line {line:?}"));
            continue;
        };
        let input = input.trim();
        let expected: Vec<&str> = expected.trim_start_matches(' ').split(',').collect();
        let got = lexer
            .process_words(input, &env)
            .unwrap_or_else(|_| vec!["error".to_owned()]);
        if got == expected {
            passed += 1;
        } else {
            failures.push(format!(
                "line {number}: input {input:?}\n    expected {expected:?}\n    got      {got:?}"
            ));
        }
    }
    report("wordsTest", passed, &failures);
    println!("wordsTest: {passed} lines pass");
    assert_eq!(passed, 24, "wordsTest has 24 cases");
}

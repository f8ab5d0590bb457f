//! Variable references read as BuildKit's lexer reads them: 2,000 random
//! words (`tests/data/lexer-cases.jsonl`), each with the names BuildKit's
//! `frontend/dockerfile/shell` looked up and found unset in an empty
//! environment: the names its UndefinedVar check would report. The
//! generator is `scripts/lexer-cases/main.go`.
//!
//! Special and positional parameters (`$$`, `$1`) are never `ARG`s or
//! `ENV`s and are left out of both sides.

use std::collections::BTreeSet;

use tallyman_policy_correctness::words::{Quotes, references};

#[derive(serde::Deserialize)]
struct Case {
    word: String,
    unmatched: Vec<String>,
}

fn is_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|first| first == '_' || first.is_alphabetic())
}

#[test]
fn every_word_refers_to_what_buildkit_looks_up() {
    let text = include_str!("data/lexer-cases.jsonl");
    let mut failures = Vec::new();
    let mut cases = 0;
    for line in text.lines() {
        let case: Case = serde_json::from_str(line).expect("a case is a JSON object");
        cases += 1;
        let theirs: BTreeSet<&str> = case
            .unmatched
            .iter()
            .map(String::as_str)
            .filter(|name| is_name(name))
            .collect();
        let found = references(&case.word, '\\', Quotes::Processed);
        let ours: BTreeSet<&str> = found.iter().map(|r| r.name.as_str()).collect();
        if ours != theirs {
            failures.push(format!(
                "{}: BuildKit {theirs:?}, tallyman {ours:?}",
                case.word
            ));
        }
    }
    assert_eq!(cases, 2000);
    assert!(
        failures.is_empty(),
        "{} of {cases} words differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

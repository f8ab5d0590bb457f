//! `.dockerignore` matching against BuildKit's own matcher: 3,000 random
//! ignore files and paths (`tests/data/patternmatcher-cases.jsonl`), each
//! with what `moby/patternmatcher`'s `MatchesOrParentMatches` answered,
//! after its `ignorefile.ReadAll` read the lines. The generator is
//! `scripts/patternmatcher-cases/main.go`.

use tallyman_policy_correctness::dockerignore::{parse_patterns, verdict};

#[derive(serde::Deserialize)]
struct Case {
    patterns: Vec<String>,
    path: String,
    excluded: bool,
}

#[test]
fn every_case_matches_as_buildkit_matches() {
    let text = include_str!("data/patternmatcher-cases.jsonl");
    let mut failures = Vec::new();
    let mut cases = 0;
    for line in text.lines() {
        let case: Case = serde_json::from_str(line).expect("a case is a JSON object");
        cases += 1;
        let patterns = parse_patterns(&case.patterns);
        let excluded = verdict(&patterns, &case.path).excluded;
        if excluded != case.excluded {
            failures.push(format!(
                "{:?} on {}: BuildKit {}, tallyman {}",
                case.patterns, case.path, case.excluded, excluded
            ));
        }
    }
    assert_eq!(cases, 3000);
    assert!(
        failures.is_empty(),
        "{} of {cases} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

//! The memo of linted sources changes nothing: every `RUN` of the fixtures
//! and the vendored corpus sample gets the same diagnostics from the
//! linter itself, from the memo's first sight of it, and from the memo
//! when it is already known.

use std::path::{Path, PathBuf};

use tallyman_policy_shell::{lint, memo, runs};
use tallyman_sdk::testing::Check;

fn dockerfiles(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.filter_map(Result::ok).map(|entry| entry.path()) {
        if path.is_dir() {
            dockerfiles(&path, found);
        } else {
            found.push(path);
        }
    }
}

#[test]
fn remembered_diagnostics_are_the_linters_own() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    dockerfiles(&manifest.join("tests/fixtures"), &mut paths);
    dockerfiles(
        &manifest.join("../../dockerfile/tests/data/corpus-sample/files"),
        &mut paths,
    );
    paths.sort();
    memo::clear();
    let mut compared = 0;
    let mut with_diagnostics = 0;
    for path in &paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if tallyman_dockerfile::parse_str(&text).is_err() {
            continue;
        }
        let model = Check::new(&text).model();
        for run in runs(&model) {
            let own = lint::lint_unremembered(&run.script, &run.context());
            let first = lint::lint(&run.script, &run.context());
            let again = lint::lint(&run.script, &run.context());
            assert_eq!(own, first, "{}: {:?}", path.display(), run.script.text);
            assert_eq!(own, again, "{}: {:?}", path.display(), run.script.text);
            compared += 1;
            with_diagnostics += usize::from(!own.is_empty());
        }
    }
    assert!(compared > 200, "only {compared} scripts compared");
    assert!(
        with_diagnostics > 20,
        "only {with_diagnostics} with diagnostics"
    );
    assert!(memo::held_bytes() > 0);
}

#[test]
fn the_memo_stays_within_its_budget() {
    memo::clear();
    let model = Check::new("FROM alpine:3.22\nRUN echo $UNSET\n").model();
    let run = runs(&model).into_iter().next().expect("one RUN");
    let base = run.script.clone();
    // Long comments: much text for the budget, little work for the linter.
    let filler = "x".repeat(10_000);
    for copy in 0..600 {
        let mut script = base.clone();
        script.text = format!("{}\n# {copy} {filler}", base.text);
        let _ = lint::lint(&script, &run.context());
        assert!(memo::held_bytes() <= memo::BUDGET);
    }
}

//! Applying the fixes a policy's findings carry, as `tallyman fix` does, and
//! checking the result again: one call in a rule's fixture test.

use tallyman_dockerfile::edit::apply_fixes;
use tallyman_dockerfile::model as host;

use super::Check;
use crate::model::{Applicability, Edit, Finding};
use crate::policy::Policy;

/// As many passes as `tallyman fix` makes: a fix that enables another is
/// applied on the next pass.
const MAX_PASSES: usize = 5;

/// What fixing a Dockerfile did.
#[derive(Debug, Clone)]
pub struct Fixed {
    /// The text after every pass.
    pub text: String,
    /// The rule id of each fix applied, in the order applied.
    pub applied: Vec<String>,
    /// The findings of a check of the fixed text.
    pub remaining: Vec<Finding>,
}

impl Fixed {
    /// The rule ids of [`remaining`](Fixed::remaining).
    pub fn remaining_rules(&self) -> Vec<&str> {
        self.remaining.iter().map(|f| f.rule_id.as_str()).collect()
    }
}

impl Check {
    /// Applies the safe fixes of `P`'s findings until none applies (at
    /// most five passes), then checks the fixed text again. Panics when the
    /// fixed text no longer parses: a fix must never break a file.
    pub fn fix<P: Policy>(&self) -> Fixed {
        self.fix_with::<P>(false)
    }

    /// As [`fix`](Check::fix), with the unsafe fixes too.
    pub fn fix_unsafe<P: Policy>(&self) -> Fixed {
        self.fix_with::<P>(true)
    }

    fn fix_with<P: Policy>(&self, include_unsafe: bool) -> Fixed {
        let mut current = self.clone();
        let mut applied = Vec::new();
        for _ in 0..MAX_PASSES {
            let findings = current.run::<P>();
            let fixable: Vec<(&str, Vec<host::Edit>)> = findings
                .iter()
                .filter_map(|finding| {
                    let autofix = finding.autofix.as_ref()?;
                    let wanted =
                        include_unsafe || matches!(autofix.applicability, Applicability::Safe);
                    wanted.then(|| (finding.rule_id.as_str(), to_host(&autofix.edits)))
                })
                .collect();
            let (text, taken) =
                apply_fixes(&current.text, fixable.iter().map(|(_, edits)| &edits[..]));
            if taken.is_empty() || text == current.text {
                break;
            }
            applied.extend(taken.iter().map(|&i| fixable[i].0.to_string()));
            current.text = text;
            // Panics (with the parser's reason) when a fix broke the file.
            current.model();
        }
        let remaining = current.run::<P>();
        Fixed {
            text: current.text,
            applied,
            remaining,
        }
    }
}

fn to_host(edits: &[Edit]) -> Vec<host::Edit> {
    edits
        .iter()
        .map(|edit| host::Edit {
            span: host::Span {
                start_line: edit.span.start_line,
                start_column: edit.span.start_column,
                end_line: edit.span.end_line,
                end_column: edit.span.end_column,
            },
            replacement: edit.replacement.clone(),
        })
        .collect()
}

/// The line of a fix fixture that asks for the unsafe fixes too.
const UNSAFE_MARKER: &str = "# unsafe-fixes";

/// A fix fixture, `tests/fixes/<RULE>/<name>.Dockerfile` (read as a
/// [`Fixture`](super::Fixture): `# settings:` and the like apply): applies
/// `P`'s fixes, the unsafe ones too when a line is `# unsafe-fixes`, and
/// panics unless the text changed, still parses, and no finding of `<RULE>`
/// that carried a fix is left. Returns the fixes applied and the fixed
/// text, for a snapshot: with the fixture itself, the file before and after.
pub fn render_fix<P: Policy>(path: &std::path::Path) -> String {
    let fixture = match super::Fixture::load(path) {
        Ok(fixture) => fixture,
        Err(error) => panic!("{}: {error}", path.display()),
    };
    let include_unsafe = fixture
        .check
        .text
        .lines()
        .any(|line| line.trim() == UNSAFE_MARKER);
    let rule = fixture.rule.as_str();
    let before = fixture.check.run::<P>();
    let unfixable_before = before
        .iter()
        .filter(|f| f.rule_id == rule && f.autofix.is_none())
        .count();
    let fixed = fixture.check.fix_with::<P>(include_unsafe);
    assert_ne!(
        fixed.text, fixture.check.text,
        "{}: no fix of {rule} applied",
        fixture.name
    );
    let left = fixed.remaining.iter().filter(|f| f.rule_id == rule).count();
    assert!(
        left <= unfixable_before,
        "{}: {left} findings of {rule} left after fixing (only {unfixable_before} had no fix):\n{}",
        fixture.name,
        fixed.text
    );
    // Carriage returns shown, so that a snapshot says the line endings kept.
    format!(
        "applied: {}\nleft of {rule}: {left}\n---\n{}",
        fixed.applied.join(", "),
        fixed.text.replace('\r', "\\r")
    )
}

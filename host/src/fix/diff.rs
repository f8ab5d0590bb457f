//! `tallyman fix --diff`: what would change, as a unified diff.

use similar::TextDiff;

/// A unified diff of one file, with `a/` and `b/` headers as `git diff`
/// writes them; empty when nothing changed.
pub fn unified_diff(display: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{display}"), &format!("b/{display}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_shows_the_changed_line_with_context() {
        let diff = unified_diff("Dockerfile", "FROM a\nADD x /y\n", "FROM a\nCOPY x /y\n");
        assert_eq!(
            diff,
            "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,2 +1,2 @@\n FROM a\n-ADD x /y\n+COPY x /y\n"
        );
        assert_eq!(unified_diff("Dockerfile", "FROM a\n", "FROM a\n"), "");
    }
}

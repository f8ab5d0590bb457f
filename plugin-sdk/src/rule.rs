//! The rule registry: a rule is declared once, with everything the host
//! shows about it, and a policy's `metadata` is derived from the declarations.

use crate::model::{RuleInfo, Severity};

/// A rule a policy may report.
///
/// Declare rules with [`declare_rule!`](crate::declare_rule), which takes
/// the documentation from the rule's doc comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Stable id: letters then digits (`BI001`).
    pub id: &'static str,
    /// One line, no final period; also the default finding message.
    pub title: &'static str,
    pub severity: Severity,
    /// e.g. `cis-docker-1.6:4.1`, `security`.
    pub tags: &'static [&'static str],
    /// The same check in other tools: `hadolint:DL3007`, `trivy:DS-0001`,
    /// `checkov:CKV_DOCKER_7`, `buildkit:StageNameCasing`, `kics:<query
    /// UUID>`, `dockle:CIS-DI-0001`, `shellcheck:SC2086` (the vocabulary and
    /// what a partial equivalent means: [`equivalents`](crate::equivalents)).
    pub equivalents: &'static [&'static str],
    /// The documentation as Markdown, in ruff's shape: sections
    /// `## What it does`, `## Why is this bad?`, `## Example` and `## Fix`.
    /// As captured from a doc comment, each line may start with one space.
    pub doc: &'static str,
}

/// The heading from which the documentation is help rather than description.
const HELP_HEADING: &str = "## Example";

/// The sections every rule documents, in order.
pub const REQUIRED_SECTIONS: [&str; 4] = [
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Fix",
];

impl Rule {
    /// The documentation as Markdown, with the space each `///` line leaves
    /// removed, and no leading or trailing blank lines: what
    /// `tallyman rule ID` prints.
    pub fn documentation(&self) -> String {
        let lines: Vec<&str> = self
            .doc
            .lines()
            .map(|line| line.strip_prefix(' ').unwrap_or(line).trim_end())
            .collect();
        lines.join("\n").trim_matches('\n').to_string()
    }

    /// The documentation before `## Example`: what the rule does and why.
    pub fn description(&self) -> String {
        let doc = self.documentation();
        match find_heading(&doc, HELP_HEADING) {
            Some(at) => doc.get(..at).unwrap_or(&doc).trim_end().to_string(),
            None => doc,
        }
    }

    /// The documentation from `## Example` on: an example and the fix.
    pub fn help(&self) -> String {
        let doc = self.documentation();
        match find_heading(&doc, HELP_HEADING) {
            Some(at) => doc.get(at..).unwrap_or_default().trim_end().to_string(),
            None => String::new(),
        }
    }

    /// The WIT `rule-info` record. `description` followed by a blank line
    /// and `help` is the whole [`documentation`](Rule::documentation).
    pub fn info(&self) -> RuleInfo {
        RuleInfo {
            id: self.id.to_string(),
            title: self.title.to_string(),
            default_severity: self.severity,
            description: self.description(),
            help: self.help(),
            tags: self.tags.iter().map(|tag| tag.to_string()).collect(),
            equivalents: self.equivalents.iter().map(|e| e.to_string()).collect(),
        }
    }
}

/// Byte offset of a line that is exactly `heading` (outside code blocks).
fn find_heading(doc: &str, heading: &str) -> Option<usize> {
    let mut offset = 0;
    let mut in_code = false;
    for line in doc.split_inclusive('\n') {
        let text = line.trim_end();
        if text.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if !in_code && text == heading {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// Compile-time check of a rule declaration, run by [`declare_rule!`]:
/// a rule without complete documentation does not build.
#[doc(hidden)]
pub const fn check_declaration(id: &str, title: &str, doc: &str) {
    if !is_rule_id(id.as_bytes()) {
        panic!("a rule id is upper-case letters followed by digits, like `BI001`");
    }
    if title.is_empty() {
        panic!("a rule needs a title");
    }
    let doc = doc.as_bytes();
    let mut section = 0;
    let mut from = 0;
    while section < REQUIRED_SECTIONS.len() {
        match find_line(doc, REQUIRED_SECTIONS[section].as_bytes(), from) {
            Some(end) => from = end,
            None => panic!(
                "a rule's doc comment needs the sections `## What it does`, \
                 `## Why is this bad?`, `## Example` and `## Fix`, in that order"
            ),
        }
        section += 1;
    }
}

const fn is_rule_id(id: &[u8]) -> bool {
    let mut i = 0;
    while i < id.len() && id[i].is_ascii_uppercase() {
        i += 1;
    }
    if i == 0 || i == id.len() {
        return false;
    }
    while i < id.len() {
        if !id[i].is_ascii_digit() {
            return false;
        }
        i += 1;
    }
    true
}

/// Finds, at or after byte `from`, a line whose text (after at most one
/// leading space) is `heading`; returns the offset just past it.
const fn find_line(doc: &[u8], heading: &[u8], from: usize) -> Option<usize> {
    let mut start = from;
    while start < doc.len() {
        let mut end = start;
        while end < doc.len() && doc[end] != b'\n' {
            end += 1;
        }
        let mut text = start;
        if text < end && doc[text] == b' ' {
            text += 1;
        }
        let mut trimmed_end = end;
        while trimmed_end > text && doc[trimmed_end - 1] == b' ' {
            trimmed_end -= 1;
        }
        if trimmed_end - text == heading.len() {
            let mut k = 0;
            while k < heading.len() && doc[text + k] == heading[k] {
                k += 1;
            }
            if k == heading.len() {
                return Some(end);
            }
        }
        start = end + 1;
    }
    None
}

/// Declares a rule as a `const` [`Rule`], taking its documentation from
/// the doc comment.
///
/// The doc comment is Markdown with the sections `## What it does`,
/// `## Why is this bad?`, `## Example` and `## Fix`, in that order; the
/// declaration does not compile without them, nor with an id that is not
/// upper-case letters followed by digits. `severity` is a
/// [`Severity`](crate::Severity) variant.
///
/// ```
/// tallyman_sdk::declare_rule! {
///     /// ## What it does
///     /// Checks that ...
///     ///
///     /// ## Why is this bad?
///     /// Because ...
///     ///
///     /// ## Example
///     /// ```dockerfile
///     /// FROM ubuntu
///     /// ```
///     ///
///     /// ## Fix
///     /// ```dockerfile
///     /// FROM ubuntu:24.04
///     /// ```
///     pub const BI001 = {
///         id: "BI001",
///         title: "Base image has no tag or digest",
///         severity: Medium,
///         tags: ["cis-docker-1.6:4.2"],
///         equivalents: ["hadolint:DL3006", "checkov:CKV_DOCKER_7"],
///     };
/// }
/// assert_eq!(BI001.id, "BI001");
/// assert!(BI001.help().starts_with("## Example"));
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis const $name:ident = {
            id: $id:literal,
            title: $title:literal,
            severity: $severity:ident,
            tags: [$($tag:literal),* $(,)?],
            equivalents: [$($equivalent:literal),* $(,)?] $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        $vis const $name: $crate::Rule = $crate::Rule {
            id: $id,
            title: $title,
            severity: $crate::Severity::$severity,
            tags: &[$($tag),*],
            equivalents: &[$($equivalent),*],
            doc: concat!($($doc, "\n"),*),
        };
        const _: () = $crate::__private::check_rule_declaration(
            $id,
            $title,
            concat!($($doc, "\n"),*),
        );
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    declare_rule! {
        /// ## What it does
        /// Flags `FROM` without a tag.
        ///
        /// ## Why is this bad?
        /// The build changes when the
        /// image does.
        ///
        /// ## Example
        /// ```dockerfile
        /// ## Example
        /// FROM ubuntu
        /// ```
        ///
        /// ## Fix
        /// Pin a tag.
        const TE001 = {
            id: "TE001",
            title: "No tag",
            severity: High,
            tags: ["cis-docker-1.6:4.2", "supply-chain"],
            equivalents: ["hadolint:DL3006"],
        };
    }

    #[test]
    fn documentation_loses_the_doc_comment_space() {
        assert_eq!(
            TE001.documentation(),
            "## What it does\nFlags `FROM` without a tag.\n\n## Why is this bad?\n\
             The build changes when the\nimage does.\n\n## Example\n```dockerfile\n\
             ## Example\nFROM ubuntu\n```\n\n## Fix\nPin a tag."
        );
    }

    #[test]
    fn description_and_help_split_at_the_example_heading_outside_code() {
        let info = TE001.info();
        assert_eq!(
            info.description,
            "## What it does\nFlags `FROM` without a tag.\n\n## Why is this bad?\n\
             The build changes when the\nimage does."
        );
        assert_eq!(
            info.help,
            "## Example\n```dockerfile\n## Example\nFROM ubuntu\n```\n\n## Fix\nPin a tag."
        );
        assert_eq!(
            format!("{}\n\n{}", info.description, info.help),
            TE001.documentation()
        );
        assert_eq!(info.default_severity, Severity::High);
        assert_eq!(info.tags, ["cis-docker-1.6:4.2", "supply-chain"]);
        assert_eq!(info.equivalents, ["hadolint:DL3006"]);
    }

    #[test]
    fn rule_ids_are_letters_then_digits() {
        assert!(is_rule_id(b"BI001"));
        assert!(is_rule_id(b"HD1"));
        assert!(!is_rule_id(b"BI"));
        assert!(!is_rule_id(b"001"));
        assert!(!is_rule_id(b"bi001"));
        assert!(!is_rule_id(b"BI-001"));
        assert!(!is_rule_id(b""));
    }

    #[test]
    fn sections_must_all_be_present_in_order() {
        let complete = " ## What it does\n x\n ## Why is this bad?\n ## Example\n ## Fix\n";
        let from = find_line(complete.as_bytes(), b"## Why is this bad?", 0);
        assert!(from.is_some());
        let out_of_order = " ## Fix\n ## Example\n";
        let after_example = find_line(out_of_order.as_bytes(), b"## Example", 0);
        assert_eq!(
            after_example.and_then(|at| find_line(out_of_order.as_bytes(), b"## Fix", at)),
            None
        );
        // A heading must be the whole line.
        assert_eq!(find_line(b" ## Fixes\n", b"## Fix", 0), None);
    }
}

use tallyman_sdk::model::{Instruction, InstructionDetail};
use tallyman_sdk::{Dockerfile, Finding, Span};

use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `MAINTAINER`, in any stage.
    ///
    /// ## Why is this bad?
    /// `MAINTAINER` has been deprecated since Docker 1.13. It sets a legacy
    /// field that tools no longer read, while the OCI label
    /// `org.opencontainers.image.authors` is what registries, scanners and
    /// `docker inspect` show.
    ///
    /// ## Example
    /// ```dockerfile
    /// MAINTAINER Jane Doe <jane@example.com>
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
    /// ```
    ///
    /// `tallyman fix` makes this change (a safe fix) where the `MAINTAINER`
    /// is on one line and its text has no `$` or `\\`.
    pub const HD016 = {
        id: "HD016",
        title: "MAINTAINER is deprecated",
        severity: Info,
        tags: ["style"],
        equivalents: [
            "hadolint:DL4000",
            "trivy:DS-0022",
            "checkov:CKV_DOCKER_6",
            "buildkit:MaintainerDeprecated",
        ],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        let InstructionDetail::Maintainer(author) = &instruction.detail else {
            continue;
        };
        let author = author.trim();
        let unquoted = author
            .strip_prefix('"')
            .and_then(|inner| inner.strip_suffix('"'))
            .unwrap_or(author);
        let label_value = unquoted.replace('"', "\\\"");
        findings.push(
            Finding::at(&HD016, (stage, instruction))
                .message(format!("`MAINTAINER {author}` is deprecated"))
                .fix(format!(
                    "`LABEL org.opencontainers.image.authors=\"{label_value}\"`"
                ))
                .edit(
                    label_place(instruction, unquoted),
                    label(instruction, &label_value),
                ),
        );
    }
}

/// The whole `MAINTAINER` line, when the label says the same: `MAINTAINER`
/// takes its text as it is, a double-quoted label value would expand `$`
/// and undo `\` escapes.
fn label_place(instruction: &Instruction, author: &str) -> Option<Span> {
    if author.contains(['$', '\\']) {
        return None;
    }
    instruction.whole_span()
}

fn label(instruction: &Instruction, value: &str) -> String {
    format!(
        "{} org.opencontainers.image.authors=\"{value}\"",
        instruction.in_keyword_case("LABEL")
    )
}

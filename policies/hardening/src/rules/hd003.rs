use tallyman_sdk::model::Instruction;
use tallyman_sdk::{Dockerfile, Finding, Span};

use crate::settings::Settings;
use crate::sources::{Source, classify};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `ADD` instructions whose sources are all local files or
    /// directories (or heredocs) that `ADD` copies as they are: there,
    /// `COPY` does the same thing. `ADD` of a URL, a Git repository or a
    /// local archive (`.tar`, `.tar.gz`, `.tgz`, `.tar.xz`, ...), which
    /// `ADD` unpacks, is left alone, and so is a source that holds a
    /// variable the file does not resolve.
    ///
    /// ## Why is this bad?
    /// `ADD` has side effects `COPY` does not: it unpacks anything that
    /// looks like an archive and fetches URLs. Using it for plain files
    /// hides which of those the author meant, and a file later renamed to
    /// `.tar.gz` is silently unpacked. `COPY` says exactly what happens.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD requirements.txt /app/
    /// ADD src/ /app/src/
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// COPY requirements.txt /app/
    /// COPY src/ /app/src/
    /// ```
    ///
    /// `tallyman fix` changes the keyword (a safe fix), unless the `ADD` has
    /// a flag `COPY` does not take (`--checksum`, `--keep-git-dir`, `--unpack`).
    pub const HD003 = {
        id: "HD003",
        title: "ADD used where COPY would do",
        severity: Low,
        tags: ["cis-docker-1.6:4.9", "security"],
        equivalents: ["hadolint:DL3020", "trivy:DS-0005", "checkov:CKV_DOCKER_4"],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        let Some(add) = instruction.as_add() else {
            continue;
        };
        let all_local = !add.sources.is_empty()
            && add
                .sources
                .iter()
                .all(|source| classify(source) == Source::Local);
        if !all_local {
            continue;
        }
        findings.push(
            Finding::at(&HD003, (stage, instruction))
                .message(format!(
                    "`ADD {}` copies local files: `COPY` does the same without unpacking or \
                     fetching anything",
                    add.sources.join(" ")
                ))
                .fix(format!(
                    "`COPY {} {}`",
                    add.sources.join(" "),
                    add.destination
                ))
                .edit(
                    copy_keyword(instruction),
                    instruction.in_keyword_case("COPY"),
                ),
        );
    }
}

/// Flags `ADD` takes and `COPY` does not: with one of them the keyword
/// alone cannot change.
const ADD_ONLY_FLAGS: &[&str] = &["checksum", "keep-git-dir", "unpack"];

/// Where `ADD` becomes `COPY`: its keyword, unless a flag only `ADD` has
/// is written.
fn copy_keyword(instruction: &Instruction) -> Option<Span> {
    let add_only = instruction
        .flags
        .iter()
        .any(|flag| ADD_ONLY_FLAGS.contains(&flag.name.as_str()));
    if add_only {
        return None;
    }
    instruction.keyword_span()
}

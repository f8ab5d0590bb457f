use tallyman_sdk::{Dockerfile, Finding};

use crate::settings::Settings;
use crate::sources::{Source, classify, git_pinned_to_commit};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `ADD` of a remote file (`http://`, `https://`) without
    /// `--checksum`, and `ADD` of a Git repository at a branch or tag
    /// rather than a commit, without `--checksum`.
    ///
    /// ## Why is this bad?
    /// Whatever the server returns on the day of the build goes into the
    /// image: a compromised or changed download changes the image without a
    /// change to the Dockerfile, and nothing fails. `--checksum=sha256:...`
    /// makes BuildKit verify the file and fail the build on a mismatch; a
    /// Git commit id fixes the content the same way.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD https://github.com/krallin/tini/releases/download/v0.19.0/tini /tini
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// ADD --checksum=sha256:93dcc18adc78c65a028a84799ecf8ad40c936fdfc5f2a57b1acda5a8117fa82c \
    ///     https://github.com/krallin/tini/releases/download/v0.19.0/tini /tini
    /// ```
    pub const HD004 = {
        id: "HD004",
        title: "ADD of a remote file without --checksum",
        severity: Medium,
        tags: ["cis-docker-1.6:4.11", "security", "supply-chain"],
        equivalents: [],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        let Some(add) = instruction.as_add() else {
            continue;
        };
        if add.checksum.is_some() {
            continue;
        }
        for source in &add.sources {
            let message = match classify(source) {
                Source::Url => format!(
                    "`ADD {source}` downloads a file without checking it: nothing fails if \
                     the server returns something else"
                ),
                Source::Git if !git_pinned_to_commit(source) => {
                    format!("`ADD {source}` fetches a branch or tag, whose content can change")
                }
                _ => continue,
            };
            findings.push(
                Finding::at(&HD004, (stage, instruction))
                    .message(message)
                    .fix(
                        "add `--checksum=sha256:<digest of the file>` (for Git, the commit id), \
                          or pin a Git source to a commit: `<url>#<commit>`",
                    ),
            );
        }
    }
}

use tallyman_sdk::model::{Applicability, Edit};
use tallyman_sdk::{Dockerfile, Finding};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags an instruction continued with `\` (or the `# escape=`
    /// character) over a line that is empty or only blanks, once per
    /// instruction (as BuildKit warns); the message names every such line.
    ///
    /// A comment line inside the continuation is not empty: it is the
    /// accepted way to space out a long instruction. Lines of a heredoc body
    /// are not continuation lines.
    ///
    /// ## Why is this bad?
    /// BuildKit still joins the lines around an empty one, but warns that
    /// "empty continuation lines will become errors in a future release":
    /// the file will stop building with a newer Dockerfile frontend. An
    /// empty line also reads as the end of the instruction, which it is not,
    /// so the line after it is easily taken for a new one.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apk add --no-cache \
    ///
    ///     curl \
    ///     git
    /// ```
    ///
    /// ## Fix
    /// Delete the empty line, or make it a comment:
    /// ```dockerfile
    /// RUN apk add --no-cache \
    ///     # tools the build scripts call
    ///     curl \
    ///     git
    /// ```
    ///
    /// `tallyman fix` deletes the empty lines (safe: BuildKit joins the
    /// lines around them as if they were not there).
    pub const ST002 = {
        id: "ST002",
        title: "Empty line inside a continued instruction",
        severity: Low,
        tags: ["style"],
        equivalents: ["buildkit:NoEmptyContinuation"],
    };
}

pub fn check(dockerfile: &Dockerfile, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.every_instruction() {
        let lines = &instruction.empty_continuation_lines;
        let Some(&first) = lines.first() else {
            continue;
        };
        let keyword = &instruction.keyword_written;
        let message = match lines.as_slice() {
            [_] => format!("line {first} is empty inside this continued `{keyword}`"),
            more => {
                let numbers: Vec<String> = more.iter().map(u32::to_string).collect();
                format!(
                    "lines {} are empty inside this continued `{keyword}`",
                    numbers.join(", ")
                )
            }
        };
        let finding = match stage {
            Some(stage) => Finding::at(&ST002, (stage, instruction)),
            None => Finding::at(&ST002, instruction),
        };
        findings.push(
            finding
                .message(message)
                .fix("delete the empty line, or turn it into a comment")
                .fix_edits(
                    Applicability::Safe,
                    lines.iter().map(|&line| Edit::delete_lines(line, line)),
                ),
        );
    }
}

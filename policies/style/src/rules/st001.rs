use tallyman_sdk::model::Instruction;
use tallyman_sdk::{Dockerfile, Finding};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags instruction keywords that are not written in the case most of
    /// the file's keywords use: a `copy` among `COPY`s, a `FROM` in a file
    /// of lower case instructions, and any keyword that mixes cases (`From`,
    /// `EntryPoint`) whatever the rest of the file does.
    ///
    /// As BuildKit's check: the keywords written all in lower case and all
    /// in upper case are counted, and lower case is the file's case only
    /// when it has strictly more of them (a tie is upper case). Unlike
    /// BuildKit, which skips them, the `ARG`s before the first `FROM` are
    /// counted and checked too. The keyword of an `ONBUILD` trigger is not
    /// (neither does BuildKit).
    ///
    /// ## Why is this bad?
    /// Keywords are case-insensitive, so the build is the same; but a file
    /// that mixes cases is harder to scan and to search (`grep '^RUN'` misses
    /// a `run`), and `docker build` prints a warning for each such keyword.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.22
    /// run apk add --no-cache curl
    /// EntryPoint ["curl"]
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM alpine:3.22
    /// RUN apk add --no-cache curl
    /// ENTRYPOINT ["curl"]
    /// ```
    ///
    /// `tallyman fix` writes each keyword in the case most are in (safe:
    /// BuildKit reads keywords in any case).
    pub const ST001 = {
        id: "ST001",
        title: "Instruction keywords are not all in one case",
        severity: Info,
        tags: ["style"],
        equivalents: ["buildkit:ConsistentInstructionCasing"],
    };
}

/// The case a keyword is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Lower,
    Upper,
    Mixed,
}

fn case_of(keyword: &str) -> Case {
    if keyword == keyword.to_lowercase() {
        Case::Lower
    } else if keyword == keyword.to_uppercase() {
        Case::Upper
    } else {
        Case::Mixed
    }
}

pub fn check(dockerfile: &Dockerfile, findings: &mut Vec<Finding>) {
    let written: Vec<(Option<u32>, &Instruction)> = dockerfile
        .every_instruction()
        .map(|(stage, instruction)| (stage.map(|stage| stage.index), instruction))
        .collect();
    let count = |case: Case| {
        written
            .iter()
            .filter(|(_, instruction)| case_of(&instruction.keyword_written) == case)
            .count()
    };
    let majority = if count(Case::Lower) > count(Case::Upper) {
        Case::Lower
    } else {
        Case::Upper
    };
    for (stage, instruction) in written {
        let keyword = instruction.keyword_written.as_str();
        let case = case_of(keyword);
        if case == majority {
            continue;
        }
        let (expected, name) = match majority {
            Case::Lower => (keyword.to_lowercase(), "lower"),
            _ => (keyword.to_uppercase(), "upper"),
        };
        let message = if case == Case::Mixed {
            format!(
                "`{keyword}` mixes upper and lower case; most instructions here are in {name} case"
            )
        } else {
            format!("`{keyword}` is not in {name} case, as most instructions here are")
        };
        let finding = Finding::at(&ST001, instruction)
            .message(message)
            .fix(format!("write `{expected}`"))
            .edit(instruction.keyword_span(), expected);
        findings.push(match stage {
            Some(index) => finding.stage(index),
            None => finding,
        });
    }
}

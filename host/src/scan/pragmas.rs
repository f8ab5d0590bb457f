//! Inline pragmas: `# tallyman ignore=ID[,ID]` on the line(s) right above an
//! instruction silences those rules for that instruction;
//! `# tallyman global ignore=ID[,ID]` anywhere silences them for the file.
//! Other tools' pragmas are read too ([`super::foreign`]).

use serde::{Deserialize, Serialize};
use tallyman_dockerfile::model::{Dockerfile, Instruction};

use super::foreign::ForeignPragmas;

/// One pragma as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pragma {
    pub line: u32,
    pub global: bool,
    pub rules: Vec<String>,
}

/// The pragmas of one file, resolved to what they cover. (Kept in the
/// result cache with the file's findings.)
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pragmas {
    global: Vec<String>,
    /// (first line, last line, rule ids) of each instruction with a pragma.
    local: Vec<(u32, u32, Vec<String>)>,
    /// Every pragma, for reporting unknown rule ids.
    pub all: Vec<Pragma>,
    /// hadolint's, Checkov's and Trivy's, applied unless turned off.
    pub foreign: ForeignPragmas,
}

/// Reads `tallyman [global] ignore=A,B` from a comment's text (after `#`).
pub fn parse_pragma(text: &str, line: u32) -> Option<Pragma> {
    let rest = text.trim().strip_prefix("tallyman")?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let rest = rest.trim_start();
    let (global, rest) = match rest.strip_prefix("global") {
        Some(after) if after.starts_with(char::is_whitespace) => (true, after.trim_start()),
        _ => (false, rest),
    };
    let ids = rest.strip_prefix("ignore=")?;
    let rules: Vec<String> = ids
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .collect();
    (!rules.is_empty()).then_some(Pragma {
        line,
        global,
        rules,
    })
}

fn instructions(dockerfile: &Dockerfile) -> impl Iterator<Item = &Instruction> {
    dockerfile
        .global_args
        .iter()
        .chain(dockerfile.stages.iter().flat_map(|s| s.instructions.iter()))
}

impl Pragmas {
    pub fn of(dockerfile: &Dockerfile) -> Pragmas {
        let mut pragmas = Pragmas {
            foreign: ForeignPragmas::of(dockerfile),
            ..Pragmas::default()
        };
        for comment in &dockerfile.comments {
            if let Some(pragma) = parse_pragma(&comment.text, comment.line) {
                if pragma.global {
                    pragmas.global.extend(pragma.rules.iter().cloned());
                }
                pragmas.all.push(pragma);
            }
        }
        // A local pragma belongs to the instruction it sits right above:
        // BuildKit attaches the comment lines directly before an
        // instruction to it.
        for instruction in instructions(dockerfile) {
            let ids: Vec<String> = instruction
                .comments
                .iter()
                .filter_map(|text| parse_pragma(text, 0))
                .filter(|p| !p.global)
                .flat_map(|p| p.rules)
                .collect();
            if !ids.is_empty() {
                pragmas
                    .local
                    .push((instruction.span.start_line, instruction.span.end_line, ids));
            }
        }
        pragmas
    }

    /// Whether a finding of `rule` at `line` is silenced.
    pub fn silences(&self, rule: &str, line: Option<u32>) -> bool {
        if self.global.iter().any(|id| id == rule) {
            return true;
        }
        let Some(line) = line else {
            return false;
        };
        self.local.iter().any(|(start, end, ids)| {
            (*start..=*end).contains(&line) && ids.iter().any(|id| id == rule)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tallyman_dockerfile::{LowerOptions, lower, parse_str};

    #[test]
    fn pragma_forms() {
        assert_eq!(
            parse_pragma(" tallyman ignore=HD001,HD007", 3),
            Some(Pragma {
                line: 3,
                global: false,
                rules: vec!["HD001".into(), "HD007".into()]
            })
        );
        assert!(parse_pragma("tallyman global ignore=SEC005", 1).is_some_and(|p| p.global));
        assert_eq!(parse_pragma(" tallymanignore=X", 1), None);
        assert_eq!(parse_pragma(" hadolint ignore=DL3008", 1), None);
        assert_eq!(parse_pragma(" tallyman ignore=", 1), None);
    }

    #[test]
    fn local_pragmas_cover_their_instruction_only() {
        let text = "# tallyman global ignore=BI003\nFROM ubuntu\n# tallyman ignore=HD008\nRUN apt-get update \\\n && echo\nRUN apt-get update\n";
        let df = lower(&parse_str(text).expect("parses"), &LowerOptions::default());
        let pragmas = Pragmas::of(&df);
        assert!(pragmas.silences("BI003", Some(2)));
        assert!(pragmas.silences("BI003", None));
        assert!(pragmas.silences("HD008", Some(4)));
        assert!(pragmas.silences("HD008", Some(5)));
        assert!(!pragmas.silences("HD008", Some(6)));
        assert!(!pragmas.silences("HD009", Some(4)));
        assert_eq!(pragmas.all.len(), 2);
    }
}

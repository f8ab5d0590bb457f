//! What a policy reads of a Dockerfile, and the typed record cut down to it.
//!
//! A policy called with the typed `dockerfile` record (Python, JavaScript:
//! every component without the `encoded` exports) pays for every string and
//! list of it twice over: the host copies each into the guest's memory with
//! a call into the guest's allocator, and the guest's bindings turn each into
//! an object of its language before the policy's code runs. A policy that
//! looks at two instruction kinds pays for all of them.
//!
//! A policy declares what it reads with rule tags, as it declares the
//! targets a rule concerns: `reads:RUN`, `reads:EXPOSE` (an instruction
//! keyword), `reads:comments` (the file's comments and those above each
//! instruction), `reads:build-context` (the `.dockerignore`). The policy
//! reads the union of its rules' tags; one rule that may check Dockerfiles
//! and has no `reads:` tag means the policy reads everything, which is what
//! a policy that declares nothing gets.
//!
//! An instruction of a kind the policy does not read is handed as a
//! placeholder: its keyword (as written too) and span, nothing else, and the
//! detail `other`. Placeholders keep every instruction at its place in its
//! stage, so the first instruction is still the stage's `FROM` and an
//! instruction's position means the same; lines, stage indexes, the target
//! stage and each stage's own fields (name, base, platform, span) are handed
//! whatever the policy declares.

use std::collections::BTreeSet;
use std::fmt;

use tallyman_dockerfile::model;

use super::bindings::wit;
use super::convert::ToWit;

/// The prefix of the rule tags that declare what a policy reads.
pub const READS_TAG_PREFIX: &str = "reads:";

/// The instruction keywords a policy may declare, as BuildKit names them.
pub const INSTRUCTION_KEYWORDS: &[&str] = &[
    "FROM",
    "RUN",
    "CMD",
    "ENTRYPOINT",
    "SHELL",
    "COPY",
    "ADD",
    "ENV",
    "LABEL",
    "ARG",
    "EXPOSE",
    "USER",
    "WORKDIR",
    "VOLUME",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "ONBUILD",
    "MAINTAINER",
];

/// The parts of a Dockerfile other than instructions a policy may declare.
const COMMENTS: &str = "comments";
const BUILD_CONTEXT: &str = "build-context";

/// The parts of a Dockerfile a policy reads, when it declared them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reads {
    /// Upper-case keywords whose instructions are handed in full.
    keywords: BTreeSet<&'static str>,
    comments: bool,
    build_context: bool,
}

impl fmt::Display for Reads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<&str> = self.keywords.iter().copied().collect();
        if self.comments {
            parts.push(COMMENTS);
        }
        if self.build_context {
            parts.push(BUILD_CONTEXT);
        }
        f.write_str(&parts.join(", "))
    }
}

impl Reads {
    /// What a policy reads of Dockerfiles, from its rules' tags: `None`
    /// when it reads everything (some rule that may check Dockerfiles
    /// declares nothing), an error naming the tag when a `reads:` tag names
    /// no part of the model.
    pub fn declared(info: &model::PolicyInfo) -> Result<Option<Reads>, String> {
        let mut reads = Reads::default();
        let mut reads_everything = false;
        for rule in &info.rules {
            let mut declared = false;
            for tag in &rule.tags {
                let Some(part) = tag.strip_prefix(READS_TAG_PREFIX) else {
                    continue;
                };
                reads.add(part).map_err(|known| {
                    format!(
                        "rule `{}`: the tag `{tag}` names no part of the model (known: {known})",
                        rule.id
                    )
                })?;
                declared = true;
            }
            let image_only = rule.tags.iter().any(|t| t == super::TARGET_IMAGE_TAG);
            if !declared && !image_only {
                reads_everything = true;
            }
        }
        Ok((!reads_everything).then_some(reads))
    }

    /// Adds one declared part; on an unknown one, the list of known parts.
    fn add(&mut self, part: &str) -> Result<(), String> {
        if let Some(keyword) = INSTRUCTION_KEYWORDS
            .iter()
            .find(|keyword| keyword.eq_ignore_ascii_case(part))
        {
            self.keywords.insert(keyword);
            return Ok(());
        }
        match part {
            COMMENTS => self.comments = true,
            BUILD_CONTEXT => self.build_context = true,
            _ => {
                return Err(format!(
                    "{}, {COMMENTS}, {BUILD_CONTEXT}",
                    INSTRUCTION_KEYWORDS.join(", ")
                ));
            }
        }
        Ok(())
    }

    fn reads_instruction(&self, instruction: &model::Instruction) -> bool {
        self.keywords.contains(instruction.keyword.as_str())
    }

    /// The typed record of `dockerfile` with only what this policy reads.
    pub fn dockerfile(&self, dockerfile: &model::Dockerfile) -> wit::Dockerfile {
        let comments = if self.comments {
            dockerfile.comments.to_wit()
        } else {
            Vec::new()
        };
        let build_context = if self.build_context {
            dockerfile.build_context.to_wit()
        } else {
            wit::BuildContext {
                dockerignore_path: None,
                dockerignore_patterns: Vec::new(),
            }
        };
        wit::Dockerfile {
            path: dockerfile.path.clone(),
            directives: dockerfile.directives.to_wit(),
            escape_char: dockerfile.escape_char.clone(),
            comments,
            global_args: self.instructions(&dockerfile.global_args),
            stages: dockerfile
                .stages
                .iter()
                .map(|stage| wit::Stage {
                    index: stage.index,
                    name: stage.name.clone(),
                    base: stage.base.to_wit(),
                    platform: stage.platform.clone(),
                    span: stage.span.to_wit(),
                    instructions: self.instructions(&stage.instructions),
                })
                .collect(),
            target_stage: dockerfile.target_stage,
            build_context,
            line_count: dockerfile.line_count,
            evaluated_on: dockerfile.evaluated_on.clone(),
        }
    }

    fn instructions(&self, instructions: &[model::Instruction]) -> Vec<wit::Instruction> {
        instructions
            .iter()
            .map(|instruction| {
                if !self.reads_instruction(instruction) {
                    return placeholder(instruction);
                }
                let mut typed = instruction.to_wit();
                if !self.comments {
                    typed.comments = Vec::new();
                }
                typed
            })
            .collect()
    }
}

/// An instruction the policy does not read: where it is and what it is
/// called, nothing more.
fn placeholder(instruction: &model::Instruction) -> wit::Instruction {
    wit::Instruction {
        keyword: instruction.keyword.clone(),
        keyword_written: instruction.keyword_written.clone(),
        original: String::new(),
        span: instruction.span.to_wit(),
        flags: Vec::new(),
        args: Vec::new(),
        heredocs: Vec::new(),
        comments: Vec::new(),
        empty_continuation_lines: Vec::new(),
        detail: wit::InstructionDetail::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(rules: &[(&str, &[&str])]) -> model::PolicyInfo {
        model::PolicyInfo {
            name: "p".into(),
            version: "1".into(),
            description: String::new(),
            rules: rules
                .iter()
                .map(|(id, tags)| model::RuleInfo {
                    id: id.to_string(),
                    title: String::new(),
                    default_severity: model::Severity::Medium,
                    description: String::new(),
                    help: String::new(),
                    tags: tags.iter().map(|t| t.to_string()).collect(),
                    equivalents: Vec::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn the_union_of_the_rules_declarations_is_read() {
        let reads = Reads::declared(&info(&[
            ("A", &["security", "reads:RUN"]),
            ("B", &["reads:expose", "reads:build-context"]),
        ]))
        .expect("known parts")
        .expect("every rule declares");
        assert_eq!(reads.to_string(), "EXPOSE, RUN, build-context");
    }

    #[test]
    fn one_rule_declaring_nothing_reads_everything() {
        let declared = Reads::declared(&info(&[("A", &["reads:RUN"]), ("B", &["security"])]));
        assert_eq!(declared, Ok(None));
        assert_eq!(Reads::declared(&info(&[])), Ok(Some(Reads::default())));
    }

    #[test]
    fn an_image_only_rule_reads_no_dockerfile() {
        let declared = Reads::declared(&info(&[("A", &["reads:LABEL"]), ("B", &["target:image"])]));
        assert_eq!(
            declared.map(|r| r.map(|r| r.to_string())),
            Ok(Some("LABEL".into()))
        );
    }

    #[test]
    fn a_tag_naming_no_part_of_the_model_is_refused() {
        let error = Reads::declared(&info(&[("A", &["reads:RUNS"])])).expect_err("no such part");
        assert!(
            error.starts_with(
                "rule `A`: the tag `reads:RUNS` names no part of the model (known: FROM, RUN,"
            ),
            "{error}"
        );
    }
}

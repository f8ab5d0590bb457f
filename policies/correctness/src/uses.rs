//! Where BuildKit itself expands variables in an instruction, as listed by
//! its `Expand` methods (`frontend/dockerfile/instructions/commands.go`)
//! and its converter (`dockerfile2llb/convert.go`): the words whose
//! unset variables its UndefinedVar check reports. The shell expands the
//! rest (`RUN`, `CMD`, `ENTRYPOINT`), and `COPY --from`, `SHELL`, `ONBUILD`
//! and exec-form commands are never expanded.

use tallyman_sdk::model::{Instruction, InstructionDetail};

use crate::words::{Quotes, Reference, references};

/// One variable reference and the instruction part it sits in.
pub struct Use {
    pub reference: Reference,
    /// For an `ENV`: the index of the assignment it is in; references in
    /// later assignments of the statement still see the values from
    /// before it.
    pub env_assignment: Option<usize>,
    /// For an `ARG`: the names the same statement declared before it.
    pub arg_position: Option<usize>,
    /// In the body of a `COPY <<EOF` heredoc, which BuildKit expands when
    /// the delimiter is not quoted.
    pub in_heredoc: bool,
}

/// Every variable reference BuildKit expands in `instruction`.
pub fn variable_uses(instruction: &Instruction, escape: char) -> Vec<Use> {
    let mut uses = Vec::new();
    let mut add = |word: &str, quotes: Quotes, env: Option<usize>, arg: Option<usize>| {
        for reference in references(word, escape, quotes) {
            uses.push(Use {
                reference,
                env_assignment: env,
                arg_position: arg,
                in_heredoc: quotes == Quotes::Literal,
            });
        }
    };
    match &instruction.detail {
        InstructionDetail::Env(assignments) => {
            for (index, assignment) in assignments.iter().enumerate() {
                add(&assignment.raw, Quotes::Processed, Some(index), None);
            }
        }
        InstructionDetail::Label(assignments) => {
            for assignment in assignments {
                add(&assignment.raw, Quotes::Processed, None, None);
            }
        }
        InstructionDetail::Arg(_) => {
            for (index, word) in instruction.args.iter().enumerate() {
                if let Some((_, default)) = word.split_once('=') {
                    add(default, Quotes::Processed, None, Some(index));
                }
            }
        }
        InstructionDetail::Copy(_) | InstructionDetail::Add(_) => {
            for word in &instruction.args {
                add(word, Quotes::Processed, None, None);
            }
            for flag in &instruction.flags {
                let expanded = matches!(flag.name.as_str(), "chown" | "chmod" | "checksum");
                if let (true, Some(value)) = (expanded, &flag.value) {
                    add(value, Quotes::Processed, None, None);
                }
            }
            for heredoc in instruction.heredocs.iter().filter(|heredoc| heredoc.expand) {
                add(&heredoc.content, Quotes::Literal, None, None);
            }
        }
        InstructionDetail::Run(_) => {
            for flag in instruction.flags.iter().filter(|flag| flag.name == "mount") {
                if let Some(value) = &flag.value {
                    add(value, Quotes::Processed, None, None);
                }
            }
        }
        InstructionDetail::Workdir(_)
        | InstructionDetail::User(_)
        | InstructionDetail::Volume(_)
        | InstructionDetail::Stopsignal(_)
        | InstructionDetail::Expose(_) => {
            for word in &instruction.args {
                add(word, Quotes::Processed, None, None);
            }
        }
        _ => {}
    }
    uses
}

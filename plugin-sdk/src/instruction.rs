//! Typed access to an instruction's detail, without matching on
//! [`InstructionDetail`] in every rule.

use crate::model::{
    ArgDeclaration, Assignment, CommandLine, CopyInstruction, Flag, FromInstruction,
    HealthcheckInstruction, ImageReference, Instruction, InstructionDetail, OnbuildTrigger,
    PortSpec, RunInstruction, SimpleCommand, UserInstruction,
};

impl Instruction {
    /// The keyword is `keyword`, in any case (`instruction.is("run")`).
    pub fn is(&self, keyword: &str) -> bool {
        self.keyword.eq_ignore_ascii_case(keyword)
    }

    /// The first line of the instruction.
    pub fn line(&self) -> u32 {
        self.span.start_line
    }

    pub fn as_from(&self) -> Option<&FromInstruction> {
        match &self.detail {
            InstructionDetail::From(from) => Some(from),
            _ => None,
        }
    }

    pub fn as_run(&self) -> Option<&RunInstruction> {
        match &self.detail {
            InstructionDetail::Run(run) => Some(run),
            _ => None,
        }
    }

    /// `COPY` only; see [`as_copy_or_add`](Instruction::as_copy_or_add).
    pub fn as_copy(&self) -> Option<&CopyInstruction> {
        match &self.detail {
            InstructionDetail::Copy(copy) => Some(copy),
            _ => None,
        }
    }

    /// `ADD` only.
    pub fn as_add(&self) -> Option<&CopyInstruction> {
        match &self.detail {
            InstructionDetail::Add(add) => Some(add),
            _ => None,
        }
    }

    /// `COPY` or `ADD`: both put files into the image.
    pub fn as_copy_or_add(&self) -> Option<&CopyInstruction> {
        match &self.detail {
            InstructionDetail::Copy(copy) | InstructionDetail::Add(copy) => Some(copy),
            _ => None,
        }
    }

    /// The command of a `RUN`, `CMD`, `ENTRYPOINT` or `HEALTHCHECK CMD`.
    pub fn command_line(&self) -> Option<&CommandLine> {
        match &self.detail {
            InstructionDetail::Run(run) => Some(&run.command),
            InstructionDetail::Cmd(command) | InstructionDetail::Entrypoint(command) => {
                Some(command)
            }
            InstructionDetail::Healthcheck(healthcheck) => healthcheck.command.as_ref(),
            _ => None,
        }
    }

    /// The simple commands of a `RUN` (empty for other instructions).
    pub fn run_commands(&self) -> &[SimpleCommand] {
        self.as_run()
            .map_or(&[], |run| run.command.commands.as_slice())
    }

    pub fn as_env(&self) -> Option<&[Assignment]> {
        match &self.detail {
            InstructionDetail::Env(assignments) => Some(assignments),
            _ => None,
        }
    }

    pub fn as_label(&self) -> Option<&[Assignment]> {
        match &self.detail {
            InstructionDetail::Label(assignments) => Some(assignments),
            _ => None,
        }
    }

    pub fn as_arg(&self) -> Option<&[ArgDeclaration]> {
        match &self.detail {
            InstructionDetail::Arg(declarations) => Some(declarations),
            _ => None,
        }
    }

    pub fn as_expose(&self) -> Option<&[PortSpec]> {
        match &self.detail {
            InstructionDetail::Expose(ports) => Some(ports),
            _ => None,
        }
    }

    pub fn as_user(&self) -> Option<&UserInstruction> {
        match &self.detail {
            InstructionDetail::User(user) => Some(user),
            _ => None,
        }
    }

    pub fn as_healthcheck(&self) -> Option<&HealthcheckInstruction> {
        match &self.detail {
            InstructionDetail::Healthcheck(healthcheck) => Some(healthcheck),
            _ => None,
        }
    }

    /// The command of a `CMD`.
    pub fn as_cmd(&self) -> Option<&CommandLine> {
        match &self.detail {
            InstructionDetail::Cmd(command) => Some(command),
            _ => None,
        }
    }

    /// The command of an `ENTRYPOINT`.
    pub fn as_entrypoint(&self) -> Option<&CommandLine> {
        match &self.detail {
            InstructionDetail::Entrypoint(command) => Some(command),
            _ => None,
        }
    }

    /// The words of a `SHELL` (`["/bin/bash", "-o", "pipefail", "-c"]`).
    pub fn as_shell(&self) -> Option<&[String]> {
        match &self.detail {
            InstructionDetail::Shell(words) => Some(words),
            _ => None,
        }
    }

    pub fn as_volume(&self) -> Option<&[String]> {
        match &self.detail {
            InstructionDetail::Volume(paths) => Some(paths),
            _ => None,
        }
    }

    pub fn as_onbuild(&self) -> Option<&OnbuildTrigger> {
        match &self.detail {
            InstructionDetail::Onbuild(trigger) => Some(trigger),
            _ => None,
        }
    }

    /// The expanded path of a `WORKDIR`.
    pub fn as_workdir(&self) -> Option<&str> {
        match &self.detail {
            InstructionDetail::Workdir(path) => Some(path),
            _ => None,
        }
    }

    /// The flag `--name`, written in any case.
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .find(|flag| flag.name.eq_ignore_ascii_case(name))
    }

    /// The value of `--name=value`; `None` when absent or bare.
    pub fn flag_value(&self, name: &str) -> Option<&str> {
        self.flag(name).and_then(|flag| flag.value.as_deref())
    }

    /// Every image reference the instruction makes: a `FROM` base, a
    /// `COPY`/`ADD --from`, each `RUN --mount from=`.
    pub fn image_references(&self) -> Vec<&ImageReference> {
        match &self.detail {
            InstructionDetail::From(from) => vec![&from.base],
            InstructionDetail::Copy(copy) | InstructionDetail::Add(copy) => {
                copy.from.iter().collect()
            }
            InstructionDetail::Run(run) => run
                .mounts
                .iter()
                .filter_map(|mount| mount.from.as_ref())
                .collect(),
            _ => Vec::new(),
        }
    }
}

impl CommandLine {
    /// The commands of one pipeline, in order.
    pub fn pipeline(&self, pipeline: u32) -> impl Iterator<Item = &SimpleCommand> {
        self.commands
            .iter()
            .filter(move |command| command.pipeline == pipeline)
    }
}

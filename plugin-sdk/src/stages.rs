//! Stage queries: the final stage, stages by name, and which stages the
//! final one depends on.

use crate::model::{
    CopyInstruction, Dockerfile, ImageReference, ImageSource, Instruction, RunInstruction,
    SimpleCommand, Stage,
};

impl Dockerfile {
    /// The stage with this index.
    pub fn stage(&self, index: u32) -> Option<&Stage> {
        self.stages.iter().find(|stage| stage.index == index)
    }

    /// The first stage named `name`, compared case-insensitively as BuildKit
    /// does.
    pub fn stage_named(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|stage| stage.is_named(name))
    }

    /// The stage that is built.
    ///
    /// `target` is a policy's `target` setting: the stage of that name when
    /// there is one. Otherwise the host's choice (`target-stage`: the scan's
    /// `--target`, or the last stage), then the last stage. A target setting
    /// that names no stage of this file falls back the same way, so that one
    /// setting serves a monorepo whose files don't all have that stage.
    /// `None` only for a file without stages.
    pub fn final_stage(&self, target: Option<&str>) -> Option<&Stage> {
        target
            .and_then(|name| self.stage_named(name))
            .or_else(|| self.stage(self.target_stage))
            .or_else(|| self.stages.last())
    }

    /// More than one stage.
    pub fn is_multi_stage(&self) -> bool {
        self.stages.len() > 1
    }

    /// Every instruction of every stage with its stage, in file order
    /// (global `ARG`s, which belong to no stage, excluded).
    pub fn instructions(&self) -> impl Iterator<Item = (&Stage, &Instruction)> {
        self.stages.iter().flat_map(|stage| stage.instructions())
    }

    /// Every simple command of every `RUN`, with its stage and instruction.
    pub fn run_commands(&self) -> impl Iterator<Item = (&Stage, &Instruction, &SimpleCommand)> {
        self.instructions().flat_map(|(stage, instruction)| {
            instruction
                .run_commands()
                .iter()
                .map(move |command| (stage, instruction, command))
        })
    }

    /// The stage an image reference points at, if it points at one.
    pub fn referenced_stage(&self, reference: &ImageReference) -> Option<&Stage> {
        reference.stage_index().and_then(|index| self.stage(index))
    }

    /// The stages `stage` uses directly: its base, `COPY --from` and
    /// `RUN --mount from=` sources that are stages. Sorted, without
    /// duplicates, and never `stage` itself.
    pub fn stage_dependencies(&self, stage: &Stage) -> Vec<u32> {
        let mut dependencies: Vec<u32> = std::iter::once(&stage.base)
            .chain(
                stage
                    .instructions
                    .iter()
                    .skip(1)
                    .flat_map(|instruction| instruction.image_references()),
            )
            .filter_map(ImageReference::stage_index)
            .filter(|&index| index != stage.index)
            .collect();
        dependencies.sort_unstable();
        dependencies.dedup();
        dependencies
    }

    /// The stages building `stage` needs, `stage` included: everything
    /// reachable through bases, `COPY --from` and `RUN --mount from=`.
    /// Sorted by index. Use it with [`final_stage`](Dockerfile::final_stage)
    /// to tell builder stages that matter from dead ones.
    pub fn stages_needed_by(&self, stage: &Stage) -> Vec<u32> {
        let mut needed = vec![stage.index];
        let mut pending = vec![stage];
        while let Some(current) = pending.pop() {
            for index in self.stage_dependencies(current) {
                if needed.contains(&index) {
                    continue;
                }
                needed.push(index);
                if let Some(dependency) = self.stage(index) {
                    pending.push(dependency);
                }
            }
        }
        needed.sort_unstable();
        needed
    }

    /// Every instruction with its stage, global `ARG`s (stage `None`)
    /// first: for rules about anything written in the file.
    pub fn every_instruction(&self) -> impl Iterator<Item = (Option<&Stage>, &Instruction)> {
        self.global_args
            .iter()
            .map(|instruction| (None, instruction))
            .chain(
                self.instructions()
                    .map(|(stage, instruction)| (Some(stage), instruction)),
            )
    }

    /// `stage`, then the stage it is built on (`FROM builder`), and so on
    /// up the chain: what a stage inherits `USER`, `ENV`, `SHELL`,
    /// `HEALTHCHECK`, `CMD` and `ENTRYPOINT` from.
    pub fn ancestry<'a>(&'a self, stage: &'a Stage) -> Vec<&'a Stage> {
        let mut chain = vec![stage];
        let mut current = stage;
        while let Some(parent) = self.referenced_stage(&current.base) {
            if chain.iter().any(|seen| seen.index == parent.index) {
                break;
            }
            chain.push(parent);
            current = parent;
        }
        chain
    }

    /// The last instruction with this keyword that applies to `stage`: in
    /// the stage itself, or else in the stages it is built on. `USER`,
    /// `SHELL`, `HEALTHCHECK`, `CMD`, `ENTRYPOINT` and `WORKDIR` carry over
    /// from a parent stage to its children.
    pub fn inherited_instruction<'a>(
        &'a self,
        stage: &'a Stage,
        keyword: &str,
    ) -> Option<(&'a Stage, &'a Instruction)> {
        self.ancestry(stage).into_iter().find_map(|ancestor| {
            ancestor
                .last_instruction_with(keyword)
                .map(|instruction| (ancestor, instruction))
        })
    }

    /// The value an `ENV` gives `name` before line `line` of `stage`,
    /// looking up the stages it is built on too. Values are as the model
    /// expanded them.
    pub fn env_before<'a>(&'a self, stage: &'a Stage, line: u32, name: &str) -> Option<&'a str> {
        for (depth, ancestor) in self.ancestry(stage).into_iter().enumerate() {
            // The last assignment wins: search backwards.
            let value = ancestor
                .instructions
                .iter()
                .rev()
                .filter(|instruction| depth > 0 || instruction.line() < line)
                .filter_map(|instruction| instruction.as_env())
                .flat_map(|assignments| assignments.iter().rev())
                .find(|assignment| assignment.key == name);
            if let Some(assignment) = value {
                return Some(&assignment.value);
            }
        }
        None
    }

    /// The image a stage is ultimately built on, following bases that are
    /// earlier stages (`FROM builder`): the reference of the first base that
    /// is not a stage (an image, `scratch`, or unresolved).
    pub fn root_base<'a>(&'a self, stage: &'a Stage) -> &'a ImageReference {
        let mut base = &stage.base;
        // Each step goes to a different stage; more steps than stages means
        // a cycle, which a well-formed model cannot have.
        for _ in 0..self.stages.len() {
            match self.referenced_stage(base) {
                Some(parent) if parent.index != stage.index => base = &parent.base,
                _ => break,
            }
        }
        base
    }
}

impl Stage {
    /// The name after `AS` is `name`, case-insensitively.
    pub fn is_named(&self, name: &str) -> bool {
        self.name
            .as_deref()
            .is_some_and(|own| own.eq_ignore_ascii_case(name))
    }

    /// The name, or the index for an unnamed stage: how to mention the stage
    /// in a message.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("`{name}`"),
            None => format!("#{}", self.index),
        }
    }

    /// The stage's `FROM` instruction.
    pub fn from_instruction(&self) -> Option<&Instruction> {
        self.instructions.first().filter(|first| first.is("FROM"))
    }

    /// The stage's instructions paired with the stage (for
    /// [`Finding::at`](crate::Finding::at)), the `FROM` first.
    pub fn instructions(&self) -> impl Iterator<Item = (&Stage, &Instruction)> {
        self.instructions
            .iter()
            .map(move |instruction| (self, instruction))
    }

    /// The instructions with this keyword (any case).
    pub fn instructions_with<'a>(
        &'a self,
        keyword: &'a str,
    ) -> impl Iterator<Item = &'a Instruction> + 'a {
        self.instructions
            .iter()
            .filter(move |instruction| instruction.is(keyword))
    }

    /// The last instruction with this keyword (any case).
    pub fn last_instruction_with(&self, keyword: &str) -> Option<&Instruction> {
        self.instructions
            .iter()
            .rev()
            .find(|instruction| instruction.is(keyword))
    }

    /// The `RUN`s of the stage.
    pub fn runs(&self) -> impl Iterator<Item = (&Instruction, &RunInstruction)> {
        self.instructions
            .iter()
            .filter_map(|instruction| instruction.as_run().map(|run| (instruction, run)))
    }

    /// The `COPY`s and `ADD`s of the stage.
    pub fn copies(&self) -> impl Iterator<Item = (&Instruction, &CopyInstruction)> {
        self.instructions
            .iter()
            .filter_map(|instruction| instruction.as_copy_or_add().map(|copy| (instruction, copy)))
    }

    /// The stage is based on `scratch`, directly (not through another stage).
    pub fn is_from_scratch(&self) -> bool {
        matches!(self.base.source, ImageSource::Scratch)
    }
}

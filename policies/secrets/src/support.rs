//! What the rules share about stages and files: which stages ship, the
//! working directory and home directory at an instruction, and whether a
//! builder stage's file is copied into a stage that ships.
//!
//! Candidates for the SDK: [`shipping_stages`], [`Walk`] (working
//! directory and user along a stage's ancestry) and [`copied_out`].

use tallyman_sdk::model::{Instruction, InstructionDetail, Stage};
use tallyman_sdk::{Dockerfile, Finding, Rule};

use crate::files::resolve;
use crate::settings::Settings;

/// The stages whose layers make up the image that is built: the final
/// stage and the stages it is built on (`FROM builder`), root first.
/// Stages only copied from (`COPY --from`) are builders: their layers do
/// not ship.
pub fn shipping_stages<'a>(dockerfile: &'a Dockerfile, settings: &Settings) -> Vec<&'a Stage> {
    let Some(last) = dockerfile.final_stage(settings.target.as_deref()) else {
        return Vec::new();
    };
    let mut chain = dockerfile.ancestry(last);
    chain.reverse();
    chain
}

/// A BuildKit secret id for a file: `npmrc` for `/root/.npmrc`.
pub fn secret_id(path: &str) -> String {
    let id: String = crate::files::basename(path)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let id = id.trim_matches('_');
    if id.is_empty() {
        "secret".to_string()
    } else {
        id.to_string()
    }
}

/// A finding at an instruction of a stage, or at a global `ARG` (no stage).
pub fn finding_at(rule: &Rule, stage: Option<&Stage>, instruction: &Instruction) -> Finding {
    match stage {
        Some(stage) => Finding::at(rule, (stage, instruction)),
        None => Finding::at(rule, instruction),
    }
}

/// The instructions of a stage, with the working directory and the user
/// in effect before each, carried over from the stages it is built on.
#[derive(Debug, Clone)]
pub struct Walk {
    pub workdir: String,
    pub user: Option<String>,
}

impl Walk {
    /// The state at the start of `stage` (after its ancestors ran).
    pub fn at_start(dockerfile: &Dockerfile, stage: &Stage) -> Walk {
        let mut walk = Walk {
            workdir: "/".to_string(),
            user: None,
        };
        let mut chain = dockerfile.ancestry(stage);
        chain.reverse();
        for ancestor in chain.iter().take(chain.len().saturating_sub(1)) {
            for instruction in &ancestor.instructions {
                walk.apply(instruction);
            }
        }
        walk
    }

    /// Takes `WORKDIR` and `USER` into account.
    pub fn apply(&mut self, instruction: &Instruction) {
        match &instruction.detail {
            InstructionDetail::Workdir(path) => self.workdir = resolve(&self.workdir, path),
            InstructionDetail::User(user) => self.user = Some(user.user.clone()),
            _ => {}
        }
    }

    /// The home directory of the current user: `/root` for root, the
    /// conventional `/home/<user>` for another.
    pub fn home(&self) -> String {
        match self.user.as_deref() {
            None | Some("root" | "0" | "") => "/root".to_string(),
            Some(user) => format!("/home/{user}"),
        }
    }

    /// A path as a command or instruction of this stage means it:
    /// relative to the working directory, `~` and `$HOME` expanded.
    pub fn resolve(&self, path: &str) -> String {
        let home = self.home();
        // `~` and `~/x` are the user's home; `~other/x` is not ours to guess.
        let expanded = if let Some(rest) = path
            .strip_prefix('~')
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        {
            format!("{home}{rest}")
        } else if let Some(rest) = path
            .strip_prefix("${HOME}")
            .or_else(|| path.strip_prefix("$HOME"))
        {
            format!("{home}{rest}")
        } else {
            path.to_string()
        };
        resolve(&self.workdir, &expanded)
    }
}

/// Where something of builder stage `stage` reaches a stage that ships:
/// the first `COPY --from=<stage>` of a shipping stage with a source (an
/// absolute path in the builder, relative ones from `/`) for which
/// `reaches` holds, with that instruction's stage.
pub fn copied_out<'a>(
    dockerfile: &'a Dockerfile,
    shipping: &[&'a Stage],
    stage: &Stage,
    reaches: impl Fn(&str) -> bool,
) -> Option<(&'a Stage, &'a Instruction)> {
    shipping.iter().find_map(|target| {
        target.copies().find_map(|(instruction, copy)| {
            let from = copy.from.as_ref()?;
            let source_stage = dockerfile.referenced_stage(from)?;
            if source_stage.index != stage.index {
                return None;
            }
            copy.sources
                .iter()
                .any(|source| reaches(&resolve("/", source)))
                .then_some((*target, instruction))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homes_and_paths() {
        let mut walk = Walk {
            workdir: "/app".into(),
            user: None,
        };
        assert_eq!(walk.resolve("~/.npmrc"), "/root/.npmrc");
        assert_eq!(walk.resolve("$HOME/.netrc"), "/root/.netrc");
        assert_eq!(walk.resolve(".env"), "/app/.env");
        assert_eq!(walk.resolve("~"), "/root");
        assert_eq!(walk.resolve("~www/x"), "/app/~www/x");
        walk.user = Some("node".into());
        assert_eq!(walk.resolve("${HOME}/.npmrc"), "/home/node/.npmrc");
    }
}

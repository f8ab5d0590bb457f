//! The download caches of Node's package managers (HD009): which commands
//! fill them, where they are, and what empties them or keeps them out of
//! the layer.

use tallyman_sdk::model::{RunInstruction, SimpleCommand};
use tallyman_sdk::shell::Command;

use crate::commands::{assignments, covers, program};

/// A Node package manager with a download cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeTool {
    /// Yarn 1 keeps its cache in `/usr/local/share/.cache/yarn` (as root)
    /// or `~/.cache/yarn`; Yarn 2+ in `~/.yarn/berry/cache` or the
    /// project's `.yarn/cache`. `yarn cache clean` empties any of them.
    Yarn,
    /// npm keeps every tarball it fetched in `~/.npm/_cacache`.
    Npm,
}

impl NodeTool {
    /// The tool whose cache `command` fills: `yarn`, `yarn install`, `yarn
    /// add`, `yarn global add`; `npm install`/`ci`/`update` (with or
    /// without packages, `-g` included).
    pub fn filled_by(command: &Command<'_>) -> Option<NodeTool> {
        let operands = command.operands();
        match command.program() {
            "yarn" => match operands.as_slice() {
                // A bare `yarn` (flags only) is `yarn install`.
                [] | ["install" | "add", ..] | ["global", "add", ..] => {
                    // `yarn --version` and `yarn --offline` download nothing.
                    let downloads_nothing =
                        command.has_flag(&["--offline", "--version", "-v", "--help", "-h"]);
                    (!downloads_nothing).then_some(NodeTool::Yarn)
                }
                _ => None,
            },
            "npm" => match operands.first() {
                Some(&("install" | "i" | "ci" | "add" | "isntall" | "update" | "up")) => {
                    let offline = command.has_flag(&["--offline"]);
                    (!offline).then_some(NodeTool::Npm)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// The name messages and fixes use.
    pub fn name(self) -> &'static str {
        match self {
            NodeTool::Yarn => "yarn",
            NodeTool::Npm => "npm",
        }
    }

    /// Where the cache is for root, for messages and the cache-mount fix.
    pub fn cache_dir(self) -> &'static str {
        match self {
            NodeTool::Yarn => "/usr/local/share/.cache/yarn",
            NodeTool::Npm => "/root/.npm",
        }
    }

    /// Where the cache is for a user other than root: under `home`
    /// (`/home/node`), or `~` when the home is not known.
    pub fn user_cache_dir(self, home: Option<&str>) -> String {
        let home = home.unwrap_or("~");
        match self {
            NodeTool::Yarn => format!("{home}/.cache/yarn"),
            NodeTool::Npm => format!("{home}/.npm"),
        }
    }

    /// The variable that moves the cache.
    fn cache_variables(self) -> &'static [&'static str] {
        match self {
            NodeTool::Yarn => &["YARN_CACHE_FOLDER"],
            NodeTool::Npm => &["npm_config_cache", "NPM_CONFIG_CACHE"],
        }
    }

    /// The flag that moves the cache for one command.
    fn cache_flags(self) -> &'static [&'static str] {
        match self {
            NodeTool::Yarn => &["--cache-folder"],
            NodeTool::Npm => &["--cache"],
        }
    }

    /// A path of the cache wherever the user's home is: `~/.npm`,
    /// `/home/node/.cache/yarn`, `$HOME/.yarn/berry/cache`, or a parent
    /// of it that holds nothing else the image needs (`~/.cache`).
    fn is_cache_path(self, path: &str) -> bool {
        let path = path.trim_end_matches(['*', '/']);
        let suffixes: &[&str] = match self {
            NodeTool::Yarn => &[
                "/.cache/yarn",
                "/.yarn-cache",
                "/.yarn/berry/cache",
                "/.yarn/cache",
                "/.yarn/berry",
                "/.cache",
            ],
            NodeTool::Npm => &["/.npm", "/.npm/_cacache"],
        };
        suffixes.iter().any(|suffix| {
            path.ends_with(suffix)
                || path == format!("~{suffix}")
                || path == suffix.trim_start_matches('/')
        })
    }

    /// Where the cache is for this command: the flag or variable that
    /// moves it, if any.
    pub fn moved_to<'a>(
        self,
        command: &'a SimpleCommand,
        lookup: impl Fn(&str) -> Option<&'a str>,
    ) -> Option<&'a str> {
        let invocation = program(command);
        if let Some(dir) = invocation.flag_value(self.cache_flags()) {
            return Some(dir);
        }
        let variables = self.cache_variables();
        assignments(command)
            .into_iter()
            .find(|(name, _)| variables.contains(name))
            .map(|(_, value)| value)
            .or_else(|| variables.iter().find_map(|name| lookup(name)))
    }

    /// The `RUN` keeps the cache out of its layer with a cache or tmpfs
    /// mount on it (or on a parent of it).
    pub fn mounted(self, run: &RunInstruction, moved_to: Option<&str>) -> bool {
        run.mounts.iter().any(|mount| {
            let Some(target) = mount.target.as_deref() else {
                return false;
            };
            matches!(mount.kind.as_str(), "cache" | "tmpfs")
                && (self.is_cache_path(target)
                    || covers(target, self.cache_dir())
                    || moved_to.is_some_and(|dir| covers(target, dir)))
        })
    }

    /// A later command empties the cache: `yarn cache clean`, `npm cache
    /// clean --force` (`npm cache clear` before npm 5), or `rm` of the cache directory (or of the directory
    /// the cache was moved to).
    pub fn emptied_by(self, later: &SimpleCommand, moved_to: Option<&str>) -> bool {
        let cleaner = program(later);
        let operands = cleaner.operands();
        if cleaner.is(self.name()) {
            // `npm cache clear` is npm 4's name for it.
            return operands.first() == Some(&"cache")
                && matches!(operands.get(1), Some(&("clean" | "clear" | "rm" | "purge")));
        }
        cleaner.is("rm")
            && operands.iter().any(|operand| {
                let removed = operand.trim_end_matches(['*', '/']);
                self.is_cache_path(removed)
                    || covers(removed, self.cache_dir())
                    || moved_to.is_some_and(|dir| covers(removed, dir))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|word| word.to_string()).collect()
    }

    #[test]
    fn installs_fill_the_cache() {
        let fills = |name: &str, words: &[&str]| {
            let words = args(words);
            NodeTool::filled_by(&Command::new(name, &words))
        };
        assert_eq!(fills("yarn", &[]), Some(NodeTool::Yarn));
        assert_eq!(fills("yarn", &["--frozen-lockfile"]), Some(NodeTool::Yarn));
        assert_eq!(
            fills("yarn", &["global", "add", "serve"]),
            Some(NodeTool::Yarn)
        );
        assert_eq!(fills("yarn", &["build"]), None);
        assert_eq!(fills("yarn", &["--version"]), None);
        assert_eq!(fills("yarn", &["install", "--offline"]), None);
        assert_eq!(fills("npm", &["ci"]), Some(NodeTool::Npm));
        assert_eq!(
            fills("npm", &["install", "-g", "pnpm@9"]),
            Some(NodeTool::Npm)
        );
        assert_eq!(fills("npm", &["run", "build"]), None);
    }

    #[test]
    fn cache_paths_wherever_home_is() {
        assert!(NodeTool::Npm.is_cache_path("/root/.npm"));
        assert!(NodeTool::Npm.is_cache_path("~/.npm/"));
        assert!(NodeTool::Npm.is_cache_path("/home/node/.npm/_cacache"));
        assert!(!NodeTool::Npm.is_cache_path("/usr/lib/node_modules/npm"));
        assert!(NodeTool::Yarn.is_cache_path("/usr/local/share/.cache/yarn/*"));
        assert!(NodeTool::Yarn.is_cache_path("$HOME/.cache"));
        assert!(!NodeTool::Yarn.is_cache_path("/app/.yarnrc"));
    }
}

//! Which variables are visible where, following BuildKit's rules.
//!
//! - `ARG`s before the first `FROM` (meta args) are visible only in `FROM`
//!   lines, together with the automatic platform args.
//! - Inside a stage, an `ARG` makes a variable visible from that line on; an
//!   `ARG` without a default takes the build-arg or meta-arg value of the same
//!   name, if any. `ENV` values are visible from their line on and win over
//!   `ARG`s of the same name.
//! - The base image's own environment is unknown here, so variables that are
//!   not declared in the file stay as written in expanded text.

use crate::expand::Env;

/// Variables in declaration order; a later declaration of a name wins.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vars {
    entries: Vec<Var>,
}

#[derive(Debug, Clone)]
struct Var {
    name: String,
    value: String,
    from_env: bool,
}

impl Vars {
    fn set(&mut self, name: &str, value: &str, from_env: bool) {
        match self.entries.iter_mut().find(|v| v.name == name) {
            Some(var) => {
                var.value = value.to_string();
                var.from_env = from_env;
            }
            None => self.entries.push(Var {
                name: name.to_string(),
                value: value.to_string(),
                from_env,
            }),
        }
    }

    pub(crate) fn insert(&mut self, name: &str, value: &str) {
        self.set(name, value, false);
    }

    fn is_env(&self, name: &str) -> bool {
        self.entries.iter().any(|v| v.name == name && v.from_env)
    }
}

impl Env for Vars {
    fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|v| v.name == name)
            .map(|v| v.value.as_str())
    }
}

/// What [`Scope::meta_env`] sees.
pub(crate) struct MetaEnv<'a> {
    scope: &'a Scope,
}

impl Env for MetaEnv<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        let meta = self.scope.meta.iter().rev().find_map(|(k, v)| match v {
            Some(v) if k == name => Some(v.as_str()),
            _ => None,
        });
        meta.or_else(|| {
            self.scope
                .automatic
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        })
    }
}

/// The automatic platform args BuildKit defines, for a build of `platform`
/// (`os/arch[/variant]`) on a builder of the same platform.
pub(crate) fn automatic_platform_args(platform: &str) -> Vec<(String, String)> {
    let mut parts = platform.splitn(3, '/');
    let os = parts.next().unwrap_or("linux").to_string();
    let arch = parts.next().unwrap_or("amd64").to_string();
    let variant = parts.next().unwrap_or("").to_string();
    let mut args = Vec::with_capacity(8);
    for prefix in ["TARGET", "BUILD"] {
        args.push((format!("{prefix}PLATFORM"), platform.to_string()));
        args.push((format!("{prefix}OS"), os.clone()));
        args.push((format!("{prefix}ARCH"), arch.clone()));
        args.push((format!("{prefix}VARIANT"), variant.clone()));
    }
    args
}

/// The state of variables while walking a Dockerfile top to bottom.
#[derive(Debug, Default)]
pub(crate) struct Scope {
    /// `--build-arg` values given by the caller.
    build_args: Vec<(String, String)>,
    /// Meta args: declared before the first `FROM`, with their resolved value
    /// (None: declared without a value).
    meta: Vec<(String, Option<String>)>,
    automatic: Vec<(String, String)>,
    /// Variables visible in the current stage.
    stage: Vars,
}

impl Scope {
    pub(crate) fn new(build_args: Vec<(String, String)>, platform: &str) -> Scope {
        Scope {
            build_args,
            meta: Vec::new(),
            automatic: automatic_platform_args(platform),
            stage: Vars::default(),
        }
    }

    fn build_arg(&self, name: &str) -> Option<&str> {
        self.build_args
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Variables visible to a meta `ARG`'s default and to `FROM` lines: the
    /// meta args with a value over the automatic platform args, the later
    /// declaration of a name winning (read in place, not copied).
    pub(crate) fn meta_env(&self) -> MetaEnv<'_> {
        MetaEnv { scope: self }
    }

    /// Declares a meta `ARG`; a build arg overrides its default.
    pub(crate) fn declare_meta(&mut self, name: &str, default: Option<String>) {
        let value = self.build_arg(name).map(str::to_string).or(default);
        self.meta.push((name.to_string(), value));
    }

    /// Starts a new stage: nothing declared in the previous one is visible.
    pub(crate) fn enter_stage(&mut self) {
        self.stage = Vars::default();
    }

    /// Variables visible to instructions of the current stage.
    pub(crate) fn stage_env(&self) -> &Vars {
        &self.stage
    }

    /// Declares an `ARG` inside a stage. Its value is the build arg, else the
    /// default written here, else the meta arg's value, else the automatic
    /// platform arg of that name.
    pub(crate) fn declare_stage_arg(&mut self, name: &str, default: Option<String>) {
        let value = self
            .build_arg(name)
            .map(str::to_string)
            .or(default)
            .or_else(|| {
                self.meta
                    .iter()
                    .rev()
                    .find(|(k, _)| k == name)
                    .and_then(|(_, v)| v.clone())
            })
            .or_else(|| {
                self.automatic
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            });
        if let Some(value) = value {
            // ENV wins over ARG: an ARG does not replace an ENV of the same name.
            if !self.stage.is_env(name) {
                self.stage.insert(name, &value);
            }
        }
    }

    pub(crate) fn set_env(&mut self, name: &str, value: &str) {
        self.stage.set(name, value, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The copy `meta_env` used to make: automatic args, then every meta arg
    /// with a value, a later name overriding an earlier one.
    fn copied_meta_env(scope: &Scope) -> Vars {
        let mut env = Vars::default();
        for (k, v) in &scope.automatic {
            env.insert(k, v);
        }
        for (k, v) in &scope.meta {
            if let Some(v) = v {
                env.insert(k, v);
            }
        }
        env
    }

    #[test]
    fn the_meta_view_sees_what_the_copy_saw() {
        let mut scope = Scope::new(
            vec![("B".to_owned(), "from-cli".to_owned())],
            "linux/arm64/v8",
        );
        scope.declare_meta("A", Some("1".to_owned()));
        scope.declare_meta("B", Some("2".to_owned()));
        scope.declare_meta("A", Some("3".to_owned()));
        scope.declare_meta("C", None);
        scope.declare_meta("TARGETARCH", Some("riscv64".to_owned()));
        scope.declare_meta("TARGETOS", None);
        let copy = copied_meta_env(&scope);
        let view = scope.meta_env();
        for name in [
            "A",
            "B",
            "C",
            "D",
            "TARGETARCH",
            "TARGETOS",
            "TARGETVARIANT",
            "BUILDPLATFORM",
        ] {
            assert_eq!(view.get(name), copy.get(name), "{name}");
        }
        assert_eq!(view.get("A"), Some("3"));
        assert_eq!(view.get("B"), Some("from-cli"));
        assert_eq!(view.get("TARGETOS"), Some("linux"));
    }
}

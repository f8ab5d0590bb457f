//! The flags each instruction accepts, checked as BuildKit's `BFlags.Parse`
//! checks them (`frontend/dockerfile/instructions/bflag.go`).
//!
//! The line parser takes every leading `--word` for a flag without knowing
//! which exist; this is where BuildKit refuses the ones the instruction does
//! not have, a value flag written without `=` (`COPY --from build a b`: the
//! would-be value is then read as a source), a boolean that is not `true` or
//! `false`, and a single-value flag given twice.

use super::go;
use super::refusal::Refusal;
use crate::parser::ParseErrorKind;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlagType {
    /// `--link`, `--link=true`, `--link=false`.
    Bool,
    /// `--from=x`, once.
    String,
    /// `--mount=x`, any number of times.
    Strings,
}

use FlagType::{Bool, String as Str, Strings};

/// A flag an instruction declares (BuildKit's `AddBool`/`AddString`/`AddStrings` calls).
pub(crate) type FlagSpec = (&'static str, FlagType);

// `parseAdd`.
pub(crate) const ADD: &[FlagSpec] = &[
    ("chown", Str),
    ("chmod", Str),
    ("link", Bool),
    ("keep-git-dir", Bool),
    ("checksum", Str),
    ("unpack", Bool),
    ("exclude", Strings),
];
// `parseCopy`.
pub(crate) const COPY: &[FlagSpec] = &[
    ("chown", Str),
    ("from", Str),
    ("chmod", Str),
    ("link", Bool),
    ("exclude", Strings),
    ("parents", Bool),
];
// `parseFrom`.
pub(crate) const FROM: &[FlagSpec] = &[("platform", Str)];
// `parseRun` with the pre-hooks of `commands_run{device,mount,network,security}.go`.
pub(crate) const RUN: &[FlagSpec] = &[
    ("device", Strings),
    ("mount", Strings),
    ("network", Str),
    ("security", Str),
];
// `parseHealthcheck` (not for `HEALTHCHECK NONE`, whose flags BuildKit never reads).
pub(crate) const HEALTHCHECK: &[FlagSpec] = &[
    ("interval", Str),
    ("timeout", Str),
    ("start-period", Str),
    ("start-interval", Str),
    ("retries", Str),
];
/// Instructions that check their flags but declare none: any flag is refused.
pub(crate) const NONE: &[FlagSpec] = &[];

/// The flags as BuildKit keeps them after parsing: for each flag used, its
/// values in order (a bare boolean has the value `true`).
pub(crate) struct Parsed {
    used: Vec<(&'static str, String)>,
}

impl Parsed {
    /// The value of a single-value flag, when given.
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        self.used
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeatable flag, in order.
    pub(crate) fn values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.used
            .iter()
            .filter(move |(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `BFlags.Parse` over the flags as the line parser extracted them.
pub(crate) fn parse(
    keyword: &str,
    written: &[String],
    specs: &[FlagSpec],
) -> Result<Parsed, Refusal> {
    let mut used: Vec<(&'static str, String)> = Vec::new();
    for word in written {
        // The line parser only takes words starting with `--` for flags, and
        // drops a lone `--`, so BuildKit's checks for those never fire here.
        let (flag_name, value) = match word.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (word.as_str(), None),
        };
        let name = flag_name.strip_prefix("--").unwrap_or(flag_name);
        let Some(&(spec_name, flag_type)) = specs.iter().find(|(n, _)| *n == name) else {
            let options: Vec<&str> = specs.iter().map(|(n, _)| *n).collect();
            let said =
                go::with_suggestion(format!("unknown flag: {flag_name}"), name, &options, true);
            let known = if options.is_empty() {
                format!("{keyword} takes no flags")
            } else {
                format!(
                    "{keyword} knows {}",
                    options
                        .iter()
                        .map(|o| format!("`--{o}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err(Refusal::new(
                ParseErrorKind::UnknownFlag,
                format!("`{flag_name}` is not a flag of {keyword}: {known}"),
                said,
            ));
        };
        if flag_type != Strings && used.iter().any(|(n, _)| *n == spec_name) {
            return Err(Refusal::new(
                ParseErrorKind::DuplicateFlag,
                format!("`{flag_name}` is given twice; keep one"),
                format!("duplicate flag specified: {flag_name}"),
            ));
        }
        let value = match (flag_type, value) {
            (Bool, Some("")) => return Err(missing_value(flag_name, flag_type)),
            (Bool, value) => match value.map(str::to_lowercase).as_deref() {
                None | Some("true") => "true".to_owned(),
                Some("false") => "false".to_owned(),
                Some(_) => {
                    let value = value.unwrap_or_default();
                    return Err(Refusal::new(
                        ParseErrorKind::InvalidFlagValue,
                        format!(
                            "`{flag_name}` is a switch: write `{flag_name}` or `{flag_name}=false`, not `={value}`"
                        ),
                        format!("expecting boolean value for flag {flag_name}, not: {value}"),
                    ));
                }
            },
            (_, None) => return Err(missing_value(flag_name, flag_type)),
            (_, Some(value)) => value.to_owned(),
        };
        used.push((spec_name, value));
    }
    Ok(Parsed { used })
}

fn missing_value(flag_name: &str, flag_type: FlagType) -> Refusal {
    let reason = if flag_type == Bool {
        format!("`{flag_name}=` has no value: write `{flag_name}` or `{flag_name}=false`")
    } else {
        format!(
            "`{flag_name}` takes a value joined by `=` (`{flag_name}=<value>`); a value after a space is read as an argument"
        )
    };
    Refusal::new(
        ParseErrorKind::FlagWithoutValue,
        reason,
        format!("missing a value on flag: {flag_name}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    fn said(keyword: &str, words: &[&str], specs: &[FlagSpec]) -> String {
        match parse(keyword, &flags(words), specs) {
            Ok(_) => String::from("ok"),
            Err(refusal) => refusal.buildkit,
        }
    }

    #[test]
    fn values_and_switches() {
        let parsed = parse(
            "COPY",
            &flags(&["--from=build", "--link", "--exclude=a", "--exclude=b"]),
            COPY,
        )
        .unwrap_or_else(|r| panic!("{}", r.buildkit));
        assert_eq!(parsed.value("from"), Some("build"));
        assert_eq!(parsed.value("link"), Some("true"));
        assert_eq!(parsed.values("exclude").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(said("COPY", &["--link=FALSE", "--from="], COPY), "ok");
    }

    #[test]
    fn refusals_say_what_buildkit_says() {
        assert_eq!(
            said("COPY", &["--from"], COPY),
            "missing a value on flag: --from"
        );
        assert_eq!(
            said("COPY", &["--frm=x"], COPY),
            "unknown flag: --frm (did you mean from?)"
        );
        assert_eq!(said("ENV", &["--x=1"], NONE), "unknown flag: --x");
        assert_eq!(
            said("COPY", &["--from=a", "--from=b"], COPY),
            "duplicate flag specified: --from"
        );
        assert_eq!(
            said("COPY", &["--link=yes"], COPY),
            "expecting boolean value for flag --link, not: yes"
        );
        assert_eq!(
            said("COPY", &["--link="], COPY),
            "missing a value on flag: --link"
        );
        assert_eq!(said("COPY", &["--FROM=x"], COPY), "unknown flag: --FROM");
    }
}

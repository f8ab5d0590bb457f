//! The image references of a Dockerfile that can be pinned, and where in
//! its text each one's digest goes.

use tallyman_dockerfile::imageref::ImageName;
use tallyman_dockerfile::model::{
    Dockerfile, ImageReference, ImageSource, Instruction, InstructionDetail, Span, Stage,
};

use super::locate::{self, Word};
use crate::image::PlatformSpec;

/// Which kind of instruction names the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteKind {
    From,
    CopyFrom,
    MountFrom,
}

impl SiteKind {
    pub fn describe(self) -> &'static str {
        match self {
            SiteKind::From => "FROM",
            SiteKind::CopyFrom => "COPY --from",
            SiteKind::MountFrom => "RUN --mount from=",
        }
    }
}

/// One image reference to pin.
#[derive(Debug, Clone)]
pub struct Site {
    /// The line of the instruction that names the image.
    pub line: u32,
    pub kind: SiteKind,
    /// As written in that instruction (`python:3.12`, `${BASE}`).
    pub written: String,
    /// The image, build arguments resolved.
    pub name: ImageName,
    /// The platform it is pulled for, or why that is not known.
    pub platform: Result<PlatformSpec, String>,
    /// What the digest replaces: the `@sha256:...` written, or an empty
    /// span after the tag.
    pub place: Span,
}

impl Site {
    /// How messages name the reference: as written, with what it resolved
    /// to when that differs.
    pub fn shown(&self) -> String {
        let resolved = self.name.familiar();
        let resolved = match &self.name.digest {
            Some(digest) => format!("{resolved}@{digest}"),
            None => resolved,
        };
        if resolved == self.written {
            format!("`{}`", self.written)
        } else {
            format!("`{}` (`{resolved}`)", self.written)
        }
    }
}

/// A reference left alone, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub line: u32,
    pub reason: String,
}

/// Every image reference of `dockerfile` (whose text is `text`), in file
/// order; `default_platform` is the build's platform where a `FROM` names
/// none.
pub fn sites(
    dockerfile: &Dockerfile,
    text: &str,
    default_platform: &PlatformSpec,
    refresh: bool,
) -> (Vec<Site>, Vec<Skipped>) {
    let lines = locate::lines(text);
    let escape = dockerfile.escape_char.chars().next().unwrap_or('\\');
    let mut finder = Finder {
        dockerfile,
        lines: &lines,
        escape,
        refresh,
        sites: Vec::new(),
        skipped: Vec::new(),
    };
    for stage in &dockerfile.stages {
        let platform = platform_of(stage.platform.as_deref(), default_platform);
        for instruction in &stage.instructions {
            finder.instruction(stage, instruction, &platform);
        }
    }
    (finder.sites, finder.skipped)
}

/// The platform a stage's images are pulled for: its `FROM --platform`
/// when literal (or one of BuildKit's platform arguments, which are the
/// build's platform here), the build's platform without one.
fn platform_of(written: Option<&str>, default: &PlatformSpec) -> Result<PlatformSpec, String> {
    let Some(written) = written else {
        return Ok(default.clone());
    };
    let trimmed = written.trim_matches(|c| c == '"' || c == '\'');
    if matches!(
        trimmed,
        "$BUILDPLATFORM" | "${BUILDPLATFORM}" | "$TARGETPLATFORM" | "${TARGETPLATFORM}"
    ) {
        return Ok(default.clone());
    }
    if trimmed.contains('$') {
        return Err(format!(
            "its stage's platform `{written}` comes from a build argument; give the build's \
             platform with --platform and write it in the FROM, or pin this image by hand"
        ));
    }
    PlatformSpec::parse(trimmed)
        .map_err(|_| format!("its stage's platform `{written}` is not os/architecture[/variant]"))
}

struct Finder<'a> {
    dockerfile: &'a Dockerfile,
    lines: &'a [&'a str],
    escape: char,
    /// Pinned references are wanted too (`--refresh-pins`).
    refresh: bool,
    sites: Vec<Site>,
    skipped: Vec<Skipped>,
}

impl Finder<'_> {
    fn instruction(
        &mut self,
        stage: &Stage,
        instruction: &Instruction,
        platform: &Result<PlatformSpec, String>,
    ) {
        match &instruction.detail {
            InstructionDetail::From(from) => {
                self.reference(stage, instruction, &from.base, SiteKind::From, 0, platform);
            }
            InstructionDetail::Copy(copy) | InstructionDetail::Add(copy) => {
                if let Some(from) = &copy.from {
                    self.reference(stage, instruction, from, SiteKind::CopyFrom, 0, platform);
                }
            }
            InstructionDetail::Run(run) => {
                for (index, mount) in run.mounts.iter().enumerate() {
                    if let Some(from) = &mount.from {
                        self.reference(
                            stage,
                            instruction,
                            from,
                            SiteKind::MountFrom,
                            index,
                            platform,
                        );
                    }
                }
            }
            _ => {}
        }
    }

    fn skip(&mut self, line: u32, reason: String) {
        self.skipped.push(Skipped { line, reason });
    }

    /// `mount` is the index of the `--mount` among the instruction's, for
    /// [`SiteKind::MountFrom`].
    fn reference(
        &mut self,
        stage: &Stage,
        instruction: &Instruction,
        reference: &ImageReference,
        kind: SiteKind,
        mount: usize,
        platform: &Result<PlatformSpec, String>,
    ) {
        let line = instruction.span.start_line;
        let written = reference.written.as_str();
        let name = match &reference.source {
            ImageSource::Image(_) => match ImageName::parse(&reference.expanded) {
                Ok(name) => name,
                Err(err) => {
                    return self.skip(
                        line,
                        format!("`{written}` is not an image reference: {err}"),
                    );
                }
            },
            ImageSource::Scratch | ImageSource::Stage(_) => return,
            ImageSource::Unresolved(reason) => {
                return self.skip(line, format!("not pinned: {reason}"));
            }
        };
        if name.digest.is_some() && !self.refresh {
            return;
        }
        let place = if written.contains('$') {
            self.argument_place(stage, instruction, reference, kind)
        } else {
            self.written_place(instruction, written, kind, mount)
        };
        let place = match place {
            Ok(place) => place,
            Err(reason) => return self.skip(line, reason),
        };
        self.sites.push(Site {
            line,
            kind,
            written: written.to_string(),
            name,
            platform: platform.clone(),
            place,
        });
    }

    /// Where the digest of `written` goes in the instruction's own text.
    fn written_place(
        &self,
        instruction: &Instruction,
        written: &str,
        kind: SiteKind,
        mount: usize,
    ) -> Result<Span, String> {
        let lost = || {
            format!(
                "`{written}` was not found where the {} is written; pin it by hand",
                kind.describe()
            )
        };
        let is_flag = |word: &Word| word.text.starts_with("--");
        let mut seen_keyword = false;
        let words = locate::words(self.lines, &instruction.span, self.escape, |word| {
            let keyword = !seen_keyword;
            seen_keyword = true;
            keyword || is_flag(word)
        });
        let (word, offset, value) = match kind {
            SiteKind::From => {
                let word = words
                    .iter()
                    .skip(1)
                    .find(|w| !is_flag(w))
                    .ok_or_else(lost)?;
                (word, 0, word.text.as_str())
            }
            SiteKind::CopyFrom => words
                .iter()
                .skip(1)
                .filter_map(|w| flag_value(&w.text, "from").map(|(at, value)| (w, at, value)))
                .next_back()
                .ok_or_else(lost)?,
            SiteKind::MountFrom => {
                let word = words
                    .iter()
                    .skip(1)
                    .filter(|w| flag_value(&w.text, "mount").is_some())
                    .nth(mount)
                    .ok_or_else(lost)?;
                let (at, options) = flag_value(&word.text, "mount").ok_or_else(lost)?;
                let (field, value) = mount_from(options).ok_or_else(lost)?;
                (word, at + field, value)
            }
        };
        if value != written {
            return Err(lost());
        }
        digest_place(word, offset, value).ok_or_else(lost)
    }

    /// Where the digest goes when the reference is a build argument alone
    /// (`FROM ${BASE}`): in that argument's default, where the image is
    /// written, so that another `--build-arg` value still takes effect.
    fn argument_place(
        &self,
        stage: &Stage,
        instruction: &Instruction,
        reference: &ImageReference,
        kind: SiteKind,
    ) -> Result<Span, String> {
        let written = reference.written.as_str();
        let resolved = reference.expanded.as_str();
        let Some(variable) = lone_variable(written) else {
            return Err(format!(
                "`{written}` (`{resolved}` here) is put together from build arguments: not \
                 pinned, as a digest there would override them; name the whole image in one \
                 ARG (`ARG BASE={resolved}`, `FROM ${{BASE}}`) to have it pinned in its default"
            ));
        };
        let in_stage = if kind == SiteKind::From {
            None
        } else {
            stage
                .instructions
                .iter()
                .take_while(|i| i.span.start_line < instruction.span.start_line)
                .filter_map(|i| declares(i, variable).map(|default| (i, default)))
                .last()
        };
        let declaration = match in_stage {
            Some((arg, Some(default))) => Some((arg, default)),
            // Declared in the stage without a default: the global one's.
            _ => self
                .dockerfile
                .global_args
                .iter()
                .filter(|i| i.span.start_line < instruction.span.start_line)
                .filter_map(|i| declares(i, variable).map(|default| (i, default)))
                .filter_map(|(i, default)| default.map(|d| (i, d)))
                .next_back(),
        };
        let Some((arg, default)) = declaration else {
            return Err(format!(
                "`{written}` has no ARG default in the Dockerfile to pin (`{resolved}` comes \
                 from --build-arg)"
            ));
        };
        if default != resolved {
            return Err(format!(
                "`{written}` is `{resolved}` in this build, not its ARG default `{default}` on \
                 line {}: not pinned",
                arg.span.start_line
            ));
        }
        let lost = || {
            format!(
                "the default of ARG {variable} on line {} was not found where it is written; pin it by hand",
                arg.span.start_line
            )
        };
        let prefix = format!("{variable}=");
        let words = locate::words(self.lines, &arg.span, self.escape, |_| true);
        let word = words
            .iter()
            .skip(1)
            .rfind(|w| w.text.starts_with(&prefix))
            .ok_or_else(lost)?;
        let raw = &word.text[prefix.len()..];
        let offset = prefix.chars().count();
        let (offset, value) = match raw.chars().next() {
            Some(quote @ ('"' | '\'')) if raw.len() >= 2 && raw.ends_with(quote) => {
                (offset + 1, &raw[1..raw.len() - 1])
            }
            _ => (offset, raw),
        };
        if value != default {
            if value.contains('$') {
                return Err(format!(
                    "`{written}` is ARG {variable}'s default on line {}, `{value}`, which is put \
                     together from other build arguments: not pinned, as a digest there would \
                     override them",
                    arg.span.start_line
                ));
            }
            return Err(lost());
        }
        digest_place(word, offset, value).ok_or_else(lost)
    }
}

/// The span a digest replaces in `value`, written at character `offset` of
/// `word`: its `@...` part, or an empty span after it.
fn digest_place(word: &Word, offset: usize, value: &str) -> Option<Span> {
    let length = value.chars().count();
    let at = value
        .find('@')
        .map_or(length, |byte| value[..byte].chars().count());
    word.span(offset + at, offset + length)
}

/// `--NAME=value`: the value and the character offset where it starts.
fn flag_value<'w>(word: &'w str, name: &str) -> Option<(usize, &'w str)> {
    let rest = word.strip_prefix("--")?;
    let (flag, value) = rest.split_once('=')?;
    flag.eq_ignore_ascii_case(name)
        .then(|| (flag.chars().count() + 3, value))
}

/// The `from=` field of a mount's options: its character offset in
/// `options` and its value. Quoted fields are not pinned (their text is
/// not the value).
fn mount_from(options: &str) -> Option<(usize, &str)> {
    let mut offset = 0;
    for field in options.split(',') {
        if let Some((key, value)) = field.split_once('=')
            && key.trim().eq_ignore_ascii_case("from")
        {
            return Some((offset + key.chars().count() + 1, value));
        }
        offset += field.chars().count() + 1;
    }
    None
}

/// `NAME` of a reference that is `$NAME` or `${NAME}` and nothing else.
fn lone_variable(written: &str) -> Option<&str> {
    let name = written
        .strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
        .or_else(|| written.strip_prefix('$'))?;
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(name)
}

/// Whether `instruction` is an `ARG` declaring `name`, and its default.
fn declares<'i>(instruction: &'i Instruction, name: &str) -> Option<Option<&'i str>> {
    let InstructionDetail::Arg(declarations) = &instruction.detail else {
        return None;
    };
    declarations
        .iter()
        .rev()
        .find(|d| d.name == name)
        .map(|d| d.default.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tallyman_dockerfile::{LowerOptions, ParseOptions, parse_and_lower};

    /// (line, written, the text the span covers, or `+` for an insertion
    /// after `at`) of each site, and the skipped lines.
    fn found(text: &str, build_args: &[(&str, &str)], refresh: bool) -> (Vec<String>, Vec<u32>) {
        let options = LowerOptions {
            build_args: build_args
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..LowerOptions::default()
        };
        let model = parse_and_lower(text.as_bytes(), &ParseOptions::default(), &options).unwrap();
        let platform = PlatformSpec::parse("linux/amd64").unwrap();
        let (sites, skipped) = sites(&model, text, &platform, refresh);
        let lines = locate::lines(text);
        let described = sites
            .iter()
            .map(|site| {
                let place = site.place;
                let line: Vec<char> = lines[place.start_line as usize - 1].chars().collect();
                let covered: String = line
                    [place.start_column as usize - 1..place.end_column as usize - 1]
                    .iter()
                    .collect();
                let before: String = line[..place.start_column as usize - 1].iter().collect();
                format!(
                    "{} {} {} [{covered}] after `{}`",
                    site.line,
                    site.kind.describe(),
                    site.written,
                    before.rsplit(' ').next().unwrap_or_default()
                )
            })
            .collect();
        (described, skipped.iter().map(|s| s.line).collect())
    }

    #[test]
    fn places_each_digest_after_the_reference_as_written() {
        let text = "ARG BASE='alpine:3.20'\nARG V=1\nFROM ${BASE} AS a\nFROM \\\n  python:3.12 AS b\nCOPY --chown=1 --from=ghcr.io/x/y:2@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa /a /a\nRUN --mount=type=cache,target=/c --mount=type=bind,from=busybox,target=/b true\nFROM node:${V}\nCOPY --from=a /x /x\nFROM scratch\n";
        let (sites, skipped) = found(text, &[], true);
        assert_eq!(
            sites,
            [
                "3 FROM ${BASE} [] after `BASE='alpine:3.20`",
                "4 FROM python:3.12 [] after `python:3.12`",
                "6 COPY --from ghcr.io/x/y:2@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa [@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa] after `--from=ghcr.io/x/y:2`",
                "7 RUN --mount from= busybox [] after `--mount=type=bind,from=busybox`",
            ]
        );
        assert_eq!(skipped, [8], "node:${{V}} is put together from an argument");
        // Without --refresh-pins a pinned reference is not a site.
        let (sites, _) = found(text, &[], false);
        assert_eq!(sites.len(), 3);
    }

    #[test]
    fn an_argument_given_on_the_command_line_is_not_pinned_in_the_default() {
        let text = "ARG BASE=alpine:3.20\nFROM $BASE\n";
        let (sites, skipped) = found(text, &[("BASE", "alpine:3.21")], false);
        assert!(sites.is_empty());
        assert_eq!(skipped, [2]);
        let escaped = "# escape=`\nFROM `\n  alpine:3.20\n";
        let (sites, _) = found(escaped, &[], false);
        assert_eq!(sites, ["2 FROM alpine:3.20 [] after `alpine:3.20`"]);
    }

    #[test]
    fn finds_flag_values_and_mount_sources() {
        assert_eq!(flag_value("--from=img:1", "from"), Some((7, "img:1")));
        assert_eq!(flag_value("--chown=1", "from"), None);
        assert_eq!(
            mount_from("type=bind,from=img:1,target=/x"),
            Some((15, "img:1"))
        );
        assert_eq!(mount_from("type=cache,target=/x"), None);
        assert_eq!(lone_variable("${BASE}"), Some("BASE"));
        assert_eq!(lone_variable("$BASE"), Some("BASE"));
        assert_eq!(lone_variable("python:${V}"), None);
        assert_eq!(lone_variable("${BASE:-x}"), None);
    }
}

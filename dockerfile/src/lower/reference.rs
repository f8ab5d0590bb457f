//! Resolving what a `FROM`, `COPY --from` or `--mount from=` points at.

use super::words::Expanded;
use crate::imageref;
use crate::model::{ImageName, ImageReference, ImageSource};

/// A stage defined so far: its index and its name in lower case (BuildKit
/// matches stage names case-insensitively).
#[derive(Debug, Clone)]
pub(crate) struct StageName {
    pub(crate) index: u32,
    pub(crate) name: Option<String>,
}

/// Why an expansion could not be trusted: the variables it needed that had no value.
pub(crate) fn unresolved_reason(written: &str, unset: &[String]) -> Option<String> {
    match unset {
        [] => None,
        [one] => Some(format!(
            "`{written}` uses ${one}, which has no value here (declare `ARG {one}=...` before it, or pass --build-arg {one}=...)"
        )),
        many => Some(format!(
            "`{written}` uses {}, which have no value here",
            many.iter()
                .map(|v| format!("${v}"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn parse_image(expanded: &str) -> ImageSource {
    match imageref::ImageName::parse(expanded) {
        Ok(name) => ImageSource::Image(ImageName {
            registry: name.registry,
            repository: name.repository,
            tag: name.tag,
            digest: name.digest,
        }),
        Err(err) => ImageSource::Unresolved(format!(
            "`{expanded}` is not a valid image reference: {err}"
        )),
    }
}

/// Where a reference leads, given how a build without `--build-arg` would
/// expand it. Variables without a value only make a reference unresolved
/// when they leave it empty or invalid (`${DEBUG:+-debug}` is fine).
fn source(
    written: &str,
    built: Option<&Expanded>,
    find_stage: impl Fn(&str) -> Option<ImageSource>,
) -> ImageSource {
    let Some(built) = built else {
        return ImageSource::Unresolved(format!(
            "`{written}` has a malformed variable substitution"
        ));
    };
    let missing = || unresolved_reason(written, &built.unset);
    if built.value.is_empty() {
        return ImageSource::Unresolved(
            missing().unwrap_or_else(|| format!("`{written}` expands to an empty name")),
        );
    }
    if built.value.eq_ignore_ascii_case("scratch") {
        return ImageSource::Scratch;
    }
    if let Some(stage) = find_stage(&built.value) {
        return stage;
    }
    match parse_image(&built.value) {
        ImageSource::Unresolved(invalid) => ImageSource::Unresolved(missing().unwrap_or(invalid)),
        image => image,
    }
}

/// The reference as shown to policies: as built when it resolved, with
/// unset variables kept as written when it did not.
fn reference(
    written: &str,
    kept: String,
    built: Option<Expanded>,
    source: ImageSource,
) -> ImageReference {
    let expanded = match (&source, built) {
        (ImageSource::Unresolved(_), _) | (_, None) => kept,
        (_, Some(built)) => built.value,
    };
    ImageReference {
        written: written.to_string(),
        expanded,
        source,
    }
}

/// The base of a `FROM`: `scratch`, an earlier stage by name, or an image.
pub(crate) fn resolve_base(
    written: &str,
    kept: String,
    built: Option<Expanded>,
    earlier: &[StageName],
) -> ImageReference {
    let source = source(written, built.as_ref(), |name| {
        find_by_name(earlier, name).map(ImageSource::Stage)
    });
    reference(written, kept, built, source)
}

/// The source of a `COPY --from` or `--mount from=`: a stage by index or
/// name (any stage: whether it is defined early enough is for policies to
/// judge), or else an image.
pub(crate) fn resolve_from(
    written: &str,
    kept: String,
    built: Option<Expanded>,
    stages: &[StageName],
) -> ImageReference {
    let source = source(written, built.as_ref(), |name| {
        if let Ok(index) = name.parse::<u32>() {
            return Some(if stages.iter().any(|s| s.index == index) {
                ImageSource::Stage(index)
            } else {
                ImageSource::Unresolved(format!("there is no stage with index {index}"))
            });
        }
        find_by_name(stages, name).map(ImageSource::Stage)
    });
    reference(written, kept, built, source)
}

fn find_by_name(stages: &[StageName], name: &str) -> Option<u32> {
    stages
        .iter()
        .find(|s| {
            s.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .map(|s| s.index)
}

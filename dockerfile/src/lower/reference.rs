//! Resolving what a `FROM`, `COPY --from` or `--mount from=` points at.

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

/// The base of a `FROM`: `scratch`, an earlier stage by name, or an image.
pub(crate) fn resolve_base(
    written: &str,
    expanded: String,
    unset: &[String],
    earlier: &[StageName],
) -> ImageReference {
    let source = if let Some(reason) = unresolved_reason(written, unset) {
        ImageSource::Unresolved(reason)
    } else if expanded.is_empty() {
        ImageSource::Unresolved(format!("`{written}` expands to an empty image name"))
    } else if expanded.eq_ignore_ascii_case("scratch") {
        ImageSource::Scratch
    } else if let Some(stage) = find_by_name(earlier, &expanded) {
        ImageSource::Stage(stage)
    } else {
        parse_image(&expanded)
    };
    ImageReference {
        written: written.to_string(),
        expanded,
        source,
    }
}

/// The source of a `COPY --from` or `--mount from=`: a stage by index or
/// name (any stage: whether it is defined early enough is for policies to
/// judge), or else an image.
pub(crate) fn resolve_from(
    written: &str,
    expanded: String,
    unset: &[String],
    stages: &[StageName],
) -> ImageReference {
    let source = if let Some(reason) = unresolved_reason(written, unset) {
        ImageSource::Unresolved(reason)
    } else if expanded.is_empty() {
        ImageSource::Unresolved(format!("`{written}` expands to an empty name"))
    } else if let Ok(index) = expanded.parse::<u32>() {
        if stages.iter().any(|s| s.index == index) {
            ImageSource::Stage(index)
        } else {
            ImageSource::Unresolved(format!("there is no stage with index {index}"))
        }
    } else if expanded.eq_ignore_ascii_case("scratch") {
        ImageSource::Scratch
    } else if let Some(stage) = find_by_name(stages, &expanded) {
        ImageSource::Stage(stage)
    } else {
        parse_image(&expanded)
    };
    ImageReference {
        written: written.to_string(),
        expanded,
        source,
    }
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

//! The image references rules look at, and how messages quote them.

use tallyman_sdk::Dockerfile;
use tallyman_sdk::model::{ImageName, ImageReference, Instruction, Stage};

/// Each stage's `FROM` whose base is an image from a registry (not
/// `scratch`, not an earlier stage, not unresolved).
pub fn from_images(
    dockerfile: &Dockerfile,
) -> impl Iterator<Item = (&Stage, &Instruction, &ImageReference, &ImageName)> {
    dockerfile.stages.iter().filter_map(|stage| {
        let from = stage.from_instruction()?;
        let name = stage.base.image()?;
        Some((stage, from, &stage.base, name))
    })
}

/// Images used by `COPY --from`/`ADD --from` and `RUN --mount from=`:
/// everything but `FROM`.
pub fn other_images(
    dockerfile: &Dockerfile,
) -> impl Iterator<Item = (&Stage, &Instruction, &ImageReference, &ImageName)> {
    dockerfile.instructions().flat_map(|(stage, instruction)| {
        let references = if instruction.is("FROM") {
            Vec::new()
        } else {
            instruction.image_references()
        };
        references.into_iter().filter_map(move |reference| {
            reference
                .image()
                .map(|name| (stage, instruction, reference, name))
        })
    })
}

/// How a message quotes a reference: as written, with the value it expands
/// to when variables were involved (`` `$BASE` (`ubuntu`) ``).
pub fn quote(reference: &ImageReference) -> String {
    if reference.written == reference.expanded {
        format!("`{}`", reference.written)
    } else {
        format!("`{}` (`{}`)", reference.written, reference.expanded)
    }
}

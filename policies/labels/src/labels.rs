//! The labels a Dockerfile gives the image it builds, and the labels an
//! image carries.
//!
//! A Dockerfile's image gets the `LABEL`s of its final stage and of the
//! stages that stage is built on (`FROM builder`), the later assignment
//! of a key winning. Labels of stages that are only copied from do not
//! reach it, and neither does an overridden value. Labels of the base
//! image and `docker build --label` are not in the Dockerfile: a check of
//! the built image (`tallyman image`) sees them.

use tallyman_sdk::model::{Assignment, Instruction, Stage};
use tallyman_sdk::vars::referenced_variables;
use tallyman_sdk::{Dockerfile, Image};

/// One `key=value` of a `LABEL`, where it is written.
#[derive(Debug, Clone, Copy)]
pub struct Label<'a> {
    pub stage: &'a Stage,
    pub instruction: &'a Instruction,
    pub assignment: &'a Assignment,
    /// The key as written (before variables were expanded).
    pub written_key: &'a str,
}

impl Label<'_> {
    pub fn key(&self) -> &str {
        &self.assignment.key
    }

    /// The value as the build will see it, or `None` when the Dockerfile
    /// does not say: it is made of variables that a build argument (or the
    /// base image's environment) gives a value. Variables that an `ENV` of
    /// the stage or of the stages it is built on sets to a constant are
    /// known: `ENV` wins over a build argument of the same name.
    pub fn known_value(&self, dockerfile: &Dockerfile) -> Option<&str> {
        referenced_variables(&self.assignment.raw)
            .into_iter()
            .all(|name| constant_env(dockerfile, self.stage, self.instruction.line(), name))
            .then_some(self.assignment.value.as_str())
    }

    /// The key is made of variables (`LABEL ${PREFIX}.version=1`).
    pub fn key_has_variables(&self) -> bool {
        !referenced_variables(self.written_key).is_empty()
    }
}

/// The last `ENV` before `line` of `stage` (or in the stages it is built
/// on) that sets `name` gives it a value written out, without variables.
fn constant_env(dockerfile: &Dockerfile, stage: &Stage, line: u32, name: &str) -> bool {
    for (depth, ancestor) in dockerfile.ancestry(stage).into_iter().enumerate() {
        let set = ancestor
            .instructions
            .iter()
            .rev()
            .filter(|instruction| depth > 0 || instruction.line() < line)
            .filter_map(|instruction| instruction.as_env())
            .flat_map(|assignments| assignments.iter().rev())
            .find(|assignment| assignment.key == name);
        if let Some(assignment) = set {
            return referenced_variables(&assignment.raw).is_empty();
        }
    }
    false
}

/// The `key=value` pairs of a `LABEL` instruction of `stage`.
pub fn labels_of<'a>(stage: &'a Stage, instruction: &'a Instruction) -> Vec<Label<'a>> {
    let Some(assignments) = instruction.as_label() else {
        return Vec::new();
    };
    assignments
        .iter()
        .enumerate()
        .map(|(index, assignment)| Label {
            stage,
            instruction,
            assignment,
            // BuildKit keeps `key, value, separator` triples as arguments.
            written_key: instruction
                .args
                .get(index * 3)
                .map_or(assignment.key.as_str(), String::as_str),
        })
        .collect()
}

/// Every `LABEL` pair of the file, in every stage, in file order.
pub fn every_label(dockerfile: &Dockerfile) -> Vec<Label<'_>> {
    dockerfile
        .instructions()
        .flat_map(|(stage, instruction)| labels_of(stage, instruction))
        .collect()
}

/// The stages whose `LABEL`s the built image gets: the final stage (the
/// `target` setting, or the scan's target) and the stages it is built on,
/// root first.
pub fn shipping_stages<'a>(dockerfile: &'a Dockerfile, target: Option<&str>) -> Vec<&'a Stage> {
    let Some(last) = dockerfile.final_stage(target) else {
        return Vec::new();
    };
    let mut chain = dockerfile.ancestry(last);
    chain.reverse();
    chain
}

/// Every `LABEL` pair the built image gets, overridden ones included, in
/// build order.
pub fn shipped_labels<'a>(dockerfile: &'a Dockerfile, target: Option<&str>) -> Vec<Label<'a>> {
    shipping_stages(dockerfile, target)
        .into_iter()
        .flat_map(|stage| {
            stage
                .instructions
                .iter()
                .flat_map(move |instruction| labels_of(stage, instruction))
        })
        .collect()
}

/// The built image's labels: for each key, the assignment that wins (the
/// last), in the order of those assignments.
pub fn effective_labels<'a>(dockerfile: &'a Dockerfile, target: Option<&str>) -> Vec<Label<'a>> {
    let shipped = shipped_labels(dockerfile, target);
    shipped
        .iter()
        .enumerate()
        .filter(|(at, label)| {
            !shipped
                .iter()
                .skip(at + 1)
                .any(|later| later.key() == label.key())
        })
        .map(|(_, label)| *label)
        .collect()
}

/// Where an image keeps a label: its config's `Labels` or its manifest's
/// annotations (as IMG001 reads them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImagePlace {
    Label,
    Annotation,
}

impl ImagePlace {
    pub fn name(self) -> &'static str {
        match self {
            ImagePlace::Label => "label",
            ImagePlace::Annotation => "manifest annotation",
        }
    }
}

/// Every value the image has for `key`, with where it is.
pub fn image_values<'a>(image: &'a Image, key: &str) -> Vec<(ImagePlace, &'a str)> {
    let labels = image.config.labels.iter().map(|kv| (ImagePlace::Label, kv));
    let annotations = image
        .annotations
        .iter()
        .map(|kv| (ImagePlace::Annotation, kv));
    labels
        .chain(annotations)
        .filter(|(_, kv)| kv.key == key)
        .map(|(place, kv)| (place, kv.value.as_str()))
        .collect()
}

/// A value for a message: quoted, cut short when long.
pub fn shown(value: &str) -> String {
    const MAX: usize = 60;
    if value.chars().count() <= MAX {
        return format!("`{value}`");
    }
    let cut: String = value.chars().take(MAX).collect();
    format!("`{cut}…`")
}

/// Empty or only spaces.
pub fn is_blank(value: &str) -> bool {
    value.trim().is_empty()
}

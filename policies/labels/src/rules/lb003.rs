use tallyman_sdk::{Dockerfile, Finding};

use crate::labels::shipped_labels;
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// With `strict: true`, flags a `LABEL` that sets a key the `schema`
    /// setting does not list (hadolint's `strict-labels`). Strict with no
    /// schema flags every label, as in hadolint. Only the labels the built
    /// image gets are checked: the final stage's and those of the stages
    /// it is built on.
    ///
    /// Images are not checked: an image also carries its base image's
    /// labels, which a Dockerfile can override but not remove.
    ///
    /// ## Why is this bad?
    /// A strict schema keeps an organisation's labels to the ones its
    /// tooling reads. Ad-hoc keys (`build_by`, `team`) drift, duplicate
    /// schema keys under other names, and end up read by nobody.
    ///
    /// ## Example
    /// With `schema: {org.opencontainers.image.version: semver}` and
    /// `strict: true`:
    /// ```dockerfile
    /// FROM alpine:3.22
    /// LABEL org.opencontainers.image.version="1.4.0" built-by="jenkins"
    /// ```
    ///
    /// ## Fix
    /// Drop the label, or add it to the schema:
    /// ```dockerfile
    /// FROM alpine:3.22
    /// LABEL org.opencontainers.image.version="1.4.0"
    /// ```
    pub const LB003 = {
        id: "LB003",
        title: "Label not in the schema",
        severity: Low,
        tags: ["labels"],
        equivalents: ["hadolint:DL3050"],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    if !settings.strict {
        return;
    }
    let labels = shipped_labels(dockerfile, settings.target.as_deref());
    let mut at = 0;
    while let Some(first) = labels.get(at) {
        // One finding per LABEL instruction, naming each extra key once.
        let mut extra: Vec<String> = Vec::new();
        while let Some(label) = labels.get(at)
            && std::ptr::eq(label.instruction, first.instruction)
        {
            let key = format!("`{}`", label.key());
            if settings.type_of(label.key()).is_none() && !extra.contains(&key) {
                extra.push(key);
            }
            at += 1;
        }
        if extra.is_empty() {
            continue;
        }
        let (noun, verb) = if extra.len() == 1 {
            ("label", "is")
        } else {
            ("labels", "are")
        };
        findings.push(
            Finding::at(&LB003, (first.stage, first.instruction))
                .message(format!(
                    "{noun} {} {verb} not in the label schema, and `strict` allows no others",
                    extra.join(", ")
                ))
                .fix("remove the label, or add its key to the `schema` setting"),
        );
    }
}

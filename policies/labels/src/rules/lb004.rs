use tallyman_sdk::{Dockerfile, Finding, Image};

use crate::labels::{effective_labels, image_values, is_blank};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a label of the `schema` setting whose value is empty (or only
    /// spaces): `LABEL org.opencontainers.image.revision=""`. Only the
    /// value the built image gets counts (a later `LABEL` of the same key
    /// overrides an earlier one), and only in the stages the image is
    /// built from. A value made of variables (`$REVISION`) is not judged:
    /// a build argument gives it its value when the image is built, and a
    /// check of the built image (`tallyman image`) sees that value. A
    /// variable that an `ENV` sets to a constant is known, and judged.
    ///
    /// On an image, a label that is empty both in the config's `Labels`
    /// and in the manifest's annotations is flagged.
    ///
    /// ## Why is this bad?
    /// An empty label passes a presence check and tells nothing: the image
    /// still cannot be traced or filtered by it. It is usually a build
    /// argument that CI forgot to pass, copied into a literal.
    ///
    /// ## Example
    /// With `schema: {org.opencontainers.image.revision: hash}`:
    /// ```dockerfile
    /// FROM alpine:3.22
    /// LABEL org.opencontainers.image.revision=""
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM alpine:3.22
    /// ARG REVISION
    /// LABEL org.opencontainers.image.revision=$REVISION
    /// # docker build --build-arg REVISION=$(git rev-parse HEAD) .
    /// ```
    pub const LB004 = {
        id: "LB004",
        title: "Schema label is empty",
        severity: Low,
        tags: ["labels"],
        equivalents: ["hadolint:DL3051"],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    for label in effective_labels(dockerfile, settings.target.as_deref()) {
        if settings.type_of(label.key()).is_none()
            || !label.known_value(dockerfile).is_some_and(is_blank)
        {
            continue;
        }
        findings.push(
            Finding::at(&LB004, (label.stage, label.instruction))
                .message(format!(
                    "label `{}` is empty; the label schema requires a value",
                    label.key()
                ))
                .fix("give it a value, from a build argument if it is known only at build time"),
        );
    }
}

pub fn check_image(image: &Image, settings: &Settings, findings: &mut Vec<Finding>) {
    for (key, _) in settings.schema() {
        let values = image_values(image, key);
        if values.is_empty() || !values.iter().all(|(_, value)| is_blank(value)) {
            continue;
        }
        findings.push(
            Finding::new(&LB004)
                .message(format!(
                    "the image's `{key}` is empty; the label schema requires a value"
                ))
                .fix("set it at build time (`--build-arg` for a `LABEL` made of a build argument, or `--label`)"),
        );
    }
}

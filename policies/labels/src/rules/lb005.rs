use tallyman_sdk::{Dockerfile, Finding, Image};

use crate::labels::{effective_labels, image_values, is_blank, shown};
use crate::settings::Settings;
use crate::types::LabelType;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a label of the `schema` setting whose value is not of the
    /// schema's type for it, and says why:
    /// - `url`: an absolute URI (RFC 3986: `https://...`, `mailto:...`);
    ///   `http(s)`, `ftp` and `ws(s)` URLs need a host;
    /// - `rfc3339`: a date and time (`2026-01-15T09:30:00Z`), a real day
    ///   of the calendar, with an offset;
    /// - `spdx`: an SPDX license expression (`Apache-2.0`,
    ///   `MIT OR Apache-2.0`, `GPL-2.0-or-later WITH Classpath-exception-2.0`,
    ///   `LicenseRef-...`) over the SPDX license list, identifiers in any
    ///   case;
    /// - `hash`: a git commit id: 7 to 40 hex digits, or 64 (SHA-256);
    /// - `semver`: a SemVer 2.0.0 version (`1.4.0`, `2.0.0-rc.1+b5`); a
    ///   leading `v` is not part of one;
    /// - `email`: one RFC 5322 mailbox, `ops@example.com` or
    ///   `Jane Doe <jane@example.com>`;
    /// - `text`: anything.
    ///
    /// Only the value the built image gets counts, in the stages it is
    /// built from. An empty value is LB004's. A value made of variables
    /// (`$VERSION`, `${BUILD_DATE}`) is not judged: it is whatever the
    /// build passes, which a check of the built image (`tallyman image`)
    /// sees. Variables that an `ENV` sets to a constant (`ENV
    /// VERSION=1.4`) are known: `ENV` wins over a build argument. On an image, the config's `Labels` and the manifest's
    /// annotations are both checked.
    ///
    /// This is hadolint's DL3052–DL3056 and DL3058 in one rule (the type
    /// is in the message), with these differences: SPDX expressions, not
    /// only single identifiers; commit ids of any abbreviation length and
    /// SHA-256 ones; a name with the address (`Jane <jane@x.org>`); and
    /// no judgement of values made of variables, which hadolint checks as
    /// written (`${VERSION}` is not a version to it).
    ///
    /// ## Why is this bad?
    /// Tools read schema labels by type: a registry links the `url`, a
    /// license scanner parses the SPDX expression, a deploy tool compares
    /// versions. A value of the wrong form breaks them quietly, or worse,
    /// is read as something else.
    ///
    /// ## Example
    /// With `schema: {org.opencontainers.image.version: semver,
    /// org.opencontainers.image.created: rfc3339,
    /// org.opencontainers.image.licenses: spdx}`:
    /// ```dockerfile
    /// FROM alpine:3.22
    /// LABEL org.opencontainers.image.version="v1.4" \
    ///       org.opencontainers.image.created="2026-01-15" \
    ///       org.opencontainers.image.licenses="Apache 2.0"
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM alpine:3.22
    /// LABEL org.opencontainers.image.version="1.4.0" \
    ///       org.opencontainers.image.created="2026-01-15T00:00:00Z" \
    ///       org.opencontainers.image.licenses="Apache-2.0"
    /// ```
    pub const LB005 = {
        id: "LB005",
        title: "Schema label value is not of its type",
        severity: Low,
        tags: ["labels"],
        equivalents: [
            "hadolint:DL3052",
            "hadolint:DL3053",
            "hadolint:DL3054",
            "hadolint:DL3055",
            "hadolint:DL3056",
            "hadolint:DL3058"
        ],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    for label in effective_labels(dockerfile, settings.target.as_deref()) {
        let (Some(kind), Some(value)) =
            (settings.type_of(label.key()), label.known_value(dockerfile))
        else {
            continue;
        };
        let Some(problem) = problem(kind, value) else {
            continue;
        };
        findings.push(
            Finding::at(&LB005, (label.stage, label.instruction))
                .message(format!(
                    "label `{}` is {}, not {}: {problem}",
                    label.key(),
                    shown(value),
                    kind.describe()
                ))
                .fix(format!(
                    "write the value as {}, the type the label schema gives `{}` (`{}`)",
                    kind.describe(),
                    label.key(),
                    type_name(kind)
                )),
        );
    }
}

pub fn check_image(image: &Image, settings: &Settings, findings: &mut Vec<Finding>) {
    for (key, kind) in settings.schema() {
        for (place, value) in image_values(image, key) {
            let Some(problem) = problem(kind, value) else {
                continue;
            };
            findings.push(
                Finding::new(&LB005)
                    .message(format!(
                        "the image's {} `{key}` is {}, not {}: {problem}",
                        place.name(),
                        shown(value),
                        kind.describe()
                    ))
                    .fix(format!("build it with {} as the value", kind.describe())),
            );
        }
    }
}

/// Why a value is not of its type; `None` when it is, or when it is
/// empty (LB004's).
fn problem(kind: LabelType, value: &str) -> Option<String> {
    if is_blank(value) {
        return None;
    }
    kind.check(value).err()
}

fn type_name(kind: LabelType) -> &'static str {
    LabelType::NAMES
        .iter()
        .copied()
        .find(|name| LabelType::parse(name) == Some(kind))
        .unwrap_or("text")
}

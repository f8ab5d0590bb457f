//! The vocabulary of a rule's `equivalents`: the same check in the tools
//! tallyman replaces, written `tool:ID`. The host reads these to honour the
//! tools' own inline suppressions (`# hadolint ignore=DL3008`,
//! `# checkov:skip=CKV_DOCKER_2`, `# trivy:ignore:DS-0002`) and
//! `.hadolint.yaml`, so an id that does not exist upstream silently breaks
//! that; [`check`] refuses the ones whose shape or range is known.
//!
//! An equivalent is listed when the rule reports the anchor's problem, even
//! where one of the two reports more cases. When a real part of the anchor's
//! check is not reported by the rule (a *partial* equivalent), the rule's
//! documentation says which part; the equivalent is still listed, so that
//! the anchor's suppressions keep silencing the rule where both fire.

/// The tools an equivalent may name, with the form of their ids.
pub const TOOLS: [(&str, &str); 7] = [
    (
        "hadolint",
        "`DL3008`, or a ShellCheck code `SC2086` as hadolint reports it",
    ),
    ("trivy", "`DS-0002` (trivy-checks' id; DS-0001 to DS-0031)"),
    (
        "checkov",
        "`CKV_DOCKER_2` (1 to 11) or `CKV2_DOCKER_2` (1 to 17)",
    ),
    ("buildkit", "a build check name, `StageNameCasing`"),
    (
        "kics",
        "a KICS Dockerfile query's UUID (`68a51e22-ae5a-4d48-8e87-b01a323605c9`) or title",
    ),
    ("dockle", "`CIS-DI-0001`, `DKL-DI-0002` or `DKL-LI-0001`"),
    ("shellcheck", "`SC2086`"),
];

/// Trivy DS ids that never existed in trivy-checks.
const TRIVY_GAPS: [u32; 3] = [3, 18, 28];
const TRIVY_LAST: u32 = 31;
const CHECKOV_LAST: u32 = 11;
const CHECKOV2_LAST: u32 = 17;

/// Why `equivalent` is not in the vocabulary, if it is not.
pub fn check(equivalent: &str) -> Result<(), String> {
    let Some((tool, id)) = equivalent.split_once(':') else {
        return Err(format!("`{equivalent}` is not `tool:ID`"));
    };
    let Some((_, form)) = TOOLS.iter().find(|(name, _)| *name == tool) else {
        let names: Vec<&str> = TOOLS.iter().map(|(name, _)| *name).collect();
        return Err(format!(
            "`{equivalent}`: `{tool}` is not one of {}",
            names.join(", ")
        ));
    };
    let valid = match tool {
        "hadolint" => code(id, "DL").is_some() || code(id, "SC").is_some(),
        "shellcheck" => code(id, "SC").is_some(),
        "trivy" => id
            .strip_prefix("DS-")
            .filter(|digits| digits.len() == 4)
            .and_then(|digits| digits.parse::<u32>().ok())
            .is_some_and(|n| (1..=TRIVY_LAST).contains(&n) && !TRIVY_GAPS.contains(&n)),
        "checkov" => checkov(id),
        "buildkit" => {
            id.starts_with(|c: char| c.is_ascii_uppercase())
                && id.chars().all(|c| c.is_ascii_alphanumeric())
        }
        "dockle" => ["CIS-DI-", "DKL-DI-", "DKL-LI-"].iter().any(|prefix| {
            id.strip_prefix(prefix).is_some_and(|digits| {
                digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit())
            })
        }),
        "kics" => !id.trim().is_empty() && id.trim() == id,
        _ => false,
    };
    if valid {
        Ok(())
    } else {
        Err(format!("`{equivalent}`: a {tool} id is {form}"))
    }
}

/// The number of `PREFIX` followed by four digits.
fn code(id: &str, prefix: &str) -> Option<u32> {
    let digits = id.strip_prefix(prefix)?;
    (digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

fn checkov(id: &str) -> bool {
    let (last, number) = match id.strip_prefix("CKV2_DOCKER_") {
        Some(number) => (CHECKOV2_LAST, number),
        None => match id.strip_prefix("CKV_DOCKER_") {
            Some(number) => (CHECKOV_LAST, number),
            None => return false,
        },
    };
    !number.starts_with('0') && number.parse::<u32>().is_ok_and(|n| (1..=last).contains(&n))
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn accepts_every_tool_in_its_form() {
        for good in [
            "hadolint:DL3008",
            "hadolint:SC2086",
            "shellcheck:SC2086",
            "trivy:DS-0002",
            "trivy:DS-0031",
            "checkov:CKV_DOCKER_11",
            "checkov:CKV2_DOCKER_17",
            "buildkit:LegacyKeyValueFormat",
            "kics:68a51e22-ae5a-4d48-8e87-b01a323605c9",
            "kics:Using Unnamed Build Stages",
            "dockle:CIS-DI-0001",
            "dockle:DKL-LI-0003",
        ] {
            assert_eq!(check(good), Ok(()), "{good}");
        }
    }

    #[test]
    fn refuses_ids_that_do_not_exist_upstream() {
        for bad in [
            "checkov:CKV2_DOCKER_18",
            "checkov:CKV_DOCKER_12",
            "checkov:CKV_DOCKER_07",
            "trivy:DS-0003",
            "trivy:DS-0032",
            "trivy:DS002",
            "hadolint:DL300",
            "hadolint:dl3008",
            "dockle:CIS-DI-1",
            "buildkit:stage name",
            "kics: ",
            "snyk:SNYK-1",
            "DL3008",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }
}

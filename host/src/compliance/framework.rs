//! The frameworks a compliance report can assess, as data: each control's
//! id, title and whether the benchmark calls it automated or manual.
//!
//! Which rules support a control is *not* here: rules declare it in their
//! tags (`cis-docker-1.6:4.1`), read from the report being assessed, so an
//! organisation's own policies count as soon as they tag their rules.

use serde::Serialize;

/// A compliance framework: a benchmark section whose controls rules can support.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framework {
    /// What `--framework` takes, and the prefix of rule tags (`cis-docker-1.6`).
    pub id: &'static str,
    pub name: &'static str,
    pub version: &'static str,
    /// The section assessed, e.g. `4`.
    pub section: &'static str,
    pub section_title: &'static str,
    pub controls: &'static [Control],
}

/// One control (a "recommendation" in CIS terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Control {
    /// `4.1`.
    pub id: &'static str,
    /// The control in our words.
    pub title: &'static str,
    pub method: Method,
}

/// How the benchmark says a control is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// The benchmark gives a check a tool can run.
    Automated,
    /// The benchmark asks for a person's judgement; a rule can only
    /// support it.
    Manual,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Automated => "automated",
            Method::Manual => "manual",
        }
    }
}

/// CIS Docker Benchmark v1.6.0, section 4: Container Images and Build File
/// Configuration. Titles are paraphrased; the method (automated or manual)
/// is the benchmark's own marking.
pub const CIS_DOCKER_1_6: Framework = Framework {
    id: "cis-docker-1.6",
    name: "CIS Docker Benchmark",
    version: "1.6.0",
    section: "4",
    section_title: "Container Images and Build File Configuration",
    controls: &[
        Control {
            id: "4.1",
            title: "A non-root user is created for the container and used",
            method: Method::Automated,
        },
        Control {
            id: "4.2",
            title: "Only trusted base images are used",
            method: Method::Manual,
        },
        Control {
            id: "4.3",
            title: "No unnecessary packages are installed in the image",
            method: Method::Manual,
        },
        Control {
            id: "4.4",
            title: "Images are scanned and rebuilt to pick up security patches",
            method: Method::Manual,
        },
        Control {
            id: "4.5",
            title: "Docker Content Trust is enabled",
            method: Method::Automated,
        },
        Control {
            id: "4.6",
            title: "A HEALTHCHECK instruction is added to the image",
            method: Method::Automated,
        },
        Control {
            id: "4.7",
            title: "Package index updates are never run on their own",
            method: Method::Manual,
        },
        Control {
            id: "4.8",
            title: "setuid and setgid permissions are removed",
            method: Method::Manual,
        },
        Control {
            id: "4.9",
            title: "COPY is used instead of ADD",
            method: Method::Manual,
        },
        Control {
            id: "4.10",
            title: "No secrets are stored in the Dockerfile or the image",
            method: Method::Manual,
        },
        Control {
            id: "4.11",
            title: "Only verified packages are installed",
            method: Method::Manual,
        },
        Control {
            id: "4.12",
            title: "Every signed artifact is validated",
            method: Method::Manual,
        },
    ],
};

/// Every framework `--framework` accepts.
pub const FRAMEWORKS: &[Framework] = &[CIS_DOCKER_1_6];

impl Framework {
    /// The framework `id` names, if any.
    pub fn by_id(id: &str) -> Option<&'static Framework> {
        FRAMEWORKS.iter().find(|f| f.id == id)
    }

    /// The control a rule tag names: `cis-docker-1.6:4.1` is control `4.1`
    /// of this framework. `Err` holds the control part when the tag is this
    /// framework's but names no control of the section (a typo, or another
    /// section such as `5.4`); `Ok(None)` when the tag is not this
    /// framework's at all.
    pub fn control_of_tag(&self, tag: &str) -> Result<Option<&'static Control>, String> {
        let Some(control) = tag
            .strip_prefix(self.id)
            .and_then(|rest| rest.strip_prefix(':'))
        else {
            return Ok(None);
        };
        self.controls
            .iter()
            .find(|c| c.id == control)
            .map(Some)
            .ok_or_else(|| control.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_4_has_twelve_controls_in_order() {
        let ids: Vec<&str> = CIS_DOCKER_1_6.controls.iter().map(|c| c.id).collect();
        assert_eq!(
            ids,
            [
                "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "4.9", "4.10", "4.11",
                "4.12"
            ]
        );
    }

    #[test]
    fn tags_name_controls_of_their_framework_only() {
        let f = &CIS_DOCKER_1_6;
        assert_eq!(
            f.control_of_tag("cis-docker-1.6:4.10")
                .map(|c| c.map(|c| c.id)),
            Ok(Some("4.10"))
        );
        assert_eq!(
            f.control_of_tag("cis-docker-1.6:4.1")
                .map(|c| c.map(|c| c.id)),
            Ok(Some("4.1"))
        );
        assert_eq!(f.control_of_tag("security"), Ok(None));
        assert_eq!(f.control_of_tag("cis-docker-1.5:4.1"), Ok(None));
        assert_eq!(f.control_of_tag("cis-docker-1.6"), Ok(None));
        assert_eq!(
            f.control_of_tag("cis-docker-1.6:5.4"),
            Err("5.4".to_string())
        );
        assert_eq!(
            f.control_of_tag("cis-docker-1.6:4.13"),
            Err("4.13".to_string())
        );
        assert_eq!(Framework::by_id("cis-docker-1.6"), Some(&CIS_DOCKER_1_6));
        assert_eq!(Framework::by_id("cis-k8s"), None);
    }
}

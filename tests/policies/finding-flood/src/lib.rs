//! Returns a flood of findings: `{"count": N}`, a million by default.

include!("../../common.rs");

struct FindingFlood;

fn flood(settings: &str) -> Vec<Finding> {
    let count = setting_number(settings, "count").unwrap_or(1_000_000);
    (0..count).map(|_| finding("FLOOD1", String::new())).collect()
}

impl Guest for FindingFlood {
    fn metadata() -> PolicyInfo {
        policy_info("finding-flood", &["FLOOD1"])
    }

    fn validate_settings(_settings: String) -> Result<(), String> {
        Ok(())
    }

    fn check_dockerfile(_dockerfile: Dockerfile, settings: String) -> Vec<Finding> {
        flood(&settings)
    }

    fn check_image(_image: Image, settings: String) -> Vec<Finding> {
        flood(&settings)
    }
}

export!(FindingFlood);

//! Returns one finding with a huge message: `{"bytes": N}`, 100 MB by default.

include!("../../common.rs");

struct HugeMessage;

fn huge(settings: &str) -> Vec<Finding> {
    let bytes = setting_number(settings, "bytes").unwrap_or(100_000_000);
    let bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
    vec![finding("HUGE1", "x".repeat(bytes))]
}

impl Guest for HugeMessage {
    fn metadata() -> PolicyInfo {
        policy_info("huge-message", &["HUGE1"])
    }

    fn validate_settings(_settings: String) -> Result<(), String> {
        Ok(())
    }

    fn check_dockerfile(_dockerfile: Dockerfile, settings: String) -> Vec<Finding> {
        huge(&settings)
    }

    fn check_image(_image: Image, settings: String) -> Vec<Finding> {
        huge(&settings)
    }
}

export!(HugeMessage);

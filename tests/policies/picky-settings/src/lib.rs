//! Accepts only settings with `"strict": true`.

include!("../../common.rs");

struct PickySettings;

impl Guest for PickySettings {
    fn metadata() -> PolicyInfo {
        policy_info("picky-settings", &["PICKY1"])
    }

    fn validate_settings(settings: String) -> Result<(), String> {
        let compact: String = settings.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.contains("\"strict\":true") {
            Ok(())
        } else {
            Err("key `strict`: must be set to true".to_string())
        }
    }

    fn check_dockerfile(_dockerfile: Dockerfile, _settings: String) -> Vec<Finding> {
        Vec::new()
    }

    fn check_image(_image: Image, _settings: String) -> Vec<Finding> {
        Vec::new()
    }
}

export!(PickySettings);

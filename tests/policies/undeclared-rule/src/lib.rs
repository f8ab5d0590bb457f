//! Reports a rule id its metadata does not declare.

include!("../../common.rs");

struct UndeclaredRule;

impl Guest for UndeclaredRule {
    fn metadata() -> PolicyInfo {
        policy_info("undeclared-rule", &["DECLARED1"])
    }

    fn validate_settings(_settings: String) -> Result<(), String> {
        Ok(())
    }

    fn check_dockerfile(_dockerfile: Dockerfile, _settings: String) -> Vec<Finding> {
        vec![
            finding("DECLARED1", "fine"),
            finding("NOT-DECLARED", "this rule was never declared"),
        ]
    }

    fn check_image(_image: Image, _settings: String) -> Vec<Finding> {
        vec![finding("NOT-DECLARED", "this rule was never declared")]
    }
}

export!(UndeclaredRule);

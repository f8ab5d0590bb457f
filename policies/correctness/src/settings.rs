//! The policy's settings (kebab-case keys in `tallyman.yaml`).

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Settings {
    /// Variables your own base images set (`APP_HOME`, `CATALINA_HOME`):
    /// CR001 takes them as defined in every stage.
    pub base_variables: Vec<String>,
}

impl Settings {
    /// What serde cannot check; errors name the key.
    pub fn validate(&self) -> Result<(), String> {
        for name in &self.base_variables {
            let valid = name
                .chars()
                .next()
                .is_some_and(|first| first == '_' || first.is_alphabetic())
                && name.chars().all(|c| c == '_' || c.is_alphanumeric());
            if !valid {
                return Err(format!(
                    "`base-variables`: `{name}` is not a variable name (letters, digits and `_`, not starting with a digit)"
                ));
            }
        }
        Ok(())
    }
}

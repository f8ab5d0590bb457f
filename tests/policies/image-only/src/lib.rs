//! Checks images only, and says so: its one rule is tagged `target:image`.
//! Its Dockerfile check panics, so a test sees whether the host still
//! calls it on Dockerfiles.

include!("../../common.rs");

struct ImageOnly;

impl Guest for ImageOnly {
    fn metadata() -> PolicyInfo {
        let mut info = policy_info("image-only", &["IMGONLY1"]);
        for rule in &mut info.rules {
            rule.tags = vec!["target:image".to_string()];
        }
        info
    }

    fn validate_settings(_settings: String) -> Result<(), String> {
        Ok(())
    }

    fn check_dockerfile(dockerfile: Dockerfile, _settings: String) -> Vec<Finding> {
        panic!("image-only was called on the Dockerfile {}", dockerfile.path)
    }

    fn check_image(image: Image, _settings: String) -> Vec<Finding> {
        vec![finding("IMGONLY1", format!("checked {}", image.reference))]
    }
}

export!(ImageOnly);

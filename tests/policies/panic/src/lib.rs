//! Panics in every check.

include!("../../common.rs");

struct Panic;

impl Guest for Panic {
    fn metadata() -> PolicyInfo {
        policy_info("panic", &["PANIC1"])
    }

    fn validate_settings(_settings: String) -> Result<(), String> {
        Ok(())
    }

    fn check_dockerfile(dockerfile: Dockerfile, _settings: String) -> Vec<Finding> {
        panic!("the panic policy gives up on {}", dockerfile.path)
    }

    fn check_image(image: Image, _settings: String) -> Vec<Finding> {
        panic!("the panic policy gives up on {}", image.reference)
    }
}

export!(Panic);

//! Never returns from a check.

include!("../../common.rs");

struct EndlessLoop;

fn spin() -> Vec<Finding> {
    let mut n = 0u64;
    loop {
        n = std::hint::black_box(n.wrapping_add(1));
    }
}

impl Guest for EndlessLoop {
    fn metadata() -> PolicyInfo {
        policy_info("endless-loop", &["LOOP1"])
    }

    fn validate_settings(_settings: String) -> Result<(), String> {
        Ok(())
    }

    fn check_dockerfile(_dockerfile: Dockerfile, _settings: String) -> Vec<Finding> {
        spin()
    }

    fn check_image(_image: Image, _settings: String) -> Vec<Finding> {
        spin()
    }
}

export!(EndlessLoop);

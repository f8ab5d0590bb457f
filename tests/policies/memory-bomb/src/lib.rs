//! Allocates (and touches) memory until something stops it.

include!("../../common.rs");

struct MemoryBomb;

fn explode() -> Vec<Finding> {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        hoard.push(vec![0xa5; 1 << 20]);
        std::hint::black_box(&hoard);
    }
}

impl Guest for MemoryBomb {
    fn metadata() -> PolicyInfo {
        policy_info("memory-bomb", &["BOMB1"])
    }

    fn validate_settings(_settings: String) -> Result<(), String> {
        Ok(())
    }

    fn check_dockerfile(_dockerfile: Dockerfile, _settings: String) -> Vec<Finding> {
        explode()
    }

    fn check_image(_image: Image, _settings: String) -> Vec<Finding> {
        explode()
    }
}

export!(MemoryBomb);

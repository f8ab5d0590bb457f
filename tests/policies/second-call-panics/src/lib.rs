//! Keeps state between calls, against the contract: each instance answers
//! its first check and panics on every later one. The engine must give every
//! target the answer a fresh instance would. With `{"count": 1}` it never
//! panics and reports how many calls its instance has had.

include!("../../common.rs");

use std::sync::atomic::{AtomicU32, Ordering};

static CALLS: AtomicU32 = AtomicU32::new(0);

struct SecondCallPanics;

fn check(target: &str, settings: &str) -> Vec<Finding> {
    let calls = CALLS.fetch_add(1, Ordering::Relaxed) + 1;
    if setting_number(settings, "count").is_some() {
        return vec![finding("FIRST1", format!("call {calls}"))];
    }
    if calls > 1 {
        panic!("second call on this instance");
    }
    vec![finding("FIRST1", format!("first call: {target}"))]
}

impl Guest for SecondCallPanics {
    fn metadata() -> PolicyInfo {
        policy_info("second-call-panics", &["FIRST1"])
    }

    fn validate_settings(_settings: String) -> Result<(), String> {
        Ok(())
    }

    fn check_dockerfile(dockerfile: Dockerfile, settings: String) -> Vec<Finding> {
        check(&dockerfile.path, &settings)
    }

    fn check_image(image: Image, settings: String) -> Vec<Finding> {
        check(&image.reference, &settings)
    }
}

export!(SecondCallPanics);

//! `check-image` of the base-image policy: BI002 and BI005 on the base an
//! image names in its `org.opencontainers.image.base.name` annotation or label.

use serde_json::{Value, json};
use tallyman_policy_base_image::BaseImage;
use tallyman_sdk::Finding;
use tallyman_sdk::testing::{self, clean_image_json as base, rule_ids as ids};

fn check(image: &Value) -> Vec<Finding> {
    testing::check_image_json::<BaseImage>(image, "{}")
}

fn with_base(place: &str, base_name: &str) -> Value {
    let mut image = base();
    let entry = json!([{"key": "org.opencontainers.image.base.name", "value": base_name}]);
    if place == "annotation" {
        image["annotations"] = entry;
    } else {
        image["config"]["labels"] = entry;
    }
    image
}

#[test]
fn an_image_naming_no_base_has_no_findings() {
    assert!(check(&base()).is_empty());
}

#[test]
fn bi002_flags_a_latest_base() {
    for place in ["annotation", "label"] {
        for base_name in [
            "alpine:latest",
            "docker.io/library/alpine",
            "registry.example.com/base:latest",
        ] {
            assert_eq!(
                ids(&check(&with_base(place, base_name))),
                ["BI002"],
                "{place} {base_name}"
            );
        }
        for base_name in [
            "alpine:3.22",
            "alpine:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert!(
                check(&with_base(place, base_name)).is_empty(),
                "{place} {base_name}"
            );
        }
    }
    // A digest in the base.digest annotation pins it too.
    let mut image = with_base("annotation", "alpine:latest");
    image["annotations"]
        .as_array_mut()
        .expect("array")
        .push(json!({
            "key": "org.opencontainers.image.base.digest",
            "value": format!("sha256:{}", "d".repeat(64))
        }));
    assert!(check(&image).is_empty());
}

#[test]
fn bi005_flags_an_end_of_life_base() {
    let found = check(&with_base("annotation", "debian:9"));
    assert_eq!(ids(&found), ["BI005"], "{found:#?}");
    assert!(
        found[0].message.contains("`debian:9`"),
        "{}",
        found[0].message
    );
    assert!(check(&with_base("annotation", "debian:12")).is_empty());
}

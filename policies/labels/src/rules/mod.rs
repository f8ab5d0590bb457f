//! One module per rule: its declaration (with the documentation) and its
//! checks.

use tallyman_sdk::{Dockerfile, Finding, Image, Rule};

use crate::settings::Settings;

pub mod lb001;
pub mod lb002;
pub mod lb003;
pub mod lb004;
pub mod lb005;

/// Every rule of the policy, in id order.
pub const ALL: &[&Rule] = &[
    &lb001::LB001,
    &lb002::LB002,
    &lb003::LB003,
    &lb004::LB004,
    &lb005::LB005,
];

/// A rule's check of a Dockerfile: appends its findings.
pub type Check = fn(&Dockerfile, &Settings, &mut Vec<Finding>);

/// Every rule's check, in id order.
pub const CHECKS: &[Check] = &[
    lb001::check,
    lb002::check,
    lb003::check,
    lb004::check,
    lb005::check,
];

/// A rule's check of an image: appends its findings.
pub type ImageCheck = fn(&Image, &Settings, &mut Vec<Finding>);

/// The checks that apply to images, in id order. LB001 and LB003 are about
/// what a Dockerfile writes: an image's labels include its base image's.
pub const IMAGE_CHECKS: &[ImageCheck] =
    &[lb002::check_image, lb004::check_image, lb005::check_image];

//! One module per rule: its declaration (with the documentation) and its
//! check.

use tallyman_sdk::{Dockerfile, Finding, Image, Rule};

use crate::settings::Settings;

pub mod sec001;
pub mod sec002;
pub mod sec003;
pub mod sec004;
pub mod sec005;
pub mod sec006;
pub mod sec007;
pub mod sec008;
pub mod sec009;
pub mod sec010;
pub mod sec011;

/// Every rule of the policy, in id order.
pub const ALL: &[&Rule] = &[
    &sec001::SEC001,
    &sec002::SEC002,
    &sec003::SEC003,
    &sec004::SEC004,
    &sec005::SEC005,
    &sec006::SEC006,
    &sec007::SEC007,
    &sec008::SEC008,
    &sec009::SEC009,
    &sec010::SEC010,
    &sec011::SEC011,
];

/// A rule's check: appends its findings.
pub type Check = fn(&Dockerfile, &Settings, &mut Vec<Finding>);

/// Every rule's check, in id order.
pub const CHECKS: &[Check] = &[
    sec001::check,
    sec002::check,
    sec003::check,
    sec004::check,
    sec005::check,
    sec006::check,
    sec007::check,
    sec008::check,
    sec009::check,
    sec010::check,
    sec011::check,
];

/// A rule's check of an image: appends its findings.
pub type ImageCheck = fn(&Image, &Settings, &mut Vec<Finding>);

/// The checks that apply to images, in id order.
pub const IMAGE_CHECKS: &[ImageCheck] = &[
    sec001::check_image,
    sec002::check_image,
    sec003::check_image,
    sec006::check_image,
];

//! One module per rule: its declaration (with the documentation) and its
//! check.

use tallyman_sdk::{Dockerfile, Finding, Image, Rule};

use crate::settings::Settings;

pub mod bi001;
pub mod bi002;
pub mod bi003;
pub mod bi004;
pub mod bi005;
pub mod bi006;
pub mod bi007;
pub mod bi008;
pub mod bi009;

/// Every rule of the policy, in id order.
pub const ALL: &[&Rule] = &[
    &bi001::BI001,
    &bi002::BI002,
    &bi003::BI003,
    &bi004::BI004,
    &bi005::BI005,
    &bi006::BI006,
    &bi007::BI007,
    &bi008::BI008,
    &bi009::BI009,
];

/// A rule's check: appends its findings.
pub type Check = fn(&Dockerfile, &Settings, &mut Vec<Finding>);

/// Every rule's check, in id order.
pub const CHECKS: &[Check] = &[
    bi001::check,
    bi002::check,
    bi003::check,
    bi004::check,
    bi005::check,
    bi006::check,
    bi007::check,
    bi008::check,
    bi009::check,
];

/// A rule's check of an image: appends its findings.
pub type ImageCheck = fn(&Image, &Settings, &mut Vec<Finding>);

/// The checks that apply to images (on the base the image names), in id order.
pub const IMAGE_CHECKS: &[ImageCheck] = &[bi002::check_image, bi005::check_image];

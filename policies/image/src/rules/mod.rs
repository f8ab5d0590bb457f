//! One module per rule: its declaration (with the documentation) and its
//! check of an image.

use tallyman_sdk::{Finding, Image, Rule};

use crate::settings::Settings;

pub mod img001;
pub mod img002;
pub mod img003;

/// Every rule of the policy, in id order.
pub const ALL: &[&Rule] = &[&img001::IMG001, &img002::IMG002, &img003::IMG003];

/// A rule's check: appends its findings.
pub type Check = fn(&Image, &Settings, &mut Vec<Finding>);

/// Every rule's check, in id order.
pub const CHECKS: &[Check] = &[img001::check, img002::check, img003::check];

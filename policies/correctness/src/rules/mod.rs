//! One module per rule: its declaration (with the documentation) and its
//! check.

use tallyman_sdk::{Dockerfile, Finding, Rule};

use crate::settings::Settings;

pub mod cr001;
pub mod cr002;
pub mod cr003;

/// Every rule of the policy, in id order.
pub const ALL: &[&Rule] = &[&cr001::CR001, &cr002::CR002, &cr003::CR003];

/// A rule's check: appends its findings.
pub type Check = fn(&Dockerfile, &Settings, &mut Vec<Finding>);

/// Every rule's check, in id order.
pub const CHECKS: &[Check] = &[cr001::check, cr002::check, cr003::check];

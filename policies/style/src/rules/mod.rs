//! One module per rule: its declaration (with the documentation) and its
//! check.

use tallyman_sdk::{Dockerfile, Finding, Rule};

pub mod st001;
pub mod st002;
pub mod st003;
pub mod st004;
pub mod st005;

/// Every rule of the policy, in id order.
pub const ALL: &[&Rule] = &[
    &st001::ST001,
    &st002::ST002,
    &st003::ST003,
    &st004::ST004,
    &st005::ST005,
];

/// A rule's check: appends its findings.
pub type Check = fn(&Dockerfile, &mut Vec<Finding>);

/// Every rule's check, in id order.
pub const CHECKS: &[Check] = &[
    st001::check,
    st002::check,
    st003::check,
    st004::check,
    st005::check,
];

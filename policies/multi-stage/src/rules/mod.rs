//! One module per rule: its declaration (with the documentation) and its
//! check.

use tallyman_sdk::{Dockerfile, Finding, Rule};

use crate::settings::Settings;

pub mod ms001;
pub mod ms002;
pub mod ms003;
pub mod ms004;
pub mod ms005;
pub mod ms006;
pub mod ms007;
pub mod ms008;
pub mod ms009;
pub mod ms010;
pub mod ms011;
pub mod ms012;
pub mod ms013;

/// Every rule of the policy, in id order.
pub const ALL: &[&Rule] = &[
    &ms001::MS001,
    &ms002::MS002,
    &ms003::MS003,
    &ms004::MS004,
    &ms005::MS005,
    &ms006::MS006,
    &ms007::MS007,
    &ms008::MS008,
    &ms009::MS009,
    &ms010::MS010,
    &ms011::MS011,
    &ms012::MS012,
    &ms013::MS013,
];

/// A rule's check: appends its findings.
pub type Check = fn(&Dockerfile, &Settings, &mut Vec<Finding>);

/// Every rule's check, in id order.
pub const CHECKS: &[Check] = &[
    ms001::check,
    ms002::check,
    ms003::check,
    ms004::check,
    ms005::check,
    ms006::check,
    ms007::check,
    ms008::check,
    ms009::check,
    ms010::check,
    ms011::check,
    ms012::check,
    ms013::check,
];

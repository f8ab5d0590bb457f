//! One module per rule: its declaration (with the documentation) and its
//! check.

use tallyman_sdk::{Dockerfile, Finding, Image, Rule};

use crate::settings::Settings;

pub mod hd001;
pub mod hd002;
pub mod hd003;
pub mod hd004;
pub mod hd005;
pub mod hd006;
pub mod hd007;
pub mod hd008;
pub mod hd009;
pub mod hd010;
pub mod hd011;
pub mod hd012;
pub mod hd013;
pub mod hd014;
pub mod hd015;
pub mod hd016;
pub mod hd017;
pub mod hd018;
pub mod hd019;
pub mod hd020;
pub mod hd021;
pub mod hd022;
pub mod hd023;
pub mod hd024;
pub mod hd025;
pub mod hd026;
pub mod hd027;
pub mod hd028;
pub mod hd030;
pub mod hd031;
pub mod hd032;
pub mod hd033;
pub mod hd034;
pub mod hd040;
pub mod hd041;

/// Every rule of the policy, in id order.
pub const ALL: &[&Rule] = &[
    &hd001::HD001,
    &hd002::HD002,
    &hd003::HD003,
    &hd004::HD004,
    &hd005::HD005,
    &hd006::HD006,
    &hd007::HD007,
    &hd008::HD008,
    &hd009::HD009,
    &hd010::HD010,
    &hd011::HD011,
    &hd012::HD012,
    &hd013::HD013,
    &hd014::HD014,
    &hd015::HD015,
    &hd016::HD016,
    &hd017::HD017,
    &hd018::HD018,
    &hd019::HD019,
    &hd020::HD020,
    &hd021::HD021,
    &hd022::HD022,
    &hd023::HD023,
    &hd024::HD024,
    &hd025::HD025,
    &hd026::HD026,
    &hd027::HD027,
    &hd028::HD028,
    &hd030::HD030,
    &hd031::HD031,
    &hd032::HD032,
    &hd033::HD033,
    &hd034::HD034,
    &hd040::HD040,
    &hd041::HD041,
];

/// A rule's check: appends its findings.
pub type Check = fn(&Dockerfile, &Settings, &mut Vec<Finding>);

/// Every rule's check, in id order.
pub const CHECKS: &[Check] = &[
    hd001::check,
    hd002::check,
    hd003::check,
    hd004::check,
    hd005::check,
    hd006::check,
    hd007::check,
    hd008::check,
    hd009::check,
    hd010::check,
    hd011::check,
    hd012::check,
    hd013::check,
    hd014::check,
    hd015::check,
    hd016::check,
    hd017::check,
    hd018::check,
    hd019::check,
    hd020::check,
    hd021::check,
    hd022::check,
    hd023::check,
    hd024::check,
    hd025::check,
    hd026::check,
    hd027::check,
    hd028::check,
    hd030::check,
    hd031::check,
    hd032::check,
    hd033::check,
    hd034::check,
    hd040::check,
    hd041::check,
];

/// A rule's check of an image: appends its findings.
pub type ImageCheck = fn(&Image, &Settings, &mut Vec<Finding>);

/// The checks that apply to images, in id order.
pub const IMAGE_CHECKS: &[ImageCheck] = &[
    hd001::check_image,
    hd002::check_image,
    hd005::check_image,
    hd006::check_image,
    hd007::check_image,
    hd011::check_image,
    hd013::check_image,
    hd030::check_image,
    hd034::check_image,
];

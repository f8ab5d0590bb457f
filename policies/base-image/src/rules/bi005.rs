use tallyman_sdk::{Dockerfile, Finding, Image};

use crate::eol::{Match, is_iso_date, releases_of};
use crate::references::{from_images, quote};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `FROM` instructions, in every stage, whose image is on a release
    /// that has reached its end of life: Python 2 and 3.0–3.9, Node.js 20 and
    /// older, Ubuntu 20.04 and older, Debian 11 and older, CentOS, Alpine
    /// 3.20 and older, Go, Ruby, PHP, Fedora and Amazon Linux releases, each
    /// from the date its support ended. The operating system named in
    /// another image's tag counts too: `python:3.11-bullseye` runs on
    /// Debian 11, `node:20-alpine3.18` on Alpine 3.18,
    /// `mcr.microsoft.com/devcontainers/base:ubuntu-18.04` on Ubuntu 18.04,
    /// `nvidia/cuda:11.0-base-centos7` on CentOS 7; so does a version in the
    /// repository's name (`gcr.io/distroless/base-debian10`).
    ///
    /// Two kinds of tags need no entry of their own:
    /// - a floating major tag follows the newest release of its line, and
    ///   once the table lists a later line that release is the last one:
    ///   `ruby:2` is Ruby 2.7, `php:7-apache` is PHP 7.4, `node:0` is
    ///   Node.js 0.12, each past its end of life (`python:3` and `golang:1`
    ///   follow lines still open, and are not flagged);
    /// - a release older than the oldest the table lists for its image
    ///   (`fedora:34`, `golang:1.8`, `ruby:1.9`) ended before that one: it is
    ///   reported with that date as the latest its support can have ended.
    ///
    /// The table of releases and dates ships with the policy; the
    /// `end-of-life` setting adds entries or corrects them
    /// (`{image: python, version: "3.10", date: 2026-10-31}`). The date
    /// the scan compares with is the one the host fixes for the evaluation,
    /// so a report can be reproduced later.
    ///
    /// ## Why is this bad?
    /// After its end of life a release gets no security fixes: every new
    /// vulnerability in it stays open for good, and scanners report more of
    /// them with every month. Builder stages matter as well: an unsupported
    /// compiler or runtime builds its own bugs into the binaries it
    /// produces.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.8-slim-buster
    /// ```
    ///
    /// ## Fix
    /// Move to a supported release, and plan the next move before its end of
    /// life:
    /// ```dockerfile
    /// FROM python:3.13-slim-bookworm
    /// ```
    pub const BI005 = {
        id: "BI005",
        title: "Base image has reached its end of life",
        severity: High,
        tags: ["cis-docker-1.6:4.2", "security"],
        equivalents: [],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    let today = dockerfile.evaluated_on.as_str();
    if !is_iso_date(today) {
        tallyman_sdk::log::warn(&format!(
            "BI005 skipped: the evaluation date `{today}` is not YYYY-MM-DD"
        ));
        return;
    }
    for (stage, from, reference, name) in from_images(dockerfile) {
        let ended: Vec<String> = releases_of(name, &settings.end_of_life)
            .into_iter()
            // ISO dates compare as strings; the end date is the first day
            // without support.
            .filter(|release| release.end_of_life.as_str() <= today)
            .map(|release| describe(&release))
            .collect();
        if ended.is_empty() {
            continue;
        }
        findings.push(
            Finding::at(&BI005, (stage, from))
                .message(format!(
                    "{} is on a release past its end of life: {}",
                    quote(reference),
                    ended.join(", ")
                ))
                .fix("move to a supported release of the image"),
        );
    }
}

/// The image's base, named by its `org.opencontainers.image.base.name`
/// annotation or label, is a release past its end of life.
pub fn check_image(image: &Image, settings: &Settings, findings: &mut Vec<Finding>) {
    let today = image.evaluated_on.as_str();
    if !is_iso_date(today) {
        return;
    }
    let Some((written, name)) = crate::image::base_name(image) else {
        return;
    };
    let ended: Vec<String> = releases_of(&name, &settings.end_of_life)
        .into_iter()
        .filter(|release| release.end_of_life.as_str() <= today)
        .map(|release| describe(&release))
        .collect();
    if ended.is_empty() {
        return;
    }
    findings.push(
        Finding::new(&BI005)
            .message(format!(
                "the image was built on `{written}`, a release past its end of life: {}",
                ended.join(", ")
            ))
            .fix("rebuild on a supported release of the base image"),
    );
}

/// `Python 3.8 (since 2024-10-07)`; for a release older than the table,
/// `Fedora 34, older than Fedora 35 (by 2022-12-13 at the latest)`.
fn describe(release: &Match) -> String {
    if release.ended_by {
        format!(
            "{} (by {} at the latest)",
            release.release, release.end_of_life
        )
    } else {
        format!("{} (since {})", release.release, release.end_of_life)
    }
}

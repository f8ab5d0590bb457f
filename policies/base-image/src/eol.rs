//! End-of-life data for BI005: the releases of common base images and the
//! day each stopped receiving security fixes.
//!
//! Dates are the projects' published ends of support (as collected by
//! endoflife.date): for Ubuntu the end of standard support, for Debian the
//! end of LTS (when security updates really stop), for language runtimes
//! the end of upstream security releases. Entries whose day was announced
//! only as a month use that month's first or last day as published. Users
//! add or correct entries with the `end-of-life` setting; an entry there
//! that matches an image replaces the built-in table for that image.

use tallyman_sdk::image::ImagePattern;
use tallyman_sdk::model::ImageName;

use crate::settings::EndOfLifeSetting;

/// A product whose releases reach end of life.
struct Product {
    /// How messages name it.
    name: &'static str,
    /// Image families that are this product (the repository's last part).
    families: &'static [&'static str],
    /// How other images name this product's releases
    /// (`python:3.9-buster` runs on Debian 10).
    in_other_tags: InOtherTags,
    releases: &'static [Release],
}

#[derive(Clone, Copy)]
struct InOtherTags {
    /// As a codename word of the tag: `buster`, `focal`.
    codenames: bool,
    /// As this prefix and the version, in one word or two, in the tag
    /// (`alpine3.17`, `ubuntu-18.04`) or the repository's name
    /// (`distroless/base-debian10`).
    prefix: Option<&'static str>,
}

/// Not named by other images.
const NOT_IN_OTHER_TAGS: InOtherTags = InOtherTags {
    codenames: false,
    prefix: None,
};

const fn prefixed(prefix: &'static str) -> InOtherTags {
    InOtherTags {
        codenames: false,
        prefix: Some(prefix),
    }
}

const fn codenames_or_prefixed(prefix: &'static str) -> InOtherTags {
    InOtherTags {
        codenames: true,
        prefix: Some(prefix),
    }
}

struct Release {
    /// Matches tags starting with this version (`3.8` matches `3.8`,
    /// `3.8.10-slim`); empty for none.
    version: &'static str,
    /// Tag words that name the release (`buster`); `latest` matches an
    /// untagged reference too.
    codenames: &'static [&'static str],
    /// First day without support, `YYYY-MM-DD`.
    end_of_life: &'static str,
}

const fn release(version: &'static str, end_of_life: &'static str) -> Release {
    Release {
        version,
        codenames: &[],
        end_of_life,
    }
}

const fn named(
    version: &'static str,
    codenames: &'static [&'static str],
    end_of_life: &'static str,
) -> Release {
    Release {
        version,
        codenames,
        end_of_life,
    }
}

const PRODUCTS: &[Product] = &[
    Product {
        name: "Python",
        families: &["python"],
        in_other_tags: NOT_IN_OTHER_TAGS,
        releases: &[
            release("2", "2020-01-01"),
            release("3.0", "2009-06-27"),
            release("3.1", "2012-04-09"),
            release("3.2", "2016-02-20"),
            release("3.3", "2017-09-29"),
            release("3.4", "2019-03-18"),
            release("3.5", "2020-09-30"),
            release("3.6", "2021-12-23"),
            release("3.7", "2023-06-27"),
            release("3.8", "2024-10-07"),
            release("3.9", "2025-10-31"),
            release("3.10", "2026-10-31"),
            release("3.11", "2027-10-31"),
            release("3.12", "2028-10-31"),
            release("3.13", "2029-10-31"),
        ],
    },
    Product {
        name: "Node.js",
        families: &["node"],
        in_other_tags: NOT_IN_OTHER_TAGS,
        releases: &[
            release("0.8", "2014-07-31"),
            release("0.10", "2016-10-31"),
            release("0.11", "2015-09-08"),
            release("0.12", "2016-12-31"),
            named("4", &["argon"], "2018-04-30"),
            release("5", "2016-06-30"),
            named("6", &["boron"], "2019-04-30"),
            release("7", "2017-06-30"),
            named("8", &["carbon"], "2019-12-31"),
            release("9", "2018-06-30"),
            named("10", &["dubnium"], "2021-04-30"),
            release("11", "2019-06-01"),
            named("12", &["erbium"], "2022-04-30"),
            release("13", "2020-06-01"),
            named("14", &["fermium"], "2023-04-30"),
            release("15", "2021-06-01"),
            named("16", &["gallium"], "2023-09-11"),
            release("17", "2022-06-01"),
            named("18", &["hydrogen"], "2025-04-30"),
            release("19", "2023-06-01"),
            named("20", &["iron"], "2026-04-30"),
            release("21", "2024-06-01"),
            named("22", &["jod"], "2027-04-30"),
            release("23", "2025-06-01"),
            named("24", &["krypton"], "2028-04-30"),
        ],
    },
    Product {
        name: "Ubuntu",
        families: &["ubuntu"],
        in_other_tags: codenames_or_prefixed("ubuntu"),
        releases: &[
            named("12.04", &["precise"], "2017-04-28"),
            named("14.04", &["trusty"], "2019-04-25"),
            named("16.04", &["xenial"], "2021-04-30"),
            named("17.04", &["zesty"], "2018-01-13"),
            named("17.10", &["artful"], "2018-07-19"),
            named("18.04", &["bionic"], "2023-05-31"),
            named("18.10", &["cosmic"], "2019-07-18"),
            named("19.04", &["disco"], "2020-01-23"),
            named("19.10", &["eoan"], "2020-07-17"),
            named("20.04", &["focal"], "2025-05-29"),
            named("20.10", &["groovy"], "2021-07-22"),
            named("21.04", &["hirsute"], "2022-01-20"),
            named("21.10", &["impish"], "2022-07-14"),
            named("22.04", &["jammy"], "2027-06-01"),
            named("22.10", &["kinetic"], "2023-07-20"),
            named("23.04", &["lunar"], "2024-01-25"),
            named("23.10", &["mantic"], "2024-07-11"),
            named("24.04", &["noble"], "2029-05-31"),
            named("24.10", &["oracular"], "2025-07-10"),
        ],
    },
    Product {
        name: "Debian",
        families: &["debian"],
        in_other_tags: codenames_or_prefixed("debian"),
        releases: &[
            named("6", &["squeeze"], "2016-02-29"),
            named("7", &["wheezy"], "2018-05-31"),
            named("8", &["jessie"], "2020-06-30"),
            named("9", &["stretch"], "2022-06-30"),
            named("10", &["buster"], "2024-06-30"),
            named("11", &["bullseye"], "2026-08-31"),
            named("12", &["bookworm"], "2028-06-30"),
        ],
    },
    Product {
        name: "Alpine Linux",
        families: &["alpine"],
        in_other_tags: prefixed("alpine"),
        releases: &[
            release("2", "2015-05-01"),
            release("3.0", "2016-05-01"),
            release("3.1", "2016-11-01"),
            release("3.2", "2017-05-01"),
            release("3.3", "2017-11-01"),
            release("3.4", "2018-05-01"),
            release("3.5", "2018-11-01"),
            release("3.6", "2019-05-01"),
            release("3.7", "2019-11-01"),
            release("3.8", "2020-05-01"),
            release("3.9", "2020-11-01"),
            release("3.10", "2021-05-01"),
            release("3.11", "2021-11-01"),
            release("3.12", "2022-05-01"),
            release("3.13", "2022-11-01"),
            release("3.14", "2023-05-01"),
            release("3.15", "2023-11-01"),
            release("3.16", "2024-05-23"),
            release("3.17", "2024-11-22"),
            release("3.18", "2025-05-09"),
            release("3.19", "2025-11-01"),
            release("3.20", "2026-04-01"),
            release("3.21", "2026-11-01"),
            release("3.22", "2027-05-01"),
        ],
    },
    Product {
        name: "CentOS",
        families: &["centos"],
        in_other_tags: prefixed("centos"),
        releases: &[
            named("5", &["centos5"], "2017-03-31"),
            named("6", &["centos6"], "2020-11-30"),
            named("7", &["centos7"], "2024-06-30"),
            // `centos` and `centos:latest` are CentOS 8.
            named("8", &["centos8", "latest"], "2021-12-31"),
            named("", &["stream8"], "2024-05-31"),
            named("", &["stream9"], "2027-05-31"),
        ],
    },
    Product {
        name: "Go",
        families: &["golang"],
        in_other_tags: NOT_IN_OTHER_TAGS,
        releases: &[
            release("1.9", "2018-08-24"),
            release("1.10", "2019-02-25"),
            release("1.11", "2019-09-03"),
            release("1.12", "2020-02-25"),
            release("1.13", "2020-08-11"),
            release("1.14", "2021-02-16"),
            release("1.15", "2021-08-16"),
            release("1.16", "2022-03-15"),
            release("1.17", "2022-08-02"),
            release("1.18", "2023-02-01"),
            release("1.19", "2023-08-08"),
            release("1.20", "2024-02-06"),
            release("1.21", "2024-08-13"),
            release("1.22", "2025-02-11"),
            release("1.23", "2025-08-12"),
        ],
    },
    Product {
        name: "Ruby",
        families: &["ruby"],
        in_other_tags: NOT_IN_OTHER_TAGS,
        releases: &[
            release("2.4", "2020-03-31"),
            release("2.5", "2021-04-05"),
            release("2.6", "2022-04-12"),
            release("2.7", "2023-03-31"),
            release("3.0", "2024-04-23"),
            release("3.1", "2025-03-26"),
            release("3.2", "2026-03-31"),
        ],
    },
    Product {
        name: "PHP",
        families: &["php"],
        in_other_tags: NOT_IN_OTHER_TAGS,
        releases: &[
            release("5", "2018-12-31"),
            release("7.0", "2019-01-10"),
            release("7.1", "2019-12-01"),
            release("7.2", "2020-11-30"),
            release("7.3", "2021-12-06"),
            release("7.4", "2022-11-28"),
            release("8.0", "2023-11-26"),
            release("8.1", "2025-12-31"),
            release("8.2", "2026-12-31"),
        ],
    },
    Product {
        name: "Fedora",
        families: &["fedora"],
        in_other_tags: prefixed("fedora"),
        releases: &[
            release("35", "2022-12-13"),
            release("36", "2023-05-16"),
            release("37", "2023-12-05"),
            release("38", "2024-05-21"),
            release("39", "2024-11-26"),
            release("40", "2025-05-13"),
        ],
    },
    Product {
        name: "Amazon Linux",
        families: &["amazonlinux"],
        in_other_tags: NOT_IN_OTHER_TAGS,
        releases: &[
            release("1", "2023-12-31"),
            release("2018.03", "2023-12-31"),
            release("2", "2026-06-30"),
        ],
    },
];

/// A release an image reference is on, and when its support ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// `Python 3.8`, `Debian 10 "buster"`, `Ruby 2.7, the last Ruby 2`.
    pub release: String,
    pub end_of_life: String,
    /// The release is older than every one the table lists: its support
    /// ended on `end_of_life` at the latest, the end of the oldest listed.
    pub ended_by: bool,
}

/// The releases `name` is on, from the `end-of-life` setting when one of
/// its entries matches, from the built-in table otherwise.
pub fn releases_of(name: &ImageName, extra: &[EndOfLifeSetting]) -> Vec<Match> {
    let from_settings: Vec<Match> = extra
        .iter()
        .filter(|entry| setting_matches(entry, name))
        .map(|entry| Match {
            release: entry
                .name
                .clone()
                .unwrap_or_else(|| format!("{} {}", entry.image, entry.version)),
            end_of_life: entry.date.clone(),
            ended_by: false,
        })
        .collect();
    if !from_settings.is_empty() {
        return from_settings;
    }
    let words = tag_words(name);
    let repository_words = repository_words(name);
    let version = name.tag_version();
    let mut matches = Vec::new();
    for product in PRODUCTS {
        let own = name.is_family(product.families);
        let before = matches.len();
        for release in product.releases {
            if release_matches(
                product,
                release,
                own,
                version.as_deref(),
                &words,
                &repository_words,
            ) {
                matches.push(Match {
                    release: describe(product, release),
                    end_of_life: release.end_of_life.to_string(),
                    ended_by: false,
                });
            }
        }
        if own
            && matches.len() == before
            && let Some(version) = version.as_deref()
        {
            matches.extend(unlisted_release(product, version));
        }
    }
    matches
}

/// A version of the product's own image that no release of the table
/// matches: a floating major tag whose line is closed (`ruby:2` is Ruby
/// 2.7, the last Ruby 2, once Ruby 3 is out), or a release older than the
/// oldest listed (`fedora:34`), whose support ended before that one's.
fn unlisted_release(product: &Product, version: &[u32]) -> Option<Match> {
    let listed: Vec<(Vec<u32>, &Release)> = product
        .releases
        .iter()
        .filter_map(|release| parse_version(release.version).map(|parsed| (parsed, release)))
        .collect();
    let in_line = listed
        .iter()
        .filter(|(parsed, _)| parsed.len() > version.len() && parsed.starts_with(version))
        .max_by(|(a, _), (b, _)| a.cmp(b));
    if let Some((_, newest)) = in_line {
        // A later line in the table means this one gets no new release.
        let closed = listed.iter().any(|(parsed, _)| {
            parsed
                .get(..version.len())
                .is_some_and(|head| head > version)
        });
        let line = version
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(".");
        return closed.then(|| Match {
            release: format!(
                "{}, the last {} {line}",
                describe(product, newest),
                product.name
            ),
            end_of_life: newest.end_of_life.to_string(),
            ended_by: false,
        });
    }
    let (oldest, release) = listed.iter().min_by(|(a, _), (b, _)| a.cmp(b))?;
    let written = version
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(".");
    (version < oldest.as_slice()).then(|| Match {
        release: format!(
            "{} {written}, older than {}",
            product.name,
            describe(product, release)
        ),
        end_of_life: release.end_of_life.to_string(),
        ended_by: true,
    })
}

fn release_matches(
    product: &Product,
    release: &Release,
    own_family: bool,
    version: Option<&[u32]>,
    words: &[String],
    repository_words: &[String],
) -> bool {
    if own_family {
        if let (Some(version), Some(wanted)) = (version, parse_version(release.version))
            && version.starts_with(&wanted)
        {
            return true;
        }
        if release
            .codenames
            .iter()
            .any(|codename| words.iter().any(|word| word_names(word, codename)))
        {
            return true;
        }
        return false;
    }
    let InOtherTags { codenames, prefix } = product.in_other_tags;
    if codenames
        && release.codenames.iter().any(|codename| {
            *codename != "latest" && words.iter().any(|word| word_names(word, codename))
        })
    {
        return true;
    }
    match prefix {
        Some(prefix) if !release.version.is_empty() => {
            names_prefixed(words, prefix, release.version)
                || names_prefixed(repository_words, prefix, release.version)
        }
        _ => false,
    }
}

/// The words name `prefix` and `version`: in one word (`alpine3.17`,
/// `debian10`) or in two (`ubuntu`, `18.04`).
fn names_prefixed(words: &[String], prefix: &str, version: &str) -> bool {
    let marker = format!("{prefix}{version}");
    words.iter().enumerate().any(|(at, word)| {
        word_names(word, &marker)
            || (word == prefix
                && words
                    .get(at + 1)
                    .is_some_and(|next| word_names(next, version)))
    })
}

/// The lower-case words of the repository's last component, split at `-`
/// and `_`: `["base", "debian10"]` for `gcr.io/distroless/base-debian10`.
fn repository_words(name: &ImageName) -> Vec<String> {
    name.family()
        .split(['-', '_'])
        .filter(|word| !word.is_empty())
        .map(str::to_string)
        .collect()
}

/// `word` is `name`, or `name` followed by a more precise version
/// (`alpine3.17.2` names `alpine3.17`; `alpine3.170` does not).
fn word_names(word: &str, name: &str) -> bool {
    match word.strip_prefix(name) {
        Some(rest) => rest.is_empty() || rest.starts_with('.'),
        None => false,
    }
}

/// Lower-case tag words, and `latest` for an untagged reference.
fn tag_words(name: &ImageName) -> Vec<String> {
    let mut words: Vec<String> = name
        .tag_words()
        .iter()
        .map(|word| word.to_ascii_lowercase())
        .collect();
    if name.effective_tag() == Some("latest") {
        words.push("latest".to_string());
    }
    words
}

fn describe(product: &Product, release: &Release) -> String {
    let codename = release
        .codenames
        .iter()
        .find(|codename| **codename != "latest" && !codename.starts_with(char::is_numeric));
    match (release.version, codename) {
        ("", Some(codename)) => format!("{} {codename}", product.name),
        (version, Some(codename)) if product.name != "CentOS" => {
            format!("{} {version} \"{codename}\"", product.name)
        }
        (version, _) => format!("{} {version}", product.name),
    }
}

fn setting_matches(entry: &EndOfLifeSetting, name: &ImageName) -> bool {
    let image_matches = if entry.image.contains('/') {
        ImagePattern::parse(&entry.image).is_ok_and(|pattern| {
            // The pattern has no tag: compare the name whatever its tag.
            let untagged = ImageName {
                tag: None,
                digest: None,
                ..name.clone()
            };
            pattern.matches(&untagged)
        })
    } else {
        name.is_family(&[entry.image.as_str()])
    };
    if !image_matches {
        return false;
    }
    match parse_version(&entry.version) {
        Some(wanted) => name
            .tag_version()
            .is_some_and(|version| version.starts_with(&wanted)),
        None => {
            let wanted = entry.version.to_ascii_lowercase();
            tag_words(name).iter().any(|word| word_names(word, &wanted))
        }
    }
}

/// `3.10` as `[3, 10]`; `None` unless every part is a number.
pub fn parse_version(text: &str) -> Option<Vec<u32>> {
    if text.is_empty() {
        return None;
    }
    text.split('.')
        .map(|part| part.parse::<u32>().ok())
        .collect()
}

/// `YYYY-MM-DD` with a month 01–12 and a day 01–31. Dates in this form
/// compare correctly as strings.
pub fn is_iso_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return false;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        text.get(range)
            .filter(|part| part.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|part| part.parse().ok())
    };
    matches!(
        (digits(0..4), digits(5..7), digits(8..10)),
        (Some(_), Some(1..=12), Some(1..=31))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub(repository: &str, tag: Option<&str>) -> ImageName {
        ImageName {
            registry: "docker.io".into(),
            repository: repository.into(),
            tag: tag.map(str::to_string),
            digest: None,
        }
    }

    fn releases(repository: &str, tag: Option<&str>) -> Vec<String> {
        releases_of(&hub(repository, tag), &[])
            .into_iter()
            .map(|found| format!("{} until {}", found.release, found.end_of_life))
            .collect()
    }

    #[test]
    fn every_date_is_valid_and_every_release_matches_something() {
        for product in PRODUCTS {
            for release in product.releases {
                assert!(is_iso_date(release.end_of_life), "{}", release.end_of_life);
                assert!(
                    !release.version.is_empty() || !release.codenames.is_empty(),
                    "{} has a release that matches nothing",
                    product.name
                );
                if !release.version.is_empty() {
                    assert!(
                        parse_version(release.version).is_some(),
                        "{}",
                        release.version
                    );
                }
            }
        }
    }

    #[test]
    fn versions_match_by_numeric_prefix() {
        assert_eq!(
            releases("library/python", Some("3.8.10-slim")),
            ["Python 3.8 until 2024-10-07"]
        );
        assert!(
            releases("library/python", Some("3.10"))
                .iter()
                .all(|r| !r.contains("3.1 "))
        );
        assert_eq!(
            releases("library/python", Some("3.10")),
            ["Python 3.10 until 2026-10-31"]
        );
        // A floating major tag is the newest release of that major.
        assert!(releases("library/python", Some("3")).is_empty());
        assert_eq!(
            releases("library/python", Some("2")),
            ["Python 2 until 2020-01-01"]
        );
    }

    #[test]
    fn codenames_match_in_the_family_and_os_codenames_anywhere() {
        assert_eq!(
            releases("library/debian", Some("buster-slim")),
            ["Debian 10 \"buster\" until 2024-06-30"]
        );
        assert_eq!(
            releases("library/python", Some("3.8-slim-buster")),
            [
                "Python 3.8 until 2024-10-07",
                "Debian 10 \"buster\" until 2024-06-30"
            ]
        );
        assert_eq!(
            releases("library/node", Some("hydrogen-alpine3.17")),
            [
                "Node.js 18 \"hydrogen\" until 2025-04-30",
                "Alpine Linux 3.17 until 2024-11-22"
            ]
        );
        // Node codenames mean nothing outside node.
        assert_eq!(
            releases("library/python", Some("3.13-hydrogen")),
            ["Python 3.13 until 2029-10-31"]
        );
        assert_eq!(releases("library/ubuntu", Some("focal-20240101")).len(), 1);
        assert!(
            releases("library/node", Some("20-alpine3.170"))
                .iter()
                .all(|r| !r.contains("Alpine"))
        );
    }

    #[test]
    fn closed_lines_and_releases_older_than_the_table() {
        assert_eq!(
            releases("library/ruby", Some("2-slim")),
            ["Ruby 2.7, the last Ruby 2 until 2023-03-31"]
        );
        assert_eq!(
            releases("library/node", Some("0")),
            ["Node.js 0.12, the last Node.js 0 until 2016-12-31"]
        );
        // Open lines: the newest release is not in the table.
        assert!(releases("library/python", Some("3")).is_empty());
        assert!(releases("library/golang", Some("1")).is_empty());
        assert!(releases("library/php", Some("8")).is_empty());
        let old = releases_of(&hub("library/fedora", Some("34")), &[]);
        assert_eq!(old.len(), 1);
        assert!(old.iter().all(|found| found.ended_by));
        // Newer than the table: not known to be over.
        assert!(releases("library/fedora", Some("42")).is_empty());
        assert!(releases("library/ruby", Some("1.9.3")).len() == 1);
    }

    #[test]
    fn distribution_versions_in_other_names() {
        assert_eq!(
            releases("devcontainers/base", Some("ubuntu-18.04")),
            ["Ubuntu 18.04 \"bionic\" until 2023-05-31"]
        );
        assert_eq!(
            releases("nvidia/cuda", Some("11.0-base-centos7")),
            ["CentOS 7 until 2024-06-30"]
        );
        assert_eq!(
            releases("distroless/base-debian10", None),
            ["Debian 10 \"buster\" until 2024-06-30"]
        );
        assert_eq!(
            releases("devcontainers/base", Some("ubuntu-24.04")),
            ["Ubuntu 24.04 \"noble\" until 2029-05-31"]
        );
        assert!(releases("example/ubuntu-tools", Some("1.0")).is_empty());
        assert!(releases("example/tools", Some("debian-100")).is_empty());
    }

    #[test]
    fn untagged_centos_is_centos_8() {
        assert_eq!(
            releases("library/centos", None),
            ["CentOS 8 until 2021-12-31"]
        );
        assert_eq!(
            releases("library/centos", Some("centos7.9.2009")),
            ["CentOS 7 until 2024-06-30"]
        );
        assert!(releases("library/ubuntu", None).is_empty());
    }

    #[test]
    fn settings_entries_replace_the_table_for_their_images() {
        let entry = |image: &str, version: &str| EndOfLifeSetting {
            image: image.into(),
            version: version.into(),
            date: "2030-01-01".into(),
            name: None,
        };
        let extra = [
            entry("python", "3.8"),
            entry("registry.example.com/base/*", "bullseye"),
        ];
        let python = releases_of(&hub("library/python", Some("3.8-buster")), &extra);
        assert_eq!(
            python,
            [Match {
                release: "python 3.8".into(),
                end_of_life: "2030-01-01".into(),
                ended_by: false,
            }]
        );
        let private = ImageName {
            registry: "registry.example.com".into(),
            repository: "base/app".into(),
            tag: Some("1-bullseye".into()),
            digest: None,
        };
        assert_eq!(releases_of(&private, &extra).len(), 1);
        // Entries that don't match leave the table in charge.
        assert_eq!(
            releases_of(&hub("library/python", Some("3.7")), &extra).len(),
            1
        );
    }

    #[test]
    fn iso_dates() {
        assert!(is_iso_date("2025-06-01"));
        assert!(!is_iso_date("2025-13-01"));
        assert!(!is_iso_date("2025-6-01"));
        assert!(!is_iso_date("2025-06-00"));
        assert!(!is_iso_date("२०२५-06-01"));
        assert!(!is_iso_date(""));
    }
}

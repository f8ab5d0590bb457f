//! Image references as Docker normalises them. The valid cases are `FROM`
//! references from the real-world corpus (`shared/corpus`), plus the
//! registry, port and digest forms the corpus lacks; expected values follow
//! distribution/reference's `ParseNormalizedNamed`, `FamiliarString` and
//! `TagNameOnly`.

use tallyman_dockerfile::imageref::{ImageName, ImageRefError};

/// One valid reference per line: input | registry | repository | tag |
/// digest | familiar form | normalised form, `-` for none.
const VALID: &str = "
# From the corpus.
debian:trixie-slim | docker.io | library/debian | trixie-slim | - | debian:trixie-slim | docker.io/library/debian:trixie-slim
alpine:latest | docker.io | library/alpine | latest | - | alpine:latest | docker.io/library/alpine:latest
alpine | docker.io | library/alpine | - | - | alpine | docker.io/library/alpine:latest
scratch | docker.io | library/scratch | - | - | scratch | docker.io/library/scratch:latest
golang:alpine | docker.io | library/golang | alpine | - | golang:alpine | docker.io/library/golang:alpine
ubuntu:16.04 | docker.io | library/ubuntu | 16.04 | - | ubuntu:16.04 | docker.io/library/ubuntu:16.04
python:2-alpine | docker.io | library/python | 2-alpine | - | python:2-alpine | docker.io/library/python:2-alpine
node:lts | docker.io | library/node | lts | - | node:lts | docker.io/library/node:lts
node:0.10.35 | docker.io | library/node | 0.10.35 | - | node:0.10.35 | docker.io/library/node:0.10.35
haskell:8.8 | docker.io | library/haskell | 8.8 | - | haskell:8.8 | docker.io/library/haskell:8.8
php:8.4-fpm-alpine3.24 | docker.io | library/php | 8.4-fpm-alpine3.24 | - | php:8.4-fpm-alpine3.24 | docker.io/library/php:8.4-fpm-alpine3.24
maven:3.8.5-eclipse-temurin-17 | docker.io | library/maven | 3.8.5-eclipse-temurin-17 | - | maven:3.8.5-eclipse-temurin-17 | docker.io/library/maven:3.8.5-eclipse-temurin-17
eclipse-temurin:25-jre-noble | docker.io | library/eclipse-temurin | 25-jre-noble | - | eclipse-temurin:25-jre-noble | docker.io/library/eclipse-temurin:25-jre-noble
nginx:1.27.4-alpine-slim | docker.io | library/nginx | 1.27.4-alpine-slim | - | nginx:1.27.4-alpine-slim | docker.io/library/nginx:1.27.4-alpine-slim
arm32v7/buildpack-deps:jammy-curl | docker.io | arm32v7/buildpack-deps | jammy-curl | - | arm32v7/buildpack-deps:jammy-curl | docker.io/arm32v7/buildpack-deps:jammy-curl
redhat/ubi10-minimal | docker.io | redhat/ubi10-minimal | - | - | redhat/ubi10-minimal | docker.io/redhat/ubi10-minimal:latest
infosiftr/moby | docker.io | infosiftr/moby | - | - | infosiftr/moby | docker.io/infosiftr/moby:latest
ubi9/ubi-minimal:latest | docker.io | ubi9/ubi-minimal | latest | - | ubi9/ubi-minimal:latest | docker.io/ubi9/ubi-minimal:latest
tiangolo/uvicorn-gunicorn-fastapi:python3.9-slim | docker.io | tiangolo/uvicorn-gunicorn-fastapi | python3.9-slim | - | tiangolo/uvicorn-gunicorn-fastapi:python3.9-slim | docker.io/tiangolo/uvicorn-gunicorn-fastapi:python3.9-slim
mvdan/shfmt:v3.1.2-alpine | docker.io | mvdan/shfmt | v3.1.2-alpine | - | mvdan/shfmt:v3.1.2-alpine | docker.io/mvdan/shfmt:v3.1.2-alpine
continuumio/miniconda3 | docker.io | continuumio/miniconda3 | - | - | continuumio/miniconda3 | docker.io/continuumio/miniconda3:latest
tianon/docker-master:dind | docker.io | tianon/docker-master | dind | - | tianon/docker-master:dind | docker.io/tianon/docker-master:dind
brimstone/ubuntu:14.04 | docker.io | brimstone/ubuntu | 14.04 | - | brimstone/ubuntu:14.04 | docker.io/brimstone/ubuntu:14.04
mcr.microsoft.com/azurelinux/base/core:3.0 | mcr.microsoft.com | azurelinux/base/core | 3.0 | - | mcr.microsoft.com/azurelinux/base/core:3.0 | mcr.microsoft.com/azurelinux/base/core:3.0
mcr.microsoft.com/windows/servercore:ltsc2025-amd64 | mcr.microsoft.com | windows/servercore | ltsc2025-amd64 | - | mcr.microsoft.com/windows/servercore:ltsc2025-amd64 | mcr.microsoft.com/windows/servercore:ltsc2025-amd64
mcr.microsoft.com/dotnet/sdk:10.0-noble | mcr.microsoft.com | dotnet/sdk | 10.0-noble | - | mcr.microsoft.com/dotnet/sdk:10.0-noble | mcr.microsoft.com/dotnet/sdk:10.0-noble
mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled-extra | mcr.microsoft.com | dotnet/runtime-deps | 10.0-noble-chiseled-extra | - | mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled-extra | mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled-extra
quay.io/sclorg/s2i-base-c9s:c9s | quay.io | sclorg/s2i-base-c9s | c9s | - | quay.io/sclorg/s2i-base-c9s:c9s | quay.io/sclorg/s2i-base-c9s:c9s
quay.io/centos/centos:stream9-minimal | quay.io | centos/centos | stream9-minimal | - | quay.io/centos/centos:stream9-minimal | quay.io/centos/centos:stream9-minimal
ubuntu.azurecr.io/ubuntu:noble | ubuntu.azurecr.io | ubuntu | noble | - | ubuntu.azurecr.io/ubuntu:noble | ubuntu.azurecr.io/ubuntu:noble
r.j3ss.co/wine | r.j3ss.co | wine | - | - | r.j3ss.co/wine | r.j3ss.co/wine:latest
gcr.io/distroless/static-debian12 | gcr.io | distroless/static-debian12 | - | - | gcr.io/distroless/static-debian12 | gcr.io/distroless/static-debian12:latest
ghcr.io/cross-rs/aarch64-unknown-linux-musl | ghcr.io | cross-rs/aarch64-unknown-linux-musl | - | - | ghcr.io/cross-rs/aarch64-unknown-linux-musl | ghcr.io/cross-rs/aarch64-unknown-linux-musl:latest
l.gcr.io/google/bazel:latest | l.gcr.io | google/bazel | latest | - | l.gcr.io/google/bazel:latest | l.gcr.io/google/bazel:latest
shurshun/openresty:latest | docker.io | shurshun/openresty | latest | - | shurshun/openresty:latest | docker.io/shurshun/openresty:latest
# Registry spellings and ports.
index.docker.io/ubuntu | docker.io | library/ubuntu | - | - | ubuntu | docker.io/library/ubuntu:latest
docker.io/ubuntu:22.04 | docker.io | library/ubuntu | 22.04 | - | ubuntu:22.04 | docker.io/library/ubuntu:22.04
docker.io/library/ubuntu:22.04 | docker.io | library/ubuntu | 22.04 | - | ubuntu:22.04 | docker.io/library/ubuntu:22.04
library/ubuntu | docker.io | library/ubuntu | - | - | ubuntu | docker.io/library/ubuntu:latest
docker.io/library/a/b | docker.io | library/a/b | - | - | library/a/b | docker.io/library/a/b:latest
localhost/app:1 | localhost | app | 1 | - | localhost/app:1 | localhost/app:1
localhost:5000/team/app | localhost:5000 | team/app | - | - | localhost:5000/team/app | localhost:5000/team/app:latest
127.0.0.1:5000/app:v1 | 127.0.0.1:5000 | app | v1 | - | 127.0.0.1:5000/app:v1 | 127.0.0.1:5000/app:v1
[::1]:5000/app | [::1]:5000 | app | - | - | [::1]:5000/app | [::1]:5000/app:latest
registry:5000/app | registry:5000 | app | - | - | registry:5000/app | registry:5000/app:latest
# A bare `localhost` is a Docker Hub image (a known FIXME upstream).
localhost | docker.io | library/localhost | - | - | localhost | docker.io/library/localhost:latest
# Upper case cannot be a Docker Hub namespace, so it is a registry.
Registry/app | Registry | app | - | - | Registry/app | Registry/app:latest
# Separators in path components; tags allow upper case.
a__b/c.d_e--f:UPPER_Case.1-x | docker.io | a__b/c.d_e--f | UPPER_Case.1-x | - | a__b/c.d_e--f:UPPER_Case.1-x | docker.io/a__b/c.d_e--f:UPPER_Case.1-x
# A first component that is no valid host but a valid path component
# leaves distribution/reference with no registry at all.
my_registry.local/app | - | my_registry.local/app | - | - | my_registry.local/app | my_registry.local/app:latest
# With a digest, TagNameOnly adds no `latest`.
ubuntu:24.04@sha256:561618e2c15bf2397621dd04f96926663a3b5616c189cf7e38db7e82f5c538ea | docker.io | library/ubuntu | 24.04 | sha256:561618e2c15bf2397621dd04f96926663a3b5616c189cf7e38db7e82f5c538ea | ubuntu:24.04@sha256:561618e2c15bf2397621dd04f96926663a3b5616c189cf7e38db7e82f5c538ea | docker.io/library/ubuntu:24.04@sha256:561618e2c15bf2397621dd04f96926663a3b5616c189cf7e38db7e82f5c538ea
quay.io/jupyter/base-notebook:2026-07-28@sha256:a8b2611c4c380dde6159f9963ee4f294373a0b214958987b7b469d312287c4ef | quay.io | jupyter/base-notebook | 2026-07-28 | sha256:a8b2611c4c380dde6159f9963ee4f294373a0b214958987b7b469d312287c4ef | quay.io/jupyter/base-notebook:2026-07-28@sha256:a8b2611c4c380dde6159f9963ee4f294373a0b214958987b7b469d312287c4ef | quay.io/jupyter/base-notebook:2026-07-28@sha256:a8b2611c4c380dde6159f9963ee4f294373a0b214958987b7b469d312287c4ef
python:3.13.6-slim-bullseye@sha256:e98b521460ee75bca92175c16247bdf7275637a8faaeb2bcfa19d879ae5c4b9a | docker.io | library/python | 3.13.6-slim-bullseye | sha256:e98b521460ee75bca92175c16247bdf7275637a8faaeb2bcfa19d879ae5c4b9a | python:3.13.6-slim-bullseye@sha256:e98b521460ee75bca92175c16247bdf7275637a8faaeb2bcfa19d879ae5c4b9a | docker.io/library/python:3.13.6-slim-bullseye@sha256:e98b521460ee75bca92175c16247bdf7275637a8faaeb2bcfa19d879ae5c4b9a
otel/weaver:v0.23.0@sha256:7984ecb55b859eb3034ae9d836c4eeda137e2bdd0873b7ba2bb6c3d24d6ff457 | docker.io | otel/weaver | v0.23.0 | sha256:7984ecb55b859eb3034ae9d836c4eeda137e2bdd0873b7ba2bb6c3d24d6ff457 | otel/weaver:v0.23.0@sha256:7984ecb55b859eb3034ae9d836c4eeda137e2bdd0873b7ba2bb6c3d24d6ff457 | docker.io/otel/weaver:v0.23.0@sha256:7984ecb55b859eb3034ae9d836c4eeda137e2bdd0873b7ba2bb6c3d24d6ff457
mcr.microsoft.com/devcontainers/python:3.14@sha256:f04a1e9c29e371436d6086908eed22ac0ba087bae0f8edb826838283cf3d1726 | mcr.microsoft.com | devcontainers/python | 3.14 | sha256:f04a1e9c29e371436d6086908eed22ac0ba087bae0f8edb826838283cf3d1726 | mcr.microsoft.com/devcontainers/python:3.14@sha256:f04a1e9c29e371436d6086908eed22ac0ba087bae0f8edb826838283cf3d1726 | mcr.microsoft.com/devcontainers/python:3.14@sha256:f04a1e9c29e371436d6086908eed22ac0ba087bae0f8edb826838283cf3d1726
mambaorg/micromamba:2.8.1@sha256:fb18405d6004af757a38ec498a078240b4fd5549146990a484c28bb7e78aace4 | docker.io | mambaorg/micromamba | 2.8.1 | sha256:fb18405d6004af757a38ec498a078240b4fd5549146990a484c28bb7e78aace4 | mambaorg/micromamba:2.8.1@sha256:fb18405d6004af757a38ec498a078240b4fd5549146990a484c28bb7e78aace4 | docker.io/mambaorg/micromamba:2.8.1@sha256:fb18405d6004af757a38ec498a078240b4fd5549146990a484c28bb7e78aace4
avtodev/markdown-lint:v1@sha256:6aeedc2f49138ce7a1cd0adffc1b1c0321b841dc2102408967d9301c031949ee | docker.io | avtodev/markdown-lint | v1 | sha256:6aeedc2f49138ce7a1cd0adffc1b1c0321b841dc2102408967d9301c031949ee | avtodev/markdown-lint:v1@sha256:6aeedc2f49138ce7a1cd0adffc1b1c0321b841dc2102408967d9301c031949ee | docker.io/avtodev/markdown-lint:v1@sha256:6aeedc2f49138ce7a1cd0adffc1b1c0321b841dc2102408967d9301c031949ee
gcr.io/distroless/static@sha256:561618e2c15bf2397621dd04f96926663a3b5616c189cf7e38db7e82f5c538ea | gcr.io | distroless/static | - | sha256:561618e2c15bf2397621dd04f96926663a3b5616c189cf7e38db7e82f5c538ea | gcr.io/distroless/static@sha256:561618e2c15bf2397621dd04f96926663a3b5616c189cf7e38db7e82f5c538ea | gcr.io/distroless/static@sha256:561618e2c15bf2397621dd04f96926663a3b5616c189cf7e38db7e82f5c538ea
localhost:5000/app@sha256:6aeedc2f49138ce7a1cd0adffc1b1c0321b841dc2102408967d9301c031949ee | localhost:5000 | app | - | sha256:6aeedc2f49138ce7a1cd0adffc1b1c0321b841dc2102408967d9301c031949ee | localhost:5000/app@sha256:6aeedc2f49138ce7a1cd0adffc1b1c0321b841dc2102408967d9301c031949ee | localhost:5000/app@sha256:6aeedc2f49138ce7a1cd0adffc1b1c0321b841dc2102408967d9301c031949ee
";

#[test]
fn valid_references() {
    let mut failures = Vec::new();
    let mut count = 0;
    for line in VALID
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
    {
        let fields: Vec<&str> = line.split('|').map(str::trim).collect();
        let [
            input,
            registry,
            repository,
            tag,
            digest,
            familiar,
            normalized,
        ] = fields.as_slice()
        else {
            panic!("malformed table line {line:?}");
        };
        count += 1;
        let optional = |field: &str| (field != "-").then(|| field.to_owned());
        let expected = ImageName {
            registry: optional(registry).unwrap_or_default(),
            repository: (*repository).to_owned(),
            tag: optional(tag),
            digest: optional(digest),
        };
        match ImageName::parse(input) {
            Ok(got) => {
                if got != expected {
                    failures.push(format!("{input:?}: expected {expected:?}\n    got {got:?}"));
                }
                if got.familiar() != *familiar {
                    failures.push(format!(
                        "{input:?}: familiar {familiar:?}, got {:?}",
                        got.familiar()
                    ));
                }
                if got.normalized() != *normalized {
                    failures.push(format!(
                        "{input:?}: normalized {normalized:?}, got {:?}",
                        got.normalized()
                    ));
                }
            }
            Err(error) => failures.push(format!(
                "{input:?}: expected {expected:?}\n    got error {error}"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(count, 58);
}

#[test]
fn invalid_references() {
    let hex64 = "561618e2c15bf2397621dd04f96926663a3b5616c189cf7e38db7e82f5c538ea";
    let long_path = format!("a/{}", "b".repeat(254));
    let long_tag = format!("ubuntu:{}", "t".repeat(129));
    let bad_length = format!("ubuntu@sha256:{}", &hex64[1..]);
    let upper_hex = format!("ubuntu:1@sha256:{}", hex64.to_uppercase());
    let md5 = "ubuntu@md5:0123456789abcdef0123456789abcdef".to_owned();
    use ImageRefError::*;
    let cases: Vec<(&str, ImageRefError)> = vec![
        // From the corpus: placeholders and unexpanded ARGs.
        ("REPLACE-ME", Uppercase("library/REPLACE-ME".into())),
        ("oraclelinux:{{", InvalidTag("{{".into())),
        ("$BASE_IMAGE", Uppercase("library/$BASE_IMAGE".into())),
        (
            "alpine:${ALPINE_VERSION}",
            InvalidTag("${ALPINE_VERSION}".into()),
        ),
        (
            "golang:${GO_VERSION}-alpine${ALPINE_VERSION}",
            InvalidTag("${GO_VERSION}-alpine${ALPINE_VERSION}".into()),
        ),
        (
            "$REPO:9.0.19-alpine3.24-arm64v8",
            Uppercase("library/$REPO".into()),
        ),
        ("$repo:1", InvalidRepository("library/$repo".into())),
        // Synthetic.
        ("", Empty),
        (hex64, HexIdentifier(hex64.into())),
        ("Ubuntu", Uppercase("library/Ubuntu".into())),
        ("library/Ubuntu:22.04", Uppercase("library/Ubuntu".into())),
        ("quay.io/Org/app", Uppercase("Org/app".into())),
        ("ubuntu:", InvalidTag("".into())),
        ("ubuntu:-rc", InvalidTag("-rc".into())),
        ("ubuntu:.x", InvalidTag(".x".into())),
        (long_tag.as_str(), InvalidTag("t".repeat(129))),
        ("ubuntu@sha256:abc", InvalidDigest("sha256:abc".into())),
        ("ubuntu@", InvalidDigest("".into())),
        (
            "ubuntu@1sha:0123456789abcdef0123456789abcdef",
            InvalidDigest("1sha:0123456789abcdef0123456789abcdef".into()),
        ),
        (md5.as_str(), UnsupportedDigestAlgorithm("md5".into())),
        (
            bad_length.as_str(),
            DigestLength {
                algorithm: "sha256".into(),
                expected: 64,
                found: 63,
            },
        ),
        (
            upper_hex.as_str(),
            DigestNotLowerHex(format!("sha256:{}", hex64.to_uppercase())),
        ),
        ("a//b", InvalidRepository("a//b".into())),
        ("a/b/", InvalidRepository("a/b/".into())),
        ("/a", InvalidRepository("/a".into())),
        ("a___b", InvalidRepository("library/a___b".into())),
        ("a.-b", InvalidRepository("library/a.-b".into())),
        ("-a", InvalidRepository("library/-a".into())),
        ("a-", InvalidRepository("library/a-".into())),
        ("ubu ntu", InvalidRepository("library/ubu ntu".into())),
        (
            "ubuntu:22.04:x",
            InvalidRepository("library/ubuntu:22.04".into()),
        ),
        (
            "-bad.example.com/app",
            InvalidRegistry("-bad.example.com".into()),
        ),
        (
            "example.com:port/app",
            InvalidRegistry("example.com:port".into()),
        ),
        ("[::1/app", InvalidRegistry("[::1".into())),
        ("localhost:/app", InvalidRegistry("localhost:".into())),
        ("gcr.io/app@sha256:x@y", InvalidDigest("sha256:x@y".into())),
        (long_path.as_str(), NameTooLong(256)),
    ];
    let mut failures = Vec::new();
    for (input, expected) in &cases {
        match ImageName::parse(input) {
            Err(got) if got == *expected => {}
            got => failures.push(format!(
                "{input:?}: expected Err({expected:?}), got {got:?}"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn errors_say_why() {
    let message = |input: &str| ImageName::parse(input).map(|_| ()).unwrap_err().to_string();
    assert_eq!(
        message("Ubuntu"),
        "invalid reference format: repository name (library/Ubuntu) must be lowercase"
    );
    assert!(message("ubuntu:{{").contains("invalid tag \"{{\""));
    assert!(message("").contains("empty"));
}

#[test]
fn display_and_from_str_use_the_familiar_form() {
    let image: ImageName = "docker.io/library/nginx:1.27".parse().unwrap();
    assert_eq!(image.to_string(), "nginx:1.27");
    assert_eq!(image.name(), "docker.io/library/nginx");
    assert_eq!(image.familiar_name(), "nginx");
    assert!(image.is_docker_hub());
    assert!(!ImageName::parse("ghcr.io/a/b").unwrap().is_docker_hub());
}

/// Every `FROM` image in the corpus that has no variables parses, except the
/// corpus's known placeholders, and its forms parse back to it.
#[test]
fn corpus_from_lines() {
    let corpus =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/dockerfiles");
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        println!("skipped: corpus not found at {}", corpus.display());
        return;
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        for line in text.lines() {
            let mut words = line.split_whitespace();
            if !words
                .next()
                .is_some_and(|word| word.eq_ignore_ascii_case("FROM"))
            {
                continue;
            }
            let Some(image) = words.find(|word| !word.starts_with("--")) else {
                continue;
            };
            if image.contains('$') || ["REPLACE-ME", "oraclelinux:{{"].contains(&image) {
                continue;
            }
            checked += 1;
            match ImageName::parse(image) {
                Ok(parsed) => {
                    for form in [parsed.familiar(), parsed.normalized()] {
                        let again = ImageName::parse(&form).map(|image| image.normalized());
                        if again.as_ref() != Ok(&parsed.normalized()) {
                            failures.push(format!("{image:?}: {form:?} parses back as {again:?}"));
                        }
                    }
                }
                Err(error) => failures.push(format!("{image:?}: {error}")),
            }
        }
    }
    println!("corpus: {checked} FROM images checked");
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 1000, "only {checked} FROM images found");
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let index = usize::try_from(self.next() % items.len() as u64).unwrap_or(0);
        items.get(index).copied().unwrap_or("")
    }
}

/// Random references never panic, and whatever parses round-trips through
/// both printed forms.
#[test]
fn random_references_never_panic_and_round_trip() {
    const PIECES: &[&str] = &[
        "a",
        "b0",
        "ubuntu",
        "Z",
        "/",
        "//",
        ":",
        "@",
        ".",
        "..",
        "-",
        "--",
        "_",
        "__",
        "___",
        "[",
        "]",
        "::1",
        "5000",
        "localhost",
        "docker.io",
        "index.docker.io",
        "library",
        "sha256:",
        "sha512:",
        "0123456789abcdef",
        "é",
        " ",
        "$",
        "{",
        "latest",
    ];
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut parsed = 0;
    for _ in 0..20_000 {
        let count = usize::try_from(rng.next() % 12).unwrap_or(0);
        let input: String = (0..count).map(|_| rng.pick(PIECES)).collect();
        let Ok(image) = ImageName::parse(&input) else {
            continue;
        };
        parsed += 1;
        for form in [image.familiar(), image.normalized()] {
            match ImageName::parse(&form) {
                Ok(again) => assert_eq!(
                    again.normalized(),
                    image.normalized(),
                    "{input:?} via {form:?}"
                ),
                Err(error) => panic!("{input:?} parsed, but its form {form:?} does not: {error}"),
            }
        }
    }
    assert!(parsed > 1000, "only {parsed} random references parsed");
}

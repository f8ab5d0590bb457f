//! What variables a base image's config sets (`Env`), by image family.
//!
//! BuildKit knows the base image's `Env` when it lints, a Dockerfile-only
//! linter does not. For the families below the names are what their
//! official Dockerfiles have set over the years (current and older tags:
//! an extra name only makes the rule quieter); the current ones were
//! checked against the official images' Dockerfiles in the shared corpus
//! (`docker-library/*`, `adoptium/containers`). For any other image the
//! base may set anything, so CR001 then reports only what cannot be the
//! base's doing (see [`crate::rules::cr001`]).

use tallyman_sdk::model::{ImageReference, ImageSource};

/// Every Linux image has `PATH`: BuildKit sets its default one when the
/// base has none.
const EVERY_IMAGE: &[&str] = &["PATH"];

/// Operating system images: nothing but `PATH` (Red Hat's UBI images also
/// set `container`, Fedora's its release tags).
const OPERATING_SYSTEMS: &[&str] = &[
    "alpine",
    "busybox",
    "debian",
    "ubuntu",
    "fedora",
    "centos",
    "rockylinux",
    "almalinux",
    "amazonlinux",
    "ubi",
    "ubi8",
    "ubi9",
    "ubi10",
    "ubi-minimal",
    "ubi8-minimal",
    "ubi9-minimal",
    "ubi10-minimal",
    "ubi-micro",
    "ubi9-micro",
];

const UBI: &[&str] = &["container"];

const FEDORA: &[&str] = &["DISTTAG", "FGC", "FBR"];

/// The JDK images (`openjdk`, `eclipse-temurin`, `amazoncorretto`, …) and
/// the build tools built on them.
const JDK: &[&str] = &[
    "JAVA_HOME",
    "JAVA_VERSION",
    "JAVA_DEBIAN_VERSION",
    "JAVA_ALPINE_VERSION",
    "JAVA_URL",
    "JAVA_SHA256",
    "JAVA_BASE_URL",
    "JAVA_URL_VERSION",
    "CA_CERTIFICATES_JAVA_VERSION",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
];

/// The `php` images, and `drupal` and `wordpress` built on them.
const PHP: &[&str] = &[
    "PHPIZE_DEPS",
    "PHP_INI_DIR",
    "APACHE_CONFDIR",
    "APACHE_ENVVARS",
    "PHP_EXTRA_BUILD_DEPS",
    "PHP_EXTRA_CONFIGURE_ARGS",
    "PHP_CFLAGS",
    "PHP_CPPFLAGS",
    "PHP_LDFLAGS",
    "GPG_KEYS",
    "PHP_VERSION",
    "PHP_URL",
    "PHP_ASC_URL",
    "PHP_SHA256",
    "PHP_MD5",
];

/// Family (the last part of the repository, see
/// [`tallyman_sdk::model::ImageName::family`]) and the names its images set
/// besides [`EVERY_IMAGE`].
const LANGUAGE_IMAGES: &[(&[&str], &[&str])] = &[
    (
        &["python", "pypy"],
        &[
            "LANG",
            "GPG_KEY",
            "PYTHON_VERSION",
            "PYTHON_SHA256",
            "PYTHON_PIP_VERSION",
            "PYTHON_SETUPTOOLS_VERSION",
            "PYTHON_GET_PIP_URL",
            "PYTHON_GET_PIP_SHA256",
            "PYTHONIOENCODING",
            "PYPY_VERSION",
        ],
    ),
    (
        &["node"],
        &[
            "NODE_VERSION",
            "YARN_VERSION",
            "NPM_VERSION",
            "NPM_CONFIG_LOGLEVEL",
        ],
    ),
    (
        &["golang"],
        &[
            "GOLANG_VERSION",
            "GOLANG_COMMIT",
            "GOLANG_SRC_URL",
            "GOLANG_SRC_SHA256",
            "GOTOOLCHAIN",
            "GOPATH",
        ],
    ),
    (&["rust"], &["RUSTUP_HOME", "CARGO_HOME", "RUST_VERSION"]),
    (
        &["ruby"],
        &[
            "LANG",
            "RUBY_MAJOR",
            "RUBY_VERSION",
            "RUBY_DOWNLOAD_SHA256",
            "RUBY_DOWNLOAD_URL",
            "RUBYGEMS_VERSION",
            "BUNDLER_VERSION",
            "GEM_HOME",
            "BUNDLE_PATH",
            "BUNDLE_BIN",
            "BUNDLE_SILENCE_ROOT_WARNING",
            "BUNDLE_APP_CONFIG",
        ],
    ),
    (&["php"], PHP),
    (
        &["nginx"],
        &[
            "NGINX_VERSION",
            "NJS_VERSION",
            "NJS_RELEASE",
            "PKG_RELEASE",
            "DYNPKG_RELEASE",
            "ACME_VERSION",
        ],
    ),
    (
        &[
            "openjdk",
            "eclipse-temurin",
            "amazoncorretto",
            "ibm-semeru-runtimes",
            "ibmjava",
            "sapmachine",
        ],
        JDK,
    ),
    (
        &["maven"],
        &[
            "MAVEN_HOME",
            "MAVEN_CONFIG",
            "MAVEN_VERSION",
            "USER_HOME_DIR",
            "SHA",
            "BASE_URL",
        ],
    ),
    (
        &["gradle"],
        &[
            "GRADLE_HOME",
            "GRADLE_VERSION",
            "GRADLE_DOWNLOAD_SHA256",
            "GRADLE_USER_HOME",
        ],
    ),
    (&["drupal"], &["COMPOSER_ALLOW_SUPERUSER", "DRUPAL_VERSION"]),
    (
        &["wordpress"],
        &[
            "WORDPRESS_VERSION",
            "WORDPRESS_SHA1",
            "WORDPRESS_CLI_GPG_KEY",
            "WORDPRESS_CLI_SHA512",
            "WORDPRESS_CLI_VERSION",
        ],
    ),
    (
        &["tomcat"],
        &[
            "CATALINA_HOME",
            "LD_LIBRARY_PATH",
            "TOMCAT_MAJOR",
            "TOMCAT_NATIVE_LIBDIR",
            "TOMCAT_SHA512",
            "TOMCAT_VERSION",
        ],
    ),
    (
        &["httpd"],
        &[
            "HTTPD_PATCHES",
            "HTTPD_PREFIX",
            "HTTPD_SHA256",
            "HTTPD_VERSION",
        ],
    ),
    (
        &["postgres"],
        &[
            "DOCKER_PG_LLVM_DEPS",
            "GOSU_VERSION",
            "LANG",
            "PGDATA",
            "PG_MAJOR",
            "PG_SHA256",
            "PG_VERSION",
        ],
    ),
    (
        &["redis"],
        &[
            "GOSU_VERSION",
            "REDIS_DOWNLOAD_SHA",
            "REDIS_DOWNLOAD_URL",
            "REDIS_VERSION",
        ],
    ),
    (
        &["mysql"],
        &[
            "GOSU_VERSION",
            "MYSQL_MAJOR",
            "MYSQL_SHELL_VERSION",
            "MYSQL_VERSION",
        ],
    ),
    (
        &["mongo"],
        &[
            "GLIBC_TUNABLES",
            "GOSU_VERSION",
            "HOME",
            "JSYAML_CHECKSUM",
            "JSYAML_VERSION",
            "MONGO_MAJOR",
            "MONGO_PACKAGE",
            "MONGO_REPO",
            "MONGO_VERSION",
        ],
    ),
    (
        &["haproxy"],
        &["HAPROXY_SHA256", "HAPROXY_URL", "HAPROXY_VERSION"],
    ),
];

/// Families whose images are JDK images underneath: they set [`JDK`] too.
const ON_A_JDK: &[&str] = &["maven", "gradle", "tomcat"];

/// Families built on the `php` images: they set [`PHP`] too.
const ON_PHP: &[&str] = &["drupal", "wordpress"];

/// A base image whose `Env` is known.
pub struct KnownEnv {
    /// `debian`, `python`, `scratch`…
    pub family: String,
    pub names: Vec<&'static str>,
}

/// What the stage's root base sets, when its family is known: `None` for
/// an image this table does not know (or an unresolved `FROM $BASE`), whose
/// `Env` could hold anything.
pub fn known_env(base: &ImageReference) -> Option<KnownEnv> {
    let name = match &base.source {
        ImageSource::Scratch => {
            return Some(KnownEnv {
                family: "scratch".to_string(),
                names: EVERY_IMAGE.to_vec(),
            });
        }
        ImageSource::Image(name) => name,
        ImageSource::Stage(_) | ImageSource::Unresolved(_) => return None,
    };
    // A family is known only for the images it names: the official ones
    // (`library/`, on Docker Hub or a mirror) and Red Hat's UBI. Someone's
    // own `acme/python` may set anything.
    let official = name.repository.starts_with("library/") || name.repository.contains("/library/");
    let family = name.family();
    let red_hat = family.starts_with("ubi")
        && (name.registry.contains("redhat") || name.repository.starts_with("redhat/"));
    // Windows images set their own variables (and no default `PATH`).
    let windows = name.tag.as_deref().is_some_and(|tag| {
        let tag = tag.to_ascii_lowercase();
        tag.contains("windows") || tag.contains("nanoserver") || tag.contains("ltsc")
    });
    if windows {
        return None;
    }
    if !official && !red_hat {
        return None;
    }
    let mut names: Vec<&'static str> = EVERY_IMAGE.to_vec();
    if OPERATING_SYSTEMS.contains(&family.as_str()) {
        if red_hat {
            names.extend(UBI);
        }
        if family == "fedora" {
            names.extend(FEDORA);
        }
        return Some(KnownEnv { family, names });
    }
    let (_, set) = LANGUAGE_IMAGES
        .iter()
        .find(|(families, _)| families.contains(&family.as_str()))?;
    names.extend(*set);
    if ON_A_JDK.contains(&family.as_str()) {
        names.extend(JDK);
    }
    if ON_PHP.contains(&family.as_str()) {
        names.extend(PHP);
    }
    Some(KnownEnv { family, names })
}

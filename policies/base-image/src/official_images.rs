//! The names of Docker Hub's official images (`docker.io/library/<name>`),
//! the only images Docker Hub serves under a name without a namespace.
//!
//! A one-component name that is not in this list (`FROM bats-jenkins`)
//! can only be an image built or tagged on the builder itself: a pull of
//! it fails. Rules use the list to tell such local images from images a
//! registry serves.
//!
//! Where it comes from: the `library/` directory of the
//! `docker-library/official-images` repository (one file per official
//! image), commit 37079fb336f572a88700cf32e5e1f6be54a04e8f of 2026-08-21,
//! in [`CURRENT`]; and every file that directory ever deleted, in
//! [`DEPRECATED`]: images Docker Hub deprecated (`centos`, `java`,
//! `jenkins`, `vault`) but still serves, so `FROM centos` still pulls.
//! An image made official after that commit is missing until the list is
//! refreshed: `git ls-tree --name-only HEAD library/` in a clone of that
//! repository gives [`CURRENT`], and
//! `git log --no-renames --diff-filter=D --name-only --format= -- library/`
//! the candidates for [`DEPRECATED`] (all but `MAINTAINERS`).

use tallyman_sdk::model::ImageName;

/// Official images in `library/` at the commit above, sorted.
const CURRENT: &[&str] = &[
    "adminer",
    "aerospike",
    "almalinux",
    "alpine",
    "alt",
    "amazoncorretto",
    "amazonlinux",
    "api-firewall",
    "arangodb",
    "archlinux",
    "azul-zulu",
    "backdrop",
    "bash",
    "bonita",
    "buildpack-deps",
    "busybox",
    "caddy",
    "cassandra",
    "chronograf",
    "cirros",
    "clearlinux",
    "clefos",
    "clickhouse",
    "clojure",
    "composer",
    "convertigo",
    "couchbase",
    "couchdb",
    "crate",
    "dart",
    "debian",
    "docker",
    "drupal",
    "eclipse-mosquitto",
    "eclipse-temurin",
    "eggdrop",
    "elasticsearch",
    "elixir",
    "emqx",
    "erlang",
    "espocrm",
    "fedora",
    "flink",
    "fluentd",
    "friendica",
    "gazebo",
    "gcc",
    "geonetwork",
    "ghost",
    "golang",
    "gradle",
    "groovy",
    "haproxy",
    "haskell",
    "haxe",
    "hello-world",
    "hitch",
    "httpd",
    "hylang",
    "ibm-semeru-runtimes",
    "ibmjava",
    "influxdb",
    "irssi",
    "jetty",
    "joomla",
    "jruby",
    "julia",
    "kapacitor",
    "kibana",
    "kong",
    "krakend",
    "lightstreamer",
    "liquibase",
    "logstash",
    "mageia",
    "mariadb",
    "matomo",
    "maven",
    "mediawiki",
    "memcached",
    "mongo",
    "mongo-express",
    "monica",
    "mysql",
    "nats",
    "neo4j",
    "neurodebian",
    "nextcloud",
    "nginx",
    "nim",
    "node",
    "notary",
    "odoo",
    "open-liberty",
    "openjdk",
    "oraclelinux",
    "orientdb",
    "percona",
    "perl",
    "photon",
    "php",
    "php-zendserver",
    "phpmyadmin",
    "plone",
    "postfixadmin",
    "postgres",
    "pypy",
    "python",
    "r-base",
    "rabbitmq",
    "rakudo-star",
    "redis",
    "redmine",
    "registry",
    "rethinkdb",
    "rocket.chat",
    "rockylinux",
    "ros",
    "ruby",
    "rust",
    "sapmachine",
    "satosa",
    "silverpeas",
    "solr",
    "sonarqube",
    "spark",
    "spiped",
    "storm",
    "swift",
    "swipl",
    "teamspeak",
    "telegraf",
    "tomcat",
    "tomee",
    "traefik",
    "ubuntu",
    "unit",
    "varnish",
    "websphere-liberty",
    "wordpress",
    "xwiki",
    "yourls",
    "znc",
    "zookeeper",
];

/// Official images removed from `library/` (deprecated, still on Docker
/// Hub), sorted.
const DEPRECATED: &[&str] = &[
    "adoptopenjdk",
    "celery",
    "centos",
    "consul",
    "couchdb-nouveau",
    "crux",
    "django",
    "docker-dev",
    "euleros",
    "express-gateway",
    "fsharp",
    "glassfish",
    "hello-seattle",
    "hipache",
    "hola-mundo",
    "iojs",
    "java",
    "jenkins",
    "jobber",
    "kaazing-gateway",
    "known",
    "lightstreamer-server",
    "mono",
    "mosquitto",
    "nats-streaming",
    "notary-server",
    "notary-signer",
    "nuxeo",
    "opensuse",
    "owncloud",
    "piwik",
    "rails",
    "rapidoid",
    "sentry",
    "sl",
    "sourcemage",
    "swarm",
    "thrift",
    "ubuntu-debootstrap",
    "ubuntu-upstart",
    "vault",
    "zend-php",
];

/// `name` is one of Docker Hub's official images, current or deprecated.
pub fn is_official_name(name: &str) -> bool {
    CURRENT.binary_search(&name).is_ok() || DEPRECATED.binary_search(&name).is_ok()
}

/// A Docker Hub name without a namespace (`bats-jenkins`, which Docker
/// reads as `docker.io/library/bats-jenkins`) that is no official image:
/// Docker Hub serves no such image, so it can only be a local one.
pub fn is_local_only(name: &ImageName) -> bool {
    if !name.is_docker_hub() {
        return false;
    }
    match name.repository.strip_prefix("library/") {
        Some(short) if !short.contains('/') => !is_official_name(short),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub(repository: &str) -> ImageName {
        ImageName {
            registry: "docker.io".to_string(),
            repository: repository.to_string(),
            tag: None,
            digest: None,
        }
    }

    #[test]
    fn lists_are_sorted_and_disjoint_for_binary_search() {
        for list in [CURRENT, DEPRECATED] {
            assert!(list.windows(2).all(|pair| pair[0] < pair[1]), "{list:?}");
        }
        assert!(DEPRECATED.iter().all(|name| !CURRENT.contains(name)));
    }

    #[test]
    fn official_names_current_and_deprecated() {
        for name in [
            "alpine",
            "buildpack-deps",
            "eclipse-temurin",
            "rocket.chat",
            "centos",
            "java",
        ] {
            assert!(is_official_name(name), "{name}");
        }
        for name in ["bats-jenkins", "jenkins-agent", "app", ""] {
            assert!(!is_official_name(name), "{name}");
        }
    }

    #[test]
    fn only_unnamespaced_hub_names_outside_the_list_are_local() {
        assert!(is_local_only(&hub("library/bats-jenkins")));
        assert!(!is_local_only(&hub("library/golang")));
        assert!(!is_local_only(&hub("tianon/nolibc")));
        let mut elsewhere = hub("bats-jenkins");
        elsewhere.registry = "registry.example.com".to_string();
        assert!(!is_local_only(&elsewhere));
    }
}

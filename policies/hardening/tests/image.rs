//! `check-image` of the hardening policy: HD001, HD007 and HD011 on the
//! image config, HD002, HD005 and HD006 on the `RUN` steps of its history.

use serde_json::{Value, json};
use tallyman_policy_hardening::Hardening;
use tallyman_sdk::Finding;
use tallyman_sdk::testing::{
    self, clean_image_json as base, rule_ids as ids, set_history as history,
};

fn check(image: &Value) -> Vec<Finding> {
    testing::check_image_json::<Hardening>(image, "{}")
}

#[test]
fn a_clean_image_has_no_findings() {
    assert!(check(&base()).is_empty(), "{:?}", check(&base()));
}

#[test]
fn hd001_flags_root_users() {
    for user in ["", "root", "0", "root:root", "0:0", "000"] {
        let mut image = base();
        image["config"]["user"] = json!(user);
        assert_eq!(ids(&check(&image)), ["HD001"], "user {user:?}");
    }
    for user in ["10001", "app", "1001:0", "nobody"] {
        let mut image = base();
        image["config"]["user"] = json!(user);
        assert!(check(&image).is_empty(), "user {user:?}");
    }
}

#[test]
fn hd007_and_hd011_read_the_config() {
    let mut image = base();
    image["config"]["healthcheck"] = Value::Null;
    assert_eq!(ids(&check(&image)), ["HD007"]);
    image["config"]["healthcheck"] = json!({"test": ["NONE"], "interval_ns": null, "timeout_ns": null, "start_period_ns": null, "retries": null});
    assert!(check(&image).is_empty(), "NONE is a decision");
    for port in ["22/tcp", "22", "20-30/tcp"] {
        let mut image = base();
        image["config"]["exposed_ports"] = json!([port]);
        assert_eq!(ids(&check(&image)), ["HD011"], "{port}");
    }
    let mut image = base();
    image["config"]["exposed_ports"] = json!(["22/udp", "2222/tcp", "x/tcp"]);
    assert!(check(&image).is_empty());
    // An SSH server as the image's program: SSH is the service.
    let mut image = base();
    image["config"]["exposed_ports"] = json!(["22/tcp"]);
    image["config"]["entrypoint"] = json!(["/start.sh"]);
    image["config"]["cmd"] = json!(["/usr/sbin/sshd", "-D", "-e"]);
    assert!(check(&image).is_empty());
    image["config"]["cmd"] = json!(["/bin/sh", "-c", "/usr/sbin/sshd && exec /app"]);
    assert_eq!(ids(&check(&image)), ["HD011"]);
}

#[test]
fn history_commands_are_checked_like_run_instructions() {
    let mut image = base();
    history(
        &mut image,
        &[
            "/bin/sh -c #(nop)  ENV SUDO=1",
            "RUN /bin/sh -c curl -fsSL https://get.example.com | bash # buildkit",
            "|1 MODE=x /bin/sh -c sudo apt-get install -y tini",
            "/bin/sh -c wget --no-check-certificate https://x/y.tgz",
            "RUN /bin/sh -c echo sudo is just a word here # buildkit",
        ],
    );
    let found = check(&image);
    assert_eq!(ids(&found), ["HD002", "HD005", "HD006"], "{found:#?}");
    let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("history step 2:") && m.contains("piped into")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("history step 3:") && m.contains("sudo")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("history step 4:") && m.contains("--no-check-certificate")),
        "{messages:#?}"
    );
    assert_eq!(
        found.iter().filter(|f| f.rule_id == "HD002").count(),
        1,
        "{messages:#?}"
    );
}

#[test]
fn hd006_reads_the_environment() {
    let mut image = base();
    image["config"]["env"] = json!([{"key": "NODE_TLS_REJECT_UNAUTHORIZED", "value": "0"}]);
    assert_eq!(ids(&check(&image)), ["HD006"]);
    image["config"]["env"] = json!([{"key": "NODE_TLS_REJECT_UNAUTHORIZED", "value": "1"}]);
    assert!(check(&image).is_empty());
}

#[test]
fn hd005_follows_a_fetched_script_across_history_steps() {
    let mut image = base();
    history(
        &mut image,
        &[
            "RUN /bin/sh -c curl -fsSLo /tmp/install.sh https://get.example.com/install.sh # buildkit",
            "RUN /bin/sh -c sh /tmp/install.sh # buildkit",
        ],
    );
    let found = check(&image);
    assert_eq!(ids(&found), ["HD005"], "{found:#?}");
    assert!(
        found[0].message.starts_with("history step 2:")
            && found[0].message.contains("`sh /tmp/install.sh` runs it"),
        "{found:#?}"
    );
    let mut checked = base();
    history(
        &mut checked,
        &[
            "RUN /bin/sh -c curl -fsSLo /tmp/install.sh https://get.example.com/install.sh # buildkit",
            "RUN /bin/sh -c echo \"abc  /tmp/install.sh\" | sha256sum -c - # buildkit",
            "RUN /bin/sh -c sh /tmp/install.sh # buildkit",
        ],
    );
    assert!(check(&checked).is_empty(), "{:#?}", check(&checked));
}

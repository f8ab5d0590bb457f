//! `check-image` of the hardening policy: HD001, HD007, HD011, HD013,
//! HD030 and HD034 on the image config, HD002, HD005 and HD006 on the `RUN`
//! steps of its history.

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
        let found = check(&image);
        assert!(found.iter().all(|f| f.rule_id != "HD001"), "user {user:?}");
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

#[test]
fn hd013_reads_the_shell_forms_in_the_config() {
    let mut image = base();
    image["config"]["healthcheck"]["test"] =
        json!(["CMD-SHELL", "curl -f http://localhost/ || exit 1"]);
    assert_eq!(ids(&check(&image)), ["HD013"]);
    let mut image = base();
    image["config"]["cmd"] = json!(["/bin/sh", "-c", "node server.js"]);
    assert_eq!(ids(&check(&image)), ["HD013"]);
    let mut image = base();
    image["config"]["entrypoint"] = json!(["/bin/sh", "-c", "nginx -g 'daemon off;'"]);
    image["config"]["cmd"] = Value::Null;
    assert_eq!(ids(&check(&image)), ["HD013"]);
    // Not the shell form: an `exec` script, a shell as the program, exec form.
    for cmd in [
        json!(["/bin/sh", "-c", "exec node server.js"]),
        json!(["/bin/sh", "-c", "/usr/sbin/sshd && exec /app"]),
        json!(["/bin/sh"]),
        json!(["sh", "-c", "echo"]),
        json!(["node", "server.js"]),
    ] {
        let mut image = base();
        image["config"]["cmd"] = cmd.clone();
        assert!(check(&image).is_empty(), "{cmd}");
    }
    // Windows images use `cmd /S /C`, and are left alone as in Dockerfiles.
    let mut image = base();
    image["platform"]["os"] = json!("windows");
    image["config"]["healthcheck"]["test"] = json!(["CMD-SHELL", "curl -f http://localhost/"]);
    assert!(ids(&check(&image)).iter().all(|id| *id != "HD013"));
}

#[test]
fn hd030_flags_user_names_on_linux() {
    for user in ["app", "node:node", "nobody", "www-data:0"] {
        let mut image = base();
        image["config"]["user"] = json!(user);
        assert_eq!(ids(&check(&image)), ["HD030"], "user {user:?}");
    }
    // A UID, with or without a group name; root and no user are HD001's.
    for (user, expected) in [
        ("10001", vec![]),
        ("10001:app", vec![]),
        ("root", vec!["HD001"]),
        ("", vec!["HD001"]),
    ] {
        let mut image = base();
        image["config"]["user"] = json!(user);
        assert_eq!(ids(&check(&image)), expected, "user {user:?}");
    }
    let mut image = base();
    image["platform"]["os"] = json!("windows");
    image["config"]["user"] = json!("ContainerUser");
    assert!(check(&image).is_empty());
}

#[test]
fn hd034_reads_the_volumes() {
    let mut image = base();
    image["config"]["volumes"] = json!(["/data", "/sys", "/proc/", "/dev"]);
    let found = check(&image);
    assert_eq!(ids(&found), ["HD034"]);
    assert_eq!(found.len(), 3, "{found:#?}");
    image["config"]["volumes"] = json!(["/data", "/dev/shm", "/system"]);
    assert!(check(&image).is_empty());
}

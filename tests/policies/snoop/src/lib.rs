//! Tries to see the host: files, directories, the environment, the
//! arguments, the network, the real time, and a long sleep. Every success is
//! reported as a finding, so a sandbox that holds yields no findings.
//! Settings: `{"port": N}`, a TCP port on 127.0.0.1 to connect to.

include!("../../common.rs");

use std::time::{Duration, SystemTime};

struct Snoop;

fn snoop(settings: &str) -> Vec<Finding> {
    let mut saw = Vec::new();
    let mut report = |what: String| saw.push(finding("SAW", what));

    for path in ["/etc/passwd", "/etc/hostname", "/proc/self/environ", "passwd", "."] {
        if let Ok(text) = std::fs::read_to_string(path) {
            report(format!("read {path}: {} bytes", text.len()));
        }
    }
    for dir in ["/", ".", "/etc", "/tmp"] {
        if let Ok(entries) = std::fs::read_dir(dir) {
            let names: Vec<String> = entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            report(format!("listed {dir}: {names:?}"));
        }
    }
    if std::fs::write("/tmp/tallyman-snoop", b"was here").is_ok() {
        report("wrote /tmp/tallyman-snoop".to_string());
    }
    for name in ["HOME", "PATH", "USER", "TALLYMAN_SNOOP_SECRET"] {
        if let Ok(value) = std::env::var(name) {
            report(format!("env {name}={value}"));
        }
    }
    let vars: Vec<String> = std::env::vars().map(|(k, _)| k).collect();
    if !vars.is_empty() {
        report(format!("environment: {vars:?}"));
    }
    let args: Vec<String> = std::env::args().collect();
    if !args.is_empty() {
        report(format!("arguments: {args:?}"));
    }
    if let Ok(dir) = std::env::current_dir() {
        if dir.as_os_str().len() > 1 {
            report(format!("current dir: {}", dir.display()));
        }
    }
    if let Some(port) = setting_number(settings, "port") {
        let address = format!("127.0.0.1:{port}");
        if std::net::TcpStream::connect(&address).is_ok() {
            report(format!("connected to {address}"));
        }
        if std::net::UdpSocket::bind("127.0.0.1:0").is_ok() {
            report("bound a UDP socket".to_string());
        }
    }
    // One hour: the host must not actually wait.
    std::thread::sleep(Duration::from_secs(3600));
    if let Ok(since_epoch) = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH) {
        if since_epoch > Duration::from_secs(946_684_800) {
            report(format!("the real time: {}s since the epoch", since_epoch.as_secs()));
        }
    }
    saw
}

impl Guest for Snoop {
    fn metadata() -> PolicyInfo {
        policy_info("snoop", &["SAW"])
    }

    fn validate_settings(_settings: String) -> Result<(), String> {
        Ok(())
    }

    fn check_dockerfile(_dockerfile: Dockerfile, settings: String) -> Vec<Finding> {
        snoop(&settings)
    }

    fn check_image(_image: Image, settings: String) -> Vec<Finding> {
        snoop(&settings)
    }
}

export!(Snoop);

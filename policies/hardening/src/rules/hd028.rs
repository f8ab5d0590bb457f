use tallyman_sdk::{Dockerfile, Finding};

use crate::commands::{program, quoted};
use crate::scope::{expand_word, variable};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `useradd` with a UID of 100000 or more (hadolint's threshold:
    /// six digits or more) and without `-l`/`--no-log-init`. A UID from an
    /// `ARG` default, an `ENV` or an assignment earlier in the script is
    /// resolved; one the file cannot know (a `--build-arg` without
    /// default) is not flagged, where hadolint counts the characters of
    /// `${USER_ID}`.
    ///
    /// ## Why is this bad?
    /// `useradd` writes the new user's records into `/var/log/lastlog` and
    /// `/var/log/faillog` at an offset of UID × record size (292 bytes for
    /// lastlog). On disk the files are sparse, but image layers store them
    /// in full: UID 1,000,000 adds about 292 MB of zeros to the layer, a
    /// UID near 2³¹ hundreds of gigabytes (moby#5419). `-l` skips those
    /// records. Images without those files (Alpine, for one) are not
    /// affected, but the flag costs nothing there either.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN useradd -u 1000000 -m app
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// RUN useradd --no-log-init -u 1000000 -m app
    /// ```
    pub const HD028 = {
        id: "HD028",
        title: "useradd with a high UID without --no-log-init",
        severity: Low,
        tags: ["size"],
        equivalents: ["hadolint:DL3046"],
    };
}

/// UIDs from here on make a lastlog of 29 MB and more.
const HIGH_UID: u64 = 100_000;

const USERADD_VALUE_FLAGS: &[&str] = &[
    "-b",
    "--base-dir",
    "-c",
    "--comment",
    "-d",
    "--home-dir",
    "-e",
    "--expiredate",
    "-f",
    "--inactive",
    "-g",
    "--gid",
    "-G",
    "--groups",
    "-k",
    "--skel",
    "-K",
    "--key",
    "-p",
    "--password",
    "-R",
    "--root",
    "-P",
    "--prefix",
    "-s",
    "--shell",
    "-u",
    "--uid",
    "-Z",
    "--selinux-user",
];

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        let commands = instruction.run_commands();
        for (index, command) in commands.iter().enumerate() {
            let useradd = program(command).value_flags(USERADD_VALUE_FLAGS);
            if !useradd.is("useradd") || useradd.has_flag(&["-l", "--no-log-init"]) {
                continue;
            }
            let Some(written) = useradd.flag_value(&["-u", "--uid"]) else {
                continue;
            };
            let earlier = commands.get(..index).unwrap_or_default();
            let lookup = |name: &str| variable(dockerfile, stage, instruction, earlier, name);
            let uid = expand_word(written, lookup)
                .and_then(|words| words.into_iter().next())
                .and_then(|value| value.parse::<u64>().ok());
            let Some(uid) = uid.filter(|uid| *uid >= HIGH_UID) else {
                continue;
            };
            let megabytes = uid.saturating_mul(292) / 1_000_000;
            findings.push(
                Finding::at_command(&HD028, (stage, instruction), command)
                    .message(format!(
                        "{} gives UID {uid} without `--no-log-init`: /var/log/lastlog alone grows \
                         to about {megabytes} MB in the layer",
                        quoted(command)
                    ))
                    .fix("add `--no-log-init` (`-l`) to `useradd`"),
            );
        }
    }
}

//! Scripts run by a nested shell: `sh -c '...'`, `bash -ec "..."`,
//! `su -c '...'`, `sudo -u x sh -c ...`, `bash <<EOF`. Many Dockerfiles hide
//! their real work there, so it is split too.

/// Shells whose `-c` argument or standard input is a script.
const SHELLS: &[&str] = &["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "yash"];

/// Commands that run the command named in their arguments; a shell found
/// among their arguments is looked at too (`sudo -u app sh -c ...`,
/// `xargs -n1 sh -c ...`, `find . -exec sh -c ...`).
const WRAPPERS: &[&str] = &[
    "busybox", "chroot", "command", "env", "exec", "fakeroot", "find", "gosu", "ionice", "nice",
    "nohup", "runuser", "setpriv", "stdbuf", "su-exec", "sudo", "timeout", "unshare", "xargs",
];

/// The last path component: `/bin/sh` runs `sh`.
pub(crate) fn program(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

fn is_shell(word: &str) -> bool {
    SHELLS.contains(&program(word))
}

/// What a nested shell is asked to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShellInput {
    /// The script given with `-c`: the index of that word in the arguments.
    Argument(usize),
    /// The shell reads its script from standard input.
    Stdin,
}

/// What the command `name args...` hands a nested shell, if it starts one.
pub(crate) fn nested_shell(name: &str, args: &[String]) -> Option<ShellInput> {
    let program = program(name);
    if program == "su" {
        return su_command(args).map(ShellInput::Argument);
    }
    if is_shell(program) {
        return shell_input(args, 0);
    }
    if !WRAPPERS.contains(&program) {
        return None;
    }
    let at = args.iter().position(|arg| is_shell(arg))?;
    shell_input(args, at + 1)
}

/// Reads a shell's options the way `sh` and `bash` do: the first operand
/// after the options is the `-c` script when `c` was among them, else a
/// script file (we look no further).
fn shell_input(args: &[String], from: usize) -> Option<ShellInput> {
    let mut wants_command = false;
    let mut skip_next = false;
    let mut iter = args.iter().enumerate().skip(from);
    while let Some((index, arg)) = iter.next() {
        if skip_next {
            skip_next = false;
            continue;
        }
        if arg == "--" {
            return wants_command
                .then(|| iter.next().map(|(next, _)| ShellInput::Argument(next)))
                .flatten();
        }
        if let Some(long) = arg.strip_prefix("--") {
            skip_next = matches!(long, "rcfile" | "init-file");
            continue;
        }
        if let Some(letters) = arg.strip_prefix('-').or_else(|| arg.strip_prefix('+'))
            && !letters.is_empty()
        {
            wants_command |= arg.starts_with('-') && letters.contains('c');
            // `-o pipefail`, `-O extglob`: the option name follows.
            skip_next = letters.contains('o') || letters.contains('O');
            continue;
        }
        return wants_command.then_some(ShellInput::Argument(index));
    }
    // No operand: `sh -s` or a bare `bash` reads standard input; a `-c`
    // with nothing after it is an error of the script's own.
    (!wants_command).then_some(ShellInput::Stdin)
}

/// `su [options] -c COMMAND [user]`. (`--command=COMMAND` glues the script
/// to the option; it is left alone.)
fn su_command(args: &[String]) -> Option<usize> {
    let at = args
        .iter()
        .position(|arg| arg == "-c" || arg == "--command")?;
    (at + 1 < args.len()).then_some(at + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The script a nested shell runs, as text, for readable cases.
    fn input(name: &str, args: &[String]) -> Option<String> {
        match nested_shell(name, args)? {
            ShellInput::Argument(index) => args.get(index).cloned(),
            ShellInput::Stdin => Some("<stdin>".to_owned()),
        }
    }

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn finds_the_script_of_a_nested_shell() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("sh", "-c run", Some("run")),
            ("/bin/bash", "-exc run", Some("run")),
            ("bash", "-o pipefail -c run", Some("run")),
            ("bash", "--login -c run name", Some("run")),
            ("bash", "-c -- run", Some("run")),
            ("sh", "script.sh", None),
            ("sh", "-x", Some("<stdin>")),
            ("sh", "-c", None),
            ("sudo", "-u app sh -c run", Some("run")),
            ("xargs", "-n1 sh -c run", Some("run")),
            ("su", "app -c run", Some("run")),
            ("echo", "sh -c run", None),
            ("apt-get", "install -y bash", None),
        ];
        for (name, args, want) in cases {
            let args = words(args);
            assert_eq!(input(name, &args).as_deref(), *want, "{name} {args:?}");
        }
        assert_eq!(input("bash", &[]).as_deref(), Some("<stdin>"));
    }
}

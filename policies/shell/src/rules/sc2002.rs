// Written by hand: shuck-linter 0.2.8 has no check for this code, and it is
// one of ShellCheck's most frequent on Dockerfiles. See crate::gaps.

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `cat` of one file piped into another command: `cat file | grep x`.
    ///
    /// ## Why is this bad?
    /// The extra process and pipe buy nothing: the next command can read the
    /// file itself, or from a redirection. ShellCheck reports this as
    /// [SC2002](https://www.shellcheck.net/wiki/SC2002), a style note; it does
    /// not fire when the operand may expand to several files (`cat *.txt`,
    /// `cat $files`) or is an option.
    ///
    /// ## Example
    /// ```sh
    /// cat /etc/os-release | grep VERSION_ID
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// grep VERSION_ID /etc/os-release
    /// ```
    pub const SC2002 = {
        id: "SC2002",
        title: "Useless cat: the next command can read the file itself",
        severity: Info,
        tags: ["shell", "style"],
        equivalents: ["hadolint:SC2002"],
    };
}

// Written by hand: shuck-linter 0.2.8 has no check for this code, and it is
// one of ShellCheck's most frequent on Dockerfiles. See crate::gaps.

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `find` run without a starting path: `find -name '*.pyc' -delete`.
    ///
    /// ## Why is this bad?
    /// GNU find starts from `.` when no path is given, but BSD and busybox
    /// find (Alpine) do not all do so: the same line fails, or searches
    /// somewhere else, on another base image. ShellCheck reports this as
    /// [SC2185](https://www.shellcheck.net/wiki/SC2185). As ShellCheck does,
    /// leading one-letter options (`-L`, `-H`, `-P`, `-E`, `-x`, ...) may come
    /// before the path.
    ///
    /// ## Example
    /// ```sh
    /// find -name '*.pyc' -delete
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// find . -name '*.pyc' -delete
    /// ```
    pub const SC2185 = {
        id: "SC2185",
        title: "find without a path: some finds have no default path",
        severity: Info,
        tags: ["shell", "portability"],
        equivalents: ["hadolint:SC2185"],
    };
}

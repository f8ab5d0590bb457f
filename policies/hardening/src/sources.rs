//! What an `ADD` source is: a URL, a Git repository, a local archive (which
//! `ADD` unpacks) or a plain local file.

/// The kind of one `ADD` source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `http://` or `https://`, not a Git repository.
    Url,
    /// A Git repository: `git@host:repo`, `git://`, `ssh://`, a URL ending
    /// in `.git` (with or without `#ref`).
    Git,
    /// A local file whose name says it is an archive `ADD` unpacks.
    LocalArchive,
    /// A local file or directory, or a heredoc.
    Local,
    /// Holds a variable the model could not resolve.
    Unknown,
}

/// File name endings of the archives `ADD` unpacks (tar, optionally
/// compressed) and of compressed files that may be such archives.
const ARCHIVE_ENDINGS: &[&str] = &[
    ".tar", ".tgz", ".tbz", ".tbz2", ".tb2", ".txz", ".tlz", ".tzst", ".taz", ".tz", ".gz", ".bz2",
    ".xz", ".lz", ".lzma", ".zst", ".Z",
];

pub fn classify(source: &str) -> Source {
    let lower = source.to_ascii_lowercase();
    let before_ref = lower.split('#').next().unwrap_or(&lower);
    if lower.starts_with("git@")
        || lower.starts_with("git://")
        || lower.starts_with("ssh://")
        || ((lower.starts_with("http://") || lower.starts_with("https://"))
            && before_ref.ends_with(".git"))
    {
        return Source::Git;
    }
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Source::Url;
    }
    if source.contains('$') {
        return Source::Unknown;
    }
    if ARCHIVE_ENDINGS
        .iter()
        .any(|ending| source.ends_with(ending))
    {
        return Source::LocalArchive;
    }
    Source::Local
}

/// The Git reference after `#` is a full commit id: the content is fixed.
pub fn git_pinned_to_commit(source: &str) -> bool {
    source
        .split_once('#')
        .map(|(_, reference)| reference.split(':').next().unwrap_or(reference))
        .is_some_and(|commit| commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_by_kind() {
        assert_eq!(classify("https://example.com/app.tar.gz"), Source::Url);
        assert_eq!(
            classify("https://github.com/moby/buildkit.git#v0.12.5"),
            Source::Git
        );
        assert_eq!(classify("git@github.com:moby/buildkit.git"), Source::Git);
        assert_eq!(classify("vendor/app.tar.gz"), Source::LocalArchive);
        assert_eq!(classify("rootfs.tar.xz"), Source::LocalArchive);
        assert_eq!(classify("app.jar"), Source::Local);
        assert_eq!(classify("."), Source::Local);
        assert_eq!(classify("${JAR_FILE}"), Source::Unknown);
    }

    #[test]
    fn git_commits() {
        assert!(git_pinned_to_commit(
            "https://github.com/moby/buildkit.git#6e7f4f9f4a1d7a5f0b5b1c2d3e4f5a6b7c8d9e0f"
        ));
        assert!(!git_pinned_to_commit(
            "https://github.com/moby/buildkit.git#v0.12.5"
        ));
        assert!(!git_pinned_to_commit(
            "https://github.com/moby/buildkit.git"
        ));
    }
}

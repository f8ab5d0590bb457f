//! The build context summary a Dockerfile's model carries: which
//! `.dockerignore` applies and its patterns.
//!
//! BuildKit prefers `<Dockerfile name>.dockerignore` beside the Dockerfile
//! over the context's `.dockerignore`; we take the Dockerfile's directory as
//! the context, which is what `docker build .` beside it means.

use std::path::Path;

use tallyman_dockerfile::model::BuildContext;

/// Reads the `.dockerignore` that applies to `dockerfile`. Unreadable ignore
/// files count as absent: the rules that care say "no .dockerignore".
pub fn build_context(dockerfile: &Path, root: &Path) -> BuildContext {
    build_context_if_possible(dockerfile, root, true)
}

/// [`build_context`], opening nothing when discovery saw that no
/// `.dockerignore` can be beside the Dockerfile (`possible` is false).
pub fn build_context_if_possible(dockerfile: &Path, root: &Path, possible: bool) -> BuildContext {
    if !possible {
        return BuildContext::default();
    }
    let Some(dir) = dockerfile.parent() else {
        return BuildContext::default();
    };
    let name = dockerfile
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let candidates = [
        dir.join(format!("{name}.dockerignore")),
        dir.join(".dockerignore"),
    ];
    for candidate in candidates {
        if let Ok(text) = std::fs::read_to_string(&candidate) {
            return BuildContext {
                dockerignore_path: Some(super::display_path(root, &candidate)),
                dockerignore_patterns: patterns(&text),
            };
        }
    }
    BuildContext::default()
}

/// Patterns of a `.dockerignore`: one per line, comments and blanks dropped.
fn patterns(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::patterns;

    #[test]
    fn dockerignore_patterns() {
        assert_eq!(
            patterns("# deps\nnode_modules\n\n  *.log  \n!keep.log\n"),
            vec!["node_modules", "*.log", "!keep.log"]
        );
    }
}

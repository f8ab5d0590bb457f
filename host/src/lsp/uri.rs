//! `file:` URIs, the only kind whose documents have a place on disk (and so
//! a build context and a path `tallyman.yaml` can match); other schemes
//! (`untitled:`, remote file systems) are checked as text alone.

use std::path::PathBuf;

use lsp_types::Uri;
use percent_encoding::percent_decode_str;

/// The local path a `file:` URI names, if it names one.
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file:///p` has an empty authority; `file://localhost/p` names this
    // machine too; any other host is not a local path.
    let path = match rest.strip_prefix("localhost") {
        Some(after) if after.starts_with('/') => after,
        _ => rest,
    };
    if !path.starts_with('/') {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    Some(PathBuf::from(decoded.as_ref()))
}

/// The last segment of a URI's path, decoded: the file's name, which says
/// whether it is a Dockerfile.
pub fn file_name(uri: &Uri) -> String {
    let text = uri.as_str();
    let path = text.split(['?', '#']).next().unwrap_or(text);
    let last = path.rsplit(['/', ':']).next().unwrap_or(path);
    percent_decode_str(last).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::str::FromStr;

    fn uri(text: &str) -> Uri {
        Uri::from_str(text).expect("a valid URI")
    }

    #[test]
    fn file_uris_decode() {
        let uri = uri("file:///work/my%20repo/Dockerfile.%C3%A4");
        assert_eq!(
            to_path(&uri).as_deref(),
            Some(Path::new("/work/my repo/Dockerfile.ä"))
        );
        assert_eq!(file_name(&uri), "Dockerfile.ä");
    }

    #[test]
    fn other_uris_have_no_path() {
        assert_eq!(to_path(&uri("untitled:Untitled-1")), None);
        assert_eq!(to_path(&uri("file://server/share/Dockerfile")), None);
        assert_eq!(
            to_path(&uri("file://localhost/srv/Dockerfile")).as_deref(),
            Some(Path::new("/srv/Dockerfile"))
        );
        assert_eq!(file_name(&uri("untitled:Dockerfile")), "Dockerfile");
        assert_eq!(to_path(&uri("file:///bad%FF")), None);
    }
}

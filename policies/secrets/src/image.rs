//! What the secrets rules read in an image: its `Env` and `Labels`, and its
//! history, where each `RUN` is recorded with the build arguments it saw
//! (`|2 NPM_TOKEN=... B=c /bin/sh -c ...`, so a secret passed with
//! `--build-arg` stays in the image for anyone who pulls it).

use tallyman_sdk::Image;

/// One place in an image a value is read from, for messages.
pub struct Text<'a> {
    /// `Env`, `Labels` or `history step 3`.
    pub place: String,
    /// The variable or label name, when the text is a value.
    pub name: Option<&'a str>,
    pub text: &'a str,
}

/// Every `Env` value, label value and history command of the image.
pub fn texts(image: &Image) -> Vec<Text<'_>> {
    let mut out = Vec::new();
    for kv in &image.config.env {
        out.push(Text {
            place: "Env".to_string(),
            name: Some(&kv.key),
            text: &kv.value,
        });
    }
    for kv in &image.config.labels {
        out.push(Text {
            place: "Labels".to_string(),
            name: Some(&kv.key),
            text: &kv.value,
        });
    }
    for (at, entry) in image.history.iter().enumerate() {
        out.push(Text {
            place: format!("history step {}", at + 1),
            name: None,
            text: &entry.created_by,
        });
    }
    out
}

/// The build arguments a history entry records (`|N NAME=value ... cmd`),
/// as `(name, value)`; empty when it records none.
pub fn build_args(created_by: &str) -> Vec<(&str, &str)> {
    let text = created_by.trim();
    let text = text.strip_prefix("RUN ").map_or(text, str::trim_start);
    let Some(rest) = text.strip_prefix('|') else {
        return Vec::new();
    };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    let Some(count) = rest.get(..digits).and_then(|d| d.parse::<usize>().ok()) else {
        return Vec::new();
    };
    rest.get(digits..)
        .unwrap_or_default()
        .split_whitespace()
        .take(count)
        .filter_map(|word| word.split_once('='))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_recorded_build_arguments() {
        assert_eq!(
            build_args("RUN |2 NPM_TOKEN=abc B=c /bin/sh -c npm ci # buildkit"),
            vec![("NPM_TOKEN", "abc"), ("B", "c")]
        );
        assert_eq!(build_args("|1 A=b /bin/sh -c x"), vec![("A", "b")]);
        assert!(build_args("/bin/sh -c x").is_empty());
        assert!(build_args("|x").is_empty());
        assert!(build_args("|").is_empty());
    }
}

//! Variable references in Dockerfile text (`$NAME`, `${NAME}`,
//! `${NAME:-default}`), for rules about `ARG`s.

/// The names of the variables `text` refers to, in order, with repeats.
///
/// Follows BuildKit's lexer where it matters to rules: a name is letters,
/// digits and `_` not starting with a digit; `\$` is not a reference (with
/// the default escape character); the variables inside a `${A:-$B}` default
/// are references too.
///
/// ```
/// use tallyman_sdk::vars::referenced_variables;
/// assert_eq!(
///     referenced_variables("${REGISTRY:-docker.io}/app:$TAG \\$HOME"),
///     ["REGISTRY", "TAG"],
/// );
/// ```
pub fn referenced_variables(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'\\' => at += 2,
            b'$' => {
                let braced = bytes.get(at + 1) == Some(&b'{');
                let start = if braced { at + 2 } else { at + 1 };
                let end = name_end(bytes, start);
                if end > start
                    && let Some(name) = text.get(start..end)
                {
                    names.push(name);
                }
                // Keep scanning inside `${...}`: a default may refer to
                // other variables.
                at = end.max(at + 1);
            }
            _ => at += 1,
        }
    }
    names
}

/// The end of a variable name starting at `start`.
fn name_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while let Some(&byte) = bytes.get(end) {
        let allowed =
            byte == b'_' || byte.is_ascii_alphabetic() || (end > start && byte.is_ascii_digit());
        if !allowed {
            break;
        }
        end += 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_braced_and_defaulted_references() {
        assert_eq!(referenced_variables("$A/${B}:${C:-x}"), ["A", "B", "C"]);
        assert_eq!(referenced_variables("${A:-$B}"), ["A", "B"]);
        assert_eq!(referenced_variables("${A:+${B}}"), ["A", "B"]);
    }

    #[test]
    fn non_references() {
        assert!(referenced_variables("golang:1.22").is_empty());
        assert!(referenced_variables("\\$A $ $1 ${").is_empty());
        assert!(referenced_variables("$").is_empty());
        assert_eq!(referenced_variables("$A1_b"), ["A1_b"]);
    }

    #[test]
    fn multibyte_text_is_safe() {
        assert_eq!(referenced_variables("é$Aé${Bé}"), ["A", "B"]);
        assert!(referenced_variables("\\").is_empty());
    }
}

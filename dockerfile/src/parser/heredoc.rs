//! Heredocs: `RUN <<EOF`, `COPY <<-"EOT" /dst`, `RUN 3<<EOF cat /dev/fd/3`.
//!
//! BuildKit looks for them only in `RUN`, `COPY` and `ADD` (also behind
//! `ONBUILD`), and not in exec form. It splits the line into shell words
//! (quotes kept), and every word that reads `[digits]<<[-][blanks]word`, with
//! no further `<`, opens a heredoc. The word is lexed again to get the
//! delimiter: quoting any part of it (`<<'EOF'`, `<<E"O"F`) turns variable
//! expansion off. Bodies follow the instruction line in the order the heredocs
//! were opened, each up to a line that equals its delimiter (after removing
//! leading tabs for `<<-`).

use super::shell_words::split_words;

/// A heredoc opened on an instruction line, before its body is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Opener {
    pub(crate) name: String,
    pub(crate) file_descriptor: u64,
    pub(crate) expand: bool,
    pub(crate) chomp: bool,
}

/// BuildKit's `heredocsFromLine`. An error is a delimiter BuildKit refuses.
pub(crate) fn openers_in_line(line: &str) -> Result<Vec<Opener>, String> {
    // BuildKit ignores a lexing error here: the line then opens no heredoc.
    let words = split_words(line, true, true).unwrap_or_default();
    let mut openers = Vec::new();
    for word in &words {
        if let Some(opener) = parse_opener(word)? {
            openers.push(opener);
        }
    }
    Ok(openers)
}

/// BuildKit's `ParseHeredoc`: one word against `^(\d*)<<(-?)\s*([^<]*)$`.
pub(crate) fn parse_opener(word: &str) -> Result<Option<Opener>, String> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let (fd_text, rest) = word.split_at(digits);
    let Some(rest) = rest.strip_prefix("<<") else {
        return Ok(None);
    };
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let rest = rest.trim_start_matches(['\t', '\n', '\x0c', '\r', ' ']);
    if rest.is_empty() || rest.contains('<') {
        return Ok(None);
    }
    let file_descriptor = parse_go_uint(fd_text);

    let lex = |raw_quotes| {
        split_words(rest, raw_quotes, false)
            .map_err(|err| format!("heredoc delimiter `{rest}` cannot be read: {}", err.0))
    };
    let words = lex(false)?;
    let [name] = words.as_slice() else {
        return Ok(None);
    };
    let raw_words = lex(true)?;
    let [raw_name] = raw_words.as_slice() else {
        return Err(format!(
            "heredoc delimiter `{rest}` reads as one word unquoted but not quoted"
        ));
    };
    // Quotes that did quoting vanish from `name` but stay in `raw_name`;
    // escaped quotes are in both.
    let expand = count_quotes(name) == count_quotes(raw_name);
    Ok(Some(Opener {
        name: name.clone(),
        file_descriptor,
        expand,
        chomp,
    }))
}

fn count_quotes(s: &str) -> usize {
    s.bytes().filter(|&b| b == b'\'' || b == b'"').count()
}

/// Go's `strconv.ParseUint(s, 10, 0)` as BuildKit uses it (errors ignored):
/// empty is 0, out of range saturates.
fn parse_go_uint(digits: &str) -> u64 {
    if digits.is_empty() {
        return 0;
    }
    digits.parse().unwrap_or(u64::MAX)
}

/// Whether a body line closes the heredoc.
pub(crate) fn is_terminator(line: &str, opener: &Opener) -> bool {
    let line = super::lines::trim_newline(line);
    let line = if opener.chomp {
        line.trim_start_matches('\t')
    } else {
        line
    };
    line == opener.name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opener(word: &str) -> Option<Opener> {
        parse_opener(word).unwrap_or_else(|err| panic!("{word:?}: {err}"))
    }

    fn names(line: &str) -> Vec<String> {
        openers_in_line(line)
            .unwrap_or_else(|err| panic!("{line:?}: {err}"))
            .into_iter()
            .map(|o| o.name)
            .collect()
    }

    #[test]
    fn valid_openers() {
        for word in [
            "<<EOF",
            "<<'EOF'",
            "<<\"EOF\"",
            "<<-EOF",
            "<<-'EOF'",
            "<<-\"EOF\"",
            "<<EO\"F\"",
            "<< EOF",
            "<<- EOF",
        ] {
            assert_eq!(
                opener(word).map(|o| o.name),
                Some("EOF".to_owned()),
                "{word:?}"
            );
        }
    }

    #[test]
    fn not_openers() {
        for word in [
            "", "EOF", "<<", "<<-", "<EOF", "<<<EOF", "<<EOF sh", "<<\"\"",
        ] {
            assert_eq!(opener(word), None, "{word:?}");
        }
    }

    #[test]
    fn unbalanced_quotes_are_refused() {
        for word in ["<<'EOF", "<<\"EOF", "<<EOF'", "<<EOF\""] {
            assert!(parse_opener(word).is_err(), "{word:?}");
        }
    }

    #[test]
    fn quoting_turns_expansion_off() {
        let cases = [
            ("<<eof", "eof", true),
            ("<<eo'f'", "eof", false),
            ("<<eo\\'f", "eo'f", true),
            ("<<'e'o\\'f", "eo'f", false),
            ("<<'one two'", "one two", false),
            ("<<$EOF", "$EOF", true),
        ];
        for (word, name, expand) in cases {
            let o = opener(word).unwrap_or_else(|| panic!("{word:?}"));
            assert_eq!((o.name.as_str(), o.expand), (name, expand), "{word:?}");
        }
    }

    #[test]
    fn file_descriptors_and_chomp() {
        let o = opener("3<<-EOF").unwrap_or_else(|| panic!("no opener"));
        assert_eq!((o.file_descriptor, o.chomp), (3, true));
        let o = opener("99999999999999999999<<EOF").unwrap_or_else(|| panic!("no opener"));
        assert_eq!(o.file_descriptor, u64::MAX);
    }

    #[test]
    fn openers_in_lines() {
        assert_eq!(names("RUN <<EOF"), ["EOF"]);
        // The lexer keeps blanks only right after `<<`, so `<<- EOF` splits in
        // two words and opens nothing (BuildKit's own test of this line
        // passes vacuously on an empty result).
        assert!(names("RUN <<- EOF").is_empty());
        assert_eq!(names("RUN << -EOF"), ["-EOF"]);
        assert_eq!(names("RUN 4<<EOF"), ["EOF"]);
        assert_eq!(names("RUN <<EOF <<EOF2"), ["EOF", "EOF2"]);
        assert_eq!(names("COPY <<FILE1 <<FILE2 /dest"), ["FILE1", "FILE2"]);
        assert_eq!(names("RUN <<  EOF  > foo"), ["EOF"]);
        assert!(names("RUN '<<EOF'").is_empty());
        assert!(names("RUN \"<<EOF\"").is_empty());
        // A line that does not lex opens nothing.
        assert!(names("RUN <<EOF 'unclosed").is_empty());
    }

    #[test]
    fn terminators() {
        let plain = opener("<<EOF").unwrap_or_else(|| panic!("no opener"));
        let chomp = opener("<<-EOF").unwrap_or_else(|| panic!("no opener"));
        assert!(is_terminator("EOF\r\n", &plain));
        assert!(!is_terminator("\tEOF\n", &plain));
        assert!(is_terminator("\t\tEOF\n", &chomp));
        assert!(!is_terminator(" EOF", &chomp));
    }
}

//! Where each command is written, as a byte offset in the top-level script,
//! so that the lowering can give the physical line of every command of a
//! long `RUN`.
//!
//! Nested scripts (substitution bodies, `sh -c` arguments, heredocs read by
//! a shell) are parsed on their own, with offsets counted from their own
//! start. When a nested script is a piece of its parent's text as written,
//! its offsets carry over exactly; when it was rewritten on the way (quotes
//! removed, backquote escapes undone), every command in it is placed where
//! the text holding it starts: the outer word's line is the honest answer.
//! A heredoc body the shell rewrote only by joining `\`-continued lines and
//! stripping tabs (`<<-`) is the exception: which bytes went is known, so
//! its commands are put back on their own lines.

use rable::Span;

use super::source::SourceText;

/// Where a script being split sits in the top-level script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The script is the top-level text from this byte offset on, as written.
    Verbatim(usize),
    /// The script is a rewritten copy of text from this byte offset on:
    /// everything in it is placed there.
    Rewritten(usize),
}

impl Origin {
    /// The top-level offset of byte `local` of this script; the script's
    /// start when `local` is not known.
    pub(crate) fn place(self, local: Option<usize>) -> usize {
        match (self, local) {
            (Origin::Verbatim(base), Some(local)) => base.saturating_add(local),
            (Origin::Verbatim(at) | Origin::Rewritten(at), _) => at,
        }
    }

    /// The origin of text found at byte `local` of this script (its start
    /// when not known), as written.
    pub(crate) fn child(self, local: Option<usize>) -> Origin {
        match self {
            Origin::Verbatim(_) => Origin::Verbatim(self.place(local)),
            Origin::Rewritten(_) => self,
        }
    }

    /// The same place, for a rewritten copy of the text there.
    pub(crate) fn rewritten(self) -> Origin {
        Origin::Rewritten(self.place(None))
    }

    /// The origin of `inner`, made from the text at this origin: exact when
    /// `inner` appears in `outer` as written, else at `outer`'s start.
    pub(crate) fn of_inner(self, outer: &str, inner: &str) -> Origin {
        match outer.find(inner) {
            Some(at) => self.child(Some(at)),
            None => self.rewritten(),
        }
    }
}

/// Where a heredoc body a shell reads is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BodyPlace {
    /// At this origin.
    At(Origin),
    /// From byte `start` of the script, less the bytes the shell removed
    /// (`\`-newline pairs, `<<-` tabs): `(position in the body, how many)`,
    /// by position.
    Joined {
        start: usize,
        removed: Vec<(usize, usize)>,
    },
}

impl BodyPlace {
    /// Byte `offset` of a joined body, as an offset from where it is written.
    pub(crate) fn as_written(offset: usize, removed: &[(usize, usize)]) -> usize {
        removed
            .iter()
            .take_while(|(at, _)| *at <= offset)
            .fold(offset, |written, (_, count)| written + count)
    }
}

/// Where the body of a heredoc (its `<<` operator at `operator`) is in the
/// script of `src`, which is at `origin`. The parser does not say: the body
/// is looked for after the operator's line, as written, then as the shell
/// joins it. `None` when it is neither.
pub(crate) fn heredoc_body_place(
    body: &str,
    operator: &Span,
    src: &SourceText,
    origin: Origin,
) -> Option<BodyPlace> {
    let text = src.text();
    let operator_end = src.offset(operator.end)?;
    let line_end = operator_end + text.get(operator_end..)?.find('\n')?;
    let after = text.get(line_end + 1..)?;
    if let Some(at) = after.find(body) {
        return Some(BodyPlace::At(origin.child(Some(line_end + 1 + at))));
    }
    // Joined bodies are placed only from a script that is the file's text.
    if !matches!(origin, Origin::Verbatim(_)) {
        return None;
    }
    let removed = removals(after, body)?;
    Some(BodyPlace::Joined {
        start: line_end + 1,
        removed,
    })
}

/// How `joined` was made from the start of `written` by removing
/// `\`-newline pairs and tabs: the bytes removed, as `(position in
/// `joined`, how many)`. `None` when it was not.
fn removals(written: &str, joined: &str) -> Option<Vec<(usize, usize)>> {
    let (written, joined) = (written.as_bytes(), joined.as_bytes());
    let mut removed: Vec<(usize, usize)> = Vec::new();
    let mut from = 0;
    for (at, byte) in joined.iter().enumerate() {
        loop {
            let rest = written.get(from..)?;
            if rest.first() == Some(byte) {
                break;
            }
            let count = if rest.starts_with(b"\\\n") {
                2
            } else if rest.first() == Some(&b'\t') {
                1
            } else {
                return None;
            };
            from += count;
            match removed.last_mut() {
                Some((last, total)) if *last == at => *total += count,
                _ => removed.push((at, count)),
            }
        }
        from += 1;
    }
    Some(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_offsets_add_up_and_rewritten_ones_stay_put() {
        let word = Origin::Verbatim(10).child(Some(5));
        assert_eq!(word, Origin::Verbatim(15));
        assert_eq!(word.place(Some(3)), 18);
        assert_eq!(word.place(None), 15);
        let quoted = word.of_inner("'a; b'", "a; b");
        assert_eq!(quoted.place(Some(3)), 19);
        let escaped = word.of_inner(r#""a \"b\"""#, r#"a "b""#);
        assert_eq!(escaped, Origin::Rewritten(15));
        assert_eq!(escaped.place(Some(4)), 15);
        assert_eq!(escaped.child(Some(4)).place(Some(2)), 15);
        assert_eq!(Origin::Verbatim(7).child(None), Origin::Verbatim(7));
    }

    #[test]
    fn a_joined_body_maps_back_to_the_bytes_as_written() {
        let written = "\ta \\\n\t b\n\tc\nEOT\n";
        let joined = "a \t b\nc\n";
        let removed = removals(written, joined).unwrap_or_default();
        assert_eq!(removed, [(0, 1), (2, 2), (6, 1)]);
        // `b` and `c`, found where they are written.
        assert_eq!(written.as_bytes()[BodyPlace::as_written(4, &removed)], b'b');
        assert_eq!(written.as_bytes()[BodyPlace::as_written(6, &removed)], b'c');
        assert_eq!(BodyPlace::as_written(0, &removed), 1);
        assert_eq!(removals("a\nb\n", "x"), None);
    }
}

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
}

//! What the linter said about each distinct linted source, kept across the
//! Dockerfiles one policy instance checks (the host reuses an instance
//! between targets). Scripts repeat across a repository's Dockerfiles
//! (the same `apt-get` line, images built from one template): on the
//! shared corpus more than half of the script bytes are in a source the
//! linter has already seen.
//!
//! The linter's diagnostics are a function of the source and the dialect
//! alone, so a remembered answer is the answer. Lines are not remembered:
//! the same script sits on different lines in different files, and is
//! placed again on each use.
//!
//! Bounded: the sandbox gives an instance 64 MiB, so the memo holds at most
//! [`BUDGET`] bytes of sources and messages (with an allowance per entry
//! for the map and vectors) and starts over when full.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use shuck_linter::ShellDialect;
use tallyman_sdk::Rule;

/// A diagnostic as the linter gave it: at a byte offset of the script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raw {
    pub rule: &'static Rule,
    pub message: String,
    pub offset: usize,
}

/// What the memo may hold, in bytes.
pub const BUDGET: usize = 4 << 20;

/// The map's and vectors' own memory per entry and per diagnostic, counted
/// against the budget with the texts.
const ENTRY_OVERHEAD: usize = 96;
const DIAGNOSTIC_OVERHEAD: usize = std::mem::size_of::<Raw>();

#[derive(Default)]
struct Memo {
    answers: HashMap<(ShellDialect, String), Rc<[Raw]>>,
    bytes: usize,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// The remembered diagnostics of `source` in `dialect`, or `lint`'s,
/// remembered.
pub fn diagnostics(
    dialect: ShellDialect,
    source: String,
    lint: impl FnOnce(&str) -> Vec<Raw>,
) -> Rc<[Raw]> {
    let key = (dialect, source);
    if let Some(known) = MEMO.with_borrow(|memo| memo.answers.get(&key).cloned()) {
        return known;
    }
    let answer: Rc<[Raw]> = lint(&key.1).into();
    let cost = ENTRY_OVERHEAD
        + key.1.len()
        + answer
            .iter()
            .map(|raw| DIAGNOSTIC_OVERHEAD + raw.message.len())
            .sum::<usize>();
    MEMO.with_borrow_mut(|memo| {
        if cost > BUDGET {
            return;
        }
        if memo.bytes + cost > BUDGET {
            memo.answers = HashMap::new();
            memo.bytes = 0;
        }
        memo.bytes += cost;
        memo.answers.insert(key, Rc::clone(&answer));
    });
    answer
}

/// Forgets every answer (for benchmarks, which time a scan from a fresh
/// instance, and for tests comparing with and without the memo).
pub fn clear() {
    MEMO.with_borrow_mut(|memo| *memo = Memo::default());
}

/// How many bytes the memo holds by its count.
pub fn held_bytes() -> usize {
    MEMO.with_borrow(|memo| memo.bytes)
}

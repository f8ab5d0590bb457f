//! Keeps deep nesting from overflowing the stack.
//!
//! The shell parser is recursive descent: `$(echo $(echo ...))` a few
//! hundred levels deep overflows a 2 MiB thread stack, and a stack overflow
//! aborts the process instead of unwinding (no `catch_unwind` helps). So
//! before parsing we bound how much stack the script can need, and run the
//! work on a thread with a stack that large when it is more than a caller's
//! thread can be assumed to have free.
//!
//! The bound weighs what opens a level of nesting (`( ) { } $ \`` and the
//! reserved words `if`, `then`, `do`, `case`...) heavily and the bytes that
//! add a list item (`; & | < > !` and newlines) lightly: every construct the parser recurses on has at least one of them
//! per level. The costs were measured on the worst constructs (nested
//! `case`, `$( )`, `"$( )"`, `${ }`, `{ }`, `if`, and long `;`/`&&` lists),
//! parser and walk together, and then doubled.

use std::thread;

/// Stack we assume any caller's thread has free (Rust's spawned threads
/// have 2 MiB, the main thread 8 MiB).
const INLINE_BUDGET: usize = 512 * 1024;
/// Fixed cost of a split: parser set-up, our walk, the allocator.
const BASE_COST: usize = 128 * 1024;
/// Upper bound of the stack used per nesting byte, doubled for safety.
/// Unoptimised builds (tests) use many times more stack per frame.
const PER_LEVEL: usize = if cfg!(debug_assertions) {
    64 * 1024
} else {
    8 * 1024
};
/// Upper bound of the stack used per list separator, doubled for safety.
const PER_ITEM: usize = if cfg!(debug_assertions) {
    4 * 1024
} else {
    512
};
/// Beyond this the script is refused rather than given a huge stack.
const MAX_STACK: usize = 512 * 1024 * 1024;

/// Scripts up to this length never need more than [`MAX_STACK`]: each byte
/// adds at most one level or item (a reserved word's level is counted at
/// its first letter, which is neither).
pub(super) const ALWAYS_FITS_LEN: usize = (MAX_STACK - BASE_COST) / PER_LEVEL;

/// Reserved words that open a compound command or a part of one.
const KEYWORDS: &[&[u8]] = &[
    b"if",
    b"then",
    b"elif",
    b"else",
    b"while",
    b"until",
    b"for",
    b"do",
    b"case",
    b"select",
    b"function",
];

/// What a byte counts for in [`stack_needed`], looked up in [`CLASSES`].
const LEVEL: u8 = 1;
const ITEM: u8 = 2;
/// A word starts after it.
const BOUNDARY: u8 = 4;
/// A reserved word may start with it.
const KEYWORD_START: u8 = 8;

const CLASSES: [u8; 256] = {
    let mut classes = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        let mut class = match b {
            b'(' | b')' | b'{' | b'}' | b'$' | b'`' => LEVEL,
            b';' | b'&' | b'|' | b'<' | b'>' | b'!' | b'\n' => ITEM,
            b'c' | b'd' | b'e' | b'f' | b'i' | b's' | b't' | b'u' | b'w' => KEYWORD_START,
            _ => 0,
        };
        if b.is_ascii_whitespace()
            || matches!(b, b';' | b'&' | b'|' | b'(' | b')' | b'{' | b'}' | b'`')
        {
            class |= BOUNDARY;
        }
        classes[byte] = class;
        byte += 1;
    }
    classes
};

/// The stack a split of `script` may need, in bytes.
pub(super) fn stack_needed(script: &str) -> usize {
    let bytes = script.as_bytes();
    let (mut levels, mut items) = (0usize, 0usize);
    let mut at_word_start = true;
    for (i, &byte) in bytes.iter().enumerate() {
        let class = CLASSES[usize::from(byte)];
        levels += usize::from(class & LEVEL);
        items += usize::from(class & ITEM != 0);
        if at_word_start && class & KEYWORD_START != 0 && starts_keyword(bytes, i) {
            levels += 1;
        }
        at_word_start = class & BOUNDARY != 0;
    }
    levels
        .saturating_mul(PER_LEVEL)
        .saturating_add(items.saturating_mul(PER_ITEM))
        .saturating_add(BASE_COST)
}

/// Whether a reserved word starts at `i` (followed by a blank, `;` or the end).
fn starts_keyword(bytes: &[u8], i: usize) -> bool {
    let first = bytes.get(i);
    KEYWORDS.iter().any(|keyword| {
        keyword.first() == first
            && bytes.get(i..i + keyword.len()) == Some(*keyword)
            && bytes
                .get(i + keyword.len())
                .is_none_or(|b| b.is_ascii_whitespace() || *b == b';')
    })
}

/// Runs `work` with enough stack for `script`: on the caller's thread when
/// the need is small (always in a Wasm guest), else on a scoped thread with
/// a stack of its own.
/// Errors when the script needs more than we are willing to reserve, when
/// no thread can be made, or when `work` panics.
pub(super) fn with_stack_for<T: Send>(
    script: &str,
    work: impl FnOnce() -> T + Send,
) -> Result<T, String> {
    let need = stack_needed(script);
    if need > MAX_STACK {
        return Err(format!(
            "script nests too deeply to parse safely (would need {} MiB of stack)",
            need / (1024 * 1024)
        ));
    }
    // A Wasm guest (the Rego runner splits scripts for `sh.parse_commands`)
    // cannot start a thread, and there an overflow is a trap the host
    // contains as that target's policy error, not an abort: parse in place
    // rather than give up on every script whose bound passes the budget.
    if need <= INLINE_BUDGET || cfg!(target_family = "wasm") {
        return Ok(work());
    }
    thread::scope(|scope| {
        let handle = thread::Builder::new()
            .name("tallyman-shell".to_owned())
            .stack_size(need)
            .spawn_scoped(scope, work)
            .map_err(|e| format!("could not start a parser thread: {e}"))?;
        handle
            .join()
            .map_err(|_| "the shell parser panicked".to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_scripts_run_inline_and_deep_ones_get_a_thread() {
        assert!(stack_needed("apt-get update && apt-get install -y curl") <= INLINE_BUDGET);
        assert!(stack_needed(&"$(".repeat(10_000)) > INLINE_BUDGET);
        let on_caller = thread::current().id();
        assert_eq!(
            with_stack_for("true", || thread::current().id()),
            Ok(on_caller)
        );
        let deep = "(".repeat(200);
        assert_ne!(
            with_stack_for(&deep, || thread::current().id()),
            Ok(on_caller)
        );
    }

    /// The byte-by-byte reading `stack_needed` replaced with a table.
    fn stack_needed_by_matching(script: &str) -> usize {
        let bytes = script.as_bytes();
        let (mut levels, mut items) = (0usize, 0usize);
        let mut at_word_start = true;
        for (i, &byte) in bytes.iter().enumerate() {
            match byte {
                b'(' | b')' | b'{' | b'}' | b'$' | b'`' => levels += 1,
                b';' | b'&' | b'|' | b'<' | b'>' | b'!' | b'\n' => items += 1,
                _ => {}
            }
            if at_word_start && byte.is_ascii_lowercase() && starts_keyword(bytes, i) {
                levels += 1;
            }
            at_word_start = byte.is_ascii_whitespace()
                || matches!(byte, b';' | b'&' | b'|' | b'(' | b')' | b'{' | b'}' | b'`');
        }
        levels * PER_LEVEL + items * PER_ITEM + BASE_COST
    }

    #[test]
    fn the_table_counts_as_matching_did() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for len in 0..2_000 {
            let bytes: Vec<u8> = (0..len % 64)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    b"if then do done case for while (){}$`;&|<>!\n \t\x0c\rabcdefistuwxyz\xc3\xa9"
                        [usize::try_from(state % 64).unwrap_or(0)]
                })
                .collect();
            let script = String::from_utf8_lossy(&bytes);
            assert_eq!(
                stack_needed(&script),
                stack_needed_by_matching(&script),
                "{script:?}"
            );
        }
    }

    #[test]
    fn refuses_absurd_depth() {
        let absurd = "(".repeat(MAX_STACK / PER_LEVEL + 1);
        assert!(with_stack_for(&absurd, || ()).is_err());
    }
}

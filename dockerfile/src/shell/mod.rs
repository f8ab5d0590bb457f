//! Splits a `RUN` script into the simple commands it runs, so that policies
//! never re-parse shell text.
//!
//! ```
//! use tallyman_dockerfile::shell::split_commands;
//!
//! let split = split_commands("set -eux; curl -fsSL $URL | sh && CGO_ENABLED=0 go build");
//! let names: Vec<_> = split.commands.iter().map(|c| c.name.as_str()).collect();
//! assert_eq!(names, ["set", "curl", "sh", "go"]);
//! assert_eq!(split.commands[1].args, ["-fsSL", "$URL"]);
//! assert_eq!(split.commands[2].pipe_position, 1);
//! assert_eq!(split.commands[3].assignments, [("CGO_ENABLED".to_owned(), "0".to_owned())]);
//! ```
//!
//! # Which parser, and why
//!
//! The grammar is parsed by [rable](https://crates.io/crates/rable), a
//! bash 5.3 parser validated against bash's own. The candidates were measured
//! on the 4,568 shell-form `RUN` scripts of the corpus (heredoc bodies
//! included), with `bash -n` as the judge of which scripts are valid (it
//! refuses 114: PowerShell and cmd scripts from Windows images, and one
//! Go-template file), parse only, release build, one after the other in one
//! process on the shared 2-core development machine (absolute rates moved
//! 3x with the machine's load that day; the order did not):
//!
//! | crate (version) | licence | wrong verdicts vs `bash -n` | RUNs/s | panics (27,408 mutated scripts) | stack overflow, 2 MiB thread | crates pulled in | last release |
//! |---|---|---|---|---|---|---|---|
//! | **rable 0.2.2** | MIT | **0** | **~75,000** | 0 | 1,000 nested `$( )`; 30,000-item `;` lists | **2** | 2026-10 |
//! | brush-parser 0.4.0 (MSRV 1.88, builds on 1.95) | MIT | 0 | ~36,000 | 0 | 1,000 nested `{ }`/`if` | 84 (`insta`, `cached`, `bon`, `peg`, `tracing` at run time) | 2026-05 |
//! | shuck-parser 0.2.8 | MIT | 34 (accepts PowerShell and an unclosed `(` as clean) | ~43,000 | 0 | none (depth and fuel limits) | 11 | 2026-11 |
//! | conch-parser 0.1.1 | MIT/Apache-2.0 | 6 | ~20,000 | 0 | 100,000 levels of anything | 2 | 2019, unmaintained |
//! | tree-sitter-bash 0.25.1 | MIT | 4 (refuses `<<EOT bash` heredocs) | ~18,000 | 0 | none | 5 + a C build | 2025-12 |
//! | yash-syntax 0.25 (MSRV 1.96; 0.21 builds) | GPL-3.0 | not measured: the licence does not fit an Apache-2.0 binary, and the API is async | | | | | |
//!
//! rable and brush-parser also agree on the simple commands themselves: the
//! lists of command words match on 4,453 of the 4,454 valid scripts, and the
//! one difference is brush-parser reading `cat <<EOF >> "${HOME}/.bashrc"`'s
//! redirect target as an argument. rable is the faster, lighter and younger
//! of the two (first release March 2026); brush-parser drags a snapshot
//! testing library and a global memoisation cache into the binary.
//!
//! No candidate is safe from stack overflow, which aborts the process (no
//! `catch_unwind` can stop it), so [`split_commands`] bounds the stack a
//! script can need and parses deep scripts on a thread with that much stack
//! (`stack.rs`); its own scanning of words is iterative (`scan.rs`). rable
//! also slows down steeply with nested command substitutions (about the
//! fourth power of the depth: 100 levels take 0.3 s, 200 levels half a
//! minute), so scripts whose substitutions nest more than 32 deep are
//! refused before parsing; the corpus nests at most 2 deep. Parser calls are
//! wrapped in `catch_unwind` as a last line of defence only; no panic is
//! known.
//!
//! Splitting (parse, walk, quote removal, substitutions and nested shells
//! parsed again) runs at about 75% of rable's bare parsing rate: the
//! `shell` criterion bench splits the corpus's 4,568 RUNs at ~20,000 RUNs/s
//! on that machine under a load of 5.
//!
//! Most scripts need little of that grammar: simple commands joined by
//! `&&`, `||`, `;`, `|`, `&` and newlines, quoted words, `$VAR`, `$( )`,
//! plain redirections, `if`, `while`, `for` and `{ }`. `simple.rs` reads
//! those from the bytes without a tree (88% of the corpus's shell texts,
//! whole), and the walk lists them exactly as it lists rable's tree (held
//! to it by differential tests over the corpus and generated scripts);
//! whatever it is not certain of goes to rable. Substitution bodies and
//! nested shells' scripts try the fast path first too. With it, the `shell`
//! bench splits the corpus's RUNs in 55% of the time rable's path takes
//! (BENCHMARKS.md, issue 19).
//!
//! # What is listed
//!
//! Every simple command in source order: those in `if`/`while`/`for`/`case`
//! bodies, functions, subshells and `{ }` groups; inside `$( )`, backquotes
//! and `<( )` (marked [`SimpleCommand::in_substitution`], listed right after
//! the command whose words hold them); and in scripts given to a nested shell
//! (`sh -c '...'`, `bash -ec "..."`, `su -c`, `sudo sh -c`, `bash <<EOF`),
//! marked with [`SimpleCommand::shell_depth`], up to four shells deep.
//! Words keep every expansion as written (`$PKG` stays `$PKG`), so a rule can
//! tell "pinned through a variable" from "not pinned". Heredoc bodies handed
//! to other programs (`cat <<EOF > file`) are data and are not split, though
//! the substitutions an unquoted one runs are.

mod inner;
mod place;
mod scan;
mod simple;
mod source;
mod stack;
mod walk;
mod words;

use serde::Serialize;

use walk::{Context, Splitter};

/// One simple command: a program run with arguments, possibly with prefix
/// assignments, as the shell would see it before expanding anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimpleCommand {
    /// The command word with quotes removed (`"apt-get"` → `apt-get`); empty
    /// when the command is only assignments or redirections.
    pub name: String,
    /// The words after the name, quotes removed, expansions kept as written.
    /// Redirections are not arguments and are left out.
    pub args: Vec<String>,
    /// Prefix assignments (`CGO_ENABLED=0 go build`): name as written (with
    /// a trailing `+` for `+=`), value with quotes removed.
    pub assignments: Vec<(String, String)>,
    /// The command's source text: a slice of the script it was found in
    /// (for a nested shell, of the script it was given).
    pub text: String,
    /// Byte offset in the script given to [`split_commands`] where the
    /// command starts. A command of a nested script that is not written
    /// out as is in the script (a `sh -c` argument whose quoting had to be
    /// undone, a backquoted substitution with escapes) is placed at the
    /// start of the word or substitution holding it.
    pub offset: usize,
    /// Where each of [`SimpleCommand::args`] starts, as [`SimpleCommand::offset`]
    /// says where the command does (parallel to `args`): what puts a finding
    /// about a flag on the line of a long `RUN` that holds it.
    pub arg_offsets: Vec<usize>,
    /// Commands in one pipeline share this id; ids count up from 0 in the
    /// order pipelines start. A command outside any `|` is a pipeline of one.
    pub pipeline: u32,
    /// 0 for the first element of a pipeline, 1 for the one it pipes into,
    /// and so on. An element that is a compound command (`{ ...; } | sh`)
    /// takes a position too, though it lists no command of its own there.
    pub pipe_position: u32,
    /// Inside `$( )`, backquotes or `<( )`/`>( )`, at any depth.
    pub in_substitution: bool,
    /// How many nested shells (`sh -c`, `bash <<EOF`) the command is inside;
    /// 0 for the script itself.
    pub shell_depth: u32,
    /// The pipeline is negated (`! grep -q x f`): its failure is success.
    pub negated: bool,
    /// Part of an `if`, `elif`, `while` or `until` test, where a failure
    /// does not stop a `set -e` script.
    pub in_condition: bool,
    /// How this command's pipeline joins the one before it: a rule looking
    /// for `cmd || true` checks whether the next pipeline comes after `||`.
    pub connector: Connector,
}

impl SimpleCommand {
    /// The program's file name: `/usr/bin/apt-get` runs `apt-get`.
    pub fn program(&self) -> &str {
        inner::program(&self.name)
    }
}

/// The list operator before a pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Connector {
    /// The first pipeline of its script (or of a substitution or nested
    /// shell's script).
    Start,
    /// After `;`, `&` or a newline.
    Sequence,
    /// After `&&`: runs only when the previous pipeline succeeded.
    And,
    /// After `||`: runs only when the previous pipeline failed.
    Or,
}

/// The commands of one script, and why the parser refused it if it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShellSplit {
    /// Commands in source order. When [`ShellSplit::error`] is set, the first
    /// is the whole script (named by its first word, the rest of its words as
    /// arguments) and those after it come from the statements between
    /// unquoted `;`, `&&`, `||`, `&` and newlines that parse on their own.
    pub commands: Vec<SimpleCommand>,
    /// Why the parser refused the script (`None` when it did not).
    pub error: Option<String>,
}

/// Lists the simple commands of a shell script.
///
/// The script is the `RUN` text as BuildKit hands it to `/bin/sh -c`: line
/// continuations already removed. Never panics and never overflows the
/// stack, provided the calling thread has 512 KiB of stack to spare. In a
/// Wasm guest, which cannot start threads, a script nested deeper than the
/// guest's stack traps instead (a policy error the host contains).
pub fn split_commands(script: &str) -> ShellSplit {
    split_with(script, Splitter::new)
}

/// What [`split_commands`] lists, with rable parsing every script: the
/// reference the fast path in `simple.rs` is held to.
#[cfg(test)]
fn split_with_parser(script: &str) -> ShellSplit {
    split_with(script, Splitter::parser_only)
}

fn split_with(script: &str, splitter: fn() -> Splitter) -> ShellSplit {
    // Scripts this short can never need more stack than is reserved: each
    // one the parser reads gets what it needs as it is read (the fast path
    // needs none). A longer one is bounded as a whole first, and refused
    // when it would need too much.
    if script.len() <= stack::ALWAYS_FITS_LEN {
        return split_on_this_thread(script, splitter);
    }
    let outcome = stack::with_stack_for(script, || split_on_this_thread(script, splitter));
    outcome.unwrap_or_else(|reason| refused(script, reason, false, splitter))
}

fn split_on_this_thread(script: &str, splitter: fn() -> Splitter) -> ShellSplit {
    let mut splitting = splitter();
    match splitting.split(script, Context::TOP) {
        Ok(()) => ShellSplit {
            commands: splitting.commands,
            error: None,
        },
        Err(reason) => refused(script, reason, true, splitter),
    }
}

/// The split of a script the parser refused: the whole script, then what
/// parses of its statements (only when there is stack to parse them on).
fn refused(script: &str, reason: String, recover: bool, splitter: fn() -> Splitter) -> ShellSplit {
    let mut splitter = splitter();
    splitter.push_whole(script, Context::TOP);
    if recover {
        for (start, statement) in words::lenient_statements(script) {
            let lead = statement.len() - statement.trim_start().len();
            // A statement that does not parse alone adds nothing.
            let _ = splitter.split(statement.trim(), Context::top_at(start + lead));
        }
    }
    ShellSplit {
        commands: splitter.commands,
        error: Some(reason),
    }
}

use tallyman_sdk::{Dockerfile, Finding};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `ENV` and `LABEL` written in the legacy form, a key and a value
    /// separated by blanks (`ENV PATH /opt/bin:$PATH`), instead of
    /// `key=value`, as BuildKit's check does. The message shows the
    /// `key=value` form that sets the same value: the value as written when
    /// it is one word, in double quotes when it holds blanks (which the
    /// legacy form keeps), or with its blanks escaped when it has quotes of
    /// its own.
    ///
    /// ## Why is this bad?
    /// The legacy form sets exactly one variable and takes the whole rest of
    /// the line as its value, spaces and quotes included, so `ENV A 1 B 2`
    /// sets `A` to `1 B 2`, which is rarely what was meant. Docker's
    /// documentation calls the form deprecated and `docker build` warns
    /// about every use. The build is the same, and the form is common in
    /// older files (about a third of real-world Dockerfiles, official images
    /// among them): the rule is informational.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV PATH /opt/tool/bin:$PATH
    /// LABEL maintainer Jane Doe
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// ENV PATH=/opt/tool/bin:$PATH
    /// LABEL maintainer="Jane Doe"
    /// ```
    ///
    /// `tallyman fix` rewrites a one-line instruction in the `key=value`
    /// form (safe: BuildKit reads the value the same way).
    pub const ST005 = {
        id: "ST005",
        title: "Legacy `ENV key value` / `LABEL key value` form",
        severity: Info,
        tags: ["style"],
        equivalents: ["buildkit:LegacyKeyValueFormat"],
    };
}

/// How much of a long value the message shows.
const SHOWN_VALUE: usize = 60;

pub fn check(dockerfile: &Dockerfile, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        if !(instruction.is("ENV") || instruction.is("LABEL")) {
            continue;
        }
        // BuildKit keeps `key, value, separator` triples; the legacy form
        // is the one whose separator is not `=`.
        for triple in instruction.args.chunks(3) {
            let [key, value, separator] = triple else {
                continue;
            };
            if separator == "=" {
                continue;
            }
            let keyword = &instruction.keyword_written;
            let escape = dockerfile.escape_char.chars().next().unwrap_or('\\');
            let modern = format!("{keyword} {key}={}", as_one_word(value, escape));
            findings.push(
                Finding::at(&ST005, (stage, instruction))
                    .message(format!(
                        "`{keyword} {key} …` uses the legacy form: write `{}`",
                        shortened(&modern)
                    ))
                    .fix(format!("`{modern}`"))
                    .edit(instruction.whole_span(), modern.clone()),
            );
        }
    }
}

/// The legacy value as the value of `key=value`, read the same way (BuildKit
/// removes quotes and escapes from both the same way, without splitting):
/// as written when it has no blank outside quotes; in double quotes when it
/// has no quote or escape character of its own to change meaning inside
/// them; else with each blank outside quotes escaped.
fn as_one_word(value: &str, escape: char) -> String {
    let special = |c: char| c == '"' || c == '\'' || c == escape;
    if !value.contains(special) {
        return if value.contains(char::is_whitespace) {
            format!("\"{value}\"")
        } else {
            value.to_string()
        };
    }
    let mut word = String::with_capacity(value.len() + 8);
    let (mut single, mut double, mut escaped) = (false, false, false);
    for c in value.chars() {
        if escaped {
            escaped = false;
        } else if c == escape && !single {
            escaped = true;
        } else if c == '\'' && !double {
            single = !single;
        } else if c == '"' && !single {
            double = !double;
        } else if c.is_whitespace() && !single && !double {
            word.push(escape);
        }
        word.push(c);
    }
    word
}

/// `text`, cut after [`SHOWN_VALUE`] characters with an ellipsis.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(SHOWN_VALUE) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

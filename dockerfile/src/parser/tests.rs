//! Whole-file behaviour of the parser, from BuildKit's own parser tests
//! (`parser_test.go`, `parser_heredoc_test.go`) and its documented quirks.

use super::*;
use crate::ast::Heredoc;

// These are the line parser's tests: what BuildKit's instruction parser
// refuses on top is tested in `crate::validate` and `tests/refusals.rs`.
fn syntax(source: &str) -> Result<Ast, ParseError> {
    parse_syntax(source.as_bytes(), &ParseOptions::default())
}

fn ok(source: &str) -> Ast {
    syntax(source).unwrap_or_else(|err| panic!("{source:?}: {err}"))
}

fn err(source: &str) -> ParseError {
    match syntax(source) {
        Ok(ast) => panic!("{source:?} parsed: {ast:?}"),
        Err(err) => err,
    }
}

fn spans(ast: &Ast) -> Vec<(usize, usize)> {
    ast.children
        .iter()
        .map(|c| (c.start_line, c.end_line))
        .collect()
}

#[test]
fn refuses_files_without_instructions() {
    for source in [
        "",
        "\n\n",
        "# Hello\n# These are just comments\n",
        "# syntax=x\n",
        "\u{feff}",
    ] {
        assert_eq!(
            err(source).kind,
            ParseErrorKind::NoInstructions,
            "{source:?}"
        );
    }
    assert_eq!(
        err("# only\n").to_string(),
        "file has no instructions (only blank lines, comments or parser directives)"
    );
}

#[test]
fn accepts_bom_and_crlf() {
    let ast = ok("\u{feff}FROM a\r\nRUN b \\\r\n  c\r\n");
    assert_eq!(ast.children[0].keyword, "from");
    assert_eq!(ast.children[1].args, ["b   c"]);
    assert_eq!(spans(&ast), [(1, 1), (2, 3)]);
    assert_eq!(ast.line_count, 3);
}

#[test]
fn comments_and_blank_lines_inside_continuations() {
    let ast = ok("RUN a \\\n# comment\n\n  b\nFROM c\n");
    assert_eq!(ast.children[0].args, ["a   b"]);
    assert_eq!(spans(&ast), [(1, 4), (5, 5)]);
    assert_eq!(ast.warnings.len(), 1);
    assert_eq!(ast.warnings[0].line, 4);
    assert_eq!(
        ast.warnings[0].message,
        "Empty continuation line found in: RUN a   b"
    );
    assert_eq!(
        ast.comments,
        [Comment {
            line: 2,
            text: " comment".into()
        }]
    );
}

#[test]
fn continuation_at_end_of_file() {
    let ast = ok("FROM alpine:3.5\n\nRUN something \\");
    assert_eq!(ast.children[1].args, ["something"]);
    assert_eq!(spans(&ast), [(1, 1), (3, 3)]);
}

#[test]
fn testfile_line_spans() {
    let source = "# ESCAPE=\\\n\n\n\nFROM brimstone/ubuntu:14.04\n\n\n# TORUN -v /var/run/docker.sock:/var/run/docker.sock\n\n\nENV GOPATH \\\n/go\n\n\n\n# Install the packages we need, clean up after them and us\nRUN apt-get update \\\n\t&& dpkg -l | awk '/^ii/ {print $2}' > /tmp/dpkg.clean \\\n\n\n    && apt-get --no-install-recommends install -y git golang ca-certificates \\\n    && apt-get clean \\\n    && rm -rf /var/lib/apt/lists \\\n\n\t&& go get -v github.com/brimstone/consuldock \\\n    && mv $GOPATH/bin/consuldock /usr/local/bin/consuldock \\\n\n\t&& dpkg -l | awk '/^ii/ {print $2}' > /tmp/dpkg.dirty \\\n\t&& apt-get remove --purge -y $(diff /tmp/dpkg.clean /tmp/dpkg.dirty | awk '/^>/ {print $2}') \\\n\t&& rm /tmp/dpkg.* \\\n\t&& rm -rf $GOPATH\n\n\n\n";
    let ast = ok(source);
    assert_eq!(spans(&ast), [(5, 5), (11, 12), (17, 31)]);
    assert_eq!(
        ast.directives,
        [Directive {
            name: "escape".into(),
            value: "\\".into(),
            line: 1
        }]
    );
}

#[test]
fn escape_directive_changes_continuations_and_words() {
    let ast = ok("# escape=`\nFROM a\nRUN dir c:\\ `\n  && echo\nENV x=a` b\n");
    assert_eq!(ast.escape, '`');
    assert_eq!(ast.children[1].args, ["dir c:\\   && echo"]);
    assert_eq!(ast.children[2].args, ["x", "a` b", "="]);
}

#[test]
fn directives_only_at_the_top() {
    let ast = ok("# syntax=docker/dockerfile:1\n# check=skip=all\n\n# escape=`\nFROM a \\\n b\n");
    assert_eq!(ast.escape, '\\');
    assert_eq!(ast.directives.len(), 2);
    assert_eq!(ast.children[0].args, ["a", "b"]);
    assert_eq!(ast.children[0].prev_comment, ["escape=`"]);
    assert_eq!(
        err("# escape=x\nFROM a\n").kind,
        ParseErrorKind::InvalidEscape
    );
    let e = err("# syntax=a\n# SYNTAX=b\nFROM a\n");
    assert_eq!(e.kind, ParseErrorKind::DuplicateDirective);
    assert_eq!(e.line, Some(2));
}

#[test]
fn prev_comment_follows_buildkit() {
    let ast = ok("# syntax=x\n# one\n\n  # two\nFROM a\n#\n# three\nRUN b\nRUN c\n");
    assert_eq!(ast.children[0].prev_comment, ["one", "# two"]);
    assert_eq!(ast.children[1].prev_comment, ["three"]);
    assert!(ast.children[2].prev_comment.is_empty());
    assert_eq!(ast.comments.len(), 5);
    assert_eq!(
        ast.comments[3],
        Comment {
            line: 6,
            text: String::new()
        }
    );
}

#[test]
fn errors_carry_lines() {
    let e = err("FROM busybox\n\nENV PATH\n");
    assert_eq!((e.kind, e.line), (ParseErrorKind::MissingValue, Some(3)));
    assert_eq!(
        e.to_string(),
        "line 3: ENV names `PATH` but gives no value (write `ENV PATH=value`)"
    );
    let e = err("FROM a\nCMD [ \"echo\", \\\n [ \"nested json\" ] ]\n");
    assert_eq!(
        (e.kind, e.line, e.end_line),
        (ParseErrorKind::NotStringArray, Some(2), Some(3))
    );
}

#[test]
fn over_long_lines_are_refused() {
    let long = "x".repeat(lines::MAX_LINE_BYTES + 1);
    let e = err(&format!("FROM a\nRUN {long}\n"));
    assert_eq!((e.kind, e.line), (ParseErrorKind::LineTooLong, Some(2)));
    let fits = "x".repeat(lines::MAX_LINE_BYTES - 4);
    assert_eq!(ok(&format!("FROM a\nRUN {fits}")).children.len(), 2);
}

fn heredoc(name: &str, content: &str, expand: bool, chomp: bool, fd: u64) -> Heredoc {
    Heredoc {
        name: name.into(),
        file_descriptor: fd,
        expand,
        chomp,
        content: content.into(),
    }
}

#[test]
fn heredocs_as_in_buildkit_tests() {
    let source = "
FROM alpine:3.6

ENV NAME=me

RUN ls

USER <<INVALID
INVALID

RUN <<EMPTY
EMPTY

RUN 3<<EMPTY2
EMPTY2

RUN \"<<NOHEREDOC\"

RUN <<INDENT
\tfoo
\tbar
INDENT

RUN <<-UNINDENT
\tbaz
\tquux
UNINDENT

RUN <<-UNINDENT2
\tbaz
\tquux
\tUNINDENT2

RUN <<-'NOEXPAND'
\tdon't expand $NAME
NOEXPAND

RUN <<COMMENT
# internal comment
echo foo bar # trailing comment
COMMENT

RUN --mount=type=cache,target=/foo <<MOUNT
echo hello
MOUNT

COPY <<FILE1 <<FILE2 /dest
content 1
FILE1
content 2
FILE2

COPY <<X <<Y /dest
Y
X
X
Y

RUN <<COMPLEX python3
print('hello world')
COMPLEX

RUN <<eo'f'
echo foo
eof

RUN <<'one two'
echo bar
one two

RUN <<$EOF
$EOF

RUN <<  EOF  > foo
EOF
\t";
    let ast = ok(source);
    let expected: Vec<Vec<Heredoc>> = vec![
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![heredoc("EMPTY", "", true, false, 0)],
        vec![heredoc("EMPTY2", "", true, false, 3)],
        vec![],
        vec![heredoc("INDENT", "\tfoo\n\tbar\n", true, false, 0)],
        vec![heredoc("UNINDENT", "\tbaz\n\tquux\n", true, true, 0)],
        vec![heredoc("UNINDENT2", "\tbaz\n\tquux\n", true, true, 0)],
        vec![heredoc(
            "NOEXPAND",
            "\tdon't expand $NAME\n",
            false,
            true,
            0,
        )],
        vec![heredoc(
            "COMMENT",
            "# internal comment\necho foo bar # trailing comment\n",
            true,
            false,
            0,
        )],
        vec![heredoc("MOUNT", "echo hello\n", true, false, 0)],
        vec![
            heredoc("FILE1", "content 1\n", true, false, 0),
            heredoc("FILE2", "content 2\n", true, false, 0),
        ],
        vec![
            heredoc("X", "Y\n", true, false, 0),
            heredoc("Y", "X\n", true, false, 0),
        ],
        vec![heredoc("COMPLEX", "print('hello world')\n", true, false, 0)],
        vec![heredoc("eof", "echo foo\n", false, false, 0)],
        vec![heredoc("one two", "echo bar\n", false, false, 0)],
        vec![heredoc("$EOF", "", true, false, 0)],
        vec![heredoc("EOF", "", true, false, 0)],
    ];
    let got: Vec<Vec<Heredoc>> = ast.children.iter().map(|c| c.heredocs.clone()).collect();
    assert_eq!(got, expected);
    // USER does not take heredocs: its delimiter line is an instruction.
    assert_eq!(ast.children[4].keyword, "invalid");
    let copy = &ast.children[14];
    assert_eq!(copy.args, ["<<FILE1", "<<FILE2", "/dest"]);
    assert_eq!(
        copy.original,
        "COPY <<FILE1 <<FILE2 /dest\ncontent 1\nFILE1\ncontent 2\nFILE2\n"
    );
    assert_eq!((copy.start_line, copy.end_line), (47, 51));
}

#[test]
fn heredocs_not_in_exec_form_and_behind_onbuild() {
    let ast = ok("FROM a\nRUN [\"<<EOF\"]\nONBUILD RUN <<EOF\nbody\nEOF\nONBUILD RUN [\"<<X\"]\n");
    assert!(ast.children[1].heredocs.is_empty());
    assert_eq!(
        ast.children[2].heredocs,
        [heredoc("EOF", "body\n", true, false, 0)]
    );
    assert_eq!(spans(&ast), [(1, 1), (2, 2), (3, 5), (6, 6)]);
}

#[test]
fn heredoc_errors() {
    let e = err("FROM a\nRUN <<EOF\necho\n");
    assert_eq!(
        (e.kind, e.line, e.end_line),
        (ParseErrorKind::UnterminatedHeredoc, Some(2), Some(3))
    );
    // The body is read raw: a continuation does not continue inside it.
    let ast = ok("FROM a\nRUN <<EOF\nx \\\nEOF\nRUN y\n");
    assert_eq!(ast.children[1].heredocs[0].content, "x \\\n");
    assert_eq!(spans(&ast), [(1, 1), (2, 4), (5, 5)]);
}

#[test]
fn keyword_case_is_kept_and_unknown_instructions_too() {
    let ast = ok("from a\nRun b\nfoo bar\n");
    let written: Vec<&str> = ast
        .children
        .iter()
        .map(|c| c.keyword_as_written.as_str())
        .collect();
    assert_eq!(written, ["from", "Run", "foo"]);
    assert_eq!(ast.children[2].args, [""]);
}

#[test]
fn syntax_and_check_after_a_shebang() {
    let ast = ok(
        "#!/usr/bin/env docker-build\n# syntax=docker/dockerfile:1\n# escape=`\nFROM a \\\n b\n",
    );
    let directives: Vec<(&str, usize)> = ast
        .directives
        .iter()
        .map(|d| (d.name.as_str(), d.line))
        .collect();
    assert_eq!(directives, [("syntax", 2)]);
    // The parser itself stopped looking at the shebang: the escape stays `\`.
    assert_eq!(ast.escape, '\\');
    assert_eq!(ast.children[0].args, ["a", "b"]);
}

#[test]
fn deeply_nested_substitutions_in_a_heredoc_line_do_not_exhaust_the_stack() {
    // Found by review, not by the fuzzer: BuildKit's lexer recurses into
    // `${a:-"${...` without bound (Go stacks grow); ours stops at a depth
    // and the line then opens no heredoc, as any line that fails to lex.
    let line = format!("RUN <<EOF {}\n", "${a:-\"".repeat(10_000));
    let ast = ok(&format!("FROM a\n{line}EOF\n"));
    assert!(ast.children[1].heredocs.is_empty());
    assert_eq!(ast.children.len(), 3);
}

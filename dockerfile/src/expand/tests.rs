//! Behaviour of each operator and mode, with cases taken from BuildKit's
//! `lex_test.go` where it has them.

use super::*;

fn env(pairs: &[(&str, &str)]) -> VarMap {
    pairs.iter().copied().collect()
}

fn word(input: &str, pairs: &[(&str, &str)]) -> Result<Expansion, ExpandError> {
    Lexer::new('\\').process_word(input, &env(pairs))
}

fn value(input: &str, pairs: &[(&str, &str)]) -> String {
    match word(input, pairs) {
        Ok(expansion) => expansion.value,
        Err(error) => panic!("{input:?} failed: {error}"),
    }
}

fn kind(input: &str, pairs: &[(&str, &str)]) -> ExpandErrorKind {
    match word(input, pairs) {
        Ok(expansion) => panic!("{input:?} expanded to {:?}", expansion.value),
        Err(error) => error.kind,
    }
}

const FOO_BAR: &[(&str, &str)] = &[("FOO", "xxx"), ("BAR", "")];

#[test]
fn plain_and_braced_references() {
    assert_eq!(
        value("$FOO/${FOO}/$BAR/${BAR}/$NONE/${NONE}", FOO_BAR),
        "xxx/xxx////"
    );
    assert_eq!(
        value("$FOO.bar ${FOO}bar $FOObar", FOO_BAR),
        "xxx.bar xxxbar "
    );
    assert_eq!(value("a$", FOO_BAR), "a$");
    assert_eq!(value("$ $. $/", FOO_BAR), "$ $. $/");
}

#[test]
fn default_operators_distinguish_unset_from_empty() {
    assert_eq!(
        value("${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", FOO_BAR),
        "xxx  ccc"
    );
    assert_eq!(
        value("${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", FOO_BAR),
        "xxx bbb ccc"
    );
    assert_eq!(value("${FOO:-}", FOO_BAR), "xxx");
    assert_eq!(value("${BAZ:-$FOO ${BAR:-y}}", FOO_BAR), "xxx y");
}

#[test]
fn alternative_operators_distinguish_unset_from_empty() {
    assert_eq!(
        value("${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}", FOO_BAR),
        "aaa bbb "
    );
    assert_eq!(
        value("${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", FOO_BAR),
        "aaa  "
    );
}

#[test]
fn required_operators() {
    assert_eq!(value("${FOO?aaa} ${FOO:?aaa}", FOO_BAR), "xxx xxx");
    assert_eq!(value("${BAR?bbb}", FOO_BAR), "");
    let required = |name: &str, message: &str| ExpandErrorKind::RequiredVariable {
        name: name.to_owned(),
        message: message.to_owned(),
    };
    assert_eq!(kind("${BAZ?ccc}", FOO_BAR), required("BAZ", "ccc"));
    assert_eq!(kind("${BAR:?bbb}", FOO_BAR), required("BAR", "bbb"));
    assert_eq!(
        kind("${BAZ:?}", FOO_BAR),
        required("BAZ", "is not allowed to be unset")
    );
    assert_eq!(
        kind("${BAR:?}", FOO_BAR),
        required("BAR", "is not allowed to be empty")
    );
    // The message is expanded too.
    let args = &[("VAR", ""), ("ARG", "x")];
    assert_eq!(
        kind("${VAR:?message here$ARG}", args),
        required("VAR", "message herex")
    );
    assert_eq!(value("${VAR?message here$ARG}", args), "");
}

#[test]
fn prefix_removal() {
    let foo = &[("FOO", "xxyy"), ("BAR", "x"), ("EMPTY", "")];
    assert_eq!(value("${FOO#*x*y}", foo), "y");
    assert_eq!(value("${FOO#*}", foo), "xxyy");
    assert_eq!(value("${FOO#$BAR}", foo), "xyy");
    assert_eq!(value("${FOO#$EMPTY}", foo), "xxyy");
    assert_eq!(value("${FOO#}", foo), "xxyy");
    assert_eq!(value("${FOO##*x}", foo), "yy");
    assert_eq!(value("${FOO##}", foo), "xxyy");
    assert_eq!(value("${FOO#x}${FOO##x*}", foo), "xyy");
    assert_eq!(value("${FOO#?\\?}", &[("FOO", "???y")]), "?y");
    assert_eq!(value("${NONE#x}", foo), "");
    // Regular-expression characters are literal; `\}` is how `}` is written.
    let special = &[("FOO", "()[]{}^$.*?|\\x")];
    assert_eq!(value("${FOO#()[]{\\}^$.\\*\\?|\\\\}", special), "x");
}

#[test]
fn suffix_removal() {
    let foo = &[("FOO", "xxyy"), ("EMPTY", "")];
    assert_eq!(value("${FOO%y}", foo), "xxy");
    assert_eq!(value("${FOO%y*}", foo), "xxy");
    assert_eq!(value("${FOO%%y*}", foo), "xx");
    assert_eq!(value("${FOO%}", foo), "xxyy");
    assert_eq!(value("${FOO%%$EMPTY}", foo), "xxyy");
    assert_eq!(value("${ABC:-.}${FOO%x}${ABC:-.}", foo), ".xxyy.");
    assert_eq!(value("${FOO%%\\**}", &[("FOO", "xx**")]), "xx");
    assert_eq!(value("${FOO%%\\**\\*}", &[("FOO", "a***yy*")]), "a");
    assert_eq!(value("${V%.tar.gz}", &[("V", "app-1.0.tar.gz")]), "app-1.0");
}

#[test]
fn pattern_operators_refuse_the_colon_form() {
    assert_eq!(
        kind("${FOO:#x}", FOO_BAR),
        ExpandErrorKind::UnsupportedModifier(":#".to_owned())
    );
    assert_eq!(
        kind("${FOO:%x}", FOO_BAR),
        ExpandErrorKind::UnsupportedModifier(":%".to_owned())
    );
}

#[test]
fn invalid_patterns_are_errors() {
    assert!(matches!(
        kind("${FOO#\\x}", FOO_BAR),
        ExpandErrorKind::InvalidPattern { .. }
    ));
    assert!(matches!(
        kind("${FOO/\\x/y}", FOO_BAR),
        ExpandErrorKind::InvalidPattern { .. }
    ));
}

#[test]
fn substitution() {
    let wild = &[("FOO", "/foo*/*/*.txt"), ("NEEDLE", "\\*/")];
    assert_eq!(
        value("${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}", wild),
        "/foo.*/*.txt - /foo..*.txt"
    );
    let tmp = &[("FOO", "/tmp/tmp/bar.txt"), ("NEEDLE", "/tmp")];
    assert_eq!(
        value("${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}", tmp),
        "/tmp/bar.txt - /bar.txt"
    );
    let any = &[
        ("FOO", "/a/foo/b/c.txt"),
        ("NEEDLE", "/?/"),
        ("REPLACEMENT", "/"),
    ];
    assert_eq!(
        value(
            "${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
            any
        ),
        "/foo/b/c.txt - /foo/c.txt"
    );
    let url = &[
        ("FOO", "http://google.de"),
        ("NEEDLE", "http://"),
        ("REPLACEMENT", "https://"),
    ];
    assert_eq!(
        value("${FOO/$NEEDLE/$REPLACEMENT}", url),
        "https://google.de"
    );
    assert_eq!(
        value("${FOO//\\//\\/}", &[("FOO", "/tmp/foo.txt")]),
        "\\/tmp\\/foo.txt"
    );
    assert_eq!(
        value("${FOO/$BAR/ww}", &[("FOO", "xxyy"), ("BAR", "")]),
        "wwxxyy"
    );
    assert_eq!(value("${FOO///}", &[("FOO", "xxyy")]), "xxyy");
    assert_eq!(value("${FOO///}", &[]), "");
    assert_eq!(value("${V/a*/b}", &[("V", "xaaa")]), "xb");
    assert_eq!(
        kind("${FOO//ww}", &[("FOO", "xxyy")]),
        ExpandErrorKind::MissingReplacementSlash
    );
    assert_eq!(
        kind("${FOO//}", &[("FOO", "xxyy")]),
        ExpandErrorKind::MissingReplacementSlash
    );
    assert_eq!(
        kind("${FOO/a/b", &[("FOO", "xxyy")]),
        ExpandErrorKind::MissingCloseBrace
    );
}

#[test]
fn replace_all_uses_go_replacement_templates() {
    // `\$` reaches the replacement raw; Go then reads `$0` as the match.
    assert_eq!(value("${V//o/<\\$0>}", &[("V", "foo")]), "f<\\o><\\o>");
    assert_eq!(
        value("${V//o/$R}", &[("V", "foo"), ("R", "[$0$$]")]),
        "f[o$][o$]"
    );
    // The single replacement is literal.
    assert_eq!(
        value("${V/o/$R}", &[("V", "foo"), ("R", "[$0$$]")]),
        "f[$0$$]o"
    );
}

#[test]
fn unsupported_operators() {
    for input in [
        "${FOO=aaa}",
        "${FOO=:aaa}",
        "${FOO=}",
        "${FOO:=x}",
        "${FOO:x}",
        "${FOO.}",
        "${#FOO}",
    ] {
        assert!(
            matches!(
                kind(input, FOO_BAR),
                ExpandErrorKind::UnsupportedModifier(_)
            ),
            "{input}"
        );
    }
    assert_eq!(kind("${FOO:x", FOO_BAR), ExpandErrorKind::MissingCloseBrace);
}

#[test]
fn syntax_errors() {
    assert_eq!(kind("${", &[]), ExpandErrorKind::MissingCloseBrace);
    assert_eq!(kind("${FOO", &[]), ExpandErrorKind::MissingCloseBrace);
    assert_eq!(kind("${FOO:-x", &[]), ExpandErrorKind::MissingCloseBrace);
    assert_eq!(kind("${FOO:-'x}", &[]), ExpandErrorKind::MissingCloseBrace);
    assert_eq!(kind("${}", &[]), ExpandErrorKind::BadSubstitution);
    assert_eq!(kind("${:-x}", &[]), ExpandErrorKind::BadSubstitution);
    assert_eq!(kind("${{x}", &[]), ExpandErrorKind::BadSubstitution);
    assert_eq!(kind("'abc", &[]), ExpandErrorKind::UnterminatedSingleQuote);
    assert_eq!(kind("\"abc", &[]), ExpandErrorKind::UnterminatedDoubleQuote);
    assert_eq!(
        kind("\"abc\\", &[]),
        ExpandErrorKind::UnterminatedDoubleQuote
    );
    // A failure inside `${...}` that is not at the end keeps its reason.
    assert_eq!(
        kind("${A:-${.}}", &[]),
        ExpandErrorKind::UnsupportedModifier(".".to_owned())
    );
}

#[test]
fn nesting_is_limited_without_exhausting_the_stack() {
    let nested = |levels: usize| "${A:-\"".repeat(levels) + "x" + &"\"}".repeat(levels);
    assert_eq!(value(&nested(64), &[]), "x");
    assert_eq!(kind(&nested(65), &[]), ExpandErrorKind::TooDeeplyNested(64));
    assert_eq!(
        kind(&nested(100_000), &[]),
        ExpandErrorKind::TooDeeplyNested(64)
    );
    // The deepest allowed word fits a small thread stack with room to spare.
    let small_stack = std::thread::Builder::new().stack_size(512 * 1024);
    let worker = small_stack.spawn(move || value(&nested(64), &[])).unwrap();
    assert_eq!(worker.join().unwrap(), "x");
}

#[test]
fn errors_name_the_word() {
    let error = word("x${", &[]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "failed to process \"x${\": syntax error: missing '}'"
    );
    let error = word("${V:?}", &[]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "failed to process \"${V:?}\": V: is not allowed to be unset"
    );
}

#[test]
fn special_and_positional_parameters_are_never_set() {
    for name in ["@", "*", "#", "?", "-", "$", "!", "0", "1", "42"] {
        assert_eq!(value(&format!("<${name}>"), &[]), "<>", "{name}");
        assert_eq!(value(&format!("<${{{name}:-d}}>"), &[]), "<d>", "{name}");
    }
    // Positional parameters are all digits, whatever follows.
    assert_eq!(value("$12ab", &[]), "ab");
    // Special parameters are one character.
    assert_eq!(value("$$$", &[]), "$");
}

#[test]
fn names_are_unicode_letters_and_digits() {
    let korean = &[("KOREAN", "한국어"), ("이름", "값")];
    assert_eq!(value("$KOREAN/$이름/${이름}", korean), "한국어/값/값");
    assert_eq!(value("안녕$KOREAN", korean), "안녕한국어");
    // `²` is a number but not a decimal digit, and `ⅻ` not a letter, for Go.
    assert_eq!(value("$a²", &[("a", "A")]), "A²");
    assert_eq!(value("$aⅻ", &[("a", "A")]), "Aⅻ");
    // Letters outside ASCII continue a name (Unicode digits do too).
    assert_eq!(value("$aé", &[("a", "A")]), "");
    assert_eq!(value("$a٣", &[("a٣", "arabic three")]), "arabic three");
}

#[test]
fn quotes_and_escapes() {
    let env = &[("PWD", "/home")];
    assert_eq!(
        value(r#"'$PWD' "$PWD" \$PWD "\$PWD" '\$PWD'"#, env),
        r#"$PWD /home $PWD $PWD \$PWD"#
    );
    assert_eq!(value(r#""a\b\"\\" \a"#, env), r#"a\b"\ a"#);
    assert_eq!(value("trailing\\", env), "trailing");
}

#[test]
fn backtick_escape() {
    let lexer = Lexer::new('`');
    let env = env(&[("PWD", "C:\\home")]);
    let expanded = |input: &str| lexer.process_word(input, &env).unwrap().value;
    assert_eq!(expanded("`$PWD\\$PWD"), "$PWD\\C:\\home");
    assert_eq!(expanded("\"a`\"b\" c:\\dir"), "a\"b c:\\dir");
    assert_eq!(lexer.process_words("a` b c", &env).unwrap(), ["a b", "c"]);
}

#[test]
fn names_used_are_reported_once_in_order() {
    let expansion = word("${B} $A ${C:-$A} ${D:+x} $B", &[("A", "1"), ("B", "2")]).unwrap();
    assert_eq!(expansion.matched, ["B", "A"]);
    assert_eq!(expansion.unmatched, ["C", "D"]);
    // Variables in the word of an operator are looked up before the name.
    let expansion = word("${X:-$Y}", &[]).unwrap();
    assert_eq!(expansion.unmatched, ["Y", "X"]);
    let expansion = word("plain text", &[]).unwrap();
    assert!(expansion.matched.is_empty() && expansion.unmatched.is_empty());
}

#[test]
fn word_splitting() {
    let lexer = Lexer::default();
    let env = env(&[("SPACE", " a  b "), ("EMPTY", "")]);
    let words = |input: &str| lexer.process_words(input, &env).unwrap();
    assert_eq!(words("x$SPACE y"), ["x", "a", "b", "y"]);
    assert_eq!(words("x\"$SPACE\"y"), ["x a  b y"]);
    assert_eq!(words("'' \"\" $EMPTY"), Vec::<String>::new());
    assert_eq!(words("  a\tb\n c  "), ["a", "b", "c"]);
    assert_eq!(words("a\\ b"), ["a b"]);
    assert_eq!(words("${EMPTY:-a b}c"), ["a", "bc"]);
    assert_eq!(words("a${EMPTY:-b}c d"), ["abc", "d"]);
    assert_eq!(words("\"a ${EMPTY:-b c}\" d"), ["a b c", "d"]);
}

#[test]
fn raw_quotes_and_skip_unset_env() {
    let lexer = Lexer::new('\\')
        .with_raw_quotes(true)
        .with_skip_unset_env(true);
    let env = env(&[("SET", "v")]);
    let expanded = |input: &str| lexer.process_word(input, &env).unwrap().value;
    assert_eq!(expanded("'$SET' \"$SET\""), "'$SET' \"v\"");
    assert_eq!(
        expanded("$UNSET ${UNSET} ${UNSET:-d} ${UNSET/a/b} ${SET:-d}"),
        "$UNSET ${UNSET} ${UNSET:-d} ${UNSET/a/b} v"
    );
    assert_eq!(expanded("${UNSET//a/b}"), "${UNSET/a/b}");
}

#[test]
fn raw_escapes_keep_the_escape_character() {
    let lexer = Lexer::new('\\').with_raw_escapes(true);
    let env = env(&[("V", "v")]);
    let expanded = |input: &str| lexer.process_word(input, &env).unwrap().value;
    assert_eq!(expanded("a\\$V b"), "a\\$V b");
    assert_eq!(expanded("\"\\$V\""), "\\$V");
    // BuildKit writes a kept escape twice when it escapes nothing.
    assert_eq!(expanded("\"\\a\""), "\\\\a");
}

#[test]
fn skip_process_quotes() {
    let lexer = Lexer::new('\\').with_skip_process_quotes(true);
    let env = env(&[("V", "v")]);
    assert_eq!(
        lexer.process_word("'$V' \"$V\"", &env).unwrap().value,
        "'v' \"v\""
    );
    assert_eq!(lexer.process_words("'a b'", &env).unwrap(), ["'a", "b'"]);
}

#[test]
fn byte_order_mark_at_the_start_is_dropped() {
    assert_eq!(value("\u{feff}$A", &[("A", "a")]), "a");
    assert_eq!(value("\u{feff}x", &[]), "x");
    assert_eq!(value("x\u{feff}", &[]), "x\u{feff}");
}

#[test]
fn works_through_trait_objects_and_maps() {
    let lexer = Lexer::default();
    let dynamic: &dyn Env = &EmptyEnv;
    assert_eq!(lexer.process_word("${A:-d}", dynamic).unwrap().value, "d");
    let hash: std::collections::HashMap<String, String> = [("A".to_owned(), "h".to_owned())].into();
    assert_eq!(lexer.process_word("$A", &hash).unwrap().value, "h");
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }
}

#[test]
fn random_and_truncated_inputs_never_panic() {
    const PIECES: &[&str] = &[
        "$", "{", "}", ":", "-", "+", "?", "#", "%", "/", "//", "\\", "`", "'", "\"", " ", "\t",
        "\n", "*", "a", "A_1", "PWD", "NULL", "9", "@", "!", "한", "\u{feff}", "${", "${A", ":-",
        "##", "%%", "$$", "é", "²",
    ];
    let env = env(&[
        ("PWD", "/home/x*y"),
        ("NULL", ""),
        ("A_1", "a b\nc"),
        ("A", "\\*/"),
    ]);
    let lexers = [
        Lexer::new('\\'),
        Lexer::new('`'),
        Lexer::new('\\')
            .with_raw_quotes(true)
            .with_skip_unset_env(true),
        Lexer::new('\\')
            .with_raw_escapes(true)
            .with_skip_process_quotes(true),
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..6000 {
        let mut input = String::new();
        for _ in 0..rng.below(24) {
            input.push_str(PIECES.get(rng.below(PIECES.len())).copied().unwrap_or("x"));
        }
        let lexer = lexers
            .get(round % lexers.len())
            .copied()
            .unwrap_or_default();
        // Every prefix on a character boundary, as an editor would see it.
        for (cut, _) in input.char_indices().chain([(input.len(), ' ')]) {
            let prefix = input.get(..cut).unwrap_or_default();
            let single = lexer.process_word(prefix, &env);
            let split = lexer.process_words(prefix, &env);
            // Both entry points agree on whether the word is valid.
            assert_eq!(single.is_ok(), split.is_ok(), "{prefix:?}");
        }
    }
}

//! Any bytes: `parse_syntax` returns an AST or an error, never panics, and an
//! AST holds together (spans inside the file, in order), renders, and is
//! accepted or refused by BuildKit's instruction checks without a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tallyman_dockerfile::{ParseOptions, commands, dump, parse_syntax, validate};

fuzz_target!(|data: &[u8]| {
    let Ok(ast) = parse_syntax(data, &ParseOptions::default()) else {
        return;
    };
    let mut previous_end = 0;
    for node in &ast.children {
        assert!(node.start_line > previous_end, "instructions overlap or go backwards");
        assert!(node.start_line <= node.end_line, "an instruction ends before it starts");
        assert!(node.end_line <= ast.line_count, "an instruction ends after the file");
        previous_end = node.end_line;
    }
    assert_eq!(commands(&ast).len(), ast.children.len());
    let text = dump(&ast);
    assert_eq!(text.lines().count(), ast.children.len(), "one dump line per instruction");
    let _ = validate::check(&ast);
});

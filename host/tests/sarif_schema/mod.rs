//! The vendored OASIS SARIF 2.1.0 schema, compiled once per test binary.

use std::sync::OnceLock;

use serde_json::Value;

pub fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/sarif/sarif-schema-2.1.0.json"
        );
        let text = std::fs::read_to_string(path).expect("the vendored SARIF schema");
        let mut schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
        assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
        // The OASIS schema's pattern for `language` (on `run` and
        // `toolComponent`) has a lone `]`, a literal only under ECMAScript's
        // Annex B; jsonschema checks patterns as strict ECMAScript and
        // refuses to compile the schema. Escaping it keeps the meaning (and
        // tallyman never writes `language`). The vendored file stays as
        // published.
        let patched = escape_lone_bracket(&mut schema);
        assert_eq!(patched, 2, "the two `language` patterns");
        jsonschema::draft7::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the schema compiles")
    })
}

const LANGUAGE_PATTERN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";

fn escape_lone_bracket(schema: &mut Value) -> usize {
    match schema {
        Value::Object(map) => {
            let mut patched = 0;
            for (key, value) in map.iter_mut() {
                if key == "pattern" && value == LANGUAGE_PATTERN {
                    *value = Value::from(LANGUAGE_PATTERN.replace("}]?", "}\\]?"));
                    patched += 1;
                } else {
                    patched += escape_lone_bracket(value);
                }
            }
            patched
        }
        Value::Array(items) => items.iter_mut().map(escape_lone_bracket).sum(),
        _ => 0,
    }
}

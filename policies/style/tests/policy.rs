//! The style policy on its fixtures (`tests/fixtures/<RULE>/`) and its
//! metadata.

use std::path::PathBuf;

use tallyman_policy_style::Style;
use tallyman_sdk::testing;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn every_fixture_gets_exactly_its_marked_findings() {
    testing::assert_fixtures::<Style>(&fixtures());
}

#[test]
fn fixture_findings_snapshots() {
    insta::glob!("fixtures/*/*.Dockerfile", |path| {
        insta::assert_snapshot!(testing::render_fixture::<Style>(path));
    });
}

#[test]
fn rules_are_declared_and_documented() {
    testing::assert_rules_documented::<Style>();
    let info = testing::metadata::<Style>();
    assert_eq!(info.name, "style");
    let ids: Vec<&str> = info.rules.iter().map(|rule| rule.id.as_str()).collect();
    assert_eq!(ids, ["ST001", "ST002", "ST003", "ST004", "ST005"]);
    let equivalents: Vec<&str> = info
        .rules
        .iter()
        .flat_map(|rule| rule.equivalents.iter().map(String::as_str))
        .collect();
    assert_eq!(
        equivalents,
        [
            "buildkit:ConsistentInstructionCasing",
            "buildkit:NoEmptyContinuation",
            "buildkit:ExposeProtoCasing",
            "buildkit:InvalidDefinitionDescription",
            "buildkit:LegacyKeyValueFormat",
        ]
    );
    for rule in &info.rules {
        assert!(rule.tags.contains(&"style".to_string()), "{}", rule.id);
        assert!(
            rule.description.starts_with("## What it does\n"),
            "{}",
            rule.id
        );
    }
}

#[test]
fn the_policy_takes_no_settings() {
    assert!(testing::validate_settings::<Style>("{}").is_ok());
    let error = testing::validate_settings::<Style>(r#"{"target": "app"}"#)
        .expect_err("an unknown key is refused");
    assert!(error.contains("target"), "{error}");
}

/// The fix of ST005 is the `key=value` form that sets the same value.
#[test]
fn st005_fixes_set_the_same_value() {
    let dockerfile = r#"FROM scratch
ENV PATH /opt/tool/bin:$PATH
LABEL maintainer Jane Doe
ENV GREETING "hello world"
ENV MIXED a "b c"
ENV ESCAPED a\ b c
"#;
    let fixes: Vec<String> = testing::check::<Style>(dockerfile, "{}")
        .into_iter()
        .filter(|finding| finding.rule_id == "ST005")
        .filter_map(|finding| finding.fix)
        .collect();
    assert_eq!(
        fixes,
        [
            "`ENV PATH=/opt/tool/bin:$PATH`",
            "`LABEL maintainer=\"Jane Doe\"`",
            "`ENV GREETING=\"hello world\"`",
            "`ENV MIXED=a\\ \"b c\"`",
            "`ENV ESCAPED=a\\ b\\ c`",
        ]
    );
    // Each fix, parsed again, gives the value the legacy form gave.
    for (legacy, fix) in dockerfile.lines().skip(1).zip(&fixes) {
        let fixed = fix.trim_matches('`');
        let values = |text: &str| {
            let model = testing::Check::new(&format!("FROM scratch\n{text}\n")).model();
            let instruction = &model.stages[0].instructions[1];
            instruction
                .as_env()
                .or_else(|| instruction.as_label())
                .map(|pairs| {
                    pairs
                        .iter()
                        .map(|pair| (pair.key.clone(), pair.value.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        assert_eq!(values(fixed), values(legacy), "{legacy} -> {fixed}");
    }
}

/// A long legacy value is cut in the message, never in the fix.
#[test]
fn st005_messages_stay_short() {
    let packages =
        "curl git make gcc g++ python3 python3-pip libssl-dev pkg-config ca-certificates";
    let dockerfile = format!("FROM debian:12\nENV PACKAGES {packages}\n");
    let findings = testing::check::<Style>(&dockerfile, "{}");
    let finding = findings
        .iter()
        .find(|finding| finding.rule_id == "ST005")
        .expect("ST005 fires");
    assert!(finding.message.ends_with("…`"), "{}", finding.message);
    assert!(
        finding
            .fix
            .as_deref()
            .is_some_and(|fix| fix.contains(packages)),
        "{:?}",
        finding.fix
    );
}

#[test]
fn odd_inputs_give_valid_findings_and_no_panic() {
    for text in [
        "FROM scratch\n",
        "from scratch\nEXPOSE 80/\n",
        "FROM scratch\nEXPOSE /TCP\n",
        "FROM scratch\nENV A \"unterminated b\n",
        "# escape=`\nFROM scratch\nENV A b` c\n",
        "FROM scratch\nLABEL é ü ñ\n",
        "#\nARG A\n#\n\nFROM scratch AS x\n",
        "ARG A=1\n# A\nFROM scratch\n",
        "FROM scratch\nRUN \\\n\n",
    ] {
        // Only files BuildKit accepts reach a policy.
        if tallyman_dockerfile::parse_str(text).is_ok() {
            // The harness validates every finding and panics on an invalid one.
            let _ = testing::Check::new(text).run::<Style>();
        }
    }
}

//! Reports a finding outside the file: `{"mode": "line"}` (the default) puts
//! it past the last line, `{"mode": "stage"}` on a stage that does not exist,
//! `{"mode": "zero"}` on line 0.

include!("../../common.rs");

struct OutOfRange;

impl Guest for OutOfRange {
    fn metadata() -> PolicyInfo {
        policy_info("out-of-range", &["RANGE1"])
    }

    fn validate_settings(_settings: String) -> Result<(), String> {
        Ok(())
    }

    fn check_dockerfile(dockerfile: Dockerfile, settings: String) -> Vec<Finding> {
        let past = dockerfile.line_count + 1;
        let span = |line| Span { start_line: line, start_column: 0, end_line: line, end_column: 0 };
        let wrong = match setting_text(&settings, "mode").unwrap_or("line") {
            "stage" => Finding {
                stage: Some(u32::try_from(dockerfile.stages.len()).unwrap_or(u32::MAX)),
                ..finding("RANGE1", "on a stage that does not exist")
            },
            "zero" => Finding { span: Some(span(0)), ..finding("RANGE1", "on line 0") },
            _ => Finding { span: Some(span(past)), ..finding("RANGE1", "past the last line") },
        };
        vec![wrong]
    }

    fn check_image(_image: Image, _settings: String) -> Vec<Finding> {
        vec![Finding {
            span: Some(Span { start_line: 1, start_column: 0, end_line: 1, end_column: 0 }),
            ..finding("RANGE1", "a line in an image")
        }]
    }
}

export!(OutOfRange);

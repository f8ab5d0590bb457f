//! The control: one finding per `FROM` (with its span and stage), one per
//! image; it also prints and logs, to show output is captured, unless the
//! settings say `{"quiet": 1}` (for the benchmarks).

include!("../../common.rs");

struct Echo;

impl Guest for Echo {
    fn metadata() -> PolicyInfo {
        policy_info("echo", &["ECHO1"])
    }

    fn validate_settings(_settings: String) -> Result<(), String> {
        Ok(())
    }

    fn check_dockerfile(dockerfile: Dockerfile, settings: String) -> Vec<Finding> {
        if setting_number(&settings, "quiet").is_none() {
            println!("echo: {} stages", dockerfile.stages.len());
            tallyman::policy::host::log(
                tallyman::policy::host::LogLevel::Info,
                &format!("echo checked {}", dockerfile.path),
            );
        }
        let mut findings = Vec::new();
        for stage in &dockerfile.stages {
            for instruction in &stage.instructions {
                if let InstructionDetail::From(from) = &instruction.detail {
                    findings.push(Finding {
                        span: Some(instruction.span),
                        stage: Some(stage.index),
                        ..finding("ECHO1", format!("FROM {}", from.base.written))
                    });
                }
            }
        }
        findings
    }

    fn check_image(image: Image, _settings: String) -> Vec<Finding> {
        vec![finding("ECHO1", format!("image {}", image.reference))]
    }
}

export!(Echo);

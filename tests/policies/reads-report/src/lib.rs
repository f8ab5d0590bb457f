//! Reports what it received: one finding per instruction (global `ARG`s
//! and each stage's, in order), at the instruction's span and stage, saying
//! its keyword, its detail's kind and how much of it came; and one finding
//! for the file's comments and build context. Its rules declare
//! `reads:RUN`, `reads:LABEL` and `reads:comments` (a third rule, for
//! images only, declares nothing), unless built with the `everything`
//! feature, which declares nothing.

include!("../../common.rs");

struct ReadsReport;

fn rule(id: &str, tags: &[&str]) -> RuleInfo {
    let mut info = policy_info("reads-report", &[id]).rules.remove(0);
    if !cfg!(feature = "everything") {
        info.tags = tags.iter().map(|tag| tag.to_string()).collect();
    }
    info
}

fn detail_kind(detail: &InstructionDetail) -> &'static str {
    match detail {
        InstructionDetail::From(_) => "from",
        InstructionDetail::Run(_) => "run",
        InstructionDetail::Cmd(_) => "cmd",
        InstructionDetail::Entrypoint(_) => "entrypoint",
        InstructionDetail::Shell(_) => "shell",
        InstructionDetail::Copy(_) => "copy",
        InstructionDetail::Add(_) => "add",
        InstructionDetail::Env(_) => "env",
        InstructionDetail::Label(_) => "label",
        InstructionDetail::Arg(_) => "arg",
        InstructionDetail::Expose(_) => "expose",
        InstructionDetail::User(_) => "user",
        InstructionDetail::Workdir(_) => "workdir",
        InstructionDetail::Volume(_) => "volume",
        InstructionDetail::Stopsignal(_) => "stopsignal",
        InstructionDetail::Healthcheck(_) => "healthcheck",
        InstructionDetail::Onbuild(_) => "onbuild",
        InstructionDetail::Maintainer(_) => "maintainer",
        InstructionDetail::Other => "other",
    }
}

fn report(
    instruction: &tallyman::policy::types::Instruction,
    position: usize,
    stage: Option<u32>,
) -> Finding {
    Finding {
        span: Some(instruction.span),
        stage,
        ..finding(
            "READS1",
            format!(
                "#{position} {} ({}) {}: original {} bytes, {} args, {} flags, {} comments",
                instruction.keyword,
                instruction.keyword_written,
                detail_kind(&instruction.detail),
                instruction.original.len(),
                instruction.args.len(),
                instruction.flags.len(),
                instruction.comments.len(),
            ),
        )
    }
}

impl Guest for ReadsReport {
    fn metadata() -> PolicyInfo {
        let mut info = policy_info("reads-report", &[]);
        info.rules = vec![
            rule("READS1", &["reads:RUN", "reads:comments"]),
            rule("READS2", &["reads:label"]),
            rule("READS3", &["target:image"]),
        ];
        info
    }

    fn validate_settings(_settings: String) -> Result<(), String> {
        Ok(())
    }

    fn check_dockerfile(dockerfile: Dockerfile, _settings: String) -> Vec<Finding> {
        let mut findings = vec![finding(
            "READS2",
            format!(
                "{} comments, dockerignore {:?} with {} patterns, {} directives, target stage {}, {} lines",
                dockerfile.comments.len(),
                dockerfile.build_context.dockerignore_path,
                dockerfile.build_context.dockerignore_patterns.len(),
                dockerfile.directives.len(),
                dockerfile.target_stage,
                dockerfile.line_count,
            ),
        )];
        for (position, instruction) in dockerfile.global_args.iter().enumerate() {
            findings.push(report(instruction, position, None));
        }
        for stage in &dockerfile.stages {
            for (position, instruction) in stage.instructions.iter().enumerate() {
                findings.push(report(instruction, position, Some(stage.index)));
            }
        }
        findings
    }

    fn check_image(_image: Image, _settings: String) -> Vec<Finding> {
        Vec::new()
    }
}

export!(ReadsReport);

//! Running a set's `test_` rules, as `opa test` does: a test passes when
//! its rule is true, fails when it is false or undefined.
//!
//! The host runs them in the sandbox, like a scan: it loads the set with
//! every module (tests included) and calls `check-dockerfile` once per test
//! with the settings' `test` naming it ([`crate::Settings`]). The runner
//! then evaluates that rule instead of the set's checks and answers with a
//! single finding of rule [`TEST_RULE`] whose message is the outcome
//! ([`TestResult::to_message`]); the host declares that rule for the
//! occasion. A test that loops, recurses or floods therefore meets the same
//! deadline and memory cap as a check, and fails alone.

use tallyman_sdk::Finding;

/// The rule a test outcome is reported under (declared by the host only
/// when it runs a set's tests).
pub const TEST_RULE: &str = "rego-test";

/// The longest error text a test outcome carries: the host refuses a
/// finding message longer than its `max-message-bytes` (4 KiB by default).
const MAX_ERROR_BYTES: usize = 2048;

/// One test's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    /// `data.<package>.<test>`.
    pub name: String,
    /// The module it is written in.
    pub path: String,
    pub result: TestResult,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestResult {
    Pass,
    Fail,
    /// Evaluating it failed (an error, not a false result).
    Error(String),
}

impl TestResult {
    /// The finding message that carries this outcome to the host.
    pub fn to_message(&self) -> String {
        match self {
            TestResult::Pass => "pass".into(),
            TestResult::Fail => "fail".into(),
            TestResult::Error(error) => {
                let mut end = error.len().min(MAX_ERROR_BYTES);
                while !error.is_char_boundary(end) {
                    end -= 1;
                }
                format!("error: {}", &error[..end])
            }
        }
    }

    /// The outcome a finding message carries; `None` for any other text.
    pub fn from_message(message: &str) -> Option<TestResult> {
        match message {
            "pass" => Some(TestResult::Pass),
            "fail" => Some(TestResult::Fail),
            _ => message
                .strip_prefix("error: ")
                .map(|error| TestResult::Error(error.to_string())),
        }
    }
}

/// Evaluates the test rule `name` (`data.<package>.<test>`).
pub fn run_test(engine: &mut regorus::Engine, name: &str) -> TestResult {
    match engine.eval_rule(name.to_string()) {
        Ok(value) if passes(&value) => TestResult::Pass,
        Ok(_) => TestResult::Fail,
        Err(error) => TestResult::Error(error.to_string()),
    }
}

/// The finding that reports `result` to the host.
pub fn outcome_finding(result: &TestResult) -> Finding {
    Finding {
        rule_id: TEST_RULE.into(),
        message: result.to_message(),
        span: None,
        stage: None,
        fix: None,
        autofix: None,
        severity: None,
    }
}

/// A test passes when its rule is true; a parameterised test
/// (`test_x[name] if ...`) when each of its cases is.
fn passes(value: &regorus::Value) -> bool {
    match value {
        regorus::Value::Bool(true) => true,
        regorus::Value::Object(cases) => {
            !cases.is_empty() && cases.values().all(|v| *v == regorus::Value::Bool(true))
        }
        regorus::Value::Set(cases) => !cases.is_empty(),
        _ => false,
    }
}

/// The `test_` rules of `modules`, in module order, as
/// (`data.<package>.<test>`, module path).
#[cfg(not(target_arch = "wasm32"))]
pub fn test_names(modules: &[crate::Module]) -> Vec<(String, String)> {
    use crate::describe::{package_of, test_rules};
    let mut names = Vec::new();
    for module in modules {
        let Some(package) = package_of(&module.text) else {
            continue;
        };
        for test in test_rules(&module.text) {
            names.push((format!("data.{package}.{test}"), module.path.clone()));
        }
    }
    names
}

/// Runs every `test_` rule of `modules` natively, all loaded together with
/// `data` (the runner's own tests; the host runs a user's tests in the
/// sandbox).
#[cfg(not(target_arch = "wasm32"))]
pub fn run_tests(
    modules: &[crate::Module],
    data: &serde_json::Value,
) -> Result<Vec<TestOutcome>, String> {
    crate::forbidden::check_modules(modules)?;
    let bundle = crate::Bundle {
        name: String::new(),
        modules: modules.to_vec(),
        data: data.clone(),
        entries: Vec::new(),
    };
    let mut engine = crate::runner::engine_for(&bundle)?;
    Ok(test_names(modules)
        .into_iter()
        .map(|(name, path)| TestOutcome {
            result: run_test(&mut engine, &name),
            name,
            path,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_survive_the_trip_through_a_message() {
        for result in [
            TestResult::Pass,
            TestResult::Fail,
            TestResult::Error("t.rego:3: oops".into()),
        ] {
            assert_eq!(TestResult::from_message(&result.to_message()), Some(result));
        }
        assert_eq!(TestResult::from_message("anything else"), None);
        let long = TestResult::Error("é".repeat(5000)).to_message();
        assert!(long.len() <= MAX_ERROR_BYTES + "error: ".len());
    }
}

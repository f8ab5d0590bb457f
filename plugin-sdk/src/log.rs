//! Diagnostics for the host's log (the only import a policy has).
//!
//! In a Wasm policy these call the host's `log`, which keeps a bounded
//! amount with the evaluation. Natively (unit tests) they are collected per
//! thread; [`testing::take_logs`](crate::testing::take_logs) returns them.

use crate::model::LogLevel;

pub fn debug(message: &str) {
    write(LogLevel::Debug, message);
}

pub fn info(message: &str) {
    write(LogLevel::Info, message);
}

pub fn warn(message: &str) {
    write(LogLevel::Warn, message);
}

#[cfg(target_arch = "wasm32")]
fn write(level: LogLevel, message: &str) {
    crate::bindings::tallyman::policy::host::log(level, message);
}

#[cfg(not(target_arch = "wasm32"))]
fn write(level: LogLevel, message: &str) {
    native::LOGS.with(|logs| logs.borrow_mut().push((level, message.to_string())));
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) mod native {
    use std::cell::RefCell;

    use crate::model::LogLevel;

    thread_local! {
        pub(crate) static LOGS: RefCell<Vec<(LogLevel, String)>> = const { RefCell::new(Vec::new()) };
    }
}

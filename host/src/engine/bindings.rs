//! Host bindings of the `tallyman:policy` world, and the bounded types the
//! host lifts policy output into.
//!
//! `bindgen!` would lift `list<finding>` into a `Vec<Finding>` sized by the
//! guest's own length field: a policy that returns a million findings (or a
//! thousand findings that all point at the same 60 MB string) would make the
//! host allocate far more than the guest's memory limit. The check exports are
//! therefore called with [`CappedList`] and [`CappedString`], which read the
//! length first and refuse to lift anything over the evaluation's caps.

use std::cell::Cell;

use wasmtime::component::__internal::{CanonicalAbiInfo, InstanceType, InterfaceType, LiftContext};
use wasmtime::component::{ComponentType, Lift, WasmList};

wasmtime::component::bindgen!({
    path: "../wit",
    world: "policy",
    // Lets the tests compare the converted model with the original as JSON.
    additional_derives: [serde::Serialize],
});

pub use self::tallyman::policy::host::LogLevel;
pub use self::tallyman::policy::types as wit;

/// The contract as released at `tallyman:policy@0.1.0` (a frozen copy of
/// that WIT): components built against it import its interfaces and return
/// findings without `autofix`, and still load and run unchanged.
pub mod v0_1 {
    wasmtime::component::bindgen!({
        path: "wit/0.1.0",
        world: "policy",
        additional_derives: [serde::Serialize],
    });

    pub use self::tallyman::policy::types as wit;
}

/// Which version of the contract a component was built against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractVersion {
    /// `tallyman:policy@0.1.0`: findings carry no edits.
    V0_1,
    /// `tallyman:policy@0.2.0`: findings may carry an `autofix`.
    V0_2,
}

impl ContractVersion {
    /// The package's name and version, as the component's imports and
    /// exports spell it.
    pub fn package(self) -> &'static str {
        match self {
            ContractVersion::V0_1 => "tallyman:policy@0.1.0",
            ContractVersion::V0_2 => "tallyman:policy@0.2.0",
        }
    }
}

/// What a policy returns from `check-dockerfile` and `check-image`: the
/// WIT `finding` record, with its strings and the list around it bounded.
#[derive(ComponentType, Lift)]
#[component(record)]
pub struct RawFinding {
    #[component(name = "rule-id")]
    pub rule_id: CappedString,
    pub message: CappedString,
    pub span: Option<wit::Span>,
    pub stage: Option<u32>,
    pub fix: Option<CappedString>,
    pub severity: Option<wit::Severity>,
    pub autofix: Option<RawAutofix>,
}

/// The WIT `autofix` record, bounded like the finding around it.
#[derive(ComponentType, Lift)]
#[component(record)]
pub struct RawAutofix {
    pub applicability: wit::Applicability,
    pub edits: CappedList<RawEdit>,
}

/// The WIT `edit` record, bounded.
#[derive(ComponentType, Lift)]
#[component(record)]
pub struct RawEdit {
    pub span: wit::Span,
    pub replacement: CappedString,
}

/// A finding of a `tallyman:policy@0.1.0` component: no `autofix`.
#[derive(ComponentType, Lift)]
#[component(record)]
pub struct RawFindingV0_1 {
    #[component(name = "rule-id")]
    pub rule_id: CappedString,
    pub message: CappedString,
    pub span: Option<v0_1::wit::Span>,
    pub stage: Option<u32>,
    pub fix: Option<CappedString>,
    pub severity: Option<v0_1::wit::Severity>,
}

impl From<RawFindingV0_1> for RawFinding {
    fn from(finding: RawFindingV0_1) -> RawFinding {
        let span = finding.span.map(|span| wit::Span {
            start_line: span.start_line,
            start_column: span.start_column,
            end_line: span.end_line,
            end_column: span.end_column,
        });
        let severity = finding.severity.map(|severity| match severity {
            v0_1::wit::Severity::Info => wit::Severity::Info,
            v0_1::wit::Severity::Low => wit::Severity::Low,
            v0_1::wit::Severity::Medium => wit::Severity::Medium,
            v0_1::wit::Severity::High => wit::Severity::High,
            v0_1::wit::Severity::Critical => wit::Severity::Critical,
        });
        RawFinding {
            rule_id: finding.rule_id,
            message: finding.message,
            span,
            stage: finding.stage,
            fix: finding.fix,
            severity,
            autofix: None,
        }
    }
}

/// The caps in force for lifting on this thread.
#[derive(Debug, Clone, Copy)]
pub struct LiftCaps {
    pub max_string_bytes: u32,
    pub max_list_len: u32,
}

impl LiftCaps {
    const UNBOUNDED: LiftCaps = LiftCaps {
        max_string_bytes: u32::MAX,
        max_list_len: u32::MAX,
    };
}

thread_local! {
    // `Lift` impls are static functions with no access to per-call state
    // other than the guest's memory, so the caps of the call in progress on
    // this thread are kept here. A call into wasm never leaves its thread.
    static LIFT_CAPS: Cell<LiftCaps> = const { Cell::new(LiftCaps::UNBOUNDED) };
}

/// Sets the lift caps for the life of the guard, restoring the previous ones on drop.
pub struct LiftCapsGuard {
    previous: LiftCaps,
}

impl LiftCapsGuard {
    pub fn set(caps: LiftCaps) -> LiftCapsGuard {
        LiftCapsGuard {
            previous: LIFT_CAPS.replace(caps),
        }
    }
}

impl Drop for LiftCapsGuard {
    fn drop(&mut self) {
        LIFT_CAPS.set(self.previous);
    }
}

/// Policy output over a cap: the call fails with this error, which the
/// evaluator classifies as `invalid-output`.
#[derive(Debug, thiserror::Error)]
pub enum OutputCapExceeded {
    #[error("a string of {len} bytes is longer than the cap of {cap} (limits.max-message-bytes)")]
    String { len: u64, cap: u32 },
    #[error("{len} findings are more than the cap of {cap} (limits.max-findings)")]
    List { len: u64, cap: u32 },
}

/// A `string` that is lifted only when it is within the thread's string cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CappedString(pub String);

// The bit that marks a UTF-16 string under the latin1+utf16 encoding: the
// length itself is the rest.
const UTF16_TAG: u32 = 1 << 31;

fn check_string_len(raw_len: u32) -> wasmtime::Result<()> {
    let cap = LIFT_CAPS.get().max_string_bytes;
    let len = raw_len & !UTF16_TAG;
    if len > cap {
        return Err(wasmtime::Error::new(OutputCapExceeded::String {
            len: u64::from(len),
            cap,
        }));
    }
    Ok(())
}

/// The length half of a pointer/length pair as stored in linear memory.
fn stored_len(bytes: &[u8]) -> wasmtime::Result<u32> {
    bytes
        .get(4..8)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_le_bytes)
        .ok_or_else(|| wasmtime::format_err!("string or list header out of bounds"))
}

// SAFETY: every item delegates to `String`, whose canonical ABI
// representation this type shares exactly.
unsafe impl ComponentType for CappedString {
    type Lower = <String as ComponentType>::Lower;
    const ABI: CanonicalAbiInfo = <String as ComponentType>::ABI;

    fn typecheck(ty: &InterfaceType, types: &InstanceType<'_>) -> wasmtime::Result<()> {
        <String as ComponentType>::typecheck(ty, types)
    }
}

// SAFETY: lifting delegates to `String` after a length check that reads the
// same words `String`'s own lift reads.
unsafe impl Lift for CappedString {
    fn linear_lift_from_flat(
        cx: &mut LiftContext<'_>,
        ty: InterfaceType,
        src: &Self::Lower,
    ) -> wasmtime::Result<Self> {
        check_string_len(src[1].get_u32())?;
        String::linear_lift_from_flat(cx, ty, src).map(CappedString)
    }

    fn linear_lift_from_memory(
        cx: &mut LiftContext<'_>,
        ty: InterfaceType,
        bytes: &[u8],
    ) -> wasmtime::Result<Self> {
        check_string_len(stored_len(bytes)?)?;
        String::linear_lift_from_memory(cx, ty, bytes).map(CappedString)
    }
}

/// A `list<T>` that is lifted only when its length is within the thread's list cap.
pub struct CappedList<T>(pub Vec<T>);

impl<T: Lift> CappedList<T> {
    fn lift(cx: &mut LiftContext<'_>, list: WasmList<T>) -> wasmtime::Result<Self> {
        let cap = LIFT_CAPS.get().max_list_len;
        let len = u64::try_from(list.len()).unwrap_or(u64::MAX);
        if len > u64::from(cap) {
            return Err(wasmtime::Error::new(OutputCapExceeded::List { len, cap }));
        }
        T::linear_lift_list_from_memory(cx, &list).map(CappedList)
    }
}

// SAFETY: every item delegates to `Vec<T>`, whose canonical ABI
// representation this type shares exactly.
unsafe impl<T: ComponentType> ComponentType for CappedList<T> {
    type Lower = <Vec<T> as ComponentType>::Lower;
    const ABI: CanonicalAbiInfo = <Vec<T> as ComponentType>::ABI;

    fn typecheck(ty: &InterfaceType, types: &InstanceType<'_>) -> wasmtime::Result<()> {
        <Vec<T> as ComponentType>::typecheck(ty, types)
    }
}

// SAFETY: lifting goes through `WasmList<T>`, exactly as `Vec<T>`'s lift does,
// with a length check between the header and the elements.
unsafe impl<T: Lift> Lift for CappedList<T> {
    fn linear_lift_from_flat(
        cx: &mut LiftContext<'_>,
        ty: InterfaceType,
        src: &Self::Lower,
    ) -> wasmtime::Result<Self> {
        let list = <WasmList<T> as Lift>::linear_lift_from_flat(cx, ty, src)?;
        Self::lift(cx, list)
    }

    fn linear_lift_from_memory(
        cx: &mut LiftContext<'_>,
        ty: InterfaceType,
        bytes: &[u8],
    ) -> wasmtime::Result<Self> {
        let list = <WasmList<T> as Lift>::linear_lift_from_memory(cx, ty, bytes)?;
        Self::lift(cx, list)
    }
}

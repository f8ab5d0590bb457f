//! The sandbox a policy runs in: a locked-down WASI context, a memory
//! limiter, captured and capped output, and the epoch deadline.
//!
//! WASI is linked because a Rust `wasm32-wasip2` guest imports a dozen WASI
//! interfaces whether it uses them or not. What the guest gets from them:
//! no preopened directories (every path fails to open), no environment
//! variables, no arguments, closed stdin, stdout and stderr captured into one
//! capped buffer, sockets denied for every address, fixed wall and monotonic
//! clocks, sleeps that return at once (a host-side sleep could not be cut
//! short by the epoch deadline), and random numbers from a fixed seed, so
//! that a policy's output depends on its input alone.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;
use wasmtime::component::{Linker, Resource, ResourceTable};
use wasmtime::{ResourceLimiter, Store, StoreContextMut};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{DynPollable, OutputStream, Pollable, StreamError, subscribe};
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxView, WasiView};

use super::bindings::{self, LogLevel};
use super::limits::Limits;

/// How often the engine's ticker advances the epoch; deadlines are counted
/// in these ticks.
pub const EPOCH_TICK_MS: u64 = 10;

/// Most elements one table may have.
const MAX_TABLE_ELEMENTS: usize = 1 << 20;

/// What one table element costs the host, counted against the memory limit.
const TABLE_ELEMENT_BYTES: usize = std::mem::size_of::<usize>();

/// Most core instances, linear memories and tables one policy instance may
/// create. A Rust policy has 3 instances, 1 memory and 2 tables; the caps
/// leave room for other toolchains' components while bounding what the host
/// reserves per store (each memory reserves address space however small).
pub const MAX_INSTANCES: usize = 32;
pub const MAX_MEMORIES: usize = 16;
pub const MAX_TABLES: usize = 32;

/// The data of every [`Store`] that runs a policy.
pub struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    limiter: MemoryLimiter,
    output: Capture,
}

impl HostState {
    /// A store for one policy instance, with the limits applied and the
    /// deadline not yet armed (see [`arm_deadline`]).
    pub fn new_store(engine: &wasmtime::Engine, limits: &Limits) -> Store<HostState> {
        let output = Capture::new(limits.max_output_bytes);
        let state = HostState {
            wasi: locked_down_wasi(&output),
            table: ResourceTable::new(),
            limiter: MemoryLimiter::new(limits.memory_bytes()),
            output,
        };
        let mut store = Store::new(engine, state);
        store.limiter(|state| &mut state.limiter);
        store
    }

    /// The total the store would have held had the refused growth been
    /// granted, if one was refused.
    pub fn memory_exceeded(&self) -> Option<usize> {
        self.limiter.exceeded
    }

    /// What the store's memories and tables hold, in bytes.
    pub fn memory_size(&self) -> usize {
        self.limiter.total
    }

    /// Takes what the guest printed and logged since the last call.
    pub fn take_output(&mut self) -> Diagnostics {
        self.limiter.exceeded = None;
        self.output.take()
    }
}

/// Arms the deadline for the next call into the guest.
pub fn arm_deadline(store: &mut Store<HostState>, limits: &Limits) {
    let ticks = limits.timeout_ms.div_ceil(EPOCH_TICK_MS).max(1);
    // One extra tick: the ticker may advance the epoch right after arming.
    store.set_epoch_deadline(ticks.saturating_add(1));
    store.epoch_deadline_trap();
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

// The types interface has no functions: nothing to implement.
impl bindings::tallyman::policy::types::Host for HostState {}

impl bindings::tallyman::policy::host::Host for HostState {
    fn log(&mut self, level: LogLevel, message: String) {
        self.output.log(level.into(), message);
    }
}

impl bindings::v0_1::tallyman::policy::types::Host for HostState {}

impl bindings::v0_1::tallyman::policy::host::Host for HostState {
    fn log(&mut self, level: bindings::v0_1::tallyman::policy::host::LogLevel, message: String) {
        use bindings::v0_1::tallyman::policy::host::LogLevel as V0_1;
        let level = match level {
            V0_1::Debug => LogLevel::Debug,
            V0_1::Info => LogLevel::Info,
            V0_1::Warn => LogLevel::Warn,
        };
        self.output.log(level.into(), message);
    }
}

/// Adds WASI (locked down as described in the module docs) and the
/// `tallyman:policy/host` interface to the linker.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    wasmtime_wasi::p2::add_to_linker_sync(linker)?;
    bindings::Policy::add_to_linker::<HostState, wasmtime::component::HasSelf<HostState>>(
        linker,
        |state| state,
    )?;
    bindings::v0_1::Policy::add_to_linker::<HostState, wasmtime::component::HasSelf<HostState>>(
        linker,
        |state| state,
    )?;
    // Replace the sleeps of `wasi:clocks/monotonic-clock` with pollables that
    // are ready at once: the WASI implementation sleeps on the host thread,
    // where no epoch deadline can interrupt it.
    linker.allow_shadowing(true);
    let mut clock = linker.instance("wasi:clocks/monotonic-clock@0.2.12")?;
    clock.func_wrap(
        "subscribe-duration",
        |mut store: StoreContextMut<'_, HostState>, (_duration,): (u64,)| {
            ready_pollable(&mut store.data_mut().table).map(|p| (p,))
        },
    )?;
    clock.func_wrap(
        "subscribe-instant",
        |mut store: StoreContextMut<'_, HostState>, (_instant,): (u64,)| {
            ready_pollable(&mut store.data_mut().table).map(|p| (p,))
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}

/// A pollable that is always ready.
struct Ready;

#[wasmtime_wasi::async_trait]
impl Pollable for Ready {
    async fn ready(&mut self) {}
}

fn ready_pollable(table: &mut ResourceTable) -> wasmtime::Result<Resource<DynPollable>> {
    let ready = table.push(Ready)?;
    subscribe(table, ready)
}

fn locked_down_wasi(output: &Capture) -> WasiCtx {
    let mut builder = WasiCtx::builder();
    builder
        .stdout(output.stream(StdStream::Stdout))
        .stderr(output.stream(StdStream::Stderr))
        .wall_clock(FixedClock)
        .monotonic_clock(FixedClock)
        .secure_random(wasmtime_wasi::Deterministic::new(seed_bytes()))
        .insecure_random(wasmtime_wasi::Deterministic::new(seed_bytes()))
        .insecure_random_seed(0x7461_6c6c_796d_616e_0000_0000_0000_0001)
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        .socket_addr_check(|_, _| Box::pin(async { false }));
    builder.build()
}

/// 256 bytes of a fixed pseudo-random sequence (splitmix64 from a constant).
fn seed_bytes() -> Vec<u8> {
    let mut state: u64 = 0x7461_6c6c_796d_616e;
    let mut bytes = Vec::with_capacity(256);
    while bytes.len() < 256 {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        bytes.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    bytes
}

/// Both clocks read zero: results must not depend on the time. (The date a
/// policy may need is in the model's `evaluated-on`.)
struct FixedClock;

impl HostWallClock for FixedClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

impl HostMonotonicClock for FixedClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        0
    }
}

/// Counts every linear memory and table of a store against one limit: the
/// limit is what a policy instance may hold in all, not what each of its
/// memories may (a component can hold many core modules, each with many
/// memories). Wasmtime asks before creating a memory or table (as a growth
/// from 0) and before each growth, so the running total is exact; nothing
/// is ever shrunk or freed before the store is dropped.
///
/// A refused growth is remembered, so that the failure is classified as
/// out-of-memory rather than as a plain trap.
struct MemoryLimiter {
    limit: usize,
    /// Bytes held by all memories and tables of the store.
    total: usize,
    /// The growth granted last, taken back if wasmtime then fails it.
    granted: usize,
    exceeded: Option<usize>,
}

/// The error a refused memory growth raises in the guest.
#[derive(Debug, thiserror::Error)]
#[error(
    "memory limit of {limit} bytes exceeded: the policy's memories and tables would hold {desired} bytes"
)]
pub struct MemoryLimitExceeded {
    pub limit: usize,
    /// The store's total had the growth been granted.
    pub desired: usize,
}

impl MemoryLimiter {
    fn new(limit: usize) -> MemoryLimiter {
        MemoryLimiter {
            limit,
            total: 0,
            granted: 0,
            exceeded: None,
        }
    }

    /// Grants growing one memory or table from `current` to `desired` bytes
    /// if the store's total stays within the limit.
    fn grow(&mut self, current: usize, desired: usize) -> wasmtime::Result<bool> {
        let growth = desired.saturating_sub(current);
        let total = self.total.saturating_add(growth);
        if total > self.limit {
            self.exceeded = Some(total);
            // Trap at once rather than returning `false`: the guest would
            // abort anyway, and this way the backtrace shows the allocation.
            return Err(wasmtime::Error::new(MemoryLimitExceeded {
                limit: self.limit,
                desired: total,
            }));
        }
        self.total = total;
        self.granted = growth;
        Ok(true)
    }

    /// Takes back the last growth granted, which wasmtime could not make
    /// (past the memory's declared maximum, or the system refused).
    fn growth_failed(&mut self) {
        self.total = self.total.saturating_sub(self.granted);
        self.granted = 0;
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.grow(current, desired)
    }

    fn memory_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.growth_failed();
        Ok(())
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > MAX_TABLE_ELEMENTS {
            return Ok(false);
        }
        self.grow(
            current.saturating_mul(TABLE_ELEMENT_BYTES),
            desired.saturating_mul(TABLE_ELEMENT_BYTES),
        )
    }

    fn table_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.growth_failed();
        Ok(())
    }

    fn instances(&self) -> usize {
        MAX_INSTANCES
    }

    fn memories(&self) -> usize {
        MAX_MEMORIES
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }
}

/// The level of a `log` record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevelName {
    Debug,
    Info,
    Warn,
}

impl From<LogLevel> for LogLevelName {
    fn from(level: LogLevel) -> Self {
        match level {
            LogLevel::Debug => LogLevelName::Debug,
            LogLevel::Info => LogLevelName::Info,
            LogLevel::Warn => LogLevelName::Warn,
        }
    }
}

/// One call of the `log` import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogRecord {
    pub level: LogLevelName,
    pub message: String,
}

/// What a policy printed and logged during one evaluation, within the cap.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diagnostics {
    pub logs: Vec<LogRecord>,
    pub stdout: String,
    pub stderr: String,
    /// Bytes dropped because the cap was reached.
    pub dropped_bytes: u64,
}

impl Diagnostics {
    pub fn is_empty(&self) -> bool {
        self.logs.is_empty()
            && self.stdout.is_empty()
            && self.stderr.is_empty()
            && self.dropped_bytes == 0
    }
}

#[derive(Debug, Clone, Copy)]
enum StdStream {
    Stdout,
    Stderr,
}

/// Output of one instance: stdout, stderr and logs share one byte budget.
#[derive(Clone)]
struct Capture {
    inner: Arc<Mutex<CaptureInner>>,
}

#[derive(Default)]
struct CaptureInner {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    logs: Vec<LogRecord>,
    used: usize,
    cap: usize,
    dropped: u64,
}

impl CaptureInner {
    /// How much of `len` bytes fits; counts the rest as dropped.
    fn admit(&mut self, len: usize) -> usize {
        let room = self.cap.saturating_sub(self.used);
        let admitted = len.min(room);
        self.used = self.used.saturating_add(admitted);
        let dropped = u64::try_from(len - admitted).unwrap_or(u64::MAX);
        self.dropped = self.dropped.saturating_add(dropped);
        admitted
    }
}

impl Capture {
    fn new(cap: u32) -> Capture {
        let inner = CaptureInner {
            cap: usize::try_from(cap).unwrap_or(usize::MAX),
            ..CaptureInner::default()
        };
        Capture {
            inner: Arc::new(Mutex::new(inner)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, CaptureInner> {
        // A poisoned lock only means another writer panicked mid-append; the
        // buffers are still valid bytes.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn stream(&self, which: StdStream) -> CapturedStream {
        CapturedStream {
            capture: self.clone(),
            which,
        }
    }

    fn write(&self, which: StdStream, bytes: &[u8]) {
        let mut inner = self.lock();
        let admitted = inner.admit(bytes.len());
        let kept = bytes.get(..admitted).unwrap_or_default();
        match which {
            StdStream::Stdout => inner.stdout.extend_from_slice(kept),
            StdStream::Stderr => inner.stderr.extend_from_slice(kept),
        }
    }

    fn log(&self, level: LogLevelName, mut message: String) {
        let mut inner = self.lock();
        let admitted = inner.admit(message.len());
        if admitted == 0 {
            return;
        }
        let mut end = admitted;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        // The bytes of a character cut in half are dropped too.
        let cut = admitted - end;
        inner.used -= cut;
        inner.dropped = inner
            .dropped
            .saturating_add(u64::try_from(cut).unwrap_or(u64::MAX));
        message.truncate(end);
        inner.logs.push(LogRecord { level, message });
    }

    fn take(&self) -> Diagnostics {
        let mut inner = self.lock();
        let diagnostics = Diagnostics {
            logs: std::mem::take(&mut inner.logs),
            stdout: String::from_utf8_lossy(&std::mem::take(&mut inner.stdout)).into_owned(),
            stderr: String::from_utf8_lossy(&std::mem::take(&mut inner.stderr)).into_owned(),
            dropped_bytes: inner.dropped,
        };
        inner.used = 0;
        inner.dropped = 0;
        diagnostics
    }
}

/// stdout or stderr of a guest: accepts every write (a guest whose `print!`
/// failed would panic) and keeps what fits in the capture's budget.
#[derive(Clone)]
struct CapturedStream {
    capture: Capture,
    which: StdStream,
}

impl IsTerminal for CapturedStream {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CapturedStream {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

/// Largest write the stream invites at once.
const WRITE_PERMIT: usize = 64 * 1024;

#[wasmtime_wasi::async_trait]
impl OutputStream for CapturedStream {
    fn write(&mut self, bytes: bytes::Bytes) -> Result<(), StreamError> {
        self.capture.write(self.which, &bytes);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(())
    }

    fn check_write(&mut self) -> Result<usize, StreamError> {
        Ok(WRITE_PERMIT)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for CapturedStream {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for CapturedStream {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        self.capture.write(self.which, buf);
        std::task::Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

/// Advances the engine's epoch every [`EPOCH_TICK_MS`] until the engine is
/// dropped.
pub fn spawn_epoch_ticker(engine: &wasmtime::Engine) -> std::io::Result<()> {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("tallyman-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(Duration::from_millis(EPOCH_TICK_MS));
            }
        })
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_memory_and_table_counts_against_one_limit() {
        let mib = 1024 * 1024;
        let mut limiter = MemoryLimiter::new(64 * mib);
        // Two memories of 30 MiB each fit; a third one does not.
        assert!(limiter.memory_growing(0, 30 * mib, None).unwrap());
        assert!(limiter.memory_growing(0, 30 * mib, None).unwrap());
        let refused = limiter.memory_growing(0, 30 * mib, None).unwrap_err();
        let refused = refused.downcast_ref::<MemoryLimitExceeded>().unwrap();
        assert_eq!(refused.desired, 90 * mib);
        assert_eq!(limiter.exceeded, Some(90 * mib));
        assert_eq!(limiter.total, 60 * mib);
        // Growing one of them counts only the growth; tables count too.
        assert!(limiter.memory_growing(30 * mib, 33 * mib, None).unwrap());
        assert!(limiter.table_growing(0, 1000, None).unwrap());
        assert_eq!(limiter.total, 63 * mib + 1000 * TABLE_ELEMENT_BYTES);
        assert!(limiter.table_growing(1000, mib, None).is_err());
        assert!(
            !limiter
                .table_growing(0, MAX_TABLE_ELEMENTS + 1, None)
                .unwrap()
        );
    }

    #[test]
    fn a_growth_wasmtime_could_not_make_is_taken_back() {
        let mut limiter = MemoryLimiter::new(100);
        assert!(limiter.memory_growing(0, 60, Some(50)).unwrap());
        limiter
            .memory_grow_failed(wasmtime::Error::msg("past the maximum"))
            .unwrap();
        assert_eq!(limiter.total, 0);
        assert!(limiter.memory_growing(0, 90, None).unwrap());
    }

    #[test]
    fn capture_shares_one_budget_and_counts_what_it_drops() {
        let capture = Capture::new(10);
        capture.write(StdStream::Stdout, b"hello");
        // Six bytes into the five left: the cut falls inside the third `ö`.
        capture.log(LogLevelName::Info, "ööö".to_string());
        capture.write(StdStream::Stderr, b"more");
        let d = capture.take();
        assert_eq!(d.stdout, "hello");
        assert_eq!(d.logs.first().map(|l| l.message.as_str()), Some("öö"));
        assert_eq!(d.stderr, "m");
        assert_eq!(d.dropped_bytes, 2 + 3);
        // The budget is per evaluation.
        capture.write(StdStream::Stdout, b"again");
        assert_eq!(capture.take().stdout, "again");
    }
}

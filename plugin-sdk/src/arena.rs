//! Decoding the host's model into one reusable block of memory.
//!
//! A Dockerfile's model is hundreds to thousands of strings and lists. Built
//! through the general allocator, each is an allocation when the model is
//! decoded and a free when it is dropped, and that bookkeeping is most of
//! what a policy pays per evaluation before any rule runs (BENCHMARKS.md,
//! "Typed record vs one encoded buffer"). While [`decode`] runs, allocations
//! are instead carved from one block that the next evaluation reuses, and
//! the model is let go without being walked.
//!
//! Only the decoder runs while the block is in use: it allocates nothing but
//! the model, and rules only ever see the model by reference, so nothing
//! carved from the block outlives the evaluation. What rules allocate (their
//! own vectors, strings, lazily built statics) goes to the general allocator
//! as before. A model larger than the block spills over to the general
//! allocator, is dropped the ordinary way, and the block is enlarged for the
//! next evaluation.
//!
//! This is the component's global allocator (feature `model-arena`, on by
//! default). A policy crate that needs its own global allocator turns the
//! feature off and decodes through the general allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::mem::ManuallyDrop;

/// The block's size before any model has needed more.
const INITIAL_BLOCK: usize = 256 * 1024;

/// The largest block kept between evaluations: a bigger model spills over
/// rather than pin more of the instance's memory.
const MAX_BLOCK: usize = 8 * 1024 * 1024;

/// The block's alignment: enough for every type of the model.
const BLOCK_ALIGN: usize = 16;

/// The global allocator of a policy component built with the SDK.
pub struct ModelArena;

struct Block {
    /// Start of the block, null before the first decode.
    base: *mut u8,
    capacity: usize,
    used: usize,
    /// Whether allocations are carved from the block (only inside [`decode`]).
    active: bool,
    /// Bytes that did not fit during the current decode.
    spilled: usize,
}

/// Wasm components run on one thread; the cell is never shared.
struct BlockCell(UnsafeCell<Block>);

// SAFETY: `wasm32-wasip2` components are single-threaded; nothing can
// observe the block from another thread.
unsafe impl Sync for BlockCell {}

static BLOCK: BlockCell = BlockCell(UnsafeCell::new(Block {
    base: std::ptr::null_mut(),
    capacity: 0,
    used: 0,
    active: false,
    spilled: 0,
}));

/// The block's state. Callers hold the reference only within one allocator
/// call or one step of [`decode`], never across a call that may allocate.
#[allow(clippy::mut_from_ref)]
fn block() -> &'static mut Block {
    // SAFETY: single-threaded (see `BlockCell`), and no caller keeps the
    // reference across another call to `block()`.
    unsafe { &mut *BLOCK.0.get() }
}

impl Block {
    fn contains(&self, ptr: *mut u8) -> bool {
        let address = ptr as usize;
        let base = self.base as usize;
        !self.base.is_null() && address >= base && address < base + self.capacity
    }

    /// Carves `layout` from the block, or returns null when it does not fit.
    fn carve(&mut self, layout: Layout) -> *mut u8 {
        if self.base.is_null() {
            return std::ptr::null_mut();
        }
        let base = self.base as usize;
        let start = (base + self.used).next_multiple_of(layout.align());
        match start.checked_add(layout.size()) {
            Some(end) if end <= base + self.capacity => {
                self.used = end - base;
                start as *mut u8
            }
            _ => {
                self.spilled = self.spilled.saturating_add(layout.size());
                std::ptr::null_mut()
            }
        }
    }
}

// SAFETY: every pointer handed out is either carved from the block (valid
// for `layout` until the block is reset, which happens only after the model
// that owns it is gone) or comes from `System`; `dealloc` and `realloc` tell
// the two apart by address and never pass a block pointer to `System`.
unsafe impl GlobalAlloc for ModelArena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let block = block();
        if block.active {
            let ptr = block.carve(layout);
            if !ptr.is_null() {
                return ptr;
            }
        }
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // Freeing a piece of the block is a no-op: the whole block is reused.
        if !block().contains(ptr) {
            // SAFETY: `ptr` came from `System.alloc` (it is not in the block).
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !block().contains(ptr) {
            // SAFETY: `ptr` came from `System`, with the caller's guarantees.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // SAFETY: the caller guarantees `new_size` with `layout.align()` is
        // a valid layout.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as for `alloc`.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both are valid for the smaller size and distinct (the
            // block only grows while carving).
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            }
        }
        new
    }
}

/// Runs `decode` with allocations carved from the block, then `use_model`
/// on its result, and makes the block reusable. The model must not escape
/// `use_model` (it is only lent), which is what makes reusing the block sound.
pub(crate) fn with_decoded<T, R>(decode: impl FnOnce() -> T, use_model: impl FnOnce(&T) -> R) -> R {
    prepare();
    block().active = true;
    let model = ManuallyDrop::new(decode());
    let spilled = {
        let block = block();
        block.active = false;
        block.spilled
    };
    let result = use_model(&model);
    if spilled > 0 {
        // Part of the model lives outside the block: drop it the ordinary
        // way so those parts are freed (the block's parts are no-ops).
        drop(ManuallyDrop::into_inner(model));
    }
    // Otherwise every byte of the model is in the block, which is reset
    // below: no walk over the model is needed to free it.
    finish(spilled);
    result
}

/// Allocates the block before the first decode.
fn prepare() {
    if block().base.is_null() {
        replace_block(INITIAL_BLOCK);
    }
}

/// Resets the block, enlarging it when the last model did not fit. Runs
/// after every decode: a decode or check that traps instead leaves the
/// instance unusable, and the host starts a fresh one.
fn finish(spilled: usize) {
    let block = block();
    block.used = 0;
    block.spilled = 0;
    if spilled > 0 && block.capacity < MAX_BLOCK {
        let wanted = (block.capacity + spilled)
            .next_power_of_two()
            .min(MAX_BLOCK);
        replace_block(wanted);
    }
}

fn replace_block(capacity: usize) {
    let old = {
        let block = block();
        (block.base, block.capacity)
    };
    // SAFETY: non-zero size, power-of-two alignment.
    let layout = unsafe { Layout::from_size_align_unchecked(capacity, BLOCK_ALIGN) };
    // SAFETY: the block is inactive, so this is a plain `System` allocation.
    let base = unsafe { System.alloc(layout) };
    let block = block();
    if base.is_null() {
        // Out of memory for a bigger block: keep the old one (models spill).
        return;
    }
    block.base = base;
    block.capacity = capacity;
    if !old.0.is_null() {
        // SAFETY: the old block came from `System.alloc` with this layout.
        unsafe { System.dealloc(old.0, Layout::from_size_align_unchecked(old.1, BLOCK_ALIGN)) };
    }
}

//! `tallyman fix`: applying the edits that findings carry.
//!
//! A policy returns a finding with an [`Fix`] (its `autofix`): edits of the
//! file, each a [`Span`](crate::dockerfile::model::Span) with known columns
//! and replacement text, applied together or not at all, and an
//! [`Applicability`]: `Safe` (the build does the same) or `Unsafe` (it may
//! not; applied only on request). The host applies them, never the policy.
//!
//! A file is fixed in passes, as ruff does: each pass evaluates the file as
//! `scan` would (configuration, pragmas: a suppressed finding is not fixed),
//! applies every wanted fix that does not overlap one taken before it, and
//! checks that the result still parses as BuildKit would; the next pass
//! works on the new text, until nothing changes or [`MAX_PASSES`]. Outside
//! the edits the file is kept byte for byte: line endings (an edit's new
//! lines take the file's), byte-order mark, trailing newline.

mod diff;
mod file;
pub mod pin;
mod summary;
mod text;

pub use diff::unified_diff;
pub use file::{FileFix, Fixer};
pub use summary::Summary;
pub use tallyman_dockerfile::edit::EditError;
pub use tallyman_dockerfile::model::{Applicability, Autofix as Fix, Edit};

/// Passes over one file at most: a fix that makes another possible (or
/// moves text another's edits name) is applied on a later pass; more than
/// a few means fixes that undo each other.
pub const MAX_PASSES: usize = 5;

/// Which fixes to apply.
#[derive(Debug, Clone, Copy, Default)]
pub struct FixOptions {
    /// Apply [`Applicability::Unsafe`] fixes too.
    pub unsafe_fixes: bool,
}

impl FixOptions {
    pub fn wants(&self, fix: &Fix) -> bool {
        fix.applicability == Applicability::Safe || self.unsafe_fixes
    }
}

//! The on-disk cache of compiled policy code.
//!
//! Compiling a component takes 60–130 ms; loading compiled code takes about
//! a millisecond. Entries live under
//! `<cache dir>/compiled/<engine fingerprint>/<module sha256>.cwasm`, where the
//! fingerprint covers the wasmtime version and every compilation setting of
//! the engine, so an entry is only ever read by an engine that can run it.
//!
//! An entry is `MAGIC`, then a 32-byte seal, then wasmtime's serialized
//! component. The seal is the sha256 of the engine fingerprint, the module's
//! sha256 and the serialized bytes: a truncated, corrupted, or misplaced
//! entry fails the check and is compiled again and rewritten, never handed to
//! wasmtime. Entries are written to a temporary file in the same directory and
//! renamed into place, so a reader sees a whole entry or none, and runs that
//! share a cache (or are killed midway) cannot leave a half-written one.
//!
//! A run killed between creating its temporary file and renaming it leaves
//! that file behind: `.tmp-<random>.partial`, a name no lookup or count takes
//! for an entry. The next run that writes an entry in the directory, and
//! `tallyman cache prune`, delete such leftovers once they are older than
//! [`STALE_TEMPORARY_AGE`] (a younger one may be another run's write in
//! progress).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use wasmtime::component::Component;

const MAGIC: &[u8; 8] = b"TMCWASM1";
const SEAL_LEN: usize = 32;

/// An entry's name is the module's sha256 in hex and this extension.
const ENTRY_EXTENSION: &str = "cwasm";
/// Names of temporary files: never an entry's name.
const TEMPORARY_PREFIX: &str = ".tmp-";
const TEMPORARY_SUFFIX: &str = ".partial";

/// How old a temporary file must be before it counts as a killed run's
/// leftover: writing an entry takes milliseconds, so an hour-old one is
/// never a write in progress, even on a machine stalled by load.
pub const STALE_TEMPORARY_AGE: Duration = Duration::from_secs(60 * 60);

/// Whether `name` is an entry's file name: `<64 hex digits>.cwasm`.
pub fn is_entry_name(name: &str) -> bool {
    name.strip_suffix(ENTRY_EXTENSION)
        .and_then(|stem| stem.strip_suffix('.'))
        .is_some_and(|hash| hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether `name` is a temporary file's name.
fn is_temporary_name(name: &str) -> bool {
    name.starts_with(TEMPORARY_PREFIX) && name.ends_with(TEMPORARY_SUFFIX)
}

/// Where compiled code is cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheDir {
    /// Cache in this directory.
    Path(PathBuf),
    /// Compile every time.
    Disabled,
}

impl CacheDir {
    /// The cache directory in order of precedence: the `--cache-dir` option,
    /// `TALLYMAN_CACHE_DIR`, `$XDG_CACHE_HOME/tallyman`, `~/.cache/tallyman`;
    /// disabled when none of them is known.
    pub fn resolve(option: Option<&Path>) -> CacheDir {
        let from_env = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        if let Some(dir) = option {
            return CacheDir::Path(dir.to_path_buf());
        }
        if let Some(dir) = from_env("TALLYMAN_CACHE_DIR") {
            return CacheDir::Path(dir);
        }
        // The XDG spec says a relative value is invalid and must be ignored.
        if let Some(dir) = from_env("XDG_CACHE_HOME").filter(|d| d.is_absolute()) {
            return CacheDir::Path(dir.join("tallyman"));
        }
        match from_env("HOME") {
            Some(home) => CacheDir::Path(home.join(".cache").join("tallyman")),
            None => CacheDir::Disabled,
        }
    }
}

/// What happened to a cache lookup, for `policy info` and the benches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Loaded from a valid entry.
    Hit,
    /// No entry: compiled and stored.
    Miss,
    /// An entry failed its check: compiled and replaced.
    Rebuilt,
    /// The cache is disabled or could not be written: compiled only.
    Uncached,
}

/// The compiled-code cache of one engine configuration.
pub struct CodeCache {
    /// `None` when disabled.
    dir: Option<PathBuf>,
    fingerprint: [u8; 32],
}

impl CodeCache {
    pub fn new(dir: &CacheDir, engine: &wasmtime::Engine) -> CodeCache {
        let fingerprint = engine_fingerprint(engine);
        let dir = match dir {
            CacheDir::Path(root) => Some(root.join("compiled").join(hex(&fingerprint[..8]))),
            CacheDir::Disabled => None,
        };
        CodeCache { dir, fingerprint }
    }

    /// The compiled component for `wasm`, whose sha256 is `sha256`: from the
    /// cache when a valid entry exists, else compiled (and stored).
    pub fn load_or_compile(
        &self,
        engine: &wasmtime::Engine,
        wasm: &[u8],
        sha256: &[u8; 32],
    ) -> wasmtime::Result<(Component, CacheOutcome)> {
        let Some(dir) = &self.dir else {
            return Ok((
                Component::from_binary(engine, wasm)?,
                CacheOutcome::Uncached,
            ));
        };
        let path = dir.join(format!("{}.{ENTRY_EXTENSION}", hex(sha256)));
        let outcome = match fs::read(&path) {
            Ok(entry) => match self.unseal(sha256, &entry) {
                Some(serialized) => {
                    // SAFETY: `Component::deserialize` runs the machine code in
                    // `serialized` without checking it, so the bytes must be
                    // what `Component::serialize` produced. They are: the seal
                    // is a sha256 over exactly those bytes plus this engine's
                    // fingerprint and the module's hash, written by `store`
                    // below from wasmtime's own output, and any change to the
                    // file fails it. The cache directory is trusted like the
                    // user's home (we create it, mode 0700): someone who can
                    // write there can also replace the tallyman binary.
                    match unsafe { Component::deserialize(engine, serialized) } {
                        Ok(component) => return Ok((component, CacheOutcome::Hit)),
                        Err(_) => CacheOutcome::Rebuilt,
                    }
                }
                None => CacheOutcome::Rebuilt,
            },
            Err(_) => CacheOutcome::Miss,
        };
        let component = Component::from_binary(engine, wasm)?;
        let stored = component
            .serialize()
            .ok()
            .and_then(|serialized| self.store(dir, &path, sha256, &serialized).ok());
        Ok((
            component,
            stored.map_or(CacheOutcome::Uncached, |()| outcome),
        ))
    }

    /// The directory of this engine configuration's entries; `None` when disabled.
    pub(crate) fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    fn seal(&self, sha256: &[u8; 32], serialized: &[u8]) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(self.fingerprint);
        hasher.update(sha256);
        hasher.update(serialized);
        hasher.finalize().into()
    }

    /// The serialized component inside `entry`, if the entry is whole and meant for this module.
    fn unseal<'a>(&self, sha256: &[u8; 32], entry: &'a [u8]) -> Option<&'a [u8]> {
        let rest = entry.strip_prefix(MAGIC)?;
        let (seal, serialized) = rest.split_at_checked(SEAL_LEN)?;
        (seal == self.seal(sha256, serialized)).then_some(serialized)
    }

    fn store(
        &self,
        dir: &Path,
        path: &Path,
        sha256: &[u8; 32],
        serialized: &[u8],
    ) -> std::io::Result<()> {
        create_private_dir(dir)?;
        let mut file = tempfile::Builder::new()
            .prefix(TEMPORARY_PREFIX)
            .suffix(TEMPORARY_SUFFIX)
            .tempfile_in(dir)?;
        file.write_all(MAGIC)?;
        file.write_all(&self.seal(sha256, serialized))?;
        file.write_all(serialized)?;
        file.persist(path).map_err(|e| e.error)?;
        // Cheap (one listing of a small directory) and only on a miss.
        remove_stale_temporaries(dir, SystemTime::now());
        Ok(())
    }
}

/// Deletes the temporary files in `dir` older than [`STALE_TEMPORARY_AGE`]
/// at `now`; returns the bytes freed. Failures are ignored: a leftover only
/// wastes space, and the next sweep tries again.
fn remove_stale_temporaries(dir: &Path, now: SystemTime) -> u64 {
    let Ok(listing) = fs::read_dir(dir) else {
        return 0;
    };
    let mut freed = 0;
    for entry in listing.filter_map(Result::ok) {
        if !entry.file_name().to_str().is_some_and(is_temporary_name) {
            continue;
        }
        let Ok(metadata) = entry.metadata() else {
            continue;
        };
        let stale = metadata
            .modified()
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|age| age >= STALE_TEMPORARY_AGE);
        if stale && metadata.is_file() && fs::remove_file(entry.path()).is_ok() {
            freed += metadata.len();
        }
    }
    freed
}

/// Entries and bytes of compiled code under a cache directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CompiledCodeStats {
    /// Entries of the running engine's configuration.
    pub entries: u64,
    pub bytes: u64,
    /// Directories of other engine configurations (other tallyman or
    /// wasmtime versions), which this build never reads.
    pub other_engines: u64,
    pub other_entries: u64,
    pub other_bytes: u64,
}

/// The engine-configuration directories under `<cache dir>/compiled`.
fn compiled_dirs(cache_dir: &Path) -> Vec<PathBuf> {
    let Ok(listing) = fs::read_dir(cache_dir.join("compiled")) else {
        return Vec::new();
    };
    listing
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_dir())
        .collect()
}

/// What the compiled-code cache in `cache_dir` holds; `current` is the
/// running engine's directory.
pub fn compiled_code_stats(cache_dir: &Path, current: Option<&Path>) -> CompiledCodeStats {
    let mut stats = CompiledCodeStats::default();
    for dir in compiled_dirs(cache_dir) {
        let (entries, bytes) = fs::read_dir(&dir)
            .map(|listing| {
                listing
                    .filter_map(|entry| entry.ok())
                    .filter(|entry| entry.file_name().to_str().is_some_and(is_entry_name))
                    .filter_map(|entry| entry.metadata().ok())
                    .fold((0, 0), |(n, size), m| (n + 1, size + m.len()))
            })
            .unwrap_or((0, 0));
        if Some(dir.as_path()) == current {
            stats.entries += entries;
            stats.bytes += bytes;
        } else {
            stats.other_engines += 1;
            stats.other_entries += entries;
            stats.other_bytes += bytes;
        }
    }
    stats
}

/// Deletes the compiled code in `cache_dir` of every engine configuration
/// but `keep` (all of it when `keep` is `None`), and the stale temporary
/// files killed runs left in `keep`; returns the bytes freed.
pub fn prune_compiled_code(cache_dir: &Path, keep: Option<&Path>) -> std::io::Result<u64> {
    let before = compiled_code_stats(cache_dir, keep);
    let mut leftovers = 0;
    for dir in compiled_dirs(cache_dir) {
        if Some(dir.as_path()) == keep {
            leftovers = remove_stale_temporaries(&dir, SystemTime::now());
        } else {
            fs::remove_dir_all(&dir)?;
        }
    }
    // With no directory kept, every directory counts as another engine's.
    Ok(before.other_bytes + leftovers)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// A digest of everything that decides whether compiled code from one engine
/// runs on another: wasmtime's compatibility hash (version, target, tunables,
/// features) fed through sha256 so that it is stable across runs.
fn engine_fingerprint(engine: &wasmtime::Engine) -> [u8; 32] {
    use std::hash::Hash;
    let mut hasher = Sha256Hasher(Sha256::new());
    "tallyman compiled component v1".hash(&mut hasher);
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hasher.0.finalize().into()
}

/// A `Hasher` that feeds sha256, for hashing `Hash` values reproducibly.
struct Sha256Hasher(Sha256);

impl std::hash::Hasher for Sha256Hasher {
    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_le_bytes(first)
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_dir_precedence() {
        // Only the option path is tested here: the environment is shared by
        // every test in the process.
        assert_eq!(
            CacheDir::resolve(Some(Path::new("/tmp/x"))),
            CacheDir::Path(PathBuf::from("/tmp/x"))
        );
    }

    #[test]
    fn entries_and_temporary_files_have_distinct_names() {
        let entry = format!("{}.cwasm", "ab".repeat(32));
        assert!(is_entry_name(&entry));
        for not_an_entry in [
            ".tmp-Xy12ab.partial",
            ".tmp-killed.cwasm",
            "ab.cwasm",
            &format!("{}.cwasm", "zz".repeat(32)),
            &format!("{}.partial", "ab".repeat(32)),
        ] {
            assert!(!is_entry_name(not_an_entry), "{not_an_entry}");
        }
        assert!(is_temporary_name(".tmp-Xy12ab.partial"));
        assert!(!is_temporary_name(&entry));
    }

    #[test]
    fn only_stale_temporary_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let entry = dir.path().join(format!("{}.cwasm", "00".repeat(32)));
        let temporary = dir.path().join(".tmp-abc123.partial");
        let other = dir.path().join("notes.txt");
        for file in [&entry, &temporary, &other] {
            fs::write(file, b"12345").unwrap();
        }
        let now = SystemTime::now();
        // A temporary file younger than the threshold may be a write in progress.
        assert_eq!(remove_stale_temporaries(dir.path(), now), 0);
        assert!(temporary.exists());
        let later = now + STALE_TEMPORARY_AGE + Duration::from_secs(1);
        assert_eq!(remove_stale_temporaries(dir.path(), later), 5);
        assert!(!temporary.exists());
        assert!(entry.exists() && other.exists());
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex(&[0x00, 0xab, 0x7f]), "00ab7f");
    }
}

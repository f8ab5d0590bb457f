//! The result cache: what each policy found on each Dockerfile, kept in an
//! SQLite file in the cache directory, so that a re-scan evaluates only what
//! changed.
//!
//! **What is cached.** One entry per target: the facts post-processing needs
//! of the file (pragmas, stage names), and for each policy (by its key) the
//! findings it returned, exactly as the engine checked them. A target whose
//! every policy hits is neither parsed nor evaluated; when some policies
//! miss, only those are evaluated and the entry is rewritten. One entry per
//! target rather than per (target, policy) makes a warm scan one lookup per
//! file instead of one per policy (see BENCHMARKS.md). An entry keeps the
//! results of as many policies again as the run's (the most recent ones),
//! so that two configurations used in turn both hit.
//! Policy errors (a timeout depends on the machine's load) and results whose
//! captured output was cut short are never stored. Everything after the
//! policies (pragmas, ignores, severity overrides, `fail-on`) runs on every
//! scan, so a configuration change that only touches those still hits.
//!
//! **Keys** are described in [`key`]: a changed file, report path, build
//! argument, `--target`, `.dockerignore`, evaluation date, policy module,
//! policy setting, engine limit or tallyman build always misses.
//!
//! **Sharing and damage.** Worker threads look up through a small pool of
//! connections; one writer thread commits new entries in batches. Several
//! runs may share the file at once. A file SQLite refuses is moved aside
//! and rebuilt, at open or at the end of the run that found the damage; a
//! damaged value fails its seal and is a miss, and makes the run check the
//! file's structure (damage SQLite had not noticed is then found and the
//! file rebuilt, rather than written into). When the cache cannot be used
//! at all the scan runs without it, and says so in one line.

pub mod key;

mod admin;
mod entry;
mod store;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::Connection;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tallyman_dockerfile::model::Finding;

pub use admin::{Prune, Pruned, Stats, prune, stats};
pub use key::{BuildId, PolicyKey, TargetKey};
pub use store::{Counts, FILE_NAME};
use store::{Found, StoreError, Write};
use writer::Writer;

/// The note that holds the last run's figures.
const LAST_RUN: &str = "last-run";

/// Days since 1970-01-01 (UTC): entries record the day they were last used.
pub fn today() -> i64 {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    i64::try_from(seconds / 86_400).unwrap_or(i64::MAX)
}

/// What went wrong with the file during a run; the first problem stops
/// further use of it for the rest of the run.
#[derive(Default)]
pub(crate) struct Trouble {
    set: AtomicBool,
    problem: Mutex<Option<StoreError>>,
}

impl Trouble {
    pub(crate) fn is_set(&self) -> bool {
        self.set.load(Ordering::Relaxed)
    }

    pub(crate) fn set(&self, problem: StoreError) {
        if let Ok(mut slot) = self.problem.lock()
            && slot.is_none()
        {
            *slot = Some(problem);
        }
        self.set.store(true, Ordering::Relaxed);
    }

    fn take(&self) -> Option<StoreError> {
        self.problem.lock().ok().and_then(|mut slot| slot.take())
    }
}

#[derive(Default)]
struct Counters {
    targets_from_cache: AtomicU64,
    targets_evaluated: AtomicU64,
    results_from_cache: AtomicU64,
    results_evaluated: AtomicU64,
    results_not_cached: AtomicU64,
    entries_refused: AtomicU64,
}

fn add(counter: &AtomicU64, n: usize) {
    counter.fetch_add(n as u64, Ordering::Relaxed);
}

/// The figures of one run, kept in the file for `tallyman cache stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunFigures {
    /// When the run finished (RFC 3339).
    pub finished_at: String,
    /// The tallyman build that ran.
    pub build: String,
    /// Targets answered entirely from the cache: not parsed, not evaluated.
    pub targets_from_cache: u64,
    /// Targets parsed because at least one policy's result was missing.
    pub targets_evaluated: u64,
    /// (target, policy) results taken from the cache.
    pub results_from_cache: u64,
    /// (target, policy) results evaluated.
    pub results_evaluated: u64,
    /// Target entries written (new or rewritten).
    pub entries_stored: u64,
    /// Results not stored: policy errors and results with truncated output.
    pub results_not_cached: u64,
    /// Target entries that failed their seal (damaged on disk), evaluated again.
    pub entries_refused: u64,
}

/// What a lookup found for one target.
pub struct Cached<F> {
    /// The target's facts, when stored.
    pub facts: Option<F>,
    /// Each policy's findings, in the order the policies were given; `None`
    /// where the policy must be evaluated.
    pub results: Vec<Option<Vec<Finding>>>,
    /// Results of other policies (other versions, other settings) in the
    /// entry, most recent first, kept when the entry is rewritten.
    others: Vec<entry::PolicyResult>,
    /// Whether the target had an entry at all.
    found: bool,
}

/// One policy's result as [`ResultCache::record`] receives it.
#[derive(Debug, Clone, Copy)]
pub enum Stored<'a> {
    /// From the cache, unchanged.
    Cached(&'a [Finding]),
    /// Evaluated in this run.
    Evaluated(&'a [Finding]),
    /// Not to be cached: a policy error, or output cut short.
    Uncacheable,
}

impl<F> Cached<F> {
    /// Nothing cached for `policies` policies.
    fn none(policies: usize) -> Cached<F> {
        Cached {
            facts: None,
            results: (0..policies).map(|_| None).collect(),
            others: Vec::new(),
            found: false,
        }
    }
}

/// The result cache of one run.
pub struct ResultCache {
    path: PathBuf,
    build: BuildId,
    today: i64,
    readers: Mutex<Vec<Connection>>,
    writer: Writer,
    trouble: Arc<Trouble>,
    counters: Counters,
    /// Whether this run has checked the file's structure (see
    /// [`ResultCache::check_structure_once`]).
    structure_checked: AtomicBool,
    /// Why the file was replaced when it was opened, if it was.
    rebuilt: Option<String>,
}

/// What the end of a run has to say.
pub struct Finished {
    pub figures: RunFigures,
    /// One line each, for stderr: a damaged file replaced, writes lost.
    pub warnings: Vec<String>,
}

impl ResultCache {
    /// Opens the cache in directory `dir` for a run of `build`. A damaged
    /// file is replaced (see [`Finished::warnings`]); an error means the run
    /// must go on without the cache, and says why.
    pub fn open(dir: &Path, build: BuildId) -> Result<ResultCache, String> {
        let describe = |e: StoreError| format!("{}: {e}", store::file_in(dir).display());
        let (writer_connection, rebuilt) = store::open_or_rebuild(dir).map_err(describe)?;
        let path = store::file_in(dir);
        let trouble = Arc::new(Trouble::default());
        let today = today();
        Ok(ResultCache {
            writer: Writer::start(writer_connection, build.tag(), today, Arc::clone(&trouble)),
            path,
            build,
            today,
            readers: Mutex::new(Vec::new()),
            trouble,
            counters: Counters::default(),
            structure_checked: AtomicBool::new(false),
            rebuilt,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn build(&self) -> &BuildId {
        &self.build
    }

    /// Runs `query` on a pooled reader connection.
    fn read<T>(&self, query: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Option<T> {
        if self.trouble.is_set() {
            return None;
        }
        let pooled = self.readers.lock().ok().and_then(|mut pool| pool.pop());
        let connection = match pooled {
            Some(connection) => connection,
            None => match store::connect_reader(&self.path) {
                Ok(connection) => connection,
                Err(problem) => {
                    self.trouble.set(problem);
                    return None;
                }
            },
        };
        let answer = query(&connection);
        if let Ok(mut pool) = self.readers.lock() {
            pool.push(connection);
        }
        match answer {
            Ok(answer) => Some(answer),
            Err(error) => {
                self.trouble.set(StoreError::from(error));
                None
            }
        }
    }

    /// What is cached for `target` under each of `policies`.
    pub fn lookup<F: DeserializeOwned>(
        &self,
        target: &TargetKey,
        policies: &[PolicyKey],
    ) -> Cached<F> {
        let found = self.read(|connection| {
            store::lookup(connection, &target.0, |value, used| {
                (
                    entry::decode::<entry::TargetEntry<F>>(&target.0, value),
                    used,
                )
            })
        });
        let (entry, used) = match found {
            Some(Found::Entry((Some(entry), used))) => (entry, used),
            Some(Found::Entry((None, _)) | Found::Damaged) => {
                add(&self.counters.entries_refused, 1);
                self.check_structure_once();
                self.count_lookup(policies.len(), 0, false);
                return Cached::none(policies.len());
            }
            None | Some(Found::Absent) => {
                self.count_lookup(policies.len(), 0, false);
                return Cached::none(policies.len());
            }
        };
        if used < self.today {
            self.writer.send(vec![Write::Touch { key: target.0 }]);
        }
        let mut stored = entry.results;
        let results: Vec<Option<Vec<Finding>>> = policies
            .iter()
            .map(|policy| {
                let at = stored.iter().position(|r| r.policy == policy.0)?;
                Some(stored.remove(at).findings)
            })
            .collect();
        let hits = results.iter().filter(|r| r.is_some()).count();
        self.count_lookup(policies.len(), hits, true);
        Cached {
            facts: Some(entry.facts),
            results,
            others: stored,
            found: true,
        }
    }

    /// A refused entry means bytes changed on disk where SQLite did not
    /// notice, and the pages around it may be damaged the same way. Writing
    /// into a damaged b-tree spreads the damage (rewritten entries go
    /// missing, pages in use are handed out again), so that a cache would
    /// never heal. The first refusal of a run therefore checks the file's
    /// structure; a file that fails is treated as one SQLite refused: not
    /// used for the rest of the run, and replaced at its end.
    fn check_structure_once(&self) {
        if self.structure_checked.swap(true, Ordering::Relaxed) {
            return;
        }
        if let Some(Some(problem)) = self.read(store::structure_problem) {
            self.trouble.set(StoreError::Corrupt(problem));
        }
    }

    fn count_lookup(&self, policies: usize, hits: usize, facts: bool) {
        let counters = &self.counters;
        add(&counters.results_from_cache, hits);
        add(&counters.results_evaluated, policies - hits);
        if facts && hits == policies {
            add(&counters.targets_from_cache, 1);
        } else {
            add(&counters.targets_evaluated, 1);
        }
    }

    /// Stores the entry of `target`: its `facts`, each policy's result, and
    /// what `cached` held of other policies. Nothing is written when the
    /// entry would not change (every result evaluated was uncacheable).
    pub fn record<F: Serialize>(
        &self,
        target: &TargetKey,
        facts: &F,
        results: &[(PolicyKey, Stored<'_>)],
        cached: Cached<F>,
    ) {
        let not_cached = results
            .iter()
            .filter(|(_, r)| matches!(r, Stored::Uncacheable))
            .count();
        add(&self.counters.results_not_cached, not_cached);
        let evaluated = results
            .iter()
            .any(|(_, r)| matches!(r, Stored::Evaluated(_)));
        if self.trouble.is_set() || (cached.found && !evaluated) {
            return;
        }
        let current = results.iter().filter_map(|(policy, stored)| match stored {
            Stored::Cached(findings) | Stored::Evaluated(findings) => Some((&policy.0, *findings)),
            Stored::Uncacheable => None,
        });
        let others = cached
            .others
            .iter()
            .take(results.len())
            .map(|r| (&r.policy, r.findings.as_slice()));
        let entry = entry::TargetEntryRef {
            facts,
            results: current
                .chain(others)
                .map(|(policy, findings)| entry::PolicyResultRef { policy, findings })
                .collect(),
        };
        if let Some(value) = entry::encode(&target.0, &entry) {
            self.writer.send(vec![Write::Put {
                key: target.0,
                value,
            }]);
        }
    }

    /// Commits what is pending and records the run's figures. When the file
    /// turned out to be damaged, it is moved aside and a new one started.
    pub fn finish(self) -> Finished {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let counters = &self.counters;
        let mut figures = RunFigures {
            finished_at: crate::clock::now_rfc3339(),
            build: self.build.description().to_string(),
            targets_from_cache: load(&counters.targets_from_cache),
            targets_evaluated: load(&counters.targets_evaluated),
            results_from_cache: load(&counters.results_from_cache),
            results_evaluated: load(&counters.results_evaluated),
            entries_stored: 0,
            results_not_cached: load(&counters.results_not_cached),
            entries_refused: load(&counters.entries_refused),
        };
        let report = self.writer.finish(figures.clone());
        figures.entries_stored = report.stored;
        if let Ok(mut pool) = self.readers.lock() {
            pool.clear();
        }
        let mut warnings: Vec<String> = self.rebuilt.into_iter().collect();
        match self.trouble.take() {
            None => {}
            Some(StoreError::Corrupt(reason)) => {
                warnings.push(rebuild(&self.path, &reason));
            }
            Some(problem) => warnings.push(format!(
                "{} could not be used for the whole run ({problem}); {} new entries were not stored (those files will be evaluated again next time)",
                self.path.display(),
                report.dropped
            )),
        }
        Finished { figures, warnings }
    }
}

/// Moves a file found damaged during a run aside and starts a new one.
fn rebuild(path: &Path, reason: &str) -> String {
    let outcome = store::move_aside(path).and_then(|aside| {
        store::connect(path)?;
        Ok(aside)
    });
    match outcome {
        Ok(aside) => format!(
            "{} was damaged ({reason}); moved it to {} and started a new one",
            path.display(),
            aside.display()
        ),
        Err(problem) => format!(
            "{} is damaged ({reason}) and could not be replaced ({problem}): delete it, or run `tallyman cache prune --all`",
            path.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: u8) -> (TargetKey, PolicyKey) {
        (TargetKey([n; 32]), PolicyKey([n.wrapping_add(100); 32]))
    }

    fn finding(n: usize) -> Finding {
        Finding {
            rule_id: "R1".into(),
            message: format!("finding {n} {}", "x".repeat(400)),
            span: None,
            stage: None,
            fix: None,
            severity: None,
            autofix: None,
        }
    }

    /// A cache with an entry for each of `count` targets, closed.
    fn filled(dir: &Path, build: &BuildId, count: u8) {
        let cache = ResultCache::open(dir, build.clone()).unwrap();
        for n in 0..count {
            let (target, policy) = keys(n);
            let findings = vec![finding(usize::from(n))];
            let cached = cache.lookup::<String>(&target, &[policy]);
            assert!(cached.facts.is_none());
            let results = [(policy, Stored::Evaluated(&findings))];
            cache.record(&target, &"facts".to_string(), &results, cached);
        }
        let finished = cache.finish();
        assert!(finished.warnings.is_empty(), "{:?}", finished.warnings);
        assert_eq!(finished.figures.entries_stored, u64::from(count));
    }

    #[test]
    fn entries_read_back_and_other_policies_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let build = BuildId::new("test");
        filled(dir.path(), &build, 3);
        let cache = ResultCache::open(dir.path(), build.clone()).unwrap();
        let (target, policy) = keys(1);
        let other = PolicyKey([7; 32]);
        let mut cached = cache.lookup::<String>(&target, &[other, policy]);
        assert_eq!(cached.facts.as_deref(), Some("facts"));
        assert!(cached.results[0].is_none());
        assert_eq!(cached.results[1], Some(vec![finding(1)]));
        let hit = cached.results[1].take().unwrap();
        let results = [
            (other, Stored::Evaluated(&[])),
            (policy, Stored::Cached(&hit)),
        ];
        cache.record(&target, &"facts".to_string(), &results, cached);
        cache.finish();

        // The first policy alone: the second's result stays in the entry.
        let cache = ResultCache::open(dir.path(), build).unwrap();
        let cached = cache.lookup::<String>(&target, &[other]);
        assert_eq!(cached.results, vec![Some(vec![])]);
        assert_eq!(cached.others.len(), 1);
        let finished = cache.finish();
        assert_eq!(
            (
                finished.figures.targets_from_cache,
                finished.figures.entries_stored
            ),
            (1, 0)
        );
    }

    /// Flips a byte of the first stored finding message containing `text`.
    fn flip_after(bytes: &mut [u8], text: &[u8]) {
        let at = bytes
            .windows(text.len())
            .position(|w| w == text)
            .expect("text in the file");
        bytes[at + text.len()] ^= 0x01;
    }

    #[test]
    fn a_refused_entry_heals_when_the_rest_of_the_file_is_sound() {
        let dir = tempfile::tempdir().unwrap();
        let build = BuildId::new("test");
        filled(dir.path(), &build, 20);
        let file = store::file_in(dir.path());
        let mut bytes = std::fs::read(&file).unwrap();
        flip_after(&mut bytes, b"finding 3 ");
        std::fs::write(&file, &bytes).unwrap();

        let cache = ResultCache::open(dir.path(), build.clone()).unwrap();
        let (target, policy) = keys(3);
        let cached = cache.lookup::<String>(&target, &[policy]);
        assert!(cached.results[0].is_none(), "a damaged value is a miss");
        let findings = vec![finding(3)];
        let results = [(policy, Stored::Evaluated(&findings))];
        cache.record(&target, &"facts".to_string(), &results, cached);
        let finished = cache.finish();
        assert!(finished.warnings.is_empty(), "{:?}", finished.warnings);
        assert_eq!(finished.figures.entries_refused, 1);
        assert_eq!(finished.figures.entries_stored, 1);

        let cache = ResultCache::open(dir.path(), build).unwrap();
        assert_eq!(
            cache.lookup::<String>(&target, &[policy]).results[0],
            Some(findings)
        );
    }

    #[test]
    fn a_refused_entry_has_the_file_checked_and_hidden_damage_replaces_it() {
        let dir = tempfile::tempdir().unwrap();
        let build = BuildId::new("test");
        filled(dir.path(), &build, 200);
        let file = store::file_in(dir.path());
        let mut bytes = std::fs::read(&file).unwrap();
        // A damaged value, and a page of the entries' b-tree that the
        // lookup below never reads (it holds other keys).
        flip_after(&mut bytes, b"finding 3 ");
        let len = bytes.len();
        bytes[len - 16384..].fill(0x5a);
        std::fs::write(&file, &bytes).unwrap();

        let cache = ResultCache::open(dir.path(), build.clone()).unwrap();
        let (target, policy) = keys(3);
        let cached = cache.lookup::<String>(&target, &[policy]);
        assert!(cached.results[0].is_none());
        let findings = vec![finding(3)];
        let results = [(policy, Stored::Evaluated(&findings))];
        cache.record(&target, &"facts".to_string(), &results, cached);
        let finished = cache.finish();
        assert_eq!(finished.figures.entries_refused, 1);
        let warning = finished.warnings.join("\n");
        assert!(warning.contains("was damaged"), "{warning}");
        assert!(dir.path().join(format!("{FILE_NAME}.corrupt")).exists());
        assert_eq!(stats(dir.path(), &build).unwrap().counts.entries, 0);
    }

    #[test]
    fn damage_found_during_a_run_replaces_the_file_at_its_end() {
        let dir = tempfile::tempdir().unwrap();
        let build = BuildId::new("test");
        filled(dir.path(), &build, 200);
        // Overwrite the last page (a leaf of the entries' b-tree), which
        // opening the file does not read.
        let file = store::file_in(dir.path());
        let mut bytes = std::fs::read(&file).unwrap();
        let len = bytes.len();
        assert!(len > 8 * 16384, "{len} bytes");
        bytes[len - 16384..].fill(0x5a);
        std::fs::write(&file, &bytes).unwrap();

        let cache = ResultCache::open(dir.path(), build.clone()).unwrap();
        let hits = (0..200)
            .filter(|n| {
                let (target, policy) = keys(*n);
                cache.lookup::<String>(&target, &[policy]).results[0].is_some()
            })
            .count();
        assert!(hits < 200);
        let finished = cache.finish();
        let warning = finished.warnings.join("\n");
        assert!(warning.contains("was damaged"), "{warning}");
        assert!(dir.path().join(format!("{FILE_NAME}.corrupt")).exists());
        // A new, empty file took its place.
        let stats = stats(dir.path(), &build).unwrap();
        assert_eq!(stats.counts.entries, 0);
    }
}

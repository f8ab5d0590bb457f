//! The SQLite file behind the result cache: one table of sealed entries,
//! one of notes about the last run.
//!
//! SQLite was chosen over redb by measurement (BENCHMARKS.md): lookups and
//! inserts are about as fast once tuned, but SQLite lets several processes
//! share one file (WAL: readers never wait, writers take turns), where redb
//! locks the whole database to one process, and its file grew far less
//! on re-writes.
//!
//! Damage is expected and survivable: a file SQLite refuses (`not a
//! database`, `malformed`) is moved aside to `<file>.corrupt` and a new one
//! is made; a damaged value inside a sound file fails its seal (see
//! `entry.rs`) and counts as a miss, and then [`structure_problem`] checks
//! the rest of the file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension};

/// The file, under the cache directory. The schema version is in the name,
/// so that tallyman versions with different layouts never open each
/// other's file.
pub const FILE_NAME: &str = "results-v1.sqlite";

/// `PRAGMA user_version` of a file with our tables.
const SCHEMA_VERSION: i64 = 1;

/// How long a connection waits for another run's write lock before giving up.
const BUSY_WAIT: Duration = Duration::from_secs(5);

/// Page size of a new file, in bytes.
const PAGE_SIZE: i64 = 16 * 1024;

/// How much of the file lookups read through a memory map rather than
/// copying each page into every connection's own cache: a tenth of a warm
/// scan of 10,000 files (BENCHMARKS.md). SQLite keeps this safe against its
/// own writers in other processes, which never shrink the file under a
/// reader's snapshot.
const MMAP_BYTES: i64 = 256 * 1024 * 1024;

/// Per-connection page cache, in KiB (SQLite's negative `cache_size`).
const PAGE_CACHE_KIB: i64 = 16 * 1024;

/// Why the store could not do something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// Another run held the write lock for longer than [`BUSY_WAIT`].
    Busy(String),
    /// The file is damaged: move it aside and start again.
    Corrupt(String),
    /// Anything else: permissions, a full disk, an I/O error.
    Unavailable(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Busy(message)
            | StoreError::Corrupt(message)
            | StoreError::Unavailable(message) => f.write_str(message),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        let message = error.to_string();
        // Every column is written with one type; another type read back
        // means the record's header was damaged on disk.
        if let rusqlite::Error::InvalidColumnType(..) = error {
            return StoreError::Corrupt(message);
        }
        match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy(message),
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
                StoreError::Corrupt(message)
            }
            _ => StoreError::Unavailable(message),
        }
    }
}

/// The database file in cache directory `dir`.
pub fn file_in(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// The file's companions while it is open (SQLite's write-ahead log and
/// shared-memory index); they go wherever the file goes.
fn companions(path: &Path) -> [PathBuf; 2] {
    let with = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    [with("-wal"), with("-shm")]
}

/// Bytes on disk of the file and its companions.
pub fn size_on_disk(path: &Path) -> u64 {
    std::iter::once(path.to_path_buf())
        .chain(companions(path))
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// Opens (creating when missing) the database at `path`, with our tables.
pub fn connect(path: &Path) -> Result<Connection, StoreError> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.busy_timeout(BUSY_WAIT)?;
    // The first statement reads the header: a file that is not a database
    // fails here. A new file gets 16 KiB pages, which hold a typical entry
    // (1–4 KB) whole, where 4 KiB pages put most of them in overflow pages
    // and made the file three times as large; an existing file keeps its own.
    connection.pragma_update(None, "page_size", PAGE_SIZE)?;
    // WAL lets readers in other processes go on while one writes.
    let mode: String = connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Unavailable(format!(
            "cannot switch the database to write-ahead logging (journal mode is {mode})"
        )));
    }
    // A crash may lose the last transactions, never corrupt the file: fine
    // for a cache.
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "cache_size", -PAGE_CACHE_KIB)?;
    connection.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    match version {
        SCHEMA_VERSION => Ok(connection),
        0 => {
            create_tables(&connection)?;
            Ok(connection)
        }
        other => Err(StoreError::Corrupt(format!(
            "schema version {other} in a file named for version {SCHEMA_VERSION}"
        ))),
    }
}

/// A connection for lookups, inside one read transaction for its whole
/// life: each lookup then skips taking and dropping a snapshot (a tenth of
/// a warm scan's lookups). Entries are keyed by content, so a snapshot taken
/// at the start of a run is as good as a fresh one.
pub fn connect_reader(path: &Path) -> Result<Connection, StoreError> {
    let connection = connect(path)?;
    connection.execute_batch("BEGIN")?;
    Ok(connection)
}

fn create_tables(connection: &Connection) -> rusqlite::Result<()> {
    // IMMEDIATE: two runs creating the file at once take turns; the second
    // finds the tables made and only re-sets the version.
    connection.execute_batch(&format!(
        "BEGIN IMMEDIATE;
         CREATE TABLE IF NOT EXISTS entries (
             key BLOB PRIMARY KEY NOT NULL,
             build INTEGER NOT NULL,
             used INTEGER NOT NULL,
             value BLOB NOT NULL
         ) WITHOUT ROWID;
         CREATE TABLE IF NOT EXISTS notes (
             name TEXT PRIMARY KEY NOT NULL,
             value TEXT NOT NULL
         ) WITHOUT ROWID;
         PRAGMA user_version = {SCHEMA_VERSION};
         COMMIT;"
    ))
}

/// Opens the database in `dir`; a damaged file is moved aside and replaced,
/// and the reason is returned with the connection.
pub fn open_or_rebuild(dir: &Path) -> Result<(Connection, Option<String>), StoreError> {
    create_private_dir(dir)
        .map_err(|e| StoreError::Unavailable(format!("cannot create {}: {e}", dir.display())))?;
    let path = file_in(dir);
    match connect(&path) {
        Ok(connection) => Ok((connection, None)),
        Err(StoreError::Corrupt(reason)) => {
            let moved = move_aside(&path)?;
            let connection = connect(&path)?;
            Ok((
                connection,
                Some(format!(
                    "{} was damaged ({reason}); moved it to {} and started a new one",
                    path.display(),
                    moved.display()
                )),
            ))
        }
        Err(other) => Err(other),
    }
}

/// Renames a damaged database to `<file>.corrupt` (replacing an older one,
/// so that damage never piles up) and removes its companions.
pub fn move_aside(path: &Path) -> Result<PathBuf, StoreError> {
    let mut aside = path.as_os_str().to_owned();
    aside.push(".corrupt");
    let aside = PathBuf::from(aside);
    std::fs::rename(path, &aside).map_err(|e| {
        StoreError::Unavailable(format!(
            "{} is damaged and cannot be moved aside: {e}",
            path.display()
        ))
    })?;
    for companion in companions(path) {
        let _ = std::fs::remove_file(companion);
    }
    Ok(aside)
}

/// Deletes the file, its companions and a damaged file moved aside.
pub fn remove(path: &Path) -> std::io::Result<()> {
    let mut aside = path.as_os_str().to_owned();
    aside.push(".corrupt");
    for other in companions(path).into_iter().chain([PathBuf::from(aside)]) {
        match std::fs::remove_file(&other) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    std::fs::remove_file(path)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// What a lookup found under a key.
pub enum Found<T> {
    Absent,
    /// A row whose columns do not hold the types written: its record was
    /// damaged on disk.
    Damaged,
    Entry(T),
}

/// What `open` makes of the entry stored under `key` (its value, read in
/// place, and the day it was last used), if there is one.
pub fn lookup<T>(
    connection: &Connection,
    key: &[u8; 32],
    open: impl FnOnce(&[u8], i64) -> T,
) -> rusqlite::Result<Found<T>> {
    let mut statement =
        connection.prepare_cached("SELECT value, used FROM entries WHERE key = ?1")?;
    let found = statement
        .query_row([&key[..]], |row| {
            Ok(match (row.get_ref(0)?, row.get_ref(1)?) {
                (ValueRef::Blob(value), ValueRef::Integer(used)) => Found::Entry(open(value, used)),
                _ => Found::Damaged,
            })
        })
        .optional()?;
    Ok(found.unwrap_or(Found::Absent))
}

/// What SQLite finds wrong with the file, if anything: the first problem
/// `PRAGMA integrity_check` reports. Not `quick_check`: it passes files
/// whose damage shows only as keys out of order, which make lookups miss
/// entries that are there and inserts land where no lookup finds them.
/// It reads the whole file, so it is only run when damage is suspected.
pub fn structure_problem(connection: &Connection) -> rusqlite::Result<Option<String>> {
    let first: String = connection.query_row("PRAGMA integrity_check(1)", [], |row| row.get(0))?;
    Ok((first != "ok").then_some(first))
}

/// One change to make.
pub enum Write {
    /// Store (or replace) an entry.
    Put { key: [u8; 32], value: Vec<u8> },
    /// Mark an entry used today.
    Touch { key: [u8; 32] },
}

/// Makes `writes` in one transaction, tagging new entries with `build` and
/// every entry written or touched with `today`.
pub fn write(
    connection: &mut Connection,
    writes: &[Write],
    build: i64,
    today: i64,
) -> rusqlite::Result<()> {
    let transaction =
        connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut put = transaction.prepare_cached(
            "INSERT OR REPLACE INTO entries (key, build, used, value) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut touch =
            transaction.prepare_cached("UPDATE entries SET used = ?2 WHERE key = ?1")?;
        for write in writes {
            match write {
                Write::Put { key, value } => {
                    put.execute(rusqlite::params![&key[..], build, today, value])?;
                }
                Write::Touch { key } => {
                    touch.execute(rusqlite::params![&key[..], today])?;
                }
            }
        }
    }
    transaction.commit()
}

/// Sets a note (the last run's figures).
pub fn set_note(connection: &Connection, name: &str, value: &str) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT OR REPLACE INTO notes (name, value) VALUES (?1, ?2)",
        [name, value],
    )?;
    Ok(())
}

pub fn note(connection: &Connection, name: &str) -> rusqlite::Result<Option<String>> {
    connection
        .query_row("SELECT value FROM notes WHERE name = ?1", [name], |row| {
            row.get(0)
        })
        .optional()
}

/// What the file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub entries: u64,
    /// Entries written by this build of tallyman.
    pub this_build: u64,
    /// Days since 1970-01-01 of the least and most recently used entries.
    pub oldest_used: Option<i64>,
    pub newest_used: Option<i64>,
}

pub fn counts(connection: &Connection, build: i64) -> rusqlite::Result<Counts> {
    connection.query_row(
        "SELECT count(*), coalesce(sum(build = ?1), 0), min(used), max(used) FROM entries",
        [build],
        |row| {
            Ok(Counts {
                entries: row.get::<_, i64>(0)?.try_into().unwrap_or(0),
                this_build: row.get::<_, i64>(1)?.try_into().unwrap_or(0),
                oldest_used: row.get(2)?,
                newest_used: row.get(3)?,
            })
        },
    )
}

/// Deletes the entries of other builds (when `other_builds`) and those last
/// used before day `used_before`; returns how many went. The file is then
/// compacted so that the space goes back to the disk.
pub fn prune(
    connection: &Connection,
    build: i64,
    other_builds: bool,
    used_before: Option<i64>,
) -> rusqlite::Result<u64> {
    let mut deleted = 0;
    if other_builds {
        deleted += connection.execute("DELETE FROM entries WHERE build != ?1", [build])?;
    }
    if let Some(day) = used_before {
        deleted += connection.execute("DELETE FROM entries WHERE used < ?1", [day])?;
    }
    if deleted > 0 {
        connection.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")?;
    }
    Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_lookup_touch_and_prune() {
        let dir = tempfile::tempdir().unwrap();
        let (mut connection, rebuilt) = open_or_rebuild(dir.path()).unwrap();
        assert_eq!(rebuilt, None);
        let (a, b, c) = ([1u8; 32], [2u8; 32], [3u8; 32]);
        let writes = [
            Write::Put {
                key: a,
                value: b"alpha".to_vec(),
            },
            Write::Put {
                key: b,
                value: b"beta".to_vec(),
            },
        ];
        write(&mut connection, &writes, 7, 100).unwrap();
        write(&mut connection, &[Write::Touch { key: b }], 7, 105).unwrap();
        let found = |key| match lookup(&connection, key, |value, used| (value.to_vec(), used)) {
            Ok(Found::Entry(entry)) => Some(entry),
            Ok(Found::Absent) => None,
            Ok(Found::Damaged) => panic!("damaged"),
            Err(error) => panic!("{error}"),
        };
        assert!(found(&c).is_none());
        assert_eq!(found(&b), Some((b"beta".to_vec(), 105)));
        assert_eq!(found(&a), Some((b"alpha".to_vec(), 100)));
        assert_eq!(structure_problem(&connection).unwrap(), None);
        assert_eq!(counts(&connection, 7).unwrap().entries, 2);
        assert_eq!(prune(&connection, 7, true, Some(101)).unwrap(), 1);
        let left = counts(&connection, 8).unwrap();
        assert_eq!((left.entries, left.this_build), (1, 0));
        assert_eq!(prune(&connection, 8, true, None).unwrap(), 1);
    }

    #[test]
    fn a_column_of_another_type_is_a_damaged_entry() {
        let dir = tempfile::tempdir().unwrap();
        let (mut connection, _) = open_or_rebuild(dir.path()).unwrap();
        let key = [4u8; 32];
        let writes = [Write::Put {
            key,
            value: b"value".to_vec(),
        }];
        write(&mut connection, &writes, 7, 100).unwrap();
        // What a flipped bit in a record header does: the day becomes a blob.
        connection
            .execute(
                "UPDATE entries SET used = x'0102' WHERE key = ?1",
                [&key[..]],
            )
            .unwrap();
        let found = lookup(&connection, &key, |_, _| ()).unwrap();
        assert!(matches!(found, Found::Damaged));
        let error = connection
            .query_row("SELECT used FROM entries", [], |row| row.get::<_, i64>(0))
            .unwrap_err();
        assert!(matches!(StoreError::from(error), StoreError::Corrupt(_)));
    }

    #[test]
    fn a_file_that_is_not_a_database_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(file_in(dir.path()), vec![0x5au8; 8192]).unwrap();
        let (connection, rebuilt) = open_or_rebuild(dir.path()).unwrap();
        let reason = rebuilt.expect("rebuilt");
        assert!(reason.contains("moved it to"), "{reason}");
        assert_eq!(counts(&connection, 0).unwrap().entries, 0);
        let aside = dir.path().join(format!("{FILE_NAME}.corrupt"));
        assert_eq!(std::fs::read(aside).unwrap(), vec![0x5au8; 8192]);
    }
}

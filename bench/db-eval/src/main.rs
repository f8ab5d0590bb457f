//! Embedded database evaluation for tallyman's result cache: insert 70,000
//! entries of realistic size in one transaction, then 70,000 lookups from
//! 2 threads; report times and file size.
use std::time::Instant;

const N: usize = 70_000;

/// splitmix64
fn rng(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Keys: 32 random bytes (a sha256). Values: as measured on a 10,000-file
/// make-monorepo scan (5 policies): half the (target, policy) pairs have no
/// finding (an 18-byte header), the rest average ~440 bytes, up to ~4.6 KB.
fn entries() -> Vec<([u8; 32], Vec<u8>)> {
    let mut s = 42u64;
    (0..N)
        .map(|_| {
            let mut key = [0u8; 32];
            for chunk in key.chunks_mut(8) {
                chunk.copy_from_slice(&rng(&mut s).to_le_bytes());
            }
            let len = if rng(&mut s) % 2 == 0 {
                18
            } else {
                // exponential-ish, mean ~440
                let u = (rng(&mut s) % 10_000) as f64 / 10_000.0;
                (18.0 + -(1.0 - u).ln() * 420.0).min(4600.0) as usize
            };
            let value = (0..len).map(|i| (i % 251) as u8 ^ key[i % 32]).collect();
            (key, value)
        })
        .collect()
}

fn lookup_order(n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut s = 7u64;
    for i in (1..n).rev() {
        let j = (rng(&mut s) % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

fn main() {
    let which = std::env::args().nth(1).expect("redb|sqlite");
    let dir = std::env::args().nth(2).expect("dir");
    let entries = entries();
    let total: usize = entries.iter().map(|(_, v)| v.len() + 32).sum();
    let config = match (std::env::var("SQLITE_MMAP"), std::env::var("SQLITE_CACHE")) {
        (Ok(mmap), Ok(cache)) if which == "sqlite" => format!(" (mmap_size {mmap}, cache_size {cache})"),
        _ if which == "sqlite" => " (defaults: no memory map, 2 MB page cache)".to_string(),
        _ => String::new(),
    };
    println!("{which}{config}: {N} entries, {:.1} MB of keys+values", total as f64 / 1e6);
    let order = lookup_order(N);
    match which.as_str() {
        #[cfg(feature = "redb")]
        "redb" => redb_eval::run(&dir, &entries, &order),
        #[cfg(feature = "sqlite")]
        "sqlite" => sqlite_eval::run(&dir, &entries, &order),
        _ => panic!("not built with {which}"),
    }
}

fn report(what: &str, start: Instant, n: usize) {
    let s = start.elapsed().as_secs_f64();
    println!("  {what:40} {:8.1} ms  {:6.2} µs/op", s * 1e3, s * 1e6 / n as f64);
}

fn file_size(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

#[cfg(feature = "redb")]
mod redb_eval {
    use super::*;
    use redb::{Database, ReadableDatabase, TableDefinition};
    const T: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("results");

    pub fn run(dir: &str, entries: &[([u8; 32], Vec<u8>)], order: &[usize]) {
        let path = std::path::Path::new(dir).join("eval.redb");
        let _ = std::fs::remove_file(&path);
        let start = Instant::now();
        let db = Database::create(&path).unwrap();
        report("create", start, 1);
        let start = Instant::now();
        let tx = db.begin_write().unwrap();
        {
            let mut t = tx.open_table(T).unwrap();
            for (k, v) in entries {
                t.insert(k, v.as_slice()).unwrap();
            }
        }
        tx.commit().unwrap();
        report("insert 70k, one transaction", start, N);
        drop(db);
        println!("  file size: {:.1} MB", file_size(&path) as f64 / 1e6);
        let start = Instant::now();
        let db = Database::create(&path).unwrap();
        report("reopen", start, 1);
        for round in 0..2 {
            let start = Instant::now();
            let found = std::sync::atomic::AtomicUsize::new(0);
            std::thread::scope(|scope| {
                for half in order.chunks(order.len().div_ceil(2)) {
                    let db = &db;
                    let found = &found;
                    scope.spawn(move || {
                        let tx = db.begin_read().unwrap();
                        let t = tx.open_table(T).unwrap();
                        let mut bytes = 0;
                        for &i in half {
                            if let Some(v) = t.get(&entries[i].0).unwrap() {
                                bytes += v.value().len();
                                found.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            }
                        }
                        std::hint::black_box(bytes);
                    });
                }
            });
            report(&format!("70k lookups, 2 threads (round {round})"), start, N);
            assert_eq!(found.into_inner(), N);
        }
        // A second open while the first is held: what a concurrent run sees.
        match Database::create(&path) {
            Ok(_) => println!("  second open while held: ok"),
            Err(e) => println!("  second open while held: {e}"),
        }
        // Second batch: insert 10k more (an incremental run's writes).
        let start = Instant::now();
        let tx = db.begin_write().unwrap();
        {
            let mut t = tx.open_table(T).unwrap();
            for (k, v) in entries.iter().take(10_000) {
                let mut k2 = *k;
                k2[0] ^= 0xff;
                t.insert(&k2, v.as_slice()).unwrap();
            }
        }
        tx.commit().unwrap();
        report("insert 10k more, one transaction", start, 10_000);
        drop(db);
        println!("  file size after: {:.1} MB", file_size(&path) as f64 / 1e6);
    }
}

#[cfg(feature = "sqlite")]
mod sqlite_eval {
    use super::*;
    use rusqlite::{Connection, OptionalExtension};

    fn open(path: &std::path::Path) -> Connection {
        let c = Connection::open(path).unwrap();
        c.pragma_update(None, "journal_mode", "WAL").unwrap();
        c.pragma_update(None, "synchronous", "NORMAL").unwrap();
        c.busy_timeout(std::time::Duration::from_secs(2)).unwrap();
        if let Ok(mmap) = std::env::var("SQLITE_MMAP") {
            c.pragma_update(None, "mmap_size", mmap.parse::<i64>().unwrap()).unwrap();
        }
        if let Ok(cache) = std::env::var("SQLITE_CACHE") {
            c.pragma_update(None, "cache_size", cache.parse::<i64>().unwrap()).unwrap();
        }
        c
    }

    pub fn run(dir: &str, entries: &[([u8; 32], Vec<u8>)], order: &[usize]) {
        let path = std::path::Path::new(dir).join("eval.sqlite");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let start = Instant::now();
        let mut c = open(&path);
        c.execute_batch("CREATE TABLE IF NOT EXISTS results (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID").unwrap();
        report("create", start, 1);
        let start = Instant::now();
        let tx = c.transaction().unwrap();
        {
            let mut st = tx.prepare("INSERT OR REPLACE INTO results (key, value) VALUES (?1, ?2)").unwrap();
            for (k, v) in entries {
                st.execute((&k[..], v.as_slice())).unwrap();
            }
        }
        tx.commit().unwrap();
        report("insert 70k, one transaction", start, N);
        c.pragma_update(None, "wal_checkpoint", "TRUNCATE").unwrap();
        drop(c);
        println!("  file size: {:.1} MB", file_size(&path) as f64 / 1e6);
        let start = Instant::now();
        let c = open(&path);
        report("reopen", start, 1);
        drop(c);
        for round in 0..2 {
            let start = Instant::now();
            let found = std::sync::atomic::AtomicUsize::new(0);
            std::thread::scope(|scope| {
                for half in order.chunks(order.len().div_ceil(2)) {
                    let found = &found;
                    let path = &path;
                    scope.spawn(move || {
                        let mut c = open(path);
                        let tx = c.transaction().unwrap();
                        let mut st = tx.prepare_cached("SELECT value FROM results WHERE key = ?1").unwrap();
                        let mut bytes = 0;
                        for &i in half {
                            let v: Option<Vec<u8>> = st.query_row([&entries[i].0[..]], |r| r.get(0)).optional().unwrap();
                            if let Some(v) = v {
                                bytes += v.len();
                                found.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            }
                        }
                        drop(st);
                        tx.commit().unwrap();
                        std::hint::black_box(bytes);
                    });
                }
            });
            report(&format!("70k lookups, 2 threads (round {round})"), start, N);
            assert_eq!(found.into_inner(), N);
        }
        let mut c = open(&path);
        let c2 = open(&path);
        println!("  second open while held: ok ({})", c2.is_autocommit());
        let start = Instant::now();
        let tx = c.transaction().unwrap();
        {
            let mut st = tx.prepare("INSERT OR REPLACE INTO results (key, value) VALUES (?1, ?2)").unwrap();
            for (k, v) in entries.iter().take(10_000) {
                let mut k2 = *k;
                k2[0] ^= 0xff;
                st.execute((&k2[..], v.as_slice())).unwrap();
            }
        }
        tx.commit().unwrap();
        report("insert 10k more, one transaction", start, 10_000);
        c.pragma_update(None, "wal_checkpoint", "TRUNCATE").unwrap();
        drop(c);
        println!("  file size after: {:.1} MB", file_size(&path) as f64 / 1e6);
    }
}

//! The one thread that writes. Workers hand it each target's new entries;
//! it commits them in batches, so that workers never wait on the disk, a
//! scan never holds every result in memory, and the file sees one write
//! transaction per few thousand entries.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use rusqlite::Connection;

use super::store::{self, StoreError, Write};
use super::{LAST_RUN, RunFigures, Trouble};

/// Entries per transaction.
const BATCH: usize = 4096;

/// Targets' writes queued before workers wait for the writer.
const QUEUE: usize = 256;

enum Message {
    Writes(Vec<Write>),
    /// Commit what is pending, record the run's figures, and stop.
    Finish(Box<RunFigures>),
}

/// What the writer did.
#[derive(Debug, Default)]
pub struct WriterReport {
    /// Entries stored or replaced.
    pub stored: u64,
    /// Entries that could not be written.
    pub dropped: u64,
}

pub struct Writer {
    sender: SyncSender<Message>,
    thread: Option<JoinHandle<WriterReport>>,
}

impl Writer {
    /// Starts the writer on its own connection. When the thread cannot be
    /// started, writes are dropped and the run goes on uncached for them.
    pub fn start(connection: Connection, build: i64, today: i64, trouble: Arc<Trouble>) -> Writer {
        let (sender, receiver) = sync_channel(QUEUE);
        let thread = std::thread::Builder::new()
            .name("tallyman-cache-writer".into())
            .spawn(move || run(connection, &receiver, build, today, &trouble))
            .ok();
        Writer { sender, thread }
    }

    /// Queues one target's writes; waits while the queue is full.
    pub fn send(&self, writes: Vec<Write>) {
        if !writes.is_empty() {
            // A closed channel means the thread is gone; its report says so.
            let _ = self.sender.send(Message::Writes(writes));
        }
    }

    /// Commits what is queued, records `figures` (with the count of entries
    /// stored filled in), and returns what was done.
    pub fn finish(mut self, figures: RunFigures) -> WriterReport {
        let _ = self.sender.send(Message::Finish(Box::new(figures)));
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(report)) => report,
            _ => WriterReport::default(),
        }
    }
}

fn run(
    mut connection: Connection,
    receiver: &Receiver<Message>,
    build: i64,
    today: i64,
    trouble: &Trouble,
) -> WriterReport {
    let mut report = WriterReport::default();
    let mut pending: Vec<Write> = Vec::new();
    let mut flush = |connection: &mut Connection, pending: &mut Vec<Write>| {
        let count = pending.len() as u64;
        if trouble.is_set() {
            report.dropped += count;
        } else if let Err(error) = store::write(connection, pending, build, today) {
            report.dropped += count;
            // One failed commit stops the writing: a lock held this long, or
            // a full disk, will not clear in a moment, and each try would
            // wait again.
            trouble.set(StoreError::from(error));
        } else {
            report.stored += pending
                .iter()
                .filter(|w| matches!(w, Write::Put { .. }))
                .count() as u64;
        }
        pending.clear();
    };
    for message in receiver {
        match message {
            Message::Writes(writes) => {
                pending.extend(writes);
                if pending.len() >= BATCH {
                    flush(&mut connection, &mut pending);
                }
            }
            Message::Finish(mut figures) => {
                flush(&mut connection, &mut pending);
                figures.entries_stored = report.stored;
                if !trouble.is_set()
                    && let Ok(note) = serde_json::to_string(&figures)
                    && let Err(error) = store::set_note(&connection, LAST_RUN, &note)
                {
                    trouble.set(StoreError::from(error));
                }
                return report;
            }
        }
    }
    flush(&mut connection, &mut pending);
    report
}

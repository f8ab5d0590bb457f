//! Sessions kept for the whole of a parallel run.
//!
//! rayon's `for_each_init` and `map_init` call their `init` once per piece
//! of work they split the input into, not once per thread: a scan of 10,000
//! files made a fresh [`Session`] many times over, each instantiating every
//! policy again and throwing away what a reused instance keeps between
//! targets (its warmed memory, the `shell` policy's memo of the scripts it
//! has linted). A pool hands each piece a session that a finished piece gave
//! back, so a run holds at most one session per worker thread and each
//! policy instance lives as long as the run.

use std::ops::{Deref, DerefMut};
use std::sync::Mutex;

use super::{ConfiguredPolicy, Engine, Session};

/// Idle sessions over one set of policies, shared by a parallel run's workers.
pub struct SessionPool<'a> {
    engine: &'a Engine,
    policies: &'a [ConfiguredPolicy],
    idle: Mutex<Vec<Session<'a>>>,
}

impl<'a> SessionPool<'a> {
    pub fn new(engine: &'a Engine, policies: &'a [ConfiguredPolicy]) -> SessionPool<'a> {
        SessionPool {
            engine,
            policies,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// A session no one else is using: an idle one if there is one, else a
    /// new one. It returns to the pool when the guard is dropped.
    pub fn take(&self) -> PooledSession<'_, 'a> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        PooledSession {
            pool: self,
            session: Some(idle.unwrap_or_else(|| self.engine.session(self.policies))),
        }
    }
}

/// A session borrowed from a [`SessionPool`].
pub struct PooledSession<'p, 'a> {
    pool: &'p SessionPool<'a>,
    // Only `None` while being given back in `drop`.
    session: Option<Session<'a>>,
}

impl<'a> Deref for PooledSession<'_, 'a> {
    type Target = Session<'a>;

    fn deref(&self) -> &Session<'a> {
        self.session
            .as_ref()
            .expect("a pooled session is only taken out when dropped")
    }
}

impl<'a> DerefMut for PooledSession<'_, 'a> {
    fn deref_mut(&mut self) -> &mut Session<'a> {
        self.session
            .as_mut()
            .expect("a pooled session is only taken out when dropped")
    }
}

impl Drop for PooledSession<'_, '_> {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            self.pool
                .idle
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(session);
        }
    }
}

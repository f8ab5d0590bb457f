//! One copy of each text that many findings repeat.
//!
//! An org's Dockerfiles are copies of a few templates, so the same message,
//! fix and stage name come back thousands of times: in a 10,000-file scan,
//! 50,000 findings carry 2,000 distinct messages and 1,000 distinct fixes.
//! Sharing them keeps the report's memory close to the number of findings
//! times the size of one entry, whatever the texts.

use std::collections::HashSet;
use std::sync::Mutex;

use arcstr::ArcStr;

/// Shared strings for the findings of one scan; safe to use from every
/// worker thread.
#[derive(Debug, Default)]
pub struct SharedStrings {
    strings: Mutex<HashSet<ArcStr>>,
}

impl SharedStrings {
    /// The shared copy of `text`, made on first use.
    pub fn get(&self, text: &str) -> ArcStr {
        // A poisoned lock only means another worker panicked mid-insert;
        // the set itself is still valid.
        let mut strings = self
            .strings
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(shared) = strings.get(text) {
            return ArcStr::clone(shared);
        }
        let shared: ArcStr = ArcStr::from(text);
        strings.insert(ArcStr::clone(&shared));
        shared
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_share_one_allocation() {
        let strings = SharedStrings::default();
        let a = strings.get("pin the base image");
        let b = strings.get(&String::from("pin the base image"));
        let c = strings.get("something else");
        assert!(ArcStr::ptr_eq(&a, &b));
        assert!(!ArcStr::ptr_eq(&a, &c));
        assert_eq!(&*b, "pin the base image");
    }
}

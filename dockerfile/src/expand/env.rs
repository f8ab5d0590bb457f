//! Where expansion looks variables up.

use std::collections::{BTreeMap, HashMap};

/// A source of variable values for expansion.
///
/// `None` means *unset*, which is not the same as set to the empty string:
/// `${V-w}`, `${V+w}` and `${V?}` tell them apart, and unset names are what
/// BuildKit's `UndefinedVar` check reports.
pub trait Env {
    /// The value of `name`, or `None` when it is unset. Names are compared
    /// exactly (case-sensitively), as BuildKit does for Linux images.
    fn get(&self, name: &str) -> Option<&str>;
}

impl<E: Env + ?Sized> Env for &E {
    fn get(&self, name: &str) -> Option<&str> {
        (**self).get(name)
    }
}

impl Env for HashMap<String, String> {
    fn get(&self, name: &str) -> Option<&str> {
        HashMap::get(self, name).map(String::as_str)
    }
}

impl Env for BTreeMap<String, String> {
    fn get(&self, name: &str) -> Option<&str> {
        BTreeMap::get(self, name).map(String::as_str)
    }
}

/// An environment in which nothing is set.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmptyEnv;

impl Env for EmptyEnv {
    fn get(&self, _name: &str) -> Option<&str> {
        None
    }
}

/// An ordered set of variables, as a Dockerfile stage accumulates them with
/// `ARG` and `ENV`.
///
/// Setting a name again replaces its value but keeps its first position, the
/// way BuildKit updates an image's `Env` list, so [`VarMap::iter`] gives the
/// order in which the names were first defined.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VarMap {
    entries: Vec<(String, String)>,
    index: HashMap<String, usize>,
}

impl VarMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` to `value`, replacing any earlier value.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        let value = value.into();
        match self.index.get(&name).copied() {
            Some(position) => {
                if let Some(entry) = self.entries.get_mut(position) {
                    entry.1 = value;
                }
            }
            None => {
                self.index.insert(name.clone(), self.entries.len());
                self.entries.push((name, value));
            }
        }
    }

    /// Sets a variable from a `NAME=value` string; without `=` the value is
    /// empty, as BuildKit reads such entries.
    pub fn set_pair(&mut self, pair: &str) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        self.set(name, value);
    }

    /// Whether `name` is set (possibly to the empty string).
    pub fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// Number of distinct names.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `(name, value)` pairs in the order the names were first set.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl Env for VarMap {
    fn get(&self, name: &str) -> Option<&str> {
        let position = *self.index.get(name)?;
        self.entries.get(position).map(|(_, v)| v.as_str())
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for VarMap {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = VarMap::new();
        map.extend(iter);
        map
    }
}

impl<K: Into<String>, V: Into<String>> Extend<(K, V)> for VarMap {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.set(k, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_values_override_but_keep_first_position() {
        let mut map = VarMap::new();
        map.set("A", "1");
        map.set("B", "2");
        map.set("A", "3");
        assert_eq!(map.get("A"), Some("3"));
        assert_eq!(map.iter().collect::<Vec<_>>(), [("A", "3"), ("B", "2")]);
        assert_eq!(map.len(), 2);
    }

    #[test]
    fn names_are_case_sensitive_and_empty_is_set() {
        let map: VarMap = [("PWD", "/home"), ("NULL", "")].into_iter().collect();
        assert_eq!(map.get("pwd"), None);
        assert_eq!(map.get("NULL"), Some(""));
        assert!(map.contains("NULL"));
        assert_eq!(map.get("MISSING"), None);
    }

    #[test]
    fn pairs_split_at_the_first_equals_sign() {
        let mut map = VarMap::new();
        map.set_pair("k=v=w");
        map.set_pair("bare");
        assert_eq!(map.get("k"), Some("v=w"));
        assert_eq!(map.get("bare"), Some(""));
    }
}

//! The Dockerfiles the benchmarks run over; shared by the parser's benches
//! and the host's (`#[path]` from `host/benches/`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `../shared/corpus/dockerfiles` (next to the repository) when present,
/// else the vendored sample: its name for the report, and every file's
/// bytes in path order. `dockerfile_crate` is this crate's directory.
pub fn corpus(dockerfile_crate: &Path) -> (String, Vec<Vec<u8>>) {
    let shared = dockerfile_crate.join("../../shared/corpus/dockerfiles");
    if shared.is_dir() {
        ("shared corpus".to_owned(), files_in(&shared))
    } else {
        ("vendored sample".to_owned(), sample(dockerfile_crate))
    }
}

/// The sample vendored under `tests/data/corpus-sample`, in path order:
/// the same files with or without `../shared/`.
pub fn sample(dockerfile_crate: &Path) -> Vec<Vec<u8>> {
    files_in(&dockerfile_crate.join("tests/data/corpus-sample/files"))
}

fn files_in(dir: &Path) -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| std::fs::read(path).unwrap_or_else(|err| panic!("{}: {err}", path.display())))
        .collect()
}

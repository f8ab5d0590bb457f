//! The SDK ships its own copy of the WIT contract (`plugin-sdk/wit/`) so
//! that it builds when published, outside this repository. In the workspace
//! that copy must be the workspace's `wit/`, byte for byte.

use std::fs;
use std::path::Path;

#[test]
fn wit_copy_matches_workspace() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace_wit = crate_dir.join("../wit");
    if !workspace_wit.is_dir() {
        println!(
            "skipped: {} does not exist (the crate is built outside its workspace)",
            workspace_wit.display()
        );
        return;
    }
    let mut mismatches = Vec::new();
    let mut names: Vec<_> = fs::read_dir(&workspace_wit)
        .expect("the workspace wit/ directory is readable")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name())
        .filter(|name| name.to_string_lossy().ends_with(".wit"))
        .collect();
    names.sort();
    assert!(
        !names.is_empty(),
        "no .wit file in {}",
        workspace_wit.display()
    );
    for name in &names {
        let original = fs::read(workspace_wit.join(name)).expect("workspace WIT is readable");
        let copy = fs::read(crate_dir.join("wit").join(name));
        match copy {
            Ok(copy) if copy == original => {}
            Ok(_) => mismatches.push(format!("{} differs", name.to_string_lossy())),
            Err(_) => mismatches.push(format!("{} is missing", name.to_string_lossy())),
        }
    }
    let copies = fs::read_dir(crate_dir.join("wit"))
        .expect("plugin-sdk/wit is readable")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name())
        .filter(|name| !names.contains(name));
    for extra in copies {
        mismatches.push(format!("{} is not in wit/", extra.to_string_lossy()));
    }
    assert!(
        mismatches.is_empty(),
        "plugin-sdk/wit/ must be a copy of wit/ (run `cp wit/*.wit plugin-sdk/wit/`):\n{}",
        mismatches.join("\n")
    );
}

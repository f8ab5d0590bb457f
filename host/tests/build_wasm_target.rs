//! The build script's check that the policies' target is installed
//! (`host/build/wasm_target.rs`, shared with `build.rs`): on sysroots laid
//! out as rustup and distributions lay them out, and on the real one.

// `ensure` and `find_rustup` run only in the build script (and in the
// trial described in the module's doc): unused here.
#[allow(dead_code)]
#[path = "../build/wasm_target.rs"]
mod wasm_target;

use std::path::Path;

use wasm_target::{Readiness, install_command, readiness, rustup_toolchain, std_installed};

const TARGET: &str = "wasm32-wasip2";
const TOOLCHAIN: &str = "1.95.0-x86_64-unknown-linux-gnu";

fn touch(path: &Path) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
    std::fs::write(path, b"").expect("file");
}

#[test]
fn a_rustup_toolchain_without_the_target_is_fixed_by_rustup_target_add() {
    let home = tempfile::tempdir().expect("temp dir");
    let sysroot = home.path().join("toolchains").join(TOOLCHAIN);
    touch(&sysroot.join("lib/rustlib/x86_64-unknown-linux-gnu/lib/libstd-0f1e.rlib"));
    assert_eq!(rustup_toolchain(&sysroot).as_deref(), Some(TOOLCHAIN));
    assert_eq!(
        readiness(&sysroot, TARGET),
        Readiness::MissingFromToolchain {
            toolchain: TOOLCHAIN.to_string()
        }
    );
    assert_eq!(
        install_command(TARGET, TOOLCHAIN),
        "rustup target add wasm32-wasip2 --toolchain 1.95.0-x86_64-unknown-linux-gnu"
    );

    // A library directory without the library (an install cut short) is
    // not a standard library.
    std::fs::create_dir_all(sysroot.join("lib/rustlib/wasm32-wasip2/lib/self-contained"))
        .expect("dirs");
    assert!(!std_installed(&sysroot, TARGET));

    touch(&sysroot.join("lib/rustlib/wasm32-wasip2/lib/libstd-9a8b7c.rlib"));
    assert_eq!(readiness(&sysroot, TARGET), Readiness::Installed);
}

#[test]
fn a_rust_rustup_does_not_manage_cannot_be_fixed_by_it() {
    let prefix = tempfile::tempdir().expect("temp dir");
    let sysroot = prefix.path().join("usr");
    touch(&sysroot.join("lib/rustlib/x86_64-unknown-linux-gnu/lib/libstd-0f1e.rlib"));
    assert_eq!(rustup_toolchain(&sysroot), None);
    assert_eq!(readiness(&sysroot, TARGET), Readiness::MissingOutsideRustup);
}

/// This test was built by the build script, which needed the target: the
/// real sysroot must say it is there.
#[test]
fn the_rust_building_this_has_the_target() {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let sysroot = wasm_target::sysroot_of(Path::new(&rustc)).expect("rustc --print sysroot");
    assert!(sysroot.is_dir(), "{}", sysroot.display());
    assert_eq!(readiness(&sysroot, TARGET), Readiness::Installed);
    assert_eq!(
        readiness(&sysroot, "no-such-target-unknown-none"),
        match rustup_toolchain(&sysroot) {
            Some(toolchain) => Readiness::MissingFromToolchain { toolchain },
            None => Readiness::MissingOutsideRustup,
        }
    );
}

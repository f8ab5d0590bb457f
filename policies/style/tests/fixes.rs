//! Each rule's fixes on its fix fixtures (`tests/fixes/<RULE>/`): the
//! fixture is the file before, the snapshot the file after; the rule's
//! fixed findings are gone on a check of the result.

use tallyman_policy_style::Style;
use tallyman_sdk::testing;

#[test]
fn fixes_snapshots() {
    insta::glob!("fixes/*/*.Dockerfile", |path| {
        insta::assert_snapshot!(testing::render_fix::<Style>(path));
    });
}

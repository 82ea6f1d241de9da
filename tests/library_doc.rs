//! docs/LIBRARY.md shows code that is compiled and run elsewhere: its complete example is
//! `tests/library_example.rs` word for word, and its observer is in `tests/library_api.rs`.
//! These tests fail when the page and the code drift apart (edit the code, then paste it).

use std::path::PathBuf;

fn read(path: &str) -> String {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// The text of the ```rust block that follows `marker` in docs/LIBRARY.md.
fn block_after(marker: &str) -> String {
    let doc = read("docs/LIBRARY.md");
    let after = doc
        .split_once(marker)
        .unwrap_or_else(|| panic!("docs/LIBRARY.md has no {marker}"))
        .1;
    let code = after
        .split_once("```rust\n")
        .expect("a rust block after the marker")
        .1;
    code.split_once("```\n")
        .expect("the block ends")
        .0
        .to_string()
}

#[test]
fn the_complete_example_is_tests_library_example_rs_word_for_word() {
    assert_eq!(
        block_after("<!-- BEGIN tests/library_example.rs -->"),
        read("tests/library_example.rs"),
        "paste tests/library_example.rs into docs/LIBRARY.md"
    );
}

#[test]
fn the_observer_shown_is_the_one_tested() {
    let shown = block_after("<!-- FROM tests/library_api.rs -->");
    assert!(
        read("tests/library_api.rs").contains(&shown),
        "docs/LIBRARY.md shows an observer that tests/library_api.rs does not hold:\n{shown}"
    );
}

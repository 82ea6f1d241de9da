//! Golden traces, as etcd's raft tests keep them: the narrated output of
//! `raftsim run src/scenario/presets/<id>.json --trace` for every preset is checked in as
//! `tests/golden/<id>.txt`, so a change in behaviour or in narration shows as a diff in review.
//!
//! When a change is meant to alter a trace, rewrite them all and review the diff:
//!
//! ```text
//! UPDATE_GOLDEN=1 cargo test --test golden_traces
//! git diff tests/golden
//! ```

use raft_explorer::scenario::presets;
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What `raftsim run <preset> --trace` prints (run from the crate root, as a user would).
fn narrated(id: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_raftsim"))
        .current_dir(root())
        .args(["run", &format!("src/scenario/presets/{id}.json"), "--trace"])
        .output()
        .expect("raftsim runs");
    assert!(
        out.status.success(),
        "raftsim run {id} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("the trace is UTF-8")
}

/// The first line where `expected` and `actual` differ, with both versions.
fn first_difference(expected: &str, actual: &str) -> String {
    let (mut e, mut a) = (expected.lines(), actual.lines());
    for number in 1.. {
        match (e.next(), a.next()) {
            (None, None) => break,
            (x, y) if x == y => continue,
            (x, y) => {
                return format!(
                    "line {number}\n  golden: {}\n  now:    {}",
                    x.unwrap_or("(end of file)"),
                    y.unwrap_or("(end of output)")
                )
            }
        }
    }
    "only in line endings".into()
}

fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some()
}

fn remove_traces_of_removed_presets() {
    let Ok(entries) = std::fs::read_dir(root().join("tests/golden")) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let id = name.strip_suffix(".txt").unwrap_or(&name);
        if !presets::IDS.contains(&id) {
            std::fs::remove_file(entry.path()).expect("remove a stale golden trace");
        }
    }
}

#[test]
fn every_preset_narrates_as_its_golden_trace() {
    let update = updating();
    let mut stale = Vec::new();
    if update {
        remove_traces_of_removed_presets();
    }
    for id in presets::IDS {
        let path = root().join("tests/golden").join(format!("{id}.txt"));
        let actual = narrated(id);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).expect("create tests/golden");
            std::fs::write(&path, &actual).expect("write the golden trace");
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => stale.push(format!(
                "{id}: differs from {} at {}",
                path.display(),
                first_difference(&expected, &actual)
            )),
            Err(e) => stale.push(format!("{id}: cannot read {}: {e}", path.display())),
        }
    }
    assert!(
        stale.is_empty(),
        "{}\n\nIf the change is meant, rewrite the traces and review the diff:\n  \
         UPDATE_GOLDEN=1 cargo test --test golden_traces && git diff tests/golden",
        stale.join("\n\n")
    );
}

#[test]
fn a_golden_file_exists_for_every_preset_and_no_other() {
    if updating() {
        return; // the other test is writing them
    }
    let mut files: Vec<String> = std::fs::read_dir(root().join("tests/golden"))
        .expect("tests/golden exists")
        .map(|e| {
            e.expect("readable")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    let mut expected: Vec<String> = presets::IDS.iter().map(|id| format!("{id}.txt")).collect();
    expected.sort();
    assert_eq!(files, expected, "tests/golden holds one trace per preset");
}

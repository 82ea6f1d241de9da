//! The `raftsim` command line: exit codes and output shapes.

use std::process::Command;

fn raftsim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_raftsim"))
        .args(args)
        .output()
        .expect("raftsim runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_file(name: &str, text: &str) -> String {
    let path = std::env::temp_dir().join(format!("raftsim-test-{}-{name}", std::process::id()));
    std::fs::write(&path, text).expect("write temp file");
    path.to_string_lossy().into_owned()
}

#[test]
fn help_lists_the_commands() {
    let (code, out, _) = raftsim(&["--help"]);
    assert_eq!(code, 0);
    for word in [
        "raftsim run",
        "raftsim check",
        "raftsim bench",
        "--nemesis",
        "--knob",
    ] {
        assert!(out.contains(word), "help lacks {word}");
    }
    let (code, _, err) = raftsim(&["frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown command"), "{err}");
}

#[test]
fn run_passes_a_preset_and_narrates_with_trace() {
    let (code, out, _) = raftsim(&[
        "run",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/scenario/presets/leader_crash.json"
        ),
        "--trace",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("all expectations hold"), "{out}");
    assert!(
        out.contains("§5.2") && out.contains("election timer"),
        "the trace is narrated with sections"
    );
}

#[test]
fn run_fails_with_exit_1_and_names_the_failed_expectation() {
    let file = temp_file(
        "wrong.json",
        r#"{"version":1,"name":"wrong","steps":[{"at_ms":1000,"action":"expect","leaders":3}]}"#,
    );
    let (code, out, _) = raftsim(&["run", &file]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAILED step 0 at 1000 ms: expected 3 leaders, found 1"),
        "{out}"
    );
}

#[test]
fn run_rejects_an_invalid_file_naming_step_and_field() {
    let file = temp_file(
        "bad.json",
        r#"{"version":1,"name":"bad","steps":[{"at_ms":0,"action":"crash","server":"S9"}]}"#,
    );
    let (code, _, err) = raftsim(&["run", &file]);
    assert_eq!(code, 1);
    assert!(err.contains("step 0, field \"server\""), "{err}");
}

#[test]
fn check_prints_one_json_line_and_exit_code_follows_violations() {
    let (code, out, _) = raftsim(&["check", "--seeds", "3", "--duration-ms", "3000"]);
    assert_eq!(code, 0, "{out}");
    let line = out.lines().next().unwrap_or_default();
    assert!(
        line.starts_with("{\"runs\":3,\"violations\":0,\"events\":"),
        "{line}"
    );
    assert!(line.contains("\"events_per_sec\":"), "{line}");

    // A knob that breaks Raft fails the check; the shrunk failure, saved as a scenario,
    // fails again when replayed.
    let saved =
        std::env::temp_dir().join(format!("raftsim-test-{}-replay.json", std::process::id()));
    let saved = saved.to_string_lossy().into_owned();
    let (code, out, err) = raftsim(&[
        "check",
        "--seeds",
        "5",
        "--duration-ms",
        "10000",
        "--knob",
        "skip_election_restriction",
        "--save",
        &saved,
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("\"violations\":0"), "{out}");
    assert!(err.contains("first failing seed"), "{err}");
    assert!(
        err.contains("shrunk:") && err.contains("VIOLATION"),
        "{err}"
    );
    assert!(err.contains("permalink: v1."), "{err}");
    let (code, out, _) = raftsim(&["run", &saved]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Leader Completeness"), "{out}");

    let (code, _, err) = raftsim(&[
        "check",
        "--seeds",
        "1",
        "--duration-ms",
        "10",
        "--knob",
        "nope",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown knob"), "{err}");
}

#[test]
fn bench_reports_events_per_second() {
    let (code, out, _) = raftsim(&["bench", "--duration-ms", "2000"]);
    assert_eq!(code, 0);
    assert!(out.contains("\"events_per_sec\":"), "{out}");
}

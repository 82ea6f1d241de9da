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
    for word in ["raftsim run", "raftsim check", "raftsim bench", "LIMITS"] {
        assert!(out.contains(word), "help lacks {word}");
    }
    let (code, out, _) = raftsim(&["check", "--help"]);
    assert_eq!(code, 0);
    for word in ["--nemesis", "--knob", "stale_local_reads", "at most 75000"] {
        assert!(out.contains(word), "check help lacks {word}");
    }
    let (code, _, err) = raftsim(&["frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("unrecognized subcommand"), "{err}");
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

/// Issue 14's memory figure (§7): the benchmark cluster runs its whole simulated hour (the
/// default), and with snapshots on no server's log ever holds much more than the threshold
/// (the rest are entries not yet applied when sampled).
#[test]
fn bench_runs_an_hour_with_logs_kept_near_the_snapshot_threshold() {
    let (code, out, err) = raftsim(&["bench", "--snapshot-threshold", "100"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"simulated_ms\":3600000"), "{out}");
    let longest: usize = out
        .split("\"longest_log\":")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no longest_log in {out}"));
    assert!(
        (100..=110).contains(&longest),
        "longest log {longest}: {out}"
    );
}

/// Runs raftsim with `args` (split at spaces) for each case, expecting a usage error (exit 2,
/// nothing on stdout) whose message contains the case's reason.
fn all_refused(cases: &[(&str, &str)]) {
    for (args, why) in cases {
        let args: Vec<&str> = args.split(' ').collect();
        let (code, out, err) = raftsim(&args);
        assert_eq!(code, 2, "{args:?} was accepted: {out}{err}");
        assert!(out.is_empty(), "{args:?} printed {out}");
        assert!(err.contains(why), "{args:?}: {err}");
    }
}

#[test]
fn a_duration_that_overflows_microseconds_is_refused() {
    // 18446744073709552 ms × 1000 wraps to 384 µs.
    all_refused(&[
        (
            "check --seeds 1 --duration-ms 18446744073709552",
            "longer than the longest run, 3600000 ms",
        ),
        (
            "check --seeds 1 --duration-ms 3600001",
            "longer than the longest run",
        ),
        ("check --seeds 1 --duration-ms 0", "at least 1 ms"),
        (
            "bench --duration-ms 18446744073709551615",
            "longer than the longest run",
        ),
    ]);
}

#[test]
fn seeds_that_pass_the_largest_seed_are_refused() {
    all_refused(&[
        (
            "check --seeds 2 --duration-ms 100 --first-seed 18446744073709551615",
            "2 seeds from 18446744073709551615 pass the largest seed",
        ),
        ("check --seeds 0 --duration-ms 100", "--seeds"),
        ("check --seeds 1000001 --duration-ms 100", "--seeds"),
    ]);
    // The last seed itself runs.
    let (code, out, _) = raftsim(&[
        "check",
        "--seeds",
        "2",
        "--duration-ms",
        "100",
        "--first-seed",
        "18446744073709551614",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("{\"runs\":2,\"violations\":0,\"events\":"),
        "{out}"
    );
    assert!(!out.contains("\"events\":0,"), "both runs ran: {out}");
}

#[test]
fn client_and_server_counts_are_not_truncated_and_are_capped() {
    all_refused(&[
        // 4294967296 as u32 is 0.
        (
            "check --seeds 1 --duration-ms 100 --clients 4294967296",
            "--clients",
        ),
        (
            "check --seeds 1 --duration-ms 100 --clients 1000000",
            "not in 0..=100",
        ),
        (
            "check --seeds 1 --duration-ms 100 --servers 261",
            "--servers",
        ),
    ]);
}

#[test]
fn runs_that_would_not_fit_in_memory_are_refused() {
    all_refused(&[(
        "check --seeds 1 --duration-ms 3600000 --servers 9 --clients 100",
        "9 servers × 100 clients × 3600 s = 3240000, above the limit of 75000",
    )]);
}

/// `raftsim run FILE --trace | head` closes the pipe early: raftsim stops quietly instead of
/// panicking on the write.
#[test]
fn a_reader_that_stops_early_does_not_make_run_panic() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_raftsim"))
        .args([
            "run",
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/src/scenario/presets/figure8.json"
            ),
            "--trace",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("raftsim runs");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("a first line");
    // The reader is gone now: every later write meets a closed pipe.
    let out = child.wait_with_output().expect("raftsim ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!first.is_empty());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "{stderr}");
}

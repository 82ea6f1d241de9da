//! The scenario runner: steps that cannot be carried out and expectations that do not hold
//! are reported with their step and time; the checker runs whatever the steps say.

use raft_explorer::scenario::{run, run_with, RunOptions, Scenario};

fn scenario(steps: &str) -> Scenario {
    let text = format!(
        r#"{{"version":1,"name":"t","seed":3,"cluster":{{"servers":3}},"steps":[{steps}]}}"#
    );
    Scenario::from_json(&text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn leader_alias_without_a_leader_fails_the_step() {
    let report = run(&scenario(
        r#"{"at_ms":10,"action":"crash","server":"leader"}"#,
    ));
    assert_eq!(report.failures.len(), 1);
    let f = &report.failures[0];
    assert_eq!((f.step, f.at_ms), (0, 10));
    assert!(f.message.contains("no leader"), "{}", f.message);
    assert!(!report.passed());
}

#[test]
fn refused_actions_are_reported() {
    let report = run(&scenario(
        r#"{"at_ms":10,"action":"restart","server":"S2"}"#,
    ));
    assert_eq!(
        report.failures.len(),
        1,
        "restarting a running server is refused"
    );
    assert!(
        report.failures[0].message.contains("could not do"),
        "{}",
        report.failures[0].message
    );
}

#[test]
fn failed_expectations_say_what_was_seen() {
    let report = run(&scenario(
        r#"{"at_ms":0,"action":"timeout","server":"S1"},
           {"at_ms":500,"action":"expect","server":"S2","role":"leader","term_at_least":5},
           {"at_ms":500,"action":"expect","committed":["SET x 1"],"kv":{"x":"1"}}"#,
    ));
    let problems = report.problems();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("expected S2 to be leader, it is follower in term 1"),
        "{}",
        problems[0]
    );
    assert!(
        problems[0].contains("expected S2 in term 5 or later"),
        "{}",
        problems[0]
    );
    assert!(
        problems[1].contains("expected \"SET x 1\" committed on S1"),
        "{}",
        problems[1]
    );
    assert!(
        problems[1].contains("expected x = \"1\" on S1, it is absent"),
        "{}",
        problems[1]
    );
}

#[test]
fn expectations_that_hold_pass_and_the_trace_is_narrated() {
    let s = scenario(
        r#"{"at_ms":0,"action":"timeout","server":"S1","note":"S1 goes first"},
           {"at_ms":300,"action":"client_request","command":"SET x 1","server":"leader"},
           {"at_ms":800,"action":"expect","leaders":1,"committed":["SET x 1"],"kv":{"x":"1","y":null},"logs_match":true,"linearizable":true,"no_violation":true}"#,
    );
    let report = run_with(&s, &RunOptions { trace: true });
    assert!(report.passed(), "{:?}", report.problems());
    assert!(report
        .trace
        .iter()
        .any(|l| l.contains("note: S1 goes first")));
    assert!(
        report.trace.iter().any(|l| l.contains("§5.2")),
        "sections are shown"
    );
    assert!(report.events > 10);
}

#[test]
fn an_unexpected_violation_fails_the_run_even_without_an_expect_step() {
    // The forget-vote scenario without its "violation" expectation.
    let mut s =
        Scenario::from_json(include_str!("scenarios/knob_forget_vote_on_restart.json")).unwrap();
    s.steps
        .retain(|step| !matches!(step.action, raft_explorer::scenario::StepAction::Expect(_)));
    let report = run(&s);
    assert!(report.violation.is_some());
    assert!(!report.passed());
    assert!(
        report
            .problems()
            .iter()
            .any(|p| p.starts_with("invariant violation: Election Safety")),
        "{:?}",
        report.problems()
    );
}

#[test]
fn a_player_carries_out_steps_as_time_advances() {
    use raft_explorer::scenario::Player;
    let s = scenario(
        r#"{"at_ms":0,"action":"timeout","server":"S1"},
           {"at_ms":300,"action":"crash","server":"S1"},
           {"at_ms":2000,"action":"expect","leaders":1,"term_at_least":2}"#,
    );
    let mut player = Player::new(&s, &RunOptions::default()).expect("starts");
    player.run_until(200_000);
    assert_eq!(
        player.sim().leader(),
        Some(raft_explorer::raft::ServerId(1)),
        "S1 won the first election"
    );
    assert!(!player.steps_done());
    player.run_until(300_000);
    assert!(
        !player.sim().is_up(raft_explorer::raft::ServerId(1)),
        "the crash at 300 ms happened"
    );
    player.run_until(2_000_000);
    assert!(player.steps_done());
    assert!(player.failures().is_empty(), "{:?}", player.failures());
    assert!(player.report().passed());
}

#[test]
fn timer_steps_split_the_vote_then_give_one_winner() {
    // Aligned at 1 ms: all three time out together (between 151 and 301 ms) and stand in
    // term 1, each voting for itself. Spread right after: term 2 has one clear winner.
    let report = run_with(
        &scenario(
            r#"{"at_ms":1,"action":"align_timers"},
               {"at_ms":302,"action":"expect","leaders":0,"role":"candidate","term":1},
               {"at_ms":302,"action":"spread_timers"},
               {"at_ms":900,"action":"expect","leaders":1,"server":"leader","term":2}"#,
        ),
        &RunOptions { trace: true },
    );
    assert!(report.passed(), "{:?}", report.problems());
    assert!(report
        .trace
        .iter()
        .any(|l| l.contains("aligned to fire together")));
}

#[test]
fn a_scenario_built_in_code_with_a_huge_duration_is_refused_not_wrapped() {
    // from_json would refuse it; a program can still build one. × 1000 must not wrap.
    let mut s = scenario(r#"{"at_ms":100,"action":"expect","leaders":0}"#);
    s.cluster.heartbeat_ms = u64::MAX / 100;
    let report = run(&s);
    let failure = &report.failures[0].message;
    assert!(
        failure.starts_with("cannot start the cluster") && failure.contains("too long"),
        "{failure}"
    );
}

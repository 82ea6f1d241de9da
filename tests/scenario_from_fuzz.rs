//! A fuzz run written as a scenario file replays exactly: same events, same verdict.

use raft_explorer::check::fuzz::{self, FuzzConfig};
use raft_explorer::raft::Knobs;
use raft_explorer::scenario::{run, scenario_from_fuzz, Scenario};

#[test]
fn a_clean_fuzz_run_replays_event_for_event_as_a_scenario() {
    let config = FuzzConfig::new(3, 5_000_000);
    let schedule = fuzz::schedule(&config);
    let outcome = fuzz::run_schedule(&config, &schedule);
    assert!(!outcome.failed());
    let scenario = scenario_from_fuzz(&config, &schedule, None);
    // Through the file format and back.
    let scenario = Scenario::from_json(&scenario.to_json()).unwrap_or_else(|e| panic!("{e}"));
    let report = run(&scenario);
    assert!(report.passed(), "{:?}", report.problems());
    assert_eq!(report.events, outcome.events, "the replay is the same run");
    assert_eq!(scenario.cluster.clients.count, config.clients);
}

#[test]
fn a_failing_fuzz_run_fails_the_same_way_when_replayed() {
    // The aiming nemeses (restart after a vote, Figure 8) add slow and lossy links and
    // client requests of their own: the scenario carries those too.
    for knobs in [
        Knobs {
            skip_election_restriction: true,
            ..Knobs::default()
        },
        Knobs {
            forget_vote_on_restart: true,
            ..Knobs::default()
        },
        Knobs {
            commit_old_term_by_counting: true,
            ..Knobs::default()
        },
    ] {
        let (config, outcome) = (0..20)
            .map(|seed| FuzzConfig {
                knobs: knobs.clone(),
                ..FuzzConfig::new(seed, 10_000_000)
            })
            .map(|c| {
                let o = fuzz::run_seed(&c);
                (c, o)
            })
            .find(|(_, o)| o.failed())
            .unwrap_or_else(|| panic!("a failing seed for {knobs:?}"));
        let expected = outcome.violation.expect("an invariant violation");
        let again = fuzz::run_schedule(&config, &outcome.schedule);
        assert_eq!(
            again.violation,
            Some(expected.clone()),
            "the schedule as run replays it"
        );
        let scenario = scenario_from_fuzz(&config, &outcome.schedule, Some(&expected.to_string()));
        let link = scenario.to_permalink();
        let replayed = run(&Scenario::from_permalink(&link).unwrap_or_else(|e| panic!("{e}")));
        assert!(!replayed.passed());
        let found = replayed.violation.expect("the replay finds the violation");
        assert_eq!(
            (found.property, found.time, found.event),
            (expected.property, expected.time, expected.event),
            "{knobs:?}"
        );
    }
}

//! PreVote (dissertation §9.6), CheckQuorum (§6.2) and leadership transfer (§3.10): each
//! preset shows what the option is for, and the run without it shows the problem; under
//! random faults they stay safe.

use raft_explorer::check::fuzz::{self, FuzzConfig};
use raft_explorer::raft::{Command, RaftOptions, Role, ServerId, Term};
use raft_explorer::scenario::{self, presets, Scenario};
use raft_explorer::sim::{Action, Micros, Sim, SimConfig};

const MS: Micros = 1_000;

fn preset(id: &str) -> Scenario {
    presets::get(id)
        .expect("preset exists")
        .expect("preset parses")
}

fn problems_of(s: &Scenario) -> Vec<String> {
    scenario::run(s).problems()
}

#[test]
fn prevote_keeps_a_rejoining_server_from_deposing_the_leader() {
    let mut s = preset("prevote_rejoin");
    assert_eq!(problems_of(&s), Vec::<String>::new());
    s.cluster.pre_vote = false;
    let problems = problems_of(&s).join("\n");
    assert!(problems.contains("expected S5 in term 1"), "{problems}");
    assert!(problems.contains("expected S1 to be leader"), "{problems}");
}

#[test]
fn check_quorum_makes_a_cut_off_leader_step_down() {
    let mut s = preset("check_quorum");
    assert_eq!(problems_of(&s), Vec::<String>::new());
    s.cluster.check_quorum = false;
    let problems = problems_of(&s).join("\n");
    assert!(
        problems.contains("expected S1 to be follower, it is leader in term 1"),
        "{problems}"
    );
}

#[test]
fn timeout_now_hands_leadership_to_the_chosen_server() {
    let s = preset("leadership_transfer");
    let report = scenario::run_with(&s, &scenario::RunOptions { trace: true });
    assert!(report.passed(), "{:?}", report.problems());
    assert!(report
        .trace
        .iter()
        .any(|l| l.contains("sends it TimeoutNow")));
}

fn sim(check_quorum: bool) -> Sim {
    Sim::new(SimConfig {
        seed: 11,
        raft: RaftOptions {
            check_quorum,
            ..RaftOptions::DEFAULT
        },
        ..SimConfig::default()
    })
}

#[test]
fn a_transfer_to_an_unreachable_server_gives_up_and_the_leader_takes_commands_again() {
    let mut sim = sim(false);
    sim.apply(Action::Timeout {
        server: ServerId(1),
    })
    .unwrap();
    sim.run_until(300 * MS);
    sim.apply(Action::Crash {
        server: ServerId(3),
    })
    .unwrap();
    sim.apply(Action::TransferLeadership { to: ServerId(3) })
        .unwrap();
    sim.run_until(800 * MS);
    assert_eq!(sim.leader(), Some(ServerId(1)), "S1 still leads");
    assert_eq!(sim.server(ServerId(1)).current_term(), Term(1));
    sim.apply(Action::ClientRequest {
        client: None,
        command: Command::Set {
            key: "x".into(),
            value: "1".into(),
        },
        target: Some(ServerId(1)),
    })
    .unwrap();
    sim.run_until(1_200 * MS);
    assert_eq!(
        sim.server(ServerId(1)).kv().get("x").map(String::as_str),
        Some("1"),
        "the transfer was abandoned within an election timeout"
    );
}

#[test]
fn transfer_is_refused_without_a_leader_or_to_the_leader() {
    let mut sim = sim(false);
    let e = sim
        .apply(Action::TransferLeadership { to: ServerId(2) })
        .unwrap_err();
    assert!(e.to_string().contains("no server is leader"), "{e}");
    sim.apply(Action::Timeout {
        server: ServerId(1),
    })
    .unwrap();
    sim.run_until(300 * MS);
    let e = sim
        .apply(Action::TransferLeadership { to: ServerId(1) })
        .unwrap_err();
    assert!(e.to_string().contains("S1 already leads"), "{e}");
}

#[test]
fn a_leader_with_check_quorum_keeps_leading_while_it_hears_from_a_majority() {
    let mut sim = sim(true);
    sim.apply(Action::Timeout {
        server: ServerId(1),
    })
    .unwrap();
    sim.run_until(5_000 * MS);
    assert_eq!(sim.leader(), Some(ServerId(1)));
    assert_eq!(sim.server(ServerId(1)).role(), Role::Leader);
    assert_eq!(sim.server(ServerId(1)).current_term(), Term(1));
}

#[test]
fn prevote_checkquorum_and_transfers_stay_safe_under_random_faults() {
    let mut transfers = 0;
    for seed in 0..60 {
        let config = FuzzConfig::new(seed, 10_000 * MS);
        assert!(config.draws_options());
        let outcome = fuzz::run_seed(&config);
        assert!(!outcome.failed(), "seed {seed}: {:?}", outcome.problem());
        transfers += outcome
            .schedule
            .iter()
            .filter(|(_, a)| matches!(a, Action::TransferLeadership { .. }))
            .count();
    }
    assert!(
        transfers > 10,
        "the nemesis hands leadership over: {transfers}"
    );
    for seed in 0..40 {
        let outcome = fuzz::run_seed(&FuzzConfig {
            random_options: false,
            pre_vote: true,
            check_quorum: true,
            ..FuzzConfig::new(seed, 10_000 * MS)
        });
        assert!(!outcome.failed(), "seed {seed}: {:?}", outcome.problem());
    }
}

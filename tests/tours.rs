//! Every shipped tour (static/tours/*.json) validates, and walked to its end on the real
//! simulator, both by Next and by doing what each step asks, shows what its text says: the
//! expectations among its actions hold, and the only violations are the ones it announces.

use raft_explorer::check::Checker;
use raft_explorer::scenario::runner::step_action;
use raft_explorer::scenario::tour::{Reaction, SHIPPED};
use raft_explorer::scenario::{sim_config, StepAction, Tour, TourRun};
use raft_explorer::sim::{Action, Sim};

/// The shipped tours, or those named in TOURS_ONLY (comma-separated), to work on a few.
fn ids() -> Vec<&'static str> {
    let only = std::env::var("TOURS_ONLY").unwrap_or_default();
    SHIPPED
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| only.is_empty() || only.split(',').any(|o| o == *id))
        .collect()
}

fn load(id: &str) -> Tour {
    let path = format!("{}/static/tours/{id}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Tour::from_json(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Whether some expectation of the tour announces a violation (Figure 3 or linearizability).
fn announces_violation(tour: &Tour) -> bool {
    tour.steps.iter().flat_map(|s| &s.actions).any(|a| {
        matches!(&a.action, StepAction::Expect(e)
            if e.violation.is_some() || e.linearizable == Some(false) || e.no_violation == Some(false))
    })
}

/// Walks `tour` to its end; `by_doing`: at each step that waits for an action, the reader
/// does it (after a wrong action, which must not move the tour on). Returns the simulator.
fn walk(tour: &Tour, by_doing: bool) -> (Sim, Checker, TourRun) {
    let mut sim = Sim::try_new(sim_config(&tour.scenario)).expect("cluster starts");
    let mut checker = Checker::new();
    let mut run = TourRun::start(tour, &mut sim, &mut checker, true);
    loop {
        while !run.run_over {
            let end = run.run_end(tour);
            run.advance(tour, &mut sim, &mut checker, end);
        }
        let step = run.current(tour).clone();
        if let (true, Some(wait)) = (by_doing, &step.wait) {
            let asked = step_action(&sim, wait)
                .unwrap_or_else(|e| {
                    panic!(
                        "{}: step {} asks the impossible: {e}",
                        tour.scenario.name, run.step
                    )
                })
                .expect("an action");
            assert_eq!(
                run.reader_acts(tour, &sim, &Action::SpreadTimers),
                Reaction::Other
            );
            assert_eq!(run.reader_acts(tour, &sim, &asked), Reaction::Asked);
            sim.apply(asked).unwrap_or_else(|e| {
                panic!(
                    "{}: step {}: the asked action fails: {e}",
                    tour.scenario.name, run.step
                )
            });
            checker.observe_sim(&sim);
            let before = run.step;
            run.asked_done(tour, &mut sim, &mut checker);
            if run.step == before {
                break;
            }
        } else if !run.next(tour, &mut sim, &mut checker) {
            break;
        }
    }
    assert_eq!(run.step, tour.steps.len() - 1, "walked to the last step");
    (sim, checker, run)
}

fn check_walk(id: &str, by_doing: bool) {
    let tour = load(id);
    let (sim, checker, run) = walk(&tour, by_doing);
    assert!(
        run.failures.is_empty(),
        "{id} (by_doing {by_doing}): {:#?}",
        run.failures
    );
    let lin = raft_explorer::check::check_history(sim.history());
    if !announces_violation(&tour) {
        assert!(checker.is_clean(), "{id}: {:?}", checker.violation());
        assert!(!lin.is_violation(), "{id}: {lin}");
    }
    if std::env::var("TOUR_DEBUG").is_ok() {
        eprintln!("{id}: leader {:?} at {} ms", sim.leader(), sim.now() / 1000);
    }
}

#[test]
fn the_shipped_list_is_the_files_in_static_tours() {
    let dir = format!("{}/static/tours", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".json").map(str::to_string))
        .collect();
    files.sort();
    let mut listed: Vec<String> = SHIPPED.iter().map(|(id, _)| id.to_string()).collect();
    listed.sort();
    assert_eq!(files, listed);
    for (id, name) in SHIPPED {
        assert_eq!(
            load(id).scenario.name,
            name,
            "{id}: the picker shows the file's name"
        );
    }
}

#[test]
fn every_tour_walks_to_its_end_by_next() {
    for id in ids() {
        check_walk(id, false);
    }
}

#[test]
fn every_tour_walks_to_its_end_by_doing_what_it_asks() {
    for id in ids() {
        check_walk(id, true);
    }
}

#[test]
fn the_course_tours_have_steps_to_do_and_the_show_me_tours_break_raft() {
    let course: Vec<_> = SHIPPED
        .iter()
        .filter(|(id, _)| !id.starts_with("show_"))
        .collect();
    assert!(course.len() >= 8);
    for (id, _) in &course {
        let tour = load(id);
        assert!(tour.steps.len() >= 4, "{id}");
        assert!(
            tour.steps.iter().any(|s| s.wait.is_some()),
            "{id} asks the reader to act"
        );
    }
    for knob in raft_explorer::raft::Knobs::ALL {
        let id = format!("show_{}", knob.name);
        let tour = load(&id);
        assert!(announces_violation(&tour), "{id}");
        let (sim, checker, _) = walk(&tour, false);
        let lin = raft_explorer::check::check_history(sim.history());
        assert!(
            !checker.is_clean() || lin.is_violation(),
            "{id} shows a violation"
        );
    }
}

#[test]
fn back_restores_the_state_the_previous_step_began_with() {
    for id in ids() {
        let tour = load(id);
        let mut sim = Sim::try_new(sim_config(&tour.scenario)).unwrap();
        let mut checker = Checker::new();
        let mut run = TourRun::start(&tour, &mut sim, &mut checker, false);
        let mut began = vec![(sim.now(), sim.events_processed(), sim.view())];
        while run.next(&tour, &mut sim, &mut checker) {
            began.push((sim.now(), sim.events_processed(), sim.view()));
        }
        while run.back(&tour, &mut sim, &mut checker) {
            assert_eq!(
                (sim.now(), sim.events_processed(), sim.view()),
                began[run.step],
                "{id} step {}",
                run.step
            );
        }
    }
}

//! Every preset scenario runs clean: all its own expectations hold, the invariant checker
//! finds nothing and the client history is linearizable.

use raft_explorer::scenario::{presets, run};

#[test]
fn every_preset_passes_its_own_expectations() {
    let mut problems = Vec::new();
    for (id, scenario) in presets::all() {
        let report = run(&scenario);
        for p in report.problems() {
            problems.push(format!("{id}: {p}"));
        }
        assert!(report.events > 0, "{id} ran no events");
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn presets_are_listed_with_unique_ids() {
    let all = presets::all();
    assert_eq!(all.len(), presets::SOURCES.len(), "every preset parses");
    let ids: Vec<&str> = all.iter().map(|(id, _)| *id).collect();
    assert_eq!(duplicates(&ids), Vec::<&str>::new());
}

/// The ids that occur more than once, wherever they are in the list.
fn duplicates<'a>(ids: &[&'a str]) -> Vec<&'a str> {
    let mut seen = std::collections::BTreeSet::new();
    ids.iter().copied().filter(|id| !seen.insert(*id)).collect()
}

#[test]
fn duplicate_ids_are_found_even_when_not_adjacent() {
    // `dedup()` on this unsorted list removes nothing: the check used to pass it.
    assert_eq!(
        duplicates(&["figure8", "split_vote", "figure8"]),
        ["figure8"]
    );
    assert!(duplicates(&["figure8", "split_vote"]).is_empty());
}

#[test]
fn the_documented_example_is_valid_and_passes() {
    let doc = include_str!("../docs/SCENARIOS.md");
    let start = doc
        .find("```json\n")
        .expect("docs/SCENARIOS.md has a JSON example")
        + "```json\n".len();
    let end = start + doc[start..].find("```").expect("the example block ends");
    let scenario = raft_explorer::scenario::Scenario::from_json(&doc[start..end])
        .unwrap_or_else(|e| panic!("{e}"));
    let report = run(&scenario);
    assert!(report.passed(), "{:?}", report.problems());
}

#[test]
fn every_preset_is_written_back_step_for_step_as_in_its_file() {
    // Steps are written as the file has them: one flat object tagged by "action".
    for (id, text) in presets::SOURCES {
        let scenario = raft_explorer::scenario::Scenario::from_json(text)
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        let written = scenario.to_json();
        let steps = |json: &str| {
            let value: serde_json::Value = serde_json::from_str(json).unwrap();
            value["steps"].clone()
        };
        assert_eq!(steps(&written), steps(text), "{id}");
        let again = raft_explorer::scenario::Scenario::from_json(&written)
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(again, scenario, "{id}");
    }
}

//! The built-in scenarios, compiled in from `presets/*.json`.

use super::format::{Scenario, ScenarioError};

/// (id, file text) of every preset, in the order the page lists them.
pub const SOURCES: [(&str, &str); 7] = [
    (
        "leader_election",
        include_str!("presets/leader_election.json"),
    ),
    ("leader_crash", include_str!("presets/leader_crash.json")),
    ("split_vote", include_str!("presets/split_vote.json")),
    (
        "log_replication",
        include_str!("presets/log_replication.json"),
    ),
    (
        "partition_two_leaders",
        include_str!("presets/partition_two_leaders.json"),
    ),
    ("figure8", include_str!("presets/figure8.json")),
    (
        "follower_catch_up",
        include_str!("presets/follower_catch_up.json"),
    ),
];

/// Every preset, parsed. A preset that fails to parse is a bug caught by the tests; here it
/// is skipped rather than crashing the page.
pub fn all() -> Vec<(&'static str, Scenario)> {
    SOURCES
        .iter()
        .filter_map(|(id, text)| Scenario::from_json(text).ok().map(|s| (*id, s)))
        .collect()
}

/// One preset by id.
pub fn get(id: &str) -> Option<Result<Scenario, ScenarioError>> {
    SOURCES
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, text)| Scenario::from_json(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses() {
        for (id, text) in SOURCES {
            if let Err(e) = Scenario::from_json(text) {
                panic!("preset {id}: {e}");
            }
        }
        assert_eq!(all().len(), SOURCES.len());
    }
}

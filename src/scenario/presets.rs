//! The built-in scenarios, compiled in from `presets/*.json`.

use super::format::{Scenario, ScenarioError};

/// Declares the presets once, in the order the page lists them: `IDS` and `SOURCES` (the page
/// parses them at start with `all`).
macro_rules! presets {
    ($($id:literal),* $(,)?) => {
        /// The id (file name) of every preset, in the order the page lists them.
        pub const IDS: [&str; [$($id),*].len()] = [$($id),*];

        /// (id, file text) of every preset, in the order the page lists them.
        pub const SOURCES: [(&str, &str); IDS.len()] =
            [$(($id, include_str!(concat!("presets/", $id, ".json")))),*];
    };
}

presets![
    "leader_election",
    "leader_crash",
    "split_vote",
    "log_replication",
    "partition_two_leaders",
    "figure8",
    "follower_catch_up",
    "read_index",
    "lease_reads",
    "prevote_rejoin",
    "check_quorum",
    "leadership_transfer",
    "snapshot_catch_up",
    "membership_change",
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

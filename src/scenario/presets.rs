//! The built-in scenarios, compiled in from `presets/*.json`.

use super::format::{Scenario, ScenarioError};

/// Declares the presets once, in the order the page lists them: `IDS`, `NAMES` and `SOURCES`.
macro_rules! presets {
    ($(($id:literal, $name:literal)),* $(,)?) => {
        /// The id (file name) of every preset, in the order the page lists them.
        pub const IDS: [&str; [$($id),*].len()] = [$($id),*];

        /// (id, name) of every preset, in the order the page lists them: the page's picker
        /// shows them without parsing any file (a preset is parsed when it is chosen). Each
        /// name is its file's own (`every_preset_parses` checks).
        pub const NAMES: [(&str, &str); IDS.len()] = [$(($id, $name)),*];

        /// (id, file text) of every preset, in the order the page lists them.
        pub const SOURCES: [(&str, &str); IDS.len()] =
            [$(($id, include_str!(concat!("presets/", $id, ".json")))),*];
    };
}

presets![
    ("leader_election", "Leader election"),
    ("leader_crash", "Leader crash"),
    ("split_vote", "Split vote"),
    ("log_replication", "Log replication"),
    ("partition_two_leaders", "Partition: two leaders, then heal"),
    (
        "figure8",
        "Figure 8: why a leader only counts replicas of its own term"
    ),
    ("follower_catch_up", "Follower catch-up after a long crash"),
    ("read_index", "Safe reads: a deposed leader must not answer"),
    ("lease_reads", "Lease reads and clock drift"),
    ("prevote_rejoin", "PreVote: a rejoining server stays quiet"),
    ("check_quorum", "CheckQuorum: a cut-off leader steps down"),
    ("leadership_transfer", "Leadership transfer: TimeoutNow"),
    (
        "snapshot_catch_up",
        "Snapshots: a lagging follower catches up by InstallSnapshot"
    ),
    (
        "membership_change",
        "Membership change: grow to five, remove the leader"
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
        for ((id, text), (_, name)) in SOURCES.iter().zip(NAMES) {
            match Scenario::from_json(text) {
                Ok(scenario) => assert_eq!(scenario.name, name, "preset {id}: NAMES"),
                Err(e) => panic!("preset {id}: {e}"),
            }
        }
        assert_eq!(NAMES.map(|(id, _)| id), IDS);
        assert_eq!(all().len(), SOURCES.len());
    }
}

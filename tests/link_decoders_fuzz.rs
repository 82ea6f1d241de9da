//! The link and scenario decoders are fed random and mutated input and never panic: every
//! outcome is a value or a `ScenarioError` (120,000 cases in all, a few seconds).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use raft_explorer::raft::types::{Command, ServerId};
use raft_explorer::scenario::permalink::SharedRun;
use raft_explorer::scenario::{presets, Scenario};
use raft_explorer::sim::{Action, RecordedAction};
use std::sync::LazyLock;

const CASES: u32 = 30_000;

/// A real run's link, a preset's file and the run's JSON, to mutate (made once).
fn samples() -> &'static (String, String, String) {
    static SAMPLES: LazyLock<(String, String, String)> = LazyLock::new(make_samples);
    &SAMPLES
}

/// A preset with a few actions.
fn make_samples() -> (String, String, String) {
    let (id, scenario) = presets::all().into_iter().nth(2).expect("a preset");
    let json = scenario.to_json();
    let run = SharedRun {
        preset: Some(id.to_string()),
        actions: vec![
            RecordedAction {
                time: 1_000_000,
                after_events: 30,
                action: Action::Crash {
                    server: ServerId(1),
                },
            },
            RecordedAction {
                time: 2_500_000,
                after_events: 90,
                action: Action::ClientRequest {
                    client: None,
                    command: Command::Set {
                        key: "x".into(),
                        value: "1".into(),
                    },
                    target: None,
                },
            },
        ],
        at_us: 3_000_000,
        ..SharedRun::of(scenario)
    };
    (
        run.to_link(),
        json,
        serde_json::to_string(&run).unwrap_or_default(),
    )
}

/// `text` with bytes overwritten, inserted or removed at the given places.
fn mutate(text: &str, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for &(at, byte, how) in edits {
        if bytes.is_empty() {
            bytes.push(byte);
            continue;
        }
        let at = at % bytes.len();
        match how % 3 {
            0 => bytes[at] = byte,
            1 => bytes.insert(at, byte),
            _ => {
                bytes.remove(at);
            }
        }
    }
    bytes
}

fn edits() -> impl Strategy<Value = Vec<(usize, u8, u8)>> {
    prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic_the_link_reader(bytes in prop::collection::vec(any::<u8>(), 0..200), v2 in any::<bool>()) {
        let body = String::from_utf8_lossy(&bytes);
        let _ = SharedRun::from_link(&format!("{}{body}", if v2 { "v2." } else { "v1." }));
        let _ = Scenario::from_json(&body);
    }

    #[test]
    fn mutated_links_never_panic_the_link_reader(edits in edits()) {
        let (link, _, _) = samples();
        let mutated = mutate(link, &edits);
        let _ = SharedRun::from_link(&String::from_utf8_lossy(&mutated));
    }

    /// Mutations inside the compressed JSON, so that they reach the JSON and scenario readers.
    #[test]
    fn mutated_run_json_never_panics_the_link_reader(edits in edits()) {
        let (_, _, run_json) = samples();
        let mutated = mutate(run_json, &edits);
        let deflated = miniz_oxide::deflate::compress_to_vec(&mutated, 1);
        use base64::Engine;
        let link = format!("v2.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(deflated));
        let _ = SharedRun::from_link(&link);
    }

    #[test]
    fn mutated_scenario_files_never_panic_the_scenario_reader(edits in edits()) {
        let (_, json, _) = samples();
        let mutated = mutate(json, &edits);
        if let Ok(scenario) = Scenario::from_json(&String::from_utf8_lossy(&mutated)) {
            // What is read is valid, and written back it reads the same.
            prop_assert_eq!(Scenario::from_json(&scenario.to_json()), Ok(scenario));
        }
    }
}

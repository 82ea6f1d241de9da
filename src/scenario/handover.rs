//! The handover: how the lite page (the sandbox, built without the scenario code) passes the
//! run on screen to the full page when the reader asks for something only the full page does
//! (Share, import). The lite page writes it into the tab's `sessionStorage` under [`KEY`] (or,
//! without one, into the tab's `window.name`: [`as_window_name`]) and goes to
//! `full/?handover`; the full page takes it out, rebuilds the same run (same configuration +
//! same action log = the same run, event for event: `Sim::replay`), shows it paused at
//! `at_us` and then does what was asked ([`Then`]).
//!
//! It is a Share link's run without the scenario: the configuration as the simulator has it
//! (`SimConfig`, as serde writes it) instead of a scenario, and no preset steps (the lite page
//! has no presets). Only the page writes it, but the full page reads it as it reads a link:
//! strictly, and a damaged one is an error, never a panic.

use super::format::ScenarioError;
use super::permalink::check_log;
use crate::sim::{Micros, RecordedAction, Sim, SimConfig};
use serde::{Deserialize, Serialize};

/// The `sessionStorage` key the handover travels under (one tab, one page to the next).
pub const KEY: &str = "raft-explorer.handover";

/// Where a tab keeps no session storage (a sandboxed iframe without `allow-same-origin`,
/// storage switched off: reading `window.sessionStorage` throws or gives null), the handover
/// travels in the tab's `window.name` instead, which also survives a navigation (but is not
/// kept per site: another site can set it, so it is read as strictly as a link): its JSON
/// after [`KEY`] and a colon, so that a name the page did not write is never read as a run.
/// The full page reads it and clears it; the sandbox drops one it finds.
pub fn as_window_name(json: &str) -> String {
    format!("{KEY}:{json}")
}

/// The handover's JSON in a `window.name` written by [`as_window_name`], if it is one.
pub fn from_window_name(name: &str) -> Option<&str> {
    name.strip_prefix(KEY)?.strip_prefix(':')
}

/// The handover's format version (`version`).
pub const VERSION: u32 = 1;

/// What the full page does once the run is rebuilt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Then {
    /// Open the Share dialog (the lite page's Share button or S).
    Share,
    /// Read `file` as a scenario file, as the import does (a picked or dropped file).
    Import,
}

/// The run on screen, handed from the lite page to the full page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handover {
    /// [`VERSION`].
    pub version: u32,
    /// The configuration the run started from (seed included).
    pub config: SimConfig,
    /// Every action applied, with its exact time and queue position (`Sim::actions`).
    pub actions: Vec<RecordedAction>,
    /// The moment shown (µs of simulated time): the full page opens paused there.
    pub at_us: Micros,
    pub then: Then,
    /// The text of the file to import (`Then::Import`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The file's name, for the import's notice ("Loaded … from NAME").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}

impl Handover {
    /// The run of `sim` (started from `config`), shown at `sim.now()`, to do `then` with.
    pub fn of(config: &SimConfig, sim: &Sim, then: Then) -> Handover {
        Handover {
            version: VERSION,
            config: config.clone(),
            actions: sim.actions().to_vec(),
            at_us: sim.now(),
            then,
            file: None,
            file_name: None,
        }
    }

    /// The JSON the lite page stores.
    pub fn to_json(&self) -> String {
        // Plain data (numbers, strings, enums): serde_json cannot fail on it.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a stored handover, strictly: the version, the configuration (`SimConfig::validate`)
    /// and the action log (in order, within the simulator's limits, naming only servers the
    /// run can have: `check_log`) are checked. What the run keeps of itself (trace, time
    /// travel's checkpoints and memory) is `page`'s, whatever the handover says
    /// (`SimConfig::with_memory_of`): another site can write a tab's `window.name`, and a
    /// link cannot set those either.
    pub fn from_json(text: &str, page: &SimConfig) -> Result<Handover, ScenarioError> {
        let damaged = |e: serde_json::Error| {
            ScenarioError::top(None, format!("the handed-over run is damaged: {e}"))
        };
        // Through a JSON value, as a link's actions are read (`SharedRun::from_json`): the
        // page then carries one reader of the action log, not a second one for text.
        let value: serde_json::Value = serde_json::from_str(text).map_err(damaged)?;
        let mut handover: Handover = serde_json::from_value(value).map_err(damaged)?;
        handover.config = handover.config.with_memory_of(page);
        if handover.version != VERSION {
            return Err(ScenarioError::top(
                Some("version".into()),
                format!(
                    "version {} is not one this page reads ({VERSION})",
                    handover.version
                ),
            ));
        }
        handover
            .config
            .validate()
            .map_err(|e| ScenarioError::top(Some("config".into()), e.to_string()))?;
        check_log(&handover.actions, handover.at_us, handover.config.servers)?;
        if handover.then == Then::Import && handover.file.is_none() {
            return Err(ScenarioError::top(
                Some("file".into()),
                "an import without a file",
            ));
        }
        Ok(handover)
    }

    /// A simulator that replays the handed-over run as time advances (to be run on to
    /// `at_us`; the actions recorded after it stay its recorded future).
    pub fn replay(&self) -> Result<Sim, ScenarioError> {
        Sim::replay(self.config.clone(), self.actions.clone())
            .map_err(|e| ScenarioError::top(Some("actions".into()), e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raft::types::ServerId;
    use crate::sim::Action;

    /// A run as the page makes it: its configuration (narrated trace kept, time travel on),
    /// a few actions of the reader at their moments, shown at 9 s.
    fn a_page_run() -> (SimConfig, Sim) {
        let config = SimConfig {
            seed: 42,
            trace_capacity: 2000,
            ..SimConfig::default()
        };
        let mut sim = Sim::new(config.clone());
        let plan = [
            (
                2_500_000,
                Action::Crash {
                    server: ServerId(1),
                },
            ),
            (
                4_000_000,
                Action::ClientRequest {
                    client: None,
                    command: "SET x 1".parse().expect("a command"),
                    target: None,
                },
            ),
            (
                6_000_000,
                Action::Restart {
                    server: ServerId(1),
                },
            ),
            (
                7_000_000,
                Action::Partition {
                    groups: vec![
                        vec![ServerId(1), ServerId(2)],
                        vec![ServerId(3), ServerId(4), ServerId(5)],
                    ],
                },
            ),
        ];
        for (at, action) in plan {
            sim.run_until(at);
            sim.apply(action).expect("the action applies");
        }
        sim.run_until(9_000_000);
        (config, sim)
    }

    #[test]
    fn a_handover_read_back_rebuilds_the_same_run_event_for_event() {
        let (config, sim) = a_page_run();
        let handover = Handover::of(&config, &sim, Then::Share);
        let read = Handover::from_json(&handover.to_json(), &config).expect("reads");
        assert_eq!(read, handover);
        let mut rebuilt = read.replay().expect("replays");
        rebuilt.run_until(read.at_us);
        assert_eq!(rebuilt.now(), sim.now());
        assert_eq!(rebuilt.trace(), sim.trace(), "the same narrated events");
        assert_eq!(rebuilt.view(), sim.view(), "the same state at at_us");
        assert_eq!(rebuilt.actions(), sim.actions());
    }

    #[test]
    fn a_run_shown_in_its_past_is_handed_over_with_its_recorded_future() {
        let (config, mut sim) = a_page_run();
        sim.rewind_to(5_000_000).expect("rewinds");
        let handover = Handover::of(&config, &sim, Then::Share);
        assert_eq!(handover.at_us, 5_000_000);
        let mut rebuilt = Handover::from_json(&handover.to_json(), &config)
            .and_then(|h| h.replay())
            .expect("reads and replays");
        rebuilt.run_until(5_000_000);
        assert_eq!(rebuilt.view(), sim.view(), "the same state at at_us");
        // On to the end of the recorded run: the same future.
        rebuilt.run_until(9_000_000);
        sim.run_until(9_000_000);
        assert_eq!(rebuilt.trace(), sim.trace());
    }

    #[test]
    fn a_handover_keeps_the_memory_the_page_gives_not_the_one_it_carries() {
        // Another site can plant a handover in a tab's name, with what a link cannot carry:
        // a trace kept without end, a checkpoint every microsecond, no memory bound.
        let (config, sim) = a_page_run();
        let planted = Handover {
            config: SimConfig {
                trace_capacity: usize::MAX,
                checkpoint_interval: 1,
                max_checkpoints: usize::MAX,
                time_travel_budget_bytes: usize::MAX,
                ..config.clone()
            },
            ..Handover::of(&config, &sim, Then::Share)
        };
        let page = SimConfig {
            trace_capacity: 2000,
            ..SimConfig::default()
        };
        let read = Handover::from_json(&planted.to_json(), &page).expect("reads");
        assert_eq!(read.config, config.clone().with_memory_of(&page));
        assert_eq!(
            (
                read.config.trace_capacity,
                read.config.checkpoint_interval,
                read.config.max_checkpoints,
                read.config.time_travel_budget_bytes
            ),
            (
                2000,
                page.checkpoint_interval,
                page.max_checkpoints,
                page.time_travel_budget_bytes
            )
        );
        // The rest of the configuration is the run's: the same run, event for event.
        let mut rebuilt = read.replay().expect("replays");
        rebuilt.run_until(read.at_us);
        assert_eq!(rebuilt.view(), sim.view());
        assert!(rebuilt.checkpoint_count() <= page.max_checkpoints);
    }

    #[test]
    fn an_import_carries_its_file_and_its_name() {
        let (config, sim) = a_page_run();
        let handover = Handover {
            file: Some("{\"not\": \"checked here\"}".into()),
            file_name: Some("mine.json".into()),
            ..Handover::of(&config, &sim, Then::Import)
        };
        let json = handover.to_json();
        assert!(json.contains("\"then\":\"import\""), "{json}");
        assert_eq!(Handover::from_json(&json, &config), Ok(handover));
    }

    #[test]
    fn a_handover_in_the_tab_name_is_read_back_and_no_other_name_is() {
        let (config, sim) = a_page_run();
        let json = Handover::of(&config, &sim, Then::Share).to_json();
        let name = as_window_name(&json);
        assert_eq!(from_window_name(&name), Some(json.as_str()));
        // A name the page did not write (another page's, none) carries no run.
        for name in [
            "",
            "raft-explorer.handover",
            "my-window",
            &json,
            &format!("x{name}"),
        ] {
            assert_eq!(from_window_name(name), None, "{name}");
        }
    }

    #[test]
    fn damaged_handovers_are_errors_not_panics() {
        let (config, sim) = a_page_run();
        let good = Handover::of(&config, &sim, Then::Share);
        let error = |text: &str| Handover::from_json(text, &config).unwrap_err();
        // Not JSON, cut short, not an object, empty.
        for text in ["", "null", "[1,2]", "{", "not json", &good.to_json()[..40]] {
            assert!(
                error(text).message.contains("damaged"),
                "{text}: {}",
                error(text)
            );
        }
        // Another version.
        let json = good.to_json().replace("\"version\":1", "\"version\":7");
        assert_eq!(error(&json).field.as_deref(), Some("version"));
        // Unknown fields, an unknown `then`.
        let json = good.to_json().replace("\"then\"", "\"bogus\":1,\"then\"");
        assert!(error(&json).message.contains("bogus"), "{}", error(&json));
        let json = good.to_json().replace("\"share\"", "\"dance\"");
        assert!(error(&json).message.contains("dance"), "{}", error(&json));
        // A configuration the simulator refuses.
        let bad = Handover {
            config: SimConfig {
                servers: 40,
                ..config.clone()
            },
            ..good.clone()
        };
        assert_eq!(error(&bad.to_json()).field.as_deref(), Some("config"));
        // A log out of order, a moment beyond the longest run.
        let mut bad = good.clone();
        bad.actions.swap(0, 1);
        assert_eq!(error(&bad.to_json()).field.as_deref(), Some("actions[1]"));
        let bad = Handover {
            at_us: Micros::MAX,
            ..good.clone()
        };
        assert_eq!(error(&bad.to_json()).field.as_deref(), Some("at_us"));
        // An import without its file.
        let bad = Handover {
            then: Then::Import,
            ..good
        };
        assert_eq!(error(&bad.to_json()).field.as_deref(), Some("file"));
    }
}

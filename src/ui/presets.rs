//! The scenario presets (the files in src/scenario/presets/, read by `scenario::presets`),
//! and how their steps become simulator actions while the page plays them.

use crate::scenario::{ClusterSpec, Scenario, FORMAT_VERSION};
use crate::sim::SimConfig;
use std::cell::OnceCell;

/// A preset: its id and name, and its scenario, parsed the first time it is needed (the page
/// starts without parsing any: the picker lists `scenario::presets::NAMES`).
#[derive(Clone, Debug)]
pub struct Preset {
    pub id: &'static str,
    pub name: String,
    /// The file's text, for a built-in preset (None: `scenario` was given).
    source: Option<&'static str>,
    scenario: OnceCell<Scenario>,
}

impl Preset {
    /// A scenario that is already read (from a file or a link) kept as a preset.
    pub fn of(id: &'static str, scenario: Scenario) -> Preset {
        Preset {
            id,
            name: scenario.name.clone(),
            source: None,
            scenario: OnceCell::from(scenario),
        }
    }

    /// The scenario, read by `Scenario::from_json` the first time it is asked for. A built-in
    /// preset that does not parse is a bug the tests catch (`every_preset_parses`); the page
    /// then shows an empty run whose caption says why, rather than stopping.
    pub fn scenario(&self) -> &Scenario {
        self.scenario.get_or_init(|| {
            Scenario::from_json(self.source.unwrap_or_default()).unwrap_or_else(|e| Scenario {
                version: FORMAT_VERSION,
                name: self.name.clone(),
                description: format!("This preset could not be read: {e}"),
                seed: 0,
                cluster: ClusterSpec::default(),
                end_ms: None,
                steps: Vec::new(),
            })
        })
    }
}

/// Every preset of `scenario::presets::IDS`, in that order, none parsed yet.
pub fn all() -> Vec<Preset> {
    let sources = crate::scenario::presets::SOURCES;
    crate::scenario::presets::NAMES
        .iter()
        .zip(sources)
        .map(|(&(id, name), (_, text))| Preset {
            id,
            name: name.into(),
            source: Some(text),
            scenario: OnceCell::new(),
        })
        .collect()
}

/// What the page keeps of any run it shows (the narrated trace, time travel's checkpoints and
/// their memory): a link carries none of it, and a handover's is replaced by it
/// (`SimConfig::with_memory_of`).
pub fn page_memory() -> SimConfig {
    SimConfig {
        trace_capacity: 2000,
        ..SimConfig::default()
    }
}

/// The simulator configuration a scenario describes, for interactive use (narrated trace
/// kept, time travel on).
pub fn sim_config(s: &Scenario) -> SimConfig {
    crate::scenario::sim_config(s).with_memory_of(&page_memory())
}

/// The action a step stands for now (None for expectations, which the page does not judge):
/// the scenario runner's own conversion, so a preset behaves as in `raftsim run`.
pub use crate::scenario::runner::step_action;

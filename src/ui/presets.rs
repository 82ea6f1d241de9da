//! The scenario presets (the files in src/scenario/presets/, read by `scenario::presets`),
//! and how their steps become simulator actions while the page plays them.

use crate::scenario::Scenario;
use crate::sim::SimConfig;

/// A preset, parsed.
#[derive(Clone, Debug)]
pub struct Preset {
    pub id: &'static str,
    pub scenario: Scenario,
}

/// Every preset of `scenario::presets::IDS`, in that order, parsed by `Scenario::from_json`
/// as the page starts (the native tests check that every file parses).
pub fn all() -> Vec<Preset> {
    crate::scenario::presets::all()
        .into_iter()
        .map(|(id, scenario)| Preset { id, scenario })
        .collect()
}

/// The simulator configuration a scenario describes, for interactive use (narrated trace
/// kept, time travel on).
pub fn sim_config(s: &Scenario) -> SimConfig {
    SimConfig {
        trace_capacity: 2000,
        checkpoint_interval: SimConfig::default().checkpoint_interval,
        max_checkpoints: SimConfig::default().max_checkpoints,
        ..crate::scenario::sim_config(s)
    }
}

/// The action a step stands for now (None for expectations, which the page does not judge):
/// the scenario runner's own conversion, so a preset behaves as in `raftsim run`.
pub use crate::scenario::runner::step_action;

//! Layer 4: the documented scenario / permalink format, presets and validation.

pub mod format;
pub mod from_fuzz;
pub mod handover;
pub mod permalink;
pub mod presets;
pub mod runner;
pub mod tour;

pub use format::{
    ClusterSpec, Expectation, Scenario, ScenarioError, Step, StepAction, FORMAT_VERSION,
};
pub use from_fuzz::scenario_from_fuzz;
pub use runner::{run, run_with, sim_config, Failure, Player, Report, RunOptions};
pub use tour::{Lit, Reaction, Stop, Tour, TourRun, TourStep};

//! Layer 4: the documented scenario / permalink format, presets and validation.

pub mod format;
pub mod permalink;
pub mod presets;
pub mod runner;

pub use format::{
    ClusterSpec, Expectation, KnobsSpec, Scenario, ScenarioError, Step, StepAction, FORMAT_VERSION,
};
pub use runner::{run, run_with, sim_config, Failure, Report, RunOptions};

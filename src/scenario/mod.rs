//! Layer 4: the documented scenario / permalink format, presets and validation.

pub mod format;

pub use format::{
    ClusterSpec, Expectation, KnobsSpec, Scenario, ScenarioError, Step, StepAction, FORMAT_VERSION,
};

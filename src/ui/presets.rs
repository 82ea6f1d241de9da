//! The scenario presets (the files in src/scenario/presets/, written as static data by
//! build.rs), and how their steps become simulator actions while the page plays them.

use crate::scenario::{ClusterSpec, Expectation, Scenario, Step, StepAction};
use crate::sim::SimConfig;

/// A preset, parsed.
#[derive(Clone, Debug)]
pub struct Preset {
    pub id: &'static str,
    pub scenario: Scenario,
}

/// A preset as build.rs writes it from its file: static data, so the page carries neither the
/// JSON text nor a reader for it. Expectations keep only their time and note (the page
/// narrates instead of judging).
struct RawPreset {
    id: &'static str,
    version: u32,
    name: &'static str,
    description: &'static str,
    seed: u64,
    end_ms: Option<u64>,
    cluster: ClusterSpec,
    steps: &'static [RawStep],
}

struct RawStep {
    at_ms: u64,
    note: Option<&'static str>,
    action: RawAction,
}

/// `StepAction` with static text. (Not every action occurs in the current files.)
#[allow(dead_code)]
enum RawAction {
    ClientRequest(&'static str, Option<&'static str>),
    Crash(&'static str),
    Restart(&'static str),
    Timeout(&'static str),
    Pause(&'static str),
    Resume(&'static str),
    Partition(&'static [&'static [&'static str]]),
    Cut(&'static str, &'static str),
    Heal,
    SpreadTimers,
    AlignTimers,
    SetLoss(f64),
    SetDuplication(f64),
    TransferLeadership(&'static str),
    Expect,
}

// `static RAW: [RawPreset; N]`, one per file in src/scenario/presets/.
include!(concat!(env!("OUT_DIR"), "/presets.rs"));

fn text(s: &str) -> String {
    s.to_string()
}

fn step(s: &RawStep) -> Step {
    let action = match s.action {
        RawAction::ClientRequest(command, server) => StepAction::ClientRequest {
            command: text(command),
            server: server.map(text),
        },
        RawAction::Crash(server) => StepAction::Crash {
            server: text(server),
        },
        RawAction::Restart(server) => StepAction::Restart {
            server: text(server),
        },
        RawAction::Timeout(server) => StepAction::Timeout {
            server: text(server),
        },
        RawAction::Pause(server) => StepAction::Pause {
            server: text(server),
        },
        RawAction::Resume(server) => StepAction::Resume {
            server: text(server),
        },
        RawAction::Partition(groups) => StepAction::Partition {
            groups: groups
                .iter()
                .map(|g| g.iter().copied().map(text).collect())
                .collect(),
        },
        RawAction::Cut(from, to) => StepAction::Cut {
            from: text(from),
            to: text(to),
        },
        RawAction::Heal => StepAction::Heal,
        RawAction::SpreadTimers => StepAction::SpreadTimers,
        RawAction::AlignTimers => StepAction::AlignTimers,
        RawAction::SetLoss(p) => StepAction::SetLoss { p },
        RawAction::SetDuplication(p) => StepAction::SetDuplication { p },
        RawAction::TransferLeadership(to) => StepAction::TransferLeadership { to: text(to) },
        RawAction::Expect => StepAction::Expect(Expectation::default()),
    };
    Step {
        at_ms: s.at_ms,
        note: s.note.map(text),
        action,
    }
}

/// Every preset of `scenario::presets::IDS`, in that order.
pub fn all() -> Vec<Preset> {
    crate::scenario::presets::IDS
        .iter()
        .filter_map(|id| RAW.iter().find(|p| p.id == *id))
        .map(|p| Preset {
            id: p.id,
            scenario: Scenario {
                version: p.version,
                name: text(p.name),
                description: text(p.description),
                seed: p.seed,
                cluster: p.cluster.clone(),
                end_ms: p.end_ms,
                steps: p.steps.iter().map(step).collect(),
            },
        })
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

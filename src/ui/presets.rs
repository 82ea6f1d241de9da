//! The scenario presets (files of branch `check`), and how their steps become simulator
//! actions while the page plays them.

use crate::raft::types::{Command, ServerId};
use crate::scenario::format::parse_server_number;
use crate::scenario::{Scenario, StepAction};
use crate::sim::{Action, Sim, SimConfig};

/// A preset, parsed.
#[derive(Clone, Debug)]
pub struct Preset {
    pub id: &'static str,
    pub scenario: Scenario,
}

/// Every preset of branch `check` that parses (a broken file is skipped, never a panic).
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

fn server(sim: &Sim, name: &str) -> Result<ServerId, String> {
    if name == "leader" {
        return sim
            .leader()
            .ok_or_else(|| "there is no leader at this moment".to_string());
    }
    parse_server_number(name)
        .map(ServerId)
        .ok_or_else(|| format!("unknown server \"{name}\""))
}

/// The action a step stands for now (None for expectations, which the page does not judge).
pub fn step_action(sim: &Sim, step: &StepAction) -> Result<Option<Action>, String> {
    Ok(Some(match step {
        StepAction::ClientRequest { command, server: s } => Action::ClientRequest {
            client: None,
            command: command.parse::<Command>().map_err(|e| e.0)?,
            target: match s {
                Some(name) => Some(server(sim, name)?),
                None => None,
            },
        },
        StepAction::Crash { server: s } => Action::Crash {
            server: server(sim, s)?,
        },
        StepAction::Restart { server: s } => Action::Restart {
            server: server(sim, s)?,
        },
        StepAction::Timeout { server: s } => Action::Timeout {
            server: server(sim, s)?,
        },
        StepAction::Pause { server: s } => Action::Pause {
            server: server(sim, s)?,
        },
        StepAction::Resume { server: s } => Action::Resume {
            server: server(sim, s)?,
        },
        StepAction::Partition { groups } => Action::Partition {
            groups: groups
                .iter()
                .map(|g| {
                    g.iter()
                        .map(|n| server(sim, n))
                        .collect::<Result<Vec<_>, _>>()
                })
                .collect::<Result<Vec<_>, _>>()?,
        },
        StepAction::Cut { from, to } => Action::Cut {
            from: server(sim, from)?,
            to: server(sim, to)?,
        },
        StepAction::Heal => Action::Heal,
        StepAction::SetLoss { p } => Action::SetLoss { probability: *p },
        StepAction::SetDuplication { p } => Action::SetDuplication { probability: *p },
        StepAction::Expect(_) => return Ok(None),
    }))
}

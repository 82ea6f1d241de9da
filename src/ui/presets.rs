//! The scenario presets (files of branch `check`), and how their steps become simulator
//! actions while the page plays them.

use crate::raft::types::{Command, ServerId};
use crate::raft::{Knobs, RaftOptions};
use crate::scenario::format::parse_server_number;
use crate::scenario::{Scenario, StepAction};
use crate::sim::{Action, Sim, SimConfig};

/// (file stem, JSON) of every preset, in the picker's order.
const FILES: [(&str, &str); 7] = [
    (
        "leader_election",
        include_str!("../scenario/presets/leader_election.json"),
    ),
    (
        "leader_crash",
        include_str!("../scenario/presets/leader_crash.json"),
    ),
    (
        "split_vote",
        include_str!("../scenario/presets/split_vote.json"),
    ),
    (
        "log_replication",
        include_str!("../scenario/presets/log_replication.json"),
    ),
    (
        "partition_two_leaders",
        include_str!("../scenario/presets/partition_two_leaders.json"),
    ),
    ("figure8", include_str!("../scenario/presets/figure8.json")),
    (
        "follower_catch_up",
        include_str!("../scenario/presets/follower_catch_up.json"),
    ),
];

/// A preset, parsed.
#[derive(Clone, Debug)]
pub struct Preset {
    pub id: &'static str,
    pub scenario: Scenario,
}

/// Every preset that parses (a broken file is skipped, never a panic).
pub fn all() -> Vec<Preset> {
    FILES
        .iter()
        .filter_map(|(id, json)| {
            Scenario::from_json(json)
                .ok()
                .map(|scenario| Preset { id, scenario })
        })
        .collect()
}

/// The simulator configuration a scenario describes, for interactive use (trace kept, time
/// travel on).
pub fn sim_config(s: &Scenario) -> SimConfig {
    let c = &s.cluster;
    let k = &c.knobs;
    SimConfig {
        seed: s.seed,
        servers: c.servers,
        election_timeout_min: c.election_timeout_ms[0] * 1000,
        election_timeout_max: c.election_timeout_ms[1] * 1000,
        heartbeat_interval: c.heartbeat_ms * 1000,
        latency_min: c.latency_ms[0] * 1000,
        latency_max: c.latency_ms[1] * 1000,
        loss_probability: c.loss,
        duplicate_probability: c.duplication,
        client_timeout: c.client_timeout_ms * 1000,
        raft: RaftOptions {
            fast_backup: c.fast_backup,
            noop_on_election: c.noop_on_election,
            knobs: Knobs {
                forget_vote_on_restart: k.forget_vote_on_restart,
                commit_old_term_by_counting: k.commit_old_term_by_counting,
                skip_election_restriction: k.skip_election_restriction,
                stale_local_reads: k.stale_local_reads,
            },
        },
        ..SimConfig::default()
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

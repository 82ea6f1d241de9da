//! A fuzz run (seed, options, nemesis schedule) written as a scenario file, so a failure found
//! by `raftsim check` can be replayed with `raftsim run`, opened in the page, or shared as a
//! permalink.

use super::format::{ClusterSpec, Expectation, Scenario, Step, StepAction, FORMAT_VERSION};
use crate::check::fuzz::FuzzConfig;
use crate::sim::{Action, Micros};

fn name(s: crate::raft::ServerId) -> String {
    format!("S{}", s.0)
}

/// The scenario step for a nemesis action (None for actions scenarios cannot express).
pub fn step_for(time: Micros, action: &Action) -> Option<Step> {
    let action = match action {
        Action::Crash { server } => StepAction::Crash {
            server: name(*server),
        },
        Action::Restart { server } => StepAction::Restart {
            server: name(*server),
        },
        Action::Timeout { server } => StepAction::Timeout {
            server: name(*server),
        },
        Action::Pause { server } => StepAction::Pause {
            server: name(*server),
        },
        Action::Resume { server } => StepAction::Resume {
            server: name(*server),
        },
        Action::Partition { groups } => StepAction::Partition {
            groups: groups
                .iter()
                .map(|g| g.iter().map(|s| name(*s)).collect())
                .collect(),
        },
        Action::Cut { from, to } => StepAction::Cut {
            from: name(*from),
            to: name(*to),
        },
        Action::Heal => StepAction::Heal,
        Action::TransferLeadership { to } => StepAction::TransferLeadership { to: name(*to) },
        Action::AddServer => StepAction::AddServer,
        Action::RemoveServer { server } => StepAction::RemoveServer {
            server: name(*server),
        },
        Action::SpreadTimers => StepAction::SpreadTimers,
        Action::AlignTimers => StepAction::AlignTimers,
        Action::SetLoss { probability } => StepAction::SetLoss { p: *probability },
        Action::SetDuplication { probability } => StepAction::SetDuplication { p: *probability },
        Action::SetLatency { min, max } => StepAction::SetLatency {
            latency_ms: [min / 1000, max / 1000],
        },
        Action::SetLossApart { requests, replies } => StepAction::SetLossApart {
            requests: *requests,
            replies: *replies,
        },
        Action::SetLongDelays {
            probability,
            min,
            max,
        } => StepAction::SetLongDelays {
            p: *probability,
            delay_ms: [min / 1000, max / 1000],
        },
        Action::SetLink { from, to, settings } => StepAction::SetLink {
            from: name(*from),
            to: name(*to),
            latency_ms: [settings.latency_min / 1000, settings.latency_max / 1000],
            loss: settings.loss_probability,
        },
        Action::ResetLinks => StepAction::ResetLinks,
        Action::ClientRequest {
            command,
            target,
            client: None,
        } => StepAction::ClientRequest {
            command: command.to_string(),
            server: target.map(name),
        },
        _ => return None,
    };
    Some(Step {
        at_ms: time / 1000,
        note: None,
        action,
    })
}

/// The scenario that replays `config` with `schedule` (the actions the simulator accepts) and
/// expects a clean run, so replaying a failing run fails the same way.
pub fn scenario_from_fuzz(
    config: &FuzzConfig,
    schedule: &[(Micros, Action)],
    problem: Option<&str>,
) -> Scenario {
    let mut steps: Vec<Step> = crate::check::fuzz::accepted(config, schedule)
        .iter()
        .filter_map(|(t, a)| step_for(*t, a))
        .collect();
    // Round up: a shrunk run ends just after its violation, which must be replayed too.
    let end_ms = config.duration.div_ceil(1000);
    steps.push(Step {
        at_ms: end_ms,
        note: problem.map(|p| format!("raftsim check found: {p}")),
        action: StepAction::Expect(Expectation {
            no_violation: Some(true),
            linearizable: Some(true),
            ..Expectation::default()
        }),
    });
    Scenario {
        version: FORMAT_VERSION,
        name: format!("Fuzz seed {}", config.seed),
        description: format!(
            "A random fault schedule from `raftsim check` (seed {}, nemesis {}), written out to be replayed.",
            config.seed, config.nemesis
        ),
        seed: config.seed,
        cluster: ClusterSpec::of(&config.sim_config()),
        end_ms: Some(end_ms),
        steps,
    }
}

//! The scenario presets (the files in src/scenario/presets/), and how their steps become
//! simulator actions while the page plays them.

use super::json::{self, Json};
use crate::scenario::{ClusterSpec, Expectation, KnobsSpec, Scenario, Step, StepAction};
use crate::sim::SimConfig;

/// A preset, parsed.
#[derive(Clone, Debug)]
pub struct Preset {
    pub id: &'static str,
    pub scenario: Scenario,
}

/// Every preset of branch `check` (`scenario::presets::SOURCES`), read with the page's small
/// JSON reader instead of serde_json (a third of the page's size). A file that does not read
/// is skipped, never a panic.
pub fn all() -> Vec<Preset> {
    crate::scenario::presets::SOURCES
        .iter()
        .filter_map(|(id, text)| read_scenario(text).map(|scenario| Preset { id, scenario }))
        .collect()
}

fn strings(v: &Json) -> Vec<String> {
    v.arr()
        .iter()
        .filter_map(|s| s.str().map(str::to_string))
        .collect()
}

fn pair(v: Option<&Json>, default: [u64; 2]) -> [u64; 2] {
    match v.map(|v| v.arr()) {
        Some([a, b]) => [a.u64().unwrap_or(default[0]), b.u64().unwrap_or(default[1])],
        _ => default,
    }
}

/// Reads the fields the page needs from a scenario file (format v1, docs/SCENARIOS.md).
pub fn read_scenario(text: &str) -> Option<Scenario> {
    let doc = json::parse(text)?;
    let mut cluster = ClusterSpec::default();
    if let Some(c) = doc.get("cluster") {
        let d = ClusterSpec::default();
        cluster.servers = c
            .get("servers")
            .and_then(Json::u64)
            .map_or(d.servers, |n| n as u8);
        cluster.election_timeout_ms = pair(c.get("election_timeout_ms"), d.election_timeout_ms);
        cluster.heartbeat_ms = c
            .get("heartbeat_ms")
            .and_then(Json::u64)
            .unwrap_or(d.heartbeat_ms);
        cluster.latency_ms = pair(c.get("latency_ms"), d.latency_ms);
        cluster.loss = c.get("loss").and_then(Json::num).unwrap_or(d.loss);
        cluster.duplication = c
            .get("duplication")
            .and_then(Json::num)
            .unwrap_or(d.duplication);
        cluster.client_timeout_ms = c
            .get("client_timeout_ms")
            .and_then(Json::u64)
            .unwrap_or(d.client_timeout_ms);
        cluster.fast_backup = c
            .get("fast_backup")
            .and_then(Json::bool)
            .unwrap_or(d.fast_backup);
        cluster.noop_on_election = c
            .get("noop_on_election")
            .and_then(Json::bool)
            .unwrap_or(d.noop_on_election);
        if let Some(k) = c.get("knobs") {
            for name in KnobsSpec::NAMES {
                if k.get(name).and_then(Json::bool) == Some(true) {
                    cluster.knobs.enable(name);
                }
            }
        }
        if let Some(l) = c.get("clients") {
            let d = &d.clients;
            cluster.clients.count = l
                .get("count")
                .and_then(Json::u64)
                .map_or(d.count, |n| n as u32);
            cluster.clients.think_ms = pair(l.get("think_ms"), d.think_ms);
            cluster.clients.keys = l
                .get("keys")
                .and_then(Json::u64)
                .map_or(d.keys, |n| n as u32);
        }
    }
    let mut steps = Vec::new();
    for s in doc.get("steps").map(Json::arr).unwrap_or(&[]) {
        let text = |k: &str| s.get(k).and_then(Json::str).map(str::to_string);
        let server = || text("server").unwrap_or_default();
        let action = match s.get("action").and_then(Json::str)? {
            "client_request" => StepAction::ClientRequest {
                command: text("command")?,
                server: text("server"),
            },
            "crash" => StepAction::Crash { server: server() },
            "restart" => StepAction::Restart { server: server() },
            "timeout" => StepAction::Timeout { server: server() },
            "pause" => StepAction::Pause { server: server() },
            "resume" => StepAction::Resume { server: server() },
            "partition" => StepAction::Partition {
                groups: s
                    .get("groups")
                    .map(Json::arr)
                    .unwrap_or(&[])
                    .iter()
                    .map(strings)
                    .collect(),
            },
            "cut" => StepAction::Cut {
                from: text("from")?,
                to: text("to")?,
            },
            "heal" => StepAction::Heal,
            "spread_timers" => StepAction::SpreadTimers,
            "align_timers" => StepAction::AlignTimers,
            "set_loss" => StepAction::SetLoss {
                p: s.get("p").and_then(Json::num)?,
            },
            "set_duplication" => StepAction::SetDuplication {
                p: s.get("p").and_then(Json::num)?,
            },
            // Expectations are for tests; the page narrates instead of judging.
            _ => StepAction::Expect(Expectation::default()),
        };
        steps.push(Step {
            at_ms: s.get("at_ms").and_then(Json::u64).unwrap_or(0),
            note: text("note"),
            action,
        });
    }
    Some(Scenario {
        version: doc.get("version").and_then(Json::u64).unwrap_or(1) as u32,
        name: doc.get("name").and_then(Json::str)?.to_string(),
        description: doc
            .get("description")
            .and_then(Json::str)
            .unwrap_or("")
            .to_string(),
        seed: doc.get("seed").and_then(Json::u64).unwrap_or(0),
        cluster,
        end_ms: doc.get("end_ms").and_then(Json::u64),
        steps,
    })
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

//! Links that carry a run (documented in docs/SCENARIOS.md, "Links").
//!
//! - `v2.` (what the page's Share button makes): a [`SharedRun`] — the scenario the run
//!   started from, the exact action log (`sim::RecordedAction`: each action with the time and
//!   the queue position it was applied at, which `Sim::replay` reproduces event for event), the
//!   moment shown, and optionally a tour and its step — as minified JSON, compressed with raw
//!   DEFLATE (`miniz_oxide`) and written in base64url without padding (`base64`).
//! - `v1.` (older links, and `raftsim`'s shrunk runs): a scenario alone, base64url of its
//!   minified JSON, with every field at its default left out. Still read.
//!
//! Reading either goes through the same strict validation as a scenario file; nothing here
//! panics on a damaged link.

use super::format::{not_a_server, ClusterSpec, Scenario, ScenarioError, Step};
use super::runner::action_step;
use crate::raft::MAX_SERVER_ID;
use crate::sim::limits::MAX_RUN;
use crate::sim::{Action, Decimal, Micros, RecordedAction};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

const V1: &str = "v1.";
const V2: &str = "v2.";
/// A link's JSON is at most this long once inflated: far above any real run (a 5-minute run
/// with a few actions is about 1 KB), and a bound on what a tampered link can make the page
/// allocate.
const MAX_INFLATED: usize = 1 << 20;
/// DEFLATE level 9 (best): links are made rarely and read once.
const LEVEL: u8 = 9;

/// Where in a guided tour the link was made: the page that opens the link opens that tour
/// and goes on to that step (Next as many times) and the link's moment. Optional; absent in
/// sandbox links.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TourPlace {
    /// The tour's id (its file name without `.json`, or the `?tour=` address it was opened with).
    pub id: String,
    /// The step shown, 0-based.
    pub step: u32,
}

/// A run as a Share link carries it: everything needed to show the same state at the same
/// time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedRun {
    /// The configuration and seed the run started from. Its steps are the scenario's own
    /// (a preset's steps are not repeated: `preset` names them).
    pub scenario: Scenario,
    /// The preset the run started from, by id; its steps, caption and notes come from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// How many of the scenario's (or preset's) steps had been applied (they are also in
    /// `actions`; the rest are applied as time reaches them).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub steps_done: usize,
    /// Every action applied, in order, with its exact time and position (µs, events).
    /// (`SharedRun::from_json` reads it apart: see there.)
    #[serde(default, skip_deserializing, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<RecordedAction>,
    /// The moment shown (µs of simulated time); the page opens paused there.
    #[serde(default)]
    pub at_us: Micros,
    /// The playing speed (simulated s per wall s), if not the page's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
    /// The tour and step the link was made at, if in a tour (the page opens that tour there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tour: Option<TourPlace>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn damaged(what: &str) -> ScenarioError {
    ScenarioError::top(None, format!("the link is damaged ({what})"))
}

/// The scenario as a JSON value with every field at its default left out (what both link
/// versions carry).
fn compact_scenario(scenario: &Scenario) -> Value {
    let mut value = serde_json::to_value(scenario).unwrap_or(Value::Null);
    if let Value::Object(root) = &mut value {
        // Leave out what the reader would fill in anyway.
        if root.get("description").and_then(Value::as_str) == Some("") {
            root.remove("description");
        }
        if root.get("seed").and_then(Value::as_u64) == Some(0) {
            root.remove("seed");
        }
        if root
            .get("steps")
            .and_then(Value::as_array)
            .is_some_and(|s| s.is_empty())
        {
            root.remove("steps");
        }
        if let (Some(Value::Object(cluster)), Ok(Value::Object(defaults))) = (
            root.get_mut("cluster"),
            serde_json::to_value(ClusterSpec::default()),
        ) {
            cluster.retain(|k, v| defaults.get(k) != Some(v));
            if let Some(Value::Object(knobs)) = cluster.get_mut("knobs") {
                knobs.retain(|_, v| v != &Value::Bool(false));
                if knobs.is_empty() {
                    cluster.remove("knobs");
                }
            }
        }
        if root
            .get("cluster")
            .and_then(Value::as_object)
            .is_some_and(|c| c.is_empty())
        {
            root.remove("cluster");
        }
    }
    value
}

impl Scenario {
    /// The `v1.` link of this scenario (a scenario alone; see [`SharedRun::to_link`] for a run).
    pub fn to_permalink(&self) -> String {
        let json = compact_scenario(self).to_string();
        format!("{V1}{}", URL_SAFE_NO_PAD.encode(json))
    }

    /// Reads a `v1.` link made by [`Scenario::to_permalink`].
    pub fn from_permalink(link: &str) -> Result<Scenario, ScenarioError> {
        let Some(body) = link.trim().strip_prefix(V1) else {
            return Err(ScenarioError::top(
                None,
                "not a scenario link: it should start with \"v1.\"",
            ));
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| damaged("not base64url"))?;
        let text = String::from_utf8(bytes).map_err(|_| damaged("not UTF-8"))?;
        Scenario::from_json(&text)
    }
}

impl SharedRun {
    /// A run of `scenario` with nothing done yet, shown at time 0 (what a `v1.` link means).
    pub fn of(scenario: Scenario) -> SharedRun {
        SharedRun {
            scenario,
            preset: None,
            steps_done: 0,
            actions: Vec::new(),
            at_us: 0,
            speed: None,
            tour: None,
        }
    }

    /// The `v2.` link: compact, URL-safe (letters, digits, `-`, `_`, `.`).
    pub fn to_link(&self) -> String {
        let mut value = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Value::Object(root) = &mut value {
            root.insert("scenario".into(), compact_scenario(&self.scenario));
        }
        let deflated = miniz_oxide::deflate::compress_to_vec(value.to_string().as_bytes(), LEVEL);
        format!("{V2}{}", URL_SAFE_NO_PAD.encode(deflated))
    }

    /// Reads a `v2.` link, or a `v1.` one (a scenario alone, shown from its start). The error
    /// says what is wrong: the link's envelope ("damaged"), or the scenario's field and step.
    pub fn from_link(link: &str) -> Result<SharedRun, ScenarioError> {
        let link = link.trim();
        if link.starts_with(V1) {
            return Scenario::from_permalink(link).map(SharedRun::of);
        }
        let Some(body) = link.strip_prefix(V2) else {
            return Err(ScenarioError::top(
                None,
                "not a Raft Explorer link: it should start with \"v2.\" (or \"v1.\")",
            ));
        };
        let deflated = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| damaged("not base64url: was it cut short or changed?"))?;
        let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(&deflated, MAX_INFLATED)
            .map_err(|_| damaged("it does not decompress: was it cut short or changed?"))?;
        let text = String::from_utf8(bytes).map_err(|_| damaged("not UTF-8"))?;
        SharedRun::from_json(&text)
    }

    /// Reads the JSON a `v2.` link carries, strictly.
    fn from_json(text: &str) -> Result<SharedRun, ScenarioError> {
        let root: Value =
            serde_json::from_str(text).map_err(|e| damaged(&format!("not a run: {e}")))?;
        let Value::Object(mut root) = root else {
            return Err(damaged("not a run: expected a JSON object"));
        };
        // The scenario first, by its own reader, whose errors name the step and the field.
        let scenario = root
            .get("scenario")
            .ok_or_else(|| ScenarioError::top(Some("scenario".into()), "missing"))?;
        let scenario = Scenario::from_json(&scenario.to_string())?;
        // The action log is read without serde_path_to_error: it is written by the page, not
        // by hand, and serde's message names the action or field that is wrong. (Tracking
        // the path made `sim::Action`'s reader half as large again: 2.4 KB gzip of the page.)
        let actions = match root.remove("actions") {
            None => Vec::new(),
            Some(actions) => serde_json::from_value(actions)
                .map_err(|e| ScenarioError::top(Some("actions".into()), e.to_string()))?,
        };
        let mut run: SharedRun =
            serde_path_to_error::deserialize(Value::Object(root)).map_err(|e| {
                let field = e.path().to_string();
                ScenarioError::top((field != ".").then_some(field), e.into_inner().to_string())
            })?;
        run.scenario = scenario;
        run.actions = actions;
        run.validate()?;
        Ok(run)
    }

    /// The run as a scenario file (the documented format): its configuration, every action
    /// of its log as a step at its millisecond, then `steps` not reached yet (`steps_done`
    /// on: the steps the run started from). Also says how many actions a file cannot name
    /// (a message, by its id in this run) were left out.
    pub fn to_scenario(&self, steps: &[Step]) -> (Scenario, usize) {
        let mut scenario = self.scenario.clone();
        let mut left_out = 0;
        scenario.steps = self
            .actions
            .iter()
            .filter_map(|a| {
                let step = action_step(&a.action).map(|action| Step {
                    at_ms: a.time / 1000,
                    note: None,
                    action,
                });
                left_out += usize::from(step.is_none());
                step
            })
            .chain(steps.iter().skip(self.steps_done).cloned())
            .collect();
        // The file runs at least to the moment shown and to its last step.
        let last_step = scenario.steps.iter().map(|s| s.at_ms).max().unwrap_or(0);
        scenario.end_ms = scenario
            .end_ms
            .into_iter()
            .chain([self.at_us / 1000, last_step])
            .max();
        (scenario, left_out)
    }

    /// What serde cannot check: the speed, and the action log (`check_log`: times within the
    /// simulator's limits, the log in order, only servers the run can have).
    fn validate(&self) -> Result<(), ScenarioError> {
        if self
            .speed
            .is_some_and(|s| !(s.is_finite() && s > 0.0 && s <= 1000.0))
        {
            return Err(ScenarioError::top(
                Some("speed".into()),
                "should be a number above 0",
            ));
        }
        check_log(&self.actions, self.at_us, self.scenario.cluster.servers)
    }
}

/// An action log and the moment shown, as a link or a handover carries them, for a cluster
/// that starts with `servers` servers: the moment and every action within the simulator's
/// limits, the log in order (what `Sim::replay` needs) with queue positions that never go
/// back, and every server an action names one the run can have then. Whether the run is at
/// an action's position at its time can only be known by replaying it: an action whose
/// place the world passes is refused by the simulator (`ActionError::PlacePassed`). (What
/// only the run knows, such as whether a server is up when it is restarted, is the
/// simulator's too: it skips such an action, `Sim::refused_actions`.)
pub(crate) fn check_log(
    actions: &[RecordedAction],
    at_us: Micros,
    servers: u8,
) -> Result<(), ScenarioError> {
    let field = |name: &str, message: String| ScenarioError::top(Some(name.into()), message);
    if at_us > MAX_RUN {
        return Err(field(
            "at_us",
            format!("{at_us} µs is beyond the longest run ({MAX_RUN} µs)"),
        ));
    }
    for (i, pair) in actions.windows(2).enumerate() {
        if (pair[1].time, pair[1].after_events) < (pair[0].time, pair[0].after_events) {
            return Err(field(
                &format!("actions[{}]", i + 1),
                "comes before the action above it: the log must be in order".into(),
            ));
        }
        // A later moment of the run has processed no fewer events: a position that goes back
        // names a place the run never has (the simulator would refuse it, and only it).
        if pair[1].after_events < pair[0].after_events {
            return Err(field(
                &format!("actions[{}]", i + 1),
                format!(
                    "after_events {} is below the action above it ({}): the count of events \
                     processed never goes back",
                    pair[1].after_events, pair[0].after_events
                ),
            ));
        }
    }
    if let Some(i) = actions.iter().position(|a| a.time > MAX_RUN) {
        return Err(field(
            &format!("actions[{i}].time"),
            "beyond the longest run".into(),
        ));
    }
    // §6: the servers the cluster starts with, and after each add_server the next id (ids
    // are handed out in order and never reused; an add the world refuses takes none, so this
    // is the most the run can have). Checked here, not left to the simulator's skipping, as
    // a scenario file's steps are: a server that cannot exist is a mistake in the link.
    let mut known = servers;
    for (i, recorded) in actions.iter().enumerate() {
        let named = recorded.action.named_servers();
        if let Some(id) = named.iter().find(|id| !(1..=known).contains(&id.0)) {
            let what = action_step(&recorded.action).map_or("action", |step| step.name());
            let at = Decimal::millis_shortest(recorded.time);
            let why = not_a_server(
                &id.to_string(),
                servers,
                known,
                // An add the world refuses takes no id: these are the most the run can have.
                ("point", "the add_server actions before it can have"),
                "",
            );
            return Err(field(
                &format!("actions[{i}]"),
                format!("({what} at {at} ms) {why}"),
            ));
        }
        if recorded.action == Action::AddServer {
            known = (known + 1).min(MAX_SERVER_ID);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raft::types::ServerId;
    use crate::scenario::presets;
    use crate::sim::Action;

    fn url_safe(link: &str) -> bool {
        link.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"._-".contains(&c))
    }

    #[test]
    fn every_preset_round_trips_through_a_shorter_v1_link() {
        for (id, scenario) in presets::all() {
            let link = scenario.to_permalink();
            assert!(link.starts_with("v1."), "{id}");
            assert!(url_safe(&link), "{id}: URL-safe");
            assert_eq!(
                Scenario::from_permalink(&link),
                Ok(scenario.clone()),
                "{id}"
            );
            assert!(
                link.len() < scenario.to_json().len() * 4 / 3,
                "{id}: defaults are left out"
            );
        }
    }

    fn a_run() -> SharedRun {
        let (_, scenario) = presets::all().into_iter().next().expect("a preset");
        SharedRun {
            preset: Some("leader_election".into()),
            steps_done: 1,
            actions: vec![
                RecordedAction {
                    time: 1_234_567,
                    after_events: 40,
                    action: Action::Crash {
                        server: ServerId(2),
                    },
                },
                RecordedAction {
                    time: 2_000_001,
                    after_events: 77,
                    action: Action::Heal,
                },
            ],
            at_us: 3_000_123,
            speed: Some(0.5),
            tour: Some(TourPlace {
                id: "election".into(),
                step: 3,
            }),
            ..SharedRun::of(scenario)
        }
    }

    #[test]
    fn a_run_round_trips_through_a_v2_link() {
        let run = a_run();
        let link = run.to_link();
        assert!(link.starts_with("v2.") && url_safe(&link), "{link}");
        assert_eq!(SharedRun::from_link(&link), Ok(run));
    }

    #[test]
    fn a_v2_link_is_shorter_than_the_v1_encoding_of_the_same_json() {
        let run = a_run();
        let plain = URL_SAFE_NO_PAD.encode(serde_json::to_string(&run).unwrap_or_default());
        assert!(run.to_link().len() < plain.len(), "compression pays");
    }

    #[test]
    fn a_v1_link_still_opens_as_a_run_from_the_start() {
        let (_, scenario) = presets::all().into_iter().next().expect("a preset");
        let run = SharedRun::from_link(&scenario.to_permalink()).expect("reads");
        assert_eq!(run, SharedRun::of(scenario));
    }

    #[test]
    fn damaged_links_are_rejected_with_a_message() {
        let message = |link: &str| SharedRun::from_link(link).unwrap_err().to_string();
        assert!(message("x1.abc").contains("v2."));
        assert!(message("v2.@@@").contains("damaged"));
        let link = a_run().to_link();
        assert!(
            message(&link[..link.len() / 2]).contains("damaged"),
            "cut short"
        );
        let not_a_scenario = format!(
            "v2.{}",
            URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(
                br#"{"scenario":{"version":1,"name":"t","cluster":{"servers":12}}}"#,
                6
            ))
        );
        let e = SharedRun::from_link(&not_a_scenario).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("cluster.servers"), "{e}");
        let unknown = format!(
            "v2.{}",
            URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(
                br#"{"scenario":{"version":1,"name":"t"},"bogus":1}"#,
                6
            ))
        );
        assert!(message(&unknown).contains("bogus"));
        let e = SharedRun::from_json(
            r#"{"scenario":{"version":1,"name":"t"},"actions":[{"time":1,"after_events":0,"action":{"crsh":{"server":1}}}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("actions"), "{e}");
        assert!(e.message.contains("crsh"), "{e}");
        assert!(Scenario::from_permalink("v1.@@@")
            .unwrap_err()
            .message
            .contains("damaged"));
    }

    #[test]
    fn out_of_order_logs_and_times_beyond_the_limit_are_refused() {
        let mut run = a_run();
        run.actions.swap(0, 1);
        let e = SharedRun::from_link(&run.to_link()).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("actions[1]"));
        let mut run = a_run();
        run.at_us = MAX_RUN + 1;
        let e = SharedRun::from_link(&run.to_link()).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("at_us"));
    }

    /// The link of a 5-minute run with a few user actions replays to the same state, and is
    /// short (the length is printed: `cargo test five_minute -- --nocapture`).
    #[test]
    fn a_five_minute_run_with_a_few_actions_gives_a_short_link_that_replays_it() {
        use crate::sim::Sim;
        let scenario = Scenario {
            seed: 7,
            ..presets::all().into_iter().next().expect("a preset").1
        };
        // As the page shares a preset's run: the preset by id, its text and steps left out.
        let scenario = Scenario {
            steps: Vec::new(),
            description: String::new(),
            ..scenario
        };
        let config = crate::scenario::sim_config(&scenario);
        let mut sim = Sim::new(config.clone());
        let s = |n| ServerId(n);
        let set = |v: &str| Action::ClientRequest {
            client: None,
            command: "SET x 1".replace('1', v).parse().expect("a command"),
            target: None,
        };
        let plan = [
            (20_000_000, Action::Crash { server: s(1) }),
            (45_000_000, set("1")),
            (60_000_000, Action::Restart { server: s(1) }),
            (
                120_000_000,
                Action::Partition {
                    groups: vec![vec![s(1), s(2)], vec![s(3), s(4), s(5)]],
                },
            ),
            (150_000_000, set("2")),
            (200_000_000, Action::Heal),
        ];
        for (at, action) in plan {
            sim.run_until(at);
            let _ = sim.apply(action);
        }
        sim.run_until(300_000_000);
        let run = SharedRun {
            actions: sim.actions().to_vec(),
            at_us: sim.now(),
            preset: Some("leader_election".into()),
            ..SharedRun::of(scenario)
        };
        let link = run.to_link();
        println!(
            "5-minute run, {} actions: link of {} characters",
            run.actions.len(),
            link.len()
        );
        assert!(link.len() < 500, "{}", link.len());
        let (file, left_out) = run.to_scenario(&[]);
        assert_eq!(left_out, 0);
        assert_eq!(file.steps.len(), 6, "every action is a step");
        assert_eq!(
            Scenario::from_json(&file.to_json()),
            Ok(file),
            "a valid file"
        );
        let read = SharedRun::from_link(&link).expect("reads");
        let mut replayed = Sim::replay(config, read.actions).expect("in order");
        replayed.run_until(read.at_us);
        assert_eq!(
            replayed.view(),
            sim.view(),
            "the same state at the same time"
        );
    }
}

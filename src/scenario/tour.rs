//! Guided tours (documented in docs/TOURS.md): a scenario file whose timed steps are grouped
//! into narrated tour steps. Each tour step has words for a reader who has read nothing yet
//! (with the paper section), may change the cluster (ordinary scenario steps, timed from the
//! moment the tour step begins), may spotlight servers or messages, runs the simulator for a
//! while, and then waits either for Next or for the reader to do what it asks.
//!
//! [`TourRun`] plays a tour on the real simulator: the page drives one with its clock, the
//! tests walk every shipped tour with it. Back is exact: the state at the start of each step
//! is kept (a clone of the simulator and the checker), and going back restores it.

use super::format::{parse_step, Scenario, ScenarioError, Step, StepAction};
use super::runner::{perform, step_action};
use crate::check::Checker;
use crate::raft::types::ServerId;
use crate::sim::limits;
use crate::sim::{Action, Micros, Sim};
use serde::Deserialize;
use serde_json::{Map, Value};

/// The tours shipped with the page, in the order its picker lists them: (id, name). Tour `id`
/// is the file `static/tours/ID.json`, fetched when opened; `name` is the file's own.
/// The `show_KNOB` tours are the "show me" scenarios of the break-Raft switches.
pub const SHIPPED: [(&str, &str); 21] = [
    ("why_consensus", "Why consensus: one service, five copies"),
    ("leader_election", "Leader election, terms and a split vote"),
    ("log_replication", "Log replication: commit and apply"),
    (
        "leader_crash",
        "A leader crashes: new term, election restriction, log repair",
    ),
    ("partition", "A network partition: two leaders, one commits"),
    (
        "figure8",
        "The commit rule and Figure 8 (Raft broken on purpose)",
    ),
    (
        "persistence",
        "Persistence: why votedFor must survive a crash",
    ),
    (
        "clients",
        "Clients: redirects, retries, at-most-once, reads",
    ),
    (
        "snapshots",
        "Snapshots: compacting the log, and InstallSnapshot",
    ),
    (
        "reads_read_index",
        "Safe reads with ReadIndex: a deposed leader must not answer",
    ),
    ("reads_lease", "Lease reads and clock drift"),
    ("prevote", "PreVote: a rejoining server stays quiet"),
    (
        "membership",
        "Membership changes: joint consensus, C_old,new",
    ),
    (
        "show_forget_vote_on_restart",
        "Show me: a forgotten vote makes two leaders",
    ),
    (
        "show_commit_old_term_by_counting",
        "Show me: committing an old entry by counting",
    ),
    (
        "show_skip_election_restriction",
        "Show me: a stale log wins an election",
    ),
    (
        "show_stale_local_reads",
        "Show me: a deposed leader answers a read",
    ),
    (
        "show_read_without_confirmation",
        "Show me: ReadIndex without its confirmation round",
    ),
    (
        "show_unbounded_clock_drift",
        "Show me: a lease outlives its leader",
    ),
    (
        "show_install_snapshot_discards_following_entries",
        "Show me: a snapshot that drops committed entries",
    ),
    (
        "show_switch_config_directly",
        "Show me: switching configuration directly makes two leaders",
    ),
];

/// A whole tour file: the cluster of a scenario, and its narrated steps.
#[derive(Clone, Debug, PartialEq)]
pub struct Tour {
    /// The cluster, seed, name and description (its `steps` are empty: a tour's actions
    /// belong to its tour steps).
    pub scenario: Scenario,
    pub steps: Vec<TourStep>,
}

/// One narrated step of a tour.
#[derive(Clone, Debug, PartialEq)]
pub struct TourStep {
    pub title: String,
    /// The paper section the text comes from ("§5.2").
    pub section: String,
    /// Plain text (shown as text, never as HTML).
    pub text: String,
    /// Scenario steps; their `at_ms` counts from the moment this tour step begins.
    pub actions: Vec<Step>,
    /// How long the simulator runs in this step before it holds still for the reader (ms).
    pub run_ms: u64,
    /// What stays lit while the rest dims: "S1".."S9", "leader", "messages", "client", and log
    /// entries as "S2:3" (S2's entry at index 3).
    pub spotlight: Vec<String>,
    /// What the reader is asked to do to move on (None: press Next).
    pub wait: Option<StepAction>,
    /// Shown when the reader does something else while the step waits.
    pub hint: String,
}

/// A tour step as written in the file (its actions and wait parsed apart, to name errors).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTourStep {
    title: String,
    section: String,
    text: String,
    #[serde(default)]
    actions: Vec<Value>,
    #[serde(default)]
    run_ms: Option<u64>,
    #[serde(default)]
    spotlight: Vec<String>,
    #[serde(default)]
    wait: Option<Map<String, Value>>,
    #[serde(default)]
    hint: String,
}

/// The actions a reader can do from the page, hence can be asked for.
const ASKABLE: [&str; 10] = [
    "crash",
    "restart",
    "timeout",
    "pause",
    "resume",
    "client_request",
    "partition",
    "heal",
    "spread_timers",
    "align_timers",
];

fn tour_error(step: usize, field: &str, message: impl Into<String>) -> ScenarioError {
    ScenarioError::top(Some(format!("tour[{step}].{field}")), message)
}

impl Tour {
    /// Parses and validates a tour file; the error names the tour step and the field.
    pub fn from_json(text: &str) -> Result<Tour, ScenarioError> {
        let root: Value = serde_json::from_str(text)
            .map_err(|e| ScenarioError::top(None, format!("not valid JSON: {e}")))?;
        let Value::Object(mut root) = root else {
            return Err(ScenarioError::top(
                None,
                "a tour is a JSON object { \"version\": 1, \"name\": ..., \"tour\": [...] }",
            ));
        };
        let raw_steps = match root.remove("tour") {
            Some(Value::Array(steps)) if !steps.is_empty() => steps,
            Some(Value::Array(_)) => {
                return Err(ScenarioError::top(
                    Some("tour".into()),
                    "a tour needs at least one step",
                ))
            }
            Some(other) => {
                return Err(ScenarioError::top(
                    Some("tour".into()),
                    format!("expected a list of tour steps, found {other}"),
                ))
            }
            None => {
                return Err(ScenarioError::top(
                    Some("tour".into()),
                    "missing: a tour file lists its narrated steps in \"tour\"",
                ))
            }
        };
        if root.contains_key("steps") {
            return Err(ScenarioError::top(
                Some("steps".into()),
                "a tour has no top-level steps: put them in the tour step they belong to (\"actions\")",
            ));
        }
        let scenario = Scenario::from_json(&Value::Object(root).to_string())?;
        // §6: servers added by earlier tour steps (S4, S5, ... in a 3-server cluster) can be
        // named by later ones, as in a scenario's steps.
        let mut steps: Vec<TourStep> = Vec::with_capacity(raw_steps.len());
        let mut added = 0;
        for (i, raw) in raw_steps.into_iter().enumerate() {
            let step = parse_tour_step(&scenario, added, i, raw)?;
            added += adds(&step.actions);
            steps.push(step);
        }
        Ok(Tour { scenario, steps })
    }
}

/// How many servers these actions add (§6).
fn adds(actions: &[Step]) -> usize {
    actions
        .iter()
        .filter(|s| s.action == StepAction::AddServer)
        .count()
}

/// Parses tour step `i`; `added`: how many servers the steps before it added.
fn parse_tour_step(
    scenario: &Scenario,
    added: usize,
    i: usize,
    raw: Value,
) -> Result<TourStep, ScenarioError> {
    let raw: RawTourStep = serde_path_to_error::deserialize(raw).map_err(|e| {
        // A missing field has no path of its own: serde names it in the message.
        let field = e.path().to_string();
        let message = e.into_inner().to_string();
        if field == "." {
            ScenarioError::top(Some(format!("tour[{i}]")), message)
        } else {
            tour_error(i, &field, message)
        }
    })?;
    for (field, value) in [
        ("title", &raw.title),
        ("section", &raw.section),
        ("text", &raw.text),
    ] {
        if value.trim().is_empty() {
            return Err(tour_error(i, field, "must not be empty"));
        }
    }
    let actions = raw
        .actions
        .into_iter()
        .enumerate()
        .map(|(j, value)| {
            parse_step(j, value).map_err(|e| tour_error(i, &format!("actions[{j}]"), e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let last = actions.last().map_or(0, |s| s.at_ms);
    let run_ms = raw.run_ms.unwrap_or(last);
    if run_ms < last {
        return Err(tour_error(
            i,
            "run_ms",
            format!("{run_ms} ms ends before the last action ({last} ms)"),
        ));
    }
    limits::timer_length(run_ms).map_err(|e| tour_error(i, "run_ms", e.to_string()))?;
    let wait = match raw.wait {
        None => None,
        Some(mut fields) => {
            fields.insert("at_ms".into(), Value::from(run_ms));
            let step = parse_step(0, Value::Object(fields))
                .map_err(|e| tour_error(i, "wait", e.message))?;
            if !ASKABLE.contains(&step.action.name()) {
                return Err(tour_error(
                    i,
                    "wait",
                    format!(
                        "a reader cannot be asked to \"{}\": ask for one of {}",
                        step.action.name(),
                        ASKABLE.join(", ")
                    ),
                ));
            }
            Some(step.action)
        }
    };
    // Server names, commands and ranges: the scenario format's own validation, on a scenario
    // made of the earlier steps' add_server actions, this step's actions and what it asks for.
    let mut check = scenario.clone();
    check.steps = std::iter::repeat_n(
        Step {
            at_ms: 0,
            note: None,
            action: StepAction::AddServer,
        },
        added,
    )
    .chain(actions.iter().cloned())
    .collect();
    check.steps.extend(wait.clone().map(|action| Step {
        at_ms: run_ms,
        note: None,
        action,
    }));
    check.end_ms = None;
    check.validate().map_err(|e| match e.step {
        Some(j) if j < added => tour_error(i, "actions", e.to_string()),
        Some(j) if j - added < actions.len() => {
            let e = ScenarioError {
                step: Some(j - added),
                ..e
            };
            tour_error(i, &format!("actions[{}]", j - added), e.to_string())
        }
        Some(_) => tour_error(i, "wait", e.message),
        None => tour_error(i, "actions", e.to_string()),
    })?;
    // Servers added by this step can be spotlit in it too.
    let servers = usize::from(scenario.cluster.servers) + added + adds(&actions);
    for name in &raw.spotlight {
        let server = |n: &str| {
            super::format::parse_server_number(n)
                .is_some_and(|n| (1..=servers).contains(&usize::from(n)))
        };
        let known = matches!(name.as_str(), "leader" | "messages" | "client")
            || server(name)
            || name.split_once(':').is_some_and(|(s, index)| {
                server(s) && index.parse::<u64>().is_ok_and(|index| index >= 1)
            });
        if !known {
            return Err(tour_error(
                i,
                "spotlight",
                format!(
                    "\"{name}\" is not something to spotlight: use S1..S{servers}, \"leader\", \"messages\", \"client\" or an entry like \"S1:2\"",
                ),
            ));
        }
    }
    Ok(TourStep {
        title: raw.title,
        section: raw.section,
        text: raw.text,
        actions,
        run_ms,
        spotlight: raw.spotlight,
        wait,
        hint: raw.hint,
    })
}

/// What a tour step spotlights, resolved at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lit {
    pub servers: Vec<ServerId>,
    /// Log entries: (server, index).
    pub entries: Vec<(ServerId, u64)>,
    pub messages: bool,
    pub client: bool,
}

/// Why [`TourRun::advance`] stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// It got to the time asked for.
    Reached,
    /// The current step's run is over: time holds still for the reader.
    RunOver,
    /// The invariant checker just found a violation.
    Violation,
}

/// What the reader's action means to a step that waits for one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reaction {
    /// It is what the step asks: go on to the next step.
    Asked,
    /// Something else: show the hint.
    Other,
    /// The step does not wait for an action.
    NotWaiting,
}

/// A tour being played on a simulator and checker owned by the caller.
#[derive(Clone, Debug)]
pub struct TourRun {
    /// Index of the current tour step.
    pub step: usize,
    /// When the current step began (µs).
    pub started_at: Micros,
    /// The current step's actions carried out so far.
    applied: usize,
    /// Whether the current step's run is over (time then runs on only if the reader plays).
    pub run_over: bool,
    /// The simulator and checker as each step entered so far began, before its actions: Back
    /// restores them.
    starts: Vec<(Sim, Checker)>,
    /// Expectations of the steps that did not hold, and actions that could not be carried
    /// out ("tour step 3: ..."), when the run judges expectations (tests do; the page does
    /// not).
    pub failures: Vec<String>,
    judge: bool,
}

impl TourRun {
    /// Starts `tour` at its first step on `sim` (a fresh cluster of the tour's configuration,
    /// `runner::sim_config`) and `checker`. With `judge`, expectations among the actions are
    /// checked and failures recorded.
    pub fn start(tour: &Tour, sim: &mut Sim, checker: &mut Checker, judge: bool) -> TourRun {
        let mut run = TourRun {
            step: 0,
            started_at: 0,
            applied: 0,
            run_over: false,
            starts: Vec::new(),
            failures: Vec::new(),
            judge,
        };
        run.enter(tour, 0, sim, checker);
        run
    }

    pub fn current<'t>(&self, tour: &'t Tour) -> &'t TourStep {
        &tour.steps[self.step.min(tour.steps.len() - 1)]
    }

    pub fn is_last(&self, tour: &Tour) -> bool {
        self.step + 1 >= tour.steps.len()
    }

    /// When the current step's run ends (µs).
    pub fn run_end(&self, tour: &Tour) -> Micros {
        self.started_at + self.current(tour).run_ms * 1000
    }

    fn enter(&mut self, tour: &Tour, step: usize, sim: &mut Sim, checker: &mut Checker) {
        self.starts.truncate(step);
        self.starts.push((sim.clone(), checker.clone()));
        self.step = step;
        self.started_at = sim.now();
        self.applied = 0;
        self.run_over = false;
        // Actions at 0 ms happen as the step begins, before anything else runs.
        self.advance(tour, sim, checker, sim.now());
    }

    /// Simulates up to `target` (µs), carrying out the current step's actions as their time
    /// comes; stops early at the end of the step's run (once) or at a violation.
    pub fn advance(
        &mut self,
        tour: &Tour,
        sim: &mut Sim,
        checker: &mut Checker,
        target: Micros,
    ) -> Stop {
        let step = self.current(tour);
        let run_end = self.run_end(tour);
        loop {
            let next_action = step
                .actions
                .get(self.applied)
                .map(|a| self.started_at + a.at_ms * 1000);
            let mut until = target;
            if let Some(t) = next_action {
                until = until.min(t);
            }
            if !self.run_over {
                until = until.min(run_end);
            }
            // An action whose time was stepped past (one event at a time) happens now.
            let until = until.max(sim.now());
            while sim.step_until(until).is_some() {
                let clean = checker.is_clean();
                checker.observe_sim(sim);
                if clean && !checker.is_clean() {
                    return Stop::Violation;
                }
            }
            sim.run_until(until);
            if next_action.is_some_and(|t| t <= until) {
                let action = &step.actions[self.applied];
                self.applied += 1;
                self.carry_out(sim, checker, action);
                continue;
            }
            if !self.run_over && until >= run_end && self.applied >= step.actions.len() {
                self.run_over = true;
                return Stop::RunOver;
            }
            if until >= target {
                return Stop::Reached;
            }
        }
    }

    fn carry_out(&mut self, sim: &mut Sim, checker: &mut Checker, action: &Step) {
        let outcome = if self.judge {
            perform(sim, checker, action)
        } else {
            match step_action(sim, &action.action) {
                Ok(Some(a)) => sim
                    .apply(a)
                    .map(|_| {
                        checker.observe_sim(sim);
                    })
                    .map_err(|e| e.to_string()),
                Ok(None) => Ok(()),
                Err(e) => Err(e),
            }
        };
        if let Err(e) = outcome {
            self.failures.push(format!(
                "tour step {} ({} ms, {}): {e}",
                self.step,
                action.at_ms,
                action.action.name()
            ));
        }
    }

    /// Next: the current step's run is finished, what it asks is done for the reader if they
    /// have not done it, and the next step begins. False on the last step.
    pub fn next(&mut self, tour: &Tour, sim: &mut Sim, checker: &mut Checker) -> bool {
        if self.is_last(tour) {
            return false;
        }
        while !self.run_over {
            let end = self.run_end(tour);
            self.advance(tour, sim, checker, end);
        }
        if let Some(wait) = &self.current(tour).wait {
            let step = Step {
                at_ms: self.current(tour).run_ms,
                note: None,
                action: wait.clone(),
            };
            self.carry_out(sim, checker, &step);
        }
        self.enter(tour, self.step + 1, sim, checker);
        true
    }

    /// Back: the simulator and checker are exactly as the previous step began, and it begins
    /// again. False on the first step.
    pub fn back(&mut self, tour: &Tour, sim: &mut Sim, checker: &mut Checker) -> bool {
        if self.step == 0 {
            return false;
        }
        let (s, c) = self.starts[self.step - 1].clone();
        *sim = s;
        *checker = c;
        self.enter(tour, self.step - 1, sim, checker);
        true
    }

    /// What `action`, about to be done by the reader on `sim`, means to the current step. On
    /// `Reaction::Asked` the caller applies it and calls [`TourRun::asked_done`].
    pub fn reader_acts(&self, tour: &Tour, sim: &Sim, action: &Action) -> Reaction {
        let Some(wait) = &self.current(tour).wait else {
            return Reaction::NotWaiting;
        };
        match step_action(sim, wait) {
            Ok(Some(asked)) if same_request(&asked, action) => Reaction::Asked,
            _ => Reaction::Other,
        }
    }

    /// The reader did what the step asked (already applied to `sim`): the next step begins.
    pub fn asked_done(&mut self, tour: &Tour, sim: &mut Sim, checker: &mut Checker) {
        if !self.is_last(tour) {
            self.enter(tour, self.step + 1, sim, checker);
        }
    }

    /// What the current step spotlights, resolved on `sim` ("leader": the leader now); None
    /// when it spotlights nothing.
    pub fn spotlight(&self, tour: &Tour, sim: &Sim) -> Option<Lit> {
        let names = &self.current(tour).spotlight;
        if names.is_empty() {
            return None;
        }
        let server = |n: &str| super::format::parse_server_number(n).map(ServerId);
        let mut lit = Lit::default();
        for name in names {
            match name.as_str() {
                "leader" => lit.servers.extend(sim.leader()),
                "messages" => lit.messages = true,
                "client" => lit.client = true,
                name => match name.split_once(':') {
                    Some((s, index)) => lit.entries.extend(server(s).zip(index.parse().ok())),
                    None => lit.servers.extend(server(name)),
                },
            }
        }
        Some(lit)
    }
}

/// Whether the reader's `done` is the `asked` action: the same kind on the same server(s);
/// a client request with the same command (to the asked server, if one is named).
fn same_request(asked: &Action, done: &Action) -> bool {
    match (asked, done) {
        (
            Action::ClientRequest {
                command: a,
                target: at,
                ..
            },
            Action::ClientRequest {
                command: d,
                target: dt,
                ..
            },
        ) => a == d && (at.is_none() || at == dt),
        (Action::Partition { groups: a }, Action::Partition { groups: d }) => {
            let sorted = |g: &Vec<Vec<ServerId>>| {
                let mut g: Vec<Vec<ServerId>> = g
                    .iter()
                    .map(|x| {
                        let mut x = x.clone();
                        x.sort_unstable();
                        x
                    })
                    .collect();
                g.sort_unstable();
                g
            };
            sorted(a) == sorted(d)
        }
        _ => asked == done,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::runner::sim_config;

    fn tour(steps: &str) -> String {
        format!(r#"{{"version":1,"name":"t","seed":3,"cluster":{{"servers":3}},"tour":[{steps}]}}"#)
    }

    const TWO_STEPS: &str = r#"
        {"title":"A","section":"§5.2","text":"S1 stands.","actions":[{"at_ms":0,"action":"timeout","server":"S1"}],"run_ms":500,"spotlight":["S1"]},
        {"title":"B","section":"§5.5","text":"Crash the leader.","wait":{"action":"crash","server":"leader"},"hint":"Click the leader, then Crash."},
        {"title":"C","section":"§5.2","text":"A new leader.","run_ms":1500,"actions":[{"at_ms":1500,"action":"expect","leaders":1}]}"#;

    fn started(text: &str, judge: bool) -> (Tour, Sim, Checker, TourRun) {
        let t = Tour::from_json(text).unwrap();
        let mut sim = Sim::try_new(sim_config(&t.scenario)).unwrap();
        let mut checker = Checker::new();
        let run = TourRun::start(&t, &mut sim, &mut checker, judge);
        (t, sim, checker, run)
    }

    #[test]
    fn parses_steps_with_actions_spotlight_and_wait() {
        let t = Tour::from_json(&tour(TWO_STEPS)).unwrap();
        assert_eq!(t.steps.len(), 3);
        assert_eq!(t.steps[0].run_ms, 500);
        assert_eq!(t.steps[0].spotlight, ["S1"]);
        assert_eq!(
            t.steps[1].wait,
            Some(StepAction::Crash {
                server: "leader".into()
            })
        );
        assert_eq!(t.steps[2].run_ms, 1500);
    }

    #[test]
    fn servers_added_by_earlier_steps_can_be_named_later() {
        // §6: S4 exists once a step has added it: later steps may ask for it, act on it,
        // expect things of it and spotlight it (and the adding step may spotlight it too).
        let t = Tour::from_json(&tour(
            r#"{"title":"A","section":"§6","text":"Add S4.","actions":[{"at_ms":0,"action":"timeout","server":"S1"},{"at_ms":300,"action":"add_server"}],"run_ms":300,"spotlight":["S4"]},
            {"title":"B","section":"§6","text":"Pause S4.","wait":{"action":"pause","server":"S4"}},
            {"title":"C","section":"§6","text":"S4 and S5.","actions":[{"at_ms":0,"action":"resume","server":"S4"},{"at_ms":0,"action":"add_server"},{"at_ms":10,"action":"expect","server":"S4","non_voting":["S4","S5"]}],"spotlight":["S4:1","S5"]}"#,
        ))
        .unwrap();
        assert_eq!(t.steps.len(), 3);
        // Before the add, or beyond the servers added so far, the name is still refused, and
        // the error counts the step's own actions (not the adds before it).
        for (steps, field) in [
            (
                r#"{"title":"A","section":"§6","text":"x","actions":[{"at_ms":0,"action":"crash","server":"S4"},{"at_ms":0,"action":"add_server"}]}"#,
                "tour[0].actions[0]",
            ),
            (
                r#"{"title":"A","section":"§6","text":"x","actions":[{"at_ms":0,"action":"add_server"}]},
                {"title":"B","section":"§6","text":"x","actions":[{"at_ms":0,"action":"heal"},{"at_ms":0,"action":"crash","server":"S5"}]}"#,
                "tour[1].actions[1]",
            ),
            (
                r#"{"title":"A","section":"§6","text":"x","actions":[{"at_ms":0,"action":"add_server"}]},
                {"title":"B","section":"§6","text":"x","spotlight":["S5"]}"#,
                "tour[1].spotlight",
            ),
        ] {
            let e = Tour::from_json(&tour(steps)).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{e}");
            if field.contains("actions[1]") {
                assert!(e.to_string().contains("step 1"), "{e}");
            }
        }
    }

    #[test]
    fn errors_name_the_tour_step_and_field() {
        let cases = [
            (
                r#"{"title":"A","section":"§1","text":"x","colour":1}"#,
                "tour[0].colour",
            ),
            (r#"{"title":"A","section":"§1"}"#, "tour[0]"),
            (r#"{"title":"","section":"§1","text":"x"}"#, "tour[0].title"),
            (
                r#"{"title":"A","section":"§1","text":"x","actions":[{"at_ms":0,"action":"crash","server":"S7"}]}"#,
                "tour[0].actions[0]",
            ),
            (
                r#"{"title":"A","section":"§1","text":"x","actions":[{"at_ms":900,"action":"heal"}],"run_ms":100}"#,
                "tour[0].run_ms",
            ),
            (
                r#"{"title":"A","section":"§1","text":"x","wait":{"action":"expect","leaders":1}}"#,
                "tour[0].wait",
            ),
            (
                r#"{"title":"A","section":"§1","text":"x","wait":{"action":"crash","server":"S9"}}"#,
                "tour[0].wait",
            ),
            (
                r#"{"title":"A","section":"§1","text":"x","spotlight":["S4"]}"#,
                "tour[0].spotlight",
            ),
            (
                r#"{"title":"A","section":"§1","text":"x","spotlight":["S1:0"]}"#,
                "tour[0].spotlight",
            ),
        ];
        for (step, field) in cases {
            let e = Tour::from_json(&tour(step)).unwrap_err();
            let f = e.field.clone().unwrap_or_default();
            assert!(f.starts_with(field), "{step}: {e}");
        }
        for (text, field) in [
            (r#"{"version":1,"name":"t"}"#, "tour"),
            (r#"{"version":1,"name":"t","tour":[]}"#, "tour"),
            (
                r#"{"version":1,"name":"t","steps":[],"tour":[{"title":"A","section":"§1","text":"x"}]}"#,
                "steps",
            ),
            (
                r#"{"version":1,"name":"t","cluster":{"servers":0},"tour":[{"title":"A","section":"§1","text":"x"}]}"#,
                "cluster.servers",
            ),
        ] {
            let e = Tour::from_json(text).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{e}");
        }
        assert!(Tour::from_json("<html>")
            .unwrap_err()
            .message
            .contains("not valid JSON"));
    }

    #[test]
    fn next_runs_the_step_does_what_it_asks_and_back_restores_exactly() {
        let (t, mut sim, mut checker, mut run) = started(&tour(TWO_STEPS), true);
        assert_eq!(
            run.advance(&t, &mut sim, &mut checker, 10_000_000),
            Stop::RunOver
        );
        assert_eq!(sim.now(), 500_000);
        let leader = sim.leader().expect("S1 leads");
        assert!(run.next(&t, &mut sim, &mut checker));
        let at_b = (sim.now(), sim.view(), sim.events_processed());
        assert!(
            run.next(&t, &mut sim, &mut checker),
            "Next crashes the leader"
        );
        assert_eq!(
            sim.status(leader),
            crate::sim::ServerStatus::Crashed,
            "Next did what step B asks"
        );
        while !run.run_over {
            run.advance(&t, &mut sim, &mut checker, u64::MAX);
        }
        assert!(run.failures.is_empty(), "{:?}", run.failures);
        assert!(!run.next(&t, &mut sim, &mut checker), "last step");
        assert!(run.back(&t, &mut sim, &mut checker));
        assert_eq!(run.step, 1);
        assert_eq!((sim.now(), sim.view(), sim.events_processed()), at_b);
        assert_eq!(sim.status(leader), crate::sim::ServerStatus::Up);
    }

    #[test]
    fn the_reader_doing_what_is_asked_moves_on_and_anything_else_does_not() {
        let (t, mut sim, mut checker, mut run) = started(&tour(TWO_STEPS), true);
        run.next(&t, &mut sim, &mut checker);
        let leader = sim.leader().unwrap();
        let other = ServerId(if leader.0 == 1 { 2 } else { 1 });
        let wrong = Action::Crash { server: other };
        assert_eq!(run.reader_acts(&t, &sim, &wrong), Reaction::Other);
        let heal = Action::Heal;
        assert_eq!(run.reader_acts(&t, &sim, &heal), Reaction::Other);
        let right = Action::Crash { server: leader };
        assert_eq!(run.reader_acts(&t, &sim, &right), Reaction::Asked);
        sim.apply(right).unwrap();
        run.asked_done(&t, &mut sim, &mut checker);
        assert_eq!(run.step, 2);
        assert_eq!(run.reader_acts(&t, &sim, &heal), Reaction::NotWaiting);
    }

    #[test]
    fn spotlight_resolves_the_leader_now() {
        let (t, mut sim, mut checker, mut run) = started(&tour(TWO_STEPS), false);
        let lit = run.spotlight(&t, &sim).unwrap();
        assert_eq!(lit.servers, [ServerId(1)]);
        assert!(lit.entries.is_empty() && !lit.messages && !lit.client);
        run.next(&t, &mut sim, &mut checker);
        assert_eq!(run.spotlight(&t, &sim), None);
    }
}

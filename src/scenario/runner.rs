//! Runs a [`Scenario`] on the simulator: steps become `Sim::apply(Action)` calls at their
//! times, expectations are judged on the cluster at that moment, and the invariant checker
//! watches every event in between.

use super::format::{parse_server_number, Expectation, Scenario, Step, StepAction};
use crate::check::invariants::step_until;
use crate::check::{check_history, Checker, Property, Verdict, Violation};
use crate::raft::types::{Command, EntryPayload, LogIndex, ServerId};
use crate::raft::{RaftOptions, ServerSet};
use crate::sim::{
    Action, ClientLoad, ClusterView, LinkSettings, ServerStatus, ServerView, Sim, SimConfig,
};

const MS: u64 = 1_000;

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Keep the narrated trace (every event, with its paper section) in the report.
    pub trace: bool,
}

/// A step that did not go as the file said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub step: usize,
    pub at_ms: u64,
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "step {} at {} ms: {}",
            self.step, self.at_ms, self.message
        )
    }
}

/// What happened when a scenario ran.
#[derive(Clone, Debug)]
pub struct Report {
    pub name: String,
    /// Failed expectations and steps that could not be carried out, in order.
    pub failures: Vec<Failure>,
    /// The first Figure 3 violation the checker found, if any.
    pub violation: Option<Violation>,
    /// True if some step expects a violation (then finding one is not a failure).
    pub violation_expected: bool,
    /// Linearizability of the whole client history at the end.
    pub linearizability: Verdict,
    /// True if some step expects the history not to be linearizable.
    pub non_linearizable_expected: bool,
    /// Simulated events processed.
    pub events: u64,
    pub end_ms: u64,
    /// Narrated trace lines ("[  123.4 ms] §5.2 S3's election timer fired. ...").
    pub trace: Vec<String>,
}

impl Report {
    /// Every expectation held, and no unexpected violation or non-linearizable history.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
            && (self.violation.is_none() || self.violation_expected)
            && (!self.linearizability.is_violation() || self.non_linearizable_expected)
    }

    /// Everything that went wrong, one line each.
    pub fn problems(&self) -> Vec<String> {
        let mut out: Vec<String> = self.failures.iter().map(|f| f.to_string()).collect();
        if let (Some(v), false) = (&self.violation, self.violation_expected) {
            out.push(format!("invariant violation: {v}"));
        }
        if self.linearizability.is_violation() && !self.non_linearizable_expected {
            out.push(format!("client history: {}", self.linearizability));
        }
        out
    }
}

/// The simulator configuration a scenario describes. Milliseconds become microseconds
/// saturating, so a scenario built in code (not read by `from_json`, which checks the limits)
/// with a huge value is refused by `SimConfig::validate` instead of wrapping.
pub fn sim_config(scenario: &Scenario) -> SimConfig {
    let c = &scenario.cluster;
    let micros = |ms: u64| ms.saturating_mul(1000);
    SimConfig {
        seed: scenario.seed,
        servers: c.servers,
        election_timeout_min: micros(c.election_timeout_ms[0]),
        election_timeout_max: micros(c.election_timeout_ms[1]),
        heartbeat_interval: micros(c.heartbeat_ms),
        latency_min: micros(c.latency_ms[0]),
        latency_max: micros(c.latency_ms[1]),
        loss_probability: c.loss,
        duplicate_probability: c.duplication,
        client_timeout: micros(c.client_timeout_ms),
        load: ClientLoad {
            clients: c.clients.count,
            think_time_min: micros(c.clients.think_ms[0]),
            think_time_max: micros(c.clients.think_ms[1]),
            keys: c.clients.keys,
        },
        raft: RaftOptions {
            fast_backup: c.fast_backup,
            noop_on_election: c.noop_on_election,
            read_mode: c.read_mode,
            lease_duration: c.lease_ms.saturating_mul(1000),
            lease_drift_bound_ppm: c.lease_drift_bound_ppm,
            pre_vote: c.pre_vote,
            check_quorum: c.check_quorum,
            snapshots: c.snapshots,
            knobs: c.knobs.clone(),
        },
        max_clock_drift_ppm: c.clock_drift_ppm,
        trace_capacity: 0,
        checkpoint_interval: 0,
        ..SimConfig::default()
    }
}

/// Runs `scenario` without a trace.
pub fn run(scenario: &Scenario) -> Report {
    run_with(scenario, &RunOptions::default())
}

/// Runs `scenario` to its end.
pub fn run_with(scenario: &Scenario, options: &RunOptions) -> Report {
    match Player::new(scenario, options) {
        Ok(mut player) => {
            player.run_until(scenario.end_ms().saturating_mul(1000));
            player.report()
        }
        Err(message) => {
            let mut report = Report::empty(scenario);
            report.failures.push(Failure {
                step: 0,
                at_ms: 0,
                message,
            });
            report
        }
    }
}

/// A scenario being played, step by step as simulated time advances (the page drives one with
/// its clock; [`run_with`] drives one to the end).
pub struct Player {
    scenario: Scenario,
    sim: Sim,
    checker: Checker,
    /// Index of the next step to carry out.
    next: usize,
    failures: Vec<Failure>,
    trace: Option<Vec<String>>,
}

impl Player {
    /// A fresh cluster as the scenario configures it, at time 0, no step carried out yet.
    pub fn new(scenario: &Scenario, options: &RunOptions) -> Result<Player, String> {
        let mut config = sim_config(scenario);
        if options.trace {
            config.trace_capacity = 1;
        }
        let sim = Sim::try_new(config).map_err(|e| format!("cannot start the cluster: {e}"))?;
        Ok(Player {
            scenario: scenario.clone(),
            sim,
            checker: Checker::new(),
            next: 0,
            failures: Vec::new(),
            trace: options.trace.then(Vec::new),
        })
    }

    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    pub fn checker(&self) -> &Checker {
        &self.checker
    }

    /// Failed steps so far.
    pub fn failures(&self) -> &[Failure] {
        &self.failures
    }

    /// True once every step has been carried out.
    pub fn steps_done(&self) -> bool {
        self.next >= self.scenario.steps.len()
    }

    /// Simulates up to `until` (µs): every event due by then, and every step due by then at its
    /// time, checking invariants after each event.
    pub fn run_until(&mut self, until: u64) {
        while let Some(step) = self
            .scenario
            .steps
            .get(self.next)
            .filter(|s| s.at_ms.saturating_mul(1000) <= until)
        {
            let (index, step) = (self.next, step.clone());
            self.next += 1;
            self.advance(step.at_ms * 1000);
            self.perform_step(index, &step);
        }
        self.advance(until);
    }

    /// Processes every event due at or before `until` (µs), checking invariants after each.
    fn advance(&mut self, until: u64) {
        while step_until(&mut self.sim, until) {
            if let Some(lines) = &mut self.trace {
                push_trace(lines, self.sim.last_event());
            }
            self.checker.observe_sim(&self.sim);
        }
        self.sim.run_until(until);
    }

    fn perform_step(&mut self, index: usize, step: &Step) {
        let at = format!("[{:>9.1} ms]", step.at_ms as f64);
        if let (Some(lines), Some(note)) = (&mut self.trace, &step.note) {
            lines.push(format!("{at} note: {note}"));
        }
        let outcome = perform(&mut self.sim, &mut self.checker, step);
        if let Some(lines) = &mut self.trace {
            match (&step.action, &outcome) {
                (StepAction::Expect(_), Ok(())) => {
                    lines.push(format!("{at} expect (step {index}): holds"))
                }
                (_, Err(message)) => lines.push(format!("{at} FAILED step {index}: {message}")),
                (_, Ok(())) => push_trace(lines, self.sim.last_event()),
            }
        }
        if let Err(message) = outcome {
            self.failures.push(Failure {
                step: index,
                at_ms: step.at_ms,
                message,
            });
        }
    }

    /// The report as things stand (the client history judged up to now).
    pub fn report(&self) -> Report {
        let mut report = Report::empty(&self.scenario);
        report.failures = self.failures.clone();
        report.violation = self.checker.violation().cloned();
        report.linearizability = check_history(self.sim.history());
        report.events = self.sim.events_processed();
        report.end_ms = self.sim.now() / 1000;
        report.trace = self.trace.clone().unwrap_or_default();
        report
    }
}

impl Report {
    fn empty(scenario: &Scenario) -> Report {
        let expects = |f: &dyn Fn(&Expectation) -> bool| {
            scenario
                .steps
                .iter()
                .any(|s| matches!(&s.action, StepAction::Expect(e) if f(e)))
        };
        Report {
            name: scenario.name.clone(),
            failures: Vec::new(),
            violation: None,
            violation_expected: expects(&|e| {
                e.violation.is_some() || e.no_violation == Some(false)
            }),
            linearizability: Verdict::Linearizable,
            non_linearizable_expected: expects(&|e| e.linearizable == Some(false)),
            events: 0,
            end_ms: scenario.end_ms(),
            trace: Vec::new(),
        }
    }
}

fn push_trace(trace: &mut Vec<String>, event: &crate::sim::TraceEvent) {
    trace.push(format!(
        "[{:>9.1} ms] {:<6} {}",
        event.time as f64 / 1000.0,
        event.section(),
        event.explain()
    ));
}

/// The live leader of the highest term.
fn resolve(sim: &Sim, name: &str) -> Result<ServerId, String> {
    if name == "leader" {
        return sim
            .leader()
            .ok_or_else(|| "there is no leader at this moment".to_string());
    }
    parse_server_number(name)
        .map(ServerId)
        .ok_or_else(|| format!("\"{name}\" is not a server name"))
}

/// The simulator action a step stands for at this moment ("leader" resolves to the current
/// leader); `None` for an expectation, which is judged rather than performed. The page plays
/// presets through this too, so a preset does the same on the page as in `raftsim run`.
pub fn step_action(sim: &Sim, step: &StepAction) -> Result<Option<Action>, String> {
    Ok(Some(match step {
        StepAction::Expect(_) => return Ok(None),
        StepAction::ClientRequest { command, server } => {
            let command: Command = command
                .parse()
                .map_err(|e| format!("bad command \"{command}\": {e}"))?;
            let target = server.as_deref().map(|s| resolve(sim, s)).transpose()?;
            Action::ClientRequest {
                client: None,
                command,
                target,
            }
        }
        StepAction::Crash { server } => Action::Crash {
            server: resolve(sim, server)?,
        },
        StepAction::Restart { server } => Action::Restart {
            server: resolve(sim, server)?,
        },
        StepAction::Timeout { server } => Action::Timeout {
            server: resolve(sim, server)?,
        },
        StepAction::Pause { server } => Action::Pause {
            server: resolve(sim, server)?,
        },
        StepAction::Resume { server } => Action::Resume {
            server: resolve(sim, server)?,
        },
        StepAction::Partition { groups } => Action::Partition {
            groups: groups
                .iter()
                .map(|g| {
                    g.iter()
                        .map(|s| resolve(sim, s))
                        .collect::<Result<Vec<_>, _>>()
                })
                .collect::<Result<Vec<_>, _>>()?,
        },
        StepAction::Cut { from, to } => Action::Cut {
            from: resolve(sim, from)?,
            to: resolve(sim, to)?,
        },
        StepAction::Heal => Action::Heal,
        StepAction::TransferLeadership { to } => Action::TransferLeadership {
            to: resolve(sim, to)?,
        },
        StepAction::AddServer => Action::AddServer,
        StepAction::RemoveServer { server } => Action::RemoveServer {
            server: resolve(sim, server)?,
        },
        StepAction::SpreadTimers => Action::SpreadTimers,
        StepAction::AlignTimers => Action::AlignTimers,
        StepAction::SetLoss { p } => Action::SetLoss { probability: *p },
        StepAction::SetDuplication { p } => Action::SetDuplication { probability: *p },
        StepAction::SetLatency {
            latency_ms: [min, max],
        } => Action::SetLatency {
            min: min * MS,
            max: max * MS,
        },
        StepAction::SetLossApart { requests, replies } => Action::SetLossApart {
            requests: *requests,
            replies: *replies,
        },
        StepAction::SetLongDelays {
            p,
            delay_ms: [min, max],
        } => Action::SetLongDelays {
            probability: *p,
            min: min * MS,
            max: max * MS,
        },
        StepAction::SetLink {
            from,
            to,
            latency_ms: [min, max],
            loss,
        } => Action::SetLink {
            from: resolve(sim, from)?,
            to: resolve(sim, to)?,
            settings: LinkSettings {
                latency_min: min * MS,
                latency_max: max * MS,
                loss_probability: *loss,
            },
        },
        StepAction::ResetLinks => Action::ResetLinks,
    }))
}

/// Carries out one step; Err says why it failed.
pub(crate) fn perform(sim: &mut Sim, checker: &mut Checker, step: &Step) -> Result<(), String> {
    if let StepAction::Expect(expectation) = &step.action {
        return expect(sim, checker, expectation);
    }
    let Some(action) = step_action(sim, &step.action)? else {
        return Ok(());
    };
    let described = action.to_string();
    sim.apply(action)
        .map_err(|e| format!("could not do \"{described}\": {e}"))?;
    checker.observe_sim(sim);
    Ok(())
}

fn holds_committed(server: &ServerView, command: &Command) -> bool {
    (server.log_start.0..=server.commit_index.0).any(|i| {
        matches!(server.entry(LogIndex(i)), Some(e) if matches!(&e.payload, EntryPayload::Client { command: c, .. } if c == command))
    })
}

/// The servers named in an expectation (names were checked when the file was read).
fn server_set(names: &[String]) -> ServerSet {
    names
        .iter()
        .filter_map(|n| parse_server_number(n).map(ServerId))
        .collect()
}

/// Judges an expectation; Err lists everything that did not hold.
fn expect(sim: &Sim, checker: &Checker, e: &Expectation) -> Result<(), String> {
    let view: ClusterView = sim.view();
    let mut wrong: Vec<String> = Vec::new();
    let live: Vec<&ServerView> = view
        .servers
        .iter()
        .filter(|s| s.status != ServerStatus::Crashed)
        .collect();
    let scope: Vec<&ServerView> = match &e.server {
        Some(name) => {
            let id = resolve(sim, name)?;
            vec![view
                .server(id)
                .ok_or_else(|| format!("{id} does not exist"))?]
        }
        None => live.clone(),
    };
    if let Some(n) = e.leaders {
        let leaders: Vec<String> = view
            .leaders()
            .map(|s| format!("{} (term {})", s.id, s.current_term))
            .collect();
        if leaders.len() != n {
            wrong.push(format!(
                "expected {n} leader{}, found {}{}",
                if n == 1 { "" } else { "s" },
                leaders.len(),
                if leaders.is_empty() {
                    String::new()
                } else {
                    format!(": {}", leaders.join(", "))
                }
            ));
        }
    }
    for s in &scope {
        if let Some(role) = e.role {
            if s.role != role || s.status == ServerStatus::Crashed {
                let status = if s.status == ServerStatus::Crashed {
                    " (crashed)"
                } else {
                    ""
                };
                wrong.push(format!(
                    "expected {} to be {role}, it is {}{status} in term {}",
                    s.id, s.role, s.current_term
                ));
            }
        }
        if let Some(term) = e.term {
            if s.current_term.0 != term {
                wrong.push(format!(
                    "expected {} in term {term}, it is in term {}",
                    s.id, s.current_term
                ));
            }
        }
        if let Some(term) = e.term_at_least {
            if s.current_term.0 < term {
                wrong.push(format!(
                    "expected {} in term {term} or later, it is in term {}",
                    s.id, s.current_term
                ));
            }
        }
        if let Some(index) = e.commit_index_at_least {
            if s.commit_index.0 < index {
                wrong.push(format!(
                    "expected {}'s commitIndex ≥ {index}, it is {}",
                    s.id, s.commit_index
                ));
            }
        }
        for text in &e.committed {
            let Ok(command) = text.parse::<Command>() else {
                continue;
            };
            if !holds_committed(s, &command) {
                wrong.push(format!(
                    "expected \"{text}\" committed on {} (commitIndex {})",
                    s.id, s.commit_index
                ));
            }
        }
        let config = &s.configuration;
        if let Some(voters) = &e.voters {
            if config.is_joint() || config.voters != server_set(voters) {
                wrong.push(format!(
                    "expected {} to use the configuration {{{}}}, it uses {config}",
                    s.id,
                    voters.join(", ")
                ));
            }
        }
        if let Some([old, new]) = e.joint.as_deref() {
            if config.voters != server_set(old) || config.new_voters != Some(server_set(new)) {
                wrong.push(format!(
                    "expected {} to use the joint configuration {{{}}} → {{{}}}, it uses {config}",
                    s.id,
                    old.join(", "),
                    new.join(", ")
                ));
            }
        }
        if let Some(learners) = &e.non_voting {
            if config.learners != server_set(learners) {
                wrong.push(format!(
                    "expected {}'s non-voting members to be {{{}}}, it uses {config}",
                    s.id,
                    learners.join(", ")
                ));
            }
        }
        if let Some(kv) = &e.kv {
            for (key, want) in kv {
                let have = s.kv.get(key);
                if have != want.as_ref() {
                    let show =
                        |v: Option<&String>| v.map_or("absent".to_string(), |v| format!("\"{v}\""));
                    wrong.push(format!(
                        "expected {key} = {} on {}, it is {}",
                        show(want.as_ref()),
                        s.id,
                        show(have)
                    ));
                }
            }
        }
    }
    for text in &e.not_committed {
        let Ok(command) = text.parse::<Command>() else {
            continue;
        };
        for s in view.servers.iter().filter(|s| holds_committed(s, &command)) {
            wrong.push(format!(
                "expected \"{text}\" not committed, but {} has it at or below commitIndex {}",
                s.id, s.commit_index
            ));
        }
    }
    if e.logs_match == Some(true) {
        if let Some(first) = live.first() {
            for s in &live[1..] {
                if s.log != first.log {
                    wrong.push(format!(
                        "expected identical logs, but {} has {} entries and {} has {} (or they differ)",
                        first.id,
                        first.log.len(),
                        s.id,
                        s.log.len()
                    ));
                }
            }
        }
    }
    if e.logs_match == Some(false) && live.windows(2).all(|w| w[0].log == w[1].log) {
        wrong.push("expected the logs to differ, they are identical".into());
    }
    match (e.no_violation, checker.violation()) {
        (Some(true), Some(v)) => wrong.push(format!("expected no invariant violation, found: {v}")),
        (Some(false), None) => wrong.push("expected an invariant violation, found none".into()),
        _ => {}
    }
    if let Some(name) = &e.violation {
        match checker.violation() {
            None => wrong.push(format!(
                "expected a violation of {name}, the checker found none"
            )),
            Some(v) if name != "any" && property_named(name) != Some(v.property) => {
                wrong.push(format!("expected a violation of {name}, found: {v}"))
            }
            Some(_) => {}
        }
    }
    if let Some(want) = e.linearizable {
        let verdict = check_history(&view.history);
        if verdict.is_linearizable() != want {
            wrong.push(format!(
                "expected the history {}linearizable: {verdict}",
                if want { "" } else { "not " }
            ));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("; "))
    }
}

/// The property named in an `expect.violation` field (None for "any").
pub fn property_named(name: &str) -> Option<Property> {
    Property::ALL
        .into_iter()
        .find(|p| p.name().eq_ignore_ascii_case(name))
}

/// The step a recorded simulator action is written as in a scenario file (the reverse of
/// [`step_action`]); None for what a file cannot name: a message by its id (drop, duplicate,
/// delay), which exists only in one run.
pub fn action_step(action: &Action) -> Option<StepAction> {
    let name = |s: &ServerId| s.to_string();
    Some(match action {
        Action::Crash { server } => StepAction::Crash {
            server: name(server),
        },
        Action::Restart { server } => StepAction::Restart {
            server: name(server),
        },
        Action::Timeout { server } => StepAction::Timeout {
            server: name(server),
        },
        Action::Pause { server } => StepAction::Pause {
            server: name(server),
        },
        Action::Resume { server } => StepAction::Resume {
            server: name(server),
        },
        Action::Partition { groups } => StepAction::Partition {
            groups: groups
                .iter()
                .map(|g| g.iter().map(name).collect())
                .collect(),
        },
        Action::Cut { from, to } => StepAction::Cut {
            from: name(from),
            to: name(to),
        },
        Action::Heal => StepAction::Heal,
        Action::TransferLeadership { to } => StepAction::TransferLeadership { to: name(to) },
        Action::AddServer => StepAction::AddServer,
        Action::RemoveServer { server } => StepAction::RemoveServer {
            server: name(server),
        },
        Action::SpreadTimers => StepAction::SpreadTimers,
        Action::AlignTimers => StepAction::AlignTimers,
        Action::SetLoss { probability } => StepAction::SetLoss { p: *probability },
        Action::SetDuplication { probability } => StepAction::SetDuplication { p: *probability },
        Action::SetLatency { min, max } => StepAction::SetLatency {
            latency_ms: [min / MS, max / MS],
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
            delay_ms: [min / MS, max / MS],
        },
        Action::SetLink { from, to, settings } => StepAction::SetLink {
            from: name(from),
            to: name(to),
            latency_ms: [settings.latency_min / MS, settings.latency_max / MS],
            loss: settings.loss_probability,
        },
        Action::ResetLinks => StepAction::ResetLinks,
        Action::ClientRequest {
            command, target, ..
        } => StepAction::ClientRequest {
            command: command.to_string(),
            server: target.as_ref().map(name),
        },
        Action::DropMessage { .. }
        | Action::DuplicateMessage { .. }
        | Action::DelayMessage { .. } => return None,
    })
}

//! The one place state lives: a `use_reducer_eq` model holding the simulation handle, the view
//! drawn from it, and the page's own choices (speed, selection, filters). Components send
//! `Intent`s; the animation loop sends `Msg::Frame`.

use super::intent::{EventFilter, EventKind, EventRow, Intent, LinVerdict, SafetyRow};
use super::log_table::{find_overwritten, Ghost};
use super::presets::{self, Preset};
use crate::check::{check_history_with_budget, Checker, Property, Verdict};
use crate::raft::types::{Command, Role, ServerId};
use crate::sim::{
    Action, ClientLoad, ClientOp, ClusterView, MessageId, MessageKind, Micros, ServerStatus, Sim,
    SimConfig, TraceEvent, TraceKind,
};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;
use yew::prelude::*;

/// Events kept for the event log (the list renders fewer).
const KEEP_EVENTS: usize = 300;
/// How long an overwritten entry stays visible (wall-clock ms).
const GHOST_MS: f64 = 4000.0;
/// The speed a page starts at: elections and messages are easy to follow.
pub const DEFAULT_SPEED: f64 = 0.05;

pub enum Msg {
    /// One animation frame at this wall-clock time (ms).
    Frame(f64),
    Intent(Intent),
}

/// Page options read from the URL (`?seed=7&speed=1&servers=3&preset=leader_crash&paused&bench`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UrlOptions {
    pub seed: Option<u64>,
    pub speed: Option<f64>,
    pub servers: Option<u8>,
    pub preset: Option<String>,
    pub paused: bool,
    /// A busy cluster for the frame-cost benchmark: client load, slow links, many messages.
    pub bench: bool,
    pub cols: Option<usize>,
    /// What in the URL could not be used, in words, for a notice on the page (the page then
    /// uses its defaults for those options: bad input never stops it).
    pub problems: Vec<String>,
}

impl UrlOptions {
    pub fn parse(search: &str) -> Self {
        let mut o = UrlOptions::default();
        for pair in search.trim_start_matches('?').split('&') {
            if pair.is_empty() {
                continue;
            }
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let understood = match k {
                "seed" => {
                    o.seed = v.parse().ok();
                    o.seed.is_some()
                }
                "speed" => {
                    o.speed = v.parse().ok().filter(|s: &f64| s.is_finite() && *s > 0.0);
                    o.speed.is_some()
                }
                "servers" => {
                    o.servers = v.parse().ok().filter(|n| (1..=9).contains(n));
                    o.servers.is_some()
                }
                "cols" => {
                    o.cols = v.parse().ok().filter(|n| *n > 0);
                    o.cols.is_some()
                }
                "preset" => {
                    o.preset = Some(v.to_string());
                    true
                }
                "paused" => {
                    o.paused = true;
                    true
                }
                "bench" => {
                    o.bench = true;
                    true
                }
                // The deliberate-panic switch, read by `start` before the page exists.
                "debug_panic" => true,
                _ => {
                    o.problems.push(format!("unknown option \"{k}\""));
                    continue;
                }
            };
            if !understood {
                let wanted = match k {
                    "seed" => "a whole number",
                    "speed" => "a positive number (1 = real time)",
                    "servers" => "a number from 1 to 9",
                    _ => "a positive whole number",
                };
                o.problems.push(format!("{k}=\"{v}\" should be {wanted}"));
            }
        }
        o
    }
}

#[derive(Clone)]
pub struct Model {
    pub sim: Rc<RefCell<Sim>>,
    pub checker: Rc<RefCell<Checker>>,
    /// The configuration runs start from (seed, servers, knobs).
    pub config: SimConfig,
    /// The newest picture of the cluster: what the painter draws (`motion`: messages, timers,
    /// client traffic, the leader line) and what the panels catch up with.
    pub view: Rc<ClusterView>,
    /// The picture Yew last drew the cluster from. It is replaced by `view` only when what
    /// Yew draws of it would change (`cluster::draws_same`: roles, terms, votes, which timers
    /// run, the network), so the many events that only move traffic render nothing.
    pub drawn: Rc<ClusterView>,
    /// The painter of the cluster picture drawn for this model (shared by every copy).
    pub painter: super::motion::Painter,
    pub now: Micros,
    /// The furthest time of the recorded run (scrubber end).
    pub horizon: Micros,
    pub playing: bool,
    pub speed: f64,
    /// The time of the last animation frame while playing (shared by every copy of the
    /// model: bookkeeping, not something drawn, and kept by frames that render nothing).
    last_frame: Rc<Cell<Option<f64>>>,
    pub selected_server: Option<ServerId>,
    pub selected_message: Option<MessageId>,
    pub events: Rc<VecDeque<Rc<EventRow>>>,
    /// What the heavy panels draw. While playing they follow `view` in turn, one panel per
    /// frame (each at a quarter of the frame rate; off screen, once a second), so no frame
    /// pays for all of them.
    pub log_view: Rc<ClusterView>,
    pub kv_view: Rc<ClusterView>,
    pub client_view: Rc<ClusterView>,
    pub shown_events: Rc<VecDeque<Rc<EventRow>>>,
    frame_no: Rc<Cell<u64>>,
    /// Wall-clock time each heavy panel (logs, stores, clients, events) was last brought up to
    /// date while playing.
    panel_synced_wall: [f64; 4],
    /// Wall-clock time an off-screen panel was last brought up to date while playing.
    offscreen_synced_wall: f64,
    pub last_seq: u64,
    pub ghosts: Rc<Vec<Ghost>>,
    pub safety: Rc<Vec<SafetyRow>>,
    pub verdict: Rc<LinVerdict>,
    /// The verdict the panels show: a new verdict of another kind (a violation) at once, a
    /// new count of operations when the client panel catches up.
    pub shown_verdict: Rc<LinVerdict>,
    /// The history the verdict was given for (None: none given yet) and when (wall ms).
    verdict_for: Option<Arc<Vec<ClientOp>>>,
    verdict_wall: f64,
    pub filter: EventFilter,
    pub help: bool,
    pub dark: Option<bool>,
    /// The system theme when the page loaded (prefers-color-scheme).
    pub system_dark: bool,
    pub presets: Rc<Vec<Preset>>,
    pub preset: Option<usize>,
    /// Preset steps applied so far (steps are applied the first time time passes them).
    steps_done: usize,
    /// The loaded preset's description.
    pub caption: Option<String>,
    /// What the preset says about the current moment (its latest step note).
    pub step_note: Option<String>,
    /// A refused action or other notice, shown briefly.
    pub notice: Option<String>,
    pub quick_value: u32,
    pub bench: bool,
    pub columns: usize,
    /// Sim events processed at the last refresh (to skip rebuilding an unchanged view).
    refreshed_at: (u64, usize, u64),
    /// Intents handled so far: every intent renders.
    intents: u64,
}

/// Equal when they draw the same: the page keeps every new model (`use_reducer_eq` stores
/// it) but renders only when it draws something else (`shows_same`).
impl PartialEq for Model {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other) || self.shows_same(other)
    }
}

/// Wall-clock milliseconds (performance.now()).
pub fn wall_ms() -> f64 {
    super::bench::now()
}

fn new_sim(config: &SimConfig) -> Sim {
    match Sim::try_new(config.clone()) {
        Ok(sim) => sim,
        Err(_) => Sim::new(SimConfig::default()),
    }
}

/// The family of a trace event, and the other server involved.
fn classify(e: &TraceEvent) -> (EventKind, Option<ServerId>) {
    match &e.kind {
        TraceKind::Delivered { from, message, .. } => (
            match message.kind {
                MessageKind::RequestVote | MessageKind::RequestVoteReply => EventKind::Election,
                _ => EventKind::Replication,
            },
            Some(*from),
        ),
        TraceKind::Lost { from, .. } | TraceKind::Held { from, .. } => {
            (EventKind::Network, Some(*from))
        }
        TraceKind::ElectionTimeout => (EventKind::Election, None),
        TraceKind::HeartbeatTick => (EventKind::Replication, None),
        TraceKind::ClientRequestArrived { to, .. }
        | TraceKind::ClientRequestLost { to, .. }
        | TraceKind::ClientRequestHeld { to, .. } => (EventKind::Client, Some(*to)),
        TraceKind::ClientReplyArrived { from, .. } => (EventKind::Client, Some(*from)),
        TraceKind::ClientInvoked { .. } | TraceKind::ClientTimedOut { .. } => {
            (EventKind::Client, None)
        }
        TraceKind::Action(a) => (EventKind::You, a.server()),
    }
}

fn event_row(e: &TraceEvent) -> Rc<EventRow> {
    let (kind, peer) = classify(e);
    Rc::new(EventRow {
        seq: e.seq,
        time: e.time,
        server: e.server,
        peer,
        kind,
        routine: e.is_routine(),
        section: e.section(),
        text: e.explain(),
    })
}

impl Model {
    pub fn new(url: &UrlOptions) -> Self {
        super::bench::set_enabled(url.bench);
        let presets = Rc::new(presets::all());
        let mut config = SimConfig {
            seed: url.seed.unwrap_or(1),
            servers: url.servers.unwrap_or(5),
            trace_capacity: 2000,
            ..SimConfig::default()
        };
        if url.bench {
            config.load = ClientLoad::busy(8);
            config.latency_min = 80_000;
            config.latency_max = 160_000;
            config.heartbeat_interval = 30_000;
            config.election_timeout_min = 600_000;
            config.election_timeout_max = 1_200_000;
        }
        let sim = new_sim(&config);
        let view = Rc::new(sim.view());
        let events = Rc::new(VecDeque::new());
        let mut model = Model {
            log_view: view.clone(),
            kv_view: view.clone(),
            client_view: view.clone(),
            shown_events: events.clone(),
            frame_no: Rc::default(),
            // Never: off-screen panels catch up once soon after the page opens.
            panel_synced_wall: [f64::NEG_INFINITY; 4],
            offscreen_synced_wall: f64::NEG_INFINITY,
            sim: Rc::new(RefCell::new(sim)),
            checker: Rc::new(RefCell::new(Checker::new())),
            config,
            drawn: view.clone(),
            painter: Rc::default(),
            view,
            now: 0,
            horizon: 0,
            playing: !url.paused,
            speed: url.speed.unwrap_or(DEFAULT_SPEED).clamp(0.01, 10.0),
            last_frame: Rc::default(),
            selected_server: None,
            selected_message: None,
            events,
            last_seq: 0,
            ghosts: Rc::new(Vec::new()),
            safety: Rc::new(Vec::new()),
            verdict: Rc::new(LinVerdict::Ok { ops: 0 }),
            shown_verdict: Rc::new(LinVerdict::Ok { ops: 0 }),
            verdict_for: None,
            verdict_wall: 0.0,
            filter: EventFilter::default(),
            help: false,
            dark: None,
            system_dark: prefers_dark(),
            presets,
            preset: None,
            steps_done: 0,
            caption: None,
            step_note: None,
            notice: None,
            quick_value: 0,
            bench: url.bench,
            columns: url.cols.unwrap_or(16),
            refreshed_at: (u64::MAX, 0, 0),
            intents: 0,
        };
        let mut problems = url.problems.clone();
        if let Some(id) = &url.preset {
            match model.presets.iter().position(|p| p.id == id) {
                Some(i) => model.load_preset(i),
                None => problems.push(format!("there is no preset \"{id}\"")),
            }
        }
        if !problems.is_empty() {
            model.notice = Some(format!(
                "Some of the link was not understood and was ignored: {}.",
                problems.join("; ")
            ));
        }
        model.refresh(true);
        model.sync_panels();
        model
    }

    /// Every panel shows the present.
    fn sync_panels(&mut self) {
        self.log_view = self.view.clone();
        self.kv_view = self.view.clone();
        self.client_view = self.view.clone();
        self.shown_verdict = self.verdict.clone();
        self.shown_events = self.events.clone();
    }

    /// One panel catches up with the present (round robin, one per frame), and any that
    /// just came on screen.
    fn sync_one_panel(&mut self) {
        let wall = wall_ms();
        let came_on_screen = PANELS_CAME_ON_SCREEN.with(|c| c.replace(0));
        for panel in 0..4 {
            if came_on_screen & 1 << panel != 0 {
                self.sync_panel(panel, wall);
            }
        }
        self.frame_no.set(self.frame_no.get() + 1);
        let panel = (self.frame_no.get() % 4) as usize;
        let wall_since = |t: f64| wall - t;
        // At most this often (ms of wall time). The event list: a busy cluster narrates
        // hundreds of events a second, nobody reads a list that changes faster than a few
        // times a second, and it is the costliest panel. The logs: ten times a second (their
        // cells shift with every new entry; at the default 1/20x a message takes 200-400 ms
        // to arrive). Stores and clients: every time their turn comes. A panel off screen
        // (issue 4: render only what is visible) catches up every five seconds (for assistive
        // technology, which reads it without scrolling to it), one such panel at most every
        // half second (no run of heavy frames), and at once when it comes on screen.
        let due = if panel_on_screen(panel) {
            let every = match panel {
                0 => 100.0,
                3 => 250.0,
                _ => 0.0,
            };
            wall_since(self.panel_synced_wall[panel]) >= every
        } else {
            wall_since(self.panel_synced_wall[panel]) >= 5000.0
                && wall_since(self.offscreen_synced_wall) >= 500.0
        };
        if due {
            if !panel_on_screen(panel) {
                self.offscreen_synced_wall = wall;
            }
            self.sync_panel(panel, wall);
        }
    }

    fn sync_panel(&mut self, panel: usize, wall: f64) {
        let up_to_date = match panel {
            0 => Rc::ptr_eq(&self.log_view, &self.view),
            1 => Rc::ptr_eq(&self.kv_view, &self.view),
            2 => {
                Rc::ptr_eq(&self.client_view, &self.view)
                    && Rc::ptr_eq(&self.shown_verdict, &self.verdict)
            }
            _ => Rc::ptr_eq(&self.shown_events, &self.events),
        };
        if up_to_date {
            return;
        }
        self.panel_synced_wall[panel] = wall;
        super::bench::set_panel(panel as u8);
        match panel {
            0 => self.log_view = self.view.clone(),
            1 => self.kv_view = self.view.clone(),
            2 => {
                self.client_view = self.view.clone();
                self.shown_verdict = self.verdict.clone();
            }
            _ => self.shown_events = self.events.clone(),
        }
    }

    // ---- derived state ----

    /// Rebuilds what is drawn from the simulator, if anything changed (or `force`).
    fn refresh(&mut self, force: bool) {
        let sim_rc = self.sim.clone();
        let sim = sim_rc.borrow();
        self.now = sim.now();
        self.horizon = self.horizon.max(self.now);
        let key = (
            sim.events_processed(),
            sim.actions().len(),
            sim.last_event().seq,
        );
        if !force && key == self.refreshed_at {
            drop(sim);
            self.prune_ghosts();
            return;
        }
        self.refreshed_at = key;
        let t0 = wall_ms();
        let view = Rc::new(sim.view());
        let t1 = wall_ms();
        super::bench::add("view", t1 - t0);
        // Entries lost since the last picture (only along one timeline: not after a jump).
        if !force {
            let lost = find_overwritten(&self.view, &view, wall_ms());
            if !lost.is_empty() {
                let mut ghosts: Vec<Ghost> = (*self.ghosts).clone();
                ghosts.extend(lost);
                let len = ghosts.len();
                if len > 12 {
                    ghosts.drain(..len - 12);
                }
                self.ghosts = Rc::new(ghosts);
            }
        }
        self.prune_ghosts();
        let t2 = wall_ms();
        super::bench::add("ghosts", t2 - t1);
        // New narrated events.
        let trace = sim.trace();
        let newest = trace.back().map(|e| e.seq).unwrap_or(0);
        if force || newest < self.last_seq {
            let rows: VecDeque<Rc<EventRow>> = trace
                .iter()
                .skip(trace.len().saturating_sub(KEEP_EVENTS))
                .map(event_row)
                .collect();
            self.events = Rc::new(rows);
        } else if newest > self.last_seq {
            let fresh: Vec<&TraceEvent> = trace
                .iter()
                .rev()
                .take_while(|e| e.seq > self.last_seq)
                .take(KEEP_EVENTS)
                .collect();
            let mut rows = (*self.events).clone();
            for e in fresh.into_iter().rev() {
                rows.push_back(event_row(e));
            }
            while rows.len() > KEEP_EVENTS {
                rows.pop_front();
            }
            self.events = Rc::new(rows);
        }
        self.last_seq = newest;
        drop(sim);
        if force || !super::cluster::draws_same(&self.drawn, &view) {
            self.drawn = view.clone();
        }
        self.view = view;
        let t3 = wall_ms();
        super::bench::add("events", t3 - t2);
        self.update_safety();
        super::bench::add("safety", wall_ms() - t3);
    }

    fn prune_ghosts(&mut self) {
        if self.ghosts.is_empty() {
            return;
        }
        let now = wall_ms();
        if self.ghosts.iter().any(|g| now - g.seen_at > GHOST_MS) {
            let kept: Vec<Ghost> = self
                .ghosts
                .iter()
                .filter(|g| now - g.seen_at <= GHOST_MS)
                .cloned()
                .collect();
            self.ghosts = Rc::new(kept);
        }
    }

    fn update_safety(&mut self) {
        let checker = self.checker.borrow();
        let violation = checker.violation();
        let rows: Vec<SafetyRow> = Property::ALL
            .iter()
            .map(|p| {
                let v = violation.filter(|v| v.property == *p);
                SafetyRow {
                    name: p.name(),
                    section: p.section(),
                    violation: v.map(|v| v.to_string()),
                    at: v.map(|v| v.time),
                }
            })
            .collect();
        if *self.safety != rows {
            self.safety = Rc::new(rows);
        }
        drop(checker);
        // Linearizability: when the history changed, at most a few times a second while
        // playing (the search is bounded by a budget).
        let h = &self.view.history;
        // The simulator shares an unchanged history between pictures: same pointer, same
        // history, nothing to do (and nothing to count).
        let changed = self.verdict_for.as_ref().is_none_or(|v| !Arc::ptr_eq(v, h));
        let wall = wall_ms();
        if changed && (!self.playing || wall - self.verdict_wall > 400.0) {
            self.verdict_for = Some(h.clone());
            self.verdict_wall = wall;
            let v = match check_history_with_budget(h, 20_000) {
                Verdict::Linearizable => LinVerdict::Ok { ops: h.len() },
                Verdict::NotLinearizable {
                    key,
                    explanation,
                    culprit,
                } => LinVerdict::Violated(format!("key \"{key}\": {explanation}"), culprit.0),
                Verdict::Unknown { key, reason } => {
                    LinVerdict::Unknown(format!("key \"{key}\": {reason}"))
                }
            };
            if *self.verdict != v {
                self.verdict = Rc::new(v);
                // A violation (or an unknown) is shown at once; a longer history found
                // linearizable again waits for the client panel's turn.
                if !matches!(
                    (&*self.verdict, &*self.shown_verdict),
                    (LinVerdict::Ok { .. }, LinVerdict::Ok { .. })
                ) {
                    self.shown_verdict = self.verdict.clone();
                }
            }
        }
    }

    // ---- running ----

    /// Advances the simulator to `target`, checking invariants after every event and
    /// applying preset steps whose time comes.
    fn advance_to(&mut self, target: Micros) {
        loop {
            let next_step = self.next_preset_step_time();
            let until = match next_step {
                Some(t) if t <= target => t,
                _ => target,
            };
            {
                let mut sim = self.sim.borrow_mut();
                let mut checker = self.checker.borrow_mut();
                while sim.step_until(until).is_some() {
                    let clean = checker.is_clean();
                    checker.observe_sim(&sim);
                    if clean && !checker.is_clean() {
                        // Stop right at the violation, so the user sees it happen.
                        self.playing = false;
                        self.notice = Some(
                            "A safety property was just violated: see the Safety panel.".into(),
                        );
                        return;
                    }
                }
                sim.run_until(until);
            }
            if next_step.is_some_and(|t| t <= target) {
                self.apply_preset_step();
            } else {
                break;
            }
        }
    }

    fn next_preset_step_time(&self) -> Option<Micros> {
        let p = self.presets.get(self.preset?)?;
        let step = p.scenario.steps.get(self.steps_done)?;
        // Steps passed before are in the action log and replay from it; `steps_done` only
        // grows along one timeline (a fork re-syncs it).
        Some(step.at_ms * 1000)
    }

    fn apply_preset_step(&mut self) {
        // Hold the shared presets (an Rc) rather than cloning the whole scenario for one step.
        let presets = self.presets.clone();
        let preset = self.preset.and_then(|i| presets.get(i));
        let Some(step) = preset.and_then(|p| p.scenario.steps.get(self.steps_done)) else {
            return;
        };
        self.steps_done += 1;
        let action = presets::step_action(&self.sim.borrow(), &step.action);
        match action {
            Ok(Some(action)) => {
                let result = self.sim.borrow_mut().apply(action);
                match result {
                    Ok(_) => {
                        self.checker.borrow_mut().observe_sim(&self.sim.borrow());
                    }
                    Err(e) => self.notice = Some(format!("Preset step skipped: {e}")),
                }
            }
            Ok(None) => {}
            Err(e) => self.notice = Some(format!("Preset step skipped: {e}")),
        }
        if let Some(note) = &step.note {
            self.step_note = Some(note.clone());
        }
    }

    fn load_preset(&mut self, i: usize) {
        let Some(p) = self.presets.get(i) else {
            return;
        };
        let mut config = presets::sim_config(&p.scenario);
        config.trace_capacity = 2000;
        config.raft.knobs = config.raft.knobs.clone();
        self.caption = Some(p.scenario.description.clone());
        self.config = config;
        self.preset = Some(i);
        self.restart_world();
    }

    fn restart_world(&mut self) {
        *self.sim.borrow_mut() = new_sim(&self.config);
        *self.checker.borrow_mut() = Checker::new();
        self.horizon = 0;
        self.steps_done = 0;
        self.step_note = None;
        self.selected_message = None;
        self.ghosts = Rc::new(Vec::new());
        self.last_seq = 0;
        self.verdict_for = None;
        self.notice = None;
        if self
            .selected_server
            .is_some_and(|s| s.0 > self.config.servers)
        {
            self.selected_server = None;
        }
        self.refresh(true);
    }

    /// Applies a user action now. Acting in the past forks the run.
    fn act(&mut self, action: Action) {
        let forks = {
            let sim = self.sim.borrow();
            sim.actions_applied() < sim.actions().len() || sim.now() < self.horizon
        };
        let result = self.sim.borrow_mut().apply(action);
        match result {
            Ok(_) => {
                if forks {
                    self.horizon = self.now;
                    self.resync_preset();
                }
                self.checker.borrow_mut().observe_sim(&self.sim.borrow());
                self.notice = None;
            }
            Err(e) => self.notice = Some(e.to_string()),
        }
        self.refresh(false);
    }

    fn resync_preset(&mut self) {
        if let Some(p) = self.preset.and_then(|i| self.presets.get(i)) {
            let now = self.now;
            self.steps_done = p
                .scenario
                .steps
                .iter()
                .take_while(|s| s.at_ms * 1000 < now)
                .count();
        }
    }

    fn leader(&self) -> Option<ServerId> {
        self.sim.borrow().leader()
    }

    fn seek(&mut self, t: Micros) {
        let t = t.min(self.horizon.max(self.now));
        let backwards = t < self.now;
        let result = self.sim.borrow_mut().rewind_to(t);
        if let Err(e) = result {
            self.notice = Some(e.to_string());
        }
        // The run jumped (replayed forward, or went back): the checker starts again from
        // here, keeping its first violation if that happened before t.
        self.checker.borrow_mut().resync(&self.sim.borrow());
        if backwards {
            self.ghosts = Rc::new(Vec::new());
        }
        self.playing = false;
        self.refresh(true);
    }

    fn up_servers(&self) -> Vec<(ServerId, ServerStatus, Role)> {
        self.view
            .servers
            .iter()
            .map(|s| (s.id, s.status, s.role))
            .collect()
    }

    fn handle(&mut self, intent: Intent) {
        match intent {
            Intent::Crash(server) => self.act(Action::Crash { server }),
            Intent::Restart(server) => self.act(Action::Restart { server }),
            Intent::Timeout(server) => self.act(Action::Timeout { server }),
            Intent::Pause(server) => self.act(Action::Pause { server }),
            Intent::Resume(server) => self.act(Action::Resume { server }),
            Intent::SelectServer(s) => {
                self.selected_server = s;
                self.selected_message = None;
            }
            Intent::SelectMessage(m) => {
                self.selected_message = m;
                if m.is_some() {
                    // Hold time still so the message can be inspected and acted on.
                    self.playing = false;
                    self.selected_server = None;
                }
            }
            Intent::DropMessage(id) => self.act(Action::DropMessage { id }),
            Intent::DuplicateMessage(id) => self.act(Action::DuplicateMessage { id }),
            Intent::DelayMessage(id, by) => self.act(Action::DelayMessage { id, by }),
            Intent::Partition(groups) => self.act(Action::Partition { groups }),
            Intent::IsolateLeader => match self.leader() {
                Some(l) => {
                    let others: Vec<ServerId> = self
                        .view
                        .servers
                        .iter()
                        .map(|s| s.id)
                        .filter(|&s| s != l)
                        .collect();
                    self.act(Action::Partition {
                        groups: vec![vec![l], others],
                    })
                }
                None => self.notice = Some("There is no leader to isolate right now.".into()),
            },
            Intent::Cut(from, to) => {
                if from == to {
                    self.notice =
                        Some("Pick two different servers to cut the link between them.".into());
                } else {
                    self.act(Action::Cut { from, to })
                }
            }
            Intent::Heal => self.act(Action::Heal),
            Intent::SetLoss(probability) => self.act(Action::SetLoss {
                probability: probability.clamp(0.0, 1.0),
            }),
            Intent::SetDuplication(probability) => self.act(Action::SetDuplication {
                probability: probability.clamp(0.0, 1.0),
            }),
            Intent::SetLatency(min, max) => self.act(Action::SetLatency { min, max }),
            Intent::Client { command, target } => self.act(Action::ClientRequest {
                client: None,
                command,
                target,
            }),
            Intent::QuickClient => {
                self.quick_value += 1;
                let command = Command::Set {
                    key: "x".into(),
                    value: self.quick_value.to_string(),
                };
                self.act(Action::ClientRequest {
                    client: None,
                    command,
                    target: None,
                })
            }
            Intent::RestartLeader => match self.leader() {
                Some(server) => {
                    self.act(Action::Crash { server });
                    self.act(Action::Restart { server });
                }
                None => self.notice = Some("There is no leader to restart right now.".into()),
            },
            // RaftScope's T and A, done by the simulator on the real timers (§5.2).
            Intent::SpreadTimers => self.act(Action::SpreadTimers),
            Intent::AlignTimers => self.act(Action::AlignTimers),
            Intent::ResumeAll => {
                for (server, st, _) in self.up_servers() {
                    if st == ServerStatus::Paused {
                        self.act(Action::Resume { server });
                    }
                }
            }
            Intent::RestartCrashed => {
                for (server, st, _) in self.up_servers() {
                    if st == ServerStatus::Crashed {
                        self.act(Action::Restart { server });
                    }
                }
            }
            Intent::CrashSelected => {
                let target = self.selected_server.or_else(|| self.leader());
                match target {
                    Some(server) => self.act(Action::Crash { server }),
                    None => self.notice = Some("Select a server to crash.".into()),
                }
            }
            Intent::Fork => {
                let in_past = {
                    let sim = self.sim.borrow();
                    sim.actions_applied() < sim.actions().len() || sim.now() < self.horizon
                };
                if in_past {
                    self.sim.borrow_mut().forget_future();
                    self.horizon = self.now;
                    self.resync_preset();
                    self.notice = Some(
                        "Forked: the recorded future is forgotten; what happens now is a new run."
                            .into(),
                    );
                } else {
                    self.notice = Some(
                        "Nothing to fork: travel back on the timeline first, then act (or press F)."
                            .into(),
                    );
                }
            }
            Intent::TimeoutSelected => match self.selected_server {
                Some(server) => self.act(Action::Timeout { server }),
                None => {
                    self.notice =
                        Some("Select a server first (click it or press its number).".into())
                }
            },
            Intent::PauseSelected => match self.selected_server {
                Some(server) => {
                    let paused = self
                        .view
                        .server(server)
                        .is_some_and(|s| s.status == ServerStatus::Paused);
                    if paused {
                        self.act(Action::Resume { server })
                    } else {
                        self.act(Action::Pause { server })
                    }
                }
                None => {
                    self.notice =
                        Some("Select a server first (click it or press its number).".into())
                }
            },
            Intent::DropSelected => match self.selected_message {
                Some(id) => self.act(Action::DropMessage { id }),
                None => {
                    self.notice = Some("Click a message first, then press X to drop it.".into())
                }
            },
            Intent::SelectNth(n) => {
                if n >= 1 && n <= self.config.servers {
                    self.selected_server = Some(ServerId(n));
                    self.selected_message = None;
                }
            }
            Intent::Escape => {
                self.help = false;
                self.selected_message = None;
                self.selected_server = None;
            }
            Intent::TogglePlay => self.playing = !self.playing,
            Intent::StepEvent => {
                // Exactly one event (or the preset step that comes first).
                self.playing = false;
                let next = self.sim.borrow().next_event_time();
                match (self.next_preset_step_time(), next) {
                    (Some(p), e) if e.is_none_or(|e| p <= e) => {
                        // Events due at p, checked, then the preset step.
                        self.advance_to(p);
                    }
                    (_, Some(_)) => {
                        let mut sim = self.sim.borrow_mut();
                        if sim.step().is_some() {
                            self.checker.borrow_mut().observe_sim(&sim);
                        }
                    }
                    _ => {}
                }
                self.refresh(false);
            }
            Intent::SetSpeed(s) => self.speed = s.clamp(0.01, 10.0),
            Intent::SpeedBy(f) => self.speed = (self.speed * f).clamp(0.01, 10.0),
            Intent::Seek(t) => self.seek(t),
            Intent::SeekBy(d) => {
                let t = (self.now as i64 + d).max(0) as Micros;
                self.seek(t)
            }
            Intent::Reset { new_seed } => {
                if new_seed {
                    self.config.seed = (js_sys::Math::random() * 1_000_000.0) as u64 + 1;
                }
                self.restart_world();
                if let Some(p) = self.preset.and_then(|i| self.presets.get(i)) {
                    self.caption = Some(p.scenario.description.clone());
                }
            }
            Intent::LoadPreset(i) => {
                let i = if i == usize::MAX {
                    self.presets
                        .iter()
                        .position(|p| p.id == "log_replication")
                        .unwrap_or(0)
                } else {
                    i
                };
                self.load_preset(i);
                self.playing = true;
            }
            Intent::SetServers(n) => {
                self.config.servers = n.clamp(1, 9);
                self.preset = None;
                self.caption = None;
                self.restart_world();
            }
            Intent::SetKnob(name, on) => {
                // The names come from `Knobs::ALL`: an unknown one cannot happen.
                if self.config.raft.knobs.set(name, on).is_ok() {
                    self.restart_world();
                }
            }
            Intent::ToggleHelp => self.help = !self.help,
            Intent::ToggleTheme => {
                let dark = !self.dark.unwrap_or(self.system_dark);
                self.dark = Some(dark);
                if let Some(root) = gloo::utils::document().document_element() {
                    let _ = root.set_attribute("data-theme", if dark { "dark" } else { "light" });
                }
            }
            Intent::SetEventFilter(f) => self.filter = f,
        }
    }

    /// Whether `self`, a frame later than `before`, shows the same page through Yew: what
    /// changed (the time, and what moves in the newest picture: messages, timers, clients,
    /// the leader line) is painted without a render (motion). Every field is named, so a new
    /// one is not forgotten.
    fn shows_same(&self, before: &Model) -> bool {
        let Model {
            // Shared, or only changed by intents (which always render: `intents`).
            sim: _,
            checker: _,
            config: _,
            presets: _,
            preset: _,
            system_dark: _,
            dark: _,
            help: _,
            filter: _,
            selected_server: _,
            selected_message: _,
            quick_value: _,
            bench: _,
            columns: _,
            caption: _,
            speed: _,
            // Bookkeeping, not drawn.
            last_frame: _,
            frame_no: _,
            painter: _,
            panel_synced_wall: _,
            offscreen_synced_wall: _,
            last_seq: _,
            steps_done: _,
            refreshed_at: _,
            verdict_for: _,
            verdict_wall: _,
            // Painted by `motion` from the newest picture, not rendered (unless a selected
            // server or message is detailed from it, below).
            view,
            // Only the event panel's copy (`shown_events`) is drawn.
            events: _,
            verdict: _,
            // Drawn.
            intents,
            drawn,
            now: _,
            horizon: _,
            playing,
            log_view,
            kv_view,
            client_view,
            shown_events,
            ghosts,
            safety,
            shown_verdict,
            step_note,
            notice,
        } = self;
        // The details panel shows the selected message, or else the selected server, from
        // the newest picture (a log or store shared between pictures is unchanged).
        let details_same = Rc::ptr_eq(view, &before.view)
            || match (self.selected_message, self.selected_server) {
                (Some(id), _) => {
                    let shown = |v: &ClusterView| {
                        v.messages
                            .iter()
                            .find(|m| m.id == id)
                            .map(|m| (Arc::as_ptr(&m.message), m.doomed))
                    };
                    shown(view) == shown(&before.view)
                }
                (None, Some(s)) => server_shown(view, s) == server_shown(&before.view, s),
                (None, None) => true,
            };
        details_same
            && *intents == before.intents
            && Rc::ptr_eq(drawn, &before.drawn)
            && Rc::ptr_eq(log_view, &before.log_view)
            && Rc::ptr_eq(kv_view, &before.kv_view)
            && Rc::ptr_eq(client_view, &before.client_view)
            && Rc::ptr_eq(shown_events, &before.shown_events)
            && Rc::ptr_eq(ghosts, &before.ghosts)
            && Rc::ptr_eq(safety, &before.safety)
            && Rc::ptr_eq(shown_verdict, &before.shown_verdict)
            && *playing == before.playing
            && *step_note == before.step_note
            && *notice == before.notice
    }

    /// Knob names that are on in the current configuration.
    pub fn knobs_on(&self) -> Vec<&'static str> {
        self.config.raft.knobs.names_on()
    }
}

/// What the details panel shows of server `s` (not its timer), cheaply compared.
#[allow(clippy::type_complexity)]
fn server_shown(
    view: &ClusterView,
    s: ServerId,
) -> Option<(
    ServerStatus,
    Role,
    u64,
    Option<ServerId>,
    *const Vec<crate::raft::types::LogEntry>,
    u64,
    u64,
    &[crate::sim::FollowerProgress],
    &[ServerId],
    Option<ServerId>,
)> {
    view.server(s).map(|s| {
        (
            s.status,
            s.role,
            s.current_term.0,
            s.voted_for,
            Arc::as_ptr(&s.log),
            s.commit_index.0,
            s.last_applied.0,
            &s.progress[..],
            &s.votes_granted[..],
            s.leader_hint,
        )
    })
}

thread_local! {
    /// Whether each heavy panel (logs, stores, clients, events) is on screen, as the page's
    /// IntersectionObserver last said (until it has: on screen).
    static PANEL_ON_SCREEN: [std::cell::Cell<bool>; 4] = const {
        [const { std::cell::Cell::new(true) }; 4]
    };
    /// Panels that came on screen since the last frame (bit per panel): they catch up at once.
    static PANELS_CAME_ON_SCREEN: std::cell::Cell<u8> = const { std::cell::Cell::new(0) };
}

/// Heavy panel `panel` (0 logs, 1 stores, 2 clients, 3 events) came on screen or left it.
pub fn set_panel_on_screen(panel: usize, on: bool) {
    PANEL_ON_SCREEN.with(|p| {
        if let Some(cell) = p.get(panel) {
            if on && !cell.get() {
                PANELS_CAME_ON_SCREEN.with(|c| c.set(c.get() | 1 << panel));
            }
            cell.set(on)
        }
    });
}

fn panel_on_screen(panel: usize) -> bool {
    PANEL_ON_SCREEN.with(|p| p.get(panel).is_none_or(|c| c.get()))
}

pub fn prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

impl Reducible for Model {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        match msg {
            Msg::Frame(ts) => {
                let ts0 = wall_ms();
                let last = self.last_frame.replace(self.playing.then_some(ts));
                if !self.playing && self.ghosts.is_empty() {
                    return self;
                }
                let mut next = (*self).clone();
                if next.playing {
                    let dt = last.map(|l| (ts - l).clamp(0.0, 100.0)).unwrap_or(0.0);
                    let now = next.sim.borrow().now();
                    let target = now + (dt * 1000.0 * next.speed) as Micros;
                    if target > now {
                        let t0 = wall_ms();
                        next.advance_to(target);
                        super::bench::add("advance", wall_ms() - t0);
                    }
                    next.refresh(false);
                    if next.playing {
                        next.sync_one_panel();
                    } else {
                        next.sync_panels();
                    }
                } else {
                    next.prune_ghosts();
                }
                super::bench::add("reduce", wall_ms() - ts0);
                // What moves is painted from the newest picture on every frame (see motion);
                // a render that follows repaints what it changed.
                super::motion::paint_motion(&next.painter, next.now, Some(&next.view));
                if next.shows_same(&self) {
                    // Nothing Yew draws changed: the page keeps the new model without a
                    // render (`use_reducer_eq`), so the frame's cost is taken here.
                    super::bench::frame_rendered();
                }
                Rc::new(next)
            }
            Msg::Intent(intent) => {
                let mut next = (*self).clone();
                next.intents += 1;
                next.handle(intent);
                next.sync_panels();
                super::motion::paint_motion(&next.painter, next.now, Some(&next.view));
                Rc::new(next)
            }
        }
    }
}

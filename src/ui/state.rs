//! The one place state lives: a `use_reducer` model holding the simulation handle, the view of
//! the cluster the page shows, and the page's own choices (speed, selection, hover, filters).
//! Components send `Intent`s; the animation loop sends `Msg::Frame`. The reducer only reduces:
//! it advances the simulation and returns the next model, and never touches the DOM (the
//! animation loop then has `picture` draw the simulator's present).

use super::intent::{EventFilter, EventKind, EventRow, Intent, LinVerdict, RaftOption, SafetyRow};
use super::log_table::{find_overwritten, Ghost};
use super::scene::Key;
use crate::check::{check_history_with_budget, Checker, Property, Verdict};
use crate::raft::types::{Command, Role, ServerId};
use crate::sim::{
    Action, ClientLoad, ClientOp, ClusterView, MessageId, MessageKind, Micros, ServerStatus, Sim,
    SimConfig, TraceEvent, TraceKind,
};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;
use yew::prelude::*;

/// Events kept for the event log (the list renders fewer).
const KEEP_EVENTS: usize = 300;
/// How long an overwritten entry stays visible (wall-clock ms).
const GHOST_MS: f64 = 4000.0;
/// While playing, what Yew shows (the clock, the leader line, the picture's accessible mirror)
/// follows the simulation at most this often (wall ms): the clock and the leader line in the
/// frame that shows, the mirror in the next one, then one heavy panel in turn in the frame
/// after (`Model::catch_up_one`, `Model::take_panel_turns`; a showing waits until they have,
/// unless news came); the picture itself is drawn from the simulator
/// on every animation frame (`picture::Painter::draw_live`). Nobody reads text that changes
/// faster, and a frame that renders nothing costs little.
const SHOW_EVERY_MS: f64 = 50.0;
/// A click catches a message where it was this long ago (wall ms): about a person's
/// reaction time, so that aiming at a moving message is enough.
const CATCH_TRAIL_MS: f64 = 300.0;

/// `CATCH_TRAIL_MS` in simulated time at `speed`.
pub fn catch_trail(speed: f64) -> Micros {
    (CATCH_TRAIL_MS * 1000.0 * speed) as Micros
}

/// The speed a page starts at: elections and messages are easy to follow.
pub const DEFAULT_SPEED: f64 = 0.05;

/// The speed lecture mode starts at: slow enough to point at a message while talking.
pub const LECTURE_SPEED: f64 = 0.02;

/// Up to this speed (1/4x) the logs catch up at each of their turns
/// (`Model::take_panel_turns`); faster, a message arrives in under 40-80 ms, too quick for an
/// eye to follow its entry into the logs.
const LOGS_FOLLOWED_UP_TO: f64 = 0.25;

pub enum Msg {
    /// One animation frame, this many wall-clock ms after the one before.
    Frame(f64),
    Intent(Intent),
    /// The pointer is over this part of the picture now (or over none).
    Hover(Option<Key>),
    /// Heavy panel `panel` (0 logs, 1 stores, 2 clients, 3 events) came on screen or left it.
    PanelOnScreen(usize, bool),
    /// The tab was hidden (true) or shown again (Page Visibility).
    PageHidden(bool),
    /// An embedded view left its host's viewport (true) or came into it (IntersectionObserver).
    OffScreen(bool),
}

/// Page options read from the URL (`?seed=7&speed=1&servers=3&preset=leader_crash&paused`;
/// embed mode: `?embed&panels=logs,events&theme=dark&autoplay=false`; docs/EMBEDDING.md).
/// Values are percent-decoded. What the page did with them is said in a notice
/// (`Model::new`): applied, adjusted, or not understood.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UrlOptions {
    pub seed: Option<u64>,
    pub speed: Option<f64>,
    pub servers: Option<u8>,
    pub preset: Option<String>,
    /// `paused` / `paused=true` (or `autoplay=false`): open paused; `paused=false`: playing.
    pub paused: bool,
    /// A busy cluster for the frame-cost benchmark: client load, slow links, many messages.
    pub bench: bool,
    /// `handover`: the sandbox handed its run over (the full page takes it from the tab's
    /// storage, `scenario::handover`).
    pub handover: bool,
    pub cols: Option<usize>,
    /// `embed`: the picture without the page's chrome, for an iframe.
    pub embed: bool,
    /// `lecture`: the presenter scale (everything bigger, high contrast, slower).
    pub lecture: bool,
    /// `panels=logs,events,...`: which panels an embedded view shows (none by default).
    pub panels: Vec<Panel>,
    /// `theme=dark` / `theme=light`.
    pub dark: Option<bool>,
    /// What was changed to be used (a speed beyond the slider's ends), in words.
    pub adjusted: Vec<String>,
    /// A guided tour to open: a shipped tour's name or a path to a tour file on this site.
    pub tour: Option<String>,
    /// What in the URL could not be used, in words, for a notice on the page (the page then
    /// uses its defaults for those options: bad input never stops it).
    pub problems: Vec<String>,
}

/// A panel an embedded view may show (`?panels=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Controls,
    Logs,
    Network,
    Stores,
    Clients,
    Safety,
    Events,
}

impl Panel {
    pub const ALL: [(&'static str, Panel); 7] = [
        ("controls", Panel::Controls),
        ("logs", Panel::Logs),
        ("network", Panel::Network),
        ("stores", Panel::Stores),
        ("clients", Panel::Clients),
        ("safety", Panel::Safety),
        ("events", Panel::Events),
    ];

    pub fn name(self) -> &'static str {
        Panel::ALL
            .iter()
            .find(|(_, p)| *p == self)
            .map_or("", |(n, _)| n)
    }
}

/// A URL's `true` / `false` (an option given without a value is on).
fn flag(v: &str) -> Option<bool> {
    match v {
        "" | "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// A query string's key or value as the text it stands for: `+` is a space, `%33` is `3`.
/// (None: a broken escape.)
pub fn percent_decode(text: &str) -> Option<String> {
    js_sys::decode_uri_component(&text.replace('+', " "))
        .ok()
        .and_then(|s| s.as_string())
}

impl UrlOptions {
    pub fn parse(search: &str) -> Self {
        let mut o = UrlOptions::default();
        for pair in search.trim_start_matches('?').split('&') {
            if pair.is_empty() {
                continue;
            }
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let (Some(k), Some(v)) = (percent_decode(k), percent_decode(v)) else {
                o.problems.push(format!("\"{pair}\" has a broken %-escape"));
                continue;
            };
            let (k, v) = (k.as_str(), v.trim());
            let understood = match k {
                "seed" => {
                    o.seed = v.parse().ok();
                    o.seed.is_some()
                }
                "speed" => {
                    o.speed = super::widgets::number(v).filter(|s| *s > 0.0);
                    if let Some(s) = o.speed {
                        let used = super::speed::clamp(s);
                        if used != s {
                            o.adjusted.push(format!(
                                "speed={v} is beyond the slider's {}× to {}×: playing at {used}×",
                                super::speed::SPEEDS[0],
                                super::speed::SPEEDS[super::speed::SPEEDS.len() - 1]
                            ));
                        }
                    }
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
                // Opened (fetched) by the page once it runs; a bad one gets its own message.
                "tour" => {
                    o.tour = Some(v.to_string());
                    true
                }
                "paused" | "autoplay" => match flag(v) {
                    Some(on) => {
                        o.paused = if k == "paused" { on } else { !on };
                        true
                    }
                    None => false,
                },
                "embed" | "lecture" => match flag(v) {
                    Some(on) => {
                        if k == "embed" {
                            o.embed = on;
                        } else {
                            o.lecture = on;
                        }
                        true
                    }
                    None => false,
                },
                "panels" => {
                    let mut all = true;
                    for name in v.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                        match Panel::ALL.iter().find(|(n, _)| *n == name) {
                            Some((_, p)) => o.panels.push(*p),
                            None => {
                                all = false;
                                o.problems.push(format!("there is no panel \"{name}\""));
                            }
                        }
                    }
                    if !all {
                        continue;
                    }
                    true
                }
                "theme" => {
                    o.dark = match v {
                        "dark" => Some(true),
                        "light" => Some(false),
                        _ => None,
                    };
                    o.dark.is_some()
                }
                "bench" => {
                    o.bench = true;
                    true
                }
                // The deliberate-panic switch, read by `start` before the page exists.
                "debug_panic" => true,
                // The sandbox sent this run here (`scenario::handover`): the full page takes
                // the handover only then, so a stale one never hijacks a later visit.
                "handover" => {
                    o.handover = true;
                    true
                }
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
                    "paused" | "autoplay" | "embed" | "lecture" => "true or false",
                    "theme" => "dark or light",
                    _ => "a positive whole number",
                };
                o.problems.push(format!("{k}=\"{v}\" should be {wanted}"));
            }
        }
        o
    }
}

/// The announcement of a safety violation (the banner says which and offers to jump to it).
const VIOLATION_NOTICE: &str = "A safety property was just violated: time stopped there.";

// What the page does with scenarios (presets and their steps, links, files, tours, the Share
// dialog) is in `state/full.rs`, built with the `full` feature (the full page). The lite page
// (the sandbox, without the scenario code) has `state/lite.rs` instead: the same few methods,
// which there have no scenario to play, or take the reader to the full page.
#[cfg(feature = "full")]
mod full;
#[cfg(feature = "full")]
pub use full::{ActiveTour, Full, PendingTour, ShareData, FILE_PRESET};
#[cfg(not(feature = "full"))]
mod lite;
#[cfg(not(feature = "full"))]
pub use lite::Full;

/// A run whose recorded future an action in the past discarded, kept whole to bring back.
pub struct Undo {
    sim: Sim,
    checker: Checker,
    horizon: Micros,
    steps_done: usize,
    /// When the action was taken, and how much recorded run it discarded.
    pub at: Micros,
    pub discarded: Micros,
}

#[derive(Clone)]
pub struct Model {
    pub sim: Rc<RefCell<Sim>>,
    pub checker: Rc<RefCell<Checker>>,
    /// The configuration runs start from (seed, servers, knobs).
    pub config: SimConfig,
    /// The newest picture of the cluster: what the picture draws (`picture`) and what the
    /// panels catch up with.
    pub view: Rc<ClusterView>,
    pub now: Micros,
    /// The furthest time of the recorded run (scrubber end).
    pub horizon: Micros,
    pub playing: bool,
    pub speed: f64,
    /// When (wall ms) the page last showed the newest state while playing.
    shown_wall: f64,
    /// The picture's mirror catches up with the last showing in the frame after it
    /// (`catch_up_one`: one thing per frame, so that no frame pays for two).
    mirror_due: bool,
    /// Then the heavy panels (a bit each) whose turn came with that showing, one per frame
    /// (`take_panel_turns` says which).
    panels_due: u8,
    pub selected_server: Option<ServerId>,
    pub selected_message: Option<MessageId>,
    /// What the pointer is over in the picture. Over a message, time holds still, so a moving
    /// message can be caught with a click.
    pub hover: Option<Key>,
    /// `prefers-reduced-motion`: the picture neither fades nor pulses.
    pub reduced_motion: bool,
    pub events: Rc<VecDeque<Rc<EventRow>>>,
    /// What the heavy panels draw. While playing they follow `view` in turn, at most one panel
    /// in the frames after each time the page shows the newest state (`take_panel_turns` says how
    /// often each), so no frame pays for two of them, or for one and the mirror.
    pub log_view: Rc<ClusterView>,
    pub kv_view: Rc<ClusterView>,
    pub client_view: Rc<ClusterView>,
    pub shown_events: Rc<VecDeque<Rc<EventRow>>>,
    /// The view and time the picture's accessible mirror names (it catches up with every
    /// showing of the newest state, `SHOW_EVERY_MS`, in the frame after it: a busy cluster
    /// renames dozens of its buttons each time).
    pub mirror_view: Rc<ClusterView>,
    pub mirror_now: Micros,
    frame_no: u64,
    /// Whether each heavy panel is on screen (as the page's IntersectionObserver last said;
    /// until it has: on screen), and which came on screen since the last frame (bit per panel).
    panel_on_screen: [bool; 4],
    panels_came_on_screen: u8,
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
    /// The preset the run started from (an index into the full page's presets, or into
    /// `scenario::presets::NAMES` in the lite page, where none is ever loaded).
    pub preset: Option<usize>,
    /// Preset steps applied so far (steps are applied the first time time passes them).
    steps_done: usize,
    /// The loaded preset's description.
    pub caption: Option<String>,
    /// What the preset says about the current moment (its latest step note).
    pub step_note: Option<String>,
    /// A refused action or other notice, shown briefly.
    pub notice: Option<String>,
    /// The run as it was before the last action taken in the past discarded its recorded
    /// future, while that can still be undone (until the run changes otherwise).
    pub undo: Option<Rc<Undo>>,
    /// Whether the picture shows the past (`in_past`), as of the last change.
    pub past: bool,
    pub quick_value: u32,
    pub bench: bool,
    pub columns: usize,
    /// Sim events processed at the last refresh (to skip rebuilding an unchanged view).
    refreshed_at: (u64, usize, u64),
    /// Embed mode (`?embed`): the picture without the page's chrome, and these panels.
    pub embed: bool,
    /// Lecture mode (`?lecture`, M): the presenter scale for a projector, everything in the
    /// picture and the narration `scene::LECTURE_SCALE` times as big, high contrast.
    pub lecture: bool,
    pub panels: Rc<Vec<Panel>>,
    /// What only the full page has: its presets, the tour being played, the Share dialog.
    pub full: Full,
    /// The tab is hidden / the embedded view is off screen: time stands still, and
    /// `resume_when_shown` says whether it plays again when both are over.
    page_hidden: bool,
    off_screen: bool,
    resume_when_shown: bool,
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
                MessageKind::RequestVote
                | MessageKind::RequestVoteReply
                | MessageKind::PreVote
                | MessageKind::PreVoteReply
                | MessageKind::TimeoutNow => EventKind::Election,
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
    /// The page as `url` asks; `link` is the address's fragment (a Share link, `v2.…`).
    pub fn new(url: &UrlOptions, link: Option<&str>) -> Self {
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
            mirror_view: view.clone(),
            mirror_now: 0,
            frame_no: 0,
            panel_on_screen: [true; 4],
            panels_came_on_screen: 0,
            // Never: off-screen panels catch up once soon after the page opens.
            panel_synced_wall: [f64::NEG_INFINITY; 4],
            offscreen_synced_wall: f64::NEG_INFINITY,
            sim: Rc::new(RefCell::new(sim)),
            checker: Rc::new(RefCell::new(Checker::new())),
            config,
            view,
            now: 0,
            horizon: 0,
            playing: !url.paused,
            speed: super::speed::clamp(url.speed.unwrap_or(DEFAULT_SPEED)),
            shown_wall: f64::NEG_INFINITY,
            mirror_due: false,
            panels_due: 0,
            selected_server: None,
            selected_message: None,
            hover: None,
            reduced_motion: prefers("(prefers-reduced-motion: reduce)"),
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
            system_dark: prefers("(prefers-color-scheme: dark)"),
            preset: None,
            steps_done: 0,
            caption: None,
            step_note: None,
            notice: None,
            undo: None,
            past: false,
            quick_value: 0,
            bench: url.bench,
            columns: url.cols.unwrap_or(16),
            refreshed_at: (u64::MAX, 0, 0),
            embed: url.embed,
            lecture: false,
            panels: Rc::new(url.panels.clone()),
            full: Full::default(),
            page_hidden: false,
            off_screen: false,
            resume_when_shown: false,
        };
        model.dark = url.dark;
        let mut problems = url.problems.clone();
        let mut applied = Vec::new();
        // A Share link or a preset in the address (the full page opens them).
        let shared = model.open_address(url, link, &mut applied, &mut problems);
        // Seed and servers apply on top of a preset (they change its run: say so).
        if !shared && (url.seed.is_some() || url.servers.is_some()) {
            if let Some(seed) = url.seed {
                model.config.seed = seed;
                applied.push(format!("seed {seed}"));
            }
            if let Some(n) = url.servers {
                model.config.servers = n;
                applied.push(format!("{n} servers"));
            }
            model.restart_world();
        }
        if !shared {
            if let Some(speed) = url.speed {
                applied.push(format!("speed {}×", super::speed::clamp(speed)));
            }
            if url.paused {
                applied.push("paused".into());
            }
        }
        if url.lecture {
            model.lecture = true;
            if url.speed.is_none() && !shared {
                model.speed = LECTURE_SPEED;
            }
            applied.push("lecture mode".into());
        }
        let mut said = Vec::new();
        // Embedded, the options are the embedding page's, not the reader's: not repeated.
        if !applied.is_empty() && !url.bench && !url.embed {
            said.push(format!("From the link: {}.", applied.join(", ")));
        }
        if !url.adjusted.is_empty() {
            said.push(format!("Adjusted: {}.", url.adjusted.join("; ")));
        }
        if !problems.is_empty() {
            said.push(format!(
                "Not understood, defaults used instead: {}.",
                problems.join("; ")
            ));
        }
        if !said.is_empty() {
            model.notice = Some(said.join(" "));
        }
        if model.embed {
            // Embedded, the view waits until the IntersectionObserver says it is on screen.
            model.set_hidden(false, true);
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
        self.mirror_view = self.view.clone();
        self.mirror_now = self.now;
        self.mirror_due = false;
        self.panels_due = 0;
    }

    /// Whether something has yet to catch up with the last showing (`catch_up_one`).
    fn catching_up(&self) -> bool {
        self.mirror_due || self.panels_due != 0
    }

    /// One thing catches up with the view last shown (a frame after a showing): the mirror if
    /// it is due, else the first heavy panel due (the logs before the others).
    fn catch_up_one(&mut self) {
        if std::mem::take(&mut self.mirror_due) {
            super::bench::set_panel(super::bench::MIRROR);
            self.mirror_view = self.view.clone();
            self.mirror_now = self.now;
            return;
        }
        if self.panels_due != 0 {
            let first = 1 << self.panels_due.trailing_zeros();
            self.panels_due &= !first;
            self.sync_due_panels(first);
        }
    }

    /// Which heavy panels catch up in the frame after this showing (a bit per panel): any
    /// that just came on screen, and one in turn (round robin) when it is due, each only if it
    /// is behind the view shown.
    fn take_panel_turns(&mut self) -> u8 {
        let wall = wall_ms();
        let mut due = std::mem::take(&mut self.panels_came_on_screen);
        self.frame_no += 1;
        let panel = (self.frame_no % 4) as usize;
        let wall_since = |t: f64| wall - t;
        // A panel's turn comes every fourth showing (200 ms while playing; news brings
        // showings sooner), and it catches up then at most this often (ms of wall time). The
        // event list: a busy cluster narrates hundreds of events a second, nobody reads a list
        // that changes faster than a few times a second, and it is the costliest panel. The
        // logs: at their turn (five times a second), at most ten times a second when news
        // brings showings sooner (their cells shift with every new entry; at the default 1/20x
        // a message takes 200-400 ms to arrive). Faster than `LOGS_FOLLOWED_UP_TO`, when
        // entries come faster than anyone follows them, at every other turn: their frames are
        // the dearest of all (about 130 DOM writes), and at 1x they made the busy cluster's
        // slowest 5% (p95 4.6-5.0 ms against 3.6-4.4 ms at every other turn, one sitting).
        // Stores and clients: every time their turn comes. A panel off screen (issue 4:
        // render only what is visible) catches up every five seconds (for assistive
        // technology, which reads it without scrolling to it), one such panel at most every
        // half second (no run of heavy frames), and at once when it comes on screen.
        let on_screen = self.panel_on_screen[panel];
        let turn = if on_screen {
            let every = match panel {
                0 if self.speed > LOGS_FOLLOWED_UP_TO => 250.0,
                0 => 100.0,
                3 => 250.0,
                _ => 0.0,
            };
            wall_since(self.panel_synced_wall[panel]) >= every
        } else {
            wall_since(self.panel_synced_wall[panel]) >= 5000.0
                && wall_since(self.offscreen_synced_wall) >= 500.0
        };
        if turn {
            if !on_screen {
                self.offscreen_synced_wall = wall;
            }
            due |= 1 << panel;
        }
        for panel in 0..4 {
            if due & 1 << panel != 0 {
                if self.panel_up_to_date(panel) {
                    due &= !(1 << panel);
                } else {
                    self.panel_synced_wall[panel] = wall;
                }
            }
        }
        due
    }

    fn panel_up_to_date(&self, panel: usize) -> bool {
        match panel {
            0 => Rc::ptr_eq(&self.log_view, &self.view),
            1 => Rc::ptr_eq(&self.kv_view, &self.view),
            2 => {
                Rc::ptr_eq(&self.client_view, &self.view)
                    && Rc::ptr_eq(&self.shown_verdict, &self.verdict)
            }
            _ => Rc::ptr_eq(&self.shown_events, &self.events),
        }
    }

    /// The panels in `due` (a bit per panel) catch up with the view last shown.
    fn sync_due_panels(&mut self, due: u8) {
        for panel in 0..4 {
            if due & 1 << panel == 0 {
                continue;
            }
            super::bench::set_panel(panel);
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
    }

    // ---- derived state ----

    /// Rebuilds what is drawn from the simulator, if anything changed (or `force`).
    fn refresh(&mut self, force: bool) {
        let sim_rc = self.sim.clone();
        let sim = sim_rc.borrow();
        self.now = sim.now();
        self.horizon = self.horizon.max(self.now);
        self.past = shows_past(&sim, self.horizon);
        let key = (
            sim.events_processed(),
            sim.actions().len(),
            sim.last_event().seq,
        );
        if !force && key == self.refreshed_at {
            drop(sim);
            self.prune_ghosts();
            // The last events came while playing, when the linearizability check may be put
            // off (at most a few times a second): once time stops it runs, even though no new
            // event came (a tour step that ends right after a stale read's answer).
            if !self.playing {
                self.update_safety();
            }
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
                // A violation of linearizability is announced as any other: time stops.
                if matches!(v, LinVerdict::Violated(..))
                    && !matches!(*self.verdict, LinVerdict::Violated(..))
                {
                    self.playing = false;
                }
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
    /// applying preset steps whose time comes; says so if a replayed log's action was
    /// refused on the way.
    fn advance_to(&mut self, target: Micros) {
        self.telling_refusals(|model| model.advance_events_to(target));
    }

    /// Runs `move_on`, which moves the simulator on, and says so if a replayed log's action
    /// was refused on the way (`Sim::refused_actions`: only a hand-made link or handover).
    fn telling_refusals(&mut self, move_on: impl FnOnce(&mut Self)) {
        let refused = self.sim.borrow().refused_actions().len();
        move_on(self);
        self.tell_refused(refused);
    }

    fn advance_events_to(&mut self, target: Micros) {
        // A tour plays its own step (with its own checks and stops).
        if self.tour_advance(target) {
            return;
        }
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
                        self.notice = Some(VIOLATION_NOTICE.into());
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

    /// Pauses while hidden or off screen, and plays again when shown if it was playing.
    fn set_hidden(&mut self, page_hidden: bool, off_screen: bool) {
        let was = self.page_hidden || self.off_screen;
        self.page_hidden = page_hidden;
        self.off_screen = off_screen;
        let is = page_hidden || off_screen;
        if is && !was {
            self.resume_when_shown = self.playing;
            self.playing = false;
            // Paused now, so no frame will catch up what the last showing left for later (the
            // mirror, a panel's turn): bring everything up to the present, as an intent does,
            // for whoever reads the page without looking at it (a screen reader, a test).
            self.refresh(false);
            self.sync_panels();
        } else if !is && was && self.resume_when_shown {
            self.resume_when_shown = false;
            self.playing = true;
        }
    }

    fn restart_world(&mut self) {
        self.end_tour();
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
        self.undo = None;
        if self
            .selected_server
            .is_some_and(|s| s.0 > self.config.servers)
        {
            self.selected_server = None;
        }
        self.refresh(true);
    }

    fn in_past(&self) -> bool {
        shows_past(&self.sim.borrow(), self.horizon)
    }

    /// Applies a user action now. Acting in the past forks the run: the recorded future is
    /// discarded, and kept aside until the run changes otherwise, to undo.
    fn act(&mut self, action: Action) {
        let kept = self.kept_for_undo();
        // What the action means to a tour step that waits for the reader, judged before it
        // changes the cluster ("crash the leader": the leader as it is now).
        let reaction = self.tour_reaction(&action);
        let result = self.sim.borrow_mut().apply(action);
        match result {
            Ok(_) => {
                if let Some(kept) = kept {
                    self.horizon = self.now;
                    self.resync_preset();
                    self.undo = Some(Rc::new(kept));
                }
                self.checker.borrow_mut().observe_sim(&self.sim.borrow());
                self.notice = None;
                self.tour_reacted(reaction);
            }
            Err(e) => self.notice = Some(e.to_string()),
        }
        self.refresh(false);
    }

    fn leader(&self) -> Option<ServerId> {
        self.sim.borrow().leader()
    }

    /// The run as it is, to bring back if acting now discards its recorded future (None: in
    /// the present, nothing would be discarded).
    fn kept_for_undo(&self) -> Option<Undo> {
        self.in_past().then(|| Undo {
            sim: self.sim.borrow().clone(),
            checker: self.checker.borrow().clone(),
            horizon: self.horizon,
            steps_done: self.steps_done,
            at: self.now,
            discarded: self.horizon.saturating_sub(self.now),
        })
    }

    /// Brings back the run the last action in the past discarded, at the moment it was taken.
    fn undo_fork(&mut self) {
        let Some(undo) = self.undo.take() else {
            return;
        };
        *self.sim.borrow_mut() = undo.sim.clone();
        *self.checker.borrow_mut() = undo.checker.clone();
        self.horizon = undo.horizon;
        self.steps_done = undo.steps_done;
        self.playing = false;
        self.notice = None;
        self.ghosts = Rc::new(Vec::new());
        self.refresh(true);
    }

    fn seek(&mut self, t: Micros) {
        let t = t.min(self.horizon.max(self.now));
        // A tour plays its step's actions as time passes them: before the step began they
        // would happen twice. Earlier steps are reached with Back.
        if self.tour_step_began_after(t) {
            self.leave_tour(
                "Travelling to before this tour step left the tour (Back goes to earlier steps).",
            );
        }
        let backwards = t < self.now;
        let result = self.sim.borrow_mut().rewind_to(t);
        if let Err(e) = result {
            self.notice = Some(e.to_string());
        }
        self.travelled(backwards);
    }

    /// Step back one event: the reverse of Step (N), by time travel to exactly the state the
    /// event before the last one left, at its time.
    fn step_back(&mut self) {
        let result = self.sim.borrow_mut().step_back();
        match result {
            Ok(true) => {}
            Ok(false) => self.notice = Some("This is the start of the run.".into()),
            Err(e) => self.notice = Some(e.to_string()),
        }
        // Back to before the tour step began: its actions would happen twice (as for seek).
        let now = self.sim.borrow().now();
        if self.tour_step_began_after(now) {
            self.leave_tour(
                "Stepping back to before this tour step left the tour (Back goes to earlier steps).",
            );
        }
        self.travelled(true);
    }

    /// After a jump in time (replayed forward, or back): the checker starts again from here,
    /// keeping its first violation if that happened before; time holds still.
    fn travelled(&mut self, backwards: bool) {
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
            Intent::TransferLeadership(to) => self.act(Action::TransferLeadership { to }),
            Intent::AddServer => self.act(Action::AddServer),
            Intent::RemoveServer(server) => self.act(Action::RemoveServer { server }),
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
                if let Some(kept) = self.kept_for_undo() {
                    self.undo = Some(Rc::new(kept));
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
                self.close_share();
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
                    // A replayed log's action refused on the way is said, as in play.
                    (_, Some(_)) => self.telling_refusals(|model| {
                        let mut sim = model.sim.borrow_mut();
                        if sim.step().is_some() {
                            model.checker.borrow_mut().observe_sim(&sim);
                        }
                    }),
                    _ => {}
                }
                self.refresh(false);
            }
            Intent::SetSpeed(s) => self.speed = super::speed::clamp(s),
            Intent::SpeedStep { faster } => {
                self.speed = super::speed::step_from(self.speed, faster)
            }
            Intent::StepBack => self.step_back(),
            Intent::Seek(t) => self.seek(t),
            Intent::Undo => self.undo_fork(),
            Intent::SeekBy(d) => {
                let t = (self.now as i64 + d).max(0) as Micros;
                self.seek(t)
            }
            Intent::Reset { new_seed } => {
                if new_seed {
                    self.config.seed = (js_sys::Math::random() * 1_000_000.0) as u64 + 1;
                }
                self.restart_world();
                if let Some(caption) = self.preset_caption() {
                    self.caption = Some(caption);
                }
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
            Intent::SetOption(option) => self.set_option(option),
            Intent::ToggleHelp => self.help = !self.help,
            Intent::ToggleLecture => {
                self.lecture = !self.lecture;
                self.speed = if self.lecture {
                    LECTURE_SPEED
                } else {
                    DEFAULT_SPEED
                };
            }
            // Presets, tours, Share and import: the full page's (`state/full.rs`); the lite
            // page takes the reader there (`state/lite.rs`).
            Intent::LoadPreset(_)
            | Intent::OpenTour { .. }
            | Intent::TourNext
            | Intent::TourBack
            | Intent::LeaveTour
            | Intent::ToggleShare
            | Intent::Import { .. }
            | Intent::TakeHandover(_)
            | Intent::TourOnFullPage(_)
            | Intent::BackFromFullPage => self.handle_scenarios(intent),
            // The page's root follows `dark` (an effect in `App`).
            Intent::ToggleTheme => self.dark = Some(!self.dark.unwrap_or(self.system_dark)),
            Intent::SetEventFilter(f) => self.filter = f,
        }
    }

    /// An option beyond Figure 2. The servers read their options from the start (a lease
    /// or a PreVote rule switched on halfway would meet state the other rule built), so the
    /// run restarts from time 0 with the same seed and preset, as a break-Raft switch does;
    /// the configuration then carries it into Share links and exported scenarios.
    fn set_option(&mut self, option: RaftOption) {
        let mut config = self.config.clone();
        let raft = &mut config.raft;
        match option {
            RaftOption::ReadMode(mode) => raft.read_mode = mode,
            RaftOption::PreVote(on) => raft.pre_vote = on,
            RaftOption::CheckQuorum(on) => raft.check_quorum = on,
            RaftOption::SnapshotThreshold(n) => raft.snapshots.threshold = n,
            RaftOption::ClockDrift(ppm) => config.max_clock_drift_ppm = ppm,
        }
        if let Err(e) = config.validate() {
            self.notice = Some(format!("{} cannot run: {e}", option.describe()));
            return;
        }
        self.config = config;
        self.restart_world();
        if let Some(caption) = self.preset_caption() {
            self.caption = Some(caption);
        }
        self.notice = Some(format!(
            "{}: the run restarted from time 0 with it (same seed).",
            option.describe()
        ));
    }

    /// Knob names that are on in the current configuration.
    pub fn knobs_on(&self) -> Vec<&'static str> {
        self.config.raft.knobs.names_on()
    }
}

/// Whether `sim` is in the past of a run recorded up to `horizon`: it was rewound and its
/// recorded future is kept, to replay or to discard by acting.
fn shows_past(sim: &Sim, horizon: Micros) -> bool {
    sim.has_recorded_future() || sim.now() < horizon
}

/// Whether a server of `sim` has another role, term or status than in `view`.
fn servers_renamed(sim: &Sim, view: &ClusterView) -> bool {
    sim.servers().count() != view.servers.len()
        || sim.servers().zip(&view.servers).any(|(s, v)| {
            (sim.status(s.id()), s.role(), s.current_term()) != (v.status, v.role, v.current_term)
        })
}

/// Whether the browser matches a media query (the user's preferences).
pub fn prefers(query: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.match_media(query).ok().flatten())
        .is_some_and(|m| m.matches())
}

impl Reducible for Model {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        match msg {
            Msg::Frame(elapsed) => {
                if !self.playing {
                    // Paused, only overwritten entries fade out (if any are shown).
                    if self.ghosts.is_empty() {
                        return self;
                    }
                    let mut next = (*self).clone();
                    next.prune_ghosts();
                    return if Rc::ptr_eq(&next.ghosts, &self.ghosts) {
                        self
                    } else {
                        Rc::new(next)
                    };
                }
                let ts0 = wall_ms();
                let mut next = (*self).clone();
                // Over a message, time holds still so that it can be caught.
                let held = matches!(next.hover, Some(Key::Message(_)));
                let now = next.sim.borrow().now();
                let target = now + (elapsed.clamp(0.0, 100.0) * 1000.0 * next.speed) as Micros;
                if target > now && !held {
                    let t0 = wall_ms();
                    next.advance_to(target);
                    super::bench::add("advance", wall_ms() - t0);
                }
                // The simulator (shared by every copy of the model) has moved on; the page
                // shows it at `SHOW_EVERY_MS`, and at once when playing stopped (a safety
                // violation), a notice came, a preset step was taken or a server's role,
                // term or status changed (what the mirror names it by: a showing with news
                // brings it up to date in the next frame, before anything else).
                let wall = wall_ms();
                let news = next.playing != self.playing
                    || next.notice != self.notice
                    || next.steps_done != self.steps_done
                    || servers_renamed(&next.sim.borrow(), &self.view);
                let catching_up = self.catching_up();
                if !news && (wall - self.shown_wall < SHOW_EVERY_MS || catching_up) {
                    // Between two showings: each frame after one brings one thing up to date
                    // with what it showed, the mirror first (no news, so `next` differs from
                    // `self` only in the simulator they share). The next showing waits until
                    // all have (one frame for the mirror and one for each panel due: up to five
                    // at a low frame rate), so that no frame pays for two.
                    if !catching_up {
                        super::bench::add("reduce", wall_ms() - ts0);
                        return self;
                    }
                    next.catch_up_one();
                    super::bench::add("reduce", wall_ms() - ts0);
                    return Rc::new(next);
                }
                next.shown_wall = wall;
                next.refresh(false);
                if next.playing {
                    // News does not wait: what the last showing left undone catches up now.
                    while next.catching_up() {
                        next.catch_up_one();
                    }
                    // The mirror catches up in the next frame if this showing moved on (not
                    // while time holds still under the pointer).
                    next.mirror_due =
                        !Rc::ptr_eq(&next.mirror_view, &next.view) || next.mirror_now != next.now;
                    next.panels_due = next.take_panel_turns();
                } else {
                    next.sync_panels();
                }
                // Counted as a showing in `?bench`, whatever caught up in it.
                super::bench::set_panel(super::bench::SHOWN);
                super::bench::add("reduce", wall_ms() - ts0);
                Rc::new(next)
            }
            Msg::Intent(intent) => {
                let mut next = (*self).clone();
                // Act on the present (frames between two showings only moved the simulator).
                next.refresh(false);
                next.handle(intent);
                next.past = next.in_past();
                next.sync_panels();
                Rc::new(next)
            }
            Msg::PageHidden(hidden) => {
                let mut next = (*self).clone();
                next.set_hidden(hidden, self.off_screen);
                Rc::new(next)
            }
            Msg::OffScreen(off) => {
                let mut next = (*self).clone();
                next.set_hidden(self.page_hidden, off);
                Rc::new(next)
            }
            Msg::Hover(key) => {
                if self.hover == key {
                    return self;
                }
                let mut next = (*self).clone();
                next.hover = key;
                Rc::new(next)
            }
            Msg::PanelOnScreen(panel, on) => {
                let mut next = (*self).clone();
                if let Some(shown) = next.panel_on_screen.get_mut(panel) {
                    if on && !*shown {
                        next.panels_came_on_screen |= 1 << panel;
                    }
                    *shown = on;
                }
                Rc::new(next)
            }
        }
    }
}

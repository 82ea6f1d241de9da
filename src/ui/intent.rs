//! What a component can ask for. Components emit these; only the reducer (state.rs) turns
//! them into simulator actions or UI changes.

use crate::raft::types::{Command, ServerId};
use crate::raft::ReadMode;
use crate::sim::{MessageId, Micros};

#[derive(Clone, Debug, PartialEq)]
pub enum Intent {
    // Servers.
    Crash(ServerId),
    Restart(ServerId),
    Timeout(ServerId),
    Pause(ServerId),
    Resume(ServerId),
    /// The leader hands leadership to this server (TimeoutNow, dissertation §3.10): a recorded
    /// action, like a crash.
    TransferLeadership(ServerId),
    /// §6: start a fresh server and ask the leader to add it.
    AddServer,
    /// §6: ask the leader to remove this server from the configuration.
    RemoveServer(ServerId),
    SelectServer(Option<ServerId>),
    // Messages.
    SelectMessage(Option<MessageId>),
    DropMessage(MessageId),
    DuplicateMessage(MessageId),
    DelayMessage(MessageId, Micros),
    // Network.
    Partition(Vec<Vec<ServerId>>),
    IsolateLeader,
    Cut(ServerId, ServerId),
    Heal,
    SetLoss(f64),
    SetDuplication(f64),
    SetLatency(Micros, Micros),
    // Clients.
    Client {
        command: Command,
        target: Option<ServerId>,
    },
    /// RaftScope's C: a client request with a fresh value to the leader.
    QuickClient,
    // RaftScope-style shortcuts.
    RestartLeader,
    SpreadTimers,
    AlignTimers,
    ResumeAll,
    Fork,
    CrashSelected,
    /// The selected server's election timer fires now (or the first follower's).
    TimeoutSelected,
    /// Pause the selected server, or resume it if paused.
    PauseSelected,
    /// Drop the selected message.
    DropSelected,
    /// Select server n (1-based) by number key.
    SelectNth(u8),
    RestartCrashed,
    /// Close panels and deselect.
    Escape,
    // Time.
    TogglePlay,
    StepEvent,
    /// Step back one event: the reverse of `StepEvent` (time travel to the event before).
    StepBack,
    SetSpeed(f64),
    /// One step of the speed ladder up or down (`speed::SPEEDS`).
    SpeedStep {
        faster: bool,
    },
    /// Travel to this time (past the end of the recorded run: to its end).
    Seek(Micros),
    /// Bring back the recorded future the last action in the past discarded.
    Undo,
    /// Travel by this many microseconds (negative: back).
    SeekBy(i64),
    Reset {
        new_seed: bool,
    },
    LoadPreset(usize),
    SetServers(u8),
    SetKnob(&'static str, bool),
    /// An option beyond Figure 2: the run restarts with it (`RaftOption`).
    SetOption(RaftOption),
    // Guided tours.
    /// A tour file arrived (its text) or could not be fetched (why): `source` is what was
    /// asked for (a shipped tour's id or a path on this site).
    OpenTour {
        source: String,
        text: Result<String, String>,
    },
    TourNext,
    TourBack,
    /// Leave the tour: the cluster stays as it is, a sandbox.
    LeaveTour,
    // Page.
    ToggleHelp,
    /// Lecture mode on or off: the presenter scale (bigger, high contrast, slower).
    ToggleLecture,
    /// Open (making the link and exports for the run as it is) or close the Share dialog.
    ToggleShare,
    /// A scenario file's text, picked or dropped (`name`: the file's, for messages).
    Import {
        name: String,
        text: String,
    },
    /// The run the lite page handed over (`scenario::handover`: its JSON, as stored), taken
    /// by the full page when it starts.
    TakeHandover(String),
    /// The sandbox: the user opened this tour, which the full page plays (`ui::lite`).
    TourOnFullPage(String),
    /// The sandbox was shown again from the back/forward cache: the reader came back from
    /// the full page, which is no longer opening.
    BackFromFullPage,
    ToggleTheme,
    SetEventFilter(EventFilter),
}

/// The options beyond Figure 2 a user can set in the page. Each is part of the run's
/// configuration (what a Share link and an exported scenario carry), not a recorded action:
/// the servers read them from the start, so changing one restarts the run from time 0 with
/// the same seed, as the number of servers and the break-Raft switches do.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RaftOption {
    /// How the leader answers GET (§8): through the log, ReadIndex or a lease.
    ReadMode(ReadMode),
    /// PreVote (dissertation §9.6).
    PreVote(bool),
    /// CheckQuorum (dissertation §6.2).
    CheckQuorum(bool),
    /// §7: snapshot once the log holds this many entries; 0 = never.
    SnapshotThreshold(u32),
    /// Each server's clock runs up to this many parts per million fast or slow (lease reads,
    /// dissertation §6.4.1).
    ClockDrift(u32),
}

impl RaftOption {
    /// What the page says once it is set: "Reads: ReadIndex", "PreVote off".
    pub fn describe(self) -> String {
        let on = |on: bool| if on { "on" } else { "off" };
        match self {
            RaftOption::ReadMode(mode) => format!("Reads: {}", read_mode_words(mode)),
            RaftOption::PreVote(b) => format!("PreVote {}", on(b)),
            RaftOption::CheckQuorum(b) => format!("CheckQuorum {}", on(b)),
            RaftOption::SnapshotThreshold(0) => "Snapshots off".into(),
            RaftOption::SnapshotThreshold(n) => format!("Snapshots every {n} entries"),
            RaftOption::ClockDrift(ppm) => format!("Clock drift up to ±{ppm} ppm"),
        }
    }
}

/// How the page names a read mode.
pub fn read_mode_words(mode: ReadMode) -> &'static str {
    match mode {
        ReadMode::Log => "through the log",
        ReadMode::ReadIndex => "ReadIndex",
        ReadMode::Lease => "lease",
    }
}

/// Which trace lines the event log shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventFilter {
    /// Only lines about this server.
    pub server: Option<ServerId>,
    /// Only lines of this kind.
    pub kind: Option<EventKind>,
    /// Hide heartbeat chatter.
    pub hide_routine: bool,
}

/// The families of trace lines (for filtering and colour).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Election,
    Replication,
    Client,
    Network,
    You,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::Election,
        EventKind::Replication,
        EventKind::Client,
        EventKind::Network,
        EventKind::You,
    ];

    pub fn label(self) -> &'static str {
        match self {
            EventKind::Election => "elections",
            EventKind::Replication => "replication",
            EventKind::Client => "clients",
            EventKind::Network => "lost messages",
            EventKind::You => "your actions",
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            EventKind::Election => "ev-election",
            EventKind::Replication => "ev-replication",
            EventKind::Client => "ev-client",
            EventKind::Network => "ev-network",
            EventKind::You => "ev-you",
        }
    }
}

/// One narrated line of the event log, explained once when it arrives.
#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    pub seq: u64,
    pub time: Micros,
    pub server: Option<ServerId>,
    /// Other server involved (message sender / receiver), for the server filter.
    pub peer: Option<ServerId>,
    pub kind: EventKind,
    pub routine: bool,
    pub section: &'static str,
    pub text: String,
}

/// One line of the safety panel.
#[derive(Clone, Debug, PartialEq)]
pub struct SafetyRow {
    pub name: &'static str,
    pub section: &'static str,
    /// None while it holds; the explanation of the violating event otherwise.
    pub violation: Option<String>,
    /// Simulated time of the violation (to jump there).
    pub at: Option<Micros>,
}

/// The linearizability verdict of the client history so far.
#[derive(Clone, Debug, PartialEq)]
pub enum LinVerdict {
    Ok {
        ops: usize,
    },
    /// Why, and when the operation that could not be explained was invoked.
    Violated(String, Micros),
    Unknown(String),
}

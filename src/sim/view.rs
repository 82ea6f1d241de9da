//! The read-only picture of the whole cluster at one simulated instant.
//!
//! The UI draws only this, and the checker judges only this: nothing here is computed for
//! show, every field is copied from the real server, network or client state.
//! This file is a shared contract (simulator fills it, checker and UI read it).

use crate::raft::types::{ClientId, Command, LogEntry, LogIndex, Message, Role, ServerId, Term};
use crate::raft::{ClientResult, Configuration, ServerSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Simulated time in microseconds since the start of the run.
pub type Micros = u64;

/// Identity of one message in flight, stable for its whole life (drop/duplicate/delay by id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MessageId(pub u64);

/// Whether a server is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerStatus {
    Up,
    /// Volatile state lost, persistent state kept; messages to it are lost (§5.1 failures).
    Crashed,
    /// Frozen: keeps all state, processes nothing, its timers stand still.
    Paused,
}

impl ServerStatus {
    /// "up", "crashed" or "paused".
    pub fn word(self) -> &'static str {
        match self {
            ServerStatus::Up => "up",
            ServerStatus::Crashed => "crashed",
            ServerStatus::Paused => "paused",
        }
    }
}

/// A change of the servers drawn on the ring (`MembershipRole::on_ring`, §6): a server added;
/// a removed one shut down or restarted; a crashed server that becomes removed when C_new
/// reaches the log the picture reads (an event, not an action). Changes at one simulated
/// instant are recorded as one. The picture slides the servers from their places in
/// `before` to their new ones, from `at` on (`ui::scene`); without it they would jump.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingChange {
    /// When it happened (simulated time, the step that changed the ring).
    pub at: Micros,
    /// The servers on the ring just before.
    pub before: ServerSet,
}

/// One server as users see it: Figure 2's state, its timers and its key-value store.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerView {
    pub id: ServerId,
    pub status: ServerStatus,
    pub role: Role,
    // Persistent state (Figure 2).
    pub current_term: Term,
    pub voted_for: Option<ServerId>,
    /// Entries from `log_start` on (index `log_start`, `log_start + 1`, ...). `log_start` is 1
    /// until §7 snapshots discard a prefix. Shared: successive pictures share an unchanged log.
    pub log: Arc<Vec<LogEntry>>,
    pub log_start: LogIndex,
    /// §7: the term of the entry at `log_start - 1`, the last one the snapshot covers
    /// (lastIncludedTerm; 0 without a snapshot).
    pub last_included_term: Term,
    // Volatile state (Figure 2).
    pub commit_index: LogIndex,
    pub last_applied: LogIndex,
    /// Leader only: (follower, nextIndex, matchIndex) for every other server.
    pub progress: Vec<FollowerProgress>,
    /// Candidate only: who has granted a vote in the current term (including itself).
    pub votes_granted: Vec<ServerId>,
    /// Who this server believes leads its current term (redirect hint for clients, §8).
    pub leader_hint: Option<ServerId>,
    /// When the election timer fires (None for leaders and crashed servers), and when it was
    /// last reset, so a UI can draw it draining.
    pub election_deadline: Option<Micros>,
    pub election_timer_started: Option<Micros>,
    /// The applied key-value store: the real state machine of this server (shared, like `log`).
    pub kv: Arc<BTreeMap<String, String>>,
    /// Reads without the log, PreVote and transfers (all idle unless those options are on).
    pub beyond_figure2: BeyondFigure2View,
    /// §6: the configuration this server uses (the latest in its log or snapshot, committed
    /// or not) and the index of its entry (0: the cluster's initial configuration).
    pub configuration: Configuration,
    pub config_index: LogIndex,
    /// §6: its place in the cluster's configuration (`ClusterView::configuration`).
    pub membership: MembershipRole,
}

/// §6: a server's place in the cluster's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MembershipRole {
    /// Votes and counts in majorities (in C_new too during a joint phase).
    Voter,
    /// A new server catching up: receives entries, does not vote or count (§6, dissertation
    /// §4.2.1).
    NonVoting,
    /// In C_old but not in C_new: still counts until C_new is committed.
    Leaving,
    /// Not a member (removed, or never made one).
    Removed,
}

impl MembershipRole {
    /// "voter", "non-voting", "leaving", "removed".
    pub fn word(self) -> &'static str {
        match self {
            MembershipRole::Voter => "voter",
            MembershipRole::NonVoting => "non-voting",
            MembershipRole::Leaving => "leaving",
            MembershipRole::Removed => "removed",
        }
    }

    /// Drawn on the cluster's ring: a member of the configuration, or one being added or
    /// removed, and a removed server for as long as it still runs (it keeps its timers, which
    /// is why it must not be able to disrupt the cluster, §6). Once crashed (shut down) a
    /// removed server leaves the ring. The one definition the picture and the world's
    /// `ring_changes` share.
    pub fn on_ring(self, status: ServerStatus) -> bool {
        self != MembershipRole::Removed || status != ServerStatus::Crashed
    }

    /// `id`'s place in `config`.
    pub fn of(id: ServerId, config: &Configuration) -> MembershipRole {
        match config.new_voters {
            Some(new) if config.voters.contains(id) && !new.contains(id) => MembershipRole::Leaving,
            _ if config.is_voter(id) => MembershipRole::Voter,
            _ if config.learners.contains(id) => MembershipRole::NonVoting,
            _ => MembershipRole::Removed,
        }
    }
}

/// §6: the cluster's configuration, as the leader uses it (without a leader, the live server
/// whose log is most up-to-date, §5.4.1: the one likeliest to lead next).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClusterConfigurationView {
    /// C_old (or the only configuration), C_new during a joint phase, non-voting members.
    pub config: Configuration,
    /// The index of its entry (0: the initial configuration).
    pub index: LogIndex,
    /// Committed on the server it was read from.
    pub committed: bool,
    /// The server it was read from.
    pub source: Option<ServerId>,
}

/// What a server is doing beyond Figure 2: reads waiting for their confirmation round (§8),
/// its lease, a pre-vote, a leadership transfer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BeyondFigure2View {
    /// Leader: the latest confirmation round sent, and the latest a majority acknowledged.
    pub read_round: u64,
    pub confirmed_round: u64,
    /// Leader: reads waiting for their round or for the state machine to catch up.
    pub reads_waiting: usize,
    /// Leader, lease reads: its lease holds (by its own clock).
    pub lease_holds: bool,
    /// How fast this server's clock runs, parts per million away from real time.
    pub clock_drift_ppm: i64,
    /// PreVote: asking whether it could win; who said yes so far (itself included).
    pub pre_votes: Option<Vec<ServerId>>,
    /// Leader: handing leadership to this server.
    pub transferring_to: Option<ServerId>,
}

impl ServerView {
    /// Index of the last log entry (0 for an empty log).
    pub fn last_log_index(&self) -> LogIndex {
        LogIndex(self.log_start.0 + self.log.len() as u64 - 1)
    }

    /// The entry at `index`, if this server holds it.
    pub fn entry(&self, index: LogIndex) -> Option<&LogEntry> {
        if index < self.log_start {
            return None;
        }
        self.log.get((index.0 - self.log_start.0) as usize)
    }
}

/// A leader's replication state for one follower (Figure 2: nextIndex[], matchIndex[]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowerProgress {
    pub follower: ServerId,
    pub next_index: LogIndex,
    pub match_index: LogIndex,
}

/// One message on the wire, from send to delivery. Position on screen is derived from
/// (`sent_at`, `deliver_at`, now); nothing about animation is stored.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageView {
    pub id: MessageId,
    pub from: ServerId,
    pub to: ServerId,
    pub sent_at: Micros,
    pub deliver_at: Micros,
    /// What it carries (shared by the pictures taken while it is in flight).
    pub message: Arc<Message>,
    /// True if the network has already decided to lose it (partition, cut link, loss): it is
    /// drawn travelling and fading out, and is never delivered.
    pub doomed: bool,
}

/// A client request on its way to a server, or a server's reply on its way back (§8).
/// Clients are not servers: the picture draws them from the client in the middle.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientTrafficView {
    pub client: ClientId,
    pub seq: u64,
    /// The server the request goes to, or the reply comes from.
    pub server: ServerId,
    pub sent_at: Micros,
    pub arrive_at: Micros,
    pub what: ClientTraffic,
    /// The server was down when it was sent, or crashed since (even if it restarted): it will
    /// be lost.
    pub doomed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ClientTraffic {
    Request(Command),
    /// "Applied" with the value read, or "not the leader, try …".
    Reply(ClientResult),
}

/// One direction of one link (from → to) set apart from the rest of the network, as on a slow
/// or flaky path: its latency replaces the network's, and its loss is drawn on top of the
/// network's.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkSettings {
    pub latency_min: Micros,
    pub latency_max: Micros,
    pub loss_probability: f64,
}

/// A share of replies held back long (MIT 6.824 labrpc's "long reordering": two thirds of
/// replies delayed 200–2,200 ms), so a reply can arrive after later messages and later terms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LongDelays {
    /// Probability that a reply (RequestVoteReply, AppendEntriesReply) is held back.
    pub probability: f64,
    /// The extra delay, drawn uniformly, on top of the latency.
    pub min: Micros,
    pub max: Micros,
}

/// The network as configured right now.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkView {
    /// Partition groups; empty when the network is whole. A server in no group is alone.
    pub partition: Vec<Vec<ServerId>>,
    /// One-way cut links (from, to).
    pub cut_links: Vec<(ServerId, ServerId)>,
    /// Loss of requests (RequestVote, AppendEntries); `SetLoss` sets it and the reply loss.
    pub loss_probability: f64,
    /// Loss of replies (RequestVoteReply, AppendEntriesReply).
    pub reply_loss_probability: f64,
    pub duplicate_probability: f64,
    pub min_latency: Micros,
    pub max_latency: Micros,
    /// Replies held back long (none by default).
    pub long_delays: LongDelays,
    /// Links set apart (from, to, settings), sorted; the others follow the settings above.
    pub links: Vec<(ServerId, ServerId, LinkSettings)>,
}

/// One client operation in the history (invoke, and return if it has returned).
///
/// Times alone do not order a history: a busy client invokes its next command in the very
/// step (and microsecond) its previous one returns. `invoked_event` and `returned_event` give
/// the order in which things happened: the `TraceEvent::seq` of the step that invoked it and
/// of the step that returned it. Within one step a return comes before an invocation (the
/// client learns the answer, then moves on).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientOp {
    pub client: ClientId,
    /// The client's sequence number: one client's operations happen in `seq` order (§8).
    pub seq: u64,
    pub command: Command,
    pub invoked_at: Micros,
    /// `None` while outstanding (or if it never returns).
    pub returned_at: Option<Micros>,
    /// What the client was told: for GET the value (None = key absent); SET/DEL return None.
    pub result: Option<Option<String>>,
    /// The step (`TraceEvent::seq`) that invoked it; 0 when unknown (a history written by hand).
    #[serde(default)]
    pub invoked_event: u64,
    /// The step that returned it (None while outstanding, or unknown).
    #[serde(default)]
    pub returned_event: Option<u64>,
    /// The log index it was applied at, when the reply came from applying it (None: not
    /// returned yet, or answered without the log: a session's cached reply, a local read).
    #[serde(default)]
    pub index: Option<LogIndex>,
    /// The server whose reply returned it.
    #[serde(default)]
    pub server: Option<ServerId>,
}

/// A client as the client panel shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientView {
    pub id: ClientId,
    /// The request it is waiting on, if any, and which server it last sent it to.
    pub outstanding: Option<(u64, Command, ServerId)>,
    /// How many times the outstanding request was redirected / retried.
    pub redirects: u32,
    pub retries: u32,
}

/// Everything at one instant.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterView {
    pub now: Micros,
    pub servers: Vec<ServerView>,
    pub messages: Vec<MessageView>,
    pub network: NetworkView,
    pub clients: Vec<ClientView>,
    /// Client requests and replies on their way (§8).
    pub client_traffic: Vec<ClientTrafficView>,
    /// Client operations so far, in invocation order (shared, like `ServerView::log`).
    pub history: Arc<Vec<ClientOp>>,
    /// §6: the cluster's configuration (old, joint or new).
    pub configuration: ClusterConfigurationView,
    /// The latest changes of the servers on the ring (at most `RECENT_RING_CHANGES`, oldest
    /// first), so the picture can animate them from the simulated time they happened.
    pub ring_changes: Vec<RingChange>,
}

/// Ring changes a `ClusterView` keeps: enough to animate a few changes in quick succession
/// (each starting from where the one before had got to); an older change is long over.
pub const RECENT_RING_CHANGES: usize = 4;

impl ClusterView {
    pub fn server(&self, id: ServerId) -> Option<&ServerView> {
        self.servers.iter().find(|s| s.id == id)
    }

    /// The servers drawn on the ring now (`MembershipRole::on_ring`).
    pub fn ring(&self) -> ServerSet {
        let mut ring = ServerSet::default();
        for s in &self.servers {
            if s.membership.on_ring(s.status) {
                ring.insert(s.id);
            }
        }
        ring
    }

    /// Servers that are up and believe they lead (more than one is legal across terms).
    pub fn leaders(&self) -> impl Iterator<Item = &ServerView> {
        self.servers
            .iter()
            .filter(|s| s.status != ServerStatus::Crashed && s.role == Role::Leader)
    }

    /// The leader: of the servers that believe they lead, the one with the highest term (the
    /// same server as `Sim::leader`). A paused server counts: it is slow, not failed, and
    /// keeps its state and its belief until it hears of a higher term (§5.1).
    pub fn leader(&self) -> Option<&ServerView> {
        self.leaders().max_by_key(|s| s.current_term)
    }
}

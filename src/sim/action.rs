//! Everything a user (or a scenario, or the fuzzer) can do to the world. Each verb is one
//! `Action` value, recorded with its time in the action log.

use super::view::LinkSettings;
use super::view::{MessageId, Micros, ServerStatus};
use super::Decimal;
use crate::raft::{ClientId, Command, ServerId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// In JSON (the action log a `v2.` link carries) an action is externally tagged:
/// `{"crash": {"server": 1}}`, `"heal"`. (Internally tagged, serde buffers every field before
/// reading it: that reader alone was 39 KB of the page's wasm.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Volatile state lost, persistent state kept; messages on their way to it are lost.
    Crash {
        server: ServerId,
    },
    /// Recover a crashed server from its persistent state.
    Restart {
        server: ServerId,
    },
    /// Fire the server's election timer now.
    Timeout {
        server: ServerId,
    },
    /// Freeze: processes nothing, timers stand still; messages to it wait until resume.
    Pause {
        server: ServerId,
    },
    Resume {
        server: ServerId,
    },
    /// Only servers in the same group can talk; a server in no group is alone.
    Partition {
        groups: Vec<Vec<ServerId>>,
    },
    /// Messages from `from` to `to` are lost (one direction only).
    Cut {
        from: ServerId,
        to: ServerId,
    },
    /// Remove all partitions and cuts.
    Heal,
    SetLoss {
        probability: f64,
    },
    SetDuplication {
        probability: f64,
    },
    SetLatency {
        min: Micros,
        max: Micros,
    },
    /// Loss of requests (RequestVote, AppendEntries) and of replies set apart (MIT 6.824's
    /// unreliable network loses 10% of each); `SetLoss` sets both alike.
    SetLossApart {
        requests: f64,
        replies: f64,
    },
    /// A share of replies is held back `min`..=`max` on top of the latency (labrpc's long
    /// reordering); probability 0 turns it off.
    SetLongDelays {
        probability: f64,
        min: Micros,
        max: Micros,
    },
    /// The link from `from` to `to` (one direction) gets its own latency, and loss on top of
    /// the network's.
    SetLink {
        from: ServerId,
        to: ServerId,
        settings: LinkSettings,
    },
    /// Every link back to the network's settings.
    ResetLinks,
    DropMessage {
        id: MessageId,
    },
    DuplicateMessage {
        id: MessageId,
    },
    DelayMessage {
        id: MessageId,
        by: Micros,
    },
    /// RaftScope's "spread timers": the running election timers are moved apart, each firing
    /// at least the network's maximum latency after the one before, so the first candidate's
    /// RequestVote reaches the others before their timers fire: one clear winner (§5.2).
    SpreadTimers,
    /// RaftScope's "align timers": every running election timer fires together with the
    /// earliest one, so those servers stand at once and split the vote (§5.2).
    AlignTimers,
    /// A client sends a command: `client` None picks an idle interactive client (or a new
    /// one); `target` None lets the client choose (its believed leader, else round robin).
    ClientRequest {
        #[serde(default)]
        client: Option<ClientId>,
        #[serde(with = "command_text")]
        command: Command,
        #[serde(default)]
        target: Option<ServerId>,
    },
    /// The leader (the one of the highest term, if several think they lead) hands leadership
    /// to `to`: it stops taking commands, brings `to` up to date, sends it TimeoutNow
    /// (dissertation §3.10).
    TransferLeadership {
        to: ServerId,
    },
    /// §6: a fresh, empty server joins with the next unused id: the leader adds it as a
    /// non-voting member, then (once it has caught up) as a voter through C_old,new.
    AddServer,
    /// §6: the leader removes `server` from the configuration (through C_old,new for a voter);
    /// the server keeps running but is no longer a member.
    RemoveServer {
        server: ServerId,
    },
}

/// A command in an action is written as typed ("SET x 5"), and read back by the parser the
/// client panel and scenario files use (`Command: FromStr`).
mod command_text {
    use crate::raft::Command;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(command: &Command, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(command)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Command, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(D::Error::custom)
    }
}

impl Action {
    /// The server this action changes, if exactly one.
    pub fn server(&self) -> Option<ServerId> {
        match self {
            Action::Crash { server }
            | Action::Restart { server }
            | Action::Timeout { server }
            | Action::Pause { server }
            | Action::Resume { server } => Some(*server),
            _ => None,
        }
    }

    /// Every server this action names (a crash's server, a partition's groups, a link's two
    /// ends, a client request's target...), so a reader can check them before replaying.
    pub fn named_servers(&self) -> Vec<ServerId> {
        match self {
            Action::Crash { server }
            | Action::Restart { server }
            | Action::Timeout { server }
            | Action::Pause { server }
            | Action::Resume { server }
            | Action::RemoveServer { server }
            | Action::TransferLeadership { to: server }
            | Action::ClientRequest {
                target: Some(server),
                ..
            } => vec![*server],
            Action::Partition { groups } => groups.iter().flatten().copied().collect(),
            Action::Cut { from, to } | Action::SetLink { from, to, .. } => vec![*from, *to],
            Action::ClientRequest { target: None, .. }
            | Action::Heal
            | Action::SetLoss { .. }
            | Action::SetDuplication { .. }
            | Action::SetLatency { .. }
            | Action::SetLossApart { .. }
            | Action::SetLongDelays { .. }
            | Action::ResetLinks
            | Action::DropMessage { .. }
            | Action::DuplicateMessage { .. }
            | Action::DelayMessage { .. }
            | Action::SpreadTimers
            | Action::AlignTimers
            | Action::AddServer => Vec::new(),
        }
    }

    pub fn section(&self) -> &'static str {
        match self {
            // Follower and candidate crashes (§5.5); a paused server is a slow one.
            Action::Crash { .. }
            | Action::Restart { .. }
            | Action::Pause { .. }
            | Action::Resume { .. } => "§5.5",
            Action::Timeout { .. } | Action::SpreadTimers | Action::AlignTimers => "§5.2",
            Action::ClientRequest { .. } => "§8",
            Action::TransferLeadership { .. } => "dissertation §3.10",
            Action::AddServer | Action::RemoveServer { .. } => "§6",
            _ => "§5.1",
        }
    }
}

impl fmt::Display for Action {
    /// What the user did, in words.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Crash { server } => write!(
                f,
                "{server} crashed: it loses its volatile state, keeps term, vote and log"
            ),
            Action::Restart { server } => write!(f, "{server} restarted"),
            Action::Timeout { server } => write!(f, "{server}'s election timer was forced to fire"),
            Action::Pause { server } => write!(
                f,
                "{server} was paused: it is frozen, its timers stand still"
            ),
            Action::Resume { server } => write!(f, "{server} resumed"),
            Action::Partition { groups } => {
                f.write_str("the network was partitioned into ")?;
                for (i, group) in groups.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" | ")?;
                    }
                    let names: Vec<String> = group.iter().map(|s| s.to_string()).collect();
                    write!(f, "{{{}}}", names.join(", "))?;
                }
                Ok(())
            }
            Action::Cut { from, to } => write!(f, "the link from {from} to {to} was cut (one way)"),
            Action::Heal => f.write_str("the network was healed: all partitions and cuts removed"),
            Action::SetLoss { probability } => {
                write!(f, "message loss set to {}%", Decimal::percent(*probability))
            }
            Action::SetDuplication { probability } => {
                write!(
                    f,
                    "message duplication set to {}%",
                    Decimal::percent(*probability)
                )
            }
            Action::SetLatency { min, max } => {
                write!(
                    f,
                    "latency set to {}–{} ms",
                    Decimal::millis_shortest(*min),
                    Decimal::millis_shortest(*max)
                )
            }
            Action::SetLossApart { requests, replies } => write!(
                f,
                "loss set to {}% of requests and {}% of replies",
                Decimal::percent(*requests),
                Decimal::percent(*replies)
            ),
            Action::SetLongDelays {
                probability,
                min,
                max,
            } => write!(
                f,
                "{}% of replies held back {}–{} ms",
                Decimal::percent(*probability),
                Decimal::millis_shortest(*min),
                Decimal::millis_shortest(*max)
            ),
            Action::SetLink { from, to, settings } => write!(
                f,
                "the link from {from} to {to} set to {}–{} ms latency, {}% loss",
                Decimal::millis_shortest(settings.latency_min),
                Decimal::millis_shortest(settings.latency_max),
                Decimal::percent(settings.loss_probability)
            ),
            Action::ResetLinks => f.write_str("every link set back to the network's settings"),
            Action::DropMessage { id } => write!(f, "message #{} was dropped by hand", id.0),
            Action::DuplicateMessage { id } => {
                write!(f, "message #{} was duplicated by hand", id.0)
            }
            Action::DelayMessage { id, by } => write!(
                f,
                "message #{} was delayed by {} ms",
                id.0,
                Decimal::millis_shortest(*by)
            ),
            Action::SpreadTimers => f.write_str(
                "the election timers were spread apart: the first to fire should win alone",
            ),
            Action::AlignTimers => f.write_str(
                "the election timers were aligned to fire together: expect a split vote",
            ),
            Action::ClientRequest {
                client,
                command,
                target,
            } => {
                match client {
                    Some(c) => write!(f, "{c} ")?,
                    None => f.write_str("a client ")?,
                }
                write!(f, "sends {command}")?;
                if let Some(t) = target {
                    write!(f, " to {t}")?;
                }
                Ok(())
            }
            Action::TransferLeadership { to } => {
                write!(f, "the leader was asked to hand leadership to {to}")
            }
            Action::AddServer => {
                f.write_str("a fresh server was started and the leader asked to add it")
            }
            Action::RemoveServer { server } => {
                write!(
                    f,
                    "the leader was asked to remove {server} from the cluster"
                )
            }
        }
    }
}

/// What an applied action produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionOutcome {
    Done,
    /// A client request was queued under this (client, seq).
    ClientRequest {
        client: ClientId,
        seq: u64,
    },
}

/// Why an action cannot be applied (unknown server, server already crashed, ...). Nothing
/// changes when an action is refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ActionError {
    #[error("there is no server {server} (servers are S1..S{servers})")]
    NoSuchServer { server: ServerId, servers: u8 },
    #[error("{0} is already crashed")]
    AlreadyCrashed(ServerId),
    #[error("{0} is not crashed")]
    NotCrashed(ServerId),
    #[error("{server} is {} and cannot time out", .status.word())]
    CannotTimeOut {
        server: ServerId,
        status: ServerStatus,
    },
    #[error("{server} is {} and cannot be paused", .status.word())]
    CannotPause {
        server: ServerId,
        status: ServerStatus,
    },
    #[error("{0} is not paused")]
    NotPaused(ServerId),
    #[error("{0} appears in two partition groups")]
    InTwoGroups(ServerId),
    #[error("a link joins two different servers, not {0} to itself")]
    LinkToItself(ServerId),
    #[error("fewer than two election timers are running (a leader's, a crashed or a paused server's do not run)")]
    TooFewElectionTimers,
    #[error("a probability is between 0 and 1, not {0}")]
    Probability(f64),
    /// A range of durations (`what`: "latency", "long delay") whose min is above its max.
    #[error("{what} min {min} µs is above max {max} µs")]
    Range {
        what: &'static str,
        min: Micros,
        max: Micros,
    },
    /// Above `limits::MAX_TIMER`.
    #[error("{what} max {max} µs is above one minute")]
    TooLong { what: &'static str, max: Micros },
    /// A setting that would break one of `sim::limits` (zero latency with clients that do not
    /// think: time would stand still).
    #[error(transparent)]
    Limit(#[from] super::limits::LimitError),
    #[error("message #{} is not in flight", .0 .0)]
    NotInFlight(MessageId),
    #[error("client ids are C1..C{}, not {client}", super::limits::MAX_CLIENT_ID)]
    NoSuchClient { client: ClientId },
    #[error("no server is leader, so nobody can hand leadership to {0}")]
    NoLeaderToTransfer(ServerId),
    #[error("{0} already leads: choose another server to hand leadership to")]
    TransferToLeader(ServerId),
    #[error("{to} is not a voting member of {leader}'s configuration: only a voter can lead (§6)")]
    TransferToNonVoter { leader: ServerId, to: ServerId },
    #[error("no server is leader, so nobody can change the configuration (§6)")]
    NoLeaderForChange,
    #[error(
        "no server id is left: ids are never reused and S1..S{} are all taken",
        crate::raft::MAX_SERVER_ID
    )]
    NoServerIdLeft,
    /// A recorded action whose place in the run (`Timeline::next_place`) the replayed world
    /// never has: only in a log from outside.
    #[error("its place in the run (after {after_events} events) was passed")]
    PlacePassed { after_events: u64 },
    #[error("{leader} cannot {change}: {}", .reason.reason())]
    ChangeRefused {
        leader: ServerId,
        change: crate::raft::Change,
        reason: crate::raft::ChangeRefusal,
    },
}

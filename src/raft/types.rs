//! The vocabulary of Raft: newtypes that must not be mixed, log entries, commands and the
//! RPCs of Figure 2, with the paper's field names.
//!
//! This file is the shared contract between the core, the simulator, the checker, scenarios
//! and the UI. Add to it freely; renaming a field here is a cross-layer change.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A server's current term (§5.1). Terms only grow.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Term(pub u64);

/// A position in the log; the first entry has index 1, index 0 means "before the log" (§5.3).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct LogIndex(pub u64);

/// Server identity. Servers are numbered from 1 (S1..S9) as users see them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ServerId(pub u8);

/// A client's identity (§8: commands carry client id + sequence number).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ClientId(pub u32);

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
impl fmt::Display for LogIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
impl fmt::Display for ServerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "S{}", self.0)
    }
}
impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "C{}", self.0)
    }
}

/// Figure 2 roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Follower,
    Candidate,
    Leader,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Follower => "follower",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        })
    }
}

/// A key-value command, as typed by a user: `SET k v`, `GET k`, `DEL k`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Command {
    Set { key: String, value: String },
    Get { key: String },
    Del { key: String },
}

/// Why a typed command was rejected (shown inline in the UI, and by scenario validation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandParseError(pub String);

impl fmt::Display for CommandParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Command {
    type Err = CommandParseError;

    /// Parses `SET k v`, `GET k`, `DEL k` (operation case-insensitive, keys/values are single
    /// words). The error says exactly what is wrong, for the client panel.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let Some((op, args)) = words.split_first() else {
            return Err(CommandParseError(
                "type a command: SET key value, GET key or DEL key".into(),
            ));
        };
        let usage = |form: &str, n: usize| {
            CommandParseError(format!(
                "{} takes {n} argument{}: {form}",
                op.to_ascii_uppercase(), // only SET, GET or DEL get here
                if n == 1 { "" } else { "s" }
            ))
        };
        match op.to_ascii_uppercase().as_str() {
            "SET" if args.len() == 2 => Ok(Command::Set {
                key: args[0].into(),
                value: args[1].into(),
            }),
            "SET" => Err(usage("SET key value", 2)),
            "GET" if args.len() == 1 => Ok(Command::Get {
                key: args[0].into(),
            }),
            "GET" => Err(usage("GET key", 1)),
            "DEL" if args.len() == 1 => Ok(Command::Del {
                key: args[0].into(),
            }),
            "DEL" => Err(usage("DEL key", 1)),
            _ => Err(CommandParseError(format!(
                "unknown command \"{op}\": use SET key value, GET key or DEL key"
            ))),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Set { key, value } => write!(f, "SET {key} {value}"),
            Command::Get { key } => write!(f, "GET {key}"),
            Command::Del { key } => write!(f, "DEL {key}"),
        }
    }
}

/// What a log entry carries. `Noop` is the entry a new leader may append to commit entries
/// from earlier terms (§8); `Config` is a §6 cluster configuration (C_old,new or C_new).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntryPayload {
    Noop,
    Client {
        client: ClientId,
        seq: u64,
        command: Command,
    },
    /// §6: a configuration; a server uses the latest one in its log as soon as it is there.
    Config {
        config: super::quorum::Configuration,
    },
}

/// One log entry: the term in which the leader received it, and its payload (§5.3).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LogEntry {
    pub term: Term,
    pub payload: EntryPayload,
}

/// RequestVote RPC arguments (Figure 2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestVote {
    pub term: Term,
    pub candidate_id: ServerId,
    pub last_log_index: LogIndex,
    pub last_log_term: Term,
    /// Not in Figure 2: this election was started by TimeoutNow (dissertation §3.10), so voters
    /// grant it even while they still hear from the leader that asked for it.
    #[serde(default)]
    pub leadership_transfer: bool,
}

/// RequestVote RPC results (Figure 2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestVoteReply {
    pub term: Term,
    pub vote_granted: bool,
}

/// AppendEntries RPC arguments (Figure 2). No entries = heartbeat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendEntries {
    pub term: Term,
    pub leader_id: ServerId,
    pub prev_log_index: LogIndex,
    pub prev_log_term: Term,
    pub entries: Vec<LogEntry>,
    pub leader_commit: LogIndex,
    /// Not in Figure 2: the leader's latest read-confirmation round (ReadIndex and lease
    /// reads, dissertation §6.4), echoed in the reply; 0 when reads go through the log.
    #[serde(default)]
    pub read_round: u64,
}

/// AppendEntries RPC results (Figure 2), plus what the leader needs to advance its view of the
/// follower: `match_index` on success, and the fast back-up hint on failure (MIT 6.824:
/// `conflict_term` = term of the conflicting entry, `conflict_index` = first index of that term,
/// or the follower's log length + 1 when its log is too short).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendEntriesReply {
    pub term: Term,
    pub success: bool,
    pub match_index: LogIndex,
    pub conflict_index: Option<LogIndex>,
    pub conflict_term: Option<Term>,
    /// The `read_round` of the AppendEntries this answers.
    #[serde(default)]
    pub read_round: u64,
}

/// TimeoutNow (dissertation §3.10): the leader tells the target of a leadership transfer,
/// whose log it has brought up to date, to start an election at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeoutNow {
    pub term: Term,
    pub leader_id: ServerId,
}

/// InstallSnapshot RPC arguments (§7, Figure 13): one chunk of the leader's snapshot, the
/// serialized state machine, placed at byte `offset`; `done` marks the last chunk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallSnapshot {
    pub term: Term,
    pub leader_id: ServerId,
    pub last_included_index: LogIndex,
    pub last_included_term: Term,
    pub offset: u64,
    pub data: Vec<u8>,
    pub done: bool,
    /// §7 (and the dissertation's Figure 5.3 `lastConfig`): the latest configuration as of
    /// `last_included_index`, and the index of the entry it came from (0: the cluster's
    /// initial one), so the receiver knows its cluster even with the log gone.
    #[serde(default)]
    pub config: super::quorum::Configuration,
    #[serde(default)]
    pub config_index: LogIndex,
}

/// InstallSnapshot RPC results (Figure 13: `term`), plus what the leader needs to go on
/// without waiting for a timeout: which snapshot this answers, how many of its bytes the
/// follower holds in order (`next_offset`, where the next chunk starts), and whether the
/// follower now has the whole snapshot (`done`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallSnapshotReply {
    pub term: Term,
    pub last_included_index: LogIndex,
    pub next_offset: u64,
    pub done: bool,
}

/// Every RPC that crosses the simulated network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    RequestVote(RequestVote),
    RequestVoteReply(RequestVoteReply),
    AppendEntries(AppendEntries),
    AppendEntriesReply(AppendEntriesReply),
    /// PreVote (dissertation §9.6): "would you vote for me in `term`?", where `term` is the
    /// sender's current term + 1; nobody changes term or votes because of it.
    PreVote(RequestVote),
    /// The answer to a PreVote: granted carries the term asked about, denied the receiver's.
    PreVoteReply(RequestVoteReply),
    TimeoutNow(TimeoutNow),
    InstallSnapshot(InstallSnapshot),
    InstallSnapshotReply(InstallSnapshotReply),
}

impl Message {
    /// The term every RPC carries (Figure 2, "Rules for All Servers").
    pub fn term(&self) -> Term {
        match self {
            Message::RequestVote(m) => m.term,
            Message::RequestVoteReply(m) => m.term,
            Message::AppendEntries(m) => m.term,
            Message::AppendEntriesReply(m) => m.term,
            Message::PreVote(m) => m.term,
            Message::PreVoteReply(m) => m.term,
            Message::TimeoutNow(m) => m.term,
            Message::InstallSnapshot(m) => m.term,
            Message::InstallSnapshotReply(m) => m.term,
        }
    }

    /// The term a receiver must adopt if it is newer (Figure 2, all servers). A PreVote asks
    /// about a term nobody holds yet, and a granted PreVote reply echoes it: neither is
    /// adopted (dissertation §9.6).
    pub fn adoptable_term(&self) -> Option<Term> {
        match self {
            Message::PreVote(_) => None,
            Message::PreVoteReply(r) if r.vote_granted => None,
            other => Some(other.term()),
        }
    }

    /// A short label for drawing and narration: "RequestVote", "vote granted", "heartbeat",
    /// "AppendEntries ×3", "append ok", "append rejected".
    pub fn label(&self) -> String {
        match self {
            Message::RequestVote(_) => "RequestVote".into(),
            Message::RequestVoteReply(r) if r.vote_granted => "vote granted".into(),
            Message::RequestVoteReply(_) => "vote denied".into(),
            Message::AppendEntries(a) if a.entries.is_empty() => "heartbeat".into(),
            Message::AppendEntries(a) => format!("AppendEntries ×{}", a.entries.len()),
            Message::AppendEntriesReply(r) if r.success => "append ok".into(),
            Message::AppendEntriesReply(_) => "append rejected".into(),
            Message::PreVote(_) => "PreVote".into(),
            Message::PreVoteReply(r) if r.vote_granted => "pre-vote granted".into(),
            Message::PreVoteReply(_) => "pre-vote denied".into(),
            Message::TimeoutNow(_) => "TimeoutNow".into(),
            Message::InstallSnapshot(s) => format!("InstallSnapshot @{}", s.offset),
            Message::InstallSnapshotReply(r) if r.done => "snapshot installed".into(),
            Message::InstallSnapshotReply(_) => "snapshot chunk ok".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_commands_and_explains_mistakes() {
        assert_eq!(
            "set x 5".parse(),
            Ok(Command::Set {
                key: "x".into(),
                value: "5".into()
            })
        );
        assert_eq!("GET x".parse(), Ok(Command::Get { key: "x".into() }));
        assert_eq!(" DEL  x ".parse(), Ok(Command::Del { key: "x".into() }));
        let err = "SET x".parse::<Command>().unwrap_err().0;
        assert!(err.contains("SET key value"), "{err}");
        let err = "FOO".parse::<Command>().unwrap_err().0;
        assert!(err.contains("unknown command \"FOO\""), "{err}");
        assert!("".parse::<Command>().is_err());
    }

    #[test]
    fn commands_round_trip_through_display() {
        for text in ["SET x 5", "GET y", "DEL z"] {
            assert_eq!(text.parse::<Command>().unwrap().to_string(), text);
        }
    }
}

//! The key-value state machine with the §8 session table.

use super::types::{ClientId, Command};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What applying one command did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplyOutcome {
    /// First time this (client, seq) was applied: the command took effect.
    Executed(Option<String>),
    /// A retry of the client's latest command: not executed again, the cached reply (§8).
    Duplicate(Option<String>),
    /// Older than the client's latest command: ignored (the client already moved on).
    Stale,
}

impl ApplyOutcome {
    /// The reply a client gets: for GET the value, otherwise None.
    pub fn reply(&self) -> Option<String> {
        match self {
            ApplyOutcome::Executed(r) | ApplyOutcome::Duplicate(r) => r.clone(),
            ApplyOutcome::Stale => None,
        }
    }
}

/// §8: for each client, the sequence number of its latest applied command and the reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub last_seq: u64,
    pub reply: Option<String>,
}

/// The replicated state machine: a map from keys to values, plus the session table that
/// makes every command take effect at most once. Serde: a §7 snapshot is this, serialized.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvStore {
    data: BTreeMap<String, String>,
    sessions: BTreeMap<ClientId, Session>,
}

impl KvStore {
    pub fn data(&self) -> &BTreeMap<String, String> {
        &self.data
    }

    pub fn sessions(&self) -> &BTreeMap<ClientId, Session> {
        &self.sessions
    }

    pub fn get(&self, key: &str) -> Option<&String> {
        self.data.get(key)
    }

    /// The cached reply if (client, seq) is the client's latest applied command.
    pub fn cached_reply(&self, client: ClientId, seq: u64) -> Option<&Option<String>> {
        self.sessions
            .get(&client)
            .filter(|s| s.last_seq == seq)
            .map(|s| &s.reply)
    }

    /// The client's latest applied sequence number (0 if none).
    pub fn last_seq(&self, client: ClientId) -> u64 {
        self.sessions.get(&client).map_or(0, |s| s.last_seq)
    }

    /// Applies a committed command, at most once per (client, seq) (§8).
    pub fn apply(&mut self, client: ClientId, seq: u64, command: &Command) -> ApplyOutcome {
        if let Some(session) = self.sessions.get(&client) {
            if seq == session.last_seq {
                return ApplyOutcome::Duplicate(session.reply.clone());
            }
            if seq < session.last_seq {
                return ApplyOutcome::Stale;
            }
        }
        let reply = self.execute(command);
        self.sessions.insert(
            client,
            Session {
                last_seq: seq,
                reply: reply.clone(),
            },
        );
        ApplyOutcome::Executed(reply)
    }

    /// Runs a command on the map (no session bookkeeping).
    pub fn execute(&mut self, command: &Command) -> Option<String> {
        match command {
            Command::Set { key, value } => {
                match self.data.get_mut(key) {
                    Some(slot) => value.clone_into(slot),
                    None => {
                        self.data.insert(key.clone(), value.clone());
                    }
                }
                None
            }
            Command::Get { key } => self.data.get(key).cloned(),
            Command::Del { key } => {
                self.data.remove(key);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(k: &str, v: &str) -> Command {
        Command::Set {
            key: k.into(),
            value: v.into(),
        }
    }

    #[test]
    fn set_get_del_behave_like_a_map() {
        let mut kv = KvStore::default();
        let c = ClientId(1);
        assert_eq!(kv.apply(c, 1, &set("x", "1")), ApplyOutcome::Executed(None));
        assert_eq!(
            kv.apply(c, 2, &Command::Get { key: "x".into() }),
            ApplyOutcome::Executed(Some("1".into()))
        );
        kv.apply(c, 3, &Command::Del { key: "x".into() });
        assert_eq!(kv.get("x"), None);
    }

    #[test]
    fn retried_command_applies_once_and_gets_the_cached_reply() {
        let mut kv = KvStore::default();
        let (a, b) = (ClientId(1), ClientId(2));
        kv.apply(a, 1, &set("x", "1"));
        kv.apply(b, 1, &set("x", "2"));
        // A's retry of seq 1 must not overwrite B's write.
        assert_eq!(
            kv.apply(a, 1, &set("x", "1")),
            ApplyOutcome::Duplicate(None)
        );
        assert_eq!(kv.get("x").map(String::as_str), Some("2"));
        kv.apply(a, 2, &Command::Get { key: "x".into() });
        assert_eq!(
            kv.apply(a, 2, &Command::Get { key: "x".into() }),
            ApplyOutcome::Duplicate(Some("2".into()))
        );
        assert_eq!(kv.apply(a, 1, &set("x", "9")), ApplyOutcome::Stale);
        assert_eq!(kv.get("x").map(String::as_str), Some("2"));
    }
}

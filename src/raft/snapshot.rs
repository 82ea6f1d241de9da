//! §7 log compaction: taking snapshots, sending them in chunks with InstallSnapshot (Figure
//! 13), installing them, and recovering from them after a crash.
//!
//! A snapshot is the state machine (the key-value store and the §8 session table) serialized,
//! with the index and term of the last entry it covers. With `SnapshotOptions::threshold` 0
//! (the default) nothing here runs.

use super::kv::KvStore;
use super::membership::ConfigCause;
use super::note::Note;
use super::quorum::Configuration;
use super::server::{Output, Server};
use super::types::*;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A saved snapshot (part of the persistent state): `data` is the serialized state machine
/// after applying every entry up to `last_included_index`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub last_included_index: LogIndex,
    pub last_included_term: Term,
    /// Shared: time-travel copies of the world and chunks in flight do not copy it.
    pub data: Arc<Vec<u8>>,
    /// §7: the latest configuration as of `last_included_index` (C_old,new included), and the
    /// index of its entry (0: the initial configuration): with the log prefix gone, this is
    /// where the server finds its configuration.
    pub config: Configuration,
    pub config_index: LogIndex,
}

impl Snapshot {
    fn of(
        last_included_index: LogIndex,
        last_included_term: Term,
        kv: &KvStore,
        (config_index, config): (LogIndex, Configuration),
    ) -> Self {
        Snapshot {
            last_included_index,
            last_included_term,
            // Serializing maps of strings and numbers cannot fail. Written as text, as it is
            // read (`state_machine`): the same bytes `to_vec` would give, without std::io.
            data: Arc::new(serde_json::to_string(kv).unwrap_or_default().into_bytes()),
            config,
            config_index,
        }
    }

    /// The state machine this snapshot holds (None if the bytes are not a state machine).
    /// Read as text: the page parses every other JSON (scenarios, links, tours) from a
    /// `&str`, and one reader of JSON in the page is a few KB of wasm less than two.
    pub fn state_machine(&self) -> Option<KvStore> {
        let text = std::str::from_utf8(&self.data).ok()?;
        serde_json::from_str(text).ok()
    }
}

/// A snapshot being received in chunks (Figure 13 steps 2–3: the "snapshot file").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncomingSnapshot {
    pub last_included_index: LogIndex,
    pub last_included_term: Term,
    /// The bytes received in order, from offset 0.
    pub data: Vec<u8>,
}

/// Volatile §7 state (lost on a crash): chunks in transfer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SnapshotTransfer {
    /// Leader: for each follower being sent a snapshot, which one and the offset the
    /// follower asked for last.
    pub sending: BTreeMap<ServerId, (LogIndex, u64)>,
    /// Follower: the snapshot being received.
    pub receiving: Option<IncomingSnapshot>,
}

impl Server {
    /// The latest snapshot, if one was taken or installed.
    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.persistent.snapshot.as_ref()
    }

    /// §7: once the log holds `threshold` entries, save the state machine as a snapshot
    /// through `lastApplied` and drop that prefix of the log. Only applied entries, hence
    /// only committed ones, are ever compacted.
    pub(super) fn maybe_take_snapshot(&mut self, out: &mut Output) {
        let threshold = self.options.snapshots.threshold as usize;
        let log = &self.persistent.log;
        let last_applied = self.volatile.last_applied;
        if threshold == 0 || log.len() < threshold || last_applied < log.start() {
            return;
        }
        let Some(term) = log.term_at(last_applied) else {
            return;
        };
        let config = self.config_at(last_applied);
        let snapshot = Snapshot::of(last_applied, term, &self.kv, config);
        let discarded = self.persistent.log.compact_through(last_applied, term);
        self.persistent.snapshot = Some(snapshot);
        out.snapshot_changed = true;
        out.notes.push(Note::SnapshotTaken {
            last_included_index: last_applied,
            last_included_term: term,
            discarded,
        });
    }

    /// After a restart: the state machine starts from the snapshot, not from empty (§7).
    pub(super) fn restore_snapshot(&mut self, out: &mut Output) {
        let Some(snapshot) = &self.persistent.snapshot else {
            return;
        };
        let Some(kv) = snapshot.state_machine() else {
            return;
        };
        let index = snapshot.last_included_index;
        self.kv = kv;
        self.volatile.last_applied = index;
        self.volatile.commit_index = index;
        out.snapshot_changed = true;
        out.notes.push(Note::SnapshotRestored {
            last_included_index: index,
            last_included_term: snapshot.last_included_term,
        });
    }

    /// An AppendEntries whose prevLogIndex lies inside our snapshot: its entries up to the
    /// snapshot are committed (only applied entries are compacted), so the snapshot already
    /// holds them; start the request at the snapshot's last entry instead.
    pub(super) fn skip_compacted_prefix(&self, request: &mut AppendEntries) {
        let (boundary, boundary_term) = self.persistent.log.snapshot_boundary();
        if request.prev_log_index >= boundary {
            return;
        }
        let skip = (boundary.0 - request.prev_log_index.0) as usize;
        request.entries.drain(..skip.min(request.entries.len()));
        request.prev_log_index = boundary;
        request.prev_log_term = boundary_term;
    }

    /// Leader: the next chunk of our snapshot for `follower` (Figure 13 arguments), from the
    /// offset it last asked for. Heartbeats call this again, which resends a lost chunk.
    pub(super) fn send_snapshot_chunk(&mut self, follower: ServerId, out: &mut Output) {
        let Some(snapshot) = &self.persistent.snapshot else {
            return;
        };
        let index = snapshot.last_included_index;
        let sending = &mut self.volatile.snapshot_transfer.sending;
        let offset = match sending.get(&follower) {
            Some(&(i, offset)) if i == index => offset,
            _ => {
                sending.insert(follower, (index, 0));
                0
            }
        };
        let len = snapshot.data.len() as u64;
        let start = offset.min(len);
        let end = (start + u64::from(self.options.snapshots.chunk_bytes.max(1))).min(len);
        let data = snapshot.data[start as usize..end as usize].to_vec();
        let done = end == len;
        out.notes.push(Note::SnapshotChunkSent {
            follower,
            last_included_index: index,
            offset: start,
            bytes: data.len() as u32,
            done,
        });
        out.messages.push((
            follower,
            Message::InstallSnapshot(InstallSnapshot {
                term: self.persistent.current_term,
                leader_id: self.id,
                last_included_index: index,
                last_included_term: snapshot.last_included_term,
                offset: start,
                data,
                done,
                config: snapshot.config,
                config_index: snapshot.config_index,
            }),
        ));
    }

    /// InstallSnapshot receiver implementation (Figure 13).
    pub(super) fn handle_install_snapshot(
        &mut self,
        from: ServerId,
        request: InstallSnapshot,
        out: &mut Output,
    ) {
        let current = self.persistent.current_term;
        let index = request.last_included_index;
        let reply = |out: &mut Output, next_offset: u64, done: bool| {
            out.messages.push((
                from,
                Message::InstallSnapshotReply(InstallSnapshotReply {
                    term: current,
                    last_included_index: index,
                    next_offset,
                    done,
                }),
            ));
        };
        // 1. Reply immediately if term < currentTerm.
        if request.term < current {
            reply(out, 0, false);
            return;
        }
        let leader = request.leader_id;
        self.follow_leader(leader, out);

        // Our own snapshot already covers it: nothing to receive. (With the knob, a snapshot
        // equal to ours is installed again, which is where it shows.)
        let (boundary, _) = self.persistent.log.snapshot_boundary();
        let knob = self
            .options
            .knobs
            .install_snapshot_discards_following_entries;
        if index < boundary || (index == boundary && !knob) {
            out.notes.push(Note::SnapshotAlreadyCovered {
                leader,
                last_included_index: index,
            });
            reply(out, 0, true);
            return;
        }

        // 2. Create a new snapshot file if first chunk (offset is 0). 3. Write data into the
        // snapshot file at the given offset. A chunk that would leave a gap (an earlier one was
        // lost or is late) is not written; the reply says where to go on from.
        let receiving = &mut self.volatile.snapshot_transfer.receiving;
        let same = |r: &IncomingSnapshot| {
            r.last_included_index == index && r.last_included_term == request.last_included_term
        };
        if request.offset == 0 && !receiving.as_ref().is_some_and(same) {
            *receiving = Some(IncomingSnapshot {
                last_included_index: index,
                last_included_term: request.last_included_term,
                data: Vec::new(),
            });
        }
        let held = receiving.as_ref().filter(|r| same(r)).map(|r| r.data.len());
        let Some(file) = receiving
            .as_mut()
            .filter(|r| same(r) && request.offset as usize <= r.data.len())
        else {
            let next_offset = held.unwrap_or(0) as u64;
            out.notes.push(Note::SnapshotChunkIgnored {
                leader,
                last_included_index: index,
                offset: request.offset,
                next_offset,
            });
            reply(out, next_offset, false);
            return;
        };
        let begin = request.offset as usize;
        let end = begin + request.data.len();
        if file.data.len() < end {
            file.data.resize(end, 0);
        }
        file.data[begin..end].copy_from_slice(&request.data);
        let next_offset = file.data.len() as u64;
        // 4. Reply and wait for more data chunks if done is false (a late chunk from the middle
        // does not finish the file either).
        if !request.done || end != file.data.len() {
            out.notes.push(Note::SnapshotChunkStored {
                leader,
                last_included_index: index,
                offset: request.offset,
                next_offset,
            });
            reply(out, next_offset, false);
            return;
        }
        let Some(file) = self.volatile.snapshot_transfer.receiving.take() else {
            return;
        };
        let snapshot = Snapshot {
            last_included_index: index,
            last_included_term: file.last_included_term,
            data: Arc::new(file.data),
            config: request.config,
            config_index: request.config_index,
        };
        let Some(kv) = snapshot.state_machine() else {
            // Not a state machine: drop the file and let the leader start again.
            reply(out, 0, false);
            return;
        };
        self.install(leader, snapshot, kv, out);
        reply(out, next_offset, true);
    }

    /// Figure 13 steps 5–8 for a complete snapshot.
    fn install(&mut self, leader: ServerId, snapshot: Snapshot, kv: KvStore, out: &mut Output) {
        let index = snapshot.last_included_index;
        let term = snapshot.last_included_term;
        let knob = self
            .options
            .knobs
            .install_snapshot_discards_following_entries;
        let log = &mut self.persistent.log;
        // 6. If existing log entry has same index and term as snapshot's last included entry,
        // retain log entries following it and reply. 7. Otherwise discard the entire log.
        let matches = log.term_at(index) == Some(term);
        let following = log.last_index().0.saturating_sub(index.0);
        let retain = matches && !knob;
        let discarded = if retain {
            0
        } else {
            let held = log.len() as u64;
            log.truncate_from(log.start());
            held
        };
        log.compact_through(index, term);
        out.wrote_log_from(log.start());
        out.snapshot_changed = true;
        out.notes.push(Note::SnapshotInstalled {
            leader,
            last_included_index: index,
            last_included_term: term,
            kept: if retain { following } else { 0 },
            discarded,
            knob: matches && knob && following > 0,
        });
        // 8. Reset state machine using snapshot contents — unless it is already past the
        // snapshot (its log matched and it applied further): then it stays.
        if !retain || self.volatile.last_applied < index {
            self.kv = kv;
            self.volatile.last_applied = index;
        }
        if !retain || self.volatile.commit_index < index {
            self.volatile.commit_index = index;
        }
        // 5. Save snapshot file, discard any existing snapshot with a smaller index.
        self.persistent.snapshot = Some(snapshot);
        // §6, §7: the configuration is the latest in what remains of the log, else the
        // snapshot's (a log discarded whole may have held a newer one: the server goes back).
        let cause = if retain {
            // Entries after the snapshot remain: a configuration among them stays in use.
            ConfigCause::Appended
        } else {
            ConfigCause::Snapshot
        };
        self.refresh_config(cause, out);
    }

    /// Leader: a follower's answer to a chunk.
    pub(super) fn handle_install_snapshot_reply(
        &mut self,
        from: ServerId,
        reply: InstallSnapshotReply,
        out: &mut Output,
    ) {
        if self.ignore_stale_reply(from, reply.term, Role::Leader, out) {
            return;
        }
        let Some(position) = self
            .volatile
            .progress
            .iter()
            .position(|p| p.follower == from)
        else {
            return;
        };
        let sending = &mut self.volatile.snapshot_transfer.sending;
        if reply.done {
            // The follower holds everything up to the snapshot: replication goes on after it.
            sending.remove(&from);
            let progress = &mut self.volatile.progress[position];
            let index = reply.last_included_index;
            if index > progress.match_index {
                progress.match_index = index;
                out.notes.push(Note::FollowerInstalledSnapshot {
                    follower: from,
                    match_index: index,
                });
                progress.next_index = progress.next_index.max(LogIndex(index.0 + 1));
                self.advance_commit_index(out);
                // §6: a commitment may have changed the followers or deposed this leader.
                if let Some(position) = self.progress_position(from) {
                    self.send_append_entries(position, out);
                    self.promote_caught_up_learners(out);
                }
            }
            return;
        }
        // More chunks wanted, from `next_offset`. A duplicated reply asks for what was already
        // sent; it is not answered (a heartbeat resends if a chunk is lost). A reply about an
        // older snapshot than ours asks, in effect, for ours from its start: answered once, not
        // once per reply (replies about two snapshots alternating would each be answered, and
        // with duplication the messages in flight would multiply without end).
        let ours = self
            .persistent
            .snapshot
            .as_ref()
            .map(|s| s.last_included_index);
        let wanted = match ours {
            Some(index) if index != reply.last_included_index => (index, 0),
            _ => (reply.last_included_index, reply.next_offset),
        };
        if sending.get(&from) != Some(&wanted) && self.persistent.log.start().0 > 1 {
            sending.insert(from, wanted);
            if self.volatile.progress[position].next_index < self.persistent.log.start() {
                self.send_snapshot_chunk(from, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raft::server::Input;
    use crate::raft::{Log, PersistentState, RaftOptions};

    const LEADER: ServerId = ServerId(1);

    fn set(key: &str, value: &str, seq: u64) -> LogEntry {
        LogEntry {
            term: Term(1),
            payload: EntryPayload::Client {
                client: ClientId(1),
                seq,
                command: Command::Set {
                    key: key.into(),
                    value: value.into(),
                },
            },
        }
    }

    /// A follower S2 of term 1 whose log holds `entries`.
    fn follower(entries: Vec<LogEntry>, options: RaftOptions) -> Server {
        let mut server = Server::new(ServerId(2), vec![LEADER, ServerId(3)], options);
        server.set_persistent_state(PersistentState {
            current_term: Term(1),
            voted_for: None,
            log: Log::from_entries(entries),
            snapshot: None,
        });
        server
    }

    /// The state machine after `x=1..=n` (client 1, seq n), serialized.
    fn snapshot_bytes(n: u64) -> Vec<u8> {
        let mut kv = KvStore::default();
        for i in 1..=n {
            kv.apply(
                ClientId(1),
                i,
                &set("x", &i.to_string(), i).payload_command(),
            );
        }
        serde_json::to_string(&kv).unwrap().into_bytes()
    }

    trait PayloadCommand {
        fn payload_command(&self) -> Command;
    }
    impl PayloadCommand for LogEntry {
        fn payload_command(&self) -> Command {
            match &self.payload {
                EntryPayload::Client { command, .. } => command.clone(),
                EntryPayload::Noop | EntryPayload::Config { .. } => {
                    unreachable!("tests use client entries")
                }
            }
        }
    }

    fn chunk(index: u64, data: &[u8], offset: usize, len: usize) -> Input {
        let end = (offset + len).min(data.len());
        Input::Receive {
            from: LEADER,
            message: Message::InstallSnapshot(InstallSnapshot {
                term: Term(1),
                leader_id: LEADER,
                last_included_index: LogIndex(index),
                last_included_term: Term(1),
                offset: offset as u64,
                data: data[offset..end].to_vec(),
                done: end == data.len(),
                config: Configuration::new(vec![LEADER, ServerId(2), ServerId(3)]),
                config_index: LogIndex(0),
            }),
        }
    }

    fn reply(out: &Output) -> &InstallSnapshotReply {
        match &out.messages[..] {
            [(LEADER, Message::InstallSnapshotReply(r))] => r,
            other => panic!("expected one InstallSnapshotReply, got {other:?}"),
        }
    }

    #[test]
    fn chunks_in_order_install_the_snapshot_and_reset_the_state_machine() {
        let mut s = follower(vec![set("x", "9", 1)], RaftOptions::DEFAULT);
        let data = snapshot_bytes(5);
        let out = s.handle(chunk(5, &data, 0, 10));
        assert_eq!((reply(&out).next_offset, reply(&out).done), (10, false));
        let out = s.handle(chunk(5, &data, 10, data.len()));
        assert!(reply(&out).done);
        // Its one entry (term 1, index 1) is not the snapshot's last entry: log discarded.
        assert_eq!(s.log().snapshot_boundary(), (LogIndex(5), Term(1)));
        assert!(s.log().is_empty());
        assert_eq!(
            (s.last_applied(), s.commit_index()),
            (LogIndex(5), LogIndex(5))
        );
        assert_eq!(s.kv().get("x").map(String::as_str), Some("5"));
        assert_eq!(
            s.kv().last_seq(ClientId(1)),
            5,
            "sessions travel in the snapshot"
        );
    }

    #[test]
    fn a_gap_or_a_stale_chunk_is_not_written_and_the_reply_says_where_to_go_on() {
        let mut s = follower(vec![], RaftOptions::DEFAULT);
        let data = snapshot_bytes(3);
        // A chunk from the middle before the first: ignored, ask for offset 0.
        let out = s.handle(chunk(3, &data, 8, 8));
        assert_eq!((reply(&out).next_offset, reply(&out).done), (0, false));
        s.handle(chunk(3, &data, 0, 8));
        // The same chunk again (duplicate), then an overlapping stale one: still 8 bytes held.
        let out = s.handle(chunk(3, &data, 0, 8));
        assert_eq!(reply(&out).next_offset, 8);
        let out = s.handle(chunk(3, &data, 4, 4));
        assert_eq!(reply(&out).next_offset, 8);
        // The rest, in one chunk: installed.
        let out = s.handle(chunk(3, &data, 8, data.len()));
        assert!(reply(&out).done);
        assert_eq!(s.kv().get("x").map(String::as_str), Some("3"));
    }

    #[test]
    fn matching_entries_after_the_snapshot_are_kept() {
        // Figure 13 step 6: the log holds the snapshot's last entry (index 2, term 1), so the
        // entries after it stay.
        let entries: Vec<LogEntry> = (1..=4).map(|i| set("x", &i.to_string(), i)).collect();
        let mut s = follower(entries, RaftOptions::DEFAULT);
        let data = snapshot_bytes(2);
        let out = s.handle(chunk(2, &data, 0, data.len()));
        assert!(reply(&out).done);
        assert_eq!(s.log().start(), LogIndex(3));
        assert_eq!(s.last_log_index(), LogIndex(4), "entries 3 and 4 kept");
        assert!(out.notes.iter().any(|n| matches!(
            n,
            Note::SnapshotInstalled {
                kept: 2,
                knob: false,
                ..
            }
        )));
        // The same snapshot again (a late duplicate): already covered, nothing changes.
        let out = s.handle(chunk(2, &data, 0, data.len()));
        assert!(reply(&out).done);
        assert_eq!(s.last_log_index(), LogIndex(4));
    }

    #[test]
    fn the_knob_discards_matching_entries_after_the_snapshot() {
        let mut options = RaftOptions::DEFAULT;
        options.knobs.install_snapshot_discards_following_entries = true;
        let entries: Vec<LogEntry> = (1..=4).map(|i| set("x", &i.to_string(), i)).collect();
        let mut s = follower(entries, options);
        let data = snapshot_bytes(2);
        let out = s.handle(chunk(2, &data, 0, data.len()));
        assert_eq!(s.last_log_index(), LogIndex(2), "entries 3 and 4 lost");
        assert!(out
            .notes
            .iter()
            .any(|n| matches!(n, Note::SnapshotInstalled { knob: true, .. })));
    }

    #[test]
    fn an_older_snapshot_than_the_followers_own_changes_nothing() {
        let entries: Vec<LogEntry> = (1..=6).map(|i| set("x", &i.to_string(), i)).collect();
        let mut s = follower(entries, RaftOptions::DEFAULT);
        let data = snapshot_bytes(4);
        s.handle(chunk(4, &data, 0, data.len()));
        let old = snapshot_bytes(2);
        let out = s.handle(chunk(2, &old, 0, 4));
        assert!(reply(&out).done, "nothing to send: it has more");
        assert_eq!(s.log().snapshot_boundary(), (LogIndex(4), Term(1)));
        assert_eq!(s.last_log_index(), LogIndex(6));
    }

    #[test]
    fn a_stale_term_chunk_is_refused() {
        let mut s = follower(vec![], RaftOptions::DEFAULT);
        s.persistent_mut().current_term = Term(3);
        let data = snapshot_bytes(2);
        let out = s.handle(chunk(2, &data, 0, data.len()));
        let r = reply(&out);
        assert_eq!((r.term, r.done), (Term(3), false));
        assert!(s.snapshot().is_none());
    }

    #[test]
    fn crash_keeps_the_snapshot_and_loses_a_partial_one() {
        let mut s = follower(vec![], RaftOptions::DEFAULT);
        let data = snapshot_bytes(3);
        s.handle(chunk(3, &data, 0, data.len()));
        let newer = snapshot_bytes(5);
        s.handle(chunk(5, &newer, 0, 8));
        s.crash();
        let out = s.handle(Input::Restart);
        assert!(out.snapshot_changed);
        assert_eq!(
            s.last_applied(),
            LogIndex(3),
            "recovered from the saved snapshot"
        );
        assert_eq!(s.kv().get("x").map(String::as_str), Some("3"));
        // The partial file is gone: a chunk from the middle asks for offset 0.
        let out = s.handle(chunk(5, &newer, 8, 8));
        assert_eq!(reply(&out).next_offset, 0);
    }

    #[test]
    fn append_entries_reaching_into_the_snapshot_is_trimmed() {
        let mut s = follower(vec![], RaftOptions::DEFAULT);
        let data = snapshot_bytes(3);
        s.handle(chunk(3, &data, 0, data.len()));
        // A late AppendEntries from before: entries 2..=5, of which 2 and 3 are in the snapshot.
        let entries: Vec<LogEntry> = (2..=5).map(|i| set("x", &i.to_string(), i)).collect();
        let out = s.handle(Input::Receive {
            from: LEADER,
            message: Message::AppendEntries(AppendEntries {
                term: Term(1),
                leader_id: LEADER,
                prev_log_index: LogIndex(1),
                prev_log_term: Term(1),
                entries,
                leader_commit: LogIndex(5),
                read_round: 0,
            }),
        });
        assert!(matches!(
            &out.messages[..],
            [(_, Message::AppendEntriesReply(r))] if r.success && r.match_index == LogIndex(5)
        ));
        assert_eq!(
            (s.log().start(), s.last_log_index()),
            (LogIndex(4), LogIndex(5))
        );
        assert_eq!(s.kv().get("x").map(String::as_str), Some("5"));
    }

    #[test]
    fn a_server_snapshots_at_the_threshold_on_its_next_input() {
        let mut options = RaftOptions::DEFAULT;
        options.snapshots.threshold = 3;
        let mut s = Server::new(ServerId(1), vec![ServerId(1)], options);
        s.handle(Input::ElectionTimeout);
        for seq in 1..=3 {
            s.handle(Input::ClientRequest {
                client: ClientId(1),
                seq,
                command: Command::Set {
                    key: "x".into(),
                    value: seq.to_string(),
                },
            });
        }
        assert_eq!(s.log().len(), 3, "applied, not yet compacted");
        let out = s.handle(Input::HeartbeatTick);
        assert!(out.snapshot_changed);
        assert_eq!(s.log().snapshot_boundary(), (LogIndex(3), Term(1)));
        assert!(s.log().is_empty());
        let saved = s.snapshot().and_then(Snapshot::state_machine).unwrap();
        assert_eq!(&saved, s.kv());
    }
}

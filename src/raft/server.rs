//! One Raft server as a pure state machine: Figure 2, nothing else.
//!
//! `Server::step(input, &mut output)` is the only way in. Time arrives as inputs (election
//! timeout, heartbeat tick) and leaves as timer requests; the caller (the simulator) draws the
//! random election timeouts. No clock, RNG or I/O here.

use super::kv::{ApplyOutcome, KvStore};
use super::leadership::LeadershipState;
use super::log::Log;
use super::membership::{Change, ConfigCause};
use super::note::{AppendRejection, AppliedKind, LeadershipNote, Note, VoteDenial};
use super::options::{RaftOptions, ReadMode};
use super::quorum::{Configuration, ServerSet};
use super::reads::ReadState;
use super::snapshot::{Snapshot, SnapshotTransfer};
use super::types::*;
use std::collections::VecDeque;

/// Most entries carried by one AppendEntries.
pub const MAX_ENTRIES_PER_APPEND: usize = 64;

/// Figure 2 "Persistent state on all servers": survives crashes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersistentState {
    pub current_term: Term,
    pub voted_for: Option<ServerId>,
    pub log: Log,
    /// §7: the latest snapshot of the state machine, covering the log up to `log.start()`.
    pub snapshot: Option<Snapshot>,
}

/// A leader's replication state for one follower (Figure 2 `nextIndex[i]`, `matchIndex[i]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub follower: ServerId,
    pub next_index: LogIndex,
    pub match_index: LogIndex,
    /// Flow control (not in Figure 2): the last index sent to this follower by the latest
    /// AppendEntries. An acknowledgement triggers a new AppendEntries only if some entries were
    /// never sent; entries already on their way are not sent again (heartbeats resend anyway).
    pub sent_through: LogIndex,
}

/// A client command the leader appended and will answer once applied (§8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PendingReply {
    pub index: LogIndex,
    pub client: ClientId,
    pub seq: u64,
}

/// Figure 2 "Volatile state": lost on a crash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolatileState {
    pub commit_index: LogIndex,
    pub last_applied: LogIndex,
    pub role: Role,
    /// Who this server believes leads its current term (for client redirects, §8).
    pub leader_hint: Option<ServerId>,
    /// Candidate: who granted a vote in the current term (itself included).
    pub votes: ServerSet,
    /// Leader: nextIndex/matchIndex for each peer, in peer order.
    pub progress: Vec<Progress>,
    /// Leader: client commands waiting to be applied, by increasing index.
    pub pending: VecDeque<PendingReply>,
    /// Reads served without the log (ReadIndex, leases; `reads.rs`).
    pub reads: ReadState,
    /// PreVote, CheckQuorum and leadership transfer (`leadership.rs`).
    pub leadership: LeadershipState,
    /// §7: snapshot chunks being sent (leader) or received (follower).
    pub snapshot_transfer: SnapshotTransfer,
    /// §6: when (own clock) this server last heard from the leader of its term; a vote
    /// request within the minimum election timeout of it is disregarded once the cluster has
    /// changed configuration.
    pub heard_from_leader_at: Option<u64>,
}

impl Default for VolatileState {
    fn default() -> Self {
        VolatileState {
            commit_index: LogIndex(0),
            last_applied: LogIndex(0),
            role: Role::Follower,
            leader_hint: None,
            votes: ServerSet::default(),
            progress: Vec::new(),
            pending: VecDeque::new(),
            reads: ReadState::default(),
            leadership: LeadershipState::default(),
            snapshot_transfer: SnapshotTransfer::default(),
            heard_from_leader_at: None,
        }
    }
}

/// Everything that can happen to a server.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// An RPC arrived from `from`.
    Receive { from: ServerId, message: Message },
    /// The election timer fired (or a user forced it).
    ElectionTimeout,
    /// The heartbeat timer fired (leaders only; others ignore it).
    HeartbeatTick,
    /// A client command arrived (§8).
    ClientRequest {
        client: ClientId,
        seq: u64,
        command: Command,
    },
    /// Recover after a crash from persistent state.
    Restart,
    /// A user asks the leader to hand leadership to `to` (dissertation §3.10).
    TransferLeadership { to: ServerId },
    /// §6: a user asks the leader to add the fresh server `id` (first as a non-voting member).
    AddServer { id: ServerId },
    /// §6: a user asks the leader to remove the member `id`.
    RemoveServer { id: ServerId },
}

/// What a client is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientResult {
    /// Applied: for GET the value (None = absent), None for SET/DEL.
    Ok(Option<String>),
    /// Not the leader; try `leader_hint` (§8).
    NotLeader { leader_hint: Option<ServerId> },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientReply {
    pub client: ClientId,
    pub seq: u64,
    pub result: ClientResult,
    /// The log index the command was applied at, when this reply comes from applying it
    /// (None: a redirect, a session's cached reply or a local read, §8).
    pub index: Option<LogIndex>,
}

/// An entry this server applied to its state machine, and what applying it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedEntry {
    pub index: LogIndex,
    pub term: Term,
    /// For a client command, what the state machine did with it (None for a no-op).
    pub outcome: Option<ApplyOutcome>,
}

/// What a server wants done after one input. Reuse one `Output` across calls (`step` clears
/// it) to avoid allocations.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Output {
    pub messages: Vec<(ServerId, Message)>,
    /// Restart the election timer with a fresh random duration.
    pub reset_election_timer: bool,
    /// Stop the election timer (this server became leader).
    pub stop_election_timer: bool,
    /// Schedule a heartbeat tick one heartbeat interval from now.
    pub arm_heartbeat: bool,
    /// The log was written (entries deleted and/or appended) from this index to its end: what
    /// the caller must store on stable storage before the messages leave (Figure 2:
    /// persistent state is updated before responding to RPCs), and what a caller keeping
    /// copies of the log must copy again. None: the log did not change.
    pub log_written_from: Option<LogIndex>,
    /// §7: the log's compacted prefix or the state machine changed by a snapshot (taken,
    /// installed or restored): a caller keeping copies of either must copy them again.
    pub snapshot_changed: bool,
    pub applied: Vec<AppliedEntry>,
    pub client_replies: Vec<ClientReply>,
    pub notes: Vec<Note>,
}

impl Output {
    /// Records that the log was written from `index` on.
    pub(super) fn wrote_log_from(&mut self, index: LogIndex) {
        self.log_written_from = Some(self.log_written_from.map_or(index, |i| i.min(index)));
    }

    pub fn clear(&mut self) {
        self.messages.clear();
        self.reset_election_timer = false;
        self.stop_election_timer = false;
        self.arm_heartbeat = false;
        self.log_written_from = None;
        self.snapshot_changed = false;
        self.applied.clear();
        self.client_replies.clear();
        self.notes.clear();
    }
}

/// One Raft server.
#[derive(Clone, Debug)]
pub struct Server {
    pub(super) id: ServerId,
    /// The other members of the configuration in use (voters and learners), sorted.
    pub(super) peers: Vec<ServerId>,
    /// §6: the configuration the server was started with (no log entry holds it).
    pub(super) bootstrap: Configuration,
    /// §6: the latest configuration in its log or snapshot (else `bootstrap`), committed or
    /// not, and the index of its entry (0 for `bootstrap`). Derived from persistent state.
    pub(super) config: Configuration,
    pub(super) config_index: LogIndex,
    /// §6: the shortest election timeout (µs), for the rule against disruptive vote requests;
    /// the simulator sets it (0: the rule never applies).
    pub(super) election_timeout_min: u64,
    pub(super) options: RaftOptions,
    /// What this server's own clock reads (µs), set by the simulator before each input; only
    /// lease reads look at it. Hardware, not Raft state: a crash does not reset it.
    pub(super) clock: u64,
    pub(super) persistent: PersistentState,
    pub(super) volatile: VolatileState,
    pub(super) kv: KvStore,
}

impl Server {
    /// A fresh server. `peers` may or may not include `id`.
    ///
    /// # Panics
    /// If `id` or a peer is not in 1..=[`MAX_SERVER_ID`](super::MAX_SERVER_ID) (a
    /// configuration holds no other ids).
    pub fn new(id: ServerId, peers: Vec<ServerId>, options: RaftOptions) -> Self {
        let mut peers: Vec<ServerId> = peers.into_iter().filter(|p| *p != id).collect();
        peers.sort_unstable();
        peers.dedup();
        let mut voters = peers.clone();
        voters.push(id);
        let config = Configuration::new(voters);
        Server {
            id,
            peers,
            bootstrap: config,
            config,
            config_index: LogIndex(0),
            election_timeout_min: 0,
            options,
            clock: 0,
            persistent: PersistentState::default(),
            volatile: VolatileState::default(),
            kv: KvStore::default(),
        }
    }

    /// §6: a fresh server about to be added to a running cluster: it knows no configuration
    /// (so it stands for no election) until its log or a snapshot gives it one.
    pub fn joining(id: ServerId, options: RaftOptions) -> Self {
        let mut server = Server::new(id, Vec::new(), options);
        server.bootstrap = Configuration::default();
        server.config = Configuration::default();
        server.peers.clear();
        server
    }

    /// §6: the shortest election timeout, for the rule against disruptive vote requests.
    pub fn set_election_timeout_min(&mut self, micros: u64) {
        self.election_timeout_min = micros;
    }

    // ---- read access (cheap, borrowed: the checker calls these after every event) ----

    pub fn id(&self) -> ServerId {
        self.id
    }
    pub fn peers(&self) -> &[ServerId] {
        &self.peers
    }
    pub fn options(&self) -> &RaftOptions {
        &self.options
    }
    pub fn persistent(&self) -> &PersistentState {
        &self.persistent
    }
    pub fn volatile(&self) -> &VolatileState {
        &self.volatile
    }
    pub fn current_term(&self) -> Term {
        self.persistent.current_term
    }
    pub fn voted_for(&self) -> Option<ServerId> {
        self.persistent.voted_for
    }
    pub fn role(&self) -> Role {
        self.volatile.role
    }
    pub fn log(&self) -> &Log {
        &self.persistent.log
    }
    /// For the simulator's time-travel checkpoints only (they store log entries shared).
    pub(crate) fn log_mut(&mut self) -> &mut Log {
        &mut self.persistent.log
    }
    /// Log entries from `log_start()` on.
    pub fn log_entries(&self) -> &[LogEntry] {
        self.persistent.log.entries()
    }
    pub fn log_start(&self) -> LogIndex {
        self.persistent.log.start()
    }
    pub fn last_log_index(&self) -> LogIndex {
        self.persistent.log.last_index()
    }
    pub fn commit_index(&self) -> LogIndex {
        self.volatile.commit_index
    }
    pub fn last_applied(&self) -> LogIndex {
        self.volatile.last_applied
    }
    pub fn leader_hint(&self) -> Option<ServerId> {
        self.volatile.leader_hint
    }
    pub fn votes(&self) -> ServerSet {
        self.volatile.votes
    }
    pub fn progress(&self) -> &[Progress] {
        &self.volatile.progress
    }
    pub fn kv(&self) -> &KvStore {
        &self.kv
    }
    pub fn clock(&self) -> u64 {
        self.clock
    }

    /// The simulator sets what this server's clock reads before each input (it may drift from
    /// the simulation's time; see `SimConfig::max_clock_drift_ppm`).
    pub fn set_clock(&mut self, local_now: u64) {
        self.clock = local_now;
    }

    // ---- crash (called by the simulator; not an input because the server does nothing) ----

    /// A crash: volatile state and the state machine are lost, persistent state stays.
    pub fn crash(&mut self) {
        self.volatile = VolatileState::default();
        self.kv = KvStore::default();
    }

    /// Convenience for tests: one input, a fresh output.
    pub fn handle(&mut self, input: Input) -> Output {
        let mut out = Output::default();
        self.step(input, &mut out);
        out
    }

    /// Processes one input; `out` is cleared first, then filled.
    pub fn step(&mut self, input: Input, out: &mut Output) {
        out.clear();
        // §7: compaction waits for the next input, so that what the last one applied is
        // still in the log for whoever looks at it after that step.
        self.maybe_take_snapshot(out);
        match input {
            Input::Receive { from, message } => self.receive(from, message, out),
            Input::ElectionTimeout => self.on_election_timeout(out),
            Input::HeartbeatTick => self.on_heartbeat_tick(out),
            Input::ClientRequest {
                client,
                seq,
                command,
            } => self.on_client_request(client, seq, command, out),
            Input::Restart => self.restart(out),
            Input::TransferLeadership { to } => self.transfer_leadership(to, out),
            Input::AddServer { id } => self.change_membership(Change::Add(id), out),
            Input::RemoveServer { id } => self.change_membership(Change::Remove(id), out),
        }
    }

    // ---- Rules for all servers ----

    fn receive(&mut self, from: ServerId, message: Message, out: &mut Output) {
        // §6: a vote request while a leader is heard from is disregarded, term and all.
        if self.disregards_vote_request(&message, out) {
            return;
        }
        // Figure 2, all servers: if an RPC request or response contains term T > currentTerm,
        // set currentTerm = T and convert to follower (§5.1).
        if let Some(term) = message
            .adoptable_term()
            .filter(|t| *t > self.persistent.current_term)
        {
            let was = self.volatile.role;
            let old_term = self.persistent.current_term;
            self.persistent.current_term = term;
            self.persistent.voted_for = None;
            out.notes.push(Note::TermAdopted {
                from,
                old_term,
                new_term: term,
                was,
            });
            let leader = match &message {
                Message::AppendEntries(request) => Some(request.leader_id),
                Message::InstallSnapshot(request) => Some(request.leader_id),
                _ => None,
            };
            self.become_follower(leader, out);
        }
        match message {
            Message::RequestVote(request) => self.handle_request_vote(from, request, out),
            Message::RequestVoteReply(reply) => self.handle_request_vote_reply(from, reply, out),
            Message::AppendEntries(request) => self.handle_append_entries(from, request, out),
            Message::AppendEntriesReply(reply) => {
                self.handle_append_entries_reply(from, reply, out)
            }
            Message::PreVote(request) => self.handle_pre_vote(from, request, out),
            Message::PreVoteReply(reply) => self.handle_pre_vote_reply(from, reply, out),
            Message::TimeoutNow(request) => self.handle_timeout_now(from, request, out),
            Message::InstallSnapshot(request) => self.handle_install_snapshot(from, request, out),
            Message::InstallSnapshotReply(reply) => {
                self.handle_install_snapshot_reply(from, reply, out)
            }
        }
    }

    pub(super) fn become_follower(&mut self, leader: Option<ServerId>, out: &mut Output) {
        let was = self.volatile.role;
        self.volatile.role = Role::Follower;
        self.volatile.leader_hint = leader;
        self.volatile.votes = ServerSet::default();
        self.volatile.leadership.pre_votes = None;
        if was == Role::Leader {
            self.leadership_lost(leader, out);
            self.volatile.progress.clear();
            // A deposed leader restarts its election timer (leaders have none).
            out.reset_election_timer = true;
            // Its waiting clients must retry elsewhere; a retry with the same (client, seq)
            // is deduplicated by the session table (§8).
            while let Some(pending) = self.volatile.pending.pop_front() {
                out.notes.push(Note::ClientRequestAbandoned {
                    client: pending.client,
                    seq: pending.seq,
                });
                out.client_replies.push(ClientReply {
                    client: pending.client,
                    seq: pending.seq,
                    result: ClientResult::NotLeader {
                        leader_hint: leader,
                    },
                    index: None,
                });
            }
        }
    }

    // ---- Elections (§5.2) ----

    fn on_election_timeout(&mut self, out: &mut Output) {
        if self.volatile.role == Role::Leader {
            if self.leader_timer_fired(out) {
                return;
            }
            out.notes.push(Note::TimeoutIgnoredByLeader {
                term: self.persistent.current_term,
            });
            return;
        }
        if !self.may_stand(out) {
            return;
        }
        if self.options.pre_vote {
            self.start_pre_vote(out);
            return;
        }
        self.start_election(false, out);
    }

    /// Figure 2, candidates: on conversion to candidate, start the election. `transfer`: it
    /// was asked for by TimeoutNow (dissertation §3.10).
    pub(super) fn start_election(&mut self, transfer: bool, out: &mut Output) {
        self.volatile.leadership.pre_votes = None;
        // Figure 2, candidates: increment currentTerm, vote for self, reset election timer,
        // send RequestVote RPCs to all other servers.
        self.persistent.current_term = Term(self.persistent.current_term.0 + 1);
        self.persistent.voted_for = Some(self.id);
        self.volatile.role = Role::Candidate;
        self.volatile.leader_hint = None;
        self.volatile.heard_from_leader_at = None;
        self.volatile.votes = ServerSet::default();
        self.volatile.votes.insert(self.id);
        out.reset_election_timer = true;
        let term = self.persistent.current_term;
        out.notes.push(Note::ElectionStarted { term });
        if self.config.is_majority(self.volatile.votes) {
            self.become_leader(out);
            return;
        }
        let request = RequestVote {
            term,
            candidate_id: self.id,
            last_log_index: self.persistent.log.last_index(),
            last_log_term: self.persistent.log.last_term(),
            leadership_transfer: transfer,
        };
        for &peer in &self.peers {
            out.messages
                .push((peer, Message::RequestVote(request.clone())));
        }
    }

    /// RequestVote receiver implementation (Figure 2).
    fn handle_request_vote(&mut self, from: ServerId, request: RequestVote, out: &mut Output) {
        let current = self.persistent.current_term;
        let candidate = request.candidate_id;
        let denial = if request.term < current {
            // 1. Reply false if term < currentTerm (§5.1).
            Some(VoteDenial::StaleTerm { current })
        } else if let Some(voted_for) = self.persistent.voted_for.filter(|v| *v != candidate) {
            // 2. ... if votedFor is null or candidateId ...
            Some(VoteDenial::AlreadyVoted { voted_for })
        } else if !request.leadership_transfer && self.lease_promised() {
            Some(VoteDenial::LeaderLeaseHeld)
        } else if !self.options.knobs.skip_election_restriction
            // §5.4.1 election restriction: ... and candidate's log is at least as up-to-date
            // as receiver's log, grant vote.
            && !self.persistent.log.is_up_to_date(request.last_log_index, request.last_log_term)
        {
            Some(VoteDenial::LogNotUpToDate {
                our_last_index: self.persistent.log.last_index(),
                our_last_term: self.persistent.log.last_term(),
            })
        } else {
            None
        };
        let vote_granted = denial.is_none();
        match denial {
            None => {
                self.persistent.voted_for = Some(candidate);
                // Figure 2, followers: granting a vote resets the election timer.
                out.reset_election_timer = true;
                out.notes.push(Note::VoteGranted {
                    candidate,
                    term: current,
                    log_unchecked: self.options.knobs.skip_election_restriction,
                });
            }
            Some(reason) => out.notes.push(Note::VoteDenied {
                candidate,
                term: request.term,
                reason,
            }),
        }
        out.messages.push((
            from,
            Message::RequestVoteReply(RequestVoteReply {
                term: current,
                vote_granted,
            }),
        ));
    }

    /// A reply from an older term, or one that reaches a server no longer in the role that
    /// asked (`asked_as`), changes nothing (§5.1): say so and tell the caller to drop it.
    pub(super) fn ignore_stale_reply(
        &self,
        from: ServerId,
        term: Term,
        asked_as: Role,
        out: &mut Output,
    ) -> bool {
        let current = self.persistent.current_term;
        let stale = term < current || self.volatile.role != asked_as;
        if stale {
            out.notes.push(Note::StaleReplyIgnored {
                from,
                term,
                current,
                role: self.volatile.role,
            });
        }
        stale
    }

    fn handle_request_vote_reply(
        &mut self,
        from: ServerId,
        reply: RequestVoteReply,
        out: &mut Output,
    ) {
        if self.ignore_stale_reply(from, reply.term, Role::Candidate, out) {
            return;
        }
        let current = self.persistent.current_term;
        if !reply.vote_granted {
            out.notes.push(Note::VoteRefused {
                from,
                term: current,
            });
            return;
        }
        self.volatile.votes.insert(from);
        out.notes.push(Note::VoteReceived {
            from,
            term: current,
            votes: self.volatile.votes,
            needed: self.config.majority() as u8,
        });
        // Figure 2, candidates: votes received from a majority of servers: become leader.
        if self.config.is_majority(self.volatile.votes) {
            self.become_leader(out);
        }
    }

    fn become_leader(&mut self, out: &mut Output) {
        let term = self.persistent.current_term;
        self.volatile.role = Role::Leader;
        self.volatile.leader_hint = Some(self.id);
        out.notes.push(Note::BecameLeader {
            term,
            votes: self.volatile.votes,
        });
        // Figure 2, leaders: nextIndex = leader last log index + 1, matchIndex = 0.
        let next_index = LogIndex(self.persistent.log.last_index().0 + 1);
        self.volatile.progress = self
            .peers
            .iter()
            .map(|&follower| Progress {
                follower,
                next_index,
                match_index: LogIndex(0),
                sent_through: LogIndex(0),
            })
            .collect();
        self.volatile.pending.clear();
        self.leadership_gained(out);
        out.arm_heartbeat = true;
        if self.options.appends_noop_on_election() || self.membership_change_unfinished() {
            // §8: a no-op of the new term lets earlier entries commit (§5.4.2). A change of
            // membership left half-way by the last leader needs it too (§6): only once an entry
            // of this term commits can C_old,new commit and C_new follow, or learners join.
            let index = self.persistent.log.append(LogEntry {
                term,
                payload: EntryPayload::Noop,
            });
            out.wrote_log_from(index);
            out.notes.push(Note::NoopAppended { index, term });
            self.advance_commit_index(out);
        }
        // Upon election: send initial empty AppendEntries (heartbeat) to each server.
        self.broadcast_append_entries(out);
    }

    // ---- Log replication (§5.3) ----

    fn on_heartbeat_tick(&mut self, out: &mut Output) {
        if self.volatile.role != Role::Leader {
            return;
        }
        out.notes.push(Note::HeartbeatsSent {
            term: self.persistent.current_term,
        });
        self.heartbeat_round_starting(out);
        self.broadcast_append_entries(out);
        out.arm_heartbeat = true;
    }

    pub(super) fn broadcast_append_entries(&mut self, out: &mut Output) {
        for i in 0..self.volatile.progress.len() {
            self.send_append_entries(i, out);
        }
    }

    /// AppendEntries to one follower, with the entries from its nextIndex on.
    pub(super) fn send_append_entries(&mut self, follower_position: usize, out: &mut Output) {
        let progress = self.volatile.progress[follower_position];
        let log = &self.persistent.log;
        if progress.next_index < log.start() {
            // §7: the entries this follower needs were compacted away.
            self.send_snapshot_chunk(progress.follower, out);
            return;
        }
        let prev_log_index = LogIndex(progress.next_index.0 - 1);
        let prev_log_term = log.term_at(prev_log_index).unwrap_or(Term(0));
        let entries = log
            .entries_from(progress.next_index, MAX_ENTRIES_PER_APPEND)
            .to_vec();
        let sent = entries.len() as u64;
        out.messages.push((
            progress.follower,
            Message::AppendEntries(AppendEntries {
                term: self.persistent.current_term,
                leader_id: self.id,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit: self.volatile.commit_index,
                read_round: self.volatile.reads.round,
            }),
        ));
        self.volatile.progress[follower_position].sent_through = LogIndex(prev_log_index.0 + sent);
    }

    /// AppendEntries receiver implementation (Figure 2).
    fn handle_append_entries(
        &mut self,
        from: ServerId,
        mut request: AppendEntries,
        out: &mut Output,
    ) {
        let current = self.persistent.current_term;
        let leader = request.leader_id;
        let (prev_log_index, prev_log_term) = (request.prev_log_index, request.prev_log_term);
        let read_round = request.read_round;
        let reject = |out: &mut Output, reason, conflict: Option<(LogIndex, Option<Term>)>| {
            out.notes.push(Note::AppendRejected {
                leader,
                prev_log_index,
                prev_log_term,
                reason,
            });
            out.messages.push((
                from,
                Message::AppendEntriesReply(AppendEntriesReply {
                    term: current,
                    success: false,
                    match_index: LogIndex(0),
                    conflict_index: conflict.map(|c| c.0),
                    conflict_term: conflict.and_then(|c| c.1),
                    read_round,
                }),
            ));
        };
        // 1. Reply false if term < currentTerm (§5.1).
        if request.term < current {
            reject(out, AppendRejection::StaleTerm { current }, None);
            return;
        }
        self.follow_leader(leader, out);
        // §7: entries the request carries from before our snapshot are committed and already
        // in it; only what follows the snapshot is compared and appended.
        self.skip_compacted_prefix(&mut request);
        let (prev_log_index, prev_log_term) = (request.prev_log_index, request.prev_log_term);

        // 2. Reply false if log doesn't contain an entry at prevLogIndex whose term matches
        // prevLogTerm (§5.3).
        let log = &self.persistent.log;
        let fast = self.options.fast_backup;
        match log.term_at(prev_log_index) {
            None if prev_log_index > log.last_index() => {
                let last_index = log.last_index();
                let conflict = fast.then_some((LogIndex(last_index.0 + 1), None));
                reject(out, AppendRejection::LogTooShort { last_index }, conflict);
                return;
            }
            Some(found) if found != prev_log_term => {
                let conflict =
                    fast.then(|| (log.first_index_of_term(found, prev_log_index), Some(found)));
                reject(out, AppendRejection::TermMismatch { found }, conflict);
                return;
            }
            _ => {}
        }

        // 3. If an existing entry conflicts with a new one (same index but different terms),
        // delete the existing entry and all that follow it (§5.3). 4. Append any new entries
        // not already in the log. Entries already present are kept: a stale or duplicated
        // AppendEntries must never truncate.
        let received = request.entries.len() as u32;
        let mut appended = 0;
        let mut truncated_from = None;
        let mut config_appended = false;
        let log = &mut self.persistent.log;
        for (offset, entry) in request.entries.into_iter().enumerate() {
            let index = LogIndex(prev_log_index.0 + 1 + offset as u64);
            match log.term_at(index) {
                Some(term) if term == entry.term => continue,
                Some(_) => {
                    log.truncate_from(index);
                    truncated_from = Some(index);
                }
                None => {}
            }
            config_appended |= matches!(entry.payload, EntryPayload::Config { .. });
            out.wrote_log_from(log.append(entry));
            appended += 1;
        }
        // §6: a server uses the latest configuration in its log, committed or not; when the
        // entry it came from was truncated, it goes back to the latest one that remains.
        let reverted = truncated_from.is_some_and(|t| t <= self.config_index);
        if config_appended || reverted {
            let cause = if reverted && !config_appended {
                ConfigCause::Truncated
            } else {
                ConfigCause::Appended
            };
            self.refresh_config(cause, out);
        }
        let last_new_index = LogIndex(prev_log_index.0 + received as u64);
        out.notes.push(Note::AppendAccepted {
            leader,
            prev_log_index,
            received,
            appended,
            truncated_from,
            match_index: last_new_index,
        });

        // 5. If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last
        // new entry). (Never backwards: a stale AppendEntries may carry an older commit.)
        let learned = request.leader_commit.min(last_new_index);
        if learned > self.volatile.commit_index {
            self.volatile.commit_index = learned;
            out.notes.push(Note::CommitLearned {
                index: learned,
                leader,
            });
            self.apply_committed(out);
        }
        out.messages.push((
            from,
            Message::AppendEntriesReply(AppendEntriesReply {
                term: current,
                success: true,
                match_index: last_new_index,
                conflict_index: None,
                conflict_term: None,
                read_round,
            }),
        ));
    }

    /// The sender of an AppendEntries or InstallSnapshot leads our current term: a candidate
    /// gives up (§5.2), everyone follows it.
    pub(super) fn follow_leader(&mut self, leader: ServerId, out: &mut Output) {
        if self.volatile.role != Role::Follower {
            if self.volatile.role == Role::Candidate {
                out.notes.push(Note::CandidateYielded {
                    leader,
                    term: self.persistent.current_term,
                });
            }
            self.become_follower(Some(leader), out);
        }
        self.volatile.leader_hint = Some(leader);
        self.heard_from_leader();
        out.reset_election_timer = true;
    }

    fn handle_append_entries_reply(
        &mut self,
        from: ServerId,
        reply: AppendEntriesReply,
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
        self.heard_from_follower(from, reply.read_round, out);
        let last_index = self.persistent.log.last_index();
        if reply.success {
            // Figure 2, leaders: on success update nextIndex and matchIndex for the follower.
            // Replies may arrive late or twice: matchIndex never goes backwards.
            let progress = &mut self.volatile.progress[position];
            let advanced = reply.match_index > progress.match_index;
            if advanced {
                progress.match_index = reply.match_index.min(last_index);
                out.notes.push(Note::FollowerMatched {
                    follower: from,
                    match_index: progress.match_index,
                });
            }
            progress.next_index = progress
                .next_index
                .max(LogIndex(progress.match_index.0 + 1));
            let unsent = progress.next_index <= last_index && progress.sent_through < last_index;
            if advanced {
                self.advance_commit_index(out);
                // §6: committing a configuration may have changed the followers (positions
                // move) or made this leader step down.
                let Some(position) = self.progress_position(from) else {
                    return;
                };
                if unsent {
                    self.send_append_entries(position, out);
                }
                self.promote_caught_up_learners(out);
            }
            self.transfer_target_caught_up(from, out);
        } else {
            // Figure 2, leaders: if AppendEntries fails because of log inconsistency,
            // decrement nextIndex and retry (§5.3), or with fast back-up skip the whole
            // conflicting term.
            let progress = self.volatile.progress[position];
            let fast = self.options.fast_backup && reply.conflict_index.is_some();
            let proposed = match (fast, reply.conflict_term, reply.conflict_index) {
                (true, Some(term), Some(index)) => {
                    match self.persistent.log.last_index_of_term(term) {
                        Some(last_of_term) => LogIndex(last_of_term.0 + 1),
                        None => index,
                    }
                }
                (true, None, Some(index)) => index,
                _ => LogIndex(progress.next_index.0.saturating_sub(1)),
            };
            // Never move forward on a failure, never below what is known to match.
            let next_index = proposed
                .min(progress.next_index)
                .max(LogIndex(progress.match_index.0 + 1));
            self.volatile.progress[position].next_index = next_index;
            out.notes.push(Note::NextIndexBackedOff {
                follower: from,
                next_index,
                fast,
            });
            // A follower reporting a log that ends before what it acknowledged is answered by
            // the next heartbeat, not at once: the rejection is stale (sent before it caught
            // up), or the follower lost acknowledged entries (only a broken Raft does, e.g.
            // knob `install_snapshot_discards_following_entries`), and answering at once would
            // let two servers ping-pong without end within one instant.
            let lost_acknowledged = reply.conflict_term.is_none()
                && reply
                    .conflict_index
                    .is_some_and(|i| i <= progress.match_index);
            if !lost_acknowledged {
                self.send_append_entries(position, out);
            }
        }
    }

    /// Figure 2, leaders: if there exists an N > commitIndex such that a majority of
    /// matchIndex[i] ≥ N and log[N].term == currentTerm, set commitIndex = N (§5.3, §5.4).
    pub(super) fn advance_commit_index(&mut self, out: &mut Output) {
        let my_last = self.persistent.log.last_index();
        let me = self.id;
        let progress = &self.volatile.progress;
        let match_of = |s: ServerId| {
            if s == me {
                my_last
            } else {
                progress
                    .iter()
                    .find(|p| p.follower == s)
                    .map_or(LogIndex(0), |p| p.match_index)
            }
        };
        let on_majority = self.config.committed_index(match_of);
        if on_majority <= self.volatile.commit_index {
            return;
        }
        let term = self.persistent.log.term_at(on_majority).unwrap_or(Term(0));
        let current = self.persistent.current_term;
        // §5.4.2: only entries of the current term are committed by counting replicas; earlier
        // ones are committed indirectly (Log Matching). Terms grow along the log, so checking
        // the highest majority index is enough.
        let by_counting_old = term != current;
        if by_counting_old && !self.options.knobs.commit_old_term_by_counting {
            out.notes.push(Note::CommitWaitsForCurrentTerm {
                index: on_majority,
                term,
                current,
            });
            return;
        }
        let replicated_on = self.config.holders_of(on_majority, match_of);
        self.volatile.commit_index = on_majority;
        out.notes.push(Note::Committed {
            index: on_majority,
            term,
            replicated_on,
            old_term_by_counting: by_counting_old,
        });
        self.apply_committed(out);
        self.membership_after_commit(out);
    }

    /// Leader: where `follower`'s progress is (None if it is not a peer, or not leading).
    pub(super) fn progress_position(&self, follower: ServerId) -> Option<usize> {
        if self.volatile.role != Role::Leader {
            return None;
        }
        self.volatile
            .progress
            .iter()
            .position(|p| p.follower == follower)
    }

    /// Figure 2, all servers: if commitIndex > lastApplied, apply entries in order (§5.3).
    fn apply_committed(&mut self, out: &mut Output) {
        while self.volatile.last_applied < self.volatile.commit_index {
            let index = LogIndex(self.volatile.last_applied.0 + 1);
            let Some(entry) = self.persistent.log.get(index) else {
                break;
            };
            self.volatile.last_applied = index;
            let term = entry.term;
            match &entry.payload {
                // Neither touches the state machine: a configuration is in use since it was
                // appended (§6), a no-op carries nothing (§8).
                EntryPayload::Config { .. } | EntryPayload::Noop => {
                    out.applied.push(AppliedEntry {
                        index,
                        term,
                        outcome: None,
                    });
                    let kind = if matches!(entry.payload, EntryPayload::Noop) {
                        AppliedKind::Noop
                    } else {
                        AppliedKind::Config
                    };
                    out.notes.push(Note::Applied { index, term, kind })
                }
                EntryPayload::Client {
                    client,
                    seq,
                    command,
                } => {
                    let (client, seq) = (*client, *seq);
                    let outcome = self.kv.apply(client, seq, command);
                    let kind = match &outcome {
                        ApplyOutcome::Executed(_) => AppliedKind::Executed { client, seq },
                        ApplyOutcome::Duplicate(_) => AppliedKind::Duplicate { client, seq },
                        ApplyOutcome::Stale => AppliedKind::Stale { client, seq },
                    };
                    out.notes.push(Note::Applied { index, term, kind });
                    // The leader answers the client it appended this command for.
                    while self
                        .volatile
                        .pending
                        .front()
                        .is_some_and(|p| p.index < index)
                    {
                        self.volatile.pending.pop_front();
                    }
                    if let Some(pending) = self.volatile.pending.front().copied() {
                        if pending.index == index {
                            self.volatile.pending.pop_front();
                            if pending.client == client && pending.seq == seq {
                                out.notes.push(Note::ClientReplied { client, seq, index });
                                out.client_replies.push(ClientReply {
                                    client,
                                    seq,
                                    result: ClientResult::Ok(outcome.reply()),
                                    index: Some(index),
                                });
                            }
                        }
                    }
                    out.applied.push(AppliedEntry {
                        index,
                        term,
                        outcome: Some(outcome),
                    });
                }
            }
        }
        self.serve_reads(out);
    }

    // ---- Clients (§8) ----

    fn on_client_request(
        &mut self,
        client: ClientId,
        seq: u64,
        command: Command,
        out: &mut Output,
    ) {
        let reply = |out: &mut Output, result| {
            out.client_replies.push(ClientReply {
                client,
                seq,
                result,
                index: None,
            })
        };
        if self.volatile.role != Role::Leader {
            let leader_hint = self.volatile.leader_hint;
            out.notes.push(Note::ClientRedirected {
                client,
                seq,
                leader_hint,
            });
            reply(out, ClientResult::NotLeader { leader_hint });
            return;
        }
        if self.volatile.leadership.transfer.is_some() {
            // Dissertation §3.10: a leader handing over leadership takes no new commands.
            out.notes
                .push(Note::Leadership(LeadershipNote::RefusedDuringTransfer {
                    client,
                    seq,
                }));
            reply(out, ClientResult::NotLeader { leader_hint: None });
            return;
        }
        if self.options.knobs.stale_local_reads {
            if let Command::Get { key } = &command {
                out.notes.push(Note::StaleLocalRead { client, seq });
                reply(out, ClientResult::Ok(self.kv.get(key).cloned()));
                return;
            }
        }
        if self.options.read_mode != ReadMode::Log {
            if let Command::Get { key } = command {
                self.read_without_log(client, seq, key, out);
                return;
            }
        }
        // §8: a command already applied is answered from the session table, not re-executed.
        if let Some(cached) = self.kv.cached_reply(client, seq) {
            out.notes
                .push(Note::ClientAnsweredFromSession { client, seq });
            reply(out, ClientResult::Ok(cached.clone()));
            return;
        }
        if seq < self.kv.last_seq(client) {
            return; // the client has moved on; nobody waits for this answer
        }
        if let Some(pending) = self
            .volatile
            .pending
            .iter()
            .find(|p| p.client == client && p.seq == seq)
        {
            out.notes.push(Note::ClientAlreadyPending {
                client,
                seq,
                index: pending.index,
            });
            return;
        }
        // Figure 2, leaders: append the command to the local log, respond after applying.
        let term = self.persistent.current_term;
        let index = self.persistent.log.append(LogEntry {
            term,
            payload: EntryPayload::Client {
                client,
                seq,
                command,
            },
        });
        out.wrote_log_from(index);
        self.volatile
            .pending
            .push_back(PendingReply { index, client, seq });
        out.notes.push(Note::ClientAppended {
            client,
            seq,
            index,
            term,
        });
        self.advance_commit_index(out); // a one-server cluster commits at once
        self.broadcast_append_entries(out);
    }

    // ---- Crash recovery ----

    fn restart(&mut self, out: &mut Output) {
        self.crash();
        if self.options.knobs.forget_vote_on_restart {
            if let Some(voted_for) = self.persistent.voted_for.take() {
                out.notes.push(Note::VoteForgotten {
                    term: self.persistent.current_term,
                    voted_for,
                });
            }
        }
        self.restarted_with_lease_promise();
        out.notes.push(Note::Restarted {
            term: self.persistent.current_term,
            voted_for: self.persistent.voted_for,
            last_index: self.persistent.log.last_index(),
        });
        self.restore_snapshot(out);
        out.reset_election_timer = true;
    }

    // ---- test support ----

    /// Replaces the persistent state (tests and hand-built scenarios, e.g. Figure 8).
    pub fn set_persistent_state(&mut self, state: PersistentState) {
        self.persistent = state;
        let (index, config) = self.config_at(self.persistent.log.last_index());
        self.use_config(index, config);
    }

    /// Mutable persistent state (tests and hand-built scenarios).
    pub fn persistent_mut(&mut self) -> &mut PersistentState {
        &mut self.persistent
    }
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;

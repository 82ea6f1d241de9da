//! §6 cluster membership changes with joint consensus, and non-voting members that catch up
//! first (dissertation §4.2.1).
//!
//! - A configuration travels as a log entry (`EntryPayload::Config`). A server uses the latest
//!   configuration in its log (or, once compacted, the one its snapshot carries), whether or
//!   not it is committed; when a conflicting suffix is truncated it goes back to the latest one
//!   that remains.
//! - Adding a server: the leader first appends a configuration with the new server as a
//!   non-voting member (a learner): it receives entries, but neither votes nor counts. Once
//!   its matchIndex reaches the leader's commitIndex, the leader appends the joint
//!   configuration C_old,new with it among the new voters.
//! - Removing a voter: the leader appends C_old,new without it among the new voters.
//! - While C_old,new is the configuration, every decision (elections, commitment, a read's
//!   confirmation round, CheckQuorum) needs a majority of C_old AND of C_new
//!   (`Configuration::is_majority`, `committed_index`). Once C_old,new is committed, the
//!   leader appends C_new; once C_new is committed, a leader that is not in it steps down.
//! - One change at a time: a new change only once the latest configuration is committed and
//!   not joint.
//! - Removed servers must not disrupt (§6): once the cluster's configuration has changed, a
//!   server disregards RequestVote and PreVote when it heard from a current leader within the
//!   minimum election timeout (unless the vote was asked for by a leadership transfer).
//! - A server that is not a voter in its configuration (a learner, a removed server, a server
//!   that has not yet heard its configuration) never starts an election.

use super::note::Note;
use super::quorum::{Configuration, ServerSet, MAX_SERVER_ID};
use super::server::{Output, Server};
use super::types::*;
use std::fmt::{self, Write};

/// Most members (voters and learners) a configuration may have (the cluster size 1–9).
pub const MAX_MEMBERS: usize = 9;

/// A membership change asked of the leader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// A fresh server joins (first as a non-voting member).
    Add(ServerId),
    /// A member leaves (a learner at once, a voter through C_old,new).
    Remove(ServerId),
}

/// Why a change was not started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeRefusal {
    NotLeader,
    /// The latest configuration is not committed yet, or is C_old,new (one change at a time).
    ChangeInProgress,
    AlreadyMember,
    NotMember,
    /// The last voter cannot leave: a cluster has at least one.
    LastVoter,
    /// At most [`MAX_MEMBERS`] members.
    TooManyMembers,
    /// Ids run from 1 to [`MAX_SERVER_ID`] (a [`ServerSet`] holds no other). The simulator
    /// never asks for another; a program driving a `Server` directly might.
    IdOutOfRange,
}

impl ChangeRefusal {
    /// Why, in words ("a configuration change is still in progress (one at a time)").
    pub fn reason(self) -> &'static str {
        match self {
            ChangeRefusal::NotLeader => "it is not the leader",
            ChangeRefusal::ChangeInProgress => {
                "a configuration change is still in progress (one at a time)"
            }
            ChangeRefusal::AlreadyMember => "it is already a member",
            ChangeRefusal::NotMember => "it is not a member",
            ChangeRefusal::LastVoter => "it is the last voting member",
            ChangeRefusal::TooManyMembers => "the cluster already has 9 members",
            ChangeRefusal::IdOutOfRange => "server ids run from 1 to 15",
        }
    }
}

impl fmt::Display for Change {
    /// "add S6", "remove S2".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Add(id) => write!(f, "add {id}"),
            Change::Remove(id) => write!(f, "remove {id}"),
        }
    }
}

/// Narration of membership changes (part of [`Note`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MembershipNote {
    /// The leader appended a configuration with `learner` as a non-voting member.
    LearnerAdded { learner: ServerId, index: LogIndex },
    /// The leader appended a configuration without the learner `learner`.
    LearnerRemoved { learner: ServerId, index: LogIndex },
    /// The leader appended C_old,new (`promoted`: learners that caught up and join C_new).
    JointAppended {
        index: LogIndex,
        config: Configuration,
        promoted: ServerSet,
    },
    /// C_old,new is committed: the leader appended C_new.
    NewAppended {
        index: LogIndex,
        config: Configuration,
    },
    /// Knob `switch_config_directly`: C_new appended with no joint phase.
    SwitchedDirectly {
        index: LogIndex,
        config: Configuration,
    },
    Refused {
        change: Change,
        reason: ChangeRefusal,
    },
    /// This server now uses the configuration of the entry at `index` (0: its initial one),
    /// for the reason `cause` gives.
    Adopted {
        index: LogIndex,
        config: Configuration,
        cause: ConfigCause,
    },
    /// C_new is committed and does not include this leader: it steps down.
    LeftCluster { term: Term },
    /// The election timer fired on a server that is not a voter: no election.
    NotAVoter,
    /// §6: a RequestVote (or PreVote) disregarded: a current leader was heard from within the
    /// minimum election timeout.
    VoteRequestDisregarded {
        candidate: ServerId,
        term: Term,
        pre_vote: bool,
    },
}

/// Why a server switched configurations (§6: it always uses the latest one it holds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigCause {
    /// A configuration entry was appended to its log: used at once, committed or not.
    Appended,
    /// The entry it came from was truncated: back to the latest one left.
    Truncated,
    /// An installed snapshot replaced the log entries that held it (§7).
    Snapshot,
}

impl MembershipNote {
    pub fn section(&self) -> &'static str {
        "§6"
    }

    pub fn weight(&self) -> u8 {
        use MembershipNote::*;
        match self {
            JointAppended { .. } | NewAppended { .. } | SwitchedDirectly { .. } => 8,
            LeftCluster { .. } | LearnerAdded { .. } | LearnerRemoved { .. } => 8,
            Refused { .. } | VoteRequestDisregarded { .. } => 6,
            Adopted { .. } => 5,
            NotAVoter => 3,
        }
    }

    pub fn write_explanation(&self, me: ServerId, out: &mut impl Write) -> fmt::Result {
        use MembershipNote::*;
        match *self {
            LearnerAdded { learner, index } => write!(
                out,
                "{me} added {learner} as a non-voting member (configuration entry at index {index}): it receives entries to catch up but neither votes nor counts in a majority yet"
            ),
            LearnerRemoved { learner, index } => write!(
                out,
                "{me} removed the non-voting member {learner} (configuration entry at index {index})"
            ),
            JointAppended { index, config, promoted } => {
                write!(out, "{me} appended the joint configuration C_old,new {config} at index {index}")?;
                if !promoted.is_empty() {
                    write!(out, " ({promoted} caught up)")?;
                }
                write!(out, ": from now on every decision needs a majority of both")
            }
            NewAppended { index, config } => write!(
                out,
                "C_old,new is committed: {me} appended C_new {config} at index {index}"
            ),
            SwitchedDirectly { index, config } => write!(
                out,
                "{me} switched straight to {config} at index {index}, with no joint configuration (knob: switch configuration directly)"
            ),
            Refused { change, reason } => {
                write!(out, "{me} cannot {change}: ")?;
                out.write_str(reason.reason())
            }
            Adopted { index, config, cause: ConfigCause::Appended } => write!(
                out,
                "{me} uses the configuration {config} from index {index} at once, committed or not"
            ),
            Adopted { index: LogIndex(0), config, cause: ConfigCause::Truncated } => write!(
                out,
                "the configuration entry was truncated: {me} goes back to its initial configuration {config}"
            ),
            Adopted { index, config, cause: ConfigCause::Truncated } => write!(
                out,
                "the configuration entry was truncated: {me} goes back to the latest one left in its log, {config} (index {index})"
            ),
            Adopted { index: LogIndex(0), config, cause: ConfigCause::Snapshot } => write!(
                out,
                "{me} takes the initial configuration {config} stored in the snapshot it installed: a committed one, since a snapshot holds only committed entries"
            ),
            Adopted { index, config, cause: ConfigCause::Snapshot } => write!(
                out,
                "{me} takes the configuration {config} (from index {index}) stored in the snapshot it installed: a committed one, since a snapshot holds only committed entries"
            ),
            LeftCluster { term } => write!(
                out,
                "C_new is committed and {me} is not in it: it steps down as leader of term {term}"
            ),
            NotAVoter => write!(
                out,
                "{me} is not a voting member of its configuration: it starts no election"
            ),
            VoteRequestDisregarded { candidate, term, pre_vote } => write!(
                out,
                "{me} disregards {candidate}'s {} for term {term}: it heard from a current leader within the minimum election timeout, so removed servers cannot disrupt the cluster",
                if pre_vote { "PreVote" } else { "RequestVote" }
            ),
        }
    }
}

impl Server {
    /// The configuration in use: the latest in the log or snapshot, committed or not (§6).
    pub fn configuration(&self) -> &Configuration {
        &self.config
    }

    /// The index of the entry the configuration in use came from (0: the initial one).
    pub fn config_index(&self) -> LogIndex {
        self.config_index
    }

    /// The latest configuration at or before `index` (not before the snapshot): from the log,
    /// else the snapshot's, else the initial one; with the index of its entry.
    pub(super) fn config_at(&self, index: LogIndex) -> (LogIndex, Configuration) {
        let log = &self.persistent.log;
        let mut i = index.min(log.last_index());
        while i >= log.start() && i.0 > 0 {
            if let Some(EntryPayload::Config { config }) = log.get(i).map(|e| &e.payload) {
                return (i, *config);
            }
            i = LogIndex(i.0 - 1);
        }
        match &self.persistent.snapshot {
            Some(snapshot) => (snapshot.config_index, snapshot.config),
            None => (LogIndex(0), self.bootstrap),
        }
    }

    /// §6: looks again for the latest configuration in the log (after entries were appended
    /// or truncated, or a snapshot installed) and uses it.
    pub(super) fn refresh_config(&mut self, cause: ConfigCause, out: &mut Output) {
        let (index, config) = self.config_at(self.persistent.log.last_index());
        if (index, config) == (self.config_index, self.config) {
            return;
        }
        self.use_config(index, config);
        out.notes.push(Note::Membership(MembershipNote::Adopted {
            index,
            config,
            cause,
        }));
    }

    /// Switches to `config` (of the entry at `index`): the peers it talks to, and for a leader
    /// its replication progress (new members start from the end of its log).
    pub(super) fn use_config(&mut self, index: LogIndex, config: Configuration) {
        self.config_index = index;
        self.config = config;
        let mut others = config.members();
        others.remove(self.id);
        self.peers = others.iter().collect();
        if self.volatile.role == Role::Leader {
            let next_index = LogIndex(self.persistent.log.last_index().0 + 1);
            let old = std::mem::take(&mut self.volatile.progress);
            self.volatile.progress = self
                .peers
                .iter()
                .map(|&follower| {
                    old.iter()
                        .find(|p| p.follower == follower)
                        .copied()
                        .unwrap_or(super::server::Progress {
                            follower,
                            next_index,
                            match_index: LogIndex(0),
                            sent_through: LogIndex(0),
                        })
                })
                .collect();
            let sending = &mut self.volatile.snapshot_transfer.sending;
            sending.retain(|id, _| others.contains(*id));
        }
    }

    /// Has this cluster changed configuration (as far as this server knows)? Only then does
    /// the §6 rule against disruptive vote requests apply, so runs without membership changes
    /// stay exactly Figure 2.
    fn membership_changed(&self) -> bool {
        self.config_index.0 > 0
    }

    /// §6: should this RequestVote or PreVote be disregarded (neither answered nor its term
    /// adopted)? Yes when the server heard from a current leader (or is one) within the
    /// minimum election timeout, unless a leadership transfer asked for the vote.
    pub(super) fn disregards_vote_request(&self, message: &Message, out: &mut Output) -> bool {
        let (request, pre_vote) = match message {
            Message::RequestVote(r) => (r, false),
            Message::PreVote(r) => (r, true),
            _ => return false,
        };
        if request.leadership_transfer || !self.membership_changed() {
            return false;
        }
        let recent = self.volatile.role == Role::Leader
            || self
                .volatile
                .heard_from_leader_at
                .is_some_and(|at| self.clock < at.saturating_add(self.election_timeout_min));
        if recent {
            out.notes
                .push(Note::Membership(MembershipNote::VoteRequestDisregarded {
                    candidate: request.candidate_id,
                    term: request.term,
                    pre_vote,
                }));
        }
        recent
    }

    /// Only voters stand for election (§6: learners and removed servers do not).
    pub(super) fn may_stand(&self, out: &mut Output) -> bool {
        let voter = self.config.is_voter(self.id);
        if !voter {
            out.notes.push(Note::Membership(MembershipNote::NotAVoter));
        }
        voter
    }

    /// Is a change under way (the latest configuration uncommitted, or joint)?
    fn change_in_progress(&self) -> bool {
        self.config.is_joint() || self.config_index > self.volatile.commit_index
    }

    /// Does a new leader inherit work to finish: a change under way, or learners waiting to
    /// be promoted (both move on only when the commit index does)?
    pub(super) fn membership_change_unfinished(&self) -> bool {
        self.change_in_progress() || !self.config.learners.is_empty()
    }

    /// Is a change of the voters under way? Adding a learner while another learner's entry is
    /// not yet committed is safe (no majority changes), so several servers can be added at
    /// once and join C_new together; a change of voters must be committed first (§6: one at
    /// a time).
    fn voting_change_in_progress(&self) -> bool {
        if self.config.is_joint() {
            return true;
        }
        if self.config_index <= self.volatile.commit_index {
            return false;
        }
        // The latest entry is uncommitted: fine only if it changed nothing but learners (and
        // the one before it, and so on: scan back to the committed one).
        let mut index = self.config_index;
        let mut config = self.config;
        while index > self.volatile.commit_index {
            let (before_index, before) = self.config_at(LogIndex(index.0 - 1));
            if before.is_joint() || before.voters != config.voters || before_index == index {
                return true;
            }
            index = before_index;
            config = before;
        }
        false
    }

    /// Why this server would not start `change` now (None: it would).
    pub fn membership_refusal(&self, change: Change) -> Option<ChangeRefusal> {
        let config = self.config;
        let busy = match change {
            Change::Add(_) => self.voting_change_in_progress(),
            Change::Remove(_) => self.change_in_progress(),
        };
        let (Change::Add(id) | Change::Remove(id)) = change;
        if !(1..=MAX_SERVER_ID).contains(&id.0) {
            Some(ChangeRefusal::IdOutOfRange)
        } else if self.volatile.role != Role::Leader {
            Some(ChangeRefusal::NotLeader)
        } else if busy {
            Some(ChangeRefusal::ChangeInProgress)
        } else {
            match change {
                Change::Add(id) if config.members().contains(id) => {
                    Some(ChangeRefusal::AlreadyMember)
                }
                Change::Add(_) if config.members().len() >= MAX_MEMBERS => {
                    Some(ChangeRefusal::TooManyMembers)
                }
                Change::Remove(id) if !config.members().contains(id) => {
                    Some(ChangeRefusal::NotMember)
                }
                Change::Remove(id) if config.voters == ServerSet::default().with(id) => {
                    Some(ChangeRefusal::LastVoter)
                }
                _ => None,
            }
        }
    }

    /// A user asked this server (the leader) to add or remove a server.
    pub(super) fn change_membership(&mut self, change: Change, out: &mut Output) {
        let config = self.config;
        if let Some(reason) = self.membership_refusal(change) {
            out.notes
                .push(Note::Membership(MembershipNote::Refused { change, reason }));
            return;
        }
        match change {
            Change::Add(learner) => {
                let mut next = config;
                next.learners.insert(learner);
                let index = self.append_config(next, out);
                out.notes
                    .push(Note::Membership(MembershipNote::LearnerAdded {
                        learner,
                        index,
                    }));
                self.after_config_appended(out);
            }
            Change::Remove(id) if config.learners.contains(id) => {
                let mut next = config;
                next.learners.remove(id);
                let index = self.append_config(next, out);
                out.notes
                    .push(Note::Membership(MembershipNote::LearnerRemoved {
                        learner: id,
                        index,
                    }));
                self.after_config_appended(out);
            }
            Change::Remove(id) => {
                let mut new_voters = config.voters;
                new_voters.remove(id);
                self.begin_change(new_voters, config.learners, ServerSet::default(), out);
            }
        }
    }

    /// Appends C_old,new towards `new_voters` (or, with the knob, C_new directly).
    fn begin_change(
        &mut self,
        new_voters: ServerSet,
        learners: ServerSet,
        promoted: ServerSet,
        out: &mut Output,
    ) {
        let voters = self.config.voters;
        if self.options.knobs.switch_config_directly {
            let config = Configuration {
                voters: new_voters,
                new_voters: None,
                learners,
            };
            let index = self.append_config(config, out);
            out.notes
                .push(Note::Membership(MembershipNote::SwitchedDirectly {
                    index,
                    config,
                }));
        } else {
            let config = Configuration {
                voters,
                new_voters: Some(new_voters),
                learners,
            };
            let index = self.append_config(config, out);
            out.notes
                .push(Note::Membership(MembershipNote::JointAppended {
                    index,
                    config,
                    promoted,
                }));
        }
        self.after_config_appended(out);
    }

    /// Leader: appends a configuration entry of its term and uses it at once (§6).
    fn append_config(&mut self, config: Configuration, out: &mut Output) -> LogIndex {
        let index = self.persistent.log.append(LogEntry {
            term: self.persistent.current_term,
            payload: EntryPayload::Config { config },
        });
        out.wrote_log_from(index);
        self.use_config(index, config);
        index
    }

    /// A configuration entry was appended: it may commit at once (a one-voter cluster), and
    /// everyone gets it.
    fn after_config_appended(&mut self, out: &mut Output) {
        self.advance_commit_index(out);
        if self.volatile.role == Role::Leader {
            self.broadcast_append_entries(out);
        }
    }

    /// Leader, after its commit index moved: carry a change on (C_new after C_old,new; learners
    /// that caught up into C_old,new), or step down once C_new without it is committed.
    pub(super) fn membership_after_commit(&mut self, out: &mut Output) {
        if self.volatile.role != Role::Leader || self.config_index > self.volatile.commit_index {
            return;
        }
        if self.config.is_joint() {
            let config = self.config.target();
            let index = self.append_config(config, out);
            out.notes
                .push(Note::Membership(MembershipNote::NewAppended {
                    index,
                    config,
                }));
            self.after_config_appended(out);
            return;
        }
        if !self.config.voters.contains(self.id) {
            let term = self.persistent.current_term;
            out.notes
                .push(Note::Membership(MembershipNote::LeftCluster { term }));
            self.become_follower(None, out);
            return;
        }
        self.promote_caught_up_learners(out);
    }

    /// Leader: once every learner's matchIndex has reached the commit index, they join C_new
    /// together (through C_old,new). A learner that never catches up holds the others back
    /// until it is removed.
    pub(super) fn promote_caught_up_learners(&mut self, out: &mut Output) {
        if self.volatile.role != Role::Leader
            || self.config.learners.is_empty()
            || self.change_in_progress()
        {
            return;
        }
        let commit = self.volatile.commit_index;
        let caught_up: ServerSet = self
            .volatile
            .progress
            .iter()
            .filter(|p| self.config.learners.contains(p.follower) && p.match_index >= commit)
            .map(|p| p.follower)
            .collect();
        if caught_up != self.config.learners {
            return;
        }
        let new_voters = self.config.voters.union(caught_up);
        let learners = self.config.learners.without(caught_up);
        self.begin_change(new_voters, learners, caught_up, out);
    }
}

impl ServerSet {
    /// This set with `id` added.
    pub fn with(mut self, id: ServerId) -> ServerSet {
        self.insert(id);
        self
    }
}

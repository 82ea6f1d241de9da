//! Structured narration from the core: what a server decided and why, with the paper section.
//!
//! Notes hold plain data (no strings, no allocation); the sentence is built only when someone
//! asks for it (`Note::explain`).

pub use super::leadership::LeadershipNote;
pub use super::membership::MembershipNote;
use super::quorum::ServerSet;
pub use super::reads::ReadNote;
use super::types::{ClientId, LogIndex, Role, ServerId, Term};
use std::fmt::{self, Write};

/// Why a vote was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteDenial {
    /// The candidate's term is older than ours.
    StaleTerm { current: Term },
    /// We already voted for someone else in this term.
    AlreadyVoted { voted_for: ServerId },
    /// §5.4.1: our log is more up-to-date than the candidate's.
    LogNotUpToDate {
        our_last_index: LogIndex,
        our_last_term: Term,
    },
    /// Lease reads (dissertation §6.4.1): we heard from a leader less than a lease ago and
    /// promised not to help elect another before it ends.
    LeaderLeaseHeld,
}

/// Why AppendEntries was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppendRejection {
    /// The leader's term is older than ours (it is deposed and will learn so from the reply).
    StaleTerm { current: Term },
    /// Our log has no entry at prevLogIndex (§5.3).
    LogTooShort { last_index: LogIndex },
    /// Our entry at prevLogIndex has another term (§5.3).
    TermMismatch { found: Term },
}

/// What happened to an applied entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppliedKind {
    Noop,
    /// §6: a configuration entry (in use since it was appended; applying changes nothing).
    Config,
    Executed {
        client: ClientId,
        seq: u64,
    },
    /// §8: a retried command already applied; not executed again.
    Duplicate {
        client: ClientId,
        seq: u64,
    },
    /// §8: older than the client's latest command; ignored.
    Stale {
        client: ClientId,
        seq: u64,
    },
}

/// One decision of one server. `me` (the server that made it) is supplied when explaining.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Note {
    /// Figure 2, all servers: a message carried a higher term; adopt it and become follower.
    TermAdopted {
        from: ServerId,
        old_term: Term,
        new_term: Term,
        was: Role,
    },
    /// The election timer fired: a new term, a vote for itself, RequestVote to everyone.
    ElectionStarted {
        term: Term,
    },
    /// A forced timeout on a leader does nothing: leaders have no election timer.
    TimeoutIgnoredByLeader {
        term: Term,
    },
    VoteGranted {
        candidate: ServerId,
        term: Term,
        /// Knob `skip_election_restriction`: granted without comparing logs.
        log_unchecked: bool,
    },
    VoteDenied {
        candidate: ServerId,
        term: Term,
        reason: VoteDenial,
    },
    VoteReceived {
        from: ServerId,
        term: Term,
        votes: ServerSet,
        needed: u8,
    },
    VoteRefused {
        from: ServerId,
        term: Term,
    },
    /// A reply to an RPC of an older term, or for a role we no longer have (`role` is ours now).
    StaleReplyIgnored {
        from: ServerId,
        term: Term,
        current: Term,
        role: Role,
    },
    BecameLeader {
        term: Term,
        votes: ServerSet,
    },
    NoopAppended {
        index: LogIndex,
        term: Term,
    },
    /// A candidate received AppendEntries from the leader of its own term (§5.2).
    CandidateYielded {
        leader: ServerId,
        term: Term,
    },
    AppendRejected {
        leader: ServerId,
        prev_log_index: LogIndex,
        prev_log_term: Term,
        reason: AppendRejection,
    },
    AppendAccepted {
        leader: ServerId,
        prev_log_index: LogIndex,
        received: u32,
        appended: u32,
        truncated_from: Option<LogIndex>,
        match_index: LogIndex,
    },
    /// Leader side: a follower confirmed its log matches up to `match_index`.
    FollowerMatched {
        follower: ServerId,
        match_index: LogIndex,
    },
    /// Leader side, §5.3: the consistency check failed, try an earlier nextIndex.
    NextIndexBackedOff {
        follower: ServerId,
        next_index: LogIndex,
        fast: bool,
    },
    /// Leader: `index` is on a majority and of the current term (or the Figure 8 knob is on).
    Committed {
        index: LogIndex,
        term: Term,
        replicated_on: ServerSet,
        old_term_by_counting: bool,
    },
    /// Leader, §5.4.2: `index` is on a majority but from an earlier term: not committed by counting.
    CommitWaitsForCurrentTerm {
        index: LogIndex,
        term: Term,
        current: Term,
    },
    /// Follower: leaderCommit moved our commitIndex.
    CommitLearned {
        index: LogIndex,
        leader: ServerId,
    },
    Applied {
        index: LogIndex,
        term: Term,
        kind: AppliedKind,
    },
    /// §8: not the leader; the client is told whom to try.
    ClientRedirected {
        client: ClientId,
        seq: u64,
        leader_hint: Option<ServerId>,
    },
    ClientAppended {
        client: ClientId,
        seq: u64,
        index: LogIndex,
        term: Term,
    },
    /// §8: the command was already applied; answer from the session table.
    ClientAnsweredFromSession {
        client: ClientId,
        seq: u64,
    },
    /// The same (client, seq) is already in the log awaiting commit.
    ClientAlreadyPending {
        client: ClientId,
        seq: u64,
        index: LogIndex,
    },
    ClientReplied {
        client: ClientId,
        seq: u64,
        index: LogIndex,
    },
    /// Knob `stale_local_reads`: GET answered from local state without the log.
    StaleLocalRead {
        client: ClientId,
        seq: u64,
    },
    /// A leader that stepped down tells its waiting clients to retry elsewhere.
    ClientRequestAbandoned {
        client: ClientId,
        seq: u64,
    },
    HeartbeatsSent {
        term: Term,
    },
    /// Restart: persistent state kept, volatile state and the state machine start empty.
    Restarted {
        term: Term,
        voted_for: Option<ServerId>,
        last_index: LogIndex,
    },
    /// Knob `forget_vote_on_restart`.
    VoteForgotten {
        term: Term,
        voted_for: ServerId,
    },
    /// Reads without the log: ReadIndex and leases (§8, `reads.rs`).
    Read(ReadNote),
    /// PreVote, CheckQuorum and leadership transfer (`leadership.rs`).
    Leadership(LeadershipNote),
    /// §6 membership changes.
    Membership(MembershipNote),
    /// §7: the log reached the snapshot threshold; the state machine (store and sessions) was
    /// saved and the log now starts after `last_included_index`.
    SnapshotTaken {
        last_included_index: LogIndex,
        last_included_term: Term,
        discarded: u64,
    },
    /// §7: a restarted server loaded its snapshot into its state machine.
    SnapshotRestored {
        last_included_index: LogIndex,
        last_included_term: Term,
    },
    /// §7: the leader sent a chunk of its snapshot to a follower whose nextIndex lies in the
    /// compacted prefix.
    SnapshotChunkSent {
        follower: ServerId,
        last_included_index: LogIndex,
        offset: u64,
        bytes: u32,
        done: bool,
    },
    /// Figure 13 steps 2–4: a chunk written at its offset; more are awaited.
    SnapshotChunkStored {
        leader: ServerId,
        last_included_index: LogIndex,
        offset: u64,
        next_offset: u64,
    },
    /// A chunk that does not continue what the follower holds (a gap after a lost chunk, or a
    /// chunk of another snapshot that does not start at offset 0): the reply asks for
    /// `next_offset` instead.
    SnapshotChunkIgnored {
        leader: ServerId,
        last_included_index: LogIndex,
        offset: u64,
        next_offset: u64,
    },
    /// Figure 13 steps 5–8: the whole snapshot arrived and was installed. `kept` entries that
    /// follow it were retained (step 6); `discarded` entries were dropped.
    SnapshotInstalled {
        leader: ServerId,
        last_included_index: LogIndex,
        last_included_term: Term,
        kept: u64,
        discarded: u64,
        /// Knob `install_snapshot_discards_following_entries`: matching entries were dropped.
        knob: bool,
    },
    /// The follower's own snapshot already covers this one: nothing to install.
    SnapshotAlreadyCovered {
        leader: ServerId,
        last_included_index: LogIndex,
    },
    /// Leader: a follower installed a snapshot; it continues with AppendEntries after it.
    FollowerInstalledSnapshot {
        follower: ServerId,
        match_index: LogIndex,
    },
}

impl Note {
    /// The paper section that explains this decision.
    pub fn section(&self) -> &'static str {
        match self {
            Note::TermAdopted { .. } => "§5.1",
            Note::ElectionStarted { .. }
            | Note::TimeoutIgnoredByLeader { .. }
            | Note::VoteReceived { .. }
            | Note::VoteRefused { .. }
            | Note::BecameLeader { .. }
            | Note::CandidateYielded { .. } => "§5.2",
            Note::VoteGranted { .. } => "§5.4.1",
            Note::VoteDenied { reason, .. } => match reason {
                VoteDenial::LogNotUpToDate { .. } => "§5.4.1",
                VoteDenial::StaleTerm { .. } => "§5.1",
                VoteDenial::AlreadyVoted { .. } => "§5.2",
                VoteDenial::LeaderLeaseHeld => "§8",
            },
            Note::StaleReplyIgnored { .. } => "§5.1",
            Note::NoopAppended { .. } => "§8",
            // Figure 2, AppendEntries receiver, rule 1 cites §5.1 for a stale term.
            Note::AppendRejected {
                reason: AppendRejection::StaleTerm { .. },
                ..
            } => "§5.1",
            Note::AppendRejected { .. }
            | Note::AppendAccepted { .. }
            | Note::FollowerMatched { .. }
            | Note::NextIndexBackedOff { .. }
            | Note::CommitLearned { .. }
            | Note::Applied { .. }
            | Note::ClientAppended { .. }
            | Note::HeartbeatsSent { .. } => "§5.3",
            Note::Committed { .. } | Note::CommitWaitsForCurrentTerm { .. } => "§5.4.2",
            Note::ClientRedirected { .. }
            | Note::ClientAnsweredFromSession { .. }
            | Note::ClientAlreadyPending { .. }
            | Note::ClientReplied { .. }
            | Note::StaleLocalRead { .. }
            | Note::ClientRequestAbandoned { .. } => "§8",
            // A restart recovers from persistent state (§5.5); forgetting the vote breaks the
            // one-vote-per-term rule of elections (§5.2).
            Note::Restarted { .. } => "§5.5",
            Note::VoteForgotten { .. } => "§5.2",
            Note::Read(note) => note.section(),
            Note::Leadership(note) => note.section(),
            Note::Membership(note) => note.section(),
            Note::SnapshotTaken { .. }
            | Note::SnapshotRestored { .. }
            | Note::SnapshotChunkSent { .. }
            | Note::SnapshotChunkStored { .. }
            | Note::SnapshotChunkIgnored { .. }
            | Note::SnapshotInstalled { .. }
            | Note::SnapshotAlreadyCovered { .. }
            | Note::FollowerInstalledSnapshot { .. } => "§7",
        }
    }

    /// How much this decision matters to the story; the event's section is taken from its
    /// weightiest note.
    pub fn weight(&self) -> u8 {
        match self {
            Note::BecameLeader { .. }
            | Note::Committed { .. }
            | Note::CommitWaitsForCurrentTerm { .. } => 9,
            Note::VoteGranted { .. }
            | Note::VoteDenied { .. }
            | Note::AppendRejected { .. }
            | Note::ElectionStarted { .. }
            | Note::CandidateYielded { .. }
            | Note::StaleLocalRead { .. }
            | Note::VoteForgotten { .. }
            | Note::SnapshotInstalled { .. } => 8,
            Note::Read(note) => note.weight(),
            Note::Leadership(note) => note.weight(),
            Note::Membership(note) => note.weight(),
            Note::AppendAccepted {
                truncated_from: Some(_),
                ..
            } => 8,
            Note::ClientRedirected { .. }
            | Note::ClientAppended { .. }
            | Note::ClientAnsweredFromSession { .. }
            | Note::ClientAlreadyPending { .. }
            | Note::NoopAppended { .. }
            | Note::Restarted { .. }
            | Note::NextIndexBackedOff { .. }
            | Note::SnapshotTaken { .. }
            | Note::SnapshotRestored { .. }
            | Note::FollowerInstalledSnapshot { .. } => 7,
            Note::SnapshotChunkSent { .. }
            | Note::SnapshotChunkStored { .. }
            | Note::SnapshotChunkIgnored { .. }
            | Note::SnapshotAlreadyCovered { .. } => 5,
            Note::TermAdopted { was, .. } if *was != Role::Follower => 7,
            Note::VoteReceived { .. }
            | Note::VoteRefused { .. }
            | Note::ClientRequestAbandoned { .. } => 6,
            Note::AppendAccepted { received, .. } if *received > 0 => 5,
            Note::CommitLearned { .. } | Note::ClientReplied { .. } => 4,
            Note::TermAdopted { .. }
            | Note::Applied { .. }
            | Note::TimeoutIgnoredByLeader { .. } => 3,
            _ => 1,
        }
    }

    /// Whether this note matters for a reader skimming the story (heartbeat chatter does not).
    pub fn is_routine(&self) -> bool {
        matches!(
            self,
            Note::HeartbeatsSent { .. }
                | Note::AppendAccepted { received: 0, .. }
                | Note::FollowerMatched { .. }
                | Note::StaleReplyIgnored { .. }
                | Note::Read(ReadNote::RoundStarted { .. })
        )
    }

    /// The decision in plain English, e.g. "S3 granted its vote to S1 for term 4: S1's log is
    /// at least as up-to-date (§5.4.1)".
    pub fn explain(&self, me: ServerId) -> String {
        let mut text = String::new();
        let _ = self.write_explanation(me, &mut text);
        text
    }

    pub fn write_explanation(&self, me: ServerId, out: &mut impl Write) -> fmt::Result {
        match *self {
            Note::TermAdopted { from, old_term, new_term, was } => {
                write!(out, "{me} saw term {new_term} from {from} (its own was {old_term}): it adopts the newer term")?;
                if was != Role::Follower {
                    write!(out, " and steps down from {was} to follower")?;
                } else {
                    write!(out, ", in which it has not voted yet")?;
                }
            }
            Note::ElectionStarted { term } => write!(
                out,
                "{me} became a candidate for term {term}, voted for itself and asked the others for votes"
            )?,
            Note::TimeoutIgnoredByLeader { term } => {
                write!(out, "{me} leads term {term}; leaders have no election timer, so nothing happens")?
            }
            Note::VoteGranted { candidate, term, log_unchecked: false } => write!(
                out,
                "{me} granted its vote to {candidate} for term {term}: {candidate}'s log is at least as up-to-date"
            )?,
            Note::VoteGranted { candidate, term, log_unchecked: true } => write!(
                out,
                "{me} granted its vote to {candidate} for term {term} without comparing logs (knob: election restriction skipped)"
            )?,
            Note::VoteDenied { candidate, term, reason } => {
                write!(out, "{me} refused its vote to {candidate} for term {term}: ")?;
                match reason {
                    VoteDenial::StaleTerm { current } => {
                        write!(out, "that term is older than {me}'s term {current}")?
                    }
                    VoteDenial::LeaderLeaseHeld => write!(
                        out,
                        "it heard from a leader less than a lease ago and promised not to elect another before the lease ends"
                    )?,
                    VoteDenial::AlreadyVoted { voted_for } => {
                        write!(out, "it already voted for {voted_for} in this term")?
                    }
                    VoteDenial::LogNotUpToDate { our_last_index, our_last_term } => write!(
                        out,
                        "{me}'s log (last entry index {our_last_index}, term {our_last_term}) is more up-to-date than {candidate}'s"
                    )?,
                }
            }
            Note::VoteReceived { from, term, votes, needed } => write!(
                out,
                "{me} got {from}'s vote for term {term}: {} of the {needed} needed ({votes})",
                votes.len()
            )?,
            Note::VoteRefused { from, term } => write!(out, "{from} refused {me} its vote for term {term}")?,
            Note::StaleReplyIgnored { from, term, current, role } => {
                if term < current {
                    write!(out, "{me} ignored an outdated reply from {from} (term {term}; {me} is now in term {current})")?
                } else if role == Role::Leader {
                    write!(out, "{me} already leads term {current}: {from}'s late answer to its vote request changes nothing")?
                } else {
                    write!(out, "{me} is {role} now: {from}'s reply changes nothing")?
                }
            }
            Note::BecameLeader { term, votes } => {
                write!(out, "{me} became leader for term {term} with votes from {votes}")?
            }
            Note::NoopAppended { index, term } => write!(
                out,
                "{me} appended a no-op entry at index {index} (term {term}) so earlier entries can commit"
            )?,
            Note::CandidateYielded { leader, term } => write!(
                out,
                "{me} learned that {leader} already leads term {term}: it stops its candidacy and follows"
            )?,
            Note::AppendRejected { leader, prev_log_index, prev_log_term, reason } => {
                write!(out, "{me} rejected AppendEntries from {leader}: ")?;
                match reason {
                    AppendRejection::StaleTerm { current } => {
                        write!(out, "{leader}'s term is older than {me}'s term {current}")?
                    }
                    AppendRejection::LogTooShort { last_index } => write!(
                        out,
                        "no entry at index {prev_log_index} with term {prev_log_term} (its log ends at index {last_index})"
                    )?,
                    AppendRejection::TermMismatch { found } => write!(
                        out,
                        "no entry at index {prev_log_index} with term {prev_log_term} (it has term {found} there)"
                    )?,
                }
            }
            Note::AppendAccepted { leader, prev_log_index, received, appended, truncated_from, match_index } => {
                if received == 0 {
                    write!(out, "{me} accepted a heartbeat from {leader}; its log matches up to index {match_index}")?;
                } else {
                    write!(
                        out,
                        "{me} accepted {received} entr{} from {leader} after index {prev_log_index}",
                        if received == 1 { "y" } else { "ies" }
                    )?;
                    if let Some(from) = truncated_from {
                        write!(out, ", deleting its conflicting entries from index {from} on")?;
                    }
                    if appended < received {
                        write!(out, " ({} already present)", received - appended)?;
                    }
                    write!(out, "; its log now matches up to index {match_index}")?;
                }
            }
            Note::FollowerMatched { follower, match_index } => {
                write!(out, "{me} recorded that {follower}'s log matches its own up to index {match_index}")?
            }
            Note::NextIndexBackedOff { follower, next_index, fast } => write!(
                out,
                "{me} will retry {follower} from index {next_index}{}",
                if fast { " (skipping the conflicting term)" } else { "" }
            )?,
            Note::Committed { index, term, replicated_on, old_term_by_counting } => {
                write!(out, "{me} committed index {index} (replicated on {replicated_on})")?;
                if old_term_by_counting {
                    write!(
                        out,
                        " although it is from earlier term {term}: counting replicas of an old-term entry is the Figure 8 bug"
                    )?;
                }
            }
            Note::CommitWaitsForCurrentTerm { index, term, current } => write!(
                out,
                "{me} sees index {index} on a majority, but it is from term {term}, not {current}: it is not committed by counting"
            )?,
            Note::CommitLearned { index, leader } => {
                write!(out, "{me} learned from {leader} that entries up to index {index} are committed")?
            }
            Note::Applied { index, term, kind } => {
                write!(out, "{me} applied index {index} (term {term}) to its state machine")?;
                match kind {
                    AppliedKind::Noop => write!(out, ": a no-op")?,
                    AppliedKind::Config => write!(out, ": a configuration entry, in use since it was appended")?,
                    AppliedKind::Executed { client, seq } => write!(out, ": {client}'s command #{seq}")?,
                    AppliedKind::Duplicate { client, seq } => write!(
                        out,
                        ": {client}'s command #{seq} again, already applied, so not executed twice"
                    )?,
                    AppliedKind::Stale { client, seq } => {
                        write!(out, ": {client}'s old command #{seq}, superseded, ignored")?
                    }
                }
            }
            Note::ClientRedirected { client, seq, leader_hint } => {
                write!(out, "{me} is not the leader, so it turned away {client}'s command #{seq}")?;
                match leader_hint {
                    Some(leader) => write!(out, " with the hint \"try {leader}\"")?,
                    None => write!(out, " without a hint (it knows no leader)")?,
                }
            }
            Note::ClientAppended { client, seq, index, term } => {
                write!(out, "{me} appended {client}'s command #{seq} at index {index} (term {term})")?
            }
            Note::ClientAnsweredFromSession { client, seq } => write!(
                out,
                "{me} already applied {client}'s command #{seq}: it answers with the remembered result"
            )?,
            Note::ClientAlreadyPending { client, seq, index } => write!(
                out,
                "{client}'s command #{seq} is already at index {index}, waiting to commit: not appended twice"
            )?,
            Note::ClientReplied { client, seq, index } => {
                write!(out, "{me} answered {client}'s command #{seq}, applied at index {index}")?
            }
            Note::StaleLocalRead { client, seq } => write!(
                out,
                "{me} answered {client}'s GET #{seq} from its local state without the log (knob: stale local reads)"
            )?,
            Note::ClientRequestAbandoned { client, seq } => {
                write!(out, "{me} is no longer leader: it tells {client} to retry command #{seq} elsewhere")?
            }
            Note::HeartbeatsSent { term } => {
                write!(out, "{me} sent AppendEntries (heartbeats) to all followers for term {term}")?
            }
            Note::Restarted { term, voted_for, last_index } => {
                write!(out, "{me} restarted with its persistent state: term {term}, voted for ")?;
                match voted_for {
                    Some(v) => write!(out, "{v}")?,
                    None => write!(out, "nobody")?,
                }
                write!(
                    out,
                    ", log up to index {last_index}; commitIndex and lastApplied start at 0 and its state machine is empty"
                )?;
            }
            Note::VoteForgotten { term, voted_for } => write!(
                out,
                "{me} forgot that it voted for {voted_for} in term {term} (knob: votedFor not persisted)"
            )?,
            Note::Read(note) => note.write_explanation(me, out)?,
            Note::Leadership(note) => note.write_explanation(me, out)?,
            Note::Membership(note) => note.write_explanation(me, out)?,
            Note::SnapshotTaken { last_included_index, last_included_term, discarded } => write!(
                out,
                "{me}'s log reached the snapshot threshold: it saved its state machine (store and client sessions) as a snapshot through index {last_included_index} (term {last_included_term}) and discarded those {discarded} log entries"
            )?,
            Note::SnapshotRestored { last_included_index, last_included_term } => write!(
                out,
                "{me} loaded its snapshot into its state machine: lastApplied and commitIndex start at its last included index {last_included_index} (term {last_included_term})"
            )?,
            Note::SnapshotChunkSent { follower, last_included_index, offset, bytes, done } => {
                write!(
                    out,
                    "{follower} needs entries {me} has compacted: {me} sent InstallSnapshot (through index {last_included_index}), {bytes} bytes at offset {offset}"
                )?;
                if done {
                    write!(out, ", the last chunk")?;
                }
            }
            Note::SnapshotChunkStored { leader, last_included_index, offset, next_offset } => write!(
                out,
                "{me} stored the chunk at offset {offset} of {leader}'s snapshot through index {last_included_index}; it holds {next_offset} bytes and waits for more"
            )?,
            Note::SnapshotChunkIgnored { leader, last_included_index, offset, next_offset } => write!(
                out,
                "{me} ignored the chunk at offset {offset} of {leader}'s snapshot through index {last_included_index}: it holds {next_offset} bytes of it in order and asks for the rest from there"
            )?,
            Note::SnapshotInstalled { leader, last_included_index, last_included_term, kept, discarded, knob } => {
                write!(
                    out,
                    "{me} installed {leader}'s snapshot through index {last_included_index} (term {last_included_term})"
                )?;
                if knob {
                    write!(out, " and discarded all {discarded} entries after it, although its log matched the snapshot (knob: install snapshot discards following entries)")?;
                } else if kept > 0 {
                    write!(out, ": its log holds that entry, so it keeps the {kept} entries after it")?;
                } else {
                    write!(out, ", discarded its whole log ({discarded} entries) and reset its state machine from the snapshot")?;
                }
            }
            Note::SnapshotAlreadyCovered { leader, last_included_index } => write!(
                out,
                "{me} already has everything in {leader}'s snapshot through index {last_included_index}: nothing to install"
            )?,
            Note::FollowerInstalledSnapshot { follower, match_index } => write!(
                out,
                "{follower} installed the snapshot: {me} continues with AppendEntries after index {match_index}"
            )?,
        }
        write!(out, " ({})", self.section())
    }
}

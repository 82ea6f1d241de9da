//! Beyond Figure 2, from Ongaro's dissertation: PreVote (§9.6), CheckQuorum (§6.2) and
//! leadership transfer (§3.10). All off unless asked for (`RaftOptions`, `Input`).
//!
//! - **PreVote**: when its election timer fires, a server first asks the others whether they
//!   would vote for it in the next term, without incrementing its own. A server grants that
//!   only if the candidate's log is at least as up-to-date as its own (§5.4.1) and it has not
//!   heard from a leader since its own election timer last fired. Only with a majority of
//!   such answers does it start a real election, so a server cut off from the cluster no
//!   longer comes back with a huge term that deposes a working leader.
//! - **CheckQuorum**: a leader keeps an election timer; when it fires, the leader steps down
//!   unless it heard from a majority (itself included) since the timer last fired, so a leader
//!   cut off from its majority stops serving.
//! - **Leadership transfer**: the leader stops taking commands, brings the target's log up to
//!   date, then sends it TimeoutNow; the target starts an election at once (skipping PreVote,
//!   and granted even by servers that still hear from the leader). If that does not happen
//!   within an election timeout, the leader gives up and takes commands again.

use super::note::Note;
use super::quorum::ServerSet;
use super::server::{Output, Server};
use super::types::*;
use std::fmt::{self, Write};

/// A leadership transfer in progress (dissertation §3.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transfer {
    pub target: ServerId,
    pub timeout_now_sent: bool,
}

/// PreVote, CheckQuorum and transfer bookkeeping of one server (volatile).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeadershipState {
    /// PreVote: Some while this server asks whether it could win; who said yes (itself too).
    pub pre_votes: Option<ServerSet>,
    /// CheckQuorum, leader: the followers heard from since the leader's timer last fired.
    pub recent_active: ServerSet,
    /// Leader: the transfer in progress.
    pub transfer: Option<Transfer>,
}

/// Why a PreVote was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreVoteDenial {
    /// The term asked about is not newer than ours.
    StaleTerm { current: Term },
    /// We still hear from a leader (or are one).
    LeaderAlive { leader: ServerId },
    /// §5.4.1: our log is more up-to-date.
    LogNotUpToDate,
}

/// Why a transfer request was not taken up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferRefusal {
    NotLeader,
    /// The target is this server or not a member.
    BadTarget,
}

/// Narration of PreVote, CheckQuorum and transfers (part of [`Note`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeadershipNote {
    PreVoteStarted {
        term: Term,
    },
    PreVoteGranted {
        candidate: ServerId,
        term: Term,
    },
    PreVoteDenied {
        candidate: ServerId,
        term: Term,
        reason: PreVoteDenial,
    },
    PreVoteReceived {
        from: ServerId,
        votes: ServerSet,
        needed: u8,
    },
    PreVoteRefused {
        from: ServerId,
    },
    /// CheckQuorum: the leader heard from a majority since its last check.
    QuorumHeard {
        heard: ServerSet,
    },
    /// CheckQuorum: it did not; it steps down.
    QuorumLost {
        heard: ServerSet,
        term: Term,
    },
    TransferStarted {
        to: ServerId,
    },
    TransferRefused {
        to: ServerId,
        reason: TransferRefusal,
    },
    TimeoutNowSent {
        to: ServerId,
    },
    TransferAborted {
        to: ServerId,
    },
    RefusedDuringTransfer {
        client: ClientId,
        seq: u64,
    },
    TimeoutNowReceived {
        from: ServerId,
        term: Term,
    },
    TimeoutNowIgnored {
        from: ServerId,
        term: Term,
    },
}

impl LeadershipNote {
    pub fn section(&self) -> &'static str {
        use LeadershipNote::*;
        match self {
            PreVoteStarted { .. }
            | PreVoteGranted { .. }
            | PreVoteDenied { .. }
            | PreVoteReceived { .. }
            | PreVoteRefused { .. } => "dissertation §9.6",
            QuorumHeard { .. } | QuorumLost { .. } => "dissertation §6.2",
            _ => "dissertation §3.10",
        }
    }

    pub fn weight(&self) -> u8 {
        use LeadershipNote::*;
        match self {
            QuorumLost { .. } | TimeoutNowReceived { .. } | PreVoteStarted { .. } => 8,
            TransferStarted { .. }
            | TimeoutNowSent { .. }
            | TransferAborted { .. }
            | PreVoteGranted { .. }
            | PreVoteDenied { .. } => 7,
            PreVoteReceived { .. } | PreVoteRefused { .. } | RefusedDuringTransfer { .. } => 6,
            TransferRefused { .. } | TimeoutNowIgnored { .. } => 5,
            QuorumHeard { .. } => 1,
        }
    }

    pub fn write_explanation(&self, me: ServerId, out: &mut impl Write) -> fmt::Result {
        use LeadershipNote::*;
        match *self {
            PreVoteStarted { term } => write!(
                out,
                "{me}'s election timer fired: before raising its term it asks the others whether they would vote for it in term {term} (PreVote)"
            ),
            PreVoteGranted { candidate, term } => write!(
                out,
                "{me} would vote for {candidate} in term {term}: its log is at least as up-to-date and {me} hears from no leader (it keeps its own term)"
            ),
            PreVoteDenied { candidate, term, reason } => {
                write!(out, "{me} would not vote for {candidate} in term {term}: ")?;
                match reason {
                    PreVoteDenial::StaleTerm { current } => {
                        write!(out, "{me} is already in term {current}")
                    }
                    PreVoteDenial::LeaderAlive { leader } if leader == me => {
                        write!(out, "{me} is the leader")
                    }
                    PreVoteDenial::LeaderAlive { leader } => {
                        write!(out, "{me} still hears from leader {leader}")
                    }
                    PreVoteDenial::LogNotUpToDate => write!(out, "{me}'s log is more up-to-date"),
                }
            }
            PreVoteReceived { from, votes, needed } => write!(
                out,
                "{from} would vote for {me}: {} of the {needed} needed ({votes})",
                votes.len()
            ),
            PreVoteRefused { from } => write!(out, "{from} would not vote for {me}"),
            QuorumHeard { heard } => write!(
                out,
                "{me} heard from a majority ({heard}) within an election timeout: it still leads (CheckQuorum)"
            ),
            QuorumLost { heard, term } => write!(
                out,
                "{me} heard only from {heard} within an election timeout, not a majority: it steps down as leader of term {term} (CheckQuorum)"
            ),
            TransferStarted { to } => write!(
                out,
                "{me} starts handing leadership to {to}: it takes no new commands and brings {to}'s log up to date"
            ),
            TransferRefused { to, reason: TransferRefusal::NotLeader } => write!(
                out,
                "{me} was asked to hand leadership to {to}, but it is not the leader"
            ),
            TransferRefused { to, reason: TransferRefusal::BadTarget } => write!(
                out,
                "{me} cannot hand leadership to {to}: not another member of the cluster"
            ),
            TimeoutNowSent { to } => write!(
                out,
                "{to}'s log matches {me}'s: {me} sends it TimeoutNow so it starts an election at once"
            ),
            TransferAborted { to } => write!(
                out,
                "the transfer to {to} did not finish within an election timeout: {me} gives up and takes commands again"
            ),
            RefusedDuringTransfer { client, seq } => write!(
                out,
                "{me} is handing leadership over and takes no new commands: {client} must retry #{seq} later"
            ),
            TimeoutNowReceived { from, term } => write!(
                out,
                "{from} (leader of term {term}) asked {me} to take over: {me} starts an election at once"
            ),
            TimeoutNowIgnored { from, term } => write!(
                out,
                "{me} ignores TimeoutNow from {from} for term {term}: it is stale or {me} already leads"
            ),
        }
    }
}

impl Server {
    // ---- PreVote (dissertation §9.6) ----

    /// The election timer fired with PreVote on: ask before raising the term.
    pub(super) fn start_pre_vote(&mut self, out: &mut Output) {
        let term = Term(self.persistent.current_term.0 + 1);
        self.volatile.role = Role::Follower;
        self.volatile.leader_hint = None;
        self.volatile.heard_from_leader_at = None;
        self.volatile.votes = ServerSet::default();
        let mut votes = ServerSet::default();
        votes.insert(self.id);
        self.volatile.leadership.pre_votes = Some(votes);
        out.reset_election_timer = true;
        out.notes
            .push(Note::Leadership(LeadershipNote::PreVoteStarted { term }));
        if self.config.is_majority(votes) {
            self.start_election(false, out);
            return;
        }
        let request = RequestVote {
            term,
            candidate_id: self.id,
            last_log_index: self.persistent.log.last_index(),
            last_log_term: self.persistent.log.last_term(),
            leadership_transfer: false,
        };
        for &peer in &self.peers {
            out.messages.push((peer, Message::PreVote(request.clone())));
        }
    }

    /// Would we vote for this candidate in the term it asks about? Nothing changes here.
    pub(super) fn handle_pre_vote(
        &mut self,
        from: ServerId,
        request: RequestVote,
        out: &mut Output,
    ) {
        let current = self.persistent.current_term;
        let candidate = request.candidate_id;
        let leader = match self.volatile.role {
            Role::Leader => Some(self.id),
            Role::Follower => self.volatile.leader_hint.filter(|l| *l != candidate),
            Role::Candidate => None,
        };
        let denial = if request.term <= current {
            Some(PreVoteDenial::StaleTerm { current })
        } else if let Some(leader) = leader {
            Some(PreVoteDenial::LeaderAlive { leader })
        } else if !self
            .persistent
            .log
            .is_up_to_date(request.last_log_index, request.last_log_term)
        {
            Some(PreVoteDenial::LogNotUpToDate)
        } else {
            None
        };
        let term = request.term;
        out.notes.push(Note::Leadership(match denial {
            None => LeadershipNote::PreVoteGranted { candidate, term },
            Some(reason) => LeadershipNote::PreVoteDenied {
                candidate,
                term,
                reason,
            },
        }));
        out.messages.push((
            from,
            Message::PreVoteReply(RequestVoteReply {
                term: if denial.is_none() { term } else { current },
                vote_granted: denial.is_none(),
            }),
        ));
    }

    pub(super) fn handle_pre_vote_reply(
        &mut self,
        from: ServerId,
        reply: RequestVoteReply,
        out: &mut Output,
    ) {
        let asked = Term(self.persistent.current_term.0 + 1);
        let Some(mut votes) = self.volatile.leadership.pre_votes else {
            return;
        };
        if !reply.vote_granted || reply.term != asked {
            out.notes
                .push(Note::Leadership(LeadershipNote::PreVoteRefused { from }));
            return;
        }
        votes.insert(from);
        self.volatile.leadership.pre_votes = Some(votes);
        out.notes
            .push(Note::Leadership(LeadershipNote::PreVoteReceived {
                from,
                votes,
                needed: self.config.majority() as u8,
            }));
        if self.config.is_majority(votes) {
            self.start_election(false, out);
        }
    }

    /// A follower heard from the leader of its term: no pre-vote in progress, and (lease
    /// reads) a new promise not to elect another leader for a lease.
    pub(super) fn heard_from_leader(&mut self) {
        self.volatile.leadership.pre_votes = None;
        self.volatile.heard_from_leader_at = Some(self.clock);
        if self.options.read_mode == super::options::ReadMode::Lease {
            self.volatile.reads.promised_at = Some(self.clock);
        }
    }

    // ---- Leaders: CheckQuorum, transfers ----

    /// A new leader: timers and bookkeeping. With CheckQuorum it keeps an election timer.
    pub(super) fn leadership_gained(&mut self, out: &mut Output) {
        self.volatile.leadership = LeadershipState::default();
        self.reads_lost(None, out);
        if self.options.check_quorum {
            out.reset_election_timer = true;
        } else {
            out.stop_election_timer = true;
        }
    }

    /// A leader steps down: transfers end, reads are answered "not leader".
    pub(super) fn leadership_lost(&mut self, leader: Option<ServerId>, out: &mut Output) {
        self.volatile.leadership = LeadershipState::default();
        self.reads_lost(leader, out);
    }

    /// A follower answered an AppendEntries of this term.
    pub(super) fn heard_from_follower(&mut self, from: ServerId, round: u64, out: &mut Output) {
        self.volatile.leadership.recent_active.insert(from);
        self.read_round_acked(from, round, out);
    }

    /// A leader's election timer fired (CheckQuorum, or a transfer's deadline). Returns false
    /// if neither is running (a leader of Figure 2 has no timer).
    pub(super) fn leader_timer_fired(&mut self, out: &mut Output) -> bool {
        let aborted = self.volatile.leadership.transfer.take();
        if let Some(transfer) = aborted {
            out.notes
                .push(Note::Leadership(LeadershipNote::TransferAborted {
                    to: transfer.target,
                }));
        }
        if self.options.check_quorum {
            let mut heard = std::mem::take(&mut self.volatile.leadership.recent_active);
            heard.insert(self.id);
            if self.config.is_majority(heard) {
                out.notes
                    .push(Note::Leadership(LeadershipNote::QuorumHeard { heard }));
                out.reset_election_timer = true;
            } else {
                let term = self.persistent.current_term;
                out.notes
                    .push(Note::Leadership(LeadershipNote::QuorumLost { heard, term }));
                self.become_follower(None, out);
            }
            return true;
        }
        if aborted.is_some() {
            out.stop_election_timer = true;
        }
        aborted.is_some()
    }

    /// Why this server would not hand leadership to `to` now (None: it would).
    pub fn transfer_refusal(&self, to: ServerId) -> Option<TransferRefusal> {
        self.transfer_target(to).err()
    }

    /// `to`'s place among this leader's followers, if leadership may go to it.
    fn transfer_target(&self, to: ServerId) -> Result<usize, TransferRefusal> {
        if self.volatile.role != Role::Leader {
            return Err(TransferRefusal::NotLeader);
        }
        // Only a voter can be elected (§6): not this server, not a non-voting member.
        self.volatile
            .progress
            .iter()
            .position(|p| p.follower == to)
            .filter(|_| self.config.is_voter(to))
            .ok_or(TransferRefusal::BadTarget)
    }

    /// The user asked this server to hand leadership to `to`.
    pub(super) fn transfer_leadership(&mut self, to: ServerId, out: &mut Output) {
        let position = match self.transfer_target(to) {
            Ok(position) => position,
            Err(reason) => {
                out.notes
                    .push(Note::Leadership(LeadershipNote::TransferRefused {
                        to,
                        reason,
                    }));
                return;
            }
        };
        self.volatile.leadership.transfer = Some(Transfer {
            target: to,
            timeout_now_sent: false,
        });
        // The transfer's deadline: one election timeout.
        out.reset_election_timer = true;
        out.notes
            .push(Note::Leadership(LeadershipNote::TransferStarted { to }));
        if !self.transfer_target_caught_up(to, out) {
            self.send_append_entries(position, out);
        }
    }

    /// If `from` is the transfer's target and its log now matches ours, send it TimeoutNow.
    /// Returns whether it was sent now.
    pub(super) fn transfer_target_caught_up(&mut self, from: ServerId, out: &mut Output) -> bool {
        let Some(transfer) = self.volatile.leadership.transfer else {
            return false;
        };
        let caught_up = self
            .volatile
            .progress
            .iter()
            .any(|p| p.follower == from && p.match_index == self.persistent.log.last_index());
        if transfer.target != from || transfer.timeout_now_sent || !caught_up {
            return false;
        }
        self.volatile.leadership.transfer = Some(Transfer {
            timeout_now_sent: true,
            ..transfer
        });
        out.notes
            .push(Note::Leadership(LeadershipNote::TimeoutNowSent {
                to: from,
            }));
        out.messages.push((
            from,
            Message::TimeoutNow(TimeoutNow {
                term: self.persistent.current_term,
                leader_id: self.id,
            }),
        ));
        true
    }

    pub(super) fn handle_timeout_now(
        &mut self,
        from: ServerId,
        request: TimeoutNow,
        out: &mut Output,
    ) {
        let term = request.term;
        if term < self.persistent.current_term || self.volatile.role == Role::Leader {
            out.notes
                .push(Note::Leadership(LeadershipNote::TimeoutNowIgnored {
                    from,
                    term,
                }));
            return;
        }
        if !self.may_stand(out) {
            return;
        }
        out.notes
            .push(Note::Leadership(LeadershipNote::TimeoutNowReceived {
                from,
                term,
            }));
        self.start_election(true, out);
    }
}

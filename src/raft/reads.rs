//! Reads without the log (§8 of the paper; dissertation §6.4): ReadIndex and leases.
//!
//! §8: a leader must not answer a read from its state machine alone, since a newer leader may
//! already have committed writes it has not seen. Appending the read to the log (the default
//! `ReadMode::Log`) is safe but costs a log entry per read. ReadIndex answers without one:
//!
//! 1. the leader must have committed an entry of its own term (its no-op), so that its commit
//!    index is at least that of any earlier leader (§8, §5.4.2);
//! 2. it notes its commit index as the read's `read_index`;
//! 3. it starts a confirmation round: AppendEntries carrying the round number, and waits for a
//!    majority (itself included) to acknowledge that round in its term: nobody else led a later
//!    term when the round began;
//! 4. once it has applied `read_index`, it answers from its state machine.
//!
//! Lease reads skip the round: heartbeat rounds acknowledged by a majority give the leader a
//! lease (counted on its own clock from when the round began), and every server that
//! acknowledged promises on its own clock not to vote for another leader for a lease duration
//! (`VoteDenial::LeaderLeaseHeld`). The leader shortens its lease by the clock drift it allows
//! for (`RaftOptions::lease_drift_bound_ppm`); clocks that drift more than that break it.

use super::note::Note;
use super::options::ReadMode;
use super::server::{ClientReply, ClientResult, Output, Server};
use super::types::*;
use std::collections::VecDeque;
use std::fmt::{self, Write};

/// A read waiting for its confirmation round and for the state machine to catch up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingRead {
    pub client: ClientId,
    pub seq: u64,
    pub key: String,
    /// The commit index to apply before answering; None until the leader has committed an
    /// entry of its own term.
    pub read_index: Option<LogIndex>,
    /// The round a majority must acknowledge; None until it starts (0: no round, by knob).
    pub round: Option<u64>,
}

/// The read bookkeeping of one server (volatile: a crash forgets it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadState {
    /// Leader: the latest confirmation round started (AppendEntries carry it).
    pub round: u64,
    /// Leader: the latest round a majority (itself included) acknowledged in its term.
    pub confirmed_round: u64,
    /// Leader: the highest round each follower acknowledged in this term.
    pub acked: Vec<(ServerId, u64)>,
    /// Leader, lease reads: (round, own clock when it began) of rounds not yet confirmed.
    pub round_starts: VecDeque<(u64, u64)>,
    /// Leader, lease reads: the lease holds while its clock reads less than this.
    pub lease_until: Option<u64>,
    /// Leader: reads waiting, in arrival order.
    pub pending: Vec<PendingRead>,
    /// Lease reads: when (own clock) this server last heard from a leader, or restarted; it
    /// grants no vote for a lease duration after that.
    pub promised_at: Option<u64>,
}

/// How a read was answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadPath {
    ReadIndex,
    Lease,
    /// Knob `read_without_confirmation`: no round at all.
    Unconfirmed,
}

/// Narration of reads (part of [`Note`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadNote {
    /// The read waits: `read_index` None means no entry of this term is committed yet.
    Queued {
        client: ClientId,
        seq: u64,
        read_index: Option<LogIndex>,
    },
    /// A confirmation round began (AppendEntries carrying `round`).
    RoundStarted { round: u64 },
    /// A majority acknowledged `round`: this server still led when it began.
    RoundConfirmed { round: u64, lease: bool },
    Answered {
        client: ClientId,
        seq: u64,
        read_index: LogIndex,
        path: ReadPath,
    },
    /// Deposed before it could answer: the client must retry elsewhere.
    Abandoned { client: ClientId, seq: u64 },
}

impl ReadNote {
    pub fn section(&self) -> &'static str {
        "§8"
    }

    pub fn weight(&self) -> u8 {
        match self {
            ReadNote::Answered { .. } => 7,
            ReadNote::Queued { .. } | ReadNote::Abandoned { .. } => 6,
            ReadNote::RoundConfirmed { .. } => 5,
            ReadNote::RoundStarted { .. } => 2,
        }
    }

    pub fn write_explanation(&self, me: ServerId, out: &mut impl Write) -> fmt::Result {
        match *self {
            ReadNote::Queued { client, seq, read_index: None } => write!(
                out,
                "{me} holds {client}'s GET #{seq} until it has committed an entry of its own term: only then does it know the latest committed value"
            ),
            ReadNote::Queued { client, seq, read_index: Some(index) } => write!(
                out,
                "{me} noted read index {index} for {client}'s GET #{seq}; it answers once a majority confirms it still leads and it has applied index {index}"
            ),
            ReadNote::RoundStarted { round } => write!(
                out,
                "{me} sends heartbeat round {round} to confirm that a majority still follows it"
            ),
            ReadNote::RoundConfirmed { round, lease: false } => write!(
                out,
                "A majority acknowledged {me}'s round {round}: {me} still led when it began"
            ),
            ReadNote::RoundConfirmed { round, lease: true } => write!(
                out,
                "A majority acknowledged {me}'s round {round}: its lease is renewed from when the round began"
            ),
            ReadNote::Answered { client, seq, read_index, path } => {
                write!(out, "{me} answered {client}'s GET #{seq} from its state machine (applied through {read_index}) ")?;
                match path {
                    ReadPath::ReadIndex => write!(out, "without a log entry: its leadership was confirmed after the read arrived"),
                    ReadPath::Lease => write!(out, "at once: its lease still holds, so no other leader can exist yet"),
                    ReadPath::Unconfirmed => write!(out, "without confirming that it still leads (knob: read without confirmation)"),
                }
            }
            ReadNote::Abandoned { client, seq } => write!(
                out,
                "{me} is no longer leader: it tells {client} to retry GET #{seq} elsewhere"
            ),
        }
    }
}

impl Server {
    /// A GET at the leader when reads do not go through the log.
    pub(super) fn read_without_log(
        &mut self,
        client: ClientId,
        seq: u64,
        key: String,
        out: &mut Output,
    ) {
        let commit = self.volatile.commit_index;
        if self.options.read_mode == ReadMode::Lease
            && self.lease_holds()
            && self.committed_in_term()
            && self.volatile.last_applied >= commit
        {
            self.answer_read(client, seq, &key, commit, ReadPath::Lease, out);
            return;
        }
        // No lease (or ReadIndex mode): confirm leadership with a round.
        self.volatile.reads.pending.push(PendingRead {
            client,
            seq,
            key,
            read_index: None,
            round: None,
        });
        self.serve_reads(out);
        if let Some(read) = self.volatile.reads.pending.last() {
            if read.client == client && read.seq == seq {
                let read_index = read.read_index;
                out.notes.push(Note::Read(ReadNote::Queued {
                    client,
                    seq,
                    read_index,
                }));
            }
        }
    }

    /// §8: has this leader committed an entry of its own term?
    fn committed_in_term(&self) -> bool {
        self.persistent.log.term_at(self.volatile.commit_index)
            == Some(self.persistent.current_term)
    }

    fn lease_holds(&self) -> bool {
        self.volatile
            .reads
            .lease_until
            .is_some_and(|until| self.clock < until)
    }

    /// The lease the leader counts on its own clock: the promise followers make, shortened by
    /// the drift it allows for, `duration × (1 − bound) / (1 + bound)`.
    fn effective_lease(&self) -> u64 {
        let bound = u128::from(self.options.lease_drift_bound_ppm.min(999_999));
        let lease =
            u128::from(self.options.lease_duration) * (1_000_000 - bound) / (1_000_000 + bound);
        lease as u64
    }

    /// Moves waiting reads along: gives them a read index once a current-term entry is
    /// committed, starts one round for all that need one, answers those confirmed and applied.
    pub(super) fn serve_reads(&mut self, out: &mut Output) {
        if self.volatile.reads.pending.is_empty() || self.volatile.role != Role::Leader {
            return;
        }
        if self.committed_in_term() {
            let commit = self.volatile.commit_index;
            let skip_round = self.options.knobs.read_without_confirmation;
            let mut needs_round = false;
            for read in &mut self.volatile.reads.pending {
                read.read_index.get_or_insert(commit);
                if read.round.is_none() {
                    if skip_round {
                        read.round = Some(0);
                    } else {
                        needs_round = true;
                    }
                }
            }
            if needs_round {
                let round = self.begin_round(out);
                for read in &mut self.volatile.reads.pending {
                    read.round.get_or_insert(round);
                }
                self.broadcast_append_entries(out);
            }
        }
        let (confirmed, applied) = (
            self.volatile.reads.confirmed_round,
            self.volatile.last_applied,
        );
        let path = if self.options.knobs.read_without_confirmation {
            ReadPath::Unconfirmed
        } else {
            ReadPath::ReadIndex
        };
        let pending = std::mem::take(&mut self.volatile.reads.pending);
        for read in pending {
            match (read.read_index, read.round) {
                (Some(index), Some(round)) if round <= confirmed && index <= applied => {
                    self.answer_read(read.client, read.seq, &read.key, index, path, out);
                }
                _ => self.volatile.reads.pending.push(read),
            }
        }
    }

    fn answer_read(
        &mut self,
        client: ClientId,
        seq: u64,
        key: &str,
        read_index: LogIndex,
        path: ReadPath,
        out: &mut Output,
    ) {
        out.notes.push(Note::Read(ReadNote::Answered {
            client,
            seq,
            read_index,
            path,
        }));
        out.client_replies.push(ClientReply {
            client,
            seq,
            result: ClientResult::Ok(self.kv.get(key).cloned()),
            index: None,
        });
    }

    /// Starts a confirmation round (the caller sends the AppendEntries that carry it).
    fn begin_round(&mut self, out: &mut Output) -> u64 {
        let reads = &mut self.volatile.reads;
        reads.round += 1;
        let round = reads.round;
        if self.options.read_mode == ReadMode::Lease {
            reads.round_starts.push_back((round, self.clock));
        }
        out.notes.push(Note::Read(ReadNote::RoundStarted { round }));
        self.confirm_rounds(out); // a one-server cluster confirms at once
        round
    }

    /// Lease reads renew the lease with every heartbeat round.
    pub(super) fn heartbeat_round_starting(&mut self, out: &mut Output) {
        if self.options.read_mode == ReadMode::Lease {
            self.begin_round(out);
        }
    }

    /// A follower acknowledged an AppendEntries of this term carrying `round`.
    pub(super) fn read_round_acked(&mut self, from: ServerId, round: u64, out: &mut Output) {
        if round == 0 {
            return;
        }
        let acked = &mut self.volatile.reads.acked;
        match acked.iter_mut().find(|(s, _)| *s == from) {
            Some((_, r)) => *r = (*r).max(round),
            None => acked.push((from, round)),
        }
        self.confirm_rounds(out);
        self.serve_reads(out);
    }

    /// Raises `confirmed_round` to the latest round a majority acknowledged (the same majority
    /// rule as commitment: the configuration's "committed index" over round numbers).
    fn confirm_rounds(&mut self, out: &mut Output) {
        let (me, reads) = (self.id(), &self.volatile.reads);
        let round_of = |s: ServerId| {
            LogIndex(if s == me {
                reads.round
            } else {
                reads
                    .acked
                    .iter()
                    .find(|(f, _)| *f == s)
                    .map_or(0, |(_, r)| *r)
            })
        };
        let confirmed = self.config.committed_index(round_of).0;
        if confirmed <= reads.confirmed_round {
            return;
        }
        let lease_mode = self.options.read_mode == ReadMode::Lease;
        let lease = self.effective_lease();
        let reads = &mut self.volatile.reads;
        reads.confirmed_round = confirmed;
        while let Some(&(round, started)) = reads.round_starts.front() {
            if round > confirmed {
                break;
            }
            reads.round_starts.pop_front();
            if round == confirmed {
                reads.lease_until = Some(started.saturating_add(lease));
            }
        }
        out.notes.push(Note::Read(ReadNote::RoundConfirmed {
            round: confirmed,
            lease: lease_mode,
        }));
    }

    /// Lease reads: has this server promised, less than a lease ago, not to elect another
    /// leader?
    pub(super) fn lease_promised(&self) -> bool {
        self.options.read_mode == ReadMode::Lease
            && self
                .volatile
                .reads
                .promised_at
                .is_some_and(|at| self.clock < at.saturating_add(self.options.lease_duration))
    }

    /// A restarted server does not remember when it last heard from a leader, so it keeps the
    /// promise from the moment it restarts.
    pub(super) fn restarted_with_lease_promise(&mut self) {
        if self.options.read_mode == ReadMode::Lease {
            self.volatile.reads.promised_at = Some(self.clock);
        }
    }

    /// Leader only: forget rounds and lease, tell waiting readers to retry elsewhere.
    pub(super) fn reads_lost(&mut self, leader: Option<ServerId>, out: &mut Output) {
        let reads = &mut self.volatile.reads;
        reads.acked.clear();
        reads.round_starts.clear();
        reads.lease_until = None;
        reads.confirmed_round = reads.round;
        for read in std::mem::take(&mut reads.pending) {
            out.notes.push(Note::Read(ReadNote::Abandoned {
                client: read.client,
                seq: read.seq,
            }));
            out.client_replies.push(ClientReply {
                client: read.client,
                seq: read.seq,
                result: ClientResult::NotLeader {
                    leader_hint: leader,
                },
                index: None,
            });
        }
    }
}

//! The narration of a run: one `TraceEvent` per processed event or applied action.
//!
//! Events hold structured data only; the sentence is built when `explain()` is called, so a
//! run that never reads its trace never formats a string.

use super::action::Action;
use super::view::{MessageId, Micros};
use crate::raft::{ClientId, ClientResult, Message, Note, ServerId, Term};
use std::fmt::Write;

/// The shape of a message, without its entries (Copy, for narration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageSummary {
    pub kind: MessageKind,
    pub term: Term,
    /// AppendEntries: number of entries carried; InstallSnapshot: bytes of snapshot carried.
    pub entries: u32,
    /// Replies: vote granted / append succeeded / snapshot installed; InstallSnapshot: last chunk.
    pub ok: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    RequestVote,
    RequestVoteReply,
    AppendEntries,
    AppendEntriesReply,
    PreVote,
    PreVoteReply,
    TimeoutNow,
    /// §7, Figure 13.
    InstallSnapshot,
    InstallSnapshotReply,
}

impl MessageSummary {
    pub fn of(message: &Message) -> Self {
        let (kind, entries, ok) = match message {
            Message::RequestVote(_) => (MessageKind::RequestVote, 0, false),
            Message::RequestVoteReply(r) => (MessageKind::RequestVoteReply, 0, r.vote_granted),
            Message::AppendEntries(a) => {
                (MessageKind::AppendEntries, a.entries.len() as u32, false)
            }
            Message::AppendEntriesReply(r) => (MessageKind::AppendEntriesReply, 0, r.success),
            Message::PreVote(_) => (MessageKind::PreVote, 0, false),
            Message::PreVoteReply(r) => (MessageKind::PreVoteReply, 0, r.vote_granted),
            Message::TimeoutNow(_) => (MessageKind::TimeoutNow, 0, false),
            Message::InstallSnapshot(s) => {
                (MessageKind::InstallSnapshot, s.data.len() as u32, s.done)
            }
            Message::InstallSnapshotReply(r) => (MessageKind::InstallSnapshotReply, 0, r.done),
        };
        MessageSummary {
            kind,
            term: message.term(),
            entries,
            ok,
        }
    }

    fn write_label(&self, out: &mut String) {
        let _ = match (self.kind, self.entries, self.ok) {
            (MessageKind::RequestVote, ..) => write!(out, "RequestVote (term {})", self.term),
            (MessageKind::RequestVoteReply, _, true) => {
                write!(out, "vote granted (term {})", self.term)
            }
            (MessageKind::RequestVoteReply, _, false) => {
                write!(out, "vote denied (term {})", self.term)
            }
            (MessageKind::AppendEntries, 0, _) => write!(out, "heartbeat (term {})", self.term),
            (MessageKind::AppendEntries, n, _) => {
                write!(out, "AppendEntries ×{n} (term {})", self.term)
            }
            (MessageKind::AppendEntriesReply, _, true) => {
                write!(out, "append ok (term {})", self.term)
            }
            (MessageKind::AppendEntriesReply, _, false) => {
                write!(out, "append rejected (term {})", self.term)
            }
            (MessageKind::PreVote, ..) => write!(out, "PreVote (for term {})", self.term),
            (MessageKind::PreVoteReply, _, true) => {
                write!(out, "pre-vote granted (term {})", self.term)
            }
            (MessageKind::PreVoteReply, _, false) => {
                write!(out, "pre-vote denied (term {})", self.term)
            }
            (MessageKind::TimeoutNow, ..) => write!(out, "TimeoutNow (term {})", self.term),
            (MessageKind::InstallSnapshot, n, last) => write!(
                out,
                "InstallSnapshot, {n} bytes{} (term {})",
                if last { ", last chunk" } else { "" },
                self.term
            ),
            (MessageKind::InstallSnapshotReply, _, true) => {
                write!(out, "snapshot installed (term {})", self.term)
            }
            (MessageKind::InstallSnapshotReply, _, false) => {
                write!(out, "snapshot chunk reply (term {})", self.term)
            }
        };
    }
}

/// Why a message never arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LossReason {
    /// The network lost it (loss probability, dropped by hand or by the send hook).
    Lost,
    /// Sender and receiver were in different partitions, or the link was cut, at delivery.
    Partitioned,
    /// The receiver is crashed.
    ReceiverDown,
    /// The receiver was down when the message was sent, and is up again: the message was
    /// addressed to no running incarnation (§5.5).
    ReceiverDownWhenSent,
    /// The receiver crashed while the message travelled and is up again: the message was
    /// addressed to an incarnation that no longer exists (§5.5).
    ReceiverRestarted,
}

/// What a client was told, without the value (Copy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplySummary {
    Ok,
    NotLeader { leader_hint: Option<ServerId> },
}

impl ReplySummary {
    pub fn of(result: &ClientResult) -> Self {
        match result {
            ClientResult::Ok(_) => ReplySummary::Ok,
            ClientResult::NotLeader { leader_hint } => ReplySummary::NotLeader {
                leader_hint: *leader_hint,
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum TraceKind {
    /// A Raft message reached its destination and was handled.
    Delivered {
        id: MessageId,
        from: ServerId,
        to: ServerId,
        message: MessageSummary,
    },
    /// A Raft message reached its delivery time but was lost.
    Lost {
        id: MessageId,
        from: ServerId,
        to: ServerId,
        message: MessageSummary,
        reason: LossReason,
    },
    /// A Raft message arrived at a paused server and waits there until it resumes.
    Held {
        id: MessageId,
        from: ServerId,
        to: ServerId,
        message: MessageSummary,
    },
    ElectionTimeout,
    HeartbeatTick,
    /// A client started a new operation.
    ClientInvoked {
        client: ClientId,
        seq: u64,
    },
    ClientRequestArrived {
        client: ClientId,
        seq: u64,
        to: ServerId,
    },
    ClientRequestLost {
        client: ClientId,
        seq: u64,
        to: ServerId,
    },
    ClientRequestHeld {
        client: ClientId,
        seq: u64,
        to: ServerId,
    },
    ClientReplyArrived {
        client: ClientId,
        seq: u64,
        from: ServerId,
        reply: ReplySummary,
        current: bool,
    },
    ClientTimedOut {
        client: ClientId,
        seq: u64,
    },
    /// A user / scenario action.
    Action(Action),
}

/// One step of the story.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceEvent {
    /// Position in the run (events and actions counted together, from 1).
    pub seq: u64,
    pub time: Micros,
    /// The server whose state this step may have changed, if any.
    pub server: Option<ServerId>,
    pub kind: TraceKind,
    /// What the server decided, in order (empty when narration is off).
    pub notes: Vec<Note>,
}

impl TraceEvent {
    pub(crate) fn empty() -> Self {
        TraceEvent {
            seq: 0,
            time: 0,
            server: None,
            kind: TraceKind::HeartbeatTick,
            notes: Vec::new(),
        }
    }

    /// The paper section that best explains this step.
    pub fn section(&self) -> &'static str {
        let mut weightiest: Option<&Note> = None;
        for note in &self.notes {
            if weightiest.is_none_or(|w| note.weight() > w.weight()) {
                weightiest = Some(note);
            }
        }
        if let Some(note) = weightiest {
            return note.section();
        }
        match &self.kind {
            TraceKind::Delivered { .. } | TraceKind::Held { .. } => "§5.3",
            TraceKind::Lost { .. } => "§5.1",
            TraceKind::ElectionTimeout => "§5.2",
            TraceKind::HeartbeatTick => "§5.2",
            TraceKind::ClientInvoked { .. }
            | TraceKind::ClientRequestArrived { .. }
            | TraceKind::ClientRequestLost { .. }
            | TraceKind::ClientRequestHeld { .. }
            | TraceKind::ClientReplyArrived { .. }
            | TraceKind::ClientTimedOut { .. } => "§8",
            TraceKind::Action(action) => action.section(),
        }
    }

    /// True for heartbeat chatter a reader may want to hide.
    pub fn is_routine(&self) -> bool {
        match &self.kind {
            TraceKind::Delivered { message, .. } => {
                matches!(
                    message.kind,
                    MessageKind::AppendEntries | MessageKind::AppendEntriesReply
                ) && message.entries == 0
                    && self.notes.iter().all(|n| n.is_routine())
            }
            TraceKind::HeartbeatTick => true,
            _ => false,
        }
    }

    /// The step in plain English, e.g. "S1 → S3: RequestVote (term 4). S3 granted its vote to
    /// S1 for term 4: S1's log is at least as up-to-date (§5.4.1)."
    pub fn explain(&self) -> String {
        let mut out = String::new();
        let me = self.server.unwrap_or(ServerId(0));
        let _ = match &self.kind {
            TraceKind::Delivered {
                from, to, message, ..
            } => {
                let _ = write!(out, "{to} received from {from}: ");
                message.write_label(&mut out);
                Ok(())
            }
            TraceKind::Lost {
                id,
                from,
                to,
                message,
                reason,
            } => {
                let _ = write!(out, "{from}'s ");
                message.write_label(&mut out);
                write!(
                    out,
                    " to {to} (message #{}) was lost: {}",
                    id.0,
                    match reason {
                        LossReason::Lost => "the network dropped it".to_string(),
                        LossReason::Partitioned =>
                            format!("{from} cannot reach {to} (partition or cut link)"),
                        LossReason::ReceiverDown => format!("{to} is down"),
                        LossReason::ReceiverDownWhenSent => {
                            format!("{to} was down when it was sent")
                        }
                        LossReason::ReceiverRestarted => {
                            format!("{to} crashed while it was in flight")
                        }
                    }
                )
            }
            TraceKind::Held {
                from, to, message, ..
            } => {
                let _ = write!(out, "{to} is paused: {from}'s ");
                message.write_label(&mut out);
                out.push_str(" waits until it resumes");
                Ok(())
            }
            TraceKind::ElectionTimeout => write!(out, "{me}'s election timer fired"),
            TraceKind::HeartbeatTick => write!(out, "{me}'s heartbeat timer fired"),
            TraceKind::ClientInvoked { client, seq } => {
                write!(out, "{client} started command #{seq}")
            }
            TraceKind::ClientRequestArrived { client, seq, to } => {
                write!(out, "{to} received {client}'s command #{seq}")
            }
            TraceKind::ClientRequestLost { client, seq, to } => {
                write!(
                    out,
                    "{client}'s command #{seq} was lost: {to} was down when it was sent or crashed before it arrived"
                )
            }
            TraceKind::ClientRequestHeld { client, seq, to } => {
                write!(out, "{client}'s command #{seq} waits: {to} is paused")
            }
            TraceKind::ClientReplyArrived {
                client,
                seq,
                from,
                reply,
                current,
            } => {
                let _ = match reply {
                    ReplySummary::Ok => {
                        write!(out, "{client} got the answer to command #{seq} from {from}")
                    }
                    ReplySummary::NotLeader {
                        leader_hint: Some(h),
                    } => {
                        write!(
                            out,
                            "{client} was told by {from} to try {h} for command #{seq}"
                        )
                    }
                    ReplySummary::NotLeader { leader_hint: None } => {
                        write!(out, "{client} was turned away by {from} for command #{seq}, with no leader hint")
                    }
                };
                if !current {
                    out.push_str(" (an old answer; it already moved on)");
                }
                Ok(())
            }
            TraceKind::ClientTimedOut { client, seq } => {
                write!(out, "{client} got no answer for command #{seq} in time: it retries with the same number")
            }
            TraceKind::Action(action) => {
                let text = action.to_string();
                let mut chars = text.chars();
                if let Some(first) = chars.next() {
                    // Actions are narrated in ASCII. `char::to_uppercase` would link Unicode's
                    // case tables into the page (about 8 KB gzip, measured 2026-12-07).
                    out.push(first.to_ascii_uppercase());
                    out.push_str(chars.as_str());
                }
                Ok(())
            }
        };
        out.push('.');
        for note in &self.notes {
            out.push(' ');
            let _ = note.write_explanation(me, &mut out);
            out.push('.');
        }
        out
    }
}

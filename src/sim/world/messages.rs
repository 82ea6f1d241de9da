//! Raft messages on the wire: sending (loss, duplication, latency, the send hook) and the
//! messages in flight (found, dropped, delayed by user actions).

use super::queue::{Event, Queued};
use super::{World, MAX_DURATION};
use crate::raft::{Message, ServerId};
use crate::sim::hook::{Fate, MessageInfo};
use crate::sim::view::{MessageId, Micros};
use std::collections::BinaryHeap;

/// A Raft message on the wire.
#[derive(Clone, Debug)]
pub(crate) struct Envelope {
    pub id: MessageId,
    pub from: ServerId,
    pub to: ServerId,
    pub sent_at: Micros,
    pub deliver_at: Micros,
    pub message: Message,
    /// The network decided at send time (or a user decided) that it is lost.
    pub lost: bool,
    /// The receiver's incarnation when sent (None: it was down then). The message reaches only
    /// that incarnation: if the receiver was down, or crashes meanwhile, it is lost.
    pub incarnation: Option<u32>,
}

impl World {
    /// Every queued or held message, with its slab slot (None when held by a paused server).
    pub(super) fn messages_in_flight(&self) -> impl Iterator<Item = (Option<u32>, &Envelope)> {
        let queued = self.slab.iter().map(|(slot, e)| (Some(slot), e));
        let held = self
            .nodes
            .iter()
            .flat_map(|n| n.held.iter())
            .map(|e| (None, e));
        queued.chain(held).filter_map(|(slot, e)| match e {
            Event::Deliver(envelope) => Some((slot, envelope)),
            _ => None,
        })
    }

    pub(super) fn send(&mut self, from: ServerId, to: ServerId, message: Message) {
        let incarnation = self.incarnation_if_up(to);
        let loss = if is_reply(&message) {
            self.network.reply_loss
        } else {
            self.network.request_loss
        };
        let mut lost = self.chance(loss);
        if let Some(link) = self.network.link(from, to) {
            lost |= self.chance(link.loss_probability);
        }
        let duplicate = self.chance(self.network.duplicate_probability);
        if duplicate {
            let copy = message.clone();
            self.put_on_wire(from, to, copy, false, incarnation, Ask::Hook);
        }
        self.put_on_wire(from, to, message, lost, incarnation, Ask::Hook);
    }

    /// How long a message from `from` to `to` travels: the link's latency (or the network's),
    /// and for a reply perhaps a long delay on top. Draws nothing that is switched off.
    fn transit(&mut self, from: ServerId, to: ServerId, reply: bool) -> Micros {
        let latency = match self.network.link(from, to) {
            Some(link) => self.random_in(link.latency_min, link.latency_max),
            None => self.latency(),
        };
        let long = self.network.long_delays;
        if reply && self.chance(long.probability) {
            latency + self.random_in(long.min, long.max)
        } else {
            latency
        }
    }

    pub(super) fn put_on_wire(
        &mut self,
        from: ServerId,
        to: ServerId,
        message: Message,
        lost: bool,
        incarnation: Option<u32>,
        ask: Ask,
    ) {
        let id = MessageId(self.next_message_id);
        self.next_message_id += 1;
        let deliver_at = self.now + self.transit(from, to, is_reply(&message));
        let mut envelope = Envelope {
            id,
            from,
            to,
            sent_at: self.now,
            deliver_at,
            message,
            lost,
            incarnation,
        };
        let mut copy = None;
        if let (Ask::Hook, Some(hook)) = (ask, &self.send_hook) {
            let info = MessageInfo {
                id,
                from,
                to,
                sent_at: self.now,
                deliver_at,
                message: &envelope.message,
                lost,
            };
            match hook.decide(&info, &mut self.rng) {
                Fate::Deliver => {}
                Fate::Drop => envelope.lost = true,
                Fate::Delay(by) => envelope.deliver_at += by.min(MAX_DURATION),
                Fate::Duplicate => copy = Some(envelope.message.clone()),
            }
        }
        self.schedule(envelope.deliver_at, Event::Deliver(envelope));
        if let Some(copy) = copy {
            self.put_on_wire(from, to, copy, false, incarnation, Ask::Nobody);
        }
    }

    pub(super) fn find_message(&self, id: MessageId) -> Option<&Envelope> {
        self.messages_in_flight()
            .find(|(_, e)| e.id == id)
            .map(|(_, e)| e)
    }

    /// Changes one in-flight message; its queue position follows its (new) delivery time.
    pub(super) fn edit_message(&mut self, id: MessageId, edit: impl Fn(&mut Envelope)) {
        for node in &mut self.nodes {
            for event in &mut node.held {
                if let Event::Deliver(envelope) = event {
                    if envelope.id == id {
                        edit(envelope);
                    }
                }
            }
        }
        let Some(slot) = self
            .messages_in_flight()
            .find(|(_, e)| e.id == id)
            .and_then(|(slot, _)| slot)
        else {
            return;
        };
        let Some(Some(Event::Deliver(envelope))) = self.slab.items.get_mut(slot as usize) else {
            return;
        };
        edit(envelope);
        let deliver_at = envelope.deliver_at;
        let mut entries = std::mem::take(&mut self.queue).into_vec();
        for entry in &mut entries {
            if matches!(entry.item, Queued::Payload(s) if s == slot) {
                entry.time = deliver_at;
            }
        }
        self.queue = BinaryHeap::from(entries);
    }
}

/// Whether the send hook is asked about a message put on the wire (not about its own copies).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Ask {
    Hook,
    Nobody,
}

fn is_reply(message: &Message) -> bool {
    matches!(
        message,
        Message::RequestVoteReply(_)
            | Message::AppendEntriesReply(_)
            | Message::InstallSnapshotReply(_)
    )
}

//! The event queue: one heap ordered by (time, seq), with messages and client traffic kept
//! in a payload slab so heap entries stay small.

use super::messages::Envelope;
use super::World;
use crate::raft::{ClientId, ClientResult, Command, LogIndex, ServerId};
use crate::sim::view::Micros;
use std::cmp::Ordering;

#[derive(Clone, Debug)]
pub(crate) enum Event {
    Deliver(Envelope),
    ElectionTimeout {
        server: ServerId,
        generation: u32,
    },
    Heartbeat {
        server: ServerId,
        generation: u32,
    },
    ClientArrive {
        client: ClientId,
        seq: u64,
        to: ServerId,
        command: Command,
        /// As `Envelope::incarnation`.
        incarnation: Option<u32>,
        /// When the request left the client and when it arrives (for drawing it travel).
        sent_at: Micros,
        arrive_at: Micros,
    },
    ClientReply {
        client: ClientId,
        seq: u64,
        from: ServerId,
        result: ClientResult,
        /// Where the command was applied, if the reply comes from applying it.
        index: Option<LogIndex>,
        sent_at: Micros,
        arrive_at: Micros,
    },
    ClientTimeout {
        client: ClientId,
        generation: u32,
    },
    ClientThink {
        client: ClientId,
    },
}

/// What the queue holds: timers inline, anything bigger by its slot in the payload slab (so
/// heap entries stay small and cheap to move).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Queued {
    Payload(u32),
    ElectionTimeout { server: ServerId, generation: u32 },
    Heartbeat { server: ServerId, generation: u32 },
    ClientTimeout { client: ClientId, generation: u32 },
    ClientThink { client: ClientId },
}

#[derive(Clone, Debug)]
pub(crate) struct Scheduled {
    pub time: Micros,
    pub seq: u64,
    pub item: Queued,
}

/// Storage for queued messages and client traffic, with slot reuse (deterministic).
#[derive(Clone, Debug, Default)]
pub(crate) struct Slab {
    pub(super) items: Vec<Option<Event>>,
    free: Vec<u32>,
}

impl Slab {
    pub(super) fn insert(&mut self, event: Event) -> u32 {
        match self.free.pop() {
            Some(slot) => {
                self.items[slot as usize] = Some(event);
                slot
            }
            None => {
                self.items.push(Some(event));
                self.items.len() as u32 - 1
            }
        }
    }

    pub(super) fn take(&mut self, slot: u32) -> Option<Event> {
        let event = self.items[slot as usize].take();
        self.free.push(slot);
        event
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (u32, &Event)> {
        self.items
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.as_ref().map(|e| (i as u32, e)))
    }
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    /// Reversed: the BinaryHeap pops the earliest (time, seq) first. `seq` is unique, so the
    /// order is total and the run deterministic.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

impl World {
    pub(super) fn schedule(&mut self, time: Micros, event: Event) {
        let item = match event {
            Event::ElectionTimeout { server, generation } => {
                Queued::ElectionTimeout { server, generation }
            }
            Event::Heartbeat { server, generation } => Queued::Heartbeat { server, generation },
            Event::ClientTimeout { client, generation } => {
                Queued::ClientTimeout { client, generation }
            }
            Event::ClientThink { client } => Queued::ClientThink { client },
            payload => Queued::Payload(self.slab.insert(payload)),
        };
        self.next_seq += 1;
        self.queue.push(Scheduled {
            time,
            seq: self.next_seq,
            item,
        });
    }

    pub(super) fn unqueue(&mut self, item: Queued) -> Option<Event> {
        Some(match item {
            Queued::Payload(slot) => return self.slab.take(slot),
            Queued::ElectionTimeout { server, generation } => {
                Event::ElectionTimeout { server, generation }
            }
            Queued::Heartbeat { server, generation } => Event::Heartbeat { server, generation },
            Queued::ClientTimeout { client, generation } => {
                Event::ClientTimeout { client, generation }
            }
            Queued::ClientThink { client } => Event::ClientThink { client },
        })
    }

    pub fn next_event_time(&self) -> Option<Micros> {
        self.queue.peek().map(|s| s.time)
    }
}

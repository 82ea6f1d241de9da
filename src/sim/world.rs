//! The deterministic world: servers, timers, network, clients, one event queue, one RNG.
//!
//! `World` is everything that evolves; it is `Clone`, which is what time-travel checkpoints
//! are made of. The `Sim` (mod.rs) wraps it with the trace buffer and the timeline.

use super::action::{Action, ActionError, ActionOutcome};
use super::config::SimConfig;
use super::hook::{Fate, MessageInfo, SendHook};
use super::network::{LongDelays, Network};
use super::trace::{LossReason, MessageSummary, ReplySummary, TraceEvent, TraceKind};
use super::view::*;
use super::view_cache::{CachedParts, ViewCache};
use crate::raft::{
    ClientId, ClientResult, Command, Input, LogIndex, Message, Output, Role, Server, ServerId,
};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::Arc;

/// Longest latency or delay accepted (one minute, `limits::MAX_TIMER`), so time arithmetic
/// cannot overflow.
use super::limits::MAX_TIMER as MAX_DURATION;

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
    items: Vec<Option<Event>>,
    free: Vec<u32>,
}

impl Slab {
    fn insert(&mut self, event: Event) -> u32 {
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

    fn take(&mut self, slot: u32) -> Option<Event> {
        let event = self.items[slot as usize].take();
        self.free.push(slot);
        event
    }

    fn iter(&self) -> impl Iterator<Item = (u32, &Event)> {
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

/// Timers of a paused server, frozen as time remaining.
#[derive(Clone, Debug)]
pub(crate) struct Frozen {
    pub paused_at: Micros,
    pub election_remaining: Option<Micros>,
    pub heartbeat_remaining: Option<Micros>,
}

/// One server and what the world knows about it (status, timers).
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub server: Server,
    pub status: ServerStatus,
    pub incarnation: u32,
    /// Identifies the one live election-timer event in the queue (others are cancelled).
    pub election_generation: u32,
    /// When the live election-timer event is queued for; it may be earlier than the deadline
    /// (resets only move the deadline; the event re-queues itself when it finds it moved).
    pub election_queued: Option<Micros>,
    pub election_deadline: Option<Micros>,
    pub election_started: Option<Micros>,
    pub heartbeat_generation: u32,
    pub heartbeat_due: Option<Micros>,
    pub frozen: Option<Frozen>,
    /// Messages and client requests that arrived while paused, delivered on resume.
    pub held: Vec<Event>,
    /// Versions (see `World::next_version`) of the server's log and key-value store: a new one
    /// at every change, so a copy made at one version is current while the version stays.
    pub log_version: u64,
    pub kv_version: u64,
    /// Time-travel bookkeeping: how many leading log entries are unchanged since the world
    /// was last compared with a checkpoint (`checkpoint_mark`).
    pub log_unchanged: usize,
}

#[derive(Clone, Debug)]
pub(crate) struct Outstanding {
    pub seq: u64,
    pub command: Command,
    pub target: ServerId,
    pub redirects: u32,
    pub retries: u32,
    pub history_index: usize,
}

#[derive(Clone, Debug)]
pub(crate) struct Client {
    pub id: ClientId,
    /// Driven by `SimConfig::load`.
    pub auto: bool,
    pub next_seq: u64,
    pub outstanding: Option<Outstanding>,
    /// Commands waiting for the outstanding one: (seq, command, target).
    pub queue: VecDeque<(u64, Command, Option<ServerId>)>,
    pub believed_leader: Option<ServerId>,
    /// Invalidates the pending timeout when the request is answered or re-sent.
    pub generation: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct World {
    pub config: SimConfig,
    pub now: Micros,
    pub queue: BinaryHeap<Scheduled>,
    slab: Slab,
    next_seq: u64,
    rng: ChaCha8Rng,
    pub nodes: Vec<Node>,
    pub network: Network,
    pub clients: Vec<Client>,
    pub history: Vec<ClientOp>,
    next_message_id: u64,
    /// Queue events processed (actions not counted).
    pub events: u64,
    /// Events and actions processed (= the seq of the last trace event).
    pub steps: u64,
    /// What the server driven by the last step asked for (`applied` is read by
    /// `Sim::just_applied`; cleared at every step).
    pub out: Output,
    /// The last step, narrated (notes only copied when `narrate`).
    pub last: TraceEvent,
    pub narrate: bool,
    /// Time-travel bookkeeping: the checkpoint the world was last compared with, and how many
    /// leading `history` entries are unchanged since (server logs keep their own count).
    pub checkpoint_mark: Option<u64>,
    pub history_unchanged: usize,
    /// Version of `history` (see `next_version`).
    pub history_version: u64,
    /// Names one version of a server's log or store or of the history: the view cache keeps
    /// a copy while its version stays. Counts up from 1 (0 = the empty value); a rewind
    /// restores an earlier count, so the `Sim` forgets its cached copies then.
    next_version: u64,
    /// Decides the fate of every message sent (see `hook.rs`); shared by clones.
    pub send_hook: Option<SendHook>,
}

impl World {
    pub fn new(config: SimConfig) -> Self {
        let ids: Vec<ServerId> = (1..=config.servers).map(ServerId).collect();
        let nodes = ids
            .iter()
            .map(|&id| Node {
                server: Server::new(id, ids.clone(), config.raft.clone()),
                status: ServerStatus::Up,
                incarnation: 0,
                election_generation: 0,
                election_queued: None,
                election_deadline: None,
                election_started: None,
                heartbeat_generation: 0,
                heartbeat_due: None,
                frozen: None,
                held: Vec::new(),
                log_version: 0,
                kv_version: 0,
                log_unchanged: 0,
            })
            .collect();
        let network = Network::new(
            config.loss_probability,
            config.duplicate_probability,
            config.latency_min,
            config.latency_max,
        );
        let mut world = World {
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            narrate: config.trace_capacity > 0,
            checkpoint_mark: None,
            history_unchanged: 0,
            history_version: 0,
            next_version: 1,
            config,
            now: 0,
            queue: BinaryHeap::new(),
            slab: Slab::default(),
            next_seq: 0,
            nodes,
            network,
            clients: Vec::new(),
            history: Vec::new(),
            next_message_id: 1,
            events: 0,
            steps: 0,
            out: Output::default(),
            last: TraceEvent::empty(),
            send_hook: None,
        };
        for i in 0..world.nodes.len() {
            world.reset_election_timer(i);
        }
        for _ in 0..world.config.load.clients {
            let id = world.add_client(true);
            world.schedule_think(id);
        }
        world.settle_head();
        world
    }

    // ---- randomness (the only RNG; ranges implemented here, no `rand` crate) ----

    fn random_in(&mut self, min: u64, max: u64) -> u64 {
        if max <= min {
            return min;
        }
        min + self.rng.next_u64() % (max - min + 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        if p <= 0.0 {
            return false;
        }
        let unit = (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        unit < p
    }

    fn latency(&mut self) -> Micros {
        self.random_in(self.network.latency_min, self.network.latency_max)
    }

    // ---- queue ----

    fn schedule(&mut self, time: Micros, event: Event) {
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

    fn unqueue(&mut self, item: Queued) -> Option<Event> {
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

    /// Every queued or held message, with its slab slot (None when held by a paused server).
    /// A rough size of everything but the server logs and the client history (which
    /// time-travel checkpoints store shared): queue, messages in flight, clients, state
    /// machines. Cheap; meant for budgets, not accounting to the byte.
    pub(crate) fn estimated_bytes_without_bulk(&self) -> usize {
        use std::mem::size_of;
        let in_flight_entries: usize = self
            .messages_in_flight()
            .map(|(_, e)| match &e.message {
                Message::AppendEntries(a) => a.entries.len(),
                _ => 0,
            })
            .sum();
        let held: usize = self.nodes.iter().map(|n| n.held.len()).sum();
        let kv: usize = self
            .nodes
            .iter()
            .map(|n| n.server.kv().data().len() + n.server.kv().sessions().len())
            .sum();
        let queued_clients: usize = self.clients.iter().map(|c| c.queue.len()).sum();
        size_of::<World>()
            + self.queue.len() * size_of::<Scheduled>()
            + (self.slab.items.len() + held) * size_of::<Option<Event>>()
            + in_flight_entries * (size_of::<crate::raft::LogEntry>() + 32)
            + self.nodes.len() * (size_of::<Node>() + 512)
            + kv * 96
            + self.clients.len() * size_of::<Client>()
            + queued_clients * 96
            + self.last.notes.len() * 64
    }

    fn messages_in_flight(&self) -> impl Iterator<Item = (Option<u32>, &Envelope)> {
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

    pub fn next_event_time(&self) -> Option<Micros> {
        self.queue.peek().map(|s| s.time)
    }

    fn node_index(&self, id: ServerId) -> usize {
        id.0 as usize - 1
    }

    /// The incarnation of `to` a message sent now is addressed to; None if `to` is down (a
    /// message to a crashed server is lost even if the server restarts before it arrives).
    fn incarnation_if_up(&self, to: ServerId) -> Option<u32> {
        let node = &self.nodes[self.node_index(to)];
        (node.status != ServerStatus::Crashed).then_some(node.incarnation)
    }

    /// Would something addressed to `incarnation` of `to` reach it now (crashes only; the
    /// network is asked apart)?
    fn reaches(&self, to: ServerId, incarnation: Option<u32>) -> bool {
        incarnation.is_some() && self.incarnation_if_up(to) == incarnation
    }

    // ---- timers ----

    fn reset_election_timer(&mut self, i: usize) {
        let duration = self.random_in(
            self.config.election_timeout_min,
            self.config.election_timeout_max,
        );
        let now = self.now;
        let deadline = now + duration;
        let node = &mut self.nodes[i];
        node.election_deadline = Some(deadline);
        node.election_started = Some(now);
        // Followers reset their timer on every AppendEntries: rather than queueing a new event
        // each time, keep the queued one if it fires no later than the new deadline.
        if node
            .election_queued
            .is_some_and(|queued| queued <= deadline)
        {
            return;
        }
        self.queue_election_timer(i, deadline);
    }

    fn queue_election_timer(&mut self, i: usize, at: Micros) {
        let node = &mut self.nodes[i];
        node.election_generation += 1;
        node.election_queued = Some(at);
        let (server, generation) = (node.server.id(), node.election_generation);
        self.schedule(at, Event::ElectionTimeout { server, generation });
    }

    fn stop_election_timer(&mut self, i: usize) {
        let node = &mut self.nodes[i];
        node.election_generation += 1;
        node.election_queued = None;
        node.election_deadline = None;
        node.election_started = None;
    }

    /// (deadline, node index) of every election timer that is running (up servers that are
    /// not leaders), earliest first.
    fn running_election_timers(&self) -> Vec<(Micros, usize)> {
        let mut timers: Vec<(Micros, usize)> = self
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.status == ServerStatus::Up)
            .filter_map(|(i, n)| n.election_deadline.map(|d| (d, i)))
            .collect();
        insertion_sort(&mut timers, |t| *t);
        timers
    }

    /// A user moved server `i`'s election timer: it now fires at `at` (when it was started
    /// stays, so the drawn timer shows the change).
    fn move_election_timer(&mut self, i: usize, at: Micros) {
        self.nodes[i].election_deadline = Some(at);
        self.queue_election_timer(i, at);
    }

    fn arm_heartbeat(&mut self, i: usize, after: Micros) {
        let due = self.now + after;
        let node = &mut self.nodes[i];
        node.heartbeat_generation += 1;
        node.heartbeat_due = Some(due);
        let (server, generation) = (node.server.id(), node.heartbeat_generation);
        self.schedule(due, Event::Heartbeat { server, generation });
    }

    // ---- driving a server ----

    fn new_version(&mut self) -> u64 {
        self.next_version += 1;
        self.next_version - 1
    }

    /// Feeds one input to server `i` and carries out what it asks for.
    fn drive(&mut self, i: usize, input: Input) {
        let restart = matches!(input, Input::Restart);
        self.nodes[i].server.step(input, &mut self.out);
        if let Some(from) = self.out.log_written_from {
            let version = self.new_version();
            let node = &mut self.nodes[i];
            let offset = from.0.saturating_sub(node.server.log_start().0) as usize;
            node.log_unchanged = node.log_unchanged.min(offset);
            node.log_version = version;
        }
        if restart || !self.out.applied.is_empty() {
            // A restart starts the store again from empty; applying may change it.
            self.nodes[i].kv_version = self.new_version();
        }
        let from = self.nodes[i].server.id();
        if self.out.reset_election_timer {
            self.reset_election_timer(i);
        }
        if self.out.stop_election_timer {
            self.stop_election_timer(i);
        }
        if self.out.arm_heartbeat {
            self.arm_heartbeat(i, self.config.heartbeat_interval);
        } else if self.nodes[i].server.role() != Role::Leader {
            self.nodes[i].heartbeat_due = None;
        }
        let mut messages = std::mem::take(&mut self.out.messages);
        for (to, message) in messages.drain(..) {
            self.send(from, to, message);
        }
        self.out.messages = messages;
        let mut replies = std::mem::take(&mut self.out.client_replies);
        for reply in replies.drain(..) {
            let at = self.now + self.latency();
            self.schedule(
                at,
                Event::ClientReply {
                    client: reply.client,
                    seq: reply.seq,
                    from,
                    result: reply.result,
                    index: reply.index,
                    sent_at: self.now,
                    arrive_at: at,
                },
            );
        }
        self.out.client_replies = replies;
        if self.narrate {
            self.last.notes.extend_from_slice(&self.out.notes);
        }
    }

    fn send(&mut self, from: ServerId, to: ServerId, message: Message) {
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

    fn put_on_wire(
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

    // ---- processing one event ----

    fn begin(&mut self, server: Option<ServerId>, kind: TraceKind) {
        self.steps += 1;
        self.last.seq = self.steps;
        self.last.time = self.now;
        self.last.server = server;
        self.last.kind = kind;
        self.last.notes.clear();
        self.out.clear();
    }

    /// Processes the next queued event due at or before `limit`, if any; `self.last` narrates
    /// it. Cancelled timers met on the way are discarded silently (they are not events).
    pub fn step_until(&mut self, limit: Micros) -> bool {
        while let Some(head) = self.queue.peek() {
            if head.time > limit {
                return false;
            }
            let Some(Scheduled { time, item, .. }) = self.queue.pop() else {
                break;
            };
            self.now = self.now.max(time);
            let Some(event) = self.unqueue(item) else {
                continue;
            };
            if self.process(event) {
                self.events += 1;
                self.settle_head();
                return true;
            }
        }
        false
    }

    /// Makes the head of the queue a real event: drops cancelled timers and moves deferred
    /// election timers to their deadline, so `next_event_time` is exact.
    pub fn settle_head(&mut self) {
        while let Some(head) = self.queue.peek() {
            let (time, item) = (head.time, head.item);
            match item {
                Queued::Payload(_) | Queued::ClientThink { .. } => return,
                Queued::ElectionTimeout { server, generation } => {
                    let i = self.node_index(server);
                    let node = &self.nodes[i];
                    let live =
                        node.election_generation == generation && node.status == ServerStatus::Up;
                    match node.election_deadline {
                        Some(deadline) if live && deadline <= time => return,
                        Some(deadline) if live => {
                            self.queue.pop();
                            self.queue_election_timer(i, deadline);
                        }
                        _ => {
                            self.queue.pop();
                        }
                    }
                }
                Queued::Heartbeat { server, generation } => {
                    let node = &self.nodes[self.node_index(server)];
                    if node.heartbeat_generation == generation
                        && node.status == ServerStatus::Up
                        && node.server.role() == Role::Leader
                    {
                        return;
                    }
                    self.queue.pop();
                }
                Queued::ClientTimeout { client, generation } => {
                    let client = &self.clients[client.0 as usize - 1];
                    if client.generation == generation && client.outstanding.is_some() {
                        return;
                    }
                    self.queue.pop();
                }
            }
        }
    }

    /// Returns false for cancelled timers (nothing happened).
    fn process(&mut self, event: Event) -> bool {
        match event {
            Event::Deliver(envelope) => self.deliver(envelope),
            Event::ElectionTimeout { server, generation } => {
                let i = self.node_index(server);
                let node = &mut self.nodes[i];
                if node.election_generation != generation || node.status != ServerStatus::Up {
                    return false;
                }
                node.election_queued = None;
                match node.election_deadline {
                    Some(deadline) if deadline <= self.now => {}
                    Some(deadline) => {
                        // The timer was reset since this event was queued: wait for the deadline.
                        self.queue_election_timer(i, deadline);
                        return false;
                    }
                    None => return false,
                }
                self.begin(Some(server), TraceKind::ElectionTimeout);
                self.nodes[i].election_deadline = None;
                self.drive(i, Input::ElectionTimeout);
            }
            Event::Heartbeat { server, generation } => {
                let i = self.node_index(server);
                let node = &self.nodes[i];
                if node.heartbeat_generation != generation
                    || node.status != ServerStatus::Up
                    || node.server.role() != Role::Leader
                {
                    return false;
                }
                self.begin(Some(server), TraceKind::HeartbeatTick);
                self.drive(i, Input::HeartbeatTick);
            }
            Event::ClientArrive {
                client,
                seq,
                to,
                command,
                incarnation,
                sent_at,
                arrive_at,
            } => {
                let i = self.node_index(to);
                let reaches = self.reaches(to, incarnation);
                match self.nodes[i].status {
                    ServerStatus::Up if reaches => {
                        self.begin(
                            Some(to),
                            TraceKind::ClientRequestArrived { client, seq, to },
                        );
                        self.drive(
                            i,
                            Input::ClientRequest {
                                client,
                                seq,
                                command,
                            },
                        );
                    }
                    ServerStatus::Paused if reaches => {
                        self.begin(None, TraceKind::ClientRequestHeld { client, seq, to });
                        let event = Event::ClientArrive {
                            client,
                            seq,
                            to,
                            command,
                            incarnation,
                            sent_at,
                            arrive_at,
                        };
                        self.nodes[i].held.push(event);
                    }
                    _ => self.begin(None, TraceKind::ClientRequestLost { client, seq, to }),
                }
            }
            Event::ClientReply {
                client,
                seq,
                from,
                result,
                index,
                ..
            } => self.client_reply(client, seq, from, result, index),
            Event::ClientTimeout { client, generation } => {
                let c = client.0 as usize - 1;
                let valid = self.clients[c].generation == generation
                    && self.clients[c].outstanding.is_some();
                if !valid {
                    return false;
                }
                let Some(outstanding) = self.clients[c].outstanding.as_mut() else {
                    return false;
                };
                outstanding.retries += 1;
                let (seq, last_target) = (outstanding.seq, outstanding.target);
                self.begin(None, TraceKind::ClientTimedOut { client, seq });
                self.clients[c].believed_leader = None;
                let next = self.next_server_after(last_target);
                self.send_request(c, next, 0);
            }
            Event::ClientThink { client } => {
                let command = self.random_command();
                let c = client.0 as usize - 1;
                let seq = self.clients[c].next_seq + 1;
                self.begin(None, TraceKind::ClientInvoked { client, seq });
                self.enqueue_request(c, command, None);
            }
        }
        true
    }

    fn deliver(&mut self, envelope: Envelope) {
        let (id, from, to) = (envelope.id, envelope.from, envelope.to);
        let summary = MessageSummary::of(&envelope.message);
        let i = self.node_index(to);
        let node = &self.nodes[i];
        let reason = if node.status == ServerStatus::Crashed {
            Some(LossReason::ReceiverDown)
        } else if envelope.incarnation.is_none() {
            Some(LossReason::ReceiverDownWhenSent)
        } else if Some(node.incarnation) != envelope.incarnation {
            Some(LossReason::ReceiverRestarted)
        } else if envelope.lost {
            Some(LossReason::Lost)
        } else if !self.network.connected(from, to) {
            Some(LossReason::Partitioned)
        } else {
            None
        };
        if let Some(reason) = reason {
            self.begin(
                None,
                TraceKind::Lost {
                    id,
                    from,
                    to,
                    message: summary,
                    reason,
                },
            );
            return;
        }
        if node.status == ServerStatus::Paused {
            self.begin(
                None,
                TraceKind::Held {
                    id,
                    from,
                    to,
                    message: summary,
                },
            );
            self.nodes[i].held.push(Event::Deliver(envelope));
            return;
        }
        self.begin(
            Some(to),
            TraceKind::Delivered {
                id,
                from,
                to,
                message: summary,
            },
        );
        self.drive(
            i,
            Input::Receive {
                from,
                message: envelope.message,
            },
        );
    }

    // ---- clients ----

    fn add_client(&mut self, auto: bool) -> ClientId {
        let id = ClientId(self.clients.len() as u32 + 1);
        self.clients.push(Client {
            id,
            auto,
            next_seq: 0,
            outstanding: None,
            queue: VecDeque::new(),
            believed_leader: None,
            generation: 0,
        });
        id
    }

    fn schedule_think(&mut self, client: ClientId) {
        let load = &self.config.load;
        let (min, max) = (load.think_time_min, load.think_time_max);
        let at = self.now + self.random_in(min, max);
        self.schedule(at, Event::ClientThink { client });
    }

    fn random_command(&mut self) -> Command {
        let keys = self.config.load.keys.max(1) as u64;
        let key = format!("k{}", self.rng.next_u64() % keys);
        match self.rng.next_u64() % 10 {
            0..=4 => {
                let value = format!("v{}", self.rng.next_u64() % 1000);
                Command::Set { key, value }
            }
            5..=8 => Command::Get { key },
            _ => Command::Del { key },
        }
    }

    /// Gives client `c` a new command (new seq); it starts at once if the client is idle.
    fn enqueue_request(
        &mut self,
        c: usize,
        command: Command,
        target: Option<ServerId>,
    ) -> (ClientId, u64) {
        let client = &mut self.clients[c];
        client.next_seq += 1;
        let seq = client.next_seq;
        client.queue.push_back((seq, command, target));
        let id = client.id;
        if client.outstanding.is_none() {
            self.start_next(c);
        }
        (id, seq)
    }

    fn start_next(&mut self, c: usize) {
        let Some((seq, command, pinned)) = self.clients[c].queue.pop_front() else {
            return;
        };
        let client = self.clients[c].id;
        let history_index = self.history.len();
        self.history.push(ClientOp {
            client,
            seq,
            command: command.clone(),
            invoked_at: self.now,
            returned_at: None,
            result: None,
            invoked_event: self.steps,
            returned_event: None,
            index: None,
            server: None,
        });
        self.history_version = self.new_version();
        let target = pinned
            .or(self.clients[c].believed_leader)
            .unwrap_or_else(|| {
                // Spread first contacts round robin by client id.
                ServerId(((client.0 - 1) % self.config.servers as u32) as u8 + 1)
            });
        self.clients[c].outstanding = Some(Outstanding {
            seq,
            command,
            target,
            redirects: 0,
            retries: 0,
            history_index,
        });
        self.send_request(c, target, 0);
    }

    fn next_server_after(&self, server: ServerId) -> ServerId {
        ServerId(server.0 % self.config.servers + 1)
    }

    /// Sends the outstanding request of client `c` to `to` after `delay`, and arms its timeout.
    fn send_request(&mut self, c: usize, to: ServerId, delay: Micros) {
        let latency = self.latency();
        let incarnation = self.incarnation_if_up(to);
        let timeout = self.config.client_timeout;
        let now = self.now;
        let client = &mut self.clients[c];
        let Some(outstanding) = client.outstanding.as_mut() else {
            return;
        };
        outstanding.target = to;
        client.generation += 1;
        let (id, generation, seq, command) = (
            client.id,
            client.generation,
            outstanding.seq,
            outstanding.command.clone(),
        );
        let arrive_at = now + delay + latency;
        self.schedule(
            arrive_at,
            Event::ClientArrive {
                client: id,
                seq,
                to,
                command,
                incarnation,
                sent_at: now + delay,
                arrive_at,
            },
        );
        self.schedule(
            now + delay + timeout,
            Event::ClientTimeout {
                client: id,
                generation,
            },
        );
    }

    fn client_reply(
        &mut self,
        client: ClientId,
        seq: u64,
        from: ServerId,
        result: ClientResult,
        index: Option<LogIndex>,
    ) {
        let c = client.0 as usize - 1;
        let current = self.clients[c]
            .outstanding
            .as_ref()
            .is_some_and(|o| o.seq == seq);
        self.begin(
            None,
            TraceKind::ClientReplyArrived {
                client,
                seq,
                from,
                reply: ReplySummary::of(&result),
                current,
            },
        );
        if !current {
            return;
        }
        match result {
            ClientResult::Ok(value) => {
                let Some(done) = self.clients[c].outstanding.take() else {
                    return;
                };
                self.history_unchanged = self.history_unchanged.min(done.history_index);
                let op = &mut self.history[done.history_index];
                op.returned_at = Some(self.now);
                op.returned_event = Some(self.steps);
                op.result = Some(value);
                op.index = index;
                op.server = Some(from);
                self.history_version = self.new_version();
                let client_state = &mut self.clients[c];
                client_state.generation += 1; // cancels the timeout
                client_state.believed_leader = Some(from);
                if !client_state.queue.is_empty() {
                    self.start_next(c);
                } else if client_state.auto {
                    self.schedule_think(client);
                }
            }
            ClientResult::NotLeader { leader_hint } => {
                let backoff = self.config.client_backoff;
                let Some(outstanding) = self.clients[c].outstanding.as_mut() else {
                    return;
                };
                outstanding.redirects += 1;
                match leader_hint.filter(|h| *h != from) {
                    Some(hint) => {
                        self.clients[c].believed_leader = Some(hint);
                        self.send_request(c, hint, 0);
                    }
                    None => {
                        self.clients[c].believed_leader = None;
                        let next = self.next_server_after(from);
                        self.send_request(c, next, backoff);
                    }
                }
            }
        }
    }

    // ---- actions ----

    fn check_server(&self, id: ServerId) -> Result<usize, ActionError> {
        if id.0 == 0 || id.0 > self.config.servers {
            return Err(ActionError::NoSuchServer {
                server: id,
                servers: self.config.servers,
            });
        }
        Ok(self.node_index(id))
    }

    fn check(&self, action: &Action) -> Result<(), ActionError> {
        let status_of = |id: ServerId| self.check_server(id).map(|i| self.nodes[i].status);
        let refuse_if =
            |refused: bool, error: ActionError| if refused { Err(error) } else { Ok(()) };
        match action {
            Action::Crash { server } => refuse_if(
                status_of(*server)? == ServerStatus::Crashed,
                ActionError::AlreadyCrashed(*server),
            ),
            Action::Restart { server } => refuse_if(
                status_of(*server)? != ServerStatus::Crashed,
                ActionError::NotCrashed(*server),
            ),
            Action::Timeout { server } | Action::Pause { server } => {
                let (server, status) = (*server, status_of(*server)?);
                let error = if matches!(action, Action::Timeout { .. }) {
                    ActionError::CannotTimeOut { server, status }
                } else {
                    ActionError::CannotPause { server, status }
                };
                refuse_if(status != ServerStatus::Up, error)
            }
            Action::Resume { server } => refuse_if(
                status_of(*server)? != ServerStatus::Paused,
                ActionError::NotPaused(*server),
            ),
            Action::Partition { groups } => {
                let mut seen = crate::raft::ServerSet::default();
                for id in groups.iter().flatten() {
                    self.check_server(*id)?;
                    if seen.contains(*id) {
                        return Err(ActionError::InTwoGroups(*id));
                    }
                    seen.insert(*id);
                }
                Ok(())
            }
            Action::Cut { from, to } => {
                self.check_server(*from)?;
                self.check_server(*to)?;
                refuse_if(from == to, ActionError::LinkToItself(*from))
            }
            Action::Heal => Ok(()),
            Action::SpreadTimers | Action::AlignTimers => refuse_if(
                self.running_election_timers().len() < 2,
                ActionError::TooFewElectionTimers,
            ),
            Action::SetLoss { probability } | Action::SetDuplication { probability } => {
                check_probability(*probability)
            }
            Action::SetLatency { min, max } => {
                check_range("latency", *min, *max)?;
                let load = &self.config.load;
                Ok(super::limits::check_time_advances(
                    load.clients,
                    load.think_time_max,
                    *max,
                )?)
            }
            Action::SetLossApart { requests, replies } => {
                check_probability(*requests)?;
                check_probability(*replies)
            }
            Action::SetLongDelays {
                probability,
                min,
                max,
            } => {
                check_probability(*probability)?;
                check_range("long delay", *min, *max)
            }
            Action::SetLink { from, to, settings } => {
                self.check_server(*from)?;
                self.check_server(*to)?;
                if from == to {
                    return Err(ActionError::LinkToItself(*from));
                }
                check_probability(settings.loss_probability)?;
                check_range("latency", settings.latency_min, settings.latency_max)
            }
            Action::ResetLinks => Ok(()),
            Action::DropMessage { id }
            | Action::DuplicateMessage { id }
            | Action::DelayMessage { id, .. } => refuse_if(
                self.find_message(*id).is_none(),
                ActionError::NotInFlight(*id),
            ),
            Action::ClientRequest { client, target, .. } => {
                if let Some(target) = target {
                    self.check_server(*target)?;
                }
                match client {
                    Some(c) if c.0 == 0 || c.0 > super::limits::MAX_CLIENT_ID => {
                        Err(ActionError::NoSuchClient { client: *c })
                    }
                    _ => Ok(()),
                }
            }
        }
    }

    fn find_message(&self, id: MessageId) -> Option<&Envelope> {
        self.messages_in_flight()
            .find(|(_, e)| e.id == id)
            .map(|(_, e)| e)
    }

    /// Applies a user action now. Nothing changes if it is refused.
    pub fn apply(&mut self, action: Action) -> Result<ActionOutcome, ActionError> {
        let outcome = self.apply_unsettled(action);
        self.settle_head();
        outcome
    }

    fn apply_unsettled(&mut self, action: Action) -> Result<ActionOutcome, ActionError> {
        self.check(&action)?;
        let server = action.server();
        self.begin(server, TraceKind::Action(action.clone()));
        let servers = self.config.servers;
        match action {
            Action::Crash { server } => {
                let i = self.node_index(server);
                let kv_version = self.new_version(); // the store is lost
                let node = &mut self.nodes[i];
                node.server.crash();
                node.kv_version = kv_version;
                node.status = ServerStatus::Crashed;
                node.incarnation += 1;
                node.frozen = None;
                node.held.clear();
                node.heartbeat_generation += 1;
                node.heartbeat_due = None;
                self.stop_election_timer(i);
            }
            Action::Restart { server } => {
                let i = self.node_index(server);
                self.nodes[i].status = ServerStatus::Up;
                self.drive(i, Input::Restart);
            }
            Action::Timeout { server } => {
                let i = self.node_index(server);
                if self.nodes[i].server.role() != Role::Leader {
                    self.stop_election_timer(i);
                }
                self.drive(i, Input::ElectionTimeout);
            }
            Action::Pause { server } => {
                let now = self.now;
                let i = self.node_index(server);
                let node = &mut self.nodes[i];
                node.frozen = Some(Frozen {
                    paused_at: now,
                    election_remaining: node.election_deadline.map(|d| d.saturating_sub(now)),
                    heartbeat_remaining: node.heartbeat_due.map(|d| d.saturating_sub(now)),
                });
                node.status = ServerStatus::Paused;
                node.election_generation += 1;
                node.election_queued = None;
                node.heartbeat_generation += 1;
            }
            Action::Resume { server } => {
                let i = self.node_index(server);
                let now = self.now;
                let node = &mut self.nodes[i];
                node.status = ServerStatus::Up;
                let frozen = node.frozen.take();
                let held = std::mem::take(&mut node.held);
                if let Some(frozen) = frozen {
                    if let Some(remaining) = frozen.election_remaining {
                        let node = &mut self.nodes[i];
                        node.election_deadline = Some(now + remaining);
                        node.election_started =
                            node.election_started.map(|s| s + (now - frozen.paused_at));
                        self.queue_election_timer(i, now + remaining);
                    }
                    if let Some(remaining) = frozen.heartbeat_remaining {
                        self.arm_heartbeat(i, remaining);
                    }
                }
                for event in held {
                    self.schedule(now, event);
                }
            }
            Action::Partition { groups } => self.network.set_partition(groups, servers),
            Action::Cut { from, to } => self.network.cut(from, to, servers),
            Action::Heal => self.network.heal(),
            Action::SetLoss { probability } => {
                self.network.request_loss = probability;
                self.network.reply_loss = probability;
            }
            Action::SetDuplication { probability } => {
                self.network.duplicate_probability = probability
            }
            Action::SetLatency { min, max } => {
                self.network.latency_min = min;
                self.network.latency_max = max;
            }
            Action::SetLossApart { requests, replies } => {
                self.network.request_loss = requests;
                self.network.reply_loss = replies;
            }
            Action::SetLongDelays {
                probability,
                min,
                max,
            } => {
                self.network.long_delays = LongDelays {
                    probability,
                    min,
                    max,
                }
            }
            Action::SetLink { from, to, settings } => {
                self.network.set_link(from, to, Some(settings))
            }
            Action::ResetLinks => self.network.reset_links(),
            Action::SpreadTimers => {
                // Each timer at least one maximum latency after the previous one: the first
                // candidate's RequestVote arrives (and resets the voter's timer) in time.
                let gap = self.network.latency_max.max(1);
                let mut previous: Option<Micros> = None;
                for (deadline, i) in self.running_election_timers() {
                    let at = previous.map_or(deadline, |p| deadline.max(p + gap));
                    if at != deadline {
                        self.move_election_timer(i, at);
                    }
                    previous = Some(at);
                }
            }
            Action::AlignTimers => {
                let timers = self.running_election_timers();
                let earliest = timers[0].0;
                for (deadline, i) in timers {
                    if deadline != earliest {
                        self.move_election_timer(i, earliest);
                    }
                }
            }
            Action::DropMessage { id } => self.edit_message(id, |env| env.lost = true),
            Action::DuplicateMessage { id } => {
                if let Some(original) = self.find_message(id).cloned() {
                    self.put_on_wire(
                        original.from,
                        original.to,
                        original.message,
                        false,
                        original.incarnation,
                        Ask::Hook,
                    );
                }
            }
            Action::DelayMessage { id, by } => self.edit_message(id, |env| {
                env.deliver_at = env.deliver_at.saturating_add(by.min(MAX_DURATION))
            }),
            Action::ClientRequest {
                client,
                command,
                target,
            } => {
                let c = match client {
                    Some(id) => {
                        while self.clients.len() < id.0 as usize {
                            self.add_client(false);
                        }
                        id.0 as usize - 1
                    }
                    None => match self
                        .clients
                        .iter()
                        .position(|c| !c.auto && c.outstanding.is_none() && c.queue.is_empty())
                    {
                        Some(c) => c,
                        None => self.add_client(false).0 as usize - 1,
                    },
                };
                let (client, seq) = self.enqueue_request(c, command, target);
                return Ok(ActionOutcome::ClientRequest { client, seq });
            }
        }
        Ok(ActionOutcome::Done)
    }

    /// Changes one in-flight message; its queue position follows its (new) delivery time.
    fn edit_message(&mut self, id: MessageId, edit: impl Fn(&mut Envelope)) {
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

    // ---- the picture ----

    fn server_view(&self, node: &Node, cached: &mut CachedParts, index: usize) -> ServerView {
        let server = &node.server;
        let role = server.role();
        let (election_deadline, election_started) = match (&node.frozen, node.status) {
            (_, ServerStatus::Crashed) => (None, None),
            (Some(frozen), _) => (
                frozen.election_remaining.map(|r| self.now + r),
                node.election_started
                    .map(|s| s + (self.now - frozen.paused_at)),
            ),
            (None, _) => (node.election_deadline, node.election_started),
        };
        ServerView {
            id: server.id(),
            status: node.status,
            role,
            current_term: server.current_term(),
            voted_for: server.voted_for(),
            log: cached
                .log(index)
                .get(node.log_version, || server.log_entries().to_vec()),
            log_start: server.log_start(),
            commit_index: server.commit_index(),
            last_applied: server.last_applied(),
            progress: if role == Role::Leader {
                server
                    .progress()
                    .iter()
                    .map(|p| FollowerProgress {
                        follower: p.follower,
                        next_index: p.next_index,
                        match_index: p.match_index,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            votes_granted: if role == Role::Candidate {
                server.votes().iter().collect()
            } else {
                Vec::new()
            },
            leader_hint: server.leader_hint(),
            election_deadline,
            election_timer_started: election_started,
            kv: cached
                .kv(index)
                .get(node.kv_version, || server.kv().data().clone()),
        }
    }

    /// The picture of the world. Logs, stores, the history and message contents are shared
    /// with the previous picture taken with the same `cache` where they did not change.
    pub fn view(&self, cache: &ViewCache) -> ClusterView {
        let mut cached = cache.parts.borrow_mut();
        let mut envelopes: Vec<&Envelope> = self.messages_in_flight().map(|(_, e)| e).collect();
        insertion_sort(&mut envelopes, |e| e.id); // ids are unique; tens of messages
        let contents = cached.messages(envelopes.iter().map(|e| (e.id, &e.message)));
        let messages = envelopes
            .iter()
            .zip(contents)
            .map(|(envelope, message)| self.message_view(envelope, message))
            .collect();
        ClusterView {
            now: self.now,
            servers: self
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| self.server_view(n, &mut cached, i))
                .collect(),
            messages,
            network: self.network.view(),
            clients: self
                .clients
                .iter()
                .map(|c| ClientView {
                    id: c.id,
                    outstanding: c
                        .outstanding
                        .as_ref()
                        .map(|o| (o.seq, o.command.clone(), o.target)),
                    redirects: c.outstanding.as_ref().map_or(0, |o| o.redirects),
                    retries: c.outstanding.as_ref().map_or(0, |o| o.retries),
                })
                .collect(),
            client_traffic: self.client_traffic(),
            history: cached
                .history
                .get(self.history_version, || self.history.clone()),
        }
    }

    /// Client requests and replies on their way (requests held by a paused server included),
    /// oldest first.
    pub fn client_traffic(&self) -> Vec<ClientTrafficView> {
        let held = self.nodes.iter().flat_map(|n| n.held.iter());
        let mut traffic: Vec<ClientTrafficView> = self
            .slab
            .iter()
            .map(|(_, e)| e)
            .chain(held)
            .filter_map(|event| match event {
                Event::ClientArrive {
                    client,
                    seq,
                    to,
                    command,
                    incarnation,
                    sent_at,
                    arrive_at,
                } => Some(ClientTrafficView {
                    client: *client,
                    seq: *seq,
                    server: *to,
                    sent_at: *sent_at,
                    arrive_at: *arrive_at,
                    what: ClientTraffic::Request(command.clone()),
                    doomed: !self.reaches(*to, *incarnation),
                }),
                Event::ClientReply {
                    client,
                    seq,
                    from,
                    result,
                    sent_at,
                    arrive_at,
                    ..
                } => Some(ClientTrafficView {
                    client: *client,
                    seq: *seq,
                    server: *from,
                    sent_at: *sent_at,
                    arrive_at: *arrive_at,
                    what: ClientTraffic::Reply(result.clone()),
                    doomed: false,
                }),
                _ => None,
            })
            .collect();
        // Keys are unique (a request and its reply never share a send time and server).
        insertion_sort(&mut traffic, |t| {
            let reply = matches!(t.what, ClientTraffic::Reply(_));
            (t.sent_at, t.client, t.seq, t.server, reply)
        });
        traffic
    }

    fn message_view(&self, envelope: &Envelope, message: Arc<Message>) -> MessageView {
        let doomed = envelope.lost
            || !self.reaches(envelope.to, envelope.incarnation)
            || !self.network.connected(envelope.from, envelope.to);
        MessageView {
            id: envelope.id,
            from: envelope.from,
            to: envelope.to,
            sent_at: envelope.sent_at,
            deliver_at: envelope.deliver_at,
            message,
            doomed,
        }
    }
}

/// Whether the send hook is asked about a message put on the wire (not about its own copies).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ask {
    Hook,
    Nobody,
}

fn is_reply(message: &Message) -> bool {
    matches!(
        message,
        Message::RequestVoteReply(_) | Message::AppendEntriesReply(_)
    )
}

fn check_probability(p: f64) -> Result<(), ActionError> {
    if (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(ActionError::Probability(p))
    }
}

/// A range of durations (`what`: "latency", "long delay") within `MAX_DURATION`.
fn check_range(what: &'static str, min: Micros, max: Micros) -> Result<(), ActionError> {
    if min > max {
        Err(ActionError::Range { what, min, max })
    } else if max > MAX_DURATION {
        Err(ActionError::TooLong { what, max })
    } else {
        Ok(())
    }
}

/// Sorts a few items (timers of ≤ 9 servers, messages and client traffic in flight: tens, once
/// per picture) by a unique key. Not
/// the standard sort: each of its instantiations adds kilobytes to the page's wasm.
fn insertion_sort<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && key(&items[j - 1]) > key(&items[j]) {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

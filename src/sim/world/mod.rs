//! The deterministic world: servers, timers, network, clients, one event queue, one RNG.
//!
//! `World` is everything that evolves; it is `Clone`, which is what time-travel checkpoints
//! are made of. The `Sim` (sim/mod.rs) wraps it with the trace buffer and the timeline.
//!
//! This file holds the `World`, its randomness and the step loop (one queued event processed,
//! the server it concerns driven); each other job has its own file:
//! - `queue.rs`: the event queue and the payload slab;
//! - `messages.rs`: Raft messages on the wire and in flight;
//! - `timers.rs`: election timers and heartbeats;
//! - `clients.rs`: clients and their requests;
//! - `actions.rs`: user actions, checked then applied;
//! - `picture.rs`: the picture of the world (`ClusterView`).

mod actions;
mod clients;
mod messages;
mod picture;
mod queue;
mod timers;

use super::config::SimConfig;
use super::hook::SendHook;
use super::network::Network;
use super::trace::{LossReason, MessageSummary, TraceEvent, TraceKind};
use super::view::*;
use crate::raft::{Input, Message, Output, Role, Server, ServerId, ServerSet};
use clients::Client;
use messages::Envelope;
use queue::{Event, Queued, Scheduled, Slab};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use std::collections::BinaryHeap;
use timers::Frozen;

/// Longest latency or delay accepted (one minute, `limits::MAX_TIMER`), so time arithmetic
/// cannot overflow.
use super::limits::MAX_TIMER as MAX_DURATION;

/// Clock drift with the `unbounded_clock_drift` knob: clocks run at 10%..190% speed.
const UNBOUNDED_CLOCK_DRIFT_PPM: i64 = 900_000;

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
    /// How fast this server's clock runs, in parts per million away from simulated time
    /// (`SimConfig::max_clock_drift_ppm`); only lease reads look at clocks.
    pub clock_drift_ppm: i64,
}

impl Node {
    /// A server that is up, with no timer running yet.
    fn new(server: Server) -> Self {
        Node {
            server,
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
            clock_drift_ppm: 0,
        }
    }
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
    /// §6: the servers drawn on the ring after the last step, and its latest changes, for the
    /// picture to animate (`note_ring`). In the world, not in the `Sim`, so that checkpoints
    /// carry them and a rewind shows the same animation again.
    ring: ServerSet,
    ring_changes: Vec<RingChange>,
    /// A membership change has been asked for (AddServer, RemoveServer). Until then every
    /// server is a voter of the initial configuration, so the ring is all of them and the step
    /// loop spares itself looking (million-event fuzz runs).
    membership_asked: bool,
    /// The servers crashed now, as of the last action (only actions change a status).
    crashed: ServerSet,
}

impl World {
    pub fn new(config: SimConfig) -> Self {
        let ids: Vec<ServerId> = (1..=config.servers).map(ServerId).collect();
        let nodes = ids
            .iter()
            .map(|&id| {
                let mut server = Server::new(id, ids.clone(), config.raft.clone());
                server.set_election_timeout_min(config.election_timeout_min);
                Node::new(server)
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
            ring: ServerSet::default(),
            ring_changes: Vec::new(),
            membership_asked: false,
            crashed: ServerSet::default(),
        };
        world.ring = world.ring();
        world.draw_clock_drifts();
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

    // Randomness: the world's one RNG, seeded from the config; uniform ranges and chances are
    // drawn here from its raw output (no `rand` crate), so a seed's run is fixed by this code.

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

    /// Each server's clock drift, drawn uniformly within the configured bound; with the
    /// `unbounded_clock_drift` knob each clock runs at 10% or at 190% of the real speed.
    /// Nothing is drawn when clocks are exact, so runs without drift keep their random
    /// sequence.
    fn draw_clock_drifts(&mut self) {
        let unbounded = self.config.raft.knobs.unbounded_clock_drift;
        let max = u64::from(self.config.max_clock_drift_ppm);
        if max == 0 && !unbounded {
            return;
        }
        for i in 0..self.nodes.len() {
            self.draw_clock_drift(i);
        }
    }

    /// Server `i`'s clock drift (see `draw_clock_drifts`); nothing drawn for exact clocks.
    fn draw_clock_drift(&mut self, i: usize) {
        let unbounded = self.config.raft.knobs.unbounded_clock_drift;
        let max = u64::from(self.config.max_clock_drift_ppm);
        if max == 0 && !unbounded {
            return;
        }
        let drift = if unbounded {
            if self.chance(0.5) {
                UNBOUNDED_CLOCK_DRIFT_PPM
            } else {
                -UNBOUNDED_CLOCK_DRIFT_PPM
            }
        } else {
            self.random_in(0, 2 * max) as i64 - max as i64
        };
        self.nodes[i].clock_drift_ppm = drift;
    }

    /// How many servers the world has run so far (S1..Sn; §6 adds servers, ids are never
    /// reused, a removed server stays in the world).
    pub fn server_count(&self) -> u8 {
        self.nodes.len() as u8
    }

    /// What server `i`'s own clock reads now.
    fn local_clock(&self, i: usize) -> u64 {
        // Drift is at most ±90% (`MAX_CLOCK_DRIFT_PPM`): clocks never stop or run backwards.
        let rate = 1_000_000 + i128::from(self.nodes[i].clock_drift_ppm.clamp(-900_000, 900_000));
        (i128::from(self.now) * rate / 1_000_000) as u64
    }

    fn latency(&mut self) -> Micros {
        self.random_in(self.network.latency_min, self.network.latency_max)
    }

    /// A rough size of everything but the server logs and the client history (which
    /// time-travel checkpoints store shared): queue, messages in flight, clients, state
    /// machines. Cheap; meant for budgets, not accounting to the byte.
    pub(crate) fn estimated_bytes_without_bulk(&self) -> usize {
        use std::mem::size_of;
        let in_flight_entries: usize = self
            .messages_in_flight()
            .map(|(_, e)| match &e.message {
                Message::AppendEntries(a) => a.entries.len(),
                // Snapshot chunks: counted in entries of roughly their size.
                Message::InstallSnapshot(s) => s.data.len() / 64,
                _ => 0,
            })
            .sum();
        let held: usize = self.nodes.iter().map(|n| n.held.len()).sum();
        let kv: usize = self
            .nodes
            .iter()
            .map(|n| {
                let snapshot = n.server.snapshot().map_or(0, |s| s.data.len() / 96);
                n.server.kv().data().len() + n.server.kv().sessions().len() + snapshot
            })
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

    fn new_version(&mut self) -> u64 {
        self.next_version += 1;
        self.next_version - 1
    }

    /// Feeds one input to server `i` and carries out what it asks for.
    fn drive(&mut self, i: usize, input: Input) {
        let restart = matches!(input, Input::Restart);
        let clock = self.local_clock(i);
        self.nodes[i].server.set_clock(clock);
        self.nodes[i].server.step(input, &mut self.out);
        if let Some(from) = self.out.log_written_from {
            let version = self.new_version();
            let node = &mut self.nodes[i];
            let offset = from.0.saturating_sub(node.server.log_start().0) as usize;
            node.log_unchanged = node.log_unchanged.min(offset);
            node.log_version = version;
        }
        if self.out.snapshot_changed {
            // §7: the log lost its prefix (positions moved) or the store came from a snapshot.
            let version = self.new_version();
            let node = &mut self.nodes[i];
            node.log_unchanged = 0;
            node.log_version = version;
        }
        if restart || !self.out.applied.is_empty() || self.out.snapshot_changed {
            // A restart starts the store again from empty (or its snapshot); applying or
            // installing a snapshot may change it.
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
                // An event changes no server's status, and only a crashed server can be off
                // the ring: with none crashed, the ring stays as the last action left it.
                debug_assert_eq!(
                    self.crashed,
                    self.crashed_now(),
                    "a status changed outside apply"
                );
                if !self.crashed.is_empty() {
                    self.note_ring();
                }
                return true;
            }
        }
        false
    }

    /// §6: after a step, records a change of the servers drawn on the ring (the time and the
    /// ring before), keeping the latest `RECENT_RING_CHANGES`.
    fn note_ring(&mut self) {
        if !self.membership_asked {
            return;
        }
        let ring = self.ring();
        if ring == self.ring {
            return;
        }
        match self.ring_changes.last() {
            // Changes at one instant (a removed server crashed and restarted while paused) are
            // one change: nothing moved in between, so the picture starts from the ring before
            // the first of them, and back at that ring there is no change at all. Kept apart,
            // a burst of them would push out the one whose `before` the picture starts from.
            Some(last) if last.at == self.now => {
                if ring == last.before {
                    self.ring_changes.pop();
                }
            }
            _ => {
                if self.ring_changes.len() == RECENT_RING_CHANGES {
                    self.ring_changes.remove(0);
                }
                self.ring_changes.push(RingChange {
                    at: self.now,
                    before: self.ring,
                });
            }
        }
        self.ring = ring;
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
}

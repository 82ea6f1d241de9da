//! Time travel: the action log plus checkpoints of the world.
//!
//! The world is deterministic, so (checkpoint, the actions applied after it, each at the
//! position where it was applied) rebuilds any later instant exactly. Checkpoints are taken
//! every `checkpoint_interval` of simulated time and thinned out when there are too many or
//! they hold more than `time_travel_budget_bytes` (every other old one is dropped and the
//! interval doubled; the first, at time 0, is always kept). Server logs and the client
//! history, which grow with the run, are stored in immutable chunks shared between
//! checkpoints, so a checkpoint costs what changed since the previous one plus a table of
//! pointers, and the memory held does not depend on how long the run is.

use super::action::{Action, ActionError};
use super::view::{ClientOp, Micros};
use super::world::World;
use crate::raft::{Command, EntryPayload, LogEntry};
use std::collections::HashSet;
use std::mem::size_of;
use std::sync::Arc;

/// One action as it was applied: at simulated `time`, after `after_events` queue events.
/// (Serde, so a permalink can carry the exact log: see `Sim::replay`.)
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RecordedAction {
    pub time: Micros,
    pub after_events: u64,
    pub action: Action,
}

/// Where the world stands from the next recorded action's place (`Timeline::next_place`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// The world is at it: the action is applied at its time.
    Here,
    /// The world gets there by processing events first.
    Ahead,
    /// The world has passed it, or will by the time it reaches the action's time (its count
    /// of events comes only after that time): it never comes.
    Passed,
}

/// A recorded action the world refused when replay reached it (`Sim::refused_actions`):
/// `index` in `Sim::actions()`, and why. Only a log from outside holds one (a hand-made link
/// or handover): the simulator records only actions the world took.
#[derive(Clone, Debug, PartialEq)]
pub struct Refused {
    pub index: usize,
    pub error: ActionError,
}

/// How many items one shared chunk holds.
const CHUNK: usize = 256;

/// Rough memory an item holds, inline and on the heap (for the time-travel budget).
trait Weigh {
    fn weight(&self) -> usize;
}

fn string_weight(s: &str) -> usize {
    if s.is_empty() {
        0
    } else {
        s.len().next_multiple_of(8) + 16
    }
}

fn command_weight(command: &Command) -> usize {
    match command {
        Command::Set { key, value } => string_weight(key) + string_weight(value),
        Command::Get { key } | Command::Del { key } => string_weight(key),
    }
}

impl Weigh for LogEntry {
    fn weight(&self) -> usize {
        size_of::<LogEntry>()
            + match &self.payload {
                EntryPayload::Noop | EntryPayload::Config { .. } => 0,
                EntryPayload::Client { command, .. } => command_weight(command),
            }
    }
}

impl Weigh for ClientOp {
    fn weight(&self) -> usize {
        size_of::<ClientOp>()
            + command_weight(&self.command)
            + self
                .result
                .iter()
                .flatten()
                .map(|s| string_weight(s))
                .sum::<usize>()
    }
}

/// An immutable run of items, shared between checkpoints (and between servers whose logs
/// agree).
#[derive(Debug)]
struct Chunk<T> {
    items: Box<[T]>,
    weight: usize,
}

/// A sequence stored as shared chunks: checkpoints of a long run mostly hold the same log
/// prefixes and the same client history, so a new checkpoint only copies what changed.
#[derive(Clone, Debug)]
struct Shared<T> {
    chunks: Vec<Arc<Chunk<T>>>,
    len: usize,
}

impl<T: Clone + PartialEq + Weigh> Shared<T> {
    /// `items`, sharing the chunks of `previous` (the same sequence at an earlier
    /// checkpoint) that lie wholly within the first `unchanged` items, and reusing any chunk of
    /// `previous` or `others` (at the same position) that holds the same items.
    fn new(
        items: &[T],
        unchanged: usize,
        previous: Option<&Shared<T>>,
        others: &[&Shared<T>],
    ) -> Self {
        let chunks = items
            .chunks(CHUNK)
            .enumerate()
            .map(|(i, part)| {
                let earlier = previous.and_then(|p| p.chunks.get(i));
                if let Some(chunk) = earlier {
                    if (i + 1) * CHUNK <= unchanged && chunk.items.len() == CHUNK {
                        return chunk.clone();
                    }
                }
                earlier
                    .into_iter()
                    .chain(others.iter().filter_map(|c| c.chunks.get(i)))
                    .find(|c| *c.items == *part)
                    .cloned()
                    .unwrap_or_else(|| {
                        Arc::new(Chunk {
                            weight: size_of::<Chunk<T>>()
                                + 16
                                + part.iter().map(Weigh::weight).sum::<usize>(),
                            items: part.into(),
                        })
                    })
            })
            .collect();
        Shared {
            chunks,
            len: items.len(),
        }
    }

    fn to_vec(&self) -> Vec<T> {
        let mut items = Vec::with_capacity(self.len);
        for chunk in &self.chunks {
            items.extend_from_slice(&chunk.items);
        }
        items
    }
}

/// The world at one instant. The server logs and the client history (what grows with the
/// run) are kept apart, in shared chunks; the rest of the world is small and cloned whole.
#[derive(Clone, Debug)]
pub(crate) struct Checkpoint {
    /// The world with empty logs and history.
    skeleton: World,
    logs: Vec<Shared<LogEntry>>,
    history: Shared<ClientOp>,
    /// Estimated bytes of `skeleton` and of the chunk tables (not of the chunks).
    own_bytes: usize,
    /// Unique within a timeline.
    id: u64,
    /// How many recorded actions had been applied.
    pub actions_applied: usize,
}

impl Checkpoint {
    /// A checkpoint of `world` (only borrowed mutably to move its logs out and back), sharing
    /// chunks with `previous` where they agree. Where the world knows what is unchanged since
    /// `previous` (it was marked by `mark`), that is shared without comparing.
    fn take(
        world: &mut World,
        id: u64,
        actions_applied: usize,
        previous: Option<&Checkpoint>,
    ) -> Self {
        let marked = previous.is_some_and(|p| world.checkpoint_mark == Some(p.id));
        let unchanged: Vec<usize> = world
            .nodes
            .iter()
            .map(|n| {
                if marked {
                    n.log_unchanged.min(n.server.log().len())
                } else {
                    0
                }
            })
            .collect();
        let history_unchanged = if marked { world.history_unchanged } else { 0 };
        let entries: Vec<Vec<LogEntry>> = world
            .nodes
            .iter_mut()
            .map(|n| n.server.log_mut().take_entries())
            .collect();
        let history = std::mem::take(&mut world.history);
        let skeleton = world.clone();

        let mut logs: Vec<Shared<LogEntry>> = Vec::with_capacity(entries.len());
        for (i, server_entries) in entries.iter().enumerate() {
            let shared = {
                // Servers already done are candidates too: their logs mostly agree.
                let others: Vec<&Shared<LogEntry>> = logs.iter().rev().collect();
                Shared::new(
                    server_entries,
                    unchanged[i],
                    previous.and_then(|p| p.logs.get(i)),
                    &others,
                )
            };
            logs.push(shared);
        }
        let history_shared = Shared::new(
            &history,
            history_unchanged,
            previous.map(|p| &p.history),
            &[],
        );

        for (node, server_entries) in world.nodes.iter_mut().zip(entries) {
            node.server.log_mut().set_entries(server_entries);
            node.log_unchanged = 0;
        }
        world.history = history;

        let tables: usize =
            logs.iter().map(|l| l.chunks.len()).sum::<usize>() + history_shared.chunks.len();
        Checkpoint {
            own_bytes: size_of::<Checkpoint>()
                + skeleton.estimated_bytes_without_bulk()
                + tables * size_of::<Arc<Chunk<LogEntry>>>(),
            skeleton,
            logs,
            history: history_shared,
            id,
            actions_applied,
        }
    }

    /// `world` is now compared against this checkpoint: what stays unchanged from here on can
    /// be shared without comparing by the next one.
    fn mark(&self, world: &mut World) {
        for node in &mut world.nodes {
            node.log_unchanged = node.server.log().len();
        }
        world.history_unchanged = world.history.len();
        world.checkpoint_mark = Some(self.id);
    }

    pub fn now(&self) -> Micros {
        self.skeleton.now
    }

    pub fn events(&self) -> u64 {
        self.skeleton.events
    }

    /// The world as it was.
    pub fn restore(&self) -> World {
        let mut world = self.skeleton.clone();
        for (node, log) in world.nodes.iter_mut().zip(&self.logs) {
            node.server.log_mut().set_entries(log.to_vec());
            node.log_unchanged = 0;
        }
        world.history = self.history.to_vec();
        world.checkpoint_mark = None;
        world.history_unchanged = 0;
        world
    }
}

/// Estimated memory held by `checkpoints`, each shared chunk counted once.
fn bytes_of<'a>(checkpoints: impl IntoIterator<Item = &'a Checkpoint>) -> usize {
    let mut seen = HashSet::new();
    let mut total = 0;
    for c in checkpoints {
        total += c.own_bytes;
        for chunk in c.logs.iter().flat_map(|l| &l.chunks) {
            if seen.insert(Arc::as_ptr(chunk) as usize) {
                total += chunk.weight;
            }
        }
        for chunk in &c.history.chunks {
            if seen.insert(Arc::as_ptr(chunk) as usize) {
                total += chunk.weight;
            }
        }
    }
    total
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Timeline {
    pub actions: Vec<RecordedAction>,
    /// Actions `[..applied]` are part of the current world; the rest is the recorded future
    /// (after a rewind), replayed as time moves forward again.
    pub applied: usize,
    pub checkpoints: Vec<Checkpoint>,
    pub interval: Micros,
    pub max_checkpoints: usize,
    pub next_checkpoint_at: Micros,
    /// Checkpoints are kept under this many (estimated) bytes.
    pub budget: usize,
    /// Estimated bytes held by `checkpoints` (kept up to date).
    pub bytes: usize,
    next_id: u64,
}

impl Timeline {
    pub fn new(world: &mut World, interval: Micros, max_checkpoints: usize, budget: usize) -> Self {
        let mut timeline = Timeline {
            interval,
            max_checkpoints: max_checkpoints.max(2),
            next_checkpoint_at: interval,
            budget,
            ..Timeline::default()
        };
        if interval > 0 {
            let checkpoint = Checkpoint::take(world, 0, 0, None);
            checkpoint.mark(world);
            timeline.checkpoints.push(checkpoint);
            timeline.next_id = 1;
            timeline.bytes = bytes_of(&timeline.checkpoints);
        }
        timeline
    }

    pub fn enabled(&self) -> bool {
        self.interval > 0
    }

    /// The next recorded (future) action, and where the world stands from its place.
    ///
    /// An action was applied at a place in the run: at its `time`, after exactly
    /// `after_events` queue events, the last of them at or before `time` and the next at or
    /// after it. A log this simulator recorded meets its places exactly on replay; one from
    /// outside (a hand-made link or handover) may name a place the world never reaches: more
    /// events processed than it says, or its count reached only after its time (the
    /// world is past it), or its count reached with events still due before its time (the
    /// world goes on, and passes it).
    pub fn next_place(&self, world: &World) -> Option<(&RecordedAction, Place)> {
        let action = self.actions.get(self.applied)?;
        let head = world.next_event_time();
        let place = match action.after_events.cmp(&world.events) {
            std::cmp::Ordering::Less => Place::Passed,
            std::cmp::Ordering::Equal if world.now > action.time => Place::Passed,
            std::cmp::Ordering::Equal if head.is_some_and(|t| t < action.time) => Place::Ahead,
            std::cmp::Ordering::Equal => Place::Here,
            // Its count comes only with events after its time (or never: none are left).
            std::cmp::Ordering::Greater if head.is_none_or(|t| t > action.time) => Place::Passed,
            std::cmp::Ordering::Greater => Place::Ahead,
        };
        Some((action, place))
    }

    /// Called after every step: takes a checkpoint when one is due, then keeps the
    /// checkpoints under `max_checkpoints` and the byte budget (every other one dropped, the
    /// first and the newest kept; over budget, the interval doubles so that the checkpoints
    /// stay spread over the whole run).
    pub fn maybe_checkpoint(&mut self, world: &mut World) {
        if !self.enabled() || world.now < self.next_checkpoint_at {
            return;
        }
        self.next_checkpoint_at = world.now + self.interval;
        // After a rewind the recorded future may already hold checkpoints past this point.
        if self
            .checkpoints
            .last()
            .is_some_and(|c| c.events() >= world.events)
        {
            return;
        }
        let id = self.next_id;
        self.next_id += 1;
        let checkpoint = Checkpoint::take(world, id, self.applied, self.checkpoints.last());
        // A world too big for the budget (with the initial checkpoint, always kept) is not
        // checkpointed: rewinds replay from an earlier checkpoint. Try less often.
        if bytes_of(self.checkpoints.first().into_iter().chain([&checkpoint])) > self.budget {
            world.checkpoint_mark = None;
            self.interval = self.interval.saturating_mul(2);
            self.next_checkpoint_at = world.now + self.interval;
            return;
        }
        checkpoint.mark(world);
        self.checkpoints.push(checkpoint);
        self.bytes = bytes_of(&self.checkpoints);
        while self.checkpoints.len() > 2
            && (self.checkpoints.len() > self.max_checkpoints || self.bytes > self.budget)
        {
            if self.bytes > self.budget {
                self.interval = self.interval.saturating_mul(2);
                self.next_checkpoint_at = world.now + self.interval;
            }
            let newest = self.checkpoints.len() - 1;
            let mut position = 0;
            self.checkpoints.retain(|_| {
                let keep = position == 0 || position == newest || position % 2 == 0;
                position += 1;
                keep
            });
            self.bytes = bytes_of(&self.checkpoints);
        }
    }

    /// A new action is applied to `world`: the recorded future is discarded (a fork).
    pub fn fork(&mut self, world: &World) {
        self.actions.truncate(self.applied);
        let applied = self.applied;
        self.checkpoints.retain(|c| {
            c.actions_applied <= applied && c.events() <= world.events && c.now() <= world.now
        });
        self.bytes = bytes_of(&self.checkpoints);
        self.next_checkpoint_at = self.checkpoints.last().map_or(0, |c| c.now()) + self.interval;
    }

    pub fn record(&mut self, time: Micros, after_events: u64, action: Action) {
        self.actions.push(RecordedAction {
            time,
            after_events,
            action,
        });
        self.applied = self.actions.len();
    }

    /// The latest checkpoint at or before `time` that has applied at most `actions` actions.
    pub fn checkpoint_before(&self, time: Micros, actions: usize) -> Option<&Checkpoint> {
        self.checkpoints
            .iter()
            .rev()
            .find(|c| c.now() <= time && c.actions_applied <= actions)
    }
}

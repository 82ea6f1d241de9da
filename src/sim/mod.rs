//! Layer 2: the deterministic world around the servers.
//!
//! `Sim` owns servers, their timers, the network, clients and one seeded RNG, and advances
//! virtual time event by event. Same `SimConfig` + same actions (at the same positions) =>
//! the same run, byte for byte.
//!
//! Driving: `Sim::new(SimConfig)`, then `step()` / `step_until(t)` / `run_until(t)` /
//! `run_for(d)` / `run_until_condition(deadline, f)`; act with `apply(Action)` (or the verbs
//! `crash`, `restart`, `timeout`, `pause`, `resume`, `partition`, `cut`, `heal`, `set_loss`,
//! `set_duplication`, `set_latency`, `drop_message`, `duplicate_message`, `delay_message`,
//! `client_request`, `client_request_as`, which panic on refusal; the network per link and by
//! message kind through `Action::SetLink`, `ResetLinks`, `SetLossApart`, `SetLongDelays`).
//! Client load for fuzzing: `SimConfig::load` (`ClientLoad::busy(n)`). A test of its own can
//! decide the fate of every message sent with `set_send_hook` (see `sim::hook`).
//!
//! Reading: `view()` (a `ClusterView`, cloned: for the UI and whole-cluster checks) or, cheaply
//! after every step, `server(id)` (borrowed `raft::Server` with getters), `status(id)`,
//! `is_up(id)`, `last_event()`, `last_touched()`, `history()`, `events_processed()`, `now()`.
//! Narration: `trace()` (bounded by `SimConfig::trace_capacity`; 0 = off) of `TraceEvent`s
//! with `explain()` and `section()`. What the last step applied: `just_applied()`.
//!
//! Watching: `watch(observer)` attaches an `Observer` the `Sim` calls after every step, however
//! it is driven (the safety `Checker`, `AppliedLog`); `observer::<T>()`, `unwatch::<T>()`.
//! Using all this from a test of your own: docs/LIBRARY.md.
//!
//! Time travel: `rewind_to(t)`, `actions()`, `actions_applied()`, `refused_actions()` (of a
//! replayed log from outside: skipped, never a panic), `disable_time_travel()`,
//! `time_travel_bytes()` and `checkpoint_count()` (held under
//! `SimConfig::time_travel_budget_bytes`).
//!
//! Semantics worth knowing:
//! - Random loss is decided when a message is sent (requests and replies apart, a link's loss
//!   on top, then the send hook); partitions, cut links and crashes when it arrives (a
//!   partition bites at once on messages in flight; healing in time saves them).
//!   `MessageView::doomed` tells which messages will be lost as things stand.
//! - A crashed server loses every message addressed to it that was sent before it restarted,
//!   including those sent while it was down.
//! - A paused server is frozen: messages and client requests that reach it wait and are
//!   delivered when it resumes; its timers stand still (they resume with the time remaining).
//! - Clients talk to servers over a reliable channel with the same latency range (they are
//!   outside the cluster: partitions do not apply to them); requests to a crashed server are
//!   lost and the client times out and retries with the same (client, seq), §8.

pub mod action;
pub mod config;
pub mod decimal;
pub mod history;
pub mod hook;
pub mod limits;
pub mod network;
pub mod observer;
pub mod trace;
pub mod view;
mod view_cache;
pub mod workload;
pub(crate) mod world;

pub use action::{Action, ActionError, ActionOutcome};
pub use config::{ClientLoad, ConfigError, SimConfig};
pub use decimal::Decimal;
pub use history::{RecordedAction, Refused};
pub use hook::{Fate, MessageInfo, SimRng};
pub use limits::LimitError;
pub use observer::{Applied, AppliedLog, Observer};
pub use trace::{LossReason, MessageKind, MessageSummary, ReplySummary, TraceEvent, TraceKind};
pub use view::*;

use crate::raft::{ClientId, Command, Role, Server, ServerId};
use history::{Place, Timeline};
use observer::Attached;
use std::collections::VecDeque;
use view_cache::ViewCache;
use world::World;

/// Why `Sim::replay` or `Sim::rewind_to` refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SimError {
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),
    /// Action `index` of the log comes before the one preceding it.
    #[error("recorded actions must be in the order they were applied (action {index} is not)")]
    ActionsOutOfOrder { index: usize },
    #[error("time travel is off for this simulation")]
    TimeTravelOff,
    #[error("no checkpoint at or before {time} µs")]
    NoCheckpoint { time: Micros },
}

/// The simulated cluster.
#[derive(Clone, Debug)]
pub struct Sim {
    world: World,
    timeline: Timeline,
    trace: VecDeque<TraceEvent>,
    trace_capacity: usize,
    /// What the last `view()` copied, shared by the next one where unchanged.
    view_cache: ViewCache,
    /// Called after every step (see `watch`).
    observers: Vec<Box<dyn Attached>>,
    /// Recorded actions the world refused when replay reached them (see `advance`).
    refused: Vec<Refused>,
}

impl Sim {
    /// A new world at time 0: all servers up, followers of term 0, election timers running.
    /// Panics on an invalid configuration; see `try_new`.
    pub fn new(config: SimConfig) -> Self {
        match Sim::try_new(config) {
            Ok(sim) => sim,
            Err(e) => panic!("invalid SimConfig: {e}"),
        }
    }

    pub fn try_new(config: SimConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let (capacity, interval, max, budget) = (
            config.trace_capacity,
            config.checkpoint_interval,
            config.max_checkpoints,
            config.time_travel_budget_bytes,
        );
        let mut world = World::new(config);
        let timeline = Timeline::new(&mut world, interval, max, budget);
        Ok(Sim {
            world,
            timeline,
            trace: VecDeque::new(),
            trace_capacity: capacity,
            view_cache: ViewCache::default(),
            observers: Vec::new(),
            refused: Vec::new(),
        })
    }

    pub fn config(&self) -> &SimConfig {
        &self.world.config
    }

    // ---- time ----

    /// Current simulated time.
    pub fn now(&self) -> Micros {
        self.world.now
    }

    /// Time of the next event (cancelled timers are dropped eagerly, so this is exact), or of
    /// the next recorded action when replaying after a rewind.
    pub fn next_event_time(&self) -> Option<Micros> {
        if let Some((action, Place::Here)) = self.timeline.next_place(&self.world) {
            return Some(action.time);
        }
        self.world.next_event_time()
    }

    /// Queue events processed so far (actions not counted).
    pub fn events_processed(&self) -> u64 {
        self.world.events
    }

    /// Processes the next event (or, when replaying after a rewind, the next recorded action)
    /// and returns its narration.
    pub fn step(&mut self) -> Option<&TraceEvent> {
        self.step_until(Micros::MAX)
    }

    /// Like `step`, but only if the next event is due at or before `limit` (the clock is not
    /// moved otherwise).
    pub fn step_until(&mut self, limit: Micros) -> Option<&TraceEvent> {
        if self.advance(limit) {
            Some(&self.world.last)
        } else {
            None
        }
    }

    fn advance(&mut self, limit: Micros) -> bool {
        while let Some((recorded, place)) = self.timeline.next_place(&self.world) {
            let index = self.timeline.applied;
            match place {
                Place::Ahead => break,
                // A place a log from outside names that the run never has (the page records
                // only places it was at): no moment of the run is the one the log means, so
                // the action is refused there, as one the world refuses (below), and the
                // actions after it still come at theirs. Refused when time reaches it, not
                // sooner: until then it is the recorded future, which an action taken before
                // its time replaces (`fork`), so the log stays in time order. Time reaches it
                // when no event is due before it: Step (`step`) has no `limit`, and must not
                // refuse it an event early.
                Place::Passed => {
                    let event_first = self
                        .world
                        .next_event_time()
                        .is_some_and(|event| event < recorded.time);
                    if recorded.time >= limit || event_first {
                        break;
                    }
                    let error = ActionError::PlacePassed {
                        after_events: recorded.after_events,
                    };
                    self.timeline.applied += 1;
                    self.refuse(index, error);
                    continue;
                }
                Place::Here => {}
            }
            // An action recorded at time t happens "just after" t: the state at t is the one
            // the user saw when acting.
            if recorded.time >= limit {
                return false;
            }
            let (time, action) = (recorded.time, recorded.action.clone());
            let before = self.world.now;
            self.timeline.applied += 1;
            self.world.now = before.max(time);
            match self.world.apply(action) {
                Ok(_) => {
                    self.after_step();
                    return true;
                }
                // The page records only actions the world took, and the same log replays the
                // same run, so only a log from outside (a hand-made link or handover) gets
                // here: its reader cannot know that S2 is up when it says "restart S2". The
                // rule is `apply`'s: a refused action changes nothing (not even the clock) and
                // is not an event. It stays in the log (the same log replays the same run)
                // and is reported once, however often time travel passes it.
                Err(error) => {
                    self.world.now = before;
                    self.refuse(index, error);
                }
            }
        }
        if self.world.step_until(limit) {
            self.after_step();
            true
        } else {
            false
        }
    }

    /// Reports the recorded action at `index` refused, once however often replay meets it.
    fn refuse(&mut self, index: usize, error: ActionError) {
        if !self.refused.iter().any(|r| r.index == index) {
            self.refused.push(Refused { index, error });
        }
    }

    fn after_step(&mut self) {
        if self.trace_capacity > 0 {
            if self.trace.len() >= self.trace_capacity {
                self.trace.pop_front();
            }
            self.trace.push_back(self.world.last.clone());
        }
        self.timeline.maybe_checkpoint(&mut self.world);
        if !self.observers.is_empty() {
            let mut observers = std::mem::take(&mut self.observers);
            for observer in &mut observers {
                observer.observe(self);
            }
            self.observers = observers;
        }
    }

    // ---- observers ----

    /// Attaches `observer`: from now on it is called after every step, however the
    /// simulation is driven, so it misses nothing (e.g. `sim.watch(Checker::new())`, then
    /// `sim.run_until(t)`, then `sim.observer::<Checker>()`). It is first given the present
    /// state (`Observer::resync`). Observers are cloned with the `Sim`.
    pub fn watch<T: Observer + Clone>(&mut self, mut observer: T) {
        observer.resync(self);
        self.observers.push(Box::new(observer));
    }

    /// The first attached observer of type `T`.
    pub fn observer<T: Observer>(&self) -> Option<&T> {
        self.observers
            .iter()
            .find_map(|o| o.as_any().downcast_ref::<T>())
    }

    /// Detaches the first attached observer of type `T` and gives it back.
    pub fn unwatch<T: Observer>(&mut self) -> Option<T> {
        let position = self.observers.iter().position(|o| o.as_any().is::<T>())?;
        let observer = self.observers.remove(position).into_any();
        observer.downcast::<T>().ok().map(|o| *o)
    }

    /// The entries the last step applied to a state machine (all on `last_touched()`), in
    /// order, with what applying each did. Nothing is copied unless asked; `AppliedLog`
    /// collects them for a whole run.
    pub fn just_applied(&self) -> impl Iterator<Item = Applied> + '_ {
        let step = self.world.last.seq;
        self.world.last.server.into_iter().flat_map(move |server| {
            let log = self.server(server).log();
            self.world.out.applied.iter().filter_map(move |a| {
                Some(Applied {
                    step,
                    server,
                    index: a.index,
                    entry: log.get(a.index)?.clone(),
                    outcome: a.outcome.clone(),
                })
            })
        })
    }

    /// Processes every event due at or before `time`, then sets the clock to `time`. (When
    /// replaying after a rewind, recorded actions of time < `time` are applied on the way.)
    pub fn run_until(&mut self, time: Micros) {
        let time = time.min(Micros::MAX / 4); // keeps time arithmetic far from overflow
        while self.advance(time) {}
        self.world.now = self.world.now.max(time);
    }

    pub fn run_for(&mut self, duration: Micros) {
        self.run_until(self.world.now.saturating_add(duration));
    }

    /// Runs until `condition` holds (checked after every step) or `deadline`; true if it held.
    pub fn run_until_condition(
        &mut self,
        deadline: Micros,
        mut condition: impl FnMut(&Sim) -> bool,
    ) -> bool {
        while self.advance(deadline) {
            if condition(self) {
                return true;
            }
        }
        self.world.now = self.world.now.max(deadline);
        condition(self)
    }

    // ---- actions ----

    /// Applies an action now and records it in the action log. After a rewind this forks:
    /// the recorded future is discarded. A refused action changes nothing.
    pub fn apply(&mut self, action: Action) -> Result<ActionOutcome, ActionError> {
        let recorded = action.clone();
        let outcome = self.world.apply(action)?;
        self.fork();
        self.timeline
            .record(self.world.now, self.world.events, recorded);
        self.after_step();
        Ok(outcome)
    }

    fn must(&mut self, action: Action) -> ActionOutcome {
        match self.apply(action) {
            Ok(outcome) => outcome,
            Err(e) => panic!("{e}"),
        }
    }

    // Convenience verbs for tests and code: they panic on a refused action (use `apply` for
    // user input).
    pub fn crash(&mut self, server: ServerId) {
        self.must(Action::Crash { server });
    }
    pub fn restart(&mut self, server: ServerId) {
        self.must(Action::Restart { server });
    }
    pub fn timeout(&mut self, server: ServerId) {
        self.must(Action::Timeout { server });
    }
    pub fn pause(&mut self, server: ServerId) {
        self.must(Action::Pause { server });
    }
    pub fn resume(&mut self, server: ServerId) {
        self.must(Action::Resume { server });
    }
    pub fn partition(&mut self, groups: &[&[ServerId]]) {
        self.must(Action::Partition {
            groups: groups.iter().map(|g| g.to_vec()).collect(),
        });
    }
    pub fn cut(&mut self, from: ServerId, to: ServerId) {
        self.must(Action::Cut { from, to });
    }
    pub fn heal(&mut self) {
        self.must(Action::Heal);
    }
    pub fn set_loss(&mut self, probability: f64) {
        self.must(Action::SetLoss { probability });
    }
    pub fn set_duplication(&mut self, probability: f64) {
        self.must(Action::SetDuplication { probability });
    }
    pub fn set_latency(&mut self, min: Micros, max: Micros) {
        self.must(Action::SetLatency { min, max });
    }
    pub fn spread_timers(&mut self) {
        self.must(Action::SpreadTimers);
    }
    pub fn align_timers(&mut self) {
        self.must(Action::AlignTimers);
    }
    pub fn drop_message(&mut self, id: MessageId) {
        self.must(Action::DropMessage { id });
    }
    pub fn duplicate_message(&mut self, id: MessageId) {
        self.must(Action::DuplicateMessage { id });
    }
    pub fn delay_message(&mut self, id: MessageId, by: Micros) {
        self.must(Action::DelayMessage { id, by });
    }

    /// A client sends `command` (to `target`, or wherever it believes the leader is). Returns
    /// the (client, seq) the request travels under.
    pub fn client_request(
        &mut self,
        command: Command,
        target: Option<ServerId>,
    ) -> (ClientId, u64) {
        self.client_request_as(None, command, target)
    }

    /// Like `client_request`, as a given client (created if needed). If that client is busy,
    /// the command waits for its previous one (one outstanding request per client).
    pub fn client_request_as(
        &mut self,
        client: Option<ClientId>,
        command: Command,
        target: Option<ServerId>,
    ) -> (ClientId, u64) {
        match self.must(Action::ClientRequest {
            client,
            command,
            target,
        }) {
            ActionOutcome::ClientRequest { client, seq } => (client, seq),
            ActionOutcome::Done => unreachable!("a client request yields (client, seq)"),
        }
    }

    /// Every message a server sends from now on is shown to `hook`, which decides its fate
    /// (deliver, drop, delay, duplicate); see `sim::hook` for what rewinds and replays make of
    /// it. Replaces any earlier hook.
    pub fn set_send_hook(
        &mut self,
        hook: impl FnMut(&MessageInfo<'_>, &mut SimRng<'_>) -> Fate + Send + 'static,
    ) {
        self.world.send_hook = Some(hook::SendHook::new(hook));
    }

    /// Messages go as the network decides again.
    pub fn clear_send_hook(&mut self) {
        self.world.send_hook = None;
    }

    // ---- reading state (cheap, borrowed: for a checker that runs after every event) ----

    /// Server `id` (S1..Sn). Panics on an unknown id.
    pub fn server(&self, id: ServerId) -> &Server {
        &self.world.nodes[id.0 as usize - 1].server
    }

    pub fn servers(&self) -> impl Iterator<Item = &Server> {
        self.world.nodes.iter().map(|n| &n.server)
    }

    pub fn server_ids(&self) -> impl Iterator<Item = ServerId> {
        (1..=self.world.server_count()).map(ServerId)
    }

    pub fn status(&self, id: ServerId) -> ServerStatus {
        self.world.nodes[id.0 as usize - 1].status
    }

    /// Not crashed (a paused server is up: it keeps its state).
    pub fn is_up(&self, id: ServerId) -> bool {
        self.status(id) != ServerStatus::Crashed
    }

    /// The narration of the last step.
    pub fn last_event(&self) -> &TraceEvent {
        &self.world.last
    }

    /// The server whose state the last step may have changed (None: only network or clients).
    pub fn last_touched(&self) -> Option<ServerId> {
        self.world.last.server
    }

    /// The leader of the highest term among servers that are not crashed (a paused one
    /// counts), if any; the same server as `ClusterView::leader`.
    pub fn leader(&self) -> Option<ServerId> {
        self.world
            .nodes
            .iter()
            .filter(|n| n.status != ServerStatus::Crashed && n.server.role() == Role::Leader)
            .max_by_key(|n| n.server.current_term())
            .map(|n| n.server.id())
    }

    /// Client operations so far (invocation order).
    pub fn history(&self) -> &[ClientOp] {
        &self.world.history
    }

    /// The retained trace, oldest first (at most `trace_capacity` events).
    pub fn trace(&self) -> &VecDeque<TraceEvent> {
        &self.trace
    }

    /// Changes how many trace events are kept; 0 keeps none and stops copying narration.
    pub fn set_trace_capacity(&mut self, capacity: usize) {
        self.trace_capacity = capacity;
        self.world.narrate = capacity > 0;
        while self.trace.len() > capacity {
            self.trace.pop_front();
        }
    }

    /// The picture for the UI and the invariant checker. Logs, stores, the client history and
    /// message contents are shared with the previous picture where they did not change (a
    /// picture every animation frame copies only what changed since the last one).
    pub fn view(&self) -> ClusterView {
        self.world.view(&self.view_cache)
    }

    /// Client requests and replies travelling right now (the picture draws them).
    pub fn client_traffic(&self) -> Vec<ClientTrafficView> {
        self.world.client_traffic()
    }

    // ---- time travel ----

    /// The action log, each with the time and position it was applied at. After a rewind it
    /// still holds the recorded future until a new action forks it.
    pub fn actions(&self) -> &[RecordedAction] {
        &self.timeline.actions
    }

    /// Forgets the recorded future (the actions and checkpoints after now) without acting:
    /// from here on the run goes where the present leads it (RaftScope's "fork").
    pub fn forget_future(&mut self) {
        self.fork();
    }

    /// The recorded future is discarded, and with it the refusals of actions in it.
    fn fork(&mut self) {
        self.timeline.fork(&self.world);
        let kept = self.timeline.actions.len();
        self.refused.retain(|r| r.index < kept);
    }

    /// The recorded actions the world refused when replay reached them, in the order met
    /// (each once): skipped, as a refused `apply` changes nothing. Empty for a log this
    /// simulator recorded; a `replay` of a log from outside (a hand-made link) may have some.
    pub fn refused_actions(&self) -> &[Refused] {
        &self.refused
    }

    /// True when there is a recorded future after now (the run was rewound).
    pub fn has_recorded_future(&self) -> bool {
        self.timeline.applied < self.timeline.actions.len()
    }

    /// How many of `actions()` are part of the present (the rest is the recorded future).
    pub fn actions_applied(&self) -> usize {
        self.timeline.applied
    }

    /// A new simulation that will replay `actions` (an `actions()` log from a run with the
    /// same config) at exactly the positions they were applied, as time is advanced. Applying
    /// a new action forks, as after a rewind. An action the world refuses when its place
    /// comes is skipped and reported (`refused_actions`).
    pub fn replay(config: SimConfig, actions: Vec<RecordedAction>) -> Result<Self, SimError> {
        if let Some(i) = actions
            .windows(2)
            .position(|w| (w[1].time, w[1].after_events) < (w[0].time, w[0].after_events))
        {
            return Err(SimError::ActionsOutOfOrder { index: i + 1 });
        }
        let mut sim = Sim::try_new(config)?;
        sim.timeline.actions = actions;
        sim.timeline.applied = 0;
        Ok(sim)
    }

    /// Turns time travel off (drops checkpoints; for benchmarks and long fuzz runs).
    pub fn disable_time_travel(&mut self) {
        self.timeline.interval = 0;
        self.timeline.checkpoints.clear();
        self.timeline.bytes = 0;
    }

    /// Estimated memory held by time-travel checkpoints (kept under
    /// `SimConfig::time_travel_budget_bytes`, whatever the length of the run).
    pub fn time_travel_bytes(&self) -> usize {
        self.timeline.bytes
    }

    /// How many time-travel checkpoints are kept.
    pub fn checkpoint_count(&self) -> usize {
        self.timeline.checkpoints.len()
    }

    /// Rebuilds exactly the state at simulated time `time`: every event due at or before it
    /// processed and every action applied before it applied; an action applied at exactly
    /// `time` is not (the state is the one the user saw when acting). Going forward simply runs
    /// (replaying recorded actions). Going back restores the nearest earlier checkpoint and
    /// replays deterministically. The recorded future is kept until a new action forks it.
    pub fn rewind_to(&mut self, time: Micros) -> Result<(), SimError> {
        if time >= self.world.now {
            self.run_until(time);
            return Ok(());
        }
        if !self.timeline.enabled() {
            return Err(SimError::TimeTravelOff);
        }
        let actions_before = self
            .timeline
            .actions
            .iter()
            .take_while(|a| a.time < time)
            .count();
        let Some(checkpoint) = self.timeline.checkpoint_before(time, actions_before) else {
            return Err(SimError::NoCheckpoint { time });
        };
        // The send hook is not part of the past: the one set now stays (see `sim::hook`).
        let hook = self.world.send_hook.take();
        self.world = checkpoint.restore();
        self.world.send_hook = hook;
        // The restored world counts versions from an earlier point: cached copies could
        // carry the same versions with other contents.
        self.view_cache = ViewCache::default();
        // Observers see the replay's result, not the replay (they saw those steps already).
        let mut observers = std::mem::take(&mut self.observers);
        self.timeline.applied = checkpoint.actions_applied;
        self.timeline.next_checkpoint_at = self.world.now + self.timeline.interval;
        self.world.narrate = self.trace_capacity > 0;
        let steps = self.world.steps;
        while self.trace.back().is_some_and(|e| e.seq > steps) {
            self.trace.pop_back();
        }
        self.run_until(time);
        for observer in &mut observers {
            observer.resync(self);
        }
        self.observers = observers;
        Ok(())
    }

    /// Steps (queue events and actions) processed so far: the `seq` of the last trace event.
    pub fn steps_processed(&self) -> u64 {
        self.world.steps
    }

    /// The reverse of [`Sim::step`]: rebuilds exactly the state the step before the last one
    /// left, at its time (or, when the clock has run on since the last step, the state at
    /// that step's own moment). Time travel does it: back to just before the moment, then
    /// forward one step at a time, so steps that share a moment are undone one by one. False
    /// when there is nothing earlier to go back to.
    pub fn step_back(&mut self) -> Result<bool, SimError> {
        if self.world.steps == 0 {
            return Ok(false);
        }
        if self.world.now == self.world.last.time {
            // At the last step's moment: to before it, then forward to the step before it.
            let Some(before) = self.world.now.checked_sub(1) else {
                return Ok(false);
            };
            let target = self.world.steps - 1;
            self.rewind_to(before)?;
            while self.world.steps < target && self.step().is_some() {}
            if self.world.steps == 0 {
                // Nothing happened before: the start.
                self.rewind_to(0)?;
                return Ok(true);
            }
            if self.world.now == self.world.last.time {
                return Ok(true);
            }
        }
        // Between steps: to the moment of the last one. `rewind_to` leaves out an action
        // taken at exactly that moment (it shows the state acted on): step on to it.
        let (target, time) = (self.world.steps, self.world.last.time);
        self.rewind_to(time)?;
        while self.world.steps < target && self.step().is_some() {}
        Ok(true)
    }
}

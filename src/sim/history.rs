//! Time travel: the action log plus checkpoints of the world.
//!
//! The world is deterministic, so (checkpoint, the actions applied after it, each at the
//! position where it was applied) rebuilds any later instant exactly. Checkpoints are taken
//! every `checkpoint_interval` of simulated time and thinned out when there are too many
//! (every other old one is dropped; the first, at time 0, is always kept).

use super::action::Action;
use super::view::Micros;
use super::world::World;

/// One action as it was applied: at simulated `time`, after `after_events` queue events.
/// (Serde, so a permalink can carry the exact log: see `Sim::replay`.)
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RecordedAction {
    pub time: Micros,
    pub after_events: u64,
    pub action: Action,
}

#[derive(Clone, Debug)]
pub(crate) struct Checkpoint {
    pub world: World,
    /// How many recorded actions had been applied.
    pub actions_applied: usize,
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
}

impl Timeline {
    pub fn new(world: &World, interval: Micros, max_checkpoints: usize) -> Self {
        let mut timeline = Timeline {
            interval,
            max_checkpoints: max_checkpoints.max(2),
            next_checkpoint_at: interval,
            ..Timeline::default()
        };
        if interval > 0 {
            timeline.checkpoints.push(Checkpoint {
                world: world.clone(),
                actions_applied: 0,
            });
        }
        timeline
    }

    pub fn enabled(&self) -> bool {
        self.interval > 0
    }

    /// The next recorded (future) action, if it is due now: the world has processed exactly
    /// as many events as when it was first applied.
    pub fn due(&self, world: &World) -> Option<&RecordedAction> {
        self.actions
            .get(self.applied)
            .filter(|a| a.after_events == world.events)
    }

    /// Called after every step: takes a checkpoint when one is due.
    pub fn maybe_checkpoint(&mut self, world: &World) {
        if !self.enabled() || world.now < self.next_checkpoint_at {
            return;
        }
        self.next_checkpoint_at = world.now + self.interval;
        // After a rewind the recorded future may already hold checkpoints past this point.
        if self
            .checkpoints
            .last()
            .is_some_and(|c| c.world.events >= world.events)
        {
            return;
        }
        self.checkpoints.push(Checkpoint {
            world: world.clone(),
            actions_applied: self.applied,
        });
        if self.checkpoints.len() > self.max_checkpoints {
            let newest = self.checkpoints.len() - 1;
            let mut position = 0;
            self.checkpoints.retain(|_| {
                let keep = position == 0 || position == newest || position % 2 == 0;
                position += 1;
                keep
            });
        }
    }

    /// A new action is applied to `world`: the recorded future is discarded (a fork).
    pub fn fork(&mut self, world: &World) {
        self.actions.truncate(self.applied);
        let applied = self.applied;
        self.checkpoints.retain(|c| {
            c.actions_applied <= applied
                && c.world.events <= world.events
                && c.world.now <= world.now
        });
        self.next_checkpoint_at =
            self.checkpoints.last().map_or(0, |c| c.world.now) + self.interval;
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
            .find(|c| c.world.now <= time && c.actions_applied <= actions)
    }
}

//! Observers: code that watches a simulation step by step. The `Sim` calls every observer
//! attached with `Sim::watch` after each step it takes (an event processed or an action
//! applied), whichever way it is driven (`step`, `run_until`, the verbs, a replay), so an
//! observer cannot miss what happens between two looks. The safety checker
//! (`check::Checker`) is one; [`AppliedLog`] below is another.

use super::Sim;
use crate::raft::{ApplyOutcome, LogEntry, LogIndex, ServerId};
use std::any::Any;
use std::fmt;

/// Watches a simulation (see the module comment). Implement `observe`; attach with
/// `Sim::watch`, read back with `Sim::observer::<T>()`.
pub trait Observer: Any + fmt::Debug {
    /// Called after every step; `sim.last_event()` narrates that step.
    fn observe(&mut self, sim: &Sim);

    /// The simulation is at a state this observer did not see arrive step by step: it was just
    /// attached, or the simulation was rewound into the past (`Sim::rewind_to`; steps after
    /// now are forgotten). The default does nothing.
    fn resync(&mut self, _sim: &Sim) {}
}

/// What the `Sim` holds: an observer that can also be cloned (with the `Sim`) and found by
/// type. Implemented for every `Observer + Clone`, so users only write `Observer`.
pub(crate) trait Attached: Observer {
    fn clone_box(&self) -> Box<dyn Attached>;
    fn as_any(&self) -> &dyn Any;
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

impl<T: Observer + Clone> Attached for T {
    fn clone_box(&self) -> Box<dyn Attached> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

impl Clone for Box<dyn Attached> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// One entry a server applied to its state machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// The step (`TraceEvent::seq`) that applied it.
    pub step: u64,
    pub server: ServerId,
    pub index: LogIndex,
    /// The entry: its term, and the client command (a no-op carries none).
    pub entry: LogEntry,
    /// What the state machine did with a client command (None for a no-op): executed with its
    /// reply, a duplicate answered from the session table, or stale (§8).
    pub outcome: Option<ApplyOutcome>,
}

/// Every entry applied by every server, in the order they were applied: a stream of
/// (server, index, term, command, result). A restarted server applies its log again from
/// index 1 (its state machine is volatile), and those applications are recorded too.
///
/// `sim.watch(AppliedLog::default())`, then `sim.observer::<AppliedLog>()`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppliedLog {
    entries: Vec<Applied>,
}

impl AppliedLog {
    /// Everything applied, in the order it happened.
    pub fn all(&self) -> &[Applied] {
        &self.entries
    }

    /// What `server` applied, in order.
    pub fn of(&self, server: ServerId) -> impl Iterator<Item = &Applied> {
        self.entries.iter().filter(move |a| a.server == server)
    }
}

impl Observer for AppliedLog {
    fn observe(&mut self, sim: &Sim) {
        self.entries.extend(sim.just_applied());
    }

    /// After a rewind, what was applied after now did not happen (yet).
    fn resync(&mut self, sim: &Sim) {
        let now = sim.last_event().seq;
        self.entries.retain(|a| a.step <= now);
    }
}

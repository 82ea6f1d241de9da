//! Election timers and heartbeats (§5.2): armed, reset, stopped, frozen while paused, moved
//! by user actions.

use super::queue::Event;
use super::World;
use crate::sim::view::{Micros, ServerStatus};

/// Timers of a paused server, frozen as time remaining.
#[derive(Clone, Debug)]
pub(crate) struct Frozen {
    pub paused_at: Micros,
    pub election_remaining: Option<Micros>,
    pub heartbeat_remaining: Option<Micros>,
}

impl World {
    pub(super) fn reset_election_timer(&mut self, i: usize) {
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

    pub(super) fn queue_election_timer(&mut self, i: usize, at: Micros) {
        let node = &mut self.nodes[i];
        node.election_generation += 1;
        node.election_queued = Some(at);
        let (server, generation) = (node.server.id(), node.election_generation);
        self.schedule(at, Event::ElectionTimeout { server, generation });
    }

    pub(super) fn stop_election_timer(&mut self, i: usize) {
        let node = &mut self.nodes[i];
        node.election_generation += 1;
        node.election_queued = None;
        node.election_deadline = None;
        node.election_started = None;
    }

    /// (deadline, node index) of every election timer that is running (up servers that are
    /// not leaders), earliest first.
    pub(super) fn running_election_timers(&self) -> Vec<(Micros, usize)> {
        let mut timers: Vec<(Micros, usize)> = self
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.status == ServerStatus::Up)
            // A leader's timer (CheckQuorum, a transfer's deadline) is no election timer.
            .filter(|(_, n)| n.server.role() != crate::raft::Role::Leader)
            .filter_map(|(i, n)| n.election_deadline.map(|d| (d, i)))
            .collect();
        timers.sort_unstable();
        timers
    }

    /// A user moved server `i`'s election timer: it now fires at `at` (when it was started
    /// stays, so the drawn timer shows the change).
    pub(super) fn move_election_timer(&mut self, i: usize, at: Micros) {
        self.nodes[i].election_deadline = Some(at);
        self.queue_election_timer(i, at);
    }

    pub(super) fn arm_heartbeat(&mut self, i: usize, after: Micros) {
        let due = self.now + after;
        let node = &mut self.nodes[i];
        node.heartbeat_generation += 1;
        node.heartbeat_due = Some(due);
        let (server, generation) = (node.server.id(), node.heartbeat_generation);
        self.schedule(due, Event::Heartbeat { server, generation });
    }
}

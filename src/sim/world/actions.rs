//! User actions: checked first (a refused action changes nothing), then applied.

use super::messages::Ask;
use super::timers::Frozen;
use super::Node;
use super::{World, MAX_DURATION};
use crate::raft::{Change, Input, Role, Server, ServerId, ServerSet, MAX_SERVER_ID};
use crate::sim::action::{Action, ActionError, ActionOutcome};
use crate::sim::trace::TraceKind;
use crate::sim::view::LongDelays;
use crate::sim::view::{Micros, ServerStatus};

impl World {
    fn check_server(&self, id: ServerId) -> Result<usize, ActionError> {
        if id.0 == 0 || id.0 > self.server_count() {
            return Err(ActionError::NoSuchServer {
                server: id,
                servers: self.server_count(),
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
                Ok(crate::sim::limits::check_time_advances(
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
            Action::TransferLeadership { to } => {
                self.check_server(*to)?;
                let Some(leader) = self.current_leader() else {
                    return Err(ActionError::NoLeaderToTransfer(*to));
                };
                refuse_if(leader == *to, ActionError::TransferToLeader(*to))?;
                // §6: only a voter can be elected; the leader would refuse (and narrate why).
                let server = &self.nodes[self.node_index(leader)].server;
                refuse_if(
                    server.transfer_refusal(*to).is_some(),
                    ActionError::TransferToNonVoter { leader, to: *to },
                )
            }
            Action::AddServer => {
                if self.server_count() >= MAX_SERVER_ID {
                    return Err(ActionError::NoServerIdLeft);
                }
                self.check_change(Change::Add(ServerId(self.server_count() + 1)))
            }
            Action::RemoveServer { server } => {
                self.check_server(*server)?;
                self.check_change(Change::Remove(*server))
            }
            Action::ClientRequest { client, target, .. } => {
                if let Some(target) = target {
                    self.check_server(*target)?;
                }
                match client {
                    Some(c) if c.0 == 0 || c.0 > crate::sim::limits::MAX_CLIENT_ID => {
                        Err(ActionError::NoSuchClient { client: *c })
                    }
                    _ => Ok(()),
                }
            }
        }
    }

    /// The servers crashed now. Kept in `crashed` after every action: only actions change a
    /// server's status (debug builds check this after every event).
    pub(super) fn crashed_now(&self) -> ServerSet {
        let mut crashed = ServerSet::default();
        for node in self
            .nodes
            .iter()
            .filter(|n| n.status == ServerStatus::Crashed)
        {
            crashed.insert(node.server.id());
        }
        crashed
    }

    /// Applies a user action now. Nothing changes if it is refused.
    pub fn apply(&mut self, action: Action) -> Result<ActionOutcome, ActionError> {
        let outcome = self.apply_unsettled(action);
        self.settle_head();
        self.crashed = self.crashed_now();
        self.note_ring();
        outcome
    }

    fn apply_unsettled(&mut self, action: Action) -> Result<ActionOutcome, ActionError> {
        self.check(&action)?;
        let server = match action {
            Action::TransferLeadership { .. } | Action::AddServer | Action::RemoveServer { .. } => {
                self.current_leader()
            }
            _ => action.server(),
        };
        self.begin(server, TraceKind::Action(action.clone()));
        let servers = self.server_count();
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
            Action::TransferLeadership { to } => {
                if let Some(leader) = server {
                    self.drive(self.node_index(leader), Input::TransferLeadership { to });
                }
            }
            Action::AddServer => {
                self.membership_asked = true;
                let id = self.start_fresh_server();
                if let Some(leader) = server {
                    self.drive(self.node_index(leader), Input::AddServer { id });
                }
            }
            Action::RemoveServer { server: id } => {
                self.membership_asked = true;
                if let Some(leader) = server {
                    self.drive(self.node_index(leader), Input::RemoveServer { id });
                }
            }
        }
        Ok(ActionOutcome::Done)
    }

    /// §6: would the leader start `change` now? (A refused action changes nothing.)
    fn check_change(&self, change: Change) -> Result<(), ActionError> {
        let Some(leader) = self.current_leader() else {
            return Err(ActionError::NoLeaderForChange);
        };
        match self.nodes[self.node_index(leader)]
            .server
            .membership_refusal(change)
        {
            Some(reason) => Err(ActionError::ChangeRefused {
                leader,
                change,
                reason,
            }),
            None => Ok(()),
        }
    }

    /// §6: a fresh server with the next unused id (ids are never reused), empty and knowing no
    /// configuration: it waits for the leader to send it one, and stands for no election
    /// until it is a voter.
    fn start_fresh_server(&mut self) -> ServerId {
        let id = ServerId(self.server_count() + 1);
        let mut server = Server::joining(id, self.config.raft.clone());
        server.set_election_timeout_min(self.config.election_timeout_min);
        self.nodes.push(Node::new(server));
        let i = self.nodes.len() - 1;
        self.draw_clock_drift(i);
        // The network learns of it: a partition in place leaves it alone (in no group).
        self.network.resize(self.server_count());
        id
    }

    /// The up server that leads the highest term, if any (a deposed leader that has not heard
    /// of the newer term may still think it leads).
    fn current_leader(&self) -> Option<ServerId> {
        self.nodes
            .iter()
            .filter(|n| n.status == ServerStatus::Up && n.server.role() == Role::Leader)
            .max_by_key(|n| n.server.current_term())
            .map(|n| n.server.id())
    }
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

//! Clients (§8): one request outstanding each, redirects to the leader, retries on timeout,
//! every operation recorded in the history the checker reads.

use super::queue::Event;
use super::World;
use crate::raft::{ClientId, ClientResult, Command, LogIndex, ServerId};
use crate::sim::trace::{ReplySummary, TraceKind};
use crate::sim::view::{ClientOp, Micros};
use rand_core::RngCore;
use std::collections::VecDeque;

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

impl World {
    pub(super) fn add_client(&mut self, auto: bool) -> ClientId {
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

    pub(super) fn schedule_think(&mut self, client: ClientId) {
        let load = &self.config.load;
        let (min, max) = (load.think_time_min, load.think_time_max);
        let at = self.now + self.random_in(min, max);
        self.schedule(at, Event::ClientThink { client });
    }

    pub(super) fn random_command(&mut self) -> Command {
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
    pub(super) fn enqueue_request(
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
                ServerId(((client.0 - 1) % u32::from(self.server_count())) as u8 + 1)
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

    pub(super) fn next_server_after(&self, server: ServerId) -> ServerId {
        ServerId(server.0 % self.server_count() + 1)
    }

    /// Sends the outstanding request of client `c` to `to` after `delay`, and arms its timeout.
    pub(super) fn send_request(&mut self, c: usize, to: ServerId, delay: Micros) {
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

    pub(super) fn client_reply(
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
}

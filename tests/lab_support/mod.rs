//! A test harness in the spirit of the MIT 6.824 Raft lab's `config.go`: a cluster whose
//! servers can be disconnected, crashed and restarted, with `one()` to get a command agreed,
//! and the Figure 3 checker watching every single event.

#![allow(dead_code)]

use raft_explorer::check::invariants::step_until;
use raft_explorer::check::{check_history, Checker};
use raft_explorer::raft::{Command, EntryPayload, LogIndex, RaftOptions, Role, ServerId, Term};
use raft_explorer::sim::{Action, Micros, Sim, SimConfig, TraceKind};

pub const MS: Micros = 1_000;
pub const SECOND: Micros = 1_000_000;

#[allow(non_snake_case)]
pub fn S(n: u8) -> ServerId {
    ServerId(n)
}

/// Counts of RPCs that reached their delivery time (delivered or lost).
#[derive(Clone, Copy, Debug, Default)]
pub struct RpcCount {
    pub request_votes: u64,
    pub append_entries: u64,
    pub install_snapshots: u64,
    pub replies: u64,
}

impl RpcCount {
    pub fn total(&self) -> u64 {
        self.request_votes + self.append_entries + self.install_snapshots + self.replies
    }
}

pub struct Lab {
    pub sim: Sim,
    pub checker: Checker,
    pub n: u8,
    /// Servers cut off from everybody (MIT's `disconnect`).
    pub disconnected: Vec<ServerId>,
    pub rpcs: RpcCount,
}

impl Lab {
    pub fn new(n: u8, seed: u64) -> Lab {
        Lab::with_config(SimConfig {
            seed,
            servers: n,
            ..SimConfig::default()
        })
    }

    pub fn with_options(n: u8, seed: u64, raft: RaftOptions) -> Lab {
        Lab::with_config(SimConfig {
            seed,
            servers: n,
            raft,
            ..SimConfig::default()
        })
    }

    pub fn with_config(config: SimConfig) -> Lab {
        let n = config.servers;
        let sim = Sim::new(SimConfig {
            trace_capacity: 0,
            checkpoint_interval: 0,
            ..config
        });
        Lab {
            sim,
            checker: Checker::new(),
            n,
            disconnected: Vec::new(),
            rpcs: RpcCount::default(),
        }
    }

    pub fn ids(&self) -> Vec<ServerId> {
        (1..=self.n).map(ServerId).collect()
    }

    fn after_step(&mut self) {
        if let TraceKind::Delivered { message, .. } | TraceKind::Lost { message, .. } =
            &self.sim.last_event().kind
        {
            use raft_explorer::sim::MessageKind::*;
            match message.kind {
                RequestVote | PreVote | TimeoutNow => self.rpcs.request_votes += 1,
                AppendEntries => self.rpcs.append_entries += 1,
                InstallSnapshot => self.rpcs.install_snapshots += 1,
                RequestVoteReply | AppendEntriesReply | PreVoteReply | InstallSnapshotReply => {
                    self.rpcs.replies += 1
                }
            }
        }
        if let Some(v) = self.checker.observe_sim(&self.sim) {
            panic!("invariant violated: {v}");
        }
    }

    /// Runs for `duration`, checking invariants after every event.
    pub fn run_for(&mut self, duration: Micros) {
        let until = self.sim.now() + duration;
        while step_until(&mut self.sim, until) {
            self.after_step();
        }
        self.sim.run_until(until);
    }

    /// Runs until `condition` holds or `within` passes; true if it held.
    pub fn run_until(&mut self, within: Micros, mut condition: impl FnMut(&Sim) -> bool) -> bool {
        let until = self.sim.now() + within;
        loop {
            if condition(&self.sim) {
                return true;
            }
            if !step_until(&mut self.sim, until) {
                self.sim.run_until(until);
                return condition(&self.sim);
            }
            self.after_step();
        }
    }

    pub fn apply(&mut self, action: Action) {
        let text = action.to_string();
        if let Err(e) = self.sim.apply(action) {
            panic!("could not do \"{text}\": {e}");
        }
        self.after_step();
    }

    fn apply_partition(&mut self) {
        if self.disconnected.is_empty() {
            self.apply(Action::Heal);
            return;
        }
        let connected: Vec<ServerId> = self
            .ids()
            .into_iter()
            .filter(|s| !self.disconnected.contains(s))
            .collect();
        let mut groups = vec![connected];
        groups.extend(self.disconnected.iter().map(|s| vec![*s]));
        self.apply(Action::Partition { groups });
    }

    /// Cuts `s` off from every other server (it keeps running).
    pub fn disconnect(&mut self, s: ServerId) {
        if !self.disconnected.contains(&s) {
            self.disconnected.push(s);
        }
        self.apply_partition();
    }

    pub fn connect(&mut self, s: ServerId) {
        self.disconnected.retain(|d| *d != s);
        self.apply_partition();
    }

    pub fn crash(&mut self, s: ServerId) {
        self.apply(Action::Crash { server: s });
    }

    pub fn restart(&mut self, s: ServerId) {
        self.apply(Action::Restart { server: s });
    }

    pub fn connected_up(&self) -> Vec<ServerId> {
        self.ids()
            .into_iter()
            .filter(|s| !self.disconnected.contains(s) && self.sim.is_up(*s))
            .collect()
    }

    /// MIT's `checkOneLeader`: waits until exactly one connected server leads the highest
    /// term seen among connected leaders; returns it.
    pub fn check_one_leader(&mut self) -> ServerId {
        for _ in 0..10 {
            self.run_for(500 * MS);
            let mut leaders: std::collections::BTreeMap<Term, Vec<ServerId>> = Default::default();
            for s in self.connected_up() {
                let server = self.sim.server(s);
                if server.role() == Role::Leader {
                    leaders.entry(server.current_term()).or_default().push(s);
                }
            }
            for (term, ls) in &leaders {
                assert!(
                    ls.len() <= 1,
                    "term {term} has {} leaders: {ls:?}",
                    ls.len()
                );
            }
            if let Some((_, ls)) = leaders.iter().next_back() {
                return ls[0];
            }
        }
        panic!("expected one leader, got none");
    }

    /// MIT's `checkTerms`: every connected server agrees on the term; returns it.
    pub fn check_terms(&self) -> Term {
        let terms: Vec<Term> = self
            .connected_up()
            .iter()
            .map(|s| self.sim.server(*s).current_term())
            .collect();
        assert!(
            terms.windows(2).all(|w| w[0] == w[1]),
            "servers disagree on the term: {terms:?}"
        );
        terms[0]
    }

    /// MIT's `checkNoLeader`: no connected server believes it leads.
    pub fn check_no_leader(&self) {
        for s in self.connected_up() {
            assert_ne!(
                self.sim.server(s).role(),
                Role::Leader,
                "{s} is leader but should not be"
            );
        }
    }

    /// MIT's `nCommitted`: how many servers hold `index` committed, and the command there
    /// (panics if they disagree).
    pub fn n_committed(&self, index: LogIndex) -> (usize, Option<Command>) {
        let mut count = 0;
        let mut seen: Option<Command> = None;
        for s in self.sim.servers() {
            if s.commit_index() < index {
                continue;
            }
            let Some(entry) = s.log().get(index) else {
                // §7: compacted into its snapshot (committed, but the command is gone).
                if index < s.log().start() {
                    count += 1;
                }
                continue;
            };
            let command = match &entry.payload {
                EntryPayload::Client { command, .. } => Some(command.clone()),
                EntryPayload::Noop | EntryPayload::Config { .. } => None,
            };
            if count > 0 {
                assert_eq!(
                    command, seen,
                    "servers committed different commands at index {index}"
                );
            }
            seen = command;
            count += 1;
        }
        (count, seen)
    }

    /// The index at which (client, seq) sits committed on at least `expected` servers.
    pub fn committed_index_of(
        &self,
        client: raft_explorer::raft::ClientId,
        seq: u64,
        expected: usize,
    ) -> Option<LogIndex> {
        // §7: the entry may be compacted away already; the client's reply says where it was
        // applied.
        let applied_at = self.sim.history().iter().find_map(|op| {
            (op.client == client && op.seq == seq)
                .then_some(op.index)
                .flatten()
        });
        if let Some(index) = applied_at.filter(|i| self.n_committed(*i).0 >= expected) {
            if self.sim.servers().all(|s| s.log().get(index).is_none()) {
                return Some(index);
            }
        }
        for s in self.sim.servers() {
            for (offset, e) in s.log().entries().iter().enumerate() {
                let index = LogIndex(s.log().start().0 + offset as u64);
                if matches!(&e.payload, EntryPayload::Client { client: c, seq: q, .. } if *c == client && *q == seq)
                    && self.n_committed(index).0 >= expected
                {
                    return Some(index);
                }
            }
        }
        None
    }

    /// MIT's `one()`: a client sends `command` (following redirects and retrying); waits up
    /// to 10 s for it to be committed on at least `expected` servers and answered; returns the
    /// index.
    pub fn one(&mut self, command: &str, expected: usize) -> LogIndex {
        let command: Command = command.parse().expect("test command parses");
        let (client, seq) = self.sim.client_request(command.clone(), None);
        self.after_step();
        let answered = self.run_until(10 * SECOND, |sim| {
            sim.history()
                .iter()
                .any(|op| op.client == client && op.seq == seq && op.returned_at.is_some())
        });
        assert!(answered, "{command} was not answered within 10 s");
        // Wait (briefly) for the commit to reach `expected` servers.
        // Without a no-op on election (faithful Figure 2), a new leader only learns that
        // earlier entries are committed once an entry of its own term commits (§5.4.2), so, as
        // MIT's `one()` re-submits, send a harmless read now and then to move commitIndex on.
        let mut found = None;
        for attempt in 0..40 {
            found = self.committed_index_of(client, seq, expected);
            if found.is_some() {
                break;
            }
            if attempt % 10 == 9 {
                self.start("GET nudge", None);
            }
            self.run_for(50 * MS);
        }
        found.unwrap_or_else(|| {
            let states: Vec<String> = self
                .sim
                .servers()
                .map(|s| {
                    format!(
                        "{} {} term {} last {} commit {} up {}",
                        s.id(),
                        s.role(),
                        s.current_term(),
                        s.last_log_index(),
                        s.commit_index(),
                        self.sim.is_up(s.id())
                    )
                })
                .collect();
            panic!("{command} ({client}, #{seq}) was answered but is not committed on {expected} servers: {states:?}")
        })
    }

    /// Sends a command without waiting.
    pub fn start(
        &mut self,
        command: &str,
        target: Option<ServerId>,
    ) -> (raft_explorer::raft::ClientId, u64) {
        let out = self
            .sim
            .client_request(command.parse().expect("test command parses"), target);
        self.after_step();
        out
    }

    /// The client history so far is linearizable.
    pub fn assert_linearizable(&self) {
        let verdict = check_history(self.sim.history());
        assert!(!verdict.is_violation(), "{verdict}");
    }
}

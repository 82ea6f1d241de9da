//! Nemeses that aim, as Jepsen's do: they watch the run and strike at the moment a bug would
//! show, where a random schedule almost never lands.
//!
//! - **Restart after a vote** (§5.2): when a server stands for election, a second server is made
//!   to stand in the same term over slow links, and every server that votes for the first is
//!   crashed and restarted at once, before the second's RequestVote arrives. A server that
//!   forgot its vote grants it again: two leaders in one term (`forget_vote_on_restart`).
//! - **Figure 8** (§5.4.2): a new leader's entries reach only a minority and it crashes; a
//!   leader of the next term appends entries that reach nobody and crashes; the first comes
//!   back, leads a later term and copies its old entries to a majority; it crashes as soon as
//!   it counts them committed, and the second comes back and wins with its newer last term.
//!   Counting replicas of an old term's entry (`commit_old_term_by_counting`) commits what the
//!   second then overwrites.
//!
//! - **Figure 10** (§6): the moment a leader switches to a configuration that grew by two or
//!   more voters, a majority of the old voters is cut off from the rest, and the leader hands
//!   leadership to one of the new voters (a transfer, so the vote is not disregarded). With
//!   joint consensus the old side cannot elect anyone (C_old,new is committed, so it needs a
//!   majority of C_new too); switching directly (`switch_config_directly`) lets both sides
//!   elect a leader of the same term.
//!
//! The aimer only proposes ordinary `Action`s, each at a whole millisecond after the event that
//! prompted it; the fuzzer records them with the random ones, so a run replays (and shrinks)
//! from its schedule alone. What it does is legal for any network and any servers: a correct
//! Raft stays safe under it.

use super::fuzz::Dice;
use crate::raft::{Command, Configuration, LogIndex, ReadMode, Role, ServerId, ServerSet, Term};
use crate::sim::{Action, LinkSettings, MessageKind, Micros, ServerStatus, Sim, TraceKind};

const MS: Micros = 1_000;

/// What the aimer is in the middle of.
#[derive(Clone, Debug)]
enum Plan {
    Idle,
    /// Restarting every server that votes for `candidate` in `term`, until `until`.
    RestartVoters {
        candidate: ServerId,
        term: Term,
        until: Micros,
    },
    /// Figure 8, waiting for a leader of a term after `old_term` among `majority_side`, which
    /// will append entries that reach nobody. `first` (and `minority`) hold the old entries.
    Figure8Second {
        first: ServerId,
        minority: Vec<ServerId>,
        majority_side: Vec<ServerId>,
        old_term: Term,
        until: Micros,
    },
    /// Stale read (§8): `old` (leader of `term`) is cut off alone. Once another server leads a
    /// later term, a new value is written through it (`written`); once applied there, GETs go
    /// to `old`, which must not answer with the old value.
    StaleRead {
        old: ServerId,
        term: Term,
        written: Option<(ServerId, String)>,
        until: Micros,
    },
    /// Figure 8, waiting for a leader holding the old entry at `index` (of `old_term`) to count
    /// it committed; then it crashes and `second` returns.
    Figure8Commit {
        first: ServerId,
        second: ServerId,
        index: LogIndex,
        old_term: Term,
        until: Micros,
    },
}

/// The reactive nemesis of one fuzz run.
pub(crate) struct Aimer {
    dice: Dice,
    plan: Plan,
    servers: u8,
    /// Leader last seen starting a term (to notice new leaders).
    last_leader_term: Term,
    /// No new plan before this time (the cluster gets to settle between attacks).
    quiet_until: Micros,
    /// Client requests it made, numbered for distinct values.
    requests: u32,
    /// Term of the last leader a stale-read attack was considered for.
    stale_read_term: Term,
    /// Figure 10: the configuration the leader used at the last look, and no new split
    /// before `split_quiet_until`.
    leader_config: Option<(ServerId, Configuration)>,
    split_quiet_until: Micros,
}

impl Aimer {
    pub fn new(seed: u64, servers: u8) -> Self {
        Aimer {
            dice: Dice::new(seed ^ 0x6169_6d65_6421),
            plan: Plan::Idle,
            servers,
            last_leader_term: Term(0),
            quiet_until: 0,
            requests: 0,
            stale_read_term: Term(0),
            leader_config: None,
            split_quiet_until: 0,
        }
    }

    /// Figure 10 (§6): when the leader switches to a configuration grown by two voters or more
    /// (C_new after C_old,new, or directly with the knob), a majority of C_old without the
    /// leader is cut off, the leader hands over to a new voter, and the network heals later.
    fn watch_configuration(&mut self, sim: &Sim, at: Micros, out: &mut Vec<(Micros, Action)>) {
        let Some(leader) = sim.leader() else {
            return;
        };
        let config = *sim.server(leader).configuration();
        let before = self.leader_config.replace((leader, config));
        let Some((was_leader, old)) = before else {
            return;
        };
        if was_leader != leader
            || config.is_joint()
            || config.voters == old.voters
            || !matches!(self.plan, Plan::Idle)
            || sim.now() < self.split_quiet_until
        {
            return;
        }
        let (old, new) = (old.voters, config.voters);
        let majority = |set: ServerSet| set.len() / 2 + 1;
        let joined = new.without(old);
        let Some(target) = joined.iter().next() else {
            return;
        };
        if !old.contains(leader) || new.len() < majority(old) + majority(new) {
            return;
        }
        let cut_off: Vec<ServerId> = old
            .iter()
            .filter(|&s| s != leader)
            .take(majority(old))
            .collect();
        if cut_off.len() < majority(old) {
            return;
        }
        let rest: Vec<ServerId> = sim.server_ids().filter(|s| !cut_off.contains(s)).collect();
        out.push((
            at,
            Action::Partition {
                groups: vec![cut_off, rest],
            },
        ));
        out.push((at + 30 * MS, Action::TransferLeadership { to: target }));
        out.push((at + 2_500 * MS, Action::Heal));
        self.split_quiet_until = at + 4_000 * MS;
    }

    /// Looks at the step just taken; pushes the actions it wants (each later than now).
    pub fn observe(&mut self, sim: &Sim, out: &mut Vec<(Micros, Action)>) {
        let now = sim.now();
        let at = next_ms(now);
        self.watch_configuration(sim, at, out);
        match self.plan.clone() {
            Plan::Idle => self.maybe_start(sim, at, out),
            Plan::RestartVoters {
                candidate,
                term,
                until,
            } => {
                if now > until {
                    self.finish(now);
                    return;
                }
                if let TraceKind::Delivered {
                    from, to, message, ..
                } = &sim.last_event().kind
                {
                    let voter = sim.server(*to);
                    if *from == candidate
                        && message.kind == MessageKind::RequestVote
                        && voter.current_term() == term
                        && voter.voted_for() == Some(candidate)
                    {
                        out.push((at, Action::Crash { server: *to }));
                        out.push((at + MS, Action::Restart { server: *to }));
                    }
                }
            }
            Plan::StaleRead {
                old,
                term,
                written,
                until,
            } => self.stale_read(sim, (old, term, written, until), at, out),
            Plan::Figure8Second {
                first,
                minority,
                majority_side,
                old_term,
                until,
            } => {
                let Some(second) = self.leader_just_touched(sim, until, at, out) else {
                    return;
                };
                let s = sim.server(second);
                if s.current_term() <= old_term || !majority_side.contains(&second) {
                    return;
                }
                // The entry only `first` and the minority hold: the last of the old term.
                let old = sim.server(first);
                let index = old.last_log_index();
                if old.log().term_at(index) != Some(old_term) || index <= s.commit_index() {
                    self.abort(at, out);
                    return;
                }
                // The second leader's entries reach nobody; it crashes; the first returns
                // and stands twice (its first term is already taken by the second's voters).
                for to in self.ids().filter(|&to| to != second) {
                    out.push((at, lossy_link(sim, second, to)));
                }
                self.request(second, at, out);
                let crash_at = at + 40 * MS;
                out.push((crash_at, Action::Crash { server: second }));
                out.push((crash_at, Action::ResetLinks));
                out.push((crash_at, Action::Restart { server: first }));
                for &m in &minority {
                    out.push((crash_at, Action::Resume { server: m }));
                }
                out.push((crash_at + MS, Action::Timeout { server: first }));
                out.push((crash_at + 2 * MS, Action::Timeout { server: first }));
                self.plan = Plan::Figure8Commit {
                    first,
                    second,
                    index,
                    old_term,
                    until: crash_at + 1_000 * MS,
                };
            }
            Plan::Figure8Commit {
                first,
                second,
                index,
                old_term,
                until,
            } => {
                let Some(id) = self.leader_just_touched(sim, until, at, out) else {
                    return;
                };
                let s = sim.server(id);
                if id == second
                    || s.log().term_at(index) != Some(old_term)
                    || s.commit_index() < index
                {
                    return;
                }
                // A leader holding the old entry counts it committed: it crashes at once, and
                // the second leader (newer last term) returns and stands twice.
                out.push((at, Action::Crash { server: id }));
                out.push((at, Action::Restart { server: second }));
                out.push((at + MS, Action::Timeout { server: second }));
                out.push((at + 2 * MS, Action::Timeout { server: second }));
                out.push((at + 500 * MS, Action::Restart { server: id }));
                out.push((at + 500 * MS, Action::Restart { server: first }));
                self.finish(at + 500 * MS);
            }
        }
    }

    /// Stale read: write through the new leader, then read from the old one.
    fn stale_read(
        &mut self,
        sim: &Sim,
        plan: (ServerId, Term, Option<(ServerId, String)>, Micros),
        at: Micros,
        out: &mut Vec<(Micros, Action)>,
    ) {
        let (old, term, written, until) = plan;
        if sim.now() > until {
            out.push((at, Action::Heal));
            self.finish(at);
            return;
        }
        match written {
            None => {
                let Some(id) = sim.last_touched() else {
                    return;
                };
                let s = sim.server(id);
                let committed_in_term = s.log().term_at(s.commit_index()) == Some(s.current_term());
                if id == old
                    || s.role() != Role::Leader
                    || s.current_term() <= term
                    || !committed_in_term
                {
                    return;
                }
                self.request(id, at, out);
                let value = format!("aim{}", self.requests);
                self.plan = Plan::StaleRead {
                    old,
                    term,
                    written: Some((id, value)),
                    until,
                };
            }
            Some((leader, value)) => {
                if sim.server(leader).kv().get("k0") != Some(&value) {
                    return;
                }
                // The writer's answer is on its way; read from the old leader after it lands.
                for k in 0..6 {
                    out.push((
                        at + (60 + 50 * k) * MS,
                        Action::ClientRequest {
                            client: None,
                            command: Command::Get { key: "k0".into() },
                            target: Some(old),
                        },
                    ));
                }
                out.push((at + 400 * MS, Action::Heal));
                self.finish(at + 400 * MS);
            }
        }
    }

    /// The server the last step ran on, if it leads; gives the plan up once `until` passed.
    fn leader_just_touched(
        &mut self,
        sim: &Sim,
        until: Micros,
        at: Micros,
        out: &mut Vec<(Micros, Action)>,
    ) -> Option<ServerId> {
        if sim.now() > until {
            self.abort(at, out);
            return None;
        }
        let id = sim.last_touched()?;
        (sim.server(id).role() == Role::Leader).then_some(id)
    }

    fn ids(&self) -> impl Iterator<Item = ServerId> {
        (1..=self.servers).map(ServerId)
    }

    fn finish(&mut self, at: Micros) {
        self.plan = Plan::Idle;
        self.quiet_until = at + self.dice.between(500 * MS, 3_000 * MS);
    }

    /// Gives up a plan, putting the cluster back together.
    fn abort(&mut self, at: Micros, out: &mut Vec<(Micros, Action)>) {
        out.push((at, Action::ResetLinks));
        for server in self.ids() {
            out.push((at, Action::Restart { server }));
            out.push((at, Action::Resume { server }));
        }
        self.finish(at);
    }

    /// A client request straight to `server` (a SET with a value never used before).
    fn request(&mut self, server: ServerId, at: Micros, out: &mut Vec<(Micros, Action)>) {
        self.requests += 1;
        out.push((
            at,
            Action::ClientRequest {
                client: None,
                command: Command::Set {
                    key: "k0".into(),
                    value: format!("aim{}", self.requests),
                },
                target: Some(server),
            },
        ));
    }

    fn maybe_start(&mut self, sim: &Sim, at: Micros, out: &mut Vec<(Micros, Action)>) {
        if sim.now() < self.quiet_until {
            return;
        }
        let Some(id) = sim.last_touched() else {
            return;
        };
        let s = sim.server(id);
        match (&sim.last_event().kind, s.role()) {
            (TraceKind::ElectionTimeout, Role::Candidate) if self.dice.chance(0.5) => {
                self.start_restart_voters(sim, id, at, out);
            }
            (_, Role::Leader) if s.current_term() > self.last_leader_term => {
                self.last_leader_term = s.current_term();
                if self.dice.chance(0.5) {
                    self.start_figure8(sim, id, at, out);
                }
            }
            // Reads without the log: a leader that has committed in its term is cut off.
            (_, Role::Leader)
                if sim.config().raft.read_mode != ReadMode::Log
                    && s.current_term() > self.stale_read_term
                    && s.log().term_at(s.commit_index()) == Some(s.current_term()) =>
            {
                self.stale_read_term = s.current_term();
                if self.dice.chance(0.5) {
                    let others: Vec<ServerId> = self.ids().filter(|&o| o != id).collect();
                    out.push((
                        at,
                        Action::Partition {
                            groups: vec![vec![id], others],
                        },
                    ));
                    self.plan = Plan::StaleRead {
                        old: id,
                        term: s.current_term(),
                        written: None,
                        until: at + 3_000 * MS,
                    };
                }
            }
            _ => {}
        }
    }

    /// `candidate` just stood for election: a second candidate stands in the same term over
    /// slow links, and the voters of the first restart before its requests arrive.
    fn start_restart_voters(
        &mut self,
        sim: &Sim,
        candidate: ServerId,
        at: Micros,
        out: &mut Vec<(Micros, Action)>,
    ) {
        let term = sim.server(candidate).current_term();
        let rivals: Vec<ServerId> = self
            .ids()
            .filter(|&s| {
                s != candidate
                    && sim.status(s) == ServerStatus::Up
                    && sim.server(s).current_term().0 + 1 == term.0
            })
            .collect();
        if rivals.is_empty() {
            return;
        }
        let rival = rivals[self.dice.below(rivals.len() as u64) as usize];
        // The rival must not hear of the term before it stands in it: it is down while the
        // first candidate's vote requests arrive; nor be deposed by the first candidate's
        // heartbeats before it counts its votes: a slow link to it.
        out.push((at, Action::Crash { server: rival }));
        out.push((
            at,
            Action::SetLink {
                from: candidate,
                to: rival,
                settings: LinkSettings {
                    latency_min: 300 * MS,
                    latency_max: 400 * MS,
                    loss_probability: 0.0,
                },
            },
        ));
        // It stands once the voters of the first have voted and restarted (a restart loses
        // what was on its way to them, so its requests must leave after).
        let restarts_until = at + 25 * MS;
        out.push((restarts_until + 3 * MS, Action::Restart { server: rival }));
        out.push((restarts_until + 5 * MS, Action::Timeout { server: rival }));
        out.push((at + 500 * MS, Action::ResetLinks));
        self.plan = Plan::RestartVoters {
            candidate,
            term,
            until: restarts_until,
        };
        self.quiet_until = at + 500 * MS;
    }

    /// `first` just became leader with everyone up: its next entries reach only a minority,
    /// then it crashes and the minority pauses, so one of the others leads the next term.
    fn start_figure8(
        &mut self,
        sim: &Sim,
        first: ServerId,
        at: Micros,
        out: &mut Vec<(Micros, Action)>,
    ) {
        if self.ids().any(|s| sim.status(s) != ServerStatus::Up) {
            return;
        }
        let mut others: Vec<ServerId> = self.ids().filter(|&s| s != first).collect();
        if others.is_empty() {
            return; // a one-server cluster has nobody to lead the next term
        }
        // The first leader and its minority stay one short of a majority.
        let minority_size = (self.servers as usize / 2).saturating_sub(1);
        let mut minority = Vec::new();
        for _ in 0..minority_size {
            let pick = self.dice.below(others.len() as u64) as usize;
            minority.push(others.remove(pick));
        }
        for &to in &others {
            out.push((at, lossy_link(sim, first, to)));
        }
        self.request(first, at, out);
        self.request(first, at, out);
        let crash_at = at + 50 * MS;
        out.push((crash_at, Action::Crash { server: first }));
        for &m in &minority {
            out.push((crash_at, Action::Pause { server: m }));
        }
        let second = others[self.dice.below(others.len() as u64) as usize];
        out.push((crash_at + MS, Action::Timeout { server: second }));
        self.plan = Plan::Figure8Second {
            first,
            minority,
            majority_side: others,
            old_term: sim.server(first).current_term(),
            until: crash_at + 1_000 * MS,
        };
    }
}

/// The link from `from` to `to` loses everything sent on it (decided at send time, so setting
/// the links back later revives nothing already sent).
fn lossy_link(sim: &Sim, from: ServerId, to: ServerId) -> Action {
    Action::SetLink {
        from,
        to,
        settings: LinkSettings {
            latency_min: sim.config().latency_min,
            latency_max: sim.config().latency_max,
            loss_probability: 1.0,
        },
    }
}

/// The next whole millisecond after `now` (actions of a schedule fall on whole milliseconds).
fn next_ms(now: Micros) -> Micros {
    (now / MS + 1) * MS
}

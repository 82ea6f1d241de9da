//! Random fault schedules ("nemesis", after Jepsen) with client load, checked after every
//! event (Figure 3) and for linearizability at the end; plus shrinking of a failing schedule.
//!
//! A run is decided by its [`FuzzConfig`] alone: the simulator's RNG is seeded with the seed,
//! and the random nemesis schedule is drawn beforehand from its own RNG (seeded from the same
//! seed). With `Nemesis::All` the aiming nemeses (`aim.rs`) add actions as the run goes; every
//! action lands on a whole millisecond and the run records them all (`FuzzOutcome::schedule`),
//! so a run can be edited (shrunk) and replayed from its schedule alone.

use super::aim::Aimer;
use super::invariants::{step_until, Checker, Violation};
use super::linearizability::{check_history, Verdict};
use crate::raft::types::ServerId;
use crate::raft::{Knobs, RaftOptions, ReadMode, SnapshotOptions};
use crate::sim::{Action, ClientLoad, LinkSettings, Micros, Sim, SimConfig};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use std::fmt;

/// Which faults the nemesis injects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nemesis {
    /// Crashes and restarts, partitions and cut links, message loss (requests and replies
    /// apart) and duplication, slow and lossy links, long reply delays and MIT 6.824's
    /// unreliable network, pauses and forced election timeouts; and the aiming nemeses
    /// (restart right after a vote, Figure 8).
    All,
    Crash,
    Partition,
    Loss,
    None,
}

impl Nemesis {
    pub fn parse(text: &str) -> Option<Nemesis> {
        Some(match text {
            "all" => Nemesis::All,
            "crash" => Nemesis::Crash,
            "partition" => Nemesis::Partition,
            "loss" => Nemesis::Loss,
            "none" => Nemesis::None,
            _ => return None,
        })
    }
}

impl fmt::Display for Nemesis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Nemesis::All => "all",
            Nemesis::Crash => "crash",
            Nemesis::Partition => "partition",
            Nemesis::Loss => "loss",
            Nemesis::None => "none",
        })
    }
}

/// One fuzz run.
#[derive(Clone, Debug)]
pub struct FuzzConfig {
    pub seed: u64,
    pub duration: Micros,
    pub servers: u8,
    pub nemesis: Nemesis,
    pub knobs: Knobs,
    /// MIT 6.824 fast log back-up (on by default, as in the simulator).
    pub fast_backup: bool,
    /// A new leader appends a no-op at once (§8).
    pub noop_on_election: bool,
    /// Automatic clients issuing SET/GET/DEL on a few keys.
    pub clients: u32,
    /// Mean time between nemesis actions.
    pub fault_interval: Micros,
    /// Whether a run of every nemesis with no knob draws the options below at random (see
    /// [`FuzzConfig::draws_options`]); false: they are used as given.
    pub random_options: bool,
    /// Read mode, PreVote, CheckQuorum and clock drift, when not drawn at random.
    pub read_mode: ReadMode,
    pub pre_vote: bool,
    pub check_quorum: bool,
    pub clock_drift_ppm: u32,
    /// §7 snapshots. None: off, except with `Nemesis::All`, which draws a threshold and a
    /// chunk size per seed (see `snapshots_of_run`).
    pub snapshots: Option<SnapshotOptions>,
}

/// Clock drift in runs with lease reads drawn at random: within the bound leases allow for.
const DRAWN_CLOCK_DRIFT_PPM: u32 = 50_000;

impl FuzzConfig {
    pub fn new(seed: u64, duration: Micros) -> Self {
        FuzzConfig {
            seed,
            duration,
            servers: 5,
            nemesis: Nemesis::All,
            knobs: Knobs::default(),
            fast_backup: true,
            noop_on_election: false,
            clients: 3,
            fault_interval: 400_000,
            random_options: true,
            read_mode: ReadMode::Log,
            pre_vote: false,
            check_quorum: false,
            clock_drift_ppm: 0,
            snapshots: None,
        }
    }

    /// The §7 snapshot options of this run: as given, or with `Nemesis::All` drawn from the
    /// seed (a quarter of the runs without snapshots, the rest with small random thresholds
    /// and chunk sizes, so compaction and InstallSnapshot meet every other fault).
    pub fn snapshots_of_run(&self) -> SnapshotOptions {
        if let Some(options) = self.snapshots {
            return options;
        }
        let mut dice = Dice::new(self.seed ^ 0x736e_6170_7368_6f74);
        if self.nemesis != Nemesis::All || dice.chance(0.25) {
            return SnapshotOptions::DEFAULT;
        }
        SnapshotOptions {
            threshold: dice.between(2, 40) as u32,
            chunk_bytes: dice.between(8, 512) as u32,
        }
    }

    /// With every nemesis (`Nemesis::All`) and no knob on, each seed draws its own read mode,
    /// PreVote, CheckQuorum and (with leases) bounded clock drift, and the nemesis hands
    /// leadership over now and then: a correct Raft stays safe with any of them. A knob run
    /// keeps the options given, so it shows its one bug.
    pub fn draws_options(&self) -> bool {
        self.random_options && self.nemesis == Nemesis::All && !self.knobs.any()
    }

    /// Read mode, PreVote, CheckQuorum and clock drift of this run.
    fn options(&self) -> (ReadMode, bool, bool, u32) {
        if self.draws_options() {
            let mut dice = Dice::new(self.seed ^ 0x6f70_7469_6f6e_7321);
            let mode = ReadMode::ALL[dice.below(3) as usize];
            let drift = if mode == ReadMode::Lease {
                DRAWN_CLOCK_DRIFT_PPM
            } else {
                0
            };
            return (mode, dice.chance(0.5), dice.chance(0.5), drift);
        }
        // A knob about reads needs the read mode it breaks.
        let mode = match self.read_mode {
            ReadMode::Log if self.knobs.unbounded_clock_drift => ReadMode::Lease,
            ReadMode::Log if self.knobs.read_without_confirmation => ReadMode::ReadIndex,
            mode => mode,
        };
        (mode, self.pre_vote, self.check_quorum, self.clock_drift_ppm)
    }

    /// The simulator configuration of this run (no trace, no time travel: speed).
    pub fn sim_config(&self) -> SimConfig {
        let (read_mode, pre_vote, check_quorum, max_clock_drift_ppm) = self.options();
        SimConfig {
            seed: self.seed,
            servers: self.servers,
            load: ClientLoad::busy(self.clients),
            raft: RaftOptions {
                fast_backup: self.fast_backup,
                noop_on_election: self.noop_on_election,
                snapshots: self.snapshots_of_run(),
                knobs: self.knobs.clone(),
                read_mode,
                pre_vote,
                check_quorum,
                ..RaftOptions::DEFAULT
            },
            max_clock_drift_ppm,
            trace_capacity: 0,
            checkpoint_interval: 0,
            ..SimConfig::default()
        }
    }
}

/// A nemesis action and when it happens.
pub type Schedule = Vec<(Micros, Action)>;

/// What one run found.
#[derive(Clone, Debug)]
pub struct FuzzOutcome {
    pub seed: u64,
    pub events: u64,
    pub violation: Option<Violation>,
    pub linearizability: Verdict,
    /// Client operations in the history.
    pub operations: usize,
    /// The nemesis actions as run (random and aimed, in the order applied, up to the end or
    /// the violation): `run_schedule` with it replays this run.
    pub schedule: Schedule,
}

impl FuzzOutcome {
    /// A safety violation or a non-linearizable history (an undecided search is not a failure).
    pub fn failed(&self) -> bool {
        self.violation.is_some() || self.linearizability.is_violation()
    }

    /// What went wrong, in words.
    pub fn problem(&self) -> Option<String> {
        match (&self.violation, &self.linearizability) {
            (Some(v), _) => Some(v.to_string()),
            (None, v @ Verdict::NotLinearizable { .. }) => Some(format!("client history {v}")),
            _ => None,
        }
    }
}

/// A tiny helper over a nemesis RNG.
pub(crate) struct Dice(ChaCha8Rng);

impl Dice {
    pub fn new(seed: u64) -> Self {
        Dice(ChaCha8Rng::seed_from_u64(seed))
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.0.next_u64() % n
        }
    }
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.0.next_u64() as f64 / u64::MAX as f64) < p
    }
}

/// The kinds of fault the nemesis draws from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fault {
    CrashOrRestart,
    Partition,
    Cuts,
    Loss,
    Duplication,
    /// Force an election timeout, or pause a server briefly.
    Nudge,
    /// A few links made slow (tens to hundreds of ms) and perhaps lossy, one way each.
    SlowLinks,
    /// Requests and replies lost apart, replies held back long: at random, or exactly MIT
    /// 6.824's unreliable network (0–27 ms, 10% of requests and 10% of replies lost, two
    /// thirds of replies delayed 200–2,200 ms).
    Unreliable,
}

/// Draws the nemesis schedule of `config` from its own RNG.
pub fn schedule(config: &FuzzConfig) -> Schedule {
    let mut dice = Dice::new(config.seed ^ 0x6e65_6d65_7369_7321);
    let defaults = config.sim_config();
    let n = config.servers;
    let ids: Vec<ServerId> = (1..=n).map(ServerId).collect();
    // §6: with membership changes, partitions place the servers that may be added too (each
    // on a side; `fit_to_world` drops those not started yet), so a new server is not left
    // alone by every partition.
    let sides: Vec<ServerId> = if changes_membership(config) {
        (1..=crate::raft::MAX_SERVER_ID).map(ServerId).collect()
    } else {
        ids.clone()
    };
    // Crashes, restarts and pauses hit added servers too (a new voter restarting from its
    // snapshot and its configuration); those aimed at a server not started yet are refused
    // when applied and change nothing.
    let mut crashed = vec![false; sides.len()];
    let mut paused = vec![false; sides.len()];
    let mut out = Schedule::new();
    if config.nemesis == Nemesis::None {
        return out;
    }
    let mut t: Micros = dice.between(100_000, 2 * config.fault_interval);
    while t < config.duration {
        use Fault::*;
        let menu: &[Fault] = match config.nemesis {
            Nemesis::All => &[
                CrashOrRestart,
                CrashOrRestart,
                Partition,
                Partition,
                Cuts,
                Loss,
                Duplication,
                Nudge,
                SlowLinks,
                Unreliable,
            ],
            Nemesis::Crash => &[CrashOrRestart, CrashOrRestart, Nudge],
            Nemesis::Partition => &[Partition, Partition, Cuts, SlowLinks],
            Nemesis::Loss => &[Loss, Duplication, Unreliable],
            Nemesis::None => &[],
        };
        let fault = menu[dice.below(menu.len() as u64) as usize];
        let pick = |dice: &mut Dice| ids[dice.below(n as u64) as usize];
        let target = |dice: &mut Dice| sides[dice.below(sides.len() as u64) as usize];
        match fault {
            // Crash an up server, or restart a crashed one.
            CrashOrRestart => {
                let s = target(&mut dice);
                let i = s.0 as usize - 1;
                if crashed[i] {
                    out.push((t, Action::Restart { server: s }));
                    crashed[i] = false;
                } else {
                    if paused[i] {
                        out.push((t, Action::Resume { server: s }));
                        paused[i] = false;
                    }
                    out.push((t, Action::Crash { server: s }));
                    crashed[i] = true;
                    // Often come back at once (mid-election: what a lost vote record would
                    // break, §5.2), usually soon, sometimes only after a long while.
                    let back = t + match dice.below(10) {
                        0..=2 => dice.between(5_000, 60_000),
                        3..=8 => dice.between(60_000, 1_500_000),
                        _ => dice.between(1_500_000, 6_000_000),
                    };
                    if back < config.duration && dice.chance(0.9) {
                        out.push((back, Action::Restart { server: s }));
                        crashed[i] = false;
                    }
                }
            }
            // Partition into two random sides, healed later.
            Partition => {
                let mut a = Vec::new();
                let mut b = Vec::new();
                for &s in &sides {
                    if dice.chance(0.5) {
                        a.push(s)
                    } else {
                        b.push(s)
                    }
                }
                out.push((t, Action::Partition { groups: vec![a, b] }));
                let heal = t + dice.between(100_000, 3_000_000);
                if heal < config.duration {
                    out.push((heal, Action::Heal));
                }
            }
            // A few one-way cuts.
            Cuts => {
                for _ in 0..dice.between(1, 3) {
                    let (from, to) = (pick(&mut dice), pick(&mut dice));
                    if from != to {
                        out.push((t, Action::Cut { from, to }));
                    }
                }
                let heal = t + dice.between(100_000, 2_000_000);
                if heal < config.duration {
                    out.push((heal, Action::Heal));
                }
            }
            // Lossy or duplicating network for a while.
            Loss | Duplication => {
                let p = dice.below(40) as f64 / 100.0;
                let (on, off) = if fault == Loss {
                    (
                        Action::SetLoss { probability: p },
                        Action::SetLoss { probability: 0.0 },
                    )
                } else {
                    (
                        Action::SetDuplication { probability: p },
                        Action::SetDuplication { probability: 0.0 },
                    )
                };
                out.push((t, on));
                let end = t + dice.between(200_000, 3_000_000);
                if end < config.duration {
                    out.push((end, off));
                }
            }
            SlowLinks => {
                for _ in 0..dice.between(1, 4) {
                    let (from, to) = (pick(&mut dice), pick(&mut dice));
                    // Whole milliseconds, as scenario files write them.
                    let latency_min = dice.between(0, 100) * 1000;
                    let settings = LinkSettings {
                        latency_min,
                        latency_max: latency_min + dice.between(0, 200) * 1000,
                        loss_probability: if dice.chance(0.3) {
                            dice.below(30) as f64 / 100.0
                        } else {
                            0.0
                        },
                    };
                    if from != to {
                        out.push((t, Action::SetLink { from, to, settings }));
                    }
                }
                let end = t + dice.between(300_000, 3_000_000);
                if end < config.duration {
                    out.push((end, Action::ResetLinks));
                }
            }
            Unreliable => {
                let mit = dice.chance(0.5);
                let (latency, requests, replies, long) = if mit {
                    ((0, 27_000), 0.1, 0.1, (2.0 / 3.0, 200_000, 2_200_000))
                } else {
                    (
                        (defaults.latency_min, defaults.latency_max),
                        dice.below(30) as f64 / 100.0,
                        dice.below(30) as f64 / 100.0,
                        (
                            dice.below(80) as f64 / 100.0,
                            50_000,
                            dice.between(100, 2_200) * 1000,
                        ),
                    )
                };
                out.push((
                    t,
                    Action::SetLatency {
                        min: latency.0,
                        max: latency.1,
                    },
                ));
                out.push((t, Action::SetLossApart { requests, replies }));
                out.push((
                    t,
                    Action::SetLongDelays {
                        probability: long.0,
                        min: long.1,
                        max: long.2,
                    },
                ));
                let end = t + dice.between(1_000_000, 6_000_000);
                if end < config.duration {
                    out.push((
                        end,
                        Action::SetLatency {
                            min: defaults.latency_min,
                            max: defaults.latency_max,
                        },
                    ));
                    out.push((end, Action::SetLoss { probability: 0.0 }));
                    out.push((
                        end,
                        Action::SetLongDelays {
                            probability: 0.0,
                            min: 0,
                            max: 0,
                        },
                    ));
                }
            }
            // Force an election somewhere, or pause a server for a moment.
            Nudge => {
                let s = target(&mut dice);
                let i = s.0 as usize - 1;
                // A crashed server has no timer to force.
                if crashed[i] {
                } else if config.nemesis == Nemesis::All && !paused[i] && dice.chance(0.3) {
                    out.push((t, Action::Pause { server: s }));
                    paused[i] = true;
                    let back = t + dice.between(50_000, 1_000_000);
                    out.push((
                        back.min(config.duration.saturating_sub(1)),
                        Action::Resume { server: s },
                    ));
                    paused[i] = false;
                } else if config.draws_options() && dice.chance(0.3) {
                    out.push((t, Action::TransferLeadership { to: s }));
                } else {
                    out.push((t, Action::Timeout { server: s }));
                }
            }
        }
        t += dice.between(config.fault_interval / 4, config.fault_interval * 7 / 4);
    }
    out.extend(membership_schedule(config));
    // Whole milliseconds, so a schedule can be written as a scenario file exactly.
    for (time, _) in &mut out {
        *time -= *time % 1000;
    }
    out.sort_by_key(|(time, _)| *time);
    out
}

/// Whether this run changes membership (§6): every nemesis with options drawn at random (no
/// knob), and the knob that breaks membership changes.
pub fn changes_membership(config: &FuzzConfig) -> bool {
    config.nemesis == Nemesis::All
        && (config.draws_options() || config.knobs.switch_config_directly)
}

/// §6: random membership changes, drawn from their own RNG (so the other faults of a seed stay
/// what they were): fresh servers added (with the knob often two at once, which then join
/// together: the paper's Figure 10), members removed (the leader among them, whoever it is
/// at the time). A change the leader refuses (one already in progress, no leader, no id
/// left) is dropped by the simulator and changes nothing.
fn membership_schedule(config: &FuzzConfig) -> Schedule {
    let mut out = Schedule::new();
    if !changes_membership(config) {
        return out;
    }
    let knob = config.knobs.switch_config_directly;
    let mut dice = Dice::new(config.seed ^ 0x6d65_6d62_6572_7321);
    // Ids the servers may have by then (each add takes the next one).
    let mut known = config.servers;
    let mean = if knob { 1_500_000 } else { 4_000_000 };
    let mut t = dice.between(500_000, mean);
    while t < config.duration {
        if dice.chance(0.5) {
            let adds = if knob && dice.chance(0.6) { 2 } else { 1 };
            for _ in 0..adds {
                out.push((t, Action::AddServer));
                known = (known + 1).min(crate::raft::MAX_SERVER_ID);
            }
        } else {
            let server = ServerId(dice.between(1, u64::from(known)) as u8);
            out.push((t, Action::RemoveServer { server }));
        }
        t += dice.between(mean / 4, mean * 7 / 4);
    }
    out
}

/// Runs `config` with `schedule` (and nothing else), checking every event; stops at the first
/// violation.
pub fn run_schedule(config: &FuzzConfig, schedule: &[(Micros, Action)]) -> FuzzOutcome {
    run(config, schedule.to_vec(), None)
}

/// Runs `config` with `schedule`, the aimer adding actions as it goes; every event checked.
fn run(config: &FuzzConfig, mut pending: Schedule, mut aimer: Option<Aimer>) -> FuzzOutcome {
    let mut sim = Sim::new(config.sim_config());
    let mut checker = Checker::new();
    let mut ran = Schedule::new();
    let mut proposed = Schedule::new();
    pending.retain(|(t, _)| *t <= config.duration);
    pending.reverse(); // popped from the end, earliest first
    loop {
        let limit = pending.last().map_or(config.duration, |(t, _)| *t);
        if step_until(&mut sim, limit) {
            if checker.observe_sim(&sim).is_some() {
                break;
            }
            if let Some(aimer) = &mut aimer {
                aimer.observe(&sim, &mut proposed);
                for (t, action) in proposed.drain(..).filter(|(t, _)| *t <= config.duration) {
                    // After the actions already due at the same time (they were first).
                    let at = pending.partition_point(|(p, _)| *p > t);
                    pending.insert(at, (t, action));
                }
            }
            continue;
        }
        let Some((t, action)) = pending.pop() else {
            break;
        };
        sim.run_until(t);
        let action = fit_to_world(&sim, action);
        ran.push((t, action.clone()));
        // Refused actions (e.g. restarting a server a shrunk schedule never crashed) change
        // nothing.
        if sim.apply(action).is_ok() && checker.observe_sim(&sim).is_some() {
            break;
        }
    }
    let violation = checker.violation().cloned();
    let linearizability = if violation.is_some() {
        Verdict::Linearizable
    } else {
        check_history(sim.history())
    };
    FuzzOutcome {
        seed: config.seed,
        events: sim.events_processed(),
        violation,
        linearizability,
        operations: sim.history().len(),
        schedule: ran,
    }
}

/// The actions of `schedule` the simulator accepts (refused ones change nothing, so dropping
/// them replays the same run).
pub fn accepted(config: &FuzzConfig, schedule: &[(Micros, Action)]) -> Schedule {
    let mut sim = Sim::new(config.sim_config());
    let mut out = Schedule::new();
    for (t, action) in schedule.iter().filter(|(t, _)| *t <= config.duration) {
        while step_until(&mut sim, *t) {}
        sim.run_until(*t);
        let action = fit_to_world(&sim, action.clone());
        if sim.apply(action.clone()).is_ok() {
            out.push((*t, action));
        }
    }
    out
}

/// A partition drawn over every server id that may exist (§6: servers added during the run)
/// names only the servers started so far; the others are dropped from it.
fn fit_to_world(sim: &Sim, action: Action) -> Action {
    match action {
        Action::Partition { groups } => {
            let started = |s: &ServerId| sim.server_ids().any(|id| id == *s);
            let groups: Vec<Vec<ServerId>> = groups
                .into_iter()
                .map(|g| g.into_iter().filter(started).collect::<Vec<_>>())
                .filter(|g| !g.is_empty())
                .collect();
            Action::Partition { groups }
        }
        other => other,
    }
}

/// Runs seed `config.seed` with its own schedule (and, with `Nemesis::All`, the aiming
/// nemeses).
pub fn run_seed(config: &FuzzConfig) -> FuzzOutcome {
    let aimer = (config.nemesis == Nemesis::All).then(|| Aimer::new(config.seed, config.servers));
    run(config, schedule(config), aimer)
}

/// Finds a shorter failing run: first the shortest duration that still fails (the violation
/// time bounds it), then drops nemesis actions one by one while the run still fails.
/// `budget` caps the number of re-runs.
pub fn shrink(
    config: &FuzzConfig,
    schedule: &[(Micros, Action)],
    budget: usize,
) -> (FuzzConfig, Schedule) {
    let mut best_config = config.clone();
    let mut best: Schedule = schedule.to_vec();
    let mut runs = 0;
    let first = run_schedule(&best_config, &best);
    if !first.failed() {
        return (best_config, best);
    }
    // A violation found at time t needs nothing after t.
    if let Some(v) = &first.violation {
        best_config.duration = v.time + 1;
        best.retain(|(t, _)| *t <= v.time);
    }
    // Shorter runs first: halve the duration while the run still fails (a stale read shows
    // up in a short history too).
    while runs < budget && best_config.duration > 200_000 {
        let shorter = FuzzConfig {
            duration: best_config.duration / 2,
            ..best_config.clone()
        };
        let candidate: Schedule = best
            .iter()
            .filter(|(t, _)| *t <= shorter.duration)
            .cloned()
            .collect();
        runs += 1;
        if !run_schedule(&shorter, &candidate).failed() {
            break;
        }
        best_config = shorter;
        best = candidate;
    }
    // Drop actions, from the last to the first, keeping each drop that still fails.
    let mut i = best.len();
    while i > 0 && runs < budget {
        i -= 1;
        let mut candidate = best.clone();
        candidate.remove(i);
        runs += 1;
        let outcome = run_schedule(&best_config, &candidate);
        if outcome.failed() {
            best = candidate;
            if let Some(v) = &outcome.violation {
                best_config.duration = best_config.duration.min(v.time + 1);
                best.retain(|(t, _)| *t <= best_config.duration);
                i = i.min(best.len());
            }
        }
    }
    (best_config, best)
}

/// A replayable text form of a schedule: one `at <ms> ms: <action>` line each.
pub fn describe_schedule(schedule: &[(Micros, Action)]) -> Vec<String> {
    schedule
        .iter()
        .map(|(t, a)| format!("at {:.1} ms: {a}", *t as f64 / 1000.0))
        .collect()
}

/// One narrated line of a trace.
#[derive(Clone, Debug)]
pub struct TraceLine {
    pub time: Micros,
    /// Heartbeat chatter a reader may skip.
    pub routine: bool,
    pub text: String,
}

/// The narrated trace of a run (every event), up to the first violation or the end; the last
/// line names the violation, if any.
pub fn narrate(config: &FuzzConfig, schedule: &[(Micros, Action)]) -> Vec<TraceLine> {
    let mut sim_config = config.sim_config();
    sim_config.trace_capacity = 1;
    let mut sim = Sim::new(sim_config);
    let mut checker = Checker::new();
    let mut lines = Vec::new();
    let line = |e: &crate::sim::TraceEvent| TraceLine {
        time: e.time,
        routine: e.is_routine(),
        text: format!(
            "[{:>10.3} ms] {:<6} {}",
            e.time as f64 / 1000.0,
            e.section(),
            e.explain()
        ),
    };
    let ends = schedule
        .iter()
        .filter(|(t, _)| *t <= config.duration)
        .map(|(t, a)| (*t, Some(a)));
    for (t, action) in ends.chain(std::iter::once((config.duration, None))) {
        while checker.is_clean() && step_until(&mut sim, t) {
            lines.push(line(sim.last_event()));
            checker.observe_sim(&sim);
        }
        if !checker.is_clean() {
            break;
        }
        sim.run_until(t);
        if let Some(action) = action {
            if sim.apply(action.clone()).is_ok() {
                lines.push(line(sim.last_event()));
                checker.observe_sim(&sim);
            }
        }
    }
    if let Some(v) = checker.violation() {
        lines.push(TraceLine {
            time: v.time,
            routine: false,
            text: format!("VIOLATION: {v}"),
        });
    }
    lines
}

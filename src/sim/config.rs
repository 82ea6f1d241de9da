//! How a simulated world is set up. Serde, so scenario files carry it.

use super::view::Micros;
use crate::raft::RaftOptions;
use serde::{Deserialize, Serialize};

/// Everything that decides a run, together with the action log: same config + same actions
/// => the same run, event for event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimConfig {
    /// Seeds the only random number generator of the world.
    pub seed: u64,
    /// Number of servers, 1..=9, named S1..Sn.
    pub servers: u8,
    /// Election timeouts are drawn uniformly from this range (§5.2, §5.6).
    pub election_timeout_min: Micros,
    pub election_timeout_max: Micros,
    /// How often a leader sends AppendEntries when idle.
    pub heartbeat_interval: Micros,
    /// One-way message latency is drawn uniformly from this range for every message (so
    /// messages overtake each other: the network reorders).
    pub latency_min: Micros,
    pub latency_max: Micros,
    /// Probability that a message is lost (decided when it is sent).
    pub loss_probability: f64,
    /// Probability that a message is delivered twice (the copy gets its own latency).
    pub duplicate_probability: f64,
    /// A client that has no answer after this long sends the same (client, seq) again (§8).
    pub client_timeout: Micros,
    /// A client turned away without a leader hint waits this long before trying another server.
    pub client_backoff: Micros,
    /// Automatic client load for fuzzing and benchmarks (off by default).
    pub load: ClientLoad,
    pub raft: RaftOptions,
    /// How many trace events `Sim::trace()` keeps (oldest dropped first); 0 keeps none and
    /// skips copying narration notes altogether (benchmarks, fuzzing).
    pub trace_capacity: usize,
    /// Simulated time between time-travel checkpoints; 0 turns time travel off.
    pub checkpoint_interval: Micros,
    /// Most checkpoints kept; older ones are thinned out (every other one dropped).
    pub max_checkpoints: usize,
    /// Rough upper bound on the memory time-travel checkpoints may hold, whatever the length
    /// of the run. Over it, every other checkpoint is dropped and the interval doubled; a
    /// checkpoint that alone would not fit is not taken (rewinds then replay from an earlier
    /// one: slower, still exact). The checkpoint at time 0 is always kept.
    pub time_travel_budget_bytes: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            servers: 5,
            election_timeout_min: 150_000,
            election_timeout_max: 300_000,
            heartbeat_interval: 50_000,
            latency_min: 10_000,
            latency_max: 20_000,
            loss_probability: 0.0,
            duplicate_probability: 0.0,
            client_timeout: 500_000,
            client_backoff: 50_000,
            load: ClientLoad::default(),
            raft: RaftOptions::default(),
            trace_capacity: 10_000,
            checkpoint_interval: 1_000_000,
            max_checkpoints: 64,
            time_travel_budget_bytes: 64 << 20,
        }
    }
}

impl SimConfig {
    /// Why this configuration cannot run, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=9).contains(&self.servers) {
            return Err(format!(
                "servers must be between 1 and 9, not {}",
                self.servers
            ));
        }
        if self.election_timeout_min == 0 || self.election_timeout_min > self.election_timeout_max {
            return Err("election timeout range must satisfy 0 < min <= max".into());
        }
        if self.heartbeat_interval == 0 {
            return Err("heartbeat_interval must be positive".into());
        }
        if self.latency_min > self.latency_max {
            return Err("latency range must satisfy min <= max".into());
        }
        for (name, p) in [
            ("loss_probability", self.loss_probability),
            ("duplicate_probability", self.duplicate_probability),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!(
                    "{name} must be between 0 and 1, not {}",
                    super::decimal::approx(p)
                ));
            }
        }
        let longest = [
            self.election_timeout_max,
            self.heartbeat_interval,
            self.latency_max,
            self.client_timeout,
            self.client_backoff,
            self.load.think_time_max,
        ];
        if longest.iter().any(|d| *d > super::world::MAX_DURATION) {
            return Err(
                "durations (timeouts, latency, think time) must be at most one hour".into(),
            );
        }
        if self.client_timeout == 0 {
            return Err("client_timeout must be positive".into());
        }
        if self.load.clients > 0
            && (self.load.keys == 0 || self.load.think_time_min > self.load.think_time_max)
        {
            return Err("load needs keys > 0 and think_time_min <= think_time_max".into());
        }
        Ok(())
    }
}

/// Automatic clients C1..Cn: each waits a random think time, issues a random SET/GET/DEL on
/// one of `keys` keys (k0, k1, ...) and waits for the answer (retrying as any client does),
/// then thinks again. Manual requests use further clients.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientLoad {
    pub clients: u32,
    pub think_time_min: Micros,
    pub think_time_max: Micros,
    pub keys: u32,
}

impl ClientLoad {
    /// A busy but reasonable load: `clients` clients, 0–20 ms think time, 5 keys.
    pub fn busy(clients: u32) -> Self {
        ClientLoad {
            clients,
            think_time_min: 0,
            think_time_max: 20_000,
            keys: 5,
        }
    }
}

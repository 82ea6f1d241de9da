//! How a simulated world is set up. Serde, so scenario files carry it. The defaults here are
//! the only ones (the scenario format's `ClusterSpec::DEFAULT` is derived from them); the
//! limits are in [`super::limits`].

use super::limits::{self, LimitError, MAX_TIMER};
use super::view::Micros;
use crate::raft::{RaftOptions, ReadMode};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Everything that decides a run, together with the action log: same config + same actions
/// => the same run, event for event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimConfig {
    /// Seeds the only random number generator of the world.
    pub seed: u64,
    /// Number of servers, 1..=9 (`limits::MAX_SERVERS`), named S1..Sn.
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
    /// Each server's clock runs up to this many parts per million fast or slow (drawn per
    /// server); 0: exact clocks. Only lease reads look at clocks (`RaftOptions::read_mode`).
    pub max_clock_drift_ppm: u32,
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
        Self::DEFAULT
    }
}

/// Why a [`SimConfig`] cannot run.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ConfigError {
    /// Servers, clients, keys or a duration outside [`super::limits`].
    #[error(transparent)]
    Limit(#[from] LimitError),
    #[error("election timeout range must satisfy 0 < min <= max, not [{min}, {max}] µs")]
    ElectionTimeout { min: Micros, max: Micros },
    #[error("{0} must be positive")]
    Zero(&'static str),
    #[error("{name} must satisfy min <= max, not [{min}, {max}] µs")]
    Range {
        name: &'static str,
        min: Micros,
        max: Micros,
    },
    #[error("{name} must be between 0 and 1, not {value}")]
    Probability { name: &'static str, value: f64 },
    /// §7 snapshot options out of range.
    #[error("{0}")]
    Snapshots(String),
    /// Lease reads: a server's promise not to vote (the lease, on a clock as slow as the bound
    /// allows) must end before its own election timer can fire, or it would vote for itself
    /// while the leader still counts on it (dissertation §6.4.1).
    #[error("lease_duration {lease} µs is too long: allowing for clock drift it must end before the shortest election timeout ({election_timeout_min} µs)")]
    LeaseTooLong {
        lease: Micros,
        election_timeout_min: Micros,
    },
    /// Clocks run at 10%–190% of real speed at most.
    #[error("{name} must be at most {MAX_CLOCK_DRIFT_PPM} parts per million, not {value}")]
    ClockDrift { name: &'static str, value: u32 },
}

/// The largest clock drift, and drift bound, a configuration may give (clocks at 10%–190%).
pub const MAX_CLOCK_DRIFT_PPM: u32 = 900_000;

impl SimConfig {
    /// The defaults (a constant, so the scenario format's defaults derive from it).
    pub const DEFAULT: SimConfig = SimConfig {
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
        load: ClientLoad::DEFAULT,
        raft: RaftOptions::DEFAULT,
        max_clock_drift_ppm: 0,
        trace_capacity: 10_000,
        checkpoint_interval: 1_000_000,
        max_checkpoints: 64,
        time_travel_budget_bytes: 64 << 20,
    };

    /// This configuration with `page`'s memory settings: what a run keeps of itself (the
    /// narrated trace, time travel's checkpoints and the memory they may hold), which changes
    /// nothing in the run. A configuration from outside (a handover) takes the page's, as a
    /// link, which carries none of them, does.
    pub fn with_memory_of(self, page: &SimConfig) -> SimConfig {
        SimConfig {
            trace_capacity: page.trace_capacity,
            checkpoint_interval: page.checkpoint_interval,
            max_checkpoints: page.max_checkpoints,
            time_travel_budget_bytes: page.time_travel_budget_bytes,
            ..self
        }
    }

    /// Why this configuration cannot run, if it cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        limits::check_servers(self.servers.into())?;
        if self.election_timeout_min == 0 || self.election_timeout_min > self.election_timeout_max {
            return Err(ConfigError::ElectionTimeout {
                min: self.election_timeout_min,
                max: self.election_timeout_max,
            });
        }
        for (name, d) in [
            ("heartbeat_interval", self.heartbeat_interval),
            ("client_timeout", self.client_timeout),
        ] {
            if d == 0 {
                return Err(ConfigError::Zero(name));
            }
        }
        for (name, min, max) in [
            ("latency", self.latency_min, self.latency_max),
            (
                "think time",
                self.load.think_time_min,
                self.load.think_time_max,
            ),
        ] {
            if min > max {
                return Err(ConfigError::Range { name, min, max });
            }
        }
        for (name, value) in [
            ("loss_probability", self.loss_probability),
            ("duplicate_probability", self.duplicate_probability),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(ConfigError::Probability { name, value });
            }
        }
        let longest = [
            self.election_timeout_max,
            self.heartbeat_interval,
            self.latency_max,
            self.client_timeout,
            self.client_backoff,
            self.load.think_time_max,
            self.raft.lease_duration,
        ];
        if let Some(d) = longest.into_iter().find(|d| *d > MAX_TIMER) {
            // In ms, rounded up, so that it reads as over the limit.
            return Err(LimitError::TimerTooLong(d.div_ceil(1000)).into());
        }
        for (name, value) in [
            ("max_clock_drift_ppm", self.max_clock_drift_ppm),
            ("lease_drift_bound_ppm", self.raft.lease_drift_bound_ppm),
        ] {
            if value > MAX_CLOCK_DRIFT_PPM {
                return Err(ConfigError::ClockDrift { name, value });
            }
        }
        let bound = u128::from(self.raft.lease_drift_bound_ppm);
        let promise_real = u128::from(self.raft.lease_duration) * 1_000_000 / (1_000_000 - bound);
        if self.raft.read_mode == ReadMode::Lease
            && promise_real >= u128::from(self.election_timeout_min)
        {
            return Err(ConfigError::LeaseTooLong {
                lease: self.raft.lease_duration,
                election_timeout_min: self.election_timeout_min,
            });
        }
        limits::check_clients(self.load.clients.into())?;
        limits::check_time_advances(
            self.load.clients,
            self.load.think_time_max,
            self.latency_max,
        )?;
        if self.load.clients > 0 && !(1..=limits::MAX_KEYS).contains(&self.load.keys) {
            return Err(LimitError::Keys(self.load.keys.into()).into());
        }
        self.raft
            .snapshots
            .validate()
            .map_err(ConfigError::Snapshots)?;
        Ok(())
    }
}

/// Automatic clients C1..Cn: each waits a random think time, issues a random SET/GET/DEL on
/// one of `keys` keys (k0, k1, ...) and waits for the answer (retrying as any client does),
/// then thinks again. Manual requests use further clients.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientLoad {
    pub clients: u32,
    pub think_time_min: Micros,
    pub think_time_max: Micros,
    pub keys: u32,
}

impl Default for ClientLoad {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl ClientLoad {
    /// No automatic clients; when some are added: 0–20 ms think time, 5 keys.
    pub const DEFAULT: ClientLoad = ClientLoad {
        clients: 0,
        think_time_min: 0,
        think_time_max: 20_000,
        keys: 5,
    };

    /// A busy but reasonable load: `clients` clients, 0–20 ms think time, 5 keys.
    pub fn busy(clients: u32) -> Self {
        ClientLoad {
            clients,
            ..Self::DEFAULT
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_are_typed_and_share_the_limits() {
        let with = |change: fn(&mut SimConfig)| {
            let mut c = SimConfig::DEFAULT;
            change(&mut c);
            c.validate()
        };
        assert_eq!(with(|_| {}), Ok(()));
        assert_eq!(
            with(|c| c.load = ClientLoad::busy(101)),
            Err(ConfigError::Limit(LimitError::Clients(101)))
        );
        assert_eq!(
            with(|c| c.servers = 10),
            Err(ConfigError::Limit(LimitError::Servers(10)))
        );
        assert_eq!(
            with(|c| c.client_timeout = MAX_TIMER + 1),
            Err(ConfigError::Limit(LimitError::TimerTooLong(60_001)))
        );
        assert_eq!(
            with(|c| c.heartbeat_interval = 0),
            Err(ConfigError::Zero("heartbeat_interval"))
        );
        assert!(matches!(
            with(|c| c.loss_probability = 1.5),
            Err(ConfigError::Probability {
                name: "loss_probability",
                ..
            })
        ));
    }
}

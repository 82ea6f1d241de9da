//! The one set of limits on what a run may ask for. `SimConfig::validate`, the scenario format
//! (`scenario::Scenario::validate`) and the `raftsim` command line all check against these
//! constants, so a number accepted anywhere is accepted everywhere and runs in memory.
//!
//! Memory grows with the client operations a run stores: every command is kept in every
//! server's log (unless §7 snapshots compact it) and in the client history the checker reads. Operations
//! grow with servers × clients × simulated time, so that product is capped ([`MAX_LOAD`]).
//! Measured with `/usr/bin/time -v raftsim check --servers 9 --clients 100 --nemesis none`
//! (linearizability check included): 10 s → 143 MB, 30 s → 369 MB, 60 s → 709 MB peak RSS,
//! about 11 MB per simulated second. The worst accepted case, 9 servers × 100 clients ×
//! 83 s, peaks at 980 MB (figures in docs/SCENARIOS.md).
//!
//! `Sim::run_until` itself refuses no length: a program using the library decides how long it
//! runs; scenario files and `raftsim` stay within [`MAX_RUN`] and [`MAX_LOAD`].

use super::view::Micros;
use thiserror::Error;

/// Servers in a cluster: S1..S9 (server names are one digit).
pub const MIN_SERVERS: u8 = 1;
pub const MAX_SERVERS: u8 = 9;

/// Automatic clients (`ClientLoad::clients`, a scenario's `cluster.clients.count`).
pub const MAX_CLIENTS: u32 = 100;

/// Client ids a request may name: C1..C1000 (automatic clients come first).
pub const MAX_CLIENT_ID: u32 = 1000;

/// Keys the automatic clients choose from.
pub const MAX_KEYS: u32 = 1000;

/// The longest simulated run: one hour.
pub const MAX_RUN: Micros = 3_600_000_000;
pub const MAX_RUN_MS: u64 = MAX_RUN / 1000;

/// The longest timeout, interval, latency, think time or message delay: one minute. Far from
/// overflow when added to any time within a run.
pub const MAX_TIMER: Micros = 60_000_000;
pub const MAX_TIMER_MS: u64 = MAX_TIMER / 1000;

/// The most servers × automatic clients × simulated seconds one run may ask for (see the
/// module comment: about 1 GB at worst). Accepts 9 servers with 100 clients for 83 s and 5 with
/// 3 for the full hour. It does not bound snapshots-on runs more loosely: snapshots shrink
/// the logs, not the client history. (`raftsim bench`'s fixed workload is not checked against
/// it: its hour, 5 × 5 × 3,600 s, is measured in docs/BENCHMARKS.md.)
pub const MAX_LOAD: u64 = 75_000;

/// Most runs of one `raftsim check` (each run is independent: this bounds wall time only).
pub const MAX_SEEDS: u64 = 1_000_000;

/// A number outside the limits above.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum LimitError {
    #[error("{0} servers: choose {MIN_SERVERS} to {MAX_SERVERS}")]
    Servers(u64),
    #[error("{0} clients: at most {MAX_CLIENTS}")]
    Clients(u64),
    #[error("{0} keys: choose 1 to {MAX_KEYS}")]
    Keys(u64),
    #[error("{0} ms is longer than the longest run, {MAX_RUN_MS} ms (one hour)")]
    RunTooLong(u64),
    #[error("{0} ms is too long: timeouts, latencies and think times are at most {MAX_TIMER_MS} ms (one minute)")]
    TimerTooLong(u64),
    #[error(
        "{servers} servers × {clients} clients × {seconds} s = {load}, above the limit of \
         {MAX_LOAD} server·client·seconds (memory grows with stored operations): use fewer \
         clients or a shorter run"
    )]
    Load {
        servers: u64,
        clients: u64,
        seconds: u64,
        load: u64,
    },
    #[error(
        "automatic clients with a think time of 0 need a latency above 0: otherwise each \
         answer comes at once and simulated time never advances"
    )]
    TimeStandsStill,
    #[error("{0} seeds: choose 1 to {MAX_SEEDS}")]
    Seeds(u64),
    #[error("{count} seeds from {first} pass the largest seed, {}", u64::MAX)]
    SeedOverflow { first: u64, count: u64 },
}

/// `ms` in microseconds, if the run may last that long.
pub fn run_length(ms: u64) -> Result<Micros, LimitError> {
    if ms > MAX_RUN_MS {
        return Err(LimitError::RunTooLong(ms));
    }
    Ok(ms * 1000)
}

/// `ms` in microseconds, if a timer or latency may be that long.
pub fn timer_length(ms: u64) -> Result<Micros, LimitError> {
    if ms > MAX_TIMER_MS {
        return Err(LimitError::TimerTooLong(ms));
    }
    Ok(ms * 1000)
}

pub fn check_servers(servers: u64) -> Result<u8, LimitError> {
    match u8::try_from(servers) {
        Ok(n) if (MIN_SERVERS..=MAX_SERVERS).contains(&n) => Ok(n),
        _ => Err(LimitError::Servers(servers)),
    }
}

pub fn check_clients(clients: u64) -> Result<u32, LimitError> {
    match u32::try_from(clients) {
        Ok(n) if n <= MAX_CLIENTS => Ok(n),
        _ => Err(LimitError::Clients(clients)),
    }
}

/// Whether `servers` servers with `clients` automatic clients may run for `duration`
/// ([`MAX_LOAD`]; seconds rounded up).
pub fn check_load(servers: u8, clients: u32, duration: Micros) -> Result<(), LimitError> {
    let seconds = duration.div_ceil(1_000_000);
    let load = u64::from(servers)
        .saturating_mul(u64::from(clients))
        .saturating_mul(seconds);
    if load > MAX_LOAD {
        return Err(LimitError::Load {
            servers: servers.into(),
            clients: clients.into(),
            seconds,
            load,
        });
    }
    Ok(())
}

/// Whether automatic clients leave time to pass: with think time and latency both at most 0,
/// a client's next request is sent and answered at the same instant, forever.
pub fn check_time_advances(
    clients: u32,
    think_time_max: Micros,
    latency_max: Micros,
) -> Result<(), LimitError> {
    if clients > 0 && think_time_max == 0 && latency_max == 0 {
        return Err(LimitError::TimeStandsStill);
    }
    Ok(())
}

/// Seeds `first..=first + count - 1`, if there are 1 to [`MAX_SEEDS`] of them and none wraps.
pub fn seed_range(first: u64, count: u64) -> Result<std::ops::RangeInclusive<u64>, LimitError> {
    if !(1..=MAX_SEEDS).contains(&count) {
        return Err(LimitError::Seeds(count));
    }
    match first.checked_add(count - 1) {
        Some(last) => Ok(first..=last),
        None => Err(LimitError::SeedOverflow { first, count }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_convert_to_micros_within_the_limits_and_refuse_beyond() {
        assert_eq!(run_length(MAX_RUN_MS), Ok(MAX_RUN));
        assert_eq!(
            run_length(18_446_744_073_709_552),
            Err(LimitError::RunTooLong(18_446_744_073_709_552))
        );
        assert_eq!(timer_length(60_000), Ok(MAX_TIMER));
        assert!(timer_length(60_001).is_err());
        assert!(timer_length(u64::MAX).is_err());
    }

    #[test]
    fn counts_are_not_truncated() {
        assert_eq!(check_clients(100), Ok(100));
        assert_eq!(
            check_clients(4_294_967_296),
            Err(LimitError::Clients(4_294_967_296))
        );
        assert_eq!(check_servers(9), Ok(9));
        assert_eq!(check_servers(256 + 5), Err(LimitError::Servers(261)));
        assert!(check_servers(0).is_err());
    }

    #[test]
    fn load_caps_servers_times_clients_times_seconds() {
        assert!(check_load(9, 100, 83_000_000).is_ok());
        assert!(matches!(
            check_load(9, 100, MAX_RUN),
            Err(LimitError::Load {
                load: 3_240_000,
                ..
            })
        ));
        assert!(check_load(5, 3, MAX_RUN).is_ok());
        assert!(check_load(5, 5, 3_000_000_000).is_ok());
        assert!(check_load(9, 0, MAX_RUN).is_ok());
    }

    #[test]
    fn clients_need_think_time_or_latency_for_time_to_pass() {
        assert_eq!(
            check_time_advances(1, 0, 0),
            Err(LimitError::TimeStandsStill)
        );
        assert!(check_time_advances(1, 0, 1).is_ok());
        assert!(check_time_advances(1, 1, 0).is_ok());
        assert!(check_time_advances(0, 0, 0).is_ok());
    }

    #[test]
    fn seed_ranges_never_wrap() {
        assert_eq!(seed_range(0, 3), Ok(0..=2));
        assert_eq!(seed_range(u64::MAX - 1, 2), Ok(u64::MAX - 1..=u64::MAX));
        assert_eq!(
            seed_range(u64::MAX - 1, 3),
            Err(LimitError::SeedOverflow {
                first: u64::MAX - 1,
                count: 3
            })
        );
        assert_eq!(seed_range(0, 0), Err(LimitError::Seeds(0)));
    }
}

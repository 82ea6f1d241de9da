//! The `raftsim` command line: run scenarios, fuzz fault schedules and benchmark the simulator.
//!
//! Flags are parsed by clap (native only: the page never builds this binary), with the
//! limits of `raft_explorer::sim::limits`, the ones `SimConfig` and scenario files obey.

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser, Subcommand};
use raft_explorer::check::fuzz::{self, FuzzConfig, Nemesis};
use raft_explorer::check::Verdict;
use raft_explorer::raft::{Knobs, ReadMode, SnapshotOptions};
use raft_explorer::scenario::{self, RunOptions, Scenario};
use raft_explorer::sim::limits::{
    self, LimitError, MAX_CLIENTS, MAX_LOAD, MAX_SEEDS, MAX_SERVERS, MIN_SERVERS,
};
use raft_explorer::sim::{Micros, Sim};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// The limits, shown under every `--help` (from `sim::limits`, so they cannot drift).
fn limits_help() -> String {
    format!(
        "LIMITS (the same for scenario files and the library's SimConfig; docs/SCENARIOS.md):\n  \
         servers {MIN_SERVERS} to {MAX_SERVERS} · clients 0 to {MAX_CLIENTS} · runs up to {} ms \
         (one hour) · timeouts and latencies up to {} ms · servers × clients × simulated \
         seconds at most {MAX_LOAD} (memory grows with stored operations: 9 servers × 100 \
         clients × 83 s peak at about 1 GB) · 1 to {MAX_SEEDS} seeds per check, none past {}",
        limits::MAX_RUN_MS,
        limits::MAX_TIMER_MS,
        u64::MAX
    )
}

/// raftsim: the Raft Explorer simulator on the command line.
#[derive(Parser)]
#[command(name = "raftsim", after_help = limits_help())]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run a scenario file (format: docs/SCENARIOS.md): `raftsim run FILE.json [--trace]`.
    ///
    /// Prints every failed expectation and exits 1 if any fails.
    #[command(after_help = limits_help())]
    Run {
        /// The scenario file.
        file: PathBuf,
        /// Print the narrated trace, each event with its paper section.
        #[arg(long)]
        trace: bool,
    },
    /// Fuzz: `raftsim check --seeds N --duration-ms D`, random fault schedules with client load.
    ///
    /// Runs N random fault schedules (seeds S..S+N-1) of D simulated ms with client load,
    /// checking Figure 3 invariants after every event and linearizability at the end. Prints
    /// one JSON line {"runs":N,"violations":V,"events":E,"events_per_sec":R,...} and exits 1
    /// if V > 0, after printing the first failing seed, a shrunk schedule and its narrated
    /// trace.
    #[command(after_help = limits_help())]
    Check(CheckArgs),
    /// Benchmark: `raftsim bench [--duration-ms D]`, simulated events per second.
    ///
    /// A fixed workload (5 servers, 5 busy clients, no faults, no checker), printed as JSON.
    /// It may run the whole hour: the server·client·second limit guards runs whose size the
    /// user picks, and this one's hour is measured (its memory is in docs/BENCHMARKS.md).
    #[command(after_help = limits_help())]
    Bench {
        /// Simulated milliseconds (default: one hour).
        #[arg(long, value_name = "MS", default_value_t = limits::MAX_RUN_MS, value_parser = run_ms)]
        duration_ms: u64,
        /// §7: servers snapshot once their log holds N entries (default: no snapshots). The
        /// output then also gives the longest log seen (sampled every 10 simulated ms).
        #[arg(long, value_name = "N", value_parser = snapshot_threshold)]
        snapshot_threshold: Option<u32>,
    },
}

#[derive(clap::Args)]
struct CheckArgs {
    /// How many runs (1 to 1,000,000).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_SEEDS))]
    seeds: u64,
    /// Simulated milliseconds per run (1 to 3,600,000).
    #[arg(long, value_name = "MS", value_parser = run_ms)]
    duration_ms: u64,
    /// Servers per cluster (1 to 9).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u8).range(i64::from(MIN_SERVERS)..=i64::from(MAX_SERVERS)))]
    servers: u8,
    /// Faults to inject: all, crash, partition, loss or none.
    #[arg(long, default_value = "all", value_parser = nemesis)]
    nemesis: Nemesis,
    /// Switch on a "break Raft" knob (repeatable): forget_vote_on_restart,
    /// commit_old_term_by_counting, skip_election_restriction, stale_local_reads,
    /// read_without_confirmation (implies --read-mode read_index), unbounded_clock_drift
    /// (implies --read-mode lease),
    /// install_snapshot_discards_following_entries, switch_config_directly.
    #[arg(long = "knob", value_name = "NAME", value_parser = knob)]
    knobs: Vec<String>,
    /// The first seed.
    #[arg(long, value_name = "S", default_value_t = 0)]
    first_seed: u64,
    /// Automatic clients (0 to 100).
    #[arg(long, value_name = "C", default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=i64::from(MAX_CLIENTS)))]
    clients: u32,
    /// Turn MIT 6.824's fast log back-up off (Figure 2's one-entry-at-a-time back-up).
    #[arg(long)]
    slow_backup: bool,
    /// A new leader appends a no-op at once (§8).
    #[arg(long)]
    noop_on_election: bool,
    /// How leaders answer GET: log, read_index or lease (§8). Given (or any of --pre-vote,
    /// --check-quorum, --clock-drift-ppm), these options are used as given; otherwise
    /// `--nemesis all` without knobs draws them at random for each seed.
    #[arg(long, value_name = "MODE", value_parser = read_mode)]
    read_mode: Option<ReadMode>,
    /// PreVote (dissertation §9.6).
    #[arg(long)]
    pre_vote: bool,
    /// CheckQuorum (dissertation §6.2).
    #[arg(long)]
    check_quorum: bool,
    /// Each server's clock drifts up to this many parts per million (lease reads).
    #[arg(long, value_name = "PPM", value_parser = clap::value_parser!(u32).range(0..=900_000))]
    clock_drift_ppm: Option<u32>,
    /// §7: servers snapshot once their log holds N entries (0: never). Default: off, except
    /// with `--nemesis all`, which draws a threshold per seed (a quarter of seeds without).
    #[arg(long, value_name = "N", value_parser = snapshot_threshold_or_off)]
    snapshot_threshold: Option<u32>,
    /// §7: most bytes per InstallSnapshot chunk (1 to 1,000,000), with --snapshot-threshold.
    #[arg(long, value_name = "B", default_value_t = SnapshotOptions::DEFAULT.chunk_bytes, value_parser = clap::value_parser!(u32).range(1..=i64::from(SnapshotOptions::MAX)))]
    snapshot_chunk_bytes: u32,
    /// Write the shrunk failing run as a scenario file, to replay with `raftsim run`.
    #[arg(long, value_name = "FILE")]
    save: Option<PathBuf>,
}

/// A run length in ms, within `limits::MAX_RUN_MS`.
fn run_ms(text: &str) -> Result<u64, String> {
    let ms: u64 = text
        .parse()
        .map_err(|_| format!("\"{text}\" is not a whole number of milliseconds"))?;
    if ms == 0 {
        return Err("a run lasts at least 1 ms".into());
    }
    limits::run_length(ms).map_err(|e| e.to_string())?;
    Ok(ms)
}

fn read_mode(text: &str) -> Result<ReadMode, String> {
    ReadMode::parse(text).ok_or_else(|| "use log, read_index or lease".into())
}

/// A snapshot threshold, 0 (never) to `SnapshotOptions::MAX`.
fn snapshot_threshold_or_off(text: &str) -> Result<u32, String> {
    let n: u32 = text
        .parse()
        .map_err(|_| format!("\"{text}\" is not a whole number of log entries"))?;
    if n > SnapshotOptions::MAX {
        return Err(format!("at most {} entries", SnapshotOptions::MAX));
    }
    Ok(n)
}

/// A snapshot threshold of at least one entry.
fn snapshot_threshold(text: &str) -> Result<u32, String> {
    match snapshot_threshold_or_off(text)? {
        0 => Err("at least 1 entry (leave the option out for no snapshots)".into()),
        n => Ok(n),
    }
}

fn nemesis(text: &str) -> Result<Nemesis, String> {
    Nemesis::parse(text).ok_or_else(|| "use all, crash, partition, loss or none".into())
}

/// A knob name, checked against the one list (`Knobs::ALL`).
fn knob(text: &str) -> Result<String, String> {
    let mut knobs = Knobs::DEFAULT;
    knobs.set(text, true).map_err(|e| e.to_string())?;
    Ok(text.to_string())
}

/// A limit that depends on several flags of `subcommand`, reported as clap reports one flag's
/// (with that command's usage).
fn refuse(subcommand: &str, e: impl std::fmt::Display) -> clap::Error {
    let mut cli = Cli::command();
    cli.build(); // names the subcommands "raftsim check", ... in the usage line
    match cli.find_subcommand_mut(subcommand) {
        Some(command) => command.error(ErrorKind::ValueValidation, e),
        None => cli.error(ErrorKind::ValueValidation, e),
    }
}

pub fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Cmd::Run { file, trace } => Ok(cmd_run(&file, trace)),
        Cmd::Check(args) => cmd_check(&args),
        Cmd::Bench {
            duration_ms,
            snapshot_threshold,
        } => cmd_bench(duration_ms, snapshot_threshold),
    };
    result.unwrap_or_else(|e| e.exit())
}

/// Writes what `raftsim run` prints; a closed pipe comes back as an error instead of a panic.
fn print_run_report(
    report: &scenario::Report,
    problems: &[String],
    steps: usize,
) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for line in &report.trace {
        writeln!(out, "{line}")?;
    }
    for p in problems {
        writeln!(out, "FAILED {p}")?;
    }
    if let Some(v) = &report.violation {
        if report.violation_expected {
            writeln!(out, "violation (expected): {v}")?;
        }
    }
    writeln!(
        out,
        "{}: {steps} steps, {} events, {} ms simulated: {}",
        report.name,
        report.events,
        report.end_ms,
        if problems.is_empty() {
            "all expectations hold".to_string()
        } else {
            format!("{} problem(s)", problems.len())
        }
    )?;
    out.flush()
}

fn cmd_run(file: &std::path::Path, trace: bool) -> ExitCode {
    let shown = file.display();
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("raftsim: cannot read {shown}: {e}");
            return ExitCode::from(2);
        }
    };
    let scenario = match Scenario::from_json(&text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{shown}: {e}");
            return ExitCode::from(1);
        }
    };
    let report = scenario::run_with(&scenario, &RunOptions { trace });
    let problems = report.problems();
    if let Err(e) = print_run_report(&report, &problems, scenario.steps.len()) {
        // A reader that stops early (`raftsim run FILE --trace | head`) is not an error.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("raftsim: cannot write the report: {e}");
            return ExitCode::from(2);
        }
    }
    if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn cmd_check(args: &CheckArgs) -> Result<ExitCode, clap::Error> {
    let over_limit = |e: LimitError| refuse("check", e);
    let seeds = limits::seed_range(args.first_seed, args.seeds).map_err(over_limit)?;
    let duration = limits::run_length(args.duration_ms).map_err(over_limit)?;
    limits::check_load(args.servers, args.clients, duration).map_err(over_limit)?;
    let (servers, duration_ms, nemesis) = (args.servers, args.duration_ms, args.nemesis);
    let mut knobs = Knobs::DEFAULT;
    for name in &args.knobs {
        // Checked by `knob` already.
        knobs.set(name, true).map_err(|e| refuse("check", e))?;
    }

    let started = Instant::now();
    let mut events: u64 = 0;
    let mut operations: u64 = 0;
    let mut violations = 0;
    let mut unknown = 0;
    let mut first_failure: Option<(FuzzConfig, String, fuzz::Schedule)> = None;
    let runs = args.seeds;
    for seed in seeds {
        let config = FuzzConfig {
            servers,
            nemesis,
            knobs: knobs.clone(),
            clients: args.clients,
            fast_backup: !args.slow_backup,
            noop_on_election: args.noop_on_election,
            random_options: args.read_mode.is_none()
                && !args.pre_vote
                && !args.check_quorum
                && args.clock_drift_ppm.is_none(),
            read_mode: args.read_mode.unwrap_or_default(),
            pre_vote: args.pre_vote,
            check_quorum: args.check_quorum,
            clock_drift_ppm: args.clock_drift_ppm.unwrap_or(0),
            snapshots: args.snapshot_threshold.map(|threshold| SnapshotOptions {
                threshold,
                chunk_bytes: args.snapshot_chunk_bytes,
            }),
            ..FuzzConfig::new(seed, duration)
        };
        let outcome = fuzz::run_seed(&config);
        events += outcome.events;
        operations += outcome.operations as u64;
        if matches!(
            outcome.linearizability,
            raft_explorer::check::Verdict::Unknown { .. }
        ) {
            unknown += 1;
        }
        if let Some(problem) = outcome.problem() {
            violations += 1;
            if first_failure.is_none() {
                first_failure = Some((config, problem, outcome.schedule));
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{{\"runs\":{runs},\"violations\":{violations},\"events\":{events},\"events_per_sec\":{:.0},\"wall_secs\":{secs:.2},\"client_ops\":{operations},\"linearizability_unknown\":{unknown},\"servers\":{servers},\"duration_ms\":{duration_ms},\"nemesis\":\"{nemesis}\",\"knobs\":[{}],\"first_failing_seed\":{}}}",
        events as f64 / secs.max(1e-9),
        args.knobs.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(","),
        first_failure.as_ref().map_or("null".to_string(), |(c, _, _)| c.seed.to_string()),
    );
    let Some((config, problem, schedule)) = first_failure else {
        return Ok(ExitCode::SUCCESS);
    };
    eprintln!("first failing seed: {} ({problem})", config.seed);
    let (small, shrunk) = fuzz::shrink(&config, &schedule, 60);
    let outcome = fuzz::run_schedule(&small, &shrunk);
    eprintln!(
        "shrunk: {} of {} nemesis actions, {:.1} ms simulated (from {} ms); still fails: {}",
        shrunk.len(),
        schedule.len(),
        small.duration as f64 / 1000.0,
        duration_ms,
        outcome
            .problem()
            .unwrap_or_else(|| "no (shrinking lost it)".into())
    );
    eprintln!("nemesis schedule:");
    for line in fuzz::describe_schedule(&shrunk) {
        eprintln!("  {line}");
    }
    let replay = scenario::scenario_from_fuzz(&small, &shrunk, outcome.problem().as_deref());
    if let Some(path) = &args.save {
        let shown = path.display();
        match std::fs::write(path, replay.to_json() + "\n") {
            Ok(()) => eprintln!("replay: raftsim run {shown} --trace"),
            Err(e) => eprintln!("could not write {shown}: {e}"),
        }
    }
    eprintln!("permalink: {}", replay.to_permalink());
    let trace = fuzz::narrate(&small, &shrunk);
    // Where to look: the end (an invariant violation stops the run at once), or around the
    // operation whose result could not be explained.
    let (from, to) = match &outcome.linearizability {
        Verdict::NotLinearizable {
            culprit: (invoked, returned),
            ..
        } if outcome.violation.is_none() => (
            invoked.saturating_sub(300_000),
            returned.unwrap_or(small.duration) + 50_000,
        ),
        _ => (0, u64::MAX),
    };
    let shown: Vec<&str> = trace
        .iter()
        .filter(|l| !l.routine && l.time >= from && l.time <= to)
        .map(|l| l.text.as_str())
        .collect();
    const MOST: usize = 400;
    eprintln!(
        "trace ({} of {} events{}, heartbeats omitted):",
        MOST.min(shown.len()),
        trace.len(),
        if from > 0 {
            format!(
                ", from {:.1} ms to {:.1} ms",
                from as f64 / 1000.0,
                to as f64 / 1000.0
            )
        } else {
            String::new()
        }
    );
    for line in &shown[shown.len().saturating_sub(MOST)..] {
        eprintln!("{line}");
    }
    Ok(ExitCode::from(1))
}

fn cmd_bench(duration_ms: u64, snapshot_threshold: Option<u32>) -> Result<ExitCode, clap::Error> {
    // The workload the wasm benchmark measures too (src/sim/workload.rs).
    let mut config = raft_explorer::sim::workload::busy_cluster();
    if let Some(threshold) = snapshot_threshold {
        config.raft.snapshots.threshold = threshold;
    }
    // Only the run length is checked, not `limits::check_load`: the workload is fixed, and its
    // longest run (the hour) is measured in docs/BENCHMARKS.md.
    let duration = limits::run_length(duration_ms).map_err(|e: LimitError| refuse("bench", e))?;
    let mut sim = Sim::new(config);
    let started = Instant::now();
    let mut longest_log = 0;
    if snapshot_threshold.is_some() {
        const SAMPLE_EVERY: Micros = 10_000; // 10 simulated ms
        for t in (SAMPLE_EVERY..=duration).step_by(SAMPLE_EVERY as usize) {
            sim.run_until(t);
            longest_log = sim
                .servers()
                .map(|s| s.log().len())
                .fold(longest_log, usize::max);
        }
    }
    sim.run_until(duration);
    let secs = started.elapsed().as_secs_f64();
    let events = sim.events_processed();
    let snapshots = match snapshot_threshold {
        Some(threshold) => format!(
            ",\"snapshot_threshold\":{threshold},\"longest_log\":{longest_log},\"log_start\":[{}]",
            sim.servers()
                .map(|s| s.log().start().0.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ),
        None => String::new(),
    };
    println!(
        "{{\"workload\":\"5 servers, 5 busy clients, no faults, no checker\",\"simulated_ms\":{duration_ms},\"events\":{events},\"wall_secs\":{secs:.3},\"events_per_sec\":{:.0},\"client_ops\":{}{snapshots}}}",
        events as f64 / secs.max(1e-9),
        sim.history().len()
    );
    Ok(ExitCode::SUCCESS)
}

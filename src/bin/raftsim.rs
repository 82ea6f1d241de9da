//! `raftsim`: run scenarios, fuzz fault schedules and benchmark the simulator natively.
//!
//! Standard library only; arguments are parsed by hand.

use raft_explorer::check::fuzz::{self, FuzzConfig, Nemesis};
use raft_explorer::check::Verdict;
use raft_explorer::raft::Knobs;
use raft_explorer::scenario::{self, KnobsSpec, RunOptions, Scenario};
use raft_explorer::sim::Sim;
use std::process::ExitCode;
use std::time::Instant;

const HELP: &str = "\
raftsim: the Raft Explorer simulator on the command line

USAGE:
  raftsim run FILE.json [--trace]
      Run a scenario file (format: docs/SCENARIOS.md). Prints every failed expectation and
      exits 1 if any fails. --trace prints the narrated trace, each event with its paper
      section.

  raftsim check --seeds N --duration-ms D [--servers K] [--nemesis all|crash|partition|loss|none]
                [--knob NAME]... [--first-seed S] [--clients C] [--slow-backup] [--noop-on-election]
                [--save FILE]
      Run N random fault schedules (seeds S..S+N-1, default S=0) of D simulated ms with client
      load, checking Figure 3 invariants after every event and linearizability at the end.
      Prints one JSON line {\"runs\":N,\"violations\":V,\"events\":E,\"events_per_sec\":R,...}
      and exits 1 if V > 0, after printing the first failing seed, a shrunk schedule and its
      narrated trace; --save writes that shrunk run as a scenario file to replay with
      `raftsim run`. Knobs: forget_vote_on_restart, commit_old_term_by_counting,
      skip_election_restriction, stale_local_reads.

  raftsim bench [--duration-ms D]
      Simulated events per second for a fixed workload (5 servers, 5 busy clients, no faults,
      no checker; default 3,000,000 simulated ms), printed as JSON.

  raftsim --help
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => cmd_run(&args[1..]),
        Some("check") => cmd_check(&args[1..]),
        Some("bench") => cmd_bench(&args[1..]),
        Some("--help" | "-h" | "help") => {
            print!("{HELP}");
            Ok(ExitCode::SUCCESS)
        }
        Some(other) => Err(format!("unknown command \"{other}\"")),
        None => Err("no command given".into()),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("raftsim: {message}\n\n{HELP}");
            ExitCode::from(2)
        }
    }
}

/// Hand-rolled flag parsing: `--name value` pairs and bare switches.
struct Flags {
    pairs: Vec<(String, Option<String>)>,
    positional: Vec<String>,
}

impl Flags {
    fn parse(args: &[String], switches: &[&str], valued: &[&str]) -> Result<Flags, String> {
        let mut flags = Flags {
            pairs: Vec::new(),
            positional: Vec::new(),
        };
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            if switches.contains(&a.as_str()) {
                flags.pairs.push((a.clone(), None));
            } else if valued.contains(&a.as_str()) {
                let value = args
                    .get(i + 1)
                    .ok_or_else(|| format!("{a} needs a value"))?;
                flags.pairs.push((a.clone(), Some(value.clone())));
                i += 1;
            } else if a.starts_with("--") {
                return Err(format!("unknown option {a}"));
            } else {
                flags.positional.push(a.clone());
            }
            i += 1;
        }
        Ok(flags)
    }

    fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(n, _)| n == name)
    }

    fn values(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(n, _)| n == name)
            .filter_map(|(_, v)| v.as_deref())
            .collect()
    }

    fn number(&self, name: &str) -> Result<Option<u64>, String> {
        match self.values(name).last() {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| format!("{name} expects a whole number, not \"{v}\"")),
        }
    }
}

fn cmd_run(args: &[String]) -> Result<ExitCode, String> {
    let flags = Flags::parse(args, &["--trace"], &[])?;
    let [file] = flags.positional.as_slice() else {
        return Err("run takes exactly one scenario file".into());
    };
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    let scenario = match Scenario::from_json(&text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{file}: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let report = scenario::run_with(
        &scenario,
        &RunOptions {
            trace: flags.has("--trace"),
        },
    );
    for line in &report.trace {
        println!("{line}");
    }
    let problems = report.problems();
    for p in &problems {
        println!("FAILED {p}");
    }
    if let Some(v) = &report.violation {
        if report.violation_expected {
            println!("violation (expected): {v}");
        }
    }
    println!(
        "{}: {} steps, {} events, {} ms simulated: {}",
        report.name,
        scenario.steps.len(),
        report.events,
        report.end_ms,
        if problems.is_empty() {
            "all expectations hold".to_string()
        } else {
            format!("{} problem(s)", problems.len())
        }
    );
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn cmd_check(args: &[String]) -> Result<ExitCode, String> {
    let flags = Flags::parse(
        args,
        &["--slow-backup", "--noop-on-election"],
        &[
            "--seeds",
            "--duration-ms",
            "--servers",
            "--nemesis",
            "--knob",
            "--first-seed",
            "--clients",
            "--save",
        ],
    )?;
    if !flags.positional.is_empty() {
        return Err(format!("unexpected argument {}", flags.positional[0]));
    }
    let seeds = flags.number("--seeds")?.ok_or("check needs --seeds N")?;
    let duration_ms = flags
        .number("--duration-ms")?
        .ok_or("check needs --duration-ms D")?;
    let servers = flags.number("--servers")?.unwrap_or(5);
    if !(1..=9).contains(&servers) {
        return Err(format!("--servers must be 1 to 9, not {servers}"));
    }
    let first_seed = flags.number("--first-seed")?.unwrap_or(0);
    let clients = flags.number("--clients")?.unwrap_or(3) as u32;
    let nemesis_name = flags.values("--nemesis").last().copied().unwrap_or("all");
    let nemesis = Nemesis::parse(nemesis_name).ok_or_else(|| {
        format!("--nemesis must be all, crash, partition, loss or none, not \"{nemesis_name}\"")
    })?;
    let mut knob_spec = KnobsSpec::default();
    for name in flags.values("--knob") {
        if !knob_spec.enable(name) {
            return Err(format!(
                "unknown knob \"{name}\": use one of {}",
                KnobsSpec::NAMES.join(", ")
            ));
        }
    }
    let knobs = Knobs {
        forget_vote_on_restart: knob_spec.forget_vote_on_restart,
        commit_old_term_by_counting: knob_spec.commit_old_term_by_counting,
        skip_election_restriction: knob_spec.skip_election_restriction,
        stale_local_reads: knob_spec.stale_local_reads,
    };

    let started = Instant::now();
    let mut events: u64 = 0;
    let mut operations: u64 = 0;
    let mut violations = 0;
    let mut unknown = 0;
    let mut first_failure: Option<(FuzzConfig, String, fuzz::Schedule)> = None;
    for seed in first_seed..first_seed + seeds {
        let config = FuzzConfig {
            servers: servers as u8,
            nemesis,
            knobs: knobs.clone(),
            clients,
            fast_backup: !flags.has("--slow-backup"),
            noop_on_election: flags.has("--noop-on-election"),
            ..FuzzConfig::new(seed, duration_ms * 1000)
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
        "{{\"runs\":{seeds},\"violations\":{violations},\"events\":{events},\"events_per_sec\":{:.0},\"wall_secs\":{secs:.2},\"client_ops\":{operations},\"linearizability_unknown\":{unknown},\"servers\":{servers},\"duration_ms\":{duration_ms},\"nemesis\":\"{nemesis}\",\"knobs\":[{}],\"first_failing_seed\":{}}}",
        events as f64 / secs.max(1e-9),
        flags.values("--knob").iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(","),
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
    if let Some(path) = flags.values("--save").last() {
        match std::fs::write(path, replay.to_json() + "\n") {
            Ok(()) => eprintln!("replay: raftsim run {path} --trace"),
            Err(e) => eprintln!("could not write {path}: {e}"),
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

fn cmd_bench(args: &[String]) -> Result<ExitCode, String> {
    let flags = Flags::parse(args, &[], &["--duration-ms"])?;
    let duration_ms = flags.number("--duration-ms")?.unwrap_or(3_000_000);
    // The workload the wasm benchmark measures too (src/sim/workload.rs).
    let mut sim = Sim::new(raft_explorer::sim::workload::busy_cluster());
    let started = Instant::now();
    sim.run_until(duration_ms * 1000);
    let secs = started.elapsed().as_secs_f64();
    let events = sim.events_processed();
    println!(
        "{{\"workload\":\"5 servers, 5 busy clients, no faults, no checker\",\"simulated_ms\":{duration_ms},\"events\":{events},\"wall_secs\":{secs:.3},\"events_per_sec\":{:.0},\"client_ops\":{}}}",
        events as f64 / secs.max(1e-9),
        sim.history().len()
    );
    Ok(ExitCode::SUCCESS)
}

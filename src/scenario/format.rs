//! The scenario file format, version 1 (documented in docs/SCENARIOS.md).
//!
//! A scenario is a cluster configuration plus a list of timed steps: actions a user could take
//! in the page (crash a server, partition the network, send a command) and expectations to
//! check at a given time. The same file is a preset, a test and a permalink.
//!
//! Parsing is strict: every object denies unknown fields, and [`Scenario::from_json`] reports
//! the first problem with the step number, the action and the field it is about. Nothing here
//! panics on user input.

use crate::raft::types::{Command, Role};
use crate::raft::{Knobs, ReadMode, SnapshotOptions};
use crate::sim::limits::{self, LimitError, MAX_TIMER_MS};
use crate::sim::SimConfig;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use serde_path_to_error::Segment;
use std::fmt;

/// The only format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// A whole scenario file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub version: u32,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub cluster: ClusterSpec,
    /// Keep simulating until this time even if the last step is earlier (default: the last
    /// step's time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_ms: Option<u64>,
    #[serde(default)]
    pub steps: Vec<Step>,
}

/// The simulated cluster and network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterSpec {
    /// Number of servers, named S1..Sn (1–9).
    pub servers: u8,
    /// Election timeouts are drawn uniformly from [min, max] ms (§5.2, §9.3).
    pub election_timeout_ms: [u64; 2],
    /// Leader heartbeat interval (§5.2).
    pub heartbeat_ms: u64,
    /// One-way message latency range [min, max] ms.
    pub latency_ms: [u64; 2],
    /// Probability that a message is lost.
    pub loss: f64,
    /// Probability that a message is delivered twice.
    pub duplication: f64,
    /// A client without an answer after this long re-sends the same (client, seq) (§8).
    pub client_timeout_ms: u64,
    /// MIT 6.824 fast log back-up (conflict term / index in AppendEntries replies).
    pub fast_backup: bool,
    /// A new leader appends a no-op at once (§8), so earlier-term entries commit promptly.
    pub noop_on_election: bool,
    /// How the leader answers GET (§8): "log" (default), "read_index" or "lease".
    #[serde(skip_serializing_if = "is_default")]
    pub read_mode: ReadMode,
    /// Lease reads: how long a lease lasts, ms (followers promise not to vote for as long).
    #[serde(skip_serializing_if = "is_default_lease")]
    pub lease_ms: u64,
    /// Lease reads: the clock drift the leader allows for, parts per million.
    #[serde(skip_serializing_if = "is_default_drift_bound")]
    pub lease_drift_bound_ppm: u32,
    /// Each server's clock runs up to this many parts per million fast or slow.
    #[serde(skip_serializing_if = "is_default")]
    pub clock_drift_ppm: u32,
    /// PreVote (dissertation §9.6).
    #[serde(skip_serializing_if = "is_default")]
    pub pre_vote: bool,
    /// CheckQuorum (dissertation §6.2).
    #[serde(skip_serializing_if = "is_default")]
    pub check_quorum: bool,
    /// §7 log compaction: `{"threshold": n, "chunk_bytes": b}`; off (threshold 0) by default,
    /// and then not written, so files without snapshots read and write as before.
    #[serde(skip_serializing_if = "SnapshotOptions::is_off")]
    pub snapshots: SnapshotOptions,
    /// The "break Raft" knobs, all off by default.
    pub knobs: Knobs,
    /// Automatic clients that keep sending random commands (none by default).
    pub clients: ClientsSpec,
}

/// Automatic client load: `count` clients C1..Cn, each thinking a random time in `think_ms`,
/// then sending a random SET/GET/DEL on one of `keys` keys (k0, k1, ...) and waiting for the
/// answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientsSpec {
    pub count: u32,
    pub think_ms: [u64; 2],
    pub keys: u32,
}

impl ClientsSpec {
    /// The defaults, `SimConfig`'s.
    pub const DEFAULT: ClientsSpec = ClusterSpec::DEFAULT.clients;
}

impl Default for ClientsSpec {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl ClusterSpec {
    /// The defaults, `SimConfig`'s.
    pub const DEFAULT: ClusterSpec = ClusterSpec::from_config(SimConfig::DEFAULT);

    /// The cluster part of `c`, in milliseconds (rounded down). `runner::sim_config` is the
    /// way back.
    pub fn of(c: &SimConfig) -> ClusterSpec {
        ClusterSpec::from_config(c.clone())
    }

    /// `of`, by value so that it can make the `DEFAULT` constant.
    const fn from_config(c: SimConfig) -> ClusterSpec {
        ClusterSpec {
            servers: c.servers,
            election_timeout_ms: [c.election_timeout_min / 1000, c.election_timeout_max / 1000],
            heartbeat_ms: c.heartbeat_interval / 1000,
            latency_ms: [c.latency_min / 1000, c.latency_max / 1000],
            loss: c.loss_probability,
            duplication: c.duplicate_probability,
            client_timeout_ms: c.client_timeout / 1000,
            fast_backup: c.raft.fast_backup,
            noop_on_election: c.raft.noop_on_election,
            read_mode: c.raft.read_mode,
            lease_ms: c.raft.lease_duration / 1000,
            lease_drift_bound_ppm: c.raft.lease_drift_bound_ppm,
            clock_drift_ppm: c.max_clock_drift_ppm,
            pre_vote: c.raft.pre_vote,
            check_quorum: c.raft.check_quorum,
            snapshots: c.raft.snapshots,
            knobs: c.raft.knobs,
            clients: ClientsSpec {
                count: c.load.clients,
                think_ms: [c.load.think_time_min / 1000, c.load.think_time_max / 1000],
                keys: c.load.keys,
            },
        }
    }
}

impl Default for ClusterSpec {
    fn default() -> Self {
        Self::DEFAULT
    }
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

fn is_default_lease(ms: &u64) -> bool {
    *ms == ClusterSpec::DEFAULT.lease_ms
}

fn is_default_drift_bound(ppm: &u32) -> bool {
    *ppm == ClusterSpec::DEFAULT.lease_drift_bound_ppm
}

/// One timed step: at `at_ms`, do `action` (or check an expectation).
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub at_ms: u64,
    /// Optional words for a reader (shown by `raftsim run --trace` and the tour).
    pub note: Option<String>,
    pub action: StepAction,
}

/// What a step does. Server names are "S1".."S9", or "leader" where noted: the server that
/// leads at that moment (the up leader with the highest term).
///
/// In a file a step is one flat object tagged by `"action"` (`Step`'s Serialize and
/// `parse_step` write and read it). Here serde sees the action externally tagged
/// (`{"crash": {"server": "S1"}}`, `"heal"`): an internally tagged enum buffers its fields
/// before reading them, which loses the path `serde_path_to_error` reports, so a wrong field
/// could not be named.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum StepAction {
    /// A client sends `command` ("SET x 5", "GET x", "DEL x") to `server` (a name or "leader";
    /// omitted: the client picks a server and follows redirects, §8).
    ClientRequest {
        command: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        server: Option<String>,
    },
    /// Stop a server; it keeps only its persistent state (§5.1).
    Crash {
        server: String,
    },
    /// Start a crashed server again from its persistent state.
    Restart {
        server: String,
    },
    /// Fire the server's election timer now (§5.2).
    Timeout {
        server: String,
    },
    /// Freeze a server (timers and all) / let it go on.
    Pause {
        server: String,
    },
    Resume {
        server: String,
    },
    /// Split the network: messages flow only within a group.
    Partition {
        groups: Vec<Vec<String>>,
    },
    /// Cut the one-way link from → to.
    Cut {
        from: String,
        to: String,
    },
    /// Remove all partitions and cut links.
    Heal,
    /// Move the running election timers apart so one server stands alone (RaftScope's T).
    SpreadTimers,
    /// Make the running election timers fire together: a split vote (RaftScope's A).
    AlignTimers,
    /// Probability that each message is lost / duplicated from now on.
    SetLoss {
        p: f64,
    },
    SetDuplication {
        p: f64,
    },
    /// One-way latency of every message from now on, drawn from [min, max] ms.
    SetLatency {
        latency_ms: [u64; 2],
    },
    /// Loss of requests (RequestVote, AppendEntries) and of replies, apart.
    SetLossApart {
        requests: f64,
        replies: f64,
    },
    /// A share `p` of replies held back [min, max] ms on top of the latency (0 turns it off).
    SetLongDelays {
        p: f64,
        delay_ms: [u64; 2],
    },
    /// The one-way link from → to gets its own latency, and loss on top of the network's.
    SetLink {
        from: String,
        to: String,
        latency_ms: [u64; 2],
        loss: f64,
    },
    /// Every link back to the network's settings.
    ResetLinks,
    /// The leader hands leadership to `to` (dissertation §3.10: TimeoutNow).
    TransferLeadership {
        to: String,
    },
    /// §6: a fresh server joins with the next unused id (S4 in a 3-server cluster, then S5,
    /// ...; ids are never reused): first as a non-voting member, then a voter through
    /// C_old,new once it has caught up. Needs a leader with no change in progress.
    AddServer,
    /// §6: the leader removes `server` (a name or "leader") from the configuration.
    RemoveServer {
        server: String,
    },
    /// Check the cluster at this time.
    Expect(Expectation),
}

impl StepAction {
    /// The action name as written in files.
    pub fn name(&self) -> &'static str {
        match self {
            StepAction::ClientRequest { .. } => "client_request",
            StepAction::Crash { .. } => "crash",
            StepAction::Restart { .. } => "restart",
            StepAction::Timeout { .. } => "timeout",
            StepAction::Pause { .. } => "pause",
            StepAction::Resume { .. } => "resume",
            StepAction::Partition { .. } => "partition",
            StepAction::Cut { .. } => "cut",
            StepAction::Heal => "heal",
            StepAction::SpreadTimers => "spread_timers",
            StepAction::AlignTimers => "align_timers",
            StepAction::SetLoss { .. } => "set_loss",
            StepAction::SetDuplication { .. } => "set_duplication",
            StepAction::SetLatency { .. } => "set_latency",
            StepAction::SetLossApart { .. } => "set_loss_apart",
            StepAction::SetLongDelays { .. } => "set_long_delays",
            StepAction::SetLink { .. } => "set_link",
            StepAction::ResetLinks => "reset_links",
            StepAction::TransferLeadership { .. } => "transfer_leadership",
            StepAction::AddServer => "add_server",
            StepAction::RemoveServer { .. } => "remove_server",
            StepAction::Expect(_) => "expect",
        }
    }
}

/// What an "expect" step checks; every field given must hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Expectation {
    /// The server that `role`, `term`, `term_at_least`, `commit_index_at_least`, `committed`,
    /// `kv`, `voters`, `joint` and `non_voting` are about ("S2" or "leader"); omitted: every live (not crashed) server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// How many live servers believe they are leader (of any term).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaders: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term_at_least: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit_index_at_least: Option<u64>,
    /// These commands are in the log at or below commitIndex on `server`, or on every live
    /// server if `server` is omitted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub committed: Vec<String>,
    /// These commands are committed on no server.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_committed: Vec<String>,
    /// Every live server holds exactly the same log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logs_match: Option<bool>,
    /// The applied key-value store holds these values (`null`: key absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kv: Option<std::collections::BTreeMap<String, Option<String>>>,
    /// §6: `server` (or every live server) uses a configuration with exactly these voters,
    /// not a joint one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voters: Option<Vec<String>>,
    /// §6: `server` (or every live server) uses the joint configuration C_old,new with exactly
    /// these voters: `[C_old, C_new]` (boxed: it is rarely given, and `StepAction` holds an
    /// `Expectation` inline).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joint: Option<Box<[Vec<String>; 2]>>,
    /// §6: the non-voting members (catching up before they count) of the configuration
    /// `server` (or every live server) uses are exactly these; `[]`: none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub non_voting: Option<Vec<String>>,
    /// true: the invariant checker has found nothing so far.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_violation: Option<bool>,
    /// The checker has found a violation of this property ("Election Safety", ..., or "any").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violation: Option<String>,
    /// Whether the client history so far is linearizable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linearizable: Option<bool>,
}

/// A problem in a scenario file, located as precisely as possible.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// Step index (0-based as in the file's array) if the problem is in a step.
    pub step: Option<usize>,
    /// The field the problem is about, if known ("server", "cluster.loss", ...).
    pub field: Option<String>,
    pub message: String,
    /// The limit (`sim::limits`, shared with `SimConfig` and `raftsim`) that the value
    /// breaks, when that is the problem.
    pub limit: Option<LimitError>,
}

impl ScenarioError {
    pub(crate) fn top(field: impl Into<Option<String>>, message: impl Into<String>) -> Self {
        ScenarioError {
            step: None,
            field: field.into(),
            message: message.into(),
            limit: None,
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(i) = self.step {
            write!(f, "step {i}")?;
            if let Some(field) = &self.field {
                write!(f, ", field \"{field}\"")?;
            }
            write!(f, ": {}", self.message)
        } else if let Some(field) = &self.field {
            write!(f, "field \"{field}\": {}", self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

impl std::error::Error for ScenarioError {}

/// The shape a known field must have, checked before serde so errors can name the field.
enum Shape {
    Unsigned,
    Number,
    Text,
    Bool,
    UnsignedPair,
    TextList,
    Groups,
    Object,
    RoleName,
    TextMap,
}

fn shape_of(field: &str) -> Option<Shape> {
    Some(match field {
        "version"
        | "seed"
        | "end_ms"
        | "at_ms"
        | "servers"
        | "heartbeat_ms"
        | "client_timeout_ms"
        | "leaders"
        | "count"
        | "keys"
        | "lease_ms"
        | "lease_drift_bound_ppm"
        | "clock_drift_ppm"
        | "term"
        | "term_at_least"
        | "commit_index_at_least" => Shape::Unsigned,
        "loss" | "duplication" | "p" => Shape::Number,
        "name" | "description" | "note" | "action" | "command" | "server" | "from" | "to"
        | "violation" => Shape::Text,
        "fast_backup" | "noop_on_election" | "pre_vote" | "check_quorum" | "logs_match"
        | "no_violation" | "linearizable" => Shape::Bool,
        "election_timeout_ms" | "latency_ms" | "think_ms" => Shape::UnsignedPair,
        "committed" | "not_committed" => Shape::TextList,
        "groups" => Shape::Groups,
        "cluster" | "clients" => Shape::Object,
        "role" => Shape::RoleName,
        "kv" => Shape::TextMap,
        _ => return None,
    })
}

fn check_shape(field: &str, value: &Value) -> Result<(), String> {
    let Some(shape) = shape_of(field) else {
        return Ok(());
    };
    let ok = match shape {
        Shape::Unsigned => value.is_u64(),
        Shape::Number => value.is_number(),
        Shape::Text => value.is_string(),
        Shape::Bool => value.is_boolean(),
        Shape::UnsignedPair => value
            .as_array()
            .is_some_and(|a| a.len() == 2 && a.iter().all(Value::is_u64)),
        Shape::TextList => value
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string)),
        Shape::Groups => value.as_array().is_some_and(|a| {
            a.iter()
                .all(|g| g.as_array().is_some_and(|g| g.iter().all(Value::is_string)))
        }),
        Shape::Object => value.is_object(),
        Shape::RoleName => matches!(value.as_str(), Some("leader" | "candidate" | "follower")),
        Shape::TextMap => value
            .as_object()
            .is_some_and(|m| m.values().all(|v| v.is_string() || v.is_null())),
    };
    if ok {
        return Ok(());
    }
    let wanted = match shape {
        Shape::Unsigned => "a whole number ≥ 0",
        Shape::Number => "a number",
        Shape::Text => "a string",
        Shape::Bool => "true or false",
        Shape::UnsignedPair => "a pair of whole numbers [min, max]",
        Shape::TextList => "a list of strings",
        Shape::Groups => "a list of groups of server names, like [[\"S1\",\"S2\"],[\"S3\"]]",
        Shape::Object => "an object { ... }",
        Shape::RoleName => "\"leader\", \"candidate\" or \"follower\"",
        Shape::TextMap => "an object of key → string value or null",
    };
    Err(format!("expected {wanted}, found {value}"))
}

/// Checks the shapes of all fields of an object (one level).
fn check_fields(obj: &Map<String, Value>, prefix: &str) -> Result<(), ScenarioError> {
    for (k, v) in obj {
        check_shape(k, v).map_err(|m| ScenarioError::top(Some(format!("{prefix}{k}")), m))?;
    }
    Ok(())
}

/// Cleans serde_json's " at line 1 column 57" suffix from a message about a sub-value.
fn strip_position(message: String) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    }
}

/// A limit error (from `sim::limits`, shared with `SimConfig` and the command line) about
/// `field` of the file.
fn limit<T>(field: &str, result: Result<T, LimitError>) -> Result<T, ScenarioError> {
    result.map_err(|e| ScenarioError {
        limit: Some(e.clone()),
        ..ScenarioError::top(Some(field.into()), e.to_string())
    })
}

/// "S3" → Some(3).
pub fn parse_server_number(name: &str) -> Option<u8> {
    let digits = name.strip_prefix('S').or_else(|| name.strip_prefix('s'))?;
    // S1..S9, and S10..S15 for servers added later (§6; ids are never reused).
    if digits.is_empty() || digits.len() > 2 || digits.starts_with('0') {
        return None;
    }
    digits
        .parse()
        .ok()
        .filter(|n| *n <= crate::raft::MAX_SERVER_ID)
}

impl Scenario {
    /// Parses and validates a scenario file. The error names the step (index in `steps`), its
    /// action and the field.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let root: Value = serde_json::from_str(text)
            .map_err(|e| ScenarioError::top(None, format!("not valid JSON: {e}")))?;
        let Value::Object(mut root) = root else {
            return Err(ScenarioError::top(
                None,
                "a scenario is a JSON object { \"version\": 1, ... }",
            ));
        };
        check_fields(&root, "")?;
        if let Some(Value::Object(cluster)) = root.get("cluster") {
            check_fields(cluster, "cluster.")?;
            if let Some(Value::Object(clients)) = cluster.get("clients") {
                check_fields(clients, "cluster.clients.")?;
            }
        }
        match root.get("version") {
            Some(v) if v.as_u64() == Some(FORMAT_VERSION as u64) => {}
            Some(v) => {
                return Err(ScenarioError::top(
                    Some("version".into()),
                    format!(
                        "version {v} is not supported; this build reads version {FORMAT_VERSION}"
                    ),
                ))
            }
            None => {
                return Err(ScenarioError::top(
                    Some("version".into()),
                    "missing: add \"version\": 1",
                ))
            }
        }
        let steps = match root.remove("steps") {
            None => Vec::new(),
            Some(Value::Array(steps)) => steps,
            Some(other) => {
                return Err(ScenarioError::top(
                    Some("steps".into()),
                    format!("expected a list of steps, found {other}"),
                ))
            }
        };
        // serde_path_to_error names the field serde stumbled on ("cluster.knobs.break_it").
        let mut scenario: Scenario = serde_path_to_error::deserialize(Value::Object(root))
            .map_err(|e| {
                let field = e.path().to_string();
                let message = strip_position(e.into_inner().to_string());
                ScenarioError::top((field != ".").then_some(field), message)
            })?;
        for (i, step) in steps.into_iter().enumerate() {
            scenario.steps.push(parse_step(i, step)?);
        }
        scenario.validate()?;
        Ok(scenario)
    }

    /// The file text (pretty JSON) for this scenario; `from_json` reads it back unchanged.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks values that serde cannot: ranges, server names, commands, time order.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let c = &self.cluster;
        let bad =
            |field: &str, message: String| Err(ScenarioError::top(Some(field.into()), message));
        // The limits are `sim::limits`, shared with `SimConfig` and the command line.
        limit("cluster.servers", limits::check_servers(c.servers.into()))?;
        let [emin, emax] = c.election_timeout_ms;
        if emin == 0 || emin > emax {
            return bad(
                "cluster.election_timeout_ms",
                format!("[{emin}, {emax}]: need 0 < min ≤ max"),
            );
        }
        if c.client_timeout_ms == 0 {
            return bad("cluster.client_timeout_ms", "must be at least 1 ms".into());
        }
        if c.heartbeat_ms == 0 {
            return bad("cluster.heartbeat_ms", "must be at least 1 ms".into());
        }
        // Durations stay within what a teaching run can simulate (and far from overflow).
        for (field, ms) in [
            ("cluster.election_timeout_ms", emax),
            ("cluster.heartbeat_ms", c.heartbeat_ms),
            ("cluster.latency_ms", c.latency_ms[1]),
            ("cluster.client_timeout_ms", c.client_timeout_ms),
        ] {
            limit(field, limits::timer_length(ms))?;
        }
        let [tmin, tmax] = c.clients.think_ms;
        if tmin > tmax || tmax > MAX_TIMER_MS {
            return bad(
                "cluster.clients.think_ms",
                format!("[{tmin}, {tmax}]: need min ≤ max ≤ {MAX_TIMER_MS}"),
            );
        }
        limit(
            "cluster.clients.count",
            limits::check_clients(c.clients.count.into()),
        )?;
        limit(
            "cluster.clients.think_ms",
            limits::check_time_advances(c.clients.count, tmax, c.latency_ms[1]),
        )?;
        if c.clients.count > 0 && !(1..=limits::MAX_KEYS).contains(&c.clients.keys) {
            return limit(
                "cluster.clients.keys",
                Err(LimitError::Keys(c.clients.keys.into())),
            );
        }
        let [lmin, lmax] = c.latency_ms;
        if lmin > lmax {
            return bad(
                "cluster.latency_ms",
                format!("[{lmin}, {lmax}]: need min ≤ max"),
            );
        }
        for (field, p) in [
            ("cluster.loss", c.loss),
            ("cluster.duplication", c.duplication),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return bad(field, format!("{p} is not a probability between 0 and 1"));
            }
        }
        if let Err(message) = c.snapshots.validate() {
            return bad("cluster.snapshots", message);
        }
        let mut previous = 0;
        // §6: servers added by earlier steps can be named by later ones (S4, S5, ...).
        let mut servers = c.servers;
        for (i, step) in self.steps.iter().enumerate() {
            let err = |field: &str, message: String| {
                Err(ScenarioError {
                    step: Some(i),
                    field: Some(field.into()),
                    message: format!("({}) {message}", step.action.name()),
                    limit: None,
                })
            };
            if let Err(e) = limits::run_length(step.at_ms) {
                return err("at_ms", e.to_string()).map_err(|located| ScenarioError {
                    limit: Some(e),
                    ..located
                });
            }
            if step.at_ms < previous {
                return err(
                    "at_ms",
                    format!(
                        "{} ms is earlier than the step before it ({previous} ms)",
                        step.at_ms
                    ),
                );
            }
            previous = step.at_ms;
            let probability = |field: &str, p: f64| {
                if (0.0..=1.0).contains(&p) {
                    Ok(())
                } else {
                    err(field, format!("{p} is not a probability between 0 and 1"))
                }
            };
            let ms_range = |field: &str, [min, max]: [u64; 2]| {
                if min > max || max > MAX_TIMER_MS {
                    err(
                        field,
                        format!("[{min}, {max}]: need min ≤ max ≤ {MAX_TIMER_MS}"),
                    )
                } else {
                    Ok(())
                }
            };
            let server = |field: &str, name: &str, leader_ok: bool| -> Result<(), ScenarioError> {
                if leader_ok && name == "leader" {
                    return Ok(());
                }
                let or_leader = if leader_ok { " or \"leader\"" } else { "" };
                match parse_server_number(name) {
                    Some(n) if (1..=servers).contains(&n) => Ok(()),
                    _ => err(
                        field,
                        not_a_server(
                            &format!("\"{name}\""),
                            c.servers,
                            servers,
                            ("step", "earlier steps"),
                            or_leader,
                        ),
                    ),
                }
            };
            match &step.action {
                StepAction::ClientRequest {
                    command,
                    server: target,
                } => {
                    if let Err(e) = command.parse::<Command>() {
                        return err("command", format!("\"{command}\": {e}"));
                    }
                    if let Some(name) = target {
                        server("server", name, true)?;
                    }
                }
                StepAction::Crash { server: name }
                | StepAction::Restart { server: name }
                | StepAction::Timeout { server: name }
                | StepAction::Pause { server: name }
                | StepAction::Resume { server: name } => {
                    let leader_ok = !matches!(
                        step.action,
                        StepAction::Restart { .. } | StepAction::Resume { .. }
                    );
                    server("server", name, leader_ok)?;
                }
                StepAction::Partition { groups } => {
                    let mut seen = Vec::new();
                    for name in groups.iter().flatten() {
                        server("groups", name, false)?;
                        if seen.contains(name) {
                            return err("groups", format!("{name} is in two groups"));
                        }
                        seen.push(name.clone());
                    }
                }
                StepAction::Cut { from, to } => {
                    server("from", from, true)?;
                    server("to", to, true)?;
                }
                StepAction::TransferLeadership { to } => server("to", to, false)?,
                StepAction::RemoveServer { server: name } => server("server", name, true)?,
                StepAction::AddServer => {
                    if servers >= crate::raft::MAX_SERVER_ID {
                        return err(
                            "action",
                            format!(
                                "no server id is left: ids are never reused and S1..S{} are all taken",
                                crate::raft::MAX_SERVER_ID
                            ),
                        );
                    }
                    servers += 1;
                }
                StepAction::Heal
                | StepAction::SpreadTimers
                | StepAction::AlignTimers
                | StepAction::ResetLinks => {}
                StepAction::SetLoss { p } | StepAction::SetDuplication { p } => {
                    probability("p", *p)?;
                }
                StepAction::SetLatency { latency_ms } => ms_range("latency_ms", *latency_ms)?,
                StepAction::SetLossApart { requests, replies } => {
                    probability("requests", *requests)?;
                    probability("replies", *replies)?;
                }
                StepAction::SetLongDelays { p, delay_ms } => {
                    probability("p", *p)?;
                    ms_range("delay_ms", *delay_ms)?;
                }
                StepAction::SetLink {
                    from,
                    to,
                    latency_ms,
                    loss,
                } => {
                    server("from", from, true)?;
                    server("to", to, true)?;
                    ms_range("latency_ms", *latency_ms)?;
                    probability("loss", *loss)?;
                }
                StepAction::Expect(e) => {
                    if let Some(name) = &e.server {
                        server("server", name, true)?;
                    }
                    for name in e.voters.iter().flatten() {
                        server("voters", name, false)?;
                    }
                    for name in e.joint.iter().flat_map(|j| j.iter()).flatten() {
                        server("joint", name, false)?;
                    }
                    for name in e.non_voting.iter().flatten() {
                        server("non_voting", name, false)?;
                    }
                    for (field, list) in [
                        ("committed", &e.committed),
                        ("not_committed", &e.not_committed),
                    ] {
                        for command in list {
                            if let Err(why) = command.parse::<Command>() {
                                return err(field, format!("\"{command}\": {why}"));
                            }
                        }
                    }
                    if let Some(p) = &e.violation {
                        if p != "any"
                            && !crate::check::Property::ALL
                                .iter()
                                .any(|q| q.name().eq_ignore_ascii_case(p))
                        {
                            return err(
                                "violation",
                                format!("\"{p}\" is not a property: use \"any\", \"Election Safety\", \"Leader Append-Only\", \"Log Matching\", \"Leader Completeness\" or \"State Machine Safety\""),
                            );
                        }
                    }
                    if *e == Expectation::default()
                        || (e.server.is_some()
                            && Expectation {
                                server: None,
                                ..e.clone()
                            } == Expectation::default())
                    {
                        return err("action", "an expect step must check something (leaders, role, term, committed, ...)".into());
                    }
                }
            }
        }
        if let Some(end) = self.end_ms {
            limit("end_ms", limits::run_length(end))?;
        }
        if let (Some(end), Some(last)) = (self.end_ms, self.steps.last()) {
            if end < last.at_ms {
                return bad(
                    "end_ms",
                    format!("{end} ms is before the last step ({} ms)", last.at_ms),
                );
            }
        }
        // Every time is within the longest run by now, so this cannot overflow.
        let duration = self.end_ms() * 1000;
        limit(
            "cluster.clients.count",
            limits::check_load(c.servers, c.clients.count, duration),
        )?;
        Ok(())
    }

    /// When the run ends: `end_ms`, or the last step's time.
    pub fn end_ms(&self) -> u64 {
        self.end_ms
            .unwrap_or_else(|| self.steps.last().map_or(0, |s| s.at_ms))
    }
}

/// Parses one step object, naming the step and field on error.
pub(crate) fn parse_step(index: usize, value: Value) -> Result<Step, ScenarioError> {
    let located = |field: Option<String>, message: String| ScenarioError {
        step: Some(index),
        field,
        message,
        limit: None,
    };
    let Value::Object(mut obj) = value else {
        return Err(located(
            None,
            format!("a step is an object {{\"at_ms\": ..., \"action\": ...}}, found {value}"),
        ));
    };
    let action_name = obj
        .get("action")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_string();
    for (k, v) in &obj {
        check_shape(k, v).map_err(|m| located(Some(k.clone()), format!("({action_name}) {m}")))?;
    }
    let at_ms = match obj.remove("at_ms") {
        Some(v) => v.as_u64().unwrap_or_default(),
        None => {
            return Err(located(
                Some("at_ms".into()),
                format!("({action_name}) missing: when does this step happen?"),
            ))
        }
    };
    let note = obj
        .remove("note")
        .and_then(|v| v.as_str().map(str::to_string));
    let Some(Value::String(name)) = obj.remove("action") else {
        return Err(located(
            Some("action".into()),
            "missing: what does this step do?".into(),
        ));
    };
    let action = StepAction::from_fields(&name, obj)
        .map_err(|(field, message)| located(field, format!("({name}) {message}")))?;
    Ok(Step {
        at_ms,
        note,
        action,
    })
}

impl StepAction {
    /// The action `name` with its `fields` (a step's object without `at_ms`, `note` and
    /// `action`). The error names the field it is about when there is one (None for a missing
    /// field, which serde names only in its message), "action" for an unknown action.
    fn from_fields(
        name: &str,
        fields: Map<String, Value>,
    ) -> Result<StepAction, (Option<String>, String)> {
        // An action without fields ("heal") is written by serde as its bare name. (Both reads
        // go through serde_path_to_error: one instance of StepAction's reader, not two.)
        if let Ok(action) = serde_path_to_error::deserialize(Value::String(name.into())) {
            return match fields.keys().next() {
                None => Ok(action),
                Some(field) => Err((
                    Some(field.clone()),
                    format!("unknown field `{field}`: {name} takes no fields"),
                )),
            };
        }
        let mut tagged = Map::new();
        tagged.insert(name.into(), Value::Object(fields));
        let tagged = Value::Object(tagged);
        serde_path_to_error::deserialize(tagged).map_err(|e| {
            let message = strip_position(e.inner().to_string());
            let mut segments = e.path().iter();
            let field = match segments.next() {
                // The first segment is the action; the field is what follows.
                Some(Segment::Enum { .. }) => {
                    let mut field = String::new();
                    for segment in segments {
                        if !field.is_empty() && !matches!(segment, Segment::Seq { .. }) {
                            field.push('.');
                        }
                        field.push_str(&segment.to_string());
                    }
                    (!field.is_empty()).then_some(field)
                }
                _ => Some("action".into()),
            };
            (field, message)
        })
    }
}

impl Serialize for Step {
    /// Written as one flat object, in reading order: `at_ms`, `action`, the action's fields,
    /// then `note`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        // serde writes the action externally tagged: "heal", or {"crash": {"server": "S1"}}.
        let value = serde_json::to_value(&self.action).map_err(serde::ser::Error::custom)?;
        let fields = match &value {
            Value::Object(tagged) => tagged.values().next().and_then(Value::as_object),
            _ => None,
        };
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("at_ms", &self.at_ms)?;
        map.serialize_entry("action", self.action.name())?;
        for (k, v) in fields.into_iter().flatten() {
            map.serialize_entry(k, v)?;
        }
        if let Some(note) = &self.note {
            map.serialize_entry("note", note)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        parse_step(0, value).map_err(|e| serde::de::Error::custom(e.to_string()))
    }
}

/// Why `name` is not a server of a cluster that started with S1..S`started` and has
/// S1..S`known` where it is named (§6: the ids after `started` were handed out, in order, by
/// the adds before it), with what to use instead (and `also`): the one wording of the
/// scenario file's reader and the action log's (`permalink::check_log`). `at` is where it is
/// named, and what came before it: ("step", "earlier steps").
pub(crate) fn not_a_server(
    name: &str,
    started: u8,
    known: u8,
    (at, earlier): (&str, &str),
    also: &str,
) -> String {
    if known == started {
        return format!(
            "{name} is not a server of this {started}-server cluster: use S1..S{started}{also}"
        );
    }
    let added = if known == started + 1 {
        format!("S{known}")
    } else {
        format!("S{}..S{known}", started + 1)
    };
    format!(
        "{name} is not a server at this {at}: the cluster starts with S1..S{started} and \
         {earlier} added {added}, so use S1..S{known}{also}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_steps(steps: &str) -> String {
        format!(r#"{{"version":1,"name":"t","cluster":{{"servers":3}},"steps":[{steps}]}}"#)
    }

    #[test]
    fn minimal_scenario_gets_defaults() {
        let s = Scenario::from_json(r#"{"version":1,"name":"empty"}"#).unwrap();
        assert_eq!(s.cluster, ClusterSpec::default());
        assert!(s.steps.is_empty());
        assert_eq!(s.end_ms(), 0);
    }

    #[test]
    fn round_trips_through_json() {
        let text = with_steps(
            r#"{"at_ms":10,"action":"client_request","command":"SET x 5","server":"leader"},
               {"at_ms":20,"action":"partition","groups":[["S1"],["S2","S3"]],"note":"split"},
               {"at_ms":30,"action":"heal"},
               {"at_ms":40,"action":"expect","leaders":1,"committed":["SET x 5"]}"#,
        );
        let s = Scenario::from_json(&text).unwrap();
        assert_eq!(s.steps.len(), 4);
        assert_eq!(s.steps[1].note.as_deref(), Some("split"));
        let again = Scenario::from_json(&s.to_json()).unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn unknown_step_field_names_step_and_field() {
        let e = Scenario::from_json(&with_steps(
            r#"{"at_ms":0,"action":"heal"},{"at_ms":5,"action":"crash","srever":"S1"}"#,
        ))
        .unwrap_err();
        assert_eq!(e.step, Some(1));
        assert_eq!(e.field.as_deref(), Some("srever"));
        assert!(
            e.to_string()
                .starts_with("step 1, field \"srever\": (crash) unknown field"),
            "{e}"
        );
    }

    #[test]
    fn step_errors_name_the_step_and_the_field_by_its_path() {
        // (steps, the step and field named, words in the message)
        let cases = [
            // An unknown field inside an expectation (a newtype variant).
            (
                r#"{"at_ms":0,"action":"heal"},{"at_ms":0,"action":"heal"},
                   {"at_ms":5,"action":"expect","leader":1}"#,
                (Some(2), Some("leader")),
                "(expect) unknown field `leader`",
            ),
            // A wrong type.
            (
                r#"{"at_ms":5,"action":"cut","from":"S1","to":2}"#,
                (Some(0), Some("to")),
                "(cut) expected a string, found 2",
            ),
            // A field given to an action that has none.
            (
                r#"{"at_ms":5,"action":"heal","server":"S1"}"#,
                (Some(0), Some("server")),
                "heal takes no fields",
            ),
            // A missing field has no path: serde names it in its message.
            (
                r#"{"at_ms":5,"action":"cut","from":"S1"}"#,
                (Some(0), None),
                "(cut) missing field `to`",
            ),
            (
                r#"{"at_ms":5,"action":"explode","server":"S1"}"#,
                (Some(0), Some("action")),
                "unknown variant `explode`",
            ),
        ];
        for (steps, (step, field), words) in cases {
            let e = Scenario::from_json(&with_steps(steps)).unwrap_err();
            assert_eq!((e.step, e.field.as_deref()), (step, field), "{e}");
            assert!(e.to_string().contains(words), "{e}");
        }
    }

    #[test]
    fn bad_server_name_names_step_and_field() {
        let e = Scenario::from_json(&with_steps(r#"{"at_ms":5,"action":"crash","server":"S4"}"#))
            .unwrap_err();
        assert_eq!((e.step, e.field.as_deref()), (Some(0), Some("server")));
        assert!(
            e.message
                .contains("\"S4\" is not a server of this 3-server cluster"),
            "{e}"
        );
        // §6: servers added by earlier steps count, and the message says where S4 came from.
        let e = Scenario::from_json(&with_steps(
            r#"{"at_ms":1,"action":"add_server"},{"at_ms":5,"action":"crash","server":"S5"}"#,
        ))
        .unwrap_err();
        assert_eq!((e.step, e.field.as_deref()), (Some(1), Some("server")));
        assert!(
            e.message.contains(
                "\"S5\" is not a server at this step: the cluster starts with S1..S3 and earlier steps added S4, so use S1..S4"
            ),
            "{e}"
        );
        let e = Scenario::from_json(&with_steps(
            r#"{"at_ms":5,"action":"cut","from":"S1","to":"bob"}"#,
        ))
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("to"));
        let e = Scenario::from_json(&with_steps(
            r#"{"at_ms":5,"action":"restart","server":"leader"}"#,
        ))
        .unwrap_err();
        assert_eq!(
            e.field.as_deref(),
            Some("server"),
            "a crashed server is never the leader"
        );
    }

    #[test]
    fn configuration_expectations_name_servers_of_the_cluster() {
        // §6: joint ([C_old, C_new]) and non_voting name servers like voters do.
        for (step, field) in [
            (
                r#"{"at_ms":5,"action":"expect","joint":[["S1"],["S1","S4"]]}"#,
                "joint",
            ),
            (
                r#"{"at_ms":5,"action":"expect","non_voting":["leader"]}"#,
                "non_voting",
            ),
        ] {
            let e = Scenario::from_json(&with_steps(step)).unwrap_err();
            assert_eq!((e.step, e.field.as_deref()), (Some(0), Some(field)), "{e}");
        }
        let e = Scenario::from_json(&with_steps(
            r#"{"at_ms":5,"action":"expect","joint":[["S1","S2","S3"]]}"#,
        ))
        .unwrap_err();
        assert!(
            e.message.contains("2"),
            "a joint configuration is two lists: {e}"
        );
        let s = Scenario::from_json(&with_steps(
            r#"{"at_ms":0,"action":"add_server"},{"at_ms":5,"action":"expect","joint":[["S1","S2","S3"],["S1","S2","S3","S4"]],"non_voting":[]}"#,
        ))
        .unwrap();
        assert_eq!(
            s.steps[1].action,
            StepAction::Expect(Expectation {
                joint: Some(Box::new([
                    vec!["S1".into(), "S2".into(), "S3".into()],
                    vec!["S1".into(), "S2".into(), "S3".into(), "S4".into()]
                ])),
                non_voting: Some(vec![]),
                ..Expectation::default()
            })
        );
    }

    #[test]
    fn bad_command_names_step_and_field() {
        let e = Scenario::from_json(&with_steps(
            r#"{"at_ms":5,"action":"client_request","command":"SET x"}"#,
        ))
        .unwrap_err();
        assert_eq!((e.step, e.field.as_deref()), (Some(0), Some("command")));
        assert!(e.message.contains("SET takes 2 arguments"), "{e}");
        let e = Scenario::from_json(&with_steps(
            r#"{"at_ms":5,"action":"expect","committed":["PUT x 1"]}"#,
        ))
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("committed"));
    }

    #[test]
    fn wrong_types_and_ranges_name_the_field() {
        let e =
            Scenario::from_json(&with_steps(r#"{"at_ms":"soon","action":"heal"}"#)).unwrap_err();
        assert_eq!((e.step, e.field.as_deref()), (Some(0), Some("at_ms")));
        let e = Scenario::from_json(&with_steps(r#"{"at_ms":1,"action":"set_loss","p":1.5}"#))
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("p"));
        let e = Scenario::from_json(r#"{"version":1,"name":"t","cluster":{"servers":12}}"#)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("cluster.servers"));
        let e = Scenario::from_json(r#"{"version":1,"name":"t","cluster":{"loss":"lots"}}"#)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("cluster.loss"));
        let e = Scenario::from_json(
            r#"{"version":1,"name":"t","cluster":{"knobs":{"break_it":true}}}"#,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("cluster.knobs.break_it"));
        assert!(
            e.message.contains("stale_local_reads"),
            "the known knobs: {e}"
        );
        let e = Scenario::from_json(
            r#"{"version":1,"name":"t","cluster":{"knobs":{"stale_local_reads":1}}}"#,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("cluster.knobs.stale_local_reads"));
        let e = Scenario::from_json(&with_steps(r#"{"at_ms":99999999999,"action":"heal"}"#))
            .unwrap_err();
        assert_eq!((e.step, e.field.as_deref()), (Some(0), Some("at_ms")));
        assert_eq!(e.limit, Some(LimitError::RunTooLong(99_999_999_999)));
        let e = Scenario::from_json(
            r#"{"version":1,"name":"t","cluster":{"heartbeat_ms":18446744073709551615}}"#,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("cluster.heartbeat_ms"));
        let e = Scenario::from_json(
            r#"{"version":1,"name":"t","cluster":{"servers":9,"clients":{"count":100}},"end_ms":3600000}"#,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("cluster.clients.count"));
        assert!(e.message.contains("above the limit of 75000"), "{e}");
        assert!(matches!(
            e.limit,
            Some(LimitError::Load {
                load: 3_240_000,
                ..
            })
        ));
        let e =
            Scenario::from_json(r#"{"version":1,"name":"t","cluster":{"clients":{"count":101}}}"#)
                .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("cluster.clients.count"));
        let e = Scenario::from_json(
            r#"{"version":1,"name":"t","cluster":{"latency_ms":[0,0],"clients":{"count":1,"think_ms":[0,0]}}}"#,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("cluster.clients.think_ms"));
        assert_eq!(e.limit, Some(LimitError::TimeStandsStill));
        let e = Scenario::from_json(r#"{"version":2,"name":"t"}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("version"));
        let e = Scenario::from_json(r#"{"version":1,"name":"t","colour":"red"}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("colour"));
    }

    #[test]
    fn unknown_action_and_time_order_are_reported() {
        let e = Scenario::from_json(&with_steps(r#"{"at_ms":5,"action":"explode"}"#)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("action"));
        assert!(e.message.contains("explode"), "{e}");
        let e = Scenario::from_json(&with_steps(
            r#"{"at_ms":50,"action":"heal"},{"at_ms":10,"action":"heal"}"#,
        ))
        .unwrap_err();
        assert_eq!((e.step, e.field.as_deref()), (Some(1), Some("at_ms")));
        let e = Scenario::from_json(&with_steps(r#"{"at_ms":5,"action":"expect"}"#)).unwrap_err();
        assert!(e.message.contains("must check something"), "{e}");
        let e = Scenario::from_json(&with_steps(
            r#"{"at_ms":5,"action":"expect","role":"king"}"#,
        ))
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("role"));
        let e = Scenario::from_json("[1,2]").unwrap_err();
        assert!(e.message.contains("JSON object"), "{e}");
        assert!(Scenario::from_json("{not json")
            .unwrap_err()
            .message
            .contains("not valid JSON"));
    }
}

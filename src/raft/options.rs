//! How a server behaves: faithful options and the "break Raft" knobs.

use serde::{Deserialize, Serialize};

/// Options of the Raft core. The defaults are Figure 2, plus the fast back-up optimisation
/// (which changes only how quickly a leader finds the point where logs agree, not safety).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RaftOptions {
    /// MIT 6.824 fast log back-up: a rejecting follower reports the conflicting term and the
    /// first index of that term, so the leader skips a whole term per round trip (§5.3 end).
    pub fast_backup: bool,
    /// A new leader appends a no-op entry of its term right away, so entries of earlier terms
    /// get committed without waiting for a client command (§8). Off: faithful to Figure 2.
    pub noop_on_election: bool,
    /// How a leader serves GET (§8; dissertation §6.4). Default: through the log.
    pub read_mode: ReadMode,
    /// Lease reads: how long (on the leader's own clock) a lease lasts from the start of a
    /// heartbeat round a majority acknowledged, before allowing for drift. Followers refuse
    /// votes for this long after hearing from a leader, which is what makes the lease hold.
    pub lease_duration: u64,
    /// Lease reads: the clock drift (parts per million) the leader allows for, shortening its
    /// lease to `lease_duration × (1 − bound) / (1 + bound)`. Drift beyond it breaks leases.
    pub lease_drift_bound_ppm: u32,
    /// PreVote (dissertation §9.6): a server asks whether it could win before it increments its
    /// term, so a server cut off from the cluster does not come back with a huge term.
    pub pre_vote: bool,
    /// CheckQuorum (dissertation §6.2): a leader that has not heard from a majority within an
    /// election timeout steps down.
    pub check_quorum: bool,
    /// §7 log compaction: when and how servers snapshot (off by default).
    #[serde(skip_serializing_if = "SnapshotOptions::is_off")]
    pub snapshots: SnapshotOptions,
    /// Deliberate bugs, all off by default.
    pub knobs: Knobs,
}

/// §7 log compaction. With `threshold` 0 (the default) no server ever snapshots and Raft runs
/// exactly as Figure 2 describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SnapshotOptions {
    /// A server snapshots its state machine once its log holds this many entries (and it has
    /// applied some); 0 = never.
    pub threshold: u32,
    /// Most bytes of snapshot carried by one InstallSnapshot chunk (Figure 13 `data[]`).
    pub chunk_bytes: u32,
}

impl SnapshotOptions {
    /// Snapshots off; chunks of 256 bytes once they are switched on.
    pub const DEFAULT: SnapshotOptions = SnapshotOptions {
        threshold: 0,
        chunk_bytes: 256,
    };

    /// Largest threshold and chunk size accepted (`validate`).
    pub const MAX: u32 = 1_000_000;

    /// True when snapshots are off (and the chunk size is the default): nothing to write.
    pub fn is_off(&self) -> bool {
        *self == Self::DEFAULT
    }

    /// Why these options cannot run, if they cannot.
    pub fn validate(&self) -> Result<(), String> {
        if self.threshold > Self::MAX {
            return Err(format!(
                "snapshots.threshold must be at most {}, not {}",
                Self::MAX,
                self.threshold
            ));
        }
        if self.chunk_bytes == 0 || self.chunk_bytes > Self::MAX {
            return Err(format!(
                "snapshots.chunk_bytes must be between 1 and {}, not {}",
                Self::MAX,
                self.chunk_bytes
            ));
        }
        Ok(())
    }
}

impl Default for SnapshotOptions {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl RaftOptions {
    /// The defaults (a constant, so configurations built from it can be static data).
    pub const DEFAULT: RaftOptions = RaftOptions {
        fast_backup: true,
        noop_on_election: false,
        read_mode: ReadMode::Log,
        lease_duration: 100_000,
        lease_drift_bound_ppm: 100_000,
        pre_vote: false,
        check_quorum: false,
        snapshots: SnapshotOptions::DEFAULT,
        knobs: Knobs::DEFAULT,
    };

    /// Whether a new leader appends a no-op at once: asked for, or needed by ReadIndex and
    /// lease reads, which may only answer once the leader has committed an entry of its term
    /// (§8: only then does it know which entries are committed).
    pub fn appends_noop_on_election(&self) -> bool {
        self.noop_on_election || self.read_mode != ReadMode::Log
    }
}

/// How a leader answers a read (GET) without risking stale data (§8).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadMode {
    /// The GET is a log entry like any command, answered once applied.
    #[default]
    Log,
    /// ReadIndex (dissertation §6.4): the leader notes its commit index, confirms it still
    /// leads with a heartbeat round acknowledged by a majority, waits until it has applied
    /// that index, then answers. No log entry per read.
    ReadIndex,
    /// Lease reads (dissertation §6.4.1): the leader answers at once while its lease holds
    /// (heartbeats acknowledged by a majority, shorter than the election timeout). Safe only
    /// while clocks drift less than `lease_drift_bound_ppm`.
    Lease,
}

impl ReadMode {
    pub const ALL: [ReadMode; 3] = [ReadMode::Log, ReadMode::ReadIndex, ReadMode::Lease];

    pub fn name(self) -> &'static str {
        match self {
            ReadMode::Log => "log",
            ReadMode::ReadIndex => "read_index",
            ReadMode::Lease => "lease",
        }
    }

    pub fn parse(text: &str) -> Option<ReadMode> {
        ReadMode::ALL.into_iter().find(|m| m.name() == text)
    }
}

impl Default for RaftOptions {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Declares [`Knobs`] from one list: each knob's field (its name in scenario files, on the
/// command line and in the page) and its label, so no other place lists them.
macro_rules! knobs {
    ($($(#[doc = $doc:literal])* $name:ident: $label:literal,)*) => {
        /// "Break Raft" switches. Each one makes the core deliberately wrong in one well-known
        /// way, so that the checker (and the user) can watch a safety property fail.
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct Knobs {
            $($(#[doc = $doc])* pub $name: bool,)*
        }

        impl Knobs {
            /// Every knob off.
            pub const DEFAULT: Knobs = Knobs { $($name: false,)* };

            /// Every knob: its name and a label for people.
            pub const ALL: &'static [KnobInfo] = &[$(KnobInfo {
                name: stringify!($name),
                label: $label,
            },)*];

            /// The switch called `name`, if there is such a knob.
            fn flag_mut(&mut self, name: &str) -> Option<&mut bool> {
                match name {
                    $(stringify!($name) => Some(&mut self.$name),)*
                    _ => None,
                }
            }

            /// The names of the knobs that are on, in [`Knobs::ALL`] order.
            pub fn names_on(&self) -> Vec<&'static str> {
                let mut on = Vec::new();
                $(if self.$name {
                    on.push(stringify!($name));
                })*
                on
            }
        }
    };
}

/// A knob's name (as written in files and on the command line) and what it breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KnobInfo {
    pub name: &'static str,
    pub label: &'static str,
}

knobs! {
    /// votedFor is not persisted: after a restart a server may vote twice in one term (§5.2).
    forget_vote_on_restart: "Forget votedFor on restart (vote twice in a term, §5.2)",
    /// The Figure 8 bug: a leader commits any entry stored on a majority, even one from an
    /// earlier term (§5.4.2 forbids this).
    commit_old_term_by_counting: "Commit old-term entries by counting replicas (Figure 8, §5.4.2)",
    /// Grant votes without the "candidate's log is at least as up-to-date" check (§5.4.1).
    skip_election_restriction: "Grant votes without the up-to-date check (§5.4.1)",
    /// A leader answers GET from its own state machine at once, without going through the log
    /// or confirming it still leads (§8 forbids this: a deposed leader serves stale data).
    stale_local_reads: "Leader answers GET locally without checking it still leads (§8)",
    /// ReadIndex without its heartbeat round: a leader answers once it has applied its commit
    /// index, without confirming a majority still follows it (§8; a deposed leader answers).
    read_without_confirmation: "ReadIndex without confirming leadership (deposed leader answers, §8)",
    /// Server clocks drift far beyond the bound lease reads allow for (up to ±90%), so a
    /// leader's lease outlives the followers' promise not to elect another (§6.4.1).
    unbounded_clock_drift: "Lease reads with unbounded clock drift (lease outlives leadership)",
    /// Installing a snapshot discards every log entry after it, even when the log already
    /// holds the snapshot's last entry (§7, Figure 13 step 6 says: keep the entries after it).
    install_snapshot_discards_following_entries: "Installing a snapshot discards the matching entries after it (§7)",
    /// A membership change switches from C_old to C_new in one step, without the joint
    /// configuration C_old,new: servers switch at different times, and a majority of C_old and
    /// a disjoint majority of C_new can elect two leaders in one term (§6, Figure 10).
    switch_config_directly: "Switch configuration directly, no joint consensus (two leaders, §6)",
}

/// A knob name that is not one of [`Knobs::ALL`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown knob \"{name}\": use one of {}", Knobs::names().join(", "))]
pub struct UnknownKnob {
    pub name: String,
}

impl Knobs {
    /// Every knob name.
    pub fn names() -> Vec<&'static str> {
        Knobs::ALL.iter().map(|k| k.name).collect()
    }

    /// Switches the knob called `name` on or off.
    pub fn set(&mut self, name: &str, on: bool) -> Result<(), UnknownKnob> {
        let flag = self.flag_mut(name).ok_or_else(|| UnknownKnob {
            name: name.to_string(),
        })?;
        *flag = on;
        Ok(())
    }

    /// True if any knob is on (the UI shows a warning banner).
    pub fn any(&self) -> bool {
        !self.names_on().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_knob_is_a_field_and_unknown_names_are_refused() {
        let fields = serde_json::to_value(Knobs::DEFAULT).unwrap();
        let fields: Vec<&str> = fields
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut names = Knobs::names();
        names.sort_unstable();
        assert_eq!(fields, names);
        let mut knobs = Knobs::DEFAULT;
        for name in Knobs::names() {
            knobs.set(name, true).unwrap();
        }
        assert_eq!(knobs.names_on(), Knobs::names());
        let e = knobs.set("break_it", true).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown knob \"break_it\": use one of forget_vote_on_restart, \
             commit_old_term_by_counting, skip_election_restriction, stale_local_reads, \
             read_without_confirmation, unbounded_clock_drift, \
             install_snapshot_discards_following_entries, switch_config_directly"
        );
    }
}

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
    /// Deliberate bugs, all off by default.
    pub knobs: Knobs,
}

impl Default for RaftOptions {
    fn default() -> Self {
        RaftOptions {
            fast_backup: true,
            noop_on_election: false,
            knobs: Knobs::default(),
        }
    }
}

/// "Break Raft" switches. Each one makes the core deliberately wrong in one well-known way,
/// so that the checker (and the user) can watch a safety property fail.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Knobs {
    /// votedFor is not persisted: after a restart a server may vote twice in one term (§5.2).
    pub forget_vote_on_restart: bool,
    /// The Figure 8 bug: a leader commits any entry stored on a majority, even one from an
    /// earlier term (§5.4.2 forbids this).
    pub commit_old_term_by_counting: bool,
    /// Grant votes without the "candidate's log is at least as up-to-date" check (§5.4.1).
    pub skip_election_restriction: bool,
    /// A leader answers GET from its own state machine at once, without going through the log
    /// or confirming it still leads (§8 forbids this: a deposed leader serves stale data).
    pub stale_local_reads: bool,
}

impl Knobs {
    /// True if any knob is on (the UI shows a warning banner).
    pub fn any(&self) -> bool {
        self.forget_vote_on_restart
            || self.commit_old_term_by_counting
            || self.skip_election_restriction
            || self.stale_local_reads
    }
}

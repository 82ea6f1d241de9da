//! Layer 1: one Raft server as a pure state machine (Figure 2). No RNG, I/O or wall clock:
//! the simulator tells each server what its own (drifting) clock reads, for lease reads.

pub mod kv;
pub mod leadership;
pub mod log;
pub mod membership;
pub mod note;
pub mod options;
pub mod quorum;
pub mod reads;
pub mod server;
pub mod snapshot;
pub mod types;

pub use kv::{ApplyOutcome, KvStore, Session};
pub use log::Log;
pub use membership::{Change, ChangeRefusal, MembershipNote, MAX_MEMBERS};
pub use note::{AppendRejection, AppliedKind, Note, VoteDenial};
pub use options::{KnobInfo, Knobs, RaftOptions, ReadMode, SnapshotOptions, UnknownKnob};
pub use quorum::{Configuration, ServerSet, MAX_SERVER_ID};
pub use server::{
    AppliedEntry, ClientReply, ClientResult, Input, Output, PendingReply, PersistentState,
    Progress, Server, VolatileState,
};
pub use snapshot::{Snapshot, SnapshotTransfer};
pub use types::*;

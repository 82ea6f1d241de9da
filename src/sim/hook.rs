//! A hook on every message a server sends: the test decides its fate (deliver, drop, delay,
//! duplicate), as turmoil's hold/release or MIT 6.824's labrpc let a test do.
//!
//! ```
//! use raft_explorer::sim::{Fate, MessageKind, MessageSummary, Sim, SimConfig};
//! let mut sim = Sim::new(SimConfig::default());
//! // Lose every third vote request, at random (from the simulator's RNG: deterministic).
//! sim.set_send_hook(|info, rng| {
//!     let kind = MessageSummary::of(info.message).kind;
//!     if kind == MessageKind::RequestVote && rng.chance(1.0 / 3.0) {
//!         Fate::Drop
//!     } else {
//!         Fate::Deliver
//!     }
//! });
//! sim.run_for(2_000_000);
//! assert!(sim.leader().is_some());
//! ```
//!
//! The hook is asked once per message put on the wire (the network's duplicates and those made
//! by hand included; the copies it asks for itself are not asked about again), after the
//! network has drawn its latency and loss, and is shown the message borrowed: asking costs a
//! function call, nothing is cloned. It sees Raft messages only: clients are outside the
//! cluster, on a reliable channel. It is not an `Action`:
//! it is not in the action log, so `Sim::replay` does not bring it back, and clones of the
//! `Sim` (time-travel checkpoints included) share it. A rewind therefore replays exactly when
//! the hook's decisions depend only on what it is shown and on the `SimRng` it is handed (the
//! simulator's RNG, restored by a rewind); a hook with state of its own should run with time
//! travel off (`Sim::disable_time_travel`).

use super::view::{MessageId, Micros};
use crate::raft::{Message, ServerId};
use rand_chacha::ChaCha8Rng;
use rand_core::RngCore;
use std::fmt;
use std::sync::{Arc, Mutex};

/// One message as the network has decided it, shown to the hook.
#[derive(Clone, Copy, Debug)]
pub struct MessageInfo<'a> {
    pub id: MessageId,
    pub from: ServerId,
    pub to: ServerId,
    pub sent_at: Micros,
    /// When the network will deliver it (latency, link settings and long delays included).
    pub deliver_at: Micros,
    pub message: &'a Message,
    /// The network has already decided to lose it (random loss).
    pub lost: bool,
}

/// What happens to a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// As the network decided (delivered, or lost if `MessageInfo::lost`).
    Deliver,
    /// Lost (narrated as dropped by the network).
    Drop,
    /// Delivered this much later than the network decided (at most one hour).
    Delay(Micros),
    /// Delivered as decided, and a copy too, with a latency of its own.
    Duplicate,
}

/// The simulator's random number generator, lent to the hook: randomness drawn here keeps a
/// run deterministic (same seed, same hook, same run).
pub struct SimRng<'a>(pub(crate) &'a mut ChaCha8Rng);

impl SimRng<'_> {
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in 0..n (0 when n is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.0.next_u64() % n
        }
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

type HookFn = dyn FnMut(&MessageInfo<'_>, &mut SimRng<'_>) -> Fate + Send;

/// A send hook, shared by clones of the simulation.
#[derive(Clone)]
pub(crate) struct SendHook(Arc<Mutex<HookFn>>);

impl SendHook {
    pub fn new(
        hook: impl FnMut(&MessageInfo<'_>, &mut SimRng<'_>) -> Fate + Send + 'static,
    ) -> Self {
        SendHook(Arc::new(Mutex::new(hook)))
    }

    pub fn decide(&self, info: &MessageInfo<'_>, rng: &mut ChaCha8Rng) -> Fate {
        // A hook that panicked poisons the lock; its decisions stand as they were made.
        let mut hook = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        hook(info, &mut SimRng(rng))
    }
}

impl fmt::Debug for SendHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendHook")
    }
}

//! The large parts of the last picture (server logs, key-value stores, the client history,
//! message contents), kept so the next `Sim::view()` shares them while they are unchanged.
//! The page asks for a picture every animation frame and most frames change none of them;
//! without this, every picture copied every log whole.
//!
//! "Unchanged" is decided by versions the world keeps (`World::next_version`: a new one at
//! every change of a log, a store or the history): same version, same contents. A rewind
//! restores earlier versions, so the `Sim` starts a fresh cache then. A message's contents
//! never change while it is in flight, so it is known by its id.

use super::view::{ClientOp, MessageId};
use crate::raft::{LogEntry, Message};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct ViewCache {
    pub(crate) parts: RefCell<CachedParts>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct CachedParts {
    /// By server position.
    logs: Vec<Versioned<Vec<LogEntry>>>,
    stores: Vec<Versioned<BTreeMap<String, String>>>,
    pub history: Versioned<Vec<ClientOp>>,
    /// The messages of the last picture, by id (ascending).
    messages: Vec<(MessageId, Arc<Message>)>,
}

/// A shared copy and the version of what it copies. The default (version 0, an empty value)
/// is right for every empty value.
#[derive(Clone, Debug, Default)]
pub(crate) struct Versioned<T> {
    version: u64,
    value: Arc<T>,
}

impl<T> Versioned<T> {
    /// The copy of the value at `version`, made with `copy` unless already held.
    pub fn get(&mut self, version: u64, copy: impl FnOnce() -> T) -> Arc<T> {
        if self.version != version {
            self.value = Arc::new(copy());
            self.version = version;
        }
        self.value.clone()
    }
}

impl CachedParts {
    pub fn log(&mut self, server: usize) -> &mut Versioned<Vec<LogEntry>> {
        if self.logs.len() <= server {
            self.logs.resize_with(server + 1, Default::default);
        }
        &mut self.logs[server]
    }

    pub fn kv(&mut self, server: usize) -> &mut Versioned<BTreeMap<String, String>> {
        if self.stores.len() <= server {
            self.stores.resize_with(server + 1, Default::default);
        }
        &mut self.stores[server]
    }

    /// Shared contents for the messages now in flight (given by ascending id), reusing those
    /// of the last picture; forgets the messages no longer in flight.
    pub fn messages<'a>(
        &mut self,
        in_flight: impl Iterator<Item = (MessageId, &'a Message)>,
    ) -> Vec<Arc<Message>> {
        let mut old = std::mem::take(&mut self.messages).into_iter().peekable();
        for (id, message) in in_flight {
            while old.next_if(|(old_id, _)| *old_id < id).is_some() {}
            let shared = match old.next_if(|(old_id, _)| *old_id == id) {
                Some((_, shared)) => shared,
                None => Arc::new(message.clone()),
            };
            self.messages.push((id, shared));
        }
        self.messages.iter().map(|(_, m)| m.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::ViewCache;
    use crate::sim::{workload, Sim};
    use std::sync::Arc;

    /// A busy run with a crash, a partition and time travel: at every step the cached picture
    /// is the picture built from scratch, and unchanged parts are shared, not copied.
    #[test]
    fn cached_pictures_equal_fresh_ones_and_share_what_did_not_change() {
        let mut sim = Sim::new(workload::busy_cluster_as_ui());
        let fresh = |sim: &Sim| sim.world.view(&ViewCache::default());
        let mut shared_logs = 0;
        for step in 0..3000 {
            if sim.step().is_none() {
                break;
            }
            match step {
                800 => sim.crash(crate::raft::ServerId(2)),
                1500 => sim.restart(crate::raft::ServerId(2)),
                2000 => sim.rewind_to(sim.now() / 2).unwrap(),
                _ => {}
            }
            let before = sim.view();
            let again = sim.view();
            assert_eq!(before, fresh(&sim), "step {step}");
            // Nothing happened between the two pictures: everything large is shared.
            for (a, b) in before.servers.iter().zip(&again.servers) {
                assert!(Arc::ptr_eq(&a.log, &b.log) && Arc::ptr_eq(&a.kv, &b.kv));
            }
            assert!(Arc::ptr_eq(&before.history, &again.history));
            for (a, b) in before.messages.iter().zip(&again.messages) {
                assert!(Arc::ptr_eq(&a.message, &b.message));
            }
            sim.step();
            let after = sim.view();
            shared_logs += before
                .servers
                .iter()
                .zip(&after.servers)
                .filter(|(a, b)| Arc::ptr_eq(&a.log, &b.log))
                .count();
        }
        // Most steps change at most one server's log.
        assert!(shared_logs > 3000 * 3, "{shared_logs}");
    }
}

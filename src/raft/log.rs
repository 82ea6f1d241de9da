//! The replicated log (§5.3), with an index offset so a §7 snapshot can drop a prefix later.

use super::types::{LogEntry, LogIndex, Term};

/// A server's log. Entries are numbered from `start`; the entry just before `start` (index
/// `start - 1`) is known only by its term (`prev_term`, §7 "lastIncludedTerm"). Without
/// snapshots `start` is 1 and the entry before it is the empty index 0 of term 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    start: LogIndex,
    prev_term: Term,
    entries: Vec<LogEntry>,
}

impl Default for Log {
    fn default() -> Self {
        Log::new()
    }
}

impl Log {
    pub fn new() -> Self {
        Log {
            start: LogIndex(1),
            prev_term: Term(0),
            entries: Vec::new(),
        }
    }

    /// Builds a log holding `entries` from index 1 (tests and scenarios).
    pub fn from_entries(entries: Vec<LogEntry>) -> Self {
        Log {
            start: LogIndex(1),
            prev_term: Term(0),
            entries,
        }
    }

    /// Index of the first entry held.
    pub fn start(&self) -> LogIndex {
        self.start
    }

    /// The entries held, the first one at index `start()`.
    pub fn entries(&self) -> &[LogEntry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Index of the last entry (0 for an empty log).
    pub fn last_index(&self) -> LogIndex {
        LogIndex(self.start.0 + self.entries.len() as u64 - 1)
    }

    /// Term of the last entry (0 for an empty log).
    pub fn last_term(&self) -> Term {
        self.entries.last().map_or(self.prev_term, |e| e.term)
    }

    fn offset(&self, index: LogIndex) -> Option<usize> {
        if index < self.start {
            return None;
        }
        let offset = (index.0 - self.start.0) as usize;
        (offset < self.entries.len()).then_some(offset)
    }

    /// The entry at `index`, if held.
    pub fn get(&self, index: LogIndex) -> Option<&LogEntry> {
        self.offset(index).map(|i| &self.entries[i])
    }

    /// The term of the entry at `index`: `Some(0)` for index 0, `None` past the end or before
    /// the known prefix.
    pub fn term_at(&self, index: LogIndex) -> Option<Term> {
        if index.0 + 1 == self.start.0 {
            return Some(self.prev_term);
        }
        self.get(index).map(|e| e.term)
    }

    /// Moves the entries out (time-travel checkpoints store them shared; `set_entries` puts
    /// them back). `start` and `prev_term` are kept.
    pub(crate) fn take_entries(&mut self) -> Vec<LogEntry> {
        std::mem::take(&mut self.entries)
    }

    /// Replaces the entries (putting back what `take_entries` took, restoring a checkpoint).
    pub(crate) fn set_entries(&mut self, entries: Vec<LogEntry>) {
        self.entries = entries;
    }

    /// §7: drops every entry up to and including `index`, which becomes the snapshot's last
    /// included entry (of `term`); the entries after it stay. An `index` past the end empties
    /// the log, which then continues after `index`. Returns how many entries were dropped.
    pub fn compact_through(&mut self, index: LogIndex, term: Term) -> u64 {
        if index < self.start {
            return 0;
        }
        let drop = ((index.0 + 1 - self.start.0) as usize).min(self.entries.len());
        self.entries.drain(..drop);
        self.start = LogIndex(index.0 + 1);
        self.prev_term = term;
        drop as u64
    }

    /// The index and term of the last entry covered by a snapshot (index 0, term 0 without).
    pub fn snapshot_boundary(&self) -> (LogIndex, Term) {
        (LogIndex(self.start.0 - 1), self.prev_term)
    }

    /// Appends one entry and returns its index.
    pub fn append(&mut self, entry: LogEntry) -> LogIndex {
        self.entries.push(entry);
        self.last_index()
    }

    /// Deletes the entry at `index` and all that follow it (§5.3: a conflicting entry and
    /// everything after it).
    pub fn truncate_from(&mut self, index: LogIndex) {
        let keep = index.0.saturating_sub(self.start.0) as usize;
        self.entries.truncate(keep);
    }

    /// Up to `max` entries starting at `from` (empty if `from` is past the end).
    pub fn entries_from(&self, from: LogIndex, max: usize) -> &[LogEntry] {
        if from < self.start {
            return &self.entries[..self.entries.len().min(max)];
        }
        let begin = ((from.0 - self.start.0) as usize).min(self.entries.len());
        let end = (begin + max).min(self.entries.len());
        &self.entries[begin..end]
    }

    /// The first index of the run of entries of `term` that contains `index` (fast back-up).
    pub fn first_index_of_term(&self, term: Term, index: LogIndex) -> LogIndex {
        let mut first = index;
        while first.0 > self.start.0 && self.term_at(LogIndex(first.0 - 1)) == Some(term) {
            first = LogIndex(first.0 - 1);
        }
        first
    }

    /// The last index holding an entry of `term`, if any (fast back-up, leader side).
    pub fn last_index_of_term(&self, term: Term) -> Option<LogIndex> {
        let position = self.entries.iter().rposition(|e| e.term == term)?;
        Some(LogIndex(self.start.0 + position as u64))
    }

    /// §5.4.1: is a log ending at (`last_log_index`, `last_log_term`) at least as up-to-date
    /// as this one? Later last term wins; with equal last terms the longer log wins.
    pub fn is_up_to_date(&self, last_log_index: LogIndex, last_log_term: Term) -> bool {
        let (my_index, my_term) = (self.last_index(), self.last_term());
        last_log_term > my_term || (last_log_term == my_term && last_log_index >= my_index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raft::types::EntryPayload;

    fn log_of_terms(terms: &[u64]) -> Log {
        Log::from_entries(
            terms
                .iter()
                .map(|&t| LogEntry {
                    term: Term(t),
                    payload: EntryPayload::Noop,
                })
                .collect(),
        )
    }

    #[test]
    fn empty_log_ends_at_index_zero_term_zero() {
        let log = Log::new();
        assert_eq!(log.last_index(), LogIndex(0));
        assert_eq!(log.last_term(), Term(0));
        assert_eq!(log.term_at(LogIndex(0)), Some(Term(0)));
        assert_eq!(log.term_at(LogIndex(1)), None);
    }

    #[test]
    fn truncation_removes_the_conflict_and_everything_after() {
        let mut log = log_of_terms(&[1, 1, 2, 2]);
        log.truncate_from(LogIndex(3));
        assert_eq!(log.last_index(), LogIndex(2));
        assert_eq!(log.last_term(), Term(1));
    }

    #[test]
    fn term_runs_are_found_for_fast_backup() {
        let log = log_of_terms(&[1, 1, 4, 4, 4, 5]);
        assert_eq!(log.first_index_of_term(Term(4), LogIndex(5)), LogIndex(3));
        assert_eq!(log.first_index_of_term(Term(1), LogIndex(2)), LogIndex(1));
        assert_eq!(log.last_index_of_term(Term(4)), Some(LogIndex(5)));
        assert_eq!(log.last_index_of_term(Term(3)), None);
    }

    #[test]
    fn up_to_date_compares_last_term_then_length() {
        let log = log_of_terms(&[1, 2, 2]);
        assert!(
            log.is_up_to_date(LogIndex(1), Term(3)),
            "later term wins even if shorter"
        );
        assert!(
            log.is_up_to_date(LogIndex(3), Term(2)),
            "same term, same length"
        );
        assert!(
            !log.is_up_to_date(LogIndex(2), Term(2)),
            "same term, shorter"
        );
        assert!(
            !log.is_up_to_date(LogIndex(9), Term(1)),
            "earlier term loses even if longer"
        );
    }

    #[test]
    fn compaction_keeps_what_follows_the_snapshot() {
        let mut log = log_of_terms(&[1, 1, 2, 2, 3]);
        assert_eq!(log.compact_through(LogIndex(3), Term(2)), 3);
        assert_eq!(log.start(), LogIndex(4));
        assert_eq!(log.len(), 2);
        assert_eq!(log.term_at(LogIndex(3)), Some(Term(2)));
        assert_eq!(log.term_at(LogIndex(2)), None);
        assert_eq!(log.last_index(), LogIndex(5));
        // Past the end: the log is empty and continues after the snapshot.
        assert_eq!(log.compact_through(LogIndex(9), Term(4)), 2);
        assert_eq!((log.last_index(), log.last_term()), (LogIndex(9), Term(4)));
        assert_eq!(log.snapshot_boundary(), (LogIndex(9), Term(4)));
        assert_eq!(
            log.compact_through(LogIndex(5), Term(3)),
            0,
            "never backwards"
        );
    }

    #[test]
    fn entries_from_is_bounded() {
        let log = log_of_terms(&[1, 1, 1]);
        assert_eq!(log.entries_from(LogIndex(2), 10).len(), 2);
        assert_eq!(log.entries_from(LogIndex(1), 2).len(), 2);
        assert!(log.entries_from(LogIndex(4), 10).is_empty());
    }
}

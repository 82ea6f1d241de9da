//! The five safety properties of the paper's Figure 3, checked against what the servers hold.
//!
//! Two ways in:
//! - one-shot functions of a [`ClusterView`] (`election_safety(&view)`, ...), for tests and the
//!   page: they judge a single instant (Election Safety across time needs the [`Checker`]);
//! - the incremental [`Checker`], which observes the cluster after every event and remembers
//!   what it has seen (leaders per term, committed and applied entries), so properties that
//!   speak about the whole run are checked too. It reads servers through the small
//!   [`ServerState`] trait, so the simulator can lend its servers without building a view, and
//!   it only re-examines the part of a log that changed since the last observation.

use crate::raft::types::{LogEntry, LogIndex, Role, ServerId, Term};
use crate::sim::view::{ClusterView, Micros, ServerStatus, ServerView};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// One of the properties of Figure 3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Property {
    /// At most one leader can be elected in a given term (§5.2).
    ElectionSafety,
    /// A leader never overwrites or deletes entries in its log; it only appends (§5.3).
    LeaderAppendOnly,
    /// If two logs contain an entry with the same index and term, the logs are identical in
    /// all entries up through that index (§5.3).
    LogMatching,
    /// If an entry is committed in a term, it is present in the logs of the leaders of all
    /// higher terms (§5.4).
    LeaderCompleteness,
    /// If a server has applied an entry at an index, no other server ever applies a different
    /// entry at that index (§5.4.3).
    StateMachineSafety,
}

impl Property {
    pub const ALL: [Property; 5] = [
        Property::ElectionSafety,
        Property::LeaderAppendOnly,
        Property::LogMatching,
        Property::LeaderCompleteness,
        Property::StateMachineSafety,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Property::ElectionSafety => "Election Safety",
            Property::LeaderAppendOnly => "Leader Append-Only",
            Property::LogMatching => "Log Matching",
            Property::LeaderCompleteness => "Leader Completeness",
            Property::StateMachineSafety => "State Machine Safety",
        }
    }

    /// The paper section that argues the property.
    pub fn section(self) -> &'static str {
        match self {
            Property::ElectionSafety => "§5.2",
            Property::LeaderAppendOnly => "§5.3",
            Property::LogMatching => "§5.3",
            Property::LeaderCompleteness => "§5.4",
            Property::StateMachineSafety => "§5.4.3",
        }
    }
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A broken property, when it was noticed, and why, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub property: Property,
    /// Simulated time of the observation that found it.
    pub time: Micros,
    /// Sequence number of the event after which it was found (None for one-shot checks).
    pub event: Option<u64>,
    pub explanation: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}) violated at {:.1} ms",
            self.property,
            self.property.section(),
            self.time as f64 / 1000.0
        )?;
        if let Some(e) = self.event {
            write!(f, " after event #{e}")?;
        }
        write!(f, ": {}", self.explanation)
    }
}

/// Read access to one server's Figure 2 state: what the checker needs and nothing more.
/// Implemented for [`ServerView`]; the simulator's servers can implement it to be checked
/// without copying.
pub trait ServerState {
    fn id(&self) -> ServerId;
    /// False while crashed (its volatile state is gone; a stale `role` means nothing).
    fn is_up(&self) -> bool;
    fn role(&self) -> Role;
    fn current_term(&self) -> Term;
    fn commit_index(&self) -> LogIndex;
    fn last_applied(&self) -> LogIndex;
    fn last_log_index(&self) -> LogIndex;
    /// The entry at `index` (1-based), if held (not in the log or compacted into a snapshot:
    /// None).
    fn entry(&self, index: LogIndex) -> Option<&LogEntry>;

    /// §7: the index and term of the last entry this server's snapshot covers (lastIncluded
    /// index and term); the log holds only what follows. (0, 0) without a snapshot.
    fn snapshot_boundary(&self) -> (LogIndex, Term) {
        (LogIndex(0), Term(0))
    }

    /// The term of the entry at `index` (Term(0) for index 0, the snapshot's last included
    /// term at its index, None if not held).
    fn term_at(&self, index: LogIndex) -> Option<Term> {
        let (boundary, boundary_term) = self.snapshot_boundary();
        if index == boundary {
            Some(boundary_term)
        } else if index.0 == 0 {
            Some(Term(0))
        } else {
            self.entry(index).map(|e| e.term)
        }
    }

    /// Whether the entry at `index` is `entry`, as far as this server can tell: an index its
    /// snapshot covers counts as holding any committed entry of the snapshot's last term or
    /// earlier (the snapshot holds only committed entries; the entries themselves are gone).
    fn holds(&self, index: LogIndex, entry: &LogEntry) -> bool {
        let (boundary, boundary_term) = self.snapshot_boundary();
        match index.cmp(&boundary) {
            std::cmp::Ordering::Less => entry.term <= boundary_term,
            std::cmp::Ordering::Equal => entry.term == boundary_term,
            std::cmp::Ordering::Greater => self.entry(index) == Some(entry),
        }
    }
}

impl ServerState for ServerView {
    fn id(&self) -> ServerId {
        self.id
    }
    fn is_up(&self) -> bool {
        self.status != ServerStatus::Crashed
    }
    fn role(&self) -> Role {
        self.role
    }
    fn current_term(&self) -> Term {
        self.current_term
    }
    fn commit_index(&self) -> LogIndex {
        self.commit_index
    }
    fn last_applied(&self) -> LogIndex {
        self.last_applied
    }
    fn last_log_index(&self) -> LogIndex {
        ServerView::last_log_index(self)
    }
    fn entry(&self, index: LogIndex) -> Option<&LogEntry> {
        ServerView::entry(self, index)
    }
    fn snapshot_boundary(&self) -> (LogIndex, Term) {
        (LogIndex(self.log_start.0 - 1), self.last_included_term)
    }
}

impl<T: ServerState + ?Sized> ServerState for &T {
    fn id(&self) -> ServerId {
        (**self).id()
    }
    fn is_up(&self) -> bool {
        (**self).is_up()
    }
    fn role(&self) -> Role {
        (**self).role()
    }
    fn current_term(&self) -> Term {
        (**self).current_term()
    }
    fn commit_index(&self) -> LogIndex {
        (**self).commit_index()
    }
    fn last_applied(&self) -> LogIndex {
        (**self).last_applied()
    }
    fn last_log_index(&self) -> LogIndex {
        (**self).last_log_index()
    }
    fn entry(&self, index: LogIndex) -> Option<&LogEntry> {
        (**self).entry(index)
    }
    fn snapshot_boundary(&self) -> (LogIndex, Term) {
        (**self).snapshot_boundary()
    }
}

/// "term 3 SET x 1" / "term 2 no-op".
pub fn describe_entry(e: &LogEntry) -> String {
    match &e.payload {
        crate::raft::types::EntryPayload::Noop => format!("term {} no-op", e.term),
        crate::raft::types::EntryPayload::Client { command, .. } => {
            format!("term {} \"{command}\"", e.term)
        }
        crate::raft::types::EntryPayload::Config { config } => {
            format!("term {} configuration {config}", e.term)
        }
    }
}

fn one_shot(property: Property, time: Micros, explanation: String) -> Violation {
    Violation {
        property,
        time,
        event: None,
        explanation,
    }
}

// ---------------------------------------------------------------------------------------------
// One-shot checks of a single instant.

/// Election Safety (§5.2) at one instant: no two up servers lead the same term.
pub fn election_safety(view: &ClusterView) -> Result<(), Violation> {
    let mut seen: BTreeMap<Term, ServerId> = BTreeMap::new();
    for s in view.leaders() {
        if let Some(other) = seen.insert(s.current_term, s.id) {
            return Err(one_shot(
                Property::ElectionSafety,
                view.now,
                format!(
                    "{other} and {} are both leader of term {}",
                    s.id, s.current_term
                ),
            ));
        }
    }
    Ok(())
}

/// Log Matching (§5.3) at one instant, for every pair of servers: wherever two logs hold an
/// entry with the same index and term, the entries and everything before them are identical.
pub fn log_matching(view: &ClusterView) -> Result<(), Violation> {
    for (i, a) in view.servers.iter().enumerate() {
        for b in &view.servers[i + 1..] {
            if let Some(why) = logs_disagree(a, b) {
                return Err(one_shot(Property::LogMatching, view.now, why));
            }
        }
    }
    Ok(())
}

/// Where two logs break Log Matching, explained; None if they satisfy it.
fn logs_disagree(a: &impl ServerState, b: &impl ServerState) -> Option<String> {
    let common = a.last_log_index().min(b.last_log_index());
    // The highest index where both hold an entry of the same term: everything up to it must be
    // identical.
    let mut top = common.0;
    while top > 0 && a.term_at(LogIndex(top)) != b.term_at(LogIndex(top)) {
        top -= 1;
    }
    for i in (1..=top).rev() {
        let (ea, eb) = (a.entry(LogIndex(i))?, b.entry(LogIndex(i))?);
        if ea != eb {
            return Some(format!(
                "{} and {} both hold an entry of term {} at index {top}, but at index {i} {} has {} and {} has {}",
                a.id(),
                b.id(),
                a.term_at(LogIndex(top)).unwrap_or_default(),
                a.id(),
                describe_entry(ea),
                b.id(),
                describe_entry(eb)
            ));
        }
    }
    None
}

/// State Machine Safety (§5.4.3) at one instant: servers agree on every index both have
/// applied.
pub fn state_machine_safety(view: &ClusterView) -> Result<(), Violation> {
    for (i, a) in view.servers.iter().enumerate() {
        for b in &view.servers[i + 1..] {
            let upto = a.last_applied.min(b.last_applied);
            for idx in 1..=upto.0 {
                let (ea, eb) = (a.entry(LogIndex(idx)), b.entry(LogIndex(idx)));
                if let (Some(ea), Some(eb)) = (ea, eb) {
                    if ea != eb {
                        return Err(one_shot(
                            Property::StateMachineSafety,
                            view.now,
                            format!(
                                "{} applied {} at index {idx} but {} applied {}",
                                a.id,
                                describe_entry(ea),
                                b.id,
                                describe_entry(eb)
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// Leader Completeness (§5.4) at one instant, as far as a single picture shows it: every entry
/// at or below some server's commitIndex was committed in that server's current term or
/// earlier, so every up leader of a higher term must hold it.
pub fn leader_completeness(view: &ClusterView) -> Result<(), Violation> {
    for s in &view.servers {
        for leader in view.leaders() {
            if leader.current_term <= s.current_term {
                continue;
            }
            for idx in 1..=s.commit_index.0 {
                let Some(committed) = s.entry(LogIndex(idx)) else {
                    continue;
                };
                if !leader.holds(LogIndex(idx), committed) {
                    return Err(one_shot(
                        Property::LeaderCompleteness,
                        view.now,
                        format!(
                            "{} has committed {} at index {idx}, but {}, leader of the later term {}, does not hold it",
                            s.id,
                            describe_entry(committed),
                            leader.id,
                            leader.current_term
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// All one-shot checks of one instant. Leader Append-Only needs two instants: use [`Checker`].
pub fn check_view(view: &ClusterView) -> Result<(), Violation> {
    election_safety(view)?;
    log_matching(view)?;
    leader_completeness(view)?;
    state_machine_safety(view)
}

// ---------------------------------------------------------------------------------------------
// The incremental checker.

/// What the checker remembers about one server between observations.
#[derive(Clone, Debug, Default)]
struct Tracked {
    /// Terms of the log as last observed (index i at position i-1).
    terms: Vec<Term>,
    /// (term) while the server was last seen leading.
    leading: Option<Term>,
    commit_index: LogIndex,
    last_applied: LogIndex,
}

/// What is known about an (index, term) pair from the first server seen holding it.
#[derive(Clone, Debug)]
struct Known {
    entry: LogEntry,
    prev_term: Term,
    holder: ServerId,
}

/// A committed entry as first observed.
#[derive(Clone, Debug)]
struct Committed {
    entry: LogEntry,
    /// The current term of the server that showed it committed: the entry was committed in
    /// this term or earlier.
    observed_in_term: Term,
    by: ServerId,
}

/// Finds an up leader of a term later than the given one whose log lacks `entry` at `index`
/// (Leader Completeness, §5.4), as (leader, its term).
type LeaderLacking<'a> = dyn FnMut(LogIndex, &LogEntry, Term) -> Option<(ServerId, Term)> + 'a;

fn leader_lacking<S: ServerState>(
    all: &[S],
) -> impl FnMut(LogIndex, &LogEntry, Term) -> Option<(ServerId, Term)> + '_ {
    move |index, entry, term| {
        all.iter()
            .find(|o| {
                o.is_up()
                    && o.role() == Role::Leader
                    && o.current_term() > term
                    && !o.holds(index, entry)
            })
            .map(|o| (o.id(), o.current_term()))
    }
}

/// Observes a cluster after every event and reports the first Figure 3 violation.
#[derive(Clone, Debug, Default)]
pub struct Checker {
    /// Indexed by server number.
    tracked: Vec<Tracked>,
    /// Election Safety: the leader seen for each term.
    leaders: HashMap<Term, ServerId>,
    /// Log Matching: every (index, term) seen, with its entry and the term before it.
    known: HashMap<(LogIndex, Term), Known>,
    /// Entries known committed, by index (position i-1). An entry a server committed and
    /// compacted into a snapshot before the checker saw it leaves a gap (None).
    committed: Vec<Option<Committed>>,
    /// Entries applied, by index (position i-1), and who applied it first (gaps: as above).
    applied: Vec<Option<(LogEntry, ServerId)>>,
    first: Option<Violation>,
    observations: u64,
    /// The last simulator step observed by `observe_sim` (None before the first look).
    last_step: Option<u64>,
}

impl Checker {
    pub fn new() -> Self {
        Self::default()
    }

    /// The first violation found, if any (later ones are not recorded: the first is the story).
    pub fn violation(&self) -> Option<&Violation> {
        self.first.as_ref()
    }

    pub fn is_clean(&self) -> bool {
        self.first.is_none()
    }

    /// How many server observations were made.
    pub fn observations(&self) -> u64 {
        self.observations
    }

    /// Observes every server of a view (after event `event`, at `view.now`).
    pub fn observe_view(&mut self, view: &ClusterView, event: Option<u64>) -> Option<&Violation> {
        self.observe_all(&view.servers, view.now, event)
    }

    /// Observes every server in `servers` (typically borrowed from the simulator).
    pub fn observe_all<S: ServerState>(
        &mut self,
        servers: &[S],
        time: Micros,
        event: Option<u64>,
    ) -> Option<&Violation> {
        if self.first.is_some() {
            return self.first.as_ref();
        }
        for s in servers {
            if let Err(v) = self.observe_one(s, &mut leader_lacking(servers), time, event) {
                self.first = Some(v);
                break;
            }
        }
        self.first.as_ref()
    }

    /// Observes only `touched` (the server the last event ran on), with `all` for the checks
    /// that compare it with the others. Cheap when little changed.
    pub fn observe_server<S: ServerState>(
        &mut self,
        touched: &S,
        all: &[S],
        time: Micros,
        event: Option<u64>,
    ) -> Option<&Violation> {
        if self.first.is_none() {
            if let Err(v) = self.observe_one(touched, &mut leader_lacking(all), time, event) {
                self.first = Some(v);
            }
        }
        self.first.as_ref()
    }

    fn observe_one<S: ServerState>(
        &mut self,
        s: &S,
        lacking: &mut LeaderLacking<'_>,
        time: Micros,
        event: Option<u64>,
    ) -> Result<(), Violation> {
        self.observations += 1;
        let violation = |property, explanation| Violation {
            property,
            time,
            event,
            explanation,
        };
        let slot = s.id().0 as usize;
        if self.tracked.len() <= slot {
            self.tracked.resize_with(slot + 1, Tracked::default);
        }
        let mut tracked = std::mem::take(&mut self.tracked[slot]);
        let result = self.examine(s, lacking, &mut tracked, &violation);
        self.tracked[slot] = tracked;
        result
    }

    fn examine<S: ServerState>(
        &mut self,
        s: &S,
        lacking: &mut LeaderLacking<'_>,
        t: &mut Tracked,
        violation: &impl Fn(Property, String) -> Violation,
    ) -> Result<(), Violation> {
        let id = s.id();
        let term = s.current_term();
        let last = s.last_log_index().0 as usize;

        // Which part of the log changed? Logs only change by replacing a suffix, so walk back
        // from the end of the shorter one until the terms agree again; everything before that
        // point was already checked (Log Matching makes the agreeing term vouch for the prefix,
        // and the prefix's own entries were checked against `known` when they arrived).
        //
        // §7: below the snapshot's last included index nothing can be compared (the entries
        // are gone); the walk stops there, and the snapshot's last included term must be what
        // was seen at that index, or the prefix was replaced (a follower installing a
        // leader's snapshot over entries that conflicted with it).
        let (boundary, boundary_term) = s.snapshot_boundary();
        let floor = boundary.0 as usize;
        let mut prefix_replaced = false;
        if floor > 0 {
            if t.terms.len() < floor {
                // Compacted entries the checker never saw one by one (a snapshot installed
                // past them): only the last included term is known.
                t.terms.resize(floor, boundary_term);
            } else if t.terms[floor - 1] != boundary_term {
                t.terms[floor - 1] = boundary_term;
                prefix_replaced = true;
            }
        }
        let mut same = t.terms.len().min(last);
        while same > floor && s.term_at(LogIndex(same as u64)) != Some(t.terms[same - 1]) {
            same -= 1;
        }
        let changed_below_old_end = same < t.terms.len() || prefix_replaced;

        // Leader Append-Only (§5.3): a server that led this term before and still does must
        // not have lost or replaced anything.
        let leading_now = s.is_up() && s.role() == Role::Leader;
        if leading_now && t.leading == Some(term) && changed_below_old_end {
            return Err(violation(
                Property::LeaderAppendOnly,
                format!(
                    "{id}, leader of term {term}, had {} entries; now entry {} {}",
                    t.terms.len(),
                    same + 1,
                    match s.term_at(LogIndex(same as u64 + 1)) {
                        Some(nt) =>
                            format!("was overwritten (term {} became term {nt})", t.terms[same]),
                        None => "and later ones were deleted".into(),
                    }
                ),
            ));
        }

        // Log Matching (§5.3), inductively: each (index, term) pair must always come with the
        // same entry and the same term just before it; checking every new entry this way makes
        // any two logs that share (index, term) identical up to that index.
        t.terms.truncate(same);
        for i in same + 1..=last {
            let idx = LogIndex(i as u64);
            let Some(entry) = s.entry(idx) else { break };
            let prev_term = s.term_at(LogIndex(i as u64 - 1)).unwrap_or_default();
            match self.known.get(&(idx, entry.term)) {
                Some(k) if k.entry != *entry => {
                    return Err(violation(
                        Property::LogMatching,
                        format!(
                            "{id} holds {} at index {i}, but {} held {} there with the same term",
                            describe_entry(entry),
                            k.holder,
                            describe_entry(&k.entry)
                        ),
                    ));
                }
                Some(k) if k.prev_term != prev_term => {
                    return Err(violation(
                        Property::LogMatching,
                        format!(
                            "{id} and {} both hold a term-{} entry at index {i}, but their entries at index {} differ (term {prev_term} on {id}, term {} on {})",
                            k.holder,
                            entry.term,
                            i - 1,
                            k.prev_term,
                            k.holder
                        ),
                    ));
                }
                Some(_) => {}
                None => {
                    self.known.insert(
                        (idx, entry.term),
                        Known {
                            entry: entry.clone(),
                            prev_term,
                            holder: id,
                        },
                    );
                }
            }
            t.terms.push(entry.term);
        }

        if !s.is_up() {
            // Crashed: volatile state is gone; restart begins again from commitIndex 0 (§5.1,
            // Figure 2 "volatile state").
            t.leading = None;
            t.commit_index = LogIndex(0);
            t.last_applied = LogIndex(0);
            return Ok(());
        }

        // Election Safety (§5.2): at most one leader per term, over the whole run.
        if leading_now {
            if t.leading != Some(term) {
                match self.leaders.get(&term) {
                    Some(&other) if other != id => {
                        return Err(violation(
                            Property::ElectionSafety,
                            format!("{id} became leader of term {term}, but {other} was already elected leader of term {term}"),
                        ));
                    }
                    Some(_) => {}
                    None => {
                        self.leaders.insert(term, id);
                    }
                }
                // Leader Completeness (§5.4): a new leader must hold every entry committed in
                // an earlier term.
                let known = self.committed.iter().enumerate();
                for (pos, c) in known.filter_map(|(pos, c)| Some((pos, c.as_ref()?))) {
                    if c.observed_in_term < term && !s.holds(LogIndex(pos as u64 + 1), &c.entry) {
                        return Err(violation(
                            Property::LeaderCompleteness,
                            format!(
                                "{id} became leader of term {term} without {} at index {}, which {} had committed by term {}",
                                describe_entry(&c.entry),
                                pos + 1,
                                c.by,
                                c.observed_in_term
                            ),
                        ));
                    }
                }
            }
            t.leading = Some(term);
        } else {
            t.leading = None;
        }

        // Committed entries: record newly committed ones; a different entry at an index already
        // known committed breaks State Machine Safety in waiting (§5.4.3).
        let commit = s.commit_index();
        if commit < t.commit_index {
            // Restarted (volatile commitIndex lost): nothing is uncommitted, start over.
            t.commit_index = LogIndex(0);
        }
        if commit > t.commit_index {
            for i in t.commit_index.0 + 1..=commit.0 {
                let Some(entry) = s.entry(LogIndex(i)) else {
                    continue;
                };
                let pos = (i - 1) as usize;
                if let Some(Some(c)) = self.committed.get(pos) {
                    if c.entry != *entry {
                        return Err(violation(
                            Property::StateMachineSafety,
                            format!(
                                "{id} committed {} at index {i}, but {} had already committed {} there",
                                describe_entry(entry),
                                c.by,
                                describe_entry(&c.entry)
                            ),
                        ));
                    }
                } else {
                    if self.committed.len() <= pos {
                        self.committed.resize_with(pos + 1, || None);
                    }
                    self.committed[pos] = Some(Committed {
                        entry: entry.clone(),
                        observed_in_term: term,
                        by: id,
                    });
                    // Leader Completeness for leaders already in office in a later term.
                    if let Some((other, other_term)) = lacking(LogIndex(i), entry, term) {
                        return Err(violation(
                            Property::LeaderCompleteness,
                            format!(
                                "{id} committed {} at index {i} in term {term}, but {other}, leader of the later term {other_term}, does not hold it",
                                describe_entry(entry),
                            ),
                        ));
                    }
                }
            }
            t.commit_index = commit;
        }

        // §7: a snapshot covers committed entries only, so its last included entry must be
        // the one committed at that index.
        if let Some(Some(c)) = floor.checked_sub(1).and_then(|pos| self.committed.get(pos)) {
            if c.entry.term != boundary_term {
                return Err(violation(
                    Property::StateMachineSafety,
                    format!(
                        "{id}'s snapshot ends at index {floor} with term {boundary_term}, but {} had committed {} there",
                        c.by,
                        describe_entry(&c.entry)
                    ),
                ));
            }
        }

        // State Machine Safety (§5.4.3): the applied entry at each index is the same everywhere.
        let applied = s.last_applied();
        if applied < t.last_applied {
            t.last_applied = LogIndex(0);
        }
        if applied > t.last_applied {
            for i in t.last_applied.0 + 1..=applied.0 {
                let Some(entry) = s.entry(LogIndex(i)) else {
                    continue;
                };
                let pos = (i - 1) as usize;
                if let Some(Some((first, by))) = self.applied.get(pos) {
                    if first != entry {
                        return Err(violation(
                            Property::StateMachineSafety,
                            format!(
                                "{id} applied {} at index {i}, but {by} had applied {} there",
                                describe_entry(entry),
                                describe_entry(first)
                            ),
                        ));
                    }
                } else {
                    if self.applied.len() <= pos {
                        self.applied.resize_with(pos + 1, || None);
                    }
                    self.applied[pos] = Some((entry.clone(), id));
                }
            }
            t.last_applied = applied;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raft::types::{ClientId, Command, EntryPayload};
    use crate::sim::view::{MembershipRole, NetworkView};

    fn entry(term: u64, cmd: &str) -> LogEntry {
        LogEntry {
            term: Term(term),
            payload: EntryPayload::Client {
                client: ClientId(1),
                seq: 0,
                command: cmd.parse::<Command>().unwrap(),
            },
        }
    }

    fn server(id: u8, role: Role, term: u64, log: Vec<LogEntry>, commit: u64) -> ServerView {
        ServerView {
            id: ServerId(id),
            status: ServerStatus::Up,
            role,
            current_term: Term(term),
            voted_for: None,
            log: log.into(),
            log_start: LogIndex(1),
            last_included_term: Term(0),
            commit_index: LogIndex(commit),
            last_applied: LogIndex(commit),
            progress: vec![],
            votes_granted: vec![],
            leader_hint: None,
            election_deadline: None,
            election_timer_started: None,
            kv: Default::default(),
            beyond_figure2: Default::default(),
            configuration: Default::default(),
            config_index: LogIndex(0),
            membership: MembershipRole::Voter,
        }
    }

    fn view(now: Micros, servers: Vec<ServerView>) -> ClusterView {
        ClusterView {
            now,
            servers,
            messages: vec![],
            network: NetworkView {
                partition: vec![],
                cut_links: vec![],
                loss_probability: 0.0,
                reply_loss_probability: 0.0,
                duplicate_probability: 0.0,
                min_latency: 0,
                max_latency: 0,
                long_delays: Default::default(),
                links: vec![],
            },
            clients: vec![],
            client_traffic: vec![],
            history: Default::default(),
            configuration: Default::default(),
            ring_changes: vec![],
        }
    }

    use Role::{Candidate, Follower, Leader};

    #[test]
    fn healthy_cluster_passes_all_checks() {
        let log = vec![entry(1, "SET x 1"), entry(1, "SET y 2")];
        let v = view(
            0,
            vec![
                server(1, Leader, 1, log.clone(), 2),
                server(2, Follower, 1, log.clone(), 2),
                server(3, Follower, 1, log[..1].to_vec(), 1),
            ],
        );
        assert_eq!(check_view(&v), Ok(()));
        let mut c = Checker::new();
        assert!(c.observe_view(&v, Some(1)).is_none());
    }

    #[test]
    fn two_leaders_in_one_term_break_election_safety() {
        let v = view(
            5,
            vec![
                server(1, Leader, 2, vec![], 0),
                server(2, Leader, 2, vec![], 0),
            ],
        );
        let err = election_safety(&v).unwrap_err();
        assert_eq!(err.property, Property::ElectionSafety);
        assert!(err.explanation.contains("S1 and S2"), "{}", err.explanation);
    }

    #[test]
    fn checker_remembers_leaders_across_time() {
        // S1 leads term 2, steps down; later S2 claims term 2 as well: never both at once.
        let mut c = Checker::new();
        assert!(c
            .observe_view(
                &view(
                    1,
                    vec![
                        server(1, Leader, 2, vec![], 0),
                        server(2, Follower, 2, vec![], 0)
                    ]
                ),
                Some(1)
            )
            .is_none());
        assert!(c
            .observe_view(
                &view(
                    2,
                    vec![
                        server(1, Follower, 2, vec![], 0),
                        server(2, Candidate, 2, vec![], 0)
                    ]
                ),
                Some(2)
            )
            .is_none());
        let v = c
            .observe_view(
                &view(
                    3,
                    vec![
                        server(1, Follower, 2, vec![], 0),
                        server(2, Leader, 2, vec![], 0),
                    ],
                ),
                Some(3),
            )
            .unwrap();
        assert_eq!(v.property, Property::ElectionSafety);
        assert_eq!(v.event, Some(3));
        assert!(
            v.explanation.contains("S2 became leader of term 2, but S1"),
            "{}",
            v.explanation
        );
    }

    #[test]
    fn leader_overwriting_its_log_breaks_append_only() {
        let mut c = Checker::new();
        let before = vec![entry(1, "SET x 1"), entry(2, "SET x 2")];
        assert!(c
            .observe_view(&view(1, vec![server(1, Leader, 2, before, 0)]), Some(1))
            .is_none());
        let after_term = vec![entry(1, "SET x 1")];
        let v = c
            .clone()
            .observe_view(&view(2, vec![server(1, Leader, 2, after_term, 0)]), Some(2))
            .cloned()
            .unwrap();
        assert_eq!(v.property, Property::LeaderAppendOnly);
        assert!(v.explanation.contains("deleted"), "{}", v.explanation);
        let rewritten = vec![entry(1, "SET x 1"), entry(1, "SET x 3")];
        let v = c
            .observe_view(&view(2, vec![server(1, Leader, 2, rewritten, 0)]), Some(2))
            .unwrap();
        assert_eq!(v.property, Property::LeaderAppendOnly);
        assert!(
            v.explanation.contains("overwritten (term 2 became term 1)"),
            "{}",
            v.explanation
        );
    }

    #[test]
    fn follower_may_lose_uncommitted_entries() {
        let mut c = Checker::new();
        let s2_old = vec![entry(1, "SET x 1"), entry(2, "SET x 2")];
        assert!(c
            .observe_view(&view(1, vec![server(2, Follower, 2, s2_old, 1)]), Some(1))
            .is_none());
        let s2_new = vec![entry(1, "SET x 1"), entry(3, "SET x 3")];
        assert!(c
            .observe_view(&view(2, vec![server(2, Follower, 3, s2_new, 1)]), Some(2))
            .is_none());
    }

    #[test]
    fn same_index_and_term_with_different_entries_breaks_log_matching() {
        let a = server(
            1,
            Follower,
            2,
            vec![entry(1, "SET x 1"), entry(2, "SET x 2")],
            0,
        );
        let b = server(
            2,
            Follower,
            2,
            vec![entry(1, "SET x 9"), entry(2, "SET x 2")],
            0,
        );
        let v = view(0, vec![a, b]);
        let err = log_matching(&v).unwrap_err();
        assert!(
            err.explanation.contains("at index 1"),
            "{}",
            err.explanation
        );
        let mut c = Checker::new();
        let inc = c.observe_view(&v, None).unwrap();
        assert_eq!(inc.property, Property::LogMatching);
    }

    #[test]
    fn new_leader_missing_committed_entry_breaks_leader_completeness() {
        let mut c = Checker::new();
        let committed = vec![entry(1, "SET x 1"), entry(2, "SET x 2")];
        // S1 (term 2) commits index 2.
        assert!(c
            .observe_view(
                &view(
                    1,
                    vec![
                        server(1, Leader, 2, committed.clone(), 2),
                        server(2, Follower, 2, committed[..1].to_vec(), 1)
                    ]
                ),
                None
            )
            .is_none());
        // S2 wins term 3 without index 2.
        let v = c
            .observe_view(
                &view(
                    2,
                    vec![
                        server(1, Follower, 3, committed, 2),
                        server(2, Leader, 3, vec![entry(1, "SET x 1")], 1),
                    ],
                ),
                None,
            )
            .unwrap();
        assert_eq!(v.property, Property::LeaderCompleteness);
        assert!(
            v.explanation
                .contains("S2 became leader of term 3 without term 2 \"SET x 2\" at index 2"),
            "{}",
            v.explanation
        );
    }

    #[test]
    fn different_entries_applied_at_one_index_break_state_machine_safety() {
        let mut c = Checker::new();
        assert!(c
            .observe_view(
                &view(
                    1,
                    vec![server(1, Follower, 2, vec![entry(2, "SET x 1")], 1)]
                ),
                None
            )
            .is_none());
        // S1 crashes and S2 later applies something else at index 1 (term 3).
        let mut s1 = server(1, Follower, 2, vec![entry(2, "SET x 1")], 0);
        s1.status = ServerStatus::Crashed;
        let v = c
            .observe_view(
                &view(
                    2,
                    vec![s1, server(2, Follower, 3, vec![entry(3, "SET x 2")], 1)],
                ),
                None,
            )
            .unwrap()
            .clone();
        assert_eq!(v.property, Property::StateMachineSafety);
        assert!(
            v.explanation
                .contains("S2 committed term 3 \"SET x 2\" at index 1"),
            "{}",
            v.explanation
        );
    }

    #[test]
    fn one_shot_state_machine_and_completeness_checks() {
        let a = server(1, Follower, 2, vec![entry(2, "SET x 1")], 1);
        let b = server(2, Leader, 3, vec![entry(3, "SET x 2")], 1);
        let v = view(0, vec![a, b]);
        assert_eq!(
            state_machine_safety(&v).unwrap_err().property,
            Property::StateMachineSafety
        );
        assert_eq!(
            leader_completeness(&v).unwrap_err().property,
            Property::LeaderCompleteness
        );
    }

    #[test]
    fn restart_resets_commit_tracking_without_false_alarm() {
        let mut c = Checker::new();
        let log = vec![entry(1, "SET x 1")];
        assert!(c
            .observe_view(&view(1, vec![server(1, Follower, 1, log.clone(), 1)]), None)
            .is_none());
        let mut crashed = server(1, Follower, 1, log.clone(), 0);
        crashed.status = ServerStatus::Crashed;
        assert!(c.observe_view(&view(2, vec![crashed]), None).is_none());
        assert!(c
            .observe_view(&view(3, vec![server(1, Follower, 1, log, 1)]), None)
            .is_none());
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the simulator's servers without copying them.

/// A simulator server as the checker sees it: borrowed, plus whether it is up.
#[derive(Clone, Copy)]
pub struct LiveServer<'a> {
    pub server: &'a crate::raft::Server,
    pub up: bool,
}

impl ServerState for LiveServer<'_> {
    fn id(&self) -> ServerId {
        self.server.id()
    }
    fn is_up(&self) -> bool {
        self.up
    }
    fn role(&self) -> Role {
        self.server.role()
    }
    fn current_term(&self) -> Term {
        self.server.current_term()
    }
    fn commit_index(&self) -> LogIndex {
        self.server.commit_index()
    }
    fn last_applied(&self) -> LogIndex {
        self.server.last_applied()
    }
    fn last_log_index(&self) -> LogIndex {
        self.server.last_log_index()
    }
    fn entry(&self, index: LogIndex) -> Option<&LogEntry> {
        self.server.log().get(index)
    }
    fn snapshot_boundary(&self) -> (LogIndex, Term) {
        self.server.log().snapshot_boundary()
    }
}

/// Borrows every server of `sim`.
pub fn live_servers(sim: &crate::sim::Sim) -> Vec<LiveServer<'_>> {
    sim.servers()
        .map(|server| LiveServer {
            server,
            up: sim.is_up(server.id()),
        })
        .collect()
}

impl Checker {
    /// Observes the simulator after one step: only the server the step touched is
    /// re-examined (a step that touched none, e.g. a lost message, changes no server state).
    /// The first look examines every server.
    ///
    /// It must see every step: a violation can come and go between two looks (a second
    /// leader of a term steps down, an overwritten entry is gone). Panics if steps were
    /// skipped since the last look (e.g. `sim.run_until(t)` in between) or the simulation
    /// went back in time: attach the checker with `sim.watch(Checker::new())` to have it
    /// called after every step, or call `resync` after a jump on purpose.
    pub fn observe_sim(&mut self, sim: &crate::sim::Sim) -> Option<&Violation> {
        if self.first.is_some() {
            return self.first.as_ref();
        }
        let event = sim.last_event();
        let (time, seq) = (event.time, event.seq);
        match self.last_step {
            None => return self.observe_sim_all(sim),
            Some(last) if seq == last => return None,
            Some(last) if seq == last + 1 => self.last_step = Some(seq),
            Some(last) if seq > last => panic!(
                "Checker::observe_sim: steps #{}..#{} were not observed (the simulation ran \
                 on between two looks, e.g. with run_until), so violations during them would \
                 be missed. Observe after every step, attach the checker with \
                 sim.watch(Checker::new()), or call resync to start again from here",
                last + 1,
                seq - 1
            ),
            Some(last) => panic!(
                "Checker::observe_sim: the simulation went back from step #{last} to #{seq} \
                 (a rewind); call resync to start again from here"
            ),
        }
        let touched = sim.last_touched()?;
        let s = LiveServer {
            server: sim.server(touched),
            up: sim.is_up(touched),
        };
        let mut lacking = |index: LogIndex, entry: &LogEntry, term: Term| {
            sim.servers()
                .find(|o| {
                    o.role() == Role::Leader
                        && o.current_term() > term
                        && sim.is_up(o.id())
                        && !LiveServer {
                            server: o,
                            up: true,
                        }
                        .holds(index, entry)
                })
                .map(|o| (o.id(), o.current_term()))
        };
        if let Err(v) = self.observe_one(&s, &mut lacking, time, Some(seq)) {
            self.first = Some(v);
        }
        self.first.as_ref()
    }

    /// Observes every server of `sim` (after actions that may touch several, or at the start).
    pub fn observe_sim_all(&mut self, sim: &crate::sim::Sim) -> Option<&Violation> {
        let all = live_servers(sim);
        let event = sim.last_event();
        let (time, seq) = (event.time.max(sim.now()), event.seq);
        self.last_step = Some(seq);
        self.observe_all(&all, time, Some(seq))
    }

    /// The simulation jumped to a state this checker did not see arrive (a rewind, a run
    /// not observed step by step): what it remembers may belong to another history, so it
    /// starts again from the present, examining every server. A violation found before
    /// now is kept (the past is the same past).
    pub fn resync(&mut self, sim: &crate::sim::Sim) {
        if self.first.as_ref().is_some_and(|v| v.time <= sim.now()) {
            return;
        }
        *self = Checker::new();
        self.observe_sim_all(sim);
    }
}

/// Attached with `sim.watch(Checker::new())`, the checker is called after every step.
impl crate::sim::Observer for Checker {
    fn observe(&mut self, sim: &crate::sim::Sim) {
        self.observe_sim(sim);
    }

    fn resync(&mut self, sim: &crate::sim::Sim) {
        Checker::resync(self, sim);
    }
}

/// Processes the next simulator event due at or before `limit` (µs); false if there is none.
/// (A thin name for `Sim::step_until`, which the checker loops use.)
pub fn step_until(sim: &mut crate::sim::Sim, limit: crate::sim::Micros) -> bool {
    sim.step_until(limit).is_some()
}

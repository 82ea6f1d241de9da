//! Linearizability of a client history against the key-value model (§8 of the paper: "Raft
//! aims to implement linearizable semantics"), checked with the Wing–Gong–Lowe search as
//! Porcupine does it.
//!
//! A history is linearizable if every operation can be given one instant between its
//! invocation and its return such that, taken in that order, the operations are a legal run of
//! a single key-value store: each GET returns the value of the latest SET (or nothing after a
//! DEL or before any SET). Operations still outstanding when the history ends (`returned_at ==
//! None`) may have taken effect or not (the client never learned which).
//!
//! "Between its invocation and its return" is judged in the order things happened, not by the
//! clock alone: a busy client invokes its next command the microsecond its previous one
//! returns. Call and return instants are ordered by (time, step): the step is the
//! `TraceEvent::seq` the simulator records in `ClientOp::invoked_event` / `returned_event`. At
//! the same time and step (or when the steps are unknown, 0) a call and a return count as
//! concurrent. And one client's operations happen in its `seq` order, whatever their times.
//!
//! Operations on different keys never constrain each other in this model, so the history is
//! split by key and each key is searched alone; that keeps the search small for the histories a
//! teaching cluster produces. The search is bounded: past `budget` steps on one key it gives up
//! with [`Verdict::Unknown`] instead of running for ever.

use crate::raft::types::{ClientId, Command};
use crate::sim::view::{ClientOp, Micros};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

/// Search steps allowed per key before the checker answers [`Verdict::Unknown`].
pub const DEFAULT_BUDGET: u64 = 2_000_000;

/// The outcome of a linearizability check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Some order of the operations, consistent with real time, explains every result.
    Linearizable,
    /// No such order exists for `key`; `explanation` says which result could not be explained.
    NotLinearizable {
        key: String,
        explanation: String,
        /// When the operation that could not be explained was invoked and returned: where to
        /// look in a trace.
        culprit: (Micros, Option<Micros>),
    },
    /// The search ran out of budget on `key` before deciding.
    Unknown { key: String, reason: String },
}

impl Verdict {
    pub fn is_linearizable(&self) -> bool {
        matches!(self, Verdict::Linearizable)
    }
    pub fn is_violation(&self) -> bool {
        matches!(self, Verdict::NotLinearizable { .. })
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Linearizable => f.write_str("linearizable"),
            Verdict::NotLinearizable {
                key, explanation, ..
            } => {
                write!(f, "not linearizable (key \"{key}\"): {explanation}")
            }
            Verdict::Unknown { key, reason } => write!(f, "unknown (key \"{key}\"): {reason}"),
        }
    }
}

/// Checks `history` with the default budget.
pub fn check_history(history: &[ClientOp]) -> Verdict {
    check_history_with_budget(history, DEFAULT_BUDGET)
}

/// Checks `history`, searching at most `budget` steps per key.
///
/// Every key is searched (a later key may fail even when an earlier one ran out of budget); a
/// definite violation wins over an unknown.
pub fn check_history_with_budget(history: &[ClientOp], budget: u64) -> Verdict {
    // The operations of each key, keys in order.
    let mut by_key: BTreeMap<&str, Vec<&ClientOp>> = BTreeMap::new();
    for op in history {
        by_key.entry(key_of(&op.command)).or_default().push(op);
    }
    let mut unknown = None;
    for (key, ops) in by_key {
        match check_key(key, &ops, budget) {
            Verdict::Linearizable => {}
            v @ Verdict::NotLinearizable { .. } => return v,
            v @ Verdict::Unknown { .. } => {
                unknown.get_or_insert(v);
            }
        }
    }
    unknown.unwrap_or(Verdict::Linearizable)
}

fn key_of(command: &Command) -> &str {
    match command {
        Command::Set { key, .. } | Command::Get { key } | Command::Del { key } => key,
    }
}

/// What one operation does to a single key, with values interned (0 = absent).
#[derive(Clone, Copy, Debug)]
enum KeyOp {
    Set(u32),
    Del,
    /// `Some(v)`: the client was told `v`; `None`: the GET never returned (unconstrained).
    Get(Option<u32>),
}

/// The key-value model for one key: the state is the interned value (0 = absent).
fn step(state: u32, op: KeyOp) -> Option<u32> {
    match op {
        KeyOp::Set(v) => Some(v),
        KeyOp::Del => Some(0),
        KeyOp::Get(None) => Some(state),
        KeyOp::Get(Some(seen)) if seen == state => Some(state),
        KeyOp::Get(Some(_)) => None,
    }
}

/// A call or return event in the doubly linked list the search walks (Lowe's "entries").
#[derive(Clone, Copy, Debug)]
struct Entry {
    op: usize,
    is_call: bool,
    /// For a call: index of its return entry.
    matching: usize,
    prev: usize,
    next: usize,
}

const NONE: usize = usize::MAX;

/// A set of linearized operations, hashed together with the model state in the cache.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Self {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn contains(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn clear(&mut self, i: usize) {
        self.0[i / 64] &= !(1 << (i % 64));
    }
}

/// When an operation was invoked, in the order things happened: (time, step).
fn call_instant(op: &ClientOp) -> (Micros, u64) {
    (op.invoked_at, op.invoked_event)
}

/// When an operation returned, in the order things happened; outstanding ones "at infinity".
fn return_instant(op: &ClientOp) -> (Micros, u64) {
    match op.returned_at {
        Some(t) => (t, op.returned_event.unwrap_or(0)),
        None => (Micros::MAX, u64::MAX),
    }
}

/// For each operation, the operation of the same client just before it in `seq` order (which
/// must be linearized first).
fn client_predecessors(ops: &[&ClientOp]) -> Vec<Option<usize>> {
    let mut by_client: Vec<usize> = (0..ops.len()).collect();
    // The index last: equal (client, seq) keep the history's order, as a stable sort would.
    by_client.sort_unstable_by_key(|&i| (ops[i].client, ops[i].seq, i));
    let mut previous = vec![None; ops.len()];
    for pair in by_client.windows(2) {
        if ops[pair[0]].client == ops[pair[1]].client {
            previous[pair[1]] = Some(pair[0]);
        }
    }
    previous
}

fn check_key(key: &str, ops: &[&ClientOp], budget: u64) -> Verdict {
    // Intern values: 0 means "absent".
    let mut values: Vec<Option<String>> = vec![None];
    let intern = |v: &str, values: &mut Vec<Option<String>>| -> u32 {
        match values.iter().position(|x| x.as_deref() == Some(v)) {
            Some(i) => i as u32,
            None => {
                values.push(Some(v.to_string()));
                (values.len() - 1) as u32
            }
        }
    };
    let mut model_ops = Vec::with_capacity(ops.len());
    for op in ops {
        let k = match &op.command {
            Command::Set { value, .. } => KeyOp::Set(intern(value, &mut values)),
            Command::Del { .. } => KeyOp::Del,
            Command::Get { .. } => match (&op.returned_at, &op.result) {
                (Some(_), Some(Some(v))) => KeyOp::Get(Some(intern(v, &mut values))),
                (Some(_), Some(None)) => KeyOp::Get(Some(0)),
                // Never returned, or returned without a recorded value: unconstrained.
                _ => KeyOp::Get(None),
            },
        };
        model_ops.push(k);
    }

    // A GET that saw a value nobody ever wrote can be explained without searching.
    for (i, op) in ops.iter().enumerate() {
        if let KeyOp::Get(Some(v)) = model_ops[i] {
            if v != 0 {
                let written = ops.iter().enumerate().any(|(j, o)| {
                    matches!(model_ops[j], KeyOp::Set(w) if w == v)
                        && call_instant(o) <= return_instant(op)
                });
                if !written {
                    return Verdict::NotLinearizable {
                        key: key.to_string(),
                        culprit: (op.invoked_at, op.returned_at),
                        explanation: format!(
                            "{} returned \"{}\", a value no SET on \"{key}\" had written by then",
                            describe(op),
                            show(&values, v)
                        ),
                    };
                }
            }
        }
    }

    // Build the entry list: calls and returns sorted by (time, step); a call at the same
    // instant as a return comes first (the two operations count as concurrent). Outstanding
    // operations return "at infinity".
    let n = ops.len();
    let mut events: Vec<((Micros, u64), bool, usize)> = Vec::with_capacity(2 * n);
    for (i, op) in ops.iter().enumerate() {
        events.push((call_instant(op), true, i));
        events.push((return_instant(op), false, i));
    }
    let predecessor = client_predecessors(ops);
    // Calls (true) sort before returns (false) at equal times. No two events are equal (each
    // op has one call and one return), so the unstable sort gives the one order, with less code.
    events.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    let head = 2 * n; // sentinel
    let mut entries: Vec<Entry> = Vec::with_capacity(2 * n + 1);
    let mut return_pos = vec![0usize; n];
    for (pos, &(_, is_call, op)) in events.iter().enumerate() {
        entries.push(Entry {
            op,
            is_call,
            matching: NONE,
            prev: if pos == 0 { head } else { pos - 1 },
            next: pos + 1,
        });
        if !is_call {
            return_pos[op] = pos;
        }
    }
    if let Some(last) = entries.last_mut() {
        last.next = NONE;
    }
    entries.push(Entry {
        op: NONE,
        is_call: false,
        matching: NONE,
        prev: NONE,
        next: if n == 0 { NONE } else { 0 },
    });
    for e in entries.iter_mut().take(2 * n) {
        if e.is_call {
            e.matching = return_pos[e.op];
        }
    }

    let completed_total = ops.iter().filter(|o| o.returned_at.is_some()).count();
    let mut completed_left = completed_total;
    let mut linearized = Bits::new(n);
    let mut state: u32 = 0;
    let mut cache: HashSet<(Bits, u32)> = HashSet::new();
    let mut calls: Vec<(usize, u32)> = Vec::new();
    // The deepest partial linearization seen, for the explanation.
    let mut best: Option<(usize, Vec<usize>, u32, usize)> = None;
    let mut steps: u64 = 0;
    let mut entry = entries[head].next;

    while completed_left > 0 {
        steps += 1;
        if steps > budget {
            return Verdict::Unknown {
                key: key.to_string(),
                reason: format!("gave up after {budget} search steps over {n} operations"),
            };
        }
        if entry == NONE {
            // Only reachable if every remaining entry is an outstanding operation.
            break;
        }
        let e = entries[entry];
        // One client's operations take effect in its seq order (it waits for each answer).
        let in_client_order = predecessor[e.op].is_none_or(|p| linearized.contains(p));
        if e.is_call && in_client_order {
            if let Some(new_state) = step(state, model_ops[e.op]) {
                let mut next_set = linearized.clone();
                next_set.set(e.op);
                if cache.insert((next_set.clone(), new_state)) {
                    calls.push((entry, state));
                    state = new_state;
                    linearized = next_set;
                    if ops[e.op].returned_at.is_some() {
                        completed_left -= 1;
                    }
                    lift(&mut entries, entry);
                    entry = entries[head].next;
                    continue;
                }
            }
            entry = e.next;
        } else if e.is_call {
            entry = e.next;
        } else {
            // A return whose operation is not linearized yet: it had to take effect before
            // this point and could not. Remember the deepest such dead end, then backtrack.
            if best.as_ref().is_none_or(|b| calls.len() > b.0) {
                best = Some((
                    calls.len(),
                    calls.iter().map(|&(c, _)| entries[c].op).collect(),
                    state,
                    e.op,
                ));
            }
            let Some((call, old_state)) = calls.pop() else {
                let (_, order, state_then, stuck) = best.unwrap_or((0, Vec::new(), 0, e.op));
                return Verdict::NotLinearizable {
                    key: key.to_string(),
                    culprit: (ops[stuck].invoked_at, ops[stuck].returned_at),
                    explanation: explain(key, ops, &model_ops, &values, &order, state_then, stuck),
                };
            };
            let op = entries[call].op;
            linearized.clear(op);
            if ops[op].returned_at.is_some() {
                completed_left += 1;
            }
            state = old_state;
            unlift(&mut entries, call);
            entry = entries[call].next;
        }
    }
    Verdict::Linearizable
}

/// Removes a call and its return from the list.
fn lift(entries: &mut [Entry], call: usize) {
    let e = entries[call];
    entries[e.prev].next = e.next;
    if e.next != NONE {
        entries[e.next].prev = e.prev;
    }
    let r = entries[e.matching];
    entries[r.prev].next = r.next;
    if r.next != NONE {
        entries[r.next].prev = r.prev;
    }
}

/// Puts a lifted call and its return back (in reverse order of removal).
fn unlift(entries: &mut [Entry], call: usize) {
    let ret = entries[call].matching;
    let r = entries[ret];
    entries[r.prev].next = ret;
    if r.next != NONE {
        entries[r.next].prev = ret;
    }
    let e = entries[call];
    entries[e.prev].next = call;
    if e.next != NONE {
        entries[e.next].prev = call;
    }
}

fn show(values: &[Option<String>], v: u32) -> String {
    values[v as usize]
        .clone()
        .unwrap_or_else(|| "(absent)".into())
}

fn ms(t: Micros) -> String {
    format!("{:.1} ms", t as f64 / 1000.0)
}

/// "GET x by C2 (#5, invoked 120.0 ms, returned 180.0 ms)".
pub fn describe(op: &ClientOp) -> String {
    let ClientId(c) = op.client;
    let returned = match op.returned_at {
        Some(t) => format!("returned {}", ms(t)),
        None => "never returned".into(),
    };
    format!(
        "{} by C{c} (#{}, invoked {}, {returned})",
        op.command,
        op.seq,
        ms(op.invoked_at)
    )
}

fn explain(
    key: &str,
    ops: &[&ClientOp],
    model_ops: &[KeyOp],
    values: &[Option<String>],
    order: &[usize],
    state: u32,
    stuck: usize,
) -> String {
    let before = if order.is_empty() {
        "before any other operation on the key".to_string()
    } else {
        let shown: Vec<String> = order
            .iter()
            .rev()
            .take(3)
            .rev()
            .map(|&i| ops[i].command.to_string())
            .collect();
        format!(
            "after the longest consistent order found ({} operation{}, ending {})",
            order.len(),
            if order.len() == 1 { "" } else { "s" },
            shown.join(", ")
        )
    };
    match model_ops[stuck] {
        KeyOp::Get(Some(seen)) => format!(
            "{} returned \"{}\", but {before} \"{key}\" holds \"{}\": the read is stale or from the future",
            describe(ops[stuck]),
            show(values, seen),
            show(values, state)
        ),
        _ => format!(
            "{} cannot be placed between its invocation and return {before}; no order of the {} operations explains every result",
            describe(ops[stuck]),
            ops.len()
        ),
    }
}

/// Counts operations per key (for reports).
pub fn keys_in(history: &[ClientOp]) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for op in history {
        *m.entry(key_of(&op.command).to_string()).or_insert(0) += 1;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(
        client: u32,
        seq: u64,
        cmd: &str,
        inv: u64,
        ret: Option<u64>,
        result: Option<&str>,
    ) -> ClientOp {
        let command: Command = cmd.parse().unwrap();
        let result = match (&command, ret) {
            (Command::Get { .. }, Some(_)) => Some(result.map(str::to_string)),
            _ => None,
        };
        ClientOp {
            client: ClientId(client),
            seq,
            command,
            invoked_at: inv,
            returned_at: ret,
            result,
            invoked_event: 0,
            returned_event: None,
            index: None,
            server: None,
        }
    }

    /// `op` with the steps (`TraceEvent::seq`) that invoked and returned it.
    fn op_at_events(op: ClientOp, invoked: u64, returned: Option<u64>) -> ClientOp {
        ClientOp {
            invoked_event: invoked,
            returned_event: returned,
            ..op
        }
    }

    #[test]
    fn one_clients_stale_read_is_caught_when_its_call_starts_as_the_previous_returns() {
        // Issue 11, defect 2: one client, each command invoked the microsecond the previous
        // one returned. Its operations are ordered by seq whatever their times.
        let h = vec![
            op(1, 1, "SET x 1", 0, Some(10), None),
            op(1, 2, "SET x 2", 20, Some(30), None),
            op(1, 3, "GET x", 30, Some(40), Some("1")),
        ];
        assert!(check_history(&h).is_violation(), "{}", check_history(&h));
    }

    #[test]
    fn event_order_decides_between_clients_at_the_same_microsecond() {
        // C1's SET x 2 returns (step 7) before C2's GET is invoked (step 8), both at 30 µs:
        // the GET must see 2.
        let h = vec![
            op_at_events(op(1, 1, "SET x 1", 0, Some(10), None), 1, Some(3)),
            op_at_events(op(1, 2, "SET x 2", 20, Some(30), None), 5, Some(7)),
            op_at_events(op(2, 1, "GET x", 30, Some(40), Some("1")), 8, Some(9)),
        ];
        assert!(check_history(&h).is_violation(), "{}", check_history(&h));
        // Invoked first (step 6, same microsecond): concurrent with SET x 2, 1 is fine.
        let mut concurrent = h.clone();
        concurrent[2] = op_at_events(op(2, 1, "GET x", 30, Some(40), Some("1")), 6, Some(9));
        assert!(check_history(&concurrent).is_linearizable());
    }

    #[test]
    fn empty_history_is_linearizable() {
        assert_eq!(check_history(&[]), Verdict::Linearizable);
    }

    #[test]
    fn sequential_set_then_get_is_linearizable() {
        let h = vec![
            op(1, 1, "SET x 1", 0, Some(10), None),
            op(1, 2, "GET x", 20, Some(30), Some("1")),
        ];
        assert_eq!(check_history(&h), Verdict::Linearizable);
    }

    #[test]
    fn get_before_any_set_sees_absent() {
        let h = vec![
            op(1, 1, "GET x", 0, Some(10), None),
            op(2, 1, "SET x 1", 20, Some(30), None),
        ];
        assert!(check_history(&h).is_linearizable());
        let bad = vec![
            op(2, 1, "SET x 1", 0, Some(10), None),
            op(1, 1, "GET x", 20, Some(30), None),
        ];
        assert!(check_history(&bad).is_violation());
    }

    #[test]
    fn stale_read_after_completed_write_is_not_linearizable() {
        // SET x 1 completes, then SET x 2 completes, then a GET returns the old value 1.
        let h = vec![
            op(1, 1, "SET x 1", 0, Some(10), None),
            op(1, 2, "SET x 2", 20, Some(30), None),
            op(2, 1, "GET x", 40, Some(50), Some("1")),
        ];
        let v = check_history(&h);
        let Verdict::NotLinearizable {
            key, explanation, ..
        } = &v
        else {
            panic!("expected violation, got {v}")
        };
        assert_eq!(key, "x");
        assert!(explanation.contains("GET x by C2"), "{explanation}");
        assert!(explanation.contains("returned \"1\""), "{explanation}");
        assert!(explanation.contains("holds \"2\""), "{explanation}");
    }

    #[test]
    fn concurrent_read_may_see_old_or_new_value() {
        // GET overlaps SET x 2: both 1 and 2 are fine.
        for seen in ["1", "2"] {
            let h = vec![
                op(1, 1, "SET x 1", 0, Some(10), None),
                op(1, 2, "SET x 2", 20, Some(40), None),
                op(2, 1, "GET x", 30, Some(50), Some(seen)),
            ];
            assert!(check_history(&h).is_linearizable(), "seen {seen}");
        }
    }

    #[test]
    fn reads_cannot_go_back_in_time() {
        // Two sequential reads concurrent with one write: new then old is impossible.
        let h = vec![
            op(1, 1, "SET x 1", 0, Some(10), None),
            op(1, 2, "SET x 2", 20, Some(100), None),
            op(2, 1, "GET x", 30, Some(40), Some("2")),
            op(2, 2, "GET x", 50, Some(60), Some("1")),
        ];
        assert!(check_history(&h).is_violation());
    }

    #[test]
    fn value_never_written_is_reported_as_such() {
        let h = vec![
            op(1, 1, "SET x 1", 0, Some(10), None),
            op(2, 1, "GET x", 20, Some(30), Some("7")),
        ];
        let Verdict::NotLinearizable { explanation, .. } = check_history(&h) else {
            panic!()
        };
        assert!(explanation.contains("no SET"), "{explanation}");
    }

    #[test]
    fn outstanding_write_may_or_may_not_take_effect() {
        let pending = op(1, 1, "SET x 9", 0, None, None);
        let saw_it = vec![pending.clone(), op(2, 1, "GET x", 50, Some(60), Some("9"))];
        let missed_it = vec![pending.clone(), op(2, 1, "GET x", 50, Some(60), None)];
        assert!(check_history(&saw_it).is_linearizable());
        assert!(check_history(&missed_it).is_linearizable());
        // But once seen, a later read cannot un-see it.
        let flip = vec![
            pending,
            op(2, 1, "GET x", 50, Some(60), Some("9")),
            op(2, 2, "GET x", 70, Some(80), None),
        ];
        assert!(check_history(&flip).is_violation());
    }

    #[test]
    fn delete_makes_key_absent() {
        let h = vec![
            op(1, 1, "SET x 1", 0, Some(10), None),
            op(1, 2, "DEL x", 20, Some(30), None),
            op(2, 1, "GET x", 40, Some(50), None),
        ];
        assert!(check_history(&h).is_linearizable());
        let h2 = vec![
            op(1, 1, "SET x 1", 0, Some(10), None),
            op(1, 2, "DEL x", 20, Some(30), None),
            op(2, 1, "GET x", 40, Some(50), Some("1")),
        ];
        assert!(check_history(&h2).is_violation());
    }

    #[test]
    fn keys_are_independent() {
        let h = vec![
            op(1, 1, "SET x 1", 0, Some(10), None),
            op(2, 1, "SET y 2", 0, Some(10), None),
            op(3, 1, "GET y", 20, Some(30), Some("2")),
            op(3, 2, "GET x", 40, Some(50), Some("1")),
        ];
        assert!(check_history(&h).is_linearizable());
    }

    #[test]
    fn many_concurrent_clients_finish_quickly() {
        // 8 clients each doing 40 rounds of SET/GET on one key with overlapping intervals,
        // read values consistent with a sequential execution in invocation order.
        let mut h = Vec::new();
        let mut t = 0;
        let mut last = None;
        for round in 0..40u64 {
            for c in 0..8u32 {
                let inv = t;
                let ret = t + 25;
                if (round + c as u64) % 2 == 0 {
                    let v = format!("{round}_{c}");
                    h.push(op(c, round, &format!("SET k {v}"), inv, Some(ret), None));
                    last = Some(v);
                } else {
                    h.push(op(c, round, "GET k", inv, Some(ret), last.as_deref()));
                }
                t += 10;
            }
        }
        assert!(check_history(&h).is_linearizable());
    }

    #[test]
    fn tiny_budget_answers_unknown_instead_of_hanging() {
        let mut h = Vec::new();
        for c in 0..12u32 {
            h.push(op(c, 1, &format!("SET k {c}"), 0, Some(1000), None));
        }
        h.push(op(99, 1, "GET k", 2000, Some(2100), Some("nope")));
        h.push(op(98, 1, "SET k nope", 0, Some(1000), None));
        h.push(op(97, 1, "GET k", 2200, Some(2300), Some("3")));
        let v = check_history_with_budget(&h, 50);
        assert!(matches!(v, Verdict::Unknown { .. }), "{v}");
        assert!(check_history(&h).is_violation());
    }
}

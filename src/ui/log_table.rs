//! The logs: one row per server, entries by index coloured by term, commit and apply marks,
//! the leader's nextIndex / matchIndex per follower, and entries that were just overwritten.

use super::intent::Intent;
use crate::raft::types::{Command, EntryPayload, LogEntry, LogIndex, Role, ServerId, Term};
use crate::sim::{ClusterView, ServerStatus};
use std::rc::Rc;
use yew::prelude::*;

/// An entry that a server just lost (overwritten by a leader, §5.3), shown struck out for a
/// few seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Ghost {
    pub server: ServerId,
    pub index: LogIndex,
    pub term: Term,
    pub text: String,
    /// Wall-clock time (ms, performance.now) when it was noticed.
    pub seen_at: f64,
}

/// Short text for an entry: "x=5", "GET x", "DEL x", "no-op".
pub fn entry_text(e: &LogEntry) -> String {
    match &e.payload {
        EntryPayload::Noop => "no-op".into(),
        EntryPayload::Client { command, .. } => match command {
            Command::Set { key, value } => format!("{key}={value}"),
            Command::Get { key } => format!("GET {key}"),
            Command::Del { key } => format!("DEL {key}"),
        },
    }
}

/// Long text for an entry's tooltip / accessible name.
pub fn entry_long(e: &LogEntry) -> String {
    match &e.payload {
        EntryPayload::Noop => "no-op".into(),
        EntryPayload::Client {
            client,
            seq,
            command,
        } => format!("{command} ({client} #{seq})"),
    }
}

/// Lost entries between two views of the same world: entries whose term changed at an index,
/// or that were cut off the end of a log.
pub fn find_overwritten(old: &ClusterView, new: &ClusterView, seen_at: f64) -> Vec<Ghost> {
    let mut out = Vec::new();
    for ns in &new.servers {
        let Some(os) = old.server(ns.id) else {
            continue;
        };
        // The same shared log (the simulator reuses an unchanged one): nothing lost.
        if os.log_start != ns.log_start || std::sync::Arc::ptr_eq(&os.log, &ns.log) {
            continue;
        }
        for (i, oe) in os.log.iter().enumerate() {
            let gone = match ns.log.get(i) {
                Some(ne) => ne.term != oe.term,
                None => true,
            };
            if gone {
                out.push(Ghost {
                    server: ns.id,
                    index: LogIndex(os.log_start.0 + i as u64),
                    term: oe.term,
                    text: entry_text(oe),
                    seen_at,
                });
            }
        }
    }
    out
}

#[derive(Properties, Clone)]
pub struct LogTableProps {
    pub view: Rc<ClusterView>,
    pub ghosts: Rc<Vec<Ghost>>,
    /// How many index columns to show (the newest ones).
    pub columns: usize,
    pub selected_server: Option<ServerId>,
    pub on_intent: Callback<Intent>,
}

impl PartialEq for LogTableProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.view, &other.view)
            && Rc::ptr_eq(&self.ghosts, &other.ghosts)
            && self.columns == other.columns
            && self.selected_server == other.selected_server
    }
}

#[component]
pub fn LogTable(props: &LogTableProps) -> Html {
    let view = &props.view;
    let last = view
        .servers
        .iter()
        .map(|s| s.last_log_index().0)
        .max()
        .unwrap_or(0);
    // The leader whose progress we mark: the up leader with the highest term.
    let leader = view
        .servers
        .iter()
        .filter(|s| s.status == ServerStatus::Up && s.role == Role::Leader)
        .max_by_key(|s| s.current_term);
    let max_next = leader
        .map(|l| l.progress.iter().map(|p| p.next_index.0).max().unwrap_or(0))
        .unwrap_or(0);
    let end = last.max(max_next.min(last + 1)).max(1);
    let cols = props.columns.max(4) as u64;
    let start = if end > cols { end - cols + 1 } else { 1 };
    let hidden = start - 1;

    let header = (start..=end)
        .map(|i| html! { <div key={i} class="lcell lhead" role="columnheader">{ i }</div> })
        .collect::<Html>();

    let rows = view.servers.iter().enumerate().map(|(row, s)| {
        let progress = leader.and_then(|l| {
            if l.id == s.id {
                None
            } else {
                l.progress.iter().find(|p| p.follower == s.id)
            }
        });
        let cells = (start..=end).map(|i| {
            let idx = LogIndex(i);
            let is_next = progress.is_some_and(|p| p.next_index == idx);
            let is_match = progress.is_some_and(|p| p.match_index == idx && i > 0);
            html! {
                <LogCell key={i} view={view.clone()} row={row} index={i} is_next={is_next} is_match={is_match} />
            }
        }).collect::<Html>();
        let ghosts = props.ghosts.iter().filter(|g| g.server == s.id).map(|g| html! {
            <span class="ghost" title="overwritten: this entry was removed because it conflicted with the leader's log (§5.3)">
                { format!("#{} t{} {}", g.index, g.term, g.text) }
            </span>
        }).collect::<Html>();
        let id = s.id;
        let on_click = props.on_intent.reform(move |_: MouseEvent| Intent::SelectServer(Some(id)));
        let role_glyph = match (s.status, s.role) {
            (ServerStatus::Crashed, _) => "✕",
            (_, Role::Leader) => "★",
            (_, Role::Candidate) => "?",
            (_, Role::Follower) => "·",
        };
        let summary = format!("commit {} · applied {}", s.commit_index, s.last_applied);
        let has_ghosts = props.ghosts.iter().any(|g| g.server == s.id);
        html! {
            <div key={id.0 as u64} class={classes!("lrow", (props.selected_server == Some(id)).then_some("selected"),
                              (s.status == ServerStatus::Crashed).then_some("down"), has_ghosts.then_some("has-ghosts"))}
                 role="row" aria-label={format!("Log of S{}", id.0)}>
                <button class="lname" onclick={on_click} aria-label={format!("Select S{} (log)", id.0)}>
                    <span class={classes!("glyph", format!("g-{}", if s.status == ServerStatus::Crashed { "crashed".to_string() } else { s.role.to_string() }))}>{ role_glyph }</span>
                    { format!("S{}", id.0) }
                </button>
                { cells }
                <div class="lsum">{ summary }</div>
                if has_ghosts {
                    <div class="lghosts" aria-label={format!("Entries overwritten on S{}", id.0)}>{ "overwritten: " }{ ghosts }</div>
                }
            </div>
        }
    });

    html! {
        <section class="panel logs" aria-labelledby="logs-h">
            <h2 id="logs-h">{ "Logs" }
                if hidden > 0 { <span class="hint scrolled-off"><span class="fixed">{ format!("(entries 1–{hidden} scrolled off)") }</span></span> }
            </h2>
            <div class="ltable" role="table" aria-label="Server logs"
                 style={format!("--cols: {}", end - start + 1)}>
                <div class="lrow lheadrow" role="row">
                    <div class="lname lhead">{ "index" }</div>
                    { header }
                    <div class="lsum"></div>
                </div>
                { for rows }
            </div>
            <p class="legend">
                <span class="lg committed">{ "committed" }</span>
                <span class="lg uncommitted">{ "not committed" }</span>
                <span class="lg applied">{ "● applied" }</span>
                <span class="lg">{ "▌commit index" }</span>
                <span class="lg"><span class="mark mark-next">{ "n" }</span>{ " nextIndex" }</span>
                <span class="lg"><span class="mark mark-match">{ "m" }</span>{ " matchIndex (leader's view)" }</span>
                <span class="lg">{ "colour = term" }</span>
            </p>
        </section>
    }
}

#[derive(Properties, Clone)]
struct LogCellProps {
    view: Rc<ClusterView>,
    /// Position of the server in `view.servers`.
    row: usize,
    index: u64,
    is_next: bool,
    is_match: bool,
}

impl LogCellProps {
    /// What the cell draws: the entry, and whether it is committed, applied, the commit edge.
    fn drawn(&self) -> Option<(Option<&LogEntry>, bool, bool, bool)> {
        let s = self.view.servers.get(self.row)?;
        let idx = LogIndex(self.index);
        Some((
            s.entry(idx),
            idx <= s.commit_index,
            idx <= s.last_applied,
            idx == s.commit_index,
        ))
    }
}

impl PartialEq for LogCellProps {
    /// Cheap: no allocation; a cell re-renders only when what it draws changed.
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
            && self.is_next == other.is_next
            && self.is_match == other.is_match
            && self.row == other.row
            && (Rc::ptr_eq(&self.view, &other.view) || self.drawn() == other.drawn())
    }
}

/// One cell of the log table (memoized: most cells do not change from one frame to the next).
#[component]
fn LogCell(props: &LogCellProps) -> Html {
    let i = props.index;
    let marks = html! {
        <>
            if props.is_next { <span class="mark mark-next" title="leader's nextIndex for this server">{ "n" }</span> }
            if props.is_match { <span class="mark mark-match" title="leader's matchIndex for this server">{ "m" }</span> }
        </>
    };
    match props.drawn() {
        Some((Some(e), committed, applied, edge)) => {
            let title = format!(
                "index {i}, term {}: {}{}",
                e.term,
                entry_long(e),
                if applied {
                    ", committed and applied"
                } else if committed {
                    ", committed"
                } else {
                    ", not committed"
                }
            );
            html! {
                <div class={classes!("lcell", "entry", format!("t{}", e.term.0 % 8),
                             if committed { "committed" } else { "uncommitted" },
                             applied.then_some("applied"), edge.then_some("commit-edge"))}
                     role="cell" aria-label={title}>
                    <span class="eterm">{ e.term.0 }</span>
                    <span class="ecmd">{ entry_text(e) }</span>
                    { marks }
                </div>
            }
        }
        drawn => {
            let edge = drawn.is_some_and(|d| d.3) && i > 0;
            html! {
                <div class={classes!("lcell", "empty", edge.then_some("commit-edge"))} role="cell">{ marks }</div>
            }
        }
    }
}

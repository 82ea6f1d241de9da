//! The logs: one row per server, entries by index coloured by term, commit and apply marks,
//! the leader's nextIndex / matchIndex per follower, and entries that were just overwritten.

use super::intent::Intent;
use crate::raft::types::{Command, EntryPayload, LogEntry, LogIndex, Role, ServerId, Term};
use crate::sim::{ClusterView, ServerStatus};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
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
        // §6: "C_old,new" is too long for a cell; the accessible name says which.
        EntryPayload::Config { config } if config.is_joint() => "joint".into(),
        EntryPayload::Config { .. } => "conf".into(),
        EntryPayload::Client { command, .. } => match command {
            Command::Set { key, value } => format!("{key}={value}"),
            Command::Get { key } => format!("GET {key}"),
            Command::Del { key } => format!("DEL {key}"),
        },
    }
}

/// The most characters a log cell shows: what fits in the narrowest cell (style.css
/// `--cell-min`), so a cell needs no clip (an overflow clip per cell made every frame's
/// paint bookkeeping dearer). The accessible name carries the whole command.
pub const CELL_CHARS: usize = 5;

/// `entry_text` cut to `CELL_CHARS` characters, ending in "…" when cut.
pub fn cell_text(e: &LogEntry) -> String {
    let text = entry_text(e);
    if text.chars().count() <= CELL_CHARS {
        return text;
    }
    let mut short: String = text.chars().take(CELL_CHARS - 1).collect();
    short.push('…');
    short
}

/// Long text for an entry's tooltip / accessible name.
pub fn entry_long(e: &LogEntry) -> String {
    match &e.payload {
        EntryPayload::Noop => "no-op".into(),
        EntryPayload::Config { config } if config.is_joint() => {
            format!("joint configuration C_old,new {config} (§6)")
        }
        EntryPayload::Config { config } => format!("configuration {config} (§6)"),
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
    /// A tour step's spotlighted entries (server, index): the other cells dim. None: none.
    #[prop_or_default]
    pub lit: Option<Rc<Vec<(ServerId, u64)>>>,
    pub on_intent: Callback<Intent>,
}

impl PartialEq for LogTableProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.view, &other.view)
            && Rc::ptr_eq(&self.ghosts, &other.ghosts)
            && self.columns == other.columns
            && self.selected_server == other.selected_server
            && self.lit == other.lit
    }
}

/// Which indexes the table shows: the newest `columns` up to the end of the longest log (or
/// the leader's furthest nextIndex just past it).
#[derive(Clone, Copy, PartialEq)]
pub struct Columns {
    pub start: u64,
    pub end: u64,
}

impl Columns {
    pub fn of(view: &ClusterView, columns: usize) -> Columns {
        let last = view
            .servers
            .iter()
            .map(|s| s.last_log_index().0)
            .max()
            .unwrap_or(0);
        let max_next = view
            .leader()
            .map(|l| l.progress.iter().map(|p| p.next_index.0).max().unwrap_or(0))
            .unwrap_or(0);
        let end = last.max(max_next.min(last + 1)).max(1);
        let cols = columns.max(4) as u64;
        let start = if end > cols { end - cols + 1 } else { 1 };
        Columns { start, end }
    }
}

/// How many index columns fit in `table`'s width, from the widths its rows are laid out
/// with (style.css sets `--name-w`, `--sum-w` and `--cell-min` in rem on the table, and a
/// row is its name, its cells and its summary, 3 px apart).
fn columns_that_fit(table: &web_sys::Element) -> Option<usize> {
    let window = gloo::utils::window();
    let root = gloo::utils::document().document_element()?;
    let rem = window
        .get_computed_style(&root)
        .ok()??
        .get_property_value("font-size")
        .ok()?;
    let rem = super::widgets::number(rem.trim().trim_end_matches("px"))?;
    let style = window.get_computed_style(table).ok()??;
    let width = |name: &str| -> Option<f64> {
        let value = style.get_property_value(name).ok()?;
        Some(super::widgets::number(value.trim().trim_end_matches("rem"))? * rem)
    };
    let gap = 3.0;
    let room = f64::from(table.client_width()) - width("--name-w")? - width("--sum-w")? - gap;
    Some((room / (width("--cell-min")? + gap)).max(0.0) as usize)
}

/// The panel: a header row of indexes, then a row per server (`LogRow`, re-rendered only
/// when what it shows changed). It re-renders when its props change (a new view of the logs,
/// new ghosts, another selection) or its width fits another number of columns.
#[component]
pub fn LogTable(props: &LogTableProps) -> Html {
    let t0 = super::bench::now();
    let table_ref = use_node_ref();
    // The newest entries are the ones that matter (what is being replicated, where the commit
    // index is): the table shows as many columns as fit its width, at most `columns`.
    let fit = use_state_eq(|| usize::MAX);
    {
        let (table_ref, fit) = (table_ref.clone(), fit.clone());
        super::widgets::use_once(Box::new(move || {
            let table = table_ref.clone();
            let measure = Closure::<dyn FnMut()>::new(move || {
                if let Some(n) = table
                    .cast::<web_sys::Element>()
                    .and_then(|t| columns_that_fit(&t))
                {
                    fit.set(n);
                }
            });
            let observer = web_sys::ResizeObserver::new(measure.as_ref().unchecked_ref()).ok();
            if let (Some(observer), Some(table)) = (&observer, table_ref.cast::<web_sys::Element>())
            {
                observer.observe(&table);
            }
            Box::new(move || {
                if let Some(observer) = observer {
                    observer.disconnect();
                }
                drop(measure);
            })
        }));
    }
    let view = &props.view;
    let columns = Columns::of(view, props.columns.min(*fit));
    let hidden = columns.start - 1;
    let leader = view.leader();
    let rows = view.servers.iter().map(|s| {
        let progress = leader
            .filter(|l| l.id != s.id)
            .and_then(|l| l.progress.iter().find(|p| p.follower == s.id));
        let ghosts: Vec<(LogIndex, u64, String)> = props
            .ghosts
            .iter()
            .filter(|g| g.server == s.id)
            .map(|g| (g.index, g.term.0, g.text.clone()))
            .collect();
        let row = RowProps {
            id: s.id,
            glyph: match (s.status, s.role) {
                (ServerStatus::Crashed, _) => ("g-crashed", "✕"),
                (_, Role::Leader) => ("g-leader", "★"),
                (_, Role::Candidate) => ("g-candidate", "?"),
                (_, Role::Follower) => ("g-follower", "·"),
            },
            down: s.status == ServerStatus::Crashed,
            selected: props.selected_server == Some(s.id),
            log: SharedLog(s.log.clone()),
            log_start: s.log_start,
            start: columns.start,
            end: columns.end,
            snapshot: (s.log_start.0 - 1, s.last_included_term.0),
            commit: s.commit_index,
            applied: s.last_applied,
            next: progress.map(|p| p.next_index),
            matched: progress.map(|p| p.match_index),
            ghosts,
            lit: props.lit.as_ref().map(|lit| {
                lit.iter()
                    .filter(|(server, _)| *server == s.id)
                    .map(|(_, index)| *index)
                    .collect()
            }),
            on_intent: props.on_intent.clone(),
        };
        html! { <LogRow key={u64::from(s.id.0)} ..row /> }
    });
    let html = html! {
        <section class="panel logs" aria-labelledby="logs-h">
            <h2 id="logs-h">{ "Logs" }
                if hidden > 0 { <span class="hint scrolled-off"><span class="fixed">{ if hidden == 1 { "(entry 1 scrolled off)".to_string() } else { format!("(entries 1–{hidden} scrolled off)") } }</span></span> }
            </h2>
            <div class="ltable" role="table" aria-label="Logs of the servers" ref={table_ref}
                 style={format!("--cols: {}", columns.end - columns.start + 1)}>
                <div class="lrow lheadrow" role="row">
                    <div class="lname lhead">{ "index" }</div>
                    { for (columns.start..=columns.end).map(|i| html! {
                        <div class="lcell lhead" role="columnheader">{ i }</div>
                    }) }
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
                <span class="lg"><span class="lg-snapcell">{ "snap" }</span>{ " compacted into a snapshot (§7)" }</span>
                <span class="lg">{ "before a name: " }<span class="glyph g-leader">{ "★" }</span>{ " leader " }
                    <span class="glyph g-candidate">{ "?" }</span>{ " candidate " }<span class="glyph">{ "·" }</span>{ " follower " }
                    <span class="glyph g-crashed">{ "✕" }</span>{ " crashed" }</span>
            </p>
        </section>
    };
    super::bench::add("log_rows", super::bench::now() - t0);
    html
}

/// A server's log as the view shares it. Equal when it is the same log: the simulator
/// shares an unchanged log between views (see `find_overwritten`), so a row compares its
/// log in one step instead of entry by entry.
#[derive(Clone)]
struct SharedLog(std::sync::Arc<Vec<LogEntry>>);

impl PartialEq for SharedLog {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

/// What one server's row shows.
#[derive(Properties, Clone, PartialEq)]
struct RowProps {
    id: ServerId,
    /// Role glyph class ("g-leader") and glyph.
    glyph: (&'static str, &'static str),
    down: bool,
    selected: bool,
    /// The server's log (from `log_start`), shared with the view, not copied: the row shows
    /// its entries at indexes `start..=end`.
    log: SharedLog,
    log_start: LogIndex,
    start: u64,
    end: u64,
    /// §7: lastIncludedIndex and lastIncludedTerm of this server's snapshot ((0, 0): none).
    /// The entries up to it are compacted away: their cells show the snapshot instead.
    snapshot: (u64, u64),
    commit: LogIndex,
    applied: LogIndex,
    /// The leader's nextIndex and matchIndex for this server.
    next: Option<LogIndex>,
    matched: Option<LogIndex>,
    /// Entries just overwritten: index, term, text.
    ghosts: Vec<(LogIndex, u64, String)>,
    /// The indexes a tour step spotlights in this row (the other cells dim); None: no
    /// spotlight on entries.
    lit: Option<Vec<u64>>,
    on_intent: Callback<Intent>,
}

/// The class that colours an entry by its term (style.css has eight), named without a
/// `format!` per cell.
const TERM_CLASSES: [&str; 8] = ["t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"];

/// One server's log: its name button (in the row header), a cell per shown index (entries
/// `.entry.tN.committed|.uncommitted[.applied][.commit-edge]` named "index i, term t: …",
/// holding the term and the command as two lines of one text, and the `.mark-next` /
/// `.mark-match` marks), its commit and apply indexes, and entries just overwritten.
///
/// The cells (and the header's) are matched by column, not keyed by index: when entries
/// arrive the window of indexes slides, and a busy cluster slides it by a whole window
/// between two showings of the logs; rewriting the cells already there costs the browser
/// far less than removing and making every cell of every row (the mirror's and the event
/// log's choice too).
#[component]
fn LogRow(props: &RowProps) -> Html {
    let id = props.id;
    let select = super::widgets::on_click(&props.on_intent, Intent::SelectServer(Some(id)));
    let cells = (props.start..=props.end).map(|i| {
        let index = LogIndex(i);
        let entry = i
            .checked_sub(props.log_start.0)
            .and_then(|at| props.log.0.get(at as usize));
        let (committed, applied) = (index <= props.commit, index <= props.applied);
        let edge = index == props.commit && i > 0;
        let dim = props.lit.as_ref().is_some_and(|lit| !lit.contains(&i));
        let marks = html! { <>
            if props.next == Some(index) {
                <span class="mark mark-next" title="leader's nextIndex for this server">{ "n" }</span>
            }
            if props.matched == Some(index) {
                <span class="mark mark-match" title="leader's matchIndex for this server">{ "m" }</span>
            }
        </> };
        match entry {
            Some(e) => {
                let status = if applied {
                    ", committed and applied"
                } else if committed {
                    ", committed"
                } else {
                    ", not committed"
                };
                let class = classes!(
                    "lcell",
                    "entry",
                    TERM_CLASSES[(e.term.0 % 8) as usize],
                    if committed { "committed" } else { "uncommitted" },
                    applied.then_some("applied"),
                    edge.then_some("commit-edge"),
                    dim.then_some("dim"),
                );
                let name = format!("index {i}, term {}: {}{status}", e.term, entry_long(e));
                html! {
                    <div class={class} role="cell" aria-label={name}>
                        { format!("{}\n{}", e.term.0, cell_text(e)) }{ marks }
                    </div>
                }
            }
            None if i <= props.snapshot.0 => {
                let (last, term) = props.snapshot;
                // The last cell the snapshot covers carries lastIncludedIndex/Term.
                let (text, name) = if i == last {
                    (format!("{term}\nsnap"), format!("index {i}: in the snapshot, lastIncludedIndex {last}, lastIncludedTerm {term}"))
                } else {
                    ("⋯".to_string(), format!("index {i}: compacted into the snapshot"))
                };
                html! {
                    <div class={classes!("lcell", "snap", edge.then_some("commit-edge"))} role="cell"
                         aria-label={name} title="compacted: this entry is in the server's snapshot (§7)">
                        { text }{ marks }
                    </div>
                }
            }
            None => html! {
                <div class={classes!("lcell", "empty", edge.then_some("commit-edge"))} role="cell">
                    { " " }{ marks }
                </div>
            },
        }
    });
    let (glyph_class, glyph) = props.glyph;
    html! {
        <div class={classes!("lrow", props.selected.then_some("selected"), props.down.then_some("down"),
                             (!props.ghosts.is_empty()).then_some("has-ghosts"))}
             role="row" aria-label={format!("Log of S{}", id.0)}>
            // A row holds cells only (ARIA): the name button sits in the row's header cell.
            <div class="lhdr" role="rowheader">
                <button class="lname" aria-label={format!("Select S{} (log)", id.0)} onclick={select}>
                    <span class={classes!("glyph", glyph_class)}>{ glyph }</span>{ format!("S{}", id.0) }
                </button>
            </div>
            { for cells }
            <div class="lsum" role="cell">
                <span>{ format!("commit {} · applied {}", props.commit, props.applied) }</span>
                if props.snapshot.0 > 0 { <span>{ format!("snapshot ≤{} t{}", props.snapshot.0, props.snapshot.1) }</span> }
            </div>
            if !props.ghosts.is_empty() {
                <div class="lghosts" role="cell" aria-label={format!("Entries overwritten on S{}", id.0)}>
                    { "overwritten: " }
                    { for props.ghosts.iter().map(|(index, term, text)| html! {
                        <span class="ghost" title="overwritten: this entry was removed because it conflicted with the leader's log (§5.3)">
                            { format!("#{index} t{term} {text}") }
                        </span>
                    }) }
                </div>
            }
        </div>
    }
}

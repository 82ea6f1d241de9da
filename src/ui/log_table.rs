//! The logs: one row per server, entries by index coloured by term, commit and apply marks,
//! the leader's nextIndex / matchIndex per follower, and entries that were just overwritten.

use super::intent::Intent;
use super::log_rows::LogRows;
use crate::raft::types::{Command, EntryPayload, LogEntry, LogIndex, ServerId, Term};
use crate::sim::ClusterView;
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
    let rem = super::json::parse_number(rem.trim().trim_end_matches("px"))?;
    let style = window.get_computed_style(table).ok()??;
    let width = |name: &str| -> Option<f64> {
        let value = style.get_property_value(name).ok()?;
        Some(super::json::parse_number(value.trim().trim_end_matches("rem"))? * rem)
    };
    let gap = 3.0;
    let room = f64::from(table.client_width()) - width("--name-w")? - width("--sum-w")? - gap;
    Some((room / (width("--cell-min")? + gap)).max(0.0) as usize)
}

/// The panel. Its rows are drawn by `LogRows` (see log_rows for why), into the table element
/// Yew renders empty, after every render: the panel re-renders when its props change (a new
/// view of the logs, new ghosts, another selection) or its width fits another number of
/// columns.
#[component]
pub fn LogTable(props: &LogTableProps) -> Html {
    let table_ref = use_node_ref();
    let rows = use_mut_ref(LogRows::default);
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
    let props = &LogTableProps {
        columns: props.columns.min(*fit),
        ..props.clone()
    };
    {
        let (table_ref, rows, props) = (table_ref.clone(), rows.clone(), props.clone());
        super::widgets::use_after_render(Box::new(move || {
            if let Some(table) = table_ref.cast::<web_sys::Element>() {
                let t0 = super::bench::now();
                rows.borrow_mut().sync(&table, &props);
                super::bench::add("log_rows", super::bench::now() - t0);
            }
        }));
    }
    let columns = Columns::of(&props.view, props.columns);
    let hidden = columns.start - 1;
    // One listener for every server's name button in the table.
    let on_click = {
        let on_intent = props.on_intent.clone();
        Callback::from(move |e: MouseEvent| {
            let server = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest("[data-log-server]").ok().flatten())
                .and_then(|el| el.get_attribute("data-log-server"))
                .and_then(|id| id.parse().ok());
            if let Some(id) = server {
                on_intent.emit(Intent::SelectServer(Some(ServerId(id))));
            }
        })
    };
    html! {
        <section class="panel logs" aria-labelledby="logs-h">
            <h2 id="logs-h">{ "Logs" }
                if hidden > 0 { <span class="hint scrolled-off"><span class="fixed">{ if hidden == 1 { "(entry 1 scrolled off)".to_string() } else { format!("(entries 1–{hidden} scrolled off)") } }</span></span> }
            </h2>
            <div class="ltable" role="table" aria-label="Logs of the servers" ref={table_ref} onclick={on_click}
                 style={format!("--cols: {}", columns.end - columns.start + 1)} />
            // Static markup as HTML text: far less wasm than `html!`'s element constructors.
            { Html::from_html_unchecked(AttrValue::Static(concat!(
                r#"<p class="legend"><span class="lg committed">committed</span>"#,
                r#"<span class="lg uncommitted">not committed</span>"#,
                r#"<span class="lg applied">● applied</span><span class="lg">▌commit index</span>"#,
                r#"<span class="lg"><span class="mark mark-next">n</span> nextIndex</span>"#,
                r#"<span class="lg"><span class="mark mark-match">m</span> matchIndex (leader's view)</span>"#,
                r#"<span class="lg">colour = term</span>"#,
                r#"<span class="lg">before a name: <span class="glyph g-leader">★</span> leader "#,
                r#"<span class="glyph g-candidate">?</span> candidate <span class="glyph">·</span> follower "#,
                r#"<span class="glyph g-crashed">✕</span> crashed</span></p>"#,
            ))) }
        </section>
    }
}

//! The rows of the log table, drawn straight into the table element rather than through
//! Yew's virtual DOM.
//!
//! Why: while a cluster is busy, every update of the table (a quarter of the frames) moves
//! the window of shown indexes on by an entry or two in every row, advances commit and apply
//! marks and moves the leader's nextIndex / matchIndex marks. Through the virtual DOM each
//! update compared and re-rendered ~100 cell components and cost more than laying the table
//! out. Here an update compares each cell with what it shows (no strings made) and touches
//! only what changed: cells that scrolled off are removed, new ones cloned from a prototype,
//! a changed cell gets its class, name, text or marks rewritten. Everything shown is read
//! from the view.
//!
//! The DOM (read by the end-to-end and browser tests, as before):
//! `<div class="lrow lheadrow" role="row">` index header cells `</div>`, then per server
//! `<div class="lrow [selected] [down] [has-ghosts]" role="row" aria-label="Log of S1">`,
//! its name button (`data-log-server`), one `div.lcell` per index (`role="cell"`; entries
//! `.entry.tN.committed|.uncommitted[.applied][.commit-edge]` named "index i, term t: …",
//! holding the term and the command as two lines of one text and the `.mark-next` /
//! `.mark-match` marks), `div.lsum`, and
//! `div.lghosts` while entries that were just overwritten are shown.

use super::log_table::{cell_text, entry_long, Columns, Ghost, LogTableProps};
use crate::raft::types::{LogEntry, LogIndex, Role, ServerId};
use crate::sim::{ServerStatus, ServerView};
use std::collections::VecDeque;
use std::fmt::Write;
use wasm_bindgen::JsCast;
use web_sys::Element;

/// What one cell of a server's row shows.
#[derive(Clone, Default, PartialEq)]
struct CellLook {
    entry: Option<LogEntry>,
    committed: bool,
    applied: bool,
    /// The commit index is here.
    edge: bool,
    /// The leader's nextIndex / matchIndex for this server is here.
    next: bool,
    matched: bool,
}

struct Cell {
    index: u64,
    element: Element,
    /// The text "term\ncommand" (server cells; None in the header): one text node rather
    /// than two elements, the cheapest for the browser to make and lay out (style.css shows
    /// its first line, the term, small).
    text: Option<web_sys::Node>,
    /// The nextIndex and matchIndex marks shown in it.
    marks: [Option<Element>; 2],
    look: CellLook,
}

/// What a server's row shows apart from its cells.
#[derive(PartialEq)]
struct RowLook {
    selected: bool,
    down: bool,
    /// Role glyph class ("g-leader") and glyph.
    glyph: (&'static str, &'static str),
    commit: LogIndex,
    applied: LogIndex,
    ghosts: Vec<(LogIndex, u64, String)>,
}

struct Row {
    element: Element,
    /// Cells are inserted before it.
    summary: Element,
    ghosts: Option<Element>,
    /// Cells by ascending index (the window of `Columns`).
    cells: VecDeque<Cell>,
    /// None for the header row.
    server: Option<ServerId>,
    look: Option<RowLook>,
}

/// Elements cloned for new cells and marks (cheaper for the browser than parsing markup).
struct Prototypes {
    header_cell: Element,
    cell: Element,
    next: Element,
    matched: Element,
}

#[derive(Default)]
pub struct LogRows {
    /// The header row, then one row per server (in the view's order).
    rows: Vec<Row>,
    prototypes: Option<Prototypes>,
    /// Scratch for markup, reused.
    buffer: String,
}

fn clone(e: &Element) -> Option<Element> {
    e.clone_node_with_deep(true).ok()?.dyn_into().ok()
}

impl LogRows {
    /// Makes `table`'s rows show `props`.
    pub fn sync(&mut self, table: &Element, props: &LogTableProps) {
        let view = &props.view;
        let servers: Vec<ServerId> = view.servers.iter().map(|s| s.id).collect();
        let drawn: Vec<ServerId> = self.rows.iter().filter_map(|r| r.server).collect();
        if self.rows.is_empty() || drawn != servers {
            table.set_inner_html("");
            self.rows.clear();
            for server in std::iter::once(None).chain(servers.iter().copied().map(Some)) {
                match self.new_row(table, server) {
                    Some(row) => self.rows.push(row),
                    None => return,
                }
            }
        }
        if self.prototypes.is_none() {
            self.prototypes = self.make_prototypes();
        }
        let Some(prototypes) = self.prototypes.take() else {
            return;
        };
        let columns = Columns::of(view, props.columns);
        let leader = view.leader();
        let mut rows = std::mem::take(&mut self.rows);
        for row in &mut rows {
            let server = row.server.and_then(|id| view.server(id));
            if let Some(s) = server {
                self.sync_row_look(row, s, props);
            }
            let progress = server.and_then(|s| {
                leader
                    .filter(|l| l.id != s.id)
                    .and_then(|l| l.progress.iter().find(|p| p.follower == s.id))
            });
            sync_cells(row, columns, &prototypes);
            let Some(s) = server else {
                continue;
            };
            for cell in row.cells.iter_mut() {
                let idx = LogIndex(cell.index);
                let entry = s.entry(idx);
                let flags = (
                    idx <= s.commit_index,
                    idx <= s.last_applied,
                    idx == s.commit_index,
                    progress.is_some_and(|p| p.next_index == idx),
                    progress.is_some_and(|p| p.match_index == idx && cell.index > 0),
                );
                let old = &cell.look;
                if old.entry.as_ref() == entry
                    && (old.committed, old.applied, old.edge, old.next, old.matched) == flags
                {
                    continue;
                }
                let (committed, applied, edge, next, matched) = flags;
                let look = CellLook {
                    entry: entry.cloned(),
                    committed,
                    applied,
                    edge,
                    next,
                    matched,
                };
                draw_cell(cell, look, &prototypes);
            }
        }
        self.rows = rows;
        self.prototypes = Some(prototypes);
    }

    fn make_prototypes(&mut self) -> Option<Prototypes> {
        let holder = gloo::utils::document().create_element("div").ok()?;
        holder.set_inner_html(concat!(
            r#"<div class="lcell lhead" role="columnheader"></div>"#,
            r#"<div class="lcell empty" role="cell"> </div>"#,
            r#"<span class="mark mark-next" title="leader's nextIndex for this server">n</span>"#,
            r#"<span class="mark mark-match" title="leader's matchIndex for this server">m</span>"#,
        ));
        let header_cell = holder.first_element_child()?;
        let cell = header_cell.next_element_sibling()?;
        let next = cell.next_element_sibling()?;
        let matched = next.next_element_sibling()?;
        Some(Prototypes {
            header_cell,
            cell,
            next,
            matched,
        })
    }

    /// A new row with no cells at the end of `table` (the header row for `server` None).
    fn new_row(&mut self, table: &Element, server: Option<ServerId>) -> Option<Row> {
        let b = &mut self.buffer;
        b.clear();
        match server {
            None => b.push_str(
                r#"<div class="lrow lheadrow" role="row"><div class="lname lhead">index</div><div class="lsum"></div></div>"#,
            ),
            Some(id) => {
                let _ = write!(
                    b,
                    r#"<div class="lrow" role="row" aria-label="Log of S{0}"><button class="lname" aria-label="Select S{0} (log)" data-log-server="{0}"></button><div class="lsum"></div></div>"#,
                    id.0
                );
            }
        }
        let _ = table.insert_adjacent_html("beforeend", b);
        let element = table.last_element_child()?;
        let summary = element.last_element_child()?;
        Some(Row {
            element,
            summary,
            ghosts: None,
            cells: VecDeque::new(),
            server,
            look: None,
        })
    }

    /// The row's class, name button, summary and overwritten entries.
    fn sync_row_look(&mut self, row: &mut Row, s: &ServerView, props: &LogTableProps) {
        let glyph = match (s.status, s.role) {
            (ServerStatus::Crashed, _) => ("g-crashed", "✕"),
            (_, Role::Leader) => ("g-leader", "★"),
            (_, Role::Candidate) => ("g-candidate", "?"),
            (_, Role::Follower) => ("g-follower", "·"),
        };
        let ghosts: Vec<(LogIndex, u64, String)> = props
            .ghosts
            .iter()
            .filter(|g: &&Ghost| g.server == s.id)
            .map(|g| (g.index, g.term.0, g.text.clone()))
            .collect();
        let look = RowLook {
            selected: props.selected_server == Some(s.id),
            down: s.status == ServerStatus::Crashed,
            glyph,
            commit: s.commit_index,
            applied: s.last_applied,
            ghosts,
        };
        let before = row.look.take();
        let changed = |f: &dyn Fn(&RowLook) -> bool| before.as_ref().is_none_or(f);
        let element = &row.element;
        let classes = |l: &RowLook| (l.selected, l.down, l.ghosts.is_empty());
        if changed(&|b| classes(b) != classes(&look)) {
            let mut class = String::from("lrow");
            for (on, name) in [
                (look.selected, " selected"),
                (look.down, " down"),
                (!look.ghosts.is_empty(), " has-ghosts"),
            ] {
                if on {
                    class.push_str(name);
                }
            }
            let _ = element.set_attribute("class", &class);
        }
        if changed(&|b| b.glyph != look.glyph) {
            if let Some(button) = element.first_element_child() {
                let (class, glyph) = look.glyph;
                button.set_inner_html(&format!(
                    r#"<span class="glyph {class}">{glyph}</span>S{}"#,
                    s.id.0
                ));
            }
        }
        if changed(&|b| (b.commit, b.applied) != (look.commit, look.applied)) {
            row.summary.set_text_content(Some(&format!(
                "commit {} · applied {}",
                look.commit, look.applied
            )));
        }
        if changed(&|b| b.ghosts != look.ghosts) {
            if let Some(old) = row.ghosts.take() {
                old.remove();
            }
            if !look.ghosts.is_empty() {
                let b = &mut self.buffer;
                b.clear();
                let _ = write!(
                    b,
                    r#"<div class="lghosts" aria-label="Entries overwritten on S{}">overwritten: "#,
                    s.id.0
                );
                for (index, term, text) in &look.ghosts {
                    let _ = write!(
                        b,
                        r#"<span class="ghost" title="overwritten: this entry was removed because it conflicted with the leader's log (§5.3)">#{index} t{term} {}</span>"#,
                        escape(text)
                    );
                }
                b.push_str("</div>");
                let _ = element.insert_adjacent_html("beforeend", b);
                row.ghosts = element.last_element_child();
            }
        }
        row.look = Some(look);
    }
}

/// Gives the row one cell per index of `columns`: removes the cells of indexes that scrolled
/// off (or were cut off the end), adds blank ones for new indexes (drawn by `draw_cell`; a
/// header cell shows its index).
fn sync_cells(row: &mut Row, columns: Columns, prototypes: &Prototypes) {
    let cells = &mut row.cells;
    while cells.front().is_some_and(|c| c.index < columns.start) {
        if let Some(gone) = cells.pop_front() {
            gone.element.remove();
        }
    }
    while cells.back().is_some_and(|c| c.index > columns.end) {
        if let Some(gone) = cells.pop_back() {
            gone.element.remove();
        }
    }
    let header = row.server.is_none();
    let first = cells.front().map_or(columns.end + 1, |c| c.index);
    for index in (columns.start..first.min(columns.end + 1)).rev() {
        let before = cells.front().map_or(&row.summary, |c| &c.element).clone();
        if let Some(cell) = new_cell(&row.element, &before, index, header, prototypes) {
            cells.push_front(cell);
        }
    }
    let last = cells.back().map_or(columns.start, |c| c.index + 1);
    for index in last.max(columns.start)..=columns.end {
        if let Some(cell) = new_cell(&row.element, &row.summary, index, header, prototypes) {
            cells.push_back(cell);
        }
    }
}

fn new_cell(
    row: &Element,
    before: &Element,
    index: u64,
    header: bool,
    prototypes: &Prototypes,
) -> Option<Cell> {
    let prototype = if header {
        &prototypes.header_cell
    } else {
        &prototypes.cell
    };
    let element = clone(prototype)?;
    let text = if header {
        element.set_text_content(Some(&index.to_string()));
        None
    } else {
        element.first_child()
    };
    row.insert_before(&element, Some(before)).ok()?;
    Some(Cell {
        index,
        element,
        text,
        marks: [None, None],
        look: CellLook::default(),
    })
}

/// Rewrites what changed in a server's cell.
fn draw_cell(cell: &mut Cell, look: CellLook, prototypes: &Prototypes) {
    let element = &cell.element;
    let i = cell.index;
    let before = std::mem::replace(&mut cell.look, look);
    let look = &cell.look;
    // Only what changed is written: most updates move a mark or the commit edge.
    let drawn = |l: &CellLook| (l.entry.as_ref().map(|e| e.term), l.committed, l.applied);
    let class_changed = drawn(&before) != drawn(look) || before.edge != look.edge;
    let name_changed = before.entry != look.entry || drawn(&before) != drawn(look);
    let mut class = String::from("lcell");
    match &look.entry {
        Some(e) => {
            let _ = write!(
                class,
                " entry t{} {}",
                e.term.0 % 8,
                if look.committed {
                    "committed"
                } else {
                    "uncommitted"
                }
            );
            if look.applied {
                class.push_str(" applied");
            }
        }
        None => class.push_str(" empty"),
    }
    if look.edge && i > 0 {
        class.push_str(" commit-edge");
    }
    if class_changed {
        let _ = element.set_attribute("class", &class);
    }
    let _ = match &look.entry {
        _ if !name_changed => Ok(()),
        Some(e) => {
            let status = if look.applied {
                ", committed and applied"
            } else if look.committed {
                ", committed"
            } else {
                ", not committed"
            };
            let name = format!("index {i}, term {}: {}{status}", e.term, entry_long(e));
            element.set_attribute("aria-label", &name)
        }
        None => element.remove_attribute("aria-label"),
    };
    if before.entry != look.entry {
        if let Some(text) = &cell.text {
            let content = match &look.entry {
                Some(e) => format!("{}\n{}", e.term.0, cell_text(e)),
                None => " ".to_string(),
            };
            text.set_node_value(Some(&content));
        }
    }
    for (slot, (is, prototype)) in [
        (look.next, &prototypes.next),
        (look.matched, &prototypes.matched),
    ]
    .into_iter()
    .enumerate()
    {
        match (&cell.marks[slot], is) {
            (None, true) => {
                cell.marks[slot] = clone(prototype);
                if let Some(mark) = &cell.marks[slot] {
                    let _ = element.append_child(mark);
                }
            }
            (Some(mark), false) => {
                mark.remove();
                cell.marks[slot] = None;
            }
            _ => {}
        }
    }
}

/// Text for markup (entries hold what users typed).
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

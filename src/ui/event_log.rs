//! The narrated trace, newest first, each line with its paper section; click a line to jump
//! the timeline there. Only the newest matching lines are rendered.

use super::geometry::time_label;
use super::intent::{EventFilter, EventKind, EventRow, Intent};
use super::widgets::{event_value, server_options};
use crate::raft::types::ServerId;
use std::collections::VecDeque;
use std::rc::Rc;
use yew::prelude::*;

/// Most lines rendered at once.
pub const MAX_ROWS: usize = 30;

#[derive(Properties, Clone)]
pub struct EventLogProps {
    pub rows: Rc<VecDeque<Rc<EventRow>>>,
    pub filter: EventFilter,
    pub servers: u8,
    pub on_intent: Callback<Intent>,
}

impl PartialEq for EventLogProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.rows, &other.rows)
            && self.filter == other.filter
            && self.servers == other.servers
    }
}

#[component]
pub fn EventLog(props: &EventLogProps) -> Html {
    let filter = props.filter.clone();
    let keep = |r: &EventRow| {
        (!filter.hide_routine || !r.routine)
            && filter.kind.is_none_or(|k| k == r.kind)
            && filter
                .server
                .is_none_or(|s| r.server == Some(s) || r.peer == Some(s))
    };
    // `rows` is oldest first; show newest first. Lines are matched by position, not by event:
    // a busy cluster replaces most of the list at every update, and rewriting the text of
    // the line elements already there costs the browser less than making new ones.
    let lines = props
        .rows
        .iter()
        .rev()
        .filter(|r| keep(r))
        .take(MAX_ROWS)
        .map(|r| html! { <EventLine row={r.clone()} on_intent={props.on_intent.clone()} /> })
        .collect::<Html>();
    let f1 = filter.clone();
    let on_server = props.on_intent.reform(move |e: Event| {
        let mut f = f1.clone();
        f.server = event_value(&e).parse::<u8>().ok().map(ServerId);
        Intent::SetEventFilter(f)
    });
    let f2 = filter.clone();
    let on_kind = props.on_intent.reform(move |e: Event| {
        let mut f = f2.clone();
        f.kind = event_value(&e)
            .parse::<usize>()
            .ok()
            .and_then(|i| EventKind::ALL.get(i).copied());
        Intent::SetEventFilter(f)
    });
    let f3 = filter.clone();
    let on_routine = props.on_intent.reform(move |_: Event| {
        let mut f = f3.clone();
        f.hide_routine = !f.hide_routine;
        Intent::SetEventFilter(f)
    });
    html! {
        <section class="panel events" aria-labelledby="events-h">
            <h2 id="events-h">{ "What happened" }</h2>
            <div class="evfilter">
                <select aria-label="Filter events by server" onchange={on_server}>
                    <option value="" selected={filter.server.is_none()}>{ "all servers" }</option>
                    { server_options(props.servers, filter.server) }
                </select>
                <select aria-label="Filter events by kind" onchange={on_kind}>
                    <option value="" selected={filter.kind.is_none()}>{ "all kinds" }</option>
                    { for EventKind::ALL.iter().enumerate().map(|(i, k)| html! { <option value={i.to_string()} selected={filter.kind == Some(*k)}>{ k.label() }</option> }) }
                </select>
                <label><input type="checkbox" checked={filter.hide_routine} onchange={on_routine} />{ " hide heartbeats" }</label>
            </div>
            <ol class="evlist" aria-label="Event log, newest first">{ lines }</ol>
        </section>
    }
}

#[derive(Properties, Clone)]
struct EventLineProps {
    row: Rc<EventRow>,
    on_intent: Callback<Intent>,
}

impl PartialEq for EventLineProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.row, &other.row) || *self.row == *other.row
    }
}

/// One line of the event log (memoized: a line never changes once narrated).
#[component]
fn EventLine(props: &EventLineProps) -> Html {
    let r = &props.row;
    let t = r.time;
    let on_click = super::widgets::on_click(&props.on_intent, Intent::Seek(t));
    html! {
        <li class={classes!(r.kind.class(), r.routine.then_some("routine"))}>
            <button class="evline" onclick={on_click} title="Jump the timeline to this moment">
                <span class="evtime">{ time_label(r.time) }</span>
                <span class="evsec">{ r.section }</span>
                <span class="evtext">{ r.text.clone() }</span>
            </button>
        </li>
    }
}

//! Clients: type a command, send it; outstanding requests, redirects, retries, replies, and
//! the linearizability verdict of the history so far.

use super::geometry::time_label;
use super::intent::{Intent, LinVerdict};
use super::widgets::{count, event_value, server_options};
use crate::raft::types::{Command, ServerId};
use crate::sim::ClusterView;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, Clone, PartialEq)]
pub struct CommandFormProps {
    pub on_intent: Callback<Intent>,
    /// Send to this server only (the server details panel); None shows a target picker.
    #[prop_or_default]
    pub fixed_target: Option<ServerId>,
    /// Number of servers, for the target picker.
    #[prop_or(5)]
    pub servers: u8,
}

/// The longest command the box sends. Keys and values are shown whole in the stores and the
/// client history: a page-long one would only break their layout, and teaches nothing.
pub const MAX_COMMAND_CHARS: usize = 60;

/// `text` as a command, or what is wrong with it in words.
fn command_error(text: &str) -> Result<Command, String> {
    let chars = text.chars().count();
    if chars > MAX_COMMAND_CHARS {
        return Err(format!(
            "too long: a command is at most {MAX_COMMAND_CHARS} characters (this one has {chars})"
        ));
    }
    text.parse::<Command>().map_err(|e| e.0)
}

/// The command box: parses with `Command::from_str`, whose errors are shown inline; a
/// malformed or overlong command sends nothing (too long is said as soon as it is typed).
#[component]
pub fn CommandForm(props: &CommandFormProps) -> Html {
    let text = use_state(|| "SET x 5".to_string());
    let error = use_state(|| None::<String>);
    let target = use_state(|| None::<ServerId>);
    let input_id = match props.fixed_target {
        Some(s) => format!("cmd-{}", s.0),
        None => "cmd-main".to_string(),
    };
    let error_id = format!("{input_id}-error");
    let on_input = {
        let text = text.clone();
        let error = error.clone();
        Callback::from(move |e: InputEvent| {
            let typed = event_value(&e);
            let too_long = typed.chars().count() > MAX_COMMAND_CHARS;
            error.set(if too_long {
                command_error(&typed).err()
            } else {
                None
            });
            text.set(typed);
        })
    };
    let on_target = {
        let target = target.clone();
        Callback::from(move |e: Event| target.set(event_value(&e).parse::<u8>().ok().map(ServerId)))
    };
    let on_submit = {
        let text = text.clone();
        let error = error.clone();
        let target = target.clone();
        let fixed = props.fixed_target;
        let cb = props.on_intent.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match command_error(&text) {
                Ok(command) => {
                    error.set(None);
                    cb.emit(Intent::Client {
                        command,
                        target: fixed.or(*target),
                    });
                }
                Err(err) => error.set(Some(err)),
            }
        })
    };
    let (label, button) = match props.fixed_target {
        Some(s) => (format!("Command for {s}"), format!("Send to {s}")),
        None => ("Command".to_string(), "Send".to_string()),
    };
    html! {
        <form class="cmdform" onsubmit={on_submit} aria-label={format!("{label} form")}>
            <label for={input_id.clone()}>{ label.clone() }</label>
            <input id={input_id} type="text" value={(*text).clone()} oninput={on_input} autocomplete="off"
                   spellcheck="false" placeholder="SET x 5" aria-invalid={error.is_some().to_string()}
                   aria-describedby={error_id.clone()} />
            if props.fixed_target.is_none() {
                <select aria-label="Send to" onchange={on_target}>
                    <option value="" selected={target.is_none()}>{ "the leader (client finds it)" }</option>
                    { server_options(props.servers, *target) }
                </select>
            }
            <button type="submit">{ button }</button>
            <p id={error_id} class="error" role="alert" aria-live="polite">{ (*error).clone().unwrap_or_default() }</p>
        </form>
    }
}

#[derive(Properties, Clone)]
pub struct ClientPanelProps {
    pub view: Rc<ClusterView>,
    pub verdict: Rc<LinVerdict>,
    pub on_intent: Callback<Intent>,
}

impl PartialEq for ClientPanelProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.verdict, &other.verdict)
            && (Rc::ptr_eq(&self.view, &other.view)
                || (self.view.clients == other.view.clients
                    && self.view.servers.len() == other.view.servers.len()
                    && shown_history(&self.view) == shown_history(&other.view)))
    }
}

/// The operations the panel lists: the newest few (and whether there are any).
fn shown_history(view: &ClusterView) -> (usize, &[crate::sim::ClientOp]) {
    let h = &view.history;
    (h.len(), &h[h.len().saturating_sub(SHOWN_OPS)..])
}

/// History lines shown (newest first).
const SHOWN_OPS: usize = 10;

#[component]
pub fn ClientPanel(props: &ClientPanelProps) -> Html {
    let view = &props.view;
    let outstanding = view
        .clients
        .iter()
        .filter_map(|c| {
            let (seq, cmd, to) = c.outstanding.as_ref()?;
            Some(html! {
                <li key={c.id.0 as u64}>
                    { format!("{} #{seq} {cmd} → {to}", c.id) }
                    if c.redirects > 0 { <span class="badge">{ count(c.redirects as usize, "redirect", "redirects") }</span> }
                    if c.retries > 0 { <span class="badge warn">{ count(c.retries as usize, "retry", "retries") }</span> }
                </li>
            })
        })
        .take(8)
        .collect::<Html>();
    let history = view
        .history
        .iter()
        .rev()
        .take(SHOWN_OPS)
        .map(|op| {
            let result = match (&op.returned_at, &op.result) {
                (None, _) => "waiting…".to_string(),
                (Some(_), Some(Some(v))) => format!("→ {v}"),
                (Some(_), Some(None)) if matches!(op.command, Command::Get { .. }) => "→ (absent)".into(),
                (Some(_), _) => "→ ok".into(),
            };
            let when = match op.returned_at {
                Some(r) => format!("{} – {}", time_label(op.invoked_at), time_label(r)),
                None => format!("{} –", time_label(op.invoked_at)),
            };
            html! {
                <li key={format!("{}-{}", op.client.0, op.seq)} class={classes!(op.returned_at.is_none().then_some("pending"))}>
                    <span class="op">{ format!("{} #{} {}", op.client, op.seq, op.command) }</span>
                    <span class="res">{ result }</span>
                    <span class="when">{ when }</span>
                </li>
            }
        })
        .collect::<Html>();
    let (verdict_class, verdict) = match &*props.verdict {
        LinVerdict::Ok { ops } => (
            "ok",
            format!(
                "✓ Linearizable ({})",
                count(*ops, "operation", "operations")
            ),
        ),
        LinVerdict::Violated(why, _) => ("bad", format!("✗ Not linearizable: {why}")),
        LinVerdict::Unknown(why) => ("unknown", format!("? Undecided: {why}")),
    };
    html! {
        <section class="panel clients" aria-labelledby="clients-h">
            <h2 id="clients-h">{ "Clients" }</h2>
            <CommandForm on_intent={props.on_intent.clone()} servers={view.servers.len() as u8} />
            // What changes while clients run, in a box of its own: a panel holding a <select>
            // is no relayout boundary in Chromium, so without the box every update of these
            // lists would re-lay out the whole page.
            <div class="client-live"><div class="fixed">
                <h3>{ "Outstanding" }</h3>
                if view.clients.iter().all(|c| c.outstanding.is_none()) {
                    <p class="hint">{ "No request waiting." }</p>
                } else {
                    <ul class="outstanding">{ outstanding }</ul>
                }
                <h3>{ "History" }</h3>
                if view.history.is_empty() {
                    <p class="hint">{ "No command yet. Try SET x 5." }</p>
                } else {
                    <ul class="history" aria-label="Client history">{ history }</ul>
                }
                <p class={classes!("verdict", verdict_class)} aria-label="Linearizability verdict">{ verdict }</p>
            </div></div>
        </section>
    }
}

//! The five safety properties of Figure 3 and linearizability: green while they hold, red with
//! the violating event explained. The "break Raft" knobs live here, clearly marked.

use super::geometry::time_label;
use super::intent::{Intent, LinVerdict, SafetyRow};
use super::widgets::on_click;
use crate::raft::Knobs;
use crate::sim::Micros;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, Clone, PartialEq)]
pub struct SafetyProps {
    pub rows: Rc<Vec<SafetyRow>>,
    pub verdict: Rc<LinVerdict>,
    /// Knob names that are on.
    pub knobs: Vec<&'static str>,
    pub on_intent: Callback<Intent>,
}

/// One line of the list: the property, whether it holds, and the explanation (with a button
/// to the moment it broke, if there is one).
fn property_line(
    name: &'static str,
    section: &'static str,
    holds: bool,
    why: Option<String>,
    broken_at: Option<Micros>,
    on_intent: &Callback<Intent>,
) -> Html {
    html! {
        <li class={if holds { "ok" } else { "bad" }} aria-label={format!("{name}: {}", if holds { "holds" } else { "violated" })}>
            <span class="sicon">{ if holds { "✓" } else { "✗" } }</span>
            <span class="sname">{ name }</span>
            <span class="ssec">{ section }</span>
            if let Some(why) = why {
                <p class="swhy">{ why }
                    if let Some(t) = broken_at {
                        <button onclick={on_click(on_intent, Intent::Seek(t))}>{ format!("jump to {}", time_label(t)) }</button>
                    }
                </p>
            }
        </li>
    }
}

#[component]
pub fn SafetyPanel(props: &SafetyProps) -> Html {
    let rows = props.rows.iter().map(|r| {
        property_line(
            r.name,
            r.section,
            r.violation.is_none(),
            r.violation.clone(),
            r.at,
            &props.on_intent,
        )
    });
    let (lin_ok, lin_text, lin_at) = match &*props.verdict {
        LinVerdict::Ok { ops } => (true, format!("{ops} client operations"), None),
        LinVerdict::Violated(why, at) => (false, why.clone(), Some(*at)),
        LinVerdict::Unknown(why) => (true, format!("undecided: {why}"), None),
    };
    let knobs = Knobs::ALL.iter().map(|knob| {
        let (n, label) = (knob.name, knob.label);
        let on = props.knobs.contains(&n);
        let cb = props.on_intent.reform(move |_: Event| Intent::SetKnob(n, !on));
        let on_intent = props.on_intent.clone();
        let show_me = Callback::from(move |_: MouseEvent| {
            super::open_tour(format!("show_{n}"), on_intent.clone())
        });
        html! {
            <div class="knob-row">
                <label class="knob"><input type="checkbox" checked={on} onchange={cb} />{ format!(" {label}") }</label>
                <button class="show-me" onclick={show_me} aria-label={format!("Show me: {label}")}
                        title="Open a short run in which this switch breaks a safety property">{ "Show me" }</button>
            </div>
        }
    });
    let broken = !props.knobs.is_empty();
    html! {
        <section class={classes!("panel", "safety", broken.then_some("broken"))} aria-labelledby="safety-h">
            <h2 id="safety-h">{ "Safety" }</h2>
            <ul class="props">
                { for rows }
                { property_line("Linearizability", "§8", lin_ok, Some(lin_text), lin_at, &props.on_intent) }
            </ul>
            <details class="experiments" open={broken}>
                <summary>{ "⚠ Experiments: break Raft" }</summary>
                <p class="hint">{ "Each switch makes the servers deliberately wrong in one known way and restarts the run. Show me opens a run where it goes wrong at once. Watch the checker catch it." }</p>
                { for knobs }
            </details>
            if broken {
                <p class="warnbanner" role="status">{ "⚠ Raft is deliberately broken in this run." }</p>
            }
        </section>
    }
}

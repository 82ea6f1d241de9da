//! The five safety properties of Figure 3 and linearizability: green while they hold, red with
//! the violating event explained. The "break Raft" knobs live here, clearly marked.

use super::geometry::time_label;
use super::intent::{Intent, LinVerdict, SafetyRow, KNOBS};
use super::widgets::on_click;
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

#[component]
pub fn SafetyPanel(props: &SafetyProps) -> Html {
    let rows = props.rows.iter().map(|r| {
        let ok = r.violation.is_none();
        let jump = r.at.map(|t| on_click(&props.on_intent, Intent::Seek(t)));
        html! {
            <li class={if ok { "ok" } else { "bad" }} aria-label={format!("{}: {}", r.name, if ok { "holds" } else { "violated" })}>
                <span class="sicon">{ if ok { "✓" } else { "✗" } }</span>
                <span class="sname">{ r.name }</span>
                <span class="ssec">{ r.section }</span>
                if let Some(why) = &r.violation {
                    <p class="swhy">{ why.clone() }
                        if let (Some(cb), Some(t)) = (jump, r.at) {
                            <button onclick={cb}>{ format!("jump to {}", time_label(t)) }</button>
                        }
                    </p>
                }
            </li>
        }
    });
    let (lin_ok, lin_text, lin_at) = match &*props.verdict {
        LinVerdict::Ok { ops } => (true, format!("{ops} client operations"), None),
        LinVerdict::Violated(why, at) => (false, why.clone(), Some(*at)),
        LinVerdict::Unknown(why) => (true, format!("undecided: {why}"), None),
    };
    let lin_jump = lin_at.map(|t| (t, on_click(&props.on_intent, Intent::Seek(t))));
    let knobs = KNOBS.iter().map(|(name, label)| {
        let on = props.knobs.contains(name);
        let n: &'static str = name;
        let cb = props.on_intent.reform(move |_: Event| Intent::SetKnob(n, !on));
        html! {
            <label class="knob"><input type="checkbox" checked={on} onchange={cb} />{ format!(" {label}") }</label>
        }
    });
    let broken = !props.knobs.is_empty();
    html! {
        <section class={classes!("panel", "safety", broken.then_some("broken"))} aria-labelledby="safety-h">
            <h2 id="safety-h">{ "Safety" }</h2>
            <ul class="props">
                { for rows }
                <li class={if lin_ok { "ok" } else { "bad" }} aria-label={format!("Linearizability: {}", if lin_ok { "holds" } else { "violated" })}>
                    <span class="sicon">{ if lin_ok { "✓" } else { "✗" } }</span>
                    <span class="sname">{ "Linearizability" }</span>
                    <span class="ssec">{ "§8" }</span>
                    <p class="swhy">{ lin_text }
                        if let Some((t, cb)) = lin_jump {
                            <button onclick={cb}>{ format!("jump to {}", time_label(t)) }</button>
                        }
                    </p>
                </li>
            </ul>
            <details class="experiments" open={broken}>
                <summary>{ "⚠ Experiments: break Raft" }</summary>
                <p class="hint">{ "Each switch makes the servers deliberately wrong in one known way and restarts the run. Watch the checker catch it." }</p>
                { for knobs }
            </details>
            if broken {
                <p class="warnbanner" role="status">{ "⚠ Raft is deliberately broken in this run." }</p>
            }
        </section>
    }
}

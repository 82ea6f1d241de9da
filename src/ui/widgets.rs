//! Small pieces the panels share. Each is one function rather than a closure or `html!` block
//! written again in every panel: besides reading the same everywhere, that compiles to one
//! copy in the wasm instead of one per use.

use super::intent::Intent;
use crate::raft::types::ServerId;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Runs `effect` after every render of the calling component. Every caller passes the same
/// boxed closure type, so Yew's effect machinery is compiled once for all of them (each
/// distinct closure type would add about 5 KB to the wasm).
#[hook]
pub fn use_after_render(effect: Box<dyn FnOnce()>) {
    use_effect(effect);
}

/// Runs `setup` once, after the first render; what it returns runs when the component goes.
/// One boxed type for every caller, for the same reason as `use_after_render`.
#[hook]
pub fn use_once(setup: Box<dyn FnOnce() -> Box<dyn FnOnce()>>) {
    use_effect_with((), move |_| setup());
}

/// A click handler that sends `intent`.
pub fn on_click(on_intent: &Callback<Intent>, intent: Intent) -> Callback<MouseEvent> {
    on_intent.reform(move |_: MouseEvent| intent.clone())
}

/// The value of the input or select element an event came from ("" for anything else).
pub fn event_value(e: &Event) -> String {
    let Some(target) = e.target() else {
        return String::new();
    };
    match target.dyn_into::<web_sys::HtmlInputElement>() {
        Ok(input) => input.value(),
        Err(target) => target
            .dyn_into::<web_sys::HtmlSelectElement>()
            .map(|select| select.value())
            .unwrap_or_default(),
    }
}

/// `<option>`s S1 … Sn (values "1" … "n"), with `selected` selected.
pub fn server_options(n: u8, selected: Option<ServerId>) -> Html {
    (1..=n)
        .map(|i| {
            html! {
                <option value={i.to_string()} selected={selected == Some(ServerId(i))}>{ format!("S{i}") }</option>
            }
        })
        .collect()
}

/// "1 operation", "3 operations": a count and its noun, singular or plural.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One name / value pair of a description list (`<dt>` and `<dd>`).
pub fn field(name: &'static str, value: String) -> Html {
    html! { <><dt>{ name }</dt><dd>{ value }</dd></> }
}

#[derive(Properties, Clone, PartialEq)]
pub struct ApplySelectProps {
    /// The accessible name.
    pub label: AttrValue,
    /// Each option's value and text.
    pub options: Vec<(AttrValue, AttrValue)>,
    /// The value in force.
    pub selected: AttrValue,
    /// Called with the value chosen, when the choice is committed.
    pub on_apply: Callback<String>,
}

/// A select whose choice takes effect when it is committed: picked with the pointer, or with
/// the keys and then Enter (or leaving the select). Chromium changes a closed select at every
/// arrow key; here arrowing only previews, so a choice that restarts the cluster does not
/// restart it at every step on the way.
#[component]
pub fn ApplySelect(props: &ApplySelectProps) -> Html {
    let by_keys = use_mut_ref(|| false);
    let pending = use_state(|| None::<String>);
    let apply = {
        let (by_keys, pending, on_apply) =
            (by_keys.clone(), pending.clone(), props.on_apply.clone());
        move || {
            // Committed: the next change is the pointer's unless keys come first again.
            *by_keys.borrow_mut() = false;
            if let Some(value) = (*pending).clone() {
                pending.set(None);
                on_apply.emit(value);
            }
        }
    };
    let on_keydown = {
        let (by_keys, apply) = (by_keys.clone(), apply.clone());
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Enter" => {
                e.prevent_default();
                apply();
            }
            // These open the list, where Enter or a click commits (one change event).
            " " | "F4" => *by_keys.borrow_mut() = false,
            _ if e.alt_key() => *by_keys.borrow_mut() = false,
            "Tab" | "Shift" | "Escape" => {}
            _ => *by_keys.borrow_mut() = true,
        })
    };
    let on_pointer = {
        let by_keys = by_keys.clone();
        Callback::from(move |_: PointerEvent| *by_keys.borrow_mut() = false)
    };
    let on_change = {
        let (pending, on_apply) = (pending.clone(), props.on_apply.clone());
        Callback::from(move |e: Event| {
            let value = event_value(&e);
            if *by_keys.borrow() {
                pending.set(Some(value));
            } else {
                pending.set(None);
                on_apply.emit(value);
            }
        })
    };
    let on_blur = Callback::from(move |_: FocusEvent| apply());
    html! {
        <span class="apply-select">
            <select aria-label={props.label.clone()} onchange={on_change} onkeydown={on_keydown}
                    onpointerdown={on_pointer} onblur={on_blur}>
                { for props.options.iter().map(|(value, text)| html! {
                    <option value={value.clone()} selected={*value == props.selected}>{ text.clone() }</option>
                }) }
            </select>
            if pending.is_some() { <span class="hint">{ "Enter to apply" }</span> }
        </span>
    }
}

/// A finite decimal number typed or read in the page (a URL option, a slider's value, a CSS
/// length without its unit), or None. Read by serde_json's number reader (3.7 KB gzip in the
/// page) rather than `str::parse`, whose float parser adds about 15 KB (both measured
/// 2026-12-07): the page's size decides how soon the cluster first shows on a slow link,
/// which has a guard. JSON's grammar is stricter than `str::parse` ("+1", ".5" and "1." are
/// refused), which no slider or stylesheet writes.
pub fn number(text: &str) -> Option<f64> {
    serde_json::from_str::<f64>(text.trim())
        .ok()
        .filter(|n| n.is_finite())
}

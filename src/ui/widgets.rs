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

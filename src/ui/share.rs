//! The Share dialog (the full page's): a link to this moment of this run, the `<iframe>`
//! snippet that embeds it, exports (the run as a scenario file, the narrated trace as text and
//! as JSON lines), and import of a scenario file (also by dropping it on the page:
//! `files::read_dropped`).

use super::intent::Intent;
use super::state::ShareData;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShareProps {
    pub data: Rc<ShareData>,
    pub on_intent: Callback<Intent>,
}

/// The site's address (without query or fragment) that links point at: the lite page's,
/// which sends a link on to the full page (`address::site_dir`).
fn page_address() -> String {
    let location = gloo::utils::window().location();
    let path = location.pathname().unwrap_or_default();
    format!(
        "{}{}",
        location.origin().unwrap_or_default(),
        super::address::site_dir(&path)
    )
}

/// A `data:` address holding `text`, for a download link.
fn data_address(mime: &str, text: &str) -> String {
    format!(
        "data:{mime};charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(text))
    )
}

#[component]
pub fn ShareDialog(props: &ShareProps) -> Html {
    let d = &props.data;
    let address = page_address();
    let link = format!("{address}#{}", d.link);
    let snippet = format!(
        "<iframe src=\"{address}?embed#{}\" width=\"640\" height=\"400\" title=\"Raft Explorer\" loading=\"lazy\"></iframe>",
        d.link
    );
    let close = props.on_intent.reform(|_: MouseEvent| Intent::ToggleShare);
    // Escape closes it, even from the link's box (which keeps other keys to itself; elsewhere
    // the page's Escape does the same, so this is Escape, not a toggle).
    let on_keydown = {
        let on_intent = props.on_intent.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                on_intent.emit(Intent::Escape);
            }
        })
    };
    // Opened, the link is focused and selected, ready to copy.
    let link_box = use_node_ref();
    {
        let link_box = link_box.clone();
        use_effect_with((), move |_| {
            if let Some(input) = link_box.cast::<web_sys::HtmlInputElement>() {
                let _ = input.focus();
                input.select();
            }
        });
    }
    let on_file = {
        let on_intent = props.on_intent.clone();
        Callback::from(move |e: Event| {
            let input = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
            if let Some(file) = input.and_then(|i| i.files()).and_then(|f| f.get(0)) {
                super::files::read_file(file, on_intent.clone());
            }
        })
    };
    html! {
        <div class="help-backdrop">
        <div class="share-dialog panel" role="dialog" aria-modal="true" aria-labelledby="share-title" onkeydown={on_keydown}>
            <h2 id="share-title">{ "Share this moment" }</h2>
            <label>{ "Link (opens this run at this moment, paused)" }
                <input class="share-link" readonly=true value={link} ref={link_box} />
            </label>
            <label>{ "Embed it in a page" }
                <textarea class="share-iframe" readonly=true rows="3" value={snippet} />
            </label>
            <p class="share-exports">{ "Export: " }
                <a download="raft-scenario.json" href={data_address("application/json", &d.scenario_json)}>{ "scenario (JSON)" }</a>
                { " · " }
                <a download="raft-trace.txt" href={data_address("text/plain", &d.trace_text)}>{ "trace (text)" }</a>
                { " · " }
                <a download="raft-trace.jsonl" href={data_address("application/jsonl", &d.trace_jsonl)}>{ "trace (JSON lines)" }</a>
            </p>
            if d.left_out > 0 {
                <p class="hint">{ format!(
                    "{} action(s) on a single message (drop, duplicate, delay) cannot be written in a scenario file and are left out of it; the link keeps them.",
                    d.left_out
                ) }</p>
            }
            <label>{ "Import a scenario file (or drop one on the page) " }
                <input type="file" class="share-import" accept=".json,application/json" onchange={on_file} />
            </label>
            <button onclick={close}>{ "Close" }</button>
        </div>
        </div>
    }
}

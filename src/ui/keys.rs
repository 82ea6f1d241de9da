//! Keyboard shortcuts: one key per action, `?` lists them. Keys typed into an input are ignored.

use super::intent::Intent;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// (key, what it does), in the order the help shows them.
pub const KEYS: [(&str, &str); 27] = [
    ("space", "play or pause"),
    (
        "→ / PageDown / .",
        "in a tour: next step (outside one: → travels forward 100 ms, . plays or pauses)",
    ),
    (
        "← / PageUp",
        "in a tour: back to the previous step (outside one: ← travels back 100 ms)",
    ),
    ("N", "step to the next event"),
    (
        ", (lecture mode: also PageUp)",
        "step back one event (N, or PageDown in lecture mode, steps forward)",
    ),
    ("M", "lecture mode: bigger, high contrast, slower"),
    ("W", "fullscreen on or off"),
    ("+ / −", "faster / slower"),
    ("C", "client request to the leader (SET with a fresh value)"),
    (
        "R",
        "restart the leader: it crashes and comes back at once, as a follower",
    ),
    ("1 … 9", "select server S1 … S9"),
    ("K", "crash the selected server (or the leader)"),
    ("O", "force the selected server's election timeout"),
    ("Z", "pause / resume the selected server"),
    ("X", "drop the selected message"),
    ("U", "restart every crashed server"),
    ("T", "spread timers apart: the first to fire wins alone"),
    ("A", "align timers: they fire together (split vote)"),
    ("L", "log replication scenario"),
    (
        "B",
        "resume all paused servers (in lecture mode: play or pause, a remote's blank key)",
    ),
    ("F", "fork: forget the recorded future from this moment"),
    ("P", "partition: isolate the leader"),
    ("H", "heal the network"),
    ("D", "dark / light theme"),
    (
        "S",
        "share: a link to this moment of this run, exports, import",
    ),
    ("Esc", "close panels, deselect"),
    ("?", "show or hide this help"),
];

/// The intent for a key press, if any. In a tour, → / PageDown / `.` and ← / PageUp move
/// between its steps (a presenter's remote sends PageDown, PageUp and `.`); outside one they
/// do what they always did (Page Up / Down then scroll the page as usual). In lecture mode
/// a presenter's remote drives the run outside a tour too: PageDown steps to the next event,
/// PageUp back one, and `b`, its "blank screen" key, plays or pauses. (W, fullscreen, is not
/// an intent: the page itself turns it on, `App`.)
pub fn intent_for(key: &str, in_tour: bool, lecture: bool) -> Option<Intent> {
    if in_tour {
        match key {
            "ArrowRight" | "PageDown" | "." => return Some(Intent::TourNext),
            "ArrowLeft" | "PageUp" => return Some(Intent::TourBack),
            _ => {}
        }
    }
    if lecture {
        match key {
            "b" | "B" => return Some(Intent::TogglePlay),
            "PageDown" => return Some(Intent::StepEvent),
            "PageUp" => return Some(Intent::StepBack),
            _ => {}
        }
    }
    Some(match key {
        " " | "." => Intent::TogglePlay,
        "ArrowLeft" => Intent::SeekBy(-100_000),
        "ArrowRight" => Intent::SeekBy(100_000),
        "n" | "N" => Intent::StepEvent,
        "," => Intent::StepBack,
        "m" | "M" => Intent::ToggleLecture,
        "c" | "C" => Intent::QuickClient,
        "r" | "R" => Intent::RestartLeader,
        "t" | "T" => Intent::SpreadTimers,
        "a" | "A" => Intent::AlignTimers,
        "l" | "L" => Intent::LoadPreset(usize::MAX),
        "b" | "B" => Intent::ResumeAll,
        "f" | "F" => Intent::Fork,
        "p" | "P" => Intent::IsolateLeader,
        "h" | "H" => Intent::Heal,
        "d" | "D" => Intent::ToggleTheme,
        "s" | "S" => Intent::ToggleShare,
        "?" => Intent::ToggleHelp,
        "k" | "K" => Intent::CrashSelected,
        "o" | "O" => Intent::TimeoutSelected,
        "z" | "Z" => Intent::PauseSelected,
        "x" | "X" => Intent::DropSelected,
        k if k.len() == 1 && ("1"..="9").contains(&k) => Intent::SelectNth(k.parse().unwrap_or(1)),
        "u" | "U" => Intent::RestartCrashed,
        "+" | "=" => Intent::SpeedStep { faster: true },
        "-" | "_" => Intent::SpeedStep { faster: false },
        "Escape" => Intent::Escape,
        _ => return None,
    })
}

#[derive(Properties, Clone, PartialEq)]
pub struct HelpProps {
    pub on_intent: Callback<Intent>,
}

/// The list of shortcuts, over the page while `?` is on. A modal dialog: the page behind is
/// inert (the App marks it), Tab and Shift+Tab go round the dialog's own controls, and when it
/// closes (Close, Escape or `?`) the focus goes back where it was.
#[component]
pub fn HelpDialog(props: &HelpProps) -> Html {
    let dialog = use_node_ref();
    {
        let dialog = dialog.clone();
        use_effect_with((), move |_| {
            let before = gloo::utils::document().active_element();
            if let Some(first) = focusables(&dialog).first() {
                let _ = first.focus();
            }
            move || {
                let before = before.and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok());
                if let Some(before) = before.filter(|b| b.is_connected()) {
                    let _ = before.focus();
                }
            }
        });
    }
    let on_keydown = {
        let dialog = dialog.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() != "Tab" {
                return;
            }
            let all = focusables(&dialog);
            let (Some(first), Some(last)) = (all.first(), all.last()) else {
                return;
            };
            let active = gloo::utils::document().active_element();
            let at = |el: &web_sys::HtmlElement| active.as_ref() == Some(el.as_ref());
            if e.shift_key() && at(first) {
                e.prevent_default();
                let _ = last.focus();
            } else if !e.shift_key() && at(last) {
                e.prevent_default();
                let _ = first.focus();
            }
        })
    };
    let close = super::widgets::on_click(&props.on_intent, Intent::ToggleHelp);
    html! {
        <div class="help-backdrop" onkeydown={on_keydown}>
            <div class="help" role="dialog" aria-modal="true" aria-labelledby="help-h" ref={dialog}>
                <h2 id="help-h">{ "Keyboard shortcuts" }</h2>
                <dl>
                    { for KEYS.iter().map(|(k, what)| html! { <><dt><kbd>{ *k }</kbd></dt><dd>{ *what }</dd></> }) }
                </dl>
                <p class="hint">{ "Click a server or a message to see it and act on it. Keys are ignored while you type in a box." }</p>
                <button onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}

/// The controls in `dialog` that Tab reaches, in order.
fn focusables(dialog: &NodeRef) -> Vec<web_sys::HtmlElement> {
    let Some(dialog) = dialog.cast::<web_sys::Element>() else {
        return Vec::new();
    };
    let Ok(found) =
        dialog.query_selector_all("button, a[href], input, select, textarea, [tabindex]")
    else {
        return Vec::new();
    };
    (0..found.length())
        .filter_map(|i| found.item(i)?.dyn_into::<web_sys::HtmlElement>().ok())
        .filter(|el| el.tab_index() >= 0)
        .collect()
}

//! The lite page's way to what only the full page does (`state/lite.rs` has the model's side):
//! it goes to `full/`, with a preset or a tour in the address, or with the run handed over in
//! the tab's `sessionStorage` or, without one, its `window.name` (`scenario::handover`).

use super::address::{full_page_query, ViewNow, Wanted};
use super::intent::Intent;
use crate::scenario::handover::{as_window_name, from_window_name, Handover, KEY};
use std::cell::RefCell;
use yew::Callback;

thread_local! {
    /// The tab's name before this page wrote a handover into it (an embedder's iframe name,
    /// say), to give back when the handover is dropped here.
    static NAME_BEFORE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Goes to the full page for `wanted`, with the view the user has now. Err: the browser
/// would not go, with why.
pub fn go_to_full(wanted: Wanted, view: &ViewNow) -> Result<(), String> {
    let location = gloo::utils::window().location();
    let search = location.search().unwrap_or_default();
    location
        .assign(&format!("full/{}", full_page_query(&search, wanted, view)))
        .map_err(|_| "the browser would not leave this page".to_string())
}

/// Opening a tour (the tour picker, a "Show me" button): the full page plays it. The model
/// sends the user there (`Intent::TourOnFullPage`), with the view it has.
pub fn open_tour(source: String, on_intent: Callback<Intent>) {
    on_intent.emit(Intent::TourOnFullPage(source));
}

/// Hands the run over to the full page and goes there, with the view the user has now. Err:
/// the browser would keep the run nowhere (neither session storage nor the tab's name), or
/// would not leave this page; with why.
pub fn hand_over(handover: &Handover, view: &ViewNow) -> Result<(), String> {
    let window = gloo::utils::window();
    let json = handover.to_json();
    // The tab's session storage. A tab may have none (a sandboxed iframe without
    // allow-same-origin, storage switched off: the getter throws or gives null) or refuse the
    // run (full): then the tab's name, which also survives the navigation and is the tab's
    // own (`handover::as_window_name`; the full page clears it once read).
    let stored = window
        .session_storage()
        .ok()
        .flatten()
        .is_some_and(|storage| {
            let stored = storage.set_item(KEY, &json).is_ok();
            // Refused (full: a large import), an older run under the key would stay and be
            // taken before the one in the tab's name.
            if !stored {
                let _ = storage.remove_item(KEY);
            }
            stored
        });
    if !stored {
        let before = window.name().unwrap_or_default();
        window
            .set_name(&as_window_name(&json))
            .map_err(|_| "the browser would keep the run nowhere for it")?;
        if from_window_name(&before).is_none() {
            NAME_BEFORE.with(|b| *b.borrow_mut() = Some(before));
        }
    }
    go_to_full(Wanted::Handover, view).inspect_err(|_| drop_handover_name())
}

/// Drops a handover left in the tab's name (`handover::as_window_name`): when the sandbox
/// starts, comes Back from the full page, or could not go there. Another site can set a tab's
/// name too, and a run in it is for the full page once, right after this page wrote it. The
/// name the tab had before this page wrote one is given back (when this page still knows it:
/// also when the full page has emptied it, and Back brings this page again); a name that
/// holds no handover (an embedder's iframe name) is left alone.
pub fn drop_handover_name() {
    let window = gloo::utils::window();
    let knows_before = NAME_BEFORE.with(|b| b.borrow().is_some());
    let ours = window
        .name()
        .is_ok_and(|name| from_window_name(&name).is_some() || (name.is_empty() && knows_before));
    if ours {
        let before = NAME_BEFORE.with(|b| b.borrow_mut().take());
        let _ = window.set_name(&before.unwrap_or_default());
    }
}

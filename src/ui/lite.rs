//! The lite page's way to what only the full page does (`state/lite.rs` has the model's side):
//! it goes to `full/`, with a preset or a tour in the address, or with the run handed over in
//! the tab's `sessionStorage` (`scenario::handover`).

use super::address::full_page_query;
use super::intent::Intent;
use crate::scenario::handover::{Handover, KEY};
use yew::Callback;

/// Goes to the full page, asking for `wanted` (`("preset", id)`, `("tour", name)`) with the
/// current page's view options.
pub fn go_to_full(wanted: (&str, &str)) {
    let location = gloo::utils::window().location();
    let search = location.search().unwrap_or_default();
    let _ = location.assign(&format!("full/{}", full_page_query(&search, Some(wanted))));
}

/// Opening a tour (the tour picker, a "Show me" button): the full page plays it.
pub fn open_tour(source: String, _on_intent: Callback<Intent>) {
    go_to_full(("tour", &source));
}

/// Hands the run over to the full page and goes there, with the same query. Err: the tab's
/// storage refused it (full, or switched off), with why.
pub fn hand_over(handover: &Handover) -> Result<(), String> {
    let window = gloo::utils::window();
    let storage = window
        .session_storage()
        .ok()
        .flatten()
        .ok_or("this browser keeps no session storage for the page")?;
    storage
        .set_item(KEY, &handover.to_json())
        .map_err(|_| "the browser refused to keep the run (too large?)")?;
    let location = window.location();
    let search = location.search().unwrap_or_default();
    location
        .assign(&format!("full/{search}"))
        .map_err(|_| "the full page could not be opened".to_string())
}

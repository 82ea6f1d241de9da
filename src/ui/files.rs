//! A scenario file the reader picks (the Share dialog's import, in the full page) or drops on
//! the page, read as text and handed to the reducer (`Intent::Import`): the full page imports
//! it, the lite page hands it over to the full page with the run.

use super::intent::Intent;
use yew::prelude::*;

/// Reads a scenario file as text, then asks to import it.
pub fn read_file(file: web_sys::File, on_intent: Callback<Intent>) {
    let name = file.name();
    wasm_bindgen_futures::spawn_local(async move {
        let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
        let text = text.ok().and_then(|t| t.as_string());
        on_intent.emit(match text {
            Some(text) => Intent::Import { name, text },
            None => Intent::Import {
                name,
                text: String::new(),
            },
        });
    });
}

/// The first file dropped on the page, imported.
pub fn read_dropped(e: &DragEvent, on_intent: &Callback<Intent>) {
    if let Some(file) = e
        .data_transfer()
        .and_then(|d| d.files())
        .and_then(|f| f.get(0))
    {
        e.prevent_default();
        read_file(file, on_intent.clone());
    }
}

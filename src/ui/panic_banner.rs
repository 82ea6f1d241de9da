//! A Rust panic must never leave a silently frozen page: log it (console_error_panic_hook) and
//! put a visible banner with a reload action at the top of the page.

use wasm_bindgen::JsCast;

/// The banner's element id; the fallback script in index.html uses the same one.
pub const BANNER_ID: &str = "fatal-error";

/// Installs the panic hook. Call before anything else can panic.
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show(&info.to_string());
    }));
}

/// Shows the fatal-error banner with `detail`. Written with plain DOM calls, not Yew: after a
/// panic the Yew scheduler may be in any state, so nothing here may depend on it.
pub fn show(detail: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else {
        return;
    };
    if document.get_element_by_id(BANNER_ID).is_some() {
        return;
    }
    let Ok(banner) = document.create_element("div") else {
        return;
    };
    banner.set_id(BANNER_ID);
    banner.set_class_name("fatal-error");
    let _ = banner.set_attribute("role", "alert");
    // The theme the user chose (style.css reads `data-theme`: the banner is outside `.app`).
    if let Some(theme) = document
        .query_selector(".app")
        .ok()
        .flatten()
        .and_then(|app| app.get_attribute("data-theme"))
    {
        let _ = banner.set_attribute("data-theme", &theme);
    }
    let heading = document.create_element("strong").ok();
    if let Some(heading) = &heading {
        heading.set_text_content(Some("Raft Explorer stopped working. "));
        let _ = banner.append_child(heading);
    }
    if let Ok(message) = document.create_element("span") {
        message.set_class_name("fatal-error-detail");
        message.set_text_content(Some(&format!(
            "{detail} — the simulation cannot continue; reload to start again. "
        )));
        let _ = banner.append_child(&message);
    }
    if let Ok(button) = document.create_element("button") {
        let _ = button.set_attribute("type", "button");
        // An inline handler needs no Rust closure, so it works even after the wasm instance died.
        let _ = button.set_attribute("onclick", "location.reload()");
        button.set_text_content(Some("Reload"));
        let _ = banner.append_child(&button);
    }
    let _ = body.prepend_with_node_1(&banner);
    if let Some(button) = banner
        .query_selector("button")
        .ok()
        .flatten()
        .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = button.focus();
    }
}

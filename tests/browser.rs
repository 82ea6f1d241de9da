//! Browser unit tests (wasm-bindgen-test in headless Chromium): `scripts/test.sh` runs them
//! with `cargo test --target wasm32-unknown-unknown --test browser`.
#![cfg(target_arch = "wasm32")]

use raft_explorer::ui::{panic_banner, App};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Mounts the app into a fresh element and waits for Yew to render it.
async fn mount_app() -> web_sys::Element {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    // Yew renders on its scheduler: give it a turn of the event loop.
    gloo_timers::future::TimeoutFuture::new(0).await;
    root
}

#[wasm_bindgen_test]
async fn app_shell_renders_header_cluster_area_and_version() {
    let root = mount_app().await;
    let text = root.text_content().unwrap();
    assert!(text.contains("Raft Explorer"), "header missing: {text}");
    assert!(
        text.contains(&format!("v{}", env!("CARGO_PKG_VERSION"))),
        "version missing: {text}"
    );
    assert!(root
        .query_selector("[aria-label='Cluster']")
        .unwrap()
        .is_some());
}

#[wasm_bindgen_test]
fn panic_banner_is_visible_with_message_and_reload_button() {
    panic_banner::show("index out of bounds");
    let banner = document()
        .get_element_by_id(panic_banner::BANNER_ID)
        .expect("banner shown");
    assert_eq!(banner.get_attribute("role").as_deref(), Some("alert"));
    let text = banner.text_content().unwrap();
    assert!(text.contains("stopped working"), "{text}");
    assert!(text.contains("index out of bounds"), "{text}");
    let button = banner
        .query_selector("button")
        .unwrap()
        .expect("reload button");
    assert_eq!(button.text_content().as_deref(), Some("Reload"));
    assert_eq!(
        button.get_attribute("onclick").as_deref(),
        Some("location.reload()")
    );
    // A second panic does not stack a second banner.
    panic_banner::show("again");
    assert_eq!(
        document()
            .query_selector_all(".fatal-error")
            .unwrap()
            .length(),
        1
    );
}

//! Layer 5: the Yew page. Components read a `ClusterView` and dispatch intents; they never
//! touch Raft state directly.

pub mod panic_banner;

use yew::prelude::*;

/// The app shell: header, the cluster area, footer with the version.
#[component]
pub fn App() -> Html {
    html! {
        <div class="app">
            <header class="app-header">
                <h1>{ "Raft Explorer" }</h1>
                <p class="tagline">{ "A real Raft cluster, running in your browser." }</p>
            </header>
            <main class="cluster-area" aria-label="Cluster">
                <p class="empty-note">{ "The cluster will appear here." }</p>
            </main>
            <footer class="app-footer">
                <span>{ format!("Raft Explorer v{}", env!("CARGO_PKG_VERSION")) }</span>
            </footer>
        </div>
    }
}

/// Entry point called from `main` in the browser.
pub fn start() {
    panic_banner::install();
    let document = gloo::utils::document();
    if let Some(boot) = document.get_element_by_id("boot") {
        boot.remove();
    }
    // A deliberate panic on request (`?debug_panic`), so the error banner can be tested in a
    // real browser and demonstrated; the page has no other way to panic on purpose.
    let search = gloo::utils::window()
        .location()
        .search()
        .unwrap_or_default();
    if search.contains("debug_panic") {
        panic!("deliberate panic requested with ?debug_panic");
    }
    yew::Renderer::<App>::new().render();
}

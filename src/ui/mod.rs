//! Layer 5: the Yew page. Components read a `ClusterView` and dispatch intents; they never
//! touch Raft state directly. One reducer (`state::Model`) holds the simulation; one
//! requestAnimationFrame loop advances it by elapsed × speed.

pub mod bench;
pub mod client_panel;
pub mod cluster;
pub mod details;
pub mod event_log;
pub mod geometry;
pub mod glyphs;
pub mod intent;
pub mod keys;
pub mod kv;
pub mod log_rows;
pub mod log_table;
pub mod message_layer;
pub mod message_panel;
pub mod motion;
pub mod network_panel;
pub mod panic_banner;
pub mod presets;
pub mod safety;
pub mod state;
pub mod timebar;
pub mod traffic;
pub mod widgets;

use client_panel::ClientPanel;
use cluster::Cluster;
use event_log::EventLog;
use gloo::events::EventListener;
use intent::Intent;
use kv::KvStores;
use log_table::LogTable;
use network_panel::NetworkPanel;
use safety::SafetyPanel;
use state::{Model, Msg, UrlOptions};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use timebar::{timebar, TimebarProps};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The requestAnimationFrame loop: each frame sends `Msg::Frame` and asks for the next. One
/// callback serves the page's lifetime (a new closure every frame would cost an allocation
/// and a JS wrapper each time). Returns what stops it.
fn start_frame_loop(dispatch: yew::UseReducerDispatcher<Model>) -> impl FnOnce() {
    type Callback = Closure<dyn FnMut(f64)>;
    let callback: Rc<RefCell<Option<Callback>>> = Rc::new(RefCell::new(None));
    let request = Rc::new(Cell::new(0));
    let next_frame = {
        let (callback, request) = (callback.clone(), request.clone());
        move || {
            if let Some(cb) = callback.borrow().as_ref() {
                let id = gloo::utils::window().request_animation_frame(cb.as_ref().unchecked_ref());
                request.set(id.unwrap_or(0));
            }
        }
    };
    let frame = {
        let next_frame = next_frame.clone();
        move |ts: f64| {
            bench::frame_started();
            dispatch.dispatch(Msg::Frame(ts));
            next_frame();
        }
    };
    *callback.borrow_mut() = Some(Closure::new(frame));
    next_frame();
    move || {
        let _ = gloo::utils::window().cancel_animation_frame(request.get());
        // Dropping the closure also ends the cycle it forms with `callback`.
        callback.borrow_mut().take();
    }
}

/// Tells `state` which heavy panels (`data-panel` 0–3) are on screen,
/// as an IntersectionObserver sees them. Returns what stops it.
fn observe_panels() -> impl FnOnce() {
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(|entries: js_sys::Array| {
        for entry in entries.iter() {
            let entry: web_sys::IntersectionObserverEntry = entry.unchecked_into();
            let panel = entry.target().get_attribute("data-panel");
            if let Some(panel) = panel.and_then(|p| p.parse().ok()) {
                state::set_panel_on_screen(panel, entry.is_intersecting());
            }
        }
    });
    let observer = web_sys::IntersectionObserver::new(callback.as_ref().unchecked_ref()).ok();
    if let (Some(observer), Ok(panels)) = (
        &observer,
        gloo::utils::document().query_selector_all("[data-panel]"),
    ) {
        for i in 0..panels.length() {
            if let Some(panel) = panels.item(i).and_then(|p| p.dyn_into().ok()) {
                observer.observe(&panel);
            }
        }
    }
    move || {
        if let Some(observer) = observer {
            observer.disconnect();
        }
        drop(callback);
    }
}

/// Keys typed into a text box, select or button-less control are not shortcuts.
fn typing(e: &KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            let tag = el.tag_name().to_ascii_lowercase();
            (tag == "input"
                && el.get_attribute("type").as_deref() != Some("range")
                && el.get_attribute("type").as_deref() != Some("checkbox"))
                || tag == "textarea"
                || tag == "select"
                || el.get_attribute("contenteditable").is_some()
        })
}

/// The whole page.
#[component]
pub fn App() -> Html {
    let url = use_memo((), |_| {
        UrlOptions::parse(
            &gloo::utils::window()
                .location()
                .search()
                .unwrap_or_default(),
        )
    });
    let model = {
        let url = url.clone();
        use_reducer_eq(move || Model::new(&url))
    };
    // One callback for the page's lifetime, so components whose props did not change really
    // skip rendering (a Callback compares by identity).
    let on_intent: Callback<Intent> = {
        let d = model.dispatcher();
        (*use_memo((), move |_| {
            Callback::from(move |i: Intent| d.dispatch(Msg::Intent(i)))
        }))
        .clone()
    };

    // One animation loop for the page's lifetime.
    {
        let dispatch = model.dispatcher();
        widgets::use_once(Box::new(move || Box::new(start_frame_loop(dispatch))));
    }

    // Keyboard shortcuts.
    {
        let dispatch = model.dispatcher();
        widgets::use_once(Box::new(move || {
            let options = gloo::events::EventListenerOptions::enable_prevent_default();
            let listener = EventListener::new_with_options(
                &gloo::utils::document(),
                "keydown",
                options,
                move |e| {
                    let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
                        return;
                    };
                    if e.ctrl_key() || e.meta_key() || e.alt_key() || typing(e) {
                        return;
                    }
                    // Space on a focused button activates it; let it.
                    let on_button = e
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .is_some_and(|el| el.tag_name().eq_ignore_ascii_case("button"));
                    if e.key() == " " && on_button {
                        return;
                    }
                    if let Some(intent) = keys::intent_for(&e.key()) {
                        e.prevent_default();
                        dispatch.dispatch(Msg::Intent(intent));
                    }
                },
            );
            Box::new(move || drop(listener))
        }));
    }

    // Which heavy panels are on screen: those off it are brought up to date less often.
    widgets::use_once(Box::new(|| Box::new(observe_panels())));

    // The time bar's clock and scrubber (see motion), and the frame cost (bench mode): after
    // the frame's render (effects run children first).
    let app_ref = use_node_ref();
    {
        let m = &*model;
        let (now, horizon, playing, speed) = (m.now, m.horizon, m.playing, m.speed);
        let (view, painter, app) = (m.view.clone(), m.painter.clone(), app_ref.clone());
        widgets::use_after_render(Box::new(move || {
            motion::page_rendered(&painter, app.cast(), now, horizon, playing, speed, view);
            bench::frame_rendered();
        }));
    }

    if let Some(start) = bench::frame_start() {
        bench::add("to_app_render", bench::now() - start);
    }
    let app_t0 = bench::now();
    let m = &*model;
    let n = m.view.servers.len() as u8;
    let selected = match (m.selected_message, m.selected_server) {
        (Some(id), _) => Some(Selected::Message(id)),
        (None, Some(s)) => Some(Selected::Server(s)),
        (None, None) => None,
    };
    let side = match selected {
        Some(selected) => html! {
            <SelectionPanel view={m.view.clone()} selected={selected} on_intent={on_intent.clone()} />
        },
        None => intro(),
    };
    let theme_label = if m.dark.unwrap_or(m.system_dark) {
        "Light theme"
    } else {
        "Dark theme"
    };
    let toggle_theme = widgets::on_click(&on_intent, Intent::ToggleTheme);
    let toggle_help = widgets::on_click(&on_intent, Intent::ToggleHelp);
    let preset_names: Vec<&'static str> = m
        .presets
        .iter()
        .map(|p| leak_name(&p.scenario.name))
        .collect();
    let out = html! {
        // `data-now` (simulated time) and `data-messages` (messages in flight) are painted by
        // `motion`.
        <div class="app" ref={app_ref} data-playing={m.playing.to_string()}>
            <header class="app-header">
                <h1>{ "Raft Explorer" }</h1>
                <p class="tagline">{ "A real Raft cluster, running in your browser." }</p>
                <div class="header-actions">
                    <button onclick={toggle_help} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">{ "?" }</button>
                    <button onclick={toggle_theme} aria-label={theme_label}>{ if theme_label == "Light theme" { "☀" } else { "☾" } }</button>
                </div>
            </header>
            { timebar(&TimebarProps {
                playing: m.playing,
                speed: m.speed,
                seed: m.config.seed,
                servers: m.config.servers,
                presets: preset_names,
                preset: m.preset,
                on_intent: on_intent.clone(),
            }) }
            <main class="cluster-area" aria-label="Cluster">
                <div class="stage">
                    <div class="svgbox">
                        <Cluster view={m.drawn.clone()} live={m.view.clone()} painter={m.painter.clone()}
                                 now={m.now} selected_server={m.selected_server}
                                 selected_message={m.selected_message} on_intent={on_intent.clone()} />
                    </div>
                    { leader_line_and_legend() }
                </div>
                <div class="side">
                    if let Some(v) = m.safety.iter().find(|r| r.violation.is_some()) {
                        <p class="violation-banner" role="alert">
                            { format!("✗ {} violated — see Safety below. ", v.name) }
                        </p>
                    }
                    if let Some(c) = &m.caption {
                        <div class="caption">
                            <p>{ c.clone() }</p>
                            if let Some(note) = &m.step_note {
                                <p class="step-note" aria-live="polite">{ format!("▶ {note}") }</p>
                            }
                        </div>
                    }
                    if let Some(notice) = &m.notice {
                        <p class="notice" role="status">{ notice.clone() }</p>
                    }
                    { side }
                    <NetworkPanel network={m.view.network.clone()} servers={n} on_intent={on_intent.clone()} />
                </div>
            </main>
            // Each panel sits in a grid cell of its own: the panel itself is then no grid item,
            // and a fixed-size panel re-lays out alone when its content changes (style.css).
            <div class="lower">
                <div class="wide" data-panel="0">
                    <LogTable view={m.log_view.clone()} ghosts={m.ghosts.clone()} columns={m.columns}
                              selected_server={m.selected_server} on_intent={on_intent.clone()} />
                </div>
                <div data-panel="1"><KvStores view={m.kv_view.clone()} /></div>
                <div data-panel="2"><ClientPanel view={m.client_view.clone()} verdict={m.shown_verdict.clone()} on_intent={on_intent.clone()} /></div>
                <div><SafetyPanel rows={m.safety.clone()} verdict={m.shown_verdict.clone()} knobs={m.knobs_on()} on_intent={on_intent.clone()} /></div>
                <div data-panel="3"><EventLog rows={m.shown_events.clone()} filter={m.filter.clone()} servers={n} on_intent={on_intent.clone()} /></div>
            </div>
            if m.help {
                { keys::help_dialog(&on_intent) }
            }
            { Html::from_html_unchecked(AttrValue::Static(concat!(
                r#"<footer class="app-footer"><span>Raft Explorer v"#,
                env!("CARGO_PKG_VERSION"),
                "</span><span> · Diego Ongaro &amp; John Ousterhout, “In Search of an Understandable ",
                "Consensus Algorithm” (§ numbers refer to it)</span></footer>",
            ))) }
        </div>
    };
    bench::add("app_vdom", bench::now() - app_t0);
    out
}

/// What the side panel details: a selected message wins over a selected server.
#[derive(Clone, Copy, PartialEq)]
enum Selected {
    Message(crate::sim::MessageId),
    Server(crate::raft::types::ServerId),
}

#[derive(Properties, Clone)]
struct SelectionProps {
    view: Rc<crate::sim::ClusterView>,
    selected: Selected,
    on_intent: Callback<Intent>,
}

impl PartialEq for SelectionProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.view, &other.view) && self.selected == other.selected
    }
}

/// The selected message or server, in detail. One component for both (they never show
/// together), so it re-renders only when the picture or the selection changed.
#[component]
fn SelectionPanel(props: &SelectionProps) -> Html {
    match props.selected {
        Selected::Message(id) => message_panel::message_details(&props.view, id, &props.on_intent),
        Selected::Server(s) => details::server_details(&props.view, s, &props.on_intent),
    }
}

/// One sentence on who leads, for everyone (and screen readers, politely).
pub(crate) fn leader_line(view: &crate::sim::ClusterView) -> String {
    match view.leaders().max_by_key(|s| s.current_term) {
        Some(l) => {
            let others = view
                .leaders()
                .filter(|o| o.id != l.id)
                .map(|o| format!("{} (term {})", o.id, o.current_term))
                .collect::<Vec<_>>();
            let mut text = format!(
                "Leader: {} in term {}, commit index {}",
                l.id, l.current_term, l.commit_index
            );
            if !others.is_empty() {
                text.push_str(&format!(" · also believes it leads: {}", others.join(", ")));
            }
            text
        }
        None => "No leader: an election is under way (or no majority can be reached).".to_string(),
    }
}

// Static markup is written as HTML text: one string costs far less wasm than the tree of
// element constructors `html!` expands to, and the browser builds the same DOM from it.

/// Who leads, in a box of fixed height (its text is painted by `motion`: it changes with
/// every commit, and the page around it is not re-laid out for that; a longer sentence gets a
/// box two lines high), and the shapes of the picture, explained (static).
fn leader_line_and_legend() -> Html {
    Html::from_html_unchecked(AttrValue::Static(concat!(
        r#"<div class="leader-line"><p class="fixed" aria-live="polite"></p></div>"#,
        r#"<p class="msg-legend" aria-label="What the shapes mean">"#,
        r#"<span><b class="lg-rv">RV</b> RequestVote</span>"#,
        r#"<span><b class="lg-yes">✓</b><b class="lg-no">✗</b> vote granted / denied</span>"#,
        r#"<span><b class="lg-hb">○</b> heartbeat</span>"#,
        r#"<span><b class="lg-ae">+n</b> AppendEntries with n entries</span>"#,
        r#"<span><b class="lg-ok">✓</b><b class="lg-fail">✗</b> append ok / rejected</span>"#,
        r#"<span><b class="lg-client">SET x 5</b> client request · <b class="lg-client lg-reply">ok</b> its reply (§8)</span>"#,
        "<span>faded, dashed: will be lost · arc: election timer · ★ thick ring: leader · ",
        "dashed: candidate</span></p>",
    )))
}

/// What to try first (static).
fn intro() -> Html {
    Html::from_html_unchecked(AttrValue::Static(concat!(
        r#"<section class="panel intro"><h2>Try this</h2><ol>"#,
        "<li>Wait for a leader (★, thick ring). Its heartbeats pulse out to the followers.</li>",
        "<li>Click the leader, then <b>Crash</b>: a follower's timer runs out and a new leader ",
        "wins a higher term.</li>",
        "<li>Partition the network, send <code>SET x 5</code> to each side: only the majority ",
        "commits.</li>",
        "<li>Click any moving message to inspect, drop or duplicate it. Press <kbd>?</kbd> for ",
        "keys.</li></ol></section>",
    )))
}

/// Preset names live as long as the page; intern them once.
fn leak_name(name: &str) -> &'static str {
    thread_local! {
        static NAMES: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
    }
    NAMES.with(|names| {
        let mut names = names.borrow_mut();
        if let Some(n) = names.iter().find(|n| **n == name) {
            return *n;
        }
        let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
        names.push(leaked);
        leaked
    })
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

//! Layer 5: the Yew page. Components read a `ClusterView` and dispatch intents; they never
//! touch Raft state directly. One reducer (`state::Model`) holds the simulation; one
//! requestAnimationFrame loop advances it by elapsed × speed (through the reducer) and has
//! the cluster picture (`picture`, drawn from `scene`) drawn; the page renders each new model.

pub mod address;
pub mod bench;
pub mod client_panel;
pub mod details;
pub mod event_log;
pub mod files;
pub mod geometry;
pub mod intent;
pub mod keys;
pub mod kv;
pub mod log_table;
pub mod message_panel;
pub mod network_panel;
pub mod options_panel;
pub mod panic_banner;
pub mod picture;
pub mod safety;
pub mod scene;
pub mod speed;
pub mod state;
pub mod timebar;
pub mod tour_picker;
pub mod widgets;

// Two pages are built from this code (docs/ARCHITECTURE.md, "Two pages"). The full page (the
// `full` feature) reads and writes scenarios: presets, Share links, files, tours, the Share
// dialog. The lite page, the sandbox the site's address loads first, has none of that code:
// `lite` takes the reader to the full page for it (and `state` has its lite side).
#[cfg(not(feature = "full"))]
pub mod lite;
#[cfg(feature = "full")]
pub mod presets;
#[cfg(feature = "full")]
pub mod share;
#[cfg(feature = "full")]
pub mod tour_panel;

#[cfg(not(feature = "full"))]
pub use lite::open_tour;
/// Opens a guided tour: the full page fetches and plays it; the lite page goes to the full
/// page for it.
#[cfg(feature = "full")]
pub use tour_panel::open as open_tour;

use client_panel::ClientPanel;
use event_log::EventLog;
use gloo::events::EventListener;
use intent::Intent;
use kv::KvStores;
use log_table::LogTable;
use network_panel::NetworkPanel;
use options_panel::OptionsPanel;
use picture::Picture;
use safety::SafetyPanel;
use state::{Model, Msg, Panel, UrlOptions};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use timebar::{timebar, TimebarProps};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The requestAnimationFrame loop: each frame sends `Msg::Frame` (the reducer advances the
/// simulation), then has the picture drawn from the simulator, and asks for the next. One
/// callback serves the page's lifetime (a new closure every frame would cost an allocation
/// and a JS wrapper each time). Returns what stops it.
fn start_frame_loop(
    dispatch: yew::UseReducerDispatcher<Model>,
    painter: Rc<RefCell<picture::Painter>>,
) -> impl FnOnce() {
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
        let last = Cell::new(None::<f64>);
        move |ts: f64| {
            bench::frame_started();
            let elapsed = last.replace(Some(ts)).map_or(0.0, |l| ts - l);
            dispatch.dispatch(Msg::Frame(elapsed));
            if let Ok(mut painter) = painter.try_borrow_mut() {
                painter.draw_live();
            }
            bench::frame_drawn();
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

/// How long the panels wait at most, after the first frame, for the browser to be idle (`App`).
const PANELS_WAIT_MS: u32 = 500;

/// Calls `callback` when the browser next has a moment to spare, or after `at_most_ms`
/// (requestIdleCallback; where there is none, as in Safari, after a timeout of 0).
fn when_idle(callback: &js_sys::Function, at_most_ms: u32) {
    let window = gloo::utils::window();
    let options = web_sys::IdleRequestOptions::new();
    options.set_timeout(at_most_ms);
    if window
        .request_idle_callback_with_options(callback, &options)
        .is_err()
    {
        let _ = window.set_timeout_with_callback(callback);
    }
}

/// Tells the model which heavy panels (`data-panel` 0–3) are on screen,
/// as an IntersectionObserver sees them. Returns what stops it.
fn observe_panels(dispatch: yew::UseReducerDispatcher<Model>) -> impl FnOnce() {
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        for entry in entries.iter() {
            let entry: web_sys::IntersectionObserverEntry = entry.unchecked_into();
            let panel = entry.target().get_attribute("data-panel");
            if let Some(panel) = panel.and_then(|p| p.parse().ok()) {
                dispatch.dispatch(Msg::PanelOnScreen(panel, entry.is_intersecting()));
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

/// Tells the model when the tab is hidden or shown (Page Visibility) and, for an embedded
/// view, when it leaves or enters its host page's viewport. Returns what stops it.
fn watch_visibility(dispatch: yew::UseReducerDispatcher<Model>, embed: bool) -> impl FnOnce() {
    let document = gloo::utils::document();
    let listener = {
        let (dispatch, document) = (dispatch.clone(), document.clone());
        EventListener::new(&gloo::utils::document(), "visibilitychange", move |_| {
            dispatch.dispatch(Msg::PageHidden(document.hidden()))
        })
    };
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        if let Some(entry) = entries.iter().last() {
            let entry: web_sys::IntersectionObserverEntry = entry.unchecked_into();
            dispatch.dispatch(Msg::OffScreen(!entry.is_intersecting()));
        }
    });
    let observer = embed
        .then(|| web_sys::IntersectionObserver::new(callback.as_ref().unchecked_ref()).ok())
        .flatten();
    if let (Some(observer), Ok(Some(root))) = (&observer, document.query_selector(".app")) {
        observer.observe(&root);
    }
    move || {
        drop(listener);
        if let Some(observer) = observer {
            observer.disconnect();
        }
        drop(callback);
    }
}

/// Whether the focused control uses this key itself, so it is no shortcut: every key typed
/// into a text box, select or editable text; the arrows, Page Up / Down, Home and End on a
/// slider (except ← / → on one marked `data-arrows-seek`: the timeline, where they travel the
/// page's 100 ms, a step of time one can see); Space and Enter on a button, a checkbox or a
/// summary.
fn control_keeps(e: &KeyboardEvent) -> bool {
    let Some(el) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    let key = e.key();
    let activates = key == " " || key == "Enter";
    match el.tag_name().to_ascii_lowercase().as_str() {
        "input" => match el.get_attribute("type").as_deref() {
            Some("range") => {
                let arrow = key == "ArrowLeft" || key == "ArrowRight";
                let moves = arrow
                    || matches!(
                        key.as_str(),
                        "ArrowUp" | "ArrowDown" | "PageUp" | "PageDown" | "Home" | "End"
                    );
                moves && !(arrow && el.has_attribute("data-arrows-seek"))
            }
            Some("checkbox") | Some("button") | Some("submit") => activates,
            _ => true,
        },
        "textarea" | "select" => true,
        "button" | "summary" => activates,
        _ => el.has_attribute("contenteditable"),
    }
}

/// Fullscreen on or off (W): the whole page, as a lecturer puts it on the projector. A
/// browser refuses it without a user's gesture; then nothing happens.
fn toggle_fullscreen() {
    let document = gloo::utils::document();
    if document.fullscreen_element().is_some() {
        document.exit_fullscreen();
    } else if let Some(root) = document.document_element() {
        let _ = root.request_fullscreen();
    }
}

/// The whole page.
#[component]
pub fn App() -> Html {
    let url = use_memo((), |_| {
        let url = UrlOptions::parse(
            &gloo::utils::window()
                .location()
                .search()
                .unwrap_or_default(),
        );
        if url.bench {
            bench::enable();
        }
        url
    });
    let model = {
        let url = url.clone();
        use_reducer(move || {
            let hash = gloo::utils::window().location().hash().unwrap_or_default();
            Model::new(
                &url,
                Some(hash.trim_start_matches('#')).filter(|h| !h.is_empty()),
            )
        })
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

    // The picture's painter, which the animation loop draws with on every frame, and one
    // animation loop for the page's lifetime.
    let painter = use_mut_ref(picture::Painter::default);
    {
        let (dispatch, painter) = (model.dispatcher(), painter.clone());
        widgets::use_once(Box::new(move || {
            Box::new(start_frame_loop(dispatch, painter))
        }));
    }

    // Keyboard shortcuts. Some keys mean something else in a tour or in lecture mode: the
    // listener, made once, reads both from this cell, which every render brings up to date.
    let modes = use_mut_ref(|| (false, false));
    *modes.borrow_mut() = (model.in_tour(), model.lecture);
    {
        let (dispatch, modes) = (model.dispatcher(), modes.clone());
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
                    if e.ctrl_key() || e.meta_key() || e.alt_key() || control_keeps(e) {
                        return;
                    }
                    let key = e.key();
                    if key == "w" || key == "W" {
                        e.prevent_default();
                        toggle_fullscreen();
                        return;
                    }
                    let (in_tour, lecture) = *modes.borrow();
                    if let Some(intent) = keys::intent_for(&key, in_tour, lecture) {
                        e.prevent_default();
                        dispatch.dispatch(Msg::Intent(intent));
                    }
                },
            );
            Box::new(move || drop(listener))
        }));
    }

    // The panels are drawn once the page has painted its first frame and the browser has a
    // moment to spare: the picture (and its mirror) show first, as soon as the page starts, and
    // the panels in the next idle time, at most `PANELS_WAIT_MS` later. Their first drawing is
    // the longest task of the start (about 240 ms on a phone-speed CPU: 4x slower than this
    // machine); a frame after the first, it left the page answering nothing just as the cluster
    // showed (measured on the load guard's link: the guard's tool, which asks the page several
    // times once it sees the cluster, finished a median 157 ms sooner over 15 runs with it
    // drawn at idle). On a desktop the idle time comes within a frame or two.
    let panels_shown = use_state_eq(|| false);
    {
        let panels_shown = panels_shown.clone();
        widgets::use_once(Box::new(move || {
            // A callback of the next animation frame runs before that frame is painted; the
            // idle time it asks for comes after.
            let after_paint = Closure::once_into_js(move || {
                let show = Closure::once_into_js(move || panels_shown.set(true));
                when_idle(show.unchecked_ref(), PANELS_WAIT_MS);
            });
            let _ = gloo::utils::window().request_animation_frame(after_paint.unchecked_ref());
            Box::new(|| {})
        }));
    }

    // The sandbox, shown again from the browser's back/forward cache (the reader went to the
    // full page and came Back): the page is as it was left, saying the full page is opening.
    // `pageshow` with `persisted` is the one sign of such a return (the page does not start
    // again); the model drops that notice.
    // And when the sandbox starts, a handover in the tab's name is dropped (one the full page
    // never took, or one another site planted): it is for the full page, once.
    #[cfg(not(feature = "full"))]
    {
        let on_intent = on_intent.clone();
        widgets::use_once(Box::new(move || {
            lite::drop_handover_name();
            let listener = EventListener::new(&gloo::utils::window(), "pageshow", move |e| {
                // PageTransitionEvent's `persisted`, read by name (no web-sys feature for one
                // field).
                let persisted = js_sys::Reflect::get(e, &"persisted".into())
                    .is_ok_and(|p| p.as_bool() == Some(true));
                if persisted {
                    on_intent.emit(Intent::BackFromFullPage);
                }
            });
            Box::new(move || drop(listener))
        }));
    }

    // The full page, once it runs: takes the run the lite page handed over, if any
    // (`scenario::handover`, in the tab's session storage or its name, taken out once), and
    // fetches a tour asked for in the URL (`?tour=NAME_OR_PATH`) or the one of a Share link
    // made in a tour.
    #[cfg(feature = "full")]
    {
        let source = url
            .tour
            .clone()
            .or_else(|| model.full.pending_tour.as_ref().map(|p| p.place.id.clone()));
        let on_intent = on_intent.clone();
        let handed_over = url.handover;
        widgets::use_once(Box::new(move || {
            if let Some(text) = take_handover(handed_over) {
                on_intent.emit(Intent::TakeHandover(text));
            }
            if let Some(source) = source {
                tour_panel::open(source, on_intent);
            }
            Box::new(|| ())
        }));
    }

    // Which heavy panels are on screen: those off it are brought up to date less often.
    {
        let dispatch = model.dispatcher();
        widgets::use_once(Box::new(move || Box::new(observe_panels(dispatch))));
    }
    // Time stands still while the tab is hidden (Page Visibility) and, embedded, while the
    // view is out of its host page's viewport (IntersectionObserver): no CPU for nobody.
    {
        let dispatch = model.dispatcher();
        let embed = url.embed;
        widgets::use_once(Box::new(move || {
            Box::new(watch_visibility(dispatch, embed))
        }));
    }
    let on_hover: Callback<Option<scene::Key>> = {
        let d = model.dispatcher();
        (*use_memo((), move |_| {
            Callback::from(move |k| d.dispatch(Msg::Hover(k)))
        }))
        .clone()
    };

    // The theme chosen, if one was (else the system's): `data-theme` on the app's root, where
    // style.css declares that theme's palette (`[data-theme=…]`).
    let dark = model.dark.unwrap_or(model.system_dark);
    let chosen_theme = model.dark.map(|d| if d { "dark" } else { "light" });

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
        None if m.in_tour() => Html::default(),
        None => html! { <>
            <tour_picker::TourPicker on_intent={on_intent.clone()} />
            { intro() }
        </> },
    };
    let theme_label = if dark { "Light theme" } else { "Dark theme" };
    let toggle_theme = widgets::on_click(&on_intent, Intent::ToggleTheme);
    // What the tour step spotlights: in the picture, and entries in the logs.
    let lit = m.spotlight();
    let lit_entries = lit
        .as_ref()
        .filter(|lit| !lit.entries.is_empty())
        .map(|lit| Rc::new(lit.entries.clone()));
    let scene_ui = scene::SceneUi {
        selected_server: m.selected_server,
        selected_message: m.selected_message,
        hover: m.hover,
        spotlight: lit.as_ref().map(|lit| scene::Spotlight {
            servers: lit.servers.clone(),
            messages: lit.messages,
            client: lit.client,
        }),
        reduced_motion: m.reduced_motion,
        catch_trail: state::catch_trail(m.speed),
        lecture: m.lecture,
    };
    // Who leads, in a box of fixed height (a longer sentence gets a box two lines high).
    let leader_text = leader_line(&m.view);
    let toggle_help = widgets::on_click(&on_intent, Intent::ToggleHelp);
    // The presets' names for the picker: the full page's presets (which may hold a file's
    // scenario), made once for each list of them, and its tour step panel and Share dialog;
    // the lite page lists `scenario::presets::NAMES` (choosing one opens the full page) and
    // has neither panel nor dialog.
    #[cfg(feature = "full")]
    let (preset_names, tour_step, share_dialog) = {
        let names: Rc<[AttrValue]> = (*use_memo(Rc::as_ptr(&m.full.presets) as usize, {
            let presets = m.full.presets.clone();
            move |_| -> Rc<[AttrValue]> {
                presets
                    .iter()
                    .map(|p| AttrValue::from(p.name.clone()))
                    .collect()
            }
        }))
        .clone();
        let share_dialog = m.full.share.as_ref().map(|data| {
            html! { <share::ShareDialog data={data.clone()} on_intent={on_intent.clone()} /> }
        });
        (names, tour_panel::step_panel(m, &on_intent), share_dialog)
    };
    #[cfg(not(feature = "full"))]
    let (preset_names, tour_step, share_dialog) = {
        let names: Rc<[AttrValue]> = (*use_memo((), |_| -> Rc<[AttrValue]> {
            crate::scenario::presets::NAMES
                .iter()
                .map(|(_, name)| AttrValue::Static(name))
                .collect()
        }))
        .clone();
        (names, Html::default(), None::<Html>)
    };
    let modal = m.help || share_dialog.is_some();
    // Embedded, a panel shows only when the embedding page asked for it (`?panels=`).
    let shows = |p: Panel| !m.embed || m.panels.contains(&p);
    let toggle_share = widgets::on_click(&on_intent, Intent::ToggleShare);
    let toggle_lecture = widgets::on_click(&on_intent, Intent::ToggleLecture);
    let toggle_play = widgets::on_click(&on_intent, Intent::TogglePlay);
    let on_drop = {
        let on_intent = on_intent.clone();
        Callback::from(move |e: DragEvent| files::read_dropped(&e, &on_intent))
    };
    // Dragging a file over the page must be allowed for a drop to happen.
    let on_drag_over = Callback::from(|e: DragEvent| e.prevent_default());
    let out = html! {
        // `data-now` (simulated time) and `data-messages` (messages in flight): for the tests.
        <div class={classes!("app", m.embed.then_some("embed"), m.lecture.then_some("lecture"))} data-theme={chosen_theme} data-playing={m.playing.to_string()} data-past={m.past.to_string()}
             data-now={m.now.to_string()} data-messages={m.view.messages.len().to_string()}
             ondrop={on_drop} ondragover={on_drag_over}>
            // While the help is open the page behind it is inert: no focus, no clicks (a modal).
            if !m.embed {
                <header class="app-header" inert={modal}>
                    <h1>{ "Raft Explorer" }</h1>
                    <p class="tagline">{ "A real Raft cluster, running in your browser." }</p>
                    <div class="header-actions">
                        <button onclick={toggle_share.clone()} title="Share a link to this moment, export, import (S)">{ "Share" }</button>
                        <button onclick={toggle_lecture} aria-pressed={m.lecture.to_string()} title="Lecture mode: everything bigger, high contrast, slower (M; W: fullscreen)">{ "Lecture" }</button>
                        <button onclick={toggle_help} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">{ "?" }</button>
                        <button onclick={toggle_theme} aria-label={theme_label}>{ if theme_label == "Light theme" { "☀" } else { "☾" } }</button>
                    </div>
                </header>
            } else {
                <div class="embed-bar" inert={modal}>
                    <button class="play" onclick={toggle_play} aria-label={if m.playing { "Pause" } else { "Play" }}>{ if m.playing { "❚❚" } else { "▶" } }</button>
                    <span class="now">{ seconds(m.now) }</span>
                    <button onclick={toggle_share.clone()}>{ "Share" }</button>
                </div>
            }
            if shows(Panel::Controls) {
            { timebar(&TimebarProps {
                now: m.now,
                horizon: m.horizon,
                playing: m.playing,
                speed: m.speed,
                seed: m.config.seed,
                servers: m.config.servers,
                presets: preset_names,
                preset: m.preset,
                inert: modal,
                on_intent: on_intent.clone(),
            }) }
            }
            { past_bar(m, &on_intent) }
            // The workspace: on a wide screen the picture and every server's log side by side,
            // in one view (the panels below the logs scroll); on a narrow one, one column.
            <main class="workspace" aria-label="Cluster" inert={modal}>
                <div class="stage">
                    // The picture fills this box, whose size the layout sets (style.css).
                    <div class="picture-cell">
                        <div class="picture">
                            <Picture view={m.view.clone()} now={m.now} ui={scene_ui} dark={dark}
                                     mirror_view={m.mirror_view.clone()} mirror_now={m.mirror_now}
                                     painter={painter} sim={Some(m.sim.clone())}
                                     on_intent={on_intent.clone()} on_hover={on_hover} />
                        </div>
                    </div>
                    <div class={classes!("leader-line", (leader_text.chars().count() > 48).then_some("long"))}>
                        <p class="fixed" aria-live="polite">{ leader_text }</p>
                    </div>
                    if !m.embed { { legend(LegendExtras::of(m)) } }
                </div>
                // Each panel sits in a box of its own: the panel itself is then no grid item,
                // and a fixed-size panel re-lays out alone when its content changes (style.css).
                if shows(Panel::Logs) {
                <div class="logs-cell" data-panel="0">
                    if *panels_shown {
                    <LogTable view={m.log_view.clone()} ghosts={m.ghosts.clone()} columns={m.columns} lit={lit_entries}
                              selected_server={m.selected_server} on_intent={on_intent.clone()} />
                    }
                </div>
                }
                <div class="panels">
                    if *panels_shown {
                    <div class="side">
                        { violation_banner(m, &on_intent) }
                        { tour_step }
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
                        if !m.embed { { side } }
                        if shows(Panel::Network) {
                            <NetworkPanel network={m.view.network.clone()} servers={n} on_intent={on_intent.clone()} />
                            <OptionsPanel read_mode={m.config.raft.read_mode} pre_vote={m.config.raft.pre_vote}
                                          check_quorum={m.config.raft.check_quorum}
                                          snapshot_threshold={m.config.raft.snapshots.threshold}
                                          clock_drift_ppm={m.config.max_clock_drift_ppm}
                                          lease_drift_bound_ppm={m.config.raft.lease_drift_bound_ppm}
                                          on_intent={on_intent.clone()} />
                        }
                    </div>
                    }
                    // The boxes are there from the start (the IntersectionObserver watches them).
                    if shows(Panel::Stores) {
                        <div class="fixed-panel" data-panel="1">
                            if *panels_shown { <KvStores view={m.kv_view.clone()} /> }
                        </div>
                    }
                    if shows(Panel::Clients) {
                        <div class="fixed-panel" data-panel="2">
                            if *panels_shown { <ClientPanel view={m.client_view.clone()} verdict={m.shown_verdict.clone()} on_intent={on_intent.clone()} /> }
                        </div>
                    }
                    if shows(Panel::Safety) {
                        <div class="fixed-panel">
                            if *panels_shown { <SafetyPanel rows={m.safety.clone()} verdict={m.shown_verdict.clone()} knobs={m.knobs_on()} on_intent={on_intent.clone()} /> }
                        </div>
                    }
                    if shows(Panel::Events) {
                        <div class="fixed-panel" data-panel="3">
                            if *panels_shown { <EventLog rows={m.shown_events.clone()} filter={m.filter.clone()} servers={n} on_intent={on_intent.clone()} /> }
                        </div>
                    }
                    if !m.embed { { footer() } }
                </div>
            </main>
            if m.help {
                <keys::HelpDialog on_intent={on_intent.clone()} />
            }
            if let Some(dialog) = share_dialog { { dialog } }
        </div>
    };
    bench::add("app_vdom", bench::now() - app_t0);
    out
}

/// The run the lite page handed over (`scenario::handover::KEY` in the tab's session storage,
/// or in its `window.name` where it has no storage), taken out so that it is taken once.
#[cfg(feature = "full")]
fn take_handover(handed_over: bool) -> Option<String> {
    use crate::scenario::handover::{from_window_name, KEY};
    let window = gloo::utils::window();
    // Taken once, or dropped, wherever it is: one left behind (the user went back before this
    // page started) must not replace the run of a later visit that did not bring it.
    let stored = window.session_storage().ok().flatten().and_then(|storage| {
        let text = storage.get_item(KEY).ok().flatten();
        let _ = storage.remove_item(KEY);
        text
    });
    let named = window
        .name()
        .ok()
        .and_then(|name| from_window_name(&name).map(str::to_owned));
    if named.is_some() {
        let _ = window.set_name("");
    }
    let text = stored.or(named);
    if !handed_over {
        return None;
    }
    // The mark has done its work: a reload or a bookmark of this address starts afresh.
    let location = window.location();
    let query = address::without_handover_mark(&location.search().unwrap_or_default());
    let path = location.pathname().unwrap_or_default();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{path}{query}")),
        );
    }
    text
}

/// Every violation is announced the same way, whichever check found it (Figure 3's
/// invariants or linearizability): this banner, time stopped, and a jump to the cause.
fn violation_banner(m: &Model, on_intent: &Callback<Intent>) -> Html {
    let (what, why, at) = match m.safety.iter().find(|r| r.violation.is_some()) {
        Some(row) => (row.name, row.violation.clone().unwrap_or_default(), row.at),
        None => match &*m.shown_verdict {
            intent::LinVerdict::Violated(why, at) => ("Linearizability", why.clone(), Some(*at)),
            _ => return Html::default(),
        },
    };
    html! {
        <div class="violation-banner" role="alert">
            <p><b>{ format!("✗ {what} violated. ") }</b>{ why }</p>
            if let Some(t) = at {
                <button onclick={widgets::on_click(on_intent, Intent::Seek(t))}>
                    { format!("Jump to the cause ({})", seconds(t)) }
                </button>
            }
        </div>
    }
}

/// Seconds of simulated time to a tenth, for sentences ("20.2 s").
pub(crate) fn seconds(t: crate::sim::Micros) -> String {
    format!("{} s", crate::sim::Decimal::seconds(t, 1))
}

/// While the picture shows the past, says so and what acting there does, before it does it;
/// after an action there discarded the recorded future, says so and offers to undo it.
fn past_bar(m: &Model, on_intent: &Callback<Intent>) -> Html {
    if !m.past && m.undo.is_none() {
        return Html::default();
    }
    let to_present = widgets::on_click(on_intent, Intent::Seek(crate::sim::Micros::MAX));
    let undo = widgets::on_click(on_intent, Intent::Undo);
    html! {
        <div class="past-bar" role="status" inert={m.help}>
            if m.past {
                <p class="past">
                    // One flex item: the sentence wraps as text, not after its bold start.
                    <span>
                        <b>{ "Viewing the past" }</b>
                        { format!(
                            ": {} of a run recorded up to {}. Acting here (a crash, a message, a command…) \
                             discards the {} recorded after this moment; playing replays it.",
                            seconds(m.now), seconds(m.horizon), seconds(m.horizon.saturating_sub(m.now))
                        ) }
                    </span>
                    <button onclick={to_present}>{ "Back to the present" }</button>
                </p>
            }
            if let Some(u) = &m.undo {
                <p class="discarded">
                    { format!(
                        "Your action at {} discarded the {} of run recorded after it: a new run goes on from there.",
                        seconds(u.at), seconds(u.discarded)
                    ) }
                    <button onclick={undo}>{ "Undo" }</button>
                </p>
            }
        </div>
    }
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
    match view.leader() {
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

/// The shapes of the picture, explained (static): what `picture`'s renderer draws for each
/// kind of scene item. Two short groups, a few lines high beside the picture.
/// Which entries beyond Figure 2 the legend explains: only what this run can draw, so the
/// legend (which shares the picture's box) does not grow for options that are off.
#[derive(Clone, Copy, Default)]
struct LegendExtras {
    pre_vote: bool,
    /// Reads without the log (§8): marked rounds and held reads.
    reads: bool,
    snapshots: bool,
    /// A leadership transfer was asked in this run: TimeoutNow.
    transfer: bool,
}

impl LegendExtras {
    fn of(m: &Model) -> LegendExtras {
        let raft = &m.config.raft;
        LegendExtras {
            pre_vote: raft.pre_vote,
            reads: raft.read_mode != crate::raft::ReadMode::Log,
            snapshots: raft.snapshots.threshold > 0,
            transfer: m
                .sim
                .borrow()
                .actions()
                .iter()
                .any(|a| matches!(a.action, crate::sim::Action::TransferLeadership { .. })),
        }
    }
}

fn legend(extra: LegendExtras) -> Html {
    html! { <>
        <p class="msg-legend" role="group" aria-label="What the messages mean">
            <span><b class="lg-rv">{ "RV" }</b>{ " RequestVote" }</span>
            if extra.pre_vote { <span><b class="lg-rv">{ "PV" }</b>{ " PreVote (could I win?)" }</span> }
            if extra.transfer { <span><b class="lg-rv">{ "TN" }</b>{ " TimeoutNow: stand now" }</span> }
            <span><b class="lg-yes">{ "✓" }</b><b class="lg-no">{ "✗" }</b>{ " vote" }</span>
            <span><b class="lg-hb">{ "○" }</b>{ " heartbeat" }</span>
            <span><b class="lg-ae">{ "+n" }</b>{ " AppendEntries, n entries" }</span>
            <span><b class="lg-ok">{ "✓" }</b><b class="lg-fail">{ "✗" }</b>{ " append ok / rejected" }</span>
            if extra.reads { <span><b class="lg-read">{ "R?" }</b><b class="lg-read">{ "R✓" }</b>{ " heartbeat a waiting read needs, its ack (§8)" }</span> }
            if extra.snapshots { <span><b class="lg-snap">{ "S@n" }</b>{ " InstallSnapshot chunk at byte n (§7)" }</span> }
            <span><b class="lg-client">{ "SET x 5" }</b>{ " client request, " }<b class="lg-client lg-reply">{ "ok" }</b>{ " reply (§8)" }</span>
            <span>{ "dashed: will be lost · second outline: duplicated" }</span>
        </p>
        <p class="msg-legend" role="group" aria-label="What the servers show">
            <span>{ "inside: role, term; below: vote (candidate: votes won)" }</span>
            if extra.reads { <span><b class="lg-read">{ "R? n" }</b>{ " by a leader: n reads waiting for their round" }</span> }
            <span>{ "double outline, flashing ring: leader" }</span>
            <span>{ "dashed: candidate · crossed: crashed · pause sign: paused" }</span>
            <span>{ "arc: election timer" }</span>
            <span>{ "shaded: partition groups; ✕ line: no link; ✕ arrow: cut one way" }</span>
        </p>
    </> }
}

/// What to try first (static).
fn intro() -> Html {
    html! {
        <section class="panel intro">
            <h2>{ "Try this" }</h2>
            <ol>
                <li>{ "Wait for a leader (thick outline). Its heartbeats pulse out to the followers." }</li>
                <li>{ "Click the leader, then " }<b>{ "Crash" }</b>{ ": a follower's timer runs out and a new leader wins a higher term." }</li>
                <li>{ "Partition the network, send " }<code>{ "SET x 5" }</code>{ " to each side: only the majority commits." }</li>
                <li>{ "Click any moving message to inspect, drop or duplicate it. Press " }<kbd>{ "?" }</kbd>{ " for keys." }</li>
            </ol>
        </section>
    }
}

/// The page's footer (static).
fn footer() -> Html {
    html! {
        <footer class="app-footer">
            <span>{ concat!("Raft Explorer v", env!("CARGO_PKG_VERSION")) }</span>
            <span>{ " · Diego Ongaro & John Ousterhout, “In Search of an Understandable Consensus Algorithm” (§ numbers refer to it)" }</span>
        </footer>
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

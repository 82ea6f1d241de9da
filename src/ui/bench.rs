//! Frame-cost measurement for `?bench` pages (tests/e2e/bench/frames.test.mjs) and the clock
//! the page reads.
//!
//! For every animation frame the page records the time from the start of the frame's work
//! (advance the simulator, build the view, one Yew render, drawing the picture) to after a
//! forced layout, in `window.__raftFrameCosts`, and a breakdown in `window.__raftProfile`
//! (name → total ms, summed from when the test last assigned a fresh object). What a frame is
//! being measured is kept on the page too (`window.__raftFrame`, present only on a `?bench`
//! page), not in Rust statics: the measuring lives where the test reads it.

use wasm_bindgen::{JsCast, JsValue};

/// performance.now(): wall-clock milliseconds since the page loaded.
pub fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn get(target: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(target, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn set(target: &JsValue, name: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(name), value);
}

/// The frame being measured (`{ start, panel }`), on a `?bench` page only.
fn frame() -> Option<JsValue> {
    let frame = get(&gloo::utils::window(), "__raftFrame");
    frame.is_object().then_some(frame)
}

/// Turns measuring on for this page (a `?bench` page).
pub fn enable() {
    let frame = js_sys::Object::new();
    set(&frame, "start", &JsValue::from_f64(-1.0));
    set(&gloo::utils::window(), "__raftFrame", &frame);
}

/// The animation frame's work starts now.
pub fn frame_started() {
    if let Some(frame) = frame() {
        set(&frame, "start", &JsValue::from_f64(now()));
        set(&frame, "panel", &JsValue::from_f64(9.0));
    }
}

/// The breakdown's name for a frame that showed a new model but brought no heavy panel up
/// to date (a frame that showed nothing new is `panel9`).
pub const SHOWN: u8 = 8;

/// The breakdown's name for a frame that brought the picture's accessible mirror up to date
/// with the last showing.
pub const MIRROR: u8 = 7;

/// What this frame did, for the per-frame breakdown: brought heavy panel `panel` up to date
/// (0 logs, 1 stores, 2 clients, 3 events), or the mirror (`MIRROR`), or showed a new model
/// (`SHOWN`).
pub fn set_panel(panel: u8) {
    if let Some(frame) = frame() {
        set(&frame, "panel", &JsValue::from_f64(f64::from(panel)));
    }
}

/// Adds `ms` to the breakdown under `name` (if a test asked for one).
pub fn add(name: &str, ms: f64) {
    if frame().is_none() {
        return;
    }
    let profile = get(&gloo::utils::window(), "__raftProfile");
    if profile.is_object() {
        let total = get(&profile, name).as_f64().unwrap_or(0.0);
        set(&profile, name, &JsValue::from_f64(total + ms));
    }
}

/// Called when the animation loop has done its part of the frame (the reducer, the picture
/// drawn): the frame's cost is taken after the render it may have scheduled (Yew renders in
/// a microtask; this one is queued after it).
pub fn frame_drawn() {
    if frame().is_none() {
        return;
    }
    let after_render = wasm_bindgen::closure::Closure::once_into_js(frame_done);
    gloo::utils::window().queue_microtask(after_render.unchecked_ref());
}

/// Forces layout, takes the frame's cost, then records it and the breakdown.
fn frame_done() {
    let Some(frame) = frame() else {
        return;
    };
    let start = get(&frame, "start").as_f64().unwrap_or(-1.0);
    if start < 0.0 {
        return;
    }
    set(&frame, "start", &JsValue::from_f64(-1.0));
    let rendered = now();
    if let Some(body) = gloo::utils::document().body() {
        // Force layout now so it is counted (the browser would do it anyway).
        let _ = body.offset_height();
    }
    let end = now();
    let (cost, layout) = (end - start, end - rendered);
    // The measured part ends here; what follows is bookkeeping.
    add("render", rendered - start);
    add("layout", layout);
    let panel = get(&frame, "panel").as_f64().unwrap_or(9.0);
    add(&format!("panel{panel}_ms"), cost);
    add(&format!("panel{panel}_n"), 1.0);
    add(&format!("panel{panel}_layout"), layout);
    let window = gloo::utils::window();
    let costs = get(&window, "__raftFrameCosts")
        .dyn_into::<js_sys::Array>()
        .unwrap_or_else(|_| {
            let a = js_sys::Array::new();
            set(&window, "__raftFrameCosts", &a);
            a
        });
    if costs.length() < 20_000 {
        costs.push(&JsValue::from_f64(cost));
        if let Ok(panels) = get(&window, "__raftFramePanels").dyn_into::<js_sys::Array>() {
            panels.push(&JsValue::from_f64(panel));
        }
    }
}

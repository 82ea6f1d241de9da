//! Frame-cost measurement for `?bench` pages (tests/e2e/bench/frames.test.mjs) and the clock
//! the page reads.
//!
//! For every animation frame the page records the time from the start of the frame's work
//! (advance the simulator, build the view, one Yew render) to after a forced layout, in
//! `window.__raftFrameCosts`, and a breakdown in `window.__raftProfile` (name → total ms).
//! The breakdown is summed here in Rust and copied to the page only after the frame's cost
//! has been taken, so the bookkeeping is not part of what it measures.

use std::cell::{Cell, RefCell};
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    static PERFORMANCE: Option<web_sys::Performance> =
        web_sys::window().and_then(|w| w.performance());
    /// True on a `?bench` page: only then is anything recorded.
    static ENABLED: Cell<bool> = const { Cell::new(false) };
    /// performance.now() when the current animation frame's work started (-1: none).
    static FRAME_START: Cell<f64> = const { Cell::new(-1.0) };
    /// Which heavy panel the current frame brought up to date (0 logs, 1 stores, 2 clients,
    /// 3 events; 9 none).
    static PANEL: Cell<u8> = const { Cell::new(9) };
    /// Totals (ms) by name since the page last reset `window.__raftProfile`.
    static TOTALS: RefCell<Vec<(&'static str, f64)>> = const { RefCell::new(Vec::new()) };
    /// The totals as last copied to the page, and the `window.__raftProfile` object they were
    /// copied to.
    static PUBLISHED: RefCell<Vec<(&'static str, f64)>> = const { RefCell::new(Vec::new()) };
    static PROFILE_OBJECT: RefCell<JsValue> = const { RefCell::new(JsValue::UNDEFINED) };
}

/// performance.now(): wall-clock milliseconds since the page loaded.
pub fn now() -> f64 {
    PERFORMANCE.with(|p| p.as_ref().map(|p| p.now()).unwrap_or(0.0))
}

pub fn set_enabled(on: bool) {
    ENABLED.with(|e| e.set(on));
}

pub fn enabled() -> bool {
    ENABLED.with(|e| e.get())
}

/// The animation frame's work starts now.
pub fn frame_started() {
    if enabled() {
        FRAME_START.with(|s| s.set(now()));
    }
}

/// When the current frame's work started, if a frame is being measured.
pub fn frame_start() -> Option<f64> {
    let start = FRAME_START.with(|s| s.get());
    (start >= 0.0).then_some(start)
}

/// This frame brought heavy panel `panel` up to date (for the per-panel breakdown).
pub fn set_panel(panel: u8) {
    if enabled() {
        PANEL.with(|p| p.set(panel));
    }
}

/// Adds `ms` to the breakdown under `name`.
pub fn add(name: &'static str, ms: f64) {
    if !enabled() {
        return;
    }
    TOTALS.with(|t| {
        let mut t = t.borrow_mut();
        match t.iter_mut().find(|(n, _)| *n == name) {
            Some((_, total)) => *total += ms,
            None => t.push((name, ms)),
        }
    });
}

const PANEL_MS: [&str; 5] = [
    "panel0_ms",
    "panel1_ms",
    "panel2_ms",
    "panel3_ms",
    "panel9_ms",
];
const PANEL_N: [&str; 5] = ["panel0_n", "panel1_n", "panel2_n", "panel3_n", "panel9_n"];
const PANEL_LAYOUT: [&str; 5] = [
    "panel0_layout",
    "panel1_layout",
    "panel2_layout",
    "panel3_layout",
    "panel9_layout",
];

/// Called after the frame's render (from an effect): forces layout, takes the frame's cost,
/// then publishes it and the breakdown to the page.
pub fn frame_rendered() {
    let Some(start) = frame_start() else {
        return;
    };
    FRAME_START.with(|s| s.set(-1.0));
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
    let panel = PANEL.with(|p| p.replace(9)).min(4) as usize;
    add(PANEL_MS[panel], cost);
    add(PANEL_N[panel], 1.0);
    add(PANEL_LAYOUT[panel], layout);
    let window = gloo::utils::window();
    let costs_key = JsValue::from_str("__raftFrameCosts");
    let costs = js_sys::Reflect::get(&window, &costs_key)
        .ok()
        .and_then(|v| v.dyn_into::<js_sys::Array>().ok())
        .unwrap_or_else(|| {
            let a = js_sys::Array::new();
            let _ = js_sys::Reflect::set(&window, &costs_key, &a);
            a
        });
    if costs.length() < 20_000 {
        costs.push(&JsValue::from_f64(cost));
    }
    publish_totals(&window);
}

/// Copies the totals into `window.__raftProfile`. The test resets it by assigning a new object:
/// then the totals start again from this frame.
fn publish_totals(window: &web_sys::Window) {
    let object = js_sys::Reflect::get(window, &JsValue::from_str("__raftProfile"))
        .unwrap_or(JsValue::UNDEFINED);
    if !object.is_object() {
        // No breakdown asked for yet: what was summed so far counts as published (a later
        // object starts from the frame it appears in).
        TOTALS.with(|t| PUBLISHED.with(|p| p.borrow_mut().clone_from(&t.borrow())));
        return;
    }
    let fresh = PROFILE_OBJECT.with(|o| *o.borrow() != object);
    TOTALS.with(|t| {
        let mut totals = t.borrow_mut();
        PUBLISHED.with(|p| {
            let mut published = p.borrow_mut();
            if fresh {
                // Reset since the last frame: only this frame's share counts.
                for (name, total) in totals.iter_mut() {
                    if let Some((_, before)) = published.iter().find(|(n, _)| n == name) {
                        *total -= before;
                    }
                }
            }
            for (name, total) in totals.iter() {
                let _ = js_sys::Reflect::set(
                    &object,
                    &JsValue::from_str(name),
                    &JsValue::from_f64(*total),
                );
            }
            published.clone_from(&totals);
        });
    });
    PROFILE_OBJECT.with(|o| *o.borrow_mut() = object);
}

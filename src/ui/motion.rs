//! Motion handed to the browser's compositor: what moves or fades at a steady rate between
//! two simulated instants (a message on its way, an election timer draining, the leader's
//! heartbeat ring fading) is a Web Animation timed against simulated time.
//!
//! Why: redrawing them from script every frame cost a style recalculation, a repaint and a
//! new compositor frame on every animation frame, even when nothing happened in the
//! simulator. An animation of `transform` or `opacity` runs on the compositor: the page does
//! work only when something happens (a message sent or delivered, a timer reset) or when the
//! relation between wall-clock and simulated time changes (pause, seek, speed, a late frame).
//!
//! Nothing is faked: the simulator stays the source of truth. Every animation is a straight
//! line in time from the state at `span.from` to the state at `span.until`, which is exactly
//! how the picture computed those positions frame by frame before (`geometry::progress`),
//! and it is re-timed from the model's `TimeBase` whenever that changes.

use crate::sim::{Decimal, Micros};
use wasm_bindgen::prelude::*;
use web_sys::{Animation, Element};

#[wasm_bindgen]
extern "C" {
    /// An element, for `animate` (web-sys has `Element.animate` only among its unstable APIs).
    type Animatable;
    #[wasm_bindgen(method)]
    fn animate(this: &Animatable, keyframes: &JsValue, options: &JsValue) -> Animation;
}

/// How the picture's time relates to the wall clock.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeBase {
    /// Simulated time per wall-clock time (1 = real time).
    pub speed: f64,
    /// While time runs: an instant of the document timeline (ms, the time
    /// requestAnimationFrame gives a frame) and the simulated time at that instant; from it
    /// simulated time runs at `speed`. None: the picture holds still at the model's `now`
    /// (paused, or until the next frame fixes the instant).
    pub anchor: Option<(f64, Micros)>,
}

impl TimeBase {
    pub const STILL: TimeBase = TimeBase {
        speed: 1.0,
        anchor: None,
    };

    /// Whether the picture moves by itself (animations run) rather than holding still.
    pub fn running(&self) -> bool {
        self.anchor.is_some()
    }
}

/// A steady change from simulated time `from` (progress 0) to `until` (progress 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span {
    pub from: Micros,
    pub until: Micros,
}

/// Every animation lasts this long (ms) at playback rate 1; `retime` sets the rate that
/// makes it last its span at the page's speed. So a new span for the same keyframes (a timer
/// reset, a new heartbeat) changes only the rate and the start time: the animation, and the
/// compositor layer it keeps, stay.
const DURATION_MS: f64 = 1000.0;

/// Starts an animation of `element` through `keyframes` (JSON: a list of keyframe objects,
/// evenly spaced unless they give an `offset`) over `span`, timed by `time`; `now` is the
/// simulated time the picture shows (used when it holds still).
pub fn start(
    element: &Element,
    keyframes: &str,
    span: Span,
    time: &TimeBase,
    now: Micros,
) -> Option<Animation> {
    let keyframes = js_sys::JSON::parse(keyframes).ok()?;
    // Filled at both ends: before its span the element shows the first keyframe, after it
    // the last.
    let options = js_sys::JSON::parse(r#"{"duration":1000,"fill":"both"}"#).ok()?;
    let animation = element
        .unchecked_ref::<Animatable>()
        .animate(&keyframes, &options);
    retime(&animation, span, time, now);
    Some(animation)
}

/// Makes `animation` run over `span` (a new one, or the same) as `time` says.
pub fn retime(animation: &Animation, span: Span, time: &TimeBase, now: Micros) {
    let span_ms = span.until.saturating_sub(span.from).max(1) as f64 / 1000.0;
    let progress_per_sim_ms = DURATION_MS / span_ms;
    match time.anchor {
        Some((wall, sim)) => {
            animation.set_playback_rate(time.speed * progress_per_sim_ms);
            // Progress 0 at simulated time `span.from`, i.e. at this instant of the timeline.
            // Setting the start time also sets a paused animation running.
            let start = wall + (span.from as f64 - sim as f64) / 1000.0 / time.speed;
            animation.set_start_time(Some(start));
        }
        None => {
            let _ = animation.pause();
            let elapsed_ms = now.saturating_sub(span.from) as f64 / 1000.0;
            animation.set_current_time(Some(elapsed_ms * progress_per_sim_ms));
        }
    }
}

/// A point of the picture (in its units) as a translation of a box as big as the picture:
/// a percentage of the box's own size. Two decimals of a percent are finer than a pixel.
pub fn translate(x: f64, y: f64) -> String {
    let percent = |v: f64| Decimal::round(v * 100.0 / super::geometry::VIEW_SIZE, 2).trimmed();
    format!("translate({}%,{}%)", percent(x), percent(y))
}

/// Keyframes moving a box from `from` to `to` (points of the picture), for `start`.
pub fn move_keyframes(from: (f64, f64), to: (f64, f64)) -> String {
    format!(
        r#"[{{"transform":"{}"}},{{"transform":"{}"}}]"#,
        translate(from.0, from.1),
        translate(to.0, to.1)
    )
}

//! What shows time while it runs, drawn without Yew: in the cluster picture the messages in
//! flight (through `MessageLayer`), election timers draining, the leader's heartbeat ring
//! fading and client requests and replies on their way; in the time bar the clock, the
//! scrubber and its end label.
//!
//! Why: most animation frames bring no simulator event, only a later time. Re-rendering the
//! page through Yew for those (comparing the whole virtual DOM to find that only positions
//! changed) cost more than the drawing itself. So the model skips the render on such frames
//! (`state::Model::shows_same`) and calls `paint_motion` with the new time; after every
//! render the picture and the page hand this module their elements and it paints too.
//! Everything painted is computed from the simulator's view and the time, as before; Yew
//! renders the elements, this module owns only the attributes and texts that move (`style`
//! of timers and boxes, `stroke-opacity` of the ring, the clock's text, the scrubber's value,
//! end and spoken value), which Yew never sets.

use super::geometry::{progress, time_label, timer_left};
use super::message_layer::{box_position, MessageLayer};
use crate::raft::types::{Message, Role};
use crate::sim::{ClusterView, Decimal, MessageId, Micros, ServerStatus};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use web_sys::Element;

/// How long the heartbeat ring takes to fade after an AppendEntries goes out (simulated µs).
const BEAT_FADE: Micros = 30_000;

/// A client request or reply's journey: from and to (points of the picture), and when.
#[derive(Clone, Copy, PartialEq)]
pub struct Journey {
    pub from: (f64, f64),
    pub to: (f64, f64),
    pub sent_at: Micros,
    pub arrive_at: Micros,
}

/// An element and the value last written to its moving attribute or style property (so a
/// frame that would write the same value writes nothing).
struct Moving<T> {
    element: Element,
    what: T,
    written: Option<i64>,
    /// The element's inline style, once a style property was written.
    style: Option<web_sys::CssStyleDeclaration>,
}

impl<T: PartialEq> Moving<T> {
    /// `element` showing `what`, keeping what was last written to it if a render before
    /// showed the same there (Yew leaves the moving attributes alone).
    fn kept(old: &[Moving<T>], element: Element, what: T) -> Moving<T> {
        let written = old
            .iter()
            .find(|m| m.element == element && m.what == what)
            .and_then(|m| m.written);
        Moving {
            element,
            what,
            written,
            style: None,
        }
    }

    fn write(&mut self, value: i64, attribute: &str, text: impl FnOnce() -> String) {
        if self.written != Some(value) {
            self.written = Some(value);
            let _ = self.element.set_attribute(attribute, &text());
        }
    }

    /// Like `write`, for a property of the element's inline style. Through the style object
    /// (CSSOM), not the `style` attribute: the browser then restyles from the one changed
    /// property instead of re-parsing the whole inline style.
    fn write_style(&mut self, value: i64, property: &str, text: impl FnOnce() -> String) {
        if self.written != Some(value) {
            self.written = Some(value);
            let element = &self.element;
            // `style` of an HTML or SVG element alike (web-sys calls it by name).
            let style = self
                .style
                .get_or_insert_with(|| element.unchecked_ref::<web_sys::SvgElement>().style());
            let _ = style.set_property(property, &text());
        }
    }
}

/// The cluster picture's moving parts, as of its last render.
#[derive(Default)]
pub struct Motion {
    messages: MessageLayer,
    message_layer: Option<Element>,
    view: Option<Rc<ClusterView>>,
    selected: Option<MessageId>,
    rim: f64,
    /// Each running election timer: when it started and when it fires.
    timers: Vec<Moving<(Micros, Micros)>>,
    /// The live leader's ring: when its latest AppendEntries went out.
    rings: Vec<Moving<Option<Micros>>>,
    pills: Vec<Moving<Journey>>,
}

thread_local! {
    /// The painter of the page's cluster picture (the last one rendered).
    static PAINTER: RefCell<Weak<RefCell<Motion>>> = const { RefCell::new(Weak::new()) };
}

/// Paints the cluster picture and the time bar at simulated time `now` (a frame without a
/// render).
pub fn paint_motion(now: Micros) {
    let painter = PAINTER.with(|p| p.borrow().upgrade());
    if let Some(motion) = painter {
        motion.borrow_mut().paint(now);
    }
    TIME.with(|t| {
        if let Some(time) = t.borrow_mut().as_mut() {
            time.horizon = time.horizon.max(now);
            time.paint(now);
        }
    });
}

/// The time bar's moving parts: the clock, the scrubber (value, end, spoken value) and the
/// end label. Yew renders them empty; they are written here, when what they show changes
/// (`timebar::shown_time`: the clock steps ten times a second of wall time while playing).
struct TimeBar {
    clock: Element,
    slider: web_sys::HtmlInputElement,
    end: Element,
    horizon: Micros,
    playing: bool,
    speed: f64,
    written: Option<(Micros, u64, u64, bool)>,
}

thread_local! {
    static TIME: RefCell<Option<TimeBar>> = const { RefCell::new(None) };
}

/// After a render of the page: takes the time bar's elements and what it shows, and paints
/// it at `now`.
pub fn time_rendered(now: Micros, horizon: Micros, playing: bool, speed: f64) {
    let document = gloo::utils::document();
    let find = |selector: &str| document.query_selector(selector).ok().flatten();
    let (Some(clock), Some(slider), Some(end)) = (
        find(".timebar .now .fixed"),
        find(".timebar .scrub-track input").and_then(|e| e.dyn_into().ok()),
        find(".timebar .horizon .fixed"),
    ) else {
        return;
    };
    TIME.with(|t| {
        let mut t = t.borrow_mut();
        // A render rewrites nothing here, so what was written stands while the elements do.
        let written = t
            .take()
            .filter(|old| old.clock == clock && old.slider == slider && old.end == end)
            .and_then(|old| old.written);
        let mut bar = TimeBar {
            clock,
            slider,
            end,
            horizon,
            playing,
            speed,
            written,
        };
        bar.paint(now);
        *t = Some(bar);
    });
}

impl TimeBar {
    fn paint(&mut self, now: Micros) {
        let shown = super::timebar::shown_time(now, self.horizon, self.playing, self.speed);
        if self.written == Some(shown) {
            return;
        }
        let before = self.written.replace(shown);
        let (clock, slider_ms, end_ms, live) = shown;
        if before.map(|b| b.0) != Some(clock) {
            self.clock.set_text_content(Some(&time_label(clock)));
        }
        if before.map(|b| (b.1, b.2)) != Some((slider_ms, end_ms)) {
            // The end first: a value beyond the old end would be clamped to it.
            let _ = self.slider.set_attribute("max", &end_ms.to_string());
            self.slider.set_value(&slider_ms.to_string());
            let _ = self
                .slider
                .set_attribute("aria-valuetext", &time_label(slider_ms * 1000));
        }
        let end_label = if live {
            "live".to_string()
        } else {
            time_label(self.horizon.max(now))
        };
        if self.end.text_content().as_deref() != Some(end_label.as_str()) {
            self.end.set_text_content(Some(&end_label));
        }
    }
}

impl Motion {
    /// After a render of the picture: takes its elements and view, becomes the page's
    /// painter, and paints at `now`. `svg`: the picture, whose `g.server` groups come in the
    /// view's order; `traffic`: the boxes of `journeys`, in order.
    #[allow(clippy::too_many_arguments)]
    pub fn rendered(
        this: &Rc<RefCell<Motion>>,
        view: Rc<ClusterView>,
        now: Micros,
        rim: f64,
        selected: Option<MessageId>,
        svg: Option<Element>,
        message_layer: Option<Element>,
        traffic: Option<(Element, Vec<Journey>)>,
    ) {
        let mut motion = this.borrow_mut();
        let old_timers = std::mem::take(&mut motion.timers);
        let old_rings = std::mem::take(&mut motion.rings);
        if let Some(groups) = svg.and_then(|s| s.query_selector_all("g.server").ok()) {
            for (i, s) in view.servers.iter().enumerate() {
                let Some(group) = groups
                    .item(i as u32)
                    .and_then(|g| g.dyn_into::<Element>().ok())
                else {
                    break;
                };
                if let (Ok(Some(timer)), Some(started), Some(deadline)) = (
                    group.query_selector(".timer"),
                    s.election_timer_started,
                    s.election_deadline,
                ) {
                    let timer = Moving::kept(&old_timers, timer, (started, deadline));
                    motion.timers.push(timer);
                }
                if let Ok(Some(ring)) = group.query_selector(".pulse") {
                    let last_append = (s.role == Role::Leader && s.status == ServerStatus::Up)
                        .then(|| {
                            view.messages
                                .iter()
                                .filter(|m| {
                                    m.from == s.id
                                        && matches!(*m.message, Message::AppendEntries(_))
                                })
                                .map(|m| m.sent_at)
                                .max()
                        })
                        .flatten();
                    let ring = Moving::kept(&old_rings, ring, last_append);
                    motion.rings.push(ring);
                }
            }
        }
        // Pills keep their element (keyed), and so what was written to it.
        let old_pills = std::mem::take(&mut motion.pills);
        if let Some((layer, journeys)) = traffic {
            let boxes = layer.children();
            for (i, journey) in journeys.into_iter().enumerate() {
                let Some(element) = boxes.item(i as u32) else {
                    break;
                };
                let pill = Moving::kept(&old_pills, element, journey);
                motion.pills.push(pill);
            }
        }
        motion.view = Some(view);
        motion.selected = selected;
        motion.rim = rim;
        motion.message_layer = message_layer;
        motion.paint(now);
        PAINTER.with(|p| *p.borrow_mut() = Rc::downgrade(this));
    }

    fn paint(&mut self, now: Micros) {
        let t0 = super::bench::now();
        if let (Some(layer), Some(view)) = (&self.message_layer, &self.view) {
            self.messages
                .sync(layer, view, now, self.rim, self.selected);
        }
        // The election timer drains clockwise from the top: a dash of its circle (measured
        // as 1000 long) whose length is the time left.
        for timer in &mut self.timers {
            let (started, deadline) = timer.what;
            let dash = (timer_left(started, deadline, now) * 1000.0).round() as i64;
            timer.write_style(dash, "stroke-dasharray", || format!("{dash} 1000"));
        }
        // The ring is bright just after an AppendEntries went out and fades (stroke-opacity,
        // not opacity, which would add a compositing effect node).
        for ring in &mut self.rings {
            let bright = ring.what.map_or(0.0, |sent| {
                1.0 - now.saturating_sub(sent) as f64 / BEAT_FADE as f64
            });
            let hundredths = (bright.max(0.0) * 100.0).round() as i64;
            ring.write(hundredths, "stroke-opacity", || {
                Decimal::round(hundredths as f64 / 100.0, 2).to_string()
            });
        }
        for pill in &mut self.pills {
            let j = pill.what;
            let f = progress(j.sent_at, j.arrive_at, now);
            let (x, y) = (
                j.from.0 + (j.to.0 - j.from.0) * f,
                j.from.1 + (j.to.1 - j.from.1) * f,
            );
            let (tx, ty) = ((x * 10.0).round() as i64, (y * 10.0).round() as i64);
            pill.write_style(tx * 100_000 + ty, "transform", || box_position(x, y));
        }
        super::bench::add("messages", super::bench::now() - t0);
    }
}

//! What moves, drawn without Yew, from the newest picture of the cluster on every animation
//! frame: in the cluster picture the messages in flight (`MessageLayer`), election timers
//! draining, the leader's heartbeat ring fading, and the clients with their requests and
//! replies (`TrafficLayer`); beside it the leader line and the count of messages; in the time
//! bar the clock, the scrubber and its end label.
//!
//! Why: most animation frames bring no change Yew draws, only a later time or traffic (at 1×
//! a busy cluster sends, delivers and answers something nearly every frame). Re-rendering the
//! page through Yew for those (comparing the whole virtual DOM to find that only positions
//! changed) cost more than the drawing itself. So the model renders only when what Yew draws
//! changed (`state::Model::shows_same`, `cluster::draws_same`), and calls `paint_motion`
//! with the newest picture and time on every frame; after every render the picture and the
//! page hand this module their elements and it paints too. Everything painted is computed
//! from the simulator's view and the time. Yew renders the elements, this module owns only
//! what moves (the inline style of timers and boxes, set through CSSOM; the ring's
//! `stroke-opacity`; the children of the message, traffic and client layers; the texts of
//! the clock, end label and leader line; the scrubber's value, end and spoken value; the
//! page's `data-now` and `data-messages`), which Yew never sets.

use super::geometry::{time_label, timer_left};
use super::message_layer::MessageLayer;
use super::traffic::{ClientsGroup, TrafficLayer};
use crate::raft::types::{Message, Role};
use crate::sim::{ClusterView, Decimal, MessageId, Micros, ServerStatus};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use web_sys::Element;

/// How long the heartbeat ring takes to fade after an AppendEntries goes out (simulated µs).
const BEAT_FADE: Micros = 30_000;

/// An element and the value last written to its moving attribute or style property (so a
/// frame that would write the same value writes nothing).
struct Moving {
    element: Element,
    written: Option<i64>,
    /// The element's inline style, once a style property was written.
    style: Option<web_sys::CssStyleDeclaration>,
}

impl Moving {
    /// `element`, written again at the next paint (renders are rare: only when what Yew
    /// draws changes).
    fn new(element: Element) -> Moving {
        Moving {
            element,
            written: None,
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
            let style = self
                .style
                .get_or_insert_with(|| super::message_layer::style_of(element));
            let _ = style.set_property(property, &text());
        }
    }
}

/// The cluster picture's moving parts: its elements as of its last render, and the newest
/// picture of the cluster.
#[derive(Default)]
pub struct Motion {
    messages: MessageLayer,
    message_layer: Option<Element>,
    traffic: TrafficLayer,
    traffic_layer: Option<Element>,
    /// The `<g>` the client group is drawn into.
    clients_layer: Option<Element>,
    clients: ClientsGroup,
    view: Option<Rc<ClusterView>>,
    selected: Option<MessageId>,
    rim: f64,
    /// The election timer of the server at this index of the view (drawn while it runs).
    timers: Vec<(usize, Moving)>,
    /// The heartbeat ring of the live leader at this index of the view.
    rings: Vec<(usize, Moving)>,
}

/// What paints for one model: its cluster picture (which registers its `Motion` after each
/// render) and the page's moving parts (registered by `page_rendered`). A slot per model, so
/// a picture or page mounted elsewhere (as in the browser tests, or a second app on one
/// page) is never painted from another model's cluster.
#[derive(Default)]
pub struct PainterSlot {
    motion: Weak<RefCell<Motion>>,
    page: Option<Page>,
}

pub type Painter = Rc<RefCell<PainterSlot>>;

/// Paints the cluster picture registered in `painter`, the leader line and the time bar at
/// simulated time `now`, from `view` (the newest picture of the cluster) or, without one,
/// from the picture they were last painted from.
pub fn paint_motion(painter: &Painter, now: Micros, view: Option<&Rc<ClusterView>>) {
    let motion = painter.borrow().motion.upgrade();
    if let Some(motion) = motion {
        let mut motion = motion.borrow_mut();
        if let Some(view) = view {
            motion.view = Some(view.clone());
        }
        motion.paint(now);
    }
    if let Some(page) = painter.borrow_mut().page.as_mut() {
        page.horizon = page.horizon.max(now);
        if let Some(view) = view {
            page.view = Some(view.clone());
        }
        page.paint(now);
    }
}

/// The page's moving parts outside the picture: in the time bar the clock, the scrubber
/// (value, end, spoken value) and the end label; beside the picture the leader line; on the
/// page the simulated time and the count of messages in flight (`data-now`,
/// `data-messages`). Yew renders them empty; they are written here, when what they show
/// changes (`timebar::shown_time`: the clock steps ten times a second of wall time while
/// playing).
struct Page {
    clock: Element,
    slider: web_sys::HtmlInputElement,
    end: Element,
    horizon: Micros,
    playing: bool,
    speed: f64,
    written: Option<(Micros, u64, u64, bool)>,
    /// `.app`, `.leader-line` and its text, and the newest picture of the cluster.
    app: Element,
    leader_box: Element,
    leader_text: Element,
    view: Option<Rc<ClusterView>>,
    /// The picture the leader line and the count were last painted from.
    painted_from: Option<Rc<ClusterView>>,
    leader_written: String,
    messages_written: Option<usize>,
    now_written: Option<Micros>,
}

/// After a render of the page (`app`, its root element): takes the elements of its moving
/// parts and what they show, registers them in `painter`, and paints them at `now`.
pub fn page_rendered(
    painter: &Painter,
    app: Option<Element>,
    now: Micros,
    horizon: Micros,
    playing: bool,
    speed: f64,
    view: Rc<ClusterView>,
) {
    let Some(app) = app else {
        return;
    };
    let find = |selector: &str| app.query_selector(selector).ok().flatten();
    let (Some(clock), Some(slider), Some(end), Some(leader_box), Some(leader_text)) = (
        find(".timebar .now .fixed"),
        find(".timebar .scrub-track input").and_then(|e| e.dyn_into().ok()),
        find(".timebar .horizon .fixed"),
        find(".leader-line"),
        find(".leader-line .fixed"),
    ) else {
        return;
    };
    // Written again at the next paint (renders are rare), except the leader line: its
    // text is read back, so an unchanged sentence is not announced again (aria-live).
    let leader_written = leader_text.text_content().unwrap_or_default();
    let mut page = Page {
        clock,
        slider,
        end,
        horizon,
        playing,
        speed,
        written: None,
        app,
        leader_box,
        leader_text,
        view: Some(view),
        painted_from: None,
        leader_written,
        messages_written: None,
        now_written: None,
    };
    page.paint(now);
    painter.borrow_mut().page = Some(page);
}

impl Page {
    fn paint(&mut self, now: Micros) {
        // The simulated time, exactly (the tests wait on it).
        if self.now_written != Some(now) {
            self.now_written = Some(now);
            let _ = self.app.set_attribute("data-now", &now.to_string());
        }
        let new_view = match (&self.view, &self.painted_from) {
            (Some(view), Some(from)) if Rc::ptr_eq(view, from) => None,
            (view, _) => view.clone(),
        };
        if let Some(view) = new_view {
            // Who leads, in a box of fixed height: the text changes with every commit, and
            // the page around it is not re-laid out for that. Longer sentences (no leader, or
            // another server also believes it leads) get a box two lines high.
            let text = super::leader_line(&view);
            if text != self.leader_written {
                let long = text.chars().count() > 48;
                let was_long = self.leader_written.chars().count() > 48;
                if long != was_long || self.leader_written.is_empty() {
                    let _ = self.leader_box.set_attribute(
                        "class",
                        if long {
                            "leader-line long"
                        } else {
                            "leader-line"
                        },
                    );
                }
                self.leader_text.set_text_content(Some(&text));
                self.leader_written = text;
            }
            let in_flight = view.messages.len();
            if self.messages_written != Some(in_flight) {
                self.messages_written = Some(in_flight);
                let _ = self
                    .app
                    .set_attribute("data-messages", &in_flight.to_string());
            }
            self.painted_from = Some(view);
        }
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

/// The picture's layers whose children are drawn here.
pub struct Layers {
    /// The picture; its `g.server` groups come in the view's order.
    pub svg: Option<Element>,
    pub messages: Option<Element>,
    pub traffic: Option<Element>,
    /// The `<g>` in the picture the client group is drawn into.
    pub clients: Option<Element>,
}

impl Motion {
    /// After a render of the picture: takes its elements and the newest picture of the
    /// cluster, registers in `painter`, and paints at `now`.
    pub fn rendered(
        this: &Rc<RefCell<Motion>>,
        painter: &Painter,
        view: Rc<ClusterView>,
        now: Micros,
        rim: f64,
        selected: Option<MessageId>,
        layers: Layers,
    ) {
        let mut motion = this.borrow_mut();
        motion.timers.clear();
        motion.rings.clear();
        if let Some(groups) = layers
            .svg
            .and_then(|s| s.query_selector_all("g.server").ok())
        {
            for i in 0..groups.length() {
                let Some(group) = groups.item(i).and_then(|g| g.dyn_into::<Element>().ok()) else {
                    break;
                };
                let i = i as usize;
                if let Ok(Some(timer)) = group.query_selector(".timer") {
                    motion.timers.push((i, Moving::new(timer)));
                }
                if let Ok(Some(ring)) = group.query_selector(".pulse") {
                    motion.rings.push((i, Moving::new(ring)));
                }
            }
        }
        motion.clients_layer = layers.clients;
        motion.view = Some(view);
        motion.selected = selected;
        motion.rim = rim;
        motion.message_layer = layers.messages;
        motion.traffic_layer = layers.traffic;
        motion.paint(now);
        painter.borrow_mut().motion = Rc::downgrade(this);
    }

    fn paint(&mut self, now: Micros) {
        let t0 = super::bench::now();
        let Some(view) = self.view.clone() else {
            return;
        };
        if let Some(layer) = &self.message_layer {
            self.messages
                .sync(layer, &view, now, self.rim, self.selected);
        }
        // The election timer drains clockwise from the top: a dash of its circle (measured
        // as 1000 long) whose length is the time left.
        for (i, timer) in &mut self.timers {
            let Some(s) = view.servers.get(*i) else {
                continue;
            };
            if let (Some(started), Some(deadline)) = (s.election_timer_started, s.election_deadline)
            {
                let dash = (timer_left(started, deadline, now) * 1000.0).round() as i64;
                timer.write_style(dash, "stroke-dasharray", || format!("{dash} 1000"));
            }
        }
        // The ring is bright just after an AppendEntries went out and fades (stroke-opacity,
        // not opacity, which would add a compositing effect node).
        for (i, ring) in &mut self.rings {
            let Some(s) = view.servers.get(*i) else {
                continue;
            };
            let last_append = (s.role == Role::Leader && s.status == ServerStatus::Up)
                .then(|| {
                    view.messages
                        .iter()
                        .filter(|m| {
                            m.from == s.id && matches!(*m.message, Message::AppendEntries(_))
                        })
                        .map(|m| m.sent_at)
                        .max()
                })
                .flatten();
            let bright = last_append.map_or(0.0, |sent| {
                1.0 - now.saturating_sub(sent) as f64 / BEAT_FADE as f64
            });
            let hundredths = (bright.max(0.0) * 100.0).round() as i64;
            ring.write(hundredths, "stroke-opacity", || {
                Decimal::round(hundredths as f64 / 100.0, 2).to_string()
            });
        }
        if let Some(layer) = &self.traffic_layer {
            self.traffic.sync(layer, &view, now);
        }
        if let Some(layer) = &self.clients_layer {
            self.clients.sync(layer, &view);
        }
        super::bench::add("messages", super::bench::now() - t0);
    }
}

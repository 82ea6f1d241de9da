//! What moves over the cluster picture besides the messages (message_layer): the election
//! timers, the leader's heartbeat ring, and the client requests and replies on their way.
//! All are animated on the compositor (see motion), so they cost the page nothing between
//! simulator events.
//!
//! Timers and rings are drawn straight into an HTML layer Yew renders empty
//! (`<div class="overlay">`), one box per server:
//! `<div class="tbox [candidate]" data-timer="3">` holding the ring (`<svg class="pulse">`)
//! and the timer (`<div class="tarc">`, two half-circle arcs, each turning inside a box that
//! shows one half of the circle). Client traffic is rendered by Yew (cluster.rs); here its
//! boxes get their animations.

use super::geometry::{server_pos, server_radius, tenths, VIEW_SIZE};
use super::motion::{self, Span, TimeBase};
use crate::raft::types::{Message, Role};
use crate::sim::{ClusterView, Decimal, Micros, ServerStatus};
use std::fmt::Write;
use web_sys::{Animation, Element};

/// How long the heartbeat ring takes to fade after an AppendEntries goes out (simulated µs).
const BEAT_FADE: Micros = 30_000;

/// The timer's two arcs. It drains clockwise from the top: for the first half of its time the
/// left arc turns back a half turn (uncovering the left half of the circle), then it is hidden
/// and the right arc turns back a half turn. Rotations and opacity run on the compositor.
const RIGHT_ARC_KEYFRAMES: &str = r#"[{"transform":"rotate(0deg)"},{"transform":"rotate(0deg)","offset":0.5},{"transform":"rotate(-180deg)"}]"#;
const LEFT_ARC_KEYFRAMES: &str = r#"[{"transform":"rotate(0deg)","opacity":1},{"transform":"rotate(-180deg)","opacity":1,"offset":0.5},{"transform":"rotate(-180deg)","opacity":0,"offset":0.5},{"transform":"rotate(-180deg)","opacity":0}]"#;
const PULSE_KEYFRAMES: &str = r#"[{"opacity":1},{"opacity":0}]"#;

/// One server's timer and ring.
struct ServerOverlay {
    element: Element,
    /// The ring, the timer (`.tarc`), and its right and left arcs.
    pulse: Element,
    arc_box: Element,
    arcs: [Element; 2],
    class: &'static str,
    /// The timer's span while it runs, and the ring's while it fades.
    timer: Option<Span>,
    beat: Option<Span>,
    arc_animations: [Option<Animation>; 2],
    pulse_animation: Option<Animation>,
}

/// Starts `element`'s animation over `span`, or re-times the one it has.
fn follow(
    animation: &mut Option<Animation>,
    element: &Element,
    keyframes: &str,
    span: Span,
    time: &TimeBase,
    now: Micros,
) {
    match animation {
        Some(animation) => motion::retime(animation, span, time, now),
        None => *animation = motion::start(element, keyframes, span, time, now),
    }
}

/// The timers and rings of all servers.
#[derive(Default)]
pub struct TimerLayer {
    servers: Vec<ServerOverlay>,
    time: Option<TimeBase>,
}

/// What a server's timer and ring show: the timer's span while it runs, the ring's fading
/// after the leader's latest AppendEntries.
fn wanted(view: &ClusterView, i: usize) -> (&'static str, Option<Span>, Option<Span>) {
    let s = &view.servers[i];
    let class = if s.role == Role::Candidate {
        "tbox candidate"
    } else {
        "tbox"
    };
    let timer = match (s.status, s.election_timer_started, s.election_deadline) {
        (ServerStatus::Crashed, ..) => None,
        (_, Some(from), Some(until)) => Some(Span { from, until }),
        _ => None,
    };
    let beat = if s.role == Role::Leader && s.status == ServerStatus::Up {
        view.messages
            .iter()
            .filter(|m| m.from == s.id && matches!(*m.message, Message::AppendEntries(_)))
            .map(|m| m.sent_at)
            .max()
            .map(|from| Span {
                from,
                until: from + BEAT_FADE,
            })
    } else {
        None
    };
    (class, timer, beat)
}

fn set_shown(element: &Element, shown: bool) {
    let _ = element.set_attribute("style", if shown { "" } else { "visibility:hidden" });
}

impl TimerLayer {
    /// Makes `layer` show the timers and rings of `view`, moving as `time` says.
    pub fn sync(&mut self, layer: &Element, view: &ClusterView, now: Micros, time: &TimeBase) {
        let n = view.servers.len();
        if self.servers.len() != n {
            self.build(layer, n);
        }
        let retime = self.time.as_ref() != Some(time);
        self.time = Some(*time);
        for (i, over) in self.servers.iter_mut().enumerate() {
            let (class, timer, beat) = wanted(view, i);
            if over.class != class {
                over.class = class;
                let _ = over.element.set_attribute("class", class);
            }
            // The timer and the ring keep their animations (and so their compositor layers):
            // a new span only re-times them.
            if over.timer != timer || retime {
                if timer.is_some() != over.timer.is_some() {
                    set_shown(&over.arc_box, timer.is_some());
                }
                over.timer = timer;
                if let Some(span) = timer {
                    for (k, arc) in over.arcs.iter().enumerate() {
                        let keyframes = [RIGHT_ARC_KEYFRAMES, LEFT_ARC_KEYFRAMES][k];
                        follow(&mut over.arc_animations[k], arc, keyframes, span, time, now);
                    }
                }
            }
            if over.beat != beat || retime {
                if beat.is_some() != over.beat.is_some() {
                    set_shown(&over.pulse, beat.is_some());
                }
                over.beat = beat;
                if let Some(span) = beat {
                    follow(&mut over.pulse_animation, &over.pulse, PULSE_KEYFRAMES, span, time, now);
                }
            }
        }
    }

    /// One box per server, made again when the number of servers changes.
    fn build(&mut self, layer: &Element, n: usize) {
        for over in self.servers.drain(..) {
            let [right, left] = over.arc_animations;
            for animation in [right, left, over.pulse_animation].into_iter().flatten() {
                animation.cancel();
            }
        }
        let rim = server_radius(n);
        let (timer_r, pulse_r, half) = (rim + 5.0, rim + 11.0, rim + 13.0);
        let percent = |v: f64| Decimal::round(v * 100.0 / VIEW_SIZE, 3);
        let view_box = format!(
            "{} {} {} {}",
            tenths(-half),
            tenths(-half),
            tenths(2.0 * half),
            tenths(2.0 * half)
        );
        let r = tenths(timer_r);
        let mut markup = String::new();
        for i in 0..n {
            let (x, y) = server_pos(i, n);
            let _ = write!(
                markup,
                r#"<div class="tbox" data-timer="{id}" style="left:{left}%;top:{top}%;width:{size}%;height:{size}%"><svg class="pulse" viewBox="{view_box}" style="visibility:hidden"><circle r="{pulse}"/></svg><div class="tarc" style="visibility:hidden"><div class="half hr"><svg class="arc" viewBox="{view_box}"><path d="M0 -{r}A{r} {r} 0 0 1 0 {r}"/></svg></div><div class="half hl"><svg class="arc" viewBox="{view_box}"><path d="M0 {r}A{r} {r} 0 0 1 0 -{r}"/></svg></div></div></div>"#,
                id = i + 1,
                left = percent(x - half),
                top = percent(y - half),
                size = percent(2.0 * half),
                pulse = tenths(pulse_r),
            );
        }
        layer.set_inner_html(&markup);
        let children = layer.children();
        self.servers = (0..children.length())
            .filter_map(|i| {
                let element = children.item(i)?;
                let pulse = element.first_element_child()?;
                let arc_box = pulse.next_element_sibling()?;
                let right = arc_box.first_element_child()?.first_element_child()?;
                let left = arc_box.last_element_child()?.first_element_child()?;
                Some(ServerOverlay {
                    element,
                    pulse,
                    arc_box,
                    arcs: [right, left],
                    class: "tbox",
                    timer: None,
                    beat: None,
                    arc_animations: [None, None],
                    pulse_animation: None,
                })
            })
            .collect();
    }
}

/// Client requests and replies on their way: Yew draws their boxes (in `cluster`), in the
/// order given to `sync`; this gives each box its journey.
#[derive(Default)]
pub struct TrafficMotion {
    moving: Vec<(Element, Span, Animation)>,
    time: Option<TimeBase>,
}

/// A client request or reply's journey: from and to (points of the picture), and when.
pub struct Journey {
    pub from: (f64, f64),
    pub to: (f64, f64),
    pub span: Span,
}

impl TrafficMotion {
    /// `layer`'s children are the boxes of `journeys`, in order.
    pub fn sync(&mut self, layer: &Element, journeys: &[Journey], now: Micros, time: &TimeBase) {
        let retime = self.time.as_ref() != Some(time);
        self.time = Some(*time);
        let children = layer.children();
        let mut moving = Vec::with_capacity(journeys.len());
        let mut old = std::mem::take(&mut self.moving);
        for (i, journey) in journeys.iter().enumerate() {
            let Some(element) = children.item(i as u32) else {
                break;
            };
            // Yew keeps a box for the same request or reply, so the same element with the
            // same span is the same journey.
            let same = old
                .iter()
                .position(|(e, span, _)| *e == element && *span == journey.span);
            match same {
                Some(k) => {
                    let (element, span, animation) = old.swap_remove(k);
                    if retime {
                        motion::retime(&animation, span, time, now);
                    }
                    moving.push((element, span, animation));
                }
                None => {
                    let keyframes = motion::move_keyframes(journey.from, journey.to);
                    if let Some(a) = motion::start(&element, &keyframes, journey.span, time, now) {
                        moving.push((element, journey.span, a));
                    }
                }
            }
        }
        for (_, _, animation) in old {
            animation.cancel();
        }
        self.moving = moving;
    }
}

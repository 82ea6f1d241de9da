//! The clients in the cluster picture (§8), drawn straight into the DOM by `motion` from the
//! newest picture of the cluster, like the messages in flight: the client box at the centre
//! with a dashed line and a caption for each request a client is waiting on, and the
//! requests and replies on their way as small labelled pills.
//!
//! Why not through Yew: under client load a request is sent, redirected or answered every few
//! milliseconds. Were they rendered through Yew, nearly every animation frame would re-render
//! the page for them; drawn here, a frame writes only the pills' positions and, when a
//! client's request changes, the client group's markup.
//!
//! The DOM it makes (the tests read it): in the picture, `<g class="clients" role="group"
//! aria-label="Clients: …">` holding `<g class="client-req"><line/><text>C1 #2 SET x 5 →
//! S3</text></g>` per request waited on and the client box; over the picture, per request or
//! reply, `<div class="mpos" style="transform: translate(x%, y%);"><svg class="cmsg creq|crep
//! [doomed]" viewBox="-50 -8 100 16" role="img" aria-label="request C1 #2 SET x 5 to S3">
//! <rect …/><text y="3">SET x 5</text></svg></div>`.

use super::geometry::{message_pos, progress, server_pos, server_radius, tenths, whole, CENTER};
use super::message_layer::box_position;
use super::widgets::escape_markup;
use crate::raft::types::ServerId;
use crate::raft::ClientResult;
use crate::sim::{ClientTraffic, ClientTrafficView, ClusterView, Micros};
use std::fmt::Write;
use wasm_bindgen::JsCast;
use web_sys::{CssStyleDeclaration, Element};

/// Client requests and replies drawn at once, at most (the DOM stays bounded under load).
pub const MAX_CLIENT_TRAFFIC_DRAWN: usize = 12;

/// Requests waited on that get a line and a caption, at most.
const MAX_PENDING_DRAWN: usize = 4;

/// The client requests and replies drawn.
fn shown_traffic(view: &ClusterView) -> impl Iterator<Item = &ClientTrafficView> {
    view.client_traffic.iter().take(MAX_CLIENT_TRAFFIC_DRAWN)
}

/// Where the line from the client (at the centre) to server `to` meets that server's rim.
fn rim_stop(view: &ClusterView, to: ServerId) -> (f64, f64) {
    let n = view.servers.len();
    let index = view.servers.iter().position(|s| s.id == to).unwrap_or(0);
    let rim = server_radius(n);
    let end = message_pos((CENTER, CENTER), server_pos(index, n), 0.0, 1.0);
    let (dx, dy) = (end.0 - CENTER, end.1 - CENTER);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    (
        CENTER + dx * (len - rim - 4.0) / len,
        CENTER + dy * (len - rim - 4.0) / len,
    )
}

/// The client group's markup: a line and caption per request waited on, and the client box
/// (nothing when no client waits and nothing travels).
pub fn clients_markup(view: &ClusterView, out: &mut String) {
    out.clear();
    let pending = view
        .clients
        .iter()
        .filter_map(|c| c.outstanding.as_ref().map(|o| (c.id, o)))
        .take(MAX_PENDING_DRAWN);
    let mut any = false;
    for (k, (client, (seq, command, to))) in pending.enumerate() {
        if !any {
            out.push_str(concat!(
                r#"<g class="clients" role="group" aria-label="Clients: requests waiting for "#,
                r#"an answer, requests and replies on their way">"#
            ));
            any = true;
        }
        let stop = rim_stop(view, *to);
        let _ = write!(
            out,
            r#"<g class="client-req"><line x1="{c}" y1="{c}" x2="{}" y2="{}"/><text x="{c}" y="{}">{}</text></g>"#,
            tenths(stop.0),
            tenths(stop.1),
            whole(CENTER + 26.0 + 12.0 * k as f64),
            escape_markup(&format!("{client} #{seq} {command} → {to}")),
            c = whole(CENTER),
        );
    }
    if !any && view.client_traffic.is_empty() {
        return;
    }
    if !any {
        out.push_str(concat!(
            r#"<g class="clients" role="group" aria-label="Clients: requests waiting for "#,
            r#"an answer, requests and replies on their way">"#
        ));
    }
    let _ = write!(
        out,
        r#"<rect class="client-box" x="{}" y="{}" width="44" height="22" rx="5"/><text class="client-label" x="{}" y="{}">client</text></g>"#,
        whole(CENTER - 22.0),
        whole(CENTER - 11.0),
        whole(CENTER),
        whole(CENTER + 4.0),
    );
}

/// A request or reply: who, which request, which server, when sent, and which way. A pill
/// keeps its element while its key stays in the picture.
type PillKey = (u32, u64, ServerId, Micros, bool);

fn key_of(t: &ClientTrafficView) -> PillKey {
    let reply = matches!(t.what, ClientTraffic::Reply(_));
    (t.client.0, t.seq, t.server, t.sent_at, reply)
}

/// A request or reply's journey: from and to (points of the picture), and when.
#[derive(Clone, Copy, PartialEq)]
struct Journey {
    from: (f64, f64),
    to: (f64, f64),
    sent_at: Micros,
    arrive_at: Micros,
}

fn journey(view: &ClusterView, t: &ClientTrafficView) -> Journey {
    let server_end = rim_stop(view, t.server);
    let (from, to) = match t.what {
        ClientTraffic::Request(_) => ((CENTER, CENTER), server_end),
        ClientTraffic::Reply(_) => (server_end, (CENTER, CENTER)),
    };
    Journey {
        from,
        to,
        sent_at: t.sent_at,
        arrive_at: t.arrive_at,
    }
}

/// A pill's markup: class, accessible name and the text on it.
pub fn pill_markup(t: &ClientTrafficView, out: &mut String) {
    let (class, text, label) = match &t.what {
        ClientTraffic::Request(command) => (
            "creq",
            command.to_string(),
            format!("request {} #{} {command} to {}", t.client, t.seq, t.server),
        ),
        ClientTraffic::Reply(result) => {
            let (short, words) = match result {
                ClientResult::Ok(Some(value)) => (format!("= {value}"), format!("value {value}")),
                ClientResult::Ok(None) => ("ok".to_string(), "ok".to_string()),
                ClientResult::NotLeader {
                    leader_hint: Some(hint),
                } => (format!("→ {hint}"), format!("not the leader, try {hint}")),
                ClientResult::NotLeader { leader_hint: None } => (
                    "no leader".to_string(),
                    "not the leader, no leader known".to_string(),
                ),
            };
            (
                "crep",
                short,
                format!(
                    "reply from {} to {} #{}: {words}",
                    t.server, t.client, t.seq
                ),
            )
        }
    };
    // Long commands are cut short on the picture; the accessible name has them whole.
    let text: String = if text.chars().count() > 14 {
        text.chars().take(13).chain(['…']).collect()
    } else {
        text
    };
    let width = 8.0 + 6.0 * text.chars().count() as f64;
    out.clear();
    let _ = write!(
        out,
        r#"<svg class="cmsg {class}{}" viewBox="-50 -8 100 16" role="img" aria-label="{}{}"><rect x="{}" y="-7" width="{}" height="14" rx="7"/><text y="3">{}</text></svg>"#,
        if t.doomed { " doomed" } else { "" },
        escape_markup(&label),
        if t.doomed { ", will be lost" } else { "" },
        tenths(-width / 2.0),
        tenths(width),
        escape_markup(&text),
    );
}

/// One request or reply on screen.
struct Pill {
    key: PillKey,
    /// Drawn as doomed (what else it shows follows from its key; a request dropped by hand,
    /// or whose server crashed, is redrawn).
    doomed: bool,
    element: Element,
    position: CssStyleDeclaration,
    journey: Journey,
    /// Where it was drawn, in tenths of a unit.
    tenths: Option<(i64, i64)>,
}

/// The pills currently drawn, and their layer (`<div class="msglayer">` over the picture).
#[derive(Default)]
pub struct TrafficLayer {
    pills: Vec<Pill>,
    buffer: String,
}

impl TrafficLayer {
    /// Makes `layer`'s children show the requests and replies of `view` at `now`.
    pub fn sync(&mut self, layer: &Element, view: &ClusterView, now: Micros) {
        let mut old = std::mem::take(&mut self.pills);
        let mut pills = Vec::with_capacity(old.len());
        for t in shown_traffic(view) {
            let key = key_of(t);
            let pill = match old.iter().position(|p| p.key == key) {
                Some(i) => {
                    let mut pill = old.swap_remove(i);
                    if pill.doomed != t.doomed {
                        pill.doomed = t.doomed;
                        pill_markup(t, &mut self.buffer);
                        pill.element.set_inner_html(&self.buffer);
                    }
                    pill
                }
                None => {
                    pill_markup(t, &mut self.buffer);
                    let Some(pill) = self.create(layer, key, t.doomed) else {
                        continue;
                    };
                    pill
                }
            };
            pills.push(Pill {
                journey: journey(view, t),
                ..pill
            });
        }
        for gone in old {
            gone.element.remove();
        }
        for pill in &mut pills {
            let j = pill.journey;
            let f = progress(j.sent_at, j.arrive_at, now);
            let (x, y) = (
                j.from.0 + (j.to.0 - j.from.0) * f,
                j.from.1 + (j.to.1 - j.from.1) * f,
            );
            let at = ((x * 10.0).round() as i64, (y * 10.0).round() as i64);
            if pill.tenths != Some(at) {
                pill.tenths = Some(at);
                let _ = pill.position.set_property("transform", &box_position(x, y));
            }
        }
        self.pills = pills;
    }

    /// A new pill (its markup is in `self.buffer`), appended to the layer.
    fn create(&mut self, layer: &Element, key: PillKey, doomed: bool) -> Option<Pill> {
        let element: web_sys::HtmlElement = gloo::utils::document()
            .create_element("div")
            .ok()?
            .unchecked_into();
        element.set_class_name("mpos");
        element.set_inner_html(&self.buffer);
        let position = element.style();
        layer.append_child(&element).ok()?;
        Some(Pill {
            key,
            doomed,
            element: element.into(),
            position,
            journey: Journey {
                from: (0.0, 0.0),
                to: (0.0, 0.0),
                sent_at: 0,
                arrive_at: 0,
            },
            tenths: None,
        })
    }
}

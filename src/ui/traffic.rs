//! The clients in the cluster picture (§8), drawn straight into the DOM by `motion` from the
//! newest picture of the cluster, like the messages in flight: the client box at the centre
//! with a dashed line and a caption for each request a client is waiting on, and the
//! requests and replies on their way as small labelled pills.
//!
//! Why not through Yew: under client load a request is sent, redirected or answered every few
//! milliseconds. Were they rendered through Yew, nearly every animation frame would re-render
//! the page for them; drawn here, a frame writes only the pills' positions and, when a
//! client's request changes, that client's line and caption. Elements are made once and
//! reused: the client group with its four lines (hidden by `display="none"` while unused),
//! and the pills of arrived requests and replies (hidden, class `cmsg spare`, no name).
//!
//! The DOM it makes (the tests read it): in the picture, `<g class="clients" role="group"
//! aria-label="Clients: …">` holding `<g class="client-req"><line/><text>C1 #2 SET x 5 →
//! S3</text></g>` per request waited on and the client box; over the picture, per request or
//! reply, `<div class="mpos" style="transform: translate(x%, y%);"><svg class="cmsg creq|crep
//! [doomed]" viewBox="-50 -8 100 16" role="img" aria-label="request C1 #2 SET x 5 to S3">
//! <rect …/><text y="3">SET x 5</text></svg></div>`.

use super::geometry::{message_pos, progress, server_pos, server_radius, tenths, CENTER};
use super::message_layer::{box_position, style_of};
use crate::raft::types::{ClientId, Command, ServerId};
use crate::raft::ClientResult;
use crate::sim::{ClientTraffic, ClientTrafficView, ClusterView, Micros};
use std::fmt::Write;
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

/// The client group: the client box at the centre, and a dashed line to the server and a
/// caption for each request a client waits on (at most `MAX_PENDING_DRAWN`). Its elements
/// are made once; a frame then changes only the lines whose request changed (new text costs
/// the browser a text layout, so a caption is rewritten only when it changes), and shows or
/// hides lines and the group (`display`).
#[derive(Default)]
pub struct ClientsGroup {
    /// The `<g>` of the picture the group is drawn in, and the group made in it.
    layer: Option<Element>,
    group: Option<Element>,
    shown: bool,
    lines: Vec<PendingLine>,
}

/// One line and caption, and what it shows (None: hidden).
struct PendingLine {
    element: Element,
    line: Element,
    caption: Element,
    /// The client, its request and the server it went to.
    shows: Option<(ClientId, u64, Command, ServerId)>,
}

impl ClientsGroup {
    /// Makes the group in `layer` show the clients of `view`.
    pub fn sync(&mut self, layer: &Element, view: &ClusterView) {
        if self.layer.as_ref() != Some(layer) {
            self.make(layer);
        }
        let Some(group) = &self.group else {
            return;
        };
        let mut pending = view.clients.iter().filter_map(|c| {
            c.outstanding
                .as_ref()
                .map(|(seq, cmd, to)| (c.id, *seq, cmd, *to))
        });
        let mut any = false;
        for slot in &mut self.lines {
            let shows = pending.next();
            any |= shows.is_some();
            let before = slot
                .shows
                .as_ref()
                .map(|(c, s, cmd, to)| (*c, *s, cmd, *to));
            if before == shows {
                continue;
            }
            match shows {
                Some((client, seq, command, to)) => {
                    if slot.shows.is_none() {
                        let _ = slot.element.remove_attribute("display");
                    }
                    let stop = rim_stop(view, to);
                    let _ = slot.line.set_attribute("x2", &tenths(stop.0).to_string());
                    let _ = slot.line.set_attribute("y2", &tenths(stop.1).to_string());
                    let caption = format!("{client} #{seq} {command} → {to}");
                    slot.caption.set_text_content(Some(&caption));
                    slot.shows = Some((client, seq, command.clone(), to));
                }
                None => {
                    let _ = slot.element.set_attribute("display", "none");
                    slot.shows = None;
                }
            }
        }
        let shown = any || !view.client_traffic.is_empty();
        if shown != self.shown {
            self.shown = shown;
            let _ = if shown {
                group.remove_attribute("display")
            } else {
                group.set_attribute("display", "none")
            };
        }
    }

    /// Makes the group's elements in `layer`, hidden.
    fn make(&mut self, layer: &Element) {
        // Written out for the picture's centre (220, 220): captions 26 units below it, 12
        // apart; the box 44 by 22 around it.
        const _: () = assert!(CENTER == 220.0 && MAX_PENDING_DRAWN == 4);
        layer.set_inner_html(concat!(
            r#"<g class="clients" display="none" role="group" aria-label="Clients: requests "#,
            r#"waiting for an answer, requests and replies on their way">"#,
            r#"<g class="client-req" display="none"><line x1="220" y1="220" x2="220" y2="220"/><text x="220" y="246"></text></g>"#,
            r#"<g class="client-req" display="none"><line x1="220" y1="220" x2="220" y2="220"/><text x="220" y="258"></text></g>"#,
            r#"<g class="client-req" display="none"><line x1="220" y1="220" x2="220" y2="220"/><text x="220" y="270"></text></g>"#,
            r#"<g class="client-req" display="none"><line x1="220" y1="220" x2="220" y2="220"/><text x="220" y="282"></text></g>"#,
            r#"<rect class="client-box" x="198" y="209" width="44" height="22" rx="5"/>"#,
            r#"<text class="client-label" x="220" y="224">client</text></g>"#,
        ));
        self.layer = Some(layer.clone());
        self.group = layer.first_element_child();
        self.shown = false;
        self.lines.clear();
        let Some(group) = &self.group else {
            return;
        };
        let children = group.children();
        for k in 0..MAX_PENDING_DRAWN as u32 {
            let Some(element) = children.item(k) else {
                break;
            };
            let (Some(line), Some(caption)) =
                (element.first_element_child(), element.last_element_child())
            else {
                break;
            };
            self.lines.push(PendingLine {
                element,
                line,
                caption,
                shows: None,
            });
        }
    }
}

/// A request or reply: who, which request, which server, when sent, and which way. A pill
/// keeps its element while its key stays in the picture.
type PillKey = (u32, u64, ServerId, Micros, bool);

fn key_of(t: &ClientTrafficView) -> PillKey {
    let reply = matches!(t.what, ClientTraffic::Reply(_));
    (t.client.0, t.seq, t.server, t.sent_at, reply)
}

/// What a pill shows: its class ("creq", "crep"), the text on it and its accessible name.
struct Look {
    class: &'static str,
    doomed: bool,
    text: String,
    label: String,
}

impl Look {
    fn of(t: &ClientTrafficView) -> Look {
        let mut label = String::new();
        let (class, text) = match &t.what {
            ClientTraffic::Request(command) => {
                let _ = write!(
                    label,
                    "request {} #{} {command} to {}",
                    t.client, t.seq, t.server
                );
                ("creq", command.to_string())
            }
            ClientTraffic::Reply(result) => {
                let _ = write!(
                    label,
                    "reply from {} to {} #{}: ",
                    t.server, t.client, t.seq
                );
                let (words, short) = match result {
                    ClientResult::Ok(Some(value)) => {
                        (format!("value {value}"), format!("= {value}"))
                    }
                    ClientResult::Ok(None) => ("ok".into(), "ok".into()),
                    ClientResult::NotLeader {
                        leader_hint: Some(hint),
                    } => (format!("not the leader, try {hint}"), format!("→ {hint}")),
                    ClientResult::NotLeader { leader_hint: None } => {
                        ("not the leader, no leader known".into(), "no leader".into())
                    }
                };
                label.push_str(&words);
                ("crep", short)
            }
        };
        // Long commands are cut short on the picture; the accessible name has them whole.
        let text: String = if text.chars().count() > 14 {
            text.chars().take(13).chain(['…']).collect()
        } else {
            text
        };
        if t.doomed {
            label.push_str(", will be lost");
        }
        Look {
            class,
            doomed: t.doomed,
            text,
            label,
        }
    }

    fn class(&self) -> &'static str {
        match (self.class, self.doomed) {
            ("creq", false) => "cmsg creq",
            ("creq", true) => "cmsg creq doomed",
            (_, false) => "cmsg crep",
            (_, true) => "cmsg crep doomed",
        }
    }

    /// The pill's width, in the picture's units: it fits the text.
    fn width(&self) -> f64 {
        8.0 + 6.0 * self.text.chars().count() as f64
    }
}

/// One request or reply's elements: the box that is moved, the pill in it, and the pill's
/// outline and text.
struct PillElements {
    element: Element,
    position: CssStyleDeclaration,
    glyph: Element,
    outline: Element,
    text: Element,
}

/// One request or reply on screen.
struct Pill {
    key: PillKey,
    /// The request or reply it shows (a pill under the same key after time travel may carry
    /// another command).
    what: ClientTraffic,
    look: Look,
    elements: PillElements,
    /// Where it was drawn, in tenths of a unit.
    tenths: Option<(i64, i64)>,
}

/// The pills drawn, and hidden ones of arrived requests and replies kept for later ones.
#[derive(Default)]
pub struct TrafficLayer {
    pills: Vec<Pill>,
    /// Hidden pills, and the look they last had: a later pill with the same text (a reply
    /// "ok", a retried request) is shown in one without a new text layout, and none is
    /// made or removed while traffic flows.
    spare: Vec<(Look, PillElements)>,
}

impl TrafficLayer {
    /// Makes `layer`'s children show the requests and replies of `view` at `now`.
    pub fn sync(&mut self, layer: &Element, view: &ClusterView, now: Micros) {
        let mut old = std::mem::take(&mut self.pills);
        // Arrived ones first, so a reply can be shown in its request's element.
        let mut i = 0;
        while i < old.len() {
            let (key, what) = (old[i].key, &old[i].what);
            if shown_traffic(view).any(|t| key_of(t) == key && t.what == *what) {
                i += 1;
            } else {
                let gone = old.swap_remove(i);
                self.retire(gone);
            }
        }
        for t in shown_traffic(view) {
            let key = key_of(t);
            let mut pill = match old.iter().position(|p| p.key == key) {
                Some(i) => old.swap_remove(i),
                None => {
                    let look = Look::of(t);
                    let Some(elements) = self.show(layer, &look) else {
                        continue;
                    };
                    Pill {
                        key,
                        what: t.what.clone(),
                        look,
                        elements,
                        tenths: None,
                    }
                }
            };
            if pill.look.doomed != t.doomed {
                // Dropped by hand, or its server crashed: it will be lost.
                let look = Look::of(t);
                redraw(&pill.elements, &pill.look, &look);
                pill.look = look;
            }
            // On its way from the client (the centre) to the server, or back.
            let server_end = rim_stop(view, t.server);
            let (from, to) = match t.what {
                ClientTraffic::Request(_) => ((CENTER, CENTER), server_end),
                ClientTraffic::Reply(_) => (server_end, (CENTER, CENTER)),
            };
            let f = progress(t.sent_at, t.arrive_at, now);
            let (x, y) = (from.0 + (to.0 - from.0) * f, from.1 + (to.1 - from.1) * f);
            let at = ((x * 10.0).round() as i64, (y * 10.0).round() as i64);
            if pill.tenths != Some(at) {
                pill.tenths = Some(at);
                let _ = pill
                    .elements
                    .position
                    .set_property("transform", &box_position(x, y));
            }
            self.pills.push(pill);
        }
    }

    /// Hides an arrived pill to show a later one, or removes it.
    fn retire(&mut self, gone: Pill) {
        if self.spare.len() >= MAX_CLIENT_TRAFFIC_DRAWN {
            gone.elements.element.remove();
            return;
        }
        let elements = gone.elements;
        let _ = elements.position.set_property("visibility", "hidden");
        // No longer a request or reply (the tests and assistive technology look for those),
        // but still `cmsg`, so its geometry does not change (no layout).
        let _ = elements.glyph.set_attribute("class", "cmsg spare");
        let _ = elements.glyph.remove_attribute("aria-label");
        self.spare.push((gone.look, elements));
    }

    /// A pill showing `look`: a hidden one with the same text first, else any hidden one,
    /// else a new one appended to the layer.
    fn show(&mut self, layer: &Element, look: &Look) -> Option<PillElements> {
        let spare = self
            .spare
            .iter()
            .rposition(|(l, _)| l.text == look.text)
            .or_else(|| self.spare.len().checked_sub(1));
        if let Some(i) = spare {
            let (before, elements) = self.spare.swap_remove(i);
            let _ = elements.position.set_property("visibility", "");
            redraw(&elements, &before, look);
            return Some(elements);
        }
        // A new pill, empty: named and written below, as text (what users typed is never
        // parsed as markup).
        let holder = gloo::utils::document().create_element("div").ok()?;
        holder.set_inner_html(concat!(
            r#"<div class="mpos"><svg viewBox="-50 -8 100 16" role="img">"#,
            r#"<rect y="-7" height="14" rx="7"/><text y="3"></text></svg></div>"#
        ));
        let element = holder.first_element_child()?;
        let glyph = element.first_element_child()?;
        let elements = PillElements {
            position: style_of(&element),
            outline: glyph.first_element_child()?,
            text: glyph.last_element_child()?,
            glyph,
            element,
        };
        let blank = Look {
            class: "",
            doomed: false,
            text: String::new(),
            label: String::new(),
        };
        redraw(&elements, &blank, look);
        layer.append_child(&elements.element).ok()?;
        Some(elements)
    }
}

/// Changes a pill's elements from showing `before` to showing `look`: its class and name
/// always, its text and outline only if the text changed.
fn redraw(elements: &PillElements, before: &Look, look: &Look) {
    let _ = elements.glyph.set_attribute("class", look.class());
    let _ = elements.glyph.set_attribute("aria-label", &look.label);
    if before.text != look.text {
        let width = look.width();
        let _ = elements
            .outline
            .set_attribute("x", &tenths(-width / 2.0).to_string());
        let _ = elements
            .outline
            .set_attribute("width", &tenths(width).to_string());
        elements.text.set_text_content(Some(&look.text));
    }
}

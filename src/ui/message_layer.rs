//! The messages in flight, drawn straight into an HTML layer over the picture
//! (`<div class="msglayer">`) rather than through Yew's virtual DOM.
//!
//! Why: a busy cluster has some fifty messages in flight; every one moves every frame and
//! several are sent and delivered every frame. Through the virtual DOM each frame rebuilt,
//! compared and re-serialised all of them. Here a frame sets one CSS transform per moving
//! message, shows each new message in a spare element of its kind (or a clone of a prototype)
//! and hides the delivered ones. What is drawn is still read from the simulator's view every
//! frame (`sync`, called by `motion`, also on frames that render nothing); Yew renders the
//! layer empty and never touches its children.
//!
//! Why HTML and not SVG: moving an SVG element (its transform) makes the browser lay the
//! picture out again, and every layout is followed by a hover hit test; moving an HTML
//! element by a CSS transform needs neither. So each message is a box the size of the
//! picture, moved by `translate(x%, y%)` (a percentage of its own size, so of the picture's),
//! holding at its top-left corner a small SVG drawn in the picture's units. The transform is
//! set through the element's `style` object (CSSOM), not by rewriting its `style` attribute:
//! the browser then restyles the element from the one changed property instead of
//! re-parsing its whole inline style (measured: about a third less style work for fifty
//! boxes).
//!
//! Delivered messages' elements are hidden and shown again for later messages of the same
//! kind (see `spare`), so the elements are in no particular order, and hidden ones (without
//! name or id) stay in the layer. The DOM it makes, per message (the end-to-end and browser
//! tests read it): `<div class="mpos" style="transform: translate(x%, y%);"><svg class="msg m-ae
//! [doomed] [selected]" viewBox="-16 -16 32 32" [style="opacity: …;"] role="button"
//! tabindex="0" aria-label="…" data-msg="id">[ring] outline label</svg></div>`

use super::geometry::{message_pos, progress, VIEW_SIZE};
use super::glyphs;
use crate::raft::types::{Message, ServerId};
use crate::sim::{ClusterView, Decimal, MessageId, MessageView, Micros};
use std::fmt::Write;
use wasm_bindgen::JsCast;
use web_sys::{CssStyleDeclaration, Element};

/// What a message looks like, apart from where it is: when this changes (a message was
/// dropped by hand, selected, or an id was reused after time travel) its element is redrawn.
#[derive(Clone, Copy, PartialEq)]
struct Look {
    from: ServerId,
    to: ServerId,
    term: u64,
    shape: Shape,
    doomed: bool,
    selected: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    RequestVote,
    Vote(bool),
    /// AppendEntries with this many entries (0: a heartbeat).
    Append(usize),
    AppendReply(bool),
}

impl Shape {
    fn of(message: &Message) -> Shape {
        match message {
            Message::RequestVote(_) => Shape::RequestVote,
            Message::RequestVoteReply(r) => Shape::Vote(r.vote_granted),
            Message::AppendEntries(a) => Shape::Append(a.entries.len()),
            Message::AppendEntriesReply(r) => Shape::AppendReply(r.success),
        }
    }

    /// CSS class and words for the accessible name.
    fn kind(self) -> (&'static str, String) {
        match self {
            Shape::RequestVote => ("m-rv", "RequestVote".into()),
            Shape::Vote(true) => ("m-vote-yes", "vote granted".into()),
            Shape::Vote(false) => ("m-vote-no", "vote denied".into()),
            Shape::Append(0) => ("m-hb", "heartbeat".into()),
            Shape::Append(n) => ("m-ae", format!("AppendEntries with {n}")),
            Shape::AppendReply(true) => ("m-ae-ok", "append ok".into()),
            Shape::AppendReply(false) => ("m-ae-no", "append rejected".into()),
        }
    }

    /// Outline and label. Sizes live in style.css; labels are stroked paths (see `glyphs`).
    fn markup(self, out: &mut String) {
        let tick = |yes: bool| if yes { glyphs::CHECK } else { glyphs::CROSS };
        let (outline, label) = match self {
            Shape::RequestVote => ("circle", glyphs::label_path("RV")),
            Shape::Vote(granted) => ("circle", tick(granted).to_string()),
            Shape::Append(0) => ("circle", String::new()),
            Shape::Append(n) => ("rect", glyphs::label_path(&format!("+{n}"))),
            Shape::AppendReply(ok) => ("rect", tick(ok).to_string()),
        };
        let _ = write!(out, "<{outline}/>");
        if !label.is_empty() {
            let _ = write!(out, r#"<path d="{label}"/>"#);
        }
    }
}

impl Look {
    fn class(&self) -> String {
        let (kind, _) = self.shape.kind();
        let mut class = format!("msg {kind}");
        if self.doomed {
            class.push_str(" doomed");
        }
        if self.selected {
            class.push_str(" selected");
        }
        class
    }

    fn label(&self, id: MessageId) -> String {
        let (_, words) = self.shape.kind();
        format!(
            "{words} {} to {}, term {} (#{}){}",
            self.from,
            self.to,
            self.term,
            id.0,
            if self.doomed { ", will be lost" } else { "" }
        )
    }

    /// The message element's content: selection ring, outline, label.
    fn content(&self, out: &mut String) {
        if self.selected {
            out.push_str(RING);
        }
        self.shape.markup(out);
    }
}

const RING: &str = r#"<circle class="sel-ring"/>"#;

/// CSS class and accessible words for a message ("m-ae", "AppendEntries with 3").
pub fn message_kind(m: &Message) -> (&'static str, String) {
    Shape::of(m).kind()
}

/// One message on screen.
struct Dot {
    id: MessageId,
    /// Its `<div class="mpos">`, which is moved, and that element's inline style.
    element: Element,
    position: CssStyleDeclaration,
    /// The `<svg class="msg …">` inside it, which is named and drawn.
    glyph: Element,
    look: Look,
    /// Where it was drawn, in tenths of a unit (a move smaller than that is not redrawn).
    tenths: (i32, i32),
    /// A doomed message's opacity, in hundredths.
    fade: Option<i32>,
}

/// The messages currently drawn, in the order of their elements (ascending id).
#[derive(Default)]
pub struct MessageLayer {
    dots: Vec<Dot>,
    /// One element per kind of message ("m-ae", ...), cloned for new messages.
    prototypes: Vec<(&'static str, Element)>,
    /// Elements of delivered messages, hidden, kept to show the next messages of their
    /// shape: adding or removing an element costs the browser a layout (and a hover hit test
    /// after it), showing or hiding one only a repaint.
    spare: Vec<(Shape, Element, CssStyleDeclaration, Element)>,
    /// Scratch for markup, reused.
    buffer: String,
}

/// Where a message is at `now`, and how faded, in tenths / hundredths.
fn placement(
    m: &MessageView,
    view: &ClusterView,
    rim: f64,
    now: Micros,
) -> ((i32, i32), Option<i32>) {
    let n = view.servers.len();
    let pos = |id: ServerId| {
        let i = view.servers.iter().position(|s| s.id == id).unwrap_or(0);
        super::geometry::server_pos(i, n)
    };
    let f = progress(m.sent_at, m.deliver_at, now);
    let (x, y) = message_pos(pos(m.from), pos(m.to), rim, f);
    let tenths = ((x * 10.0).round() as i32, (y * 10.0).round() as i32);
    let fade = m.doomed.then(|| ((1.0 - 0.75 * f) * 100.0).round() as i32);
    (tenths, fade)
}

impl MessageLayer {
    /// Makes `layer`'s children show `view.messages` at `now`.
    pub fn sync(
        &mut self,
        layer: &Element,
        view: &ClusterView,
        now: Micros,
        rim: f64,
        selected: Option<MessageId>,
    ) {
        let mut old = std::mem::take(&mut self.dots).into_iter().peekable();
        let mut dots = Vec::with_capacity(view.messages.len());
        for m in &view.messages {
            // Delivered (or otherwise gone) messages before this one: retire them.
            while let Some(gone) = old.next_if(|d| d.id < m.id) {
                self.retire(gone);
            }
            let look = Look {
                from: m.from,
                to: m.to,
                term: m.message.term().0,
                shape: Shape::of(&m.message),
                doomed: m.doomed,
                selected: selected == Some(m.id),
            };
            let (tenths, fade) = placement(m, view, rim, now);
            let dot = match old.next_if(|d| d.id == m.id) {
                Some(mut dot) => {
                    self.update(&mut dot, look, tenths, fade);
                    dot
                }
                None => {
                    let next = old.peek().map(|d| &d.element);
                    match self.create(layer, next, m.id, look, tenths, fade) {
                        Some(dot) => dot,
                        None => continue,
                    }
                }
            };
            dots.push(dot);
        }
        for gone in old {
            self.retire(gone);
        }
        self.dots = dots;
    }

    /// Hides a delivered message's element to show a later message, or removes it.
    fn retire(&mut self, gone: Dot) {
        /// Enough for a busy cluster's traffic; more would only grow the page.
        const MAX_SPARE: usize = 64;
        if gone.look.doomed || gone.look.selected || self.spare.len() >= MAX_SPARE {
            gone.element.remove();
            return;
        }
        // Still transformed: a box gaining or losing a transform is laid out again.
        let _ = gone.position.set_property("transform", "translate(0,0)");
        let _ = gone.position.set_property("visibility", "hidden");
        let _ = gone.glyph.remove_attribute("aria-label");
        let _ = gone.glyph.remove_attribute("data-msg");
        self.spare
            .push((gone.look.shape, gone.element, gone.position, gone.glyph));
    }

    /// A new message's element: a spare one of its kind shown again, or one inserted before
    /// `next` (or last), cloned from a prototype of its kind (cheaper for the browser than
    /// parsing markup).
    fn create(
        &mut self,
        layer: &Element,
        next: Option<&Element>,
        id: MessageId,
        look: Look,
        tenths: (i32, i32),
        fade: Option<i32>,
    ) -> Option<Dot> {
        let (kind, _) = look.shape.kind();
        // A spare of the very same shape first: one with another label ("+2" for "+1")
        // needs its label redrawn, new geometry that costs a layout.
        let spare = self
            .spare
            .iter()
            .rposition(|(s, ..)| *s == look.shape)
            .or_else(|| self.spare.iter().rposition(|(s, ..)| s.kind().0 == kind));
        let (element, position, glyph, spare_shape) = match spare {
            Some(i) => {
                let (shape, element, position, glyph) = self.spare.swap_remove(i);
                let _ = position.set_property("visibility", "");
                (element, position, glyph, Some(shape))
            }
            None => {
                let element: Element = self
                    .prototype(look.shape)?
                    .clone_node_with_deep(true)
                    .ok()?
                    .unchecked_into();
                let glyph = element.first_element_child()?;
                let position = style_of(&element);
                (element, position, glyph, None)
            }
        };
        if look.doomed || look.selected {
            let _ = glyph.set_attribute("class", &look.class());
        }
        let _ = glyph.set_attribute("aria-label", &look.label(id));
        let _ = glyph.set_attribute("data-msg", &id.0.to_string());
        let label_drawn = spare_shape == Some(look.shape);
        if let (Shape::Append(n @ 1..), Some(path), false) =
            (look.shape, glyph.last_element_child(), label_drawn)
        {
            let _ = path.set_attribute("d", &glyphs::label_path(&format!("+{n}")));
        }
        if look.selected {
            let _ = glyph.insert_adjacent_html("afterbegin", RING);
        }
        if let Some(fade) = fade {
            set_opacity(&glyph, Some(fade));
        }
        let _ = position.set_property("transform", &position_value(tenths));
        if spare_shape.is_none() {
            layer
                .insert_before(&element, next.map(|n| n.as_ref()))
                .ok()?;
        }
        Some(Dot {
            id,
            element,
            position,
            glyph,
            look,
            tenths,
            fade,
        })
    }

    /// The prototype of a message of this kind (made on first use): at the origin, without
    /// name or id.
    fn prototype(&mut self, shape: Shape) -> Option<Element> {
        let (kind, _) = shape.kind();
        if let Some((_, element)) = self.prototypes.iter().find(|(k, _)| *k == kind) {
            return Some(element.clone());
        }
        let holder = gloo::utils::document().create_element("div").ok()?;
        self.buffer.clear();
        let _ = write!(
            self.buffer,
            r#"<div class="mpos"><svg class="msg {kind}" viewBox="-16 -16 32 32" role="button" tabindex="0">"#
        );
        shape.markup(&mut self.buffer);
        self.buffer.push_str("</svg></div>");
        holder.set_inner_html(&self.buffer);
        let element = holder.first_element_child()?;
        self.prototypes.push((kind, element.clone()));
        Some(element)
    }

    /// Moves an existing message, and redraws what changed about it.
    fn update(&mut self, dot: &mut Dot, look: Look, tenths: (i32, i32), fade: Option<i32>) {
        if dot.tenths != tenths {
            dot.tenths = tenths;
            let _ = dot
                .position
                .set_property("transform", &position_value(tenths));
        }
        let element = &dot.glyph;
        if dot.fade != fade {
            dot.fade = fade;
            set_opacity(element, fade);
        }
        if dot.look == look {
            return;
        }
        let before = std::mem::replace(&mut dot.look, look);
        // Dropped by hand (doomed), (de)selected, or another message under the same id (time
        // travel forked the run): the element is changed in place, so it keeps the keyboard
        // focus it may have.
        let _ = element.set_attribute("class", &look.class());
        let _ = element.set_attribute("aria-label", &look.label(dot.id));
        if before.shape != look.shape {
            self.buffer.clear();
            look.content(&mut self.buffer);
            element.set_inner_html(&self.buffer);
        } else if look.selected != before.selected {
            if look.selected {
                let _ = element.insert_adjacent_html("afterbegin", RING);
            } else if let Some(ring) = element.first_element_child() {
                ring.remove();
            }
        }
    }
}

/// Sets a message glyph's opacity, given in hundredths (or none: fully opaque). Written
/// with `sim::Decimal`: formatting an `f64` would bring core's float printing into the page.
fn set_opacity(glyph: &Element, hundredths: Option<i32>) {
    let opacity = hundredths.map_or(String::new(), |h| {
        Decimal::round(f64::from(h.clamp(0, 100)) / 100.0, 2).to_string()
    });
    // An empty value removes the property.
    let _ = style_of(glyph).set_property("opacity", &opacity);
}

/// An element's inline style, HTML or SVG alike (web-sys reads `style` by name, so the one
/// binding serves both).
pub fn style_of(element: &Element) -> CssStyleDeclaration {
    element.unchecked_ref::<web_sys::SvgElement>().style()
}

/// Where a message box goes: a point of the picture given in tenths of a unit.
fn position_value(tenths: (i32, i32)) -> String {
    box_position(f64::from(tenths.0) / 10.0, f64::from(tenths.1) / 10.0)
}

/// The transform that puts a box over the picture (`.mpos`, as big as the picture) at point
/// (x, y) of it: a translation by a percentage of the picture's size.
pub fn box_position(x: f64, y: f64) -> String {
    let percent = |v: f64| Decimal::round(v * 100.0 / VIEW_SIZE, 2).trimmed();
    format!("translate({}%,{}%)", percent(x), percent(y))
}

//! The cluster picture: the one module that draws it. Its `Painter` builds the `Scene`
//! (`ui::scene`, pure) from the simulator's present and the page's state, and draws it on a
//! canvas: on every animation frame (`Painter::draw_live`, called by the animation loop after
//! the reducer advanced the simulation) and after every render of `Picture` (which hands it
//! the page's state). Clicks and hovers are resolved against the scene last drawn. `Picture`
//! also renders the scene's accessible mirror: the servers and messages as buttons named like
//! "Server 3, leader, term 4", the client requests and replies as named images. Screen
//! readers and the end-to-end tests read and press the mirror; Yew re-renders it only when a
//! name changes.
//!
//! Why a canvas (docs/ARCHITECTURE.md has the figures): drawing forty moving things costs a
//! few dozen canvas calls, with no element, style or layout work for the browser, and the
//! picture is crisp at any device pixel ratio. The canvas fills the box the page layout gives
//! it (a ResizeObserver reports its size); the square picture is scaled to fit, centred.

use super::intent::Intent;
use super::scene::{
    scene, Fate, Item, Key, MessageLook, MessageShape, Point, Scene, SceneUi, ServerShape, Shape,
    TrafficShape, SIZE,
};
use crate::raft::types::Role;
use crate::sim::{ClusterView, MembershipRole, Micros, ServerStatus, Sim};
use std::cell::Cell;
use std::cell::RefCell;
use std::f64::consts::{FRAC_PI_2, TAU};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

#[derive(Properties, Clone)]
pub struct PictureProps {
    /// What to draw when the picture follows no simulator (`sim` None: as in the browser
    /// tests); with one, the newest state is drawn from it instead.
    pub view: Rc<ClusterView>,
    pub now: Micros,
    /// The view and time the accessible mirror names (the model's, which follows the
    /// simulation at `state::SHOW_EVERY_MS`).
    pub mirror_view: Rc<ClusterView>,
    pub mirror_now: Micros,
    pub ui: SceneUi,
    /// The theme: the picture's colours are read from the page's CSS when it changes.
    pub dark: bool,
    /// What draws the picture; the animation loop draws with it on every frame.
    pub painter: Rc<RefCell<Painter>>,
    /// The simulator the picture follows live.
    pub sim: Option<Rc<RefCell<Sim>>>,
    pub on_intent: Callback<Intent>,
    /// What the pointer is over now (sent when it changes).
    pub on_hover: Callback<Option<Key>>,
}

/// The same views (by pointer: comparing two views entry by entry would cost more than
/// drawing), times, page state, painter and simulator.
impl PartialEq for PictureProps {
    fn eq(&self, other: &Self) -> bool {
        let same_sim = match (&self.sim, &other.sim) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (a, b) => a.is_none() && b.is_none(),
        };
        Rc::ptr_eq(&self.view, &other.view)
            && self.now == other.now
            && Rc::ptr_eq(&self.mirror_view, &other.mirror_view)
            && self.mirror_now == other.mirror_now
            && self.ui == other.ui
            && self.dark == other.dark
            && Rc::ptr_eq(&self.painter, &other.painter)
            && same_sim
            && self.on_intent == other.on_intent
            && self.on_hover == other.on_hover
    }
}

/// The picture and its accessible mirror.
#[component]
pub fn Picture(props: &PictureProps) -> Html {
    let canvas_ref = use_node_ref();
    let painter = props.painter.clone();
    let mirror = {
        let (view, now, ui) = (
            props.mirror_view.clone(),
            props.mirror_now,
            props.ui.clone(),
        );
        let deps = (
            Rc::as_ptr(&view) as usize,
            now,
            ui.selected_server,
            ui.selected_message,
        );
        (*use_memo(deps, move |_| Rc::new(mirror_of(&scene(&view, now, &ui))))).clone()
    };
    {
        let (painter, canvas_ref, props) = (painter.clone(), canvas_ref.clone(), props.clone());
        super::widgets::use_after_render(Box::new(move || {
            let mut p = painter.borrow_mut();
            if p.renderer.is_none() {
                if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                    p.renderer = Renderer::new(canvas);
                    p.watch(&painter);
                }
            }
            p.ui = props.ui.clone();
            p.dark = props.dark;
            p.live = props.sim.clone();
            if p.live.is_some() {
                // Drawn by the animation loop's next frame: after this render's effects, so
                // that a new theme is on the page before its colours are read.
                p.stale = true;
            } else {
                p.scene = Rc::new(scene(&props.view, props.now, &p.ui));
                p.draw();
            }
        }));
    }
    let at = {
        let painter = painter.clone();
        move |e: &MouseEvent| -> Option<Key> {
            let p = painter.borrow();
            let point = p.renderer.as_ref()?.to_picture(e.offset_x(), e.offset_y());
            p.scene.hit(point)
        }
    };
    let on_click = {
        let (at, on_intent) = (at.clone(), props.on_intent.clone());
        Callback::from(move |e: MouseEvent| {
            on_intent.emit(match at(&e) {
                Some(Key::Message(id)) => Intent::SelectMessage(Some(id)),
                Some(Key::Server(id)) => Intent::SelectServer(Some(id)),
                _ => Intent::SelectMessage(None),
            })
        })
    };
    let on_move = {
        let (on_hover, hover) = (props.on_hover.clone(), props.ui.hover);
        Callback::from(move |e: MouseEvent| {
            let now = at(&e);
            if now != hover {
                on_hover.emit(now);
            }
        })
    };
    let on_leave = {
        let (on_hover, hover) = (props.on_hover.clone(), props.ui.hover);
        Callback::from(move |_: MouseEvent| {
            if hover.is_some() {
                on_hover.emit(None);
            }
        })
    };
    let pointer = matches!(props.ui.hover, Some(Key::Server(_) | Key::Message(_)));
    // Both go straight into the page's picture box (`div.picture`, sized by the layout): the
    // canvas fills it, the mirror sits hidden in its corner.
    html! { <>
        <canvas ref={canvas_ref} class={classes!(pointer.then_some("pointing"))} aria-hidden="true"
                onclick={on_click} onmousemove={on_move} onmouseleave={on_leave} />
        <Mirror entries={mirror} on_intent={props.on_intent.clone()} />
    </> }
}

/// One named thing of the mirror.
#[derive(Clone, PartialEq)]
struct Entry {
    key: Key,
    name: String,
    pressed: bool,
}

fn mirror_of(scene: &Scene) -> Vec<Entry> {
    scene
        .items
        .iter()
        .filter_map(|item| {
            let pressed = match &item.shape {
                Shape::Server(s) => s.selected,
                Shape::Message(m) => m.selected,
                _ => false,
            };
            item.name().map(|name| Entry {
                key: item.key,
                name,
                pressed,
            })
        })
        .collect()
}

#[derive(Properties, Clone, PartialEq)]
struct MirrorProps {
    entries: Rc<Vec<Entry>>,
    on_intent: Callback<Intent>,
}

/// The picture for screen readers and the end-to-end tests: a list of the servers and the
/// messages in flight as buttons (pressing one selects it, as a click on the picture does),
/// and the client requests and replies on their way, named. Off screen (the canvas shows the
/// same, and style.css has the browser skip its layout until a keyboard user enters it);
/// keyboard users reach the buttons with Tab.
///
/// The servers are keyed (each keeps its button). The messages and the client traffic are
/// matched by position, not keyed: a busy cluster replaces most of its messages between two
/// showings, and renaming the buttons already there costs the browser far less than removing
/// and making dozens of elements (the event log's choice too). Each kind is a list of its
/// own, because Yew matches an unkeyed list from its end: in one list, a change in the number
/// of messages would move the servers' buttons (and a keyboard user's focus) to other names.
#[component]
fn Mirror(props: &MirrorProps) -> Html {
    let item = |e: &Entry| {
        let intent = match e.key {
            Key::Server(id) => Some(Intent::SelectServer(Some(id))),
            Key::Message(id) => Some(Intent::SelectMessage(Some(id))),
            _ => None,
        };
        match intent {
            Some(intent) => html! {
                <li>
                    <button type="button" aria-label={e.name.clone()} aria-pressed={e.pressed.to_string()}
                            onclick={super::widgets::on_click(&props.on_intent, intent)}>{ &e.name }</button>
                </li>
            },
            None => html! { <li role="img" aria-label={e.name.clone()}>{ &e.name }</li> },
        }
    };
    let of_kind = |kind: MirrorKind| {
        props
            .entries
            .iter()
            .filter(move |e| MirrorKind::of(&e.key) == kind)
    };
    let servers =
        of_kind(MirrorKind::Server).map(|e| html! { <key={format!("{:?}", e.key)}>{ item(e) }</> });
    let messages = of_kind(MirrorKind::Message).map(item);
    let traffic = of_kind(MirrorKind::Traffic).map(item);
    html! {
        <ul class="mirror" aria-label="Servers and messages">
            <>{ for servers }</>
            <>{ for messages }</>
            <>{ for traffic }</>
        </ul>
    }
}

/// The mirror's three lists, in the order they come.
#[derive(Clone, Copy, PartialEq)]
enum MirrorKind {
    Server,
    Message,
    /// Client requests and replies, and reads waiting at a leader.
    Traffic,
}

impl MirrorKind {
    fn of(key: &Key) -> MirrorKind {
        match key {
            Key::Server(_) => MirrorKind::Server,
            Key::Message(_) => MirrorKind::Message,
            _ => MirrorKind::Traffic,
        }
    }
}

/// What draws: the renderer once the canvas exists, the scene last drawn (which clicks and
/// hovers are resolved against), the page's state and theme, and the simulator followed.
#[derive(Default)]
pub struct Painter {
    renderer: Option<Renderer>,
    scene: Rc<Scene>,
    ui: SceneUi,
    dark: bool,
    live: Option<Rc<RefCell<Sim>>>,
    /// The simulator's view as last taken, for which state of it (events processed, actions,
    /// last event), and the time last drawn.
    live_view: Option<(Rc<ClusterView>, (u64, usize, u64))>,
    live_now: Micros,
    /// Something besides the simulator changed (the page's state, the theme): draw again.
    stale: bool,
    /// The ResizeObserver watching the canvas and what it calls, and the test hook (see
    /// `watch`): kept as long as the picture.
    resize_observer: Option<web_sys::ResizeObserver>,
    on_resize: Option<Closure<dyn FnMut(js_sys::Array)>>,
    where_is: Option<Closure<dyn Fn(String) -> JsValue>>,
}

impl Drop for Painter {
    fn drop(&mut self) {
        // The observer must not call its closure once the closure is gone.
        if let Some(observer) = &self.resize_observer {
            observer.disconnect();
        }
    }
}

impl Painter {
    /// Draws the followed simulator's present, if it changed since the last drawing (called
    /// by the animation loop on every frame, after the reducer advanced the simulation).
    pub fn draw_live(&mut self) {
        let Some(sim) = self.live.clone() else {
            return;
        };
        let Ok(sim) = sim.try_borrow() else {
            return;
        };
        let key = (
            sim.events_processed(),
            sim.actions().len(),
            sim.last_event().seq,
        );
        let now = sim.now();
        let view = match &self.live_view {
            Some((view, k)) if *k == key => view.clone(),
            _ => {
                let t0 = super::bench::now();
                let view = Rc::new(sim.view());
                super::bench::add("live_view", super::bench::now() - t0);
                self.live_view = Some((view.clone(), key));
                self.stale = true;
                view
            }
        };
        drop(sim);
        if !self.stale && now == self.live_now {
            return;
        }
        self.stale = false;
        self.live_now = now;
        self.scene = Rc::new(scene(&view, now, &self.ui));
        self.draw();
    }

    fn draw(&mut self) {
        let t0 = super::bench::now();
        if let Some(r) = &mut self.renderer {
            r.draw(&self.scene, self.dark);
        }
        super::bench::add("draw", super::bench::now() - t0);
    }

    /// Redraws when the canvas's box changes size, and gives the end-to-end tests the hook
    /// they aim the mouse with, as a user aims by eye: `canvas.whereIs(name)` is the
    /// viewport point (CSS pixels) of the item with that accessible name, as last drawn, and
    /// its drawn radius in CSS pixels (a server's; 0 for the rest): `[x, y, radius]`.
    fn watch(&mut self, this: &Rc<RefCell<Painter>>) {
        let Some(canvas) = self.renderer.as_ref().map(|r| r.canvas.clone()) else {
            return;
        };
        let weak = Rc::downgrade(this);
        let on_resize = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let Some(this) = weak.upgrade() else { return };
            let Some(entry) = entries
                .get(0)
                .dyn_into::<web_sys::ResizeObserverEntry>()
                .ok()
            else {
                return;
            };
            let rect = entry.content_rect();
            let mut p = this.borrow_mut();
            if let Some(r) = &mut p.renderer {
                r.resize(rect.width(), rect.height());
            }
            p.draw();
        });
        if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
            observer.observe(&canvas);
            self.resize_observer = Some(observer);
        }
        self.on_resize = Some(on_resize);
        let weak = Rc::downgrade(this);
        let where_is = Closure::<dyn Fn(String) -> JsValue>::new(move |name: String| {
            let Some(this) = weak.upgrade() else {
                return JsValue::NULL;
            };
            let p = this.borrow();
            let (Some(r), Some(item)) = (
                &p.renderer,
                p.scene
                    .items
                    .iter()
                    .find(|i| i.name().as_deref() == Some(&name)),
            ) else {
                return JsValue::NULL;
            };
            let (x, y) = r.to_css(centre_of(item, p.scene.size));
            let rect = r.canvas.get_bounding_client_rect();
            let radius = match &item.shape {
                Shape::Server(s) => r.css_length(s.radius * s.scale),
                _ => 0.0,
            };
            js_sys::Array::of3(
                &(rect.left() + x).into(),
                &(rect.top() + y).into(),
                &radius.into(),
            )
            .into()
        });
        let _ = js_sys::Reflect::set(&canvas, &"whereIs".into(), where_is.as_ref());
        self.where_is = Some(where_is);
    }
}

/// Where an item is, in a scene `size` wide (what has no point of its own: the centre).
fn centre_of(item: &Item, size: f64) -> Point {
    match &item.shape {
        Shape::Server(s) => s.at,
        Shape::Message(m) => m.at,
        Shape::Traffic(t) => t.at,
        _ => Point::new(size / 2.0, size / 2.0),
    }
}

/// The picture's colours, read from the page's CSS custom properties (style.css keeps one
/// palette per theme).
struct Palette {
    text: String,
    muted: String,
    panel: String,
    border: String,
    accent: String,
    follower: (String, String),
    candidate: (String, String),
    leader: (String, String),
    crashed: String,
    timer: String,
    vote: String,
    append: String,
    ok: String,
    bad: String,
    wall: String,
    hulls: [String; 4],
    font: String,
}

impl Palette {
    fn read(canvas: &HtmlCanvasElement) -> Palette {
        let style = gloo::utils::window()
            .get_computed_style(canvas)
            .ok()
            .flatten();
        let var = |name: &str| {
            style
                .as_ref()
                .and_then(|s| s.get_property_value(name).ok())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "#888".into())
        };
        Palette {
            text: var("--text"),
            muted: var("--muted"),
            panel: var("--panel"),
            border: var("--border"),
            accent: var("--accent"),
            follower: (var("--follower"), var("--follower-stroke")),
            candidate: (var("--candidate"), var("--candidate-stroke")),
            leader: (var("--leader"), var("--leader-stroke")),
            crashed: var("--crashed"),
            timer: var("--timer"),
            vote: var("--msg-vote"),
            append: var("--msg-ae"),
            ok: var("--ok"),
            bad: var("--bad"),
            wall: var("--wall"),
            hulls: [
                var("--hull0"),
                var("--hull1"),
                var("--hull2"),
                var("--hull3"),
            ],
            font: var("font-family"),
        }
    }
}

/// The canvas's drawing context, with what was last set on it, so that the many items of a
/// frame do not set the same colour, width, font or dash pattern again (each is a call into
/// the browser, a colour a string decoded there, a dash pattern a new JavaScript array).
struct Context {
    ctx: CanvasRenderingContext2d,
    /// The fonts of the picture, made once from the page's font family (`Font` indexes them).
    fonts: Vec<String>,
    /// The dash patterns used, made once ([] is solid).
    dashes: Vec<(&'static [f64], js_sys::Array)>,
    dash: Cell<&'static [f64]>,
    font: Cell<Option<Font>>,
    fill: RefCell<String>,
    stroke: RefCell<String>,
    width: Cell<f64>,
    alpha: Cell<f64>,
    cap: Cell<&'static str>,
    join: Cell<&'static str>,
    /// Where `text_of` writes the words it draws.
    scratch: RefCell<String>,
}

impl std::ops::Deref for Context {
    type Target = CanvasRenderingContext2d;
    fn deref(&self) -> &CanvasRenderingContext2d {
        &self.ctx
    }
}

/// The dash patterns of the picture.
const SOLID: &[f64] = &[];
const WALL_DASH: &[f64] = &[5.0, 5.0];
const CUT_DASH: &[f64] = &[7.0, 4.0];
const LINE_DASH: &[f64] = &[4.0, 3.0];
const CRASHED_DASH: &[f64] = &[3.0, 3.0];
const PAUSED_DASH: &[f64] = &[2.0, 4.0];
const CANDIDATE_DASH: &[f64] = &[6.0, 3.0];
const REPLY_DASH: &[f64] = &[3.0, 2.0];
const LOST_DASH: &[f64] = &[2.0, 2.0];
const PATTERNS: [&[f64]; 9] = [
    SOLID,
    WALL_DASH,
    CUT_DASH,
    LINE_DASH,
    CRASHED_DASH,
    PAUSED_DASH,
    CANDIDATE_DASH,
    REPLY_DASH,
    LOST_DASH,
];

/// The picture's fonts: what each text is written in.
#[derive(Clone, Copy, PartialEq)]
enum Font {
    Client,
    Caption,
    Banner,
    ServerName,
    Role,
    Term,
    Below,
    Traffic,
    Message,
}

impl Font {
    const ALL: [Font; 9] = [
        Font::Client,
        Font::Caption,
        Font::Banner,
        Font::ServerName,
        Font::Role,
        Font::Term,
        Font::Below,
        Font::Traffic,
        Font::Message,
    ];

    /// Weight and size in picture units.
    fn look(self) -> (&'static str, f64) {
        match self {
            Font::Client => ("600", 11.0),
            Font::Caption => ("400", 9.5),
            Font::Banner => ("700", 12.0),
            Font::ServerName => ("700", 17.0),
            Font::Role => ("600", 8.5),
            Font::Term => ("400", 10.0),
            Font::Below => ("400", 10.5),
            Font::Traffic => ("600", 9.5),
            Font::Message => ("700", 9.0),
        }
    }
}

impl Context {
    fn new(ctx: CanvasRenderingContext2d) -> Context {
        let dashes = PATTERNS
            .iter()
            .map(|p| (*p, p.iter().map(|v| JsValue::from_f64(*v)).collect()))
            .collect();
        let context = Context {
            ctx,
            fonts: Vec::new(),
            dashes,
            dash: Cell::new(SOLID),
            font: Cell::new(None),
            fill: RefCell::default(),
            stroke: RefCell::default(),
            width: Cell::new(f64::NAN),
            alpha: Cell::new(f64::NAN),
            cap: Cell::new(""),
            join: Cell::new(""),
            scratch: RefCell::default(),
        };
        context.forget_state();
        context
    }

    /// The canvas's drawing state is back to its defaults (a new bitmap): set everything
    /// again when next used.
    fn forget_state(&self) {
        self.dash.set(SOLID);
        self.font.set(None);
        self.fill.borrow_mut().clear();
        self.stroke.borrow_mut().clear();
        self.width.set(f64::NAN);
        self.alpha.set(1.0);
        self.cap.set("butt");
        self.join.set("miter");
    }

    /// The fonts in the page's font family `family`.
    fn use_family(&mut self, family: &str) {
        self.fonts = Font::ALL
            .iter()
            .map(|f| {
                let (weight, size) = f.look();
                format!("{weight} {size}px {family}")
            })
            .collect();
        self.font.set(None);
    }

    fn set_dash(&self, pattern: &'static [f64]) {
        if std::ptr::eq(self.dash.get(), pattern) {
            return;
        }
        if let Some((_, array)) = self.dashes.iter().find(|(p, _)| std::ptr::eq(*p, pattern)) {
            let _ = self.ctx.set_line_dash(array);
            self.dash.set(pattern);
        }
    }

    fn set_font(&self, font: Font) {
        if self.font.get() == Some(font) {
            return;
        }
        if let Some(name) = Font::ALL
            .iter()
            .position(|f| *f == font)
            .and_then(|i| self.fonts.get(i))
        {
            self.ctx.set_font(name);
            self.font.set(Some(font));
        }
    }

    fn set_fill(&self, colour: &str) {
        let mut last = self.fill.borrow_mut();
        if *last != colour {
            self.ctx.set_fill_style_str(colour);
            last.clear();
            last.push_str(colour);
        }
    }

    fn set_stroke(&self, colour: &str) {
        let mut last = self.stroke.borrow_mut();
        if *last != colour {
            self.ctx.set_stroke_style_str(colour);
            last.clear();
            last.push_str(colour);
        }
    }

    fn set_width(&self, width: f64) {
        if self.width.get() != width {
            self.ctx.set_line_width(width);
            self.width.set(width);
        }
    }

    fn alpha(&self) -> f64 {
        self.alpha.get()
    }

    fn set_alpha(&self, alpha: f64) {
        if self.alpha.get() != alpha {
            self.ctx.set_global_alpha(alpha);
            self.alpha.set(alpha);
        }
    }

    fn set_cap(&self, cap: &'static str) {
        if self.cap.get() != cap {
            self.ctx.set_line_cap(cap);
            self.cap.set(cap);
        }
    }

    fn set_join(&self, join: &'static str) {
        if self.join.get() != join {
            self.ctx.set_line_join(join);
            self.join.set(join);
        }
    }
}

/// Draws scenes on one canvas.
pub struct Renderer {
    canvas: HtmlCanvasElement,
    ctx: Context,
    /// The canvas's box in CSS pixels, and the device pixel ratio its bitmap was sized for.
    box_size: (f64, f64),
    ratio: f64,
    /// The width of the scene's square (picture units) being drawn: the renderer fits it to
    /// the box (smaller in lecture mode, so everything comes out bigger).
    size: f64,
    /// The colours, read from the page's style for a theme (dark or not) and a picture size
    /// (lecture mode has colours of its own).
    palette: Option<((bool, u64), Palette)>,
    /// Where the scene being drawn has its messages, in drawing order (kept between frames,
    /// so that drawing allocates nothing).
    messages: Vec<usize>,
}

impl Renderer {
    pub fn new(canvas: HtmlCanvasElement) -> Option<Renderer> {
        let ctx = Context::new(canvas.get_context("2d").ok().flatten()?.dyn_into().ok()?);
        let box_size = (
            f64::from(canvas.client_width()),
            f64::from(canvas.client_height()),
        );
        let mut r = Renderer {
            canvas,
            ctx,
            box_size: (0.0, 0.0),
            ratio: 0.0,
            size: SIZE,
            palette: None,
            messages: Vec::new(),
        };
        r.resize(box_size.0, box_size.1);
        Some(r)
    }

    /// The canvas's box is now `width` × `height` CSS pixels: its bitmap follows, at the
    /// device pixel ratio (crisp on a phone and on a 4K projector).
    pub fn resize(&mut self, width: f64, height: f64) {
        let ratio = gloo::utils::window().device_pixel_ratio().max(1.0);
        if (width, height) == self.box_size && ratio == self.ratio {
            return;
        }
        self.box_size = (width, height);
        self.ratio = ratio;
        self.canvas.set_width((width * ratio).round() as u32);
        self.canvas.set_height((height * ratio).round() as u32);
        // A new bitmap starts with a fresh drawing state.
        self.ctx.forget_state();
    }

    /// Picture units to CSS pixels: the scale, and where the picture's corner sits.
    fn fit(&self) -> (f64, f64, f64) {
        let (w, h) = self.box_size;
        let scale = (w.min(h) / self.size).max(1e-3);
        (
            scale,
            (w - self.size * scale) / 2.0,
            (h - self.size * scale) / 2.0,
        )
    }

    /// A point of the canvas's box (CSS pixels) in picture units.
    pub fn to_picture(&self, x: i32, y: i32) -> Point {
        let (scale, ox, oy) = self.fit();
        Point::new((f64::from(x) - ox) / scale, (f64::from(y) - oy) / scale)
    }

    /// A point of the picture in the canvas's box (CSS pixels).
    pub fn to_css(&self, p: Point) -> (f64, f64) {
        let (scale, ox, oy) = self.fit();
        (ox + p.x * scale, oy + p.y * scale)
    }

    /// A length of the picture in CSS pixels.
    pub fn css_length(&self, units: f64) -> f64 {
        units * self.fit().0
    }

    pub fn draw(&mut self, scene: &Scene, dark: bool) {
        // A new device pixel ratio (the window moved to another screen) resizes the bitmap.
        self.resize(self.box_size.0, self.box_size.1);
        self.size = scene.size;
        let look = (dark, scene.size.to_bits());
        if self.palette.as_ref().is_none_or(|(l, _)| *l != look) {
            let palette = Palette::read(&self.canvas);
            self.ctx.use_family(&palette.font);
            self.palette = Some((look, palette));
        }
        let Some((_, palette)) = &self.palette else {
            return;
        };
        let ctx = &self.ctx;
        let r = self.ratio;
        let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        ctx.clear_rect(
            0.0,
            0.0,
            f64::from(self.canvas.width()),
            f64::from(self.canvas.height()),
        );
        let (scale, ox, oy) = self.fit();
        let fit = [scale * r, 0.0, 0.0, scale * r, ox * r, oy * r];
        let _ = ctx.set_transform(fit[0], fit[1], fit[2], fit[3], fit[4], fit[5]);
        ctx.set_text_align("center");
        ctx.set_text_baseline("middle");
        let faded = |item: &Item| if item.dimmed { 0.2 } else { 1.0 };
        for item in &scene.items {
            match &item.shape {
                // §6: a server joining or leaving the ring (`scene::RING_MOVE`) is drawn
                // scaled around its centre, text and all, and faint.
                Shape::Server(s) if s.scale != 1.0 || s.opacity != 1.0 => {
                    ctx.set_alpha(faded(item) * s.opacity);
                    let k = s.scale;
                    let _ = ctx.transform(k, 0.0, 0.0, k, s.at.x * (1.0 - k), s.at.y * (1.0 - k));
                    draw_item(ctx, palette, item);
                    let _ = ctx.set_transform(fit[0], fit[1], fit[2], fit[3], fit[4], fit[5]);
                }
                _ => {
                    ctx.set_alpha(faded(item));
                    draw_item(ctx, palette, item);
                }
            }
        }
        // The messages last, over everything else: grouped by look, so that each colour is
        // set once a frame, and then their labels, in one font and colour.
        let message = |i: usize| match &scene.items[i].shape {
            Shape::Message(m) => Some((faded(&scene.items[i]) * m.opacity, m)),
            _ => None,
        };
        let order = &mut self.messages;
        order.clear();
        order.extend((0..scene.items.len()).filter(|i| message(*i).is_some()));
        // The index last: within a look, messages keep the scene's order.
        order.sort_unstable_by_key(|&i| (message(i).map(|(_, m)| look_order(m.look)), i));
        for (alpha, m) in order.iter().filter_map(|i| message(*i)) {
            ctx.set_alpha(alpha);
            draw_message(ctx, palette, m);
        }
        for (alpha, m) in order.iter().filter_map(|i| message(*i)) {
            ctx.set_alpha(alpha);
            text_of(
                ctx,
                format_args!("{}", m.look.label()),
                m.at,
                Font::Message,
                "#fff",
            );
        }
        ctx.set_alpha(1.0);
    }
}

/// Draws one item of the scene (in picture units).
fn draw_item(ctx: &Context, pal: &Palette, item: &Item) {
    ctx.set_dash(SOLID);
    match &item.shape {
        Shape::Region { outline, pad, tint } => {
            let colour = &pal.hulls[*tint % 4];
            if let [only] = outline.as_slice() {
                ctx.set_fill(colour);
                circle(ctx, *only, *pad);
                ctx.fill();
            } else {
                ctx.set_stroke(colour);
                ctx.set_width(2.0 * pad);
                ctx.set_join("round");
                ctx.set_cap("round");
                path(ctx, outline, outline.len() > 2);
                ctx.stroke();
            }
        }
        Shape::Link {
            from,
            to,
            mark,
            cut,
        } => {
            ctx.set_stroke(&pal.wall);
            ctx.set_cap("butt");
            let alpha = ctx.alpha();
            if *cut {
                ctx.set_width(2.5);
                ctx.set_dash(CUT_DASH);
            } else {
                ctx.set_width(1.5);
                ctx.set_dash(WALL_DASH);
                ctx.set_alpha(alpha * 0.55);
            }
            path(ctx, &[*from, *to], false);
            ctx.stroke();
            ctx.set_dash(SOLID);
            if *cut {
                // An arrowhead: the direction that is cut.
                let (dx, dy) = (to.x - from.x, to.y - from.y);
                let len = (dx * dx + dy * dy).sqrt().max(1.0);
                let (ux, uy) = (dx / len, dy / len);
                ctx.set_fill(&pal.wall);
                ctx.begin_path();
                ctx.move_to(to.x, to.y);
                ctx.line_to(to.x - ux * 9.0 - uy * 4.5, to.y - uy * 9.0 + ux * 4.5);
                ctx.line_to(to.x - ux * 9.0 + uy * 4.5, to.y - uy * 9.0 - ux * 4.5);
                ctx.close_path();
                ctx.fill();
            }
            ctx.set_width(2.5);
            cross(ctx, *mark, 5.0);
            ctx.stroke();
            ctx.set_alpha(alpha);
        }
        Shape::Client { at } => {
            ctx.set_fill(&pal.panel);
            ctx.set_stroke(&pal.candidate.1);
            ctx.set_width(1.5);
            rounded(ctx, at.x - 22.0, at.y - 11.0, 44.0, 22.0, 5.0);
            ctx.fill();
            ctx.stroke();
            text(ctx, "client", *at, Font::Client, &pal.text);
        }
        Shape::ClientLine {
            from,
            to,
            caption,
            caption_at,
        } => {
            ctx.set_stroke(&pal.candidate.1);
            ctx.set_width(1.5);
            ctx.set_dash(LINE_DASH);
            path(ctx, &[*from, *to], false);
            ctx.stroke();
            text(ctx, caption, *caption_at, Font::Caption, &pal.muted);
        }
        Shape::Server(s) => draw_server(ctx, pal, s),
        Shape::Reads { at, waiting, .. } => draw_reads(ctx, *at, *waiting),
        Shape::Traffic(t) => draw_traffic(ctx, pal, t),
        // Drawn after every other item (`Renderer::draw`).
        Shape::Message(_) => {}
        Shape::Banner { at, text: words } => {
            text(ctx, words, *at, Font::Banner, &pal.wall);
        }
    }
}

fn draw_server(ctx: &Context, pal: &Palette, s: &ServerShape) {
    let (fill, stroke) = match (s.status, s.role) {
        (ServerStatus::Crashed, _) => (&pal.crashed, &pal.muted),
        (_, Role::Leader) => (&pal.leader.0, &pal.leader.1),
        (_, Role::Candidate) => (&pal.candidate.0, &pal.candidate.1),
        (_, Role::Follower) => (&pal.follower.0, &pal.follower.1),
    };
    let alpha = ctx.alpha();
    // The leader's heartbeat ring, bright as an AppendEntries goes out.
    if let Some(beat) = s.heartbeat.filter(|b| *b > 0.0) {
        ctx.set_alpha(alpha * beat);
        ctx.set_stroke(&pal.leader.1);
        ctx.set_width(3.0);
        circle(ctx, s.at, s.radius + 11.0);
        ctx.stroke();
        ctx.set_alpha(alpha);
    }
    // The election timer: a track, and the time left drawn clockwise from the top.
    ctx.set_width(4.0);
    ctx.set_stroke(&pal.border);
    circle(ctx, s.at, s.radius + 5.0);
    ctx.stroke();
    if let Some(left) = s.timer.filter(|l| *l > 0.0) {
        ctx.set_stroke(if s.role == Role::Candidate {
            &pal.candidate.1
        } else {
            &pal.timer
        });
        ctx.set_cap("round");
        ctx.begin_path();
        let _ = ctx.arc(
            s.at.x,
            s.at.y,
            s.radius + 5.0,
            -FRAC_PI_2,
            -FRAC_PI_2 + TAU * left,
        );
        ctx.stroke();
    }
    // The body: dashed for a candidate, faint when paused, non-voting (§6: a new server
    // catching up) or removed (still running, out of the configuration), thick for the leader.
    if s.status == ServerStatus::Paused
        || matches!(
            s.membership,
            MembershipRole::NonVoting | MembershipRole::Removed
        )
    {
        ctx.set_alpha(alpha * 0.65);
    }
    ctx.set_fill(fill);
    circle(ctx, s.at, s.radius);
    ctx.fill();
    match (s.status, s.role) {
        (ServerStatus::Crashed, _) => ctx.set_dash(CRASHED_DASH),
        (ServerStatus::Paused, _) => ctx.set_dash(PAUSED_DASH),
        (_, Role::Candidate) => ctx.set_dash(CANDIDATE_DASH),
        _ => {}
    }
    let width = match (s.status, s.role) {
        (ServerStatus::Crashed, _) => 2.0,
        (_, Role::Leader) => 3.5,
        (_, Role::Candidate) => 2.5,
        _ => 2.0,
    };
    if s.selected {
        ctx.set_stroke(&pal.accent);
        ctx.set_width(5.0);
    } else {
        ctx.set_stroke(stroke);
        ctx.set_width(width);
    }
    ctx.stroke();
    ctx.set_dash(SOLID);
    ctx.set_alpha(alpha);
    if s.role == Role::Leader && s.status != ServerStatus::Crashed {
        ctx.set_stroke(&pal.leader.1);
        ctx.set_width(1.5);
        circle(ctx, s.at, s.radius - 5.0);
        ctx.stroke();
    }
    if s.hovered && !s.selected {
        ctx.set_stroke(&pal.accent);
        ctx.set_width(2.0);
        circle(ctx, s.at, s.radius + 9.0);
        ctx.stroke();
    }
    let ink = if s.status == ServerStatus::Crashed {
        &pal.muted
    } else {
        &pal.text
    };
    let at = |dy: f64| Point::new(s.at.x, s.at.y + dy);
    let word = match (s.status, s.role) {
        (ServerStatus::Crashed, _) => "CRASHED",
        (_, Role::Leader) => "LEADER",
        (_, Role::Candidate) => "CANDIDATE",
        (_, Role::Follower) => "FOLLOWER",
    };
    text_of(
        ctx,
        format_args!("S{}", s.id.0),
        at(-11.0),
        Font::ServerName,
        ink,
    );
    text(ctx, word, at(3.0), Font::Role, ink);
    text_of(
        ctx,
        format_args!("term {}", s.term),
        at(15.0),
        Font::Term,
        ink,
    );
    text(ctx, &s.below, at(s.radius + 19.0), Font::Below, &pal.muted);
    if s.status == ServerStatus::Crashed {
        ctx.set_stroke(&pal.bad);
        ctx.set_width(4.0);
        ctx.set_cap("round");
        cross(ctx, s.at, s.radius * 0.75);
        ctx.stroke();
    }
    if s.status == ServerStatus::Paused {
        let c = Point::new(s.at.x + s.radius * 0.62, s.at.y - s.radius * 0.62);
        ctx.set_fill(&pal.panel);
        ctx.set_stroke(&pal.text);
        ctx.set_width(1.5);
        circle(ctx, c, 10.0);
        ctx.fill();
        ctx.stroke();
        ctx.set_fill(&pal.text);
        ctx.fill_rect(c.x - 5.0, c.y - 5.0, 3.5, 10.0);
        ctx.fill_rect(c.x + 1.5, c.y - 5.0, 3.5, 10.0);
    }
}

fn draw_traffic(ctx: &Context, pal: &Palette, t: &TrafficShape) {
    let width = 12.0 + 5.6 * t.text.chars().count() as f64;
    let alpha = ctx.alpha();
    if t.doomed {
        ctx.set_alpha(alpha * 0.5);
    }
    ctx.set_fill(&pal.panel);
    ctx.set_stroke(&pal.candidate.1);
    ctx.set_width(1.2);
    if t.reply {
        ctx.set_dash(REPLY_DASH);
    }
    rounded(ctx, t.at.x - width / 2.0, t.at.y - 8.0, width, 16.0, 8.0);
    ctx.fill();
    ctx.stroke();
    ctx.set_dash(SOLID);
    text(ctx, &t.text, t.at, Font::Traffic, &pal.candidate.1);
    ctx.set_alpha(alpha);
}

/// Messages of one look are drawn one after another (one colour set for all of them).
fn look_order(look: MessageLook) -> u8 {
    match look {
        MessageLook::Heartbeat => 0,
        MessageLook::Append { .. } => 1,
        MessageLook::AppendReply { success: true } => 2,
        MessageLook::AppendReply { success: false } => 3,
        MessageLook::RequestVote | MessageLook::PreVote | MessageLook::TimeoutNow => 4,
        MessageLook::Vote { granted: true, .. } => 5,
        MessageLook::Vote { granted: false, .. } => 6,
        MessageLook::Snapshot { .. } => 7,
        MessageLook::SnapshotReply { .. } => 8,
        MessageLook::ReadCheck => 9,
        MessageLook::ReadAck => 10,
    }
}

/// The colour of reads waiting for their confirmation round (§8), as the legend's.
const READ_COLOUR: &str = "#0f766e";

/// A leader's reads waiting for their round: a pill "R? n" by its circle.
fn draw_reads(ctx: &Context, at: Point, waiting: usize) {
    ctx.set_fill(READ_COLOUR);
    rounded(ctx, at.x - 14.0, at.y - 8.0, 28.0, 16.0, 8.0);
    ctx.fill();
    text_of(ctx, format_args!("R? {waiting}"), at, Font::Message, "#fff");
}

/// Draws a message's body and marks (its label is drawn with all the others, after them).
fn draw_message(ctx: &Context, pal: &Palette, m: &MessageShape) {
    let (fill, stroke) =
        match m.look {
            MessageLook::RequestVote | MessageLook::PreVote | MessageLook::TimeoutNow => {
                (pal.vote.as_str(), "#7a4a00")
            }
            MessageLook::Vote { granted: true, .. }
            | MessageLook::AppendReply { success: true } => (pal.ok.as_str(), "#124"),
            MessageLook::Vote { granted: false, .. }
            | MessageLook::AppendReply { success: false } => (pal.bad.as_str(), "#400"),
            MessageLook::Heartbeat => (pal.panel.as_str(), pal.append.as_str()),
            MessageLook::Append { .. } => (pal.append.as_str(), "#123a6b"),
            // §7: InstallSnapshot is its own kind of message, drawn in its own colour.
            MessageLook::Snapshot { .. } => ("#7b4fb0", "#3a1f5c"),
            MessageLook::SnapshotReply { .. } => (pal.ok.as_str(), "#3a1f5c"),
            // §8: the round a waiting read needs, in the read colour (style.css `.lg-read`).
            MessageLook::ReadCheck | MessageLook::ReadAck => (READ_COLOUR, "#06443f"),
        };
    ctx.set_fill(fill);
    ctx.set_stroke(stroke);
    ctx.set_width(if m.look == MessageLook::Heartbeat {
        2.5
    } else {
        1.5
    });
    if m.fate == Fate::Lost {
        ctx.set_dash(LOST_DASH);
    }
    let (x, y) = (m.at.x, m.at.y);
    match m.look {
        MessageLook::Append { .. } => rounded(ctx, x - 12.0, y - 8.0, 24.0, 16.0, 3.0),
        MessageLook::AppendReply { .. } => rounded(ctx, x - 7.0, y - 7.0, 14.0, 14.0, 2.0),
        MessageLook::RequestVote | MessageLook::PreVote | MessageLook::TimeoutNow => {
            circle(ctx, m.at, 10.0)
        }
        MessageLook::Vote { .. } => circle(ctx, m.at, 8.5),
        MessageLook::Heartbeat => circle(ctx, m.at, 5.5),
        MessageLook::Snapshot { .. } => rounded(ctx, x - 19.0, y - 9.0, 38.0, 18.0, 6.0),
        MessageLook::ReadCheck => circle(ctx, m.at, 9.0),
        MessageLook::ReadAck => rounded(ctx, x - 9.0, y - 7.0, 18.0, 14.0, 2.0),
        MessageLook::SnapshotReply { .. } => rounded(ctx, x - 7.0, y - 7.0, 14.0, 14.0, 6.0),
    }
    ctx.fill();
    ctx.stroke();
    ctx.set_dash(SOLID);
    if m.fate == Fate::Duplicated {
        // A second outline behind it: two copies on the wire.
        ctx.set_stroke(stroke);
        ctx.set_width(1.0);
        circle(ctx, Point::new(x + 4.0, y - 4.0), 12.0);
        ctx.stroke();
    }
    if m.selected || m.hovered {
        ctx.set_stroke(if m.selected { &pal.text } else { &pal.accent });
        ctx.set_width(2.0);
        if m.selected {
            ctx.set_dash(REPLY_DASH);
        }
        circle(ctx, m.at, 15.0);
        ctx.stroke();
        ctx.set_dash(SOLID);
    }
}

// ---- small drawing helpers ----

fn circle(ctx: &Context, at: Point, radius: f64) {
    ctx.begin_path();
    let _ = ctx.arc(at.x, at.y, radius.max(0.0), 0.0, TAU);
}

fn path(ctx: &Context, points: &[Point], closed: bool) {
    ctx.begin_path();
    for (i, p) in points.iter().enumerate() {
        if i == 0 {
            ctx.move_to(p.x, p.y);
        } else {
            ctx.line_to(p.x, p.y);
        }
    }
    if closed {
        ctx.close_path();
    }
}

fn cross(ctx: &Context, at: Point, half: f64) {
    ctx.begin_path();
    ctx.move_to(at.x - half, at.y - half);
    ctx.line_to(at.x + half, at.y + half);
    ctx.move_to(at.x - half, at.y + half);
    ctx.line_to(at.x + half, at.y - half);
}

fn rounded(ctx: &Context, x: f64, y: f64, w: f64, h: f64, r: f64) {
    ctx.begin_path();
    let _ = ctx.round_rect_with_f64(x, y, w, h, r);
}

fn text(ctx: &Context, words: &str, at: Point, font: Font, colour: &str) {
    if words.is_empty() {
        return;
    }
    ctx.set_font(font);
    ctx.set_fill(colour);
    let _ = ctx.fill_text(words, at.x, at.y);
}

/// `text` of formatted words, written into the context's scratch string (no string is made
/// per frame).
fn text_of(ctx: &Context, words: std::fmt::Arguments, at: Point, font: Font, colour: &str) {
    let mut scratch = ctx.scratch.borrow_mut();
    scratch.clear();
    let _ = std::fmt::Write::write_fmt(&mut *scratch, words);
    text(ctx, &scratch, at, font, colour);
}

//! The cluster picture (SVG): servers on a ring, messages in flight, partitions and cut links.
//! Everything is read from the `ClusterView` and the current time; clicks emit intents.

use super::geometry::*;
use super::intent::Intent;
use super::motion::{Layers, Motion, Painter};
use crate::raft::types::{Role, ServerId};
use crate::sim::{ClusterView, MessageId, Micros, ServerStatus, ServerView};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, Clone)]
pub struct ClusterProps {
    /// What the picture is drawn from: it changes only when what is drawn would
    /// (`draws_same`).
    pub view: Rc<ClusterView>,
    /// The newest picture of the cluster, which the moving parts are painted from (`motion`).
    /// Not compared: a newer picture alone renders nothing; the model paints it.
    pub live: Rc<ClusterView>,
    /// Where the picture registers its painter for the model.
    pub painter: Painter,
    pub now: Micros,
    pub selected_server: Option<ServerId>,
    pub selected_message: Option<MessageId>,
    pub on_intent: Callback<Intent>,
}

impl PartialEq for ClusterProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.view, &other.view)
            && Rc::ptr_eq(&self.painter, &other.painter)
            && self.now == other.now
            && self.selected_server == other.selected_server
            && self.selected_message == other.selected_message
    }
}

/// Whether the picture Yew draws from `a` is the one it draws from `b`: the same servers with
/// the same status, role, term, vote (or count of votes) and running timer, and the same
/// network. What moves (messages, how far timers have run, the heartbeat ring, the clients
/// and their traffic, the leader line) is painted from the newest picture by `motion`, so it
/// is not compared; nor are logs and stores, which the panels draw from their own copies.
pub fn draws_same(a: &ClusterView, b: &ClusterView) -> bool {
    let server_drawn = |s: &ServerView| {
        (
            s.id,
            s.status,
            s.role,
            s.current_term,
            s.voted_for,
            s.votes_granted.len(),
            s.election_timer_started.is_some() && s.election_deadline.is_some(),
        )
    };
    a.servers.len() == b.servers.len()
        && a.servers
            .iter()
            .zip(&b.servers)
            .all(|(x, y)| server_drawn(x) == server_drawn(y))
        && a.network == b.network
}

/// "Server 3, leader, term 4" (the accessible name the e2e tests use).
pub fn server_label(s: &ServerView) -> String {
    match s.status {
        ServerStatus::Crashed => format!("Server {}, crashed, term {}", s.id.0, s.current_term),
        ServerStatus::Paused => format!(
            "Server {}, {}, term {}, paused",
            s.id.0, s.role, s.current_term
        ),
        ServerStatus::Up => format!("Server {}, {}, term {}", s.id.0, s.role, s.current_term),
    }
}

/// CSS class and accessible words for a message.
pub use super::message_layer::message_kind;

fn index_of(view: &ClusterView, id: ServerId) -> usize {
    view.servers.iter().position(|s| s.id == id).unwrap_or(0)
}

#[component]
pub fn Cluster(props: &ClusterProps) -> Html {
    // What moves (messages, timers, the heartbeat ring, client traffic) is painted by
    // `Motion` after every render, and on frames that render nothing (see motion).
    let refs = Refs {
        svg: use_node_ref(),
        messages: use_node_ref(),
        traffic: use_node_ref(),
        clients: use_node_ref(),
    };
    let motion = use_mut_ref(Motion::default);
    {
        let (refs, motion, painter) = (refs.clone(), motion.clone(), props.painter.clone());
        let (live, now, selected) = (props.live.clone(), props.now, props.selected_message);
        super::widgets::use_after_render(Box::new(move || {
            let rim = server_radius(live.servers.len());
            let layers = Layers {
                svg: refs.svg.cast(),
                messages: refs.messages.cast(),
                traffic: refs.traffic.cast(),
                clients: refs.clients.cast(),
            };
            Motion::rendered(&motion, &painter, live, now, rim, selected, layers);
        }));
    }
    let t0 = super::bench::now();
    let html = cluster_html(props, refs);
    super::bench::add("cluster_vdom", super::bench::now() - t0);
    html
}

/// The picture, and the layers whose children move.
#[derive(Clone)]
struct Refs {
    svg: NodeRef,
    messages: NodeRef,
    traffic: NodeRef,
    clients: NodeRef,
}

fn cluster_html(props: &ClusterProps, refs: Refs) -> Html {
    let view = &props.view;
    let n = view.servers.len();
    let rim = server_radius(n);
    let pos = |id: ServerId| server_pos(index_of(view, id), n);

    // Partition groups, with servers in no group each alone.
    let mut groups: Vec<Vec<ServerId>> = view.network.partition.clone();
    if !groups.is_empty() {
        for s in &view.servers {
            if !groups.iter().any(|g| g.contains(&s.id)) {
                groups.push(vec![s.id]);
            }
        }
    }
    let group_of = |id: ServerId| groups.iter().position(|g| g.contains(&id));

    let hulls = groups.iter().enumerate().map(|(gi, g)| {
        let pts: Vec<(f64, f64)> = g.iter().map(|&id| pos(id)).collect();
        let d = polygon_path(&convex_hull(&pts));
        html! {
            <path class={classes!("hull", format!("hull-{}", gi % 4))} d={d}
                  stroke-width={whole(2.0 * rim + 34.0).to_string()} />
        }
    });

    let mut walls = Vec::new();
    if !groups.is_empty() {
        for (i, a) in view.servers.iter().enumerate() {
            for b in view.servers.iter().skip(i + 1) {
                if group_of(a.id) != group_of(b.id) {
                    walls.push(cut_line(pos(a.id), pos(b.id), rim, "wall", None));
                }
            }
        }
    }
    let cuts = view
        .network
        .cut_links
        .iter()
        .map(|&(from, to)| {
            cut_line(
                pos(from),
                pos(to),
                rim,
                "cut",
                Some(format!("link {from} to {to} cut")),
            )
        })
        .collect::<Html>();

    let servers = view.servers.iter().enumerate().map(|(i, s)| {
        let (x, y) = server_pos(i, n);
        let id = s.id;
        let role_class = match (s.status, s.role) {
            (ServerStatus::Crashed, _) => "crashed",
            (_, Role::Leader) => "leader",
            (_, Role::Candidate) => "candidate",
            (_, Role::Follower) => "follower",
        };
        let status_class = match s.status {
            ServerStatus::Up => "up",
            ServerStatus::Crashed => "down",
            ServerStatus::Paused => "paused",
        };
        let timer_runs = s.status != ServerStatus::Crashed
            && s.election_timer_started.is_some()
            && s.election_deadline.is_some();
        let live_leader = s.role == Role::Leader && s.status == ServerStatus::Up;
        let word = match s.status {
            ServerStatus::Crashed => "CRASHED".to_string(),
            _ => s.role.to_string().to_ascii_uppercase(),
        };
        let below = match (s.status, s.role) {
            (ServerStatus::Crashed, _) => String::new(),
            (_, Role::Candidate) => format!("votes {}/{}", s.votes_granted.len(), n),
            _ => match s.voted_for {
                Some(v) => format!("voted {v}"),
                None => "no vote".into(),
            },
        };
        let selected = props.selected_server == Some(id);
        html! {
            <g key={id.0 as u64} class={classes!("server", role_class, status_class, selected.then_some("selected"))}
               transform={format!("translate({} {})", tenths(x), tenths(y))}
               role="button" tabindex="0" aria-label={server_label(s)} aria-pressed={selected.to_string()}
               data-server={id.0.to_string()}>
                <title>{ server_label(s) }</title>
                // What moves is painted by `motion` (the ring's stroke-opacity, the timer's
                // dash), so that the browser only repaints: no new geometry (which would cost
                // a layout, and after it a hover hit test).
                if live_leader {
                    <circle class="pulse" r={tenths(rim + 11.0).to_string()} stroke-opacity="0" />
                }
                <circle class="timer-track" r={tenths(rim + 5.0).to_string()} />
                // The election timer drains clockwise from the top: a dash of the circle.
                if timer_runs {
                    <circle class="timer" r={tenths(rim + 5.0).to_string()} pathLength="1000" transform="rotate(-90)" />
                }
                <circle class="body" r={tenths(rim).to_string()} />
                if s.role == Role::Leader && s.status != ServerStatus::Crashed {
                    <circle class="crown" r={tenths(rim - 5.0).to_string()} />
                }
                <text class="sid" y="-9">{ format!("S{}", id.0) }</text>
                <text class="srole" y="5">{ word }</text>
                <text class="sterm" y="18">{ format!("term {}", s.current_term) }</text>
                <text class="svote" y={whole(rim + 20.0).to_string()}>{ below }</text>
                if s.status == ServerStatus::Crashed {
                    <path class="xmark" d={format!("M{a} {a}L{b} {b}M{a} {b}L{b} {a}", a = whole(-rim * 0.75), b = whole(rim * 0.75))} />
                }
                if s.status == ServerStatus::Paused {
                    <g class="pausemark" transform={format!("translate({} {})", whole(rim * 0.62), whole(-rim * 0.62))}>
                        { svg_markup(r#"<circle r="10"/><rect x="-5" y="-5" width="3.5" height="10"/><rect x="1.5" y="-5" width="3.5" height="10"/>"#) }
                    </g>
                }
            </g>
        }
    });

    let banner = if groups.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = view
            .network
            .partition
            .iter()
            .map(|g| {
                let names: Vec<String> = g.iter().map(|s| s.to_string()).collect();
                format!("{{{}}}", names.join(","))
            })
            .collect();
        format!("PARTITIONED {}", parts.join(" | "))
    };

    // One pair of listeners for the whole picture (event delegation): nothing to re-register
    // when dozens of messages move every frame.
    let on_click = props
        .on_intent
        .reform(|e: MouseEvent| target_intent(e.target()));
    let on_key = {
        let cb = props.on_intent.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                let intent = target_intent(e.target());
                if intent != Intent::SelectMessage(None) {
                    e.prevent_default();
                    e.stop_propagation();
                    cb.emit(intent);
                }
            }
        })
    };
    html! {
        <>
        <svg ref={refs.svg} class="cluster-svg" viewBox={format!("0 0 {} {}", whole(VIEW_SIZE), whole(VIEW_SIZE))} role="group"
             aria-label="Servers and messages" preserveAspectRatio="xMidYMid meet"
             onclick={on_click.clone()} onkeydown={on_key.clone()}>
            { svg_markup(concat!(
                r#"<defs><marker id="arrow-cut" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" "#,
                r#"markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" class="arrow-cut"/>"#,
                "</marker></defs>",
            )) }
            <rect class="bg" x="0" y="0" width={whole(VIEW_SIZE).to_string()} height={whole(VIEW_SIZE).to_string()} />
            <g class="hulls">{ for hulls }</g>
            <g class="walls">{ for walls }{ cuts }</g>
            // Clients sit outside the cluster, drawn at the centre: a dashed line to the server
            // each one is waiting on, and their requests and replies travelling along it (§8),
            // drawn by `motion` (see traffic).
            <g class="clients-layer" ref={refs.clients} />
            <g class="servers">{ for servers }</g>
            if !banner.is_empty() {
                <text class="partition-banner" x={whole(CENTER).to_string()} y="16">{ banner }</text>
            }
        </svg>
        // Client requests and replies on their way, and the messages in flight, over the
        // picture: HTML moved by CSS transforms (see message_layer for why).
        <div class="msglayer" ref={refs.traffic} />
        <div class="msglayer" role="group" aria-label="Messages in flight" ref={refs.messages}
             onclick={on_click} onkeydown={on_key} />
        </>
    }
}

/// Static SVG written as markup: one string costs far less wasm than `html!`'s element
/// constructors, and the browser builds the same elements (in the SVG namespace) from it.
fn svg_markup(markup: &'static str) -> Html {
    Html::from_html_unchecked(AttrValue::Static(markup))
}

/// What a click (or Enter) on the picture means: the message or server under it, else
/// "deselect the message".
fn target_intent(target: Option<web_sys::EventTarget>) -> Intent {
    let el = target.and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    if let Some(el) = el {
        if let Ok(Some(m)) = el.closest("[data-msg]") {
            if let Some(id) = m.get_attribute("data-msg").and_then(|v| v.parse().ok()) {
                return Intent::SelectMessage(Some(MessageId(id)));
            }
        }
        if let Ok(Some(s)) = el.closest("[data-server]") {
            if let Some(id) = s.get_attribute("data-server").and_then(|v| v.parse().ok()) {
                return Intent::SelectServer(Some(ServerId(id)));
            }
        }
    }
    Intent::SelectMessage(None)
}

fn cut_line(
    a: (f64, f64),
    b: (f64, f64),
    rim: f64,
    class: &'static str,
    label: Option<String>,
) -> Html {
    let start = message_pos(a, b, rim, 0.0);
    let end = message_pos(a, b, rim, 1.0);
    let f = if class == "cut" { 0.35 } else { 0.5 };
    let mid = (
        start.0 + (end.0 - start.0) * f,
        start.1 + (end.1 - start.1) * f,
    );
    let x = 5.0;
    html! {
        <g class={class}>
            if let Some(l) = label.clone() { <title>{ l }</title> }
            <line x1={tenths(start.0).to_string()} y1={tenths(start.1).to_string()}
                  x2={tenths(end.0).to_string()} y2={tenths(end.1).to_string()}
                  marker-end={(class == "cut").then_some("url(#arrow-cut)")} />
            <path class="xcut" d={format!("M{} {}l{} {}m0 {}l{} {}", tenths(mid.0 - x), tenths(mid.1 - x), whole(2.0 * x), whole(2.0 * x), whole(-2.0 * x), whole(-2.0 * x), whole(2.0 * x))} />
        </g>
    }
}

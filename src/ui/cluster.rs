//! The cluster picture (SVG): servers on a ring, messages in flight, partitions and cut links.
//! Everything is read from the `ClusterView` and the current time; clicks emit intents.

use super::geometry::*;
use super::intent::Intent;
use super::message_layer::MessageLayer;
use crate::raft::types::{Message, Role, ServerId};
use crate::sim::{ClusterView, MessageId, Micros, ServerStatus, ServerView};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, Clone)]
pub struct ClusterProps {
    pub view: Rc<ClusterView>,
    pub now: Micros,
    pub selected_server: Option<ServerId>,
    pub selected_message: Option<MessageId>,
    pub on_intent: Callback<Intent>,
}

impl PartialEq for ClusterProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.view, &other.view)
            && self.now == other.now
            && self.selected_server == other.selected_server
            && self.selected_message == other.selected_message
    }
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
    // The messages in flight are drawn by `MessageLayer` into an element Yew leaves empty,
    // after every render (see message_layer for why).
    let layer_ref = use_node_ref();
    let layer = use_mut_ref(MessageLayer::default);
    {
        let (layer_ref, layer) = (layer_ref.clone(), layer.clone());
        let (view, now, selected) = (props.view.clone(), props.now, props.selected_message);
        use_effect(move || {
            if let Some(g) = layer_ref.cast::<web_sys::Element>() {
                let t0 = super::bench::now();
                let rim = server_radius(view.servers.len());
                layer.borrow_mut().sync(&g, &view, now, rim, selected);
                super::bench::add("messages", super::bench::now() - t0);
            }
        });
    }
    let t0 = super::bench::now();
    let html = cluster_html(props, layer_ref);
    super::bench::add("cluster_vdom", super::bench::now() - t0);
    html
}

fn cluster_html(props: &ClusterProps, messages_layer: NodeRef) -> Html {
    let view = &props.view;
    let n = view.servers.len();
    let now = props.now;
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
                  stroke-width={format!("{:.0}", 2.0 * rim + 34.0)} />
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

    let leader_pulse = |s: &ServerView| -> Option<f64> {
        if s.role != Role::Leader || s.status != ServerStatus::Up {
            return None;
        }
        let last = view
            .messages
            .iter()
            .filter(|m| m.from == s.id && matches!(*m.message, Message::AppendEntries(_)))
            .map(|m| m.sent_at)
            .max()?;
        let age = now.saturating_sub(last) as f64 / 30_000.0;
        (age < 1.0).then_some(age)
    };

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
        let timer = match (s.status, s.election_timer_started, s.election_deadline) {
            (ServerStatus::Crashed, ..) => None,
            (_, Some(start), Some(deadline)) => Some(timer_left(start, deadline, now)),
            _ => None,
        };
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
               transform={format!("translate({x:.1} {y:.1})")}
               role="button" tabindex="0" aria-label={server_label(s)} aria-pressed={selected.to_string()}
               data-server={id.0.to_string()}>
                <title>{ server_label(s) }</title>
                if let Some(age) = leader_pulse(s) {
                    <circle class="pulse" r={format!("{:.1}", rim + 4.0 + age * 16.0)}
                            opacity={format!("{:.2}", 1.0 - age)} />
                }
                <circle class="timer-track" r={format!("{:.1}", rim + 5.0)} />
                if let Some(left) = timer {
                    <path class="timer" d={arc_path(0.0, 0.0, rim + 5.0, left)} />
                }
                <circle class="body" r={format!("{rim:.1}")} />
                if s.role == Role::Leader && s.status != ServerStatus::Crashed {
                    <circle class="crown" r={format!("{:.1}", rim - 5.0)} />
                }
                <text class="sid" y="-9">{ format!("S{}", id.0) }</text>
                <text class="srole" y="5">{ word }</text>
                <text class="sterm" y="18">{ format!("term {}", s.current_term) }</text>
                <text class="svote" y={format!("{:.0}", rim + 20.0)}>{ below }</text>
                if s.status == ServerStatus::Crashed {
                    <path class="xmark" d={format!("M{a:.0} {a:.0}L{b:.0} {b:.0}M{a:.0} {b:.0}L{b:.0} {a:.0}", a = -rim * 0.75, b = rim * 0.75)} />
                }
                if s.status == ServerStatus::Paused {
                    <g class="pausemark" transform={format!("translate({:.0} {:.0})", rim * 0.62, -rim * 0.62)}>
                        <circle r="10" />
                        <rect x="-5" y="-5" width="3.5" height="10" />
                        <rect x="1.5" y="-5" width="3.5" height="10" />
                    </g>
                }
            </g>
        }
    });

    // Outstanding client requests: clients sit outside the cluster, drawn at the centre, with
    // a dashed line to the server each one is waiting on.
    let pending: Vec<_> = view
        .clients
        .iter()
        .filter_map(|c| {
            c.outstanding
                .as_ref()
                .map(|(seq, cmd, to)| (c.id, *seq, cmd, *to))
        })
        .take(4)
        .collect();
    let clients = if pending.is_empty() {
        html! {}
    } else {
        let lines = pending
            .iter()
            .enumerate()
            .map(|(k, (client, seq, cmd, to))| {
                let target = pos(*to);
                let end = message_pos((CENTER, CENTER), target, 0.0, 1.0);
                let (dx, dy) = (end.0 - CENTER, end.1 - CENTER);
                let len = (dx * dx + dy * dy).sqrt().max(1.0);
                let stop = (CENTER + dx * (len - rim - 4.0) / len, CENTER + dy * (len - rim - 4.0) / len);
                html! {
                    <g class="client-req">
                        <line x1={CENTER.to_string()} y1={CENTER.to_string()}
                              x2={format!("{:.1}", stop.0)} y2={format!("{:.1}", stop.1)} />
                        <text x={CENTER.to_string()} y={format!("{:.0}", CENTER + 26.0 + 12.0 * k as f64)}>
                            { format!("{client} #{seq} {cmd} → {to}") }
                        </text>
                    </g>
                }
            })
            .collect::<Html>();
        html! {
            <g class="clients" aria-label="Client requests waiting for an answer" role="img">
                { lines }
                <rect class="client-box" x={(CENTER - 22.0).to_string()} y={(CENTER - 11.0).to_string()} width="44" height="22" rx="5" />
                <text class="client-label" x={CENTER.to_string()} y={(CENTER + 4.0).to_string()}>{ "client" }</text>
            </g>
        }
    };

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
        <svg class="cluster-svg" viewBox={format!("0 0 {VIEW_SIZE} {VIEW_SIZE}")} role="group"
             aria-label="Servers and messages" preserveAspectRatio="xMidYMid meet"
             onclick={on_click} onkeydown={on_key}>
            <defs>
                <marker id="arrow-cut" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M0 0L10 5L0 10z" class="arrow-cut" />
                </marker>
            </defs>
            <rect class="bg" x="0" y="0" width={VIEW_SIZE.to_string()} height={VIEW_SIZE.to_string()} />
            <g class="hulls">{ for hulls }</g>
            <g class="walls">{ for walls }{ cuts }</g>
            { clients }
            <g class="servers">{ for servers }</g>
            <g class="messages" ref={messages_layer} />
            if !banner.is_empty() {
                <text class="partition-banner" x={CENTER.to_string()} y="16">{ banner }</text>
            }
        </svg>
    }
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
            <line x1={format!("{:.1}", start.0)} y1={format!("{:.1}", start.1)}
                  x2={format!("{:.1}", end.0)} y2={format!("{:.1}", end.1)}
                  marker-end={(class == "cut").then_some("url(#arrow-cut)")} />
            <path class="xcut" d={format!("M{:.1} {:.1}l{} {}m0 {}l{} {}", mid.0 - x, mid.1 - x, 2.0 * x, 2.0 * x, -2.0 * x, -2.0 * x, 2.0 * x)} />
        </g>
    }
}

//! Browser unit tests (wasm-bindgen-test in headless Chromium): `scripts/test.sh` runs them
//! with `cargo test --target wasm32-unknown-unknown --test browser`.
#![cfg(target_arch = "wasm32")]

use raft_explorer::ui::{panic_banner, App};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Mounts the app into a fresh element and waits for Yew to render it.
async fn mount_app() -> web_sys::Element {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    // Yew renders on its scheduler: let it render and run its effects.
    yew::scheduler::flush().await;
    root
}

#[wasm_bindgen_test]
async fn app_shell_renders_header_cluster_area_and_version() {
    let root = mount_app().await;
    let text = root.text_content().unwrap();
    assert!(text.contains("Raft Explorer"), "header missing: {text}");
    assert!(
        text.contains(&format!("v{}", env!("CARGO_PKG_VERSION"))),
        "version missing: {text}"
    );
    assert!(root
        .query_selector("[aria-label='Cluster']")
        .unwrap()
        .is_some());
    // The clock and the scrubber are painted after the render (ui::motion).
    let clock = root
        .query_selector(".timebar .now .fixed")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(clock.ends_with(" s"), "clock: {clock:?}");
    let timeline = root
        .query_selector("input[aria-label='Timeline']")
        .unwrap()
        .unwrap();
    assert!(timeline.get_attribute("max").is_some());
    assert!(timeline.get_attribute("aria-valuetext").is_some());
    // So are the leader line and the page's simulated time and count of messages.
    let leader = root
        .query_selector(".leader-line .fixed")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(
        leader.starts_with("Leader: S") || leader.starts_with("No leader"),
        "leader line: {leader:?}"
    );
    let app = root.query_selector(".app").unwrap().unwrap();
    assert!(app
        .get_attribute("data-now")
        .is_some_and(|t| t.parse::<u64>().is_ok()));
    assert!(app
        .get_attribute("data-messages")
        .is_some_and(|n| n.parse::<usize>().is_ok()));
}

#[wasm_bindgen_test]
fn panic_banner_is_visible_with_message_and_reload_button() {
    panic_banner::show("index out of bounds");
    let banner = document()
        .get_element_by_id(panic_banner::BANNER_ID)
        .expect("banner shown");
    assert_eq!(banner.get_attribute("role").as_deref(), Some("alert"));
    let text = banner.text_content().unwrap();
    assert!(text.contains("stopped working"), "{text}");
    assert!(text.contains("index out of bounds"), "{text}");
    let button = banner
        .query_selector("button")
        .unwrap()
        .expect("reload button");
    assert_eq!(button.text_content().as_deref(), Some("Reload"));
    assert_eq!(
        button.get_attribute("onclick").as_deref(),
        Some("location.reload()")
    );
    // A second panic does not stack a second banner.
    panic_banner::show("again");
    assert_eq!(
        document()
            .query_selector_all(".fatal-error")
            .unwrap()
            .length(),
        1
    );
}

// ---- components, drawn from a hand-made ClusterView ----

use raft_explorer::raft::types::{
    AppendEntries, ClientId, Command, EntryPayload, LogEntry, LogIndex, Message, Role, ServerId,
    Term,
};
use raft_explorer::raft::ClientResult;
use raft_explorer::sim::{
    ClientTraffic, ClientTrafficView, ClusterView, FollowerProgress, MessageId, MessageView,
    NetworkView, ServerStatus, ServerView,
};
use raft_explorer::ui::cluster::{Cluster, ClusterProps};
use raft_explorer::ui::geometry;
use raft_explorer::ui::log_table::{cell_text, find_overwritten, LogTable, LogTableProps};
use raft_explorer::ui::motion::{paint_motion, Painter};
use std::rc::Rc;
use std::sync::Arc;
use yew::Callback;

fn entry(term: u64, key: &str, value: &str) -> LogEntry {
    LogEntry {
        term: Term(term),
        payload: EntryPayload::Client {
            client: ClientId(1),
            seq: 1,
            command: Command::Set {
                key: key.into(),
                value: value.into(),
            },
        },
    }
}

fn server(id: u8, role: Role, status: ServerStatus, term: u64, log: Vec<LogEntry>) -> ServerView {
    ServerView {
        id: ServerId(id),
        status,
        role,
        current_term: Term(term),
        voted_for: Some(ServerId(3)),
        log: log.into(),
        log_start: LogIndex(1),
        commit_index: LogIndex(1),
        last_applied: LogIndex(1),
        progress: if role == Role::Leader {
            vec![FollowerProgress {
                follower: ServerId(1),
                next_index: LogIndex(3),
                match_index: LogIndex(2),
            }]
        } else {
            vec![]
        },
        votes_granted: vec![],
        leader_hint: Some(ServerId(3)),
        election_deadline: (role != Role::Leader).then_some(300_000),
        election_timer_started: (role != Role::Leader).then_some(100_000),
        kv: Default::default(),
    }
}

fn sample_view() -> ClusterView {
    let log = vec![entry(1, "x", "1"), entry(4, "x", "5")];
    ClusterView {
        now: 200_000,
        servers: vec![
            server(1, Role::Follower, ServerStatus::Up, 4, log.clone()),
            server(
                2,
                Role::Follower,
                ServerStatus::Crashed,
                2,
                log[..1].to_vec(),
            ),
            server(3, Role::Leader, ServerStatus::Up, 4, log.clone()),
            server(
                4,
                Role::Candidate,
                ServerStatus::Paused,
                4,
                log[..1].to_vec(),
            ),
            server(5, Role::Follower, ServerStatus::Up, 4, log),
        ],
        messages: vec![MessageView {
            id: MessageId(9),
            from: ServerId(3),
            to: ServerId(1),
            sent_at: 190_000,
            deliver_at: 210_000,
            message: Arc::new(Message::AppendEntries(AppendEntries {
                term: Term(4),
                leader_id: ServerId(3),
                prev_log_index: LogIndex(1),
                prev_log_term: Term(1),
                entries: vec![entry(4, "x", "5")],
                leader_commit: LogIndex(1),
            })),
            doomed: false,
        }],
        network: NetworkView {
            partition: vec![
                vec![ServerId(1), ServerId(2)],
                vec![ServerId(3), ServerId(4), ServerId(5)],
            ],
            cut_links: vec![(ServerId(3), ServerId(5))],
            loss_probability: 0.0,
            duplicate_probability: 0.0,
            min_latency: 10_000,
            max_latency: 20_000,
        },
        clients: vec![],
        client_traffic: vec![
            ClientTrafficView {
                client: ClientId(1),
                seq: 2,
                server: ServerId(3),
                sent_at: 195_000,
                arrive_at: 205_000,
                what: ClientTraffic::Request("SET x 5".parse().unwrap()),
                doomed: false,
            },
            ClientTrafficView {
                client: ClientId(2),
                seq: 1,
                server: ServerId(1),
                sent_at: 190_000,
                arrive_at: 210_000,
                what: ClientTraffic::Reply(ClientResult::NotLeader {
                    leader_hint: Some(ServerId(3)),
                }),
                doomed: false,
            },
        ],
        history: Default::default(),
    }
}

async fn mount<C: yew::BaseComponent>(props: C::Properties) -> web_sys::Element {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<C>::with_root_and_props(root.clone(), props).render();
    // Everything, effects included (the picture's messages are drawn by one; Yew may run
    // effects in a later task).
    yew::scheduler::flush().await;
    root
}

/// A property of an element's inline style (the painter sets them through CSSOM).
fn style_of(element: &web_sys::Element, property: &str) -> String {
    use wasm_bindgen::JsCast;
    element
        .unchecked_ref::<web_sys::SvgElement>()
        .style()
        .get_property_value(property)
        .unwrap_or_default()
}

fn label(root: &web_sys::Element, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("{selector} not found"))
        .get_attribute("aria-label")
        .unwrap_or_default()
}

/// The cluster picture of `sample_view`, at 200 ms, nothing selected.
async fn mount_sample_cluster() -> web_sys::Element {
    mount_sample_cluster_painted().await.0
}

/// The same, and where its painter is registered (for `motion::paint_motion`).
async fn mount_sample_cluster_painted() -> (web_sys::Element, Painter) {
    let view = Rc::new(sample_view());
    let painter = Painter::default();
    let root = mount::<Cluster>(ClusterProps {
        view: view.clone(),
        live: view,
        painter: painter.clone(),
        now: 200_000,
        selected_server: None,
        selected_message: None,
        on_intent: Callback::noop(),
    })
    .await;
    (root, painter)
}

#[wasm_bindgen_test]
async fn cluster_names_servers_by_role_and_term_and_marks_crashed_and_paused() {
    let root = mount_sample_cluster().await;
    assert_eq!(
        label(&root, "[data-server='3']"),
        "Server 3, leader, term 4"
    );
    assert_eq!(
        label(&root, "[data-server='2']"),
        "Server 2, crashed, term 2"
    );
    assert_eq!(
        label(&root, "[data-server='4']"),
        "Server 4, candidate, term 4, paused"
    );
    let crashed = root.query_selector("[data-server='2']").unwrap().unwrap();
    assert!(crashed.get_attribute("class").unwrap().contains("crashed"));
    assert!(
        crashed.query_selector(".xmark").unwrap().is_some(),
        "crashed servers are crossed out"
    );
    // Followers and candidates show their election timer; the leader does not.
    assert!(root
        .query_selector("[data-server='1'] .timer")
        .unwrap()
        .is_some());
    assert!(root
        .query_selector("[data-server='3'] .timer")
        .unwrap()
        .is_none());
    // The timer drains as a dash of its circle (a repaint, not new geometry, every frame).
    let timer = root
        .query_selector("[data-server='1'] .timer")
        .unwrap()
        .unwrap();
    assert!(!style_of(&timer, "stroke-dasharray").is_empty());
    // The message, half-way, with its kind and number of entries, in a box over the picture
    // moved by a CSS transform (a percentage of the picture).
    assert_eq!(
        label(&root, "[data-msg='9']"),
        "AppendEntries with 1 S3 to S1, term 4 (#9)"
    );
    let position = style_of(
        &root
            .query_selector("[data-msg='9']")
            .unwrap()
            .unwrap()
            .parent_element()
            .unwrap(),
        "transform",
    );
    assert!(
        position.starts_with("translate(") && position.ends_with("%)"),
        "{position}"
    );
    // The partition is impossible to miss: a banner, walls between groups, the cut link.
    let text = root.text_content().unwrap();
    assert!(text.contains("PARTITIONED {S1,S2} | {S3,S4,S5}"), "{text}");
    assert_eq!(root.query_selector_all(".wall").unwrap().length(), 6);
    assert_eq!(root.query_selector_all(".cut").unwrap().length(), 1);
    // Client traffic: the request on its way to the leader, a redirect on its way back.
    assert_eq!(label(&root, ".cmsg.creq"), "request C1 #2 SET x 5 to S3");
    assert_eq!(
        label(&root, ".cmsg.crep"),
        "reply from S1 to C2 #1: not the leader, try S3"
    );
    assert!(
        text.contains("→ S3"),
        "the redirect shows where to go: {text}"
    );
}

#[wasm_bindgen_test]
async fn frames_that_render_nothing_still_move_timers_messages_the_ring_and_client_traffic() {
    let (root, painter) = mount_sample_cluster_painted().await;
    let attribute = |selector: &str, name: &str| {
        root.query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("{selector} not found"))
            .get_attribute(name)
            .unwrap_or_default()
    };
    let dash = |selector: &str| {
        let timer = root.query_selector(selector).unwrap().unwrap();
        style_of(&timer, "stroke-dasharray").replace(',', "")
    };
    let box_of = |selector: &str| {
        let element = root.query_selector(selector).unwrap().unwrap();
        style_of(&element.parent_element().unwrap(), "transform")
    };
    // As rendered at 200 ms: S1's timer (100 ms to 300 ms) is half gone; the leader's last
    // AppendEntries left 10 ms ago (the ring fades over 30 ms).
    assert_eq!(dash("[data-server='1'] .timer"), "500 1000");
    assert_eq!(
        attribute("[data-server='3'] .pulse", "stroke-opacity"),
        "0.67"
    );
    let (message, request) = (box_of("[data-msg='9']"), box_of(".cmsg.creq"));
    // A later frame with nothing new to render: the painter alone moves what moves.
    paint_motion(&painter, 250_000, None);
    assert_eq!(dash("[data-server='1'] .timer"), "250 1000");
    assert_eq!(
        attribute("[data-server='3'] .pulse", "stroke-opacity"),
        "0.00"
    );
    assert_ne!(box_of("[data-msg='9']"), message, "the message moved on");
    assert_ne!(box_of(".cmsg.creq"), request, "the request moved on");
    // The same picture at the same time paints the same.
    paint_motion(&painter, 200_000, None);
    assert_eq!(box_of("[data-msg='9']"), message);
    assert_eq!(box_of(".cmsg.creq"), request);
}

#[wasm_bindgen_test]
fn frames_render_only_when_what_yew_draws_changes() {
    use raft_explorer::ui::cluster::draws_same;
    use raft_explorer::ui::state::{Model, Msg, UrlOptions};
    use yew::Reducible;
    let options = UrlOptions {
        seed: Some(1),
        speed: Some(0.05),
        ..Default::default()
    };
    let mut model = Rc::new(Model::new(&options));
    // The heavy panels are off screen, as below the picture on a laptop: they catch up
    // every five seconds (on screen they follow the cluster as it changes). Back on screen
    // when the test ends, however it ends.
    struct OffScreen;
    impl Drop for OffScreen {
        fn drop(&mut self) {
            for panel in 0..4 {
                raft_explorer::ui::state::set_panel_on_screen(panel, true);
            }
        }
    }
    let _off_screen = OffScreen;
    for panel in 0..4 {
        raft_explorer::ui::state::set_panel_on_screen(panel, false);
    }
    let (mut renders, mut quiet, mut quiet_with_events, mut wall_ms) = (0, 0, 0, 0.0);
    // 60 frames a second for 10 s of wall time: half a second of simulated time, with the
    // first election and heartbeats in it.
    for _ in 0..600 {
        wall_ms += 1000.0 / 60.0;
        let events = model.sim.borrow().events_processed();
        let next = model.clone().reduce(Msg::Frame(wall_ms));
        let event = model.sim.borrow().events_processed() != events;
        // The picture Yew draws follows the newest one whenever they would draw differently.
        assert!(draws_same(&next.drawn, &next.view));
        let picture_changed = !draws_same(&model.drawn, &next.view);
        // The page keeps every new model, and renders it only when it draws something else
        // (`use_reducer_eq`: models are equal when they draw the same).
        if *next == *model {
            quiet += 1;
            assert!(!picture_changed, "a frame that changes the picture renders");
            if event {
                quiet_with_events += 1;
            }
        } else {
            renders += 1;
        }
        model = next;
    }
    let now = model.sim.borrow().now();
    assert!(now >= 490_000, "time ran: {now}");
    assert!(
        model.sim.borrow().leader().is_some(),
        "a leader was elected"
    );
    // The election renders, and so do the panels when they catch up; heartbeats and their
    // replies only move what is painted.
    assert!(renders > 3, "{renders} renders");
    assert!(
        quiet > 10 * renders,
        "{quiet} quiet frames, {renders} renders"
    );
    assert!(
        quiet_with_events > 30,
        "{quiet_with_events} quiet frames had events (messages sent or delivered)"
    );
}

/// What Yew draws of the cluster picture from `view`: the picture with everything the
/// painter writes taken out (timer dashes, the ring's opacity, the clients).
async fn drawn_markup(view: &Rc<ClusterView>) -> String {
    let root = mount::<Cluster>(ClusterProps {
        view: view.clone(),
        live: view.clone(),
        painter: Painter::default(),
        now: 0,
        selected_server: None,
        selected_message: None,
        on_intent: Callback::noop(),
    })
    .await;
    let svg = root.query_selector("svg.cluster-svg").unwrap().unwrap();
    let painted = svg.query_selector_all("[style], [stroke-opacity]").unwrap();
    for i in 0..painted.length() {
        let element: web_sys::Element =
            wasm_bindgen::JsCast::unchecked_into(painted.item(i).unwrap());
        element.remove_attribute("style").unwrap();
        element.remove_attribute("stroke-opacity").unwrap();
    }
    svg.query_selector(".clients-layer")
        .unwrap()
        .unwrap()
        .set_inner_html("");
    let markup = svg.outer_html();
    root.remove();
    markup
}

#[wasm_bindgen_test]
async fn the_picture_yew_draws_changes_only_where_draws_same_says_it_does() {
    use raft_explorer::sim::{Action, Sim, SimConfig};
    use raft_explorer::ui::cluster::draws_same;
    // An election, heartbeats, client load, then the leader crashes and another is elected.
    let mut sim = Sim::new(SimConfig {
        seed: 11,
        ..SimConfig::default()
    });
    let mut views = Vec::new();
    for step in 1..=120u64 {
        let until = step * 25_000;
        while sim.step_until(until).is_some() {}
        if step == 60 {
            let leader = sim.leader().expect("a leader by 1.5 s");
            sim.apply(Action::Crash { server: leader }).unwrap();
        }
        views.push(Rc::new(sim.view()));
    }
    let (mut same, mut differ) = (0, 0);
    let mut before = drawn_markup(&views[0]).await;
    for pair in views.windows(2) {
        let after = drawn_markup(&pair[1]).await;
        if draws_same(&pair[0], &pair[1]) {
            // Skipping the render for this pair must not leave anything stale.
            assert_eq!(before, after, "drawn differently, yet draws_same");
            same += 1;
        } else {
            differ += 1;
        }
        before = after;
    }
    assert!(same > 50 && differ >= 4, "{same} same, {differ} differ");
    // And each thing the picture shows, changed alone, is drawn differently and is seen by
    // draws_same (a run changes several at once, so it cannot tell them apart).
    let base = Rc::new(sample_view());
    let base_markup = drawn_markup(&base).await;
    type Change = (&'static str, fn(&mut ClusterView));
    let changes: [Change; 8] = [
        ("vote", |v| v.servers[0].voted_for = Some(ServerId(5))),
        ("votes", |v| v.servers[3].votes_granted = vec![ServerId(4)]),
        ("term", |v| v.servers[0].current_term = Term(9)),
        ("role", |v| v.servers[4].role = Role::Candidate),
        ("status", |v| v.servers[0].status = ServerStatus::Paused),
        ("timer", |v| v.servers[0].election_deadline = None),
        ("partition", |v| v.network.partition.clear()),
        ("cut link", |v| v.network.cut_links.clear()),
    ];
    for (what, change) in changes {
        let mut changed = sample_view();
        change(&mut changed);
        let changed = Rc::new(changed);
        assert!(!draws_same(&base, &changed), "{what}: draws_same missed it");
        assert_ne!(
            drawn_markup(&changed).await,
            base_markup,
            "{what}: not drawn"
        );
    }
}

#[wasm_bindgen_test]
async fn the_painter_draws_new_messages_clients_and_traffic_from_the_newest_picture() {
    use raft_explorer::sim::ClientView;
    let (root, painter) = mount_sample_cluster_painted().await;
    let count = |selector: &str| root.query_selector_all(selector).unwrap().length();
    assert_eq!(count("[data-msg]"), 1);
    let pills = ".cmsg:not(.spare)";
    assert_eq!(count(pills), 2);
    let waiting = ".clients:not([display]) .client-req:not([display])";
    assert_eq!(count(waiting), 0);
    // A newer picture: message 9 delivered and 10 sent, a client waiting on a request, the
    // reply gone and a new request on its way. Nothing Yew draws changed, so nothing is
    // rendered: the painter alone draws it.
    let mut newer = sample_view();
    newer.messages[0].id = MessageId(10);
    newer.messages[0].sent_at = 240_000;
    newer.messages[0].deliver_at = 260_000;
    // What users type is text, never markup.
    let typed = r#"SET y <b>"&amp;"#;
    newer.clients = vec![ClientView {
        id: ClientId(1),
        outstanding: Some((3, typed.parse().unwrap(), ServerId(3))),
        redirects: 0,
        retries: 0,
    }];
    // Three requests on their way where two pills were: both are reused, one is made.
    let request = newer.client_traffic[0].clone();
    newer.client_traffic = (3..6)
        .map(|seq| ClientTrafficView {
            client: ClientId(seq as u32),
            seq,
            sent_at: 245_000,
            arrive_at: 255_000,
            what: ClientTraffic::Request(typed.parse().unwrap()),
            ..request.clone()
        })
        .collect();
    assert!(raft_explorer::ui::cluster::draws_same(
        &sample_view(),
        &newer
    ));
    paint_motion(&painter, 250_000, Some(&Rc::new(newer)));
    assert_eq!(count("[data-msg='9']"), 0, "the delivered message is gone");
    assert_eq!(
        label(&root, "[data-msg='10']"),
        "AppendEntries with 1 S3 to S1, term 4 (#10)"
    );
    assert_eq!(count(pills), 3, "the reply is gone, three requests travel");
    assert_eq!(count(".cmsg.crep"), 0);
    let requests = root.query_selector_all(".cmsg.creq").unwrap();
    let mut labels: Vec<String> = (0..requests.length())
        .map(|i| {
            let pill: web_sys::Element =
                wasm_bindgen::JsCast::unchecked_into(requests.item(i).unwrap());
            // Cut short on the picture (the name has it whole), and never parsed as markup.
            assert_eq!(pill.text_content().unwrap(), r#"SET y <b>"&am…"#);
            assert_eq!(pill.query_selector("b").unwrap(), None);
            pill.get_attribute("aria-label").unwrap()
        })
        .collect();
    labels.sort();
    assert_eq!(
        labels,
        (3..6)
            .map(|seq| format!("request C{seq} #{seq} {typed} to S3"))
            .collect::<Vec<_>>()
    );
    assert_eq!(count(waiting), 1, "the waiting client is shown");
    let caption = root
        .query_selector(&format!("{waiting} text"))
        .unwrap()
        .unwrap();
    assert_eq!(
        caption.text_content().unwrap(),
        format!("C1 #3 {typed} → S3")
    );
    // The same picture painted again writes the same.
    let before = root.inner_html();
    paint_motion(&painter, 250_000, None);
    assert_eq!(root.inner_html(), before);
}

#[wasm_bindgen_test]
async fn log_table_marks_commit_and_the_leaders_next_and_match_index() {
    let root = mount::<LogTable>(LogTableProps {
        view: Rc::new(sample_view()),
        ghosts: Rc::new(vec![]),
        columns: 16,
        selected_server: None,
        on_intent: Callback::noop(),
    })
    .await;
    let s1 = root
        .query_selector("[aria-label='Log of S1']")
        .unwrap()
        .unwrap();
    let cells = s1.query_selector_all(".entry").unwrap();
    assert_eq!(cells.length(), 2);
    let first = s1.query_selector(".entry.committed").unwrap().unwrap();
    assert!(first
        .get_attribute("aria-label")
        .unwrap()
        .contains("SET x 1"));
    let second = s1.query_selector(".entry.uncommitted").unwrap().unwrap();
    assert!(second.text_content().unwrap().contains("x=5"));
    // A cell shows at most five characters (it has no clip); the name keeps the whole command.
    assert_eq!(cell_text(&entry(1, "x", "5")), "x=5");
    assert_eq!(cell_text(&entry(1, "x", "123456")), "x=12…");
    // The leader S3 records nextIndex 3 / matchIndex 2 for S1.
    assert!(s1.query_selector(".mark-match").unwrap().is_some());
    assert!(s1.query_selector(".mark-next").unwrap().is_some());
}

#[wasm_bindgen_test]
fn overwritten_entries_are_found_between_two_views() {
    let old = sample_view();
    let mut new = old.clone();
    Arc::make_mut(&mut new.servers[0].log)[1] = entry(5, "y", "2");
    Arc::make_mut(&mut new.servers[4].log).truncate(1);
    let ghosts = find_overwritten(&old, &new, 0.0);
    let found: Vec<(u8, u64, u64)> = ghosts
        .iter()
        .map(|g| (g.server.0, g.index.0, g.term.0))
        .collect();
    assert_eq!(found, vec![(1, 2, 4), (5, 2, 4)]);
}

#[wasm_bindgen_test]
fn geometry_messages_move_from_sender_to_receiver_and_the_speed_slider_is_logarithmic() {
    assert_eq!(geometry::progress(100, 200, 150), 0.5);
    assert_eq!(geometry::progress(100, 200, 50), 0.0);
    assert_eq!(geometry::progress(100, 200, 500), 1.0);
    let a = (0.0, 0.0);
    let b = (100.0, 0.0);
    let start = geometry::message_pos(a, b, 10.0, 0.0);
    let end = geometry::message_pos(a, b, 10.0, 1.0);
    assert!((start.0 - 10.0).abs() < 1e-9 && (end.0 - 90.0).abs() < 1e-9);
    assert!((geometry::speed_from_slider(0.0) - 0.01).abs() < 1e-9);
    assert!((geometry::speed_from_slider(1000.0) - 10.0).abs() < 1e-9);
    assert_eq!(geometry::slider_from_speed(1.0), 667.0);
    assert_eq!(geometry::speed_label(0.05), "1/20×");
    assert_eq!(
        geometry::convex_hull(&[(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (0.2, 0.2)]).len(),
        3
    );
}

#[wasm_bindgen_test]
fn every_preset_loads_in_the_page_and_plays_to_its_end() {
    use raft_explorer::scenario::StepAction;
    use raft_explorer::ui::state::{Model, Msg, UrlOptions};
    use yew::Reducible;
    // The page reads the preset files with `Scenario::from_json`: one that fails is missing.
    let presets = raft_explorer::ui::presets::all();
    let ids: Vec<&str> = presets.iter().map(|p| p.id).collect();
    assert_eq!(ids, raft_explorer::scenario::presets::IDS);
    for p in presets.iter() {
        let id = p.id;
        let options = UrlOptions {
            preset: Some(id.to_string()),
            speed: Some(10.0),
            ..Default::default()
        };
        let mut model = Rc::new(Model::new(&options));
        assert_eq!(model.notice, None, "{id}");
        assert_eq!(model.preset.map(|i| model.presets[i].id), Some(id));
        let end = p.scenario.end_ms() * 1000;
        let mut wall_ms = 0.0;
        // Frames of 100 ms at 10×: a simulated second each.
        while model.playing && model.sim.borrow().now() < end {
            wall_ms += 100.0;
            model = model.reduce(Msg::Frame(wall_ms));
        }
        assert!(model.sim.borrow().now() >= end, "{id} played to its end");
        // Every step was applied, none refused ("Preset step skipped: ...").
        assert_eq!(model.notice, None, "{id}");
        let actions = p
            .scenario
            .steps
            .iter()
            .filter(|s| !matches!(s.action, StepAction::Expect(_)))
            .count();
        assert_eq!(model.sim.borrow().actions().len(), actions, "{id}");
        let last_note = p.scenario.steps.iter().rev().find_map(|s| s.note.clone());
        assert_eq!(model.step_note, last_note, "{id}");
    }
}

#[wasm_bindgen_test]
fn url_speed_is_a_finite_positive_number() {
    use raft_explorer::ui::state::UrlOptions;
    let speed = |search: &str| UrlOptions::parse(search).speed;
    assert_eq!(speed("?speed=2.5"), Some(2.5));
    assert_eq!(speed("?speed=1e-1"), Some(0.1));
    for refused in [
        "inf", "-inf", "infinity", "NaN", "0", "-1", "", "1x", "0x10",
    ] {
        let options = UrlOptions::parse(&format!("?speed={refused}"));
        assert_eq!(options.speed, None, "{refused}");
        assert_eq!(
            options.problems.len(),
            1,
            "{refused}: reported as not understood"
        );
    }
}

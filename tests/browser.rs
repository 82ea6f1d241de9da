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
    // The clock and the scrubber.
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
    // The leader line, and the page's simulated time and count of messages.
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
    ClientTraffic, ClientTrafficView, ClusterView, FollowerProgress, MembershipRole, MessageId,
    MessageView, NetworkView, ServerStatus, ServerView,
};
use raft_explorer::ui::intent::Intent;
use raft_explorer::ui::log_table::{cell_text, find_overwritten, LogTable, LogTableProps};
use raft_explorer::ui::picture::{Picture, PictureProps};
use raft_explorer::ui::scene::{Key, SceneUi};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsCast;
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
        last_included_term: Term(0),
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
        beyond_figure2: Default::default(),
        configuration: Default::default(),
        config_index: LogIndex(0),
        membership: MembershipRole::Voter,
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
                read_round: 0,
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
            reply_loss_probability: 0.0,
            duplicate_probability: 0.0,
            min_latency: 10_000,
            max_latency: 20_000,
            long_delays: Default::default(),
            links: vec![],
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
        configuration: Default::default(),
        ring_changes: vec![],
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

fn label(root: &web_sys::Element, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("{selector} not found"))
        .get_attribute("aria-label")
        .unwrap_or_default()
}

/// The names the picture's accessible mirror gives, in its order.
fn mirror_names(root: &web_sys::Element) -> Vec<String> {
    let items = root.query_selector_all(".mirror li").unwrap();
    (0..items.length())
        .map(|i| {
            let li: web_sys::Element = items.item(i).unwrap().unchecked_into();
            li.get_attribute("aria-label")
                .unwrap_or_else(|| li.text_content().unwrap_or_default())
        })
        .collect()
}

/// The cluster picture of `sample_view` at 200 ms, nothing selected, sending what it is asked
/// into `intents` and its hovers into `hovers`.
async fn mount_sample_picture(
    intents: Rc<RefCell<Vec<Intent>>>,
    hovers: Rc<RefCell<Vec<Option<Key>>>>,
) -> web_sys::Element {
    let view = Rc::new(sample_view());
    mount::<Picture>(PictureProps {
        view: view.clone(),
        now: 200_000,
        mirror_view: view,
        mirror_now: 200_000,
        painter: Rc::default(),
        sim: None,
        ui: SceneUi::default(),
        dark: false,
        on_intent: Callback::from(move |i| intents.borrow_mut().push(i)),
        on_hover: Callback::from(move |k| hovers.borrow_mut().push(k)),
    })
    .await
}

#[wasm_bindgen_test]
async fn the_picture_is_a_canvas_sized_for_the_device_and_a_mirror_names_what_it_draws() {
    let root = mount_sample_picture(Rc::default(), Rc::default()).await;
    let canvas: web_sys::HtmlCanvasElement = root
        .query_selector("canvas")
        .unwrap()
        .unwrap()
        .unchecked_into();
    let ratio = web_sys::window().unwrap().device_pixel_ratio();
    assert_eq!(
        f64::from(canvas.width()),
        (f64::from(canvas.client_width()) * ratio).round(),
        "the bitmap has a pixel per device pixel"
    );
    assert_eq!(canvas.get_attribute("aria-hidden").as_deref(), Some("true"));
    assert_eq!(
        mirror_names(&root),
        vec![
            "Server 1, follower, term 4",
            "Server 2, crashed, term 2",
            "Server 3, leader, term 4",
            "Server 4, candidate, term 4, paused",
            "Server 5, follower, term 4",
            // Servers, then messages, then client traffic: three lists (`picture::Mirror`).
            "AppendEntries with 1 S3 to S1, term 4 (#9)",
            "request C1 #2 SET x 5 to S3",
            "reply from S1 to C2 #1: not the leader, try S3",
        ]
    );
    // Servers and messages are buttons; client traffic is named, not pressed.
    assert_eq!(
        root.query_selector_all(".mirror button").unwrap().length(),
        6
    );
    assert_eq!(
        label(&root, ".mirror [role='img']"),
        "request C1 #2 SET x 5 to S3"
    );
}

#[wasm_bindgen_test]
async fn pressing_a_mirror_button_selects_what_it_names() {
    let intents: Rc<RefCell<Vec<Intent>>> = Rc::default();
    let root = mount_sample_picture(intents.clone(), Rc::default()).await;
    let buttons = root.query_selector_all(".mirror button").unwrap();
    let press = |i: u32| {
        let b: web_sys::HtmlElement = buttons.item(i).unwrap().unchecked_into();
        b.click();
    };
    press(2);
    press(5);
    assert_eq!(
        *intents.borrow(),
        vec![
            Intent::SelectServer(Some(ServerId(3))),
            Intent::SelectMessage(Some(MessageId(9)))
        ]
    );
}

/// A mouse event of `kind` at the viewport point where the picture drew the item named `name`
/// (the canvas's `whereIs` hook, which the end-to-end tests aim with), or `offset` from it.
fn mouse_at(root: &web_sys::Element, kind: &str, name: &str, offset: (f64, f64)) {
    let canvas = root.query_selector("canvas").unwrap().unwrap();
    let where_is: js_sys::Function = js_sys::Reflect::get(&canvas, &"whereIs".into())
        .unwrap()
        .unchecked_into();
    let point: js_sys::Array = where_is
        .call1(&canvas, &name.into())
        .unwrap()
        .dyn_into()
        .unwrap_or_else(|_| panic!("{name} is not drawn"));
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    init.set_client_x((point.get(0).as_f64().unwrap() + offset.0) as i32);
    init.set_client_y((point.get(1).as_f64().unwrap() + offset.1) as i32);
    let event = web_sys::MouseEvent::new_with_mouse_event_init_dict(kind, &init).unwrap();
    canvas.dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn clicks_and_hovers_on_the_canvas_resolve_against_the_scene() {
    let intents: Rc<RefCell<Vec<Intent>>> = Rc::default();
    let hovers: Rc<RefCell<Vec<Option<Key>>>> = Rc::default();
    let root = mount_sample_picture(intents.clone(), hovers.clone()).await;
    let message = "AppendEntries with 1 S3 to S1, term 4 (#9)";
    mouse_at(&root, "click", "Server 3, leader, term 4", (0.0, 0.0));
    mouse_at(&root, "click", message, (0.0, 0.0));
    mouse_at(&root, "mousemove", message, (0.0, 0.0));
    assert_eq!(
        *intents.borrow(),
        vec![
            Intent::SelectServer(Some(ServerId(3))),
            Intent::SelectMessage(Some(MessageId(9)))
        ]
    );
    assert_eq!(*hovers.borrow(), vec![Some(Key::Message(MessageId(9)))]);
}

/// A page's model playing seed 1 at real time.
fn playing_model() -> Rc<raft_explorer::ui::state::Model> {
    let options = raft_explorer::ui::state::UrlOptions {
        seed: Some(1),
        speed: Some(1.0),
        ..Default::default()
    };
    Rc::new(raft_explorer::ui::state::Model::new(&options, None))
}

#[wasm_bindgen_test]
fn time_holds_while_the_pointer_is_over_a_message() {
    use raft_explorer::ui::state::{Model, Msg};
    use yew::Reducible;
    let mut model = playing_model();
    let frame = |model: Rc<Model>| model.reduce(Msg::Frame(1000.0 / 60.0));
    let sim_now = |model: &Rc<Model>| model.sim.borrow().now();
    for _ in 0..30 {
        model = frame(model);
    }
    let running = sim_now(&model);
    assert!(running > 0, "time runs");
    model = model.reduce(Msg::Hover(Some(Key::Message(MessageId(1)))));
    for _ in 0..30 {
        model = frame(model);
    }
    assert_eq!(sim_now(&model), running, "held over a message");
    model = model.reduce(Msg::Hover(Some(Key::Server(ServerId(1)))));
    model = frame(model);
    assert!(sim_now(&model) > running, "runs again off it");
}

#[wasm_bindgen_test]
fn frames_advance_the_simulator_and_the_page_shows_it_at_its_own_rate() {
    use raft_explorer::ui::state::Msg;
    use yew::Reducible;
    let mut model = playing_model();
    let start = model.sim.borrow().now();
    let mut shown = 0;
    // Twenty frames a millisecond apart, computed in far less wall time than the page's
    // showing rate (`SHOW_EVERY_MS`).
    for _ in 0..20 {
        let next = model.clone().reduce(Msg::Frame(1.0));
        if !Rc::ptr_eq(&next, &model) {
            shown += 1;
        }
        model = next;
    }
    assert_eq!(
        model.sim.borrow().now(),
        start + 20_000,
        "the simulator ran every frame"
    );
    assert!(shown <= 2, "the page was shown {shown} times");
}

#[wasm_bindgen_test]
fn a_paused_page_does_not_render_on_frames() {
    use raft_explorer::ui::state::{Model, Msg, UrlOptions};
    use yew::Reducible;
    let options = UrlOptions {
        paused: true,
        ..Default::default()
    };
    let model = Rc::new(Model::new(&options, None));
    let next = model.clone().reduce(Msg::Frame(16.0));
    assert!(Rc::ptr_eq(&model, &next), "the same model: no render");
}

#[wasm_bindgen_test]
async fn log_table_marks_commit_and_the_leaders_next_and_match_index() {
    let root = mount::<LogTable>(LogTableProps {
        view: Rc::new(sample_view()),
        ghosts: Rc::new(vec![]),
        columns: 16,
        selected_server: None,
        lit: None,
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

// The full page's (presets, links): the lite build has none.
#[cfg(feature = "full")]
#[wasm_bindgen_test]
fn the_pages_presets_are_every_file_read_by_scenario_from_json() {
    use raft_explorer::scenario::Scenario;
    let ours = raft_explorer::ui::presets::all();
    let ids: Vec<&str> = ours.iter().map(|p| p.id).collect();
    assert_eq!(ids, raft_explorer::scenario::presets::IDS);
    for (p, (id, text)) in ours.iter().zip(raft_explorer::scenario::presets::SOURCES) {
        let strict = Scenario::from_json(text).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(
            (p.scenario(), p.name.as_str()),
            (&strict, strict.name.as_str()),
            "{id}"
        );
    }
    assert_eq!(ids.len(), 14, "one per file in src/scenario/presets/");
}

// The full page's (presets, links): the lite build has none.
#[cfg(feature = "full")]
#[wasm_bindgen_test]
fn every_preset_loads_in_the_page_and_plays_to_its_end() {
    use raft_explorer::scenario::StepAction;
    use raft_explorer::ui::state::{Model, Msg, UrlOptions};
    use yew::Reducible;
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
        let mut model = Rc::new(Model::new(&options, None));
        // The page says what it applied, and nothing else.
        let applied = format!("From the link: preset \"{id}\", speed 10×.");
        assert_eq!(model.notice.as_deref(), Some(applied.as_str()), "{id}");
        assert_eq!(model.preset.map(|i| model.full.presets[i].id), Some(id));
        let end = p.scenario().end_ms() * 1000;
        let mut wall_ms = 0.0;
        // Frames of 100 ms at 10×: a simulated second each.
        while model.playing && model.sim.borrow().now() < end {
            wall_ms += 100.0;
            model = model.reduce(Msg::Frame(wall_ms));
        }
        assert!(model.sim.borrow().now() >= end, "{id} played to its end");
        // Every step was applied, none refused ("Preset step skipped: ..." would replace it).
        assert_eq!(model.notice.as_deref(), Some(applied.as_str()), "{id}");
        let actions = p
            .scenario()
            .steps
            .iter()
            .filter(|s| !matches!(s.action, StepAction::Expect(_)))
            .count();
        assert_eq!(model.sim.borrow().actions().len(), actions, "{id}");
        let last_note = p.scenario().steps.iter().rev().find_map(|s| s.note.clone());
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

#[wasm_bindgen_test]
fn the_speed_slider_steps_along_a_ladder_from_a_thousandth_to_ten_times() {
    use raft_explorer::ui::speed;
    assert_eq!(speed::at_step(0), 0.001, "as slow as RaftScope");
    assert_eq!(speed::at_step(99), 10.0, "past the end: the fastest");
    assert_eq!(speed::at_step(speed::nearest_step(0.05)), 0.05);
    // A speed from a link that is not on the ladder shows at its nearest step, and one step
    // from it goes to the next step on that side.
    assert_eq!(speed::at_step(speed::nearest_step(0.3)), 0.2);
    assert_eq!(speed::step_from(0.3, true), 0.5);
    assert_eq!(speed::step_from(0.3, false), 0.2);
    assert_eq!(speed::step_from(0.05, true), 0.1);
    assert_eq!(speed::step_from(10.0, true), 10.0, "no faster than the top");
    assert_eq!(
        speed::step_from(0.001, false),
        0.001,
        "no slower than the bottom"
    );
    // Every step is a sensible move: between 2 and 2.5 times the one before.
    for pair in speed::SPEEDS.windows(2) {
        let ratio = pair[1] / pair[0];
        assert!((1.99..=2.51).contains(&ratio), "{pair:?}");
    }
    assert_eq!(speed::label(0.05), "1/20×");
    assert_eq!(speed::label(0.001), "1/1000×");
    assert_eq!(speed::label(2.5), "2.5×");
}

#[wasm_bindgen_test]
async fn log_table_marks_a_paused_leaders_next_and_match_index() {
    // A paused leader is still the leader (ClusterView::leader): the table keeps its marks.
    let mut view = sample_view();
    view.servers[2].status = ServerStatus::Paused;
    let root = mount::<LogTable>(LogTableProps {
        view: Rc::new(view),
        ghosts: Rc::new(vec![]),
        columns: 16,
        selected_server: None,
        lit: None,
        on_intent: Callback::noop(),
    })
    .await;
    let s1 = root
        .query_selector("[aria-label='Log of S1']")
        .unwrap()
        .unwrap();
    assert!(s1.query_selector(".mark-match").unwrap().is_some());
    assert!(s1.query_selector(".mark-next").unwrap().is_some());
}

// The full page's (presets, links): the lite build has none.
#[cfg(feature = "full")]
#[wasm_bindgen_test]
fn url_options_agree_with_each_other_and_say_what_they_did() {
    use raft_explorer::ui::state::{Model, UrlOptions};
    // A preset no longer overrides the seed and servers asked for beside it.
    let model = Model::new(
        &UrlOptions::parse("?seed=7&servers=5&preset=split_vote"),
        None,
    );
    assert_eq!((model.config.seed, model.config.servers), (7, 5));
    let notice = model.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("preset \"split_vote\", seed 7, 5 servers"),
        "{notice}"
    );
    // A speed beyond the slider is brought to its end, and the notice says so.
    let model = Model::new(&UrlOptions::parse("?speed=100"), None);
    assert_eq!(model.speed, 10.0);
    let notice = model.notice.clone().unwrap_or_default();
    assert!(notice.contains("playing at 10×"), "{notice}");
    // paused=false plays.
    assert!(!UrlOptions::parse("?paused=false").paused);
    assert!(UrlOptions::parse("?paused").paused);
    assert!(UrlOptions::parse("?autoplay=false").paused);
    // Values are percent-decoded.
    assert_eq!(UrlOptions::parse("?servers=%33").servers, Some(3));
    assert_eq!(
        UrlOptions::parse("?preset=split%5Fvote").preset.as_deref(),
        Some("split_vote")
    );
    assert_eq!(UrlOptions::parse("?servers=%3").problems.len(), 1);
}

// The full page's (presets, links): the lite build has none.
#[cfg(feature = "full")]
#[wasm_bindgen_test]
fn a_share_link_reopens_the_same_state_at_the_same_time_paused() {
    use raft_explorer::ui::state::{Model, Msg, UrlOptions};
    use yew::Reducible;
    let options = UrlOptions::parse("?seed=5&speed=1&preset=leader_crash");
    let mut model = Rc::new(Model::new(&options, None));
    for i in 0..120 {
        model = model.reduce(Msg::Frame(16.0));
        if i == 40 {
            model = model.reduce(Msg::Intent(Intent::QuickClient));
        }
        if i == 80 {
            model = model.reduce(Msg::Intent(Intent::CrashSelected));
        }
    }
    let model = model.reduce(Msg::Intent(Intent::ToggleShare));
    let share = model.full.share.clone().expect("the dialog is open");
    assert!(share.link.starts_with("v2."));
    let reopened = Model::new(&UrlOptions::default(), Some(&share.link));
    assert!(!reopened.playing);
    assert_eq!(reopened.now, model.now);
    assert_eq!(reopened.step_note, model.step_note);
    assert_eq!(reopened.quick_value, model.quick_value, "C counts on");
    assert_eq!(*reopened.view, *model.view);
    assert_eq!(reopened.preset, model.preset);
    // A damaged link: a message, and the defaults.
    let damaged = Model::new(
        &UrlOptions::default(),
        Some(&share.link[..share.link.len() / 2]),
    );
    assert!(damaged
        .notice
        .clone()
        .unwrap_or_default()
        .contains("could not be opened"));
    assert_eq!(damaged.config.servers, 5);
    assert_eq!(damaged.now, 0);
}

/// The lite page's run, handed over (`scenario::handover`) and taken by the full page: the
/// same run at the same moment, paused, with the Share dialog open; an import with its file.
#[cfg(feature = "full")]
#[wasm_bindgen_test]
fn a_handed_over_run_opens_paused_at_the_same_moment_then_shares_or_imports() {
    use raft_explorer::scenario::handover::{Handover, Then};
    use raft_explorer::ui::state::{Model, Msg, UrlOptions};
    use yew::Reducible;
    let mut model = playing_model();
    for i in 0..90 {
        model = model.reduce(Msg::Frame(16.0));
        if i == 30 {
            model = model.reduce(Msg::Intent(Intent::QuickClient));
        }
        if i == 60 {
            model = model.reduce(Msg::Intent(Intent::CrashSelected));
        }
    }
    // What the lite page hands over: its simulator as it is (the page shows it a frame or
    // two behind).
    let (now, view) = (model.sim.borrow().now(), Rc::new(model.sim.borrow().view()));
    let handed = |then| Handover::of(model.sim.borrow().config(), &model.sim.borrow(), then);
    let share = handed(Then::Share).to_json();
    let fresh = || Rc::new(Model::new(&UrlOptions::default(), None));
    let taken = fresh().reduce(Msg::Intent(Intent::TakeHandover(share)));
    assert!(!taken.playing);
    assert_eq!(taken.now, now);
    assert_eq!(*taken.view, *view, "the same state at the same moment");
    assert_eq!(*taken.sim.borrow().trace(), *model.sim.borrow().trace());
    assert_eq!(taken.quick_value, model.quick_value, "C counts on");
    assert!(taken.full.share.is_some(), "the Share dialog is open");
    // An import: the file is read as the Share dialog's import reads it.
    let (id, text) = raft_explorer::scenario::presets::SOURCES[2];
    let import = Handover {
        file: Some(text.into()),
        file_name: Some(format!("{id}.json")),
        ..handed(Then::Import)
    };
    let taken = fresh().reduce(Msg::Intent(Intent::TakeHandover(import.to_json())));
    let notice = taken.notice.clone().unwrap_or_default();
    assert!(
        notice.starts_with("Loaded") && notice.contains(id),
        "{notice}"
    );
    // A file that is no scenario: the handed-over run stays, and the notice says why.
    let bad = Handover {
        file: Some("{}".into()),
        file_name: Some("notes.json".into()),
        ..handed(Then::Import)
    };
    let taken = fresh().reduce(Msg::Intent(Intent::TakeHandover(bad.to_json())));
    assert_eq!(*taken.view, *view);
    let notice = taken.notice.clone().unwrap_or_default();
    assert!(notice.contains("notes.json is not a scenario"), "{notice}");
    // A damaged handover: a notice, and the page's own run goes on.
    for damaged in ["", "{", "{\"version\":1}", "[]"] {
        let taken = fresh().reduce(Msg::Intent(Intent::TakeHandover(damaged.into())));
        let notice = taken.notice.clone().unwrap_or_default();
        assert!(
            notice.contains("could not be taken over"),
            "{damaged}: {notice}"
        );
        assert_eq!(taken.now, 0);
    }
}

/// The addresses across the two pages: the full page's query keeps the view options, and
/// links and tours are the site's, not the full page's directory.
#[wasm_bindgen_test]
fn the_full_page_is_asked_for_with_the_view_options_and_links_point_at_the_site() {
    use raft_explorer::ui::address::{full_page_query, site_dir, ViewNow, Wanted};
    let plain = ViewNow {
        speed: None,
        lecture: false,
        dark: None,
    };
    // A preset runs from its own seed: the address's seed, servers and paused stay behind; the
    // view the user has now (here: 2x, lecture, dark) goes along, whatever the address said.
    let now = ViewNow {
        speed: Some(2.0),
        lecture: true,
        dark: Some(true),
    };
    assert_eq!(
        full_page_query(
            "?speed=1&servers=3&seed=7&paused&preset=x&theme=light&embed",
            Wanted::Preset("split_vote"),
            &now
        ),
        "?preset=split_vote&speed=2&lecture&theme=dark&embed"
    );
    assert_eq!(
        full_page_query("?seed=7", Wanted::Tour("a b"), &plain),
        "?tour=a%20b"
    );
    // A handover is marked, and keeps the seed (the page's fallback) but no tour.
    assert_eq!(
        full_page_query("?embed&panels=logs&tour=t&seed=7", Wanted::Handover, &plain),
        "?handover&embed&panels=logs&seed=7"
    );
    assert_eq!(full_page_query("", Wanted::Handover, &plain), "?handover");
    assert_eq!(site_dir("/full/"), "/");
    assert_eq!(site_dir("/full/index.html"), "/");
    assert_eq!(site_dir("/raft/full/"), "/raft/");
    assert_eq!(site_dir("/raft/"), "/raft/");
    assert_eq!(site_dir("/raft/index.html"), "/raft/");
    assert_eq!(site_dir("/awful/"), "/awful/");
    assert_eq!(site_dir(""), "");
}

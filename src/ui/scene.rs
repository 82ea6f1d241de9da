//! The cluster picture as data: `scene(view, now, ui)` is a pure function from the cluster's
//! view, the simulated time and the page's own state (selection, hover, spotlight, reduced
//! motion) to a flat, keyed list of everything drawn, with geometry in picture units (a
//! square `SIZE` wide, the cluster's ring at its centre).
//!
//! Nothing here touches the DOM, so `cargo test` checks it natively. `ui::picture` draws a
//! `Scene` on a canvas every animation frame, resolves clicks and hovers against its geometry
//! (`Scene::hit`), and renders its accessible mirror (`Item::name`). A new thing to draw is a
//! new `Shape` here and one case in `picture::draw_item`.

use crate::raft::types::{ClientId, Message, Role, ServerId};
use crate::raft::{ClientResult, ServerSet};
use crate::sim::{
    ClientTraffic, ClientTrafficView, ClusterView, MembershipRole, MessageId, MessageView, Micros,
    ServerStatus, ServerView,
};
use std::fmt::Write;

/// The picture is a square this many units wide; the renderer scales it to its box.
pub const SIZE: f64 = 440.0;
pub const CENTER: f64 = SIZE / 2.0;

/// Lecture mode draws everything this much bigger (a projector read from the back of a
/// hall): the scene is laid out in a square `SIZE / LECTURE_SCALE` wide, which the renderer
/// fits to the same box, so every circle, line and letter comes out 1.5 times as big.
pub const LECTURE_SCALE: f64 = 1.5;

/// How long the leader's heartbeat ring takes to fade after an AppendEntries goes out.
pub const BEAT_FADE: Micros = 30_000;

/// How long the ring takes to settle after it changes (§6: a server added, a removed one shut
/// down or restarted, a crashed one removed; `sim::view::RingChange`): the servers that stay
/// slide along the ring to their new places, a joining server grows and fades in at its place,
/// a leaving one fades out at its old place.
/// In simulated time, like everything drawn: pausing freezes it, time travel and a Share link
/// show it again, tests assert it. 30 ms is 0.6 s at the page's default speed (1/20×) and
/// 1.5 s in lecture mode (1/50×): long enough for the eye to follow five servers moving at
/// once, and about one or two message trips (10–20 ms), so the servers have settled by the
/// time the messages the change sets off arrive. At 1× it is two frames, as fast as the rest.
pub const RING_MOVE: Micros = 30_000;

/// A message is caught by a click or a hover this far from its centre (picture units): more
/// than twice its drawn radius, so a moving message is easy to catch (and time holds while
/// the pointer is over one: `state`).
pub const MESSAGE_HIT_RADIUS: f64 = 24.0;

/// Client requests and replies drawn at once, at most (the picture stays legible under load).
pub const MAX_CLIENT_TRAFFIC_DRAWN: usize = 12;

/// Requests waited on that get a line and a caption, at most.
const MAX_PENDING_DRAWN: usize = 4;

/// A point of the picture.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub const fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    pub fn distance(self, other: Point) -> f64 {
        ((self.x - other.x).powi(2) + (self.y - other.y).powi(2)).sqrt()
    }

    /// The point a fraction `f` of the way to `other`.
    pub fn towards(self, other: Point, f: f64) -> Point {
        Point::new(
            self.x + (other.x - self.x) * f,
            self.y + (other.y - self.y) * f,
        )
    }
}

// ---- layout ----

/// Radius of the ring the servers sit on in a picture `size` wide (one server sits at the
/// centre): 150 units, or less in a smaller (lecture) square, leaving room around each
/// server for its timer ring and the line under it.
pub fn ring_radius(n: usize, size: f64) -> f64 {
    if n <= 1 {
        0.0
    } else {
        (size / 2.0 - server_radius(n) - 30.0).min(150.0)
    }
}

/// Radius of one server's circle (smaller circles for big clusters).
pub fn server_radius(n: usize) -> f64 {
    match n {
        0..=5 => 36.0,
        6..=7 => 31.0,
        _ => 27.0,
    }
}

/// Centre of server `i` (0-based) of `n` in a picture `size` wide, clockwise from the top.
pub fn server_pos(i: usize, n: usize, size: f64) -> Point {
    around_centre(ring_angle(i, n), ring_radius(n, size), size)
}

/// The angle of place `i` (0-based) of `n` on the ring: clockwise from the top.
fn ring_angle(i: usize, n: usize) -> f64 {
    -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n.max(1) as f64
}

/// The point at `angle`, `distance` from the centre of a picture `size` wide.
fn around_centre(angle: f64, distance: f64, size: f64) -> Point {
    let c = size / 2.0;
    Point::new(c + distance * angle.cos(), c + distance * angle.sin())
}

/// How far along its trip something sent at `sent_at` and arriving at `arrive_at` is at `now`:
/// 0 at send, 1 at arrival.
pub fn progress(sent_at: Micros, arrive_at: Micros, now: Micros) -> f64 {
    if arrive_at <= sent_at {
        return 1.0;
    }
    let f = now.saturating_sub(sent_at) as f64 / (arrive_at - sent_at) as f64;
    f.clamp(0.0, 1.0)
}

/// Fraction of an election timer still to run at `now` (1: just reset, 0: firing).
pub fn timer_left(started: Micros, deadline: Micros, now: Micros) -> f64 {
    1.0 - progress(started, deadline, now)
}

/// Where one server is drawn while the ring changes: an angle and a distance from the centre
/// (servers move along the ring, not across it).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Place {
    id: ServerId,
    angle: f64,
    distance: f64,
    /// 1 on the ring; rising from 0 while it joins, falling to 0 while it leaves.
    presence: f64,
    /// No longer on the ring: drawn only until it has faded out.
    leaving: bool,
}

impl Place {
    fn at(&self, size: f64) -> Point {
        around_centre(self.angle, self.distance, size)
    }

    /// A fraction `f` of the way to `to` along the ring: the shorter way round, the distance
    /// from the centre changing evenly too (the ring's radius changes with its size, and a
    /// lone server sits at the centre, whence it moves straight out).
    fn towards(&self, to: &Place, f: f64) -> Place {
        let mut turn = to.angle - self.angle;
        while turn > std::f64::consts::PI {
            turn -= std::f64::consts::TAU;
        }
        while turn < -std::f64::consts::PI {
            turn += std::f64::consts::TAU;
        }
        Place {
            angle: self.angle + turn * f,
            distance: self.distance + (to.distance - self.distance) * f,
            presence: self.presence + (to.presence - self.presence) * f,
            ..*to
        }
    }
}

/// Where every drawn server is at one moment (in id order), and the radius all are drawn
/// with (smaller circles for a bigger ring, `server_radius`).
#[derive(Clone, Debug, PartialEq)]
struct Layout {
    places: Vec<Place>,
    radius: f64,
}

impl Layout {
    /// The ring `ring` at rest, in a picture `size` wide.
    fn settled(ring: ServerSet, size: f64) -> Layout {
        let n = ring.len();
        Layout {
            places: ring
                .iter()
                .enumerate()
                .map(|(i, id)| Place {
                    id,
                    angle: ring_angle(i, n),
                    distance: ring_radius(n, size),
                    presence: 1.0,
                    leaving: false,
                })
                .collect(),
            radius: server_radius(n),
        }
    }

    fn place(&self, id: ServerId) -> Option<&Place> {
        self.places.iter().find(|p| p.id == id)
    }

    /// A fraction `f` of the way from this layout to `to` (a ring at rest): a server in both
    /// slides along the ring, one only in `to` joins at its place, one only here leaves from
    /// where it is. Starting from a layout caught mid-change, each server goes on from where
    /// it was drawn, so nothing jumps when changes follow in quick succession.
    fn towards(&self, to: &Layout, f: f64) -> Layout {
        if f >= 1.0 {
            return to.clone();
        }
        let mut ids = ServerSet::default();
        for p in self.places.iter().chain(&to.places) {
            ids.insert(p.id);
        }
        let places = ids
            .iter()
            .filter_map(|id| match (self.place(id), to.place(id)) {
                (Some(from), Some(place)) => Some(from.towards(place, f)),
                (None, Some(place)) => Some(Place {
                    presence: f,
                    ..*place
                }),
                (Some(from), None) if from.presence > 0.0 => Some(Place {
                    presence: from.presence * (1.0 - f),
                    leaving: true,
                    ..*from
                }),
                _ => None,
            })
            .collect();
        Layout {
            places,
            radius: self.radius + (to.radius - self.radius) * f,
        }
    }
}

/// Slow in, slow out (smoothstep): a server starts and stops moving gently, as objects do.
fn ease(f: f64) -> f64 {
    f * f * (3.0 - 2.0 * f)
}

/// Where the servers are drawn at `now`: the ring at rest, or on the way from the rings
/// before its latest changes (`ClusterView::ring_changes`) to `ring` (the one now), each change
/// taking `RING_MOVE` from the moment it happened and starting from where the one before
/// had got to. With reduced motion the ring is always at rest: servers jump to their places.
fn ring_layout(view: &ClusterView, ring: ServerSet, now: Micros, size: f64, still: bool) -> Layout {
    let changes = &view.ring_changes;
    let (Some(first), false) = (changes.first(), still) else {
        return Layout::settled(ring, size);
    };
    let mut drawn = Layout::settled(first.before, size);
    for (i, change) in changes.iter().enumerate() {
        // Until the next change (where this one was caught), or until now.
        let (after, until) = match changes.get(i + 1) {
            Some(next) => (next.before, next.at),
            None => (ring, now),
        };
        let f = ease(progress(change.at, change.at + RING_MOVE, until));
        drawn = drawn.towards(&Layout::settled(after, size), f);
    }
    drawn
}

/// Where a message is a fraction `f` of its way: on the straight line between the two
/// servers' rims, shifted a little to its right so that messages between the same two servers
/// in opposite directions do not overlap.
pub fn message_pos(from: Point, to: Point, rim: f64, f: f64) -> Point {
    let (dx, dy) = (to.x - from.x, to.y - from.y);
    let len = (dx * dx + dy * dy).sqrt();
    if len < 1e-6 {
        return from;
    }
    let (ux, uy) = (dx / len, dy / len);
    let travel = (len - 2.0 * rim).max(0.0);
    let along = rim + travel * f;
    Point::new(
        from.x + ux * along - uy * 6.0,
        from.y + uy * along + ux * 6.0,
    )
}

/// Where the line from the client (at `centre`) to a server stops, just short of its rim.
fn client_stop(centre: Point, server: Point, rim: f64) -> Point {
    let len = centre.distance(server).max(1.0);
    centre.towards(server, (len - rim - 4.0).max(0.0) / len)
}

/// Convex hull (monotone chain) of a few points, counter-clockwise; one or two points are
/// returned as they are.
pub fn convex_hull(points: &[Point]) -> Vec<Point> {
    let mut pts = points.to_vec();
    // Unstable is enough: points that compare equal are the same point (dedup drops them).
    pts.sort_unstable_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let cross =
        |o: Point, a: Point, b: Point| (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
    let mut hull: Vec<Point> = Vec::with_capacity(pts.len() * 2);
    for &p in pts.iter().chain(pts.iter().rev().skip(1)) {
        while hull.len() >= 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0 {
            hull.pop();
        }
        hull.push(p);
    }
    hull.pop();
    hull
}

// ---- the scene ----

/// The page's own state that changes what is drawn.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SceneUi {
    pub selected_server: Option<ServerId>,
    pub selected_message: Option<MessageId>,
    /// What the pointer is over.
    pub hover: Option<Key>,
    /// Everything but what this lights is dimmed (a guided tour points at things).
    pub spotlight: Option<Spotlight>,
    /// `prefers-reduced-motion`: nothing fades or pulses; what is drawn is still where it is.
    pub reduced_motion: bool,
    /// A message is caught where it was this long ago too (simulated µs: the page makes it a
    /// fixed wall time, a person's reaction time, at the current speed), so a click aimed at
    /// where a message was a moment ago still catches it.
    pub catch_trail: Micros,
    /// Lecture mode: everything drawn `LECTURE_SCALE` times as big.
    pub lecture: bool,
}

/// What a guided tour's step points at: these servers, the messages in flight, the client.
/// The partition's shaded regions and its banner are never dimmed: they are the ground the
/// rest stands on.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Spotlight {
    pub servers: Vec<ServerId>,
    pub messages: bool,
    pub client: bool,
}

impl Spotlight {
    /// Whether the item `key` stays lit.
    pub fn lights(&self, key: Key) -> bool {
        match key {
            Key::Server(s) | Key::Reads(s) => self.servers.contains(&s),
            Key::Message(_) => self.messages,
            Key::Client | Key::ClientLine(_) | Key::Traffic { .. } => self.client,
            Key::Region(_) | Key::Banner | Key::Configuration => true,
            Key::Wall(..) | Key::Cut(..) => false,
        }
    }
}

/// What an item is, stable from frame to frame while it is drawn: the renderer and the mirror
/// know an item by its key, hit tests return it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// A partition group's region (by its index among the groups).
    Region(usize),
    /// The wall between two servers in different groups.
    Wall(ServerId, ServerId),
    /// A link cut in one direction.
    Cut(ServerId, ServerId),
    Client,
    /// The line from the client to the server it waits on, with the request's caption.
    ClientLine(ClientId),
    Server(ServerId),
    /// §8: the reads a leader holds until a majority acknowledges a heartbeat round.
    Reads(ServerId),
    /// A client request (`reply: false`) or reply on its way: client, request number, server,
    /// when it was sent.
    Traffic {
        client: ClientId,
        seq: u64,
        server: ServerId,
        sent_at: Micros,
        reply: bool,
    },
    Message(MessageId),
    /// "PARTITIONED {S1,S2} | {S3,S4,S5}".
    Banner,
    /// §6: "CONFIGURATION {S1,S2,S3} → {S1,…,S5}", once the cluster has changed membership.
    Configuration,
}

/// Everything drawn, bottom first, in a square `size` units wide (`SIZE`, or less in lecture
/// mode: the renderer fits the square to its box, so a smaller one draws everything bigger).
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    pub items: Vec<Item>,
    pub size: f64,
}

impl Default for Scene {
    fn default() -> Scene {
        Scene {
            items: Vec::new(),
            size: SIZE,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub key: Key,
    /// Drawn faint: a spotlight is on something else.
    pub dimmed: bool,
    pub shape: Shape,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// A partition group: a fat rounded outline around its servers.
    Region {
        outline: Vec<Point>,
        /// Half the outline's width (it reaches this far past the servers' centres).
        pad: f64,
        tint: usize,
    },
    /// A wall between groups, or a cut link (an arrow in the cut direction); both marked ✕.
    Link {
        from: Point,
        to: Point,
        mark: Point,
        cut: bool,
    },
    Client {
        at: Point,
    },
    ClientLine {
        from: Point,
        to: Point,
        caption: String,
        caption_at: Point,
    },
    Server(ServerShape),
    /// §8: a badge by a leader holding reads for a confirmation round ("R? 2").
    Reads {
        server: ServerId,
        at: Point,
        waiting: usize,
        /// The latest round sent, and the latest a majority acknowledged.
        round: u64,
        confirmed: u64,
    },
    Traffic(TrafficShape),
    Message(MessageShape),
    Banner {
        at: Point,
        text: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ServerShape {
    pub id: ServerId,
    pub at: Point,
    pub radius: f64,
    pub status: ServerStatus,
    pub role: Role,
    pub term: u64,
    /// "voted S2", "no vote", "votes 3/5" (a candidate), "" (crashed).
    pub below: String,
    /// Fraction of the election timer left, while it runs.
    pub timer: Option<f64>,
    /// The leader's heartbeat ring: 1 just after an AppendEntries went out, fading to 0.
    pub heartbeat: Option<f64>,
    pub selected: bool,
    pub hovered: bool,
    /// §6: its place in the cluster's configuration (a non-voting member is drawn faint).
    pub membership: MembershipRole,
    /// §6, while the ring changes (`RING_MOVE`): drawn this much smaller around `at` and this
    /// opaque (a joining server grows from 0.6 and fades in, a leaving one shrinks a little
    /// as it fades out); 1 and 1 at rest.
    pub scale: f64,
    pub opacity: f64,
    /// No longer on the ring, drawn only as it fades out: not named (the mirror and screen
    /// readers drop it at once), not hit by clicks.
    pub fading_out: bool,
}

/// What a message carries, as drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageLook {
    RequestVote,
    /// Dissertation §9.6: "could I win?", asked before a term is raised; and the answers
    /// (`pre`: to a PreVote).
    PreVote,
    Vote {
        granted: bool,
        pre: bool,
    },
    /// Dissertation §3.10: the leader tells the server it hands over to to stand now.
    TimeoutNow,
    Heartbeat,
    /// §8 (ReadIndex): an AppendEntries whose confirmation round a waiting read needs, and a
    /// follower's reply acknowledging that round.
    ReadCheck,
    ReadAck,
    Append {
        entries: usize,
    },
    AppendReply {
        success: bool,
    },
    /// §7: an InstallSnapshot chunk from byte `offset` (`last`: the final one) and its reply.
    Snapshot {
        last: bool,
        offset: u64,
    },
    SnapshotReply {
        installed: bool,
    },
}

impl MessageLook {
    pub fn of(message: &Message) -> MessageLook {
        match message {
            Message::RequestVote(_) => MessageLook::RequestVote,
            Message::PreVote(_) => MessageLook::PreVote,
            Message::TimeoutNow(_) => MessageLook::TimeoutNow,
            Message::RequestVoteReply(r) => MessageLook::Vote {
                granted: r.vote_granted,
                pre: false,
            },
            Message::PreVoteReply(r) => MessageLook::Vote {
                granted: r.vote_granted,
                pre: true,
            },
            Message::AppendEntries(a) if a.entries.is_empty() => MessageLook::Heartbeat,
            Message::AppendEntries(a) => MessageLook::Append {
                entries: a.entries.len(),
            },
            Message::AppendEntriesReply(r) => MessageLook::AppendReply { success: r.success },
            Message::InstallSnapshot(s) => MessageLook::Snapshot {
                last: s.done,
                offset: s.offset,
            },
            Message::InstallSnapshotReply(r) => MessageLook::SnapshotReply { installed: r.done },
        }
    }

    /// The look of `m` in `view`: as `of`, except that AppendEntries of a confirmation round
    /// a leader's waiting reads need, and the replies acknowledging it, are marked (§8: the
    /// round a read waits for before it may answer).
    pub fn in_view(view: &ClusterView, m: &MessageView) -> MessageLook {
        let (leader, round, look) = match &*m.message {
            Message::AppendEntries(a) if a.entries.is_empty() => {
                (m.from, a.read_round, MessageLook::ReadCheck)
            }
            Message::AppendEntriesReply(r) => (m.to, r.read_round, MessageLook::ReadAck),
            other => return MessageLook::of(other),
        };
        let waits = view.server(leader).is_some_and(|l| {
            let reads = &l.beyond_figure2;
            l.role == Role::Leader
                && reads.reads_waiting > 0
                && round > reads.confirmed_round
                && l.current_term == m.message.term()
        });
        if waits {
            look
        } else {
            MessageLook::of(&m.message)
        }
    }

    /// Words for the accessible name: "RequestVote", "AppendEntries with 3".
    pub fn words(self) -> String {
        match self {
            MessageLook::RequestVote => "RequestVote".into(),
            MessageLook::PreVote => "PreVote".into(),
            MessageLook::TimeoutNow => "TimeoutNow".into(),
            MessageLook::Vote { granted, pre } => format!(
                "{}vote {}",
                if pre { "pre-" } else { "" },
                if granted { "granted" } else { "denied" }
            ),
            MessageLook::Heartbeat => "heartbeat".into(),
            MessageLook::ReadCheck => "heartbeat confirming leadership for a read".into(),
            MessageLook::ReadAck => "read round acknowledged".into(),
            MessageLook::Append { entries } => format!("AppendEntries with {entries}"),
            MessageLook::AppendReply { success: true } => "append ok".into(),
            MessageLook::AppendReply { success: false } => "append rejected".into(),
            MessageLook::Snapshot { last, offset } => format!(
                "InstallSnapshot {}chunk at offset {offset}",
                if last { "last " } else { "" }
            ),
            MessageLook::SnapshotReply { installed: true } => "snapshot installed".into(),
            MessageLook::SnapshotReply { installed: false } => "snapshot chunk ok".into(),
        }
    }

    /// The short label drawn on it: "RV", "✓", "✗", "+3" (written where it is drawn, with no
    /// string made for it); a heartbeat has none.
    pub fn label(self) -> impl std::fmt::Display {
        struct Label(MessageLook);
        impl std::fmt::Display for Label {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self.0 {
                    MessageLook::RequestVote => f.write_str("RV"),
                    MessageLook::PreVote => f.write_str("PV"),
                    MessageLook::TimeoutNow => f.write_str("TN"),
                    MessageLook::Vote { granted, .. }
                    | MessageLook::AppendReply { success: granted } => {
                        f.write_str(if granted { "✓" } else { "✗" })
                    }
                    MessageLook::Heartbeat => Ok(()),
                    MessageLook::ReadCheck => f.write_str("R?"),
                    MessageLook::ReadAck => f.write_str("R✓"),
                    MessageLook::Append { entries } => write!(f, "+{entries}"),
                    MessageLook::Snapshot { offset, .. } => write!(f, "S@{offset}"),
                    MessageLook::SnapshotReply { installed } => {
                        f.write_str(if installed { "✓" } else { "…" })
                    }
                }
            }
        }
        Label(self)
    }

    /// Replies to AppendEntries and AppendEntries with entries are drawn square; the rest
    /// round.
    pub fn square(self) -> bool {
        matches!(
            self,
            MessageLook::Append { .. } | MessageLook::AppendReply { .. }
        )
    }
}

/// What will become of a message in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Delivered,
    /// The network has decided to lose it (partition, cut link, loss, dropped by hand).
    Lost,
    /// Another copy of it is in flight too (duplicated by the network or by hand).
    Duplicated,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MessageShape {
    pub id: MessageId,
    pub from: ServerId,
    pub to: ServerId,
    pub term: u64,
    pub at: Point,
    /// 0 at send, 1 at delivery.
    pub progress: f64,
    /// Where it was `SceneUi::catch_trail` ago (or at its send): a click anywhere from there
    /// to `at` catches it.
    pub trail_from: Point,
    pub look: MessageLook,
    pub fate: Fate,
    /// 1 opaque; a message that will be lost fades as it goes.
    pub opacity: f64,
    pub selected: bool,
    pub hovered: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TrafficShape {
    pub at: Point,
    pub reply: bool,
    /// What the pill says ("SET x 5", "ok", "→ S3"), cut short if long.
    pub text: String,
    /// The full accessible name.
    pub name: String,
    pub doomed: bool,
}

impl Item {
    /// The accessible name of a server, a message or client traffic: what the mirror says and
    /// what screen readers and the end-to-end tests read ("Server 3, leader, term 4"). None
    /// for what is not named on its own.
    pub fn name(&self) -> Option<String> {
        match &self.shape {
            Shape::Server(s) if s.fading_out => None,
            Shape::Server(s) => Some(member_name(s.id, s.status, s.role, s.term, s.membership)),
            Shape::Message(m) => {
                let mut name = format!(
                    "{} {} to {}, term {} (#{})",
                    m.look.words(),
                    m.from,
                    m.to,
                    m.term,
                    m.id.0
                );
                match m.fate {
                    Fate::Lost => name.push_str(", will be lost"),
                    Fate::Duplicated => name.push_str(", duplicated"),
                    Fate::Delivered => {}
                }
                Some(name)
            }
            Shape::Traffic(t) => Some(t.name.clone()),
            Shape::Reads {
                server,
                waiting,
                round,
                confirmed,
                ..
            } => Some(format!(
                "{server} holds {} until a majority acknowledges heartbeat round {round} (acknowledged so far: round {confirmed})",
                match waiting {
                    1 => "1 read".to_string(),
                    n => format!("{n} reads"),
                }
            )),
            _ => None,
        }
    }
}

/// "Server 3, leader, term 4"; "Server 2, crashed, term 1"; "Server 1, follower, term 2, paused".
pub fn server_name(id: ServerId, status: ServerStatus, role: Role, term: u64) -> String {
    match status {
        ServerStatus::Crashed => format!("Server {}, crashed, term {term}", id.0),
        ServerStatus::Paused => format!("Server {}, {role}, term {term}, paused", id.0),
        ServerStatus::Up => format!("Server {}, {role}, term {term}", id.0),
    }
}

/// `server_name` with the server's place in the configuration (§6), when it is not a plain
/// voter: "Server 6, non-voting follower, term 3"; "Server 1, leader, term 2, leaving the
/// cluster"; "Server 2, follower, term 3, removed".
pub fn member_name(
    id: ServerId,
    status: ServerStatus,
    role: Role,
    term: u64,
    membership: MembershipRole,
) -> String {
    match (membership, status) {
        (MembershipRole::Voter, _) => server_name(id, status, role, term),
        (MembershipRole::NonVoting, ServerStatus::Crashed) => {
            format!("Server {}, non-voting, crashed, term {term}", id.0)
        }
        (MembershipRole::NonVoting, ServerStatus::Paused) => {
            format!("Server {}, non-voting {role}, term {term}, paused", id.0)
        }
        (MembershipRole::NonVoting, ServerStatus::Up) => {
            format!("Server {}, non-voting {role}, term {term}", id.0)
        }
        (MembershipRole::Leaving, _) => {
            format!(
                "{}, leaving the cluster",
                server_name(id, status, role, term)
            )
        }
        (MembershipRole::Removed, _) => {
            format!("{}, removed", server_name(id, status, role, term))
        }
    }
}

/// The accessible name of a server as the view has it.
pub fn server_label(s: &ServerView) -> String {
    member_name(s.id, s.status, s.role, s.current_term.0, s.membership)
}

/// Everything drawn of `view` at simulated time `now`, with the page's state `ui`.
pub fn scene(view: &ClusterView, now: Micros, ui: &SceneUi) -> Scene {
    // §6: the ring holds the members (and those being added or removed), and a removed
    // server for as long as it still runs (`MembershipRole::on_ring`).
    let ring_set = view.ring();
    let on_ring = |id: ServerId| ring_set.contains(id);
    let ring: Vec<&ServerView> = view.servers.iter().filter(|s| on_ring(s.id)).collect();
    let size = if ui.lecture {
        SIZE / LECTURE_SCALE
    } else {
        SIZE
    };
    let centre = Point::new(size / 2.0, size / 2.0);
    // Where each server is drawn: its ring place, or on its way there after the ring changed
    // (a server that left it is still drawn while it fades out). Everything tied to a server
    // (regions, walls, messages, client lines) is drawn from these places, so it follows.
    let layout = ring_layout(view, ring_set, now, size, ui.reduced_motion);
    let rim = layout.radius;
    let drawn = |id: ServerId| layout.place(id).is_some();
    let pos = |id: ServerId| layout.place(id).map_or(centre, |p| p.at(size));
    let mut items = Vec::new();
    let mut push = |key: Key, shape: Shape| items.push((key, shape));

    // Partition groups, with servers in no group each alone.
    let mut groups: Vec<Vec<ServerId>> = view.network.partition.clone();
    for g in &mut groups {
        g.retain(|&id| on_ring(id));
    }
    groups.retain(|g| !g.is_empty());
    if !groups.is_empty() {
        for s in &ring {
            if !groups.iter().any(|g| g.contains(&s.id)) {
                groups.push(vec![s.id]);
            }
        }
    }
    let group_of = |id: ServerId| groups.iter().position(|g| g.contains(&id));
    for (i, g) in groups.iter().enumerate() {
        let points: Vec<Point> = g.iter().map(|&id| pos(id)).collect();
        push(
            Key::Region(i),
            Shape::Region {
                outline: convex_hull(&points),
                pad: rim + 17.0,
                tint: i % 4,
            },
        );
    }
    let link = |a: ServerId, b: ServerId, cut: bool| {
        let (from, to) = (
            message_pos(pos(a), pos(b), rim, 0.0),
            message_pos(pos(a), pos(b), rim, 1.0),
        );
        Shape::Link {
            from,
            to,
            mark: from.towards(to, if cut { 0.35 } else { 0.5 }),
            cut,
        }
    };
    if !groups.is_empty() {
        for (i, a) in ring.iter().enumerate() {
            for b in ring.iter().skip(i + 1) {
                if group_of(a.id) != group_of(b.id) {
                    push(Key::Wall(a.id, b.id), link(a.id, b.id, false));
                }
            }
        }
    }
    for &(from, to) in &view.network.cut_links {
        if on_ring(from) && on_ring(to) {
            push(Key::Cut(from, to), link(from, to, true));
        }
    }

    // Clients sit outside the cluster, drawn at the centre: a line to the server each one
    // waits on, and their requests and replies travelling along it (§8).
    let pending: Vec<_> = view
        .clients
        .iter()
        .filter_map(|c| c.outstanding.as_ref().map(|o| (c.id, o)))
        .filter(|(_, o)| on_ring(o.2))
        .take(MAX_PENDING_DRAWN)
        .collect();
    if !pending.is_empty() || !view.client_traffic.is_empty() {
        for (i, (client, (seq, command, to))) in pending.iter().enumerate() {
            push(
                Key::ClientLine(*client),
                Shape::ClientLine {
                    from: centre,
                    to: client_stop(centre, pos(*to), rim),
                    caption: format!("{client} #{seq} {command} → {to}"),
                    caption_at: Point::new(centre.x, centre.y + 26.0 + 12.0 * i as f64),
                },
            );
        }
        push(Key::Client, Shape::Client { at: centre });
    }

    for (s, place) in view
        .servers
        .iter()
        .filter_map(|s| Some((s, layout.place(s.id)?)))
    {
        let shape = server_shape(view, s, (place, rim), size, now, ui);
        let (at, radius) = (shape.at, shape.radius * shape.scale);
        push(Key::Server(s.id), Shape::Server(shape));
        let reads = &s.beyond_figure2;
        if reads.reads_waiting > 0 && s.role == Role::Leader && s.status != ServerStatus::Crashed {
            push(
                Key::Reads(s.id),
                Shape::Reads {
                    server: s.id,
                    at: Point::new(at.x - radius * 0.8, at.y - radius * 0.8),
                    waiting: reads.reads_waiting,
                    round: reads.read_round,
                    confirmed: reads.confirmed_round,
                },
            );
        }
    }

    for t in view
        .client_traffic
        .iter()
        .filter(|t| on_ring(t.server))
        .take(MAX_CLIENT_TRAFFIC_DRAWN)
    {
        let stop = client_stop(centre, pos(t.server), rim);
        let f = progress(t.sent_at, t.arrive_at, now);
        let reply = matches!(t.what, ClientTraffic::Reply(_));
        let at = if reply {
            stop.towards(centre, f)
        } else {
            centre.towards(stop, f)
        };
        let key = Key::Traffic {
            client: t.client,
            seq: t.seq,
            server: t.server,
            sent_at: t.sent_at,
            reply,
        };
        push(key, Shape::Traffic(traffic_shape(t, at)));
    }

    for m in view
        .messages
        .iter()
        .filter(|m| drawn(m.from) && drawn(m.to))
    {
        let f = progress(m.sent_at, m.deliver_at, now);
        let f_before = progress(m.sent_at, m.deliver_at, now.saturating_sub(ui.catch_trail));
        let fate = fate(view, m);
        let opacity = match (fate, ui.reduced_motion) {
            (Fate::Lost, false) => 1.0 - 0.75 * f,
            (Fate::Lost, true) => 0.5,
            _ => 1.0,
        };
        let key = Key::Message(m.id);
        push(
            key,
            Shape::Message(MessageShape {
                id: m.id,
                from: m.from,
                to: m.to,
                term: m.message.term().0,
                at: message_pos(pos(m.from), pos(m.to), rim, f),
                progress: f,
                trail_from: message_pos(pos(m.from), pos(m.to), rim, f_before),
                look: MessageLook::in_view(view, m),
                fate,
                opacity,
                selected: ui.selected_message == Some(m.id),
                hovered: ui.hover == Some(key),
            }),
        );
    }

    if !view.network.partition.is_empty() {
        let parts: Vec<String> = view
            .network
            .partition
            .iter()
            .map(|g| {
                let names: Vec<String> = g.iter().map(|s| s.to_string()).collect();
                format!("{{{}}}", names.join(","))
            })
            .collect();
        push(
            Key::Banner,
            Shape::Banner {
                at: Point::new(centre.x, 16.0),
                text: format!("PARTITIONED {}", parts.join(" | ")),
            },
        );
    }

    // §6: the configuration, once it has changed (a cluster that never changed membership
    // shows nothing new).
    let config = &view.configuration;
    if config.index.0 > 0 {
        let set = |s: crate::raft::ServerSet| {
            let names: Vec<String> = s.iter().map(|id| id.to_string()).collect();
            format!("{{{}}}", names.join(","))
        };
        let mut text = match config.config.new_voters {
            Some(new) => format!(
                "JOINT C_old,new {} → {}",
                set(config.config.voters),
                set(new)
            ),
            None => format!("CONFIGURATION {}", set(config.config.voters)),
        };
        if !config.config.learners.is_empty() {
            let _ = write!(text, " + non-voting {}", set(config.config.learners));
        }
        if !config.committed {
            text.push_str(" (uncommitted)");
        }
        push(
            Key::Configuration,
            Shape::Banner {
                at: Point::new(centre.x, size - 8.0),
                text,
            },
        );
    }

    Scene {
        size,
        items: items
            .into_iter()
            .map(|(key, shape)| Item {
                key,
                dimmed: ui.spotlight.as_ref().is_some_and(|s| !s.lights(key)),
                shape,
            })
            .collect(),
    }
}

/// Server `s` drawn at `place` (with the circles' `radius`) in a picture `size` wide.
fn server_shape(
    view: &ClusterView,
    s: &ServerView,
    (place, radius): (&Place, f64),
    size: f64,
    now: Micros,
    ui: &SceneUi,
) -> ServerShape {
    let up = s.status != ServerStatus::Crashed;
    let timer = match (s.election_timer_started, s.election_deadline) {
        (Some(started), Some(deadline)) if up => Some(timer_left(started, deadline, now)),
        _ => None,
    };
    let heartbeat = (s.role == Role::Leader && s.status == ServerStatus::Up).then(|| {
        if ui.reduced_motion {
            return 1.0;
        }
        let last_append = view
            .messages
            .iter()
            .filter(|m| m.from == s.id && matches!(*m.message, Message::AppendEntries(_)))
            .map(|m| m.sent_at)
            .max();
        last_append.map_or(0.0, |sent| {
            (1.0 - now.saturating_sub(sent) as f64 / BEAT_FADE as f64).max(0.0)
        })
    });
    let below = match (s.status, s.role) {
        (ServerStatus::Crashed, _) => String::new(),
        // §6: a new server catching up, or a member on its way out.
        (_, _) if s.membership == MembershipRole::NonVoting => "non-voting".into(),
        (_, _) if s.membership == MembershipRole::Leaving => "leaving".into(),
        (_, _) if s.membership == MembershipRole::Removed => "removed".into(),
        // Out of the servers whose votes count in its configuration (§6: both sets while
        // joint), not the servers drawn, which may include ones removed but still running.
        (_, Role::Candidate) => format!(
            "votes {}/{}",
            s.votes_granted.len(),
            s.configuration.all_voters().len()
        ),
        _ => match s.voted_for {
            Some(v) => format!("voted {v}"),
            None => "no vote".into(),
        },
    };
    ServerShape {
        id: s.id,
        at: place.at(size),
        radius,
        status: s.status,
        role: s.role,
        term: s.current_term.0,
        below,
        timer,
        heartbeat,
        selected: ui.selected_server == Some(s.id),
        hovered: ui.hover == Some(Key::Server(s.id)),
        membership: s.membership,
        scale: 0.6 + 0.4 * place.presence,
        opacity: place.presence,
        fading_out: place.leaving,
    }
}

/// Lost if the network has decided so; duplicated if another copy of the same message
/// (the same contents between the same servers) is in flight.
fn fate(view: &ClusterView, m: &MessageView) -> Fate {
    if m.doomed {
        Fate::Lost
    } else if view.messages.iter().any(|o| {
        o.id != m.id
            && o.from == m.from
            && o.to == m.to
            && std::sync::Arc::ptr_eq(&o.message, &m.message)
    }) {
        Fate::Duplicated
    } else {
        Fate::Delivered
    }
}

fn traffic_shape(t: &ClientTrafficView, at: Point) -> TrafficShape {
    let mut name = String::new();
    let text = match &t.what {
        ClientTraffic::Request(command) => {
            let _ = write!(
                name,
                "request {} #{} {command} to {}",
                t.client, t.seq, t.server
            );
            command.to_string()
        }
        ClientTraffic::Reply(result) => {
            let _ = write!(name, "reply from {} to {} #{}: ", t.server, t.client, t.seq);
            let (words, short) = match result {
                ClientResult::Ok(Some(value)) => (format!("value {value}"), format!("= {value}")),
                ClientResult::Ok(None) => ("ok".into(), "ok".into()),
                ClientResult::NotLeader {
                    leader_hint: Some(hint),
                } => (format!("not the leader, try {hint}"), format!("→ {hint}")),
                ClientResult::NotLeader { leader_hint: None } => {
                    ("not the leader, no leader known".into(), "no leader".into())
                }
            };
            name.push_str(&words);
            short
        }
    };
    if t.doomed {
        name.push_str(", will be lost");
    }
    // Long commands are cut short on the picture; the accessible name has them whole.
    let text = if text.chars().count() > 14 {
        text.chars().take(13).chain(['…']).collect()
    } else {
        text
    };
    TrafficShape {
        at,
        reply: matches!(t.what, ClientTraffic::Reply(_)),
        text,
        name,
        doomed: t.doomed,
    }
}

impl Scene {
    /// The item with this key.
    pub fn get(&self, key: Key) -> Option<&Item> {
        self.items.iter().find(|i| i.key == key)
    }

    /// What a click or hover at `p` (picture units) is on: a message within
    /// `MESSAGE_HIT_RADIUS` of where it is or was a moment ago (its trail; the nearest, as
    /// messages are small and move), else a server under it (or just around it), else
    /// nothing.
    pub fn hit(&self, p: Point) -> Option<Key> {
        let nearest_message = self
            .items
            .iter()
            .filter_map(|i| match &i.shape {
                Shape::Message(m) => Some((i.key, distance_to_segment(p, m.trail_from, m.at))),
                _ => None,
            })
            .filter(|(_, d)| *d <= MESSAGE_HIT_RADIUS)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((key, _)) = nearest_message {
            return Some(key);
        }
        self.items.iter().find_map(|i| match &i.shape {
            Shape::Server(s) if !s.fading_out && s.at.distance(p) <= s.radius * s.scale + 8.0 => {
                Some(i.key)
            }
            _ => None,
        })
    }

    /// A text form of the scene, one item a line, for the golden tests and for reading.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        let p = |p: Point| format!("({:.1}, {:.1})", p.x, p.y);
        for item in &self.items {
            let dim = if item.dimmed { " dimmed" } else { "" };
            let _ = match &item.shape {
                Shape::Region { outline, pad, tint } => {
                    let pts: Vec<String> = outline.iter().map(|&q| p(q)).collect();
                    writeln!(
                        out,
                        "region tint {tint} pad {pad:.1}: {}{dim}",
                        pts.join(" ")
                    )
                }
                Shape::Link { from, to, cut, .. } => writeln!(
                    out,
                    "{} {} -> {}{dim}",
                    if *cut { "cut" } else { "wall" },
                    p(*from),
                    p(*to)
                ),
                Shape::Client { at } => writeln!(out, "client at {}{dim}", p(*at)),
                Shape::ClientLine { to, caption, .. } => {
                    writeln!(out, "client line to {}: {caption}{dim}", p(*to))
                }
                Shape::Server(s) => writeln!(
                    out,
                    "{} at {} r {:.0}; {}; timer {}; heartbeat {}{}{}{dim}",
                    item.name()
                        .unwrap_or_else(|| format!("Server {} leaving the ring", s.id.0)),
                    p(s.at),
                    s.radius,
                    s.below,
                    s.timer.map_or("-".into(), |t| format!("{t:.3}")),
                    s.heartbeat.map_or("-".into(), |h| format!("{h:.2}")),
                    if s.selected { " selected" } else { "" },
                    if s.scale < 1.0 || s.opacity < 1.0 {
                        format!(" scale {:.2} opacity {:.2}", s.scale, s.opacity)
                    } else {
                        String::new()
                    },
                ),
                Shape::Traffic(t) => writeln!(out, "{} at {}{dim}", t.name, p(t.at)),
                Shape::Message(m) => writeln!(
                    out,
                    "{} at {} progress {:.3} opacity {:.2}{}{dim}",
                    item.name().unwrap_or_default(),
                    p(m.at),
                    m.progress,
                    m.opacity,
                    if m.selected { " selected" } else { "" },
                ),
                Shape::Banner { text, .. } => writeln!(out, "banner: {text}{dim}"),
                Shape::Reads { at, .. } => {
                    writeln!(
                        out,
                        "{} at {}{dim}",
                        item.name().unwrap_or_default(),
                        p(*at)
                    )
                }
            };
        }
        out
    }
}

/// How far `p` is from the segment from `a` to `b`.
fn distance_to_segment(p: Point, a: Point, b: Point) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    if len2 < 1e-12 {
        return p.distance(a);
    }
    let t = (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0);
    p.distance(a.towards(b, t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Sim, SimConfig};

    fn sim(servers: u8, seed: u64) -> Sim {
        Sim::new(SimConfig {
            seed,
            servers,
            ..SimConfig::default()
        })
    }

    fn servers_of(scene: &Scene) -> Vec<&ServerShape> {
        scene
            .items
            .iter()
            .filter_map(|i| match &i.shape {
                Shape::Server(s) => Some(s),
                _ => None,
            })
            .collect()
    }

    fn messages_of(scene: &Scene) -> Vec<&MessageShape> {
        scene
            .items
            .iter()
            .filter_map(|i| match &i.shape {
                Shape::Message(m) => Some(m),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn servers_join_the_ring_non_voting_and_a_removed_one_leaves_it_once_shut_down() {
        use crate::sim::Action;
        let mut sim = sim(3, 4);
        sim.apply(Action::Timeout {
            server: ServerId(1),
        })
        .unwrap();
        sim.run_until(300_000);
        let before = scene(&sim.view(), sim.now(), &SceneUi::default());
        assert!(!before.items.iter().any(|i| i.key == Key::Configuration));
        sim.apply(Action::AddServer).unwrap();
        let view = sim.view();
        let joining = scene(&view, sim.now(), &SceneUi::default());
        let names: Vec<String> = joining.items.iter().filter_map(Item::name).collect();
        assert!(
            names.contains(&"Server 4, non-voting follower, term 0".to_string()),
            "{names:?}"
        );
        assert_eq!(servers_of(&joining).len(), 4, "S4 is on the ring");
        let banner = joining.items.iter().find(|i| i.key == Key::Configuration);
        assert!(
            matches!(&banner.unwrap().shape, Shape::Banner { text, .. } if text.contains("non-voting {S4}")),
            "{banner:?}"
        );
        sim.run_until(1_000_000);
        sim.apply(Action::RemoveServer {
            server: ServerId(2),
        })
        .unwrap();
        sim.run_until(2_000_000);
        // Removed but still running: drawn, and named so.
        let removed = scene(&sim.view(), sim.now(), &SceneUi::default());
        let names: Vec<String> = removed.items.iter().filter_map(Item::name).collect();
        assert!(
            names
                .iter()
                .any(|n| n.starts_with("Server 2, ") && n.ends_with(", removed")),
            "{names:?}"
        );
        // Shut down (crashed), it leaves the ring.
        sim.apply(Action::Crash {
            server: ServerId(2),
        })
        .unwrap();
        sim.run_until(2_500_000);
        let after = scene(&sim.view(), sim.now(), &SceneUi::default());
        let ids: Vec<ServerId> = servers_of(&after).iter().map(|s| s.id).collect();
        assert_eq!(
            ids,
            [ServerId(1), ServerId(3), ServerId(4)],
            "S2 left the ring"
        );
        assert!(messages_of(&after)
            .iter()
            .all(|m| m.from != ServerId(2) && m.to != ServerId(2)));
    }

    // ---- §6: the ring animates its changes (RING_MOVE) ----

    /// A cluster of `servers` led by S1, past its first election.
    fn led_by_s1(servers: u8) -> Sim {
        let mut s = sim(servers, 4);
        s.timeout(ServerId(1));
        s.run_until(300_000);
        assert_eq!(s.leader(), Some(ServerId(1)));
        s
    }

    fn server_in(scene: &Scene, id: u8) -> ServerShape {
        match scene.get(Key::Server(ServerId(id))).map(|i| &i.shape) {
            Some(Shape::Server(s)) => s.clone(),
            other => panic!("S{id} is not drawn: {other:?}"),
        }
    }

    fn near(a: Point, b: Point) -> bool {
        a.distance(b) < 1e-6
    }

    /// Where server `id` sits on a ring `ring` at rest.
    fn rest(ring: &[u8], id: u8) -> Point {
        let i = ring.iter().position(|&r| r == id).unwrap();
        server_pos(i, ring.len(), SIZE)
    }

    /// The angle of `p` around the picture's centre, in degrees clockwise from the right.
    fn angle(p: Point) -> f64 {
        (p.y - CENTER).atan2(p.x - CENTER).to_degrees()
    }

    /// Every message is drawn on the line between its two servers as they are drawn in the
    /// same frame: it never points at a place a server has left.
    fn messages_follow_the_servers(scene: &Scene) {
        for m in messages_of(scene) {
            let (from, to) = (server_in(scene, m.from.0).at, server_in(scene, m.to.0).at);
            let rim = server_in(scene, m.from.0).radius;
            assert!(near(m.at, message_pos(from, to, rim, m.progress)), "{m:?}");
        }
    }

    #[test]
    fn a_joining_server_fades_in_at_its_place_while_the_others_slide_along_the_ring() {
        let mut s = led_by_s1(3);
        s.apply(crate::sim::Action::AddServer).unwrap();
        let t = s.now();
        let view = s.view();
        assert_eq!(view.ring_changes.len(), 1);
        assert_eq!(view.ring_changes[0].at, t);
        let at = |now| scene(&view, now, &SceneUi::default());

        // Start: the three where they were, S4 at its new place, invisible and small, yet
        // already named (the mirror offers it at once).
        let start = at(t);
        for id in 1..=3 {
            assert!(
                near(server_in(&start, id).at, rest(&[1, 2, 3], id)),
                "S{id}"
            );
            assert_eq!(server_in(&start, id).opacity, 1.0);
        }
        let s4 = server_in(&start, 4);
        assert!(near(s4.at, rest(&[1, 2, 3, 4], 4)));
        assert_eq!((s4.opacity, s4.scale), (0.0, 0.6));
        assert!(start
            .items
            .iter()
            .any(|i| i.name().is_some_and(|n| n.starts_with("Server 4, "))));

        // Middle: eased halfway, so S2 is halfway round the ring from 30° to 0°, on the ring.
        let middle = at(t + RING_MOVE / 2);
        let s2 = server_in(&middle, 2).at;
        assert!((angle(s2) - 15.0).abs() < 1e-6, "{}", angle(s2));
        assert!((s2.distance(Point::new(CENTER, CENTER)) - ring_radius(4, SIZE)).abs() < 1e-6);
        assert!(
            near(server_in(&middle, 1).at, rest(&[1, 2, 3, 4], 1)),
            "S1 stays on top"
        );
        let s4 = server_in(&middle, 4);
        assert!((s4.opacity - 0.5).abs() < 1e-9 && (s4.scale - 0.8).abs() < 1e-9);

        // End: the four-server ring at rest.
        let end = at(t + RING_MOVE);
        for id in 1..=4 {
            let shape = server_in(&end, id);
            assert!(near(shape.at, rest(&[1, 2, 3, 4], id)), "S{id}");
            assert_eq!((shape.opacity, shape.scale), (1.0, 1.0));
        }

        // Frame by frame, on the running simulation: the keys stay the same four servers
        // (plus messages, each with one key), S3 moves steadily one way, and the messages
        // leave and reach the servers where they are drawn.
        let mut last_angle = angle(rest(&[1, 2, 3], 3));
        for step in 1..=12 {
            let now = t + RING_MOVE * step / 10;
            s.run_until(now);
            let frame = scene(&s.view(), now, &SceneUi::default());
            let mut keys: Vec<Key> = frame.items.iter().map(|i| i.key).collect();
            let servers: Vec<Key> = keys
                .iter()
                .copied()
                .filter(|k| matches!(k, Key::Server(_)))
                .collect();
            assert_eq!(
                servers,
                (1..=4)
                    .map(|i| Key::Server(ServerId(i)))
                    .collect::<Vec<_>>()
            );
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), frame.items.len(), "keys are unique");
            let a3 = angle(server_in(&frame, 3).at);
            assert!(
                a3 <= last_angle + 1e-9,
                "S3 slides back from 150° to 90°: {a3}"
            );
            last_angle = a3;
            messages_follow_the_servers(&frame);
        }
        assert!((last_angle - 90.0).abs() < 1e-6);
    }

    #[test]
    fn three_servers_become_four_then_five_and_a_change_caught_mid_way_goes_on_from_there() {
        let mut s = led_by_s1(3);
        s.apply(crate::sim::Action::AddServer).unwrap();
        let t4 = s.now();
        // A second server a third of the way through the first one's entrance: the leader
        // takes another non-voting member while S4 catches up (§6).
        s.run_until(t4 + RING_MOVE / 3);
        s.apply(crate::sim::Action::AddServer).unwrap();
        let t5 = s.now();
        let view = s.view();
        assert_eq!(
            view.ring_changes.iter().map(|c| c.at).collect::<Vec<_>>(),
            [t4, t5]
        );
        let ui = SceneUi::default();
        // The moment S5 is added, everything is where the first change had taken it: no jump.
        let mut four = view.clone();
        four.servers.truncate(4);
        four.ring_changes.truncate(1);
        let (caught, alone) = (scene(&view, t5, &ui), scene(&four, t5, &ui));
        for id in 1..=4 {
            let (a, b) = (server_in(&caught, id), server_in(&alone, id));
            assert!(
                near(a.at, b.at) && (a.opacity - b.opacity).abs() < 1e-9,
                "S{id}"
            );
        }
        assert_eq!(server_in(&caught, 5).opacity, 0.0);
        // S4 goes on growing from where it was (a third of the way, eased: 0.26).
        let s4 = server_in(&caught, 4).opacity;
        assert!((s4 - ease(1.0 / 3.0)).abs() < 1e-3, "{s4}");
        // Middle of the second change: S2 between the 4-ring (0°) and the 5-ring (-18°) ...
        let middle = scene(&view, t5 + RING_MOVE / 2, &ui);
        let a2 = angle(server_in(&middle, 2).at);
        assert!(a2 < angle(server_in(&caught, 2).at) && a2 > -18.0, "{a2}");
        assert!(server_in(&middle, 4).opacity > s4 && server_in(&middle, 5).opacity > 0.0);
        // ... and at the end, the five-server ring at rest.
        let end = scene(&view, t5 + RING_MOVE, &ui);
        for id in 1..=5 {
            let shape = server_in(&end, id);
            assert!(near(shape.at, rest(&[1, 2, 3, 4, 5], id)), "S{id}");
            assert_eq!((shape.opacity, shape.scale), (1.0, 1.0));
        }
    }

    /// Three servers led by S1, S2 removed from the configuration (C_new committed) but still
    /// running, 100 ms later.
    fn s2_removed_still_running() -> Sim {
        let mut s = led_by_s1(3);
        s.apply(crate::sim::Action::RemoveServer {
            server: ServerId(2),
        })
        .unwrap();
        assert!(s.run_until_condition(2_000_000, |s| {
            s.view().server(ServerId(2)).unwrap().membership == MembershipRole::Removed
        }));
        s.run_for(100_000);
        s
    }

    /// §6: a candidate's "votes x/n" counts the servers whose votes count in its
    /// configuration, not the servers drawn: here S2 is removed but still running (drawn) and
    /// S1 is crashed, so S3 needs both votes of C_new = {S1, S3}: "votes 1/2", not "1/3".
    #[test]
    fn a_candidates_vote_count_is_out_of_its_configurations_voters() {
        let mut s = s2_removed_still_running();
        s.crash(ServerId(1));
        assert!(s.run_until_condition(s.now() + 2_000_000, |s| {
            s.view().server(ServerId(3)).unwrap().role == Role::Candidate
        }));
        let now = s.now();
        let frame = scene(&s.view(), now, &SceneUi::default());
        let drawn = frame
            .items
            .iter()
            .filter(|i| matches!(i.shape, Shape::Server(_)))
            .count();
        assert_eq!(drawn, 3, "S1 crashed, S2 removed but running, S3");
        assert_eq!(server_in(&frame, 3).below, "votes 1/2");
    }

    /// Five ring changes at one instant (a removed, still running S2 crashed and
    /// restarted while paused: crash, restart, crash, restart, crash). A moment before, S3 sat
    /// at its place on the three-server ring; at the instant nothing has had time to move, so
    /// it must still be drawn there. (Kept as five changes, the oldest would fall out of the
    /// RECENT_RING_CHANGES kept, and the picture would start from the two-server ring.)
    #[test]
    fn many_ring_changes_at_one_instant_do_not_make_the_servers_jump() {
        let mut s = s2_removed_still_running();
        let t = s.now();
        let before = scene(&s.view(), t, &SceneUi::default());
        assert!(near(server_in(&before, 3).at, rest(&[1, 2, 3], 3)));
        for _ in 0..2 {
            s.crash(ServerId(2));
            s.restart(ServerId(2));
        }
        s.crash(ServerId(2));
        assert_eq!(s.now(), t);
        let view = s.view();
        let at_once = scene(&view, t, &SceneUi::default());
        let s3 = server_in(&at_once, 3).at;
        assert!(
            near(s3, rest(&[1, 2, 3], 3)),
            "S3 jumped from {:?} to {:?} ({} changes kept)",
            rest(&[1, 2, 3], 3),
            s3,
            view.ring_changes.len()
        );
    }

    #[test]
    fn a_removed_server_shut_down_fades_out_where_it_was_while_the_others_close_the_ring() {
        let mut s = s2_removed_still_running();
        // Removed, still running: still on the ring, which has not changed.
        assert!(s.view().ring_changes.is_empty());
        s.crash(ServerId(2));
        let t = s.now();
        s.run_until(t + RING_MOVE / 2);
        let view = s.view();
        assert_eq!(view.ring_changes.len(), 1);
        let at = |now| scene(&view, now, &SceneUi::default());

        let start = at(t);
        let s2 = server_in(&start, 2);
        assert!(s2.fading_out && s2.opacity == 1.0 && near(s2.at, rest(&[1, 2, 3], 2)));
        assert!(near(server_in(&start, 3).at, rest(&[1, 2, 3], 3)));
        // Not on the ring any more: not named (the mirror drops it), not hit.
        assert!(start
            .get(Key::Server(ServerId(2)))
            .unwrap()
            .name()
            .is_none());
        assert_ne!(start.hit(s2.at), Some(Key::Server(ServerId(2))));

        let middle = at(t + RING_MOVE / 2);
        let s2 = server_in(&middle, 2);
        assert!(near(s2.at, rest(&[1, 2, 3], 2)), "it fades where it was");
        assert!((s2.opacity - 0.5).abs() < 1e-9);
        let a3 = angle(server_in(&middle, 3).at);
        assert!((a3 - 120.0).abs() < 1e-6, "halfway from 150° to 90°: {a3}");
        messages_follow_the_servers(&middle);

        let end = at(t + RING_MOVE);
        assert!(end.get(Key::Server(ServerId(2))).is_none(), "gone");
        assert!(near(server_in(&end, 1).at, rest(&[1, 3], 1)));
        assert!(near(server_in(&end, 3).at, rest(&[1, 3], 3)));
        assert!(messages_of(&end)
            .iter()
            .all(|m| m.from != ServerId(2) && m.to != ServerId(2)));
    }

    #[test]
    fn time_travel_shows_a_ring_change_again_and_a_paused_picture_holds_it() {
        let mut s = led_by_s1(3);
        s.apply(crate::sim::Action::AddServer).unwrap();
        let t = s.now();
        let halfway = t + RING_MOVE / 2;
        s.run_until(halfway);
        let first = scene(&s.view(), halfway, &SceneUi::default());
        // Paused: the same instant draws the same picture, mid-way, however long one waits.
        assert!(server_in(&first, 4).opacity > 0.0 && server_in(&first, 4).opacity < 1.0);
        s.run_until(2_000_000);
        // The ring's history is part of the world, so a rewind brings it back exactly.
        s.rewind_to(halfway).unwrap();
        assert_eq!(s.view().ring_changes.len(), 1);
        assert_eq!(scene(&s.view(), halfway, &SceneUi::default()), first);
        // Before the change: the three-server ring at rest, nothing to animate.
        s.rewind_to(t - 1).unwrap();
        assert!(s.view().ring_changes.is_empty());
        assert!(scene(&s.view(), t - 1, &SceneUi::default())
            .get(Key::Server(ServerId(4)))
            .is_none());
    }

    #[test]
    fn with_reduced_motion_the_ring_changes_at_once() {
        let still = SceneUi {
            reduced_motion: true,
            ..SceneUi::default()
        };
        let mut s = led_by_s1(3);
        s.apply(crate::sim::Action::AddServer).unwrap();
        let joined = scene(&s.view(), s.now(), &still);
        for id in 1..=4 {
            let shape = server_in(&joined, id);
            assert!(near(shape.at, rest(&[1, 2, 3, 4], id)), "S{id}");
            assert_eq!((shape.opacity, shape.scale), (1.0, 1.0));
        }
        s.run_until(2_000_000);
        s.apply(crate::sim::Action::RemoveServer {
            server: ServerId(4),
        })
        .unwrap();
        s.run_until(4_000_000);
        s.crash(ServerId(4));
        let left = scene(&s.view(), s.now(), &still);
        assert!(left.get(Key::Server(ServerId(4))).is_none());
        for id in 1..=3 {
            assert!(near(server_in(&left, id).at, rest(&[1, 2, 3], id)), "S{id}");
        }
    }

    #[test]
    fn along_the_ring_takes_the_shorter_way_and_a_lone_server_moves_straight_out() {
        let five = Layout::settled(ServerSet(0b111110), SIZE);
        let (last, first) = (five.places[4], five.places[0]);
        // From the top-left (S5 of 5, 198°) to the top (270°): through 234° (-126°), not
        // the long way round by the bottom.
        let mid = last.towards(&first, 0.5).at(SIZE);
        assert!((angle(mid) + 126.0).abs() < 1e-6, "{}", angle(mid));
        assert!(near(
            last.towards(&first, 0.0).at(SIZE),
            server_pos(4, 5, SIZE)
        ));
        assert!(near(
            last.towards(&first, 1.0).at(SIZE),
            server_pos(0, 5, SIZE)
        ));
        // From the centre (a lone server) to the top of a two-server ring: straight up.
        let (one, two) = (
            Layout::settled(ServerSet(0b10), SIZE),
            Layout::settled(ServerSet(0b110), SIZE),
        );
        let out = one.places[0].towards(&two.places[0], 0.5).at(SIZE);
        assert!((out.x - CENTER).abs() < 1e-9 && out.y < CENTER);
        assert_eq!(one.places[0].at(SIZE), Point::new(CENTER, CENTER));
    }

    #[test]
    fn lecture_mode_draws_everything_half_as_big_again_and_still_inside_the_picture() {
        let lecture_ui = SceneUi {
            lecture: true,
            ..SceneUi::default()
        };
        for n in 1..=9u8 {
            let view = sim(n, 1).view();
            let normal = scene(&view, 0, &SceneUi::default());
            let lecture = scene(&view, 0, &lecture_ui);
            assert_eq!(normal.size, SIZE);
            // The renderer fits either square to the same box: a lecture unit is drawn
            // `magnified` times as big, and every length (radius, line, letter) is in units.
            let magnified = normal.size / lecture.size;
            assert!((magnified - LECTURE_SCALE).abs() < 1e-9 && magnified >= 1.5);
            let (a, b) = (servers_of(&normal), servers_of(&lecture));
            assert_eq!(a.len(), b.len());
            for (a, b) in a.iter().zip(&b) {
                assert!(b.radius * magnified >= 1.5 * a.radius - 1e-9, "n {n}");
                // The server, its heartbeat ring and the line under it fit in the square.
                let (r, below) = (b.radius + 13.0, b.radius + 19.0 + 7.0);
                assert!(b.at.x - r >= 0.0 && b.at.x + r <= lecture.size, "n {n}");
                assert!(b.at.y - r >= 0.0 && b.at.y + below <= lecture.size, "n {n}");
            }
            // Neighbours never overlap; up to six, not even their timer rings.
            if n >= 2 {
                let gap = b[0].at.distance(b[1].at);
                assert!(gap >= 2.0 * b[0].radius, "n {n}: {gap}");
                if n <= 6 {
                    assert!(gap >= 2.0 * (b[0].radius + 7.0), "n {n}: {gap}");
                }
            }
        }
    }

    #[test]
    fn a_lecture_scene_is_centred_in_its_smaller_square_and_hits_there() {
        let mut s = sim(5, 1);
        s.run_until(2_000_000);
        let view = s.view();
        let ui = SceneUi {
            lecture: true,
            ..SceneUi::default()
        };
        let scene = scene(&view, s.now(), &ui);
        let c = scene.size / 2.0;
        let servers = servers_of(&scene);
        assert!((servers[0].at.x - c).abs() < 1e-9 && servers[0].at.y < c);
        assert_eq!(
            scene.hit(servers[2].at),
            Some(Key::Server(servers[2].id)),
            "a click on a server finds it"
        );
        for m in messages_of(&scene) {
            assert!(m.at.x >= 0.0 && m.at.x <= scene.size && m.at.y <= scene.size);
        }
    }

    #[test]
    fn ring_layout_for_one_to_nine_servers_is_evenly_spaced_and_inside_the_picture() {
        for n in 1..=9u8 {
            let s = sim(n, 1);
            let scene = scene(&s.view(), 0, &SceneUi::default());
            let servers = servers_of(&scene);
            assert_eq!(servers.len(), n as usize);
            if n == 1 {
                assert_eq!(servers[0].at, Point::new(CENTER, CENTER));
                continue;
            }
            // The first at the top, the rest clockwise, all on the ring, equally apart.
            assert!((servers[0].at.x - CENTER).abs() < 1e-9);
            assert!(servers[0].at.y < CENTER);
            let side = servers[0].at.distance(servers[1].at);
            for (i, s) in servers.iter().enumerate() {
                let centre = Point::new(CENTER, CENTER);
                assert!((s.at.distance(centre) - ring_radius(n as usize, SIZE)).abs() < 1e-9);
                let next = servers[(i + 1) % servers.len()];
                assert!((s.at.distance(next.at) - side).abs() < 1e-9, "n={n}");
                // Neighbours never overlap, and every circle (with its timer) fits.
                assert!(side > 2.0 * s.radius, "n={n}");
                assert!(s.at.x - s.radius - 8.0 > 0.0 && s.at.x + s.radius + 8.0 < SIZE);
                assert!(s.at.y - s.radius - 8.0 > 0.0 && s.at.y + s.radius + 8.0 < SIZE);
            }
            // Clockwise from the top: the second server is to the right (or, of two, below).
            assert!(servers[1].at.x > CENTER || (n == 2 && servers[1].at.y > CENTER));
        }
    }

    /// A view with one message in flight from S1 to S2, sent at 1000 µs, delivered at 3000 µs.
    fn one_message() -> (ClusterView, MessageView) {
        let mut s = sim(3, 1);
        while s.view().messages.is_empty() {
            s.step();
        }
        let mut view = s.view();
        view.messages.truncate(1);
        let m = &mut view.messages[0];
        m.sent_at = 1000;
        m.deliver_at = 3000;
        let m = m.clone();
        (view, m)
    }

    #[test]
    fn a_message_leaves_the_senders_rim_and_arrives_at_the_receivers() {
        let (view, m) = one_message();
        let at = |now| {
            let scene = scene(&view, now, &SceneUi::default());
            let shape = messages_of(&scene)[0].clone();
            shape
        };
        let n = view.servers.len();
        let rim = server_radius(n);
        let from = server_pos(
            view.servers.iter().position(|s| s.id == m.from).unwrap(),
            n,
            SIZE,
        );
        let to = server_pos(
            view.servers.iter().position(|s| s.id == m.to).unwrap(),
            n,
            SIZE,
        );
        let (sent, middle, arrived) = (at(1000), at(2000), at(3000));
        assert_eq!(sent.progress, 0.0);
        assert_eq!(middle.progress, 0.5);
        assert_eq!(arrived.progress, 1.0);
        // At the rims (shifted 6 units to the right of the line), and halfway between them.
        assert!((sent.at.distance(from) - (rim * rim + 36.0).sqrt()).abs() < 1e-9);
        assert!((arrived.at.distance(to) - (rim * rim + 36.0).sqrt()).abs() < 1e-9);
        let mid = from.towards(to, 0.5);
        assert!((middle.at.distance(mid) - 6.0).abs() < 1e-9);
        // Before it is sent it waits at the sender; after delivery it stays at the receiver.
        assert_eq!(at(0).at, sent.at);
        assert_eq!(at(10_000).at, arrived.at);
    }

    #[test]
    fn a_lost_message_fades_unless_motion_is_reduced() {
        let (mut view, _) = one_message();
        view.messages[0].doomed = true;
        let shape = |ui: &SceneUi, now| messages_of(&scene(&view, now, ui))[0].clone();
        let plain = SceneUi::default();
        assert_eq!(shape(&plain, 1000).fate, Fate::Lost);
        assert_eq!(shape(&plain, 1000).opacity, 1.0);
        assert_eq!(shape(&plain, 3000).opacity, 0.25);
        let still = SceneUi {
            reduced_motion: true,
            ..SceneUi::default()
        };
        assert_eq!(shape(&still, 1000).opacity, shape(&still, 3000).opacity);
        let name = scene(&view, 0, &plain)
            .get(Key::Message(view.messages[0].id))
            .unwrap()
            .name();
        assert!(name.unwrap().ends_with(", will be lost"));
    }

    #[test]
    fn a_duplicated_message_is_marked_on_both_copies() {
        let (mut view, _) = one_message();
        let mut copy = view.messages[0].clone();
        copy.id = MessageId(copy.id.0 + 1000);
        view.messages.push(copy);
        let scene = scene(&view, 2000, &SceneUi::default());
        assert!(messages_of(&scene)
            .iter()
            .all(|m| m.fate == Fate::Duplicated));
    }

    #[test]
    fn election_timer_fraction_runs_from_one_to_zero() {
        assert_eq!(timer_left(1000, 3000, 1000), 1.0);
        assert_eq!(timer_left(1000, 3000, 2500), 0.25);
        assert_eq!(timer_left(1000, 3000, 9000), 0.0);
        let s = sim(3, 1);
        let view = s.view();
        let first = &view.servers[0];
        let (started, deadline) = (
            first.election_timer_started.unwrap(),
            first.election_deadline.unwrap(),
        );
        let half = started + (deadline - started) / 2;
        let scene = scene(&view, half, &SceneUi::default());
        let timer = servers_of(&scene)[0].timer.unwrap();
        assert!((timer - 0.5).abs() < 1e-5, "{timer}");
    }

    #[test]
    fn a_crashed_server_has_no_timer_and_says_so() {
        let mut s = sim(3, 1);
        s.crash(ServerId(2));
        let scene = scene(&s.view(), s.now(), &SceneUi::default());
        let crashed = scene.get(Key::Server(ServerId(2))).unwrap();
        assert_eq!(crashed.name().unwrap(), "Server 2, crashed, term 0");
        match &crashed.shape {
            Shape::Server(s) => assert!(s.timer.is_none() && s.below.is_empty()),
            _ => unreachable!(),
        }
    }

    #[test]
    fn a_partition_draws_one_region_per_group_and_walls_between_groups() {
        let mut s = sim(5, 1);
        s.partition(&[&[ServerId(1), ServerId(2)], &[ServerId(3), ServerId(4)]]);
        s.cut(ServerId(1), ServerId(2));
        let scene = scene(&s.view(), s.now(), &SceneUi::default());
        let regions: Vec<&Item> = scene
            .items
            .iter()
            .filter(|i| matches!(i.key, Key::Region(_)))
            .collect();
        // {1,2}, {3,4} and S5 alone (in no group).
        assert_eq!(regions.len(), 3);
        let Shape::Region { outline, .. } = &regions[2].shape else {
            unreachable!()
        };
        assert_eq!(outline, &vec![server_pos(4, 5, SIZE)]);
        // Walls between every two servers of different groups: 10 pairs - 2 inside groups.
        let walls = scene
            .items
            .iter()
            .filter(|i| matches!(i.key, Key::Wall(..)))
            .count();
        assert_eq!(walls, 8);
        assert!(scene.get(Key::Cut(ServerId(1), ServerId(2))).is_some());
        let banner = scene.get(Key::Banner).unwrap();
        assert_eq!(
            banner.shape,
            Shape::Banner {
                at: Point::new(CENTER, 16.0),
                text: "PARTITIONED {S1,S2} | {S3,S4}".into()
            }
        );
        s.heal();
        let healed = super::scene(&s.view(), s.now(), &SceneUi::default());
        assert!(healed
            .items
            .iter()
            .all(|i| matches!(i.key, Key::Server(_) | Key::Message(_))));
    }

    #[test]
    fn keys_are_stable_from_frame_to_frame_and_unique() {
        let mut s = sim(5, 3);
        s.run_until(400_000);
        s.client_request("SET x 1".parse().unwrap(), None);
        let mut before = scene(&s.view(), s.now(), &SceneUi::default());
        for _ in 0..200 {
            let now = s.now() + 2_000;
            s.run_until(now);
            let after = scene(&s.view(), now, &SceneUi::default());
            let mut keys: Vec<Key> = after.items.iter().map(|i| i.key).collect();
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), after.items.len(), "keys are unique");
            // A message in both frames has the same key and has moved on (or stayed).
            for m in messages_of(&before) {
                if let Some(Item {
                    shape: Shape::Message(later),
                    ..
                }) = after.get(Key::Message(m.id))
                {
                    assert_eq!((later.from, later.to, later.look), (m.from, m.to, m.look));
                    assert!(later.progress >= m.progress);
                }
            }
            before = after;
        }
    }

    #[test]
    fn a_spotlight_dims_everything_but_what_it_lights() {
        let mut s = sim(5, 3);
        s.run_until(400_000);
        let view = s.view();
        let lit = |spotlight: Spotlight| {
            let ui = SceneUi {
                spotlight: Some(spotlight),
                ..SceneUi::default()
            };
            let scene = scene(&view, s.now(), &ui);
            assert!(scene.items.len() > 5);
            scene
                .items
                .iter()
                .filter(|i| !i.dimmed)
                .map(|i| i.key)
                .collect::<Vec<Key>>()
        };
        let servers = Spotlight {
            servers: vec![ServerId(3), ServerId(5)],
            ..Spotlight::default()
        };
        assert_eq!(
            lit(servers),
            [Key::Server(ServerId(3)), Key::Server(ServerId(5))]
        );
        let messages = lit(Spotlight {
            messages: true,
            ..Spotlight::default()
        });
        assert!(!messages.is_empty(), "messages are in flight at 400 ms");
        assert!(messages.iter().all(|k| matches!(k, Key::Message(_))));
        let plain = super::scene(&view, s.now(), &SceneUi::default());
        assert!(plain.items.iter().all(|i| !i.dimmed));
    }

    #[test]
    fn hits_prefer_a_message_near_the_pointer_then_a_server() {
        let (view, m) = one_message();
        let scene = scene(&view, 2000, &SceneUi::default());
        let shape = messages_of(&scene)[0].clone();
        // Generous: a click 15 units off still catches it.
        let near = Point::new(shape.at.x + 15.0, shape.at.y);
        assert_eq!(scene.hit(near), Some(Key::Message(m.id)));
        let far = Point::new(shape.at.x + 40.0, shape.at.y + 40.0);
        assert_ne!(scene.hit(far), Some(Key::Message(m.id)));
        let s1 = server_pos(0, view.servers.len(), SIZE);
        assert_eq!(scene.hit(s1), Some(Key::Server(view.servers[0].id)));
        // Where it was half its trip ago is caught only with a trail that long.
        let earlier = messages_of(&super::scene(&view, 1100, &SceneUi::default()))[0].at;
        assert_ne!(scene.hit(earlier), Some(Key::Message(m.id)));
        let trailing = SceneUi {
            catch_trail: 1000,
            ..SceneUi::default()
        };
        let with_trail = super::scene(&view, 2000, &trailing);
        assert_eq!(with_trail.hit(earlier), Some(Key::Message(m.id)));
        assert_eq!(scene.hit(Point::new(2.0, 2.0)), None);
    }

    #[test]
    fn hover_and_selection_are_drawn() {
        let (view, m) = one_message();
        let ui = SceneUi {
            hover: Some(Key::Message(m.id)),
            selected_server: Some(ServerId(2)),
            ..SceneUi::default()
        };
        let scene = scene(&view, 2000, &ui);
        assert!(messages_of(&scene)[0].hovered);
        assert!(servers_of(&scene)[1].selected && !servers_of(&scene)[0].selected);
    }

    /// Golden scenes: the preset at a fixed time, described item by item, in
    /// tests/golden_scenes (tests/golden holds the presets' traces, one per preset). Rewrite
    /// them with `UPDATE_GOLDEN=1 cargo test --lib ui::scene`.
    fn golden(preset: &str, at_ms: u64) {
        let scenario = crate::scenario::presets::get(preset)
            .expect("preset exists")
            .expect("preset parses");
        let options = crate::scenario::RunOptions::default();
        let mut run = crate::scenario::Player::new(&scenario, &options).expect("preset loads");
        run.run_until(at_ms * 1000);
        let view = run.sim().view();
        let text = scene(&view, at_ms * 1000, &SceneUi::default()).describe();
        let path = format!(
            "{}/tests/golden_scenes/{preset}_{at_ms}ms.txt",
            env!("CARGO_MANIFEST_DIR")
        );
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(std::path::Path::new(&path).parent().unwrap()).unwrap();
            std::fs::write(&path, &text).unwrap();
        }
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{path} missing: run with UPDATE_GOLDEN=1"));
        assert_eq!(
            text, expected,
            "scene differs from {path} (UPDATE_GOLDEN=1 rewrites)"
        );
    }

    #[test]
    fn golden_scene_leader_crash() {
        golden("leader_crash", 1200);
    }

    #[test]
    fn golden_scene_partition_two_leaders() {
        golden("partition_two_leaders", 2100);
    }

    #[test]
    fn install_snapshot_is_its_own_look_named_and_labelled_with_its_chunk_offset() {
        use crate::raft::types::{InstallSnapshot, LogIndex, Term};
        let (mut view, _) = one_message();
        let chunk = |offset, done| {
            std::sync::Arc::new(Message::InstallSnapshot(InstallSnapshot {
                term: Term(2),
                leader_id: ServerId(1),
                last_included_index: LogIndex(7),
                last_included_term: Term(2),
                offset,
                data: vec![0; 64],
                done,
                config: Default::default(),
                config_index: LogIndex(0),
            }))
        };
        view.messages[0].message = chunk(128, false);
        let scene = scene(&view, 2000, &SceneUi::default());
        let item = scene.get(Key::Message(view.messages[0].id)).unwrap();
        let Shape::Message(m) = &item.shape else {
            panic!("a message")
        };
        assert_eq!(
            m.look,
            MessageLook::Snapshot {
                last: false,
                offset: 128
            }
        );
        assert_eq!(m.look.label().to_string(), "S@128");
        let name = item.name().unwrap();
        assert!(
            name.starts_with("InstallSnapshot chunk at offset 128 ") && name.contains(", term 2 "),
            "{name}"
        );
        view.messages[0].message = chunk(192, true);
        let last = scene_of(&view, 2000, &SceneUi::default());
        let names: Vec<String> = last.items.iter().filter_map(Item::name).collect();
        assert!(
            names
                .iter()
                .any(|n| n.starts_with("InstallSnapshot last chunk at offset 192 ")),
            "{names:?}"
        );
    }

    #[test]
    fn prevote_and_timeout_now_are_named_apart_from_request_vote() {
        use crate::raft::types::{LogIndex, RequestVote, Term, TimeoutNow};
        let ask = RequestVote {
            term: Term(3),
            candidate_id: ServerId(2),
            last_log_index: LogIndex(0),
            last_log_term: Term(0),
            leadership_transfer: false,
        };
        let pre = MessageLook::of(&Message::PreVote(ask.clone()));
        assert_eq!(
            (pre.words(), pre.label().to_string()),
            ("PreVote".to_string(), "PV".to_string())
        );
        let real = MessageLook::of(&Message::RequestVote(ask));
        assert_eq!(real.label().to_string(), "RV");
        let now = MessageLook::of(&Message::TimeoutNow(TimeoutNow {
            term: Term(3),
            leader_id: ServerId(1),
        }));
        assert_eq!(
            (now.words(), now.label().to_string()),
            ("TimeoutNow".to_string(), "TN".to_string())
        );
    }

    /// A ReadIndex GET at the leader: until a majority acknowledges its heartbeat round, the
    /// leader shows the waiting read and the round's heartbeats and acknowledgements are
    /// marked; once answered, both are gone.
    #[test]
    fn a_read_waiting_for_its_round_is_shown_at_the_leader_with_its_heartbeats_marked() {
        use crate::raft::{Command, ReadMode};
        let mut s = Sim::new(SimConfig {
            seed: 7,
            servers: 5,
            raft: crate::raft::RaftOptions {
                read_mode: ReadMode::ReadIndex,
                ..SimConfig::default().raft
            },
            ..SimConfig::default()
        });
        s.timeout(ServerId(1));
        s.run_until(400_000);
        assert_eq!(s.leader(), Some(ServerId(1)));
        s.client_request(Command::Get { key: "x".into() }, Some(ServerId(1)));
        let waiting = |s: &Sim| {
            s.view()
                .server(ServerId(1))
                .is_some_and(|l| l.beyond_figure2.reads_waiting > 0)
        };
        // Run until the read waits and its round is on the wire.
        let marked = |s: &Sim| {
            let view = s.view();
            view.messages
                .iter()
                .any(|m| MessageLook::in_view(&view, m) == MessageLook::ReadCheck)
        };
        assert!(s.run_until_condition(1_000_000, |s| waiting(s) && marked(s)));
        let view = s.view();
        let scene = scene(&view, s.now(), &SceneUi::default());
        let badge = scene
            .get(Key::Reads(ServerId(1)))
            .expect("the leader shows its waiting read");
        let name = badge.name().unwrap();
        assert!(
            name.starts_with("S1 holds 1 read until a majority acknowledges heartbeat round "),
            "{name}"
        );
        let names: Vec<String> = scene.items.iter().filter_map(Item::name).collect();
        assert!(
            names
                .iter()
                .any(|n| n.starts_with("heartbeat confirming leadership for a read S1 to ")),
            "{names:?}"
        );
        // A spotlight on S1 lights its reads too.
        let lit = SceneUi {
            spotlight: Some(Spotlight {
                servers: vec![ServerId(1)],
                ..Spotlight::default()
            }),
            ..SceneUi::default()
        };
        assert!(
            !scene_of(&view, s.now(), &lit)
                .get(Key::Reads(ServerId(1)))
                .unwrap()
                .dimmed
        );
        // Answered: nothing waits, nothing is marked.
        assert!(s.run_until_condition(2_000_000, |s| !waiting(s)));
        s.run_for(100_000);
        let view = s.view();
        let after = scene_of(&view, s.now(), &SceneUi::default());
        assert!(after.get(Key::Reads(ServerId(1))).is_none());
        assert!(view.messages.iter().all(|m| !matches!(
            MessageLook::in_view(&view, m),
            MessageLook::ReadCheck | MessageLook::ReadAck
        )));
    }

    fn scene_of(view: &ClusterView, now: Micros, ui: &SceneUi) -> Scene {
        scene(view, now, ui)
    }
}

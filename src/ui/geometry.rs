//! Pure layout arithmetic for the cluster picture: where servers sit on the ring, where a
//! message is at a given instant, how much of an election timer is left. No DOM here, so the
//! browser tests can check it directly.

use crate::sim::{Decimal, Micros};

// Trigonometry through the browser's `Math` rather than Rust's bundled libm: the same
// fdlibm algorithms, without ~8 KB of wasm.
use js_sys::Math::{cos, sin};

/// The SVG coordinate system of the cluster picture.
pub const VIEW_SIZE: f64 = 440.0;
pub const CENTER: f64 = VIEW_SIZE / 2.0;

/// An SVG coordinate or length as text, to a tenth of a unit (finer is invisible).
pub fn tenths(x: f64) -> Decimal {
    Decimal::round(x, 1)
}

/// An SVG coordinate or length as text, to a whole unit.
pub fn whole(x: f64) -> Decimal {
    Decimal::round(x, 0)
}

/// Ring radius and server radius for `n` servers (smaller circles for big clusters).
pub fn ring_radius(n: usize) -> f64 {
    if n <= 1 {
        0.0
    } else {
        150.0
    }
}

pub fn server_radius(n: usize) -> f64 {
    match n {
        0..=5 => 36.0,
        6..=7 => 31.0,
        _ => 27.0,
    }
}

/// Centre of server `i` (0-based) of `n`, clockwise from the top.
pub fn server_pos(i: usize, n: usize) -> (f64, f64) {
    let r = ring_radius(n);
    let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n.max(1) as f64;
    (CENTER + r * cos(angle), CENTER + r * sin(angle))
}

/// How far along its trip a message is at `now`: 0 at send, 1 at delivery.
pub fn progress(sent_at: Micros, deliver_at: Micros, now: Micros) -> f64 {
    if deliver_at <= sent_at {
        return 1.0;
    }
    let f = (now.saturating_sub(sent_at)) as f64 / (deliver_at - sent_at) as f64;
    f.clamp(0.0, 1.0)
}

/// Where a message is: on the straight line between the two servers' rims.
pub fn message_pos(from: (f64, f64), to: (f64, f64), rim: f64, f: f64) -> (f64, f64) {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let len = (dx * dx + dy * dy).sqrt();
    if len < 1e-6 {
        return from;
    }
    let (ux, uy) = (dx / len, dy / len);
    let start = (from.0 + ux * rim, from.1 + uy * rim);
    let travel = (len - 2.0 * rim).max(0.0);
    // Messages between the same two servers in opposite directions would overlap: shift each
    // a little to its right.
    let (nx, ny) = (-uy * 6.0, ux * 6.0);
    (
        start.0 + ux * travel * f + nx,
        start.1 + uy * travel * f + ny,
    )
}

/// Fraction of the election timer still to run at `now` (1 = just reset, 0 = firing).
pub fn timer_left(started: Micros, deadline: Micros, now: Micros) -> f64 {
    1.0 - progress(started, deadline, now)
}

/// Convex hull (monotone chain) of a few points, counter-clockwise; 1 or 2 points are
/// returned as they are.
pub fn convex_hull(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = points.to_vec();
    // At most nine points: an insertion sort, rather than the standard sort's ~4 KB of wasm.
    for i in 1..pts.len() {
        let mut j = i;
        while j > 0 && pts[j - 1] > pts[j] {
            pts.swap(j - 1, j);
            j -= 1;
        }
    }
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let cross = |o: (f64, f64), a: (f64, f64), b: (f64, f64)| {
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    };
    let mut hull: Vec<(f64, f64)> = Vec::with_capacity(pts.len() * 2);
    for &p in pts.iter().chain(pts.iter().rev().skip(1)) {
        while hull.len() >= 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0 {
            hull.pop();
        }
        hull.push(p);
    }
    hull.pop();
    hull
}

/// A closed path through `points` (drawn with a fat round stroke it becomes a blob around them).
pub fn polygon_path(points: &[(f64, f64)]) -> String {
    let mut out = String::new();
    for (i, (x, y)) in points.iter().enumerate() {
        out.push_str(if i == 0 { "M" } else { "L" });
        out.push_str(&format!("{} {}", tenths(*x), tenths(*y)));
    }
    if points.len() == 1 {
        // A zero-length segment: round caps draw a dot.
        let (x, y) = points[0];
        out.push_str(&format!("L{} {}", tenths(x), tenths(y)));
    }
    if points.len() > 2 {
        out.push('Z');
    }
    out
}

/// "1.234 s" for simulated time.
pub fn time_label(t: Micros) -> String {
    format!("{} s", Decimal::seconds(t, 3))
}

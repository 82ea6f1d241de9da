//! The speeds the page offers: a 1-2-5 ladder from 1/1000× (RaftScope's slowest: one
//! message crossing takes minutes, to read every step) to 10×. The slider moves along it one
//! step per arrow key, and + / − do the same.

use super::geometry::whole;
use crate::sim::Decimal;

/// Every speed on the slider, slowest first (simulated seconds per wall-clock second).
pub const SPEEDS: [f64; 13] = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0,
];

/// `speed` within what the page offers (a link may ask for any positive speed).
pub fn clamp(speed: f64) -> f64 {
    speed.clamp(SPEEDS[0], SPEEDS[SPEEDS.len() - 1])
}

/// The slider position nearest to `speed` (nearest by ratio, as the ladder is logarithmic).
pub fn nearest_step(speed: f64) -> usize {
    let speed = clamp(speed);
    let ratio = |s: f64| if s > speed { s / speed } else { speed / s };
    (0..SPEEDS.len())
        .min_by(|&a, &b| ratio(SPEEDS[a]).total_cmp(&ratio(SPEEDS[b])))
        .unwrap_or(0)
}

/// The speed at slider position `step` (past either end: that end).
pub fn at_step(step: usize) -> f64 {
    SPEEDS[step.min(SPEEDS.len() - 1)]
}

/// The next speed of the ladder up (`faster`) or down from `speed`; from a speed between
/// two steps, the step on that side of it.
pub fn step_from(speed: f64, faster: bool) -> f64 {
    let next = if faster {
        SPEEDS.iter().find(|&&s| s > speed * 1.0001)
    } else {
        SPEEDS.iter().rev().find(|&&s| s < speed / 1.0001)
    };
    next.copied().unwrap_or(clamp(speed))
}

/// "1/20×", "1×", "2.5×".
pub fn label(speed: f64) -> String {
    if speed < 0.95 {
        format!("1/{}×", whole(1.0 / speed))
    } else if (speed - speed.round()).abs() < 0.05 {
        format!("{}×", whole(speed))
    } else {
        format!("{}×", Decimal::round(speed, 1))
    }
}

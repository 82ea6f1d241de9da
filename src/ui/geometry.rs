//! Numbers as the time bar shows them: the speed slider's scale, speeds and times as text.
//! (Where things sit in the cluster picture is `scene`'s.)

use crate::sim::{Decimal, Micros};

// `exp` and `log` through the browser's `Math` rather than Rust's bundled libm.
use js_sys::Math::{exp, log};

/// A number as text, to a whole unit.
pub fn whole(x: f64) -> Decimal {
    Decimal::round(x, 0)
}

/// Logarithmic speed slider: position 0..=1000 maps to 1/100× .. 10×.
pub fn speed_from_slider(pos: f64) -> f64 {
    let lo = (0.01f64).ln();
    let hi = (10.0f64).ln();
    exp(lo + (hi - lo) * (pos / 1000.0).clamp(0.0, 1.0))
}

pub fn slider_from_speed(speed: f64) -> f64 {
    let lo = (0.01f64).ln();
    let hi = (10.0f64).ln();
    ((log(speed.clamp(0.01, 10.0)) - lo) / (hi - lo) * 1000.0).round()
}

/// "1/20×", "1×", "2.5×".
pub fn speed_label(speed: f64) -> String {
    if speed < 0.95 {
        format!("1/{}×", whole(1.0 / speed))
    } else if (speed - speed.round()).abs() < 0.05 {
        format!("{}×", whole(speed))
    } else {
        format!("{}×", Decimal::round(speed, 1))
    }
}

/// "1.234 s" for simulated time.
pub fn time_label(t: Micros) -> String {
    format!("{} s", Decimal::seconds(t, 3))
}

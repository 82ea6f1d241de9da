//! Numbers as the page shows them: simulated times as text. (Where things sit in the cluster
//! picture is `scene`'s; the speed ladder and its labels are `speed`'s.)

use crate::sim::{Decimal, Micros};

/// A number as text, to a whole unit.
pub fn whole(x: f64) -> Decimal {
    Decimal::round(x, 0)
}

/// "1.234 s" for simulated time.
pub fn time_label(t: Micros) -> String {
    format!("{} s", Decimal::seconds(t, 3))
}

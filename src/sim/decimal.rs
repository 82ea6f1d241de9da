//! Decimal text with one stated rounding rule, for text that is pinned byte for byte.
//!
//! Where it is used, and why there: the narration of actions ("message loss set to 5%",
//! "latency set to 12.5–20 ms", in `Action`'s `Display`), which every `TraceEvent`, the
//! golden traces in `tests/golden/` and the page's event log show. Times there are integer
//! microseconds, written with integer arithmetic (halves up); percentages round halves away
//! from zero. Ordinary float formatting would round the binary approximation of `t / 1000`
//! to even instead (1.25 ms prints as "1.2" but 1.35 ms as "1.4"), so the checked-in text
//! would hang on how a number happens to be stored rather than on the number. Everywhere
//! exact text is not the point (error messages, the checker's explanations), the crate uses
//! ordinary formatting (`{:.1}`, `{}`). The UI also uses `Decimal` for labels and drawing
//! coordinates.

use super::Micros;
use std::fmt;

/// Most decimal places a [`Decimal`] has.
const MAX_DECIMALS: u32 = 6;

/// A number shown with a fixed count of decimals: `scaled / 10^decimals`, so
/// `Decimal { scaled: -1234, decimals: 2 }` shows as "-12.34".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decimal {
    scaled: i64,
    decimals: u32,
}

impl Decimal {
    /// `x` rounded to `decimals` places (at most 6), halves away from zero: what `{:.N}`
    /// prints, except that an exact tie may round the other way and a negative number that
    /// rounds to zero shows as "0.0", not "-0.0".
    pub fn round(x: f64, decimals: u32) -> Self {
        let decimals = decimals.min(MAX_DECIMALS);
        // `as` saturates (and maps NaN to 0): a drawing never shows garbage digits.
        let scaled = (x * 10u64.pow(decimals) as f64).round() as i64;
        Decimal { scaled, decimals }
    }

    /// A probability (0..=1) as a whole percentage: 0.05 shows as "5".
    pub fn percent(probability: f64) -> Self {
        Decimal::round(probability * 100.0, 0)
    }

    /// Simulated time in milliseconds with `decimals` places (at most 3), halves rounded up.
    pub fn millis(t: Micros, decimals: u32) -> Self {
        Decimal::of_micros(t, 3, decimals)
    }

    /// Simulated time in seconds with `decimals` places (at most 3), halves rounded up.
    pub fn seconds(t: Micros, decimals: u32) -> Self {
        Decimal::of_micros(t, 6, decimals)
    }

    /// Simulated time in milliseconds with only the decimals it needs ("15", "12.5",
    /// "0.001"): what `{}` prints for `t as f64 / 1000.0`.
    pub fn millis_shortest(t: Micros) -> Self {
        Decimal::millis(t, 3).trimmed()
    }

    /// Without trailing zero decimals: "2.50" becomes "2.5", "3.0" becomes "3".
    pub fn trimmed(mut self) -> Self {
        while self.decimals > 0 && self.scaled % 10 == 0 {
            self.scaled /= 10;
            self.decimals -= 1;
        }
        self
    }

    /// `t` microseconds in a unit of 10^`unit_digits` microseconds.
    fn of_micros(t: Micros, unit_digits: u32, decimals: u32) -> Self {
        let decimals = decimals.min(MAX_DECIMALS);
        let divisor = 10u64.pow(unit_digits - decimals);
        let scaled = (t / divisor + u64::from(t % divisor >= divisor.div_ceil(2))) as i64;
        Decimal { scaled, decimals }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = 10u64.pow(self.decimals);
        let magnitude = self.scaled.unsigned_abs();
        if self.scaled < 0 {
            f.write_str("-")?;
        }
        write!(f, "{}", magnitude / scale)?;
        if self.decimals > 0 {
            let width = self.decimals as usize;
            write!(f, ".{:0width$}", magnitude % scale)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Decimal;

    #[test]
    fn rounds_like_fixed_precision_formatting() {
        for (x, decimals) in [
            (0.0, 1),
            (12.34, 1),
            (12.36, 1),
            (-7.3, 0),
            (219.99, 1),
            (0.333, 2),
            (1.0 / 3.0, 3),
            (150.0, 0),
            (-36.7, 0),
            (-185.06, 1),
            (0.999, 2),
        ] {
            let float = format!("{x:.*}", decimals as usize);
            assert_eq!(Decimal::round(x, decimals).to_string(), float, "{x}");
        }
        assert_eq!(Decimal::round(-0.04, 1).to_string(), "0.0");
        assert_eq!(Decimal::round(f64::NAN, 1).to_string(), "0.0");
        assert_eq!(Decimal::percent(0.05).to_string(), "5");
        assert_eq!(Decimal::percent(0.5).to_string(), "50");
    }

    #[test]
    fn times_in_milliseconds_and_seconds() {
        assert_eq!(Decimal::millis(123_456, 1).to_string(), "123.5");
        assert_eq!(Decimal::millis(120_000, 1).to_string(), "120.0");
        assert_eq!(Decimal::millis(49, 1).to_string(), "0.0");
        assert_eq!(Decimal::millis(50, 1).to_string(), "0.1");
        assert_eq!(Decimal::seconds(0, 3).to_string(), "0.000");
        assert_eq!(Decimal::seconds(1_234_567, 3).to_string(), "1.235");
        assert_eq!(Decimal::seconds(999_999_999, 3).to_string(), "1000.000");
        for t in [0, 1, 15_000, 12_500, 10_001, 123_456_789] {
            let float = format!("{}", t as f64 / 1000.0);
            assert_eq!(Decimal::millis_shortest(t).to_string(), float, "{t}");
        }
    }
}

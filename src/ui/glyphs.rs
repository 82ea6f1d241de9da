//! The short labels on messages in flight ("+3", "RV", ✓, ✗) drawn as stroked paths rather
//! than SVG `<text>`.
//!
//! Why: a busy cluster sends several messages every animation frame, and each new `<text>`
//! costs the browser a text layout (shaping, SVG glyph positioning): measured in Chromium,
//! a message with a `<text>` label costs about twice as much to insert as one with a path.
//! These glyphs are a tiny stroke font in a 4 × 7 box (baseline at y = 3.5), centred on 0.

/// Width of one glyph box and the gap after it.
const GLYPH_W: f64 = 4.0;
const GLYPH_GAP: f64 = 1.6;
const TOP: f64 = -3.5;
const MID: f64 = 0.0;
const BOTTOM: f64 = 3.5;

/// The strokes of one character in its box, as (x, y) fractions of the box corners: each inner
/// slice is one polyline. x: 0 = left, 1 = right; y: TOP, MID or BOTTOM.
fn strokes(c: char) -> &'static [&'static [(f64, f64)]] {
    const T: f64 = TOP;
    const M: f64 = MID;
    const B: f64 = BOTTOM;
    match c {
        '0' => &[&[(0.0, T), (1.0, T), (1.0, B), (0.0, B), (0.0, T)]],
        '1' => &[&[(0.2, -1.8), (0.6, T), (0.6, B)]],
        '2' => &[&[(0.0, T), (1.0, T), (1.0, M), (0.0, M), (0.0, B), (1.0, B)]],
        '3' => &[
            &[(0.0, T), (1.0, T), (1.0, B), (0.0, B)],
            &[(0.15, M), (1.0, M)],
        ],
        '4' => &[&[(0.0, T), (0.0, M), (1.0, M)], &[(1.0, T), (1.0, B)]],
        '5' => &[&[(1.0, T), (0.0, T), (0.0, M), (1.0, M), (1.0, B), (0.0, B)]],
        '6' => &[&[(1.0, T), (0.0, T), (0.0, B), (1.0, B), (1.0, M), (0.0, M)]],
        '7' => &[&[(0.0, T), (1.0, T), (0.35, B)]],
        '8' => &[
            &[(0.0, T), (1.0, T), (1.0, B), (0.0, B), (0.0, T)],
            &[(0.0, M), (1.0, M)],
        ],
        '9' => &[&[(1.0, M), (0.0, M), (0.0, T), (1.0, T), (1.0, B), (0.0, B)]],
        '+' => &[&[(0.0, M), (1.0, M)], &[(0.5, -2.0), (0.5, 2.0)]],
        'R' => &[
            &[
                (0.0, B),
                (0.0, T),
                (0.8, T),
                (1.0, -2.6),
                (1.0, -0.9),
                (0.8, M),
                (0.0, M),
            ],
            &[(0.5, M), (1.0, B)],
        ],
        'V' => &[&[(0.0, T), (0.5, B), (1.0, T)]],
        _ => &[],
    }
}

/// A path drawing `text` (digits, '+', 'R', 'V'; anything else is left blank), centred on the
/// origin. "+12" → three glyphs side by side.
pub fn label_path(text: &str) -> String {
    let n = text.chars().count() as f64;
    let width = n * GLYPH_W + (n - 1.0).max(0.0) * GLYPH_GAP;
    let mut x0 = -width / 2.0;
    let mut d = String::new();
    for c in text.chars() {
        for line in strokes(c) {
            for (i, (fx, y)) in line.iter().enumerate() {
                d.push(if i == 0 { 'M' } else { 'L' });
                push_num(&mut d, x0 + fx * GLYPH_W);
                d.push(' ');
                push_num(&mut d, *y);
            }
        }
        x0 += GLYPH_W + GLYPH_GAP;
    }
    d
}

/// A tick (vote granted, append accepted).
pub const CHECK: &str = "M-3.4 0.2L-1.1 2.6L3.4-2.6";
/// A cross (vote denied, append rejected).
pub const CROSS: &str = "M-2.8-2.8L2.8 2.8M2.8-2.8L-2.8 2.8";

/// Appends `v` with at most one decimal, without a trailing ".0" (short path data).
fn push_num(out: &mut String, v: f64) {
    let tenths = (v * 10.0).round() as i64;
    if tenths < 0 {
        out.push('-');
    }
    let a = tenths.unsigned_abs();
    out.push_str(&(a / 10).to_string());
    if a % 10 != 0 {
        out.push('.');
        out.push_str(&(a % 10).to_string());
    }
}

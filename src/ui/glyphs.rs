//! The short labels on messages in flight ("+3", "RV", ✓, ✗) drawn as stroked paths rather
//! than SVG `<text>`.
//!
//! Why: a busy cluster sends several messages every animation frame, and each new `<text>`
//! costs the browser a text layout (shaping, SVG glyph positioning): measured in Chromium,
//! a message with a `<text>` label costs about twice as much to insert as one with a path.
//! These glyphs are a tiny stroke font in a 4 × 7 box, centred on the origin.

/// Width of one glyph box and the gap after it.
const GLYPH_W: f64 = 4.0;
const GLYPH_GAP: f64 = 1.6;

/// The strokes of one character as relative path commands from the top-left corner of its
/// box (4 wide, 7 high).
fn strokes(c: char) -> &'static str {
    match c {
        '0' => "h4v7h-4z",
        '1' => "m0.8 1.7l1.6-1.7v7",
        '2' => "h4v3.5h-4v3.5h4",
        '3' => "h4v7h-4m0.6-3.5h3.4",
        '4' => "v3.5h4m0-3.5v7",
        '5' => "m4 0h-4v3.5h4v3.5h-4",
        '6' => "m4 0h-4v7h4v-3.5h-4",
        '7' => "h4l-2.6 7",
        '8' => "h4v7h-4zm0 3.5h4",
        '9' => "m4 3.5h-4v-3.5h4v7h-4",
        '+' => "m0 3.5h4m-2-2v4",
        'R' => "m0 7v-7h3.2l0.8 0.9v1.7l-0.8 0.9h-3.2m2 0l2 3.5",
        'V' => "l2 7l2-7",
        _ => "",
    }
}

/// A path drawing `text` (digits, '+', 'R', 'V'; anything else is left blank), centred on the
/// origin. "+12" → three glyphs side by side.
pub fn label_path(text: &str) -> String {
    let n = text.chars().count() as f64;
    let width = n * GLYPH_W + (n - 1.0).max(0.0) * GLYPH_GAP;
    let mut x = -width / 2.0;
    let mut d = String::new();
    for c in text.chars() {
        // Tenths are enough, and keep the path short.
        // Written with `Decimal`: formatting an f64 would bring core's float printing into
        // the page (about 5 KB gzip).
        d.push_str(&format!(
            "M{} -3.5{}",
            crate::sim::Decimal::round(x, 1).trimmed(),
            strokes(c)
        ));
        x += GLYPH_W + GLYPH_GAP;
    }
    d
}

/// A tick (vote granted, append accepted).
pub const CHECK: &str = "M-3.4 0.2L-1.1 2.6L3.4-2.6";
/// A cross (vote denied, append rejected).
pub const CROSS: &str = "M-2.8-2.8L2.8 2.8M2.8-2.8L-2.8 2.8";

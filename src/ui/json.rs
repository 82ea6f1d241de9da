//! Numbers typed into the page (URL options, sliders) read without Rust's float parser.

/// A number as `str::parse::<f64>` reads it (`None` where that is an error). Decimal text is
/// handed to JavaScript's `Number()`, which reads every string of `-+.eE0-9` exactly as Rust
/// does, except the empty one; this keeps Rust's float parser (~6 KB) out of the page.
pub fn parse_number(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let sign = if text.starts_with('-') { -1.0 } else { 1.0 };
    if unsigned.eq_ignore_ascii_case("inf") || unsigned.eq_ignore_ascii_case("infinity") {
        return Some(sign * f64::INFINITY);
    }
    if unsigned.eq_ignore_ascii_case("nan") {
        return Some(f64::NAN);
    }
    let decimal = text
        .bytes()
        .all(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'));
    if text.is_empty() || !decimal {
        return None;
    }
    let n = wasm_bindgen::JsValue::from_str(text).unchecked_into_f64();
    (!n.is_nan()).then_some(n)
}

//! A scenario as a URL fragment: `v1.` + base64url (no padding) of the scenario's minified
//! JSON, with every field that has its default value left out. Reading a permalink goes
//! through the same strict validation as a file.

use super::format::{ClusterSpec, Scenario, ScenarioError};
use serde_json::Value;

const PREFIX: &str = "v1.";
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

impl Scenario {
    /// The compact, URL-safe form of this scenario.
    pub fn to_permalink(&self) -> String {
        let mut value = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Value::Object(root) = &mut value {
            // Leave out what the reader would fill in anyway.
            if root.get("description").and_then(Value::as_str) == Some("") {
                root.remove("description");
            }
            if root.get("seed").and_then(Value::as_u64) == Some(0) {
                root.remove("seed");
            }
            if let (Some(Value::Object(cluster)), Ok(Value::Object(defaults))) = (
                root.get_mut("cluster"),
                serde_json::to_value(ClusterSpec::default()),
            ) {
                cluster.retain(|k, v| defaults.get(k) != Some(v));
                if let Some(Value::Object(knobs)) = cluster.get_mut("knobs") {
                    knobs.retain(|_, v| v != &Value::Bool(false));
                    if knobs.is_empty() {
                        cluster.remove("knobs");
                    }
                }
            }
            if root
                .get("cluster")
                .and_then(Value::as_object)
                .is_some_and(|c| c.is_empty())
            {
                root.remove("cluster");
            }
        }
        format!("{PREFIX}{}", encode(value.to_string().as_bytes()))
    }

    /// Reads a permalink made by [`Scenario::to_permalink`].
    pub fn from_permalink(link: &str) -> Result<Scenario, ScenarioError> {
        let bad = |message: &str| ScenarioError::top(None, message);
        let Some(body) = link.trim().strip_prefix(PREFIX) else {
            return Err(bad("not a scenario link: it should start with \"v1.\""));
        };
        let bytes =
            decode(body).ok_or_else(|| bad("the scenario link is damaged (not base64url)"))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| bad("the scenario link is damaged (not UTF-8)"))?;
        Scenario::from_json(&text)
    }
}

fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let digits: Vec<u32> = text
        .bytes()
        .map(|c| ALPHABET.iter().position(|&a| a == c).map(|p| p as u32))
        .collect::<Option<_>>()?;
    for chunk in digits.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, d)| n | (d << (18 - 6 * i)));
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::presets;

    #[test]
    fn base64url_round_trips_every_length() {
        for len in 0..40u8 {
            let bytes: Vec<u8> = (0..len)
                .map(|i| i.wrapping_mul(37).wrapping_add(200))
                .collect();
            assert_eq!(decode(&encode(&bytes)), Some(bytes));
        }
        assert_eq!(encode(b"Man"), "TWFu");
        assert_eq!(encode(b"Ma"), "TWE");
    }

    #[test]
    fn every_preset_round_trips_through_a_shorter_link() {
        for (id, scenario) in presets::all() {
            let link = scenario.to_permalink();
            assert!(link.starts_with("v1."), "{id}");
            assert!(
                link.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"._-".contains(&c)),
                "{id}: URL-safe"
            );
            assert_eq!(
                Scenario::from_permalink(&link),
                Ok(scenario.clone()),
                "{id}"
            );
            assert!(
                link.len() < scenario.to_json().len() * 4 / 3,
                "{id}: defaults are left out"
            );
        }
    }

    #[test]
    fn damaged_links_are_rejected_with_a_message() {
        assert!(Scenario::from_permalink("x1.abc")
            .unwrap_err()
            .message
            .contains("v1."));
        assert!(Scenario::from_permalink("v1.@@@")
            .unwrap_err()
            .message
            .contains("damaged"));
        let not_a_scenario = format!("v1.{}", encode(br#"{"version":1}"#));
        assert!(
            Scenario::from_permalink(&not_a_scenario).is_err(),
            "validation still applies"
        );
    }
}

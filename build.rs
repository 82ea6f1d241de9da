//! Writes the page's presets as static Rust data (`$OUT_DIR/presets.rs`, included by
//! `src/ui/presets.rs`), so the page carries neither the preset files' JSON text nor a reader
//! for it (together about 7 KB of the gzipped wasm).
//!
//! It reads every `src/scenario/presets/*.json` the way the page used to read them at start:
//! the fields the page needs, with the format's defaults for fields left out. Expectations
//! keep only their time and note (the page narrates; it does not judge). The files are
//! validated strictly by `Scenario::from_json` in the tests (and the browser tests check that
//! the page's presets equal what serde reads); here anything unexpected stops the build with
//! the file and field named, rather than being skipped.

use serde_json::{Map, Value};
use std::fmt::Write as _;
use std::path::Path;

const DIR: &str = "src/scenario/presets";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={DIR}");
    let mut files: Vec<_> = std::fs::read_dir(DIR)
        .expect("src/scenario/presets")
        .map(|e| e.expect("a preset file").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = String::from("// Written by build.rs from src/scenario/presets/*.json.\n");
    writeln!(out, "static RAW: [RawPreset; {}] = [", files.len()).unwrap();
    for path in &files {
        let id = path.file_stem().unwrap().to_str().unwrap();
        let text = std::fs::read_to_string(path).expect("a readable preset file");
        let doc: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
        preset(&mut out, id, &doc).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("presets.rs");
    std::fs::write(dest, out).expect("writing presets.rs");
}

type Res<T> = Result<T, String>;

fn preset(out: &mut String, id: &str, doc: &Value) -> Res<()> {
    let field = |k: &str| doc.get(k);
    writeln!(out, "    RawPreset {{").unwrap();
    writeln!(out, "        id: {id:?},").unwrap();
    let version = field("version").map(|v| uint(v, "version")).transpose()?;
    writeln!(out, "        version: {},", version.unwrap_or(1)).unwrap();
    let name = text(field("name").ok_or("no \"name\"")?, "name")?;
    writeln!(out, "        name: {name:?},").unwrap();
    let description = field("description")
        .map(|v| text(v, "description"))
        .transpose()?;
    writeln!(out, "        description: {:?},", description.unwrap_or("")).unwrap();
    let seed = field("seed").map(|v| uint(v, "seed")).transpose()?;
    writeln!(out, "        seed: {},", seed.unwrap_or(0)).unwrap();
    let end_ms = field("end_ms").map(|v| uint(v, "end_ms")).transpose()?;
    writeln!(out, "        end_ms: {end_ms:?},").unwrap();
    writeln!(out, "        cluster: {},", cluster(field("cluster"))?).unwrap();
    writeln!(out, "        steps: &[").unwrap();
    for (i, s) in field("steps")
        .map_or(Ok(&[][..]), |v| list(v, "steps"))?
        .iter()
        .enumerate()
    {
        let step = step(s).map_err(|e| format!("step {i}: {e}"))?;
        writeln!(out, "            {step},").unwrap();
    }
    writeln!(out, "        ],").unwrap();
    writeln!(out, "    }},").unwrap();
    Ok(())
}

/// A `ClusterSpec` expression: the fields given, the rest from the format's defaults.
fn cluster(c: Option<&Value>) -> Res<String> {
    let mut fields = String::new();
    let Some(c) = c else {
        return Ok("crate::scenario::ClusterSpec::DEFAULT".into());
    };
    for (k, v) in obj(c, "cluster")? {
        let value = match k.as_str() {
            "servers" | "heartbeat_ms" | "client_timeout_ms" => uint(v, k)?.to_string(),
            "election_timeout_ms" | "latency_ms" => pair(v, k)?,
            "loss" | "duplication" => format!("{:?}", num(v, k)?),
            "fast_backup" | "noop_on_election" | "pre_vote" | "check_quorum" => {
                boolean(v, k)?.to_string()
            }
            "lease_ms" | "lease_drift_bound_ppm" | "clock_drift_ppm" => uint(v, k)?.to_string(),
            "read_mode" => match text(v, k)? {
                "log" => "crate::raft::ReadMode::Log".into(),
                "read_index" => "crate::raft::ReadMode::ReadIndex".into(),
                "lease" => "crate::raft::ReadMode::Lease".into(),
                other => return Err(format!("unknown read mode \"{other}\"")),
            },
            "knobs" => {
                let mut knobs = String::new();
                for (name, on) in obj(v, k)? {
                    if boolean(on, name)? {
                        write!(knobs, "{name}: true, ").unwrap();
                    }
                }
                format!("crate::raft::Knobs {{ {knobs}..crate::raft::Knobs::DEFAULT }}")
            }
            "snapshots" => {
                // Every field written out (a struct update would be needless when both are).
                let mut threshold = "crate::raft::SnapshotOptions::DEFAULT.threshold".to_string();
                let mut chunk_bytes =
                    "crate::raft::SnapshotOptions::DEFAULT.chunk_bytes".to_string();
                for (name, v) in obj(v, k)? {
                    match name.as_str() {
                        "threshold" => threshold = uint(v, name)?.to_string(),
                        "chunk_bytes" => chunk_bytes = uint(v, name)?.to_string(),
                        _ => return Err(format!("unknown field \"snapshots.{name}\"")),
                    }
                }
                format!("crate::raft::SnapshotOptions {{ threshold: {threshold}, chunk_bytes: {chunk_bytes} }}")
            }
            "clients" => {
                let mut clients = String::new();
                for (name, v) in obj(v, k)? {
                    let value = match name.as_str() {
                        "count" | "keys" => uint(v, name)?.to_string(),
                        "think_ms" => pair(v, name)?,
                        _ => return Err(format!("unknown field \"clients.{name}\"")),
                    };
                    write!(clients, "{name}: {value}, ").unwrap();
                }
                format!("crate::scenario::format::ClientsSpec {{ {clients}..crate::scenario::format::ClientsSpec::DEFAULT }}")
            }
            _ => return Err(format!("unknown field \"cluster.{k}\"")),
        };
        write!(fields, "{k}: {value}, ").unwrap();
    }
    Ok(format!(
        "crate::scenario::ClusterSpec {{ {fields}..crate::scenario::ClusterSpec::DEFAULT }}"
    ))
}

/// A `RawStep` expression.
fn step(s: &Value) -> Res<String> {
    let field = |k: &str| s.get(k);
    let at_ms = field("at_ms").map(|v| uint(v, "at_ms")).transpose()?;
    let note = field("note").map(|v| text(v, "note")).transpose()?;
    let name = |k: &str| -> Res<&str> { text(field(k).ok_or_else(|| format!("no \"{k}\""))?, k) };
    let action = match name("action")? {
        "client_request" => format!(
            "RawAction::ClientRequest({:?}, {:?})",
            name("command")?,
            field("server").map(|v| text(v, "server")).transpose()?
        ),
        a @ ("crash" | "restart" | "timeout" | "pause" | "resume") => {
            let variant = match a {
                "crash" => "Crash",
                "restart" => "Restart",
                "timeout" => "Timeout",
                "pause" => "Pause",
                _ => "Resume",
            };
            format!("RawAction::{variant}({:?})", name("server")?)
        }
        "partition" => {
            let mut groups = String::new();
            for g in list(field("groups").ok_or("no \"groups\"")?, "groups")? {
                let names: Vec<&str> = list(g, "groups")?
                    .iter()
                    .map(|n| text(n, "groups"))
                    .collect::<Res<_>>()?;
                write!(groups, "&{names:?}, ").unwrap();
            }
            format!("RawAction::Partition(&[{groups}])")
        }
        "cut" => format!("RawAction::Cut({:?}, {:?})", name("from")?, name("to")?),
        "heal" => "RawAction::Heal".into(),
        "spread_timers" => "RawAction::SpreadTimers".into(),
        "align_timers" => "RawAction::AlignTimers".into(),
        "set_loss" => format!(
            "RawAction::SetLoss({:?})",
            num(field("p").ok_or("no \"p\"")?, "p")?
        ),
        "set_duplication" => format!(
            "RawAction::SetDuplication({:?})",
            num(field("p").ok_or("no \"p\"")?, "p")?
        ),
        "transfer_leadership" => format!("RawAction::TransferLeadership({:?})", name("to")?),
        "expect" => "RawAction::Expect".into(),
        other => return Err(format!("unknown action \"{other}\"")),
    };
    Ok(format!(
        "RawStep {{ at_ms: {}, note: {note:?}, action: {action} }}",
        at_ms.unwrap_or(0)
    ))
}

fn num(v: &Value, k: &str) -> Res<f64> {
    v.as_f64().ok_or_else(|| format!("\"{k}\" is not a number"))
}

fn uint(v: &Value, k: &str) -> Res<u64> {
    v.as_u64()
        .ok_or_else(|| format!("\"{k}\" is not a whole number ≥ 0"))
}

fn pair(v: &Value, k: &str) -> Res<String> {
    match list(v, k)? {
        [a, b] => Ok(format!("[{}, {}]", uint(a, k)?, uint(b, k)?)),
        _ => Err(format!("\"{k}\" is not a pair")),
    }
}

fn text<'a>(v: &'a Value, k: &str) -> Res<&'a str> {
    v.as_str().ok_or_else(|| format!("\"{k}\" is not a string"))
}

fn boolean(v: &Value, k: &str) -> Res<bool> {
    v.as_bool()
        .ok_or_else(|| format!("\"{k}\" is not true or false"))
}

fn list<'a>(v: &'a Value, k: &str) -> Res<&'a [Value]> {
    v.as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| format!("\"{k}\" is not a list"))
}

fn obj<'a>(v: &'a Value, k: &str) -> Res<&'a Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| format!("\"{k}\" is not an object"))
}

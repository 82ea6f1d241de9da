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
        let doc = json::parse(&text).unwrap_or_else(|| panic!("{}: not JSON", path.display()));
        preset(&mut out, id, &doc).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("presets.rs");
    std::fs::write(dest, out).expect("writing presets.rs");
}

type Res<T> = Result<T, String>;

fn preset(out: &mut String, id: &str, doc: &json::Json) -> Res<()> {
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
fn cluster(c: Option<&json::Json>) -> Res<String> {
    let mut fields = String::new();
    let Some(c) = c else {
        return Ok("crate::scenario::ClusterSpec::DEFAULT".into());
    };
    for (k, v) in c.obj("cluster")? {
        let value = match k.as_str() {
            "servers" | "heartbeat_ms" | "client_timeout_ms" => uint(v, k)?.to_string(),
            "election_timeout_ms" | "latency_ms" => pair(v, k)?,
            "loss" | "duplication" => format!("{:?}", num(v, k)?),
            "fast_backup" | "noop_on_election" => boolean(v, k)?.to_string(),
            "knobs" => {
                let mut knobs = String::new();
                for (name, on) in v.obj(k)? {
                    if boolean(on, name)? {
                        write!(knobs, "{name}: true, ").unwrap();
                    }
                }
                format!(
                    "crate::scenario::KnobsSpec {{ {knobs}..crate::scenario::KnobsSpec::DEFAULT }}"
                )
            }
            "clients" => {
                let mut clients = String::new();
                for (name, v) in v.obj(k)? {
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
fn step(s: &json::Json) -> Res<String> {
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
        "expect" => "RawAction::Expect".into(),
        other => return Err(format!("unknown action \"{other}\"")),
    };
    Ok(format!(
        "RawStep {{ at_ms: {}, note: {note:?}, action: {action} }}",
        at_ms.unwrap_or(0)
    ))
}

fn num(v: &json::Json, k: &str) -> Res<f64> {
    match v {
        json::Json::Num(n) => n.parse().map_err(|_| format!("\"{k}\" is not a number")),
        _ => Err(format!("\"{k}\" is not a number")),
    }
}

fn uint(v: &json::Json, k: &str) -> Res<u64> {
    match v {
        json::Json::Num(n) => n
            .parse()
            .map_err(|_| format!("\"{k}\" is not a whole number ≥ 0")),
        _ => Err(format!("\"{k}\" is not a whole number ≥ 0")),
    }
}

fn pair(v: &json::Json, k: &str) -> Res<String> {
    match list(v, k)? {
        [a, b] => Ok(format!("[{}, {}]", uint(a, k)?, uint(b, k)?)),
        _ => Err(format!("\"{k}\" is not a pair")),
    }
}

fn text<'a>(v: &'a json::Json, k: &str) -> Res<&'a str> {
    match v {
        json::Json::Str(s) => Ok(s),
        _ => Err(format!("\"{k}\" is not a string")),
    }
}

fn boolean(v: &json::Json, k: &str) -> Res<bool> {
    match v {
        json::Json::Bool(b) => Ok(*b),
        _ => Err(format!("\"{k}\" is not true or false")),
    }
}

fn list<'a>(v: &'a json::Json, k: &str) -> Res<&'a [json::Json]> {
    match v {
        json::Json::Arr(items) => Ok(items),
        _ => Err(format!("\"{k}\" is not a list")),
    }
}

/// A very small JSON reader (the preset files are plain JSON; serde checks them in the tests).
mod json {
    pub enum Json {
        Null,
        Bool(bool),
        /// The number's text, read as the field needs it (u64 or f64).
        Num(String),
        Str(String),
        Arr(Vec<Json>),
        Obj(Vec<(String, Json)>),
    }

    impl Json {
        pub fn get(&self, key: &str) -> Option<&Json> {
            match self {
                Json::Obj(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
                _ => None,
            }
        }
        pub fn obj(&self, k: &str) -> Result<&[(String, Json)], String> {
            match self {
                Json::Obj(fields) => Ok(fields),
                _ => Err(format!("\"{k}\" is not an object")),
            }
        }
    }

    /// Parses a whole document; None if it is not JSON.
    pub fn parse(text: &str) -> Option<Json> {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        let v = p.value()?;
        p.ws();
        (p.i == p.s.len()).then_some(v)
    }

    struct Parser<'a> {
        s: &'a [u8],
        i: usize,
    }

    impl Parser<'_> {
        fn ws(&mut self) {
            while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            }
        }
        fn eat(&mut self, c: u8) -> bool {
            self.ws();
            if self.s.get(self.i) == Some(&c) {
                self.i += 1;
                true
            } else {
                false
            }
        }
        fn lit(&mut self, word: &str, v: Json) -> Option<Json> {
            if self.s[self.i..].starts_with(word.as_bytes()) {
                self.i += word.len();
                Some(v)
            } else {
                None
            }
        }
        fn value(&mut self) -> Option<Json> {
            self.ws();
            match *self.s.get(self.i)? {
                b'{' => {
                    self.i += 1;
                    let mut fields = Vec::new();
                    if self.eat(b'}') {
                        return Some(Json::Obj(fields));
                    }
                    loop {
                        self.ws();
                        let k = self.string()?;
                        if !self.eat(b':') {
                            return None;
                        }
                        fields.push((k, self.value()?));
                        if self.eat(b'}') {
                            return Some(Json::Obj(fields));
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                b'[' => {
                    self.i += 1;
                    let mut items = Vec::new();
                    if self.eat(b']') {
                        return Some(Json::Arr(items));
                    }
                    loop {
                        items.push(self.value()?);
                        if self.eat(b']') {
                            return Some(Json::Arr(items));
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                b'"' => self.string().map(Json::Str),
                b't' => self.lit("true", Json::Bool(true)),
                b'f' => self.lit("false", Json::Bool(false)),
                b'n' => self.lit("null", Json::Null),
                _ => {
                    let start = self.i;
                    while self.i < self.s.len()
                        && matches!(
                            self.s[self.i],
                            b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                        )
                    {
                        self.i += 1;
                    }
                    let number = std::str::from_utf8(&self.s[start..self.i]).ok()?;
                    (!number.is_empty()).then(|| Json::Num(number.to_string()))
                }
            }
        }
        fn string(&mut self) -> Option<String> {
            if self.s.get(self.i) != Some(&b'"') {
                return None;
            }
            self.i += 1;
            let mut out: Vec<u8> = Vec::new();
            loop {
                let c = *self.s.get(self.i)?;
                self.i += 1;
                match c {
                    b'"' => return String::from_utf8(out).ok(),
                    b'\\' => {
                        let e = *self.s.get(self.i)?;
                        self.i += 1;
                        match e {
                            b'n' => out.push(b'\n'),
                            b't' => out.push(b'\t'),
                            b'r' => out.push(b'\r'),
                            b'b' => out.push(8),
                            b'f' => out.push(12),
                            b'u' => {
                                let hex =
                                    std::str::from_utf8(self.s.get(self.i..self.i + 4)?).ok()?;
                                self.i += 4;
                                let ch = char::from_u32(u32::from_str_radix(hex, 16).ok()?)
                                    .unwrap_or('\u{fffd}');
                                let mut buf = [0u8; 4];
                                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                            }
                            other => out.push(other),
                        }
                    }
                    _ => out.push(c),
                }
            }
        }
    }
}

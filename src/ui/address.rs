//! The page's addresses across its two builds (docs/ARCHITECTURE.md, "Two pages"): the lite
//! page (the sandbox) at the site's address, the full page (presets, links, files, tours) in
//! `full/` below it. Both builds use these.

/// What the sandbox sends the user to the full page for.
#[derive(Clone, Copy)]
pub enum Wanted<'a> {
    /// `preset=ID`: a new run of the preset, from its own seed.
    Preset(&'a str),
    /// `tour=NAME`: the tour, which starts its own run.
    Tour(&'a str),
    /// The run handed over in the tab's storage (`scenario::handover`), marked `handover`.
    Handover,
}

/// The view the user has now, which may differ from what the address said (the speed slider,
/// M, the theme button): the full page opens with it.
pub struct ViewNow {
    /// `speed=`, when not the page's default.
    pub speed: Option<f64>,
    pub lecture: bool,
    /// The theme chosen (None: the system's).
    pub dark: Option<bool>,
}

/// The query the full page is opened with: what is `wanted`, the view the user has now
/// (`view`), and what of the current address `search` still holds (embed, panels, cols; for a
/// handover also seed and paused, the page's fallback should the handover be unreadable). A
/// preset or tour runs from its own seed, so the address's seed, servers and paused stay
/// behind.
pub fn full_page_query(search: &str, wanted: Wanted, view: &ViewNow) -> String {
    let kept_keys: &[&str] = match wanted {
        Wanted::Handover => &["embed", "panels", "cols", "seed", "paused", "autoplay"],
        Wanted::Preset(_) | Wanted::Tour(_) => &["embed", "panels", "cols"],
    };
    let encode = |v: &str| String::from(js_sys::encode_uri_component(v));
    let mut pairs = vec![match wanted {
        Wanted::Preset(id) => format!("preset={}", encode(id)),
        Wanted::Tour(name) => format!("tour={}", encode(name)),
        Wanted::Handover => "handover".to_string(),
    }];
    if let Some(speed) = view.speed {
        pairs.push(format!("speed={speed}"));
    }
    if view.lecture {
        pairs.push("lecture".into());
    }
    if let Some(dark) = view.dark {
        pairs.push(format!("theme={}", if dark { "dark" } else { "light" }));
    }
    pairs.extend(
        search
            .trim_start_matches('?')
            .split('&')
            .filter(|pair| kept_keys.contains(&pair.split('=').next().unwrap_or_default()))
            .map(str::to_string),
    );
    format!("?{}", pairs.join("&"))
}

/// The address's query `search` without the handover's mark (`handover`, which
/// `full_page_query` writes), "" when nothing else is left.
pub fn without_handover_mark(search: &str) -> String {
    let rest: Vec<&str> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty() && *pair != "handover")
        .collect();
    if rest.is_empty() {
        String::new()
    } else {
        format!("?{}", rest.join("&"))
    }
}

/// The site's directory, from the page's path (`location.pathname`): the page's own
/// directory, less a last `full/` (where the full page lives). Share links point there, and
/// tour files are fetched from there.
pub fn site_dir(pathname: &str) -> &str {
    let dir = &pathname[..pathname.rfind('/').map_or(0, |i| i + 1)];
    match dir.strip_suffix("full/") {
        Some(site) if site.is_empty() || site.ends_with('/') => site,
        _ => dir,
    }
}

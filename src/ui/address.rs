//! The page's addresses across its two builds (docs/ARCHITECTURE.md, "Two pages"): the lite
//! page (the sandbox) at the site's address, the full page (presets, links, files, tours) in
//! `full/` below it. Both builds use these.

/// The query the full page is opened with: `wanted` first (`preset=ID` or `tour=NAME`, if
/// any), then the view options of the current page's query `search`, as they were written
/// (seed, speed, paused / autoplay, lecture, theme, embed, panels, cols). What would fight
/// `wanted` (servers, another preset or tour) is left behind.
pub fn full_page_query(search: &str, wanted: Option<(&str, &str)>) -> String {
    const VIEW: [&str; 9] = [
        "seed", "speed", "paused", "autoplay", "lecture", "theme", "embed", "panels", "cols",
    ];
    let wanted =
        wanted.map(|(k, v)| format!("{k}={}", String::from(js_sys::encode_uri_component(v))));
    let kept = search
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| VIEW.contains(&pair.split('=').next().unwrap_or_default()))
        .map(str::to_string);
    let pairs: Vec<String> = wanted.into_iter().chain(kept).collect();
    if pairs.is_empty() {
        String::new()
    } else {
        format!("?{}", pairs.join("&"))
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

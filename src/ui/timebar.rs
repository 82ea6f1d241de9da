//! Time controls: play/pause, step, logarithmic speed, the timeline scrubber, reset, presets.

use super::geometry::time_label;
use super::intent::Intent;
use super::speed;
use super::widgets::{count, event_value, on_click, ApplySelect};
use crate::sim::Micros;
use std::rc::Rc;
use yew::prelude::*;

/// What the time bar shows. The bar is a plain function of the page rather than a component
/// of its own; its parts (`PlayControls`, `RunControls`) are components and skip re-rendering.
pub struct TimebarProps {
    /// The simulated time, and the furthest time of the recorded run (the scrubber's end).
    pub now: Micros,
    pub horizon: Micros,
    pub playing: bool,
    pub speed: f64,
    pub seed: u64,
    pub servers: u8,
    pub presets: Rc<[AttrValue]>,
    pub preset: Option<usize>,
    /// Behind a modal dialog: no focus, no clicks.
    pub inert: bool,
    pub on_intent: Callback<Intent>,
}

#[derive(Properties, Clone, PartialEq)]
struct PlayProps {
    playing: bool,
    speed: f64,
    on_intent: Callback<Intent>,
}

/// Play / pause, step, speed: re-rendered only when one of them changes.
#[component]
fn PlayControls(props: &PlayProps) -> Html {
    let act = |i: Intent| on_click(&props.on_intent, i);
    let on_speed = props.on_intent.reform(|e: InputEvent| {
        let step = event_value(&e).parse().unwrap_or(0);
        Intent::SetSpeed(speed::at_step(step))
    });
    html! {
        <div class="tgroup">
            <button class="play" onclick={act(Intent::TogglePlay)} aria-label={if props.playing { "Pause" } else { "Play" }}
                    title="Play / pause (space or .)">
                { if props.playing { "❚❚ Pause" } else { "▶ Play" } }
            </button>
            <button onclick={act(Intent::StepBack)} aria-label="Step back one event" title="Step back one event (,)">{ "|◀" }</button>
            <button onclick={act(Intent::StepEvent)} aria-label="Step to next event" title="Step to the next event (N)">{ "▶| Step" }</button>
            <label class="speed">
                <span>{ "Speed " }<output aria-live="off">{ speed::label(props.speed) }</output></span>
                <input type="range" min="0" max={(speed::SPEEDS.len() - 1).to_string()} step="1" aria-label="Speed"
                       aria-valuetext={speed::label(props.speed)}
                       value={speed::nearest_step(props.speed).to_string()} oninput={on_speed} />
            </label>
        </div>
    }
}

#[derive(Properties, Clone, PartialEq)]
struct RunProps {
    seed: u64,
    servers: u8,
    presets: Rc<[AttrValue]>,
    preset: Option<usize>,
    on_intent: Callback<Intent>,
}

/// Preset, cluster size, reset: re-rendered only when one of them changes.
#[component]
fn RunControls(props: &RunProps) -> Html {
    let act = |i: Intent| on_click(&props.on_intent, i);
    let servers = props.servers;
    let on_preset = props
        .on_intent
        .reform(move |value: String| match value.parse::<usize>() {
            Ok(i) => Intent::LoadPreset(i),
            // "Free play": a fresh cluster without a script.
            Err(_) => Intent::SetServers(servers),
        });
    let on_servers = props
        .on_intent
        .reform(|value: String| Intent::SetServers(value.parse().unwrap_or(5)));
    let free_play = (AttrValue::Static(""), AttrValue::Static("Free play"));
    let preset_options: Vec<_> = std::iter::once(free_play)
        .chain(
            props
                .presets
                .iter()
                .enumerate()
                .map(|(i, name)| (i.to_string().into(), name.clone())),
        )
        .collect();
    let preset_selected = props.preset.map(|i| i.to_string()).unwrap_or_default();
    let server_options: Vec<_> = (1..=9usize)
        .map(|i| (i.to_string().into(), count(i, "server", "servers").into()))
        .collect();
    html! {
        <div class="tgroup">
            <ApplySelect label="Scenario preset" options={preset_options} selected={preset_selected}
                         on_apply={on_preset} />
            <ApplySelect label="Number of servers" options={server_options}
                         selected={props.servers.to_string()} on_apply={on_servers} />
            <button onclick={act(Intent::Reset { new_seed: false })} title={format!("Restart from time 0 with seed {}", props.seed)}>{ "Reset" }</button>
            <button onclick={act(Intent::Reset { new_seed: true })} title="Restart with a new random seed">{ "New seed" }</button>
            <span class="hint seed">{ format!("seed {}", props.seed) }</span>
        </div>
    }
}

/// What the bar shows of the time: the clock, the scrubber's value and end (ms), and whether
/// it is at the live edge (the end label then reads "live").
pub fn shown_time(
    now: Micros,
    horizon: Micros,
    playing: bool,
    speed: f64,
) -> (Micros, u64, u64, bool) {
    let end = horizon.max(now);
    // Playing at the live edge, the scrubber's thumb sits at its end whatever the time, so
    // its value and end are rewritten a few times a second (every 250 ms of wall time), not
    // every frame: each rewrite costs the browser a new style and layout of the slider.
    let live = playing && now >= horizon;
    let (slider_ms, slider_end_ms) = if live {
        let step = ((speed * 250.0) as u64).max(1);
        let at = (now / 1000 / step * step).max(1);
        (at, at)
    } else {
        (now / 1000, (end / 1000).max(1))
    };
    // While playing, the clock reads on in steps of a tenth of a second of wall time: a new
    // text costs a layout (and a hover hit test after it), and nobody reads sixty times a
    // second. Paused, it shows the exact time.
    let clock = if playing {
        let step = ((speed * 100_000.0) as u64).max(1);
        now / step * step
    } else {
        now
    };
    (clock, slider_ms, slider_end_ms, live)
}

pub fn timebar(props: &TimebarProps) -> Html {
    let on_seek = props
        .on_intent
        .reform(|e: InputEvent| Intent::Seek(event_value(&e).parse::<u64>().unwrap_or(0) * 1000));
    let (clock, slider_ms, end_ms, live) =
        shown_time(props.now, props.horizon, props.playing, props.speed);
    let end_label = if live {
        "live".to_string()
    } else {
        time_label(props.horizon.max(props.now))
    };
    html! {
        <section class="timebar" aria-label="Time controls" inert={props.inert}>
            <PlayControls playing={props.playing} speed={props.speed} on_intent={props.on_intent.clone()} />
            // What changes every frame sits in fixed-size boxes (`.fixed`, see style.css), so a
            // new time re-lays out only those boxes, not the page.
            <label class="scrub">
                <span class="now"><span class="fixed">{ time_label(clock) }</span></span>
                <span class="scrub-track">
                    <span class="fixed">
                        // The end first: a value beyond the old end would be clamped to it.
                        <input type="range" min="0" step="1" aria-label="Timeline" data-arrows-seek="" max={end_ms.to_string()}
                               value={slider_ms.to_string()} aria-valuetext={time_label(slider_ms * 1000)}
                               oninput={on_seek} />
                    </span>
                </span>
                // The end of the recorded run; while playing at the live edge, "live".
                <span class="hint horizon"><span class="fixed">{ end_label }</span></span>
            </label>
            <RunControls seed={props.seed} servers={props.servers} presets={props.presets.clone()}
                         preset={props.preset} on_intent={props.on_intent.clone()} />
        </section>
    }
}

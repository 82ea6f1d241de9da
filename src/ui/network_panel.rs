//! Network controls: partition presets, a per-server group picker, one-way cut, heal, and the
//! loss / duplication / latency dials.

use super::intent::Intent;
use super::widgets::{event_value, on_click, server_options};
use crate::raft::types::ServerId;
use crate::sim::{Decimal, NetworkView};
use yew::prelude::*;

#[derive(Properties, Clone, PartialEq)]
pub struct NetworkProps {
    pub network: NetworkView,
    pub servers: u8,
    pub on_intent: Callback<Intent>,
}

/// The "split" preset for n servers: the first ⌊(n-1)/2⌋ servers against the rest.
pub fn minority_split(n: u8) -> Vec<Vec<ServerId>> {
    let k = ((n.max(2) - 1) / 2).max(1);
    vec![
        (1..=k).map(ServerId).collect(),
        (k + 1..=n).map(ServerId).collect(),
    ]
}

/// A labelled slider from `range.0` to `range.1` in steps of 1.
fn dial(
    label: String,
    name: &'static str,
    range: (u32, u32),
    value: String,
    on_change: Callback<Event>,
) -> Html {
    html! {
        <label>{ label }
            <input type="range" min={range.0.to_string()} max={range.1.to_string()} step="1" aria-label={name}
                   value={value} onchange={on_change} />
        </label>
    }
}

#[component]
pub fn NetworkPanel(props: &NetworkProps) -> Html {
    let n = props.servers;
    let groups = use_state(|| vec![0u8; 9]);
    let cut_from = use_state(|| 1u8);
    let cut_to = use_state(|| 2u8);
    let act = |i: Intent| on_click(&props.on_intent, i);
    let split = minority_split(n);
    let split_label = {
        let parts: Vec<String> = split
            .iter()
            .map(|g| {
                let ids: Vec<String> = g.iter().map(|s| s.0.to_string()).collect();
                format!("{{{}}}", ids.join(","))
            })
            .collect();
        format!("Split {}", parts.join(" | "))
    };
    let pickers = (1..=n).map(|i| {
        let groups_h = groups.clone();
        let on_change = Callback::from(move |e: Event| {
            let mut g = (*groups_h).clone();
            g[(i - 1) as usize] = event_value(&e).parse().unwrap_or(0);
            groups_h.set(g);
        });
        let cur = groups[(i - 1) as usize];
        html! {
            <label class="gpick">{ format!("S{i}") }
                <select aria-label={format!("Group of S{i}")} onchange={on_change}>
                    { for ["A", "B", "C"].iter().enumerate().map(|(gi, name)| html! {
                        <option value={gi.to_string()} selected={cur as usize == gi}>{ *name }</option>
                    }) }
                </select>
            </label>
        }
    });
    let apply_groups = {
        let groups = groups.clone();
        let cb = props.on_intent.clone();
        Callback::from(move |_: MouseEvent| {
            let mut out: Vec<Vec<ServerId>> = vec![Vec::new(); 3];
            for i in 1..=n {
                out[groups[(i - 1) as usize] as usize].push(ServerId(i));
            }
            out.retain(|g| !g.is_empty());
            if out.len() > 1 {
                cb.emit(Intent::Partition(out));
            } else {
                cb.emit(Intent::Heal);
            }
        })
    };
    let server_select = |label: &str, state: UseStateHandle<u8>| {
        let cur = *state;
        let on_change =
            Callback::from(move |e: Event| state.set(event_value(&e).parse().unwrap_or(1)));
        html! {
            <select aria-label={label.to_string()} onchange={on_change}>
                { server_options(n, Some(ServerId(cur))) }
            </select>
        }
    };
    let on_cut = on_click(
        &props.on_intent,
        Intent::Cut(ServerId(*cut_from), ServerId(*cut_to)),
    );
    let on_loss = props
        .on_intent
        .reform(|e: Event| Intent::SetLoss(percent(&event_value(&e))));
    let on_dup = props
        .on_intent
        .reform(|e: Event| Intent::SetDuplication(percent(&event_value(&e))));
    let (lat_min, lat_max) = (props.network.min_latency, props.network.max_latency);
    let loss = Decimal::percent(props.network.loss_probability);
    let duplication = Decimal::percent(props.network.duplicate_probability);
    let on_lat = props.on_intent.reform(|e: Event| {
        let ms = event_value(&e).parse::<u64>().unwrap_or(15).max(1);
        Intent::SetLatency(ms * 1000 * 2 / 3, ms * 1000 * 4 / 3)
    });
    let status = if props.network.partition.is_empty() && props.network.cut_links.is_empty() {
        "Network whole.".to_string()
    } else {
        let mut parts = Vec::new();
        if !props.network.partition.is_empty() {
            let g: Vec<String> = props
                .network
                .partition
                .iter()
                .map(|g| {
                    let ids: Vec<String> = g.iter().map(|s| s.to_string()).collect();
                    format!("{{{}}}", ids.join(","))
                })
                .collect();
            parts.push(format!("Partitioned {}", g.join(" | ")));
        }
        for (f, t) in &props.network.cut_links {
            parts.push(format!("{f}→{t} cut"));
        }
        parts.join("; ")
    };
    html! {
        <section class="panel network" aria-labelledby="net-h">
            <h2 id="net-h">{ "Network" }</h2>
            <p class={classes!("netstatus", (!props.network.partition.is_empty() || !props.network.cut_links.is_empty()).then_some("broken"))} aria-live="polite">{ status }</p>
            <div class="actions">
                <button onclick={act(Intent::IsolateLeader)} title="Put the leader alone in a partition">{ "Isolate leader" }</button>
                <button onclick={act(Intent::Partition(split))}>{ split_label }</button>
                <button onclick={act(Intent::Heal)} title="Remove all partitions and cut links (H)">{ "Heal" }</button>
                <button onclick={act(Intent::AddServer)} title="Start a fresh server and ask the leader to add it (§6)">{ "+ server" }</button>
            </div>
            <details>
                <summary>{ "Custom partition, cut a link" }</summary>
                <div class="gpicks">{ for pickers }</div>
                <button onclick={apply_groups}>{ "Apply groups" }</button>
                <div class="cutrow">
                    { "Cut " }{ server_select("Cut from", cut_from.clone()) }{ " → " }{ server_select("Cut to", cut_to.clone()) }
                    <button onclick={on_cut}>{ "Cut link" }</button>
                </div>
            </details>
            <div class="dials">
                { dial(format!("Loss {loss}%"), "Message loss percent", (0, 50), loss.to_string(), on_loss) }
                { dial(format!("Duplication {duplication}%"), "Message duplication percent", (0, 50),
                       duplication.to_string(), on_dup) }
                { dial(format!("Latency {}–{} ms", lat_min / 1000, lat_max / 1000), "Mean latency in milliseconds",
                       (3, 150), ((lat_min + lat_max) / 2000).to_string(), on_lat) }
            </div>
        </section>
    }
}

/// The probability a percentage slider shows ("12.5" → 0.125); 0 if the text is no number.
fn percent(text: &str) -> f64 {
    super::widgets::number(text).unwrap_or(0.0) / 100.0
}

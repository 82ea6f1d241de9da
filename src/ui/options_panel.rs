//! Raft beyond Figure 2: how reads are served (§8), PreVote (dissertation §9.6), CheckQuorum
//! (§6.2) and the snapshot threshold (§7). Each is part of the run's configuration, so a
//! change restarts the run (`Model::set_option` says why); leadership transfer, a recorded
//! action, is in a server's details.

use super::intent::{read_mode_words, Intent, RaftOption};
use super::widgets::{event_value, ApplySelect};
use crate::raft::{ReadMode, SnapshotOptions};
use yew::prelude::*;

#[derive(Properties, Clone, PartialEq)]
pub struct OptionsProps {
    pub read_mode: ReadMode,
    pub pre_vote: bool,
    pub check_quorum: bool,
    /// §7: entries a log holds before its server snapshots; 0 = off.
    pub snapshot_threshold: u32,
    pub on_intent: Callback<Intent>,
}

/// What a typed snapshot threshold means: a whole number from 0 to `SnapshotOptions::MAX`,
/// or why not (shown under the field).
pub fn threshold(text: &str) -> Result<u32, String> {
    let text = text.trim();
    match text.parse::<u32>() {
        Ok(n) if n <= SnapshotOptions::MAX => Ok(n),
        _ if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
            Err(format!("At most {} entries.", SnapshotOptions::MAX))
        }
        _ => Err("A whole number of entries, 0 for no snapshots.".into()),
    }
}

/// A labelled checkbox that sets `option(!on)`.
fn switch(
    label: &str,
    title: &str,
    on: bool,
    option: fn(bool) -> RaftOption,
    cb: &Callback<Intent>,
) -> Html {
    let change = cb.reform(move |_: Event| Intent::SetOption(option(!on)));
    html! {
        <label class="knob" title={title.to_string()}>
            <input type="checkbox" checked={on} onchange={change} />{ format!(" {label}") }
        </label>
    }
}

#[component]
pub fn OptionsPanel(props: &OptionsProps) -> Html {
    let cb = &props.on_intent;
    let modes: Vec<(AttrValue, AttrValue)> = ReadMode::ALL
        .iter()
        .map(|m| (m.name().into(), read_mode_words(*m).into()))
        .collect();
    let on_mode = cb.reform(|value: String| {
        Intent::SetOption(RaftOption::ReadMode(
            ReadMode::parse(&value).unwrap_or_default(),
        ))
    });
    // The field keeps what was typed, and an error under it until a good number is applied.
    let error = use_state(|| None::<String>);
    let on_threshold = {
        let (cb, error, current) = (cb.clone(), error.clone(), props.snapshot_threshold);
        Callback::from(move |e: Event| match threshold(&event_value(&e)) {
            Ok(n) => {
                error.set(None);
                if n != current {
                    cb.emit(Intent::SetOption(RaftOption::SnapshotThreshold(n)));
                }
            }
            Err(why) => error.set(Some(why)),
        })
    };
    html! {
        <section class="panel options" aria-labelledby="options-h">
            <h2 id="options-h">{ "Raft options" }</h2>
            <p class="hint">{ "Beyond Figure 2. A change restarts the run from time 0 with the same seed: the servers follow these rules from the start, and links and exports carry them." }</p>
            <div class="option-row">
                <span>{ "Reads (GET), §8: " }</span>
                <ApplySelect label="Read mode" options={modes} selected={AttrValue::from(props.read_mode.name())}
                             on_apply={on_mode} />
            </div>
            <div class="option-row">
                { switch("PreVote", "Dissertation §9.6: a server asks whether it could win before it raises its term", props.pre_vote, RaftOption::PreVote, cb) }
                { switch("CheckQuorum", "Dissertation §6.2: a leader that has not heard from a majority for an election timeout steps down", props.check_quorum, RaftOption::CheckQuorum, cb) }
            </div>
            <div class="option-row">
                <label for="snapshot-threshold">{ "Snapshot every (entries, 0 = off), §7 " }</label>
                <input id="snapshot-threshold" class="threshold" type="text" inputmode="numeric" size="5"
                       value={props.snapshot_threshold.to_string()} onchange={on_threshold}
                       aria-invalid={error.is_some().to_string()} aria-describedby="snapshot-threshold-error" />
                <p id="snapshot-threshold-error" class="error" role="alert" aria-live="polite">{ (*error).clone().unwrap_or_default() }</p>
            </div>
        </section>
    }
}

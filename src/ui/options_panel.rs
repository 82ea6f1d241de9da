//! Raft beyond Figure 2: how reads are served (§8), PreVote (dissertation §9.6), CheckQuorum
//! (§6.2) and the snapshot threshold (§7). Each is part of the run's configuration, so a
//! change restarts the run (`Model::set_option` says why); leadership transfer, a recorded
//! action, is in a server's details.

use super::intent::{read_mode_words, Intent, RaftOption};
use super::widgets::{event_value, ApplySelect};
use crate::raft::{ReadMode, SnapshotOptions};
use crate::sim::config::MAX_CLOCK_DRIFT_PPM;
use yew::prelude::*;

#[derive(Properties, Clone, PartialEq)]
pub struct OptionsProps {
    pub read_mode: ReadMode,
    pub pre_vote: bool,
    pub check_quorum: bool,
    /// §7: entries a log holds before its server snapshots; 0 = off.
    pub snapshot_threshold: u32,
    /// How far each server's clock may run fast or slow, and the drift a lease allows for
    /// (parts per million): only lease reads look at clocks.
    pub clock_drift_ppm: u32,
    pub lease_drift_bound_ppm: u32,
    pub on_intent: Callback<Intent>,
}

/// What a typed number means: a whole number from 0 to `max`, or why not (shown under the
/// field).
pub fn whole_number(text: &str, max: u32) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(format!("A whole number from 0 to {max}.")),
    }
}

#[derive(Properties, Clone, PartialEq)]
struct NumberProps {
    /// The input's id (its error's is `{id}-error`).
    id: AttrValue,
    label: AttrValue,
    /// The option the field sets, with its value in force.
    option: RaftOption,
    max: u32,
    on_intent: Callback<Intent>,
}

/// The number a numeric option holds.
fn number_of(option: RaftOption) -> u32 {
    match option {
        RaftOption::SnapshotThreshold(n) | RaftOption::ClockDrift(n) => n,
        _ => 0,
    }
}

/// The same numeric option, holding `n`.
fn with_number(option: RaftOption, n: u32) -> RaftOption {
    match option {
        RaftOption::SnapshotThreshold(_) => RaftOption::SnapshotThreshold(n),
        RaftOption::ClockDrift(_) => RaftOption::ClockDrift(n),
        other => other,
    }
}

/// A whole-number field applied when committed (Enter or leaving it): a bad value keeps what
/// was typed and says what is wrong under it, changing nothing.
#[component]
fn NumberField(props: &NumberProps) -> Html {
    let error = use_state(|| None::<String>);
    let on_change = {
        let (error, p) = (error.clone(), props.clone());
        Callback::from(
            move |e: Event| match whole_number(&event_value(&e), p.max) {
                Ok(n) => {
                    error.set(None);
                    if n != number_of(p.option) {
                        p.on_intent
                            .emit(Intent::SetOption(with_number(p.option, n)));
                    }
                }
                Err(why) => error.set(Some(why)),
            },
        )
    };
    let error_id = format!("{}-error", props.id);
    html! { <>
        <label for={props.id.clone()}>{ props.label.clone() }</label>
        <input id={props.id.clone()} class="number" type="text" inputmode="numeric" size="7"
               value={number_of(props.option).to_string()} onchange={on_change}
               aria-invalid={error.is_some().to_string()} aria-describedby={error_id.clone()} />
        <p id={error_id} class="error" role="alert" aria-live="polite">{ (*error).clone().unwrap_or_default() }</p>
    </> }
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
            if props.read_mode == ReadMode::Lease {
                // Dissertation §6.4.1: a lease is counted on the leader's own clock, so it is
                // safe only while clocks drift less than it allows for.
                <div class="option-row">
                    <NumberField id="clock-drift" option={RaftOption::ClockDrift(props.clock_drift_ppm)} max={MAX_CLOCK_DRIFT_PPM}
                                 label={format!("Clock drift ± ppm (the lease allows {})", props.lease_drift_bound_ppm)} on_intent={cb.clone()} />
                </div>
            }
            <div class="option-row">
                <NumberField id="snapshot-threshold" option={RaftOption::SnapshotThreshold(props.snapshot_threshold)} max={SnapshotOptions::MAX}
                             label="Snapshot every (entries, 0 = off), §7" on_intent={cb.clone()} />
            </div>
        </section>
    }
}

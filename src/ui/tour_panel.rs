//! Guided tours in the full page: the panel of the current step (its words, progress,
//! Back / Next / Leave), and the fetch of a tour file (the picker is `tour_picker`). The tour
//! itself runs in the reducer (`state::Model`, on `scenario::TourRun`); this file only draws
//! it and fetches files.

use super::intent::Intent;
use super::state::Model;
use super::widgets::on_click;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

/// Where the tour `source` is, relative to the site's directory (`address::site_dir`): a
/// shipped tour's id (or any plain name: `tours/NAME.json`), or a `.json` path on this site.
/// Anything that names another site is refused.
pub fn tour_path(source: &str) -> Result<String, String> {
    let plain = !source.is_empty()
        && source
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        return Ok(format!("tours/{source}.json"));
    }
    if source.contains("://") || source.starts_with("//") || source.contains('\\') {
        return Err("only a tour file on this site can be opened".into());
    }
    if !source.ends_with(".json") {
        return Err(
            "a tour is a tour's name (like leader_election) or a path to a .json file on this site"
                .into(),
        );
    }
    Ok(source.to_string())
}

/// Fetches the tour `source` and hands its text (or why it could not be had) to the reducer.
pub fn open(source: String, on_intent: Callback<Intent>) {
    let path = match tour_path(&source) {
        Ok(path) => path,
        Err(why) => {
            on_intent.emit(Intent::OpenTour {
                source,
                text: Err(why),
            });
            return;
        }
    };
    // A relative path is the site's, wherever this page is (the full page is in `full/`);
    // messages name the path as asked for.
    let url = if path.starts_with('/') {
        path.clone()
    } else {
        let page = gloo::utils::window().location().pathname();
        format!(
            "{}{path}",
            super::address::site_dir(&page.unwrap_or_default())
        )
    };
    wasm_bindgen_futures::spawn_local(async move {
        let text = fetch_text(&url, &path).await;
        on_intent.emit(Intent::OpenTour { source, text });
    });
}

/// The text at `url` (`path`: how messages name it).
async fn fetch_text(url: &str, path: &str) -> Result<String, String> {
    let failed = |_| format!("{path} could not be fetched");
    let response = JsFuture::from(gloo::utils::window().fetch_with_str(url))
        .await
        .map_err(failed)?;
    let response: web_sys::Response = response.dyn_into().map_err(failed)?;
    if !response.ok() {
        return Err(format!(
            "{path} could not be fetched (HTTP {})",
            response.status()
        ));
    }
    let text = JsFuture::from(response.text().map_err(failed)?)
        .await
        .map_err(failed)?;
    text.as_string()
        .ok_or_else(|| format!("{path} is not text"))
}

/// The current tour step's panel (nothing outside a tour).
pub fn step_panel(m: &Model, on_intent: &Callback<Intent>) -> Html {
    let Some(t) = &m.full.tour else {
        return Html::default();
    };
    let run = t.run.borrow();
    let step = run.current(&t.tour);
    html! {
        <TourPanel
            tour_name={t.tour.scenario.name.clone()}
            title={step.title.clone()}
            section={step.section.clone()}
            text={step.text.clone()}
            step={run.step}
            steps={t.tour.steps.len()}
            waiting={step.wait.is_some()}
            hint={t.hint.then(|| step.hint.clone()).filter(|h| !h.is_empty())}
            on_intent={on_intent.clone()} />
    }
}

/// What the panel shows of the current step.
#[derive(Properties, Clone, PartialEq)]
pub struct TourPanelProps {
    pub tour_name: String,
    pub title: String,
    pub section: String,
    pub text: String,
    /// 0-based.
    pub step: usize,
    pub steps: usize,
    /// The step waits for the reader to do something.
    pub waiting: bool,
    /// Shown after the reader did something else while it waits.
    pub hint: Option<String>,
    pub on_intent: Callback<Intent>,
}

#[component]
pub fn TourPanel(props: &TourPanelProps) -> Html {
    let last = props.step + 1 >= props.steps;
    let back = on_click(&props.on_intent, Intent::TourBack);
    let next = on_click(&props.on_intent, Intent::TourNext);
    let leave = on_click(&props.on_intent, Intent::LeaveTour);
    html! {
        <section class="panel tour" aria-labelledby="tour-h" data-step={props.step.to_string()}>
            <p class="tour-progress">
                <span class="tour-name">{ props.tour_name.clone() }</span>
                <span aria-live="polite">{ format!("step {} of {}", props.step + 1, props.steps) }</span>
            </p>
            <h2 id="tour-h">{ props.title.clone() }<span class="ssec">{ props.section.clone() }</span></h2>
            <p class="tour-text">{ props.text.clone() }</p>
            if props.waiting {
                <p class="tour-ask">{ "Do it to go on (Next does it for you)." }</p>
            }
            if let Some(hint) = &props.hint {
                <p class="tour-hint" role="status">{ hint.clone() }</p>
            }
            <div class="tour-buttons">
                <button onclick={back} disabled={props.step == 0} title="Previous step (← or PageUp)">{ "← Back" }</button>
                <button class="primary" onclick={next} title="Next step (→, PageDown or .)">{ if last { "Finish" } else { "Next →" } }</button>
                <button onclick={leave} title="Keep the cluster as it is and explore freely">{ "Leave tour" }</button>
            </div>
        </section>
    }
}

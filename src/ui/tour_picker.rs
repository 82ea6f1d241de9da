//! The list of shipped course tours, in both pages (`super::open_tour` opens one: the full
//! page fetches and plays it, the lite page goes to the full page for it).

use super::intent::Intent;
use crate::scenario::tour::SHIPPED;
use yew::prelude::*;

#[derive(Properties, Clone, PartialEq)]
pub struct PickerProps {
    pub on_intent: Callback<Intent>,
}

/// The course tours (the "show me" ones open from their switches in the safety panel).
#[component]
pub fn TourPicker(props: &PickerProps) -> Html {
    let tours = SHIPPED
        .iter()
        .filter(|(id, _)| !id.starts_with("show_"))
        .map(|(id, name)| {
            let (source, on_intent) = (id.to_string(), props.on_intent.clone());
            let onclick = Callback::from(move |_: MouseEvent| {
                super::open_tour(source.clone(), on_intent.clone())
            });
            html! { <li><button class="linkish" {onclick}>{ *name }</button></li> }
        });
    html! {
        <section class="panel tours" aria-labelledby="tours-h">
            <h2 id="tours-h">{ "Guided tours" }</h2>
            <p class="hint">{ "Raft one narrated step at a time, on this live cluster. No reading needed first." }</p>
            <ol>{ for tours }</ol>
        </section>
    }
}

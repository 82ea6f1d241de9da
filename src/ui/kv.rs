//! Each server's applied key-value store (its real state machine).

use crate::sim::{ClusterView, ServerStatus};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, Clone)]
pub struct KvProps {
    pub view: Rc<ClusterView>,
}

impl PartialEq for KvProps {
    fn eq(&self, other: &Self) -> bool {
        // Only the stores and applied indexes matter: skip re-rendering when they are equal.
        Rc::ptr_eq(&self.view, &other.view)
            || (self.view.servers.len() == other.view.servers.len()
                && self
                    .view
                    .servers
                    .iter()
                    .zip(&other.view.servers)
                    .all(|(a, b)| {
                        a.last_applied == b.last_applied && a.status == b.status && a.kv == b.kv
                    }))
    }
}

#[component]
pub fn KvStores(props: &KvProps) -> Html {
    let cards = props.view.servers.iter().map(|s| {
        let rows = s
            .kv
            .iter()
            .take(12)
            .map(|(k, v)| html! { <tr><th scope="row">{ k.clone() }</th><td>{ v.clone() }</td></tr> })
            .collect::<Html>();
        let more = s.kv.len().saturating_sub(12);
        html! {
            <div key={s.id.0 as u64} class={classes!("kvcard", (s.status == ServerStatus::Crashed).then_some("down"))}
                 aria-label={format!("State machine of S{}", s.id.0)} role="group">
                <h3>{ format!("S{}", s.id.0) }<span class="hint">{ format!(" applied {}", s.last_applied) }</span></h3>
                if s.kv.is_empty() {
                    <p class="hint">{ "empty" }</p>
                } else {
                    <table><tbody>{ rows }</tbody></table>
                }
                if more > 0 { <p class="hint">{ format!("… {more} more") }</p> }
            </div>
        }
    });
    html! {
        <section class="panel kv" aria-labelledby="kv-h">
            <h2 id="kv-h">{ "State machines" }</h2>
            <div class="kvgrid">{ for cards }</div>
        </section>
    }
}

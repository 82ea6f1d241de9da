//! The selected message: its Figure 2 fields, and drop / duplicate / delay.

use super::geometry::time_label;
use super::intent::Intent;
use super::log_table::entry_long;
use super::scene::MessageLook;
use super::widgets::{field, on_click};
use crate::raft::types::Message;
use crate::sim::{ClusterView, MessageId};
use yew::prelude::*;

/// The panel for the selected message (shown by `SelectionPanel` in mod.rs).
pub fn message_details(view: &ClusterView, id: MessageId, on_intent: &Callback<Intent>) -> Html {
    let close = on_click(on_intent, Intent::SelectMessage(None));
    let Some(m) = view.messages.iter().find(|m| m.id == id) else {
        return html! {
            <section class="panel msgpanel" aria-labelledby="msg-h">
                <h2 id="msg-h">{ format!("Message #{}", id.0) }
                    <button class="close" aria-label="Close message details" onclick={close}>{ "×" }</button>
                </h2>
                <p class="hint" role="status">{ "This message is no longer in flight (delivered, dropped or lost)." }</p>
            </section>
        };
    };
    let act = |i: Intent| on_click(on_intent, i);
    let words = MessageLook::in_view(view, m).words();
    let fields = match &*m.message {
        Message::RequestVote(r) | Message::PreVote(r) => html! { <>
            { field("term", r.term.to_string()) }
            { field("candidateId", r.candidate_id.to_string()) }
            { field("lastLogIndex", r.last_log_index.to_string()) }
            { field("lastLogTerm", r.last_log_term.to_string()) }
        </> },
        Message::TimeoutNow(t) => html! { <>
            { field("term", t.term.to_string()) }
            { field("leaderId", t.leader_id.to_string()) }
        </> },
        Message::RequestVoteReply(r) | Message::PreVoteReply(r) => html! { <>
            { field("term", r.term.to_string()) }
            { field("voteGranted", r.vote_granted.to_string()) }
        </> },
        Message::AppendEntries(a) => {
            let entries: Vec<String> = a
                .entries
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    format!(
                        "#{} t{} {}",
                        a.prev_log_index.0 + 1 + i as u64,
                        e.term,
                        entry_long(e)
                    )
                })
                .collect();
            html! { <>
                { field("term", a.term.to_string()) }
                { field("leaderId", a.leader_id.to_string()) }
                { field("prevLogIndex", a.prev_log_index.to_string()) }
                { field("prevLogTerm", a.prev_log_term.to_string()) }
                { field("entries[]", if entries.is_empty() { "[] (heartbeat)".into() } else { entries.join("; ") }) }
                { field("leaderCommit", a.leader_commit.to_string()) }
                // Not in Figure 2: the read-confirmation round it carries (§8, ReadIndex).
                if a.read_round > 0 { { field("readRound", a.read_round.to_string()) } }
            </> }
        }
        Message::AppendEntriesReply(r) => html! { <>
            { field("term", r.term.to_string()) }
            { field("success", r.success.to_string()) }
            { field("matchIndex", r.match_index.to_string()) }
            if let Some(ci) = r.conflict_index { { field("conflictIndex", ci.to_string()) } }
            if let Some(ct) = r.conflict_term { { field("conflictTerm", ct.to_string()) } }
            if r.read_round > 0 { { field("readRound", r.read_round.to_string()) } }
        </> },
        // §7, Figure 13.
        Message::InstallSnapshot(i) => html! { <>
            { field("term", i.term.to_string()) }
            { field("leaderId", i.leader_id.to_string()) }
            { field("lastIncludedIndex", i.last_included_index.to_string()) }
            { field("lastIncludedTerm", i.last_included_term.to_string()) }
            { field("offset", i.offset.to_string()) }
            { field("data[]", format!("{} bytes", i.data.len())) }
            { field("done", i.done.to_string()) }
        </> },
        Message::InstallSnapshotReply(r) => html! { <>
            { field("term", r.term.to_string()) }
            { field("lastIncludedIndex", r.last_included_index.to_string()) }
            { field("nextOffset", r.next_offset.to_string()) }
            { field("done", r.done.to_string()) }
        </> },
    };
    html! {
        <section class="panel msgpanel" aria-labelledby="msg-h">
            <h2 id="msg-h">{ format!("Message #{}: {words}", id.0) }
                <button class="close" aria-label="Close message details" onclick={close}>{ "×" }</button>
            </h2>
            <p class="status">{ format!("{} → {}, sent {}, arrives {}", m.from, m.to, time_label(m.sent_at), time_label(m.deliver_at)) }
                if m.doomed { <strong class="doomed-note">{ " — will be lost" }</strong> }
            </p>
            <dl class="fields">{ fields }</dl>
            <div class="actions" role="group" aria-label="Message actions">
                <button onclick={act(Intent::DropMessage(id))}>{ "Drop" }</button>
                <button onclick={act(Intent::DuplicateMessage(id))}>{ "Duplicate" }</button>
                <button onclick={act(Intent::DelayMessage(id, 50_000))}>{ "Delay 50 ms" }</button>
            </div>
        </section>
    }
}

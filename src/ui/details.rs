//! The selected server: Figure 2 state (persistent vs volatile, leader progress) and the
//! buttons that act on it.

use super::client_panel::CommandForm;
use super::intent::Intent;
use super::widgets::{count, field, on_click};
use crate::raft::types::{Role, ServerId};
use crate::sim::{ClusterView, MembershipRole, ServerStatus};
use yew::prelude::*;

/// The panel for the selected server (shown by `SelectionPanel` in mod.rs).
pub fn server_details(view: &ClusterView, server: ServerId, on_intent: &Callback<Intent>) -> Html {
    let Some(s) = view.server(server) else {
        return html! {};
    };
    let id = s.id;
    let act = |i: Intent| on_click(on_intent, i);
    let last = s.last_log_index();
    // After a snapshot the last entry may be the one it covers (§7: lastIncludedTerm).
    let last_term = s.entry(last).map_or(s.last_included_term.0, |e| e.term.0);
    let crashed = s.status == ServerStatus::Crashed;
    let paused = s.status == ServerStatus::Paused;
    let status = match s.status {
        ServerStatus::Up => "running",
        ServerStatus::Crashed => "crashed (volatile state lost)",
        ServerStatus::Paused => "paused (frozen)",
    };
    let (crash_or_restart_label, crash_or_restart) = if crashed {
        ("Restart", Intent::Restart(id))
    } else {
        ("Crash", Intent::Crash(id))
    };
    // `crashed` and `paused` exclude each other: "Resume" is never disabled.
    let (pause_or_resume_label, pause_or_resume) = if paused {
        ("Resume", Intent::Resume(id))
    } else {
        ("Pause", Intent::Pause(id))
    };
    let leader = view.leader().map(|l| l.id);
    // §6: only a voter can be elected.
    let votes = matches!(
        s.membership,
        MembershipRole::Voter | MembershipRole::Leaving
    );
    let can_receive = s.status == ServerStatus::Up && votes && leader.is_some_and(|l| l != id);
    let transfer_title = match leader {
        Some(l) if l == id => "This server leads already".to_string(),
        Some(_) if !votes => "Only a voting member can lead (§6)".to_string(),
        Some(l) => format!("{l} brings S{} up to date, then tells it to start an election at once (TimeoutNow, §3.10)", id.0),
        None => "There is no leader to hand over from".to_string(),
    };
    let progress = if s.role == Role::Leader && !crashed {
        let rows = s
            .progress
            .iter()
            .map(|p| {
                html! {
                    <tr><th scope="row">{ p.follower.to_string() }</th><td>{ p.next_index.0 }</td><td>{ p.match_index.0 }</td></tr>
                }
            })
            .collect::<Html>();
        html! {
            <table class="progress" aria-label="Leader progress">
                <thead><tr><th>{ "follower" }</th><th>{ "nextIndex" }</th><th>{ "matchIndex" }</th></tr></thead>
                <tbody>{ rows }</tbody>
            </table>
        }
    } else {
        html! {}
    };
    let votes = if s.role == Role::Candidate && !crashed {
        let names: Vec<String> = s.votes_granted.iter().map(|v| v.to_string()).collect();
        html! { <p>{ format!("Votes granted this term: {}", names.join(", ")) }</p> }
    } else {
        html! {}
    };
    html! {
        <section class="panel details" aria-labelledby="details-h">
            <h2 id="details-h">{ format!("Server S{}", id.0) }
                <button class="close" aria-label="Close server details" onclick={act(Intent::SelectServer(None))}>{ "×" }</button>
            </h2>
            <p class="status">{ format!("{} · {} · {}", if crashed { "—".to_string() } else { s.role.to_string() }, status, s.membership.word()) }</p>
            <div class="actions" role="group" aria-label={format!("Actions for S{}", id.0)}>
                <button onclick={act(crash_or_restart)}>{ crash_or_restart_label }</button>
                <button onclick={act(Intent::Timeout(id))} disabled={crashed || paused}>{ "Force timeout" }</button>
                <button onclick={act(pause_or_resume)} disabled={crashed}>{ pause_or_resume_label }</button>
                // Dissertation §3.10: the leader brings this server up to date, then sends it
                // TimeoutNow; a recorded action, so time travel and links replay it.
                <button onclick={act(Intent::TransferLeadership(id))} disabled={!can_receive}
                        title={transfer_title}>{ format!("Transfer leadership to S{}", id.0) }</button>
                <button onclick={act(Intent::RemoveServer(id))} disabled={s.membership == MembershipRole::Removed}
                        title="Ask the leader to remove this server from the configuration (§6)">{ "Remove from cluster" }</button>
            </div>
            <div class="fig2">
                <div>
                    <h3>{ "Persistent state" }</h3>
                    <dl>
                        { field("currentTerm", s.current_term.0.to_string()) }
                        { field("votedFor", s.voted_for.map(|v| v.to_string()).unwrap_or_else(|| "null".into())) }
                        { field("log[]", format!("{}, last index {}, last term {}", count(s.log.len(), "entry", "entries"), last, last_term)) }
                        if s.log_start.0 > 1 {
                            { field("snapshot (§7)", format!("entries 1–{} compacted: lastIncludedIndex {}, lastIncludedTerm {}", s.log_start.0 - 1, s.log_start.0 - 1, s.last_included_term)) }
                        }
                    </dl>
                </div>
                <div>
                    <h3>{ "Volatile state" }</h3>
                    if crashed {
                        <p class="hint">{ "Lost in the crash; rebuilt on restart." }</p>
                    } else {
                        <dl>
                            { field("commitIndex", s.commit_index.0.to_string()) }
                            { field("lastApplied", s.last_applied.0.to_string()) }
                            { field("leader (believed)", s.leader_hint.map(|v| v.to_string()).unwrap_or_else(|| "unknown".into())) }
                        </dl>
                    }
                </div>
            </div>
            { votes }
            { progress }
            <CommandForm on_intent={on_intent.clone()} fixed_target={Some(id)} />
        </section>
    }
}

//! Keyboard shortcuts: one key per action, `?` lists them. Keys typed into an input are ignored.

use super::intent::Intent;
use yew::prelude::*;

/// (key, what it does), in the order the help shows them.
pub const KEYS: [(&str, &str); 22] = [
    ("space / .", "play or pause"),
    ("N", "step to the next event"),
    ("+ / −", "faster / slower"),
    ("← / →", "travel back / forward 100 ms"),
    ("C", "client request to the leader (SET with a fresh value)"),
    (
        "R",
        "restart the leader: it crashes and comes back at once, as a follower",
    ),
    ("1 … 9", "select server S1 … S9"),
    ("K", "crash the selected server (or the leader)"),
    ("O", "force the selected server's election timeout"),
    ("Z", "pause / resume the selected server"),
    ("X", "drop the selected message"),
    ("U", "restart every crashed server"),
    ("T", "spread timers apart: the first to fire wins alone"),
    ("A", "align timers: they fire together (split vote)"),
    ("L", "log replication scenario"),
    ("B", "resume all paused servers"),
    ("F", "fork: forget the recorded future from this moment"),
    ("P", "partition: isolate the leader"),
    ("H", "heal the network"),
    ("D", "dark / light theme"),
    ("Esc", "close panels, deselect"),
    ("?", "show or hide this help"),
];

/// The intent for a key press, if any.
pub fn intent_for(key: &str) -> Option<Intent> {
    Some(match key {
        " " | "." => Intent::TogglePlay,
        "n" | "N" => Intent::StepEvent,
        "c" | "C" => Intent::QuickClient,
        "r" | "R" => Intent::RestartLeader,
        "t" | "T" => Intent::SpreadTimers,
        "a" | "A" => Intent::AlignTimers,
        "l" | "L" => Intent::LoadPreset(usize::MAX),
        "b" | "B" => Intent::ResumeAll,
        "f" | "F" => Intent::Fork,
        "p" | "P" => Intent::IsolateLeader,
        "h" | "H" => Intent::Heal,
        "d" | "D" => Intent::ToggleTheme,
        "?" => Intent::ToggleHelp,
        "k" | "K" => Intent::CrashSelected,
        "o" | "O" => Intent::TimeoutSelected,
        "z" | "Z" => Intent::PauseSelected,
        "x" | "X" => Intent::DropSelected,
        k if k.len() == 1 && ("1"..="9").contains(&k) => Intent::SelectNth(k.parse().unwrap_or(1)),
        "u" | "U" => Intent::RestartCrashed,
        "+" | "=" => Intent::SpeedStep { faster: true },
        "-" | "_" => Intent::SpeedStep { faster: false },
        "ArrowLeft" => Intent::SeekBy(-100_000),
        "ArrowRight" => Intent::SeekBy(100_000),
        "Escape" => Intent::Escape,
        _ => return None,
    })
}

/// The list of shortcuts (shown over the page while `?` is on).
pub fn help_dialog(on_intent: &Callback<Intent>) -> Html {
    let close = super::widgets::on_click(on_intent, Intent::ToggleHelp);
    html! {
        <div class="help-backdrop">
            <div class="help" role="dialog" aria-modal="true" aria-labelledby="help-h">
                <h2 id="help-h">{ "Keyboard shortcuts" }</h2>
                <dl>
                    { for KEYS.iter().map(|(k, what)| html! { <><dt><kbd>{ *k }</kbd></dt><dd>{ *what }</dd></> }) }
                </dl>
                <p class="hint">{ "Click a server or a message to see it and act on it. Keys are ignored while you type in a box." }</p>
                <button onclick={close} autofocus=true>{ "Close" }</button>
            </div>
        </div>
    }
}

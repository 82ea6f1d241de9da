//! The lite page's side of `state/full.rs`: the sandbox, built without the scenario code. No
//! preset is loaded and no tour played here, so the methods the rest of the model calls have
//! nothing to do; a preset, a tour, Share and a dropped file take the reader to the full page
//! (`ui::lite`), with the view they have now: a preset or a tour by its address, Share and a
//! file with the run handed over (`scenario::handover`), so that the full page shows the same
//! run.

use super::super::address::{ViewNow, Wanted};
use super::super::intent::Intent;
use super::super::lite::{drop_handover_name, go_to_full, hand_over};
use super::{Model, UrlOptions};
use crate::scenario::handover::{Handover, Then};
use crate::scenario::{Lit, Reaction};
use crate::sim::{Action, Micros};

/// Said while the browser leaves for the full page.
const OPENING: &str = "Opening the full page…";

/// The lite page has none of the full page's state (presets, tour, Share dialog).
#[derive(Clone, Default)]
pub struct Full {}

impl Model {
    pub fn in_tour(&self) -> bool {
        false
    }

    pub fn spotlight(&self) -> Option<Lit> {
        None
    }

    /// An address with a Share link, a preset or a tour is the full page's: its `index.html`
    /// goes there before this page loads; should this page start anyway, it goes now.
    pub(super) fn open_address(
        &mut self,
        url: &UrlOptions,
        link: Option<&str>,
        _applied: &mut Vec<String>,
        _problems: &mut Vec<String>,
    ) -> bool {
        let link = link.filter(|l| l.starts_with('v'));
        if link.is_some() || url.preset.is_some() || url.tour.is_some() {
            let location = gloo::utils::window().location();
            let search = location.search().unwrap_or_default();
            let hash = location.hash().unwrap_or_default();
            let _ = location.replace(&format!("full/{search}{hash}"));
        }
        false
    }

    /// The view the user has now, which the full page opens with.
    fn view_now(&self) -> ViewNow {
        let default_speed = if self.lecture {
            super::LECTURE_SPEED
        } else {
            super::DEFAULT_SPEED
        };
        ViewNow {
            speed: (self.speed != default_speed).then_some(self.speed),
            lecture: self.lecture,
            dark: self.dark,
        }
    }

    /// Presets, tours, Share and import: to the full page.
    pub(super) fn handle_scenarios(&mut self, intent: Intent) {
        let handover = |then| Handover::of(self.sim.borrow().config(), &self.sim.borrow(), then);
        let view = self.view_now();
        let left = match intent {
            Intent::LoadPreset(i) => {
                // `usize::MAX` (the L key): the log replication preset.
                let ids = crate::scenario::presets::IDS;
                let id = ids.get(i).unwrap_or(&"log_replication");
                go_to_full(Wanted::Preset(id), &view)
            }
            Intent::TourOnFullPage(source) => go_to_full(Wanted::Tour(&source), &view),
            Intent::ToggleShare => hand_over(&handover(Then::Share), &view),
            Intent::Import { name, text } => hand_over(
                &Handover {
                    file: Some(text),
                    file_name: Some(name),
                    ..handover(Then::Import)
                },
                &view,
            ),
            Intent::BackFromFullPage => {
                // Back from the full page, restored as it was left: it is not opening any
                // more. (A notice that it could not be opened still holds.) A handover left in
                // the tab's name, the full page never took.
                if self.notice.as_deref() == Some(OPENING) {
                    self.notice = None;
                }
                drop_handover_name();
                return;
            }
            // No tour is played here, and only the full page takes a handover.
            _ => return,
        };
        match left {
            Ok(()) => {
                self.playing = false;
                self.notice = Some(OPENING.into());
            }
            Err(why) => {
                self.notice = Some(format!("The full page could not be opened: {why}."));
            }
        }
    }

    /// The sandbox replays only its own log, which the world never refuses.
    pub(super) fn tell_refused(&mut self, _before: usize) {}

    pub(super) fn preset_caption(&self) -> Option<String> {
        None
    }

    pub(super) fn close_share(&mut self) {}

    pub(super) fn tour_advance(&mut self, _target: Micros) -> bool {
        false
    }

    pub(super) fn tour_reaction(&self, _action: &Action) -> Option<Reaction> {
        None
    }

    pub(super) fn tour_reacted(&mut self, _reaction: Option<Reaction>) {}

    pub(super) fn tour_step_began_after(&self, _t: Micros) -> bool {
        false
    }

    pub(super) fn leave_tour(&mut self, _notice: &str) {}

    pub(super) fn end_tour(&mut self) {}

    pub(super) fn next_preset_step_time(&self) -> Option<Micros> {
        None
    }

    pub(super) fn apply_preset_step(&mut self) {}

    pub(super) fn resync_preset(&mut self) {}
}

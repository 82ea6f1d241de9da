//! What the full page does with scenarios: the presets and their steps, Share links (made
//! and opened), scenario files (exported and imported), guided tours, the Share dialog, and
//! the run the lite page hands over (`scenario::handover`). Built with the `full` feature; the
//! lite page has `state/lite.rs` in its place, with the same methods the rest of the model
//! calls (`pub(super)` below).

use super::super::intent::Intent;
use super::super::presets::{self, Preset};
use super::super::seconds;
use super::{Model, UrlOptions, DEFAULT_SPEED, VIOLATION_NOTICE};
use crate::raft::types::Command;
use crate::scenario::handover::{Handover, Then};
use crate::scenario::permalink::{SharedRun, TourPlace};
use crate::scenario::{Lit, Reaction, Scenario, Stop, Tour, TourRun};
use crate::sim::{Action, Micros, Sim, SimConfig};
use std::cell::RefCell;
use std::rc::Rc;

/// What only the full page has.
#[derive(Clone)]
pub struct Full {
    /// The presets (and a scenario read from a file or a link, as `FILE_PRESET`).
    pub presets: Rc<Vec<Preset>>,
    /// The guided tour being played, if any.
    pub tour: Option<ActiveTour>,
    /// A Share link's tour place, until its tour file arrives (the page fetches it).
    pub pending_tour: Option<PendingTour>,
    /// The Share dialog, when open: what it offers, made when it was opened.
    pub share: Option<Rc<ShareData>>,
}

impl Default for Full {
    fn default() -> Full {
        Full {
            presets: Rc::new(presets::all()),
            tour: None,
            pending_tour: None,
            share: None,
        }
    }
}

/// A guided tour being played on the page's simulator.
#[derive(Clone)]
pub struct ActiveTour {
    /// What was opened: a shipped tour's name or a path.
    pub source: String,
    pub tour: Rc<Tour>,
    pub run: Rc<RefCell<TourRun>>,
    /// The reader did something else than the step asks: its hint shows.
    pub hint: bool,
}

impl ActiveTour {
    pub fn step(&self) -> usize {
        self.run.borrow().step
    }
}

/// A Share link made during a tour, waiting for its tour file to arrive (`Intent::OpenTour`):
/// the tour then opens at the link's step and time.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingTour {
    pub place: TourPlace,
    pub at_us: Micros,
}

/// What the Share dialog offers: the link (a fragment to put after the page's address), the
/// run as a scenario file, the narrated trace as text and as one JSON object per line.
#[derive(Debug, PartialEq)]
pub struct ShareData {
    pub link: String,
    pub scenario_json: String,
    /// Actions a scenario file cannot name (messages by id), left out of `scenario_json`.
    pub left_out: usize,
    pub trace_text: String,
    pub trace_jsonl: String,
}

/// The id under which a scenario read from a file or a link is kept among the presets.
pub const FILE_PRESET: &str = "file";

impl Model {
    /// Whether a guided tour is being played (some keys then mean Next and Back).
    pub fn in_tour(&self) -> bool {
        self.full.tour.is_some()
    }

    /// What the current tour step spotlights, resolved on the simulator now.
    pub fn spotlight(&self) -> Option<Lit> {
        let t = self.full.tour.as_ref()?;
        let lit = t.run.borrow().spotlight(&t.tour, &self.sim.borrow());
        lit
    }

    /// Opens what the page's address asks for: a Share link (`link`, the address's fragment,
    /// `v2.…`) or a preset (`?preset=`). What it did goes into `applied`, what it could not
    /// into `problems`. True if the address held a link (its run's seed, servers and speed
    /// then hold).
    pub(super) fn open_address(
        &mut self,
        url: &UrlOptions,
        link: Option<&str>,
        applied: &mut Vec<String>,
        problems: &mut Vec<String>,
    ) -> bool {
        let Some(link) = link.filter(|l| l.starts_with('v')) else {
            if let Some(id) = &url.preset {
                match self.full.presets.iter().position(|p| p.id == id) {
                    Some(i) => {
                        self.load_preset(i);
                        applied.push(format!("preset \"{id}\""));
                    }
                    None => problems.push(format!("there is no preset \"{id}\"")),
                }
            }
            return false;
        };
        let run = SharedRun::from_link(link).map_err(|e| e.to_string());
        // A link made in a tour: the run shows at once, and the tour opens at its step
        // once its file arrives (`open_pending_tour`).
        let place = run.as_ref().ok().and_then(|r| r.tour.clone());
        match run.and_then(|run| {
            let at_us = run.at_us;
            self.load_run(run).map(|()| at_us)
        }) {
            Ok(at_us) => {
                let without = self.refused_since(0).map(|r| format!(", without {r}"));
                applied.push(format!(
                    "the shared run, paused at {} (press play to go on){}",
                    seconds(self.now),
                    without.unwrap_or_default()
                ));
                self.full.pending_tour = place.map(|place| PendingTour { place, at_us });
            }
            Err(e) => problems.push(format!("the shared link could not be opened: {e}")),
        }
        true
    }

    /// Presets, tours, Share and import (`Model::handle` passes them on).
    pub(super) fn handle_scenarios(&mut self, intent: Intent) {
        match intent {
            Intent::LoadPreset(i) => {
                // `usize::MAX` (the L key): the log replication preset.
                let i = if i == usize::MAX {
                    self.full
                        .presets
                        .iter()
                        .position(|p| p.id == "log_replication")
                        .unwrap_or(0)
                } else {
                    i
                };
                self.load_preset(i);
                self.playing = true;
            }
            Intent::OpenTour { source, text } => {
                let tour = text.and_then(|t| Tour::from_json(&t).map_err(|e| e.to_string()));
                let pending = self
                    .full
                    .pending_tour
                    .take_if(|p| p.place.id == source && tour.is_ok());
                match tour {
                    Ok(tour) => {
                        self.start_tour(source, tour);
                        if let Some(pending) = pending {
                            self.open_pending_tour(pending);
                        }
                    }
                    Err(why) => {
                        self.notice = Some(format!(
                            "The tour \"{source}\" could not be opened: {why}. The cluster goes on as it was."
                        ))
                    }
                }
            }
            Intent::TourNext => self.tour_step(true),
            Intent::TourBack => self.tour_step(false),
            Intent::LeaveTour => {
                self.leave_tour("You left the tour: the cluster stays as it is, explore freely.")
            }
            Intent::ToggleShare => match self.full.share {
                Some(_) => self.full.share = None,
                None => self.open_share(),
            },
            Intent::Import { name, text } => self.import(&name, &text),
            Intent::TakeHandover(text) => self.take_handover(&text),
            _ => {}
        }
    }

    /// The actions of a replayed log (a link's, a handover's) that the world refused when
    /// their moment came, from the `from`th refusal on, in words: "an action the run refused
    /// (at 2.0 s: S2 is not crashed)". The simulator skips them (`Sim::refused_actions`);
    /// only a log made by hand holds any, and the reader should know what did not happen.
    fn refused_since(&self, from: usize) -> Option<String> {
        let sim = self.sim.borrow();
        let each: Vec<String> = sim
            .refused_actions()
            .iter()
            .skip(from)
            .map(|r| {
                let time = sim.actions().get(r.index).map_or(0, |a| a.time);
                format!("at {}: {}", seconds(time), r.error)
            })
            .collect();
        match each.len() {
            0 => None,
            1 => Some(format!("an action the run refused ({})", each[0])),
            n => Some(format!("{n} actions the run refused ({})", each.join("; "))),
        }
    }

    /// Says so when playing on reached actions of the log that the run refused (after the
    /// first `before` refusals; the ones before the moment opened at were said then).
    pub(super) fn tell_refused(&mut self, before: usize) {
        if let Some(refused) = self.refused_since(before) {
            let skipped = format!("Skipped {refused}.");
            self.notice = Some(match self.notice.take() {
                Some(notice) => format!("{notice} {skipped}"),
                None => skipped,
            });
        }
    }

    /// The preset's description, to show again after the run restarted.
    pub(super) fn preset_caption(&self) -> Option<String> {
        let p = self.full.presets.get(self.preset?)?;
        Some(p.scenario().description.clone())
    }

    /// The Share dialog closes (Escape).
    pub(super) fn close_share(&mut self) {
        self.full.share = None;
    }

    /// A tour's step, advanced to `target` instead of the sandbox's run (false: no tour).
    pub(super) fn tour_advance(&mut self, target: Micros) -> bool {
        let Some(t) = self.full.tour.clone() else {
            return false;
        };
        let stop = t.run.borrow_mut().advance(
            &t.tour,
            &mut self.sim.borrow_mut(),
            &mut self.checker.borrow_mut(),
            target,
        );
        match stop {
            Stop::Reached => {}
            // The step has shown what it shows: time holds for the reader.
            Stop::RunOver => self.playing = false,
            Stop::Violation => {
                self.playing = false;
                self.notice = Some(VIOLATION_NOTICE.into());
            }
        }
        true
    }

    /// What `action` means to a tour step that waits for the reader, judged before it changes
    /// the cluster ("crash the leader": the leader as it is now).
    pub(super) fn tour_reaction(&self, action: &Action) -> Option<Reaction> {
        let t = self.full.tour.as_ref()?;
        let reaction = t
            .run
            .borrow()
            .reader_acts(&t.tour, &self.sim.borrow(), action);
        Some(reaction)
    }

    /// The reader's action was applied: the step it was asked for moves on; anything else
    /// shows the step's hint.
    pub(super) fn tour_reacted(&mut self, reaction: Option<Reaction>) {
        match (reaction, self.full.tour.clone()) {
            (Some(Reaction::Asked), Some(t)) => {
                t.run.borrow_mut().asked_done(
                    &t.tour,
                    &mut self.sim.borrow_mut(),
                    &mut self.checker.borrow_mut(),
                );
                self.entered_tour_step();
            }
            (Some(Reaction::Other), Some(_)) => {
                if let Some(t) = &mut self.full.tour {
                    t.hint = true;
                }
            }
            _ => {}
        }
    }

    /// Whether the current tour step began after `t` (going back there leaves the tour: its
    /// actions would happen twice; earlier steps are reached with Back).
    pub(super) fn tour_step_began_after(&self, t: Micros) -> bool {
        self.full
            .tour
            .as_ref()
            .is_some_and(|tour| t < tour.run.borrow().started_at)
    }

    /// The run restarts: a tour being played ends.
    pub(super) fn end_tour(&mut self) {
        self.full.tour = None;
    }

    /// Advances to `at` however often it stops on the way: every event is checked, as when
    /// it was first run (a violation or a tour step's end stops `advance_to`; the run goes on
    /// to the moment asked for).
    fn run_on_to(&mut self, at: Micros) {
        while self.sim.borrow().now() < at {
            let before = self.sim.borrow().events_processed();
            self.advance_to(at);
            if self.sim.borrow().events_processed() == before && self.sim.borrow().now() < at {
                break;
            }
        }
    }

    pub(super) fn next_preset_step_time(&self) -> Option<Micros> {
        let p = self.full.presets.get(self.preset?)?;
        let step = p.scenario().steps.get(self.steps_done)?;
        // Steps passed before are in the action log and replay from it; `steps_done` only
        // grows along one timeline (a fork re-syncs it).
        Some(step.at_ms * 1000)
    }

    pub(super) fn apply_preset_step(&mut self) {
        // Hold the shared presets (an Rc) rather than cloning the whole scenario for one step.
        let presets = self.full.presets.clone();
        let preset = self.preset.and_then(|i| presets.get(i));
        let Some(step) = preset.and_then(|p| p.scenario().steps.get(self.steps_done)) else {
            return;
        };
        self.steps_done += 1;
        let action = presets::step_action(&self.sim.borrow(), &step.action);
        match action {
            Ok(Some(action)) => {
                let result = self.sim.borrow_mut().apply(action);
                match result {
                    Ok(_) => {
                        self.checker.borrow_mut().observe_sim(&self.sim.borrow());
                    }
                    Err(e) => self.notice = Some(format!("Preset step skipped: {e}")),
                }
            }
            Ok(None) => {}
            Err(e) => self.notice = Some(format!("Preset step skipped: {e}")),
        }
        if let Some(note) = &step.note {
            self.step_note = Some(note.clone());
        }
    }

    fn load_preset(&mut self, i: usize) {
        let Some(p) = self.full.presets.get(i) else {
            return;
        };
        let mut config = presets::sim_config(p.scenario());
        config.trace_capacity = 2000;
        config.raft.knobs = config.raft.knobs.clone();
        self.caption = Some(p.scenario().description.clone());
        self.config = config;
        self.preset = Some(i);
        self.restart_world();
    }

    /// Keeps `scenario` (from a file or a link) among the presets, as `FILE_PRESET`, and
    /// returns its index.
    fn keep_file_preset(&mut self, scenario: Scenario) -> usize {
        let mut presets: Vec<Preset> = (*self.full.presets).clone();
        presets.retain(|p| p.id != FILE_PRESET);
        presets.push(Preset::of(FILE_PRESET, scenario));
        self.full.presets = Rc::new(presets);
        self.full.presets.len() - 1
    }

    /// Opens a shared run: its configuration, its action log replayed exactly up to the
    /// moment shown, paused there.
    fn load_run(&mut self, run: SharedRun) -> Result<(), String> {
        let index = match &run.preset {
            Some(id) => Some(
                self.full
                    .presets
                    .iter()
                    .position(|p| p.id == id)
                    .ok_or_else(|| format!("there is no preset \"{id}\""))?,
            ),
            None if !run.scenario.steps.is_empty() => {
                Some(self.keep_file_preset(run.scenario.clone()))
            }
            None => None,
        };
        let config = presets::sim_config(&run.scenario);
        let sim = Sim::replay(config.clone(), run.actions).map_err(|e| e.to_string())?;
        self.open_replay(config, sim, index, run.steps_done, run.at_us);
        if let Some(speed) = run.speed {
            self.speed = super::super::speed::clamp(speed);
        }
        Ok(())
    }

    /// Shows a replayed run (`sim`, a `Sim::replay` of a run started from `config`, with
    /// `steps_done` steps of `preset` behind it) paused at `at_us`: a Share link's run or the
    /// one the lite page handed over.
    fn open_replay(
        &mut self,
        config: SimConfig,
        sim: Sim,
        preset: Option<usize>,
        steps_done: usize,
        at_us: Micros,
    ) {
        // C goes on counting from the highest value it sent (SET x n), as it would have.
        let quick_value = sim
            .actions()
            .iter()
            .filter_map(|a| match &a.action {
                Action::ClientRequest {
                    command: Command::Set { key, value },
                    ..
                } if key == "x" => value.parse::<u32>().ok(),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        self.config = config;
        self.preset = preset;
        self.restart_world();
        *self.sim.borrow_mut() = sim;
        let steps = preset.map(|i| self.full.presets[i].scenario().clone());
        self.caption = steps.as_ref().map(|s| s.description.clone());
        self.steps_done = steps_done;
        self.step_note = steps.and_then(|s| {
            s.steps
                .iter()
                .take(steps_done)
                .filter_map(|s| s.note.clone())
                .next_back()
        });
        self.run_on_to(at_us);
        self.quick_value = quick_value;
        self.playing = false;
        self.refresh(true);
    }

    /// The run the lite page handed over (`scenario::handover`): rebuilt event for event,
    /// shown paused where the reader was, then what they asked for there: the Share dialog,
    /// or the import of their file. A damaged handover leaves the page's own run, with a
    /// notice.
    fn take_handover(&mut self, text: &str) {
        let handover =
            Handover::from_json(text, &presets::page_memory()).and_then(|h| Ok((h.replay()?, h)));
        let (sim, handover) = match handover {
            Ok(both) => both,
            Err(e) => {
                self.notice = Some(format!(
                    "The run from the previous page could not be taken over ({e}). A new run instead."
                ));
                return;
            }
        };
        self.open_replay(handover.config, sim, None, 0, handover.at_us);
        let without = self.refused_since(0).map(|r| format!(", without {r}"));
        self.notice = Some(format!(
            "Your run, paused at {} (press play to go on){}.",
            seconds(self.now),
            without.unwrap_or_default()
        ));
        match handover.then {
            Then::Share => self.open_share(),
            Then::Import => self.import(
                handover.file_name.as_deref().unwrap_or("The file"),
                handover.file.as_deref().unwrap_or_default(),
            ),
        }
    }

    /// Opens the Share dialog for the run as it is now (time stops).
    fn open_share(&mut self) {
        self.playing = false;
        self.full.share = Some(Rc::new(self.share_data()));
    }

    /// What the Share dialog offers for the run as it is now.
    fn share_data(&self) -> ShareData {
        let sim = self.sim.borrow();
        let preset = self.preset.and_then(|i| self.full.presets.get(i));
        let builtin = preset.filter(|p| p.id != FILE_PRESET);
        let scenario = Scenario {
            version: crate::scenario::FORMAT_VERSION,
            name: preset.map_or("Shared run".into(), |p| p.scenario().name.clone()),
            // A built-in preset's text and steps come with the page; a file's travel along.
            description: String::new(),
            seed: self.config.seed,
            cluster: crate::scenario::ClusterSpec::of(&self.config),
            end_ms: None,
            steps: match (preset, builtin) {
                (Some(p), None) => p.scenario().steps.clone(),
                _ => Vec::new(),
            },
        };
        let run = SharedRun {
            preset: builtin.map(|p| p.id.to_string()),
            steps_done: if preset.is_some() { self.steps_done } else { 0 },
            actions: sim.actions().to_vec(),
            at_us: self.now,
            speed: (self.speed != DEFAULT_SPEED).then_some(self.speed),
            tour: self.full.tour.as_ref().map(|t| TourPlace {
                id: t.source.clone(),
                step: t.step() as u32,
            }),
            ..SharedRun::of(scenario)
        };
        let steps = preset.map_or(&[][..], |p| &p.scenario().steps[..]);
        let (mut file, left_out) = run.to_scenario(steps);
        if let Some(p) = preset {
            file.description = p.scenario().description.clone();
        }
        let mut trace_text = String::new();
        let mut trace_jsonl = String::new();
        for e in sim.trace() {
            trace_text.push_str(&format!(
                "[{:>10} ms] {:<6} {}\n",
                crate::sim::Decimal::millis_shortest(e.time),
                e.section(),
                e.explain()
            ));
            let line = serde_json::json!({
                "seq": e.seq,
                "time_us": e.time,
                "server": e.server.map(|s| s.to_string()),
                "section": e.section(),
                "text": e.explain(),
            });
            trace_jsonl.push_str(&line.to_string());
            trace_jsonl.push('\n');
        }
        ShareData {
            link: run.to_link(),
            scenario_json: file.to_json(),
            left_out,
            trace_text,
            trace_jsonl,
        }
    }

    /// Loads a scenario file's text; a bad file leaves the run as it is, with a message.
    fn import(&mut self, name: &str, text: &str) {
        match Scenario::from_json(text) {
            Ok(scenario) => {
                let title = scenario.name.clone();
                let i = self.keep_file_preset(scenario);
                self.load_preset(i);
                self.playing = true;
                self.full.share = None;
                self.notice = Some(format!("Loaded \"{title}\" from {name}."));
            }
            Err(e) => {
                self.notice = Some(format!("{name} is not a scenario this page can read: {e}."))
            }
        }
    }

    pub(super) fn resync_preset(&mut self) {
        if let Some(p) = self.preset.and_then(|i| self.full.presets.get(i)) {
            let now = self.now;
            self.steps_done = p
                .scenario()
                .steps
                .iter()
                .take_while(|s| s.at_ms * 1000 < now)
                .count();
        }
    }

    /// Opens a tour: a fresh cluster of its configuration, at its first step, playing.
    fn start_tour(&mut self, source: String, tour: Tour) {
        let mut config = presets::sim_config(&tour.scenario);
        config.trace_capacity = 2000;
        self.config = config;
        self.preset = None;
        self.caption = None;
        self.restart_world();
        let run = TourRun::start(
            &tour,
            &mut self.sim.borrow_mut(),
            &mut self.checker.borrow_mut(),
            false,
        );
        self.full.tour = Some(ActiveTour {
            source,
            tour: Rc::new(tour),
            run: Rc::new(RefCell::new(run)),
            hint: false,
        });
        self.entered_tour_step();
    }

    /// A Share link's tour, just started: on to the link's step (Next as many times, as the
    /// reader went there) and on to its moment, paused.
    fn open_pending_tour(&mut self, pending: PendingTour) {
        let steps = self.full.tour.as_ref().map_or(0, |t| t.tour.steps.len());
        let step = pending.place.step as usize;
        if step >= steps {
            self.notice = Some(format!(
                "The link's tour step {} is not in this tour (it has {steps}): it starts at its first.",
                step + 1
            ));
            return;
        }
        for _ in 0..step {
            self.tour_step(true);
        }
        self.run_on_to(pending.at_us);
        self.playing = false;
        self.refresh(true);
        self.notice = Some(format!(
            "From the link: the tour at step {} of {steps}, paused at {} (press play to go on).",
            step + 1,
            seconds(self.now)
        ));
    }

    /// Next (or Back) in the tour. Next on the last step ends the tour.
    fn tour_step(&mut self, next: bool) {
        let Some(t) = self.full.tour.clone() else {
            return;
        };
        let moved = {
            let mut run = t.run.borrow_mut();
            let (mut sim, mut checker) = (self.sim.borrow_mut(), self.checker.borrow_mut());
            if next {
                run.next(&t.tour, &mut sim, &mut checker)
            } else {
                run.back(&t.tour, &mut sim, &mut checker)
            }
        };
        if next && !moved {
            self.leave_tour("Tour finished: the cluster is yours to explore.");
        } else if moved {
            self.entered_tour_step();
        }
    }

    /// A tour step began (Next, Back, or the reader did what was asked): it plays, and the
    /// picture starts afresh from there (Back replaced the simulator with an earlier one).
    fn entered_tour_step(&mut self) {
        if let Some(t) = &mut self.full.tour {
            t.hint = false;
        }
        self.horizon = self.sim.borrow().now();
        // A step with nothing to run (one that waits for the reader) holds time at once.
        self.playing = !self
            .full
            .tour
            .as_ref()
            .is_some_and(|t| t.run.borrow().run_over);
        self.selected_message = None;
        self.ghosts = Rc::new(Vec::new());
        self.undo = None;
        self.notice = None;
        self.verdict_for = None;
        self.refresh(true);
    }

    pub(super) fn leave_tour(&mut self, notice: &str) {
        if self.full.tour.take().is_some() {
            self.notice = Some(notice.into());
        }
    }
}

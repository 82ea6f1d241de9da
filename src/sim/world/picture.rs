//! The picture of the world handed to the UI and to tests (`ClusterView`), sharing unchanged
//! logs, stores and the history with the previous picture through the `ViewCache`.

use super::messages::Envelope;
use super::queue::Event;
use super::{Node, World};
use crate::raft::{Configuration, Message, Role, ServerSet};
use crate::sim::view::*;
use crate::sim::view_cache::{CachedParts, ViewCache};
use std::sync::Arc;

impl World {
    fn server_view(
        &self,
        node: &Node,
        cached: &mut CachedParts,
        index: usize,
        cluster: &Configuration,
    ) -> ServerView {
        let server = &node.server;
        let role = server.role();
        let (election_deadline, election_started) = match (&node.frozen, node.status) {
            (_, ServerStatus::Crashed) => (None, None),
            (Some(frozen), _) => (
                frozen.election_remaining.map(|r| self.now + r),
                node.election_started
                    .map(|s| s + (self.now - frozen.paused_at)),
            ),
            (None, _) => (node.election_deadline, node.election_started),
        };
        ServerView {
            id: server.id(),
            status: node.status,
            role,
            current_term: server.current_term(),
            voted_for: server.voted_for(),
            log: cached
                .log(index)
                .get(node.log_version, || server.log_entries().to_vec()),
            log_start: server.log_start(),
            last_included_term: server.log().snapshot_boundary().1,
            commit_index: server.commit_index(),
            last_applied: server.last_applied(),
            progress: if role == Role::Leader {
                server
                    .progress()
                    .iter()
                    .map(|p| FollowerProgress {
                        follower: p.follower,
                        next_index: p.next_index,
                        match_index: p.match_index,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            votes_granted: if role == Role::Candidate {
                server.votes().iter().collect()
            } else {
                Vec::new()
            },
            leader_hint: server.leader_hint(),
            election_deadline,
            election_timer_started: election_started,
            kv: cached
                .kv(index)
                .get(node.kv_version, || server.kv().data().clone()),
            beyond_figure2: beyond_figure2(node),
            configuration: *server.configuration(),
            config_index: server.config_index(),
            membership: MembershipRole::of(server.id(), cluster),
        }
    }

    /// §6: the cluster's configuration: the leader's (of the highest term), else that of the
    /// live server with the most up-to-date log (§5.4.1).
    pub fn cluster_configuration(&self) -> ClusterConfigurationView {
        let live = || {
            self.nodes
                .iter()
                .filter(|n| n.status != ServerStatus::Crashed)
        };
        let source = live()
            .filter(|n| n.server.role() == Role::Leader)
            .max_by_key(|n| n.server.current_term())
            .or_else(|| {
                live().max_by_key(|n| (n.server.log().last_term(), n.server.last_log_index()))
            })
            .or_else(|| self.nodes.first());
        match source {
            Some(node) => {
                let server = &node.server;
                ClusterConfigurationView {
                    config: *server.configuration(),
                    index: server.config_index(),
                    committed: server.config_index() <= server.commit_index(),
                    source: Some(server.id()),
                }
            }
            None => ClusterConfigurationView::default(),
        }
    }

    /// §6: the servers the picture draws on the ring, as `ClusterView::ring` gives them: all
    /// but the crashed ones that are not members of the cluster's configuration (removed and
    /// shut down, `MembershipRole::on_ring`). Asked after every step once some server is
    /// crashed, so it looks the configuration up only then, and works with sets.
    pub fn ring(&self) -> ServerSet {
        let all = ServerSet(((1u32 << (self.server_count() + 1)) - 2) as u16);
        if self.crashed.is_empty() {
            return all;
        }
        let members = self.cluster_configuration().config.members();
        all.without(self.crashed.without(members))
    }

    /// The picture of the world. Logs, stores, the history and message contents are shared
    /// with the previous picture taken with the same `cache` where they did not change.
    pub fn view(&self, cache: &ViewCache) -> ClusterView {
        let mut cached = cache.parts.borrow_mut();
        let mut envelopes: Vec<&Envelope> = self.messages_in_flight().map(|(_, e)| e).collect();
        envelopes.sort_unstable_by_key(|e| e.id);
        let contents = cached.messages(envelopes.iter().map(|e| (e.id, &e.message)));
        let messages = envelopes
            .iter()
            .zip(contents)
            .map(|(envelope, message)| self.message_view(envelope, message))
            .collect();
        let configuration = self.cluster_configuration();
        ClusterView {
            now: self.now,
            servers: self
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| self.server_view(n, &mut cached, i, &configuration.config))
                .collect(),
            configuration,
            messages,
            network: self.network.view(),
            clients: self
                .clients
                .iter()
                .map(|c| ClientView {
                    id: c.id,
                    outstanding: c
                        .outstanding
                        .as_ref()
                        .map(|o| (o.seq, o.command.clone(), o.target)),
                    redirects: c.outstanding.as_ref().map_or(0, |o| o.redirects),
                    retries: c.outstanding.as_ref().map_or(0, |o| o.retries),
                })
                .collect(),
            client_traffic: self.client_traffic(),
            history: cached
                .history
                .get(self.history_version, || self.history.clone()),
            ring_changes: self.ring_changes.clone(),
        }
    }

    /// Client requests and replies on their way (requests held by a paused server included),
    /// oldest first.
    pub fn client_traffic(&self) -> Vec<ClientTrafficView> {
        let held = self.nodes.iter().flat_map(|n| n.held.iter());
        let mut traffic: Vec<ClientTrafficView> = self
            .slab
            .iter()
            .map(|(_, e)| e)
            .chain(held)
            .filter_map(|event| match event {
                Event::ClientArrive {
                    client,
                    seq,
                    to,
                    command,
                    incarnation,
                    sent_at,
                    arrive_at,
                } => Some(ClientTrafficView {
                    client: *client,
                    seq: *seq,
                    server: *to,
                    sent_at: *sent_at,
                    arrive_at: *arrive_at,
                    what: ClientTraffic::Request(command.clone()),
                    doomed: !self.reaches(*to, *incarnation),
                }),
                Event::ClientReply {
                    client,
                    seq,
                    from,
                    result,
                    sent_at,
                    arrive_at,
                    ..
                } => Some(ClientTrafficView {
                    client: *client,
                    seq: *seq,
                    server: *from,
                    sent_at: *sent_at,
                    arrive_at: *arrive_at,
                    what: ClientTraffic::Reply(result.clone()),
                    doomed: false,
                }),
                _ => None,
            })
            .collect();
        // Keys are unique (a request and its reply never share a send time and server).
        traffic.sort_unstable_by_key(|t| {
            let reply = matches!(t.what, ClientTraffic::Reply(_));
            (t.sent_at, t.client, t.seq, t.server, reply)
        });
        traffic
    }

    fn message_view(&self, envelope: &Envelope, message: Arc<Message>) -> MessageView {
        let doomed = envelope.lost
            || !self.reaches(envelope.to, envelope.incarnation)
            || !self.network.connected(envelope.from, envelope.to);
        MessageView {
            id: envelope.id,
            from: envelope.from,
            to: envelope.to,
            sent_at: envelope.sent_at,
            deliver_at: envelope.deliver_at,
            message,
            doomed,
        }
    }
}

fn beyond_figure2(node: &Node) -> BeyondFigure2View {
    let server = &node.server;
    let volatile = server.volatile();
    let reads = &volatile.reads;
    BeyondFigure2View {
        read_round: reads.round,
        confirmed_round: reads.confirmed_round,
        reads_waiting: reads.pending.len(),
        lease_holds: reads
            .lease_until
            .is_some_and(|until| server.clock() < until),
        clock_drift_ppm: node.clock_drift_ppm,
        pre_votes: volatile
            .leadership
            .pre_votes
            .map(|votes| votes.iter().collect()),
        transferring_to: volatile.leadership.transfer.map(|t| t.target),
    }
}

#[cfg(test)]
mod tests {
    use crate::raft::ServerId;
    use crate::sim::{Action, Sim, SimConfig};

    /// Under the fuzzer's schedules (every nemesis: crashes, restarts, membership
    /// changes, snapshots), after every step the ring the world last recorded (`World::ring`
    /// field, the base of the next `RingChange`) is the picture's ring, computed from scratch
    /// as `ClusterView::ring` does.
    #[test]
    fn the_recorded_ring_is_the_pictures_after_every_step_under_the_fuzzer() {
        use crate::check::fuzz::{changes_membership, schedule, FuzzConfig};
        use crate::raft::ServerSet;
        use crate::sim::view::MembershipRole;
        let mut runs = 0;
        for seed in 0..200 {
            let config = FuzzConfig::new(seed, 10_000_000);
            if !changes_membership(&config) {
                continue;
            }
            runs += 1;
            let mut sim = Sim::new(config.sim_config());
            let truth = |sim: &Sim| {
                let cluster = sim.world.cluster_configuration().config;
                let mut ring = ServerSet::default();
                for id in sim.server_ids() {
                    if MembershipRole::of(id, &cluster).on_ring(sim.status(id)) {
                        ring.insert(id);
                    }
                }
                ring
            };
            let check = |sim: &Sim| {
                let want = truth(sim);
                assert_eq!(sim.world.ring(), want, "seed {seed} at {}", sim.now());
                assert_eq!(sim.world.ring, want, "seed {seed} at {}", sim.now());
            };
            for (t, action) in schedule(&config) {
                while sim.step_until(t).is_some() {
                    check(&sim);
                }
                sim.run_until(t);
                let _ = sim.apply(action);
                check(&sim);
            }
            while sim.step_until(config.duration).is_some() {
                check(&sim);
            }
        }
        assert!(runs > 10, "{runs} runs changed membership");
    }

    /// A rewind brings back the same ring changes (the animation is deterministic
    /// across checkpoints), at many instants of fuzzed runs with membership changes.
    #[test]
    fn a_rewind_shows_the_same_ring_changes_under_the_fuzzer() {
        use crate::check::fuzz::{schedule, FuzzConfig};
        let mut compared = 0;
        for seed in 0..20 {
            let config = FuzzConfig::new(seed, 10_000_000);
            let mut sim = Sim::new(crate::sim::SimConfig {
                checkpoint_interval: 500_000,
                ..config.sim_config()
            });
            let mut seen = Vec::new();
            let mut grid = 7_919;
            for (t, action) in schedule(&config) {
                while grid < t {
                    sim.run_until(grid);
                    seen.push((grid, sim.view().ring_changes, sim.view().ring()));
                    grid += 7_919;
                }
                sim.run_until(t);
                let _ = sim.apply(action);
            }
            sim.run_until(config.duration);
            for (t, changes, ring) in seen.into_iter().rev().step_by(7) {
                sim.rewind_to(t).unwrap();
                let view = sim.view();
                assert_eq!(
                    (&view.ring_changes, view.ring()),
                    (&changes, ring),
                    "seed {seed} at {t}"
                );
                compared += usize::from(!changes.is_empty());
            }
        }
        assert!(compared > 50);
    }

    /// A joining server whose first catch-up is a snapshot taken before any configuration
    /// change takes the initial configuration, narrated as such rather than "from index 0".
    #[test]
    fn a_snapshot_of_the_initial_configuration_is_not_narrated_as_index_0() {
        use crate::raft::{RaftOptions, SnapshotOptions};
        use crate::sim::ClientLoad;
        let mut hits = Vec::new();
        for seed in 0..10 {
            let mut sim = Sim::new(SimConfig {
                seed,
                servers: 3,
                load: ClientLoad::busy(3),
                raft: RaftOptions {
                    snapshots: SnapshotOptions {
                        threshold: 10,
                        ..SnapshotOptions::DEFAULT
                    },
                    ..RaftOptions::DEFAULT
                },
                ..SimConfig::default()
            });
            sim.run_until(1_000_000);
            if sim.apply(Action::AddServer).is_err() {
                continue;
            }
            while let Some(event) = sim.step_until(3_000_000) {
                let text = event.explain();
                if text.contains("(from index 0)") {
                    hits.push(format!("seed {seed}: {text}"));
                }
            }
        }
        assert!(hits.is_empty(), "{}", hits.join("\n"));
    }

    /// The world's quick ring (sets, looked up only with a server crashed) is the picture's
    /// (`MembershipRole::on_ring` for every server), step after step through servers added,
    /// removed, shut down and restarted; and every change of it is recorded, with the ring
    /// before.
    #[test]
    fn the_worlds_ring_is_the_pictures_and_its_changes_are_all_recorded() {
        let mut sim = Sim::new(SimConfig {
            seed: 3,
            servers: 3,
            ..SimConfig::default()
        });
        sim.timeout(ServerId(1));
        let mut last = sim.view().ring();
        let mut changes = 0;
        let mut check = |sim: &Sim| {
            let view = sim.view();
            assert_eq!(sim.world.ring(), view.ring(), "at {}", sim.now());
            if view.ring() != last {
                changes += 1;
                let change = view.ring_changes.last().expect("a change is recorded");
                assert_eq!((change.at, change.before), (sim.now(), last));
                last = view.ring();
            }
        };
        let actions = [
            (300, Action::AddServer),
            (310, Action::AddServer),
            (
                1500,
                Action::RemoveServer {
                    server: ServerId(2),
                },
            ),
            (
                2500,
                Action::Crash {
                    server: ServerId(2),
                },
            ),
            (
                2600,
                Action::Crash {
                    server: ServerId(4),
                },
            ),
            (
                2700,
                Action::Restart {
                    server: ServerId(2),
                },
            ),
            (
                2800,
                Action::Crash {
                    server: ServerId(2),
                },
            ),
            (
                2900,
                Action::Restart {
                    server: ServerId(4),
                },
            ),
        ];
        for (ms, action) in actions {
            while sim.step_until(ms * 1000).is_some() {
                check(&sim);
            }
            sim.run_until(ms * 1000);
            if sim.apply(action.clone()).is_ok() {
                check(&sim);
            }
        }
        while sim.step_until(4_000_000).is_some() {
            check(&sim);
        }
        // S4 and S5 joined; S2 left, came back while it ran again, left again.
        assert_eq!(changes, 5, "{:?}", sim.view().ring_changes);
    }
}

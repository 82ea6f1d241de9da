//! The network a test can shape: latency and loss per link, requests and replies lost apart,
//! long reply delays, and a hook on every send that decides a message's fate.

use raft_explorer::raft::{Message, ServerId};
use raft_explorer::sim::{Action, Fate, LinkSettings, MessageView, Sim, SimConfig, TraceKind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

const MS: u64 = 1_000;
const SECOND: u64 = 1_000_000;

fn sim(seed: u64) -> Sim {
    Sim::new(SimConfig {
        seed,
        ..SimConfig::default()
    })
}

fn is_reply(m: &MessageView) -> bool {
    matches!(
        *m.message,
        Message::RequestVoteReply(_) | Message::AppendEntriesReply(_)
    )
}

/// Every message sent during `duration` (seen in flight after each step).
fn messages_sent(sim: &mut Sim, duration: u64) -> Vec<MessageView> {
    let mut seen: Vec<MessageView> = Vec::new();
    let end = sim.now() + duration;
    while sim.step_until(end).is_some() {
        for m in sim.view().messages {
            if seen.last().is_none_or(|last| m.id > last.id) {
                seen.push(m);
            }
        }
    }
    seen
}

#[test]
fn a_slow_link_delays_only_its_own_direction() {
    let mut sim = sim(1);
    assert!(sim.run_until_condition(3 * SECOND, |s| s.leader().is_some()));
    let leader = sim.leader().unwrap();
    let follower = sim.server_ids().find(|&s| s != leader).unwrap();
    let slow = LinkSettings {
        latency_min: 100 * MS,
        latency_max: 100 * MS,
        loss_probability: 0.0,
    };
    sim.apply(Action::SetLink {
        from: leader,
        to: follower,
        settings: slow,
    })
    .unwrap();
    let set_at = sim.now();
    let sent: Vec<_> = messages_sent(&mut sim, SECOND)
        .into_iter()
        .filter(|m| m.sent_at > set_at)
        .collect();
    for m in &sent {
        let transit = m.deliver_at - m.sent_at;
        if (m.from, m.to) == (leader, follower) {
            assert_eq!(transit, 100 * MS, "{m:?}");
        } else {
            assert!((10 * MS..=20 * MS).contains(&transit), "{m:?}");
        }
    }
    assert!(sent.iter().any(|m| (m.from, m.to) == (leader, follower)));
    assert!(sent.iter().any(|m| (m.from, m.to) == (follower, leader)));
    assert_eq!(sim.view().network.links, vec![(leader, follower, slow)]);
    sim.apply(Action::ResetLinks).unwrap();
    assert!(sim.view().network.links.is_empty());
}

#[test]
fn a_lossy_link_loses_its_messages_and_no_others() {
    let mut sim = sim(2);
    for to in 2..=5 {
        sim.apply(Action::SetLink {
            from: ServerId(1),
            to: ServerId(to),
            settings: LinkSettings {
                latency_min: 10 * MS,
                latency_max: 20 * MS,
                loss_probability: 1.0,
            },
        })
        .unwrap();
    }
    let sent = messages_sent(&mut sim, 3 * SECOND);
    assert!(sent
        .iter()
        .filter(|m| m.from == ServerId(1))
        .all(|m| m.doomed));
    assert!(sent
        .iter()
        .filter(|m| m.from != ServerId(1))
        .all(|m| !m.doomed));
    assert!(
        sim.leader().is_some_and(|l| l != ServerId(1)),
        "S1 cannot lead"
    );
}

#[test]
fn requests_and_replies_are_lost_apart() {
    let mut sim = sim(3);
    sim.apply(Action::SetLossApart {
        requests: 0.0,
        replies: 1.0,
    })
    .unwrap();
    let sent = messages_sent(&mut sim, 2 * SECOND);
    assert!(sent.iter().any(is_reply));
    for m in &sent {
        assert_eq!(m.doomed, is_reply(m), "{m:?}");
    }
    assert_eq!(sim.leader(), None, "no vote ever comes back");
    let network = sim.view().network;
    assert_eq!(
        (network.loss_probability, network.reply_loss_probability),
        (0.0, 1.0)
    );
}

#[test]
fn long_delays_hold_back_replies_only() {
    let mut sim = sim(4);
    sim.apply(Action::SetLongDelays {
        probability: 1.0,
        min: 200 * MS,
        max: 2_200 * MS,
    })
    .unwrap();
    let sent = messages_sent(&mut sim, 3 * SECOND);
    assert!(sent.iter().any(is_reply));
    for m in &sent {
        let transit = m.deliver_at - m.sent_at;
        if is_reply(m) {
            assert!((210 * MS..=2_220 * MS).contains(&transit), "{m:?}");
        } else {
            assert!(transit <= 20 * MS, "{m:?}");
        }
    }
}

#[test]
fn loss_set_alike_both_ways_is_the_old_loss() {
    let run = |action: Action| {
        let mut sim = sim(5);
        sim.apply(action).unwrap();
        sim.run_until(3 * SECOND);
        sim.view()
    };
    let old = run(Action::SetLoss { probability: 0.2 });
    let apart = run(Action::SetLossApart {
        requests: 0.2,
        replies: 0.2,
    });
    assert!(old == apart);
}

#[test]
fn new_network_actions_are_checked_and_round_trip_through_json() {
    let mut sim = sim(6);
    let link = |from, to, p| Action::SetLink {
        from: ServerId(from),
        to: ServerId(to),
        settings: LinkSettings {
            latency_min: 5 * MS,
            latency_max: 7 * MS,
            loss_probability: p,
        },
    };
    assert!(sim.apply(link(1, 1, 0.0)).is_err());
    assert!(sim.apply(link(1, 9, 0.0)).is_err());
    assert!(sim.apply(link(1, 2, 1.5)).is_err());
    assert!(sim
        .apply(Action::SetLongDelays {
            probability: 0.5,
            min: 3 * MS,
            max: 2 * MS
        })
        .is_err());
    assert!(sim
        .apply(Action::SetLossApart {
            requests: -0.1,
            replies: 0.1
        })
        .is_err());
    for action in [
        link(1, 2, 0.25),
        Action::ResetLinks,
        Action::SetLossApart {
            requests: 0.1,
            replies: 0.1,
        },
        Action::SetLongDelays {
            probability: 2.0 / 3.0,
            min: 200 * MS,
            max: 2_200 * MS,
        },
    ] {
        let json = serde_json::to_string(&action).unwrap();
        assert_eq!(serde_json::from_str::<Action>(&json).unwrap(), action);
        assert!(sim.apply(action.clone()).is_ok(), "{action}");
    }
}

#[test]
fn the_send_hook_can_drop_delay_and_duplicate() {
    // Drop: S1 hears nothing from anybody, so it keeps standing for election.
    let mut sim = sim(7);
    sim.set_send_hook(|info, _| {
        if info.to == ServerId(1) {
            Fate::Drop
        } else {
            Fate::Deliver
        }
    });
    sim.run_until(3 * SECOND);
    assert!(sim
        .view()
        .messages
        .iter()
        .all(|m| m.doomed == (m.to == ServerId(1))));
    let delivered_to_s1 = sim
        .trace()
        .iter()
        .any(|e| matches!(e.kind, TraceKind::Delivered { to, .. } if to == ServerId(1)));
    assert!(!delivered_to_s1);

    // Delay: every message 40 ms later than the network's 10–20 ms.
    let mut sim = self::sim(8);
    sim.set_send_hook(|_, _| Fate::Delay(40 * MS));
    for m in messages_sent(&mut sim, SECOND) {
        assert!(
            (50 * MS..=60 * MS).contains(&(m.deliver_at - m.sent_at)),
            "{m:?}"
        );
    }

    // Duplicate: every message twice (the copy is not asked again).
    let mut sim = self::sim(9);
    let asked = Arc::new(AtomicU64::new(0));
    let counter = asked.clone();
    sim.set_send_hook(move |_, _| {
        counter.fetch_add(1, Ordering::Relaxed);
        Fate::Duplicate
    });
    let sent = messages_sent(&mut sim, 500 * MS);
    assert_eq!(sent.len() as u64, 2 * asked.load(Ordering::Relaxed));

    // Cleared: back to the network's decisions.
    sim.clear_send_hook();
    let before = asked.load(Ordering::Relaxed);
    sim.run_for(SECOND);
    assert_eq!(asked.load(Ordering::Relaxed), before);
}

#[test]
fn a_send_hook_drawing_from_the_sims_rng_is_deterministic_and_rewinds_exactly() {
    let lossy = |sim: &mut Sim| {
        sim.set_send_hook(|info, rng| {
            if info.from != info.to && rng.chance(0.3) {
                Fate::Drop
            } else if rng.chance(0.2) {
                Fate::Delay(rng.below(300 * MS))
            } else {
                Fate::Deliver
            }
        })
    };
    let mut a = sim(10);
    let mut b = sim(10);
    lossy(&mut a);
    lossy(&mut b);
    a.run_until(5 * SECOND);
    b.run_until(5 * SECOND);
    assert!(a.view() == b.view());
    let at_five = a.view();
    a.run_until(8 * SECOND);
    a.rewind_to(5 * SECOND).unwrap();
    assert!(a.view() == at_five, "the hook survives a rewind");
}

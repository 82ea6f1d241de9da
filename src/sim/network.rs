//! The simulated network's configuration: partitions, one-way cuts, loss (of requests and of
//! replies apart), duplication, latency, long reply delays, and settings per link.
//!
//! Decisions: random loss and delays are drawn when a message is sent (so a doomed message can
//! be drawn fading out on its way); partitions, cuts and crashes are checked when a message
//! arrives, so a partition bites at once on messages already in flight, and healing saves them.
//! The defaults (no link settings, equal loss both ways, no long delays) draw exactly the random
//! numbers the network always drew, so existing seeds give the same runs.

use super::view::{LinkSettings, LongDelays, Micros, NetworkView};
use crate::raft::ServerId;
use std::collections::BTreeSet;

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Network {
    pub partition: Vec<Vec<ServerId>>,
    /// Links cut one way, as (from, to).
    cuts: BTreeSet<(ServerId, ServerId)>,
    /// (from, to) pairs whose messages are lost: cut, or across the partition.
    blocked: BTreeSet<(ServerId, ServerId)>,
    /// Loss of requests (RequestVote, AppendEntries) and of replies, decided at send time.
    pub request_loss: f64,
    pub reply_loss: f64,
    pub duplicate_probability: f64,
    pub latency_min: Micros,
    pub latency_max: Micros,
    pub long_delays: LongDelays,
    /// Links set apart, sorted by (from, to); few, so a list (cheap to clone in checkpoints).
    links: Vec<(ServerId, ServerId, LinkSettings)>,
}

impl Network {
    pub fn new(loss: f64, duplicate: f64, latency_min: Micros, latency_max: Micros) -> Self {
        Network {
            partition: Vec::new(),
            cuts: BTreeSet::new(),
            blocked: BTreeSet::new(),
            request_loss: loss,
            reply_loss: loss,
            duplicate_probability: duplicate,
            latency_min,
            latency_max,
            long_delays: LongDelays::default(),
            links: Vec::new(),
        }
    }

    /// The settings of the link from `from` to `to`, if it is set apart.
    pub fn link(&self, from: ServerId, to: ServerId) -> Option<&LinkSettings> {
        self.links
            .iter()
            .find(|(f, t, _)| (*f, *t) == (from, to))
            .map(|(_, _, settings)| settings)
    }

    /// Sets the link from `from` to `to` apart (None: back to the network's settings).
    pub fn set_link(&mut self, from: ServerId, to: ServerId, settings: Option<LinkSettings>) {
        self.links.retain(|(f, t, _)| (*f, *t) != (from, to));
        if let Some(settings) = settings {
            let at = self
                .links
                .partition_point(|(f, t, _)| (*f, *t) < (from, to));
            self.links.insert(at, (from, to, settings));
        }
    }

    pub fn reset_links(&mut self) {
        self.links.clear();
    }

    /// Can `from` reach `to` right now?
    pub fn connected(&self, from: ServerId, to: ServerId) -> bool {
        !self.blocked.contains(&(from, to))
    }

    pub fn set_partition(&mut self, groups: Vec<Vec<ServerId>>, servers: u8) {
        self.partition = groups;
        self.recompute(servers);
    }

    pub fn cut(&mut self, from: ServerId, to: ServerId, servers: u8) {
        self.cuts.insert((from, to));
        self.recompute(servers);
    }

    pub fn heal(&mut self) {
        self.partition.clear();
        self.cuts.clear();
        self.blocked.clear();
    }

    /// The world has `servers` servers now (§6 added one): partitions and cuts cover it.
    pub fn resize(&mut self, servers: u8) {
        if !self.partition.is_empty() || !self.cuts.is_empty() {
            self.recompute(servers);
        }
    }

    fn recompute(&mut self, servers: u8) {
        let group_of = |s: ServerId| -> u32 {
            if self.partition.is_empty() {
                return 0;
            }
            match self.partition.iter().position(|g| g.contains(&s)) {
                Some(i) => i as u32 + 1,
                None => 1000 + s.0 as u32, // alone
            }
        };
        let mut blocked = BTreeSet::new();
        for from in (1..=servers).map(ServerId) {
            for to in (1..=servers).map(ServerId) {
                if from != to && (group_of(from) != group_of(to) || self.cuts.contains(&(from, to)))
                {
                    blocked.insert((from, to));
                }
            }
        }
        self.blocked = blocked;
    }

    pub fn view(&self) -> NetworkView {
        NetworkView {
            partition: self.partition.clone(),
            cut_links: self.cuts.iter().copied().collect(),
            loss_probability: self.request_loss,
            reply_loss_probability: self.reply_loss,
            duplicate_probability: self.duplicate_probability,
            min_latency: self.latency_min,
            max_latency: self.latency_max,
            long_delays: self.long_delays,
            links: self.links.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_separates_groups_and_isolates_servers_in_no_group() {
        let mut net = Network::new(0.0, 0.0, 1, 1);
        net.set_partition(
            vec![
                vec![ServerId(1), ServerId(2)],
                vec![ServerId(3), ServerId(4)],
            ],
            5,
        );
        assert!(net.connected(ServerId(1), ServerId(2)));
        assert!(!net.connected(ServerId(1), ServerId(3)));
        assert!(!net.connected(ServerId(5), ServerId(4)));
        net.heal();
        assert!(net.connected(ServerId(1), ServerId(3)));
    }

    #[test]
    fn link_settings_are_per_direction_and_replaced_or_removed() {
        let mut net = Network::new(0.0, 0.0, 1, 1);
        let slow = LinkSettings {
            latency_min: 100,
            latency_max: 200,
            loss_probability: 0.5,
        };
        net.set_link(ServerId(2), ServerId(1), Some(slow));
        net.set_link(ServerId(1), ServerId(2), Some(slow));
        assert_eq!(net.link(ServerId(1), ServerId(2)), Some(&slow));
        assert_eq!(net.link(ServerId(1), ServerId(3)), None);
        assert_eq!(net.view().links[0].0, ServerId(1), "sorted");
        net.set_link(ServerId(1), ServerId(2), None);
        assert_eq!(net.link(ServerId(1), ServerId(2)), None);
        assert!(net.link(ServerId(2), ServerId(1)).is_some());
        net.reset_links();
        assert!(net.view().links.is_empty());
    }

    #[test]
    fn a_cut_is_one_way() {
        let mut net = Network::new(0.0, 0.0, 1, 1);
        net.cut(ServerId(1), ServerId(2), 3);
        assert!(!net.connected(ServerId(1), ServerId(2)));
        assert!(net.connected(ServerId(2), ServerId(1)));
    }
}

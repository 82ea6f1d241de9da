//! Majorities over a configuration (§5.2, §5.3), and §6 joint consensus: during a change from
//! C_old to C_new every decision (an election, a commitment, a read's leadership
//! confirmation, CheckQuorum) needs a majority of C_old AND a majority of C_new.

use super::types::{LogIndex, ServerId};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Reverse;
use std::fmt;

/// Highest server id a [`ServerSet`] can hold: ids are never reused (§6 adds servers with
/// fresh ids), so a run can add servers until id 15 is taken.
pub const MAX_SERVER_ID: u8 = 15;

/// A set of servers as a bit mask (ids 1..=15). Copy, no allocation: used for votes and for
/// "replicated on" in narration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ServerSet(pub u16);

impl ServerSet {
    /// # Panics
    /// On an id outside 1..=[`MAX_SERVER_ID`]: every entry point (the simulator's AddServer,
    /// the scenario and link readers, `Server::membership_refusal`) refuses those first, and a
    /// silently wrapped bit (or bit 0, which `iter` skips but `len` counts) would put another
    /// server in the set.
    pub fn insert(&mut self, id: ServerId) {
        assert!(
            (1..=MAX_SERVER_ID).contains(&id.0),
            "server id {} outside 1..={MAX_SERVER_ID}",
            id.0
        );
        self.0 |= 1 << id.0;
    }
    pub fn remove(&mut self, id: ServerId) {
        if id.0 <= MAX_SERVER_ID {
            self.0 &= !(1 << id.0);
        }
    }
    pub fn contains(&self, id: ServerId) -> bool {
        id.0 <= MAX_SERVER_ID && self.0 & (1 << id.0) != 0
    }
    pub fn len(&self) -> usize {
        self.0.count_ones() as usize
    }
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }
    pub fn union(self, other: ServerSet) -> ServerSet {
        ServerSet(self.0 | other.0)
    }
    pub fn without(self, other: ServerSet) -> ServerSet {
        ServerSet(self.0 & !other.0)
    }
    /// Members in increasing id order.
    pub fn iter(self) -> impl Iterator<Item = ServerId> {
        (1..16u8)
            .filter(move |i| self.0 & (1 << i) != 0)
            .map(ServerId)
    }
    /// Is `set` a majority of this set (more than half of its members)?
    fn majority_in(self, set: ServerSet) -> bool {
        !self.is_empty() && (self.0 & set.0).count_ones() as usize > self.len() / 2
    }
}

/// Written as the list of ids, `[1, 2, 3]`, as scenario files and links write servers.
impl Serialize for ServerSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for ServerSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let ids = Vec::<ServerId>::deserialize(deserializer)?;
        if let Some(bad) = ids.iter().find(|id| id.0 == 0 || id.0 > MAX_SERVER_ID) {
            return Err(serde::de::Error::custom(format!(
                "server ids are 1..={MAX_SERVER_ID}, not {}",
                bad.0
            )));
        }
        Ok(ids.into_iter().collect())
    }
}

impl FromIterator<ServerId> for ServerSet {
    fn from_iter<I: IntoIterator<Item = ServerId>>(iter: I) -> Self {
        let mut set = ServerSet::default();
        for id in iter {
            set.insert(id);
        }
        set
    }
}

impl fmt::Display for ServerSet {
    /// "S1, S3, S4"
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, id) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{id}")?;
        }
        Ok(())
    }
}

/// A cluster configuration (§6): the voting members, during joint consensus the new voting
/// members too, and the non-voting members (learners) that receive entries while they catch
/// up but neither vote nor count in any majority. It is what a configuration log entry
/// carries; a server uses the latest one in its log (or snapshot), committed or not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Configuration {
    /// The voters: C_old during a joint phase, the configuration otherwise.
    pub voters: ServerSet,
    /// Some during the joint phase C_old,new: the voters of C_new.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_voters: Option<ServerSet>,
    /// Non-voting members catching up (dissertation §4.2.1).
    #[serde(default, skip_serializing_if = "ServerSet::is_empty")]
    pub learners: ServerSet,
}

impl Configuration {
    pub fn new(voters: Vec<ServerId>) -> Self {
        Configuration {
            voters: voters.into_iter().collect(),
            new_voters: None,
            learners: ServerSet::default(),
        }
    }

    /// The voters of C_old (or of the only configuration), in id order.
    pub fn voters(&self) -> Vec<ServerId> {
        self.voters.iter().collect()
    }

    /// C_old,new: a change is half-way (§6).
    pub fn is_joint(&self) -> bool {
        self.new_voters.is_some()
    }

    /// Everyone whose vote counts: C_old ∪ C_new.
    pub fn all_voters(&self) -> ServerSet {
        self.voters.union(self.new_voters.unwrap_or_default())
    }

    /// Does `id` vote (in C_old or C_new)?
    pub fn is_voter(&self, id: ServerId) -> bool {
        self.all_voters().contains(id)
    }

    /// Everyone the leader replicates to: voters of both and learners.
    pub fn members(&self) -> ServerSet {
        self.all_voters().union(self.learners)
    }

    /// The configuration a joint one leads to (itself if not joint).
    pub fn target(&self) -> Configuration {
        Configuration {
            voters: self.new_voters.unwrap_or(self.voters),
            new_voters: None,
            learners: self.learners,
        }
    }

    /// How many servers make a majority of C_old (3 of 5, 2 of 3, 1 of 1): for narration.
    pub fn majority(&self) -> usize {
        self.voters.len() / 2 + 1
    }

    /// Do the voters in `set` form a majority — of C_old and, in a joint phase, of C_new too?
    pub fn is_majority(&self, set: ServerSet) -> bool {
        self.voters.majority_in(set) && self.new_voters.is_none_or(|new| new.majority_in(set))
    }

    /// The highest index stored on a majority, given each voter's match index (§5.3); in a
    /// joint phase the lower of C_old's and C_new's (§6). A server outside a set (a leader
    /// being removed) does not count in that set's majority.
    pub fn committed_index(&self, match_index: impl Fn(ServerId) -> LogIndex) -> LogIndex {
        let of = |set: ServerSet| {
            let mut indexes: Vec<LogIndex> = set.iter().map(&match_index).collect();
            if indexes.is_empty() {
                return LogIndex(0);
            }
            // Highest first: the majority-th highest is stored on a majority.
            indexes.sort_unstable_by_key(|&index| Reverse(index));
            indexes[set.len() / 2]
        };
        let old = of(self.voters);
        match self.new_voters {
            Some(new) => old.min(of(new)),
            None => old,
        }
    }

    /// The voters (of either configuration) whose match index is at least `index`.
    pub fn holders_of(
        &self,
        index: LogIndex,
        match_index: impl Fn(ServerId) -> LogIndex,
    ) -> ServerSet {
        self.all_voters()
            .iter()
            .filter(|v| match_index(*v) >= index)
            .collect()
    }
}

impl fmt::Display for Configuration {
    /// "{S1, S2, S3}", "{S1, S2, S3} → {S1, S2, S3, S4}" (joint), "+ learner S4".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{}}}", self.voters)?;
        if let Some(new) = self.new_voters {
            write!(f, " → {{{new}}}")?;
        }
        if !self.learners.is_empty() {
            write!(f, " + non-voting {}", self.learners)?;
        }
        Ok(())
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn five() -> Configuration {
        Configuration::new((1..=5).map(ServerId).collect())
    }

    /// `1 << 16` on a u16 wraps to bit 0 in a release build: S16 would silently be S0.
    #[test]
    #[should_panic(expected = "server id 16 outside 1..=15")]
    fn a_server_set_refuses_ids_it_cannot_hold() {
        let mut set = ServerSet::default();
        set.insert(ServerId(16));
    }

    #[test]
    fn removing_or_asking_for_an_id_it_cannot_hold_changes_nothing() {
        let mut set: ServerSet = [ServerId(1), ServerId(15)].into_iter().collect();
        set.remove(ServerId(16));
        assert_eq!(set.iter().collect::<Vec<_>>(), [ServerId(1), ServerId(15)]);
        assert!(!set.contains(ServerId(16)));
    }

    #[test]
    fn three_of_five_is_a_majority_two_is_not() {
        let config = five();
        assert!(config.is_majority(
            [ServerId(1), ServerId(3), ServerId(5)]
                .into_iter()
                .collect()
        ));
        assert!(!config.is_majority([ServerId(1), ServerId(3)].into_iter().collect()));
    }

    #[test]
    fn committed_index_is_the_majority_median() {
        let config = five();
        let matches = [7, 3, 5, 1, 9];
        let committed = config.committed_index(|s| LogIndex(matches[s.0 as usize - 1]));
        assert_eq!(committed, LogIndex(5));
    }

    #[test]
    fn server_sets_print_in_order() {
        let set: ServerSet = [ServerId(4), ServerId(1), ServerId(3)]
            .into_iter()
            .collect();
        assert_eq!(set.to_string(), "S1, S3, S4");
        assert_eq!(set.len(), 3);
    }
}

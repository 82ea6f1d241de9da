//! Majorities over a configuration (§5.2, §5.3). Kept apart so §6 joint consensus (a majority
//! of the old AND of the new configuration) is a small change here.

use super::types::{LogIndex, ServerId};
use std::cmp::Reverse;
use std::fmt;

/// A set of servers as a bit mask (ids 1..=15). Copy, no allocation: used for votes and for
/// "replicated on" in narration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ServerSet(pub u16);

impl ServerSet {
    pub fn insert(&mut self, id: ServerId) {
        self.0 |= 1 << id.0;
    }
    pub fn contains(&self, id: ServerId) -> bool {
        self.0 & (1 << id.0) != 0
    }
    pub fn len(&self) -> usize {
        self.0.count_ones() as usize
    }
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }
    /// Members in increasing id order.
    pub fn iter(self) -> impl Iterator<Item = ServerId> {
        (1..16u8)
            .filter(move |i| self.0 & (1 << i) != 0)
            .map(ServerId)
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

/// The voting members of the cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Configuration {
    voters: Vec<ServerId>,
}

impl Configuration {
    pub fn new(voters: Vec<ServerId>) -> Self {
        let mut voters = voters;
        voters.sort_unstable();
        voters.dedup();
        Configuration { voters }
    }

    pub fn voters(&self) -> &[ServerId] {
        &self.voters
    }

    /// How many servers make a majority (3 of 5, 2 of 3, 1 of 1).
    pub fn majority(&self) -> usize {
        self.voters.len() / 2 + 1
    }

    /// Do the voters in `set` form a majority?
    pub fn is_majority(&self, set: ServerSet) -> bool {
        self.voters.iter().filter(|v| set.contains(**v)).count() >= self.majority()
    }

    /// The highest index stored on a majority, given each voter's match index (§5.3).
    pub fn committed_index(&self, match_index: impl Fn(ServerId) -> LogIndex) -> LogIndex {
        let mut indexes: Vec<LogIndex> = self.voters.iter().map(|v| match_index(*v)).collect();
        // Highest first: the majority-th highest is stored on a majority.
        indexes.sort_unstable_by_key(|&index| Reverse(index));
        indexes[self.majority() - 1]
    }

    /// The voters whose match index is at least `index`.
    pub fn holders_of(
        &self,
        index: LogIndex,
        match_index: impl Fn(ServerId) -> LogIndex,
    ) -> ServerSet {
        self.voters
            .iter()
            .copied()
            .filter(|v| match_index(*v) >= index)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn five() -> Configuration {
        Configuration::new((1..=5).map(ServerId).collect())
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

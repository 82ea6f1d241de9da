//! Layer 5: the Yew page. Components read a `ClusterView` and dispatch intents.

pub fn start() {}

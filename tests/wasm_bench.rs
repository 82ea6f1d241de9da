//! The wasm benchmark: one simulated hour of a busy five-server cluster, in headless Chromium.
//! Not part of the test command; `bash scripts/bench.sh` runs it (release build) and records
//! the numbers in docs/BENCHMARKS.md. It prints a JSON line; the only assertions are about
//! the work done, never about time.
#![cfg(target_arch = "wasm32")]

use raft_explorer::sim::{workload, Sim, SimConfig};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ONE_HOUR: u64 = 3_600_000_000;
/// The page must stay responsive (the test runner polls it), so the hour runs in slices with a
/// yield to the event loop between them; only the time spent simulating is counted.
const SLICE: u64 = 10_000_000;

fn now_ms() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

async fn run_one_hour(label: &str, config: SimConfig) {
    let mut sim = Sim::new(config);
    let mut wall_ms = 0.0;
    let mut until = 0;
    while until < ONE_HOUR {
        until += SLICE;
        let started = now_ms();
        sim.run_until(until);
        wall_ms += now_ms() - started;
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
    let events = sim.events_processed();
    let ops = sim.history().len();
    console_log!(
        "WASM_BENCH {{\"workload\":\"{label}\",\"simulated_s\":3600,\"events\":{events},\"wall_ms\":{wall_ms:.0},\"events_per_sec\":{:.0},\"client_ops\":{ops}}}",
        events as f64 / (wall_ms / 1000.0)
    );
    assert!(
        events > 1_000_000,
        "a busy hour is millions of events, got {events}"
    );
    assert!(ops > 10_000, "the clients were busy, got {ops} operations");
}

#[wasm_bindgen_test]
async fn one_simulated_hour_of_a_busy_cluster() {
    run_one_hour(
        "busy 5 servers, 5 clients, no trace/checkpoints",
        workload::busy_cluster(),
    )
    .await;
}

#[wasm_bindgen_test]
async fn one_simulated_hour_of_a_busy_cluster_with_ui_bookkeeping() {
    run_one_hour(
        "busy 5 servers, 5 clients, trace + time travel on",
        workload::busy_cluster_as_ui(),
    )
    .await;
}

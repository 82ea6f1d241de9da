#!/usr/bin/env bash
# Runs every test of Raft Explorer; installs whatever is missing first (fast once set up).
#   native cargo tests · rustfmt · clippy · simulator fuzz check · browser unit tests in headless
#   Chromium · release build · end-to-end tests of the built page in headless Chromium.
# Exits non-zero if any part fails or if no test ran; ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh
started=$(date +%s)
setup_all
say "set-up done in $(( $(date +%s) - started )) s"

LOG_DIR="$(mktemp -d)"
passed=0
failed=0
step() { printf '\n\033[1;32m==> %s\033[0m\n' "$*"; }

# Adds up cargo's "test result:" lines from a log into passed/failed.
count_cargo() {
    local p f
    p=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed; [0-9]+ failed' "$1" | awk '{s+=$4} END {print s+0}')
    f=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed; [0-9]+ failed' "$1" | awk '{s+=$6} END {print s+0}')
    passed=$((passed + p)); failed=$((failed + f))
}

step "native tests: cargo test"
cargo test --color never 2>&1 | tee "$LOG_DIR/native.log"
count_cargo "$LOG_DIR/native.log"

step "formatting: cargo fmt --check"
cargo fmt --check

step "lints: cargo clippy --all-targets -- -D warnings (native)"
cargo clippy --quiet --all-targets -- -D warnings
if [ "$WASM_TOOLCHAIN" = rustup ]; then
    step "lints: cargo clippy (wasm32, the UI)"
    cargo clippy --quiet --target wasm32-unknown-unknown --target-dir "$WASM_TARGET_DIR" --all-targets -- -D warnings
else
    say "skipping wasm32 clippy: the fallback toolchain has no clippy"
fi

if [ -f src/bin/raftsim.rs ] && grep -q '"check"' src/bin/raftsim.rs; then
    step "simulator fuzz check: raftsim check --seeds 500 --duration-ms 30000 --nemesis all"
    cargo run --quiet --release --bin raftsim -- check --seeds 500 --duration-ms 30000 --nemesis all
fi

step "browser unit tests: wasm-bindgen-test in headless Chromium"
PATH="$WASM_PATH" CHROMEDRIVER=/usr/bin/chromedriver \
    WASM_BINDGEN_TEST_WEBDRIVER_JSON="$REPO_ROOT/tests/webdriver.json" \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test --color never --target wasm32-unknown-unknown --target-dir "$WASM_TARGET_DIR" --test browser \
    2>&1 | tee "$LOG_DIR/browser.log"
count_cargo "$LOG_DIR/browser.log"

step "release build: trunk build --release"
PATH="$WASM_PATH" CARGO_TARGET_DIR="$WASM_TARGET_DIR" trunk build --release

step "end-to-end tests: node --test tests/e2e (headless Chromium)"
TOOLS_DIR="$TOOLS_DIR" node --test --test-reporter=spec tests/e2e/ 2>&1 | tee "$LOG_DIR/e2e.log"
e2e_pass=$(grep -E '^ℹ pass [0-9]+' "$LOG_DIR/e2e.log" | awk '{print $3}')
e2e_fail=$(grep -E '^ℹ fail [0-9]+' "$LOG_DIR/e2e.log" | awk '{print $3}')
passed=$((passed + ${e2e_pass:-0})); failed=$((failed + ${e2e_fail:-0}))

step "dist size"
bash scripts/dist-size.sh

say "all parts ran in $(( $(date +%s) - started )) s"
echo "$passed passed, $failed failed"
if [ "$passed" -eq 0 ]; then echo "no test ran" >&2; exit 1; fi
[ "$failed" -eq 0 ]

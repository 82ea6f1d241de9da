#!/usr/bin/env bash
# Runs every test of Raft Explorer; installs whatever is missing first (fast once set up).
#   native cargo tests · rustfmt · clippy · simulator fuzz check · browser unit tests in headless
#   Chromium · release build · end-to-end tests of the built page in headless Chromium.
# Runs every part even when one fails, ends with "N passed, N failed" and the parts that
# failed, then exits non-zero if any part failed or if no test ran.
# Screenshots in docs/screenshots/ are rewritten only with SCREENSHOTS=1 (they are tracked).
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

failed_parts=()
# Runs one part (a function or command); a failure is recorded and the next part runs.
part() {
    local name="$1"
    shift
    step "$name"
    if ! "$@"; then
        failed_parts+=("$name")
        printf '\033[1;31m==> FAILED: %s\033[0m\n' "$name"
    fi
}

native_tests() {
    cargo test --color never 2>&1 | tee "$LOG_DIR/native.log"
    local status=$?
    count_cargo "$LOG_DIR/native.log"
    return "$status"
}

wasm_clippy() {
    if [ "$WASM_TOOLCHAIN" = rustup ]; then
        cargo clippy --quiet --target wasm32-unknown-unknown --target-dir "$WASM_TARGET_DIR" --all-targets -- -D warnings &&
            # The sandbox page is built without the `full` feature (scripts/build-page.sh).
            cargo clippy --quiet --target wasm32-unknown-unknown --target-dir "$WASM_TARGET_DIR" --no-default-features --all-targets -- -D warnings
    else
        say "skipping wasm32 clippy: the fallback toolchain has no clippy"
    fi
}

browser_tests() {
    PATH="$WASM_PATH" CHROMEDRIVER=/usr/bin/chromedriver \
        WASM_BINDGEN_TEST_WEBDRIVER_JSON="$REPO_ROOT/tests/webdriver.json" \
        CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
        cargo test --color never --target wasm32-unknown-unknown --target-dir "$WASM_TARGET_DIR" --test browser \
        2>&1 | tee "$LOG_DIR/browser.log"
    local status=$?
    count_cargo "$LOG_DIR/browser.log"
    return "$status"
}

e2e_tests() {
    TOOLS_DIR="$TOOLS_DIR" node --test --test-reporter=spec tests/e2e/ 2>&1 | tee "$LOG_DIR/e2e.log"
    local status=$?
    local e2e_pass e2e_fail
    e2e_pass=$(grep -E '^ℹ pass [0-9]+' "$LOG_DIR/e2e.log" | awk '{print $3}')
    e2e_fail=$(grep -E '^ℹ fail [0-9]+' "$LOG_DIR/e2e.log" | awk '{print $3}')
    passed=$((passed + ${e2e_pass:-0})); failed=$((failed + ${e2e_fail:-0}))
    return "$status"
}

part "native tests: cargo test" native_tests
part "formatting: cargo fmt --check" cargo fmt --check
part "lints: cargo clippy --all-targets -- -D warnings (native)" \
    cargo clippy --quiet --all-targets -- -D warnings
part "lints: cargo clippy (wasm32, the UI: the full page and the sandbox)" wasm_clippy
if [ -f src/bin/raftsim/cli.rs ] && grep -q 'Check' src/bin/raftsim/cli.rs; then
    part "simulator fuzz check: raftsim check --seeds 500 --duration-ms 30000 --nemesis all" \
        cargo run --quiet --release --bin raftsim -- check --seeds 500 --duration-ms 30000 --nemesis all
fi
part "browser unit tests: wasm-bindgen-test in headless Chromium" browser_tests
# The e2e tests serve what this builds: if it fails they test nothing new, so they are skipped.
part "release build: scripts/build-page.sh --release (the sandbox and the full page)" \
    env PATH="$WASM_PATH" CARGO_TARGET_DIR="$WASM_TARGET_DIR" bash scripts/build-page.sh --release
if [[ " ${failed_parts[*]} " == *"release build"* ]]; then
    failed_parts+=("end-to-end tests (skipped: no fresh build)")
else
    part "end-to-end tests: node --test tests/e2e (headless Chromium)" e2e_tests
fi
part "dist size" bash scripts/dist-size.sh

say "all parts ran in $(( $(date +%s) - started )) s"
echo "$passed passed, $failed failed"
if [ "${#failed_parts[@]}" -gt 0 ]; then
    printf 'failed parts:\n' >&2
    printf '  %s\n' "${failed_parts[@]}" >&2
    exit 1
fi
if [ "$passed" -eq 0 ]; then echo "no test ran" >&2; exit 1; fi
[ "$failed" -eq 0 ]

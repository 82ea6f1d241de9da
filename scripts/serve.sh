#!/usr/bin/env bash
# Builds Raft Explorer and serves it on http://127.0.0.1:8080 (installs whatever is missing).
# Pass --release for the optimized, size-tuned build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh
setup_all
say "serving on http://127.0.0.1:8080 (Ctrl-C stops)"
PATH="$WASM_PATH" CARGO_TARGET_DIR="$WASM_TARGET_DIR" exec trunk serve "$@"

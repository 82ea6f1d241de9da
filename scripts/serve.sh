#!/usr/bin/env bash
# Builds Raft Explorer's two pages (scripts/build-page.sh: the sandbox at the bare address and
# the full page under full/) and serves dist/ on http://127.0.0.1:8080 (installs whatever is
# missing). Pass --release for the optimized, size-tuned build. No live reload: run it again
# after a change.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh
setup_all
command -v python3 >/dev/null || apt_install python3
PATH="$WASM_PATH" CARGO_TARGET_DIR="$WASM_TARGET_DIR" bash scripts/build-page.sh "$@"
say "serving dist/ on http://127.0.0.1:8080 (Ctrl-C stops)"
exec python3 -m http.server 8080 --bind 127.0.0.1 --directory dist

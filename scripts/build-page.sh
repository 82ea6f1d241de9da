#!/usr/bin/env bash
# Builds the two pages into dist/ (pass --release for the optimized, size-tuned build):
#   dist/          index.html: the sandbox, built without the `full` feature (what the bare
#                  address loads first; issue 12's size guard counts these files)
#   dist/full/     full/index.html: the full page (presets, tours, Share links, files)
# Trunk replaces its whole dist directory on every build, so dist/ is built first and
# dist/full/ into it after. Expects the tools on PATH (scripts/setup.sh: setup_all; the
# callers run it) and CARGO_TARGET_DIR set to the wasm target dir.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
trunk build index.html --dist dist "$@"
trunk build full/index.html --dist dist/full "$@"

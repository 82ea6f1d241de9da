#!/usr/bin/env bash
# Trunk's post_build hook (Trunk.toml): packs each page's wasm with xz beside the plain file,
# NAME_bg.wasm.xz, which the page fetches first (static/load-wasm.js). Release builds take
# xz's strongest setting (under a second); debug builds, whose wasm is ten times larger, the
# fastest. The dictionary is the file's size rounded up to a power of two, at least 1 MiB (the
# decoder allocates what the header asks for, and refuses more than 64 MiB: a wasm that large
# would load through the fallback), and the check is CRC32, which the page's decoder,
# xz-embedded, verifies.
set -euo pipefail
shopt -s nullglob
dir=${TRUNK_STAGING_DIR:?run by Trunk as a post_build hook}
if ! command -v xz >/dev/null; then
    echo "pack-wasm.sh: xz is missing (Debian: apt-get install xz-utils; setup.sh installs it)" >&2
    exit 1
fi
if [ "${TRUNK_PROFILE:-}" = release ]; then preset=9e; else preset=0; fi
for wasm in "$dir"/*_bg.wasm; do
    size=$(wc -c <"$wasm")
    dict=1048576
    while [ "$dict" -lt "$size" ]; do dict=$((dict * 2)); done
    xz --format=xz --check=crc32 --lzma2=preset=$preset,dict=$dict -c "$wasm" >"$wasm.xz"
done

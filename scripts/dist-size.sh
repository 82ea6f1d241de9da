#!/usr/bin/env bash
# Prints the size of every file in dist/ (raw and gzip -9) as a Markdown table, split into what
# the page at the bare address loads before first interaction (the sandbox's index.html, glue,
# wasm, stylesheet and icon: dist/'s own files) and what is loaded on demand (the full page,
# dist/full/, when the user opens a preset, a tour, Share or a file, and its tours/*.json when a
# tour is opened), with the totals of each. The size guard (issue 12: <= 300 KB gzip) is about
# the first load. A page fetches its wasm packed with xz (NAME_bg.wasm.xz); the plain wasm
# beside it is loaded only if that fails (static/load-wasm.js), and is listed as a fallback,
# counted in neither total.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -f dist/index.html ] || { echo "no dist/: run scripts/build-page.sh --release first" >&2; exit 1; }
GUARD_BYTES=300000
echo "| file | loaded | raw bytes | gzip bytes |"
echo "|---|---|---:|---:|"
first_raw=0; first_gz=0; later_raw=0; later_gz=0
for f in $(cd dist && find . -type f | sort); do
    raw=$(stat -c %s "dist/$f"); gz=$(gzip -9 -c "dist/$f" | wc -c)
    name="${f#./}"
    if [[ "$name" == *_bg.wasm && -f "dist/$f.xz" ]]; then
        loaded="fallback"
    elif [[ "$name" == */* ]]; then
        loaded="on demand"; later_raw=$((later_raw + raw)); later_gz=$((later_gz + gz))
    else
        loaded="first"; first_raw=$((first_raw + raw)); first_gz=$((first_gz + gz))
    fi
    # Trunk puts a content hash in file names; strip it so the table reads the same every build.
    name=$(echo "$name" | sed -E 's/-[0-9a-f]{8,16}(_bg)?\./\1./')
    echo "| $name | $loaded | $raw | $gz |"
done
echo "| **before first interaction** | first | **$first_raw** | **$first_gz** |"
echo "| **fetched on demand** | on demand | **$later_raw** | **$later_gz** |"
echo
if [ "$first_gz" -le "$GUARD_BYTES" ]; then verdict="met"; else verdict="NOT met"; fi
echo "Before first interaction: $first_gz B gzip (guard ≤ $GUARD_BYTES B: $verdict)."
# A guard, so the test command fails when it is not met (sizes are exact: no machine drift).
[ "$verdict" = met ]

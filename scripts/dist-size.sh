#!/usr/bin/env bash
# Prints the size of every file in dist/ (raw and gzip -9) as a Markdown table, and the total.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -f dist/index.html ] || { echo "no dist/: run trunk build --release first" >&2; exit 1; }
echo "| file | raw bytes | gzip bytes |"
echo "|---|---:|---:|"
raw_total=0; gz_total=0
for f in $(cd dist && find . -type f | sort); do
    raw=$(stat -c %s "dist/$f"); gz=$(gzip -9 -c "dist/$f" | wc -c)
    raw_total=$((raw_total + raw)); gz_total=$((gz_total + gz))
    name="${f#./}"
    # Trunk puts a content hash in file names; strip it so the table reads the same every build.
    name=$(echo "$name" | sed -E 's/-[0-9a-f]{8,16}(_bg)?\./\1./')
    echo "| $name | $raw | $gz |"
done
echo "| **total** | **$raw_total** | **$gz_total** |"

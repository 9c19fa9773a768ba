#!/usr/bin/env bash
# Screenshot a crawl report (reports/CRAWL_ID.html) with headless Chromium.
#
#   scripts/screenshot_report.sh REPORT.html [OUT.png]
#
# Needs Debian's chromium (apt-get install -y chromium). No network is used:
# the report is standalone (inline CSS and SVG), and background networking,
# component updates and sync are switched off. Prints the PNG's path.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 REPORT.html [OUT.png]" >&2
    exit 2
fi
report=$(realpath "$1")
out=$(realpath -m "${2:-${report%.html}.png}")
browser=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$browser" ]; then
    echo "$0: chromium not found (apt-get install -y chromium)" >&2
    exit 3
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run \
    --user-data-dir="$profile" --hide-scrollbars \
    --screenshot="$out" --window-size=1280,2000 "file://$report" >/dev/null 2>&1
test -s "$out"
echo "$out"

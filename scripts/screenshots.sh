#!/usr/bin/env bash
# Screenshots of a collection's latest crawl report and of `arsip serve` on it.
#
#   scripts/screenshots.sh COLLECTION [OUTDIR]
#
# COLLECTION is a crawl's --out folder (e.g. data/demo after `make demo`).
# Writes into OUTDIR (default COLLECTION/screenshots):
#   report.png        the latest reports/*.html (scripts/screenshot_report.sh)
#   serve-table.png   Datasette's articles table searching "pelatihan"
#   serve-row.png     one article's page (the full text, the link to its capture)
#   serve-replay.png  that article replayed by pywb, under arsip's top frame
# `arsip serve` runs on free ports on 127.0.0.1 and is stopped at the end.
# Needs Debian's chromium (apt-get install -y chromium). Prints the PNG paths.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 COLLECTION [OUTDIR]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
collection=$(realpath "$1")
out=$(realpath -m "${2:-$collection/screenshots}")
arsip=${ARSIP:-$here/../.venv/bin/arsip}
browser=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$browser" ]; then
    echo "$0: chromium not found (apt-get install -y chromium)" >&2
    exit 3
fi
report=$(ls -t "$collection"/reports/*.html 2>/dev/null | head -1 || true)
if [ -z "$report" ]; then
    echo "$0: $collection has no reports/*.html (crawl it first)" >&2
    exit 4
fi
mkdir -p "$out"
"$here/screenshot_report.sh" "$report" "$out/report.png"

work=$(mktemp -d)
serve_pid=""
cleanup() {
    if [ -n "$serve_pid" ]; then kill -TERM "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
"$arsip" serve --db "$collection" --port 0 --replay-port 0 >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
for _ in $(seq 1 100); do
    grep -q "archive" "$work/serve.out" 2>/dev/null && break
    sleep 0.2
done
dataset=$(sed -n 's/^  dataset  \(http:[^ ]*\)\/[^/ ]*\/articles.*/\1/p' "$work/serve.out")
if [ -z "$dataset" ]; then
    echo "$0: arsip serve did not start: $(tail -1 "$work/serve.err")" >&2
    exit 5
fi
for _ in $(seq 1 50); do
    curl -sf -o /dev/null "$dataset/-/versions.json" && break
    sleep 0.2
done

shot() {  # URL PNG [extra chromium flags]
    local url=$1 png=$2
    shift 2
    "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run \
        --user-data-dir="$work/profile-$(basename "$png")" --hide-scrollbars \
        --window-size=1600,1000 "$@" --screenshot="$png" "$url" >/dev/null 2>&1
    test -s "$png"
    echo "$png"
}
db=$(sed -n 's/^  dataset  http:[^ ]*\/\([^/ ]*\)\/articles.*/\1/p' "$work/serve.out")
shot "$dataset/$db/articles?_search=pelatihan" "$out/serve-table.png"
row=$(curl -sf "$dataset/$db/articles.json?_search=pelatihan&_shape=array&_size=1&_col=id" \
    | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p')
shot "$dataset/$db/articles/$row" "$out/serve-row.png"
capture=$(curl -sf "$dataset/$db/articles/$row" | grep -o 'href="http://127\.0\.0\.1:[0-9]*/[^"]*/[0-9]\{14\}/[^"]*"' \
    | head -1 | sed 's/^href="//; s/"$//; s/&amp;/\&/g')
shot "$capture" "$out/serve-replay.png" --virtual-time-budget=8000

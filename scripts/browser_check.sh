#!/usr/bin/env bash
# The HTML report in a real browser: writes `lode report` for every scenario (and one with
# --against), loads each in headless Debian Chromium through playwright-core, and fails on any
# console error, page error, external request, broken anchor or missing section/count.
#
#   scripts/browser_check.sh                 check every report
#   scripts/browser_check.sh --screenshot    also refresh docs/report-baseline.png
set -euo pipefail
cd "$(dirname "$0")/.."

shot=""
if [ "${1:-}" = "--screenshot" ]; then shot="docs/report-baseline.png"; fi

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian chromium"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
export CHROMIUM="${CHROMIUM:-$(command -v chromium)}"

if [ ! -d scripts/browser/node_modules/playwright-core ]; then
  (cd scripts/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

# LODE=path/to/lode skips the build (to check a binary built elsewhere)
if [ -z "${LODE:-}" ]; then
  cargo build --quiet --locked
fi
lode="${LODE:-target/debug/lode}"
out=target/browser-check
rm -rf "$out"
mkdir -p "$out"

args=()
# the baseline first: it is the one photographed
for s in scenarios/baseline.toml $(ls scenarios/*.toml | grep -v '/baseline.toml$'); do
  name=$(basename "$s" .toml)
  "$lode" report "$s" -o "$out/$name.html" >/dev/null
  label=$(sed -n 's/^label *= *"\(.*\)"$/\1/p' "$s" | head -n1)
  if [ -n "$label" ]; then args+=("$out/$name.html=$label"); else args+=("$out/$name.html"); fi
done
"$lode" report scenarios/mongolia-partnership-2030.toml --against scenarios/baseline.toml -o "$out/mongolia-vs-baseline.html" >/dev/null
"$lode" report scenarios/china-gallium-germanium-controls.toml --against scenarios/baseline.toml -o "$out/controls-vs-baseline.html" >/dev/null
args+=(--against "$out/mongolia-vs-baseline.html" "$out/controls-vs-baseline.html")

extra=(--pdf "$out/baseline.pdf")
if [ -n "$shot" ]; then extra+=(--screenshot "$shot"); fi
node scripts/browser/check.mjs "${extra[@]}" "${args[@]}"

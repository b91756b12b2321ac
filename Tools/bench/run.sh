#!/usr/bin/env bash
# Runs every benchmark with a release build and prints the figures the issues ask for.
#   Tools/bench/run.sh [PROVIDERS]    (default 100000 for the end-to-end run)
set -euo pipefail
cd "$(dirname "$0")/../.."
providers="${1:-100000}"
work="${TMPDIR:-/tmp}/credrules-bench"
mkdir -p "$work"

swift build -c release --product credrules >/dev/null
swift build -c release --product credrules-bench >/dev/null
bin=.build/release

echo "== expression: checked credit-sum expression over 50 event maps"
"$bin/credrules-bench" expr

echo "== engine: one provider against the Texas pack, in memory"
rm -rf "$work/rules" && "$bin/credrules" compile RulePacks --out "$work/rules" >/dev/null
"$bin/credrules-bench" engine "$work/rules" Examples/sample-facts.json US-TX/physician-license 2026-11-26

echo "== check: every pack, tests included"
/usr/bin/time -f "   %e s wall, %M KB peak" "$bin/credrules" check RulePacks

# drawn from the rule versions just compiled, so the population follows the packs (regenerated when they change)
rules_hash=$(cat "$work/rules"/*.json Tools/generate/generate_population.py | sha256sum | cut -c1-12)
facts="$work/population-$providers-$rules_hash.jsonl"
[ -f "$facts" ] || python3 Tools/generate/generate_population.py --providers "$providers" --seed 1 --jsonl --rules "$work/rules" --out "$facts"

echo "== pipeline: each stage of a JSON Lines run, per provider, one core (first 5,000 providers)"
"$bin/credrules-bench" pipeline "$work/rules" "$facts" 2026-11-26

echo "== end to end: $providers providers (JSON Lines) against every pack, both cores"
rm -rf "$work/out"
/usr/bin/time -f "   %e s wall, %U s user, %M KB peak" "$bin/credrules" eval --packs RulePacks --facts "$facts" --as-of 2026-11-26 --out "$work/out"
ls -la "$work/out"

#!/usr/bin/env bash
# Benchmark: does the file evaluation slow down as packs are added? The same generated population
# (drawn over all 51 jurisdictions) against the 16 packs the project had for its first 10 states and
# DEA, and against every pack:
#   1. every provider, 16 packs: the credentials of the 41 other jurisdictions get a no_rule_pack gap;
#   2. every provider, every pack: those credentials are evaluated too (more work, not slower work);
#   3. only the providers all of whose credentials the 16 packs cover, with 16 packs and with every
#      pack: the same credentials, the same rule versions, the same outputs (compared), so the only
#      difference is the number of packs loaded and searched.
# The two are run alternately, BENCH_ROUNDS times each (default 5), and the fastest of each is reported
# (user + system CPU, and wall): on this shared machine the same binary varies by 10–30% from run to run.
#   Tools/bench/pack-scaling.sh [PROVIDERS]     (default 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
providers="${1:-100000}"
work="${TMPDIR:-/tmp}/credrules-bench"
mkdir -p "$work"
swift build -c release --product credrules >/dev/null
bin="$PWD/.build/release/credrules"

# The packs of the first 10 states and DEA (commit f83c173), as they are today.
first_packs=(US-CA/do-license.yaml US-CA/md-license.yaml US-FL/do-license.yaml US-FL/md-license.yaml
  US-GA/physician-license.yaml US-IL/physician-license.yaml US-MA/physician-license.yaml
  US-NY/physician-license.yaml US-OH/physician-license.v1.yaml US-OH/physician-license.v2.yaml
  US-PA/do-license.yaml US-PA/md-license.yaml US-TX/physician-license.yaml US-WA/do-license.yaml
  US-WA/md-license.yaml US/dea-registration.yaml)
sixteen="$work/sixteen-packs"
rm -rf "$sixteen"
for pack in "${first_packs[@]}"; do
  mkdir -p "$sixteen/$(dirname "$pack")" && cp "RulePacks/$pack" "$sixteen/$pack"
done
every_count=$(find RulePacks -name '*.yaml' -not -path '*/tests/*' | wc -l)

# The population of Tools/bench/run.sh (the same cache).
rm -rf "$work/rules" && "$bin" compile RulePacks --out "$work/rules" >/dev/null
rules_hash=$(cat "$work/rules"/*.json Tools/generate/generate_population.py | sha256sum | cut -c1-12)
facts="$work/population-$providers-$rules_hash.jsonl"
[ -f "$facts" ] || python3 Tools/generate/generate_population.py --providers "$providers" --seed 1 --jsonl --rules "$work/rules" --out "$facts"

# compare FACTS OUT: the 16 packs and every pack over FACTS, run alternately (so a slow spell of the shared
# machine hits both) $rounds times each; prints the fastest of each, its evaluations (log entries) and CPU
# per evaluation, and leaves the fastest CPU seconds in cpu_16 and cpu_every.
rounds="${BENCH_ROUNDS:-5}"
compare() {
  local population="$1" out="$2" round packs label figures user sys wall cpu entries
  local -A best=() best_wall=()
  for round in $(seq "$rounds"); do
    for label in 16 every; do
      packs="$sixteen"; [ "$label" = every ] && packs=RulePacks
      rm -rf "$out-$label"
      figures=$( { /usr/bin/time -f "%U %S %e" "$bin" eval --packs "$packs" --facts "$population" --as-of 2026-11-26 --out "$out-$label" >/dev/null; } 2>&1 | tail -1)
      read -r user sys wall <<<"$figures"
      cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
      if [ -z "${best[$label]:-}" ] || awk -v c="$cpu" -v b="${best[$label]}" 'BEGIN { exit !(c < b) }'; then
        best[$label]=$cpu; best_wall[$label]=$wall
      fi
    done
  done
  for label in 16 every; do
    entries=$(wc -l < "$out-$label/rules_execution_log.jsonl")
    printf '   %-18s %6.2f s CPU, %6.2f s wall, %7d evaluations, %6.1f µs CPU per evaluation\n' \
      "$([ "$label" = 16 ] && echo "16 packs" || echo "every pack ($every_count)")" "${best[$label]}" "${best_wall[$label]}" \
      "$entries" "$(awk -v c="${best[$label]}" -v n="$entries" 'BEGIN { print c * 1000000 / n }')"
  done
  cpu_16=${best[16]}; cpu_every=${best[every]}
}

echo "== $providers providers ($(du -h "$facts" | cut -f1) JSON Lines), fastest of $rounds alternating runs each"
echo "-- 1, 2: every provider"
compare "$facts" "$work/scaling"
covered="$work/population-$providers-$rules_hash-covered-by-16.jsonl"
# Kept: a provider with no no_rule_pack gap among the 16 packs' results and the same windows in both
# runs (a state CSR is evaluated only once a CSR pack is loaded; before, it is evidence, not a credential).
python3 - "$work/scaling-16" "$work/scaling-every" "$facts" "$covered" <<'PY'
import collections, json, sys
sixteen, every, population, out = sys.argv[1:]
def windows(run):
    by_provider = collections.defaultdict(list)
    for line in open(f"{run}/compliance_windows.jsonl"):
        by_provider[json.loads(line)["provider_id"]].append(line)
    return by_provider
uncovered = {g["provider_id"] for g in map(json.loads, open(f"{sixteen}/compliance_gap_analysis.jsonl"))
             if g["gap_type"] == "no_rule_pack"}
before, after = windows(sixteen), windows(every)
kept = 0
with open(out, "w") as f:
    for line in open(population):
        provider = json.loads(line)["providers"][0]["id"]
        if provider not in uncovered and before[provider] == after[provider]:
            f.write(line)
            kept += 1
print(f"-- 3: the {kept} providers whose every credential the 16 packs cover")
PY
compare "$covered" "$work/scaling-covered"; same_16=$cpu_16; same_every=$cpu_every
for table in compliance_windows compliance_gap_analysis rules_execution_log; do
  cmp -s "$work/scaling-covered-16/$table.jsonl" "$work/scaling-covered-every/$table.jsonl" \
    || { echo "   $table differs between 16 packs and every pack: not the same work" >&2; exit 1; }
done
echo "   outputs byte-identical (compliance_windows, compliance_gap_analysis, rules_execution_log)"
echo "-- loading the packs alone (one provider)"
head -1 "$covered" > "$work/one-provider.jsonl"
compare "$work/one-provider.jsonl" "$work/scaling-one"; load_16=$cpu_16; load_every=$cpu_every
awk -v a="$same_16" -v b="$same_every" -v la="$load_16" -v lb="$load_every" 'BEGIN {
  printf "-- the same work with every pack: %+.1f%% CPU; loading the packs excluded: %+.1f%%\n", (b / a - 1) * 100, ((b - lb) / (a - la) - 1) * 100 }'

# Instructions are deterministic where CPU time is not: the same 2,000 covered providers and one provider under
# valgrind (callgrind's instruction total; a stripped copy of the binary, valgrind cannot read Swift's debug info).
if command -v valgrind >/dev/null; then
  stripped="$work/credrules-stripped"
  strip -o "$stripped" "$bin"
  head -2000 "$covered" > "$work/covered-2000.jsonl"
  instructions() {
    rm -rf "$work/scaling-valgrind" "$work/callgrind.out"
    valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" -q "$stripped" eval --packs "$1" --facts "$2" \
      --as-of 2026-11-26 --out "$work/scaling-valgrind" >/dev/null 2>&1
    awk '/^summary:/ { print $2 }' "$work/callgrind.out"
  }
  i16=$(instructions "$sixteen" "$work/covered-2000.jsonl"); load16=$(instructions "$sixteen" "$work/one-provider.jsonl")
  iall=$(instructions RulePacks "$work/covered-2000.jsonl"); loadall=$(instructions RulePacks "$work/one-provider.jsonl")
  awk -v a="$i16" -v la="$load16" -v b="$iall" -v lb="$loadall" 'BEGIN {
    printf "-- instructions (valgrind), 2,000 covered providers: 16 packs %.3f G (loading %.3f G), every pack %.3f G (loading %.3f G)\n", a / 1e9, la / 1e9, b / 1e9, lb / 1e9
    printf "   per provider, loading excluded: %.0f vs %.0f instructions (%+.2f%%)\n", (a - la) / 1999, (b - lb) / 1999, ((b - lb) / (a - la) - 1) * 100 }'
fi

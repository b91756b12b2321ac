#!/usr/bin/env bash
# Benchmark: bytes the execution log adds per evaluation, stored as 0006 stores it (an entry row
# per evaluation, documents once per provider and content) and as 0005 stored it (every entry
# with its documents in full, jsonb and canonical text), on a throwaway PostgreSQL 15:
#   night 1  as of 2026-11-26, the first night;
#   night 2  as of 2026-11-27, after 1% of the providers' facts changed (a licence number and a
#            new CME event each);
#   night 3  as of 2026-11-28, nothing changed;
# then the projection for 1,000,000 providers, nightly, over seven years. Beside the log: the bytes
# the run's change events add (its writes to compliance_windows, compliance_gap_analysis and
# evaluation_runs, each recorded in change_events), which are kept seven years too.
# "Before" is measured in the same database: each night's rows copied from the view into a table
# with 0005's exact layout and indexes (`log_before`), so both see the same entries.
#   Tools/bench/log-bytes.sh [PROVIDERS]        (default 2000; CREDRULES_BIN=path skips the release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
providers="${1:-2000}"
work="${TMPDIR:-/tmp}/credrules-bench"
mkdir -p "$work"
if [ -z "${CREDRULES_BIN:-}" ]; then
  swift build -c release --product credrules >/dev/null
  CREDRULES_BIN="$PWD/.build/release/credrules"
fi
bin="$CREDRULES_BIN"
rules="$work/log-rules"
rm -rf "$rules" && "$bin" compile RulePacks --out "$rules" >/dev/null
rules_hash=$(cat "$rules"/*.json Tools/generate/generate_population.py | sha256sum | cut -c1-12)
facts="$work/log-population-$providers-$rules_hash.jsonl"
[ -f "$facts" ] || python3 Tools/generate/generate_population.py --providers "$providers" --seed 1 --jsonl --every-jurisdiction \
  --rules "$rules" --out "$facts"
referenced="$work/log-population-$providers-$rules_hash-referenced.jsonl"
[ -f "$referenced" ] || python3 Tools/postgres/add_references.py "$facts" "$referenced"

eval "$(Tools/postgres/start.sh)"
trap 'Tools/postgres/stop.sh "$CREDRULES_PG_DIR"' EXIT
server="${CREDRULES_TEST_DATABASE_URL%/postgres}"
db="$server/bench_log_bytes"
export CREDRULES_ENCRYPTION_KEY="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
psql -q "$CREDRULES_TEST_DATABASE_URL" -c "CREATE DATABASE bench_log_bytes"
"$bin" db migrate --database "$db" >/dev/null
echo "== $providers providers: import (slow), publish"
"$bin" db import --database "$db" "$referenced" >/dev/null
"$bin" publish --database "$db" RulePacks >/dev/null
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$db" "$@"; }

# 0005's table, as 0001 and 0004 made it (columns, types, constraints' storage, indexes).
sql <<'SQL'
CREATE TABLE log_before (
    id uuid PRIMARY KEY, provider_id uuid NOT NULL, rule_version_id uuid NOT NULL, rule_type text NOT NULL,
    inputs_json jsonb NOT NULL, outputs_json jsonb NOT NULL, inputs_sha256 text, outputs_sha256 text,
    evaluation_run_id uuid, executed_at timestamptz NOT NULL DEFAULT now(),
    entry_sequence integer, entry_previous_sha256 text, entry_sha256 text, inputs_canonical text, outputs_canonical text,
    UNIQUE (evaluation_run_id, entry_sequence));
CREATE INDEX ON log_before (provider_id, executed_at);
-- heap, indexes, TOAST of a set of tables, in bytes.
CREATE FUNCTION bench_sizes(names text[]) RETURNS TABLE (heap bigint, indexes bigint, toast bigint, total bigint) LANGUAGE sql AS $$
    SELECT sum(pg_relation_size(c.oid)), sum(pg_indexes_size(c.oid)),
           sum(pg_total_relation_size(c.oid) - pg_relation_size(c.oid) - pg_indexes_size(c.oid)), sum(pg_total_relation_size(c.oid))
    FROM pg_class c WHERE c.relname = ANY(names) AND c.relnamespace = 'public'::regnamespace $$;
SQL

after_tables="{rules_execution_entries,rules_execution_documents}"
sizes() { sql -F ' ' -c "SELECT heap, indexes, toast, total FROM bench_sizes('$1')"; }
report="$work/log-bytes-$providers.txt"
: > "$report"

night() {
  local label="$1" as_of="$2"

  read -r ah ai at atot < <(sizes "$after_tables")
  read -r bh bi bt btot < <(sizes "{log_before}")
  local docs_before events_before events_after
  docs_before=$(sql -c "SELECT count(*) FROM rules_execution_documents")
  events_before=$(sql -c "SELECT pg_total_relation_size('change_events')")
  /usr/bin/time -f "   run: %e s wall, %M KB peak" "$bin" run --database "$db" --as-of "$as_of" >/dev/null
  local run
  run=$(sql -c "SELECT id FROM evaluation_runs WHERE as_of = '$as_of'")
  events_after=$(sql -c "SELECT pg_total_relation_size('change_events')")
  sql -c "INSERT INTO log_before SELECT id, provider_id, rule_version_id, rule_type, inputs_json, outputs_json, inputs_sha256,
              outputs_sha256, evaluation_run_id, executed_at, entry_sequence, entry_previous_sha256, entry_sha256, inputs_canonical,
              outputs_canonical FROM rules_execution_log WHERE evaluation_run_id = '$run' ORDER BY entry_sequence"
  read -r ah2 ai2 at2 atot2 < <(sizes "$after_tables")
  read -r bh2 bi2 bt2 btot2 < <(sizes "{log_before}")
  local entries docs_added bad
  entries=$(sql -c "SELECT count(*) FROM rules_execution_entries WHERE evaluation_run_id = '$run'")
  docs_added=$(( $(sql -c "SELECT count(*) FROM rules_execution_documents") - docs_before ))
  # Every entry reads back byte for byte (the exact bytes hash to the sealed SHA-256s).
  bad=$(sql -c "SELECT count(*) FROM rules_execution_log WHERE evaluation_run_id = '$run' AND (
                encode(sha256(convert_to(inputs_canonical, 'UTF8')), 'hex') IS DISTINCT FROM inputs_sha256
             OR encode(sha256(convert_to(outputs_canonical, 'UTF8')), 'hex') IS DISTINCT FROM outputs_sha256)")
  echo "$label $entries $docs_added $bad $((ah2-ah)) $((ai2-ai)) $((at2-at)) $((atot2-atot)) $((bh2-bh)) $((bi2-bi)) $((bt2-bt)) $((btot2-btot)) $((events_after-events_before))" >> "$report"
}

echo "== night 1 (first night)"
night first 2026-11-26
echo "== 1% of providers change: a licence number and a new CME event each"
sql <<SQL
CREATE TEMPORARY TABLE changed AS SELECT id FROM providers ORDER BY md5(id::text) LIMIT greatest(1, $providers / 100);
UPDATE licenses SET license_number = license_number || 'X' WHERE provider_id IN (SELECT id FROM changed);
INSERT INTO cme_events (provider_id, category, credits_earned, completion_date, title, credit_type)
    SELECT id, 'general', 1, DATE '2026-11-20', 'Bench course', 'ama_pra_1' FROM changed;
SQL
echo "== night 2 (1% changed)"
night one-percent 2026-11-27
echo "== night 3 (nothing changed)"
night unchanged 2026-11-28

python3 - "$report" "$providers" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1])]
providers = int(sys.argv[2])
def kb(b): return f"{b/1024:,.1f} KiB"
print()
print(f"{'night':<12}{'entries':>8}{'new docs':>9}  {'after (0006): B/eval':>22} {'heap+idx+toast':>18}  {'before (0005): B/eval':>22} {'heap+idx+toast':>20}  ratio  {'change events: B/eval':>22}")
per = {}
for label, entries, docs, bad, ah, ai, at, atot, bh, bi, bt, btot, events in rows:
    e = int(entries)
    a, b, c = int(atot) / e, int(btot) / e, int(events) / e
    per[label] = (a, b, e, c)
    print(f"{label:<12}{e:>8}{int(docs):>9}  {a:>22,.0f} {int(ah)//e:>6}+{int(ai)//e}+{int(at)//e:<8}  {b:>22,.0f} {int(bh)//e:>6}+{int(bi)//e}+{int(bt)//e:<10}  {b/a:5.1f}x  {c:>22,.0f}"
          + ("" if bad == "0" else f"   {bad} ENTRIES DO NOT READ BACK"))
evals = per["first"][2] / providers
nights = 365 * 7
million = 1_000_000 * evals
print()
print(f"{evals:.2f} evaluations per provider per night; projection for 1,000,000 providers ({million:,.0f} evaluations a night), "
      f"nightly for seven years ({nights} nights):")
for name, index in (("after (0006)", 0), ("before (0005)", 1), ("change events", 3)):
    first = per["first"][index] * million
    steady = per["one-percent"][index] * million
    total = first + steady * (nights - 1)
    print(f"  {name:<14} first night {first/1e9:,.2f} GB, a night with 1% changed {steady/1e9:,.2f} GB, seven years {total/1e12:,.2f} TB")
PY

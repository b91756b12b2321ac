#!/usr/bin/env bash
# Benchmark: `credrules db import` (COPY to staging, upsert, AES-GCM encryption, change events,
# credential versions, lineage, row-level security on) against plain `psql \copy` of the same rows
# into the same tables without triggers or policies (0001_schema.sql, with credrules_id as 0007
# defines it, since the tables' CHECKs call it, and documents' SHA-256 CHECK as 0011 defines it), in the same run, on a throwaway PostgreSQL 15;
# then the peak memory of the import at each size. Each load reports wall time and the server's
# CPU time (Tools/bench/backend_cpu.py): on a shared machine the CPU ratio is the one to read.
#   Tools/bench/db-import.sh [PROVIDERS...]     (default: 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(10000 100000)
work="${TMPDIR:-/tmp}/credrules-bench"
mkdir -p "$work"
swift build -c release --product credrules >/dev/null
bin="$PWD/.build/release/credrules"
rules="$work/db-rules"
rm -rf "$rules" && "$bin" compile RulePacks --out "$rules" >/dev/null
# Populations are drawn from the compiled packs: a cache is only good for the same packs and generator.
rules_hash=$(cat "$rules"/*.json Tools/generate/generate_population.py | sha256sum | cut -c1-12)

eval "$(Tools/postgres/start.sh)"
trap 'Tools/postgres/stop.sh "$CREDRULES_PG_DIR"' EXIT
server="${CREDRULES_TEST_DATABASE_URL%/postgres}"
export CREDRULES_ENCRYPTION_KEY="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

for providers in "${sizes[@]}"; do
  facts="$work/db-population-$providers-$rules_hash.jsonl"
  [ -f "$facts" ] || python3 Tools/generate/generate_population.py --providers "$providers" --seed 1 --jsonl --rules "$rules" --out "$facts"
  referenced="$work/db-population-$providers-$rules_hash-referenced.jsonl"
  [ -f "$referenced" ] || python3 Tools/postgres/add_references.py "$facts" "$referenced"
  plain="$work/db-plain-$providers-$rules_hash"
  [ -f "$plain/tables.txt" ] || { python3 Tools/bench/plain_copy_files.py "$referenced" "$plain" > "$plain.tables" && mv "$plain.tables" "$plain/tables.txt"; }
  echo "== $providers providers ($(du -h "$referenced" | cut -f1) JSON Lines, $(cat "$plain"/*.tsv | wc -l) rows)"

  psql -q "$CREDRULES_TEST_DATABASE_URL" -c "CREATE DATABASE bench_import_$providers" -c "CREATE DATABASE bench_plain_$providers"
  "$bin" db migrate --database "$server/bench_import_$providers" >/dev/null
  psql -q -v ON_ERROR_STOP=1 "$server/bench_plain_$providers" -f Sources/RuleStore/Migrations/SQL/0001_schema.sql
  { sed -n '/^-- credrules_id: begin/,/^-- credrules_id: end/p' Sources/RuleStore/Migrations/SQL/0007_fast_governance.sql
    sed -n '/^-- documents_sha256_hash_check: begin/,/^-- documents_sha256_hash_check: end/p' Sources/RuleStore/Migrations/SQL/0011_cheaper_bulk_writes.sql
  } | psql -q -v ON_ERROR_STOP=1 "$server/bench_plain_$providers"

  echo "-- credrules db import (encryption, change events, credential versions, lineage, RLS)"
  python3 Tools/bench/backend_cpu.py "bench_import_$providers" /usr/bin/time -f "   %e s wall, %U s user + %S s sys (client), %M KB peak (client)" \
    "$bin" db import --database "$server/bench_import_$providers" "$referenced" >/dev/null
  psql -Atq "$server/bench_import_$providers" -c "SELECT '   change_events ' || (SELECT count(*) FROM change_events) || ', credential_versions ' || (SELECT count(*) FROM credential_versions) || ', document_lineage ' || (SELECT count(*) FROM document_lineage)"

  echo "-- psql \\copy into the same tables without triggers or policies (one session)"
  copies="$plain/copies.sql"
  while IFS=$'\t' read -r table file columns; do echo "\\copy $table ($columns) FROM '$file'"; done < "$plain/tables.txt" > "$copies"
  python3 Tools/bench/backend_cpu.py "bench_plain_$providers" /usr/bin/time -f "   %e s wall" \
    psql -q -v ON_ERROR_STOP=1 "$server/bench_plain_$providers" -f "$copies"

  echo "-- re-import of the unchanged file (every row compared, nothing written)"
  python3 Tools/bench/backend_cpu.py "bench_import_$providers" /usr/bin/time -f "   %e s wall, %U s user (client), %M KB peak (client)" \
    "$bin" db import --database "$server/bench_import_$providers" "$referenced" | grep -E "^(providers|cme_events):"
done

#!/usr/bin/env bash
# Benchmark: the nightly run (`credrules run`: facts read from PostgreSQL, every provider evaluated
# against every published pack, windows, gaps and the full hash-chained execution log written) side
# by side, in the same run and on the same throwaway PostgreSQL 15 (Tools/postgres/start.sh), with
# one hand-written SQL statement computing per license the renewal window, the CME hours in it and a
# status inside PostgreSQL (Tools/bench/nightly_baseline.sql: no log, no explanations). Reports for
# each population size:
#   - wall time and CPU time of both (client CPU from /usr/bin/time, server CPU from /proc: the
#     bench server's processes serve nothing else), and the ratio run / statement;
#   - the run's peak resident memory (/usr/bin/time -v);
#   - bytes the run added per log entry: rules_execution_log (pg_total_relation_size), and every
#     other table that grew (so a log stored across several tables is counted whole);
#   - how often the statement's window and status agree with the run's (it implements far less).
# The population: `credrules compile RulePacks`, Tools/generate/generate_population.py --seed 1
# --jsonl --every-jurisdiction, Tools/postgres/add_references.py, `credrules db import` (slow: about
# 15 ms per provider; its time is printed but is not part of the comparison). Populations are cached
# in the work folder by size and by hash of the packs and the generator.
#   Tools/bench/nightly.sh [PROVIDERS...]     (default: 2000 10000)
# Environment: CREDRULES_BENCH_DIR (work folder, default $TMPDIR/credrules-bench-nightly),
# BATCH_SIZE (default: the run's default), AS_OF (default 2026-11-26).
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(2000 10000)
work="${CREDRULES_BENCH_DIR:-${TMPDIR:-/tmp}/credrules-bench-nightly}"
as_of="${AS_OF:-2026-11-26}"
batch=()
[ -z "${BATCH_SIZE:-}" ] || batch=(--batch-size "$BATCH_SIZE")
mkdir -p "$work"
[ -x /usr/bin/time ] || { echo "nightly.sh: needs GNU time (apt-get install -y time)" >&2; exit 1; }
swift build -c release --product credrules >/dev/null
bin="$PWD/.build/release/credrules"
rules="$work/rules"
rm -rf "$rules" && "$bin" compile RulePacks --out "$rules" >/dev/null
rules_hash=$(cat "$rules"/*.json Tools/generate/generate_population.py Tools/postgres/add_references.py | sha256sum | cut -c1-12)

eval "$(Tools/postgres/start.sh)"
trap 'Tools/postgres/stop.sh "$CREDRULES_PG_DIR"' EXIT
# Time spent in PL/pgSQL functions (the triggers), to show where the server's part of the run goes.
psql -Atq "$CREDRULES_TEST_DATABASE_URL" -c "ALTER SYSTEM SET track_functions = 'pl'" -c "SELECT pg_reload_conf()" >/dev/null
# PROFILE=1: every statement's duration in the server log, summed per kind of statement after the run
# (server wall time, so inflated alike by a busy machine; the shares are what counts).
if [ "${PROFILE:-}" = 1 ]; then
  psql -Atq "$CREDRULES_TEST_DATABASE_URL" -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
fi
server="${CREDRULES_TEST_DATABASE_URL%/postgres}"
export CREDRULES_ENCRYPTION_KEY="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

# CPU seconds used so far by the bench server: the postmaster, its live children, and the children
# it has reaped (cutime/cstime), from /proc/PID/stat.
server_cpu() {
  python3 - "$CREDRULES_PG_DIR/data/postmaster.pid" <<'PY'
import os, sys
postmaster = int(open(sys.argv[1]).readline())
def fields(pid):
    text = open(f"/proc/{pid}/stat").read()
    return text[text.rindex(")") + 2:].split()
f = fields(postmaster)
ticks = int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])
for name in os.listdir("/proc"):
    if name.isdigit():
        try:
            g = fields(name)
        except OSError:
            continue
        if int(g[1]) == postmaster:
            ticks += int(g[11]) + int(g[12])
print("%.2f" % (ticks / os.sysconf("SC_CLK_TCK")))
PY
}

# Every public table's total size, `name bytes` per line.
table_sizes() {
  psql -Atq -F ' ' "$1" -c "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'm') ORDER BY 1"
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start (shared: other work runs beside this)"
for providers in "${sizes[@]}"; do
  facts="$work/population-$providers-$rules_hash.jsonl"
  [ -f "$facts" ] || python3 Tools/generate/generate_population.py --providers "$providers" --seed 1 --jsonl \
    --every-jurisdiction --rules "$rules" --out "$facts"
  referenced="$work/population-$providers-$rules_hash-referenced.jsonl"
  [ -f "$referenced" ] || python3 Tools/postgres/add_references.py "$facts" "$referenced"
  db="$server/bench_nightly_$providers"
  psql -q "$CREDRULES_TEST_DATABASE_URL" -c "CREATE DATABASE bench_nightly_$providers"
  "$bin" db migrate --database "$db" >/dev/null
  echo "== $providers providers ($(du -h "$referenced" | cut -f1) JSON Lines)"
  /usr/bin/time -f "   import: %e s wall (not compared)" "$bin" db import --database "$db" "$referenced" >/dev/null
  "$bin" publish --database "$db" RulePacks >/dev/null
  psql -q "$db" -c "VACUUM ANALYZE"
  psql -Atq "$db" -c "SELECT '   ' || (SELECT count(*) FROM providers) || ' providers, ' || (SELECT count(*) FROM licenses) || ' licenses, '
                      || (SELECT count(*) FROM cme_events) || ' CME events, ' || (SELECT count(*) FROM rule_versions) || ' rule versions'"

  statement() {  # one timed execution of the baseline statement: `wall_s server_cpu_s`
    local before after ms
    before=$(server_cpu)
    ms=$(psql -q -v as_of="$as_of" -f Tools/bench/nightly_baseline.sql "$db" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
    after=$(server_cpu)
    python3 -c "print('%.3f %.2f' % ($ms / 1000, $after - $before))"
  }
  psql -Atq "$db" -c "SELECT pg_stat_reset()" >/dev/null   # the function times below: the run and the statements only
  read -r sql1_wall sql1_cpu <<<"$(statement)"

  table_sizes "$db" >"$work/sizes-before-$providers.txt"
  log_start=$(stat -c %s "$CREDRULES_PG_DIR/server.log")
  cpu_before=$(server_cpu)
  /usr/bin/time -v -o "$work/run-$providers.time" "$bin" run --database "$db" --as-of "$as_of" "${batch[@]}" >"$work/run-$providers.out"
  cpu_after=$(server_cpu)
  table_sizes "$db" >"$work/sizes-after-$providers.txt"
  if [ "${PROFILE:-}" = 1 ]; then
    tail -c +"$((log_start + 1))" "$CREDRULES_PG_DIR/server.log" | python3 -c '
import re, sys, collections
total = collections.Counter(); count = collections.Counter()
for line in sys.stdin:
    m = re.search(r"duration: ([0-9.]+) ms  (?:statement|execute [^:]*|parse [^:]*|bind [^:]*): (.*)", line)
    if m:
        kind = " ".join(m.group(2).split()[:6])[:60]
        total[kind] += float(m.group(1)); count[kind] += 1
whole = sum(total.values()) or 1
for kind, ms in total.most_common(8):
    print(f"   profile: {ms / 1000:7.2f} s {100 * ms / whole:4.1f}% x{count[kind]:<5} {kind}")'
  fi
  read -r sql2_wall sql2_cpu <<<"$(statement)"

  run_wall=$(python3 - "$work/run-$providers.time" <<'PY'
import sys
for line in open(sys.argv[1]):
    if "Elapsed (wall clock)" in line:
        parts = [float(p) for p in line.rsplit(" ", 1)[1].split(":")]
        seconds = 0.0
        for p in parts:
            seconds = seconds * 60 + p
        print("%.3f" % seconds)
PY
)
  run_user=$(sed -n 's/^\tUser time (seconds): //p' "$work/run-$providers.time")
  run_sys=$(sed -n 's/^\tSystem time (seconds): //p' "$work/run-$providers.time")
  run_rss=$(sed -n 's/^\tMaximum resident set size (kbytes): //p' "$work/run-$providers.time")
  entries=$(psql -Atq "$db" -c "SELECT count(*) FROM rules_execution_log")
  sed 's/^/   run: /' "$work/run-$providers.out"
  python3 - "$providers" "$entries" "$run_wall" "$run_user" "$run_sys" "$run_rss" "$cpu_before" "$cpu_after" \
    "$sql1_wall" "$sql1_cpu" "$sql2_wall" "$sql2_cpu" "$work/sizes-before-$providers.txt" "$work/sizes-after-$providers.txt" <<'PY'
import sys
(providers, entries, run_wall, run_user, run_sys, rss, cpu_before, cpu_after,
 sql1_wall, sql1_cpu, sql2_wall, sql2_cpu, before_file, after_file) = sys.argv[1:]
entries = int(entries); run_wall = float(run_wall); client_cpu = float(run_user) + float(run_sys)
server_cpu = float(cpu_after) - float(cpu_before)
sql_wall = min(float(sql1_wall), float(sql2_wall))
print(f"   credrules run:      {run_wall:8.2f} s wall, CPU {client_cpu:.2f} s client + {server_cpu:.2f} s server, peak {int(rss) / 1024:.0f} MB resident")
print(f"   one SQL statement:  {float(sql1_wall):8.2f} s wall, {float(sql1_cpu):.2f} s server CPU (before the run); "
      f"{float(sql2_wall):.2f} s wall, {float(sql2_cpu):.2f} s server CPU (after)")
print(f"   ratio run / statement (wall, faster statement): {run_wall / sql_wall:.1f}x; "
      f"CPU: {(client_cpu + server_cpu) / max(min(float(sql1_cpu), float(sql2_cpu)), 0.01):.1f}x")
print(f"   {int(providers) / run_wall:.0f} providers/s; {entries} log entries")
sizes = lambda f: {n: int(b) for n, b in (l.split() for l in open(f) if l.strip())}
before, after = sizes(before_file), sizes(after_file)
grown = sorted(((after[n] - before.get(n, 0), n) for n in after if after[n] > before.get(n, 0) and n != "bench_sql_windows"), reverse=True)
# rules_execution_log is a view over its entries and documents (migration 0006): the log is those two tables.
log_tables = ["rules_execution_entries", "rules_execution_documents"]
log = sum(after.get(n, 0) - before.get(n, 0) for n in log_tables)
print(f"   log bytes per entry: {log / max(entries, 1):.0f} ({' + '.join(log_tables)}, pg_total_relation_size)")
print("   tables grown by the run (bytes per log entry): " + ", ".join(f"{n} {d / max(entries, 1):.0f}" for d, n in grown))
PY
  psql -Atq "$db" -c "SELECT '   server time in triggers during the run and statements: ' || string_agg(funcname || ' ' || round(self_time / 1000) || ' s', ', ' ORDER BY self_time DESC)
                      FROM (SELECT * FROM pg_stat_user_functions ORDER BY self_time DESC LIMIT 4) f"
  psql -Atq "$db" -c "SELECT '   statement vs run, licenses both cover: ' || count(*) || '; same window ' || count(*) FILTER (WHERE w.cme_window_start = s.cme_window_start AND w.cme_window_end = s.cme_window_end)
                      || ', same status ' || count(*) FILTER (WHERE w.compliance_status = s.compliance_status)
                      || ' (the statement reads total hours only)' FROM bench_sql_windows s JOIN compliance_windows w ON w.license_id = s.license_id"
done
echo "machine: load average $(cut -d' ' -f1-3 /proc/loadavg) at end"

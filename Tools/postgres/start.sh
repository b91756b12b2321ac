#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 server: a new cluster in a temporary folder, listening on a
# free port of 127.0.0.1 only, trust authentication for local connections (it is for tests).
# As root the server runs as the `postgres` user (PostgreSQL refuses to run as root).
#
# Prints shell assignments on stdout, to be evaluated:
#   eval "$(Tools/postgres/start.sh)"   # sets CREDRULES_TEST_DATABASE_URL and CREDRULES_PG_DIR
# Stop it with: Tools/postgres/stop.sh "$CREDRULES_PG_DIR"
set -euo pipefail

bindir=""
for candidate in "${PG_BINDIR:-}" /usr/lib/postgresql/15/bin "$(pg_config --bindir 2>/dev/null || true)"; do
  if [ -n "$candidate" ] && [ -x "$candidate/initdb" ]; then bindir="$candidate"; break; fi
done
if [ -z "$bindir" ]; then
  echo "start.sh: no PostgreSQL server found (initdb); install it with: apt-get install -y postgresql" >&2
  exit 1
fi

# A free port: ask the kernel for one, then release it for the server.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"

dir="$(mktemp -d /tmp/credrules-pg.XXXXXX)"
as_server_user=()
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$dir"
  as_server_user=(runuser -u postgres --)
fi
chmod 700 "$dir"
# The server user may not be able to enter the caller's folder (a root-only temporary clone);
# every path below is absolute.
cd /

"${as_server_user[@]}" "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
# The socket stays inside the folder, so nothing collides with a system server.
"${as_server_user[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }

echo "$port" >"$dir/port"
url="postgresql://postgres@127.0.0.1:$port/postgres"
echo "export CREDRULES_TEST_DATABASE_URL='$url'"
echo "export CREDRULES_PG_DIR='$dir'"
echo "PostgreSQL 15 running at $url (data in $dir)" >&2

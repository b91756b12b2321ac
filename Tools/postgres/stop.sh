#!/usr/bin/env bash
# Stops a server started by start.sh and deletes its folder: Tools/postgres/stop.sh DIR
# (DIR defaults to $CREDRULES_PG_DIR).
set -euo pipefail
dir="${1:-${CREDRULES_PG_DIR:-}}"
case "$dir" in
  /tmp/credrules-pg.*) ;;
  *) echo "stop.sh: not a folder made by start.sh: '$dir'" >&2; exit 2 ;;
esac
bindir="${PG_BINDIR:-/usr/lib/postgresql/15/bin}"
[ -x "$bindir/pg_ctl" ] || bindir="$(pg_config --bindir)"
as_server_user=()
[ "$(id -u)" = 0 ] && as_server_user=(runuser -u postgres --)
# The server user may not be able to enter the caller's folder (a root-only temporary clone);
# every path below is absolute.
cd /
if [ -f "$dir/data/postmaster.pid" ]; then
  "${as_server_user[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
fi
rm -rf "$dir"

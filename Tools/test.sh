#!/usr/bin/env bash
# The test command: installs what a fresh Debian machine lacks, starts a throwaway PostgreSQL 15
# (Tools/postgres/start.sh), runs `swift test` against it (CREDRULES_TEST_DATABASE_URL), and
# stops the server whatever the outcome. Arguments go to `swift test` (e.g. --filter RuleStoreTests).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
pkg-config --exists yaml-0.1 2>/dev/null || missing+=(libyaml-dev)
pkg-config --exists libpq 2>/dev/null || missing+=(libpq-dev)
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v python3 >/dev/null || missing+=(python3)
[ -x /usr/lib/postgresql/15/bin/initdb ] || command -v initdb >/dev/null || missing+=(postgresql)
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update && apt-get install -y "${missing[@]}"
fi

eval "$(Tools/postgres/start.sh)"
trap 'Tools/postgres/stop.sh "$CREDRULES_PG_DIR"' EXIT
swift test "$@"

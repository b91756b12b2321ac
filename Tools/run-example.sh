#!/usr/bin/env bash
# Sets up a fresh machine (libyaml) and evaluates the bundled sample population against every
# bundled rule pack, printing one line per provider and credential. No database is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! pkg-config --exists yaml-0.1 2>/dev/null; then
  apt-get update && apt-get install -y libyaml-dev pkg-config
fi
swift build -c release --product credrules
.build/release/credrules eval --packs RulePacks --facts Examples/sample-facts.json --as-of "${AS_OF:-2026-11-26}" --format table "$@"

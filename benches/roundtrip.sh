#!/usr/bin/env bash
# The dump → import round trip on generated data, at scale: import N events, dump, import
# the dump into a new store, dump again; the two dumps must be byte-identical. Then a
# backup of the first store and a check of it. Each step prints its time and peak RSS.
# A benchmark run by hand (docs/reliability.md), not a test:
#
#   benches/roundtrip.sh [EVENTS [ENGINE]]      # defaults: 1000000 redb
#
# Needs /usr/bin/time; the data comes from the project's generator (examples/gen-events).
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
engine=${2:-redb}
bin=target/release/dipgraph
work=$(mktemp -d "${TMPDIR:-/tmp}/dipgraph-roundtrip.XXXXXX")
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --bin dipgraph --example gen-events
step() {
  echo "== $1"
  shift
  /usr/bin/time -f "   %e s, peak RSS %M KB" "$@"
}
step "generate $events events" target/release/examples/gen-events --events "$events" --seed 42 --out "$work/events.jsonl"
step "import ($engine)" "$bin" --db "$work/a.db" --engine "$engine" import "$work/events.jsonl"
step "dump" "$bin" --db "$work/a.db" dump -o "$work/dump1.jsonl"
step "import the dump into a new store" "$bin" --db "$work/b.db" --engine "$engine" import "$work/dump1.jsonl"
step "dump the new store" "$bin" --db "$work/b.db" dump -o "$work/dump2.jsonl"
if cmp -s "$work/dump1.jsonl" "$work/dump2.jsonl"; then
  echo "identical: $(wc -l < "$work/dump1.jsonl") lines, $(wc -c < "$work/dump1.jsonl") bytes"
else
  echo "the dumps differ" >&2
  exit 1
fi
step "backup" "$bin" --db "$work/a.db" backup "$work/backup.db"
step "check the backup" "$bin" --db "$work/backup.db" check

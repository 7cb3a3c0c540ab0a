#!/usr/bin/env bash
# Scores `dipgraph ingest --dry-run` on the real articles of an extraction-dev folder (not part of
# the repository: third-party news copy, read where it lies) with its own score.py.
#
# usage: benches/extraction-dev.sh DEV_DIR [--split dev|holdout|all] [--gate EVENTS_F1 ENTITIES_F1]
#   DEV_DIR: a folder with articles/*.txt, their *.gold.json and score.py.
#   --split: the held-out third is every article whose number is a multiple of 3 (d03, d06, ...);
#            `dev` is the other two thirds; default `all`.
#   --gate: exit 1 when the overall events or entities F1 is below the given figures.
# Prints the score per language and overall. Needs python3 and a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
dev=
split=all
gate_ev="" gate_en=""
while [ $# -gt 0 ]; do
  case "$1" in
    --split) split=$2; shift 2 ;;
    --gate) gate_ev=$2; gate_en=$3; shift 3 ;;
    *) dev=$1; shift ;;
  esac
done
[ -n "$dev" ] || { echo "usage: benches/extraction-dev.sh DEV_DIR [--split dev|holdout|all] [--gate EV EN]" >&2; exit 2; }
[ -d "$dev/articles" ] || { echo "extraction-dev: $dev/articles not found" >&2; exit 2; }
bin=${DIPGRAPH_BIN:-target/release/dipgraph}
[ -x "$bin" ] || cargo build --release --quiet
out=target/extraction-dev/$split
rm -rf "$out"; mkdir -p "$out"

field() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print(v or "")' "$1" "$2"; }
declare -A pairs
for g in "$dev"/articles/*.gold.json; do
  name=$(basename "$g" .gold.json)
  num=$((10#${name:1:2}))
  case "$split" in
    dev) [ $((num % 3)) -ne 0 ] || continue ;;
    holdout) [ $((num % 3)) -eq 0 ] || continue ;;
  esac
  lang=$(field "$g" lang)
  pub=$(field "$g" published)
  p="$out/$name.jsonl"
  args=(--db "$out/none.db" ingest "${g%.gold.json}.txt" --dry-run --format jsonl --lang "$lang")
  [ -n "$pub" ] && args+=(--published "$pub")
  "$bin" "${args[@]}" >"$p" 2>"$out/$name.stderr" || echo "ingest failed on $name (exit $?)" >&2
  pairs[$lang]+="$g $p "
  pairs[all]+="$g $p "
done
status=0
for lang in ar fr en all; do
  [ -n "${pairs[$lang]:-}" ] || continue
  # shellcheck disable=SC2086
  line=$(python3 "$dev/score.py" ${pairs[$lang]} | tail -1)
  printf '%-4s %s\n' "$lang" "$line"
  if [ "$lang" = all ]; then
    python3 "$dev/score.py" ${pairs[all]} >"$out/score.txt"
    if [ -n "$gate_ev" ]; then
      python3 - "$line" "$gate_ev" "$gate_en" <<'PY' || status=1
import re, sys
line, ev_min, en_min = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
nums = [float(x) for x in re.findall(r"\d+\.\d+", line)]
ev_f1, en_f1 = nums[2], nums[5]
ok = ev_f1 >= ev_min and en_f1 >= en_min
print(f"gate: events F1 {ev_f1:.2f} (>= {ev_min}), entities F1 {en_f1:.2f} (>= {en_min}): {'pass' if ok else 'FAIL'}")
sys.exit(0 if ok else 1)
PY
    fi
  fi
done
exit $status

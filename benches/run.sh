#!/usr/bin/env bash
# dipgraph side by side with Kuzu, DuckDB, SQLite and NetworkX (issue 7).
#
# Runs a peer harness (a folder holding peers.py and its recorded results/, given with
# --harness DIR) with dipgraph as its product, once
# per storage engine, checks every answer against the harness's reference, times the
# dipgraph commands again with hyperfine (wall and user+sys CPU, and the store's open
# time), and writes one combined report per size. docs/performance.md explains the method
# and holds the recorded figures.
#
#   benches/run.sh --harness DIR         # 100k and 1M: all peers, dipgraph on redb and sled (sled only at 100k)
#   benches/run.sh --quick               # 100k, dipgraph only (Q2/Q4 checked against the recorded peers' answers)
#   benches/run.sh --sizes 1M --engines redb --peers duckdb
#   benches/run.sh --sizes 1M --sled-1m  # also sled at 1M: slow and memory-hungry, see docs/performance.md
#   benches/run.sh -- --warm-runs 5      # everything after -- goes to peers.py
#
# Writes under target/bench-work (or --work DIR): <size>/ data and stores, results/ reports.
# The harness folder is only read. The exit status is 1 if any dipgraph answer disagrees with the reference
# (Q4 compared within the harness's subgraph model; see docs/performance.md).
set -euo pipefail

usage() {
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
    cat <<'EOF'
Options:
  --sizes LIST     event counts, comma-separated (100k, 1M, or a number)   [100k,1M]
  --engines LIST   dipgraph engines to run, comma-separated (redb, sled)  [redb,sled]
  --peers LIST     peers for peers.py --peers (kuzu,sqlite,duckdb,networkx or none)
                   [kuzu,sqlite,duckdb,networkx]
  --quick          100k only, dipgraph only (--peers none), redb unless --engines is given
  --sled-1m        also run sled at sizes of 1M events or more (skipped by default)
  --runs N         hyperfine runs per dipgraph command                    [20]
  --work DIR       data, stores and reports                              [target/bench-work]
  --venv DIR       the peers' virtualenv (created if missing)            [target/bench-venv]
  --harness DIR    the peer harness folder (peers.py, results/)          [required]
  --no-build       use target/release/dipgraph as it is
  --report-only    measure nothing: rebuild the reports from the JSON already in results/
  -- ARGS          passed to peers.py (e.g. --warm-runs 5, --drop-caches no)
EOF
}

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZES=100k,1M
ENGINES=redb,sled
ENGINES_SET=0
PEERS=kuzu,sqlite,duckdb,networkx
QUICK=0
SLED_1M=0
RUNS=20
WORK=$REPO/target/bench-work
VENV=$REPO/target/bench-venv
HARNESS_DIR=
BUILD=1
REPORT_ONLY=0
PASS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) SIZES=$2; shift 2 ;;
        --engines) ENGINES=$2; ENGINES_SET=1; shift 2 ;;
        --peers) PEERS=$2; shift 2 ;;
        --quick) QUICK=1; shift ;;
        --sled-1m) SLED_1M=1; shift ;;
        --runs) RUNS=$2; shift 2 ;;
        --work) WORK=$2; shift 2 ;;
        --venv) VENV=$2; shift 2 ;;
        --harness) HARNESS_DIR=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        --report-only) REPORT_ONLY=1; BUILD=0; shift ;;
        -h | --help) usage; exit 0 ;;
        --) shift; PASS=("$@"); break ;;
        *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [ "$QUICK" = 1 ]; then
    SIZES=100k
    PEERS=none
    [ "$ENGINES_SET" = 1 ] || ENGINES=redb
fi

[ -n "$HARNESS_DIR" ] || { echo "run.sh: pass --harness DIR (the folder of peers.py)" >&2; exit 2; }
HARNESS=$(cd "$HARNESS_DIR" 2>/dev/null && [ -e peers.py ] && pwd) || {
    echo "run.sh: no peers.py in $HARNESS_DIR (pass --harness DIR)" >&2
    exit 2
}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
RESULTS=$WORK/results
mkdir -p "$RESULTS"
# On a fresh Debian machine (as root), install the two tools the timing needs.
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "run.sh: installing ${missing[*]} with apt-get" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
        echo "run.sh: apt-get could not install ${missing[*]}" >&2
fi
command -v hyperfine >/dev/null || {
    echo "run.sh: hyperfine is needed (apt-get install -y hyperfine)" >&2
    exit 2
}
[ -x /usr/bin/time ] || {
    echo "run.sh: /usr/bin/time is needed (apt-get install -y time)" >&2
    exit 2
}

say() { printf '\n== %s  [%s]\n' "$*" "$(uptime | sed 's/.*load average: /load /')"; }

# The load average beside every measurement: one line per phase in results/load-<size>.txt.
load_mark() { printf '%s\t%s\n' "$2" "$(uptime | sed 's/.*load average: //')" >>"$RESULTS/load-$1.txt"; }

# ... and sampled every 10 s while a phase runs (the 1-minute average, into loadsamples-<size>.txt).
SAMPLER=
sampler_start() {
    local out=$RESULTS/loadsamples-$1.txt phase=$2
    (while :; do
        printf '%s\t%s\n' "$phase" "$(cut -d' ' -f1 /proc/loadavg)" >>"$out"
        sleep 10
    done) &
    SAMPLER=$!
}
sampler_stop() {
    if [ -n "$SAMPLER" ]; then
        kill "$SAMPLER" 2>/dev/null || true
        wait "$SAMPLER" 2>/dev/null || true
        SAMPLER=
    fi
}
trap sampler_stop EXIT

# ---------------------------------------------------------------- virtualenv and build
PY=$VENV/bin/python
REQ=$HARNESS/requirements.txt
if [ ! -x "$PY" ] || ! cmp -s "$REQ" "$VENV/requirements.installed"; then
    say "virtualenv $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet -r "$REQ"
    cp "$REQ" "$VENV/requirements.installed"
fi
if [ "$BUILD" = 1 ]; then
    say "cargo build --release"
    (cd "$REPO" && cargo build --release --bin dipgraph)
fi
# The run uses a copy of the binary, so that a rebuild in the working tree meanwhile (other
# work, another checkout's cargo) cannot change it halfway; its hash names the exact build.
BIN=$WORK/dipgraph
VERSION=
if [ "$REPORT_ONLY" = 0 ]; then
    cp "$REPO/target/release/dipgraph" "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
    VERSION="$("$BIN" --version) ($(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown),\
 binary sha256 $(sha256sum "$BIN" | cut -c1-12))"
fi

[ "$REPORT_ONLY" = 1 ] || {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "kernel: $(uname -sr)"
    echo "memory (free -g):"
    free -g | sed 's/^/  /'
    echo "dipgraph: $VERSION"
    echo "python: $("$PY" --version 2>&1)"
    echo "hyperfine: $(hyperfine --version)"
} >"$RESULTS/machine.txt"

# peers.py with one fix: networkx reads a GraphML file with parallel edges as a multigraph,
# whose `G.edges` yields (u, v, key) triples that the harness's Q4 digest cannot unpack.
# dipgraph's export is a multigraph (docs/export.md), so its Q4 file is read with
# `G.edges()` (pairs) instead. Everything else is peers.py as it is.
read -r -d '' HARNESS_MAIN <<'PY' || true
import sys
harness = sys.argv.pop(1)
sys.path.insert(0, harness)
import peers

def read_graphml_answer(path):
    import networkx as nx
    g = nx.read_graphml(path)
    return list(g.nodes), list(g.edges())

peers.read_graphml_answer = read_graphml_answer
sys.argv[0] = peers.__file__
sys.exit(peers.main())
PY

events_of() {
    case "$1" in
        *[kK]) echo $((${1%?} * 1000)) ;;
        *[mM]) echo $((${1%?} * 1000000)) ;;
        *) echo "$1" ;;
    esac
}

# label as peers.py names sizes: 100000 -> 100k, 1000000 -> 1M
label_of() {
    local n=$1
    if [ $((n % 1000000)) = 0 ]; then echo "$((n / 1000000))M"
    elif [ $((n % 1000)) = 0 ]; then echo "$((n / 1000))k"
    else echo "$n"; fi
}

# hyperfine one dipgraph command into results/hf-<label>-<engine>-<op>.json.
hf() {
    local label=$1 engine=$2 op=$3
    shift 3
    local json=$RESULTS/hf-$label-$engine-$op.json
    rm -f "$json"
    # hyperfine -N splits its command like a shell: quote every argument.
    local cmd
    cmd=$(printf '%q ' "$@")
    hyperfine -N --style basic --warmup 3 --runs "$RUNS" --export-json "$json" "$cmd" >/dev/null 2>&1 ||
        echo "hyperfine: $engine $op failed: $cmd" >&2
    # Peak RSS of one run, without the harness's fork-before-exec floor.
    /usr/bin/time -f '%M' -o "$RESULTS/rss-$label-$engine-$op.txt" "$@" >/dev/null 2>&1 || true
}

STATUS=0
IFS=, read -r -a SIZE_LIST <<<"$SIZES"
IFS=, read -r -a ENGINE_LIST <<<"$ENGINES"
for size in "${SIZE_LIST[@]}"; do
    n=$(events_of "$size")
    label=$(label_of "$n")
    work=$WORK/$label
    first=1
    ran=()
    if [ "$REPORT_ONLY" = 1 ]; then
        for engine in "${ENGINE_LIST[@]}"; do
            if [ -f "$RESULTS/peers-$label-dipgraph-$engine.json" ]; then ran+=("$engine"); fi
        done
        ENGINES_NOW=()
    else
        rm -f "$RESULTS/load-$label.txt" "$RESULTS/loadsamples-$label.txt" "$RESULTS"/peers-"$label"-dipgraph-*.json "$RESULTS"/hf-"$label"-*.json \
            "$RESULTS"/rss-"$label"-*.txt "$RESULTS"/import-"$label"-*.time
        ENGINES_NOW=("${ENGINE_LIST[@]}")
    fi
    for engine in ${ENGINES_NOW[@]+"${ENGINES_NOW[@]}"}; do
        if [ "$engine" = sled ] && [ "$n" -ge 1000000 ] && [ "$SLED_1M" = 0 ]; then
            say "skipping sled at $label (pass --sled-1m: sled needed ~5 GB writing 1M random keys)"
            continue
        fi
        peers=none
        if [ "$first" = 1 ]; then peers=$PEERS; fi
        timeout=3600
        if [ "$engine" = sled ]; then timeout=14400; fi
        name=dipgraph-$engine
        say "$label: peers.py, peers=$peers, product=$name"
        load_mark "$label" "peers.py ($peers + $name): before"
        sampler_start "$label" "peers.py ($peers + $name)"
        # Import under /usr/bin/time for its user+sys CPU time; the harness times it too.
        timefile=$RESULTS/import-$label-$engine.time
        rc=0
        "$PY" -c "$HARNESS_MAIN" "$HARNESS" --events "$n" --work "$work" --results "$RESULTS" \
            --peers "$peers" --tag "$label-$name" --import-timeout "$timeout" \
            --product "$(printf %q "$BIN")" --product-name "$name" --product-version "$VERSION" \
            --product-op "import=/usr/bin/time -f '%e %U %S %M' -o $(printf %q "$timefile") {cmd} --engine $engine --db {db} import {jsonl}" \
            --product-op 'q1={cmd} --db {db} contacts {a} {b} --domain {domain} --since {since} --format json' \
            --product-op 'q2={cmd} --db {db} neighbors {person} --hops 2 --format json' \
            --product-op 'q3={cmd} --db {db} path {x} {y} --format json' \
            --product-op 'q4={cmd} --db {db} export --format graphml -o {out} contacts {a} {b} --domain {domain} --since {since}' \
            ${PASS[@]+"${PASS[@]}"} || rc=$?
        sampler_stop
        load_mark "$label" "peers.py ($peers + $name): after"
        if [ "$rc" -gt 1 ]; then
            echo "run.sh: peers.py failed (exit $rc) at $label for $name" >&2
            exit "$rc"
        fi
        first=0
        ran+=("$engine")

        # The same commands again, each a new process with a warm page cache, for user+sys.
        db=$work/$name.db
        if [ -d "$db" ]; then
            eval "$("$PY" - "$work/prepare.json" <<'PY'
import json, shlex, sys
p = json.load(open(sys.argv[1]))["params"]
for var, val in (("A", p["q1"]["a"]), ("B", p["q1"]["b"]), ("DOMAIN", p["q1"]["domain"]),
                 ("SINCE", p["q1"]["since"]), ("PERSON", p["q2"]["person"]),
                 ("X", p["q3"]["x"]), ("Y", p["q3"]["y"])):
    print(f"{var}={shlex.quote(str(val))}")
PY
)"
            say "$label: hyperfine $name"
            load_mark "$label" "hyperfine $name: before"
            sampler_start "$label" "hyperfine $name"
            # Open time: a contacts query whose window ends before any event (an empty dyad scan).
            hf "$label" "$engine" open "$BIN" --db "$db" contacts "$A" "$B" --until 1900 --format json
            hf "$label" "$engine" q1 "$BIN" --db "$db" contacts "$A" "$B" --domain "$DOMAIN" --since "$SINCE" --format json
            hf "$label" "$engine" q2 "$BIN" --db "$db" neighbors "$PERSON" --hops 2 --format json
            hf "$label" "$engine" q3 "$BIN" --db "$db" path "$X" "$Y" --format json
            hf "$label" "$engine" q4 "$BIN" --db "$db" export --format graphml -o "$work/hf-q4.graphml" \
                contacts "$A" "$B" --domain "$DOMAIN" --since "$SINCE"
            if [ -w /proc/sys/vm/drop_caches ]; then
                json=$RESULTS/hf-$label-$engine-open-cold.json
                hyperfine -N --style basic --runs 10 --export-json "$json" \
                    --prepare "sh -c 'sync; echo 3 > /proc/sys/vm/drop_caches'" \
                    "$(printf '%q ' "$BIN" --db "$db" contacts "$A" "$B" --until 1900 --format json)" \
                    >/dev/null 2>&1 ||
                    echo "hyperfine: cold open failed" >&2
            fi
            sampler_stop
            load_mark "$label" "hyperfine $name: after"
        fi
    done
    if [ "${#ran[@]}" = 0 ]; then
        continue
    fi
    say "$label: report"
    "$PY" - "$HARNESS" "$RESULTS" "$work" "$label" "${ran[@]}" <<'PY' || STATUS=1
import json, os, statistics, sys
harness, results_dir, work, label, engines = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
sys.path.insert(0, harness)
import peers

def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)

runs = [load(os.path.join(results_dir, f"peers-{label}-dipgraph-{e}.json")) for e in engines]
meta = runs[0]["prepare"]
results = list(runs[0]["results"])
for r in runs[1:]:
    results += [x for x in r["results"] if x["peer"].startswith("dipgraph-")]
names = [f"dipgraph-{e}" for e in engines]
peer_rows = [r for r in results if r["peer"] not in names]

# Q2 and Q4 have no oracle: their reference is the peers' majority. Without peers in this run,
# use the majority recorded in the harness's results/ for the same data and parameters.
notes = []
recorded = os.path.join(harness, "results", f"peers-{label}.json")
rec = load(recorded) if os.path.exists(recorded) else None
same_data = rec is not None and \
    (rec["prepare"].get("events"), rec["prepare"].get("seed"), bool(rec["prepare"].get("shuffle"))) == \
    (meta.get("events"), meta.get("seed"), bool(meta.get("shuffle"))) and \
    rec["prepare"]["params"].get("query") == meta["params"].get("query") and \
    rec["prepare"]["params"]["reference"] == meta["params"]["reference"]
check_meta = json.loads(json.dumps(meta))
if not peer_rows and same_data:
    for q in ("q2", "q4"):
        check_meta["params"]["reference"][q] = rec["answers"][q]["reference"]
verdicts = peers.compare(results, check_meta)
unchecked = not peer_rows and not same_data
for q in ("q2", "q4"):
    if unchecked:
        # No peers ran and none were recorded for this data: nothing to check Q2/Q4 against.
        verdicts[q]["reference"] = None
        verdicts[q]["reference_source"] = "none (no peers in this run, none recorded)"
        for pv in verdicts[q]["peers"].values():
            pv["verdict"] = "skipped"
        notes.append(f"{q.upper()} is not checked: no peers ran and none are recorded for this data.")
    elif not peer_rows:
        verdicts[q]["reference_source"] = ("recorded majority of peers (harness results/"
                                           f"peers-{label}.json)")
    elif same_data:
        now, then = verdicts[q]["reference"], rec["answers"][q]["reference"]
        if now != then:
            notes.append(f"{q.upper()}: this run's peer majority differs from the recorded one.")

# Q4: dipgraph exports a richer subgraph than the harness's Q4 model (docs/export.md: also
# positions, organizations, places, relations, sources). Restrict its file to the harness's
# model — the events, their participants (participation edges) and each non-country
# participant's `country` edge — and compare that with the reference too.
def restricted(path):
    import networkx as nx
    g = nx.read_graphml(path)
    kind = {n: d.get("kind") for n, d in g.nodes(data=True)}
    ntype = {n: d.get("type") for n, d in g.nodes(data=True)}
    events, parts, edges = set(), set(), set()
    for u, v, d in g.edges(data=True):
        if d.get("kind") == "participation":
            ev, ent = (v, u) if kind.get(v) == "event" else (u, v)
            events.add(ev)
            parts.add(ent)
            edges.add((ev, ent))
    nodes = set(events) | parts
    for u, v, d in g.edges(data=True):
        if d.get("kind") == "country" and u in parts and ntype.get(u) != "country":
            nodes.add(v)
            edges.add((u, v))
    return sorted(nodes), sorted(edges)

q4_ref = verdicts["q4"]["reference"]
q4_restricted = {}
for name in names:
    path = os.path.join(work, f"q4-{name}.graphml")
    if os.path.exists(path) and q4_ref:
        d = peers.digest("q4", restricted(path))
        ok = all(d[f] == q4_ref[f] for f in peers.COMPARE_FIELDS["q4"])
        q4_restricted[name] = {"digest": d, "verdict": "OK" if ok else "DISAGREE"}

for name, v in q4_restricted.items():
    pv = verdicts["q4"]["peers"].get(name)
    if pv and pv["verdict"] != "OK":
        pv["verdict"] += f" (a richer subgraph by design; restricted: {v['verdict']}, see below)"

# Bytes the store's files occupy on disk (allocated blocks; redb's file can be sparse), beside
# the harness's apparent size.
allocated = {}
for name in names:
    total = 0
    for root, _, files in os.walk(os.path.join(work, f"{name}.db")):
        for f in files:
            total += os.stat(os.path.join(root, f)).st_blocks * 512
    allocated[name] = total

machine = runs[0]["machine"]
text = peers.render_tables(results, meta, verdicts, machine)

# dipgraph under hyperfine: wall (mean, median) and user+sys, each a new process.
def hfres(engine, op):
    path = os.path.join(results_dir, f"hf-{label}-{engine}-{op}.json")
    if not os.path.exists(path):
        return None
    r = load(path)["results"][0]
    rss_path = os.path.join(results_dir, f"rss-{label}-{engine}-{op}.txt")
    r["rss_mib"] = None
    if os.path.exists(rss_path):
        try:
            r["rss_mib"] = int(open(rss_path).read().split()[-1]) / 1024
        except (ValueError, IndexError):
            pass
    return r

def ms(x):
    return "-" if x is None else (f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s")

loads = open(os.path.join(results_dir, f"load-{label}.txt")).read().splitlines()
L = [text, ""]
L.append("dipgraph, each command a new process with a warm page cache (hyperfine: mean ± σ, "
         "median, user+sys CPU, peak RSS of one run):\n")
L.append("| engine | op | mean ± σ | median | user+sys | runs | peak RSS |")
L.append("|---|---|---|---|---|---|---|")
hf_all = {}
for e in engines:
    for op in ("open", "open-cold", "q1", "q2", "q3", "q4"):
        r = hfres(e, op)
        if r is None:
            continue
        hf_all[f"{e}/{op}"] = r
        rss = "-" if r["rss_mib"] is None else f"{r['rss_mib']:.0f} MiB"
        L.append(f"| {e} | {op} | {ms(r['mean'])} ± {ms(r['stddev'])} | {ms(r['median'])} | "
                 f"{ms(r['user'] + r['system'])} | {len(r['times'])} | {rss} |")
L.append("")
L.append("`open` = `contacts A B --until 1900` (an empty dyad scan): process start, store open, "
         "name resolution. `open-cold` is the same after dropping the page cache.\n")
imports = {}
for e in engines:
    path = os.path.join(results_dir, f"import-{label}-{e}.time")
    if os.path.exists(path):
        wall, user, sys_, rss = open(path).read().split()[-4:]
        imports[e] = {"wall_s": float(wall), "user_s": float(user), "sys_s": float(sys_),
                      "rss_mib": int(rss) / 1024}
        L.append(f"Import on {e} (/usr/bin/time): {float(wall):.2f} s wall, "
                 f"{float(user) + float(sys_):.2f} s user+sys, peak RSS {int(rss) / 1024:.0f} MiB.\n")
if q4_restricted:
    L.append(f"Q4 restricted to the harness's subgraph model (events, participants, their side "
             f"countries): reference {peers.short('q4', q4_ref)}; " +
             "; ".join(f"{k}: {peers.short('q4', v['digest'])} "
                       f"{'✓' if v['verdict'] == 'OK' else '✗'}" for k, v in q4_restricted.items()) + ".\n")
apparent = {r["peer"]: r.get("disk_bytes") for r in results}
sizes = [f"{k}: {apparent[k] / 2**20:.0f} MiB apparent, {v / 2**20:.0f} MiB allocated"
         for k, v in allocated.items() if apparent.get(k) is not None]
if sizes:
    L.append("Store size on disk, apparent (as the table) and allocated: " + "; ".join(sizes) + ".\n")
L += [f"Note: {n}\n" for n in notes]
machine_txt = os.path.join(results_dir, "machine.txt")
if os.path.exists(machine_txt):
    L.append("Machine and build:\n")
    L.append("```")
    L += open(machine_txt, encoding="utf-8").read().splitlines()
    L.append("```\n")
L.append("Load average (1, 5, 15 min) at the start and end of each phase:\n")
L.append("```")
L += loads
L.append("```\n")
samples = {}
samples_path = os.path.join(results_dir, f"loadsamples-{label}.txt")
if os.path.exists(samples_path):
    for line in open(samples_path, encoding="utf-8"):
        phase, _, value = line.rstrip("\n").rpartition("\t")
        samples.setdefault(phase, []).append(float(value))
    L.append("1-minute load average sampled every 10 s during each phase:\n")
    L.append("| phase | samples | min | mean | max |")
    L.append("|---|---|---|---|---|")
    for phase, v in samples.items():
        L.append(f"| {phase} | {len(v)} | {min(v):.2f} | {sum(v) / len(v):.2f} | {max(v):.2f} |")
    L.append("")
loads = {"marks": loads, "samples": samples}
out_md = "\n".join(L) + "\n"
print(out_md)
with open(os.path.join(results_dir, f"dipgraph-{label}.md"), "w", encoding="utf-8") as f:
    f.write(out_md)
with open(os.path.join(results_dir, f"dipgraph-{label}.json"), "w", encoding="utf-8") as f:
    json.dump({"size": label, "machine": machine, "prepare": meta, "results": results,
               "answers": verdicts, "q4_restricted": q4_restricted, "hyperfine": hf_all,
               "imports": imports, "allocated_bytes": allocated, "load": loads}, f, indent=1, default=str)
# The full Q4 file differs from the harness's model by design (see above): the exit status
# counts Q1-Q3 and the restricted Q4.
bad = [q for q, v in verdicts.items() if q != "q4" for p, pv in v["peers"].items()
       if p in names and pv["verdict"] not in ("OK", "skipped")]
if not unchecked:
    bad += ["q4 (restricted)" for n in names if q4_restricted.get(n, {}).get("verdict") != "OK"]
if bad:
    print(f"dipgraph answers disagree with the reference in: {', '.join(sorted(set(bad)))}")
sys.exit(1 if bad else 0)
PY
done

# ---------------------------------------------------------------- growth and targets
# Over every size reported so far in results/ (this run's and earlier runs'): how dipgraph's
# costs grow with the event count, and the issue's targets at the largest size.
say "summary"
"$PY" - "$RESULTS" <<'PY'
import glob, json, os, sys
results_dir = sys.argv[1]
runs = []
for path in glob.glob(os.path.join(results_dir, "dipgraph-*.json")):
    with open(path, encoding="utf-8") as f:
        runs.append(json.load(f))
runs.sort(key=lambda r: r["prepare"]["events"])
if not runs:
    sys.exit(0)

def ms(x):
    return "-" if x is None else (f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s")

def rows_of(run):
    """Per dipgraph engine: the figures the summary needs."""
    out = {}
    n = run["prepare"]["events"]
    for r in run["results"]:
        name = r["peer"]
        if not name.startswith("dipgraph-") or r.get("import", {}).get("rc", 1) != 0:
            continue
        e = name.split("-", 1)[1]
        hf = {op.split("/")[1]: v for op, v in run["hyperfine"].items() if op.startswith(e + "/")}
        imp = run.get("imports", {}).get(e, {})
        verdicts = {q: run["answers"][q]["peers"].get(name, {}).get("verdict") for q in ("q1", "q2", "q3")}
        verdicts["q4"] = run.get("q4_restricted", {}).get(name, {}).get("verdict")
        out[e] = {"events": n, "jsonl": run["prepare"]["jsonl_bytes"], "disk": r["disk_bytes"],
                  "allocated": run.get("allocated_bytes", {}).get(name), "import": r["import"]["wall_s"],
                  "import_cpu": (imp["user_s"] + imp["sys_s"]) if imp else None,
                  "rss": r["import"]["peak_rss_mib"], "hf": hf, "verdicts": verdicts,
                  "warm": r.get("warm", {}), "load": run.get("load", [])}
    return out

per_size = [(run["size"], rows_of(run)) for run in runs]
L = ["## dipgraph: growth with the event count\n"]
engines = sorted({e for _, rows in per_size for e in rows})
for e in engines:
    sizes = [(label, rows[e]) for label, rows in per_size if e in rows]
    L.append(f"### {e}\n")
    L.append("| figure | " + " | ".join(f"{label}: total | {label}: per event" for label, _ in sizes) + " |")
    L.append("|---|" + "---|---|" * len(sizes))

    def row(title, get, fmt, per):
        cells = []
        for _, x in sizes:
            v = get(x)
            cells += ["-", "-"] if v is None else [fmt(v), per(v, x["events"])]
        L.append(f"| {title} | " + " | ".join(cells) + " |")
    us = lambda v, n: f"{v / n * 1e6:.1f} µs"
    bpe = lambda v, n: f"{v / n:.0f} B"
    mib = lambda v: f"{v / 2**20:.0f} MiB"
    row("JSONL", lambda x: x["jsonl"], mib, bpe)
    row("store, apparent size", lambda x: x["disk"], mib, bpe)
    row("store, allocated", lambda x: x["allocated"], mib, bpe)
    row("import, wall", lambda x: x["import"], ms, us)
    row("import, user+sys", lambda x: x["import_cpu"], ms, us)
    row("import, peak RSS", lambda x: x["rss"] * 2**20, mib, bpe)
    for op, what in (("open", "open (empty contacts)"), ("open-cold", "open, page cache dropped"),
                     ("q1", "Q1 contacts"), ("q2", "Q2 neighbors 2 hops"), ("q3", "Q3 path"),
                     ("q4", "Q4 export")):
        row(f"{what}, wall", lambda x: (x["hf"].get(op) or {}).get("mean"), ms, lambda v, n: "")
        row(f"{what}, user+sys", lambda x: ((x["hf"].get(op) or {}).get("user", 0) +
                                           (x["hf"].get(op) or {}).get("system", 0)) if x["hf"].get(op) else None,
            ms, lambda v, n: "")
    L.append("")
    L.append("Load averages during these runs are in each size's report.\n")

# The issue's targets, at the largest size, for each engine measured there.
label, rows = per_size[-1]
L.append(f"## Targets at {label} events\n")
L.append("Times are whole processes with a warm page cache (hyperfine mean; user+sys CPU in "
         "brackets). The issue sets them for 1M events.\n")
for e, x in rows.items():
    L.append(f"### {e}\n")
    load = x["load"].get("samples", {}) if isinstance(x["load"], dict) else {}
    for phase, v in load.items():
        L.append(f"Load during `{phase}`: 1-minute average {sum(v) / len(v):.2f} "
                 f"(min {min(v):.2f}, max {max(v):.2f}, {len(v)} samples).\n")
    L.append("| target | measured | verdict |")
    L.append("|---|---|---|")

    def target(what, value, limit, shown, cpu=None):
        if value is None:
            L.append(f"| {what} | not measured | - |")
            return
        ok = value <= limit
        how = f"{value / limit:.2f}× the limit" if limit else ""
        extra = f" ({ms(cpu)} user+sys: {'under' if cpu <= limit else 'over'})" if cpu is not None else ""
        L.append(f"| {what} | {shown(value)}{extra} | {'met' if ok else 'missed'}, {how} |")
    v = x["verdicts"]
    good = [q for q in ("q1", "q2", "q3") if v.get(q) == "OK"]
    L.append(f"| correct contacts/neighbors/path | {', '.join(f'{q.upper()} {v.get(q)}' for q in ('q1', 'q2', 'q3'))}; "
             f"Q4 restricted {v.get('q4')} | {'met' if len(good) == 3 else 'missed'} |")
    target("import < 10 s", x["import"], 10.0, ms, x["import_cpu"])
    target("import peak RSS < 1 GiB", x["rss"], 1024.0, lambda m: f"{m:.0f} MiB")
    target("store ≤ JSONL (apparent size)", x["disk"], x["jsonl"], lambda b: f"{b / 2**20:.0f} MiB of {x['jsonl'] / 2**20:.0f} MiB")
    if x["allocated"] is not None:
        target("store ≤ JSONL (allocated)", x["allocated"], x["jsonl"], lambda b: f"{b / 2**20:.0f} MiB of {x['jsonl'] / 2**20:.0f} MiB")
    for op, what, limit in (("q1", "contacts < 50 ms", 0.050), ("q2", "neighbors (2 hops) < 150 ms", 0.150),
                            ("q3", "path < 300 ms", 0.300), ("q4", "export of the contacts subgraph < 200 ms", 0.200)):
        h = x["hf"].get(op)
        target(what, h and h["mean"], limit, ms, h and (h["user"] + h["system"]))
    first = next((rows0[e] for _, rows0 in per_size if e in rows0), None)
    o1, o2 = (first["hf"].get("open") or {}), (x["hf"].get("open") or {})
    if first is not x and o1 and o2:
        c1, c2 = o1["user"] + o1["system"], o2["user"] + o2["system"]
        grow = o2["mean"] / o1["mean"]
        L.append(f"| open time not growing with size | {ms(o1['mean'])} ({ms(c1)} user+sys) at "
                 f"{first['events']:,} events, {ms(o2['mean'])} ({ms(c2)}) at {x['events']:,}: "
                 f"×{grow:.2f} wall, ×{c2 / c1:.2f} CPU for ×{x['events'] / first['events']:.0f} events | "
                 f"{'met' if c2 <= 1.5 * c1 else 'missed'} (rule: CPU at most 1.5× the smaller size's) |")
    L.append("")
text = "\n".join(L) + "\n"
print(text)
with open(os.path.join(results_dir, "summary.md"), "w", encoding="utf-8") as f:
    f.write(text)
PY
exit "$STATUS"

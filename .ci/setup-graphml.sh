#!/usr/bin/env bash
# Installs what the export tests need: the GraphML checker's Python dependencies (NetworkX,
# igraph, xmlschema) in a virtualenv at target/graphml-venv. The tests find the checker at
# ../shared/graphml/check-graphml (or $DIPGRAPH_SHARED/graphml) and run it with
# target/graphml-venv/bin/python; they fail, rather than skip, when this has not been run.
# Needs only Python 3.11+ and pip (venv, else virtualenv from PyPI); safe to run again.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${DIPGRAPH_SHARED:-$root/../shared}"
req="$shared/graphml/requirements.txt"
if [ ! -f "$req" ]; then
  echo "setup-graphml: $req not found (shared/ must sit beside the repository, or set DIPGRAPH_SHARED)" >&2
  exit 1
fi
python="${PYTHON:-python3}"
venv="$root/target/graphml-venv"
if [ ! -x "$venv/bin/python" ]; then
  # A Python without its venv module (Debian's python3 without python3-venv) can still
  # make one with the virtualenv package from PyPI.
  if ! "$python" -m venv "$venv"; then
    rm -rf "$venv"
    "$python" -m pip install --quiet --disable-pip-version-check --user virtualenv
    "$python" -m virtualenv --quiet "$venv"
  fi
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
# The checker exits 2 when a dependency is missing: prove the venv is complete now, not in
# the middle of the test run.
"$venv/bin/python" -c 'import networkx, igraph, xmlschema; print("setup-graphml: networkx", networkx.__version__, "igraph", igraph.__version__, "xmlschema", xmlschema.__version__)'

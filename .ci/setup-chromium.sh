#!/usr/bin/env bash
# Installs Debian's Chromium for the headless browser tests of the HTML timeline
# (tests/timeline_chart.rs), with DejaVu Sans, whose Arabic glyphs and joining forms the
# sample's quotes need. Runs as root on a fresh Debian machine; exits non-zero if Chromium
# cannot be installed, so that CI stops here rather than in the tests.
set -euo pipefail

if dpkg -s chromium fonts-dejavu-core >/dev/null 2>&1 && command -v chromium >/dev/null 2>&1; then
  chromium --version
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y chromium fonts-dejavu-core
chromium --version

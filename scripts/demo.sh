#!/usr/bin/env bash
# Sets up, builds and runs the demo: provider, API and app on 127.0.0.1.
# Ctrl-C stops all three.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh
setup_all

say "Building the API and the app"
cargo build -p demo-api
trunk build --release

source scripts/services.sh
start_provider
start_api
start_app

cat <<MSG

  The demo is running. Open  http://127.0.0.1:8080
  Sign in as  alice  with password  wonderland

  Press Ctrl-C to stop the provider, the API and the app.

MSG
wait

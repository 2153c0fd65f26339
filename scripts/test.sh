#!/usr/bin/env bash
# Sets up and runs every test tier:
#   1. native   cargo test: protocol core, config, API (axum oneshot)
#   2. browser  wasm-bindgen-test in headless Chromium
#   3. e2e      real Chromium, real provider, real API, real app
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh
setup_all

say "1/3 Native tests"
PROPTEST_CASES="${PROPTEST_CASES:-4000}" cargo test --workspace

say "2/3 Browser tests (headless Chromium)"
CHROMEDRIVER="$(command -v chromedriver)" cargo test --target wasm32-unknown-unknown --test browser --test conformance

say "3/3 End-to-end tests"
cargo build -p demo-api
trunk build --release
source scripts/services.sh
# Short-lived access tokens, so the session tests see several refreshes.
export ACCESS_TOKEN_TTL=10
start_provider
start_api
start_app
(cd tests/e2e && node --test --test-concurrency=1)

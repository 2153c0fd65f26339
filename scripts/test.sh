#!/usr/bin/env bash
# Sets up and runs every test tier:
#   1. native   cargo test: protocol core, config, API (axum oneshot)
#   2. browser  wasm-bindgen-test in headless Chromium
#   3. e2e      real Chromium, real provider, real API, real app: first
#               under `trunk serve`, then the release build (dist/) behind
#               nginx and Caddy with the headers deploy-headers writes;
#               and the minimal example, a second app on the library
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh
setup_all
setup_web_servers

say "1/3 Native tests"
PROPTEST_CASES="${PROPTEST_CASES:-4000}" cargo test --workspace

say "2/3 Browser tests (headless Chromium)"
# The runner's default limit (20 s for a whole file) is too close to what a
# busy machine takes for the conformance file.
WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}" CHROMEDRIVER="$(command -v chromedriver)" \
  cargo test --target wasm32-unknown-unknown --test browser --test conformance

say "3/3 End-to-end tests"
cargo build -p demo-api
trunk build --release
source scripts/services.sh
# run_e2e FILE...: the end-to-end test files, one test at a time. A file
# that hangs fails after 10 minutes instead of holding the run.
run_e2e() {
  (cd tests/e2e && node --test --test-concurrency=1 --test-timeout=600000 "$@")
}
# Short-lived access tokens, so the session tests see several refreshes;
# and a provider that can rotate its signing key when a test asks it to.
export ACCESS_TOKEN_TTL=10 IDP_TEST_HOOKS=1
start_provider
start_api
start_app
run_e2e attacks.test.mjs session.test.mjs sign-in.test.mjs accessibility.test.mjs languages.test.mjs dpop.test.mjs

say "3/3 End-to-end tests of the release build behind nginx"
stop_service app
# The provider now names its keys on another host, as Google's does: the
# deployed policy must list the discovered origins, not only the issuer's.
stop_service provider
stop_service api
export IDP_KEYS_HOST=localhost
# Both servers demand DPoP nonces here, and the API takes no Bearer token.
export IDP_DPOP_NONCE=1 DEMO_API_DPOP_NONCE=on DEMO_API_DPOP=required
start_provider
start_api
# What a user runs to deploy: trunk build --release, then deploy-headers.
export SERVER_CONFIG="$ROOT/target/server-config"
scripts/release.sh --out "$SERVER_CONFIG"
start_nginx_app
APP_SERVER=release APP_ACCESS_LOG="$LOG_DIR/nginx-access.log" run_e2e release.test.mjs sign-in.test.mjs languages.test.mjs dpop-nonces.test.mjs

say "3/3 End-to-end tests of the release build behind Caddy"
stop_service app
start_caddy_app
APP_SERVER=release run_e2e release.test.mjs languages.test.mjs

say "3/3 End-to-end test of the minimal example (examples/minimal)"
stop_service app

start_minimal_example
APP_SERVER=minimal run_e2e minimal.test.mjs

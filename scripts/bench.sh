#!/usr/bin/env bash
# Measures the app against what users would pick instead, in one run on this
# machine, and prints a table: download size (vs oidc-client-ts, auth0-spa-js,
# keycloak-js), time to signed-in (vs an oidc-client-ts page, RUNS=20 each),
# API throughput (vs FastAPI[standard] + PyJWT, wrk; Bearer and DPoP), and a
# criterion micro-benchmark.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh
setup_all
setup_npm bench/js
command -v wrk >/dev/null || { say "Installing wrk (Debian)"; as_root apt-get install -y -qq wrk; }
if ! cmp -s bench/fastapi/requirements.txt bench/fastapi/.venv/requirements.installed 2>/dev/null; then
  say "Installing the FastAPI peer (PyPI)"
  python3 -m venv bench/fastapi/.venv
  bench/fastapi/.venv/bin/pip install -q -r bench/fastapi/requirements.txt
  cp bench/fastapi/requirements.txt bench/fastapi/.venv/requirements.installed
fi

say "Building release artifacts"
trunk build --release
cargo build --profile api-release -p demo-api
bench/js/node_modules/.bin/esbuild bench/js/peer/peer.js --bundle --minify --format=esm \
  --outfile=bench/js/peer/dist/peer.js --log-level=warning

OUT="$ROOT/target/bench"
mkdir -p "$OUT"
node bench/js/sizes.mjs dist >"$OUT/sizes.json"

source scripts/services.sh
export BENCH_PEER_ORIGIN=http://127.0.0.1:8081 RUST_LOG=warn
start_provider
API_BIN="$ROOT/target/api-release/demo-api" start_api
start_app
start_service peer-page 8081 http://127.0.0.1:8081/ 30 node bench/js/peer-server.mjs
start_service fastapi-peer 3001 http://127.0.0.1:3001/docs 60 \
  bench/fastapi/.venv/bin/uvicorn --app-dir bench/fastapi app:app --host 127.0.0.1 --port 3001 \
  --workers 2 --log-level warning --no-access-log

say "Timing sign-in (${RUNS:-20} runs each)"
node bench/js/time-to-signed-in.mjs >"$OUT/timing.json"
TOKEN="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).accessToken)' "$OUT/timing.json")"

CONNECTIONS=64 SECONDS_PER_RUN=10
load() { # load URL [wrk options...] [-- script arguments...] -> JSON {rps, p50, p99, errors, requests}
  local url=$1 options=()
  shift
  while (($#)) && [[ $1 != -- ]]; do options+=("$1"); shift; done
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "${options[@]}" "$url" "$@" | awk '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    /requests in/ { requests = $1 }
    /Non-2xx/ { errors += $5 } /Socket errors/ { errors += $4 + $6 + $8 + $10 }
    END { printf "{\"rps\": %s, \"p50\": \"%s\", \"p99\": \"%s\", \"errors\": %d, \"requests\": %d}", rps, p50, p99, errors, requests }'
}
bearer=(-H "Authorization: Bearer $TOKEN")
api_rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/${SERVICE_PIDS[api]}/status"; }
say "Loading the APIs (wrk, $CONNECTIONS connections, ${SECONDS_PER_RUN} s each)"
ours=$(load http://127.0.0.1:3000/api/greeting "${bearer[@]}")
peer=$(load http://127.0.0.1:3001/api/greeting "${bearer[@]}")
floor=$(load http://127.0.0.1:3000/healthz "${bearer[@]}")
# DPoP: a token bound to a key of the script's own, and a distinct proof for
# every request, signed just before the run (a proof is good for 60 s), more
# than this machine can send in it.
PROOFS=$((15000 * SECONDS_PER_RUN))
say "Signing $PROOFS DPoP proofs ahead"
signing_started=$SECONDS
node bench/js/dpop-load.mjs "$OUT/dpop-proofs.txt" "$PROOFS"
signing_seconds=$((SECONDS - signing_started))
rss_before=$(api_rss_kb)
dpop=$(load http://127.0.0.1:3000/api/greeting -s bench/wrk-dpop.lua -- "$OUT/dpop-proofs.txt" 2)
rss_after=$(api_rss_kb)
printf '{"connections": %s, "seconds": %s, "ours": %s, "peer": %s, "floor": %s, "dpop": %s, "dpop_proofs": %s, "dpop_signing_seconds": %s, "rss_before_dpop_kb": %s, "rss_after_dpop_kb": %s}\n' \
  "$CONNECTIONS" "$SECONDS_PER_RUN" "$ours" "$peer" "$floor" "$dpop" "$PROOFS" "$signing_seconds" "$rss_before" "$rss_after" >"$OUT/api.json"
rm -f "$OUT/dpop-proofs.txt"
stop_services

say "Micro-benchmark (criterion)"
cargo bench -p demo-api --bench verify 2>/dev/null | tee "$OUT/criterion.txt" | grep -E "time:" || true
awk '
  function us(value, unit) { return unit == "ns" ? value / 1000 : unit == "ms" ? value * 1000 : value }
  /^access token validation/ { which = "validation" } /^bare RS256/ { which = "signature" }
  /^DPoP proof check/ { which = "dpop" } /^bare ES256/ { which = "es256" }
  /time:/ { split(substr($0, index($0, "[") + 1), f, " "); v[which] = us(f[3], f[4]) }
  END { printf "{\"validation_us\": %s, \"signature_us\": %s, \"dpop_proof_us\": %s, \"es256_us\": %s}\n", v["validation"], v["signature"], v["dpop"], v["es256"] }
' "$OUT/criterion.txt" >"$OUT/micro.json"

echo
node bench/js/report.mjs "$OUT"

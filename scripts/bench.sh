#!/usr/bin/env bash
# Measures the app against what users would pick instead, in one run on this
# machine, and prints a table: download size (vs oidc-client-ts, auth0-spa-js,
# keycloak-js; and the library's own cost), time to the sign-in request and
# from the redirect to the name (vs an oidc-client-ts page, both served by
# Caddy as deployed, RUNS=20 each on the local link, SLOW_RUNS=5 on an
# emulated slow one), API throughput and memory (vs FastAPI[standard] +
# PyJWT, wrk; one token and 1,000 distinct ones, Bearer and DPoP), and a
# criterion micro-benchmark.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh
setup_all
setup_npm bench/js
setup_web_servers
command -v wrk >/dev/null || { say "Installing wrk (Debian)"; as_root apt-get install -y -qq wrk; }
if ! cmp -s bench/fastapi/requirements.txt bench/fastapi/.venv/requirements.installed 2>/dev/null; then
  say "Installing the FastAPI peer (PyPI)"
  python3 -m venv bench/fastapi/.venv
  bench/fastapi/.venv/bin/pip install -q -r bench/fastapi/requirements.txt
  cp bench/fastapi/requirements.txt bench/fastapi/.venv/requirements.installed
fi

OUT="$ROOT/target/bench"
mkdir -p "$OUT"
source scripts/services.sh
# The provider registers the peer page as a second client only when told.
export RUST_LOG=warn BENCH_PEER_ORIGIN=http://127.0.0.1:8081
# wrk holds 1,000 connections open in the memory row.
ulimit -n 4096

say "Building release artifacts"
cargo build --profile api-release -p demo-api
node bench/js/build-peer.mjs >/dev/null
# The library's cost: the minimal example against a Leptos hello-world,
# both built as the demo is.
(cd examples/minimal && trunk build --release --dist "$OUT/minimal" >"$OUT/minimal-build.log" 2>&1)
(cd bench/hello-leptos && trunk build --release --dist "$OUT/hello" >"$OUT/hello-build.log" 2>&1)
# The demo as it is deployed (trunk build, then deploy-headers, which needs
# the provider's discovery document), served below by Caddy with exactly
# the Caddyfile that deploy-headers wrote.
start_provider
export SERVER_CONFIG="$OUT/server-config"
scripts/release.sh --out "$SERVER_CONFIG" >"$OUT/release.log" 2>&1 || { tail -n 30 "$OUT/release.log" >&2; exit 1; }
node bench/js/sizes.mjs dist "$OUT/minimal" "$OUT/hello" >"$OUT/sizes.json"

# The main rows compare like with like: no verified-token cache on either
# side. The cache's own rows come at the end.
export DEMO_API_TOKEN_CACHE=0
API_BIN="$ROOT/target/api-release/demo-api" start_api
start_caddy_app
BENCH_PEER_DIST="$ROOT/bench/js/peer/dist" start_caddy peer-page 8081 "$ROOT/bench/js/peer/Caddyfile"
start_service fastapi-peer 3001 http://127.0.0.1:3001/docs 60 \
  bench/fastapi/.venv/bin/uvicorn --app-dir bench/fastapi app:app --host 127.0.0.1 --port 3001 \
  --workers 2 --log-level warning --no-access-log

say "Timing sign-in (${RUNS:-20} runs each on the local link, ${SLOW_RUNS:-5} on the slow one)"
node bench/js/time-to-sign-in.mjs >"$OUT/timing.json"
json_field() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1]))[process.argv[2]])' "$OUT/timing.json" "$1"; }
TOKEN="$(json_field accessToken)"
TOKENS=1000
say "Minting $TOKENS distinct access tokens (refreshes at the provider)"
node bench/js/mint-tokens.mjs "$(json_field refreshToken)" "$TOKENS" "$OUT/tokens.txt"
# The tokens stay in memory and in tokens.txt (removed below), not in the results.
node -e 'const f = process.argv[1]; const t = JSON.parse(require("fs").readFileSync(f));
  delete t.accessToken; delete t.refreshToken; require("fs").writeFileSync(f, JSON.stringify(t))' "$OUT/timing.json"

CONNECTIONS=64 SECONDS_PER_RUN=10
load() { # load URL [wrk options...] [-- script arguments...] -> JSON {rps, p50, p99, errors, requests}
  local url=$1 options=()
  shift
  while (($#)) && [[ $1 != -- ]]; do options+=("$1"); shift; done
  wrk -t2 -c"${LOAD_CONNECTIONS:-$CONNECTIONS}" -d"${SECONDS_PER_RUN}s" --latency "${options[@]}" "$url" "$@" | awk '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    /requests in/ { requests = $1 }
    /Non-2xx/ { errors += $5 } /Socket errors/ { errors += $4 + $6 + $8 + $10 }
    END { printf "{\"rps\": %s, \"p50\": \"%s\", \"p99\": \"%s\", \"errors\": %d, \"requests\": %d}", rps, p50, p99, errors, requests }'
}
bearer=(-H "Authorization: Bearer $TOKEN")
many=(-s bench/wrk-tokens.lua -- "$OUT/tokens.txt")
api_rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/${SERVICE_PIDS[api]}/status"; }
# rss_midway FILE: the API's RSS halfway through the load that follows
# (then `wait "$sampler"`: a bare wait would wait for the services too).
rss_midway() { (sleep $((SECONDS_PER_RUN / 2)) && api_rss_kb >"$1") & sampler=$!; }
say "Loading the APIs (wrk, $CONNECTIONS connections, ${SECONDS_PER_RUN} s each)"
rss_idle=$(api_rss_kb)
ours=$(load http://127.0.0.1:3000/api/greeting "${bearer[@]}")
rss_midway "$OUT/rss-64.txt"
ours_many=$(load http://127.0.0.1:3000/api/greeting "${many[@]}")
wait "$sampler"
peer=$(load http://127.0.0.1:3001/api/greeting "${bearer[@]}")
peer_many=$(load http://127.0.0.1:3001/api/greeting "${many[@]}")
floor=$(load http://127.0.0.1:3000/healthz "${bearer[@]}")
# Latency at one fixed, moderate rate: wrk above sends as fast as it can,
# so its latency is mostly queueing behind the other requests (Little's
# law). Here each connection pauses between requests: at most
# CONNECTIONS * 1000 / PAUSE_MS requests/s, the same for both routes.
PAUSE_MS=16
paced=(-s bench/wrk-tokens.lua -- "$OUT/tokens.txt" "$PAUSE_MS")
ours_paced=$(load http://127.0.0.1:3000/api/greeting "${paced[@]}")
floor_paced=$(load http://127.0.0.1:3000/healthz "${paced[@]}")
# DPoP: a token bound to a key of the script's own, and a distinct proof for
# every request, signed just before the run (a proof is good for 60 s), more
# than this machine can send in it (15,000 a second was not always enough:
# one run sent 15,616, and wrk replayed the last 6,164, which the API refused).
PROOFS=$((20000 * SECONDS_PER_RUN))
say "Signing $PROOFS DPoP proofs ahead"
signing_started=$SECONDS
node bench/js/dpop-load.mjs "$OUT/dpop-proofs.txt" "$PROOFS"
signing_seconds=$((SECONDS - signing_started))
rss_before=$(api_rss_kb)
dpop=$(load http://127.0.0.1:3000/api/greeting -s bench/wrk-dpop.lua -- "$OUT/dpop-proofs.txt" 2)
rss_after=$(api_rss_kb)
# Last, as its RSS is the highest: what 1,000 open connections cost.
rss_midway "$OUT/rss-1000.txt"
ours_1000=$(LOAD_CONNECTIONS=1000 load http://127.0.0.1:3000/api/greeting "${many[@]}")
wait "$sampler"
# With a verified-token cache on both sides (10,000 tokens each): ours as
# the API ships, the peer with functools.lru_cache on the token.
say "Loading the APIs with their verified-token caches"
stop_service api
export DEMO_API_TOKEN_CACHE=10000
API_BIN="$ROOT/target/api-release/demo-api" start_api
start_service fastapi-peer-cached 3002 http://127.0.0.1:3002/docs 60 \
  env PEER_TOKEN_CACHE=10000 bench/fastapi/.venv/bin/uvicorn --app-dir bench/fastapi app:app --host 127.0.0.1 --port 3002 \
  --workers 2 --log-level warning --no-access-log
# Unmeasured first passes fill both caches (each of the peer's two workers
# has its own), so the rows measure caches in use, not filling.
SECONDS_PER_RUN=3 load http://127.0.0.1:3000/api/greeting "${many[@]}" >/dev/null
SECONDS_PER_RUN=3 load http://127.0.0.1:3002/api/greeting "${many[@]}" >/dev/null
ours_cached=$(load http://127.0.0.1:3000/api/greeting "${many[@]}")
peer_cached=$(load http://127.0.0.1:3002/api/greeting "${many[@]}")
rss_cached=$(api_rss_kb)
printf '{"connections": %s, "seconds": %s, "tokens": %s, "ours": %s, "ours_many": %s, "peer": %s, "peer_many": %s, "floor": %s, "pause_ms": %s, "ours_paced": %s, "floor_paced": %s, "ours_1000_connections": %s, "ours_cached": %s, "peer_cached": %s, "rss_cached_kb": %s, "dpop": %s, "dpop_proofs": %s, "dpop_signing_seconds": %s, "rss_idle_kb": %s, "rss_64_kb": %s, "rss_1000_kb": %s, "rss_before_dpop_kb": %s, "rss_after_dpop_kb": %s}\n' \
  "$CONNECTIONS" "$SECONDS_PER_RUN" "$TOKENS" "$ours" "$ours_many" "$peer" "$peer_many" "$floor" "$PAUSE_MS" "$ours_paced" "$floor_paced" "$ours_1000" "$ours_cached" "$peer_cached" "$rss_cached" "$dpop" "$PROOFS" "$signing_seconds" \
  "$rss_idle" "$(cat "$OUT/rss-64.txt")" "$(cat "$OUT/rss-1000.txt")" "$rss_before" "$rss_after" >"$OUT/api.json"
rm -f "$OUT/dpop-proofs.txt" "$OUT/tokens.txt"
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

#!/usr/bin/env bash
# Starting and stopping the three local processes (provider :9000, API :3000,
# app :8080). Sourced by demo.sh and test.sh. Every process started here is
# stopped when the sourcing script exits, however it exits.

SERVICE_PIDS=()
LOG_DIR="${LOG_DIR:-$ROOT/target/logs}"
mkdir -p "$LOG_DIR"

stop_services() {
  local pid
  for pid in "${SERVICE_PIDS[@]}"; do
    # Each service runs in its own process group: stop the whole group.
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pid in "${SERVICE_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  SERVICE_PIDS=()
}
trap stop_services EXIT
trap 'exit 130' INT TERM

port_is_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# wait_for NAME URL SECONDS LOGFILE
wait_for() {
  local name=$1 url=$2 seconds=$3 log=$4 waited=0
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    if [ "$waited" -ge $((seconds * 5)) ]; then
      echo "$name did not come up at $url within ${seconds}s. Its log ($log):" >&2
      tail -n 30 "$log" >&2
      exit 1
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
}

# start_service NAME PORT HEALTH_URL TIMEOUT_SECONDS COMMAND...
start_service() {
  local name=$1 port=$2 url=$3 timeout=$4
  shift 4
  if ! port_is_free "$port"; then
    echo "Port $port is already in use, so the $name cannot start. Stop whatever listens there and try again." >&2
    exit 1
  fi
  local log="$LOG_DIR/$name.log"
  setsid "$@" >"$log" 2>&1 &
  SERVICE_PIDS+=($!)
  wait_for "$name" "$url" "$timeout" "$log"
  say "$name is up on 127.0.0.1:$port (log: ${log#"$ROOT"/})"
}

start_provider() {
  start_service provider 9000 http://127.0.0.1:9000/.well-known/openid-configuration 30 \
    node "$ROOT/idp/server.mjs"
}

# API_BIN picks another build (the benchmark uses the api-release profile).
start_api() {
  start_service api 3000 http://127.0.0.1:3000/healthz 90 "${API_BIN:-$ROOT/target/debug/demo-api}"
}

# Serves the release build with the headers from Trunk.toml; the build
# itself happened before (trunk reuses it).
start_app() {
  start_service app 8080 http://127.0.0.1:8080/ 600 \
    trunk serve --release --config "$ROOT/Trunk.toml"
}

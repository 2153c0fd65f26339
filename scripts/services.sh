#!/usr/bin/env bash
# Starting and stopping the three local processes (provider :9000, API :3000,
# app :8080). Sourced by demo.sh and test.sh. Every process started here is
# stopped when the sourcing script exits, however it exits.

declare -A SERVICE_PIDS=()
LOG_DIR="${LOG_DIR:-$ROOT/target/logs}"
mkdir -p "$LOG_DIR"

# stop_service NAME: stops one service and waits for it.
stop_service() {
  local pid=${SERVICE_PIDS[$1]:-}
  [ -n "$pid" ] || return 0
  # Each service runs in its own process group: stop the whole group.
  kill -TERM -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "SERVICE_PIDS[$1]"
}

stop_services() {
  local name
  for name in "${!SERVICE_PIDS[@]}"; do
    stop_service "$name"
  done
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
  SERVICE_PIDS[$name]=$!
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

# Serves the release build the way production does: dist/ behind nginx with
# the headers that deploy-headers wrote to $SERVER_CONFIG/nginx.conf. The
# access log is kept for the test that no code reaches it.
start_nginx_app() {
  local prefix="$ROOT/target/nginx"
  mkdir -p "$prefix"
  # Workers run as the user who runs the tests (root on CI), who can read dist/.
  cat >"$prefix/nginx.conf" <<CONF
$([ "$(id -u)" -eq 0 ] && echo 'user root;')
worker_processes 1;
pid $prefix/nginx.pid;
error_log $LOG_DIR/nginx-error.log;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  access_log $LOG_DIR/nginx-access.log;
  client_body_temp_path $prefix/client_body;
  proxy_temp_path $prefix/proxy;
  fastcgi_temp_path $prefix/fastcgi;
  uwsgi_temp_path $prefix/uwsgi;
  scgi_temp_path $prefix/scgi;
  server {
    listen 127.0.0.1:8080;
    include $SERVER_CONFIG/nginx.conf;
  }
}
CONF
  : >"$LOG_DIR/nginx-access.log"
  start_service app 8080 http://127.0.0.1:8080/ 30 \
    "$(command -v nginx || echo /usr/sbin/nginx)" -p "$prefix" -c "$prefix/nginx.conf" -e "$LOG_DIR/nginx-error.log" -g 'daemon off;'
}

# The same build behind Caddy, with $SERVER_CONFIG/Caddyfile as written.
start_caddy_app() {
  start_caddy app 8080 "$SERVER_CONFIG/Caddyfile"
}

# start_caddy NAME PORT CADDYFILE: Caddy with that site file imported into a
# wrapper that binds to 127.0.0.1 only and turns Caddy's admin endpoint off;
# its state goes under target/.
start_caddy() {
  local name=$1 port=$2 site=$3 state="$ROOT/target/caddy/$1"
  mkdir -p "$state"
  printf '{\n\tadmin off\n\tdefault_bind 127.0.0.1\n}\nimport %s\n' "$site" >"$state/Caddyfile"
  start_service "$name" "$port" "http://127.0.0.1:$port/" 30 \
    env HOME="$state" XDG_DATA_HOME="$state" XDG_CONFIG_HOME="$state" \
    caddy run --config "$state/Caddyfile" --adapter caddyfile
}

# The minimal example (examples/minimal), served by trunk on the demo's
# origin, whose redirect URI the provider knows.
start_minimal_example() {
  start_service app 8080 http://127.0.0.1:8080/ 600 \
    trunk serve --release --config "$ROOT/examples/minimal/Trunk.toml"
}

#!/usr/bin/env bash
# Installs what the demo and the tests need, skipping what is already there:
# the wasm32 target, trunk, the wasm-bindgen CLI matching Cargo.lock,
# Chromium and ChromeDriver (Debian), and the npm packages (the provider, the
# end-to-end tests, and wasm-opt from binaryen); for the tests, nginx and
# Caddy (setup_web_servers).
# Sourced by demo.sh and test.sh; can also be run on its own.
set -euo pipefail

TRUNK_VERSION=0.21.14 # 0.22 needs rustc 1.96
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# apt_install PACKAGE...: installs Debian packages without starting their
# services (nginx and Caddy would take port 80); under systemd they are
# also left disabled, so no boot starts them.
apt_install() {
  say "Installing $* (Debian packages)"
  as_root apt-get update -qq
  if [ -e /usr/sbin/policy-rc.d ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
  else
    # A temporary policy, removed however the install ends.
    (
      trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT INT TERM
      printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
      as_root chmod +x /usr/sbin/policy-rc.d
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
    )
  fi
  if [ -d /run/systemd/system ]; then
    local package
    for package in "$@"; do
      case "$package" in nginx | caddy) as_root systemctl disable --now "$package" >/dev/null 2>&1 || true ;; esac
    done
  fi
}

setup_system_packages() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# nginx and Caddy serve the release build in the end-to-end tests.
setup_web_servers() {
  local missing=()
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v caddy >/dev/null || missing+=(caddy)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

setup_rust() {
  command -v cargo >/dev/null || { echo "Rust is required: install it with rustup first." >&2; exit 1; }
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    say "Installing trunk $TRUNK_VERSION (takes several minutes once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
  # The CLI must match the wasm-bindgen crate exactly. No --locked: its
  # lockfile pins a webpki-roots release the registry no longer serves.
  local wasm_bindgen_version
  wasm_bindgen_version="$(grep -A1 '^name = "wasm-bindgen"$' "$ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')"
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wasm_bindgen_version" ]; then
    say "Installing wasm-bindgen-cli $wasm_bindgen_version"
    cargo install wasm-bindgen-cli --version "$wasm_bindgen_version"
  fi
}

# npm packages of the given folders (default: what the demo and tests need).
setup_npm() {
  # 20.11 is the first with the test runner's --test-timeout.
  if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 11) ? 0 : 1)' 2>/dev/null; then
    echo "Node.js 20.11 or later, with npm, is required (found: $(node --version 2>/dev/null || echo none))." >&2
    exit 1
  fi
  local dir dirs=("$@")
  [ ${#dirs[@]} -gt 0 ] || dirs=(idp tests/e2e tools)
  for dir in "${dirs[@]}"; do
    # npm ci only when the installed tree does not match the lockfile.
    if ! cmp -s "$ROOT/$dir/package-lock.json" "$ROOT/$dir/node_modules/.package-lock.json.installed" 2>/dev/null; then
      say "Installing npm packages in $dir"
      (cd "$ROOT/$dir" && npm ci --no-audit --no-fund --loglevel=error)
      cp "$ROOT/$dir/package-lock.json" "$ROOT/$dir/node_modules/.package-lock.json.installed"
    fi
  done
}

# trunk runs the first wasm-opt on PATH: ours (binaryen 132 from npm), since
# Debian's binaryen 108 corrupts wasm-bindgen's externref table.
export PATH="$ROOT/tools/node_modules/.bin:$PATH"

setup_all() {
  setup_system_packages
  setup_rust
  setup_npm
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  setup_all
  say "Setup complete"
fi

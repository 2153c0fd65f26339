#!/usr/bin/env bash
# Builds the release (dist/) and prepares it with deploy-headers, from
# dist/config.json and the provider's discovery document (the provider must
# be reachable): the js and wasm renamed after their bytes, compressed
# copies, the discovery preload, and the headers that protect it on a real
# web server. Deploy dist/ plus one of:
#   dist/_headers             Netlify, Cloudflare Pages (already inside dist/)
#   server-config/nginx.conf  include it in the app's nginx server block
#   server-config/Caddyfile   a Caddy site for the app's origin
# Arguments go to deploy-headers, e.g. --site-root /srv/app (see --help).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh
setup_rust
setup_npm tools

say "Building the release into dist/"
trunk build --release
say "Writing its headers"
cargo run --quiet -p deploy-headers -- --dist dist --out server-config "$@"

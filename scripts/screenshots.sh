#!/usr/bin/env bash
# Regenerates the README's screenshots (docs/screenshots/) from a run of the
# end-to-end accessibility test, which saves each main state of the app and
# the provider's pages in the light and the dark theme. pngquant makes them
# small (a few tens of KB each).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh
setup_all
command -v pngquant >/dev/null || apt_install pngquant

cargo build -p demo-api
trunk build --release
source scripts/services.sh
export ACCESS_TOKEN_TTL=10
start_provider
start_api
start_app

shots="$ROOT/target/screenshots"
rm -rf "$shots"
(cd tests/e2e && SCREENSHOT_DIR="$shots" node --test --test-timeout=600000 \
  --test-name-pattern='every page passes axe' accessibility.test.mjs)

mkdir -p docs/screenshots
for png in "$shots"/*.png; do
  out="docs/screenshots/$(basename "$png")"
  # 64 colours keep text crisp on these flat pages; keep the original if pngquant cannot do better.
  pngquant --force --strip --skip-if-larger --quality 70-95 64 --output "$out" "$png" || cp "$png" "$out"
done
say "Screenshots in docs/screenshots:"
ls -l docs/screenshots

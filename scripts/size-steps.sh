#!/usr/bin/env bash
# What each size setting buys: builds the wasm once per step, each step
# adding one setting to the one before, from Cargo's default release profile
# to the shipped build, and prints the wasm + JS glue sizes (raw, brotli 11).
# Slow (every profile change recompiles all dependencies: ~15 min on 2
# cores); builds in target/size-steps/, so the normal build is untouched.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh
setup_all

export CARGO_TARGET_DIR="$ROOT/target/size-steps"
OUT="$CARGO_TARGET_DIR/dist"
mkdir -p "$CARGO_TARGET_DIR"
STEPS=(
  "Cargo's default release (opt-level 3, no LTO, 16 codegen units, unwind)|3|false|16|unwind"
  "+ opt-level = \"z\"|z|false|16|unwind"
  "+ lto = true|z|true|16|unwind"
  "+ codegen-units = 1|z|true|1|unwind"
  "+ panic = \"abort\"|z|true|1|abort"
)

sizes() { # FILE... -> "raw brotli" summed
  local raw=0 brotli=0 file
  for file in "$@"; do
    raw=$((raw + $(stat -c %s "$file")))
    # Node's brotli (quality 11), as the benchmark measures: no brotli CLI needed.
    brotli=$((brotli + $(node -e 'const z = require("zlib"); const b = require("fs").readFileSync(process.argv[1]);
      console.log(z.brotliCompressSync(b, { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11, [z.constants.BROTLI_PARAM_SIZE_HINT]: b.length } }).length)' "$file")))
  done
  echo "$raw $brotli"
}

rows=()
for step in "${STEPS[@]}"; do
  IFS='|' read -r label opt lto units panic <<<"$step"
  say "Building: $label"
  CARGO_PROFILE_RELEASE_OPT_LEVEL=$opt CARGO_PROFILE_RELEASE_LTO=$lto \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=$units CARGO_PROFILE_RELEASE_PANIC=$panic \
    trunk build --release --dist "$OUT" >"$CARGO_TARGET_DIR/trunk.log" 2>&1 ||
    { tail -n 30 "$CARGO_TARGET_DIR/trunk.log" >&2; exit 1; }
  # Before trunk's wasm-opt pass (wasm-bindgen's output), and after it.
  rows+=("$label|$(sizes "$CARGO_TARGET_DIR"/wasm-bindgen/release/*_bg.wasm "$OUT"/*.js)")
done
# wasm-opt as trunk runs it, first with -Oz alone (the features from index.html).
features="$(grep -o -- '--enable-[a-z-]*' index.html | tr '\n' ' ')"
# shellcheck disable=SC2086 # the flags are words
wasm-opt -Oz $features "$CARGO_TARGET_DIR"/wasm-bindgen/release/*_bg.wasm -o "$CARGO_TARGET_DIR/oz.wasm"
rows+=("+ wasm-opt -Oz|$(sizes "$CARGO_TARGET_DIR/oz.wasm" "$OUT"/*.js)")
rows+=("+ --flatten --rereloop -Oz -Oz (the shipped build)|$(sizes "$OUT"/*_bg.wasm "$OUT"/*.js)")

echo
echo "| Step (cumulative) | wasm + JS raw | brotli 11 | brotli saved by the step |"
echo "| --- | ---: | ---: | ---: |"
previous=""
for row in "${rows[@]}"; do
  IFS='|' read -r label numbers <<<"$row"
  read -r raw brotli <<<"$numbers"
  saved=""
  [ -n "$previous" ] && saved="$(awk -v a="$previous" -v b="$brotli" 'BEGIN { printf "%.1f KB", (a - b) / 1024 }')"
  awk -v l="$label" -v r="$raw" -v b="$brotli" -v s="$saved" \
    'BEGIN { printf "| %s | %.1f KB | %.1f KB | %s |\n", l, r / 1024, b / 1024, s }'
  previous=$brotli
done

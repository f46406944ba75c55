# Sourced by scripts/build.sh and scripts/test.sh.

# Size budget of the pixel's optimised normaliser (issue 5: 40 KB, kB = 1000 B).
PIXEL_WASM_MAX_BYTES=40000
PIXEL_OUT=target/pixel

# wasm-bindgen-cli at exactly the version of the wasm-bindgen crate in Cargo.lock: the bindings
# and the CLI must agree. Built from crates.io once; kept in ~/.cargo/bin.
ensure_wasm_bindgen() {
  local wanted
  wanted=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wanted" ]; then
    # Not --locked: the CLI's own lock file pins crates this registry mirror may not carry.
    cargo install wasm-bindgen-cli --version "$wanted" --quiet
  fi
  wasm-bindgen --version
}

# Builds the normaliser for the pixel: Rust to Wasm, bindings for an ES module, then binaryen's
# wasm-opt (npm binaryen) for size. Fails over the budget.
build_pixel_wasm() {
  ensure_wasm_bindgen
  cargo build -p events-wasm --profile pixel-release --target wasm32-unknown-unknown --locked
  rm -rf "$PIXEL_OUT"
  wasm-bindgen --target web --no-typescript --out-dir "$PIXEL_OUT" \
    target/wasm32-unknown-unknown/pixel-release/events_wasm.wasm
  node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers \
    --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int --enable-mutable-globals \
    "$PIXEL_OUT/events_wasm_bg.wasm" -o "$PIXEL_OUT/events_wasm_bg.wasm"
  local size
  size=$(stat -c %s "$PIXEL_OUT/events_wasm_bg.wasm")
  echo "$PIXEL_OUT/events_wasm_bg.wasm: $size bytes (budget $PIXEL_WASM_MAX_BYTES)"
  if [ "$size" -gt "$PIXEL_WASM_MAX_BYTES" ]; then
    echo "the pixel's normaliser is over its size budget" >&2
    return 1
  fi
}

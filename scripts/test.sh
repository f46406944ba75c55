#!/usr/bin/env bash
# Seglink's test command: installs what the checks need (idempotent), then runs every check.
# CI runs exactly this (.ci/run); so should you: `bash scripts/test.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# Module size budget of the discount Function as built (Shopify's limit is 256 kB; kB = 1000 B).
FUNCTION_MAX_BYTES=48000

step "Rust toolchain (rust-toolchain.toml)"
rustup toolchain install --no-self-update
rustup show active-toolchain

step "npm packages (package-lock.json)"
npm ci --no-audit --no-fund --loglevel=error

step "Official schemas match @shopify/dev-mcp (scripts/schemas.mjs)"
node scripts/schemas.mjs --check

step "Function input queries (node --test scripts/)"
node --test scripts/

step "cargo fmt"
cargo fmt --all --check

step "cargo clippy"
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings

step "cargo test"
cargo test --workspace --all-features --locked

step "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features --locked

step "Discount Function Wasm, built as the Shopify CLI builds it"
# The command and path come from shopify.extension.toml, run from the extension's directory.
IFS=$'\t' read -r build_command module_path < <(python3 -c '
import tomllib
build = tomllib.load(open("extensions/segment-discount/shopify.extension.toml", "rb"))["extensions"][0]["build"]
print(build["command"] + "\t" + build["path"])')
(cd extensions/segment-discount && echo "$build_command" && $build_command --locked)
module="extensions/segment-discount/$module_path"
size=$(stat -c %s "$module")
echo "$module: $size bytes (budget $FUNCTION_MAX_BYTES)"
if [ "$size" -gt "$FUNCTION_MAX_BYTES" ]; then
  echo "the discount Function is over its size budget" >&2
  exit 1
fi

step "All checks passed"

#!/usr/bin/env bash
# Seglink's test command: installs what the checks need (idempotent), then runs every check.
# CI runs exactly this (.ci/run); so should you: `bash scripts/test.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# shellcheck source=scripts/lib/function.sh
source scripts/lib/function.sh
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh
# shellcheck source=scripts/lib/pixel.sh
source scripts/lib/pixel.sh
# shellcheck source=scripts/lib/admin.sh
source scripts/lib/admin.sh

step "Rust toolchain (rust-toolchain.toml)"
rustup toolchain install --no-self-update
rustup show active-toolchain

step "npm packages (package-lock.json)"
npm ci --no-audit --no-fund --loglevel=error

step "Embedded admin: TypeScript, Vite build (compiled into seglink), size budget"
build_admin

step "Official schemas match @shopify/dev-mcp (scripts/schemas.mjs)"
node scripts/schemas.mjs --check

step "Function input queries (node --test scripts/)"
node --test scripts/

step "cargo fmt"
cargo fmt --all --check

step "cargo clippy"
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings

step "PostgreSQL for the storage tests (Debian package, loopback only)"
start_test_postgres

step "cargo test (SQLite and PostgreSQL)"
cargo test --workspace --all-features --locked

step "Embedded admin in Chromium (Debian package) against the simulator and seglink serve"
install_chromium
cargo build --locked -p seglink -p shopify-sim
node --test backend/admin/tests/

step "cargo deny (licenses, bans, sources)"
# Pinned and installed once; the advisories check needs the network, so it is not run here.
CARGO_DENY_VERSION=0.20.2
if [ "$(cargo deny --version 2>/dev/null)" != "cargo-deny $CARGO_DENY_VERSION" ]; then
  cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked
fi
cargo deny --log-level error check licenses bans sources

step "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features --locked

step "Discount Function Wasm, built as the Shopify CLI builds it"
build_function

step "The normaliser's fuzz target compiles (run it with cargo fuzz on nightly)"
cargo check --quiet --manifest-path crates/events/fuzz/Cargo.toml

step "Web pixel: normaliser Wasm and bundle (size budgets), and the built bundle's tests"
build_pixel_wasm
bundle_pixel
check_pixel_generated
node --test crates/events-wasm/tests/ extensions/web-pixel/tests/

step "The demo's guided walk in Chromium (seglink-demo, the storefront running the pixel just built)"
cargo build --locked -p seglink-demo
node --test crates/demo/tests/

step "All checks passed"

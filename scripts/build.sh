#!/usr/bin/env bash
# Builds the app's deployable parts, installing what it needs (idempotent): the embedded admin
# (compiled into `seglink`), the checkout discount Function, built exactly as the Shopify CLI
# builds it (the command and path in shopify.extension.toml, run from the extension), and the
# pixel's normaliser as Wasm with the pixel's bundle. `scripts/demo.sh` runs it first.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup toolchain install --no-self-update >/dev/null
npm ci --no-audit --no-fund --loglevel=error

# shellcheck source=scripts/lib/function.sh
source scripts/lib/function.sh
# shellcheck source=scripts/lib/pixel.sh
source scripts/lib/pixel.sh
# shellcheck source=scripts/lib/admin.sh
source scripts/lib/admin.sh
build_admin
build_function
build_pixel_wasm
bundle_pixel

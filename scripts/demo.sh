#!/usr/bin/env bash
# Seglink's main command: builds what the demo needs (idempotent: the toolchain, npm packages,
# the embedded admin, the discount Function and the pixel), then runs `seglink-demo`: a
# simulated Shopify with a seeded shop and Seglink installed in it, on this machine, until Ctrl-C.
# Options pass through: `bash scripts/demo.sh --fresh`, `--port N`, `--customers N` (docs/demo.md).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build.sh
exec cargo run --release --locked --quiet -p seglink-demo -- "$@"

#!/usr/bin/env python3
"""Benchmarks the pixel pipeline and rewrites its section of docs/benchmarks.md.

    python3 benches/pixel.py [--duration SECONDS]

Measures the normaliser natively (`cargo run --release -p events --example throughput`) and in
Wasm under Node (`benches/pixel-wasm.mjs`), the sizes of the optimised Wasm and of the pixel
bundle (built by scripts/lib/pixel.sh as the test command builds them), and server ingest: wrk
posting batches of 20 canonical events, each with its own id, to `POST /v1/pixel/events` of
`seglink serve` on SQLite, spread over 50 stores so the per-key rate limit is not what is
measured. Not a test: the figures depend on the machine.
"""

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import webhooks  # noqa: E402  (shares wrk, ports and process helpers)

ROOT = webhooks.ROOT
BEGIN, END = "<!-- pixel-benchmark:begin -->", "<!-- pixel-benchmark:end -->"
STORES = 50
BATCH = 20

LUA = r"""
local keys = { KEYS }
local shops = { SHOPS }
""" + webhooks.LUA_LANES + r"""
function request()
  counter = counter + 1
  local store = (counter % #keys) + 1
  local events = {}
  for i = 1, BATCH do
    events[i] = '{"kind":"product_view","id":"' .. prefix .. "-" .. counter .. "-" .. i ..
      '","occurred_at":"2026-11-20T10:00:00.000Z","client_id":"client-' .. prefix .. "-" .. counter ..
      '","url":"https://bench-shop.myshopify.com/products/mug","product_id":"632910392","variant_id":"808950810",' ..
      '"value":{"amount":"19.99","currency":"EUR"}}'
  end
  local body = '{"key":"' .. keys[store] .. '","shop":"' .. shops[store] .. '","normalized":true,"events":[' ..
    table.concat(events, ",") .. "]}"
  -- Each request from its own visitor's address, as the proxy in front of seglink reports it:
  -- the per-address limit is for one sender, not for a store's whole traffic.
  local visitor = "10." .. (counter % 250) .. "." .. (math.floor(counter / 250) % 250) .. ".1"
  return wrk.format("POST", "/v1/pixel/events",
    { ["Content-Type"] = "text/plain", ["X-Forwarded-For"] = visitor }, body)
end
"""


def stores(database):
    """Creates STORES workspaces with a connected store each; their keys and domains."""
    keys, shops = [], []
    with sqlite3.connect(database) as connection:
        for index in range(STORES):
            key, shop = f"pk_bench_{index}", f"bench-{index}.myshopify.com"
            connection.execute(
                "INSERT INTO workspaces (id, slug, public_key, server_key_hash, created_at) VALUES (?, ?, ?, '', 0)",
                (f"ws_bench_{index}", f"bench-{index}", key))
            connection.execute(
                "INSERT INTO shops (shop, workspace_id, connection, scopes, active, installed_at) "
                "VALUES (?, ?, 'managed', '', 1, 0)", (shop, f"ws_bench_{index}"))
            keys.append(key)
            shops.append(shop)
    return keys, shops


def events_stored(database):
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT COUNT(*) FROM events").fetchone()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of the measured ingest run")
    args = parser.parse_args()
    webhooks.ensure_tools()
    subprocess.run(["bash", "-c", "source scripts/lib/pixel.sh && build_pixel_wasm && bundle_pixel"],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    native = json.loads(subprocess.run(
        ["cargo", "run", "--quiet", "--release", "-p", "events", "--example", "throughput"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout)
    wasm = json.loads(subprocess.run(["node", "benches/pixel-wasm.mjs"], cwd=ROOT, check=True,
                                     capture_output=True, text=True).stdout)
    wasm_bytes = (ROOT / "target" / "pixel" / "events_wasm_bg.wasm").stat().st_size
    bundle_bytes = (ROOT / "target" / "pixel" / "web-pixel.js").stat().st_size

    with tempfile.TemporaryDirectory(prefix="seglink-pixel-bench-") as directory:
        database = f"{directory}/pixel.db"
        env = {
            "PATH": os.environ["PATH"], "SHOPIFY_API_KEY": "bench-key", "SHOPIFY_API_SECRET": "bench-secret",
            "SCOPES": "read_orders", "SHOPIFY_APP_URL": "https://seglink.example", "SEGLINK_WORKERS": "0",
            "DATABASE_URL": f"sqlite://{database}", "SEGLINK_ENCRYPTION_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        }
        binary = ROOT / os.environ.get("CARGO_TARGET_DIR", "target") / "release" / "seglink"
        subprocess.run([binary, "migrate"], env=env, check=True, stderr=subprocess.DEVNULL)
        keys, shops = stores(database)
        lua = LUA.replace("KEYS", ", ".join(f'"{key}"' for key in keys))
        lua = lua.replace("SHOPS", ", ".join(f'"{shop}"' for shop in shops)).replace("BATCH", str(BATCH))
        script = Path(directory) / "pixel.lua"
        script.write_text(lua)
        port = webhooks.free_port()
        env["PORT"] = str(port)
        server = subprocess.Popen([binary, "serve"], env=env, stderr=subprocess.DEVNULL)
        try:
            webhooks.wait_for_port(port, server, "seglink")
            webhooks.wrk(port, script, 3)
            before = events_stored(database)
            started = time.time()
            ingest = webhooks.wrk(port, script, args.duration)
            elapsed = time.time() - started
            stored = events_stored(database) - before
        finally:
            server.terminate()
            server.wait()
    if ingest["failed"]:
        sys.exit(f"{ingest['failed']} batches were refused")
    stored_rate = stored / elapsed
    cpu = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    table = "\n".join([
        BEGIN,
        f"Measured with `python3 benches/pixel.py --duration {args.duration}` on a {cpu}-core machine.",
        "",
        "| What | Figure |",
        "|---|---:|",
        f"| Normaliser, native (`cargo run --release -p events --example throughput`) | {native['events_per_second']:,} events/s |",
        f"| Normaliser, Wasm under Node (`node benches/pixel-wasm.mjs`) | {wasm['events_per_second']:,} events/s |",
        f"| Optimised Wasm (`target/pixel/events_wasm_bg.wasm`, budget 40,000 B) | {wasm_bytes:,} B |",
        f"| Pixel bundle (`target/pixel/web-pixel.js`, budget 64,000 B; Shopify's limit 128 KB) | {bundle_bytes:,} B |",
        f"| Server ingest, batches of {BATCH}, stored (wrk 2 threads, 64 connections) | {stored_rate:,.0f} events/s |",
        f"| the same, latency p50 / p99 per batch | {ingest['p50']:.2f} ms / {ingest['p99']:.2f} ms |",
        "",
        "The normaliser figures run over the 15 fixture events (`crates/events/tests/fixtures`), most of "
        "them full checkout events of about 2 KB; the two events Seglink ignores are included.",
        END,
    ])
    webhooks.write_section(BEGIN, END, table, heading="## Pixel\n\n")
    print(table)


if __name__ == "__main__":
    main()

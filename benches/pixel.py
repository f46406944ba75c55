#!/usr/bin/env python3
"""Benchmarks the pixel pipeline and rewrites its section of docs/benchmarks.md.

    python3 benches/pixel.py [--duration SECONDS]

Measures the normaliser natively (`cargo run --release -p events --example throughput`) and in
Wasm under Node (`benches/pixel-wasm.mjs`), the sizes of the optimised Wasm and of the pixel
bundle (built by scripts/lib/pixel.sh as the test command builds them), and server ingest: wrk
posting batches of 20 canonical events, each with its own id, to `POST /v1/pixel/events` of
`seglink serve` on SQLite, spread over 50 stores so the per-key rate limit is not what is
measured; then the same at half the rate it reached, for the latency a store sees on a busy day
rather than at saturation; and SQLite alone, for the ceiling: the same rows written by Python's
sqlite3 module straight into a database of the same schema, in the groups the server commits.
Not a test: the figures depend on the machine.

    python3 benches/pixel.py --ingest-only   # server ingest and SQLite alone; docs untouched
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
DELAY
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
            # The largest plan: the benchmark measures ingest, not the plan's monthly allowance.
            connection.execute("INSERT INTO shop_plans (shop, plan, synced_at) VALUES (?, 'scale', 0)", (shop,))
            keys.append(key)
            shops.append(shop)
    return keys, shops


def events_stored(database):
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT COUNT(*) FROM events").fetchone()[0]


def script(directory, keys, shops, delay_ms=None):
    lua = LUA.replace("KEYS", ", ".join(f'"{key}"' for key in keys))
    lua = lua.replace("SHOPS", ", ".join(f'"{shop}"' for shop in shops)).replace("BATCH", str(BATCH))
    lua = lua.replace("DELAY", webhooks.delay_hook(delay_ms))
    path = Path(directory) / f"pixel-{delay_ms or 0}.lua"
    path.write_text(lua)
    return path


def sqlite_alone(binary, env, directory, groups=400, requests_per_group=64):
    """Rows a second that SQLite itself takes: the server's rows, pragmas and group size, written
    by Python's sqlite3 module into a database migrated by the same binary (a lower bound of the
    engine: Python builds every row)."""
    database = f"{directory}/alone.db"
    subprocess.run([binary, "migrate"], env={**env, "DATABASE_URL": f"sqlite://{database}"}, check=True,
                   stderr=subprocess.DEVNULL)
    connection = sqlite3.connect(database, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "wal_autocheckpoint=16384"):
        connection.execute(f"PRAGMA {pragma}")
    details = ('{"url":"https://bench-shop.myshopify.com/products/mug","product_id":"632910392",'
               '"variant_id":"808950810","value":{"amount":"19.99","currency":"EUR"}}')
    started = time.time()
    for group in range(groups):
        rows = []
        for request in range(requests_per_group):
            number = group * requests_per_group + request
            rows.extend((f"bench-{number % STORES}.myshopify.com", "product_view", "pixel", f"alone-{number}-{i}",
                         None, None, 1763632800, details, f"client-alone-{number}") for i in range(BATCH))
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO events (shop, kind, source, source_id, customer_id, order_id, occurred_at, properties, "
            "client_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", rows)
        connection.execute("COMMIT")
    rate = groups * requests_per_group * BATCH / (time.time() - started)
    connection.close()
    return rate


def ingest(binary, env, directory, duration):
    """Server ingest at saturation and at half that rate; SQLite alone for the ceiling."""
    database = f"{directory}/pixel.db"
    env = {**env, "DATABASE_URL": f"sqlite://{database}"}
    subprocess.run([binary, "migrate"], env=env, check=True, stderr=subprocess.DEVNULL)
    keys, shops = stores(database)
    port = webhooks.free_port()
    env["PORT"] = str(port)
    server = subprocess.Popen([binary, "serve"], env=env, stderr=subprocess.DEVNULL)
    try:
        webhooks.wait_for_port(port, server, "seglink")
        webhooks.wrk(port, script(directory, keys, shops), 3)
        before = events_stored(database)
        started = time.time()
        full = webhooks.wrk(port, script(directory, keys, shops), duration)
        elapsed = time.time() - started
        full["stored_rate"] = (events_stored(database) - before) / elapsed
        half = webhooks.at_half_rate(port, lambda delay: script(directory, keys, shops, delay), full["rate"],
                                     duration)
    finally:
        server.terminate()
        server.wait()
    for run in (full, half):
        if run["failed"]:
            sys.exit(f"{run['failed']} batches were refused")
    return full, half, sqlite_alone(binary, env, directory)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of the measured ingest run")
    parser.add_argument("--ingest-only", action="store_true", help="measure ingest only; leave the docs")
    args = parser.parse_args()
    webhooks.ensure_tools()
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "seglink", "--bin", "seglink"], cwd=ROOT,
                   check=True)
    env = {
        "PATH": os.environ["PATH"], "SHOPIFY_API_KEY": "bench-key", "SHOPIFY_API_SECRET": "bench-secret",
        "SCOPES": "read_orders", "SHOPIFY_APP_URL": "https://seglink.example", "SEGLINK_WORKERS": "0",
        "SEGLINK_ENCRYPTION_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    }
    binary = ROOT / os.environ.get("CARGO_TARGET_DIR", "target") / "release" / "seglink"
    with tempfile.TemporaryDirectory(prefix="seglink-pixel-bench-") as directory:
        full, half, alone = ingest(binary, env, directory, args.duration)
    # The same on a file system in memory: what is left when the disk's share is taken away.
    with tempfile.TemporaryDirectory(prefix="seglink-pixel-bench-", dir="/dev/shm") as directory:
        memory, memory_half, _ = ingest(binary, env, directory, args.duration)
    half_events = half["rate"] * BATCH
    memory_half_events = memory_half["rate"] * BATCH
    for where, run, paced, paced_events in (("disk", full, half, half_events),
                                            ("/dev/shm", memory, memory_half, memory_half_events)):
        print(f"{where}: stored {run['stored_rate']:,.0f} events/s, p50 {run['p50']:.2f} ms, "
              f"p99 {run['p99']:.2f} ms; at {paced_events:,.0f} events/s p99 {paced['p99']:.2f} ms")
    print(f"SQLite alone {alone:,.0f} rows/s")
    if args.ingest_only:
        return
    subprocess.run(["bash", "-c", "source scripts/lib/pixel.sh && build_pixel_wasm && bundle_pixel"],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    native = json.loads(subprocess.run(
        ["cargo", "run", "--quiet", "--release", "-p", "events", "--example", "throughput"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout)
    wasm = json.loads(subprocess.run(["node", "benches/pixel-wasm.mjs"], cwd=ROOT, check=True,
                                     capture_output=True, text=True).stdout)
    wasm_bytes = (ROOT / "target" / "pixel" / "events_wasm_bg.wasm").stat().st_size
    bundle_bytes = (ROOT / "target" / "pixel" / "web-pixel.js").stat().st_size
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
        f"| Server ingest, batches of {BATCH}, stored (wrk 2 threads, 64 connections) | {full['stored_rate']:,.0f} events/s |",
        f"| the same, latency p50 / p99 per batch | {full['p50']:.2f} ms / {full['p99']:.2f} ms |",
        f"| at half that rate ({half_events:,.0f} events/s, {half['connections']} connections), p50 / p99 | "
        f"{half['p50']:.2f} ms / {half['p99']:.2f} ms |",
        f"| SQLite alone: the same rows, schema and groups from Python's `sqlite3` | {alone:,.0f} events/s |",
        f"| Server ingest with the database in memory (`/dev/shm`), stored | {memory['stored_rate']:,.0f} events/s |",
        f"| the same, p99 at saturation / at half ({memory_half_events:,.0f} events/s) | "
        f"{memory['p99']:.2f} ms / {memory_half['p99']:.2f} ms |",
        "",
        "The normaliser figures run over the 15 fixture events (`crates/events/tests/fixtures`), most of "
        "them full checkout events of about 2 KB; the two events Seglink ignores are included.",
        END,
    ])
    webhooks.write_section(BEGIN, END, table, heading="## Pixel\n\n")
    print(table)


if __name__ == "__main__":
    main()

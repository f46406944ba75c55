#!/usr/bin/env python3
"""Benchmarks webhook ingest on loopback, Seglink side by side with the peer a Shopify developer
would otherwise write, and rewrites the webhook section of docs/benchmarks.md.

    python3 benches/webhooks.py [--duration SECONDS]

The peer (benches/webhook-peer) is Shopify's `@shopify/shopify-api` 15 validating each delivery
in express and storing it in SQLite with better-sqlite3 (WAL, synchronous=NORMAL) with the same
dedupe. Seglink runs as deployed: `seglink serve` on SQLite (WAL, synchronous=NORMAL), its
background workers processing what it stores. Each gets the same load from `wrk` (Debian
package): Shopify-shaped `orders/paid` deliveries of about 1.7 KB with a valid HMAC and a unique
`X-Shopify-Event-Id` per request. Installs wrk with apt-get and the peer's npm packages when they
are missing. Not a test: the figures depend on the machine.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEER = ROOT / "benches" / "webhook-peer"
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- webhook-benchmark:begin -->", "<!-- webhook-benchmark:end -->"
SECRET = "bench-secret"
SHOP = "bench-shop.myshopify.com"
CONNECTIONS = 64
THREADS = 2


def order_payload():
    """An orders/paid body shaped like Shopify's, about 1.7 KB."""
    line = lambda n: {
        "id": 866550311766439000 + n, "admin_graphql_api_id": f"gid://shopify/LineItem/{866550311766439000 + n}",
        "product_id": 632910392 + n, "variant_id": 808950810 + n, "title": f"IPod Nano - {n}GB",
        "quantity": 1, "price": "199.00", "sku": f"IPOD2008{n}", "vendor": "Apple", "taxable": True,
    }
    body = {
        "id": 820982911946154508, "admin_graphql_api_id": "gid://shopify/Order/820982911946154508",
        "name": "#9999", "email": "jon@example.com", "created_at": "2026-11-20T10:00:00-05:00",
        "updated_at": "2026-11-20T10:00:00-05:00", "currency": "USD", "financial_status": "paid",
        "source_name": "web", "tags": "", "test": False, "total_price": "398.00", "subtotal_price": "398.00",
        "current_total_price": "398.00", "total_tax": "0.00", "total_discounts": "0.00",
        "customer": {"id": 115310627314723954, "email": "john@example.com", "first_name": "John",
                     "last_name": "Smith", "tags": "", "currency": "USD"},
        "billing_address": {"first_name": "Bob", "last_name": "Biller", "address1": "123 Billing Street",
                            "city": "Billtown", "zip": "K2P0B0", "country_code": "US", "province_code": "KY"},
        "shipping_address": {"first_name": "Steve", "last_name": "Shipper", "address1": "123 Shipping Street",
                             "city": "Shippington", "zip": "40003", "country_code": "US", "province_code": "KY"},
        "line_items": [line(1), line(2)],
        "note_attributes": [{"name": "gift", "value": "no"}], "discount_codes": [],
        "shipping_lines": [{"id": 271878346596884015, "title": "Generic Shipping", "price": "10.00",
                            "code": "Generic", "source": "shopify"}],
        "client_details": {"browser_ip": "192.0.2.1", "accept_language": "en-US,en;q=0.9",
                           "user_agent": "Mozilla/5.0 (X11; Linux x86_64)"},
    }
    return json.dumps(body, separators=(",", ":"))


# Shared by the bench scripts: numbers each wrk thread ("lane") and gives it a prefix, so every
# request's ids are unique across threads and runs.
LUA_LANES = r"""
local counter = 0
local next_thread = 0
function setup(thread)
  next_thread = next_thread + 1
  thread:set("lane", next_thread)
end
function init(args)
  prefix = tostring(lane) .. "-" .. tostring(os.time()) .. "-" .. tostring(math.random(1, 1000000000))
end
"""

LUA = r"""
local body = [[BODY]]
""" + LUA_LANES + r"""
function request()
  counter = counter + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["X-Shopify-Hmac-Sha256"] = "HMAC",
    ["X-Shopify-Topic"] = "orders/paid",
    ["X-Shopify-Shop-Domain"] = "SHOP",
    ["X-Shopify-API-Version"] = "2026-10",
    ["X-Shopify-Webhook-Id"] = "w-" .. prefix .. "-" .. counter,
    ["X-Shopify-Event-Id"] = prefix .. "-" .. counter,
    ["X-Shopify-Triggered-At"] = "2026-11-20T15:00:00Z",
  }
  return wrk.format("POST", "/webhooks", headers, body)
end
DELAY
"""


def lua_script(directory, body, delay_ms=None):
    signature = base64.b64encode(hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).digest()).decode()
    text = LUA.replace("BODY", body).replace("HMAC", signature).replace("SHOP", SHOP)
    text = text.replace("DELAY", delay_hook(delay_ms))
    path = Path(directory) / f"load-{delay_ms or 0}.lua"
    path.write_text(text)
    return path


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, name):
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            sys.exit(f"{name} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"{name} did not listen on {port}")


def run(command, **kwargs):
    print("+", " ".join(str(part) for part in command), file=sys.stderr)
    subprocess.run(command, check=True, **kwargs)


def ensure_tools():
    if shutil.which("wrk") is None:
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        run(sudo + ["apt-get", "update"])
        run(sudo + ["apt-get", "install", "-y", "wrk"])
    if not (PEER / "node_modules" / "better-sqlite3").exists():
        env = dict(os.environ)
        # better-sqlite3 compiles from source when its prebuilt binary cannot be fetched; the
        # Node headers of Debian's nodejs package serve node-gyp offline.
        if Path("/usr/include/node/common.gypi").exists():
            env["npm_config_nodedir"] = "/usr"
        run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PEER, env=env)
    run(["cargo", "build", "--release", "-p", "seglink"], cwd=ROOT)


def wrk(port, script, duration, connections=CONNECTIONS):
    output = subprocess.run(
        ["wrk", f"-t{THREADS}", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script),
         f"http://127.0.0.1:{port}/webhooks"],
        check=True, capture_output=True, text=True,
    ).stdout
    return parse_wrk(output)


def parse_wrk(output):
    """Rate, count, p50 and p99 (ms) and failures from wrk's --latency report."""
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)

    def percentile(label):
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {
        "rate": rate, "total": total, "p50": percentile("50"), "p99": percentile("99"),
        "failed": int(failed.group(1)) if failed else 0, "socket_errors": errors.group(1) if errors else None,
    }


def stored_rows(database):
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT COUNT(*) FROM webhook_inbox").fetchone()[0]


def serve_seglink(directory, port, workers):
    env = {
        "SEGLINK_WORKERS": str(workers),
        "PATH": os.environ["PATH"], "SHOPIFY_API_KEY": "bench-key", "SHOPIFY_API_SECRET": SECRET,
        "SCOPES": "read_orders", "SHOPIFY_APP_URL": "https://seglink.example", "PORT": str(port),
        "SEGLINK_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode(),
    }
    binary = ROOT / os.environ.get("CARGO_TARGET_DIR", "target") / "release" / "seglink"
    database = f"{directory}/seglink-{workers}.db"
    env["DATABASE_URL"] = f"sqlite://{database}"
    return subprocess.Popen([binary, "serve"], env=env, stderr=subprocess.DEVNULL), database


def serve_peer(directory, port):
    env = {"PATH": os.environ["PATH"], "PORT": str(port), "DATABASE": f"{directory}/peer.db",
           "SHOPIFY_API_KEY": "bench-key", "SHOPIFY_API_SECRET": SECRET}
    return subprocess.Popen(["node", "server.mjs"], cwd=PEER, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL), f"{directory}/peer.db"


def delay_hook(delay_ms):
    """wrk's per-request pause, for a script that offers less than its maximum."""
    return f"function delay() return {delay_ms} end" if delay_ms else ""


def at_half_rate(port, script_for, maximum, duration):
    """Offers half of `maximum`: each connection pauses between requests (wrk's delay hook; wrk
    has no fixed-rate mode), the pause calibrated in short runs until the rate is near.
    `script_for(delay_ms)` writes the wrk script with that pause."""
    target = maximum / 2
    # wrk's delay is whole milliseconds: enough connections that each pauses about 10 ms keeps
    # the rounding small.
    connections = max(8, round(target / 100))
    delay_ms = max(1, round(connections * 1000 / target))
    for _ in range(5):
        rate = wrk(port, script_for(delay_ms), 3, connections)["rate"]
        if abs(rate - target) / target < 0.05:
            break
        delay_ms = max(1, round(delay_ms * rate / target))
    result = wrk(port, script_for(delay_ms), duration, connections)
    result["target"], result["connections"] = target, connections
    return result


def measure(name, serve, directory, body, duration, half_rate=False):
    port = free_port()
    process, database = serve(directory, port)
    try:
        wait_for_port(port, process, name)
        wrk(port, lua_script(directory, body), 3)  # warm up
        result = wrk(port, lua_script(directory, body), duration)
        half = (at_half_rate(port, lambda delay: lua_script(directory, body, delay), result["rate"], duration)
                if half_rate else None)
        result["stored"] = stored_rows(database)
        return result, half
    finally:
        process.terminate()
        process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per measured run")
    args = parser.parse_args()
    ensure_tools()
    body = order_payload()
    cpu = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="seglink-bench-") as directory:
        peer, _ = measure("peer", serve_peer, directory, body, args.duration)
        ingest = lambda directory, port: serve_seglink(directory, port, 0)
        seglink, half = measure("Seglink", ingest, directory, body, args.duration, half_rate=True)
        working = lambda directory, port: serve_seglink(directory, port, 2)
        busy, _ = measure("Seglink with workers", working, directory, body, args.duration)
    runs = (("peer", peer), ("Seglink", seglink), ("Seglink at half rate", half), ("Seglink with workers", busy))
    for name, result in runs:
        print(f"{name}: {json.dumps(result)}", file=sys.stderr)
        if result["failed"]:
            sys.exit(f"{name}: {result['failed']} deliveries were refused")
    ratio = seglink["rate"] / peer["rate"]
    table = "\n".join([
        BEGIN,
        f"Measured with `python3 benches/webhooks.py --duration {args.duration}` on a {cpu}-core machine "
        f"(wrk {THREADS} threads, {CONNECTIONS} connections, {len(body):,}-byte `orders/paid` bodies; "
        "the load generator shares the cores with the server).",
        "",
        "| Receiver | Deliveries/s | p50 | p99 | Stored |",
        "|---|---:|---:|---:|---:|",
        f"| `@shopify/shopify-api` 15 + express + better-sqlite3 | {peer['rate']:,.0f} | {peer['p50']:.2f} ms | "
        f"{peer['p99']:.2f} ms | {peer['stored']:,} |",
        f"| Seglink, ingest replica (`SEGLINK_WORKERS=0 seglink serve`, SQLite) | {seglink['rate']:,.0f} | "
        f"{seglink['p50']:.2f} ms | {seglink['p99']:.2f} ms | {seglink['stored']:,} |",
        f"| the same at half its maximum ({half['connections']} connections pacing to {half['target']:,.0f}/s) | "
        f"{half['rate']:,.0f} | "
        f"{half['p50']:.2f} ms | {half['p99']:.2f} ms | |",
        f"| Seglink with its 2 workers processing in the same process | {busy['rate']:,.0f} | "
        f"{busy['p50']:.2f} ms | {busy['p99']:.2f} ms | {busy['stored']:,} |",
        "",
        f"An ingest replica handles **{ratio:.1f}×** the peer's deliveries per second, and writes more per "
        "delivery: the inbox row and the job that will process it, in one transaction, before the 200. "
        "Durability is the same (SQLite WAL, synchronous=NORMAL: a committed delivery survives a crash "
        "of the process). \"Stored\" counts the rows in each inbox after the runs, warm-up included.",
        END,
    ])
    write_section(BEGIN, END, table)
    print(table)


def write_section(begin, end, table, heading=""):
    """Replaces the text between `begin` and `end` in docs/benchmarks.md, or appends it."""
    text = DOC.read_text()
    if begin in text:
        text = text[: text.index(begin)] + table + text[text.index(end) + len(end):]
    else:
        text += "\n" + heading + table + "\n"
    DOC.write_text(text)


if __name__ == "__main__":
    main()

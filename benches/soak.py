#!/usr/bin/env python3
"""Soak: mixed load on one `seglink serve` for minutes, watching its memory, errors and what it
stored. Not a test: the figures depend on the machine.

    python3 benches/soak.py [--minutes 10] [--webhooks 1000] [--pixel-events 20000] [--reads 50]
                            [--warm-up 180]

Three wrk processes (Debian package) run side by side against `seglink serve` on SQLite with its
two workers processing what it stores:
- signed `orders/paid` deliveries (about 1.7 KB, each with its own event id) at --webhooks a second;
- pixel batches of 20 events over 50 stores at --pixel-events events a second;
- admin API reads (`GET /api/segments` of a store with ten segments, with a session token) at
  --reads a second.
wrk has no fixed-rate mode: each connection pauses between requests (its delay hook), the pause
calibrated in short runs before the soak. Every 10 s the server's resident memory is sampled.
After the run: every delivery and batch wrk saw acknowledged must be stored, none twice (the
stored counts may exceed the acknowledged ones by the requests still in flight when wrk stopped,
at most one per connection). Prints a JSON summary; `--doc` also writes the soak section of
docs/benchmarks.md. `SEGLINK_BINARY` runs another build of `seglink` (one under a heap profiler);
`MALLOC_*` and `MIMALLOC_*` variables are passed on to it.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pixel  # noqa: E402
import webhooks  # noqa: E402

ROOT = webhooks.ROOT
BEGIN, END = "<!-- soak-benchmark:begin -->", "<!-- soak-benchmark:end -->"
API_KEY = "bench-key"
READ_SHOP = "bench-0.myshopify.com"
# The bounded holders fill first: SQLite's page caches, and the per-visitor pixel limiter, which
# reaches its 100,000 keys in about two minutes of this load (each request a new address).
WARM_UP_SECONDS = 180
SAMPLE_SECONDS = 10

READ_LUA = r"""
DELAY
function request()
  return wrk.format("GET", "/api/segments", { ["Authorization"] = "Bearer TOKEN" })
end
"""


def session_token(shop, lifetime):
    """A session token as App Bridge's, signed with the bench app's secret, valid for `lifetime` s."""
    encode = lambda data: base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    now = int(time.time())
    header = encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"iss": f"https://{shop}/admin", "dest": f"https://{shop}", "aud": API_KEY, "sub": "1",
              "exp": now + lifetime, "nbf": now - 5, "iat": now, "jti": "soak", "sid": "soak"}
    payload = encode(json.dumps(claims).encode())
    signature = hmac.new(webhooks.SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{encode(signature)}"


def read_script(directory, token, delay_ms=None):
    path = Path(directory) / f"reads-{delay_ms or 0}.lua"
    path.write_text(READ_LUA.replace("TOKEN", token).replace("DELAY", webhooks.delay_hook(delay_ms)))
    return path


def seed_segments(database):
    """Ten segments for the store the admin reads, as a merchant's list would hold."""
    with sqlite3.connect(database) as connection:
        for index in range(10):
            rules = json.dumps({"if": "amount_spent", "op": ">=", "cents": 1000 * (index + 1)})
            connection.execute(
                "INSERT INTO segments (shop, slug, name, rules, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0)",
                (READ_SHOP, f"segment-{index}", f"Segment {index}", rules))


def together(port, loads, delays, seconds):
    """Runs every load at once for `seconds`, each with its pause; wrk's report of each."""
    results = {}

    def run(name):
        path, script_for, _, connections = loads[name]
        results[name] = wrk_run(port, path, script_for(delays[name]), seconds, connections)

    threads = [threading.Thread(target=run, args=(name,)) for name in loads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def paced(port, loads):
    """The pause (ms) of each load's connections that offers its rate while the others run too:
    calibrated in 3-second runs of all of them at once, as webhooks.at_half_rate does for one."""
    delays = {name: max(1, round(connections * 1000 / rate)) for name, (_, _, rate, connections) in loads.items()}
    for _ in range(8):
        measured = together(port, loads, delays, 3)
        if all(abs(measured[name]["rate"] - loads[name][2]) / loads[name][2] < 0.03 for name in loads):
            break
        delays = {name: max(1, round(delays[name] * measured[name]["rate"] / loads[name][2])) for name in loads}
    return delays


def wrk_run(port, path, script, seconds, connections):
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
         f"http://127.0.0.1:{port}{path}"],
        check=True, capture_output=True, text=True,
    ).stdout
    return webhooks.parse_wrk(output)


def resident_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def resident_parts(pid):
    """Resident KiB by holder, from /proc/<pid>/smaps: the C heap (glibc's `[heap]`; `seglink`
    gives C code one arena, and its C code is SQLite), the Rust heap (mimalloc's arenas, reserved a
    GiB of address space at a time), files mapped (the binary, libraries) and the rest."""
    parts = {"c_heap": 0, "rust_heap": 0, "files": 0, "other": 0}
    part = "other"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 5:
            start, end = (int(bound, 16) for bound in fields[0].split("-"))
            name = fields[5] if len(fields) > 5 else ""
            part = ("c_heap" if name == "[heap]" else "files" if name.startswith("/")
                    else "rust_heap" if not name and end - start >= 1 << 30 else "other")
        elif fields[0] == "Rss:":
            parts[part] += int(fields[1])
    return parts


def count(database, sql):
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchone()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--webhooks", type=int, default=1000, help="deliveries a second")
    parser.add_argument("--pixel-events", type=int, default=20000, help="storefront events a second")
    parser.add_argument("--reads", type=int, default=50, help="admin API reads a second")
    parser.add_argument("--warm-up", type=int, default=WARM_UP_SECONDS,
                        help="seconds before the memory drift is measured")
    parser.add_argument("--doc", action="store_true", help="write the soak section of docs/benchmarks.md")
    args = parser.parse_args()
    webhooks.ensure_tools()
    binary = os.environ.get("SEGLINK_BINARY") or ROOT / os.environ.get("CARGO_TARGET_DIR", "target") / "release" / "seglink"
    seconds = round(args.minutes * 60)
    with tempfile.TemporaryDirectory(prefix="seglink-soak-") as directory:
        database = f"{directory}/soak.db"
        port = webhooks.free_port()
        env = {
            "PATH": os.environ["PATH"], "SHOPIFY_API_KEY": API_KEY, "SHOPIFY_API_SECRET": webhooks.SECRET,
            "SCOPES": "read_orders", "SHOPIFY_APP_URL": "https://seglink.example", "PORT": str(port),
            "SEGLINK_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode(),
            "DATABASE_URL": f"sqlite://{database}", "SEGLINK_WORKERS": "2",
        }
        # The allocators' tuning variables reach the server, for runs that compare them.
        env.update({name: value for name, value in os.environ.items() if name.startswith(("MALLOC_", "MIMALLOC_"))})
        subprocess.run([binary, "migrate"], env=env, check=True, stderr=subprocess.DEVNULL)
        keys, shops = pixel.stores(database)
        seed_segments(database)
        server = subprocess.Popen([binary, "serve"], env=env, stderr=subprocess.DEVNULL)
        try:
            webhooks.wait_for_port(port, server, "seglink")
            body = webhooks.order_payload()
            token = session_token(READ_SHOP, seconds + 600)
            loads = {
                "webhooks": ("/webhooks", lambda delay: webhooks.lua_script(directory, body, delay),
                             args.webhooks, 16),
                "pixel": ("/v1/pixel/events", lambda delay: pixel.script(directory, keys, shops, delay),
                          args.pixel_events / pixel.BATCH, 16),
                "reads": ("/api/segments", lambda delay: read_script(directory, token, delay), args.reads, 2),
            }
            delays = paced(port, loads)
            webhooks_before = count(database, "SELECT COUNT(*) FROM webhook_inbox")
            events_before = count(database, "SELECT COUNT(*) FROM events")
            samples = []
            watch = threading.Event()

            def sample():
                started = time.time()
                while not watch.wait(SAMPLE_SECONDS if samples else 0):
                    samples.append((round(time.time() - started), resident_kib(server.pid),
                                    resident_parts(server.pid)))

            sampler = threading.Thread(target=sample)
            sampler.start()
            results = together(port, loads, delays, seconds)
            watch.set()
            sampler.join()
            if server.poll() is not None:
                sys.exit(f"seglink exited with {server.returncode} during the soak")
        finally:
            server.terminate()
            server.wait()
        stored_webhooks = count(database, "SELECT COUNT(*) FROM webhook_inbox") - webhooks_before
        distinct_webhooks = count(database, "SELECT COUNT(DISTINCT event_id) FROM webhook_inbox") - webhooks_before
        stored_events = count(database, "SELECT COUNT(*) FROM events") - events_before
    acknowledged_webhooks = results["webhooks"]["total"] - results["webhooks"]["failed"]
    acknowledged_events = (results["pixel"]["total"] - results["pixel"]["failed"]) * pixel.BATCH
    after_warm_up = [kib for at, kib, _ in samples if at >= args.warm_up]
    baseline = after_warm_up[0] if after_warm_up else samples[-1][1]
    summary = {
        "seconds": seconds,
        "rates": {name: round(result["rate"], 1) for name, result in results.items()},
        "p99_ms": {name: result["p99"] for name, result in results.items()},
        "errors": {name: result["failed"] for name, result in results.items()},
        "socket_errors": {name: result["socket_errors"] for name, result in results.items()},
        "webhooks": {"acknowledged": acknowledged_webhooks, "stored": stored_webhooks,
                     "distinct": distinct_webhooks},
        "pixel_events": {"acknowledged": acknowledged_events, "stored": stored_events},
        "rss_kib": {"after_warm_up": baseline, "min": min(after_warm_up or [baseline]),
                    "max": max(after_warm_up or [baseline]), "last": samples[-1][1]},
        "rss_by_minute": by_minute(samples, max(1, round(args.minutes / 8))),
        "rss_samples": samples,
    }
    drift = max(abs(summary["rss_kib"]["max"] - baseline), abs(baseline - summary["rss_kib"]["min"])) / baseline
    checks = {
        "no errors": all(result["failed"] == 0 and result["socket_errors"] is None for result in results.values()),
        "every acknowledged delivery stored once": (
            stored_webhooks == distinct_webhooks
            and 0 <= stored_webhooks - acknowledged_webhooks <= loads["webhooks"][3]),
        "every acknowledged event stored": 0 <= stored_events - acknowledged_events <= loads["pixel"][3] * pixel.BATCH,
        "memory within 10% after warm-up": drift <= 0.10,
    }
    summary["memory_drift"] = round(drift, 4)
    summary["checks"] = checks
    print(json.dumps(summary, indent=1))
    if args.doc:
        write_doc(args, summary)
    if not all(checks.values()):
        sys.exit("a soak check failed: " + ", ".join(name for name, held in checks.items() if not held))


def by_minute(samples, every):
    """The samples nearest each `every`-th minute: minute, resident KiB and its parts."""
    chosen = []
    for minute in range(0, samples[-1][0] // 60 + 1, every):
        at, kib, parts = min(samples, key=lambda sample: abs(sample[0] - minute * 60))
        chosen.append({"minute": minute, "rss": kib, **parts})
    return chosen


def non_default_flags(args):
    """The flags besides --minutes that differ from their defaults, as typed."""
    defaults = {"webhooks": 1000, "pixel_events": 20000, "reads": 50, "warm_up": WARM_UP_SECONDS}
    return "".join(f" --{name.replace('_', '-')} {getattr(args, name)}"
                   for name, default in defaults.items() if getattr(args, name) != default)


def write_doc(args, summary):
    cpu = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    rss = summary["rss_kib"]
    mib = lambda kib: f"{kib / 1024:,.1f} MiB"
    rows = [
        ("Webhooks (`orders/paid`, signed)", "webhooks"),
        ("Pixel batches of 20 events", "pixel"),
        ("Admin reads (`GET /api/segments`)", "reads"),
    ]
    table = [
        BEGIN,
        f"Measured with `python3 benches/soak.py --minutes {args.minutes:g}{non_default_flags(args)}` on a {cpu}-core machine "
        f"(`seglink serve` on SQLite, two workers).",
        "",
        "| Load | Asked | Achieved a second | p99 | Errors |",
        "|---|---:|---:|---:|---:|",
    ]
    offered = {"webhooks": f"{args.webhooks:,}/s", "pixel": f"{args.pixel_events:,} events/s",
               "reads": f"{args.reads:,}/s"}
    for label, name in rows:
        rate = summary["rates"][name]
        shown = f"{rate * pixel.BATCH:,.0f} events" if name == "pixel" else f"{rate:,.0f}"
        table.append(f"| {label} | {offered[name]} | {shown} | {summary['p99_ms'][name]:.1f} ms | "
                     f"{summary['errors'][name]} |")
    table += [
        "",
        f"Deliveries acknowledged {summary['webhooks']['acknowledged']:,}, stored "
        f"{summary['webhooks']['stored']:,} ({summary['webhooks']['distinct']:,} distinct event ids); pixel "
        f"events acknowledged {summary['pixel_events']['acknowledged']:,}, stored "
        f"{summary['pixel_events']['stored']:,} (the difference: requests in flight when wrk stopped).",
        f"Resident memory after the {args.warm_up} s warm-up {mib(rss['after_warm_up'])}, then between "
        f"{mib(rss['min'])} and {mib(rss['max'])} (drift {summary['memory_drift']:.1%}; the target is "
        f"within 10%), {mib(rss['last'])} at the end.",
        "",
        "Resident memory by minute, and what holds it (MiB):",
        "",
        "| Minute | Resident | C heap (SQLite) | Rust heap (mimalloc) | Files mapped | Other |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for row in summary["rss_by_minute"]:
        table.append(f"| {row['minute']} | {row['rss'] / 1024:.0f} | {row['c_heap'] / 1024:.0f} | "
                     f"{row['rust_heap'] / 1024:.0f} | {row['files'] / 1024:.0f} | {row['other'] / 1024:.0f} |")
    table.append(END)
    webhooks.write_section(BEGIN, END, "\n".join(table), heading="## Soak\n\n")


if __name__ == "__main__":
    main()

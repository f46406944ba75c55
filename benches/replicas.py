#!/usr/bin/env python3
"""Benchmarks one, two and three `seglink serve` replicas sharing one PostgreSQL.

    python3 benches/replicas.py [--duration SECONDS] [--backlog DELIVERIES]

Starts a PostgreSQL server of its own (Debian's package, a fresh cluster in a temporary
directory, loopback only, default durability), then for each replica count, on a fresh database:

- ingest: wrk posts signed `orders/paid` deliveries (each its own event id) to every replica at
  once for --duration seconds, the replicas' workers processing as they come; deliveries stored a
  second, and the latency wrk saw;
- processing: an ingest-only replica stores --backlog deliveries, then the replicas (two workers
  each) start on that backlog; jobs finished a second until none is left.

Prints one JSON line per measure and rewrites its section of docs/benchmarks.md. Not a test:
the figures depend on the machine (here every replica, the server and wrk share its cores).
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import webhooks  # noqa: E402  (wrk, signed bodies, ports and process helpers)

ROOT = webhooks.ROOT
BEGIN, END = "<!-- replicas-benchmark:begin -->", "<!-- replicas-benchmark:end -->"
CONNECTIONS = 64


class Postgres:
    """A throwaway cluster; `psql(sql, database)` answers the first column of the first row."""

    def __init__(self, directory):
        if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
            sudo = [] if os.geteuid() == 0 else ["sudo"]
            webhooks.run(sudo + ["apt-get", "update", "-qq"])
            webhooks.run(sudo + ["apt-get", "install", "-y", "-qq", "postgresql"],
                         env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        self.bin = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: [
            int(part) for part in Path(path).parent.name.split(".") if part.isdigit()])[-1]
        self.data = f"{directory}/pg"
        self.port = webhooks.free_port()
        # initdb refuses to run as root; the package's postgres user runs the server then.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(directory, "postgres")
        subprocess.run(self.as_user + [f"{self.bin}/initdb", "-D", self.data, "-U", "seglink", "--auth=trust"],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(self.as_user + [f"{self.bin}/pg_ctl", "-D", self.data, "-l", f"{directory}/pg.log", "-w", "-o",
                                       f"-c listen_addresses=127.0.0.1 -p {self.port} -k {directory} "
                                       "-c max_connections=200", "start"],
                       check=True, stdout=subprocess.DEVNULL)

    def url(self, database):
        return f"postgres://seglink@127.0.0.1:{self.port}/{database}"

    def psql(self, sql, database="postgres"):
        output = subprocess.run([f"{self.bin}/psql", "-qtA", "-c", sql, self.url(database)], check=True,
                                capture_output=True, text=True).stdout.strip()
        return output.splitlines()[0] if output else ""

    def stop(self):
        subprocess.run(self.as_user + [f"{self.bin}/pg_ctl", "-D", self.data, "-m", "fast", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def serve(database_url, workers):
    port = webhooks.free_port()
    env = {
        "PATH": os.environ["PATH"], "SHOPIFY_API_KEY": "bench-key", "SHOPIFY_API_SECRET": webhooks.SECRET,
        "SCOPES": "read_orders", "SHOPIFY_APP_URL": "https://seglink.example", "PORT": str(port),
        "SEGLINK_ENCRYPTION_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "DATABASE_URL": database_url,
        "SEGLINK_WORKERS": str(workers),
    }
    binary = ROOT / os.environ.get("CARGO_TARGET_DIR", "target") / "release" / "seglink"
    process = subprocess.Popen([binary, "serve"], env=env, stderr=subprocess.DEVNULL)
    webhooks.wait_for_port(port, process, "seglink")
    return process, port


def wrk_all(ports, script, duration):
    """One wrk per replica at once, the connections shared out; their results."""
    share = max(1, CONNECTIONS // len(ports))
    runs = []
    for port in ports:
        # wrk's Lua starts every process with the same random numbers: seeded apart, the event ids
        # of one wrk are not another's.
        seeded = Path(script).with_name(f"{Path(script).stem}-{port}.lua")
        seeded.write_text(f"math.randomseed({port})\n" + Path(script).read_text())
        runs.append(subprocess.Popen(["wrk", "-t1", f"-c{share}", f"-d{duration}s", "--latency", "-s", str(seeded),
                                      f"http://127.0.0.1:{port}/webhooks"], stdout=subprocess.PIPE, text=True))
    return [webhooks.parse_wrk(run.communicate()[0]) for run in runs]


def unfinished(postgres, database):
    return int(postgres.psql("SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')", database))


def measure(postgres, replicas, directory, body, duration, backlog):
    database = f"bench_{replicas}"
    postgres.psql(f"CREATE DATABASE {database}")
    url = postgres.url(database)
    script = webhooks.lua_script(directory, body)
    servers = [serve(url, 2) for _ in range(replicas)]
    try:
        webhooks.wrk(servers[0][1], script, 2)  # warm up
        runs = wrk_all([port for _, port in servers], script, duration)
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait()
    ingest = {
        "replicas": replicas, "measure": "ingest",
        "deliveries_per_second": round(sum(run["rate"] for run in runs)),
        "p50_ms": max(run["p50"] for run in runs), "p99_ms": max(run["p99"] for run in runs),
        "failed": sum(run["failed"] for run in runs),
    }

    # A backlog stored by an ingest-only replica, then processed by the replicas.
    postgres.psql(f"DROP DATABASE {database} WITH (FORCE)")
    postgres.psql(f"CREATE DATABASE {database}")
    process, port = serve(url, 0)
    try:
        while int(postgres.psql("SELECT COUNT(*) FROM jobs", database)) < backlog:
            webhooks.wrk(port, script, 2)
    finally:
        process.terminate()
        process.wait()
    queued = unfinished(postgres, database)
    started = time.time()
    servers = [serve(url, 2) for _ in range(replicas)]
    try:
        while unfinished(postgres, database) > 0:
            time.sleep(0.1)
        elapsed = time.time() - started
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait()
    dead = int(postgres.psql("SELECT COUNT(*) FROM jobs WHERE state = 'dead'", database))
    processing = {"replicas": replicas, "measure": "processing", "jobs": queued,
                  "jobs_per_second": round(queued / elapsed), "seconds": round(elapsed, 2), "dead": dead}
    postgres.psql(f"DROP DATABASE {database} WITH (FORCE)")
    return ingest, processing


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of each ingest run")
    parser.add_argument("--backlog", type=int, default=20_000, help="deliveries each processing run starts with")
    args = parser.parse_args()
    webhooks.ensure_tools()
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "seglink", "--bin", "seglink"], cwd=ROOT,
                   check=True)
    body = webhooks.order_payload()
    results = []
    with tempfile.TemporaryDirectory(prefix="seglink-replicas-bench-") as directory:
        os.chmod(directory, 0o755)
        postgres = Postgres(directory)
        try:
            binary = ROOT / os.environ.get("CARGO_TARGET_DIR", "target") / "release" / "seglink"
            postgres.psql("CREATE DATABASE bench_schema")
            subprocess.run([binary, "migrate"], check=True, stderr=subprocess.DEVNULL, env={
                "PATH": os.environ["PATH"], "SHOPIFY_API_KEY": "k", "SHOPIFY_API_SECRET": "s", "SCOPES": "read_orders",
                "SHOPIFY_APP_URL": "https://seglink.example", "DATABASE_URL": postgres.url("bench_schema"),
                "SEGLINK_ENCRYPTION_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="})
            version = postgres.psql("SHOW server_version", "bench_schema")
            for replicas in (1, 2, 3):
                for line in measure(postgres, replicas, directory, body, args.duration, args.backlog):
                    print(json.dumps(line), flush=True)
                    results.append(line)
        finally:
            postgres.stop()
    cpu = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    ingest = {line["replicas"]: line for line in results if line["measure"] == "ingest"}
    processing = {line["replicas"]: line for line in results if line["measure"] == "processing"}
    rows = [
        f"| {count} | {ingest[count]['deliveries_per_second']:,} | {ingest[count]['p50_ms']:.2f} ms | "
        f"{ingest[count]['p99_ms']:.2f} ms | {processing[count]['jobs_per_second']:,} | {processing[count]['dead']} |"
        for count in (1, 2, 3)
    ]
    table = "\n".join([
        BEGIN,
        f"Measured with `python3 benches/replicas.py --duration {args.duration} --backlog {args.backlog}` on a "
        f"{cpu}-core machine, PostgreSQL {version} (default durability) on the same machine.",
        "",
        "| Replicas | Ingest, deliveries/s | p50 | p99 | Processing, jobs/s | Dead jobs |",
        "|---:|---:|---:|---:|---:|---:|",
        *rows,
        END,
    ])
    webhooks.write_section(BEGIN, END, table, heading="## Replicas on PostgreSQL\n\n")
    print(table)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmarks segments and rewrites their section of docs/benchmarks.md.

    python3 benches/segments.py [--customers N] [--events N] [--diff N] [--naive N]

Runs `cargo run --release -p seglink --example segments_bench`:

* recompute: a SQLite store with N customers, three orders each on average and N events over 90
  days, ten segments using every condition kind (windows, behaviour, a product filter); the time
  of a full recompute of all ten, first when every member enters and again when nothing changes.
* push: the Shopify simulator on the Standard plan's limits (bucket 2,000 points, 100 a second);
  a diff of `--diff` entering customers pushed by Seglink, a diff of 100 leaving, and the naive
  approach (every member re-tagged with one `tagsAdd` each) on a sample of `--naive` members.
  Points are what the simulator charged.

Not a test: the figures depend on the machine.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import webhooks  # noqa: E402  (shares the docs writer)

ROOT = webhooks.ROOT
BEGIN, END = "<!-- segments-benchmark:begin -->", "<!-- segments-benchmark:end -->"
RESTORE_RATE, BUCKET, TAG_COST = 100, 2_000, 10


def example(*arguments):
    command = ["cargo", "run", "--quiet", "--release", "--locked", "-p", "seglink", "--example", "segments_bench", "--", *arguments]
    output = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in output.splitlines() if line.startswith('{"bench"')]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--diff", type=int, default=10_000)
    parser.add_argument("--naive", type=int, default=1_000)
    args = parser.parse_args()

    measured = example("recompute", str(args.customers), str(args.events))
    recompute = [line for line in measured if line["bench"] == "recompute"]
    previews = [line for line in measured if line["bench"] == "preview"]
    push = example("push", str(args.diff), str(args.naive))

    first = recompute[0]
    lines = [
        BEGIN,
        "",
        f"Reproduce: `python3 benches/segments.py` (defaults: {args.customers:,} customers, "
        f"{args.events:,} events, a diff of {args.diff:,}, a naive sample of {args.naive:,}).",
        "",
        f"Full recompute of {first['segments']} segments over {first['customers']:,} customers, "
        f"{first['orders']:,} orders and {first['events']:,} events on SQLite (target ≤ 5 s):",
        "",
        "| Run | Memberships | Entered | Seconds |",
        "|---|---:|---:|---:|",
    ]
    for line in recompute:
        lines.append(f"| {line['run']} | {line['memberships']:,} | {line['entered']:,} | {line['seconds']:.2f} |")
    exact = previews and not previews[0]["estimated"]
    lines += [
        "",
        f"Previews of the same ten rules ({'every customer counted' if exact else 'from a sample'}): "
        f"{min(line['seconds'] for line in previews):.2f} to {max(line['seconds'] for line in previews):.2f} s.",
    ] if previews else []
    lines += [
        "",
        "Tag push against the simulator on the Standard plan's limits:",
        "",
        "| Approach | Tag changes | Calls | Points | Points per change | Seconds |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for line in push:
        lines.append(
            f"| {line['run']} | {line['changes']:,} | {line['calls']:,} | {line['points']:,} | "
            f"{line['points_per_change']:.4f} | {line['seconds']:.2f} |"
        )
    naive = push[-1]
    full_points = args.diff * TAG_COST
    full_seconds = max(0, full_points - BUCKET) / RESTORE_RATE
    lines += [
        "",
        f"The naive approach on all {args.diff:,} members, computed from the measured sample "
        f"({naive['points_per_change']:.0f} points a call): {full_points:,} points, about "
        f"{full_seconds:,.0f} s of waiting for the bucket at {RESTORE_RATE} points a second, and it "
        "re-tags every member whether or not they changed. The simulator completes a bulk mutation "
        "at once; Shopify runs it in the background, so there the bulk push's time is Shopify's, not "
        "the bucket's. Diffs under 250 changes go per customer (10 points each).",
        "",
        END,
    ]
    webhooks.write_section(BEGIN, END, "\n".join(lines), "## Segments\n\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmarks the discount Function the way Shopify meters it and rewrites its section of
docs/benchmarks.md.

    python3 benches/function.py

Builds the module with the command in shopify.extension.toml, trampolines it with
`shopify_function_trampoline`, and runs Shopify's `function-runner` over generated carts of
1, 50 and 200 lines against 1 and 25 rules. Both tools must be on PATH; they come from public
repositories, not a registry (docs/benchmarks.md says how to build them). Not part of the tests:
instruction counts are measurements, and the budgets are checked here.
"""

import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTENSION = ROOT / "extensions" / "segment-discount"
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- function-benchmark:begin -->", "<!-- function-benchmark:end -->"

MODULE_BUDGET = 48_000
# (rule set, lines, buyer) -> instruction budget, from issue 2.
BUDGETS = {
    ("1-order-rule", 1, "guest"): 10_000,
    ("1-order-rule", 1, "untagged"): 10_000,
    ("25-rules", 200, "guest"): 10_000,
    ("25-rules", 200, "untagged"): 10_000,
    ("1-order-rule", 1, "tagged"): 30_000,
    ("1-product-rule", 1, "tagged"): 30_000,
    ("25-rules", 1, "tagged"): 90_000,
    ("25-rules", 200, "tagged"): 1_200_000,
}
RULE_SETS = {
    "1-order-rule": "1 rule: 15% off the order",
    "1-product-rule": "1 rule: 20% off a collection",
    "25-rules": "25 rules; the buyer holds 2 of the 25 segments",
    "25-rules-every-tag": "25 rules; the buyer holds all 25 segments",
}
TARGET = "cart_lines_discounts_generate_run"
DELIVERY_TARGET = "cart_delivery_options_discounts_generate_run"
DELIVERY_SETS = {
    "1-shipping-rule": "1 rule: free shipping over $50; 2 groups of 3 options",
    "25-rules-5-shipping": "25 rules, 5 for shipping, all held; 2 groups of 3 options",
}
# Shopify's Rust discount template (Shopify/extensions-templates @ da66db9, functions-discount-rs,
# built with its own Cargo.toml, trampolined, function-runner 9.2.1): 10% off the order and 20%
# off one line for every buyer, on its 1-line fixture and on 200 lines.
TEMPLATE = {"1 line": 34_205, "200 lines": 1_172_889, "module": 67_809, "optimised": 62_302}


def run(command, **kwargs):
    return subprocess.run(command, check=True, text=True, capture_output=True, **kwargs)


def tool(name):
    path = shutil.which(name)
    if not path:
        sys.exit(f"bench: {name} is not on PATH; docs/benchmarks.md says how to build it")
    return path


def build_module():
    build = tomllib.loads((EXTENSION / "shopify.extension.toml").read_text())["extensions"][0]["build"]
    module = EXTENSION / build["path"]
    # `shopify app build` rewrites this file, a hard link to cargo's copy in deps/, in place.
    module.unlink(missing_ok=True)
    for copy in (module.parent / "deps").glob(module.stem.replace("-", "_") + "-*.wasm"):
        copy.unlink()
    subprocess.run([*build["command"].split(), "--locked"], cwd=EXTENSION, check=True)
    return module


def size_bytes(text):
    """`424B` or `22.47KB` (function-runner's KB is 1,024 bytes) as bytes."""
    match = re.search(r"([\d.]+)(KB|B)\b", text)
    if not match:
        return None
    return round(float(match.group(1)) * (1024 if match.group(2) == "KB" else 1))


def measure(module, input_path, target=TARGET):
    common = [
        tool("function-runner"), "-f", str(module), "-i", str(input_path), "-e", target,
        "-s", str(EXTENSION / "schema.graphql"), "-q", str(EXTENSION / "src" / f"{target}.graphql"),
    ]
    result = json.loads(run([*common, "--json"]).stdout)
    text = run(common).stdout
    # The report lists the limits first, then the run's figures: keep the last of each.
    sizes = {}
    for line in text.splitlines():
        for label in ("Input Size", "Output Size"):
            if line.startswith(label):
                sizes[label] = size_bytes(line)
    if not result["success"]:
        sys.exit(f"bench: {input_path.name} failed: {result['logs']}")
    operations = [next(iter(op)) for op in result["output"]["operations"]]
    return {
        "instructions": result["instructions"],
        "memory_kb": result["memory_usage"],
        "input_bytes": sizes["Input Size"],
        "output_bytes": sizes["Output Size"],
        "operations": operations,
    }


def main():
    tool("function-runner")
    tool("shopify_function_trampoline")
    module = build_module()
    work = Path(tempfile.mkdtemp(prefix="seglink-bench-"))
    trampolined = work / "segment-discount.trampolined.wasm"
    run([tool("shopify_function_trampoline"), "-i", str(module), "-o", str(trampolined)])
    optimised = None
    wasm_opt = ROOT / "node_modules" / ".bin" / "wasm-opt"
    if wasm_opt.exists():
        # What `shopify app build` runs after the trampoline (binaryen 123, as the CLI pins).
        optimised = work / "segment-discount.optimised.wasm"
        run([str(wasm_opt), str(trampolined), "-Oz", "--enable-bulk-memory", "--enable-multimemory",
             "--enable-nontrapping-float-to-int", "--strip-debug", "-o", str(optimised)])
    inputs = work / "inputs"
    run(["cargo", "run", "--quiet", "--locked", "-p", "segment-discount", "--example", "bench_inputs", "--", str(inputs)], cwd=ROOT)

    rows, misses = [], []
    for rule_set, description in RULE_SETS.items():
        for lines in (1, 50, 200):
            for buyer in ("guest", "untagged", "tagged"):
                if buyer != "tagged" and (rule_set, lines, buyer) not in BUDGETS:
                    continue
                figures = measure(trampolined, inputs / f"{rule_set}.{lines}-lines.{buyer}.json")
                budget = BUDGETS.get((rule_set, lines, buyer))
                if budget and figures["instructions"] > budget:
                    misses.append(f"{rule_set} / {lines} lines / {buyer}: {figures['instructions']:,} > {budget:,}")
                rows.append((description, lines, buyer, figures, budget))

    delivery = ["| Rules | Buyer | Instructions | Output bytes | Operations |", "|---|---|---:|---:|---|"]
    for rule_set, description in DELIVERY_SETS.items():
        for buyer in ("guest", "tagged"):
            figures = measure(trampolined, inputs / f"{rule_set}.delivery.{buyer}.json", DELIVERY_TARGET)
            delivery.append(
                f"| {description} | {buyer} | {figures['instructions']:,} | {figures['output_bytes']:,} "
                f"| {', '.join(figures['operations']) or '—'} |"
            )

    sizes = [("as built (`shopify.extension.toml`)", module.stat().st_size, MODULE_BUDGET),
             ("trampolined", trampolined.stat().st_size, None)]
    if optimised:
        sizes.append(("trampolined + `wasm-opt -Oz` (what `shopify app build` uploads)", optimised.stat().st_size, None))
    if module.stat().st_size > MODULE_BUDGET:
        misses.append(f"module {module.stat().st_size:,} bytes > {MODULE_BUDGET:,}")

    table = [
        "| Rules | Lines | Buyer | Instructions | Budget | Input bytes | Output bytes | Memory (KB) | Operations |",
        "|---|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for description, lines, buyer, figures, budget in rows:
        verdict = "" if budget is None else (f"≤ {budget:,} ✓" if figures["instructions"] <= budget else f"≤ {budget:,} ✗")
        table.append(
            f"| {description} | {lines} | {buyer} | {figures['instructions']:,} | {verdict} | {figures['input_bytes']:,} "
            f"| {figures['output_bytes']:,} | {figures['memory_kb']:,} | {', '.join(figures['operations']) or '—'} |"
        )
    size_table = ["| Module | Bytes | Budget |", "|---|---:|---:|"]
    for label, size, budget in sizes:
        size_table.append(f"| {label} | {size:,} | {'' if budget is None else f'≤ {budget:,} ✓' if size <= budget else f'≤ {budget:,} ✗'} |")

    def figure(rule_set, lines):
        return next(f["instructions"] for d, n, b, f, _ in rows if d == RULE_SETS[rule_set] and n == lines and b == "tagged")

    peers = [
        "| Function | 1 line | 200 lines | Module as built | Optimised |",
        "|---|---:|---:|---:|---:|",
        f"| Shopify's template (discounts for everyone, no tags, no config) | {TEMPLATE['1 line']:,} | {TEMPLATE['200 lines']:,} "
        f"| {TEMPLATE['module']:,} | {TEMPLATE['optimised']:,} |",
        f"| Seglink, 1 order rule, tagged buyer | {figure('1-order-rule', 1):,} | {figure('1-order-rule', 200):,} "
        f"| {module.stat().st_size:,} | {optimised.stat().st_size if optimised else 0:,} |",
        f"| Seglink, 1 collection rule, tagged buyer | {figure('1-product-rule', 1):,} | {figure('1-product-rule', 200):,} | | |",
        f"| Seglink, 25 rules, buyer in 2 segments | {figure('25-rules', 1):,} | {figure('25-rules', 200):,} | | |",
    ]

    versions = run([tool("function-runner"), "--version"]).stdout.strip()
    section = "\n".join([
        BEGIN,
        f"Measured with `{versions}` on the trampolined module; produced by `python3 benches/function.py`.",
        "",
        *peers,
        "",
        *size_table,
        "",
        "`cart.lines.discounts.generate.run`:",
        "",
        *table,
        "",
        "`cart.delivery-options.discounts.generate.run` (no budget set):",
        "",
        *delivery,
        END,
    ])
    text = DOC.read_text() if DOC.exists() else ""
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END):]
    else:
        text = text + "\n" + section + "\n"
    DOC.write_text(text)
    print(section)
    if misses:
        print("\nover budget:\n  " + "\n  ".join(misses), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

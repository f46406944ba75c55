#!/usr/bin/env node
// The demo's start-up time, from launching `seglink-demo` to the line with its URL, and rewrites
// its section of docs/benchmarks.md.
//
//     node benches/demo.mjs [--runs N]
//
// The release binary (built here) on the default shop (1,000 customers, 60 products, 5,000
// orders): a first start on an empty data folder (seeding, migrating SQLite, the install), then a
// second start on the same folder (the reinstall and the tag reconciliation). Not a test: the
// figures depend on the machine.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 5;
const ROOT = new URL("..", import.meta.url).pathname;
execFileSync("cargo", ["build", "--release", "--locked", "-p", "seglink-demo"], { cwd: ROOT, stdio: "inherit" });
const binary = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "release", "seglink-demo");

/// Milliseconds from the launch to the URL line; the demo is stopped with Ctrl-C after it.
function start(data) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(binary, ["--port", "0", "--app-port", "0", "--no-open", "--data", data], { stdio: ["ignore", "pipe", "ignore"] });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (output.includes("Seglink demo: open ")) {
        const elapsed = performance.now() - started;
        child.on("exit", () => resolve(elapsed));
        child.kill("SIGINT");
      }
    });
    child.on("error", reject);
  });
}

const first = [];
const again = [];
for (let run = 0; run < runs; run++) {
  const data = mkdtempSync(join(tmpdir(), "seglink-demo-bench-"));
  try {
    first.push(await start(data));
    again.push(await start(data));
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const row = (what, values) =>
  `| ${what} | ${median(values).toFixed(0)} ms | ${Math.min(...values).toFixed(0)} ms | ${Math.max(...values).toFixed(0)} ms |`;
const section = `<!-- demo-benchmark:begin -->
Measured with \`node benches/demo.mjs --runs ${runs}\` on a 2-core machine: the release \`seglink-demo\`
on the default shop (1,000 customers, 60 products, 5,000 orders), from the launch to the line with
the URL.

| What | Median of ${runs} | Fastest | Slowest |
|---|---:|---:|---:|
${row("First start (seeding, a new SQLite database, the install)", first)}
${row("Second start on the same data (reinstall, tags reconciled)", again)}

The provisioning the install queues (pixel, definitions, discount, the backfill of 5,000 orders)
goes on in the background after the URL is printed; the admin's setup guide follows it.
<!-- demo-benchmark:end -->`;
const path = `${ROOT}docs/benchmarks.md`;
const text = readFileSync(path, "utf8");
const pattern = /<!-- demo-benchmark:begin -->[\s\S]*<!-- demo-benchmark:end -->/;
writeFileSync(path, pattern.test(text) ? text.replace(pattern, section) : `${text.trimEnd()}\n\n## The demo\n\n${section}\n`);
console.log(section);

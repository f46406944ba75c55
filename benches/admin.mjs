#!/usr/bin/env node
// Home's time to show data, as a merchant's browser meets it, and rewrites its section of
// docs/benchmarks.md.
//
//     node benches/admin.mjs [--runs N]
//
// Release builds of `seglink` and `shopify-sim` (built here), the seeded demo shop (1,000
// customers, 60 products, 5,000 orders), Debian's Chromium through playwright-core, all on this
// machine. Each run starts both afresh and measures, from the navigation to the admin page:
// the first open (the document installs the store: token exchange, workspace, provisioning
// queued) until Home shows its setup guide, then a second open of the installed store until the
// same. Not a test: the figures depend on the machine.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { launch } from "../backend/admin/tests/harness.mjs";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 5;
const ROOT = new URL("..", import.meta.url).pathname;
execFileSync("npm", ["run", "--silent", "build:admin"], { cwd: ROOT, stdio: "inherit" });
execFileSync("cargo", ["build", "--release", "--locked", "-p", "seglink", "-p", "shopify-sim"], { cwd: ROOT, stdio: "inherit" });

async function timeToData(world) {
  const started = performance.now();
  await world.page.goto(world.adminUrl());
  const app = await world.app();
  await app.locator("[data-progress]").waitFor();
  return performance.now() - started;
}

const first = [];
const again = [];
for (let run = 0; run < runs; run++) {
  const world = await launch({ customers: 1000, products: 60, orders: 5000, profile: "release" });
  try {
    first.push(await timeToData(world));
    again.push(await timeToData(world));
  } finally {
    await world.close();
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const size = /admin first page: (\d+) B/.exec(
  execFileSync("node", ["scripts/admin-size.mjs", "61440"], { cwd: ROOT, encoding: "utf8" }),
)[1];
const section = `<!-- admin-benchmark:begin -->
Measured with \`node benches/admin.mjs --runs ${runs}\` on a 2-core machine: release builds, the seeded demo
shop (1,000 customers, 60 products, 5,000 orders), Debian's Chromium ${execFileSync("chromium", ["--version"], { encoding: "utf8" }).match(/[\d.]+/)[0]}.

| What | Median of ${runs} | Fastest | Slowest |
|---|---:|---:|---:|
| Home shows data, first open (installs the store) | ${median(first).toFixed(0)} ms | ${Math.min(...first).toFixed(0)} ms | ${Math.max(...first).toFixed(0)} ms |
| Home shows data, installed store | ${median(again).toFixed(0)} ms | ${Math.min(...again).toFixed(0)} ms | ${Math.max(...again).toFixed(0)} ms |
| The admin's own JavaScript and CSS, gzipped (budget 61,440 B) | ${Number(size).toLocaleString("en")} B | | |

From the navigation to the simulated admin page until the setup guide is on screen: the admin page, the
framed document (with the token exchange on a first open), App Bridge and Polaris stand-ins from the
simulator, the app's script, and \`GET /api/setup\`.
<!-- admin-benchmark:end -->`;
const path = `${ROOT}docs/benchmarks.md`;
const text = readFileSync(path, "utf8");
const pattern = /<!-- admin-benchmark:begin -->[\s\S]*<!-- admin-benchmark:end -->/;
writeFileSync(path, pattern.test(text) ? text.replace(pattern, section) : `${text.trimEnd()}\n\n## Embedded admin\n\n${section}\n`);
console.log(section);

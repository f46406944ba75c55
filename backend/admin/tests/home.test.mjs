// The merchant's first open: the simulated admin frames Seglink, whose document installs the
// store (token exchange, workspace, provisioning), and Home's setup guide follows the
// provisioning live until every step of it is done.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, test } from "node:test";
import { launch } from "./harness.mjs";

const SCREENSHOTS = new URL("../../../docs/admin/", import.meta.url).pathname;
let world;

before(async () => {
  world = await launch();
});

after(async () => {
  await world?.close();
});

test("a first open installs the store and the setup guide reaches done", async () => {
  await world.page.goto(world.adminUrl());
  const app = await world.app();
  const steps = ["webhooks", "web_pixel", "metafield_definitions", "discount", "backfill"];
  await app.waitForFunction(
    (steps) => steps.every((step) => document.querySelector(`[data-step="${step}"] s-badge`)?.textContent === "Done"),
    steps,
    { timeout: 30_000 },
  );
  const progress = await app.locator("s-paragraph").first().textContent();
  assert.match(progress, /^5 of 8 steps done$/, "a suggested segment is not a saved one");
  assert.equal(await app.locator('[data-step="segment"] s-badge').textContent(), "To do");
  mkdirSync(SCREENSHOTS, { recursive: true });
  await world.page.screenshot({ path: `${SCREENSHOTS}home.png` });
});

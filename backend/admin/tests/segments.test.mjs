// The merchant builds a segment with an attribute and a behavioural condition, sees the live
// count, meets an error at the field it is about, saves, and finds the segment with its members.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, test } from "node:test";
import { launch } from "./harness.mjs";

const SCREENSHOTS = new URL("../../../docs/admin/", import.meta.url).pathname;
let world;

before(async () => {
  world = await launch();
  // The 90 days of history are in before anything is counted.
  await world.page.goto(world.adminUrl());
  const home = await world.app();
  await home.waitForFunction(
    () => document.querySelector('[data-step="backfill"] s-badge')?.textContent === "Done",
    null,
    { timeout: 30_000 },
  );
});

after(async () => {
  await world?.close();
});

test("a segment is built from an attribute and a behaviour, counted live, and saved", async () => {
  await world.page.goto(world.adminUrl("/segments/new"));
  const app = await world.app();
  await app.getByLabel("Name", { exact: true }).fill("Engaged buyers");
  await app.getByLabel("Amount (shop currency)").fill("1");

  await app.getByRole("button", { name: "Add condition" }).click();
  const second = app.locator('[data-path="/rules/all/1"]');
  await second.getByLabel("Condition", { exact: true }).selectOption("did");
  await second.getByLabel("Event", { exact: true }).selectOption("purchase");
  await second.getByLabel("Days", { exact: true }).fill("0");
  // The server names the bad field; the builder shows its words there.
  const error = second.getByText("must be a whole number from 1 to 3650");
  await error.waitFor();
  await second.getByLabel("Days", { exact: true }).fill("90");
  await error.waitFor({ state: "detached" });

  const count = app.locator("[data-live-count]");
  await app.waitForFunction(() => /^\d[\d,]* customers match now$/.test(document.querySelector("[data-live-count]")?.textContent ?? ""));
  const matching = Number((await count.textContent()).replace(/\D/g, ""));
  assert.ok(matching > 0, `buyers who spent something match: ${matching}`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await world.page.setViewportSize({ width: 1280, height: 1900 });
  await world.page.screenshot({ path: `${SCREENSHOTS}segment-builder.png` });
  await world.page.setViewportSize({ width: 1280, height: 900 });

  await app.getByRole("button", { name: "Save segment" }).click();
  const row = app.locator('s-table-row[data-segment="engaged-buyers"]');
  await row.waitFor();
  const members = Number((await row.locator("s-table-cell").nth(1).textContent()).replace(/\D/g, ""));
  assert.equal(members, matching, "saved with the members the preview counted");
});

// A store larger than Seglink evaluates inside a request (here the limit is set to 5 customers,
// the shop has 20): the builder's count says it is an estimate, a saved segment shows its
// evaluation under way on the list and its page, and once a worker has run it the page shows the
// members. The app runs without workers between the save and the evaluation, so the page is seen
// while the evaluation waits, not raced.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { accessibilityViolations, eventually, launch, untilBackfilled, waitOrExplain } from "./harness.mjs";

let world;

before(async () => {
  world = await launch({ env: { SEGLINK_INLINE_EVALUATION_CUSTOMERS: "5" } });
  await untilBackfilled(world);
});

after(async () => {
  await world?.close();
});

test("a segment saved in a large store is estimated, evaluated in the background with its progress shown, then lists its members", async () => {
  await world.restartApp({ SEGLINK_WORKERS: "0" });
  await world.page.goto(world.adminUrl("/segments/new"));
  let app = await world.app();
  await app.getByLabel("Name", { exact: true }).fill("Big spenders");
  await app.getByLabel("Amount (shop currency)").fill("1");
  await app.waitForFunction(() =>
    /^About \d[\d,]* customers match now \(estimated from \d+ customers/.test(document.querySelector("[data-live-count]")?.textContent ?? ""),
  );

  await app.getByRole("button", { name: "Save segment" }).click();
  const row = app.locator('s-table-row[data-segment="big-spenders"]');
  await waitOrExplain(world, row);
  assert.equal(await row.locator("[data-evaluating] s-text").textContent(), "Evaluating: 0 of 20 customers");

  await row.getByRole("link", { name: "Big spenders" }).click();
  await app.locator("[data-evaluating]").waitFor();
  assert.deepEqual(await accessibilityViolations(app), [], "no serious or critical accessibility violation");
  await world.screenshot("segment-evaluating", 1000);

  // Workers again: the queued evaluation runs, and the page (opened afresh) shows the members.
  await world.restartApp();
  const counted = await eventually(async () => {
    const answer = await fetch(`${world.appUrl}/api/segments/big-spenders`, {
      headers: { Authorization: `Bearer ${world.sessionToken()}` },
    });
    const segment = await answer.json();
    return segment.evaluation === null && segment;
  });
  assert.ok(counted.member_count > 0, `spenders found: ${JSON.stringify(counted)}`);
  await world.page.goto(world.adminUrl("/segments/big-spenders"));
  app = await world.app();
  await app.locator("[data-summary]").waitFor();
  assert.match(await app.locator("[data-summary]").textContent(), new RegExp(`^${counted.member_count} members`));
  assert.equal(await app.locator("s-table-row[data-member]").count(), counted.member_count);
});

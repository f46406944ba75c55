// Billing as a merchant meets it: the plan Shopify says (Growth, on its trial), usage against the
// limits, and a change of plan made on Shopify's own plan page, after which the app shows the
// plan it reads back from Shopify.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { accessibilityViolations, screenshotPath, untilBackfilled, worldFor } from "./harness.mjs";

const world = worldFor({ before, after }, { webhooks: true, plan: "growth" });

test("billing: the plan and usage show, and a new plan is chosen and confirmed on Shopify", async () => {
  await untilBackfilled(world);
  await world.page.goto(world.adminUrl("/billing"));
  let app = await world.app();
  await app.locator("[data-plan-name]", { hasText: "Growth" }).waitFor();
  await app.getByText(/^Trial until /).waitFor();
  await app.locator("[data-limit=customers]", { hasText: "50,000" }).getByText("20", { exact: true }).waitFor();
  assert.equal(await app.locator("[data-plan=growth]").getByText("Current").count(), 1);
  assert.deepEqual(await accessibilityViolations(app), [], "no serious or critical accessibility violation");
  await world.screenshot("billing", 900);

  // Shopify's plan page opens at the top of the admin, not in the app's frame.
  await app.getByRole("button", { name: "Change plan" }).click();
  await world.page.waitForURL(/\/charges\/seglink\/pricing_plans$/);
  await world.page.getByRole("heading", { name: "Choose a plan" }).waitFor();
  await world.page.screenshot({ path: screenshotPath("plan-page") });
  await world.page.getByRole("link", { name: "Choose Scale" }).click();
  await world.page.getByText("$99.00 every 30 days, 30-day free trial").waitFor();
  await world.page.getByRole("button", { name: "Approve" }).click();

  // Back at the app's welcome link: the plan is what Shopify says now.
  await world.page.waitForURL(/\/apps\/[^/]+\/billing$/);
  app = await world.app();
  await app.locator("[data-plan-name]", { hasText: "Scale" }).waitFor();
  assert.equal(await app.locator("[data-plan=scale]").getByText("Current").count(), 1);
});

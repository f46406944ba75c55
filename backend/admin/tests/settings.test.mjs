// Settings as a merchant uses them: the storefront key, the ingestion policy saved with the save
// bar (a bad value refused at its field, the saved one there after a reload), a connect link made
// for one store and revoked, and the privacy requests' empty state.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { accessibilityViolations, screenshotPath, worldFor } from "./harness.mjs";

const world = worldFor({ before, after });

test("settings: the policy is saved with its errors at the field, and a connect link is made and revoked", async () => {
  await world.page.goto(world.adminUrl("/settings"));
  let app = await world.app();
  await app.getByText(/public key pk_/).waitFor();

  const channels = app.getByLabel("Leave out orders from these channels", { exact: true });
  const delay = app.getByLabel("Hold new orders for post-purchase upsells (minutes)", { exact: true });
  await channels.fill("pos");
  await delay.fill("5000");
  assert.equal(await app.evaluate(() => document.documentElement.dataset.saveBar), "policy", "the save bar shows");
  // The save bar App Bridge draws in the admin's top bar saves the form.
  const saveBar = app.locator("#shopify-sim-save-bar");
  await saveBar.getByRole("button", { name: "Save" }).click();
  await app.getByText("must be from 0 to 1440 minutes").waitFor();
  await delay.fill("30");
  await saveBar.getByRole("button", { name: "Save" }).click();
  await app.locator(".shopify-sim-toast", { hasText: "Ingestion policy saved" }).waitFor();
  assert.equal(await app.evaluate(() => document.documentElement.dataset.saveBar), "", "and hides once saved");
  assert.equal(await saveBar.count(), 0);

  await world.page.goto(world.adminUrl("/settings"));
  app = await world.app();
  await app.getByLabel("Leave out orders from these channels", { exact: true }).waitFor();
  await app.waitForFunction(() => document.querySelector("s-number-field")?.value === "30");
  assert.equal(await app.getByLabel("Leave out orders from these channels", { exact: true }).inputValue(), "pos");

  await app.getByLabel("Store domain", { exact: true }).fill("other-store.myshopify.com");
  await app.getByRole("button", { name: "Make a connect link" }).click();
  const url = await app.locator("[data-connect-url]").textContent();
  assert.match(url, /\/connect#token=clt_/);
  const link = app.locator("[data-link]");
  await link.getByRole("button", { name: "Revoke" }).click();
  await link.getByText("Revoked").waitFor();
  await app.getByText("None so far.").waitFor();

  assert.deepEqual(await accessibilityViolations(app), [], "no serious or critical accessibility violation");
  await world.page.setViewportSize({ width: 1280, height: 1500 });
  await world.page.screenshot({ path: screenshotPath("settings") });
  await world.page.setViewportSize({ width: 1280, height: 900 });

  // The way to the page a connect link lands on, within the app.
  await app.getByRole("link", { name: "Join a workspace" }).click();
  await app.getByLabel("Connect link", { exact: true }).fill(url);
  await app.getByRole("button", { name: "Move this store" }).click();
  await app.getByText("the connect link was revoked").waitFor();
  assert.deepEqual(await accessibilityViolations(app), [], "no serious or critical accessibility violation");
  await world.page.screenshot({ path: screenshotPath("connect") });
});

// Settings as a merchant uses them: the storefront key, the ingestion policy saved with the save
// bar (a bad value refused at its field, the saved one there after a reload), a connect link made
// for one store and revoked, and the privacy requests' empty state.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { accessibilityViolations, worldFor } from "./harness.mjs";

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
  await world.screenshot("settings", 2300);

  // A custom app's token is checked with Shopify before anything is kept; errors land at their field.
  await app.getByLabel("Custom app's store", { exact: true }).fill("not-a-store.example.com");
  await app.getByLabel("Admin API access token", { exact: true }).fill("shpat_pasted");
  await app.getByLabel("API secret key", { exact: true }).fill("secret");
  await app.getByRole("button", { name: "Connect the store" }).click();
  await app.getByText(/myshopify\.com/).first().waitFor();
  await app.getByLabel("Custom app's store", { exact: true }).fill(world.shop);
  await app.getByRole("button", { name: "Connect the store" }).click();
  await app.getByText(`Shopify does not accept this token for ${world.shop}`).waitFor();
  assert.equal(await app.locator("[data-custom-store]").count(), 0, "nothing connected");

  // Data retention: a bad value at its field, then kept.
  const retention = app.getByLabel("Keep storefront events (days)", { exact: true });
  await retention.fill("7");
  await app.getByRole("button", { name: "Save retention" }).click();
  await app.getByText("must be from 30 to 3650 days").waitFor();
  await retention.fill("90");
  await app.getByRole("button", { name: "Save retention" }).click();
  await app.locator(".shopify-sim-toast", { hasText: "Storefront events are kept 90 days" }).waitFor();

  // The server key: rotated by the owner store, shown once.
  await app.getByRole("button", { name: "Rotate the server key" }).click();
  await app.getByRole("button", { name: "Rotate now" }).click();
  const key = app.locator("[data-server-key]");
  await key.waitFor();
  assert.match(await key.textContent(), /^sk_[A-Za-z0-9_-]{32}$/);
  await app.locator(".shopify-sim-toast", { hasText: "Server key rotated" }).waitFor();
  assert.deepEqual(await accessibilityViolations(app), [], "no serious or critical accessibility violation");

  // The way to the page a connect link lands on, within the app.
  await app.getByRole("link", { name: "Join a workspace" }).click();
  await app.getByLabel("Connect link", { exact: true }).fill(url);
  await app.getByRole("button", { name: "Move this store" }).click();
  await app.getByText("the connect link was revoked").waitFor();
  assert.deepEqual(await accessibilityViolations(app), [], "no serious or critical accessibility violation");
  await world.screenshot("connect");
});

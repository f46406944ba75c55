// The merchant's first open: the simulated admin frames Seglink, whose document installs the
// store (token exchange, workspace, provisioning), and Home's setup guide follows the
// provisioning live until every step of it is done; then the suggested segment is kept with one
// click and the Segments page lists it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { SCOPES, accessibilityViolations, eventually, worldFor } from "./harness.mjs";

const world = worldFor({ before, after });

test("a first open installs the store and the setup guide reaches done", async () => {
  await world.page.goto(world.adminUrl());
  const app = await world.app();
  const steps = ["webhooks", "web_pixel", "metafield_definitions", "discount", "backfill"];
  await app.waitForFunction(
    (steps) => steps.every((step) => document.querySelector(`[data-step="${step}"] s-badge`)?.textContent === "Done"),
    steps,
    { timeout: 30_000 },
  );
  const progress = await app.locator("[data-progress]").textContent();
  assert.match(progress, /^5 of 8 steps done$/, "a suggested segment is not a saved one");
  assert.equal(await app.locator('[data-step="segment"] s-badge').textContent(), "To do");
  assert.deepEqual(await accessibilityViolations(app), [], "no serious or critical accessibility violation");

  // Sync health counts what the backfill read (the harness seeds 20 customers and 6 products).
  await world.page.goto(world.adminUrl());
  const again = await world.app();
  const counts = again.locator("[data-counts]");
  await counts.waitFor();
  assert.match(await counts.textContent(), /^20 customers, \d+ orders and 6 products in Seglink\. Last storefront event: never\.$/);
  assert.deepEqual(await accessibilityViolations(again), [], "no serious or critical accessibility violation");
  await world.screenshot("home");
});

test("the suggested segment is kept with one click and listed with its members", async () => {
  await world.page.goto(world.adminUrl());
  const home = await world.app();
  const keepIt = home.locator("s-button", { hasText: "Keep it" });
  await keepIt.waitFor({ timeout: 30_000 });
  await keepIt.click();
  const toast = home.locator("#shopify-sim-toasts .shopify-sim-toast");
  await toast.waitFor();
  assert.match(await toast.textContent(), /^Kept “.+”: its tags are on their way to Shopify$/);
  await home.locator("text=is yours now").waitFor();

  await world.page.goto(world.adminUrl("/segments"));
  const segments = await world.app();
  const row = segments.locator("s-table-row[data-segment]");
  await row.first().waitFor();
  assert.equal(await row.count(), 1);
  assert.equal(await row.locator("s-badge", { hasText: "Suggested" }).count(), 0, "kept, no longer a suggestion");
  const members = Number((await row.locator("s-table-cell").nth(1).textContent()).replace(/\D/g, ""));
  assert.ok(members > 0, "the kept segment has members");
  assert.match(await row.locator("s-table-cell").nth(2).textContent(), /^seglink:/);
  await world.screenshot("segments");
  assert.deepEqual(await accessibilityViolations(segments), [], "no serious or critical accessibility violation");
});

test("the pixel page shows the pixel connected, the events it sent, and reconnects it", async () => {
  await world.page.goto(world.adminUrl("/pixel"));
  let app = await world.app();
  await app.locator("[data-pixel-state]", { hasText: "Connected" }).waitFor();
  await app.getByText("None yet.").waitFor();

  // A visitor browses: the storefront pixel posts as it does from Shopify's sandbox.
  const { workspace } = await app.evaluate(async () => (await fetch("/api/session")).json());
  const now = new Date().toISOString();
  const events = ["page_view", "product_view"].map((kind, index) => ({
    kind, id: `visit-${index}`, occurred_at: now, client_id: "visitor-1", url: "https://shop.example/products/mug",
    ...(kind === "product_view" ? { product_id: "1" } : {}),
  }));
  const sent = await fetch(`${world.appUrl}/v1/pixel/events`, {
    method: "POST",
    headers: { "Content-Type": "text/plain" },
    body: JSON.stringify({ key: workspace.public_key, shop: world.shop, normalized: true, events }),
  });
  assert.deepEqual(await sent.json(), { accepted: 2, rejected: 0 });

  await world.page.goto(world.adminUrl("/pixel"));
  app = await world.app();
  const rows = app.locator("s-table-row");
  await rows.first().waitFor();
  assert.equal(await rows.count(), 2);
  assert.equal(await rows.first().locator("s-table-cell").first().textContent(), "product view");
  assert.equal(await rows.first().locator("s-table-cell").nth(2).textContent(), "Anonymous");
  assert.deepEqual(await accessibilityViolations(app), [], "no serious or critical accessibility violation");
  await world.screenshot("pixel", 1700);

  await app.getByRole("button", { name: "Reconnect" }).click();
  await app.locator(".shopify-sim-toast", { hasText: "Reconnecting the pixel" }).waitFor();
  await world.page.goto(world.adminUrl("/pixel"));
  app = await world.app();
  await app.locator("[data-pixel-state]", { hasText: "Connected" }).waitFor({ timeout: 30_000 });

  // The merchant keeps page views out and tracks half the visitors; the pixel on Shopify gets it.
  const percent = app.getByLabel("Visitors tracked (percent)", { exact: true });
  await percent.fill("0");
  const saveBar = app.locator("#shopify-sim-save-bar");
  await saveBar.getByRole("button", { name: "Save" }).click();
  await app.getByText("must be a whole number from 1 to 100").waitFor();
  await percent.fill("50");
  await app.getByLabel("Page viewed", { exact: true }).uncheck();
  await saveBar.getByRole("button", { name: "Save" }).click();
  await app.locator(".shopify-sim-toast", { hasText: "Pixel settings saved" }).waitFor();
  const settings = await eventually(async () => {
    const answer = await world.shopify("{ webPixel { settings } }");
    const written = JSON.parse(answer.data.webPixel.settings);
    return written.samplingRate === "0.5" ? written : null;
  });
  const tracked = settings.trackedEvents.split(",");
  assert.equal(tracked.length, 11);
  assert.ok(!tracked.includes("page_viewed") && tracked.includes("product_viewed"), settings.trackedEvents);
  await world.page.goto(world.adminUrl("/pixel"));
  app = await world.app();
  await app.getByLabel("Page viewed", { exact: true }).waitFor();
  assert.equal(await app.getByLabel("Page viewed", { exact: true }).isChecked(), false, "kept after a reload");
  assert.deepEqual(await accessibilityViolations(app), [], "no serious or critical accessibility violation");
});

test("a scope the store took back is named on Home, with the way to approve it", async () => {
  const all = SCOPES.split(",");
  await world.webhook("app/scopes_update", { id: 1, previous: all, current: all.filter((scope) => scope !== "read_customer_events") });
  // A worker processes the delivery in its own time: open Home until the banner is there.
  const home = await eventually(async () => {
    await world.page.goto(world.adminUrl());
    const app = await world.app();
    const shown = await app.locator("[data-missing-scopes]").waitFor({ timeout: 2_000 }).then(() => true, () => false);
    return shown ? app : null;
  });
  const banner = home.locator("[data-missing-scopes]");
  assert.match(await banner.textContent(), /Not granted yet: read_customer_events\./);
  assert.deepEqual(await accessibilityViolations(home), [], "no serious or critical accessibility violation");
  await home.getByRole("button", { name: "Review access" }).click();
  await home.locator(".shopify-sim-toast", { hasText: "Access approved" }).waitFor();
  await banner.waitFor({ state: "detached" });
});

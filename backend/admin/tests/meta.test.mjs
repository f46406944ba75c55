// Meta forwarding as a merchant sets it up in Settings: a bad pixel id refused at its field, the
// token saved and never shown again, and the storefront's consented events counted as sent once
// the simulator's stand-in for the Conversions API has them.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { META_PIXEL, META_TOKEN, accessibilityViolations, eventually, screenshotPath, untilBackfilled, worldFor } from "./harness.mjs";

const world = worldFor({ before, after });

test("meta: settings are checked at their field, the token is sealed, and consented events are sent", async () => {
  await untilBackfilled(world);
  await world.page.goto(world.adminUrl("/settings"));
  let app = await world.app();
  const section = app.locator("[data-meta-settings]");
  await section.getByLabel("Meta pixel (dataset) id", { exact: true }).fill("12ab");
  await section.getByLabel("Conversions API access token", { exact: true }).fill(META_TOKEN);
  await section.getByLabel("Forward events to Meta", { exact: true }).check();
  await section.getByRole("button", { name: "Save Meta settings" }).click();
  await section.getByText("must be the Meta pixel's id: up to 20 digits").waitFor();
  await section.getByLabel("Meta pixel (dataset) id", { exact: true }).fill(META_PIXEL);
  await section.getByRole("button", { name: "Save Meta settings" }).click();
  await app.locator(".shopify-sim-toast", { hasText: "Meta forwarding is on" }).waitFor();
  assert.equal(await section.getByLabel("Conversions API access token", { exact: true }).inputValue(), "", "never shown again");
  await section.getByText(/Saved and sealed/).waitFor();

  // The pixel now reads Meta's browser ids; a shopper who allowed marketing views a product.
  const settings = await eventually(async () => {
    const pixel = (await world.shopify("{ webPixel { settings } }")).data?.webPixel;
    return pixel && JSON.parse(pixel.settings).metaPixelId === META_PIXEL && JSON.parse(pixel.settings);
  });
  const event = {
    kind: "product_view", id: "sh-meta-1", occurred_at: new Date().toISOString(), client_id: "c-meta",
    url: `https://${world.shop}/products/mug`, product_id: "7", value: { amount: "19.90", currency: "USD" },
  };
  const body = { key: settings.publicKey, shop: world.shop, normalized: true, events: [event], marketing: true, fbp: "fb.1.1.2" };
  const sent = await fetch(settings.apiEndpoint.replace(/^https?:\/\/[^/]+/, world.appUrl), {
    method: "POST", headers: { "Content-Type": "text/plain", "User-Agent": "Mozilla/5.0 (test)" }, body: JSON.stringify(body),
  });
  assert.equal(sent.status, 200);

  await eventually(async () => {
    await world.page.goto(world.adminUrl("/settings"));
    app = await world.app();
    return (await app.locator("[data-meta-health]").textContent())?.includes("1 sent");
  });
  const meta = app.locator("[data-meta-settings]");
  assert.deepEqual(await accessibilityViolations(app), [], "no serious or critical accessibility violation");
  await meta.scrollIntoViewIfNeeded();
  await meta.screenshot({ path: screenshotPath("settings-meta") });
});

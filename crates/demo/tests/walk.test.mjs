// The guided walk of docs/demo.md in Chromium, on `seglink-demo` as scripts/demo.sh starts it
// (the default shop; free ports, a fresh data folder, no browser opened): the merchant keeps the
// suggested segment, builds a behavioural one and adds "VIP 15%"; a member shops on the
// storefront with the real pixel and gets 15% at checkout; a guest gets nothing; a customer who
// is not a member browses, adds to the cart and buys, and once the verified order has linked
// their browser their add-to-cart puts them in the behavioural segment, whose tag Shopify shows.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { accessibilityViolations, eventually, screenshotPath } from "../../../backend/admin/tests/harness.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const TARGET = process.env.CARGO_TARGET_DIR ?? join(ROOT, "target");

/// Starts the demo and resolves with its URL once it has printed it, and Seglink's in the admin.
/// `SEGLINK_DEMO` names another build of the binary (the release one `scripts/demo.sh` runs).
function startDemo(data) {
  const child = spawn(process.env.SEGLINK_DEMO ?? join(TARGET, "debug", "seglink-demo"), ["--port", "0", "--app-port", "0", "--no-open", "--fresh", "--data", data], {
    env: { PATH: process.env.PATH },
  });
  let output = "";
  let errors = "";
  child.stderr.on("data", (chunk) => { errors += chunk; });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const started = new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const landing = /Seglink demo: open (\S+)\n/.exec(output);
      // The guide's first link: Seglink in the simulated admin of the seeded shop.
      if (landing) resolve({ landing: landing[1], admin: `${landing[1]}store/seglink-demo-1/apps/seglink-demo` });
    });
    child.on("exit", (code) => reject(new Error(`seglink-demo exited with ${code}:\n${output}\n${errors}`)));
  });
  return {
    started,
    logs: () => errors.slice(-4000),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      return exited;
    },
  };
}

let demo;
let urls;
let browser;
let data;

before(async () => {
  data = mkdtempSync(join(tmpdir(), "seglink-walk-"));
  demo = startDemo(data);
  urls = await demo.started;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
});

after(async () => {
  await browser?.close();
  await demo?.stop();
  rmSync(data, { recursive: true, force: true });
});

async function shot(page, name) {
  await page.screenshot({ path: screenshotPath(name, "demo") });
}

/// Seglink's frame in the simulated admin, once its page has rendered.
async function seglink(page) {
  const element = await page.waitForSelector("#app-iframe");
  const frame = await element.contentFrame();
  await frame.waitForSelector("#app s-page", { state: "attached" });
  return frame;
}

/// The customers the simulated admin finds for `query` (a tag, an email), as rows of cells.
async function adminCustomers(page, store, query) {
  await page.goto(`${store}/customers?q=${encodeURIComponent(query)}`);
  return page.locator("main tbody tr").evaluateAll((rows) => rows.map((row) => [...row.cells].map((cell) => cell.textContent)));
}

/// Waits until the pixel's log holds `count` requests, each answered 200 by Seglink.
async function pixelSent(page, count) {
  const log = page.locator("[data-pixel-log] li");
  await page.waitForFunction((wanted) => document.querySelectorAll("[data-pixel-log] li").length >= wanted, count, { timeout: 15_000 });
  for (const line of await log.allTextContents()) assert.match(line, /\/v1\/pixel\/events: 200 \{"accepted":\d+,"rejected":0\}/);
}

/// A shopper in a browser of their own: accepts analytics, signs in as the customer `email`
/// finds (none: a guest), views the first product and adds it to the cart.
async function shopper(storefront, email) {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(storefront);
  await page.getByRole("button", { name: "Accept" }).click();
  await page.getByText("The pixel is running; analytics allowed.").waitFor();
  if (email) {
    await page.goto(`${storefront}/account?q=${encodeURIComponent(email)}`);
    await page.getByRole("button", { name: /^Sign in as / }).first().click();
    await page.getByRole("link", { name: /^Signed in as / }).waitFor();
  }
  await page.locator("ul.grid a").first().click();
  await pixelSent(page, 1);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await page.getByText("Added to your cart.").waitFor();
  await pixelSent(page, 2);
  return page;
}

function cents(text) {
  const [whole, fraction] = /(\d+)\.(\d\d)/.exec(text).slice(1);
  return Number(whole) * 100 + Number(fraction);
}

test("the guided walk: segment, tag, discount at checkout, a guest without, browsing that becomes membership", { timeout: 240_000 }, async () => {
  const merchant = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const store = urls.admin.split("/apps/")[0];
  const storefront = store.replace("/store/", "/storefront/");

  // The guide: five steps, each with its links.
  await merchant.goto(urls.landing);
  assert.equal(await merchant.locator("main ol > li").count(), 5);
  await shot(merchant, "guide");

  // 1–2. Seglink's Home: the install is done, the history read; keep the suggested segment.
  await merchant.getByRole("link", { name: "Open Seglink" }).click();
  let app = await seglink(merchant);
  await app.waitForFunction(() => document.querySelector('[data-step="backfill"] s-badge')?.textContent === "Done", null, { timeout: 60_000 });
  await app.getByRole("button", { name: "Keep it" }).click();
  await app.getByText(/is yours now/).waitFor();
  await shot(merchant, "seglink-home");
  const members = await eventually(async () => {
    const rows = await adminCustomers(merchant, store, "seglink:top-spenders");
    return rows.length > 0 && rows;
  }, 60);
  await shot(merchant, "customers-tagged");
  const memberEmail = members[0][2];

  // A behavioural segment: shoppers who added to the cart this week.
  await merchant.goto(`${urls.admin}/segments/new`);
  app = await seglink(merchant);
  await app.getByLabel("Name", { exact: true }).fill("Cart builders");
  const condition = app.locator('[data-path="/rules/all/0"]');
  await condition.getByLabel("Condition", { exact: true }).selectOption("did");
  await condition.getByLabel("Event", { exact: true }).selectOption("add_to_cart");
  await condition.getByLabel("Days", { exact: true }).fill("7");
  await app.getByRole("button", { name: "Save segment" }).click();
  await app.locator('s-table-row[data-segment="cart-builders"]').waitFor();

  // 3. "VIP 15%" for the kept segment.
  await merchant.goto(`${urls.admin}/discounts`);
  app = await seglink(merchant);
  await app.getByLabel("Segment", { exact: true }).selectOption("top-spenders");
  await app.getByLabel("Title the buyer sees", { exact: true }).fill("VIP 15%");
  await app.getByLabel("Discount", { exact: true }).selectOption("orderPercentage");
  await app.getByLabel("Percentage", { exact: true }).fill("15");
  await app.getByRole("button", { name: "Add rule" }).click();
  await app.getByText("VIP 15%").first().waitFor();
  await shot(merchant, "seglink-discounts");

  // 4. A member shops: the real pixel sends what they do; the Function gives 15%.
  const member = await shopper(storefront, memberEmail);
  await shot(member, "storefront-product");
  assert.deepEqual(await accessibilityViolations(member), [], "the storefront page is accessible");
  await member.goto(`${storefront}/checkout`);
  await member.locator("[data-discount]").waitFor();
  assert.match(await member.locator("[data-discount]").textContent(), /^VIP 15%: −\d+\.\d\d on the order$/);
  const subtotal = cents(await member.getByText(/^Subtotal /).textContent());
  const total = cents(await member.locator("[data-total]").textContent());
  assert.equal(total, subtotal - Math.round(subtotal * 0.15), "15% off, to the cent");
  assert.match(await member.locator("[data-runner]").textContent(), /segment-discount/);
  await shot(member, "checkout-member");
  await member.getByRole("button", { name: "Pay now" }).click();
  await member.locator("[data-order]").waitFor();
  await pixelSent(member, 1);
  await shot(member, "thank-you");

  // 5. A guest gets nothing.
  await member.goto(`${storefront}/account`);
  await member.getByRole("button", { name: "Sign out" }).click();
  const guest = await shopper(storefront, null);
  await guest.goto(`${storefront}/checkout`);
  await guest.locator("[data-no-discount]").waitFor();
  assert.equal(cents(await guest.locator("[data-total]").textContent()), cents(await guest.getByText(/^Subtotal /).textContent()));
  await shot(guest, "checkout-guest");

  // A customer outside every segment browses and buys; the verified order ties their browser to
  // them, and their add-to-cart makes them a cart builder.
  const outsiders = await adminCustomers(merchant, store, "@");
  const outsider = outsiders.find((cells) => cells[3] === "");
  assert.ok(outsider, "a customer without tags");
  const browsing = await shopper(storefront, outsider[2]);
  await browsing.goto(`${storefront}/checkout`);
  await browsing.locator("[data-no-discount]").waitFor();
  await browsing.getByRole("button", { name: "Pay now" }).click();
  await browsing.locator("[data-order]").waitFor();
  await pixelSent(browsing, 1);
  const tagged = await eventually(async () => {
    const rows = await adminCustomers(merchant, store, outsider[2]);
    return rows[0]?.[3].includes("seglink:cart-builders") && rows;
  }, 60).catch((error) => {
    throw new Error(`${error.message}\n--- seglink-demo ---\n${demo.logs()}`);
  });
  assert.ok(tagged[0][3].includes("seglink:cart-builders"));
  await shot(merchant, "customers-behaviour");

  // Seglink answered every order webhook.
  await merchant.goto(`${store}/webhooks`);
  const answers = await merchant.locator("main tbody tr").evaluateAll((rows) => rows.map((row) => row.textContent));
  assert.ok(answers.some((row) => row.includes("orders/paid") && row.includes("200")), answers.join("\n"));
  await shot(merchant, "webhooks");
});

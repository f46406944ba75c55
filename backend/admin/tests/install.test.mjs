// Installing, uninstalling and installing again, as a merchant meets them: the document's CSP for
// the verified store; an uninstall in Shopify's admin, after which the next open provisions the
// store again (pixel, discount, the rules it had); and another store's session, which never
// reaches this store's data, through the document or the API.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { eventually, worldFor } from "./harness.mjs";

const world = worldFor({ before, after }, { webhooks: true });
const STEPS = ["webhooks", "web_pixel", "metafield_definitions", "discount", "backfill"];

async function installed() {
  await world.page.goto(world.adminUrl());
  const app = await world.app();
  await app.waitForFunction(
    (steps) => steps.every((step) => ["Done", "Skipped"].includes(document.querySelector(`[data-step="${step}"] s-badge`)?.textContent ?? "")),
    STEPS,
    { timeout: 30_000 },
  );
  return app;
}

test("the document's CSP lets only the verified store's admin frame it, and nobody without a launch", async () => {
  const documents = [];
  world.page.on("response", (response) => {
    if (response.url().startsWith(world.appUrl) && response.request().resourceType() === "document") documents.push(response);
  });
  await installed();
  const framed = documents.find((response) => new URL(response.url()).searchParams.has("id_token"));
  assert.ok(framed, "the admin framed the app with its launch query");
  const csp = (await framed.allHeaders())["content-security-policy"];
  assert.equal(csp, `frame-ancestors https://${world.shop} https://admin.shopify.com ${world.simOrigin};`);

  const bare = await fetch(`${world.appUrl}/segments`);
  assert.equal(bare.headers.get("content-security-policy"), "frame-ancestors 'none';");
  // An unverified launch gets no document: it is sent to the bounce page, which holds App Bridge
  // alone (no data, no app code) for the store it claims, to come back with a real token.
  const forged = await fetch(`${world.appUrl}/?shop=${world.shop}&id_token=not-a-token&embedded=1`, { redirect: "manual" });
  assert.equal(forged.status, 303);
  assert.match(forged.headers.get("location"), /^\/auth\/session-token\?/);
  const bounce = await (await fetch(new URL(forged.headers.get("location"), world.appUrl))).text();
  assert.ok(!bounce.includes("/assets/") && bounce.includes("app-bridge.js"), bounce);
});

test("after an uninstall in Shopify's admin, the next open provisions the store again with its rules", async () => {
  let app = await installed();
  const segment = { name: "Everyone who ordered", rules: { if: "orders_count", op: ">=", value: 1 } };
  const created = await app.evaluate(async (body) => (await fetch("/api/segments", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })).status, segment);
  assert.equal(created, 201);
  const rule = { segment: "everyone-who-ordered", title: "Thanks: 5% off", value: { percentage: "5" }, target: { type: "orderSubtotal" } };
  const added = await app.evaluate(async (body) => (await fetch("/api/discount-rules", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })).json(), rule);
  const firstDiscount = added.sync.discount_id;
  assert.ok(firstDiscount, JSON.stringify(added));

  await world.uninstall();
  // Shopify removed the pixel and the discount; Seglink hears of it by webhook, in its own time.
  const gone = await world.shopify("{ webPixel { id } }");
  assert.ok(gone.errors || gone.data?.webPixel === null, JSON.stringify(gone));
  await eventually(async () => {
    const answer = await fetch(`${world.appUrl}/api/setup`, { headers: { Authorization: `Bearer ${world.sessionToken()}` } });
    const setup = await answer.json();
    return setup.steps?.find((step) => step.step === "web_pixel")?.state !== "done";
  });

  // The merchant installs again and opens Seglink: the setup guide runs again to done.
  app = await installed();
  const pixel = await eventually(async () => (await world.shopify("{ webPixel { id settings } }")).data?.webPixel);
  assert.match(JSON.parse(pixel.settings).publicKey, /^pk_/);
  const rules = await app.evaluate(async () => (await fetch("/api/discount-rules")).json());
  const secondDiscount = rules.sync.discount_id;
  assert.ok(secondDiscount && secondDiscount !== firstDiscount, "a new discount node");
  const config = await eventually(async () => {
    const answer = await world.shopify(`{ discountNode(id: "${secondDiscount}") { metafield(namespace: "$app:seglink", key: "config") { value } } }`);
    return answer.data?.discountNode?.metafield?.value;
  });
  assert.match(config, /Thanks: 5% off/, "the rules the store had are on the new discount");
});

test("another store's session never reaches this store's data, through the document or the API", async () => {
  await installed();
  const other = "another-store.myshopify.com";
  const theirs = world.sessionToken(other);
  const mine = world.sessionToken();
  const get = async (path, token) => {
    const answer = await fetch(`${world.appUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    return { status: answer.status, body: await answer.json().catch(() => null) };
  };
  const own = await get("/api/segments", mine);
  assert.ok(own.body.segments.length > 0, "this store has segments");
  const slug = own.body.segments[0].slug;
  const { body: mySession } = await get("/api/session", mine);
  const secrets = [slug, "@example", mySession.workspace.public_key, world.shop];

  for (const path of ["/api/segments", `/api/segments/${slug}`, `/api/segments/${slug}/members`, "/api/discount-rules", "/api/customers?query=example", "/api/sync", "/api/pixel", "/api/privacy-requests", "/api/connect-links", "/api/connections", "/api/discount-rules/guest-misses"]) {
    const { status, body } = await get(path, theirs);
    const text = JSON.stringify(body);
    assert.ok(secrets.every((secret) => !text.includes(secret)), `${path} shows nothing of this store: ${status} ${text}`);
  }
  const { body: theirSegments } = await get("/api/segments", theirs);
  assert.deepEqual(theirSegments?.segments ?? [], [], "an empty list, not this store's");

  // The other store's document is framed by its own admin only, and its launch does not install
  // it here: Shopify (the simulator) refuses the exchange for a store it does not serve.
  const launch = new URLSearchParams({ shop: other, host: Buffer.from(`admin.shopify.com/store/another-store`).toString("base64url"), embedded: "1", id_token: theirs });
  const document = await fetch(`${world.appUrl}/?${launch}`);
  assert.equal(document.headers.get("content-security-policy"), `frame-ancestors https://${other} https://admin.shopify.com ${world.simOrigin};`);
  const session = await get("/api/session", theirs);
  assert.ok(session.status >= 400, `${session.status} ${JSON.stringify(session.body)}`);
});

// The merchant's whole job in the browser: build a segment with an attribute and a behavioural
// condition, see the live count, meet an error at the field it is about, save, find the segment
// with its members, reward it with a discount on collections picked in the resource picker, and
// find in Shopify the members tagged and the rule in the discount's metafield.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { accessibilityViolations, eventually, launch, untilBackfilled, waitOrExplain } from "./harness.mjs";

let world;

before(async () => {
  world = await launch();
  await untilBackfilled(world);
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
  await world.screenshot("segment-builder", 1900);
  assert.deepEqual(await accessibilityViolations(app), [], "no serious or critical accessibility violation");

  await app.getByRole("button", { name: "Save segment" }).click();
  const row = app.locator('s-table-row[data-segment="engaged-buyers"]');
  await waitOrExplain(world, row);
  const members = Number((await row.locator("s-table-cell").nth(1).textContent()).replace(/\D/g, ""));
  assert.equal(members, matching, "saved with the members the preview counted");

  // Its page lists the members, and says why a customer who is not one is not.
  await row.getByRole("link", { name: "Engaged buyers" }).click();
  await app.locator("[data-summary]").waitFor();
  await app.locator("s-table-row[data-member]").first().waitFor();
  const listed = await app.locator("s-table-row[data-member]").evaluateAll((rows) => rows.map((row) => row.dataset.member));
  assert.equal(listed.length, members);
  const everyone = await app.evaluate(async () => (await (await fetch("/api/customers?query=example")).json()).customers);
  const outsider = everyone.find((customer) => !listed.includes(customer.customer_id));
  await app.getByLabel("Find a customer by email or name", { exact: true }).fill(outsider.email);
  await app.getByRole("button", { name: "Find" }).click();
  await app.getByRole("button", { name: "Explain" }).first().click();
  const explanation = app.locator("[data-explanation]");
  await explanation.waitFor();
  assert.match(await explanation.locator("s-heading").textContent(), /is not in this segment$/);
  assert.ok((await explanation.locator("s-badge", { hasText: "Fails" }).count()) > 0, "the failing condition is named");
  assert.deepEqual(await accessibilityViolations(app), [], "no serious or critical accessibility violation");
  await world.screenshot("segment", 1600);
});

test("a saved segment is edited: its rules load into the builder, with sample members, and save through the save bar", async () => {
  await world.page.goto(world.adminUrl("/segments/engaged-buyers"));
  let app = await world.app();
  await app.getByRole("link", { name: "Edit the rules" }).click();
  await app.getByRole("heading", { name: "Edit segment", level: 1 }).waitFor();
  const name = app.getByLabel("Name", { exact: true });
  await app.waitForFunction(() => document.querySelector("s-text-field")?.value === "Engaged buyers");
  assert.equal(await app.getByLabel("Amount (shop currency)").inputValue(), "1", "the stored cents read as the amount typed");
  const second = app.locator('[data-path="/rules/all/1"]');
  assert.equal(await second.getByLabel("Days", { exact: true }).inputValue(), "90");
  // A few of the customers the rules hold, named, to check the rules mean what was meant.
  const sample = app.locator("[data-sample]");
  await sample.waitFor();
  assert.match(await sample.textContent(), /^For example: .+/);

  await name.fill("Engaged buyers (90 days)");
  // Unsaved edits show the save bar.
  await app.locator("#shopify-sim-save-bar").getByRole("button", { name: "Save" }).click();
  await app.getByRole("heading", { name: "Engaged buyers (90 days)", level: 1 }).waitFor();
  app = await world.app();
  const stored = await app.evaluate(async () => (await (await fetch("/api/segments/engaged-buyers")).json()).name);
  assert.equal(stored, "Engaged buyers (90 days)", "the slug, and so the tag, stays");
  assert.deepEqual(await accessibilityViolations(app), [], "no serious or critical accessibility violation");
});

test("a rule on picked collections rewards the segment, and Shopify holds the tags and the rule", async () => {
  await world.page.goto(world.adminUrl("/discounts"));
  const app = await world.app();
  await app.getByLabel("Segment", { exact: true }).selectOption("engaged-buyers");
  await app.getByLabel("Title the buyer sees", { exact: true }).fill("Engaged 10% off");
  await app.getByLabel("Discount", { exact: true }).selectOption("collections");
  await app.getByLabel("Percentage", { exact: true }).fill("10");
  await app.getByRole("button", { name: "Choose collections" }).click();
  const picker = app.locator("#shopify-sim-resource-picker");
  await picker.waitFor();
  const first = picker.locator("input[type=checkbox]").first();
  const collectionId = await first.getAttribute("value");
  await first.check();
  await picker.getByRole("button", { name: "Select" }).click();
  await app.locator("[data-picked]").filter({ hasNotText: "None chosen" }).waitFor();
  await app.getByRole("button", { name: "Add rule" }).click();
  await app.locator('[data-sync="synced"]').waitFor();
  const row = app.locator("s-table-row[data-rule]");
  assert.equal(await row.count(), 1);
  assert.match(await row.locator("s-table-cell").nth(2).textContent(), /^10% on products in chosen collections$/);
  await world.screenshot("discounts", 1400);
  assert.deepEqual(await accessibilityViolations(app), [], "no serious or critical accessibility violation");

  // The app's own API, through App Bridge's authenticated fetch, says what it stored.
  const listed = await app.evaluate(async () => (await fetch("/api/discount-rules")).json());
  assert.deepEqual(listed.rules[0].target, { type: "collections", ids: [collectionId] });
  const discountId = listed.sync.discount_id;
  const config = await world.shopify(
    `{ discountNode(id: "${discountId}") { metafield(namespace: "$app:seglink", key: "config") { value } } }`,
  );
  assert.match(config.data.discountNode.metafield.value, /Engaged 10% off/, JSON.stringify(config));
  assert.match(config.data.discountNode.metafield.value, new RegExp(collectionId.replace(/\//g, "\\/")));

  const members = await app.evaluate(async () => (await (await fetch("/api/segments/engaged-buyers")).json()).member_count);
  const tagged = await eventually(async () => {
    const answer = await world.shopify("{ customers(first: 250) { nodes { id tags } } }");
    const nodes = answer.data.customers.nodes.filter((customer) => customer.tags.includes("seglink:engaged-buyers"));
    return nodes.length === members ? nodes : null;
  });
  assert.equal(tagged.length, members, "every member carries the segment's tag in Shopify");
});

test("a member's sample cart gets the rule from the Function, a paused rule gives nothing and says why", async () => {
  await world.page.goto(world.adminUrl("/discounts"));
  const app = await world.app();
  const { rules } = await app.evaluate(async () => (await fetch("/api/discount-rules")).json());
  const collectionId = rules[0].target.ids[0];
  const products = await world.shopify("{ products(first: 50) { nodes { id title collections(first: 10) { nodes { id } } } } }");
  const inside = products.data.products.nodes.find((product) => product.collections.nodes.some((collection) => collection.id === collectionId));
  const { members } = await app.evaluate(async () => (await fetch("/api/segments/engaged-buyers/members")).json());

  await app.getByLabel("Customer email or name", { exact: true }).fill(members[0].email);
  await app.getByRole("button", { name: "Find customer" }).click();
  await app.getByLabel("Customer", { exact: true }).waitFor();
  await app.getByRole("button", { name: "Choose cart products" }).click();
  const picker = app.locator("#shopify-sim-resource-picker");
  await picker.locator(`input[value="${inside.id}"]`).check();
  await picker.getByRole("button", { name: "Select" }).click();
  const price = app.getByLabel(`Unit price of ${inside.title}`, { exact: true });
  assert.match(await price.inputValue(), /^\d+\.\d\d$/, "the variant's price from the picker");
  await price.fill("40.00");
  await app.getByLabel(`Quantity of ${inside.title}`, { exact: true }).fill("2");
  await app.getByRole("button", { name: "See what they get" }).click();
  const given = app.locator("[data-given]");
  await given.waitFor();
  assert.equal(await given.textContent(), "Engaged 10% off: 10% off the matching products, 8.00");
  await world.screenshot("discounts-try", 2200);
  assert.deepEqual(await accessibilityViolations(app), [], "no serious or critical accessibility violation");

  // Paused, the rule is no longer at checkout: the same cart gets nothing, and the rule says why.
  const row = app.locator("s-table-row[data-rule]");
  await row.getByRole("button", { name: "Pause" }).click();
  await row.locator("s-badge", { hasText: "Paused" }).waitFor();
  assert.equal(await app.locator("[data-trial]").count(), 0, "no active rule, nothing to try");
  await row.getByRole("button", { name: "Activate" }).click();
  await row.locator("s-badge", { hasText: "Active" }).waitFor();
  const other = await app.evaluate(async (memberIds) => {
    const everyone = (await (await fetch("/api/customers?query=example")).json()).customers;
    return everyone.find((customer) => !memberIds.includes(customer.customer_id));
  }, members.map((member) => member.customer_id));
  await app.getByLabel("Customer email or name", { exact: true }).fill(other.email);
  await app.getByRole("button", { name: "Find customer" }).click();
  await app.getByRole("button", { name: "Choose cart products" }).click();
  await picker.locator(`input[value="${inside.id}"]`).check();
  await picker.getByRole("button", { name: "Select" }).click();
  await app.getByRole("button", { name: "See what they get" }).click();
  await app.getByText("No discount at checkout").waitFor();
  assert.equal(
    await app.locator("s-table-row[data-outcome] s-table-cell").nth(1).textContent(),
    "not a member of `engaged-buyers` (no tag seglink:engaged-buyers)",
  );
});

test("a member who checked out as a guest is in the guest-miss report with what the rule would have taken off", async () => {
  await world.page.goto(world.adminUrl("/discounts"));
  let app = await world.app();
  await app.getByText(/^No member missed a discount by checking out as a guest since /).waitFor();
  const { members } = await app.evaluate(async () => (await fetch("/api/segments/engaged-buyers/members")).json());
  const { rules } = await app.evaluate(async () => (await fetch("/api/discount-rules")).json());
  const products = await world.shopify("{ products(first: 50) { nodes { id collections(first: 10) { nodes { id } } } } }");
  const inside = products.data.products.nodes.find((product) =>
    product.collections.nodes.some((collection) => collection.id === rules[0].target.ids[0]),
  );
  // Shopify's orders/paid for a checkout without sign-in: no customer, the member's email.
  await world.webhook("orders/paid", {
    id: 990001, name: "#9001", email: members[0].email, customer: null, total_price: "60.00", currency: "USD",
    financial_status: "paid", created_at: new Date().toISOString(), updated_at: new Date().toISOString(),
    line_items: [{ product_id: Number(inside.id.split("/").pop()), variant_id: 1, quantity: 2, price: "30.00" }],
  });
  const row = await eventually(async () => {
    await world.page.goto(world.adminUrl("/discounts"));
    app = await world.app();
    await app.locator("[data-guest-misses]").waitFor();
    return (await app.locator("s-table-row[data-guest-order]").count()) === 1 ? app.locator("s-table-row[data-guest-order]") : null;
  });
  assert.equal(await row.locator("s-table-cell").nth(2).textContent(), members[0].email);
  assert.equal(await row.locator("s-table-cell").nth(4).textContent(), "6.00", "10% of the two items in the collection");
  assert.match(await app.locator("[data-guest-misses]").textContent(), /^1 guest order since .+ was placed with a member's email and got no discount: 6\.00 missed\.$/);
  await world.screenshot("discounts-guest-misses", 2600);
  assert.deepEqual(await accessibilityViolations(app), [], "no serious or critical accessibility violation");
});


// Runs what a merchant's browser meets: the Shopify simulator (admin page, CDN stand-ins, Admin
// API) and `seglink serve` on a fresh SQLite file, both the binaries the test command built, and
// Debian's Chromium driven by playwright-core. Each waits for the other's readiness line, never
// for a fixed time.
import { execFileSync, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const TARGET = process.env.CARGO_TARGET_DIR ?? join(ROOT, "target");
export const API_KEY = "seglink-admin-test";
const SECRET = "seglink-admin-test-secret";
/// The dataset the simulator's stand-in for Meta's Conversions API takes, at `<sim>/meta`.
export const META_PIXEL = "1234567890";
export const META_TOKEN = "EAAGm0PX4ZCpsBAadminTestToken1";
export const SCOPES = /scopes = "([^"]+)"/.exec(readFileSync(join(ROOT, "shopify.app.toml"), "utf8"))[1];

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/// Starts `binary` and resolves once a line of its stderr matches `ready`.
function start(profile, binary, args, env, ready) {
  const child = spawn(join(TARGET, profile, binary), args, { env: { PATH: process.env.PATH, ...env } });
  let log = "";
  const started = new Promise((resolve, reject) => {
    child.stderr.on("data", (chunk) => {
      log += chunk;
      if (ready.test(log)) resolve();
    });
    child.on("exit", (code) => reject(new Error(`${binary} exited with ${code}:\n${log}`)));
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const stopped = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    return exited;
  };
  return { child, started, log: () => log, stopped };
}

/// `webhooks`: the simulator subscribes what shopify.app.toml declares and delivers Shopify's own
/// webhooks (an uninstall, orders) to the app, as a store does after `shopify app deploy`; off,
/// a test sends the webhooks it needs itself.
/// `env`: settings for `seglink serve` besides the test ones.
/// `plan`: the Seglink plan the store is on (Shopify App Pricing, defined from `seglink plans`).
export async function launch({ customers = 20, products = 6, orders = 40, profile = "debug", webhooks = false, env = {}, plan = "scale" } = {}) {
  const plans = execFileSync(join(TARGET, profile, "seglink"), ["plans"], { encoding: "utf8" });
  const [simPort, appPort] = [await freePort(), await freePort()];
  const data = mkdtempSync(join(tmpdir(), "seglink-admin-"));
  const simOrigin = `http://127.0.0.1:${simPort}`;
  const appUrl = `http://localhost:${appPort}`;
  const credentials = { SHOPIFY_API_KEY: API_KEY, SHOPIFY_API_SECRET: SECRET, SCOPES };
  const sim = start(
    profile,
    "shopify-sim",
    ["serve", "--port", String(simPort), "--customers", String(customers), "--products", String(products),
      "--orders", String(orders), "--now", String(Math.floor(Date.now() / 1000)), "--app-url", appUrl,
      "--extensions", join(ROOT, "extensions"), ...(webhooks ? ["--app-config", join(ROOT, "shopify.app.toml")] : []),
      "--pricing-plans", plans, "--subscribed", plan, "--meta-dataset", `${META_PIXEL}:${META_TOKEN}`],
    credentials,
    /serving (\S+) on http/,
  );
  await sim.started;
  const shop = /serving (\S+) on http/.exec(sim.log())[1];
  const appEnv = {
    ...credentials,
    SHOPIFY_APP_URL: appUrl,
    PORT: String(appPort),
    DATABASE_URL: `sqlite://${join(data, "seglink.db")}`,
    SEGLINK_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
    SEGLINK_SHOPIFY_ORIGIN: simOrigin,
    SEGLINK_CDN_ORIGIN: simOrigin,
    SEGLINK_META_GRAPH_URL: `${simOrigin}/meta`,
    ...env,
  };
  const startApp = (extra = {}) => start(profile, "seglink", ["serve"], { ...appEnv, ...extra }, /"msg":"listening"/);
  let app = startApp();
  await app.started;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const handle = shop.replace(".myshopify.com", "");
  let token;
  return {
    shop,
    page,
    simOrigin,
    appUrl,
    adminUrl: (path = "") => `${simOrigin}/store/${handle}/apps/${API_KEY}${path}`,
    /// The app's frame inside the simulated admin, once its document has loaded.
    async app() {
      const element = await page.waitForSelector("#app-iframe");
      const frame = await element.contentFrame();
      await frame.waitForSelector("#app s-page", { state: "attached" });
      return frame;
    },
    /// A screenshot of the admin `height` pixels tall, once the app's frame has grown to it.
    async screenshot(name, height = 900) {
      await page.setViewportSize({ width: 1280, height });
      await page.waitForFunction((tall) => document.querySelector("#app-iframe")?.getBoundingClientRect().height >= tall - 60, height);
      await page.screenshot({ path: screenshotPath(name) });
      await page.setViewportSize({ width: 1280, height: 900 });
    },
    async close() {
      await browser.close();
      // Gone before the next world starts: a simulator still delivering webhooks could reach
      // the next app given the same port.
      await Promise.all([app, sim].map((service) => service.stopped()));
      rmSync(data, { recursive: true, force: true });
    },
    logs: () => ({ sim: sim.log(), app: app.log() }),
    /// Stops `seglink serve` and starts it again on the same database and port with `extra`
    /// settings besides the first ones (a deploy that changes its configuration).
    async restartApp(extra = {}) {
      await app.stopped();
      app = startApp(extra);
      await app.started;
    },
    /// Delivers a webhook to the app as Shopify signs it.
    async webhook(topic, body, eventId = `${topic}-${Date.now()}`) {
      const text = JSON.stringify(body);
      const answer = await fetch(`${appUrl}/webhooks`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-Shopify-Hmac-Sha256": createHmac("sha256", SECRET).update(text).digest("base64"),
          "X-Shopify-Topic": topic,
          "X-Shopify-Shop-Domain": shop,
          "X-Shopify-API-Version": "2026-10",
          "X-Shopify-Webhook-Id": `w-${eventId}`,
          "X-Shopify-Event-Id": eventId,
        },
        body: text,
      });
      if (!answer.ok) throw new Error(`${topic}: ${answer.status} ${await answer.text()}`);
    },
    /// Runs a query against the simulated shop as the app itself (a token exchanged from a
    /// session token, as the backend gets its own), to see what Seglink did in Shopify.
    async shopify(query) {
      if (!token) {
        const { token: idToken } = await (await fetch(`${simOrigin}/shopifycloud/id-token?shop=${shop}`)).json();
        const exchanged = await fetch(`${simOrigin}/admin/oauth/access_token`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({
            client_id: API_KEY,
            client_secret: SECRET,
            grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
            subject_token: idToken,
            subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
            requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
          }),
        });
        token = (await exchanged.json()).access_token;
      }
      const answer = await fetch(`${simOrigin}/admin/api/2026-10/graphql.json`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
        body: JSON.stringify({ query }),
      });
      // An uninstall revokes the token: the next question exchanges a fresh one.
      if (answer.status === 401) token = undefined;
      return answer.json();
    },
    /// A session token for `shopDomain` as Shopify's admin signs one for this app: with another
    /// store's domain, what a staff member of that store would hold.
    sessionToken(shopDomain = shop) {
      const now = Math.floor(Date.now() / 1000);
      const encode = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
      const claims = {
        iss: `https://${shopDomain}/admin`, dest: `https://${shopDomain}`, aud: API_KEY, sub: "1",
        exp: now + 60, nbf: now - 5, iat: now, jti: `jti-${now}-${Math.random()}`, sid: "sid-1",
      };
      const unsigned = `${encode({ alg: "HS256", typ: "JWT" })}.${encode(claims)}`;
      return `${unsigned}.${createHmac("sha256", SECRET).update(unsigned).digest("base64url")}`;
    },
    /// Tells the simulated admin to uninstall the app, as the merchant would.
    async uninstall() {
      const answer = await fetch(`${simOrigin}/__sim/uninstall`, { method: "POST" });
      if (answer.status !== 204) throw new Error(`uninstall: ${answer.status}`);
    },
  };
}

/// Opens the app's Home in the admin (the first time, this installs it) and waits until the 90
/// days of history are imported: everything a test counts comes after.
export async function untilBackfilled(world) {
  await world.page.goto(world.adminUrl());
  const home = await world.app();
  await home.waitForFunction(
    () => document.querySelector('[data-step="backfill"] s-badge')?.textContent === "Done",
    null,
    { timeout: 30_000 },
  );
}

/// Resolves once `check` returns something truthy, asking again every quarter second; fails
/// after `seconds`. For state another process reaches in its own time (a queued push).
export async function eventually(check, seconds = 30) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`not reached within ${seconds} s: ${check}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/// Where a page's screenshot goes: docs/<topic>/ when SEGLINK_UPDATE_SCREENSHOTS=1 (to refresh the
/// pictures docs/<topic>.md shows), else target/<topic>-screenshots/, so a test run leaves the
/// repository as it found it.
export function screenshotPath(name, topic = "admin") {
  const folder = process.env.SEGLINK_UPDATE_SCREENSHOTS === "1" ? join(ROOT, "docs", topic) : join(TARGET, `${topic}-screenshots`);
  mkdirSync(folder, { recursive: true });
  return join(folder, `${name}.png`);
}

/// Waits for `locator`; when it never comes, fails with the end of both services' logs, which
/// say what the page could not show.
export async function waitOrExplain(world, locator) {
  try {
    await locator.waitFor();
  } catch (error) {
    const { sim, app } = world.logs();
    throw new Error(`${error.message}\n--- seglink ---\n${app.slice(-4000)}\n--- simulator ---\n${sim.slice(-1000)}`);
  }
}

/// One browser world for a test file: started before its tests, closed after them.
export function worldFor(hooks, options) {
  const world = {};
  hooks.before(async () => Object.assign(world, await launch(options)));
  hooks.after(async () => world.close?.());
  return world;
}

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/// The serious and critical accessibility violations axe-core finds in the app's frame, as
/// lines to read: none is the bar every page must meet.
export async function accessibilityViolations(frame) {
  await frame.addScriptTag({ path: AXE });
  const violations = await frame.evaluate(async () => (await window.axe.run(document)).violations);
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
}

// The built bundle (target/pixel/web-pixel.js, made by scripts/lib/pixel.sh) run as Shopify runs
// a pixel: `register` reaches the global `shopify.extend`, and a harness plays the pixel API,
// replaying standard events, toggling consent, and catching what is sent.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bundle = readFileSync(join(root, 'target', 'pixel', 'web-pixel.js'), 'utf8');
const fixtures = join(root, 'crates', 'events', 'tests', 'fixtures');
const samples = JSON.parse(readFileSync(join(fixtures, 'pixel_events.json'), 'utf8'));
const canonical = JSON.parse(readFileSync(join(fixtures, 'canonical_events.json'), 'utf8'));

const SETTINGS = {
  accountId: 'ws_1', publicKey: 'pk_test', apiEndpoint: 'https://seglink.example/v1/pixel/events',
  samplingRate: '1', trackedEvents: '', enableConsoleLogging: 'false', metaPixelId: '',
};

/** Loads the bundle and starts the pixel; returns handles to drive it and what it sent. */
function startPixel({ settings = SETTINGS, analytics = true, marketing = false, cookies = {}, wasm = true, answers = [] } = {}) {
  const sent = [];
  const timers = [];
  const delays = [];
  const listeners = { events: [], consent: [] };
  let extension = null;
  const context = {
    shopify: { extend: (point, callback) => { assert.equal(point, 'WebPixel::Render'); extension = callback; } },
    atob: (text) => Buffer.from(text, 'base64').toString('latin1'),
    TextDecoder, TextEncoder, Uint8Array, console,
    WebAssembly: wasm ? WebAssembly : undefined,
    // Each request takes the next of `answers` (a status, or 'offline' to fail), then 200s.
    fetch: async (url, options) => {
      sent.push({ url, options, body: JSON.parse(options.body) });
      const answer = answers.shift() ?? { status: 200 };
      if (answer === 'offline') throw new TypeError('Failed to fetch');
      return { ok: answer.status < 300, status: answer.status, headers: { get: (name) => (name === 'Retry-After' ? answer.retryAfter ?? null : null) } };
    },
    setTimeout: (callback, delay) => { timers.push(callback); delays.push(delay); return timers.length; },
    clearTimeout: (id) => { timers[id - 1] = null; },
  };
  vm.runInNewContext(bundle, context);
  assert.ok(extension, 'the bundle registers the pixel');
  extension({
    analytics: { subscribe: (name, callback) => { assert.equal(name, 'all_standard_events'); listeners.events.push(callback); } },
    browser: { cookie: { get: async (name) => cookies[name] ?? '' } },
    init: { customerPrivacy: { analyticsProcessingAllowed: analytics, marketingAllowed: marketing }, data: { shop: { myshopifyDomain: 'seglink-demo.myshopify.com' } } },
    settings,
    customerPrivacy: { subscribe: (name, callback) => { assert.equal(name, 'visitorConsentCollected'); listeners.consent.push(callback); } },
  });
  return {
    sent,
    delays,
    emit: (event) => listeners.events.forEach((listener) => listener(event)),
    consent: (allowed) => listeners.consent.forEach((listener) => listener({ customerPrivacy: { analyticsProcessingAllowed: allowed } })),
    tick: () => timers.splice(0).forEach((callback) => callback && callback()),
  };
}

test('standard events are normalised in the browser and sent in one batch', () => {
  const pixel = startPixel();
  samples.forEach(pixel.emit);
  assert.equal(pixel.sent.length, 0, 'batched until the timer');
  pixel.tick();
  assert.equal(pixel.sent.length, 1);
  const [request] = pixel.sent;
  assert.equal(request.url, SETTINGS.apiEndpoint);
  assert.equal(request.options.method, 'POST');
  assert.equal(request.options.keepalive, true);
  assert.equal(request.body.key, 'pk_test');
  assert.equal(request.body.shop, 'seglink-demo.myshopify.com');
  assert.equal(request.body.normalized, true);
  assert.deepEqual(request.body.events, canonical.filter((event) => event !== null));
});

test('a full batch, and a new page, send at once', () => {
  const pixel = startPixel();
  const view = samples[1];
  for (let index = 0; index < 20; index += 1) pixel.emit({ ...view, id: `v-${index}` });
  assert.equal(pixel.sent.length, 1);
  assert.equal(pixel.sent[0].body.events.length, 20);
  pixel.emit({ ...view, id: 'v-20' });
  pixel.emit({ ...samples[0], id: 'next-page' });
  assert.equal(pixel.sent.length, 2, 'page_viewed flushed the previous page');
  assert.deepEqual(pixel.sent[1].body.events.map((event) => event.id), ['v-20']);
});

test('nothing is sent without analytics consent, and sending starts once it is given', () => {
  const pixel = startPixel({ analytics: false });
  samples.forEach(pixel.emit);
  pixel.tick();
  assert.equal(pixel.sent.length, 0);
  pixel.consent(true);
  pixel.emit(samples[1]);
  pixel.tick();
  assert.equal(pixel.sent.length, 1);
  pixel.consent(false);
  pixel.emit(samples[2]);
  pixel.tick();
  assert.equal(pixel.sent.length, 1, 'withdrawn again');
});

test('sampling is deterministic per client id', () => {
  const clients = Array.from({ length: 200 }, (_, index) => `client-${index}`);
  const sentFor = (rate) => {
    const pixel = startPixel({ settings: { ...SETTINGS, samplingRate: String(rate) } });
    clients.forEach((clientId) => pixel.emit({ ...samples[1], clientId, id: clientId }));
    pixel.tick();
    return new Set(pixel.sent.flatMap((request) => request.body.events.map((event) => event.client_id)));
  };
  assert.equal(sentFor(0).size, 0);
  assert.equal(sentFor(1).size, 200);
  const half = sentFor(0.5);
  assert.ok(half.size > 60 && half.size < 140, `about half: ${half.size}`);
  assert.deepEqual([...sentFor(0.5)], [...half], 'the same visitors every time');
});

test('only the events the merchant chose are sent, and a finished checkout always is, normalised or raw', () => {
  for (const wasm of [true, false]) {
    const pixel = startPixel({ wasm, settings: { ...SETTINGS, trackedEvents: 'product_viewed,product_added_to_cart' } });
    samples.forEach(pixel.emit);
    pixel.tick();
    const names = new Set(samples.map((event) => event.name));
    assert.ok(names.has('page_viewed') && names.has('checkout_completed'), 'the samples hold others too');
    const sent = pixel.sent.flatMap((request) => request.body.events);
    const kinds = new Set(sent.map((event) => (wasm ? event.kind : event.name)));
    const expected = wasm ? ['add_to_cart', 'product_view', 'purchase'] : ['checkout_completed', 'product_added_to_cart', 'product_viewed'];
    assert.deepEqual([...kinds].sort(), expected, `wasm: ${wasm}`);
  }
});

test('without WebAssembly the raw events are sent for the backend to normalise', () => {
  const pixel = startPixel({ wasm: false });
  samples.slice(0, 3).forEach(pixel.emit);
  pixel.tick();
  assert.equal(pixel.sent.length, 1);
  assert.equal(pixel.sent[0].body.normalized, false);
  assert.deepEqual(pixel.sent[0].body.events.map((event) => event.name), ['page_viewed', 'product_viewed', 'collection_viewed']);
});

test('a batch the backend could not store is sent again after Retry-After, at most three times', async () => {
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const pixel = startPixel({ answers: [{ status: 503, retryAfter: '5' }, 'offline', { status: 503, retryAfter: '5' }] });
  pixel.emit(samples[1]);
  pixel.tick();
  await settle();
  assert.equal(pixel.sent.length, 1);
  assert.equal(pixel.delays.at(-1), 5000, 'waits as Retry-After says');
  pixel.tick();
  await settle();
  assert.equal(pixel.sent.length, 2, 'sent again');
  assert.deepEqual(pixel.sent[1].body, pixel.sent[0].body, 'the same events, so the backend keeps them once');
  assert.equal(pixel.delays.at(-1), 2000, 'a network failure waits the default');
  pixel.tick();
  await settle();
  assert.equal(pixel.sent.length, 3);
  pixel.tick();
  await settle();
  assert.equal(pixel.sent.length, 3, 'three attempts, then it gives up');
});

test('an accepted batch, and a refused one, are not sent again', async () => {
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  for (const status of [200, 400, 401]) {
    const pixel = startPixel({ answers: [{ status }] });
    pixel.emit(samples[1]);
    pixel.tick();
    await settle();
    pixel.tick();
    await settle();
    assert.equal(pixel.sent.length, 1, `after a ${status}`);
  }
});

test('with Meta forwarding on, a batch says whether marketing is allowed and carries Meta ids only then', async () => {
  const settings = { ...SETTINGS, metaPixelId: '1234567890' };
  const cookies = { _fbp: 'fb.1.1700000000000.123', _fbc: 'fb.1.1700000000000.AbC' };
  const allowed = startPixel({ settings, marketing: true, cookies });
  await new Promise((resolve) => setImmediate(resolve));
  allowed.emit(samples[0]);
  allowed.tick();
  assert.equal(allowed.sent[0].body.marketing, true);
  assert.equal(allowed.sent[0].body.fbp, 'fb.1.1700000000000.123');
  assert.equal(allowed.sent[0].body.fbc, 'fb.1.1700000000000.AbC');

  const refused = startPixel({ settings, marketing: false, cookies });
  await new Promise((resolve) => setImmediate(resolve));
  refused.emit(samples[0]);
  refused.tick();
  assert.equal(refused.sent[0].body.marketing, false);
  assert.equal(refused.sent[0].body.fbp, undefined, 'no Meta id without marketing consent');

  const off = startPixel({ marketing: true, cookies });
  off.emit(samples[0]);
  off.tick();
  assert.equal('marketing' in off.sent[0].body, false, 'nothing of Meta while forwarding is off');
});

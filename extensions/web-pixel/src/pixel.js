// The pixel's logic, apart from `register` so tests can drive it: consent, sampling, the events
// the merchant chose, the
// normaliser (Wasm, or raw events for the backend when Wasm cannot start), batching and sending.

export const MAX_BATCH = 20;
// Shopify starts a new sandbox for every page, so a batch cannot outlive its page: what a page
// publishes on load (all at once) goes in one request a quarter second later, before a shopper
// can click away, and a later event (an add to cart) waits as briefly.
export const FLUSH_AFTER_MS = 250;

// A batch the backend could not store (503: storage down; 429: over a rate limit) or that did not
// arrive is sent again, the events' ids making a repeat harmless: after the `Retry-After` the
// answer gives (else a default), at most twice more and never later than a minute, for the page
// may close any time.
export const MAX_SEND_ATTEMPTS = 3;
export const RETRY_DEFAULT_MS = 2000;
export const RETRY_MAX_MS = 60000;

/** How long to wait before sending again, from a `Retry-After` in seconds. */
export function retryDelayMs(retryAfter) {
  const seconds = Number.parseInt(String(retryAfter ?? ''), 10);
  const wait = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : RETRY_DEFAULT_MS;
  return Math.min(wait, RETRY_MAX_MS);
}

/** FNV-1a over the client id: the same visitor is always in or always out of the sample. */
export function sampleScore(clientId) {
  let hash = 0x811c9dc5;
  for (let index = 0; index < clientId.length; index += 1) {
    hash ^= clientId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 0x100000000;
}

export function sampled(clientId, rate) {
  return rate >= 1 || (rate > 0 && sampleScore(String(clientId)) < rate);
}

/** Analytics consent, as the pixel API reports it (`init.customerPrivacy` or a consent event). */
export function analyticsAllowed(privacy) {
  return Boolean(privacy && privacy.analyticsProcessingAllowed);
}

/** Marketing consent: whether the visitor's events may go on to Meta (docs/meta.md). */
export function marketingAllowed(privacy) {
  return Boolean(privacy && privacy.marketingAllowed);
}

/** Always sent: it ties the visitor to the verified order (docs/security.md). */
const ALWAYS_SENT = 'checkout_completed';

/** The standard events the merchant chose, or null for every one. */
function trackedEvents(text) {
  const names = String(text || '').split(',').map((name) => name.trim()).filter(Boolean);
  return names.length ? new Set([...names, ALWAYS_SENT]) : null;
}

export function readSettings(settings) {
  const rate = Number.parseFloat(settings.samplingRate);
  return {
    tracked: trackedEvents(settings.trackedEvents),
    publicKey: String(settings.publicKey || ''),
    endpoint: String(settings.apiEndpoint || ''),
    samplingRate: Number.isFinite(rate) ? Math.min(1, Math.max(0, rate)) : 1,
    log: settings.enableConsoleLogging === 'true',
    // Set by the backend only while the store forwards to Meta's Conversions API.
    metaPixelId: String(settings.metaPixelId || ''),
  };
}

/**
 * Starts the pixel on the API `register` hands over. `startNormalizer` returns a function from
 * an event to its normalised JSON answer, or throws when Wasm cannot start.
 */
export function startPixel({ analytics, init, settings, customerPrivacy, browser }, { startNormalizer, fetch, setTimeout, clearTimeout }) {
  const config = readSettings(settings);
  const shop = init && init.data && init.data.shop ? init.data.shop.myshopifyDomain : '';
  let allowed = analyticsAllowed(init && init.customerPrivacy);
  let marketing = marketingAllowed(init && init.customerPrivacy);
  // Meta's browser ids, read only while the store forwards to Meta and sent only with marketing
  // consent: they let Meta match the server's events to the visitor.
  const metaIds = {};
  if (config.metaPixelId && browser && browser.cookie && browser.cookie.get) {
    for (const [cookie, key] of [['_fbp', 'fbp'], ['_fbc', 'fbc']]) {
      Promise.resolve(browser.cookie.get(cookie))
        .then((value) => {
          if (value) metaIds[key] = String(value);
        })
        .catch(() => {});
    }
  }
  let normalize = null;
  try {
    normalize = startNormalizer();
  } catch (error) {
    if (config.log) console.warn('seglink: Wasm did not start; sending raw events', error);
  }
  let queue = [];
  let timer = null;

  function flush() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (queue.length === 0 || !config.endpoint || !config.publicKey) return;
    const batch = queue;
    queue = [];
    const meta = config.metaPixelId ? { marketing, ...(marketing ? metaIds : {}) } : {};
    const body = JSON.stringify({ key: config.publicKey, shop, normalized: normalize !== null, events: batch, ...meta });
    if (config.log) console.log('seglink: sending', batch.length, 'events');
    send(body, 1);
  }

  function send(body, attempt) {
    const again = (retryAfter) => {
      if (attempt < MAX_SEND_ATTEMPTS) setTimeout(() => send(body, attempt + 1), retryDelayMs(retryAfter));
    };
    // text/plain keeps the request simple (no CORS preflight); keepalive lets it outlive the page.
    fetch(config.endpoint, { method: 'POST', keepalive: true, headers: { 'Content-Type': 'text/plain' }, body })
      .then((response) => {
        if (response.status === 503 || response.status === 429) again(response.headers.get('Retry-After'));
      })
      .catch(() => again(null));
  }

  if (customerPrivacy && customerPrivacy.subscribe) {
    customerPrivacy.subscribe('visitorConsentCollected', (event) => {
      allowed = analyticsAllowed(event && event.customerPrivacy);
      marketing = marketingAllowed(event && event.customerPrivacy);
      if (!allowed) queue = [];
    });
  }

  analytics.subscribe('all_standard_events', (event) => {
    if (!allowed || !sampled(event.clientId, config.samplingRate)) return;
    if (config.tracked !== null && !config.tracked.has(event.name)) return;
    let item = event;
    if (normalize !== null) {
      const answer = JSON.parse(normalize(JSON.stringify(event)));
      if (!answer.event) return;
      item = answer.event;
    }
    // A new page starts a new batch, so what the last page did is sent while it can be.
    if (event.name === 'page_viewed' && queue.length > 0) flush();
    queue.push(item);
    if (queue.length >= MAX_BATCH) flush();
    else if (timer === null) timer = setTimeout(flush, FLUSH_AFTER_MS);
  });

  return { flush };
}

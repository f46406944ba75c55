// A strict web pixel's sandbox, as Shopify runs one: a Web Worker with no page to touch. The
// pixel's built bundle registers itself through `shopify.extend('WebPixel::Render', …)` and is
// handed the pixel API (shopify.dev "Web pixels API": analytics, browser, init, settings,
// customerPrivacy). The page posts the standard events it publishes and the visitor's consent.
// Requests the pixel makes go out as they are; each one's answer is reported to the page.
'use strict';

let render = null;
const subscribers = [];
const consentSubscribers = [];

self.shopify = {
  extend(target, callback) {
    if (target === 'WebPixel::Render') render = callback;
  },
};

const networkFetch = self.fetch.bind(self);
self.fetch = async (url, options = {}) => {
  let events = 0;
  try {
    events = JSON.parse(options.body).events.length;
  } catch (error) {
    events = 0;
  }
  try {
    const answer = await networkFetch(url, options);
    postMessage({ type: 'sent', url: String(url), events, status: answer.status, answer: await answer.clone().text() });
    return answer;
  } catch (error) {
    postMessage({ type: 'sent', url: String(url), events, status: 0, answer: String(error) });
    throw error;
  }
};

// The sandbox has no cookies or storage of the page: these stand-ins keep nothing.
const emptyStorage = {
  getItem: async () => null,
  setItem: async () => undefined,
  removeItem: async () => undefined,
  key: async () => null,
  length: async () => 0,
};
const browser = {
  cookie: { get: async () => '', set: async () => '' },
  localStorage: emptyStorage,
  sessionStorage: emptyStorage,
  sendBeacon: async (url, body) => {
    await self.fetch(url, { method: 'POST', body, keepalive: true });
    return true;
  },
};

function start({ bundle, settings, init }) {
  importScripts(bundle);
  if (!render) {
    postMessage({ type: 'failed', message: 'the bundle registered no WebPixel::Render extension' });
    return;
  }
  render({
    analytics: { subscribe: (name, callback) => subscribers.push({ name, callback }) },
    browser,
    init,
    settings,
    customerPrivacy: {
      subscribe: (name, callback) => {
        if (name === 'visitorConsentCollected') consentSubscribers.push(callback);
      },
    },
  });
  postMessage({ type: 'started' });
}

self.onmessage = ({ data }) => {
  try {
    if (data.type === 'start') start(data);
    else if (data.type === 'event') {
      for (const { name, callback } of subscribers) {
        if (name === data.event.name || name === 'all_events' || (name === 'all_standard_events' && data.event.type === 'standard')) {
          callback(data.event);
        }
      }
    } else if (data.type === 'consent') {
      consentSubscribers.forEach((callback) => callback({ customerPrivacy: data.customerPrivacy }));
    }
  } catch (error) {
    postMessage({ type: 'failed', message: String(error && error.message ? error.message : error) });
  }
};

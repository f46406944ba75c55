// The storefront page's side of the web pixel sandbox (storefront/sandbox.js): starts the app's
// pixel in a worker with the settings the app gave Shopify, publishes the page's standard events
// to it, adds to the cart without leaving the page as Shopify's AJAX cart does, answers the
// consent banner in place, and lists what the pixel sent and the app's answers.
'use strict';

(() => {
  const config = JSON.parse(document.getElementById('web-pixel-config').textContent);
  const status = document.querySelector('[data-pixel-status]');
  const log = document.querySelector('[data-pixel-log]');
  const say = (text) => { status.textContent = text; };

  // Shopify keeps the visitor's id in a first-party cookie; pixels see it as `clientId`.
  function clientId() {
    const found = document.cookie.split('; ').find((pair) => pair.startsWith('sim_client='));
    if (found) return found.slice('sim_client='.length);
    const id = crypto.randomUUID();
    document.cookie = `sim_client=${id}; path=/; max-age=31536000; samesite=lax`;
    return id;
  }

  let worker = null;
  let seq = 0;
  const visitor = clientId();

  function context() {
    const { href, pathname, search, hash, host, hostname, origin, port, protocol } = location;
    return {
      document: {
        location: { href, pathname, search, hash, host, hostname, origin, port, protocol },
        referrer: document.referrer,
        title: document.title,
        characterSet: document.characterSet,
      },
      navigator: { language: navigator.language, cookieEnabled: navigator.cookieEnabled, languages: [...navigator.languages], userAgent: navigator.userAgent },
      window: { innerHeight: window.innerHeight, innerWidth: window.innerWidth },
    };
  }

  function publish(name, data, id) {
    if (!worker) return;
    seq += 1;
    const event = { id: id || crypto.randomUUID(), clientId: visitor, name, seq, timestamp: new Date().toISOString(), type: 'standard', context: context(), data };
    worker.postMessage({ type: 'event', event });
  }

  function record(text) {
    const item = document.createElement('li');
    item.textContent = text;
    log.append(item);
  }

  if (!config.settings) say("The app has not created its web pixel in this store: nothing is sent.");
  else if (!config.bundle) say("No web pixel bundle is deployed to this simulated store: nothing is sent.");
  else {
    worker = new Worker(config.sandbox);
    worker.onmessage = ({ data }) => {
      if (data.type === 'started') {
        say(config.init.customerPrivacy.analyticsProcessingAllowed
          ? 'The pixel is running; analytics allowed.'
          : 'The pixel is running; it sends nothing until analytics are allowed.');
      } else if (data.type === 'failed') {
        say(`The pixel failed: ${data.message}`);
      } else if (data.type === 'sent') {
        record(`${data.events} event(s) → ${data.url}: ${data.status} ${data.answer}`);
      }
    };
    worker.onerror = (error) => say(`The pixel failed: ${error.message}`);
    worker.postMessage({ type: 'start', bundle: config.bundle, settings: config.settings, init: config.init });
    for (const event of config.events) publish(event.name, event.data, event.id);
  }

  for (const form of document.querySelectorAll('form[data-add-to-cart]')) {
    form.addEventListener('submit', async (submit) => {
      submit.preventDefault();
      const added = form.querySelector('[data-added]');
      const answer = await fetch(form.action, { method: 'POST', headers: { Accept: 'application/json' }, body: new URLSearchParams(new FormData(form)) });
      const body = await answer.json();
      if (!answer.ok) {
        added.textContent = body.message;
        return;
      }
      document.querySelector('[data-cart-count]').textContent = String(body.items);
      added.textContent = 'Added to your cart.';
      publish('product_added_to_cart', { cartLine: body.cartLine });
    });
  }

  for (const form of document.querySelectorAll('form[data-consent]')) {
    form.querySelector('[name=back]').value = location.pathname + location.search;
    form.addEventListener('submit', async (submit) => {
      submit.preventDefault();
      const choice = submit.submitter ? submit.submitter.value : 'denied';
      const body = new URLSearchParams({ analytics: choice, back: location.pathname });
      const answer = await fetch(form.action, { method: 'POST', body, redirect: 'manual' });
      if (answer.type !== 'opaqueredirect' && !answer.ok) return;
      form.remove();
      const allowed = choice === 'granted';
      if (worker) worker.postMessage({ type: 'consent', customerPrivacy: { analyticsProcessingAllowed: allowed, marketingAllowed: false, preferencesProcessingAllowed: false, saleOfDataAllowed: false } });
      say(allowed ? 'The pixel is running; analytics allowed.' : 'The pixel is running; analytics declined, nothing is sent.');
    });
  }
})();

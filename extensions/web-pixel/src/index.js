// Entry point the Shopify CLI bundles: hands the pixel API to the pixel, with the normaliser
// started from Wasm bytes inlined in the bundle (the CLI's esbuild has no .wasm loader).
import { register } from '@shopify/web-pixels-extension';

import { initSync, normalize } from './generated/events_wasm.js';
import { WASM_BASE64 } from './generated/wasm_bytes.js';
import { startPixel } from './pixel.js';

function wasmBytes() {
  const text = atob(WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index += 1) bytes[index] = text.charCodeAt(index);
  return bytes;
}

register((api) => {
  startPixel(api, {
    startNormalizer() {
      initSync({ module: wasmBytes() });
      return normalize;
    },
    fetch: (...args) => fetch(...args),
    setTimeout: (...args) => setTimeout(...args),
    clearTimeout: (...args) => clearTimeout(...args),
  });
});

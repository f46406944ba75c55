// The built normaliser (target/pixel, made by scripts/lib/pixel.sh) gives in Wasm exactly the
// canonical events the native crate gives: the same fixtures, through wasm-bindgen's ES module.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fixtures = join(root, 'crates', 'events', 'tests', 'fixtures');
const { initSync, normalize } = await import(join(root, 'target', 'pixel', 'events_wasm.js'));
initSync({ module: readFileSync(join(root, 'target', 'pixel', 'events_wasm_bg.wasm')) });

test('every standard event normalises in Wasm as it does natively', () => {
  const samples = JSON.parse(readFileSync(join(fixtures, 'pixel_events.json'), 'utf8'));
  const expected = JSON.parse(readFileSync(join(fixtures, 'canonical_events.json'), 'utf8'));
  samples.forEach((sample, index) => {
    const answer = JSON.parse(normalize(JSON.stringify(sample)));
    if (expected[index] === null) assert.equal(typeof answer.ignored, 'string', sample.name);
    else assert.deepEqual(answer.event, expected[index], sample.name);
  });
});

test('bad input is an error, and the module keeps working after it', () => {
  assert.deepEqual(JSON.parse(normalize('{"name":')), { error: 'not JSON (at byte 8)' });
  assert.deepEqual(JSON.parse(normalize('{"name":"clicked","id":"x"}')), { error: '`clicked` is not a standard event' });
  const page = { name: 'page_viewed', id: 'e', clientId: 'c', timestamp: 't', data: {} };
  for (let round = 0; round < 10_000; round += 1) normalize(JSON.stringify(page));
  assert.equal(JSON.parse(normalize(JSON.stringify(page))).event.kind, 'page_view');
});

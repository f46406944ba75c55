// Normaliser throughput in Wasm under Node, as the pixel runs it: one call per event, JSON in and
// out. Run by benches/pixel.py after scripts/lib/pixel.sh has built target/pixel.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { initSync, normalize } = await import(join(root, 'target', 'pixel', 'events_wasm.js'));
initSync({ module: readFileSync(join(root, 'target', 'pixel', 'events_wasm_bg.wasm')) });
const samples = JSON.parse(readFileSync(join(root, 'crates', 'events', 'tests', 'fixtures', 'pixel_events.json'), 'utf8'))
  .map((event) => JSON.stringify(event));
const rounds = 20000;
let checksum = 0;
for (let warm = 0; warm < 1000; warm += 1) samples.forEach((sample) => normalize(sample));
const started = process.hrtime.bigint();
for (let round = 0; round < rounds; round += 1) {
  for (const sample of samples) checksum += normalize(sample).length & 1;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const events = rounds * samples.length;
console.log(JSON.stringify({ events, seconds: Number(seconds.toFixed(3)), events_per_second: Math.round(events / seconds), checksum }));

// Sizes the embedded admin's first page as a browser fetches it: the entry script and styles
// and every chunk the entry imports statically, gzipped. Fails over the budget (bytes) given.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const budget = Number(process.argv[2]);
const dist = new URL("../backend/admin/dist/", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL(".vite/manifest.json", dist), "utf8"));
const [entryKey] = Object.entries(manifest).find(([, chunk]) => chunk.isEntry);
const files = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || files.has(chunk.file)) return;
  files.add(chunk.file);
  for (const css of chunk.css ?? []) files.add(css);
  for (const imported of chunk.imports ?? []) visit(imported);
};
visit(entryKey);
let total = 0;
for (const file of files) total += gzipSync(readFileSync(new URL(file, dist)), { level: 9 }).length;
console.log(`admin first page: ${total} B gzipped in ${files.size} files (budget ${budget} B)`);
if (!(total <= budget)) {
  console.error(`the admin's own JavaScript and CSS are over budget: ${total} > ${budget}`);
  process.exit(1);
}

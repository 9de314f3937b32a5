// Generates the cast's portraits as CC0 SVGs with DiceBear (style "lorelei", CC0 1.0).
// Usage (Node 18+; DiceBear is needed only here, never at run time):
//   cd /tmp && npm install @dicebear/core @dicebear/collection
//   .venv/bin/python assets/portraits/people.py > /tmp/people.json
//   NODE_PATH=/tmp/node_modules node assets/portraits/generate.mjs /tmp/people.json assets/portraits
import { createRequire } from "node:module";
import { mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const require = createRequire(join(process.env.NODE_PATH || "/tmp/node_modules", "x.js"));
const { createAvatar } = require("@dicebear/core");
const { lorelei } = require("@dicebear/collection");

// Soft backgrounds that sit well on the calm theme; chosen by position so a cast differs.
const BACKGROUNDS = ["d9e8e6", "ecdcc8", "dcd6ea", "e4e9d2", "f0d9d9", "d6e2ee", "efe4c6", "e2d8cf", "d5e6dd"];

const [, , listPath, outDir] = process.argv;
const people = JSON.parse(readFileSync(listPath, "utf8"));
for (const [i, p] of people.entries()) {
  const svg = createAvatar(lorelei, {
    seed: `${p.scenario}:${p.id}:${p.name}`,
    size: 256,
    backgroundColor: [BACKGROUNDS[i % BACKGROUNDS.length]],
    radius: 50,
  }).toString();
  mkdirSync(join(outDir, p.scenario), { recursive: true });
  writeFileSync(join(outDir, p.scenario, `${p.id}.svg`), svg);
}
// Remove portraits of people who are no longer in their scenario.
let removed = 0;
for (const scenario of new Set(people.map((p) => p.scenario))) {
  const keep = new Set(people.filter((p) => p.scenario === scenario).map((p) => `${p.id}.svg`));
  for (const file of readdirSync(join(outDir, scenario))) {
    if (file.endsWith(".svg") && !keep.has(file)) {
      unlinkSync(join(outDir, scenario, file));
      removed += 1;
    }
  }
}
console.log(`wrote ${people.length} portraits, removed ${removed} stale ones`);

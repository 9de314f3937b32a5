// Compile an ink file with inkjs 2.4.0's compiler, then random-play it; print JSON figures.
// Usage: node bench.js FILE.ink CHOICE_BUDGET
"use strict";
const fs = require("fs");
const inkjs = require("inkjs/full");

const [file, budgetText] = process.argv.slice(2);
const source = fs.readFileSync(file, "utf8");
const budget = parseInt(budgetText || "200000", 10);

function ms(t0) { return Number(process.hrtime.bigint() - t0) / 1e6; }

let best = Infinity;
let story;
for (let i = 0; i < 3; i++) {
  const t0 = process.hrtime.bigint();
  story = new inkjs.Compiler(source).Compile();
  best = Math.min(best, ms(t0));
}
const json = story.ToJson();

// seeded xorshift so runs are reproducible
let seed = 1;
function rand() { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) / 4294967296; }

let choices = 0, runs = 0;
const t0 = process.hrtime.bigint();
const base = new inkjs.Story(json);
const initial = base.state.ToJson();
while (choices < budget) {
  base.state.LoadJson(initial); // a fresh playthrough without re-parsing the story
  while (true) {
    base.ContinueMaximally();
    const options = base.currentChoices;
    if (options.length === 0) break;
    base.ChooseChoiceIndex(Math.floor(rand() * options.length));
    choices++;
  }
  runs++;
}
const playMs = ms(t0);
console.log(JSON.stringify({ compile_s: best / 1000, choices, runs, cps: choices / (playMs / 1000) }));

// Node half of bench/compare: times jsondiffpatch (ESM-only) with an
// objectHash on ingredientId/stepId. Prints one JSON line, like peers.py.
//
//   node jsondiffpatch.mjs RECIPE MAKE
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import * as jsondiffpatch from "jsondiffpatch";

const [recipePath, makePath] = process.argv.slice(2);
const recipe = JSON.parse(readFileSync(recipePath, "utf8"));
const make = JSON.parse(readFileSync(makePath, "utf8"));
const { version } = JSON.parse(
  readFileSync(new URL("node_modules/jsondiffpatch/package.json", import.meta.url), "utf8"),
);

const differ = jsondiffpatch.create({
  objectHash: (item, index) => item?.ingredientId ?? item?.stepId ?? `$$index:${index}`,
});
const diff = () => differ.diff(recipe, make);

// Leaf deltas: every property whose value is an array ([new], [old, new],
// [old, 0, 0], ["", to, 3] ...); "_t" markers are strings, so never counted.
const countLeaves = (delta) =>
  Object.entries(delta).reduce(
    (n, [key, value]) => n + (key === "_t" ? 0 : Array.isArray(value) ? 1 : countLeaves(value)),
    0,
  );

const delta = diff();
if (!isDeepStrictEqual(differ.patch(structuredClone(recipe), delta), make)) {
  throw new Error("jsondiffpatch delta does not reproduce the make");
}

// Same scheme as peers.py: ~0.3 s warm-up, then 5 rounds filling BENCH_SECONDS.
const now = () => Number(process.hrtime.bigint()) / 1e3; // µs
const target = Number(process.env.BENCH_SECONDS ?? "2") * 1e6;
const tool = `jsondiffpatch ${version} (objectHash)`;
console.error(`timing ${tool}…`);
let calls = 0;
let start = now();
while (calls < 3 || now() - start < 3e5) {
  diff();
  calls++;
}
const perRound = Math.max(2, Math.floor(target / 5 / ((now() - start) / calls)));
const rounds = [];
for (let r = 0; r < 5; r++) {
  start = now();
  for (let i = 0; i < perRound; i++) diff();
  rounds.push((now() - start) / perRound);
}
const mean = rounds.reduce((a, b) => a + b) / rounds.length;
console.log(
  JSON.stringify({
    tool,
    changes: countLeaves(delta),
    us_per_diff: mean,
    spread: (Math.max(...rounds) - Math.min(...rounds)) / mean,
    iterations: perRound * 5,
  }),
);

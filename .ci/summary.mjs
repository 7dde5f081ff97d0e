// Prints "N passed, N failed" from vitest's JSON reports, as the last line: one line per report first
// (the suite on each Node: "node v22.23.5: N passed, N failed, N skipped"), then the totals over all.
//   node .ci/summary.mjs LABEL=REPORT.json [LABEL=REPORT.json ...]
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const arg of process.argv.slice(2)) {
  const at = arg.indexOf('=');
  const [label, path] = at < 0 ? [arg, arg] : [arg.slice(0, at), arg.slice(at + 1)];
  let report;
  try {
    report = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    console.log(`${label}: vitest wrote no JSON report at ${path} (${error.message}): counted as 1 failed`);
    failed += 1;
    continue;
  }
  const skips = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // a test file that fails to load has no test results but counts as a failure
  const brokenFiles = (report.testResults ?? []).filter((file) => file.status === 'failed' && (file.assertionResults ?? []).length === 0).length;
  const fails = report.numFailedTests + brokenFiles;
  console.log(`${label}: ${report.numPassedTests} passed, ${fails} failed${skips ? `, ${skips} skipped (opt-in tests, see their files)` : ''}`);
  passed += report.numPassedTests;
  failed += fails;
  skipped += skips;
}
if (process.argv.length <= 2) failed += 1; // no report at all
if (skipped) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);

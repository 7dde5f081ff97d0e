// Prints "N passed, N failed" from vitest's JSON report, as the last line ("N skipped" on the line before, when any).
import { readFileSync } from 'node:fs';

const path = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(path, 'utf8'));
} catch (error) {
  console.log(`vitest wrote no JSON report at ${path} (${error.message})`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
// a test file that fails to load has no test results but counts as a failure
const brokenFiles = (report.testResults ?? []).filter((file) => file.status === 'failed' && (file.assertionResults ?? []).length === 0).length;
const failed = report.numFailedTests + brokenFiles;
if (skipped) console.log(`${skipped} skipped (opt-in tests, see their files)`);
console.log(`${report.numPassedTests} passed, ${failed} failed`);

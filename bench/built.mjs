/**
 * The benchmark's shared pieces live in src/bench/ (the Lambda bench handler
 * bundles them too); the scripts here import their built copies from build/.
 */

/**
 * Imports build/src/<path>, with a message that says what to do when build/ is missing or stale.
 * @param {string} path  e.g. 'bench/machine.js'
 */
export async function importBuilt(path) {
  return import(`../build/src/${path}`).catch((error) => {
    throw new Error(`cannot import build/src/${path} (run \`npm run build\` first): ${error.message}`);
  });
}

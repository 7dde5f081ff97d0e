/**
 * Finds the default data files (weights/*.safetensors, the vector files) for
 * the handler wherever it runs:
 *   - on Lambda: the unzipped package ($LAMBDA_TASK_ROOT, /var/task), where
 *     weights/ sits next to index.mjs;
 *   - from the repo (src/lambda, build/src/lambda) or an unzipped copy of the
 *     package: the nearest folder above this module that holds the file;
 *   - else the working directory.
 * Only data files are found this way: the wasm kernels are embedded in the code.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The absolute path of a packaged data file.
 * @param relative path below the package root, e.g. 'weights/kim-sst2.safetensors'
 * @returns the first existing candidate, or the candidate under the first root when none exists
 *          (the loader then reports the missing file by that path)
 */
export function findAsset(relative: string): string {
  let first: string | undefined;
  for (const root of searchRoots()) {
    const candidate = join(root, relative);
    if (existsSync(candidate)) return candidate;
    first ??= candidate;
  }
  return first ?? join(process.cwd(), relative);
}

/**
 * $LAMBDA_TASK_ROOT, then this module's folder and its ancestors, then the working directory;
 * lazily, so on Lambda the first root answers without import.meta.url being resolved at INIT.
 */
function* searchRoots(): IterableIterator<string> {
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  if (taskRoot) yield resolve(taskRoot);
  let dir = moduleDir();
  while (dir !== undefined) {
    yield dir;
    const parent = dirname(dir);
    dir = parent === dir ? undefined : parent;
  }
  yield process.cwd();
}

function moduleDir(): string | undefined {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return undefined; // a runtime without file: URLs (edge workers): only the other roots apply
  }
}

/** The repository root, for tests that read committed files or run the built CLI. */
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');

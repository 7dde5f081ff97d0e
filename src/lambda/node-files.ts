/** The Node host's file access for INIT: weight files and .tcv stores by path (src/node/files.ts). */
import { openVectorFile, readWeightFile } from '../node/files.js';
import type { HostFiles } from './files.js';

/** Paths on the local disk (on Lambda: the unzipped package, /var/task). */
export const nodeFiles: HostFiles = { readWeights: readWeightFile, openVectors: openVectorFile };

/**
 * How the function reaches the files its configuration names. The handler's core (routing,
 * INIT through the pipelines) reads no files itself, so the same code serves Lambda and the
 * local server (paths, through Node: src/lambda/node-files.ts) and a Cloudflare Worker
 * (bytes bundled into the Worker: src/worker/).
 */
import type { VectorSource } from '../vectors/store.js';

/** File access for INIT. */
export interface HostFiles {
  /**
   * A weight file's bytes.
   * @param path as the configuration names it
   */
  readWeights(path: string): Uint8Array;
  /**
   * An embedded vector store, opened.
   * @param path as the configuration names it
   */
  openVectors(path: string): VectorSource;
}

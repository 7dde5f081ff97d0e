/**
 * Node file access for the engine: weight files and vector stores by path. The engine
 * itself (src/model, src/vectors, src/pipeline) reads bytes and RandomAccessSources only;
 * these functions are its path-taking forms, for the Node entry, the CLI, the Lambda
 * function and the local server.
 */
import { readFileSync } from 'node:fs';
import { WeightFileError } from '../errors.js';
import { loadModel as loadModelBytes, type LoadOptions, type Model } from '../model/model.js';
import { openEmbeddedStore as openStore, type EmbeddedStore, type EmbeddedStoreOptions } from '../vectors/embedded.js';

export type { EmbeddedStore };
import { VectorStoreError } from '../vectors/errors.js';
import type { VectorSource } from '../vectors/store.js';
import { openFileSource } from './file-source.js';

/** Largest embedded-store index (hash table, offsets, words) read whole at open; the shipped stores' are well below. */
export const RESIDENT_INDEX_BYTES = 1 << 20;

/**
 * A weight file's bytes.
 * @param path the .safetensors file
 */
export function readWeightFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new WeightFileError(path, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * loadModel() with a path: reads the file, then loads its bytes (see src/model/model.ts).
 * @param source  a file path, or the file's bytes
 * @param options backend, certificate check, name for errors
 */
export function loadModel(source: string | Uint8Array, options: LoadOptions = {}): Model {
  if (typeof source !== 'string') return loadModelBytes(source, options);
  return loadModelBytes(readWeightFile(source), { ...options, name: source });
}

/** How to open a store file: EmbeddedStoreOptions, and whether to read it whole. */
export interface StoreFileOptions extends EmbeddedStoreOptions {
  /** 'paged' (default): read on first touch; 'memory': the whole file read at open. Ignored for bytes. */
  mode?: 'paged' | 'memory';
}

/**
 * openEmbeddedStore() with a path: the file paged (default) or read whole.
 * @param pathOrBytes a `.tcv` path, or its bytes
 * @param options see StoreFileOptions
 */
export function openEmbeddedStore(pathOrBytes: string | Uint8Array, options: StoreFileOptions = {}): EmbeddedStore {
  if (typeof pathOrBytes !== 'string') return openStore(pathOrBytes, options);
  const name = options.name ?? pathOrBytes;
  if (options.mode === 'memory') {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(pathOrBytes);
    } catch (e) {
      throw new VectorStoreError('VECTORS_NOT_FOUND', name, `cannot open: ${(e as Error).message}`, { cause: e });
    }
    return openStore(bytes, { ...options, name });
  }
  return openStore(openFileSource(pathOrBytes, name), options);
}

/**
 * Opens a store file the way the pipelines do: paged, its index resident when small.
 * @param path a .tcv file
 */
export function openVectorFile(path: string): VectorSource {
  return openEmbeddedStore(path, { residentIndexBytes: RESIDENT_INDEX_BYTES });
}

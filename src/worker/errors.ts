/** Errors of the Worker adapter. */
import { TinyCnnError } from '../errors.js';

/**
 * The Worker cannot start. Codes:
 *   'WORKER_NO_MODELS'  createWorker() was given no model
 *   'WORKER_BAD_FILE'   a model file is not bytes (a Data module's ArrayBuffer, or a Uint8Array)
 */
export class WorkerError extends TinyCnnError {
  constructor(code: 'WORKER_NO_MODELS' | 'WORKER_BAD_FILE', message: string) {
    super(code, message);
  }
}

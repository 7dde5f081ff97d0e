/** Errors of the load tester. */
import { TinyCnnError } from '../errors.js';

/** The load test cannot run: the data file is unusable, the local server did not start, the URL is wrong. */
export class LoadTestError extends TinyCnnError {
  constructor(message: string, code = 'LOADTEST_FAILED') {
    super(code, message);
  }
}

/** A data file of sentences or sentence pairs is missing, empty or malformed. */
export class DataFileError extends LoadTestError {
  /** The file. */
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`, 'LOADTEST_DATA_INVALID');
    this.file = file;
  }
}

import { TinyCnnError } from '../errors.js';

/** A labelled data set that cannot be read: names the file (and line) and what is wrong. */
export class EvalDataError extends TinyCnnError {
  /** The file, with ':line' where there is one. */
  readonly where: string;
  constructor(where: string, detail: string) {
    super('EVAL_DATA_INVALID', `${where}: ${detail}`);
    this.where = where;
  }
}

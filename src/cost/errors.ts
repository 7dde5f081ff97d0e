/** Errors of the cost model, the REPORT-log reader and the planner. */
import { TinyCnnError } from '../errors.js';

/** An input file of `tinycnn cost` / `tinycnn plan` cannot be read or holds no usable data. */
export class CostInputError extends TinyCnnError {
  /** The file ('-' for stdin). */
  readonly file: string;
  constructor(file: string, message: string) {
    super('COST_INPUT_INVALID', `${file === '-' ? '<stdin>' : file}: ${message}`);
    this.file = file;
  }
}

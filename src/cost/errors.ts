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

/** A command-line mistake in one of the cost / plan / loadtest commands (exit code 2). */
export class CliUsageError extends TinyCnnError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

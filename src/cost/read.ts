/** Reads REPORT logs line by line from a file or stdin, without holding the whole text twice. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { CostInputError } from './errors.js';
import { addLine, emptyLog, type ReportLog } from './report.js';

/** Parses a REPORT log from `path`, or from stdin when `path` is '-'. Throws CostInputError when it cannot be read. */
export async function readReportLog(
  /** File path, or '-' for stdin. */
  path: string,
  /** Where to read stdin from (tests pass their own stream). */
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<ReportLog> {
  const input = path === '-' ? stdin : createReadStream(path, { encoding: 'utf8' });
  const log = emptyLog();
  try {
    const lines = createInterface({ input, crlfDelay: Infinity });
    for await (const line of lines) addLine(log, line);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CostInputError(path, `cannot read the file (${code ?? (error as Error).message})`);
  }
  return log;
}

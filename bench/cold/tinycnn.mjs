// Cold start of tinycnn as Lambda runs it: import the *packaged* handler (index.mjs from an
// unzipped copy of dist/tinycnn-lambda.zip; INIT at module scope), one invocation, exit.
//   node tinycnn.mjs /path/to/unzipped/index.mjs     (env: COLD_T0 = spawn time, ms since the epoch)
import { pathToFileURL } from 'node:url';
import { report, SENTENCE } from './common.mjs';

const { handler } = await import(pathToFileURL(process.argv[2]).href);
const initDone = performance.timeOrigin + performance.now();
const response = await handler({ input: SENTENCE });
const body = JSON.parse(response.body);
if (response.statusCode !== 200 || body.tokens.length !== 20) throw new Error(`unexpected answer ${response.body.slice(0, 200)}`);
report(initDone, { flavour: body.backend, unknown_tokens: body.unknown_tokens.length });

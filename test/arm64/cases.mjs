/**
 * What test:arm64 runs on each side: the golden fixtures and the sentence events.
 * Plain JavaScript that Node 18 runs; both sides read the same files, so they run the same cases.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The kernel flavours, each tried on both sides; one a runtime cannot run is reported, not compared. */
export const FLAVOURS = ['js', 'wasm-simd', 'wasm-relaxed'];

/** --fast: every FAST_STRIDE-th sentence of the data files, and the golden fixtures matching FAST_FIXTURES. */
const FAST_STRIDE = 8;
const FAST_FIXTURES = /-hostile$/; // all six test models on their hardest inputs (scale up to 4096, cancelling sums), short to run

/**
 * The golden fixtures (test/golden/*.json), sorted by name.
 * @param {string} root the repo
 * @param {boolean} fast the --fast subset
 */
export function goldenFixtures(root, fast) {
  const dir = join(root, 'test', 'golden');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
    .filter((fixture) => !fast || FAST_FIXTURES.test(fixture.name));
}

/** Lines of a data file without comments and blanks. */
function dataLines(root, name) {
  return readFileSync(join(root, 'bench', 'data', name), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/**
 * The sentence events, each with a stable id: castorini's direct events for every Kim
 * sentence (bench/data/kim-sentences.txt) and SM pair (bench/data/sm-pairs.tsv), batches
 * through API Gateway HTTP API (v2, base64 body) and REST API (v1) events, and edge cases
 * (one token, unknown words only, raw uncleaned text, unicode, a long text, and two that
 * must fail with the same 400 on both sides).
 * @param {string} root the repo
 * @param {boolean} fast the --fast subset
 * @returns {Array<{ id: string, event: unknown }>}
 */
export function sentenceEvents(root, fast) {
  const every = (list) => (fast ? list.filter((_, i) => i % FAST_STRIDE === 0) : list);
  const kim = every(dataLines(root, 'kim-sentences.txt'));
  const sm = every(dataLines(root, 'sm-pairs.tsv')).map((line) => {
    const [sent1, sent2] = line.split('\t');
    return { sent1, sent2 };
  });
  const events = [];
  kim.forEach((input, i) => events.push({ id: `kim#${i}`, event: { input } }));
  sm.forEach((pair, i) => events.push({ id: `sm#${i}`, event: pair }));
  events.push(
    { id: 'kim batch, HTTP API v2', event: httpApiV2('/kim', { inputs: kim.slice(0, 8) }) },
    { id: 'sm batch, REST API v1', event: restV1('/sm', { pairs: sm.slice(0, 6) }) },
    { id: 'kim one token', event: { input: 'good' } },
    { id: 'kim unknown words only', event: { input: 'zzqxv qqzzv vvqxz' } },
    { id: 'kim raw text (clean_str_sst)', event: { input: "It's a GREAT film -- really!!! (10/10), isn't it?" } },
    { id: 'kim unicode', event: { input: 'café naïve 😀 déjà vu , a film' } },
    { id: 'kim long text', event: { input: Array.from({ length: 12 }, (_, i) => kim[i % kim.length]).join(' ') } },
    { id: 'sm one token each', event: { sent1: 'who', sent2: 'shakespeare' } },
    { id: 'kim empty (400)', event: { input: '' } },
    { id: 'sm missing sent2 (400)', event: { sent1: 'who wrote hamlet ?' } },
  );
  return events;
}

/** An API Gateway HTTP API (payload 2.0) POST with a base64 body. */
function httpApiV2(path, body) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: { http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1' }, requestId: 'arm64-test-v2', stage: '$default' },
    body: Buffer.from(JSON.stringify(body)).toString('base64'),
    isBase64Encoded: true,
  };
}

/** An API Gateway REST API (payload 1.0) POST on stage "prod". */
function restV1(path, body) {
  return {
    resource: path,
    path,
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/json' },
    multiValueHeaders: { 'Content-Type': ['application/json'] },
    requestContext: { requestId: 'arm64-test-v1', stage: 'prod', httpMethod: 'POST', path: `/prod${path}` },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

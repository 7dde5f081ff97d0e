/**
 * One benchmark process: hosts one or more peer modules (bench/peers/NAME.mjs)
 * and answers the coordinator (bench/run.mjs) one request at a time, so the
 * coordinator can interleave contenders that live in different processes:
 * while one process times its task, every other process sits idle on a read.
 *
 *   node --expose-gc bench/worker.mjs PEER [PEER...]
 *
 * Protocol: one JSON request per line on stdin, one JSON answer per line on
 * file descriptor 3 (stdout is left to chatty libraries; it goes to stderr).
 *   {op:'open', manifest, weights}            -> {ok, runtimes, unavailable, info}
 *   {op:'logits', runtime, case}              -> {ok, logits: number[] (batch x classes)}
 *   {op:'time', runtime, case, maxTime, ...}  -> {ok, p50_us, min_us, max_us, samples, time_ms}
 *   {op:'peak', time}                         -> {ok, peaks: {simd128?, relaxed?}} (the tinycnn peer only)
 *   {op:'close'}
 * Any failure answers {ok: false, error} and the process keeps serving.
 */
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Bench } from 'tinybench';
import { readInputs } from './cases.mjs';

const answers = createWriteStream('', { fd: 3 });
const peerNames = process.argv.slice(2);
/** runtime name -> the peer module instance that offers it */
const owners = new Map();
/** `${runtime}/${case}` -> prepared { run, logits } */
const prepared = new Map();
let cases = new Map();
const peers = [];

const isPromise = (value) => value !== null && typeof value === 'object' && typeof value.then === 'function';

async function open(request) {
  cases = readInputs(request.manifest);
  const runtimes = [],
    unavailable = {},
    info = {};
  for (const name of peerNames) {
    const peer = await (await import(`./peers/${name}.mjs`)).open({ weights: request.weights });
    peers.push(peer);
    for (const runtime of peer.runtimes) {
      owners.set(runtime, peer);
      runtimes.push(runtime);
    }
    Object.assign(unavailable, peer.unavailable ?? {});
    info[name] = peer.info ?? {};
  }
  return { runtimes, unavailable, info };
}

/** The prepared task for (runtime, case), made on first use. */
async function task(runtime, caseName) {
  const key = `${runtime}/${caseName}`;
  if (!prepared.has(key)) {
    const peer = owners.get(runtime);
    if (peer === undefined) throw new Error(`this process does not offer ${runtime}`);
    const c = cases.get(caseName);
    if (c === undefined) throw new Error(`unknown case ${caseName}`);
    prepared.set(key, await peer.prepare(runtime, c));
  }
  return prepared.get(key);
}

/**
 * Times one task with tinybench. The time budget is "about 1 s or 1,000
 * samples, whichever comes first" (but never under minTime): a short estimate
 * first sizes it, so a 50 µs task is not run for a whole second while a 20 ms
 * one still gets its full second.
 */
async function time(request) {
  const { run } = await task(request.runtime, request.case);
  const call = async () => {
    const result = run();
    if (isPromise(result)) await result;
  };
  // Estimate the call time over >= 10 ms (one call for slow tasks; it doubles as warm-up).
  const t0 = performance.now();
  let calls = 0;
  while (performance.now() - t0 < 10) {
    await call();
    calls++;
  }
  const estimateMs = (performance.now() - t0) / calls;
  const budget = Math.min(request.maxTime, Math.max(request.minTime, request.samples * estimateMs));
  globalThis.gc?.(); // start every task from a clean heap: one contender's garbage is not another's pause
  const async = isPromise(run());
  const bench = new Bench({ time: budget, iterations: 3, warmup: true, warmupTime: request.warmupTime, warmupIterations: 2, throws: true });
  bench.add(request.runtime, async ? call : run);
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state !== 'completed') throw new Error(`${request.runtime} ${request.case}: ${result.state} ${result.error ?? ''}`);
  const { latency } = result;
  return { p50_us: latency.p50 * 1e3, min_us: latency.min * 1e3, max_us: latency.max * 1e3, samples: latency.samplesCount, time_ms: budget };
}

async function handle(request) {
  switch (request.op) {
    case 'open':
      return open(request);
    case 'logits': {
      const { logits } = await task(request.runtime, request.case);
      return { logits: Array.from(await logits()) };
    }
    case 'time':
      return time(request);
    case 'peak': {
      const peer = peers.find((p) => typeof p.peak === 'function');
      if (peer === undefined) throw new Error('no peer in this process measures the SIMD peak');
      return { peaks: await peer.peak(request.time) };
    }
    case 'close':
      for (const p of prepared.values()) p.dispose?.();
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown op ${request.op}`);
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  let answer;
  try {
    answer = { ok: true, ...(await handle(JSON.parse(line))) };
  } catch (error) {
    answer = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  answers.write(`${JSON.stringify(answer)}\n`);
}

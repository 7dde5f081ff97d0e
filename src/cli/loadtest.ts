/**
 * `tinycnn loadtest [URL] [--local]`: a closed-loop concurrency sweep with
 * throughput, HDR latency percentiles, errors and timeouts by kind, the
 * server-side split and the cost of 1M requests; plus the warm and cold
 * protocols. Markdown table (or --json), and charts with --charts.
 */
import { relative } from 'node:path';
import { archFlag, intListFlag, numberFlag, parseFlags, withUsage } from './flags.js';
import { UsageError } from './usage.js';
import { type LoadModel, loadPayloads } from '../loadtest/data.js';
import { sequentialText, sweepTable } from '../loadtest/format.js';
import { type LocalServerOptions, type LocalServerProcess, startLocalServer } from '../loadtest/local.js';
import { defaultDataFile } from '../loadtest/paths.js';
import { runColdLocal, runColdRemote, runWarm, type SequentialResult } from '../loadtest/protocols.js';
import { type LevelResult, runSweep } from '../loadtest/sweep.js';
import { agentFor, send, type Target } from '../loadtest/client.js';
import { loadHistogramLibrary } from '../loadtest/histogram.js';
import { machineInfo, machineLine } from '../loadtest/machine.js';
import { DEFAULT_CHART_DIR, withChartDefault } from './plan.js';

const USAGE = `usage: tinycnn loadtest [URL] [--local] [--model kim|sm] [--concurrency 5,10,20,30]
                       [--requests N | --duration S] [--data FILE] [--batch N]
                       [--protocol sweep,warm,cold|all] [--json] [--charts [DIR]]

  URL                 the endpoint: a deployed API (…/kim or …/sm, else /MODEL is appended)
  --local             start the local server (node build/src/cli/bin.js serve) on a free port
  --model M           kim (default: sentences, POST /kim) or sm (sentence pairs, POST /sm)
  --concurrency LIST  requests in flight per level (default 5,10,20,30)
  --requests N        requests per level (default 200), or
  --duration S        seconds per level
  --data FILE         sentences (one per line or JSON lines with "sentence") or pairs
                      (question<TAB>answer, or JSON lines with "sent1"/"sent2");
                      default bench/data/kim-sentences.txt / bench/data/sm-pairs.tsv
  --batch N           sentences (pairs) per request: {"inputs": [...]} / {"pairs": [...]}
  --timeout-ms MS     per-request deadline (default 10000); late requests count as timeouts
  --protocol LIST     sweep (default), warm, cold, or all
  --warm-count N      warm: requests after the discarded one (default 25)
  --warm-interval-ms  warm: gap between requests (default 1000)
  --cold-count N      cold: fresh instances (default 10)
  --between CMD       cold against a URL: shell command run before each request that forces a
                      new execution environment, e.g. an environment-variable change:
                      'aws lambda update-function-configuration --function-name F
                       --environment "Variables={NONCE=$RANDOM}" && aws lambda wait
                       function-updated --function-name F'
  --memory-mb MB      memory the measured durations are priced at (default 1769: one vCPU,
                      what a local core is closest to)
  --arch A            x86_64 (default) or arm64, for the price
  --timing-unit U     unit of the answers' t_* fields: auto (default), s (castorini's), ms
  --server-cmd CMD    --local: the server command instead of node build/src/cli/bin.js serve
  --json              one JSON document instead of the tables
  --charts [DIR]      write SVG + PNG charts (default ${DEFAULT_CHART_DIR})`;

/** Runs `tinycnn loadtest`; returns the exit code. */
export async function runLoadtest(
  /** Arguments after `loadtest`. */
  argv: string[],
): Promise<number> {
  return withUsage('loadtest', USAGE, argv, async () => {
    const { values, positionals } = parseFlags({
      args: withChartDefault(argv),
      allowPositionals: true,
      options: {
        local: { type: 'boolean', default: false },
        model: { type: 'string' },
        concurrency: { type: 'string' },
        requests: { type: 'string' },
        duration: { type: 'string' },
        data: { type: 'string' },
        batch: { type: 'string' },
        'timeout-ms': { type: 'string' },
        protocol: { type: 'string' },
        'warm-count': { type: 'string' },
        'warm-interval-ms': { type: 'string' },
        'cold-count': { type: 'string' },
        between: { type: 'string' },
        'memory-mb': { type: 'string' },
        arch: { type: 'string' },
        'timing-unit': { type: 'string' },
        'server-cmd': { type: 'string' },
        json: { type: 'boolean', default: false },
        charts: { type: 'string' },
      },
    });
    if (positionals.length > 1) throw new UsageError(`takes one URL, not ${positionals.length}`);
    const rawUrl = positionals[0];
    if ((rawUrl === undefined) === !values.local) throw new UsageError(rawUrl === undefined ? 'give a URL or --local' : 'give a URL or --local, not both');
    const model = modelOf(values.model, rawUrl);
    const batch = numberFlag(values.batch, '--batch', true) ?? 1;
    const requests = numberFlag(values.requests, '--requests', true);
    const durationS = numberFlag(values.duration, '--duration');
    if (requests !== undefined && durationS !== undefined) throw new UsageError('give --requests or --duration, not both');
    const levels = intListFlag(values.concurrency, '--concurrency') ?? [5, 10, 20, 30];
    const protocols = protocolsOf(values.protocol);
    const timingUnit = (values['timing-unit'] ?? 'auto') as Target['timingUnit'];
    if (!['auto', 's', 'ms'].includes(timingUnit)) throw new UsageError(`--timing-unit must be auto, s or ms, not "${timingUnit}"`);
    if (protocols.includes('cold') && !values.local && values.between === undefined)
      throw new UsageError('the cold protocol against a URL needs --between CMD (a command that forces a new execution environment)');
    const memoryMb = numberFlag(values['memory-mb'], '--memory-mb', true) ?? 1769;
    const arch = archFlag(values.arch) ?? 'x86_64';
    const timeoutMs = numberFlag(values['timeout-ms'], '--timeout-ms') ?? 10_000;
    const dataFile = values.data ?? defaultDataFile(model);
    const payloads = loadPayloads(dataFile, model, batch);
    await loadHistogramLibrary();
    if (values.charts !== undefined) await (await import('../charts/render.js')).ensureChartPackages('drawing charts');
    const serverCmd = values['server-cmd']?.trim().split(/\s+/);
    const serverOptions = (quiet: boolean): LocalServerOptions => ({
      command: serverCmd,
      args: serverCmd === undefined ? ['--memory', String(memoryMb), ...(quiet ? ['--quiet'] : [])] : [],
    });
    const progress = (line: string) => {
      if (!values.json || process.stderr.isTTY) console.error(line);
    };

    let local: LocalServerProcess | undefined;
    const results: { levels: LevelResult[]; warm: SequentialResult | null; cold: SequentialResult | null } = { levels: [], warm: null, cold: null };
    let url: URL;
    try {
      if (values.local) {
        local = await startLocalServer(serverOptions(true));
        url = new URL(`/${model}`, local.url);
        progress(`local server ${local.url} up in ${local.startupMs.toFixed(0)} ms`);
      } else url = endpoint(rawUrl as string, model);
      const target = { url, timeoutMs, timingUnit };
      const pricing = { memoryMb, arch } as const;
      if (protocols.includes('sweep')) {
        const warmup = agentFor(url, 1);
        await send({ ...target, agent: warmup }, payloads[0]); // one discarded request: INIT and JIT warm-up
        warmup.destroy();
        results.levels = await runSweep({ target, payloads, requests, durationS, batch, ...pricing }, levels, (l) =>
          progress(
            `C=${l.concurrency}: ${l.ok}/${l.sent} ok, ${l.throughput_rps.toFixed(1)} req/s, p50 ${l.latency.p50_ms?.toFixed(2) ?? '–'} ms, p99 ${l.latency.p99_ms?.toFixed(2) ?? '–'} ms`,
          ),
        );
      }
      if (protocols.includes('warm')) {
        const count = numberFlag(values['warm-count'], '--warm-count', true) ?? 25;
        const interval = numberFlag(values['warm-interval-ms'], '--warm-interval-ms') ?? 1000;
        progress(`warm protocol: ${count} requests, ${interval} ms apart…`);
        results.warm = await runWarm({ target, payloads, count, ...pricing }, interval);
      }
      if (protocols.includes('cold')) {
        const count = numberFlag(values['cold-count'], '--cold-count', true) ?? 10;
        progress(`cold protocol: ${count} fresh instances…`);
        results.cold = values.local
          ? await runColdLocal({ target, payloads, count, ...pricing }, serverOptions(false))
          : await runColdRemote({ target, payloads, count, ...pricing }, values.between as string);
      }
    } finally {
      await local?.stop();
    }

    const machine = machineInfo();
    const where = values.local ? `${url.href} (local server and client on ${machineLine(machine)})` : `${url.href} (client on ${machineLine(machine)})`;
    const shownData = relative(process.cwd(), dataFile).startsWith('..') ? dataFile : relative(process.cwd(), dataFile);
    const workload = `${durationS === undefined ? `${requests ?? 200} requests` : `${durationS} s`} per level, batch ${batch}, ${payloads.length} distinct bodies from ${shownData}`;
    let charts: { svg: string; png: string }[] = [];
    if (values.charts !== undefined && results.levels.length > 0) {
      const { writeLoadtestCharts } = await import('../charts/loadtest.js');
      charts = await writeLoadtestCharts(results.levels, { target: where, workload }, values.charts);
    }
    const notes = [
      `cost: measured durations priced as ${arch} at ${memoryMb} MB (--memory-mb, --arch), request charge included`,
      ...(values.local
        ? ['the local server is one execution environment: requests queue, so latency grows with C; on Lambda each request in flight gets its own instance']
        : []),
    ];
    if (values.json) {
      console.log(
        JSON.stringify(
          {
            target: url.href,
            local: values.local,
            model,
            batch,
            data: dataFile,
            requests_per_level: durationS === undefined ? (requests ?? 200) : null,
            duration_s: durationS ?? null,
            timeout_ms: timeoutMs,
            memory_mb: memoryMb,
            arch,
            machine,
            ...results,
            charts,
            notes,
          },
          null,
          2,
        ),
      );
    } else {
      const out = [`Load test of ${where}: ${model}, ${workload}`];
      if (results.levels.length > 0) out.push('', sweepTable(results.levels, batch));
      if (results.warm !== null) out.push('', sequentialText(results.warm));
      if (results.cold !== null) out.push('', sequentialText(results.cold));
      out.push('', ...notes.map((n) => `note: ${n}`));
      if (!protocols.includes('warm') || !protocols.includes('cold'))
        out.push('note: --protocol all adds the warm (25 requests, 1 s apart) and cold (new instance per request) protocols');
      if (charts.length > 0) out.push('', 'Charts:', ...charts.map((c) => `  ${c.svg}  ${c.png}`));
      console.log(out.join('\n'));
    }
    const anyOk = results.levels.some((l) => l.ok > 0) || (results.warm?.ok ?? 0) > 0 || (results.cold?.ok ?? 0) > 0;
    return anyOk ? 0 : 1;
  });
}

/** --model, or the model the URL's path names; they must agree. */
function modelOf(flag: string | undefined, url: string | undefined): LoadModel {
  if (flag !== undefined && flag !== 'kim' && flag !== 'sm') throw new UsageError(`--model must be kim or sm, not "${flag}"`);
  const fromUrl = url === undefined ? undefined : /\/(kim|sm)\/?$/.exec(safePath(url))?.[1];
  if (flag !== undefined && fromUrl !== undefined && flag !== fromUrl) throw new UsageError(`--model ${flag} does not match the URL's /${fromUrl}`);
  return (flag ?? fromUrl ?? 'kim') as LoadModel;
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/** The URL to POST to: as given when it ends in /kim or /sm, else with /MODEL appended. */
function endpoint(raw: string, model: LoadModel): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`"${raw}" is not a URL (e.g. https://abc123.execute-api.us-east-1.amazonaws.com/prod)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`the URL must be http or https, not ${url.protocol}`);
  if (!/\/(kim|sm)\/?$/.test(url.pathname)) url.pathname = `${url.pathname.replace(/\/+$/, '')}/${model}`;
  return url;
}

function protocolsOf(value: string | undefined): string[] {
  const list = (value ?? 'sweep')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const all = ['sweep', 'warm', 'cold'];
  if (list.includes('all')) return all;
  for (const p of list) if (!all.includes(p)) throw new UsageError(`--protocol takes sweep, warm, cold or all, not "${p}"`);
  return list;
}

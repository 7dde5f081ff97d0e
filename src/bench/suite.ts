/**
 * tinycnn's benchmark suite run inside one process on already-loaded models: the
 * cases of src/bench/cases.ts on every backend flavour given, parity first, then
 * timed in interleaved rounds (each case runs every flavour in turn, the order
 * rotated each round), all within a hard deadline. The Lambda bench handler
 * (src/lambda/bench.ts) runs it; bench/run.mjs is the multi-process version
 * with the peers.
 *
 * The deadline shapes the run, never the other way round:
 *   1. cases in order latency first, then throughput by FLOPs; for each (case, flavour)
 *      the call time is predicted from that flavour's GFLOP/s so far, and a task whose
 *      minimum (rounds x (warm-up + MIN_SAMPLES) calls) no longer fits is skipped, with why;
 *   2. each task kept: one parity call (logits vs js; a wrong flavour is not timed),
 *      then warm-up calls for WARMUP_MS (at least 2), which also measure its call time;
 *   3. before each round, PLAN_SHARE of its share of the time left is split equally between
 *      tasks, as samples (between MIN_SAMPLES and MAX_SAMPLES) at the call times measured so
 *      far, so a machine slower than its warm-up suggested shortens the rounds, not their number;
 *   4. the rounds run; a call never starts past the deadline, and a round not finished
 *      by then is left out (unless it is the first; the output says so).
 */
import type { Sentence } from '../backend/backend.js';
import type { Model } from '../model/model.js';
import type { ModelInput } from '../model/registry.js';
import type { KimSpec } from '../model/kim/architecture.js';
import type { SmSpec } from '../model/sm/architecture.js';
import { caseInputs, caseTokens, defineCases, flopsOf, type BenchCase, type KimCaseInputs, type SmCaseInputs } from './cases.js';
import { ratios, summarise, type RatioRow, type ResultRow, type RoundTiming } from './stats.js';
import { timeCalls } from './timing.js';

/** The models of one backend flavour (only those the function serves). */
export interface FlavourModels {
  readonly kim?: Model;
  readonly sm?: Model;
}

export interface SuiteOptions {
  /** The quick case list (kim-20, sm-20+20, kim-20-b4), 1 round, smaller samples. Default false. */
  readonly quick?: boolean;
  /** Rounds (default 3, quick 1). */
  readonly rounds?: number;
  /** performance.now() value by which everything must be done. */
  readonly deadline: number;
}

/** The logits of one flavour on one case against js's. */
export interface ParityRow {
  readonly case: string;
  readonly runtime: string;
  readonly max_abs: number;
  /** max |Δ| / (1 + |ref|); ok when <= 1e-4. */
  readonly max_rel: number;
  readonly ok: boolean;
}

/** How one task was timed. */
export interface PlanRow {
  readonly case: string;
  readonly runtime: string;
  /** Call time measured during warm-up (median), µs. */
  readonly warmup_estimate_us: number;
  readonly warmup_per_round: number;
  /** Timed calls in each round reported. */
  readonly samples_per_round: number[];
}

export interface SuiteResult {
  readonly results: ResultRow[];
  readonly ratios: RatioRow[];
  readonly parity: ParityRow[];
  readonly plan: PlanRow[];
  /** Cases or (case, runtime) pairs not timed, and why. */
  readonly skipped: { case: string; runtime?: string; why: string }[];
  /** Rounds asked for and rounds completed. */
  readonly rounds: number;
  readonly rounds_completed: number;
  /** FLOPs of one call of each case. */
  readonly flops: Record<string, number>;
  readonly seconds_timing: number;
}

/** Calls per timed task per round, at least and at most (cf. tinybench's ~1,000 samples in bench/run.mjs). */
export const MIN_SAMPLES = { full: 5, quick: 3 } as const;
export const MAX_SAMPLES = { full: 1000, quick: 200 } as const;
/** Warm-up of each task before the first round, ms. */
export const WARMUP_MS = { full: 30, quick: 10 } as const;
/**
 * Share of a round's time that its plan fills: call times drift from their estimate (a
 * fractional Lambda vCPU is throttled in bursts), and a round the deadline cuts short is
 * thrown away, so the plan leaves slack.
 */
const PLAN_SHARE = 0.85;
/** Warm-up calls before each round's samples: about this many ms of calls, 1 to 20 calls. */
const ROUND_WARMUP_MS = 5;
const PARITY_BOUND = 1e-4;

interface Task {
  readonly c: BenchCase;
  readonly runtime: string;
  readonly flops: number;
  readonly run: () => void;
  readonly warmupEstimateMs: number;
  /** Expected time of one call, ms: from warm-up, then the mean of its latest round. */
  estimateMs: number;
  warmup: number;
  samples: number;
}

/**
 * Runs the suite.
 * @param flavours flavour ('js', 'wasm-simd', 'wasm-relaxed') -> its models; 'js' is the parity reference and must be there
 * @param options  quick, rounds, deadline
 */
export function runSuite(flavours: ReadonlyMap<string, FlavourModels>, options: SuiteOptions): SuiteResult {
  const quick = options.quick ?? false;
  const mode = quick ? 'quick' : 'full';
  const rounds = options.rounds ?? (quick ? 1 : 3);
  const reference = flavours.get('js');
  if (reference === undefined) throw new Error('runSuite: the js flavour is the parity reference and must be given');
  const skipped: SuiteResult['skipped'] = [];
  const parity: ParityRow[] = [];
  const flops: Record<string, number> = {};

  // Cases of the models served, with their index in the full list (it seeds the inputs).
  const all = defineCases({ quick });
  const cases: { c: BenchCase; inputs: ModelInput[] }[] = [];
  for (const [index, c] of all.entries()) {
    const model = reference[c.model];
    if (model === undefined) {
      skipped.push({ case: c.name, why: `this function does not serve the ${c.model} model (TINYCNN_MODEL)` });
      continue;
    }
    flops[c.name] = flopsOf(model.spec, c);
    cases.push({ c, inputs: inputsOf(c, index, model) });
  }

  // 1-2. Plan, parity, warm-up: cheapest first, so the budget drops the dearest tasks.
  const order = [...cases].sort((a, b) => Number(a.c.throughput) - Number(b.c.throughput) || flops[a.c.name] - flops[b.c.name]);
  const gflops = new Map<string, number>(); // runtime -> GFLOP/s seen in its latest warm-up
  const tasks: Task[] = [];
  let reservedMs = 0;
  const predict = (runtime: string, c: BenchCase) => {
    const seen = gflops.get(runtime);
    return seen === undefined ? undefined : flops[c.name] / (seen * 1e6); // ms per call
  };
  for (const { c, inputs } of order) {
    let expected: Float32Array | undefined; // js's logits, computed for the first task that fits
    for (const [flavour, models] of flavours) {
      const runtime = `tinycnn-${flavour}`;
      const model = models[c.model];
      if (model === undefined) continue;
      const predicted = predict(runtime, c);
      if (predicted !== undefined) {
        const referenceMs = expected === undefined ? (predict('tinycnn-js', c) ?? 0) : 0;
        const need = referenceMs + rounds * (MIN_SAMPLES[mode] + warmupCalls(predicted)) * predicted + Math.max(WARMUP_MS[mode], 3 * predicted);
        if (performance.now() + reservedMs + need > options.deadline) {
          skipped.push({ case: c.name, runtime, why: `over the time budget (~${predicted.toFixed(1)} ms per call predicted)` });
          continue;
        }
      }
      expected ??= forward(reference[c.model]!, inputs);
      const out = new Float32Array(c.batch * model.spec.classes);
      const run = () => model.forward(out, inputs);
      run();
      const row = compare(c.name, runtime, out, expected);
      parity.push(row);
      if (!row.ok) {
        skipped.push({ case: c.name, runtime, why: `wrong logits: max |Δ|/(1+|ref|) = ${row.max_rel.toExponential(1)}` });
        continue;
      }
      const estimateMs = warmUp(run, WARMUP_MS[mode]);
      gflops.set(runtime, flops[c.name] / (estimateMs * 1e6));
      const task: Task = {
        c,
        runtime,
        flops: flops[c.name],
        run,
        warmupEstimateMs: estimateMs,
        estimateMs,
        warmup: warmupCalls(estimateMs),
        samples: MIN_SAMPLES[mode],
      };
      reservedMs += rounds * (task.warmup + task.samples) * estimateMs;
      tasks.push(task);
    }
  }

  // 3-4. Rounds: cases in definition order, flavours rotated by one each round. Before each
  // round its share of the time left is planned from the call times measured so far.
  const timings = new Map(cases.map(({ c }) => [c.name, new Map<string, RoundTiming[]>()]));
  for (const t of tasks) timings.get(t.c.name)!.set(t.runtime, []);
  const t0 = performance.now();
  let completed = 0;
  roundLoop: for (let r = 0; r < rounds; r++) {
    shareTime(tasks, (PLAN_SHARE * (options.deadline - performance.now())) / (rounds - r), MIN_SAMPLES[mode], MAX_SAMPLES[mode]);
    for (const { c } of cases) {
      const list = tasks.filter((t) => t.c === c);
      for (let i = 0; i < list.length; i++) {
        const task = list[(i + r) % list.length];
        const start = performance.now();
        if (start > options.deadline) break roundLoop;
        const timing = timeCalls(task.run, task.samples, task.warmup, options.deadline);
        task.estimateMs = (performance.now() - start) / (task.warmup + timing.samples); // mean, tails included: what the plan spends
        timings.get(c.name)!.get(task.runtime)!.push(timing);
      }
    }
    completed++;
  }
  const seconds = (performance.now() - t0) / 1e3;
  if (completed < rounds && completed > 0) {
    // An unfinished round is left out, so every runtime's figures cover the same rounds.
    for (const byRuntime of timings.values()) for (const list of byRuntime.values()) list.length = Math.min(list.length, completed);
    skipped.push({ case: '*', why: `the deadline came during round ${completed + 1} of ${rounds}: ${completed} round(s) reported` });
  } else if (completed === 0) {
    skipped.push({ case: '*', why: `the deadline came during round 1 of ${rounds}: only the tasks it reached are reported` });
    for (const t of tasks) {
      if (timings.get(t.c.name)!.get(t.runtime)!.length === 0) skipped.push({ case: t.c.name, runtime: t.runtime, why: 'not timed: the deadline came first' });
    }
  }

  const meta = new Map(cases.map(({ c }) => [c.name, { batch: c.batch, flops: flops[c.name] }]));
  return {
    results: summarise(timings, meta),
    ratios: ratios(timings),
    parity,
    plan: tasks.map((t) => ({
      case: t.c.name,
      runtime: t.runtime,
      warmup_estimate_us: Number((t.warmupEstimateMs * 1e3).toPrecision(4)),
      warmup_per_round: t.warmup,
      samples_per_round: timings
        .get(t.c.name)!
        .get(t.runtime)!
        .map((x) => x.samples),
    })),
    skipped,
    rounds,
    rounds_completed: completed,
    flops,
    seconds_timing: Number(seconds.toFixed(2)),
  };
}

/** The case's batch as model inputs (the same floats bench/run.mjs times). */
function inputsOf(c: BenchCase, index: number, model: Model): ModelInput[] {
  const { architecture, spec } = model;
  const slots = architecture.slots(spec);
  const tokens = caseTokens(c);
  if (slots.length !== tokens.length) throw new Error(`case ${c.name} does not fit a ${architecture.title} model`);
  const floats: KimCaseInputs | SmCaseInputs = 'tokens' in c ? caseInputs(c, index, spec as KimSpec) : caseInputs(c, index, spec as SmSpec);
  const sentenceFloats = 'x' in floats ? [floats.x] : [floats.q, floats.a]; // [slot][b]
  const ext = 'ext' in floats ? floats.ext : [];
  return Array.from({ length: c.batch }, (_, b) => {
    const sentences: Sentence[] = slots.map((_, i) => ({ data: sentenceFloats[i][b], tokens: tokens[i] }));
    return architecture.makeInput(sentences, ext.length > 0 ? ext[b] : undefined);
  });
}

/** The logits of one call, as a new array (batch, classes). */
function forward(model: Model, inputs: readonly ModelInput[]): Float32Array {
  const out = new Float32Array(inputs.length * model.spec.classes);
  model.forward(out, inputs);
  return out;
}

function compare(caseName: string, runtime: string, logits: Float32Array, reference: Float32Array): ParityRow {
  let maxAbs = 0;
  let maxRel = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = Math.abs(logits[i] - reference[i]);
    maxAbs = Math.max(maxAbs, Number.isNaN(d) ? Infinity : d);
    maxRel = Math.max(maxRel, Number.isNaN(d) ? Infinity : d / (1 + Math.abs(reference[i])));
  }
  return { case: caseName, runtime, max_abs: maxAbs, max_rel: maxRel, ok: maxRel <= PARITY_BOUND };
}

/** Calls `run` for about `ms` (at least twice); returns the median call time, ms. */
function warmUp(run: () => void, ms: number): number {
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 2 || performance.now() - start < ms) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

/** Untimed calls before each round's samples: ~ROUND_WARMUP_MS of calls, 1 to 20. */
function warmupCalls(callMs: number): number {
  return Math.min(20, Math.max(1, Math.ceil(ROUND_WARMUP_MS / callMs)));
}

/**
 * Sets each task's samples so one round fills `budgetMs`: every task gets the same time
 * slot (found by bisection), i.e. slot / call time samples, clamped to [min, max].
 */
function shareTime(tasks: Task[], budgetMs: number, min: number, max: number): void {
  const samplesAt = (slot: number, t: Task) => Math.min(max, Math.max(min, Math.floor(slot / t.estimateMs)));
  const cost = (slot: number) => tasks.reduce((sum, t) => sum + (t.warmup + samplesAt(slot, t)) * t.estimateMs, 0);
  let lo = 0;
  let hi = Math.max(0, budgetMs);
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (cost(mid) <= budgetMs) lo = mid;
    else hi = mid;
  }
  for (const t of tasks) t.samples = samplesAt(lo, t);
}

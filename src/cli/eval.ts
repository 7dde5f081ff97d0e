/**
 * `tinycnn eval DATA`: a labelled data set through exactly the serving path (the pipeline's
 * tokenizer, vector store and backend) -> accuracy (Kim CNN) or MAP / MRR (SM CNN, raw and
 * clean), throughput, and agreement with PyTorch's committed predictions for the same items
 * (data/predictions/*.test.json, found by the data file and the weights' and vectors'
 * sha256, or given with --pytorch).
 *
 * DATA: an SST tree file (--task sst1|sst2, default from the model's class count), TrecQA
 * XML, JSONL ({"text", "label"} or {"question", "answer", "label"}) or TSV.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CONV_CHOICES, type ConvChoice } from '../backend/select.js';
import { readEvalSet, type EvalSet } from '../eval/datasets.js';
import { evaluateClassifier, evaluateRanker, type Agreement, type ClassificationReport, type RankingReport } from '../eval/evaluate.js';
import type { SstTask } from '../eval/sst.js';
import { findAsset } from '../node/assets.js';
import { SHIPPED_MODELS, type ShippedModelName } from '../pipeline/defaults.js';
import { loadPairRanker, loadTextClassifier, type PipelineOptions } from '../node/pipeline.js';
import { parseFlags, withUsage } from './flags.js';
import { packageRoot, parseBackend } from './options.js';
import { UsageError } from './usage.js';

export const EVAL_USAGE = `usage: tinycnn eval DATA [options]
  DATA                 SST trees (.txt), TrecQA (.xml), JSONL or TSV with labels
  --model NAME         a shipped model (${Object.keys(SHIPPED_MODELS).join(', ')}); default: kim for SST-2 and
                       text sets, kim-sst1 for SST-1, sm for ranking sets
  --weights FILE       a weight file instead (with --vectors FILE, a .tcv store)
  --task sst1|sst2     SST tree files: five classes or binary (default: from the model)
  --typed              treebank files: give the model the sentence as a person types it
                       ("didn't like it (at all)!"), not the space-joined treebank tokens
  --pytorch FILE|none  PyTorch's predictions to compare with (default: the committed ones
                       for this data file and these exact weights and vectors, if any)
  --backend B          auto, js, wasm-simd, wasm-relaxed     --conv auto|direct|winograd
  --json               one JSON object instead of text`;

export async function runEval(argv: string[]): Promise<number> {
  return withUsage('eval', EVAL_USAGE, argv, () => evalCommand(argv));
}

async function evalCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      weights: { type: 'string' },
      vectors: { type: 'string' },
      task: { type: 'string' },
      typed: { type: 'boolean', default: false },
      pytorch: { type: 'string' },
      backend: { type: 'string' },
      conv: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError('give one data file');
  const data = positionals[0]!;
  if (!existsSync(data)) throw new UsageError(`${data}: no such file`);
  const task = values.task;
  if (task !== undefined && task !== 'sst1' && task !== 'sst2') throw new UsageError(`--task must be sst1 or sst2, not "${task}"`);
  if (values.conv !== undefined && !(CONV_CHOICES as readonly string[]).includes(values.conv)) {
    throw new UsageError(`--conv must be one of ${CONV_CHOICES.join(', ')}, not "${values.conv}"`);
  }
  if (values.weights === undefined && values.vectors !== undefined) throw new UsageError('--vectors goes with --weights');
  if (values.weights !== undefined && values.model !== undefined) throw new UsageError('give --model or --weights, not both');

  const text = readFileSync(data, 'utf8');
  const isTrees = text.trimStart().startsWith('(');
  const isRanking = text.trimStart().startsWith('<QApairs') || text.includes('"question"') || /^[^\t\n]*\t[^\t\n]*\t[01]\r?$/m.test(text);
  const modelName = values.model ?? (isRanking ? 'sm' : task === 'sst1' ? 'kim-sst1' : 'kim');
  if (!Object.hasOwn(SHIPPED_MODELS, modelName)) throw new UsageError(`--model must be one of ${Object.keys(SHIPPED_MODELS).join(', ')}, not "${modelName}"`);
  const shipped = SHIPPED_MODELS[modelName as ShippedModelName];
  const weights = values.weights ?? findAsset(shipped.weights);
  const vectors = values.vectors ?? (values.weights === undefined ? findAsset(shipped.vectors) : undefined);
  const options: PipelineOptions = { weights, vectors, backend: parseBackend(values.backend), conv: values.conv as ConvChoice | undefined, batch: 64 };

  const form = values.typed ? 'typed' : 'tokenized';
  const pipe = isRanking ? loadPairRanker(options) : loadTextClassifier(options);
  const classes = pipe.model.spec.classes;
  const sstTask: SstTask | undefined = isTrees ? ((task as SstTask | undefined) ?? (classes === 2 ? 'sst2' : 'sst1')) : undefined;
  if (sstTask !== undefined && (sstTask === 'sst2') !== (classes === 2)) {
    throw new UsageError(`${sstTask} has ${sstTask === 'sst2' ? 2 : 5} classes, the model ${classes}: pick the matching --task or --model`);
  }
  const set = readEvalSet(text, data, { task: sstTask, form });
  const pytorchFile = values.pytorch === 'none' ? undefined : (values.pytorch ?? committedPredictions(data, weights, pipe.vectors.name));
  const pytorch = pytorchFile === undefined ? undefined : JSON.parse(readFileSync(pytorchFile, 'utf8'));

  const report = evaluate(pipe, set, pytorch);
  const about = {
    data,
    task: sstTask,
    form,
    model: values.weights ?? modelName,
    weights,
    vectors: pipe.vectors.name,
    backend: pipe.model.flavour,
    conv: pipe.model.conv,
    pytorch: pytorchFile,
  };
  if (values.json) {
    console.log(JSON.stringify({ ...about, ...report, predictions: undefined }, null, 1));
  } else {
    console.log(describe(about, report, pytorch));
  }
  return 0;
}

function evaluate(
  pipe: ReturnType<typeof loadTextClassifier> | ReturnType<typeof loadPairRanker>,
  set: EvalSet,
  pytorch: unknown,
): ClassificationReport | RankingReport {
  if (set.kind === 'classification') {
    if (!('classify' in pipe)) throw new UsageError('this data set is labelled sentences: use a Kim CNN model');
    return evaluateClassifier(pipe, set, (pytorch as { rows?: never } | undefined)?.rows);
  }
  if (!('scorePairs' in pipe)) throw new UsageError('this data set is ranked answers: use an SM CNN model');
  return evaluateRanker(pipe, set, (pytorch as { questions?: never } | undefined)?.questions);
}

/** The committed PyTorch predictions made from this data file with these exact weights and vectors, if any. */
function committedPredictions(data: string, weights: string, vectors: string): string | undefined {
  const folder = join(packageRoot(), 'data', 'predictions');
  if (!existsSync(folder)) return undefined;
  const same = (a: string, b: string) => existsSync(b) && realpathSync(a) === realpathSync(b);
  const hashes = new Map<string, string>();
  const sha256 = (file: string) => hashes.get(file) ?? hashes.set(file, createHash('sha256').update(readFileSync(file)).digest('hex')).get(file)!;
  for (const name of readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const file = join(folder, name);
    const head = JSON.parse(readFileSync(file, 'utf8')) as { data: string; weights_sha256: string; vectors_sha256: string };
    if (!same(data, resolve(packageRoot(), head.data))) continue;
    if (head.weights_sha256 === sha256(weights) && existsSync(vectors) && head.vectors_sha256 === sha256(vectors)) return file;
  }
  return undefined;
}

function describe(about: Record<string, string | undefined>, report: ClassificationReport | RankingReport, pytorch: unknown): string {
  const lines = [`${about.model} on ${about.data}${about.task ? ` (${about.task})` : ''}, ${about.form} text; ${about.backend}, ${about.conv} conv`];
  const ref = pytorch as { accuracy?: number; map?: number; mrr?: number; map_clean?: number; mrr_clean?: number } | undefined;
  if (report.kind === 'classification') {
    lines.push(
      `accuracy ${fixed(report.accuracy)} (${report.correct} of ${report.items})${ref?.accuracy === undefined ? '' : `; PyTorch ${fixed(ref.accuracy)}`}`,
    );
    lines.push(`throughput ${Math.round(report.throughput)} sentences/s`);
  } else {
    const { raw, clean } = report;
    lines.push(
      `raw:   MAP ${fixed(raw.map)}  MRR ${fixed(raw.mrr)} (${raw.questions} questions)${ref?.map === undefined ? '' : `; PyTorch ${fixed(ref.map)} / ${fixed(ref.mrr!)}`}`,
    );
    lines.push(
      `clean: MAP ${fixed(clean.map)}  MRR ${fixed(clean.mrr)} (${clean.questions} questions)${ref?.map_clean === undefined ? '' : `; PyTorch ${fixed(ref.map_clean)} / ${fixed(ref.mrr_clean!)}`}`,
    );
    lines.push(`throughput ${Math.round(report.throughput)} pairs/s (${report.pairs} pairs)`);
  }
  if (report.pytorch) lines.push(agreementLine(report.kind, report.pytorch, about.pytorch!, about.form === 'typed'));
  else lines.push('PyTorch: no committed predictions for this data file and these weights and vectors (--pytorch FILE to give some)');
  return lines.join('\n');
}

function agreementLine(kind: string, a: Agreement, file: string, typed: boolean): string {
  const what = kind === 'classification' ? 'labels' : 'rankings';
  const tokens = a.tokensDiffer === 0 ? 'same tokens' : `tokens differ in ${a.tokensDiffer}`;
  return (
    `PyTorch (${file}${typed ? ', made from the tokenized text' : ''}): ${a.differ} of ${a.compared} ${what} differ; ${tokens}; ` +
    `worst logit error ${a.worstLogitError.toExponential(1)} x (1 + |logit|); smallest PyTorch margin ${a.smallestMargin.toExponential(1)}`
  );
}

function fixed(x: number): string {
  return x.toFixed(4);
}

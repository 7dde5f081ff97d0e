// Task accuracy is a tested property: on the full SST-2, SST-1 and TrecQA test sets, every
// backend and conv algorithm gives exactly PyTorch's labels (Kim CNN) and rankings (SM CNN),
// from the typed-in text through the tokenizer and the shipped vector store, and so the same
// accuracy / MAP / MRR to the last digit. PyTorch's answers are committed in
// data/predictions/ (converters/train/predict.py; CI regenerates them from the shipped files).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BackendChoice, ConvChoice } from '../../src/backend/select.js';
import { readEvalSet, type ClassificationSet, type RankingSet } from '../../src/eval/datasets.js';
import { evaluateClassifier, evaluateRanker } from '../../src/eval/evaluate.js';
import { extFeaturesFromMetadata } from '../../src/pipeline/ext-features.js';
import { loadPairRanker, loadTextClassifier } from '../../src/node/pipeline.js';
import { readSafetensors } from '../../src/safetensors/read.js';
import { SHIPPED_MODELS } from '../../src/pipeline/defaults.js';
import { repoRoot } from '../helpers/paths.js';

setFlagsFromString('--experimental-wasm-relaxed-simd'); // Node 20: let the relaxed flavour run too

const BACKENDS: BackendChoice[] = ['js', 'wasm-simd', 'wasm-relaxed'];
const CONVS: ConvChoice[] = ['direct', 'winograd'];
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

const CLASSIFIERS = [
  { model: 'kim', predictions: 'data/predictions/kim-sst2.test.json', data: 'data/sst/test.txt', task: 'sst2', items: 1821 },
  { model: 'kim-sst1', predictions: 'data/predictions/kim-sst1.test.json', data: 'data/sst/test.txt', task: 'sst1', items: 2210 },
] as const;

describe.each(CLASSIFIERS)("$model on $task test: PyTorch's labels on every backend", ({ model, predictions, data, task, items }) => {
  let pytorch: { weights: string; vectors: string; rows: never[]; correct: number; accuracy: number };
  let set: ClassificationSet;
  const files = SHIPPED_MODELS[model];
  beforeAll(() => {
    pytorch = JSON.parse(read(predictions));
    set = readEvalSet(read(data), data, { task }) as ClassificationSet;
  });

  it('the committed predictions are of the shipped files and the whole test split', () => {
    expect(pytorch.weights).toBe(files.weights);
    expect(pytorch.vectors).toBe(files.vectors);
    expect(pytorch.rows).toHaveLength(items);
    expect(set.items).toHaveLength(items);
  });

  for (const backend of BACKENDS) {
    for (const conv of CONVS) {
      it(`${backend}, ${conv}`, () => {
        const classifier = loadTextClassifier({ weights: join(repoRoot, files.weights), vectors: join(repoRoot, files.vectors), backend, conv, batch: 64 });
        const report = evaluateClassifier(classifier, set, pytorch.rows);
        expect(report.pytorch!.tokensDiffer).toBe(0);
        expect(report.pytorch!.differ).toBe(0);
        expect(report.correct).toBe(pytorch.correct);
        expect(report.accuracy).toBe(pytorch.accuracy);
        expect(report.pytorch!.worstLogitError).toBeLessThan(1e-4);
      });
    }
  }
});

describe("sm on TrecQA TEST: PyTorch's rankings and external features on every backend", () => {
  const files = SHIPPED_MODELS.sm;
  let pytorch: { weights: string; vectors: string; questions: never[]; map: number; mrr: number; map_clean: number; mrr_clean: number };
  let set: RankingSet;
  beforeAll(() => {
    pytorch = JSON.parse(read('data/predictions/sm-trecqa.test.json'));
    set = readEvalSet(read('data/trecqa/TEST.xml'), 'TEST.xml') as RankingSet;
  });

  it('the committed predictions are of the shipped files and every TEST question', () => {
    expect(pytorch.weights).toBe(files.weights);
    expect(pytorch.vectors).toBe(files.vectors);
    expect(pytorch.questions).toHaveLength(100);
    expect(set.questions).toHaveLength(100);
  });

  it('computes the 4 overlap features of every TEST pair bit for bit as the Python side did', () => {
    const weights = readSafetensors(readFileSync(join(repoRoot, files.weights)), files.weights);
    const features = extFeaturesFromMetadata(weights.metadata, files.weights)!;
    const ext = new Float32Array(4); // (4)
    let pairs = 0;
    for (const q of pytorch.questions as unknown as { qid: string; tokens: string[]; candidates: { tokens: string[]; ext: number[] }[] }[]) {
      for (const [c, candidate] of q.candidates.entries()) {
        features(q.tokens, candidate.tokens, ext);
        expect([...ext], `question ${q.qid}, candidate ${c}`).toEqual(candidate.ext);
        pairs++;
      }
    }
    expect(pairs).toBe(1517);
  });

  for (const backend of BACKENDS) {
    for (const conv of CONVS) {
      it(`${backend}, ${conv}`, () => {
        const ranker = loadPairRanker({ weights: join(repoRoot, files.weights), vectors: join(repoRoot, files.vectors), backend, conv, batch: 64 });
        const report = evaluateRanker(ranker, set, pytorch.questions);
        expect(report.pytorch!.tokensDiffer).toBe(0);
        expect(report.pytorch!.differ).toBe(0);
        expect(report.raw.map).toBe(pytorch.map);
        expect(report.raw.mrr).toBe(pytorch.mrr);
        expect(report.clean.map).toBe(pytorch.map_clean);
        expect(report.clean.mrr).toBe(pytorch.mrr_clean);
        expect(report.pairs).toBe(1517);
      });
    }
  }
});

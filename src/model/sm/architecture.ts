/**
 * SM CNN (castorini's sm_cnn/model.py, class SMModel): separate conv_q and conv_a,
 * nn.Conv2d(1, 100, (5, 50), padding=(4, 0)), tanh, max over time for each sentence,
 * concat -> 200 (+ 4 external features when ext_feats is on: 204),
 * combined_feature_vector (tanh), hidden -> 2 logits; ranking uses class 1.
 */
import { WeightFileError } from '../../errors.js';
import type { SafetensorsFile } from '../../safetensors/read.js';
import type { Architecture, SentenceSlot } from '../architecture.js';
import { expectRank, expectShape, readLabels } from '../tensors.js';
import { SmForward, smScratchWidths } from './forward.js';
import type { SmInput, SmSpec } from './spec.js';

export type { SmInput, SmSpec } from './spec.js';

/** Question, then answer. */
const SLOTS: readonly SentenceSlot[] = [
  { field: 'q', channels: 1, probeKey: 'q_tokens' },
  { field: 'a', channels: 1, probeKey: 'a_tokens' },
];

/** External feature counts castorini's SMModel can have. */
const EXT_FEATURES = [0, 4];

/** SM CNN behind the model contract. */
export const smCnn: Architecture<SmSpec, SmInput> = {
  kind: 'sm',
  className: 'SMModel',
  title: 'SM CNN',
  task: 'rank-pairs',
  tensors: [
    'conv_q.weight',
    'conv_q.bias',
    'conv_a.weight',
    'conv_a.bias',
    'combined_feature_vector.weight',
    'combined_feature_vector.bias',
    'hidden.weight',
    'hidden.bias',
  ],
  signature: ['conv_q.weight', 'combined_feature_vector.weight'],
  slots: () => SLOTS,
  extFeatures: (spec) => spec.extFeatures,
  makeInput: ([q, a], ext) => (ext === undefined ? { q, a } : { q, a, ext }),
  readSpec,
  scratchWidths: smScratchWidths,
  createForward: (spec, weights, backend) => new SmForward(spec, weights, backend),
  flops(spec, [qTokens, aTokens]) {
    // each tower is a GEMM [tokens + k - 1, k·dim] x [k·dim, filters]; then two dense layers
    const tower = (tokens: number) => 2 * (tokens + spec.k - 1) * spec.k * spec.dim * spec.filters;
    return tower(qTokens) + tower(aTokens) + 2 * spec.hidden * spec.hidden + 2 * spec.hidden * spec.classes;
  },
  describe: (spec) => `ext${spec.extFeatures},${spec.classes}classes`,
};

function readSpec(weights: SafetensorsFile): SmSpec {
  const [filters, channels, k, dim] = expectRank(weights, 'conv_q.weight', 4);
  if (channels !== 1) throw new WeightFileError(weights.file, `${channels} input channels; SMModel has 1`, 'conv_q.weight');
  expectShape(weights, 'conv_q.bias', [filters]);
  expectShape(weights, 'conv_a.weight', [filters, 1, k, dim]);
  expectShape(weights, 'conv_a.bias', [filters]);
  const [hidden] = expectRank(weights, 'combined_feature_vector.weight', 2);
  const extFeatures = hidden - 2 * filters;
  if (!EXT_FEATURES.includes(extFeatures)) {
    throw new WeightFileError(
      weights.file,
      `width ${hidden} is neither 2 x ${filters} filters nor that + 4 external features`,
      'combined_feature_vector.weight',
    );
  }
  expectShape(weights, 'combined_feature_vector.weight', [hidden, hidden]);
  expectShape(weights, 'combined_feature_vector.bias', [hidden]);
  const [classes] = expectRank(weights, 'hidden.weight', 2);
  expectShape(weights, 'hidden.weight', [classes, hidden]);
  expectShape(weights, 'hidden.bias', [classes]);
  return { kind: 'sm', dim, filters, k, extFeatures, hidden, classes, labels: readLabels(weights, classes) };
}
